// SPDX-License-Identifier: Apache-2.0
// Tests for the activation file: round trip, tampering, expiry, foreign CA, format errors.
#include "shared/activation/activation.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>

namespace ironsight::activation {
namespace {

constexpr std::int64_t kNow = 1'800'000'000'000;  // 2027-01-15
constexpr std::int64_t kDay = 86'400'000;

struct TestCa {
    crypto::EvpPkeyPtr key;
    std::string certPem;
};

// A self-signed CA built with raw OpenSSL (independent of console/core's PKI).
TestCa makeCa(const char* cn) {
    TestCa ca;
    ca.key = std::move(crypto::generateP256Key().value());
    crypto::X509Ptr cert(X509_new());
    X509_set_version(cert.get(), 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3650L * 86400);
    X509_set_pubkey(cert.get(), ca.key.get());
    X509_NAME* name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn),
                               -1, -1, 0);
    X509_set_issuer_name(cert.get(), name);
    X509_sign(cert.get(), ca.key.get(), EVP_sha256());
    ca.certPem = crypto::certificateToPem(cert.get()).value();
    return ca;
}

v1::ActivationPayload samplePayload(const TestCa& ca) {
    v1::ActivationPayload p;
    p.set_format_version(1);
    p.set_bundle_id(crypto::newUuid());
    p.set_sensor_id(crypto::newUuid());
    p.set_sensor_name("line-1 sensor");
    p.set_site("Plant A");
    p.set_zone("Line 1");
    p.add_stream_endpoints("127.0.0.1:50051");
    p.set_enroll_endpoint("127.0.0.1:50052");
    p.set_console_tls_name("console.ironsight");
    p.set_console_ca_pem(ca.certPem);
    crypto::Bytes token = crypto::randomBytes(32);
    p.set_enrollment_token(token.data(), token.size());
    p.set_not_before_ms(kNow - kDay);
    p.set_not_after_ms(kNow + 7 * kDay);
    return p;
}

