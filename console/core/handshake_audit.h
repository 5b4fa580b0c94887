// SPDX-License-Identifier: Apache-2.0
// TLS handshake refusals as events the console can audit.
//
// gRPC 1.51 refuses a client without a certificate, with one of another CA, expired or not yet
// valid inside the TLS handshake, before any handler runs, and reports it only to its own log
// (RELIABILITY.md 2.3). HandshakeRefusals installs the process-wide gpr log function, recognises
// those lines and hands each refusal to the registered listeners; every other line is printed
// as gRPC would print it (GRPC_VERBOSITY still chooses which).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace ironsight::console::core {

struct HandshakeRefusal {
    /// What an operator acts on: "no client certificate", "certificate has expired",
    /// "certificate is not yet valid", "certificate not issued by this console's CA", ...
    std::string reason;
    /// The TLS library's own words ("SSL_ERROR_SSL: error:0A0000C7:...").
    std::string detail;
    /// X509 verification error code when gRPC reported one (0 otherwise).
    int verifyCode = 0;
    /// The client's certificate was refused or missing: only the mutual-TLS link listener does
    /// that, and only a server logs it. Other failures (a plain-text probe, a peer refusing a
    /// certificate) can come from either listener, or from this process acting as a client.
    bool clientCertificate = false;
};

class HandshakeRefusals {
public:
    using Listener = std::function<void(const HandshakeRefusal&)>;

    /// Registers `listener` and installs the log hook on first use. The listener runs on a gRPC
    /// thread while the refused connection is still open: keep it short, never block, and never
    /// call add() or remove() from it. Returns an id for remove().
    static std::uint64_t add(Listener listener);
    /// After remove() returns, the listener is never called again.
    static void remove(std::uint64_t id);

    /// One gRPC log line on the calling thread; the refusal it completes, if any. A verify
    /// error code line is remembered per thread until the handshake failure line that follows
    /// it. Public for the unit tests of the line patterns.
    static std::optional<HandshakeRefusal> observeLine(const std::string& message);

    /// The reason shown for an X509 verification error code.
    static std::string reasonForVerifyCode(int code);
};

/// One line of /proc/net/tcp or /proc/net/tcp6.
struct TcpSocket {
    std::string localHost, remoteHost;  // IPv4 dotted, IPv6 in brackets (IPv4-mapped as IPv4)
    unsigned localPort = 0, remotePort = 0;
    std::string state;  // the kernel's hex code: "01" established, "08" close-wait, "0A" listen
    std::string inode;
};

/// Every TCP socket of this network namespace (/proc/net/tcp and tcp6); empty without /proc.
std::vector<TcpSocket> tcpSockets();

/// "HOST:PORT" of every open TCP connection whose local port is `localPort` (established, or
/// closed by the peer but not yet by this host), read from
/// /proc/net/tcp and /proc/net/tcp6 (IPv4-mapped IPv6 addresses shown as IPv4, IPv6 in
/// brackets). Empty when /proc is unavailable.
std::vector<std::string> establishedPeersOnPort(int localPort);

/// gRPC's peer text ("ipv4:127.0.0.1:5000", "ipv6:%5B::1%5D:5000") as "HOST:PORT".
std::string peerAddress(const std::string& grpcPeer);

/// The audit record's source of a refused handshake from the connections it may have come from
/// (establishedPeersOnPort minus the live streams): the address when that leaves one connection
/// (a connection listed twice is one: /proc/net/tcp can repeat an entry while the table changes
/// under the read), "unknown" when none, else "unknown: one of A, B, ..." (at most four named).
std::string refusalSource(std::vector<std::string> candidates);

}  // namespace ironsight::console::core
