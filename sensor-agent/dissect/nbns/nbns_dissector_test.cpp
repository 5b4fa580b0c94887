// SPDX-License-Identifier: Apache-2.0
// NBNS dissector tests on annotated wire bytes: name encoding (RFC 1001 example), registration,
// positive query response, group names, node status, and malformed packets.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sensor-agent/dissect/core/testing.h"
#include "sensor-agent/dissect/nbns/nbns_dissector.h"

namespace ironsight::sensor::dissect::nbns {
namespace {

using Bytes = std::vector<std::uint8_t>;

struct FlowSink : RecordingSink {
    FlowSink() : RecordingSink("nbns") {}
    std::vector<FlowContext> identityFlows;
    void onIdentity(const FlowContext& f, const Identity& id) override {
        identityFlows.push_back(f);
        RecordingSink::onIdentity(f, id);
    }
};

FlowContext flow() {
    FlowContext f;
    f.clientIp = "192.168.1.99";
    f.serverIp = "192.168.1.8";
    f.clientPort = kPort;
    f.serverPort = kPort;
    f.transport = Transport::Udp;
    return f;
}

/// The 34-byte encoded name field: length 32, first-level encoding of `name` padded with spaces
/// to 15 bytes + suffix (RFC 1001 §14.1), root label.
Bytes encodedName(const std::string& name, std::uint8_t suffix) {
    Bytes out = {0x20};
    std::string padded = name;
    padded.resize(15, ' ');
    padded.push_back(static_cast<char>(suffix));
    for (unsigned char c : padded) {
        out.push_back(static_cast<std::uint8_t>('A' + (c >> 4)));
        out.push_back(static_cast<std::uint8_t>('A' + (c & 0x0f)));
    }
    out.push_back(0x00);
    return out;
}

Bytes concat(std::initializer_list<Bytes> parts) {
    Bytes out;
    for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}

// Name registration request (opcode 5, broadcast): CX_0D7560<00> NB, additional NB record
// (pointer to the question name): unique, B-node, 192.168.1.8.
Bytes registration(std::uint16_t nbFlags) {
    return concat({{0x80, 0x01, 0x29, 0x10,                           // id, flags: opcode 5 RD B
                    0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01},  // qd 1, ar 1
                   encodedName("CX_0D7560", 0x00),
                   {0x00,
                    0x20,
                    0x00,
                    0x01,  // NB, IN
                    0xc0,
                    0x0c,
                    0x00,
                    0x20,
                    0x00,
                    0x01,  // pointer, NB, IN
                    0x00,
                    0x04,
                    0x93,
                    0xe0,
                    0x00,
                    0x06,  // ttl 300000, rdlength 6
                    static_cast<std::uint8_t>(nbFlags >> 8),
                    static_cast<std::uint8_t>(nbFlags),
                    0xc0,
                    0xa8,
                    0x01,
                    0x08}});  // 192.168.1.8
}

// Positive name query response (QR=1 AA RD): "PLCGATEWAY<20>" NB unique 192.168.1.50.
const Bytes kPositiveResponse = concat({{0x00, 0x07, 0x85, 0x00,  // id 7, QR opcode 0 AA RD
                                         0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00},
                                        encodedName("PLCGATEWAY", 0x20),
                                        {0x00, 0x20, 0x00, 0x01, 0x00, 0x04, 0x93, 0xe0, 0x00, 0x06,
                                         0x00, 0x00, 0xc0, 0xa8, 0x01, 0x32}});

TEST(NbnsDissectorTest, NameEncodingFollowsRfc1001) {
    // RFC 1001 §14.1: "FRED" padded with spaces → "EGFCEFEECACACACACACACACACACACACA".
    const auto n = decodeName("EGFCEFEECACACACACACACACACACACACA");
    ASSERT_TRUE(n);
    EXPECT_EQ(n->name, "FRED");
    EXPECT_EQ(n->suffix, 0x20);
    EXPECT_EQ(n->text(), "FRED<20>");
    EXPECT_FALSE(decodeName("EGFCEFEECACACACACACACACACACACACZ"));  // Z is not A-P
    EXPECT_FALSE(decodeName("EGFC"));
}

TEST(NbnsDissectorTest, RegistrationNamesTheRegisteredAddress) {
    FlowSink sink;
    NbnsDissector d;
    const auto r = d.onData(flow(), Direction::ToClient, registration(0x0000), sink);
    EXPECT_EQ(r.status, ParseResult::Status::Ok);
    ASSERT_EQ(sink.identities.size(), 1u);
    EXPECT_EQ(sink.identities[0].protocol, "nbns");
    EXPECT_EQ(sink.identities[0].strings.at("hostname"), "CX_0D7560");
    EXPECT_EQ(sink.identities[0].hostname, "CX_0D7560");
    EXPECT_EQ(sink.identityFlows[0].serverIp, "192.168.1.8");
    ASSERT_EQ(sink.ops.size(), 1u);
    EXPECT_EQ(sink.ops[0].function, "registration");
    EXPECT_EQ(sink.ops[0].functionCode, 5);
    EXPECT_EQ(sink.ops[0].textKeys.at("name"), "CX_0D7560<00>");
    EXPECT_TRUE(sink.anomalies.empty());
}

TEST(NbnsDissectorTest, GroupNamesAreNotHostNames) {
    FlowSink sink;
    NbnsDissector d;
    d.onData(flow(), Direction::ToClient, registration(0x8000), sink);  // G bit set
    EXPECT_TRUE(sink.identities.empty());
    EXPECT_EQ(sink.ops.size(), 1u);
}

TEST(NbnsDissectorTest, PositiveResponseNamesTheAnsweredAddress) {
    FlowSink sink;
    NbnsDissector d;
    d.onData(flow(), Direction::ToClient, kPositiveResponse, sink);
    ASSERT_EQ(sink.identities.size(), 1u);
    EXPECT_EQ(sink.identities[0].hostname, "PLCGATEWAY");
    EXPECT_EQ(sink.identityFlows[0].serverIp, "192.168.1.50");
    EXPECT_TRUE(sink.ops.empty());  // a response with no question section
}

TEST(NbnsDissectorTest, NodeStatusNamesTheResponder) {
    Bytes status = concat({{0x00, 0x09, 0x84, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00},
                           encodedName("*", 0x00),
                           {0x00, 0x21, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,  // NBSTAT IN ttl 0
                            0x00, 0x29, 0x02}});                             // rdlength 41, 2 names
    const Bytes domain = {'P', 'L', 'A', 'N', 'T', ' ',  ' ',  ' ', ' ', ' ',
                          ' ', ' ', ' ', ' ', ' ', 0x00, 0x84, 0x00};  // group name (flags 0x8400)
    const Bytes host = {'H', 'M', 'I', '-', '0', '1', ' ',  ' ',  ' ',
                        ' ', ' ', ' ', ' ', ' ', ' ', 0x00, 0x04, 0x00};  // unique, active
    status = concat({status, domain, host, Bytes(4, 0)});
    FlowSink sink;
    NbnsDissector d;
    d.onData(flow(), Direction::ToClient, status, sink);
    ASSERT_EQ(sink.identities.size(), 1u);
    EXPECT_EQ(sink.identities[0].hostname, "HMI-01");
    EXPECT_TRUE(sink.identities[0].ofServer);
    EXPECT_EQ(sink.identityFlows[0].serverIp, "192.168.1.8");
}

TEST(NbnsDissectorTest, MalformedPacketsAreAnomalies) {
    FlowSink sink;
    NbnsDissector d;
    Bytes cut = registration(0);
    cut.resize(40);
    EXPECT_EQ(d.onData(flow(), Direction::ToServer, cut, sink).status, ParseResult::Status::Error);
    EXPECT_EQ(sink.count("malformed_message"), 1u);
    EXPECT_TRUE(sink.identities.empty());
}

}  // namespace
}  // namespace ironsight::sensor::dissect::nbns
