// SPDX-License-Identifier: Apache-2.0
// Tests for the console PKI: CA and server certificate creation, CSR signing policy.
#include "console/core/pki.h"

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "shared/activation/activation.h"

namespace ironsight::console::core {
namespace {
namespace fs = std::filesystem;

struct TempDir {
    fs::path path = fs::temp_directory_path() / ("ironsight-pki-" + crypto::newUuid());
    ~TempDir() { fs::remove_all(path); }
};

struct StoreDeleter {
    void operator()(X509_STORE* s) const { X509_STORE_free(s); }
};
struct StoreCtxDeleter {
    void operator()(X509_STORE_CTX* s) const { X509_STORE_CTX_free(s); }
};

/// Chain-verifies `leafPem` against `caPem` for `purpose` with OpenSSL itself.
bool chainVerifies(const std::string& leafPem, const std::string& caPem, int purpose) {
    auto leaf = crypto::certificateFromPem(leafPem);
    auto ca = crypto::certificateFromPem(caPem);
    if (!leaf || !ca) return false;
    std::unique_ptr<X509_STORE, StoreDeleter> store(X509_STORE_new());
    X509_STORE_add_cert(store.get(), ca->get());
    std::unique_ptr<X509_STORE_CTX, StoreCtxDeleter> ctx(X509_STORE_CTX_new());
    X509_STORE_CTX_init(ctx.get(), store.get(), leaf->get(), nullptr);
    X509_STORE_CTX_set_purpose(ctx.get(), purpose);
    return X509_verify_cert(ctx.get()) == 1;
}

/// A CSR that asks for names the console must ignore (CN and a foreign URI SAN).
std::string greedyCsr(const EVP_PKEY* key) {
    crypto::X509ReqPtr req(X509_REQ_new());
    X509_NAME* name = X509_REQ_get_subject_name(req.get());
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("console.ironsight"), -1, -1,
                               0);
    X509_REQ_set_pubkey(req.get(), const_cast<EVP_PKEY*>(key));
    STACK_OF(X509_EXTENSION)* exts = sk_X509_EXTENSION_new_null();
    sk_X509_EXTENSION_push(exts, X509V3_EXT_conf_nid(nullptr, nullptr, NID_subject_alt_name,
                                                     "URI:spiffe://ironsight/sensor/victim"));
    X509_REQ_add_extensions(req.get(), exts);
    sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
    X509_REQ_sign(req.get(), const_cast<EVP_PKEY*>(key), EVP_sha256());
    BIO* bio = BIO_new(BIO_s_mem());
    PEM_write_bio_X509_REQ(bio, req.get());
    char* data = nullptr;
    long len = BIO_get_mem_data(bio, &data);
    std::string pem(data, static_cast<std::size_t>(len));
    BIO_free(bio);
    return pem;
}

TEST(Pki, CreatesOnceWithPrivateKeysAndReloads) {
    TempDir dir;
    auto pki = Pki::loadOrCreate(dir.path / "pki", {"10.0.0.9", "console.plant"});
    ASSERT_TRUE(pki.ok()) << pki.error().message;
    for (const char* f : {"ca.key", "server.key"}) {
        EXPECT_EQ(fs::status(dir.path / "pki" / f).permissions() & fs::perms::all,
                  fs::perms::owner_read | fs::perms::owner_write)
            << f;
    }
    auto again = Pki::loadOrCreate(dir.path / "pki", {});
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->caFingerprint(), pki->caFingerprint());
    EXPECT_EQ(pki->caFingerprint().size(), 95u);

    auto ca = crypto::certificateFromPem(pki->caCertPem());
    ASSERT_TRUE(ca.ok());
    EXPECT_EQ(X509_check_ca(ca->get()), 1);
    auto server = pki->serverIdentity();
    EXPECT_TRUE(chainVerifies(server.certChainPem, pki->caCertPem(), X509_PURPOSE_SSL_SERVER));
    EXPECT_FALSE(chainVerifies(server.certChainPem, pki->caCertPem(), X509_PURPOSE_SSL_CLIENT));
    auto serverCert = crypto::certificateFromPem(server.certChainPem);
    for (const char* host : {"console.ironsight", "localhost", "console.plant"}) {
        EXPECT_EQ(X509_check_host(serverCert->get(), host, 0, 0, nullptr), 1) << host;
    }
    EXPECT_EQ(X509_check_ip_asc(serverCert->get(), "127.0.0.1", 0), 1);
    EXPECT_EQ(X509_check_ip_asc(serverCert->get(), "10.0.0.9", 0), 1);
    EXPECT_EQ(X509_check_host(serverCert->get(), "evil.example", 0, 0, nullptr), 0);
}

