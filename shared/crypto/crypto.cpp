// SPDX-License-Identifier: Apache-2.0
// OpenSSL 3 implementation of the shared crypto primitives (EVP APIs only, no deprecated calls).
#include "shared/crypto/crypto.h"

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <system_error>

namespace ironsight::crypto {
namespace {

struct BioDeleter {
    void operator()(BIO* p) const { BIO_free(p); }
};
using BioPtr = std::unique_ptr<BIO, BioDeleter>;
struct EvpPkeyCtxDeleter {
    void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
};
using EvpPkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, EvpPkeyCtxDeleter>;
struct EvpMdCtxDeleter {
    void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
using EvpMdCtxPtr = std::unique_ptr<EVP_MD_CTX, EvpMdCtxDeleter>;
struct GeneralNamesDeleter {
    void operator()(GENERAL_NAMES* p) const { GENERAL_NAMES_free(p); }
};

/// The last OpenSSL error as text, and clears the queue.
std::string opensslError() {
    unsigned long code = ERR_get_error();
    std::string text;
    if (code != 0) {
        char buf[256];
        ERR_error_string_n(code, buf, sizeof buf);
        text = buf;
    }
    ERR_clear_error();
    return text.empty() ? std::string("unknown OpenSSL error") : text;
}

Error sslError(const std::string& what) {
    return makeError(what + ": " + opensslError());
}

BioPtr memBio(std::string_view data) {
    return BioPtr(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
}

std::string bioToString(BIO* bio) {
    char* data = nullptr;
    long len = BIO_get_mem_data(bio, &data);
    return len > 0 ? std::string(data, static_cast<std::size_t>(len)) : std::string();
}

}  // namespace

Result<EvpPkeyPtr> generateP256Key() {
    EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
    if (key == nullptr) return sslError("cannot generate a P-256 key");
    return EvpPkeyPtr(key);
}

Result<std::string> privateKeyToPem(const EVP_PKEY* key) {
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || key == nullptr ||
        PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
        return sslError("cannot encode the private key");
    }
    return bioToString(bio.get());
}

Result<EvpPkeyPtr> privateKeyFromPem(std::string_view pem) {
    BioPtr bio = memBio(pem);
    EVP_PKEY* key = bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr;
    if (key == nullptr) return sslError("not a PEM private key");
    return EvpPkeyPtr(key);
}

Result<std::string> publicKeyToPem(const EVP_PKEY* key) {
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || key == nullptr || PEM_write_bio_PUBKEY(bio.get(), key) != 1) {
        return sslError("cannot encode the public key");
    }
    return bioToString(bio.get());
}

Result<X509Ptr> certificateFromPem(std::string_view pem) {
    BioPtr bio = memBio(pem);
    X509* cert = bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr;
    if (cert == nullptr) return sslError("not a PEM certificate");
    return X509Ptr(cert);
}

Result<std::string> certificateToPem(const X509* cert) {
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || cert == nullptr || PEM_write_bio_X509(bio.get(), cert) != 1) {
        return sslError("cannot encode the certificate");
    }
    return bioToString(bio.get());
}

std::string certificateFingerprint(const X509* cert) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (cert == nullptr || X509_digest(cert, EVP_sha256(), md, &len) != 1) return {};
    static const char* kHex = "0123456789ABCDEF";
    std::string out;
    for (unsigned int i = 0; i < len; ++i) {
        if (i != 0) out += ':';
        out += kHex[md[i] >> 4];
        out += kHex[md[i] & 0xF];
    }
    return out;
}

std::vector<std::string> certificateUris(const X509* cert) {
    std::vector<std::string> uris;
    if (cert == nullptr) return uris;
    std::unique_ptr<GENERAL_NAMES, GeneralNamesDeleter> names(static_cast<GENERAL_NAMES*>(
        X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr)));
    if (!names) return uris;
    for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
        const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
        if (name->type != GEN_URI) continue;
        const ASN1_IA5STRING* uri = name->d.uniformResourceIdentifier;
        uris.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(uri)),
                          static_cast<std::size_t>(ASN1_STRING_length(uri)));
    }
    return uris;
}

namespace {

std::int64_t unixSeconds(const ASN1_TIME* time) {
    struct tm tm {};
    if (time == nullptr || ASN1_TIME_to_tm(time, &tm) != 1) return 0;
    return static_cast<std::int64_t>(timegm(&tm));
}

}  // namespace

std::int64_t certificateNotAfter(const X509* cert) {
    return cert == nullptr ? 0 : unixSeconds(X509_get0_notAfter(cert));
}

std::int64_t certificateNotBefore(const X509* cert) {
    return cert == nullptr ? 0 : unixSeconds(X509_get0_notBefore(cert));
}

std::string certificateSerialHex(const X509* cert) {
    if (cert == nullptr) return {};
    const ASN1_INTEGER* serial = X509_get0_serialNumber(cert);
    return toHex({ASN1_STRING_get0_data(serial), static_cast<std::size_t>(ASN1_STRING_length(serial))});
}

bool renewalDue(std::int64_t notBefore, std::int64_t notAfter, std::int64_t now) {
    if (notAfter <= notBefore) return false;
    return now >= notBefore + (notAfter - notBefore) * 2 / 3;
}

