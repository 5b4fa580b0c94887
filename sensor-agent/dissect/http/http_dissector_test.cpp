// SPDX-License-Identifier: Apache-2.0
// HTTP dissector tests on real request/response bytes: methods and classes, User-Agent and
// Server identity, bodies by Content-Length, headers split across segments, chunked bodies,
// non-HTTP bytes, oversized headers and gaps.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sensor-agent/dissect/core/testing.h"
#include "sensor-agent/dissect/http/http_dissector.h"

namespace ironsight::sensor::dissect::http {
namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes bytes(const std::string& s) {
    return Bytes(s.begin(), s.end());
}

FlowContext flow() {
    FlowContext f;
    f.clientIp = "10.10.1.31";
    f.serverIp = "10.10.1.11";
    f.clientPort = 50000;
    f.serverPort = 80;
    return f;
}

const std::string kGet =
    "GET /status.html HTTP/1.1\r\n"
    "Host: 10.10.1.11\r\n"
    "User-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64)\r\n"
    "Accept: */*\r\n\r\n";

// A POST with a 9-byte body, then a second request on the same connection.
const std::string kPostThenGet =
    "POST /cgi-bin/setpoint HTTP/1.1\r\nHost: plc\r\nContent-Length: 9\r\n\r\nvalue=42&"
    "HEAD / HTTP/1.1\r\nuser-agent: curl/7.88.1\r\n\r\n";

const std::string kResponse =
    "HTTP/1.1 200 OK\r\n"
    "Server: Schneider-WEB/V2.1.4\r\n"
    "Content-Length: 5\r\n\r\nhello";

TEST(HttpDissectorTest, RequestGivesOperationAndUserAgent) {
    RecordingSink sink("http");
    HttpDissector d;
    const auto data = bytes(kGet);
    const auto r = d.onData(flow(), Direction::ToServer, data, sink);
    EXPECT_EQ(r.status, ParseResult::Status::Ok);
    EXPECT_EQ(r.consumed, data.size());
    ASSERT_EQ(sink.ops.size(), 1u);
    EXPECT_EQ(sink.ops[0].protocol, "http");
    EXPECT_EQ(sink.ops[0].function, "get");
    EXPECT_EQ(sink.ops[0].opClass, "read");
    EXPECT_TRUE(sink.ops[0].request);
    ASSERT_EQ(sink.identities.size(), 1u);
    EXPECT_FALSE(sink.identities[0].ofServer);
    EXPECT_EQ(sink.identities[0].strings.at("user_agent"),
              "Mozilla/5.0 (Windows NT 10.0; Win64; x64)");
}

TEST(HttpDissectorTest, BodiesAreSkippedByContentLength) {
    RecordingSink sink("http");
    HttpDissector d;
    d.onData(flow(), Direction::ToServer, bytes(kPostThenGet), sink);
    ASSERT_EQ(sink.ops.size(), 2u);
    EXPECT_EQ(sink.ops[0].function, "post");
    EXPECT_EQ(sink.ops[0].opClass, "write");
    EXPECT_EQ(sink.ops[1].function, "head");
    ASSERT_EQ(sink.identities.size(), 1u);  // header names are case-insensitive
    EXPECT_EQ(sink.identities[0].strings.at("user_agent"), "curl/7.88.1");
    EXPECT_TRUE(sink.anomalies.empty());
}

TEST(HttpDissectorTest, ResponseServerHeaderIsServerIdentity) {
    RecordingSink sink("http");
    HttpDissector d;
    d.onData(flow(), Direction::ToClient, bytes(kResponse), sink);
    EXPECT_TRUE(sink.ops.empty());
    ASSERT_EQ(sink.identities.size(), 1u);
    EXPECT_TRUE(sink.identities[0].ofServer);
    EXPECT_EQ(sink.identities[0].strings.at("server"), "Schneider-WEB/V2.1.4");
}

TEST(HttpDissectorTest, HeaderSplitAcrossSegments) {
    RecordingSink sink("http");
    HttpDissector d;
    const auto all = bytes(kGet);
    const Bytes first(all.begin(), all.begin() + 40);
    const auto r1 = d.onData(flow(), Direction::ToServer, first, sink);
    EXPECT_EQ(r1.status, ParseResult::Status::Incomplete);
    EXPECT_EQ(r1.consumed, 0u);
    EXPECT_GT(r1.needed, first.size());
    EXPECT_TRUE(sink.ops.empty());
    const auto r2 = d.onData(flow(), Direction::ToServer, all, sink);  // engine re-offers all
    EXPECT_EQ(r2.status, ParseResult::Status::Ok);
    EXPECT_EQ(sink.ops.size(), 1u);
}

TEST(HttpDissectorTest, ChunkedResponseStopsParsingThatDirection) {
    RecordingSink sink("http");
    HttpDissector d;
    d.onData(flow(), Direction::ToClient,
             bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nServer: lighttpd\r\n\r\n"
                   "5\r\nHTTP/\r\n0\r\n\r\n"),
             sink);
    d.onData(flow(), Direction::ToClient, bytes("HTTP/1.1 200 OK\r\nServer: other\r\n\r\n"), sink);
    ASSERT_EQ(sink.identities.size(), 1u);
    EXPECT_EQ(sink.identities[0].strings.at("server"), "lighttpd");
    EXPECT_TRUE(sink.anomalies.empty());
}

