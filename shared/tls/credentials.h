// SPDX-License-Identifier: Apache-2.0
// gRPC credential factories for the link (RELIABILITY.md §2, Appendix A). All credential
// building lives here so the mutual-TLS policy is set in exactly one place.
#pragma once

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

namespace ironsight::tls {

struct ServerIdentity {
    std::string keyPem;
    std::string certChainPem;
};

/// Link listener: requires and verifies client certificates against `clientCaPem`
/// (GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY; never the don't-verify mode).
std::shared_ptr<grpc::ServerCredentials> linkServerCredentials(const ServerIdentity& identity,
                                                               const std::string& clientCaPem);
/// Link listener whose identity is re-read from `keyPath`/`certChainPath` every
/// `refreshSeconds` (gRPC FileWatcherCertificateProvider), so a new server certificate is used
/// for new handshakes without a restart; swap both files atomically (a directory symlink).
/// Client certificates are required and verified against the CA file `clientCaPath`.
/// `emptyCrlDirectory`, when given, must be an existing directory kept empty: naming one makes
/// gRPC 1.51 log the X509 error code of every refused client certificate ("Certificate verify
/// failed with code N"), which the console turns into audit records (handshake_audit.h). With
/// no CRL in it, no certificate is refused for lack of one (RELIABILITY.md 2.3: a missing CRL
/// fails open); revocation stays the console's own check at stream start.
std::shared_ptr<grpc::ServerCredentials> linkServerCredentialsWatched(
    const std::string& keyPath, const std::string& certChainPath, const std::string& clientCaPath,
    unsigned refreshSeconds = 1, const std::string& emptyCrlDirectory = {});
/// Enrollment listener: server-auth TLS only.
std::shared_ptr<grpc::ServerCredentials> enrollServerCredentials(const ServerIdentity& identity);

/// Sensor side: trusts only `caPem` (never system roots); presents `keyPem`/`certPem` when given.
std::shared_ptr<grpc::ChannelCredentials> channelCredentials(const std::string& caPem,
                                                             const std::string& keyPem = {},
                                                             const std::string& certPem = {});
/// Channel arguments: TLS name pin, keepalive 30 s / 10 s, reconnect backoff max 10 s,
/// message size limits (RELIABILITY.md §2.4).
grpc::ChannelArguments channelArguments(const std::string& consoleTlsName);

/// The sensor id of an authenticated peer, from its certificate's URI SAN; empty if none.
std::string peerSensorId(const grpc::ServerContextBase& context);

}  // namespace ironsight::tls
