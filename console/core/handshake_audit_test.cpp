// SPDX-License-Identifier: Apache-2.0
// The gRPC log lines a refused TLS handshake produces, and finding the refused connection's
// address (with real sockets on loopback). LinkServerTest covers the whole path end to end.
#include "console/core/handshake_audit.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>

namespace ironsight::console::core {
namespace {

TEST(HandshakeRefusals, AMissingClientCertificateIsNamed) {
    auto r = HandshakeRefusals::observeLine(
        "Handshake failed with fatal error SSL_ERROR_SSL: error:0A0000C7:SSL "
        "routines::peer did not return a certificate.");
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->reason, "no client certificate");
    EXPECT_TRUE(r->clientCertificate);
    EXPECT_EQ(r->verifyCode, 0);
    EXPECT_EQ(r->detail,
              "SSL_ERROR_SSL: error:0A0000C7:SSL routines::peer did not return a certificate");
}

TEST(HandshakeRefusals, TheVerifyCodeBeforeAFailureNamesItsReasonOnce) {
    const std::string failure =
        "Handshake failed with fatal error SSL_ERROR_SSL: error:0A000086:SSL "
        "routines::certificate verify failed.";
    EXPECT_FALSE(HandshakeRefusals::observeLine("Certificate verify failed with code 10"));
    EXPECT_FALSE(HandshakeRefusals::observeLine("Certificate verify failed with code 20"));
    auto expired = HandshakeRefusals::observeLine(failure);
    ASSERT_TRUE(expired.has_value());
    EXPECT_EQ(expired->reason, "certificate has expired");  // the first code of the chain
    EXPECT_EQ(expired->verifyCode, 10);
    EXPECT_TRUE(expired->clientCertificate);

    // The code was used up: the next failure on this thread has none of its own.
    auto bare = HandshakeRefusals::observeLine(failure);
    ASSERT_TRUE(bare.has_value());
    EXPECT_EQ(bare->verifyCode, 0);
    EXPECT_EQ(bare->reason, "TLS handshake failed: certificate verify failed");
    EXPECT_FALSE(bare->clientCertificate);

    EXPECT_FALSE(HandshakeRefusals::observeLine("Certificate verify failed with code 9"));
    EXPECT_EQ(HandshakeRefusals::observeLine(failure)->reason, "certificate is not yet valid");
    EXPECT_FALSE(HandshakeRefusals::observeLine("Certificate verify failed with code 20"));
    EXPECT_EQ(HandshakeRefusals::observeLine(failure)->reason,
              "certificate not issued by this console's CA");
}

TEST(HandshakeRefusals, OtherFailuresAndOtherLines) {
    auto alert = HandshakeRefusals::observeLine(
        "Handshake failed with fatal error SSL_ERROR_SSL: error:0A000418:SSL routines::tlsv1 "
        "alert unknown ca.");
    ASSERT_TRUE(alert.has_value());
    EXPECT_EQ(alert->reason, "the client refused the console's certificate (tlsv1 alert unknown ca)");
    EXPECT_FALSE(alert->clientCertificate);

    auto probe = HandshakeRefusals::observeLine(
        "Handshake failed with fatal error SSL_ERROR_SSL: error:0A00009C:SSL routines::http "
        "request.");
    ASSERT_TRUE(probe.has_value());
    EXPECT_EQ(probe->reason, "TLS handshake failed: http request");

    EXPECT_FALSE(HandshakeRefusals::observeLine("Security handshake failed: {...}"));
    EXPECT_FALSE(HandshakeRefusals::observeLine(
        "Certificate verification failed to get CRL files. Ignoring error."));
    EXPECT_FALSE(HandshakeRefusals::observeLine(""));
}

TEST(HandshakeRefusals, VerifyCodesWithoutANameUseOpenSslsWords) {
    EXPECT_EQ(HandshakeRefusals::reasonForVerifyCode(23), "certificate revoked");
    EXPECT_EQ(HandshakeRefusals::reasonForVerifyCode(26),
              "certificate refused: unsuitable certificate purpose");
}

TEST(HandshakeRefusals, PeerAddressesReadTheWayGrpcWritesThem) {
    EXPECT_EQ(peerAddress("ipv4:127.0.0.1:5000"), "127.0.0.1:5000");
    EXPECT_EQ(peerAddress("ipv6:%5B::1%5D:5000"), "[::1]:5000");
    EXPECT_EQ(peerAddress("ipv6:[::1]:5000"), "[::1]:5000");
    EXPECT_EQ(peerAddress("ipv6:%5B::ffff:10.1.2.3%5D:443"), "10.1.2.3:443");
}

TEST(HandshakeRefusals, EstablishedConnectionsOfAPortAreFoundWithTheirClientAddress) {
    const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
    ASSERT_GE(listener, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    ASSERT_EQ(::listen(listener, 4), 0);
    socklen_t len = sizeof addr;
    ASSERT_EQ(::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len), 0);
    const int port = ntohs(addr.sin_port);
    EXPECT_TRUE(establishedPeersOnPort(port).empty());

    const int client = ::socket(AF_INET, SOCK_STREAM, 0);
    ASSERT_EQ(::connect(client, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    const int accepted = ::accept(listener, nullptr, nullptr);
    ASSERT_GE(accepted, 0);
    sockaddr_in local{};
    len = sizeof local;
    ASSERT_EQ(::getsockname(client, reinterpret_cast<sockaddr*>(&local), &len), 0);
    const std::string expected = "127.0.0.1:" + std::to_string(ntohs(local.sin_port));

    EXPECT_EQ(establishedPeersOnPort(port), std::vector<std::string>{expected});
    // A client that sent its certificate and left: its connection is still open on this side.
    ::close(client);
    EXPECT_EQ(establishedPeersOnPort(port), std::vector<std::string>{expected});
    ::close(accepted);
    EXPECT_TRUE(establishedPeersOnPort(port).empty());
    ::close(listener);
}

TEST(HandshakeRefusals, TheSourceNamesTheOneConnectionEvenWhenItIsListedTwice) {
    EXPECT_EQ(refusalSource({}), "unknown");
    EXPECT_EQ(refusalSource({"127.0.0.1:5000"}), "127.0.0.1:5000");
    // /proc/net/tcp can list an entry twice when the table changes between reads.
    EXPECT_EQ(refusalSource({"127.0.0.1:55948", "127.0.0.1:55948"}), "127.0.0.1:55948");
    EXPECT_EQ(refusalSource({"10.0.0.1:1", "10.0.0.2:2", "10.0.0.1:1"}),
              "unknown: one of 10.0.0.1:1, 10.0.0.2:2");
    EXPECT_EQ(refusalSource({"a:1", "b:2", "c:3", "d:4", "e:5"}),
              "unknown: one of a:1, b:2, c:3, d:4, ...");
}

}  // namespace
}  // namespace ironsight::console::core
