// SPDX-License-Identifier: Apache-2.0
// Checking and installing the link listener's server identity (OpenSSL 3).
#include "console/core/cert_import.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstring>
#include <ctime>
#include <memory>
#include <vector>

#include "console/core/console_service.h"
#include "console/core/pki.h"
#include "shared/crypto/crypto.h"

namespace ironsight::console::core {
namespace fs = std::filesystem;
namespace {

struct BioDeleter {
    void operator()(BIO* p) const { BIO_free(p); }
};
using BioPtr = std::unique_ptr<BIO, BioDeleter>;
struct StoreDeleter {
    void operator()(X509_STORE* p) const { X509_STORE_free(p); }
};
struct StoreCtxDeleter {
    void operator()(X509_STORE_CTX* p) const { X509_STORE_CTX_free(p); }
};
struct StackDeleter {
    void operator()(STACK_OF(X509) * p) const { sk_X509_pop_free(p, X509_free); }
};

constexpr auto kPrivate = fs::perms::owner_read | fs::perms::owner_write;
constexpr auto kPublic = kPrivate | fs::perms::group_read | fs::perms::others_read;

BioPtr memBio(const std::string& text) {
    return BioPtr(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

std::string nameLine(const X509_NAME* name) {
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_ONELINE & ~ASN1_STRFLGS_ESC_MSB) < 0)
        return {};
    char* data = nullptr;
    long n = BIO_get_mem_data(bio.get(), &data);
    return n > 0 ? std::string(data, static_cast<std::size_t>(n)) : std::string();
}

std::int64_t timeMs(const ASN1_TIME* t) {
    std::tm tm{};
    if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return 0;
    return static_cast<std::int64_t>(timegm(&tm)) * 1000;
}

CertificateSummary summarize(const X509* cert) {
    CertificateSummary s;
    s.subject = nameLine(X509_get_subject_name(cert));
    s.issuer = nameLine(X509_get_issuer_name(cert));
    s.fingerprint = crypto::certificateFingerprint(cert);
    s.notBeforeMs = timeMs(X509_get0_notBefore(cert));
    s.notAfterMs = timeMs(X509_get0_notAfter(cert));
    return s;
}

/// Every certificate in a PEM text, in order. Fails on text that holds none.
Result<std::vector<crypto::X509Ptr>> readCertificates(const std::string& pem,
                                                      const std::string& what) {
    std::vector<crypto::X509Ptr> certs;
    BioPtr bio = memBio(pem);
    while (bio) {
        X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr);
        if (cert == nullptr) break;
        certs.emplace_back(cert);
    }
    ERR_clear_error();  // the end of the text reads as "no start line"
    if (certs.empty()) return makeError(what + " holds no PEM certificate");
    return certs;
}

/// Hands OpenSSL the passphrase once; records that the key asked for one.
struct PassphraseState {
    const std::optional<std::string>* passphrase = nullptr;
    bool asked = false;
};

int passphraseCallback(char* buf, int size, int /*rwflag*/, void* user) {
    auto* state = static_cast<PassphraseState*>(user);
    state->asked = true;
    if (!state->passphrase->has_value()) return -1;  // never prompt on a terminal
    const std::string& pass = **state->passphrase;
    if (pass.size() > static_cast<std::size_t>(size)) return -1;
    std::memcpy(buf, pass.data(), pass.size());
    return static_cast<int>(pass.size());
}

Result<crypto::EvpPkeyPtr> readKey(const CertificateImport& files) {
    BioPtr bio = memBio(files.keyPem);
    PassphraseState state{&files.passphrase};
    EVP_PKEY* key =
        bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, passphraseCallback, &state) : nullptr;
    ERR_clear_error();
    if (key != nullptr) return crypto::EvpPkeyPtr(key);
    if (state.asked && !files.passphrase) {
        return makeError("the key is encrypted: give its passphrase (--passphrase-file)");
    }
    if (state.asked) return makeError("cannot decrypt the key: wrong passphrase");
    return makeError("the key file holds no PEM private key");
}

fs::path currentTarget(const fs::path& link) {
    std::error_code ec;
    fs::path target = fs::read_symlink(link, ec);
    return ec ? fs::path() : target;
}

}  // namespace

