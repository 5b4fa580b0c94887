// SPDX-License-Identifier: Apache-2.0
// Console PKI on OpenSSL 3: CA creation, server certificate, sensor CSR signing.
#include "console/core/pki.h"

#include <arpa/inet.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <ctime>

#include "shared/activation/activation.h"

namespace ironsight::console::core {
namespace fs = std::filesystem;
namespace {

constexpr auto kPrivate = fs::perms::owner_read | fs::perms::owner_write;
constexpr auto kPublic = kPrivate | fs::perms::group_read | fs::perms::others_read;

struct BnDeleter {
    void operator()(BIGNUM* p) const { BN_free(p); }
};

Error sslError(const std::string& what) {
    unsigned long code = ERR_get_error();
    char buf[256] = "unknown OpenSSL error";
    if (code != 0) ERR_error_string_n(code, buf, sizeof buf);
    ERR_clear_error();
    return makeError(what + ": " + buf);
}

/// A random positive 128-bit serial; returns its lower-case hex.
std::string setRandomSerial(X509* cert) {
    crypto::Bytes raw = crypto::randomBytes(16);
    raw[0] = static_cast<std::uint8_t>((raw[0] & 0x7F) | 0x40);  // positive, full 16 bytes
    std::unique_ptr<BIGNUM, BnDeleter> bn(BN_bin2bn(raw.data(), 16, nullptr));
    BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert));
    return crypto::toHex(raw);
}

bool addExt(X509* cert, const X509* issuer, int nid, const std::string& value) {
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, const_cast<X509*>(issuer), cert, nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
    if (ext == nullptr) return false;
    bool ok = X509_add_ext(cert, ext, -1) == 1;
    X509_EXTENSION_free(ext);
    return ok;
}

bool setName(X509_NAME* name, const std::string& cn) {
    return X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                                      reinterpret_cast<const unsigned char*>("Ironsight"), -1, -1,
                                      0) == 1 &&
           X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                      reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1,
                                      0) == 1;
}

/// Common skeleton: v3, serial, validity, subject, issuer, public key.
Result<crypto::X509Ptr> skeleton(const EVP_PKEY* publicKey, const std::string& cn,
                                 const X509* issuer, long days, std::string* serialHex) {
    crypto::X509Ptr cert(X509_new());
    if (!cert) return sslError("cannot create a certificate");
    std::string serial = setRandomSerial(cert.get());
    if (serialHex != nullptr) *serialHex = serial;
    // Backdate 5 minutes so a slightly slow peer clock does not reject a fresh certificate.
    if (X509_set_version(cert.get(), 2) != 1 ||
        X509_gmtime_adj(X509_getm_notBefore(cert.get()), -300) == nullptr ||
        X509_gmtime_adj(X509_getm_notAfter(cert.get()), days * 86400L) == nullptr ||
        !setName(X509_get_subject_name(cert.get()), cn) ||
        X509_set_issuer_name(cert.get(), issuer != nullptr
                                             ? X509_get_subject_name(issuer)
                                             : X509_get_subject_name(cert.get())) != 1 ||
        X509_set_pubkey(cert.get(), const_cast<EVP_PKEY*>(publicKey)) != 1) {
        return sslError("cannot build a certificate");
    }
    return cert;
}

Status signCert(X509* cert, const EVP_PKEY* key) {
    if (X509_sign(cert, const_cast<EVP_PKEY*>(key), EVP_sha256()) <= 0) {
        return sslError("cannot sign a certificate");
    }
    return {};
}

bool isIpAddress(const std::string& host) {
    unsigned char buf[16];
    return inet_pton(AF_INET, host.c_str(), buf) == 1 ||
           inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

}  // namespace

Result<crypto::X509Ptr> Pki::makeCaCertificate(const EVP_PKEY* key, const std::string& cn) {
    auto cert = skeleton(key, cn, nullptr, 3653, nullptr);
    if (!cert) return cert.error();
    X509* c = cert->get();
    if (!addExt(c, c, NID_basic_constraints, "critical,CA:TRUE,pathlen:0") ||
        !addExt(c, c, NID_key_usage, "critical,keyCertSign,cRLSign") ||
        !addExt(c, c, NID_subject_key_identifier, "hash")) {
        return sslError("cannot add CA extensions");
    }
    if (auto s = signCert(c, key); !s) return s.error();
    return cert;
}

Result<crypto::X509Ptr> Pki::makeServerCertificate(const EVP_PKEY* key, const X509* ca,
                                                   const EVP_PKEY* caKey,
                                                   const std::vector<std::string>& hosts) {
    auto cert = skeleton(key, kConsoleTlsName, ca, 825, nullptr);
    if (!cert) return cert.error();
    std::vector<std::string> names = {std::string("DNS:") + kConsoleTlsName, "DNS:localhost",
                                      "IP:127.0.0.1"};
    for (const std::string& host : hosts) {
        if (host.empty() || host == "0.0.0.0" || host == "::" || host == "[::]") continue;
        std::string entry = (isIpAddress(host) ? "IP:" : "DNS:") + host;
        bool seen = false;
        for (const auto& n : names) seen = seen || n == entry;
        if (!seen) names.push_back(entry);
    }
    std::string san;
    for (const auto& n : names) san += (san.empty() ? "" : ",") + n;
    X509* c = cert->get();
    if (!addExt(c, ca, NID_basic_constraints, "critical,CA:FALSE") ||
        !addExt(c, ca, NID_key_usage, "critical,digitalSignature,keyAgreement") ||
        !addExt(c, ca, NID_ext_key_usage, "serverAuth") ||
        !addExt(c, ca, NID_subject_alt_name, san) ||
        !addExt(c, ca, NID_authority_key_identifier, "keyid:always")) {
        return sslError("cannot add server certificate extensions");
    }
    if (auto s = signCert(c, caKey); !s) return s.error();
    return cert;
}

