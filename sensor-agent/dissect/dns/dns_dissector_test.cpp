// SPDX-License-Identifier: Apache-2.0
// DNS dissector tests on annotated wire bytes: queries, answers (local and public addresses),
// compression, DNS over TCP split across segments, and malformed messages.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "sensor-agent/dissect/core/testing.h"
#include "sensor-agent/dissect/dns/dns_dissector.h"

namespace ironsight::sensor::dissect::dns {
namespace {

using Bytes = std::vector<std::uint8_t>;

/// Records the flow of each identity too: address records re-target the flow's server side.
struct FlowSink : RecordingSink {
    FlowSink() : RecordingSink("dns") {}
    std::vector<FlowContext> identityFlows;
    void onIdentity(const FlowContext& f, const Identity& id) override {
        identityFlows.push_back(f);
        RecordingSink::onIdentity(f, id);
    }
};

FlowContext udpFlow() {
    FlowContext f;
    f.clientIp = "10.10.1.21";
    f.serverIp = "10.10.1.2";
    f.clientPort = 51000;
    f.serverPort = kPort;
    f.transport = Transport::Udp;
    return f;
}

// Standard query, id 0x1234, RD: "plc1.plant.lan" A IN.
const Bytes kQuery = {
    0x12, 0x34, 0x01, 0x00,                          // id, flags: QR=0 opcode 0 RD
    0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // qd 1, an 0, ns 0, ar 0
    0x04, 'p',  'l',  'c',  '1',                     // offset 12: label "plc1"
    0x05, 'p',  'l',  'a',  'n',  't',               // label "plant"
    0x03, 'l',  'a',  'n',  0x00,                    // label "lan", root
    0x00, 0x01, 0x00, 0x01,                          // qtype A, qclass IN
};

// Its answer: the question again, then "plc1.plant.lan" (pointer to offset 12) A 10.10.1.11.
const Bytes kAnswerLocal = {
    0x12, 0x34, 0x81, 0x80,                          // id, flags: QR=1 RD RA, rcode 0
    0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,  // qd 1, an 1
    0x04, 'p',  'l',  'c',  '1',  0x05, 'p',  'l',  'a',  'n',
    't',  0x03, 'l',  'a',  'n',  0x00, 0x00, 0x01, 0x00, 0x01,  // qtype A, qclass IN
    0xc0, 0x0c,                                                  // name: pointer to offset 12
    0x00, 0x01, 0x00, 0x01,                                      // type A, class IN
    0x00, 0x00, 0x0e, 0x10,                                      // ttl 3600
    0x00, 0x04, 0x0a, 0x0a, 0x01, 0x0b,                          // rdlength 4, 10.10.1.11
};

// id 0x0bee: "mail.google.com" CNAME "gm.l.google.com" A 74.125.239.117 (a public address).
const Bytes kAnswerPublic = {
    0x0b, 0xee, 0x81, 0x80,                          // id, flags response
    0x00, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00,  // qd 1, an 2
    0x04, 'm',  'a',  'i',  'l',  0x06, 'g',  'o',  'o',  'g',  'l',
    'e',  0x03, 'c',  'o',  'm',  0x00, 0x00, 0x01, 0x00, 0x01,  // A IN
    0xc0, 0x0c, 0x00, 0x05, 0x00, 0x01,                          // offset 33: CNAME IN
    0x00, 0x00, 0x00, 0x3c, 0x00, 0x07,                          // ttl 60, rdlength 7
    0x02, 'g',  'm',  0x01, 'l',  0xc0, 0x11,  // offset 45: "gm.l" + pointer "google.com"
    0xc0, 0x2d, 0x00, 0x01, 0x00, 0x01,        // "gm.l.google.com" A IN
    0x00, 0x00, 0x00, 0x3c, 0x00, 0x04, 74,   125,  239,  117,
};

TEST(DnsDissectorTest, QueryIsAnOperation) {
    FlowSink sink;
    DnsDissector d;
    const auto r = d.onData(udpFlow(), Direction::ToServer, kQuery, sink);
    EXPECT_EQ(r.status, ParseResult::Status::Ok);
    EXPECT_EQ(r.consumed, kQuery.size());
    ASSERT_EQ(sink.ops.size(), 1u);
    EXPECT_EQ(sink.ops[0].protocol, "dns");
    EXPECT_EQ(sink.ops[0].function, "query");
    EXPECT_EQ(sink.ops[0].functionCode, 0);
    EXPECT_EQ(sink.ops[0].opClass, "read");
    EXPECT_TRUE(sink.ops[0].request);
    EXPECT_EQ(sink.ops[0].keys.at("qtype"), 1);
    EXPECT_EQ(sink.ops[0].textKeys.at("name"), "plc1.plant.lan");
    EXPECT_TRUE(sink.identities.empty());
}

TEST(DnsDissectorTest, LocalAnswerNamesTheAnsweredHost) {
    FlowSink sink;
    DnsDissector d;
    d.onData(udpFlow(), Direction::ToServer, kQuery, sink);
    d.onData(udpFlow(), Direction::ToClient, kAnswerLocal, sink);
    EXPECT_EQ(sink.ops.size(), 1u);  // the answer's query was reported already
    ASSERT_EQ(sink.identities.size(), 1u);
    EXPECT_EQ(sink.identities[0].protocol, "dns");
    EXPECT_TRUE(sink.identities[0].ofServer);
    EXPECT_EQ(sink.identities[0].strings.at("hostname"), "plc1.plant.lan");
    EXPECT_EQ(sink.identities[0].hostname, "plc1.plant.lan");
    EXPECT_EQ(sink.identityFlows[0].serverIp, "10.10.1.11");  // the answered address
    EXPECT_TRUE(sink.anomalies.empty());
}

TEST(DnsDissectorTest, PublicAnswerGivesNoIdentityAndUnseenQueryIsReported) {
    FlowSink sink;
    DnsDissector d;
    d.onData(udpFlow(), Direction::ToClient, kAnswerPublic, sink);
    EXPECT_TRUE(sink.identities.empty());
    ASSERT_EQ(sink.ops.size(), 1u);
    EXPECT_FALSE(sink.ops[0].request);
    EXPECT_EQ(sink.ops[0].textKeys.at("name"), "mail.google.com");
    EXPECT_TRUE(sink.anomalies.empty());
    // The compressed names parse: the A record's owner is "gm.l.google.com".
    const auto m = parseMessage(kAnswerPublic);
    ASSERT_TRUE(m);
    ASSERT_EQ(m->answers.size(), 2u);
    EXPECT_EQ(m->answers[1].name, "gm.l.google.com");
    EXPECT_EQ(addressText(m->answers[1].rdata), "74.125.239.117");
}

TEST(DnsDissectorTest, TcpMessageSplitAcrossSegments) {
    FlowContext flow = udpFlow();
    flow.transport = Transport::Tcp;
    Bytes stream = {0x00, static_cast<std::uint8_t>(kQuery.size())};  // RFC 1035 §4.2.2 length
    stream.insert(stream.end(), kQuery.begin(), kQuery.end());
    FlowSink sink;
    DnsDissector d;
    const Bytes first(stream.begin(), stream.begin() + 10);
    const auto r1 = d.onData(flow, Direction::ToServer, first, sink);
    EXPECT_EQ(r1.status, ParseResult::Status::Incomplete);
    EXPECT_EQ(r1.consumed, 0u);
    EXPECT_EQ(r1.needed, stream.size());
    EXPECT_TRUE(sink.ops.empty());
    const auto r2 = d.onData(flow, Direction::ToServer, stream, sink);
    EXPECT_EQ(r2.status, ParseResult::Status::Ok);
    EXPECT_EQ(r2.consumed, stream.size());
    ASSERT_EQ(sink.ops.size(), 1u);
    EXPECT_EQ(sink.ops[0].textKeys.at("name"), "plc1.plant.lan");
}

TEST(DnsDissectorTest, MalformedMessagesAreAnomalies) {
    FlowSink sink;
    DnsDissector d;
    Bytes truncated(kQuery.begin(), kQuery.begin() + 20);  // name cut short
    d.onData(udpFlow(), Direction::ToServer, truncated, sink);
    Bytes loop = {0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
                  0x00, 0x00, 0x00, 0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01};  // name pointer to itself
    d.onData(udpFlow(), Direction::ToServer, loop, sink);
    Bytes shortHeader = {0x12, 0x34, 0x01};
    d.onData(udpFlow(), Direction::ToServer, shortHeader, sink);
    EXPECT_EQ(sink.count("malformed_message"), 3u);
    EXPECT_TRUE(sink.ops.empty());
    FlowContext tcp = udpFlow();
    tcp.transport = Transport::Tcp;
    const Bytes tiny = {0x00, 0x03, 0x01, 0x02, 0x03};  // length below a header
    EXPECT_EQ(d.onData(tcp, Direction::ToServer, tiny, sink).status, ParseResult::Status::Error);
}

/// A response (id `id`, qname "q.lan" A IN) with one A record per entry of `answers`: owner
/// name, then the address's last octet under 10.10.1.0/24.
Bytes responseWith(std::uint16_t id, const std::vector<std::pair<std::string, int>>& answers) {
    const auto u8 = [](auto v) { return static_cast<std::uint8_t>(v); };
    // id, flags (response), qd 1, an, ns 0, ar 0
    Bytes m = {u8(id >> 8), u8(id), 0x81, 0x80, 0, 1, 0, u8(answers.size()), 0, 0, 0, 0};
    const auto name = [&m](const std::string& dotted) {
        std::size_t start = 0;
        while (start <= dotted.size()) {
            const std::size_t dot = std::min(dotted.find('.', start), dotted.size());
            m.push_back(static_cast<std::uint8_t>(dot - start));
            m.insert(m.end(), dotted.begin() + static_cast<std::ptrdiff_t>(start),
                     dotted.begin() + static_cast<std::ptrdiff_t>(dot));
            start = dot + 1;
        }
        m.push_back(0);
    };
    name("q.lan");
    m.insert(m.end(), {0x00, 0x01, 0x00, 0x01});
    for (const auto& [owner, last] : answers) {
        name(owner);
        m.insert(m.end(), {0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x3c, 0x00, 0x04, 10, 10, 1,
                           static_cast<std::uint8_t>(last)});
    }
    return m;
}

TEST(DnsDissectorTest, ResponseWithFewerAnswersReportsOnlyItsOwn) {
    // Dissectors parse into one reused Message: a response after one with more answers must
    // not report the earlier answers again, on the same flow or on another flow's dissector.
    FlowSink sink;
    DnsDissector d, other;
    const std::string longOwner = "a-rather-long-host-name-beyond-small-strings.plant.lan";
    d.onData(udpFlow(), Direction::ToClient,
             responseWith(1, {{"plc1.lan", 11}, {longOwner, 12}, {"hmi.lan", 13}}), sink);
    ASSERT_EQ(sink.identities.size(), 3u);
    EXPECT_EQ(sink.identities[1].hostname, longOwner);
    other.onData(udpFlow(), Direction::ToClient, responseWith(2, {{"rtu.lan", 21}}), sink);
    ASSERT_EQ(sink.identities.size(), 4u);
    EXPECT_EQ(sink.identities[3].hostname, "rtu.lan");
    EXPECT_EQ(sink.identityFlows[3].serverIp, "10.10.1.21");
    d.onData(udpFlow(), Direction::ToClient, responseWith(3, {}), sink);  // no answers at all
    EXPECT_EQ(sink.identities.size(), 4u);
    d.onData(udpFlow(), Direction::ToClient, responseWith(4, {{"x.lan", 31}, {"y.lan", 32}}), sink);
    ASSERT_EQ(sink.identities.size(), 6u);
    EXPECT_EQ(sink.identities[4].hostname, "x.lan");
    EXPECT_EQ(sink.identities[5].hostname, "y.lan");
    EXPECT_EQ(sink.identityFlows[5].serverIp, "10.10.1.32");
    // A malformed message between two good ones leaves nothing behind either.
    Bytes cut = responseWith(5, {{"gone.lan", 41}, {"gone2.lan", 42}});
    cut.resize(cut.size() - 3);
    d.onData(udpFlow(), Direction::ToClient, cut, sink);
    EXPECT_EQ(sink.count("malformed_message"), 1u);
    d.onData(udpFlow(), Direction::ToClient, responseWith(6, {{"z.lan", 51}}), sink);
    ASSERT_EQ(sink.identities.size(), 7u);
    EXPECT_EQ(sink.identities[6].hostname, "z.lan");
    // Every good response's query was unseen: one operation each (no stale questions).
    EXPECT_EQ(sink.ops.size(), 5u);
    for (const auto& op : sink.ops) EXPECT_EQ(op.textKeys.at("name"), "q.lan");
}

TEST(DnsWireTest, ParseIntoAReusedMessageEqualsAFreshParse) {
    std::vector<Bytes> messages = {kAnswerPublic, kQuery, kAnswerLocal,
                                   responseWith(7, {{"a.lan", 1}, {"b.lan", 2}, {"c.lan", 3}}),
                                   responseWith(8, {{"d.lan", 4}})};
    // Over the per-section limit: 70 answers are parsed, 64 kept; then a message with 2.
    std::vector<std::pair<std::string, int>> many;
    for (int i = 0; i < 70; ++i) many.emplace_back("host" + std::to_string(i) + ".lan", i);
    messages.push_back(responseWith(9, many));
    messages.push_back(responseWith(10, {{"e.lan", 5}, {"f.lan", 6}}));
    Message reused;
    for (const Bytes& bytes : messages) {
        const auto fresh = parseMessage(bytes);
        ASSERT_TRUE(fresh);
        ASSERT_TRUE(parseMessage(bytes, reused));
        EXPECT_EQ(reused.id, fresh->id);
        EXPECT_EQ(reused.flags, fresh->flags);
        ASSERT_EQ(reused.questions.size(), fresh->questions.size());
        for (std::size_t i = 0; i < reused.questions.size(); ++i) {
            EXPECT_EQ(reused.questions[i].name, fresh->questions[i].name);
            EXPECT_EQ(reused.questions[i].qtype, fresh->questions[i].qtype);
        }
        for (const auto& [got, want] : {std::pair{&reused.answers, &fresh->answers},
                                        std::pair{&reused.authorities, &fresh->authorities},
                                        std::pair{&reused.additionals, &fresh->additionals}}) {
            ASSERT_EQ(got->size(), want->size());
            for (std::size_t i = 0; i < got->size(); ++i) {
                EXPECT_EQ((*got)[i].name, (*want)[i].name);
                EXPECT_EQ((*got)[i].type, (*want)[i].type);
                EXPECT_EQ((*got)[i].ttl, (*want)[i].ttl);
                EXPECT_EQ((*got)[i].rdataOffset, (*want)[i].rdataOffset);
                EXPECT_EQ(addressText((*got)[i].rdata), addressText((*want)[i].rdata));
            }
        }
    }
    EXPECT_EQ(reused.answers.size(), 2u);  // the last message's, not 64 left from before
    // Stated counts: 64 kept of 70.
    ASSERT_TRUE(parseMessage(responseWith(9, many), reused));
    EXPECT_EQ(reused.answers.size(), kMaxRecordsPerSection);
    EXPECT_EQ(reused.answers.back().name, "host63.lan");
}

TEST(DnsWireTest, ReadNameFollowsPointersUpToTheLengthLimit) {
    // Labels of 63, 63, 63 and n octets: 255 label and length octets with n = 62 (the longest
    // name readName() takes), 256 with n = 63 (too long). The name starts at offset 2; a pointer
    // at the end refers to it.
    for (const std::size_t last : {62u, 63u}) {
        std::vector<std::uint8_t> msg = {0xaa, 0xbb};
        std::string expected;
        for (const std::size_t len : {std::size_t{63}, std::size_t{63}, std::size_t{63}, last}) {
            msg.push_back(static_cast<std::uint8_t>(len));
            if (!expected.empty()) expected += '.';
            for (std::size_t i = 0; i < len; ++i) {
                const char c = static_cast<char>('a' + (expected.size() + i) % 26);
                msg.push_back(static_cast<std::uint8_t>(c));
                expected += c;
            }
        }
        msg.push_back(0);
        const std::size_t pointerAt = msg.size();
        msg.push_back(0xc0);
        msg.push_back(0x02);
        std::string name = "previous content";
        std::size_t offset = 2;
        const bool ok = readName(msg, offset, name);
        std::size_t viaPointer = pointerAt;
        std::string same;
        const bool okViaPointer = readName(msg, viaPointer, same);
        if (last == 62) {
            ASSERT_TRUE(ok);
            EXPECT_EQ(name.size(), 254u);
            EXPECT_EQ(name, expected);
            EXPECT_EQ(offset, pointerAt);
            ASSERT_TRUE(okViaPointer);
            EXPECT_EQ(same, expected);
            EXPECT_EQ(viaPointer, pointerAt + 2);
        } else {
            EXPECT_FALSE(ok);
            EXPECT_FALSE(okViaPointer);
        }
    }
    // The root name is empty; a name of one label has no dot.
    const std::vector<std::uint8_t> root = {0x00, 0x03, 'w', 'w', 'w', 0x00};
    std::string name = "x";
    std::size_t offset = 0;
    ASSERT_TRUE(readName(root, offset, name));
    EXPECT_EQ(name, "");
    EXPECT_EQ(offset, 1u);
    ASSERT_TRUE(readName(root, offset, name));
    EXPECT_EQ(name, "www");
    EXPECT_EQ(offset, 6u);
}

TEST(DnsWireTest, AddressTextAsPrintfWritesIt) {
    std::mt19937 random(53);
    for (int round = 0; round < 5000; ++round) {
        std::vector<std::uint8_t> v4(4), v6(16);
        // Zeros are likely: groups of "0", and short numbers.
        for (auto& b : v4) b = random() % 3 == 0 ? 0 : static_cast<std::uint8_t>(random());
        for (auto& b : v6) b = random() % 3 == 0 ? 0 : static_cast<std::uint8_t>(random());
        char expected[64];
        std::snprintf(expected, sizeof expected, "%u.%u.%u.%u", v4[0], v4[1], v4[2], v4[3]);
        ASSERT_EQ(addressText(v4), expected);
        std::string expected6;
        for (int i = 0; i < 8; ++i) {
            std::snprintf(expected, sizeof expected, "%s%x", i ? ":" : "",
                          (v6[2 * i] << 8) | v6[2 * i + 1]);
            expected6 += expected;
        }
        ASSERT_EQ(addressText(v6), expected6);
    }
    EXPECT_EQ(addressText(std::vector<std::uint8_t>(5)), "");
}

TEST(DnsWireTest, DisplayNameDropsOneDotAndLowerCases) {
    EXPECT_EQ(displayName("WWW.Example.COM."), "www.example.com");
    EXPECT_EQ(displayName("WWW.Example.COM..", false), "WWW.Example.COM.");
    EXPECT_EQ(displayName("a\x01"
                          "b\xff"),
              "a?b?");
    EXPECT_EQ(displayName(""), "");
    EXPECT_EQ(displayName("."), "");
    const std::string longName(300, 'X');  // longer than any wire name: still whole
    EXPECT_EQ(displayName(longName), std::string(300, 'x'));
}

TEST(DnsDissectorTest, HostPartDropsLocalSuffix) {
    EXPECT_EQ(hostPart("printer.local"), "printer");
    EXPECT_EQ(hostPart("Printer.LOCAL"), "Printer");
    EXPECT_EQ(hostPart("plc1.plant.lan"), "plc1.plant.lan");
    EXPECT_EQ(hostPart(".local"), ".local");
}

}  // namespace
}  // namespace ironsight::sensor::dissect::dns