Result<CertificateSummary> summarizeCertificatePem(const std::string& pem) {
    auto cert = crypto::certificateFromPem(pem);
    if (!cert) return cert.error();
    return summarize(cert->get());
}

std::string formatUtc(std::int64_t ms) {
    std::time_t t = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[40];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
    return buf;
}

Result<CheckedIdentity> checkServerIdentity(const CertificateImport& files, std::int64_t nowMs) {
    auto key = readKey(files);
    if (!key) return key.error();
    auto certs = readCertificates(files.certPem, "the certificate file");
    if (!certs) return certs.error();
    X509* leaf = (*certs)[0].get();
    if (X509_check_private_key(leaf, key->get()) != 1) {
        ERR_clear_error();
        return makeError("the key does not match the certificate (" +
                         nameLine(X509_get_subject_name(leaf)) + ")");
    }
    CertificateSummary leafInfo = summarize(leaf);
    if (leafInfo.notAfterMs <= nowMs) {
        return makeError("the certificate expired on " + formatUtc(leafInfo.notAfterMs));
    }
    if (leafInfo.notBeforeMs > nowMs) {
        return makeError("the certificate is not valid before " + formatUtc(leafInfo.notBeforeMs));
    }
    // Sensors check this name (activation files carry it as console_tls_name).
    if (X509_check_host(leaf, kConsoleTlsName, 0, 0, nullptr) != 1) {
        return makeError(std::string("the certificate does not name ") + kConsoleTlsName +
                         " (the name sensors check): ask for a DNS subject alternative name " +
                         kConsoleTlsName);
    }

    // The chain: whatever followed the leaf in the certificate file, then the chain file.
    std::vector<crypto::X509Ptr> given;
    for (std::size_t i = 1; i < certs->size(); ++i) given.push_back(std::move((*certs)[i]));
    if (!files.chainPem.empty()) {
        auto chain = readCertificates(files.chainPem, "the chain file");
        if (!chain) return chain.error();
        for (auto& c : *chain) given.push_back(std::move(c));
    }
    if (given.empty()) {
        return makeError(
            "no chain: give the CA certificates that signed it (--chain), up to the "
            "root CA");
    }
    // Roots (self-signed) are the trust anchors; the rest may only serve as intermediates.
    std::unique_ptr<X509_STORE, StoreDeleter> store(X509_STORE_new());
    std::unique_ptr<STACK_OF(X509), StackDeleter> untrusted(sk_X509_new_null());
    if (!store || !untrusted) return makeError("out of memory");
    bool haveRoot = false;
    for (const auto& c : given) {
        if (X509_self_signed(c.get(), 0) == 1) {
            X509_STORE_add_cert(store.get(), c.get());
            haveRoot = true;
        } else {
            X509_up_ref(c.get());
            sk_X509_push(untrusted.get(), c.get());
        }
    }
    ERR_clear_error();
    if (!haveRoot) {
        return makeError(
            "the chain does not reach a root CA: add the root CA certificate to the "
            "chain file (sensors must be able to trust it)");
    }
    std::unique_ptr<X509_STORE_CTX, StoreCtxDeleter> ctx(X509_STORE_CTX_new());
    if (!ctx || X509_STORE_CTX_init(ctx.get(), store.get(), leaf, untrusted.get()) != 1) {
        return makeError("cannot set up chain verification");
    }
    X509_STORE_CTX_set_purpose(ctx.get(), X509_PURPOSE_SSL_SERVER);
    X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx.get()),
                               static_cast<std::time_t>(nowMs / 1000));
    if (X509_verify_cert(ctx.get()) != 1) {
        int err = X509_STORE_CTX_get_error(ctx.get());
        X509* at = X509_STORE_CTX_get_current_cert(ctx.get());
        ERR_clear_error();
        return makeError(
            std::string("the certificate chain does not verify: ") +
            X509_verify_cert_error_string(err) +
            (at != nullptr ? " (at " + nameLine(X509_get_subject_name(at)) + ")" : std::string()));
    }
    std::unique_ptr<STACK_OF(X509), StackDeleter> chain(X509_STORE_CTX_get1_chain(ctx.get()));
    const int n = sk_X509_num(chain.get());  // leaf ... root, at least 2 (the leaf is not a root)
    CheckedIdentity out;
    for (int i = 0; i < n - 1; ++i) {
        auto pem = crypto::certificateToPem(sk_X509_value(chain.get(), i));
        if (!pem) return pem.error();
        out.chainPem += *pem;
    }
    X509* root = sk_X509_value(chain.get(), n - 1);
    auto rootPem = crypto::certificateToPem(root);
    auto keyPem = crypto::privateKeyToPem(key->get());
    if (!rootPem || !keyPem) return makeError("cannot encode the certificate or the key");
    out.anchorPem = std::move(*rootPem);
    out.keyPem = std::move(*keyPem);
    out.certificate = std::move(leafInfo);
    out.anchor = summarize(root);
    return out;
}