Result<std::string> makeCsrPem(const EVP_PKEY* key, const std::string& commonName) {
    X509ReqPtr req(X509_REQ_new());
    if (!req || key == nullptr) return sslError("cannot create a certificate request");
    X509_NAME* name = X509_REQ_get_subject_name(req.get());
    if (X509_REQ_set_version(req.get(), 0) != 1 ||
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(commonName.c_str()), -1,
                                   -1, 0) != 1 ||
        X509_REQ_set_pubkey(req.get(), const_cast<EVP_PKEY*>(key)) != 1 ||
        X509_REQ_sign(req.get(), const_cast<EVP_PKEY*>(key), EVP_sha256()) <= 0) {
        return sslError("cannot sign the certificate request");
    }
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_X509_REQ(bio.get(), req.get()) != 1) {
        return sslError("cannot encode the certificate request");
    }
    return bioToString(bio.get());
}

Result<X509ReqPtr> csrFromPem(std::string_view pem) {
    BioPtr bio = memBio(pem);
    X509_REQ* req = bio ? PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr) : nullptr;
    if (req == nullptr) return sslError("not a PEM certificate request");
    return X509ReqPtr(req);
}

Result<Bytes> sign(const EVP_PKEY* key, std::span<const std::uint8_t> data) {
    EvpMdCtxPtr ctx(EVP_MD_CTX_new());
    if (!ctx || key == nullptr ||
        EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, const_cast<EVP_PKEY*>(key)) !=
            1) {
        return sslError("cannot start signing");
    }
    std::size_t len = 0;
    if (EVP_DigestSign(ctx.get(), nullptr, &len, data.data(), data.size()) != 1) {
        return sslError("cannot sign");
    }
    Bytes sig(len);
    if (EVP_DigestSign(ctx.get(), sig.data(), &len, data.data(), data.size()) != 1) {
        return sslError("cannot sign");
    }
    sig.resize(len);
    return sig;
}

bool verify(const EVP_PKEY* key, std::span<const std::uint8_t> data,
            std::span<const std::uint8_t> signature) {
    EvpMdCtxPtr ctx(EVP_MD_CTX_new());
    if (!ctx || key == nullptr || signature.empty() ||
        EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr,
                             const_cast<EVP_PKEY*>(key)) != 1) {
        ERR_clear_error();
        return false;
    }
    bool ok = EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), data.data(),
                               data.size()) == 1;
    ERR_clear_error();
    return ok;
}

Bytes randomBytes(std::size_t count) {
    Bytes out(count);
    if (count > 0 && RAND_bytes(out.data(), static_cast<int>(count)) != 1) {
        // RAND_bytes failing means the DRBG cannot be seeded: continuing would be unsafe.
        std::fprintf(stderr, "fatal: OpenSSL random generator failed: %s\n",
                     opensslError().c_str());
        std::abort();
    }
    return out;
}

Bytes sha256(std::span<const std::uint8_t> data) {
    Bytes out(32);
    unsigned int len = 0;
    EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_sha256(), nullptr);
    out.resize(len);
    return out;
}

std::string toHex(std::span<const std::uint8_t> data) {
    static const char* kHex = "0123456789abcdef";
    std::string out;
    out.reserve(data.size() * 2);
    for (std::uint8_t b : data) {
        out += kHex[b >> 4];
        out += kHex[b & 0xF];
    }
    return out;
}

std::string newUuid() {
    Bytes b = randomBytes(16);
    b[6] = static_cast<std::uint8_t>((b[6] & 0x0F) | 0x40);
    b[8] = static_cast<std::uint8_t>((b[8] & 0x3F) | 0x80);
    std::string hex = toHex(b);
    return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
           hex.substr(16, 4) + "-" + hex.substr(20, 12);
}

Status writeFileAtomic(const std::filesystem::path& path, std::string_view contents,
                       std::filesystem::perms mode) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (path.has_parent_path()) fs::create_directories(path.parent_path(), ec);
    fs::path tmp = path;
    tmp += ".tmp-" + toHex(randomBytes(4));
    {
        // Create the file with restrictive permissions before any byte is written.
        std::FILE* f = std::fopen(tmp.c_str(), "wb");
        if (f == nullptr)
            return makeError("cannot write " + path.string() + ": " +
                             std::generic_category().message(errno));
        fs::permissions(tmp, mode, fs::perm_options::replace, ec);
        bool ok =
            ec ? false : std::fwrite(contents.data(), 1, contents.size(), f) == contents.size();
        ok = (std::fflush(f) == 0) && ok;
        ok = (std::fclose(f) == 0) && ok;
        if (!ok) {
            fs::remove(tmp, ec);
            return makeError("cannot write " + path.string());
        }
    }
    fs::rename(tmp, path, ec);
    if (ec) {
        std::error_code ignored;
        fs::remove(tmp, ignored);
        return makeError("cannot write " + path.string() + ": " + ec.message());
    }
    return {};
}

Result<std::string> readFile(const std::filesystem::path& path, std::size_t maxBytes) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return makeError("cannot read " + path.string() + ": " +
                         std::generic_category().message(errno));
    std::string data;
    char buf[65536];
    while (in.read(buf, sizeof buf) || in.gcount() > 0) {
        data.append(buf, static_cast<std::size_t>(in.gcount()));
        if (data.size() > maxBytes) return makeError(path.string() + " is too large");
    }
    if (in.bad()) return makeError("cannot read " + path.string());
    return data;
}

}  // namespace ironsight::crypto
