// SPDX-License-Identifier: Apache-2.0
// Tests only: a small "enterprise" PKI made with OpenSSL (root CA -> intermediate -> server
// certificate for console.ironsight), as an administrator would bring to `admin cert import`.
#pragma once

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <memory>
#include <string>

#include "shared/crypto/crypto.h"

namespace ironsight::console::core::testing {

struct TestCertificate {
    crypto::EvpPkeyPtr key;
    crypto::X509Ptr cert;
    std::string keyPem;
    std::string certPem;
};

/// A certificate for a fresh P-256 key, signed by `issuer` (self-signed when null). Validity
/// runs from now + fromDays to now + toDays. `san` is a subjectAltName value or empty.
inline TestCertificate makeTestCertificate(const std::string& cn, const TestCertificate* issuer,
                                           bool ca, long fromDays, long toDays,
                                           const std::string& san = {}) {
    TestCertificate out;
    auto key = crypto::generateP256Key();
    out.key = std::move(*key);
    out.cert.reset(X509_new());
    X509* c = out.cert.get();
    X509_set_version(c, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(c), static_cast<long>(crypto::randomBytes(3)[0]) + 2);
    X509_gmtime_adj(X509_getm_notBefore(c), fromDays * 86400L);
    X509_gmtime_adj(X509_getm_notAfter(c), toDays * 86400L);
    X509_NAME* name = X509_get_subject_name(c);
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>("Example Corp"), -1, -1, 0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
    X509* issuerCert = issuer != nullptr ? issuer->cert.get() : c;
    X509_set_issuer_name(c, X509_get_subject_name(issuerCert));
    X509_set_pubkey(c, out.key.get());
    auto ext = [&](int nid, const std::string& value) {
        X509V3_CTX ctx;
        X509V3_set_ctx(&ctx, issuerCert, c, nullptr, nullptr, 0);
        X509_EXTENSION* e = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
        if (e != nullptr) {
            X509_add_ext(c, e, -1);
            X509_EXTENSION_free(e);
        }
    };
    ext(NID_basic_constraints, ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
    ext(NID_subject_key_identifier, "hash");
    if (ca) {
        ext(NID_key_usage, "critical,keyCertSign,cRLSign");
    } else {
        ext(NID_key_usage, "critical,digitalSignature,keyAgreement");
        ext(NID_ext_key_usage, "serverAuth");
    }
    if (!san.empty()) ext(NID_subject_alt_name, san);
    X509_sign(c, issuer != nullptr ? issuer->key.get() : out.key.get(), EVP_sha256());
    out.keyPem = *crypto::privateKeyToPem(out.key.get());
    out.certPem = *crypto::certificateToPem(c);
    return out;
}

/// PKCS#8 PEM of `key` encrypted with AES-256-CBC under `passphrase`.
inline std::string encryptedKeyPem(const EVP_PKEY* key, const std::string& passphrase) {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
    PEM_write_bio_PKCS8PrivateKey(bio.get(), const_cast<EVP_PKEY*>(key), EVP_aes_256_cbc(),
                                  passphrase.data(), static_cast<int>(passphrase.size()), nullptr,
                                  nullptr);
    char* data = nullptr;
    long n = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(n));
}

/// Root CA -> intermediate -> server certificate (DNS:console.ironsight, localhost, 127.0.0.1).
/// Valid since years ago, so tests with a fixed past clock (2023) can import it too.
struct EnterprisePki {
    TestCertificate root = makeTestCertificate("Example Root CA", nullptr, true, -3000, 3650);
    TestCertificate intermediate =
        makeTestCertificate("Example Issuing CA", &root, true, -3000, 1825);
    TestCertificate server =
        makeTestCertificate("console.example.com", &intermediate, false, -2000, 365,
                            "DNS:console.ironsight,DNS:localhost,IP:127.0.0.1");
    /// The chain file an administrator gets from the CA: intermediate then root.
    std::string chainPem() const { return intermediate.certPem + root.certPem; }
};

}  // namespace ironsight::console::core::testing