Result<IssuedCertificate> Pki::makeClientCertificate(const EVP_PKEY* publicKey,
                                                     const std::string& sensorId, const X509* ca,
                                                     const EVP_PKEY* caKey, int days) {
    IssuedCertificate issued;
    auto cert = skeleton(publicKey, "sensor " + sensorId, ca, days, &issued.serialHex);
    if (!cert) return cert.error();
    X509* c = cert->get();
    if (!addExt(c, ca, NID_basic_constraints, "critical,CA:FALSE") ||
        !addExt(c, ca, NID_key_usage, "critical,digitalSignature") ||
        !addExt(c, ca, NID_ext_key_usage, "clientAuth") ||
        !addExt(c, ca, NID_subject_alt_name, "URI:" + activation::sensorUri(sensorId)) ||
        !addExt(c, ca, NID_authority_key_identifier, "keyid:always")) {
        return sslError("cannot add sensor certificate extensions");
    }
    if (auto s = signCert(c, caKey); !s) return s.error();
    auto pem = crypto::certificateToPem(c);
    if (!pem) return pem.error();
    issued.pem = std::move(*pem);
    issued.notAfter = crypto::certificateNotAfter(c);
    return issued;
}

bool Pki::exists(const fs::path& pkiDir) {
    std::error_code ec;
    return fs::exists(pkiDir / "ca.key", ec) && fs::exists(pkiDir / "ca.crt", ec);
}

Result<Pki> Pki::loadOrCreate(const fs::path& pkiDir, const std::vector<std::string>& hosts) {
    Pki pki;
    if (!exists(pkiDir)) {
        std::error_code ec;
        fs::create_directories(pkiDir, ec);
        fs::permissions(pkiDir, fs::perms::owner_all, fs::perm_options::replace, ec);
        auto caKey = crypto::generateP256Key();
        if (!caKey) return caKey.error();
        auto ca = makeCaCertificate(caKey->get(), "Ironsight Console CA");
        if (!ca) return ca.error();
        auto serverKey = crypto::generateP256Key();
        if (!serverKey) return serverKey.error();
        auto server = makeServerCertificate(serverKey->get(), ca->get(), caKey->get(), hosts);
        if (!server) return server.error();
        auto caKeyPem = crypto::privateKeyToPem(caKey->get());
        auto caPem = crypto::certificateToPem(ca->get());
        auto serverKeyPem = crypto::privateKeyToPem(serverKey->get());
        auto serverPem = crypto::certificateToPem(server->get());
        if (!caKeyPem || !caPem || !serverKeyPem || !serverPem) {
            return makeError("cannot encode the console PKI");
        }
        // Server files first, CA last: exists() keys on the CA, so a crash midway recreates all.
        for (auto [name, data, mode] :
             {std::tuple{"server.key", &*serverKeyPem, kPrivate},
              std::tuple{"server.crt", &*serverPem, kPublic},
              std::tuple{"ca.crt", &*caPem, kPublic}, std::tuple{"ca.key", &*caKeyPem, kPrivate}}) {
            if (auto s = crypto::writeFileAtomic(pkiDir / name, *data, mode); !s) return s.error();
        }
    }
    auto caKeyPem = crypto::readFile(pkiDir / "ca.key");
    auto caPem = crypto::readFile(pkiDir / "ca.crt");
    auto serverKeyPem = crypto::readFile(pkiDir / "server.key");
    auto serverPem = crypto::readFile(pkiDir / "server.crt");
    for (const auto* r : {&caKeyPem, &caPem, &serverKeyPem, &serverPem}) {
        if (!*r) return r->error();
    }
    auto caKey = crypto::privateKeyFromPem(*caKeyPem);
    if (!caKey) return makeError((pkiDir / "ca.key").string() + ": " + caKey.error().message);
    auto ca = crypto::certificateFromPem(*caPem);
    if (!ca) return makeError((pkiDir / "ca.crt").string() + ": " + ca.error().message);
    if (X509_check_private_key(ca->get(), caKey->get()) != 1) {
        ERR_clear_error();
        return makeError((pkiDir / "ca.key").string() + " does not match ca.crt");
    }
    pki.caKey_ = std::move(*caKey);
    pki.caCert_ = std::move(*ca);
    pki.caCertPem_ = std::move(*caPem);
    pki.caFingerprint_ = crypto::certificateFingerprint(pki.caCert_.get());
    pki.serverKeyPem_ = std::move(*serverKeyPem);
    pki.serverCertPem_ = std::move(*serverPem);
    return pki;
}

Result<IssuedCertificate> Pki::signSensorCsr(const std::string& csrPem, const std::string& sensorId,
                                             int days) const {
    auto csr = crypto::csrFromPem(csrPem);
    if (!csr) return makeError("certificate request unreadable");
    EVP_PKEY* publicKey = X509_REQ_get0_pubkey(csr->get());
    if (publicKey == nullptr || X509_REQ_verify(csr->get(), publicKey) != 1) {
        ERR_clear_error();
        return makeError("certificate request signature invalid");
    }
    if (!EVP_PKEY_is_a(publicKey, "EC") || EVP_PKEY_get_bits(publicKey) != 256) {
        return makeError("certificate request key must be ECDSA P-256");
    }
    return makeClientCertificate(publicKey, sensorId, caCert_.get(), caKey_.get(), days);
}

}  // namespace ironsight::console::core