TEST(HttpDissectorTest, NonHttpAndOversizedHeadersAreAnomalies) {
    RecordingSink sink("http");
    HttpDissector d;
    const Bytes binary = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00};
    d.onData(flow(), Direction::ToServer, binary, sink);
    d.onData(flow(), Direction::ToServer, bytes(kGet), sink);  // that direction is given up
    EXPECT_EQ(sink.count("not_http"), 1u);
    EXPECT_TRUE(sink.ops.empty());
    HttpDissector d2;
    const std::string huge = "GET / HTTP/1.1\r\nX-Pad: " + std::string(kMaxHeaderBytes, 'a');
    d2.onData(flow(), Direction::ToServer, bytes(huge), sink);
    EXPECT_EQ(sink.count("header_too_long"), 1u);
}

TEST(HttpDissectorTest, GapResynchronisesOnTheNextRequest) {
    RecordingSink sink("http");
    HttpDissector d;
    d.onData(flow(), Direction::ToServer,
             bytes("POST /x HTTP/1.1\r\nContent-Length: 100000\r\n\r\nabc"), sink);
    d.onGap(Direction::ToServer);
    d.onData(flow(), Direction::ToServer, bytes("middle of a lost body"), sink);
    d.onData(flow(), Direction::ToServer, bytes(kGet), sink);
    ASSERT_EQ(sink.ops.size(), 2u);
    EXPECT_EQ(sink.ops[1].function, "get");
    EXPECT_TRUE(sink.anomalies.empty());
}

TEST(HttpDissectorTest, ResponseToHeadHasNoBody) {
    RecordingSink sink("http");
    HttpDissector d;
    d.onData(flow(), Direction::ToServer, bytes("HEAD / HTTP/1.1\r\n\r\nGET / HTTP/1.1\r\n\r\n"),
             sink);
    // Content-Length of a HEAD response describes the body it does not carry.
    d.onData(flow(), Direction::ToClient,
             bytes("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n"
                   "HTTP/1.1 200 OK\r\nServer: Boa/0.94.14\r\nContent-Length: 0\r\n\r\n"),
             sink);
    ASSERT_EQ(sink.identities.size(), 1u);
    EXPECT_EQ(sink.identities[0].strings.at("server"), "Boa/0.94.14");
    EXPECT_TRUE(sink.anomalies.empty());
}

}  // namespace
}  // namespace ironsight::sensor::dissect::http
