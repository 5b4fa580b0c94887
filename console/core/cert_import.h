// SPDX-License-Identifier: Apache-2.0
// The link listener's server identity: checking an imported CA-signed certificate and keeping
// the identity files the running listener watches (docs/CONSOLE.md "Console certificate").
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "shared/base/result.h"

namespace ironsight::console::core {

/// What the console shows about one certificate.
struct CertificateSummary {
    std::string subject;  ///< one line, e.g. "O=Example, CN=console.ironsight"
    std::string issuer;
    std::string fingerprint;  ///< SHA-256, "AB:CD:..."
    std::int64_t notBeforeMs = 0;
    std::int64_t notAfterMs = 0;
};

/// The first certificate of a PEM text, summarized.
Result<CertificateSummary> summarizeCertificatePem(const std::string& pem);

/// The files an administrator hands in (their contents, PEM).
struct CertificateImport {
    std::string keyPem;    ///< private key, PKCS#8 or traditional, optionally encrypted
    std::string certPem;   ///< the server certificate, optionally followed by its chain
    std::string chainPem;  ///< intermediates and the root CA (may be empty if certPem has them)
    std::optional<std::string> passphrase;  ///< for an encrypted key
};

/// A checked identity, ready to install.
struct CheckedIdentity {
    std::string keyPem;     ///< unencrypted PKCS#8 (gRPC needs it in the clear; stored 0600)
    std::string chainPem;   ///< leaf + intermediates in order: what the listener presents
    std::string anchorPem;  ///< the chain's root CA: sensors trust it besides the console CA
    CertificateSummary certificate;
    CertificateSummary anchor;
};

/// Checks, in this order, each failure a one-line error: the key decrypts (passphrase), the key
/// matches the certificate, the certificate is valid at `nowMs` (not expired, not yet valid), it
/// names console.ironsight (the name sensors check), and the chain verifies for TLS server use
/// up to a root CA given in the files.
Result<CheckedIdentity> checkServerIdentity(const CertificateImport& files, std::int64_t nowMs);

/// The link identity in force (pki/link/): the generated one or an imported one.
struct LinkIdentityInfo {
    bool imported = false;
    CertificateSummary certificate;
    std::optional<CertificateSummary> anchor;  ///< set when imported
};

/// pki/link: a symlink to pki/link.<uuid>/ holding server.key (0600), server.crt and, for an
/// imported identity, anchor.crt. The link listener watches pki/link/server.{key,crt}; a new
/// identity is written to a fresh directory and the symlink is swapped with rename(2), so the
/// listener never reads a key and a certificate from different identities.
std::filesystem::path linkIdentityDir(const std::filesystem::path& pkiDir);
/// Installs an identity (anchorPem empty = the console CA's own server certificate).
Status installLinkIdentity(const std::filesystem::path& pkiDir, const std::string& keyPem,
                           const std::string& chainPem, const std::string& anchorPem);
/// Installs pki/server.{key,crt} as the link identity when pki/link does not exist yet, or
/// when it is not an imported one and differs from pki/server.* (a server certificate renewed
/// by hand takes effect at the next start).
Status ensureLinkIdentity(const std::filesystem::path& pkiDir);
Result<LinkIdentityInfo> readLinkIdentity(const std::filesystem::path& pkiDir);
/// What a sensor must trust on the link: `consoleCaPem`, plus the imported identity's root CA.
std::string sensorTrustPem(const std::filesystem::path& pkiDir, const std::string& consoleCaPem);

/// "2026-12-06 17:05:00 UTC".
std::string formatUtc(std::int64_t ms);

}  // namespace ironsight::console::core
