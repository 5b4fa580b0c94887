// SPDX-License-Identifier: Apache-2.0
// TLS dissector tests on annotated ClientHello bytes: SNI as operation and identity, a
// handshake split over two records and segments, the probe, malformed input, and when the
// dissector is finished (the engine then releases it).
#include <gtest/gtest.h>

#include <vector>

#include "sensor-agent/dissect/core/testing.h"
#include "sensor-agent/dissect/tls/tls_dissector.h"

namespace ironsight::sensor::dissect::tls {
namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes concat(std::initializer_list<Bytes> parts) {
    Bytes out;
    for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}

FlowContext flow() {
    FlowContext f;
    f.clientIp = "10.10.1.31";
    f.serverIp = "10.10.1.40";
    f.clientPort = 51515;
    f.serverPort = kPort;
    return f;
}

// ClientHello body (69 bytes): TLS 1.2 legacy version, SNI "plc.vendor", supported_versions.
const Bytes kHelloBody = concat({
    {0x03, 0x03},                   // legacy_version TLS 1.2
    Bytes(32, 0xab),                // random
    {0x00},                         // session id: empty
    {0x00, 0x02, 0x13, 0x01},       // cipher suites: TLS_AES_128_GCM_SHA256
    {0x01, 0x00},                   // compression: null
    {0x00, 0x1a},                   // extensions, 26 bytes
    {0x00, 0x00, 0x00, 0x0f,        // server_name, 15 bytes
     0x00, 0x0d, 0x00, 0x00, 0x0a,  // list 13 bytes: host_name, 10 bytes
     'p', 'l', 'c', '.', 'v', 'e', 'n', 'd', 'o', 'r'},
    {0x00, 0x2b, 0x00, 0x03, 0x02, 0x03, 0x04},  // supported_versions: TLS 1.3
});

// Handshake header: client_hello, length 69.
const Bytes kHandshake = concat({{0x01, 0x00, 0x00, 0x45}, kHelloBody});

// One record: handshake, legacy record version TLS 1.0, length 73.
const Bytes kRecord = concat({{0x16, 0x03, 0x01, 0x00, 0x49}, kHandshake});

TEST(TlsDissectorTest, ClientHelloSniIsOperationAndServerIdentity) {
    RecordingSink sink("tls");
    TlsDissector d;
    const auto r = d.onData(flow(), Direction::ToServer, kRecord, sink);
    EXPECT_EQ(r.status, ParseResult::Status::Ok);
    EXPECT_EQ(r.consumed, kRecord.size());
    ASSERT_EQ(sink.ops.size(), 1u);
    EXPECT_EQ(sink.ops[0].protocol, "tls");
    EXPECT_EQ(sink.ops[0].function, "client_hello");
    EXPECT_EQ(sink.ops[0].functionCode, 1);
    EXPECT_EQ(sink.ops[0].keys.at("version"), 0x0303);
    EXPECT_EQ(sink.ops[0].textKeys.at("server_name"), "plc.vendor");
    ASSERT_EQ(sink.identities.size(), 1u);
    EXPECT_TRUE(sink.identities[0].ofServer);
    EXPECT_EQ(sink.identities[0].strings.at("sni"), "plc.vendor");
    // Later (encrypted) bytes and the server's side are not parsed.
    const Bytes appData = {0x17, 0x03, 0x03, 0x00, 0x02, 0xde, 0xad};
    d.onData(flow(), Direction::ToServer, appData, sink);
    d.onData(flow(), Direction::ToClient, appData, sink);
    EXPECT_EQ(sink.ops.size(), 1u);
    EXPECT_TRUE(sink.anomalies.empty());
}

TEST(TlsDissectorTest, HandshakeSplitOverRecordsAndSegments) {
    // The 73-byte handshake in two records (30 + 43 bytes).
    const Bytes first(kHandshake.begin(), kHandshake.begin() + 30);
    const Bytes second(kHandshake.begin() + 30, kHandshake.end());
    const Bytes stream =
        concat({{0x16, 0x03, 0x03, 0x00, 0x1e}, first, {0x16, 0x03, 0x03, 0x00, 0x2b}, second});
    RecordingSink sink("tls");
    TlsDissector d;
    const Bytes part(stream.begin(), stream.begin() + 40);  // first record + 5 header bytes
    const auto r1 = d.onData(flow(), Direction::ToServer, part, sink);
    EXPECT_EQ(r1.status, ParseResult::Status::Incomplete);
    EXPECT_EQ(r1.consumed, 0u);
    EXPECT_EQ(r1.needed, stream.size());
    EXPECT_TRUE(sink.ops.empty());
    EXPECT_EQ(d.onData(flow(), Direction::ToServer, stream, sink).status, ParseResult::Status::Ok);
    ASSERT_EQ(sink.identities.size(), 1u);
    EXPECT_EQ(sink.identities[0].strings.at("sni"), "plc.vendor");
}

// finished() is the engine's licence to drop the dissector: it must turn true only when no
// later data or gap in either direction could make it report anything.
TEST(TlsDissectorTest, FinishedOnlyOnceBothDirectionsHaveNothingMoreToSay) {
    const Bytes serverHello = {0x16, 0x03, 0x03, 0x00, 0x04, 0x02, 0x00, 0x00, 0x00};
    {
        RecordingSink sink("tls");
        TlsDissector d;
        EXPECT_FALSE(d.finished());
        d.onData(flow(), Direction::ToServer, kRecord, sink);
        EXPECT_FALSE(d.finished());  // the server has not spoken yet
        d.onData(flow(), Direction::ToClient, serverHello, sink);
        EXPECT_TRUE(d.finished());
        // A finished dissector consumes everything without a word, gaps included.
        d.onGap(Direction::ToServer);
        d.onGap(Direction::ToClient);
        const auto r = d.onData(flow(), Direction::ToServer, kRecord, sink);
        EXPECT_EQ(r.status, ParseResult::Status::Ok);
        EXPECT_EQ(r.consumed, kRecord.size());
        EXPECT_TRUE(d.finished());
        EXPECT_EQ(sink.ops.size(), 1u);
        EXPECT_EQ(sink.identities.size(), 1u);
        EXPECT_TRUE(sink.anomalies.empty());
    }
    {
        // The server speaks first (or its ClientHello was lost): the client's side is still
        // parsed, so the dissector is not finished until that side is done.
        RecordingSink sink("tls");
        TlsDissector d;
        d.onData(flow(), Direction::ToClient, serverHello, sink);
        EXPECT_FALSE(d.finished());
        const Bytes part(kRecord.begin(), kRecord.begin() + 20);
        EXPECT_EQ(d.onData(flow(), Direction::ToServer, part, sink).status,
                  ParseResult::Status::Incomplete);
        EXPECT_FALSE(d.finished());
        d.onData(flow(), Direction::ToServer, kRecord, sink);
        EXPECT_TRUE(d.finished());
        EXPECT_EQ(sink.ops.size(), 1u);
    }
    {
        // A gap before the ClientHello gives that side up; not-TLS data too.
        RecordingSink sink("tls");
        TlsDissector gap, notTls;
        gap.onGap(Direction::ToServer);
        EXPECT_FALSE(gap.finished());
        gap.onGap(Direction::ToClient);
        EXPECT_TRUE(gap.finished());
        notTls.onData(flow(), Direction::ToServer, Bytes{'G', 'E', 'T', ' ', '/', ' '}, sink);
        EXPECT_FALSE(notTls.finished());
        notTls.onData(flow(), Direction::ToClient, serverHello, sink);
        EXPECT_TRUE(notTls.finished());
        EXPECT_EQ(sink.count("not_tls"), 1u);
    }
}

TEST(TlsDissectorTest, ProbeRecognisesClientHello) {
    EXPECT_EQ(probe(kRecord), Probe::Match);
    EXPECT_EQ(probe(Bytes{0x16, 0x03}), Probe::NeedMore);
    EXPECT_EQ(probe(Bytes{'G', 'E', 'T', ' ', '/', ' '}), Probe::NoMatch);
    EXPECT_EQ(probe(Bytes{0x16, 0x03, 0x01, 0x00, 0x49, 0x02}), Probe::NoMatch);  // ServerHello
}

TEST(TlsDissectorTest, MalformedInputIsAnAnomaly) {
    RecordingSink sink("tls");
    TlsDissector notTls;
    const Bytes ssh = {'S', 'S', 'H', '-', '2', '.', '0', '-', 'x', '\r', '\n'};
    EXPECT_EQ(notTls.onData(flow(), Direction::ToServer, ssh, sink).status,
              ParseResult::Status::Error);
    EXPECT_EQ(sink.count("not_tls"), 1u);

    Bytes badExtensions = kRecord;
    badExtensions[5 + 4 + 41] = 0x7f;  // extensions length beyond the body
    TlsDissector d;
    d.onData(flow(), Direction::ToServer, badExtensions, sink);
    EXPECT_EQ(sink.count("malformed_client_hello"), 1u);
    EXPECT_TRUE(sink.ops.empty());
    EXPECT_TRUE(sink.identities.empty());
}

}  // namespace
}  // namespace ironsight::sensor::dissect::tls