std::string b64(const std::string& bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
    int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(bytes.data()),
                            static_cast<int>(bytes.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

std::string armor(const std::string& bundleBytes) {
    return "-----BEGIN IRONSIGHT ACTIVATION-----\n\n" + b64(bundleBytes) +
           "\n-----END IRONSIGHT ACTIVATION-----\n";
}

std::string bundleFor(const v1::ActivationPayload& p, const EVP_PKEY* key) {
    std::string payloadBytes = p.SerializeAsString();
    auto sig = crypto::sign(
        key, {reinterpret_cast<const std::uint8_t*>(payloadBytes.data()), payloadBytes.size()});
    v1::ActivationBundle bundle;
    bundle.set_payload(payloadBytes);
    bundle.set_signature(sig->data(), sig->size());
    return bundle.SerializeAsString();
}

TEST(Activation, RoundTripAndArmor) {
    TestCa ca = makeCa("console CA");
    v1::ActivationPayload p = samplePayload(ca);
    auto text = encode(p, ca.key.get());
    ASSERT_TRUE(text.ok()) << text.error().message;
    EXPECT_EQ(text->rfind("-----BEGIN IRONSIGHT ACTIVATION-----\n", 0), 0u);
    EXPECT_NE(text->find("\n-----END IRONSIGHT ACTIVATION-----\n"), std::string::npos);
    EXPECT_NE(text->find("Sensor: line-1 sensor\n"), std::string::npos);
    EXPECT_NE(text->find("Site: Plant A\n"), std::string::npos);
    auto caCert = crypto::certificateFromPem(ca.certPem);
    EXPECT_NE(text->find("CA-Fingerprint: " + crypto::certificateFingerprint(caCert->get())),
              std::string::npos);
    // Base64 lines are at most 64 columns.
    std::size_t data = text->find("\n\n") + 2;
    std::size_t endLine = text->find("-----END");
    for (std::size_t pos = data; pos < endLine;) {
        std::size_t nl = text->find('\n', pos);
        EXPECT_LE(nl - pos, 64u);
        pos = nl + 1;
    }

    auto back = decodeAndVerify(*text, kNow);
    ASSERT_TRUE(back.ok()) << back.error().message;
    EXPECT_EQ(back->SerializeAsString(), p.SerializeAsString());

    // CRLF line endings (a file passed through a Windows machine) still verify.
    std::string crlf;
    for (char c : *text) {
        if (c == '\n') crlf += '\r';
        crlf += c;
    }
    EXPECT_TRUE(decodeAndVerify(crlf, kNow).ok());
}

TEST(Activation, HeadersAreInformationalOnly) {
    TestCa ca = makeCa("console CA");
    v1::ActivationPayload p = samplePayload(ca);
    std::string text = encode(p, ca.key.get()).value();
    std::size_t at = text.find("Site: Plant A");
    text.replace(at, 13, "Site: Plant B");
    auto back = decodeAndVerify(text, kNow);
    ASSERT_TRUE(back.ok()) << back.error().message;
    EXPECT_EQ(back->site(), "Plant A");
}

TEST(Activation, EveryByteFlipIsRefused) {
    TestCa ca = makeCa("console CA");
    v1::ActivationPayload p = samplePayload(ca);
    std::string bundle = bundleFor(p, ca.key.get());
    ASSERT_TRUE(decodeAndVerify(armor(bundle), kNow).ok());
    int signatureErrors = 0;
    for (std::size_t i = 0; i < bundle.size(); ++i) {
        for (std::uint8_t mask : {std::uint8_t{0x01}, std::uint8_t{0x80}}) {
            std::string altered = bundle;
            altered[i] = static_cast<char>(altered[i] ^ mask);
            auto r = decodeAndVerify(armor(altered), kNow);
            ASSERT_FALSE(r.ok()) << "flip at byte " << i << " accepted";
            if (r.error().message.find("signature invalid") != std::string::npos) {
                ++signatureErrors;
            }
        }
    }
    // Flips in the signed fields or the signature are reported as tampering; flips in the
    // embedded CA PEM or the protobuf framing are reported as a malformed file.
    EXPECT_GT(signatureErrors, static_cast<int>(bundle.size() / 2));
}

TEST(Activation, EditedPayloadResignedByForeignCaIsRefused) {
    TestCa ca = makeCa("console CA");
    TestCa foreign = makeCa("console CA");  // same subject, different key
    v1::ActivationPayload p = samplePayload(ca);
    auto r = decodeAndVerify(armor(bundleFor(p, foreign.key.get())), kNow);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().message, "activation file signature invalid (file altered?)");

    // The same payload with the site edited, signed by the real CA key of another field value.
    v1::ActivationPayload edited = p;
    edited.set_site("Plant Z");
    std::string good = bundleFor(p, ca.key.get());
    v1::ActivationBundle b;
    ASSERT_TRUE(b.ParseFromString(good));
    b.set_payload(edited.SerializeAsString());
    r = decodeAndVerify(armor(b.SerializeAsString()), kNow);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("signature invalid"), std::string::npos);
}

TEST(Activation, ValidityWindow) {
    TestCa ca = makeCa("console CA");
    v1::ActivationPayload p = samplePayload(ca);
    p.set_not_after_ms(1'796'032'800'000);  // 2026-11-30 10:00 UTC
    p.set_not_before_ms(1'796'032'800'000 - 7 * kDay);
    std::string text = encode(p, ca.key.get()).value();
    EXPECT_TRUE(decodeAndVerify(text, 1'796'032'800'000).ok());
    auto expired = decodeAndVerify(text, 1'796'032'800'001);
    ASSERT_FALSE(expired.ok());
    EXPECT_EQ(expired.error().message, "activation file expired on 2026-11-30 10:00 UTC");
    auto early = decodeAndVerify(text, 1'796'032'800'000 - 8 * kDay);
    ASSERT_FALSE(early.ok());
    EXPECT_EQ(early.error().message,
              "activation file not valid before 2026-11-23 10:00 UTC (check the clock)");
}