fs::path linkIdentityDir(const fs::path& pkiDir) {
    return pkiDir / "link";
}

Status installLinkIdentity(const fs::path& pkiDir, const std::string& keyPem,
                           const std::string& chainPem, const std::string& anchorPem) {
    const fs::path link = linkIdentityDir(pkiDir);
    const std::string name = "link." + crypto::newUuid();
    const fs::path dir = pkiDir / name;
    std::error_code ec;
    fs::create_directory(dir, ec);
    if (ec) return makeError("cannot create " + dir.string() + ": " + ec.message());
    fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);
    if (auto s = crypto::writeFileAtomic(dir / "server.key", keyPem, kPrivate); !s) return s;
    if (auto s = crypto::writeFileAtomic(dir / "server.crt", chainPem, kPublic); !s) return s;
    if (!anchorPem.empty()) {
        if (auto s = crypto::writeFileAtomic(dir / "anchor.crt", anchorPem, kPublic); !s) return s;
    }
    // rename(2) of a fresh symlink over the old one: readers see the old or the new identity.
    const fs::path previous = currentTarget(link);
    const fs::path tmp = pkiDir / (name + ".lnk");
    fs::create_directory_symlink(name, tmp, ec);
    if (!ec) fs::rename(tmp, link, ec);
    if (ec) {
        fs::remove(tmp, ec);
        fs::remove_all(dir, ec);
        return makeError("cannot switch " + link.string() + ": " + ec.message());
    }
    // Keep the previous directory: the listener may be reading through the old link right now.
    for (const auto& entry : fs::directory_iterator(pkiDir, ec)) {
        const std::string n = entry.path().filename().string();
        if (n.rfind("link.", 0) == 0 && n != name && n != previous.filename().string() &&
            entry.is_directory()) {
            std::error_code ignored;
            fs::remove_all(entry.path(), ignored);
        }
    }
    return {};
}

Status ensureLinkIdentity(const fs::path& pkiDir) {
    std::error_code ec;
    const fs::path link = linkIdentityDir(pkiDir);
    if (fs::exists(link / "anchor.crt", ec)) return {};  // imported: stays until changed
    auto keyPem = crypto::readFile(pkiDir / "server.key");
    if (!keyPem) return keyPem.error();
    auto certPem = crypto::readFile(pkiDir / "server.crt");
    if (!certPem) return certPem.error();
    // Not imported: follow pki/server.* (renewed by hand per OPERATIONS.md "Certificates").
    if (fs::exists(link / "server.crt", ec)) {
        auto linkKey = crypto::readFile(link / "server.key");
        auto linkCert = crypto::readFile(link / "server.crt");
        if (linkKey && linkCert && *linkKey == *keyPem && *linkCert == *certPem) return {};
    }
    return installLinkIdentity(pkiDir, *keyPem, *certPem, "");
}

Result<LinkIdentityInfo> readLinkIdentity(const fs::path& pkiDir) {
    const fs::path dir = linkIdentityDir(pkiDir);
    auto chain = crypto::readFile(dir / "server.crt");
    if (!chain) return chain.error();
    auto leaf = crypto::certificateFromPem(*chain);
    if (!leaf) return makeError((dir / "server.crt").string() + ": " + leaf.error().message);
    LinkIdentityInfo info;
    info.certificate = summarize(leaf->get());
    std::error_code ec;
    if (fs::exists(dir / "anchor.crt", ec)) {
        auto anchorPem = crypto::readFile(dir / "anchor.crt");
        if (!anchorPem) return anchorPem.error();
        auto anchor = crypto::certificateFromPem(*anchorPem);
        if (!anchor)
            return makeError((dir / "anchor.crt").string() + ": " + anchor.error().message);
        info.imported = true;
        info.anchor = summarize(anchor->get());
    }
    return info;
}

