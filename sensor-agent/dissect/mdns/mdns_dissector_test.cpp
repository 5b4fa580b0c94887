// SPDX-License-Identifier: Apache-2.0
// mDNS dissector tests on annotated wire bytes: a service announcement (SRV + A), a query, and
// malformed messages.
#include <gtest/gtest.h>

#include <vector>

#include "sensor-agent/dissect/core/testing.h"
#include "sensor-agent/dissect/mdns/mdns_dissector.h"

namespace ironsight::sensor::dissect::mdns {
namespace {

using Bytes = std::vector<std::uint8_t>;

struct FlowSink : RecordingSink {
    FlowSink() : RecordingSink("mdns") {}
    std::vector<FlowContext> identityFlows, opFlows;
    void onIdentity(const FlowContext& f, const Identity& id) override {
        identityFlows.push_back(f);
        RecordingSink::onIdentity(f, id);
    }
    void onOperation(const FlowContext& f, const Operation& op) override {
        opFlows.push_back(f);
        RecordingSink::onOperation(f, op);
    }
};

FlowContext flowFrom(const char* sender) {
    FlowContext f;
    f.clientIp = sender;
    f.serverIp = "224.0.0.251";
    f.clientPort = kPort;
    f.serverPort = kPort;
    f.transport = Transport::Udp;
    return f;
}

// Announcement (QR=1 AA): "web._http._tcp.local" SRV 0 0 80 "kitchen-pi.local";
// "kitchen-pi.local" A 192.168.0.20.
const Bytes kAnnouncement = {
    0x00, 0x00, 0x84, 0x00,                          // id 0, flags QR=1 AA
    0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00,  // qd 0, an 2
    0x03, 'w',  'e',  'b',                           // offset 12 "web"
    0x05, '_',  'h',  't',  't',  'p',               // "_http"
    0x04, '_',  't',  'c',  'p',                     // "_tcp"
    0x05, 'l',  'o',  'c',  'a',  'l',  0x00,        // offset 27 "local", root
    0x00, 0x21, 0x80, 0x01,                          // type SRV, class IN + cache flush
    0x00, 0x00, 0x00, 0x78, 0x00, 0x13,              // ttl 120, rdlength 19
    0x00, 0x00, 0x00, 0x00, 0x00, 0x50,              // priority 0, weight 0, port 80
    0x0a, 'k',  'i',  't',  'c',  'h',  'e',  'n',  '-',  'p',  'i',  // offset 50 "kitchen-pi"
    0xc0, 0x1b,                                                       // pointer "local"
    0xc0, 0x32, 0x00, 0x01, 0x80, 0x01,                          // "kitchen-pi.local" A IN + flush
    0x00, 0x00, 0x00, 0x78, 0x00, 0x04, 0xc0, 0xa8, 0x00, 0x14,  // ttl 120, 192.168.0.20
};

// Query (QR=0): "_http._tcp.local" PTR IN with the unicast-response bit.
const Bytes kQuery = {
    0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // qd 1
    0x05, '_',  'h',  't',  't',  'p',  0x04, '_',  't',  'c',  'p',  0x05,
    'l',  'o',  'c',  'a',  'l',  0x00, 0x00, 0x0c, 0x80, 0x01,  // type PTR, class IN with QU bit
};

TEST(MdnsDissectorTest, AnnouncementNamesTheSender) {
    FlowSink sink;
    MdnsDissector d;
    const auto r = d.onData(flowFrom("192.168.0.20"), Direction::ToServer, kAnnouncement, sink);
    EXPECT_EQ(r.status, ParseResult::Status::Ok);
    EXPECT_TRUE(sink.anomalies.empty());
    EXPECT_TRUE(sink.ops.empty());
    ASSERT_EQ(sink.identities.size(), 2u);
    // The A record: the named address owns the name (".local" dropped, case kept).
    EXPECT_EQ(sink.identities[0].strings.at("hostname"), "kitchen-pi");
    EXPECT_TRUE(sink.identities[0].ofServer);
    EXPECT_EQ(sink.identityFlows[0].serverIp, "192.168.0.20");
    // The SRV target: the sender (the client side of this flow) is that host.
    EXPECT_EQ(sink.identities[1].hostname, "kitchen-pi");
    EXPECT_FALSE(sink.identities[1].ofServer);
    EXPECT_EQ(sink.identityFlows[1].clientIp, "192.168.0.20");
}

TEST(MdnsDissectorTest, QueryIsAnOperationOfTheSender) {
    FlowSink sink;
    MdnsDissector d;
    FlowContext f = flowFrom("224.0.0.251");  // the engine may put the sender on either side
    f.serverIp = "192.168.0.31";
    d.onData(f, Direction::ToClient, kQuery, sink);
    ASSERT_EQ(sink.ops.size(), 1u);
    EXPECT_EQ(sink.ops[0].protocol, "mdns");
    EXPECT_EQ(sink.ops[0].function, "query");
    EXPECT_EQ(sink.ops[0].keys.at("qtype"), 12);
    EXPECT_EQ(sink.ops[0].textKeys.at("name"), "_http._tcp.local");
    EXPECT_EQ(sink.opFlows[0].clientIp, "192.168.0.31");
    EXPECT_TRUE(sink.identities.empty());
}

TEST(MdnsDissectorTest, MalformedMessagesAreAnomalies) {
    FlowSink sink;
    MdnsDissector d;
    const Bytes cut(kAnnouncement.begin(), kAnnouncement.begin() + 60);  // inside the SRV rdata
    EXPECT_EQ(d.onData(flowFrom("192.168.0.20"), Direction::ToServer, cut, sink).status,
              ParseResult::Status::Error);
    const Bytes empty = {0x00};
    d.onData(flowFrom("192.168.0.20"), Direction::ToServer, empty, sink);
    EXPECT_EQ(sink.count("malformed_message"), 2u);
    EXPECT_TRUE(sink.identities.empty());
}

}  // namespace
}  // namespace ironsight::sensor::dissect::mdns