TEST(Pki, SensorIdentityComesFromTheConsoleNotTheCsr) {
    TempDir dir;
    auto pki = Pki::loadOrCreate(dir.path / "pki", {});
    ASSERT_TRUE(pki.ok());
    auto key = crypto::generateP256Key();
    ASSERT_TRUE(key.ok());
    std::string id = crypto::newUuid();
    auto issued = pki->signSensorCsr(greedyCsr(key->get()), id);
    ASSERT_TRUE(issued.ok()) << issued.error().message;
    auto cert = crypto::certificateFromPem(issued->pem);
    ASSERT_TRUE(cert.ok());
    EXPECT_EQ(crypto::certificateUris(cert->get()),
              std::vector<std::string>{activation::sensorUri(id)});
    EXPECT_EQ(X509_check_host(cert->get(), "console.ironsight", 0, 0, nullptr), 0);
    char cn[128] = {};
    X509_NAME_get_text_by_NID(X509_get_subject_name(cert->get()), NID_commonName, cn, sizeof cn);
    EXPECT_EQ(std::string(cn), "sensor " + id);
    EXPECT_EQ(EVP_PKEY_eq(X509_get0_pubkey(cert->get()), key->get()), 1);
    EXPECT_TRUE(chainVerifies(issued->pem, pki->caCertPem(), X509_PURPOSE_SSL_CLIENT));
    EXPECT_FALSE(chainVerifies(issued->pem, pki->caCertPem(), X509_PURPOSE_SSL_SERVER));
    EXPECT_EQ(issued->serialHex.size(), 32u);
    std::int64_t now = static_cast<std::int64_t>(std::time(nullptr));
    EXPECT_NEAR(static_cast<double>(issued->notAfter), static_cast<double>(now + 365 * 86400),
                10.0);

    auto second = pki->signSensorCsr(greedyCsr(key->get()), id);
    ASSERT_TRUE(second.ok());
    EXPECT_NE(second->serialHex, issued->serialHex);

    // A foreign CA's certificate does not chain to this console.
    TempDir other;
    auto foreign = Pki::loadOrCreate(other.path / "pki", {});
    ASSERT_TRUE(foreign.ok());
    auto foreignCert = foreign->signSensorCsr(greedyCsr(key->get()), id);
    ASSERT_TRUE(foreignCert.ok());
    EXPECT_FALSE(chainVerifies(foreignCert->pem, pki->caCertPem(), X509_PURPOSE_SSL_CLIENT));
}

TEST(Pki, RefusesBadCsrs) {
    TempDir dir;
    auto pki = Pki::loadOrCreate(dir.path / "pki", {});
    ASSERT_TRUE(pki.ok());
    auto key = crypto::generateP256Key();
    std::string csr = crypto::makeCsrPem(key->get(), "s").value();
    EXPECT_TRUE(pki->signSensorCsr(csr, "a").ok());

    auto r = pki->signSensorCsr("not a csr", "a");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().message, "certificate request unreadable");

    // Proof of possession: a CSR whose signature does not match its key is refused.
    auto req = crypto::csrFromPem(csr);
    auto otherKey = crypto::generateP256Key();
    X509_REQ_set_pubkey(req->get(), otherKey->get());  // swap the key after signing
    BIO* bio = BIO_new(BIO_s_mem());
    PEM_write_bio_X509_REQ(bio, req->get());
    char* data = nullptr;
    long len = BIO_get_mem_data(bio, &data);
    std::string swapped(data, static_cast<std::size_t>(len));
    BIO_free(bio);
    r = pki->signSensorCsr(swapped, "a");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().message, "certificate request signature invalid");

    // Only P-256 keys.
    EVP_PKEY* rsa = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(2048));
    crypto::EvpPkeyPtr rsaKey(rsa);
    r = pki->signSensorCsr(crypto::makeCsrPem(rsaKey.get(), "s").value(), "a");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().message, "certificate request key must be ECDSA P-256");
}

TEST(Pki, CorruptKeyFileIsAClearError) {
    TempDir dir;
    ASSERT_TRUE(Pki::loadOrCreate(dir.path / "pki", {}).ok());
    ASSERT_TRUE(crypto::writeFileAtomic(dir.path / "pki" / "ca.key", "garbage",
                                        fs::perms::owner_read | fs::perms::owner_write)
                    .ok());
    auto r = Pki::loadOrCreate(dir.path / "pki", {});
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("ca.key"), std::string::npos);
}

}  // namespace
}  // namespace ironsight::console::core
