// SPDX-License-Identifier: Apache-2.0
// The console's own PKI: a P-256 CA, the server certificate, and sensor certificates from CSRs.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "shared/base/result.h"
#include "shared/crypto/crypto.h"
#include "shared/tls/credentials.h"

namespace ironsight::console::core {

/// The name every console server certificate carries and sensors pin (console_tls_name).
inline constexpr const char* kConsoleTlsName = "console.ironsight";

struct IssuedCertificate {
    std::string pem;
    std::string serialHex;  ///< lower-case hex of the 128-bit serial
    std::int64_t notAfter = 0;
};

class Pki {
public:
    /// Loads pki/{ca,server}.{key,crt} from `pkiDir`, or creates them when the directory holds no
    /// CA yet (keys written 0600). `hosts` are extra server SANs (listen hosts).
    static Result<Pki> loadOrCreate(const std::filesystem::path& pkiDir,
                                    const std::vector<std::string>& hosts);
    /// True when `pkiDir` already holds a CA.
    static bool exists(const std::filesystem::path& pkiDir);

    const std::string& caCertPem() const { return caCertPem_; }
    /// SHA-256 fingerprint of the CA certificate, "AB:CD:..." form.
    const std::string& caFingerprint() const { return caFingerprint_; }
    const EVP_PKEY* caKey() const { return caKey_.get(); }
    tls::ServerIdentity serverIdentity() const { return {serverKeyPem_, serverCertPem_}; }

    /// Verifies the CSR's signature (proof of possession) and issues a client certificate for
    /// `sensorId`. Every name in the CSR is ignored: the identity is URI SAN sensorUri(id),
    /// EKU clientAuth, random 128-bit serial, `days` validity.
    Result<IssuedCertificate> signSensorCsr(const std::string& csrPem, const std::string& sensorId,
                                            int days = 365) const;

    /// Self-signed CA and server certificate (exposed for tests that need a foreign CA).
    static Result<crypto::X509Ptr> makeCaCertificate(const EVP_PKEY* key, const std::string& cn);
    static Result<crypto::X509Ptr> makeServerCertificate(const EVP_PKEY* key, const X509* ca,
                                                         const EVP_PKEY* caKey,
                                                         const std::vector<std::string>& hosts);
    /// A client certificate for any public key (tests use it to mint certificates of other CAs).
    static Result<IssuedCertificate> makeClientCertificate(const EVP_PKEY* publicKey,
                                                           const std::string& sensorId,
                                                           const X509* ca, const EVP_PKEY* caKey,
                                                           int days);

private:
    Pki() = default;

    crypto::EvpPkeyPtr caKey_;
    crypto::X509Ptr caCert_;
    std::string caCertPem_;
    std::string caFingerprint_;
    std::string serverKeyPem_;
    std::string serverCertPem_;
};

}  // namespace ironsight::console::core
