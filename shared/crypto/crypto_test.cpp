// SPDX-License-Identifier: Apache-2.0
// Tests for the OpenSSL 3 crypto primitives.
#include "shared/crypto/crypto.h"

#include <gtest/gtest.h>
#include <openssl/x509v3.h>

#include <set>

namespace ironsight::crypto {
namespace {

std::span<const std::uint8_t> asBytes(std::string_view s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

TEST(Crypto, KeyPemRoundTripAndSignVerify) {
    auto key = generateP256Key();
    ASSERT_TRUE(key.ok()) << key.error().message;
    auto pem = privateKeyToPem(key->get());
    ASSERT_TRUE(pem.ok());
    EXPECT_NE(pem->find("BEGIN PRIVATE KEY"), std::string::npos);
    auto back = privateKeyFromPem(*pem);
    ASSERT_TRUE(back.ok()) << back.error().message;

    auto sig = sign(key->get(), asBytes("hello"));
    ASSERT_TRUE(sig.ok());
    EXPECT_TRUE(verify(back->get(), asBytes("hello"), *sig));
    EXPECT_FALSE(verify(back->get(), asBytes("hellO"), *sig));
    Bytes bad = *sig;
    bad[bad.size() / 2] ^= 0x01;
    EXPECT_FALSE(verify(back->get(), asBytes("hello"), bad));

    auto other = generateP256Key();
    ASSERT_TRUE(other.ok());
    EXPECT_FALSE(verify(other->get(), asBytes("hello"), *sig));
    EXPECT_FALSE(verify(key->get(), asBytes("hello"), {}));

    auto pub = publicKeyToPem(key->get());
    ASSERT_TRUE(pub.ok());
    EXPECT_NE(pub->find("BEGIN PUBLIC KEY"), std::string::npos);
}

TEST(Crypto, BadPemIsAnErrorNotACrash) {
    EXPECT_FALSE(privateKeyFromPem("garbage").ok());
    EXPECT_FALSE(certificateFromPem("").ok());
    EXPECT_FALSE(csrFromPem("-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n").ok());
}

TEST(Crypto, CsrCarriesKeyAndName) {
    auto key = generateP256Key();
    ASSERT_TRUE(key.ok());
    auto csrPem = makeCsrPem(key->get(), "sensor-1");
    ASSERT_TRUE(csrPem.ok()) << csrPem.error().message;
    auto csr = csrFromPem(*csrPem);
    ASSERT_TRUE(csr.ok());
    EXPECT_EQ(X509_REQ_verify(csr->get(), X509_REQ_get0_pubkey(csr->get())), 1);
    EXPECT_EQ(EVP_PKEY_eq(X509_REQ_get0_pubkey(csr->get()), key->get()), 1);
    char cn[64] = {};
    X509_NAME_get_text_by_NID(X509_REQ_get_subject_name(csr->get()), NID_commonName, cn, sizeof cn);
    EXPECT_STREQ(cn, "sensor-1");
}

// A minimal self-signed certificate with a URI SAN, built here with raw OpenSSL so the
// accessor functions are checked against an independent construction.
X509Ptr selfSigned(EVP_PKEY* key, const char* uri, long days) {
    X509Ptr cert(X509_new());
    X509_set_version(cert.get(), 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 7);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), days * 86400);
    X509_set_pubkey(cert.get(), key);
    X509_NAME* name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("t"), -1, -1, 0);
    X509_set_issuer_name(cert.get(), name);
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
    std::string san = std::string("URI:") + uri + ",DNS:example.test";
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, NID_subject_alt_name, san.c_str());
    X509_add_ext(cert.get(), ext, -1);
    X509_EXTENSION_free(ext);
    X509_sign(cert.get(), key, EVP_sha256());
    return cert;
}

TEST(Crypto, CertificateAccessors) {
    auto key = generateP256Key();
    ASSERT_TRUE(key.ok());
    X509Ptr cert = selfSigned(key->get(), "spiffe://ironsight/sensor/abc", 10);
    auto pem = certificateToPem(cert.get());
    ASSERT_TRUE(pem.ok());
    auto back = certificateFromPem(*pem);
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(certificateUris(back->get()),
              std::vector<std::string>{"spiffe://ironsight/sensor/abc"});
    std::int64_t now = static_cast<std::int64_t>(std::time(nullptr));
    EXPECT_NEAR(static_cast<double>(certificateNotAfter(back->get())),
                static_cast<double>(now + 10 * 86400), 5.0);

    std::string fp = certificateFingerprint(back->get());
    ASSERT_EQ(fp.size(), 32u * 3 - 1);
    unsigned char md[32];
    unsigned int len = 0;
    X509_digest(cert.get(), EVP_sha256(), md, &len);
    std::string hex;
    for (unsigned int i = 0; i < len; ++i) {
        char b[4];
        std::snprintf(b, sizeof b, i ? ":%02X" : "%02X", md[i]);
        hex += b;
    }
    EXPECT_EQ(fp, hex);
}

TEST(Crypto, HashHexRandomUuid) {
    // FIPS 180-2 test vector.
    EXPECT_EQ(toHex(sha256(asBytes("abc"))),
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(randomBytes(32).size(), 32u);
    EXPECT_NE(randomBytes(16), randomBytes(16));
    std::set<std::string> ids;
    for (int i = 0; i < 100; ++i) {
        std::string id = newUuid();
        ASSERT_EQ(id.size(), 36u);
        EXPECT_EQ(id[14], '4');
        EXPECT_TRUE(id[19] == '8' || id[19] == '9' || id[19] == 'a' || id[19] == 'b');
        ids.insert(id);
    }
    EXPECT_EQ(ids.size(), 100u);
}

TEST(Crypto, AtomicWriteWithModeAndRead) {
    namespace fs = std::filesystem;
    fs::path dir = fs::temp_directory_path() / ("ironsight-crypto-" + newUuid());
    fs::path file = dir / "sub" / "secret.key";
    ASSERT_TRUE(
        writeFileAtomic(file, "first", fs::perms::owner_read | fs::perms::owner_write).ok());
    ASSERT_TRUE(
        writeFileAtomic(file, "second", fs::perms::owner_read | fs::perms::owner_write).ok());
    EXPECT_EQ(fs::status(file).permissions() & fs::perms::all,
              fs::perms::owner_read | fs::perms::owner_write);
    auto data = readFile(file);
    ASSERT_TRUE(data.ok());
    EXPECT_EQ(*data, "second");
    EXPECT_FALSE(readFile(file, 3).ok());
    EXPECT_FALSE(readFile(dir / "missing").ok());
    EXPECT_EQ(std::distance(fs::directory_iterator(file.parent_path()), fs::directory_iterator()),
              1);
    fs::remove_all(dir);
}

}  // namespace
}  // namespace ironsight::crypto