TEST(Activation, UnsupportedVersion) {
    TestCa ca = makeCa("console CA");
    v1::ActivationPayload p = samplePayload(ca);
    p.set_format_version(2);
    auto r = decodeAndVerify(encode(p, ca.key.get()).value(), kNow);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().message,
              "unsupported activation file format version 2 (this build reads 1)");
}

TEST(Activation, MalformedInputs) {
    TestCa ca = makeCa("console CA");
    std::string good = encode(samplePayload(ca), ca.key.get()).value();
    const std::vector<std::string> bad = {
        "",
        "hello world",
        "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
        good.substr(0, good.size() / 2),  // truncated
        "-----BEGIN IRONSIGHT ACTIVATION-----\n-----END IRONSIGHT ACTIVATION-----\n",
        "-----BEGIN IRONSIGHT ACTIVATION-----\n!!!!\n-----END IRONSIGHT ACTIVATION-----\n",
        "-----BEGIN IRONSIGHT ACTIVATION-----\nQUJD\n-----END IRONSIGHT ACTIVATION-----\n",
        [] {  // NUL bytes inside the armor (sized from the literal, not guessed)
            static const char kNuls[] =
                "-----BEGIN IRONSIGHT ACTIVATION-----\n\0\0\0\n-----END IRONSIGHT "
                "ACTIVATION-----\n";
            return std::string(kNuls, sizeof kNuls - 1);
        }(),
    };
    for (const std::string& text : bad) {
        auto r = decodeAndVerify(text, kNow);
        ASSERT_FALSE(r.ok()) << text;
        EXPECT_NE(r.error().message.find("activation file"), std::string::npos)
            << r.error().message;
    }
    // Drop one base64 character: length no longer a multiple of 4.
    std::string cut = good;
    cut.erase(good.find("\n\n") + 5, 1);
    auto r = decodeAndVerify(cut, kNow);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().message, "not a valid activation file (bad base64 data)");
}

TEST(Activation, ReadAndVerifyNamesTheFile) {
    TestCa ca = makeCa("console CA");
    auto dir = std::filesystem::temp_directory_path() / ("ironsight-act-" + crypto::newUuid());
    auto file = dir / "s1.activation";
    ASSERT_TRUE(crypto::writeFileAtomic(
                    file, encode(samplePayload(ca), ca.key.get()).value(),
                    std::filesystem::perms::owner_read | std::filesystem::perms::owner_write)
                    .ok());
    EXPECT_TRUE(readAndVerify(file, kNow).ok());
    auto expired = readAndVerify(file, kNow + 30 * kDay);
    ASSERT_FALSE(expired.ok());
    EXPECT_EQ(expired.error().message.rfind(file.string() + ": activation file expired", 0), 0u);
    EXPECT_FALSE(readAndVerify(dir / "missing.activation", kNow).ok());
    std::filesystem::remove_all(dir);
}

TEST(Activation, SensorUri) {
    EXPECT_EQ(sensorUri("0f0e-12"), "spiffe://ironsight/sensor/0f0e-12");
    EXPECT_EQ(sensorIdFromUri(sensorUri("0f0e-12")), "0f0e-12");
    EXPECT_EQ(sensorIdFromUri("spiffe://ironsight/sensor/"), "");
    EXPECT_EQ(sensorIdFromUri("spiffe://other/sensor/abc"), "");
    EXPECT_EQ(sensorIdFromUri("spiffe://ironsight/sensor/a/b"), "");
    EXPECT_EQ(sensorIdFromUri("https://ironsight/sensor/abc"), "");
}

}  // namespace
}  // namespace ironsight::activation