std::string sensorTrustPem(const fs::path& pkiDir, const std::string& consoleCaPem) {
    std::string pem = consoleCaPem;
    std::error_code ec;
    const fs::path anchor = linkIdentityDir(pkiDir) / "anchor.crt";
    if (fs::exists(anchor, ec)) {
        if (auto extra = crypto::readFile(anchor)) {
            if (!pem.empty() && pem.back() != '\n') pem += '\n';
            pem += *extra;
        }
    }
    return pem;
}

// ConsoleService's certificate calls (declared in console_service.h).

Result<CheckedIdentity> ConsoleService::importServerCertificate(const Session& session,
                                                                const CertificateImport& files,
                                                                bool force) {
    auto by = authorize(&session, Action::ManageCertificates, "link certificate");
    if (!by) return by.error();
    return importCertificateAs(*by, files, force);
}

Result<CheckedIdentity> ConsoleService::importServerCertificate(const CertificateImport& files,
                                                                bool force) {
    return importCertificateAs(AuditActor{}, files, force);
}

Result<CheckedIdentity> ConsoleService::importCertificateAs(const AuditActor& by,
                                                            const CertificateImport& files,
                                                            bool force) {
    const char* code = ruleFor(Action::ManageCertificates).code;
    auto failed = [&](const Error& e) -> Error {
        (void)store_->audit(by.actor, code, "link certificate", by.source, "failed: " + e.message);
        return e;
    };
    auto checked = checkServerIdentity(files, clock_());
    if (!checked) return failed(checked.error());
    const fs::path pkiDir = dataDir_ / "pki";
    auto current = readLinkIdentity(pkiDir);
    const bool sameRoot =
        current && current->anchor && current->anchor->fingerprint == checked->anchor.fingerprint;
    if (!sameRoot && !force) {
        auto sensors = store_->listSensors();
        if (!sensors) return sensors.error();
        std::size_t enrolled = 0;
        for (const auto& s : *sensors) enrolled += s.status == "active" ? 1 : 0;
        if (enrolled > 0) {
            return failed(makeError(
                std::to_string(enrolled) +
                " enrolled sensor(s) do not trust the new root CA and would stop connecting "
                "until re-activated; re-activate them afterwards and import with --force"));
        }
    }
    if (auto s =
            installLinkIdentity(pkiDir, checked->keyPem, checked->chainPem, checked->anchorPem);
        !s) {
        return failed(s.error());
    }
    if (auto s = store_->audit(by.actor, code, checked->certificate.fingerprint, by.source,
                               "ok: imported " + checked->certificate.subject + " issued by " +
                                   checked->certificate.issuer + ", expires " +
                                   formatUtc(checked->certificate.notAfterMs) + ", root " +
                                   checked->anchor.fingerprint);
        !s) {
        return s.error();
    }
    return checked;
}

Status ConsoleService::useGeneratedCertificate(const Session& session) {
    auto by = authorize(&session, Action::ManageCertificates, "link certificate");
    if (!by) return by.error();
    return useGeneratedAs(*by);
}

Status ConsoleService::useGeneratedCertificate() {
    return useGeneratedAs(AuditActor{});
}

Status ConsoleService::useGeneratedAs(const AuditActor& by) {
    const fs::path pkiDir = dataDir_ / "pki";
    auto keyPem = crypto::readFile(pkiDir / "server.key");
    if (!keyPem) return keyPem.error();
    auto certPem = crypto::readFile(pkiDir / "server.crt");
    if (!certPem) return certPem.error();
    if (auto s = installLinkIdentity(pkiDir, *keyPem, *certPem, ""); !s) return s;
    auto cert = crypto::certificateFromPem(*certPem);
    return store_->audit(by.actor, ruleFor(Action::ManageCertificates).code,
                         cert ? crypto::certificateFingerprint(cert->get()) : "server.crt",
                         by.source, "ok: back to the certificate issued by the console CA");
}

}  // namespace ironsight::console::core
