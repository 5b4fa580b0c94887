// SPDX-License-Identifier: Apache-2.0
// SSH dissector tests on real version-exchange bytes: both banners, a banner split across
// segments, server preamble lines, and malformed input.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sensor-agent/dissect/core/testing.h"
#include "sensor-agent/dissect/ssh/ssh_dissector.h"

namespace ironsight::sensor::dissect::ssh {
namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes bytes(const std::string& s) {
    return Bytes(s.begin(), s.end());
}

FlowContext flow() {
    FlowContext f;
    f.clientIp = "10.10.1.31";
    f.serverIp = "10.10.1.50";
    f.clientPort = 40404;
    f.serverPort = kPort;
    return f;
}

TEST(SshDissectorTest, BothBannersAreIdentities) {
    RecordingSink sink("ssh");
    SshDissector d;
    // The server's banner, then the start of its binary KEXINIT packet in the same segment.
    Bytes server = bytes("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u2\r\n");
    server.insert(server.end(), {0x00, 0x00, 0x05, 0xdc, 0x07, 0x14});
    EXPECT_EQ(d.onData(flow(), Direction::ToClient, server, sink).status, ParseResult::Status::Ok);
    d.onData(flow(), Direction::ToServer, bytes("SSH-2.0-PuTTY_Release_0.78\r\n"), sink);
    ASSERT_EQ(sink.identities.size(), 2u);
    EXPECT_TRUE(sink.identities[0].ofServer);
    EXPECT_EQ(sink.identities[0].protocol, "ssh");
    EXPECT_EQ(sink.identities[0].strings.at("banner"), "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u2");
    EXPECT_FALSE(sink.identities[1].ofServer);
    EXPECT_EQ(sink.identities[1].strings.at("banner"), "SSH-2.0-PuTTY_Release_0.78");
    d.onData(flow(), Direction::ToServer, bytes("SSH-2.0-again\r\n"), sink);  // binary phase
    EXPECT_EQ(sink.identities.size(), 2u);
    EXPECT_TRUE(sink.anomalies.empty());
}

TEST(SshDissectorTest, BannerSplitAcrossSegments) {
    RecordingSink sink("ssh");
    SshDissector d;
    const auto all = bytes("SSH-2.0-dropbear_2022.83\r\n");
    const Bytes first(all.begin(), all.begin() + 9);
    const auto r = d.onData(flow(), Direction::ToClient, first, sink);
    EXPECT_EQ(r.status, ParseResult::Status::Incomplete);
    EXPECT_EQ(r.consumed, 0u);
    EXPECT_TRUE(sink.identities.empty());
    d.onData(flow(), Direction::ToClient, all, sink);
    ASSERT_EQ(sink.identities.size(), 1u);
    EXPECT_EQ(sink.identities[0].strings.at("banner"), "SSH-2.0-dropbear_2022.83");
}

TEST(SshDissectorTest, ServerPreambleLinesAreSkipped) {
    RecordingSink sink("ssh");
    SshDissector d;
    d.onData(flow(), Direction::ToClient, bytes("Authorized use only\r\nSSH-1.99-Cisco-1.25\r\n"),
             sink);
    ASSERT_EQ(sink.identities.size(), 1u);
    EXPECT_EQ(sink.identities[0].strings.at("banner"), "SSH-1.99-Cisco-1.25");
    EXPECT_TRUE(sink.anomalies.empty());
}

TEST(SshDissectorTest, MalformedBannersAreAnomalies) {
    RecordingSink sink("ssh");
    SshDissector client;
    client.onData(flow(), Direction::ToServer, bytes("GET / HTTP/1.0\r\n"), sink);
    SshDissector endless;
    endless.onData(flow(), Direction::ToClient, Bytes(kMaxLine + 10, 'A'), sink);
    EXPECT_EQ(sink.count("malformed_banner"), 2u);
    EXPECT_TRUE(sink.identities.empty());
}

}  // namespace
}  // namespace ironsight::sensor::dissect::ssh
