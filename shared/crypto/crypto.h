// SPDX-License-Identifier: Apache-2.0
// OpenSSL 3 RAII handles and the few crypto operations both binaries need: P-256 keys, CSRs,
// certificates, ECDSA signatures, SHA-256, random bytes. Certificate *issuing* (the console CA)
// lives in console/core/pki, which builds on these handles.
#pragma once

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "shared/base/result.h"

namespace ironsight::crypto {

struct EvpPkeyDeleter {
    void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct X509Deleter {
    void operator()(X509* p) const { X509_free(p); }
};
struct X509ReqDeleter {
    void operator()(X509_REQ* p) const { X509_REQ_free(p); }
};
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, EvpPkeyDeleter>;
using X509Ptr = std::unique_ptr<X509, X509Deleter>;
using X509ReqPtr = std::unique_ptr<X509_REQ, X509ReqDeleter>;

using Bytes = std::vector<std::uint8_t>;

/// A new ECDSA P-256 key pair.
Result<EvpPkeyPtr> generateP256Key();
/// PKCS#8 PEM of the private key (unencrypted; callers write it with mode 0600).
Result<std::string> privateKeyToPem(const EVP_PKEY* key);
Result<EvpPkeyPtr> privateKeyFromPem(std::string_view pem);
Result<std::string> publicKeyToPem(const EVP_PKEY* key);

Result<X509Ptr> certificateFromPem(std::string_view pem);
Result<std::string> certificateToPem(const X509* cert);
/// SHA-256 over the DER encoding, upper-case hex pairs joined by ':' (as `openssl x509 -fingerprint`).
std::string certificateFingerprint(const X509* cert);
/// The URI subject alternative names of a certificate.
std::vector<std::string> certificateUris(const X509* cert);
/// notAfter / notBefore as Unix seconds (0 when unreadable).
std::int64_t certificateNotAfter(const X509* cert);
std::int64_t certificateNotBefore(const X509* cert);
/// The serial number, upper-case hex without separators (as the console stores it).
std::string certificateSerialHex(const X509* cert);
/// True once two thirds of the validity [notBefore, notAfter] have passed at `now` (all Unix
/// seconds): a sensor renews its certificate from then on (RELIABILITY.md, enrollment step 7).
bool renewalDue(std::int64_t notBefore, std::int64_t notAfter, std::int64_t now);

/// A PKCS#10 request signed with `key`. The console ignores its names; `commonName` is a hint.
Result<std::string> makeCsrPem(const EVP_PKEY* key, const std::string& commonName);
Result<X509ReqPtr> csrFromPem(std::string_view pem);

/// ECDSA / SHA-256 signature (DER) over `data`.
Result<Bytes> sign(const EVP_PKEY* key, std::span<const std::uint8_t> data);
/// True when `signature` is a valid signature over `data` by the public key of `key` or `cert`.
bool verify(const EVP_PKEY* key, std::span<const std::uint8_t> data,
            std::span<const std::uint8_t> signature);

Bytes randomBytes(std::size_t count);
Bytes sha256(std::span<const std::uint8_t> data);
std::string toHex(std::span<const std::uint8_t> data);
/// A random (version 4) UUID in canonical text form.
std::string newUuid();

/// Writes `contents` to `path` atomically (temp file + rename) with the given permission bits.
Status writeFileAtomic(const std::filesystem::path& path, std::string_view contents,
                       std::filesystem::perms mode);
Result<std::string> readFile(const std::filesystem::path& path, std::size_t maxBytes = 16 << 20);

}  // namespace ironsight::crypto
