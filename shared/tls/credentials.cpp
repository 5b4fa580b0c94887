// SPDX-License-Identifier: Apache-2.0
// gRPC 1.51 credential factories for the link (RELIABILITY.md Appendix A).
#include "shared/tls/credentials.h"

#include <grpc/grpc_security_constants.h>
#include <grpcpp/security/auth_context.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/security/tls_certificate_provider.h>
#include <grpcpp/security/tls_credentials_options.h>

#include "shared/activation/activation.h"

namespace ironsight::tls {

std::shared_ptr<grpc::ServerCredentials> linkServerCredentials(const ServerIdentity& identity,
                                                               const std::string& clientCaPem) {
    // Require AND verify: foreign-CA, expired and missing certificates never reach HTTP/2.
    grpc::SslServerCredentialsOptions options(
        GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
    options.pem_root_certs = clientCaPem;
    options.pem_key_cert_pairs.push_back({identity.keyPem, identity.certChainPem});
    return grpc::SslServerCredentials(options);
}

std::shared_ptr<grpc::ServerCredentials> linkServerCredentialsWatched(
    const std::string& keyPath, const std::string& certChainPath, const std::string& clientCaPath,
    unsigned refreshSeconds, const std::string& emptyCrlDirectory) {
    auto provider = std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
        keyPath, certChainPath, clientCaPath, refreshSeconds);
    grpc::experimental::TlsServerCredentialsOptions options(provider);
    options.watch_root_certs();               // 1.51: needed to verify client certificates
    options.watch_identity_key_cert_pairs();  // 1.51: needed for the server identity
    // Require AND verify, as above (never the don't-verify mode).
    options.set_cert_request_type(GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
    if (!emptyCrlDirectory.empty()) options.set_crl_directory(emptyCrlDirectory);
    return grpc::experimental::TlsServerCredentials(options);
}

std::shared_ptr<grpc::ServerCredentials> enrollServerCredentials(const ServerIdentity& identity) {
    grpc::SslServerCredentialsOptions options(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
    options.pem_key_cert_pairs.push_back({identity.keyPem, identity.certChainPem});
    return grpc::SslServerCredentials(options);
}

std::shared_ptr<grpc::ChannelCredentials> channelCredentials(const std::string& caPem,
                                                             const std::string& keyPem,
                                                             const std::string& certPem) {
    // An empty pem_root_certs would make gRPC fall back to the system roots: never allow that.
    if (caPem.empty()) return nullptr;
    grpc::SslCredentialsOptions options;
    options.pem_root_certs = caPem;
    options.pem_private_key = keyPem;
    options.pem_cert_chain = certPem;
    return grpc::SslCredentials(options);
}

grpc::ChannelArguments channelArguments(const std::string& consoleTlsName) {
    grpc::ChannelArguments args;
    args.SetSslTargetNameOverride(consoleTlsName);  // GRPC_SSL_TARGET_NAME_OVERRIDE_ARG
    args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 30'000);
    args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 10'000);
    args.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
    args.SetInt(GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, 0);
    args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 10'000);
    args.SetMaxReceiveMessageSize(4 * 1024 * 1024);
    return args;
}

std::string peerSensorId(const grpc::ServerContextBase& context) {
    std::shared_ptr<const grpc::AuthContext> auth = context.auth_context();
    if (!auth || !auth->IsPeerAuthenticated()) return {};
    for (const char* property : {GRPC_PEER_SPIFFE_ID_PROPERTY_NAME, GRPC_PEER_URI_PROPERTY_NAME}) {
        std::vector<grpc::string_ref> values = auth->FindPropertyValues(property);
        // Exactly one identity URI; a certificate with several is ambiguous and refused.
        if (values.size() != 1) continue;
        std::string id =
            activation::sensorIdFromUri(std::string(values[0].data(), values[0].size()));
        if (!id.empty()) return id;
    }
    return {};
}

}  // namespace ironsight::tls
