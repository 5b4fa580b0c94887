// SPDX-License-Identifier: Apache-2.0
#include "console/core/handshake_audit.h"

#include <arpa/inet.h>
#include <grpc/support/log.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>

namespace ironsight::console::core {
namespace {

// The lines gRPC 1.51 writes (src/core/tsi/ssl_transport_security.cc). The verify code line
// comes only from the CRL verify callback, which the link listener installs by naming an empty
// CRL directory (shared/tls/credentials.cpp); it precedes the failure line on the same thread.
constexpr const char* kVerifyCodePrefix = "Certificate verify failed with code ";
constexpr const char* kFailurePrefix = "Handshake failed with fatal error ";

struct Registry {
    std::mutex mutex;
    std::map<std::uint64_t, HandshakeRefusals::Listener> listeners;
    std::uint64_t nextId = 1;
    bool installed = false;
    gpr_log_severity printFrom = GPR_LOG_SEVERITY_ERROR;
    bool printNothing = false;
};

Registry& registry() {
    // Never destroyed: gRPC threads may still log while static destructors run.
    static Registry* r = new Registry;
    return *r;
}

thread_local int pendingVerifyCode = 0;

const char* severityLetter(gpr_log_severity s) {
    switch (s) {
        case GPR_LOG_SEVERITY_DEBUG: return "D";
        case GPR_LOG_SEVERITY_INFO: return "I";
        default: return "E";
    }
}

void logHook(gpr_log_func_args* args) {
    Registry& r = registry();
    const std::string message = args->message != nullptr ? args->message : "";
    if (auto refusal = HandshakeRefusals::observeLine(message)) {
        std::lock_guard lock(r.mutex);
        for (auto& [id, listener] : r.listeners) listener(*refusal);
    }
    // Print what gRPC would have printed under the operator's GRPC_VERBOSITY.
    if (r.printNothing || args->severity < r.printFrom) return;
    const char* file = args->file != nullptr ? args->file : "?";
    if (const char* slash = std::strrchr(file, '/')) file = slash + 1;
    std::fprintf(stderr, "grpc %s %s:%d] %s\n", severityLetter(args->severity), file, args->line,
                 message.c_str());
}

void installLocked(Registry& r) {
    if (r.installed) return;
    // Keep the operator's choice of what gets printed; the hook itself needs INFO lines.
    const char* env = std::getenv("GRPC_VERBOSITY");
    const std::string verbosity = env != nullptr ? env : "";
    if (verbosity == "DEBUG" || verbosity == "debug") {
        r.printFrom = GPR_LOG_SEVERITY_DEBUG;
    } else if (verbosity == "INFO" || verbosity == "info") {
        r.printFrom = GPR_LOG_SEVERITY_INFO;
    } else if (verbosity == "NONE" || verbosity == "none") {
        r.printNothing = true;
    }
    gpr_set_log_function(&logHook);
    gpr_set_log_verbosity(r.printFrom == GPR_LOG_SEVERITY_DEBUG ? GPR_LOG_SEVERITY_DEBUG
                                                                : GPR_LOG_SEVERITY_INFO);
    r.installed = true;
}

/// OpenSSL's reason text: the part after the last "::" or ':' ("peer did not return a
/// certificate" out of "SSL_ERROR_SSL: error:0A0000C7:SSL routines::peer did not return ...").
std::string sslReason(std::string detail) {
    while (!detail.empty() && (detail.back() == '.' || detail.back() == ' ')) detail.pop_back();
    const auto colon = detail.rfind(':');
    std::string reason = colon == std::string::npos ? detail : detail.substr(colon + 1);
    while (!reason.empty() && reason.front() == ' ') reason.erase(reason.begin());
    return reason;
}

std::string formatPeer(const std::string& host, unsigned port) {
    return host + ":" + std::to_string(port);
}

/// One /proc/net/tcp{,6} address "0100007F:1F90" or a 32-hex-digit IPv6 form.
std::optional<std::pair<std::string, unsigned>> parseProcAddress(const std::string& text) {
    const auto colon = text.find(':');
    if (colon == std::string::npos) return std::nullopt;
    const std::string hex = text.substr(0, colon);
    const unsigned port = static_cast<unsigned>(std::strtoul(text.c_str() + colon + 1, nullptr, 16));
    char buffer[INET6_ADDRSTRLEN] = {};
    if (hex.size() == 8) {
        // The kernel prints the address as a host-order word; its memory is network order.
        std::uint32_t word = static_cast<std::uint32_t>(std::strtoul(hex.c_str(), nullptr, 16));
        in_addr addr{};
        std::memcpy(&addr, &word, sizeof word);
        if (inet_ntop(AF_INET, &addr, buffer, sizeof buffer) == nullptr) return std::nullopt;
        return std::make_pair(std::string(buffer), port);
    }
    if (hex.size() != 32) return std::nullopt;
    in6_addr addr{};
    for (int i = 0; i < 4; ++i) {
        std::uint32_t word =
            static_cast<std::uint32_t>(std::strtoul(hex.substr(i * 8, 8).c_str(), nullptr, 16));
        std::memcpy(addr.s6_addr + i * 4, &word, sizeof word);
    }
    if (IN6_IS_ADDR_V4MAPPED(&addr)) {
        in_addr v4{};
        std::memcpy(&v4, addr.s6_addr + 12, sizeof v4);
        if (inet_ntop(AF_INET, &v4, buffer, sizeof buffer) == nullptr) return std::nullopt;
        return std::make_pair(std::string(buffer), port);
    }
    if (inet_ntop(AF_INET6, &addr, buffer, sizeof buffer) == nullptr) return std::nullopt;
    return std::make_pair("[" + std::string(buffer) + "]", port);
}

}  // namespace

std::uint64_t HandshakeRefusals::add(Listener listener) {
    Registry& r = registry();
    std::lock_guard lock(r.mutex);
    installLocked(r);
    const std::uint64_t id = r.nextId++;
    r.listeners.emplace(id, std::move(listener));
    return id;
}

void HandshakeRefusals::remove(std::uint64_t id) {
    Registry& r = registry();
    std::lock_guard lock(r.mutex);
    r.listeners.erase(id);
}

std::string HandshakeRefusals::reasonForVerifyCode(int code) {
    switch (code) {
        case X509_V_ERR_CERT_HAS_EXPIRED: return "certificate has expired";
        case X509_V_ERR_CERT_NOT_YET_VALID: return "certificate is not yet valid";
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
        case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
        case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
        case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
            return "certificate not issued by this console's CA";
        case X509_V_ERR_CERT_SIGNATURE_FAILURE: return "certificate signature invalid";
        case X509_V_ERR_CERT_REVOKED: return "certificate revoked";
        default: break;
    }
    return std::string("certificate refused: ") + X509_verify_cert_error_string(code);
}

std::optional<HandshakeRefusal> HandshakeRefusals::observeLine(const std::string& message) {
    if (message.rfind(kVerifyCodePrefix, 0) == 0) {
        // The first error of a chain is the one that ended its verification.
        if (pendingVerifyCode == 0) {
            pendingVerifyCode = std::atoi(message.c_str() + std::strlen(kVerifyCodePrefix));
        }
        return std::nullopt;
    }
    if (message.rfind(kFailurePrefix, 0) != 0) return std::nullopt;
    HandshakeRefusal refusal;
    refusal.detail = message.substr(std::strlen(kFailurePrefix));
    while (!refusal.detail.empty() && refusal.detail.back() == '.') refusal.detail.pop_back();
    refusal.verifyCode = pendingVerifyCode;
    pendingVerifyCode = 0;
    const std::string reason = sslReason(refusal.detail);
    if (reason == "peer did not return a certificate") {
        refusal.reason = "no client certificate";
        refusal.clientCertificate = true;
    } else if (refusal.verifyCode != 0) {
        refusal.reason = reasonForVerifyCode(refusal.verifyCode);
        refusal.clientCertificate = true;
    } else if (reason.find("alert") != std::string::npos) {
        refusal.reason = "the client refused the console's certificate (" + reason + ")";
    } else {
        refusal.reason = "TLS handshake failed: " + reason;
    }
    return refusal;
}

std::vector<TcpSocket> tcpSockets() {
    std::vector<TcpSocket> sockets;
    for (const char* table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
        std::ifstream in(table);
        std::string line;
        std::getline(in, line);  // header
        while (std::getline(in, line)) {
            std::istringstream fields(line);
            std::string slot, local, remote, state, queues, timer, retransmits, uid, timeout, inode;
            if (!(fields >> slot >> local >> remote >> state >> queues >> timer >> retransmits >>
                  uid >> timeout >> inode)) {
                continue;
            }
            auto l = parseProcAddress(local);
            auto r = parseProcAddress(remote);
            if (!l || !r) continue;
            sockets.push_back({l->first, r->first, l->second, r->second, state, inode});
        }
    }
    return sockets;
}

std::vector<std::string> establishedPeersOnPort(int localPort) {
    std::vector<std::string> peers;
    for (const TcpSocket& s : tcpSockets()) {
        // TCP_ESTABLISHED, or TCP_CLOSE_WAIT: the client already closed its end (a client
        // that sends its certificate and leaves), the console has not yet.
        if (s.state != "01" && s.state != "08") continue;
        if (s.localPort != static_cast<unsigned>(localPort)) continue;
        peers.push_back(formatPeer(s.remoteHost, s.remotePort));
    }
    return peers;
}

std::string peerAddress(const std::string& grpcPeer) {
    std::string text = grpcPeer;
    for (const char* scheme : {"ipv4:", "ipv6:"}) {
        if (text.rfind(scheme, 0) == 0) text = text.substr(std::strlen(scheme));
    }
    std::string decoded;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size()) {
            decoded += static_cast<char>(std::strtoul(text.substr(i + 1, 2).c_str(), nullptr, 16));
            i += 2;
        } else {
            decoded += text[i];
        }
    }
    // "[::ffff:127.0.0.1]:5000" is how a dual-stack listener names an IPv4 client.
    if (decoded.rfind("[::ffff:", 0) == 0) {
        const auto close = decoded.find(']');
        if (close != std::string::npos) {
            decoded = decoded.substr(8, close - 8) + decoded.substr(close + 1);
        }
    }
    return decoded;
}

std::string refusalSource(std::vector<std::string> candidates) {
    // The same address and port on the link port is the same connection: keep the first.
    std::vector<std::string> distinct;
    for (auto& c : candidates) {
        if (std::find(distinct.begin(), distinct.end(), c) == distinct.end()) {
            distinct.push_back(std::move(c));
        }
    }
    if (distinct.size() == 1) return distinct.front();
    if (distinct.empty()) return "unknown";
    std::string source = "unknown: one of";
    for (std::size_t i = 0; i < distinct.size() && i < 4; ++i) {
        source += (i == 0 ? " " : ", ") + distinct[i];
    }
    if (distinct.size() > 4) source += ", ...";
    return source;
}

}  // namespace ironsight::console::core
