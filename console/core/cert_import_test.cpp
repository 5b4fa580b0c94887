// SPDX-License-Identifier: Apache-2.0
// Console certificate import: every refusal, the stored files, the role check and audit, and a
// real mutual-TLS listener on loopback that serves the imported certificate without a restart.
#include "console/core/cert_import.h"

#include <grpcpp/security/auth_context.h>
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "console/core/cert_test_util.h"
#include "console/core/console_service.h"
#include "console/core/link_server.h"
#include "console/core/pki.h"
#include "ironsight/v1/link.grpc.pb.h"
#include "shared/activation/activation.h"
#include "shared/crypto/crypto.h"
#include "shared/tls/credentials.h"

namespace ironsight::console::core {
namespace {
namespace fs = std::filesystem;
using namespace std::chrono_literals;
using testing::encryptedKeyPem;
using testing::EnterprisePki;
using testing::makeTestCertificate;

struct TempDir {
    fs::path path = fs::temp_directory_path() / ("ironsight-cert-" + crypto::newUuid());
    ~TempDir() { fs::remove_all(path); }
};

std::string errorOf(const Result<CheckedIdentity>& r) {
    return r ? std::string("(ok)") : r.error().message;
}

CertificateImport filesOf(const EnterprisePki& pki) {
    return {pki.server.keyPem, pki.server.certPem, pki.chainPem(), std::nullopt};
}

TEST(CertImport, AcceptsAnEncryptedKeyWithItsPassphraseAndOrdersTheChain) {
    EnterprisePki pki;
    CertificateImport files = filesOf(pki);
    files.keyPem = encryptedKeyPem(pki.server.key.get(), "correct horse");
    files.passphrase = "correct horse";
    files.chainPem = pki.root.certPem + pki.intermediate.certPem;  // any order
    auto checked = checkServerIdentity(files, nowMs());
    ASSERT_TRUE(checked.ok()) << checked.error().message;
    EXPECT_EQ(checked->chainPem, pki.server.certPem + pki.intermediate.certPem);
    EXPECT_EQ(checked->anchorPem, pki.root.certPem);
    EXPECT_EQ(checked->certificate.fingerprint,
              crypto::certificateFingerprint(pki.server.cert.get()));
    EXPECT_EQ(checked->anchor.fingerprint, crypto::certificateFingerprint(pki.root.cert.get()));
    EXPECT_NE(checked->certificate.subject.find("console.example.com"), std::string::npos);
    EXPECT_NE(checked->certificate.issuer.find("Example Issuing CA"), std::string::npos);
    // The stored key is in the clear (gRPC needs it so) and is the same key.
    auto key = crypto::privateKeyFromPem(checked->keyPem);
    ASSERT_TRUE(key.ok());
    EXPECT_EQ(X509_check_private_key(pki.server.cert.get(), key->get()), 1);

    // The chain may also follow the leaf in the certificate file.
    CertificateImport bundled = filesOf(pki);
    bundled.certPem = pki.server.certPem + pki.chainPem();
    bundled.chainPem.clear();
    EXPECT_TRUE(checkServerIdentity(bundled, nowMs()).ok());
}

TEST(CertImport, EachFailureHasItsOwnOneLineError) {
    EnterprisePki pki;
    const std::int64_t now = nowMs();
    auto check = [&](const CertificateImport& f) { return errorOf(checkServerIdentity(f, now)); };

    CertificateImport encrypted = filesOf(pki);
    encrypted.keyPem = encryptedKeyPem(pki.server.key.get(), "right");
    encrypted.passphrase = "wrong";
    EXPECT_EQ(check(encrypted), "cannot decrypt the key: wrong passphrase");
    encrypted.passphrase.reset();
    EXPECT_EQ(check(encrypted), "the key is encrypted: give its passphrase (--passphrase-file)");

    CertificateImport noKey = filesOf(pki);
    noKey.keyPem = pki.server.certPem;
    EXPECT_EQ(check(noKey), "the key file holds no PEM private key");

    CertificateImport mismatched = filesOf(pki);
    mismatched.keyPem = pki.intermediate.keyPem;
    EXPECT_EQ(check(mismatched).rfind("the key does not match the certificate (", 0), 0u)
        << check(mismatched);

    auto expired =
        makeTestCertificate("old", &pki.intermediate, false, -400, -10, "DNS:console.ironsight");
    CertificateImport expiredFiles{expired.keyPem, expired.certPem, pki.chainPem(), {}};
    EXPECT_EQ(check(expiredFiles).rfind("the certificate expired on ", 0), 0u)
        << check(expiredFiles);

    auto future =
        makeTestCertificate("future", &pki.intermediate, false, 10, 400, "DNS:console.ironsight");
    CertificateImport futureFiles{future.keyPem, future.certPem, pki.chainPem(), {}};
    EXPECT_EQ(check(futureFiles).rfind("the certificate is not valid before ", 0), 0u);

    auto otherName =
        makeTestCertificate("web", &pki.intermediate, false, -1, 300, "DNS:console.example.com");
    CertificateImport otherNameFiles{otherName.keyPem, otherName.certPem, pki.chainPem(), {}};
    EXPECT_EQ(check(otherNameFiles),
              "the certificate does not name console.ironsight (the name sensors check): ask "
              "for a DNS subject alternative name console.ironsight");

    CertificateImport noChain = filesOf(pki);
    noChain.chainPem.clear();
    EXPECT_EQ(check(noChain).rfind("no chain: ", 0), 0u);

    CertificateImport noRoot = filesOf(pki);
    noRoot.chainPem = pki.intermediate.certPem;
    EXPECT_EQ(check(noRoot).rfind("the chain does not reach a root CA", 0), 0u);

    // Intermediate missing: the root alone cannot vouch for the server certificate.
    CertificateImport gap = filesOf(pki);
    gap.chainPem = pki.root.certPem;
    EXPECT_EQ(check(gap).rfind("the certificate chain does not verify: unable to get local "
                               "issuer certificate",
                               0),
              0u)
        << check(gap);

    // An intermediate of the same name from another root: signatures do not match.
    EnterprisePki other;
    CertificateImport foreign = filesOf(pki);
    foreign.chainPem = pki.intermediate.certPem + other.root.certPem;
    EXPECT_EQ(check(foreign).rfind("the certificate chain does not verify: ", 0), 0u);
    for (const auto& f : {encrypted, mismatched, expiredFiles, gap, foreign}) {
        EXPECT_EQ(check(f).find('\n'), std::string::npos) << "one line";
    }
}

class ConsoleCertificate : public ::testing::Test {
protected:
    void SetUp() override {
        auto console = ConsoleService::open(dir_.path);
        ASSERT_TRUE(console.ok()) << console.error().message;
        console_ = std::move(*console);
        ASSERT_TRUE(console_->init("admin", "Admin-password-1", "127.0.0.1:0", "127.0.0.1:0").ok());
        ASSERT_TRUE(console_->addSite("Plant").ok());
        ASSERT_TRUE(console_->addZone("Plant", "Line").ok());
    }

    std::string lastAuditOutcome() {
        auto rows = console_->listAudit();
        return rows && !rows->empty() ? rows->back().action + " " + rows->back().outcome : "";
    }

    TempDir dir_;
    std::unique_ptr<ConsoleService> console_;
};

TEST_F(ConsoleCertificate, ImportStoresThePrivateKeyOwnerOnlyAndIsAudited) {
    auto before = console_->linkIdentity();
    ASSERT_TRUE(before.ok()) << before.error().message;
    EXPECT_FALSE(before->imported);
    EXPECT_EQ(console_->sensorTrustPem(), console_->pki().caCertPem());

    EnterprisePki pki;
    auto imported = console_->importServerCertificate(filesOf(pki));
    ASSERT_TRUE(imported.ok()) << imported.error().message;
    const fs::path dir = linkIdentityDir(dir_.path / "pki");
    EXPECT_TRUE(fs::is_symlink(dir));
    EXPECT_EQ(fs::status(dir / "server.key").permissions() & fs::perms::all,
              fs::perms::owner_read | fs::perms::owner_write);
    EXPECT_EQ(*crypto::readFile(dir / "server.crt"), pki.server.certPem + pki.intermediate.certPem);
    auto after = console_->linkIdentity();
    ASSERT_TRUE(after.ok());
    EXPECT_TRUE(after->imported);
    EXPECT_EQ(after->certificate.fingerprint, imported->certificate.fingerprint);
    EXPECT_EQ(after->anchor->fingerprint, crypto::certificateFingerprint(pki.root.cert.get()));
    EXPECT_EQ(console_->sensorTrustPem(), console_->pki().caCertPem() + pki.root.certPem);
    EXPECT_EQ(lastAuditOutcome().rfind("cert.import ok: imported ", 0), 0u) << lastAuditOutcome();

    // A failure is audited too and leaves the identity alone.
    CertificateImport bad = filesOf(pki);
    bad.keyPem = pki.root.keyPem;
    EXPECT_FALSE(console_->importServerCertificate(bad).ok());
    EXPECT_EQ(lastAuditOutcome().rfind("cert.import failed: the key does not match", 0), 0u);
    EXPECT_EQ(console_->linkIdentity()->certificate.fingerprint, imported->certificate.fingerprint);

    // Back to the console CA's own certificate.
    ASSERT_TRUE(console_->useGeneratedCertificate().ok());
    EXPECT_FALSE(console_->linkIdentity()->imported);
    EXPECT_EQ(console_->sensorTrustPem(), console_->pki().caCertPem());
    // Old identity directories do not pile up: the current one and the one before.
    int dirs = 0;
    for (const auto& e : fs::directory_iterator(dir_.path / "pki")) {
        dirs += e.path().filename().string().rfind("link.", 0) == 0 && e.is_directory() ? 1 : 0;
    }
    EXPECT_EQ(dirs, 2);
}

TEST_F(ConsoleCertificate, AServerCertificateRenewedByHandIsServedAfterARestart) {
    // OPERATIONS.md "Certificates": pki/server.* replaced while the console is stopped.
    const fs::path pkiDir = dir_.path / "pki";
    auto caKey = crypto::privateKeyFromPem(*crypto::readFile(pkiDir / "ca.key"));
    auto ca = crypto::certificateFromPem(console_->pki().caCertPem());
    auto key = crypto::generateP256Key();
    auto renewed = Pki::makeServerCertificate(key->get(), ca->get(), caKey->get(), {});
    ASSERT_TRUE(renewed.ok());
    console_.reset();
    const auto rw = fs::perms::owner_read | fs::perms::owner_write;
    ASSERT_TRUE(
        crypto::writeFileAtomic(pkiDir / "server.key", *crypto::privateKeyToPem(key->get()), rw)
            .ok());
    ASSERT_TRUE(crypto::writeFileAtomic(pkiDir / "server.crt",
                                        *crypto::certificateToPem(renewed->get()), rw)
                    .ok());
    auto reopened = ConsoleService::open(dir_.path);
    ASSERT_TRUE(reopened.ok());
    console_ = std::move(*reopened);
    EXPECT_EQ(console_->linkIdentity()->certificate.fingerprint,
              crypto::certificateFingerprint(renewed->get()));

    // An imported identity is not replaced that way.
    EnterprisePki pki;
    ASSERT_TRUE(console_->importServerCertificate(filesOf(pki)).ok());
    console_.reset();
    reopened = ConsoleService::open(dir_.path);
    ASSERT_TRUE(reopened.ok());
    console_ = std::move(*reopened);
    EXPECT_TRUE(console_->linkIdentity()->imported);
}

TEST_F(ConsoleCertificate, OnlyAnAdminMayImport) {
    ASSERT_TRUE(console_->addUser("ana", "Analyst-pass-12", Role::Analyst).ok());
    auto s = console_->signIn("ana", "Analyst-pass-12", "test");
    ASSERT_TRUE(s.ok());
    ASSERT_TRUE(console_->changePassword(*s, "Analyst-pass-12", "Analyst-pass-13").ok());
    EnterprisePki pki;
    auto refused = console_->importServerCertificate(*s, filesOf(pki));
    EXPECT_EQ(errorOf(refused),
              "permission denied: analyst may not change the console certificate");
    EXPECT_EQ(lastAuditOutcome(),
              "cert.import denied: permission denied: analyst may not change the console "
              "certificate");
    EXPECT_FALSE(console_->linkIdentity()->imported);
    EXPECT_EQ(console_->useGeneratedCertificate(*s).error().message,
              "permission denied: analyst may not change the console certificate");
}

/// Real mutual TLS on loopback against a running LinkServer.
class LiveImport : public ConsoleCertificate {
protected:
    void SetUp() override {
        ConsoleCertificate::SetUp();
        server_ = std::make_unique<LinkServer>(*console_);
        auto started = server_->start("127.0.0.1:0", "127.0.0.1:0");
        ASSERT_TRUE(started.ok()) << started.error().message;
    }
    void TearDown() override { server_.reset(); }

    struct Sensor {
        std::string keyPem, certPem, trustPem;
    };
    Sensor enroll(const std::string& name) {
        auto added = console_->addSensor("Plant", "Line", name);
        EXPECT_TRUE(added.ok());
        auto p = activation::decodeAndVerify(added->activationText, nowMs());
        EXPECT_TRUE(p.ok());
        auto channel =
            grpc::CreateCustomChannel("127.0.0.1:" + std::to_string(server_->enrollPort()),
                                      tls::channelCredentials(p->console_ca_pem()),
                                      tls::channelArguments(p->console_tls_name()));
        auto key = crypto::generateP256Key();
        Sensor s;
        s.keyPem = *crypto::privateKeyToPem(key->get());
        v1::EnrollRequest req;
        req.set_sensor_id(p->sensor_id());
        req.set_enrollment_token(p->enrollment_token());
        req.set_csr_pem(*crypto::makeCsrPem(key->get(), name));
        req.set_clock_ms(nowMs());
        v1::EnrollResponse resp;
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + 10s);
        grpc::Status st = v1::Enrollment::NewStub(channel)->Enroll(&ctx, req, &resp);
        EXPECT_TRUE(st.ok()) << st.error_message();
        s.certPem = resp.certificate_pem();
        s.trustPem = resp.ca_certificate_pem();
        return s;
    }

    /// One stream as a sensor trusting `trustPem`: the server certificate seen (empty when the
    /// handshake failed) and whether the console answered Hello with Resume.
    struct Seen {
        std::string serverFingerprint;
        bool resumed = false;
    };
    Seen stream(const Sensor& s, const std::string& trustPem) {
        auto channel =
            grpc::CreateCustomChannel("127.0.0.1:" + std::to_string(server_->linkPort()),
                                      tls::channelCredentials(trustPem, s.keyPem, s.certPem),
                                      tls::channelArguments(kConsoleTlsName));
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + 10s);
        auto rpc = v1::SensorLink::NewStub(channel)->Stream(&ctx);
        v1::SensorMessage hello;
        hello.mutable_hello()->set_epoch(7);
        rpc->Write(hello);
        Seen seen;
        v1::ConsoleMessage msg;
        if (rpc->Read(&msg) && msg.has_resume()) {
            seen.resumed = true;
            rpc->WritesDone();
        }
        (void)rpc->Finish();
        if (auto auth = ctx.auth_context()) {
            auto pem = auth->FindPropertyValues(GRPC_X509_PEM_CERT_PROPERTY_NAME);
            if (!pem.empty()) {
                auto cert = crypto::certificateFromPem(std::string(pem[0].data(), pem[0].size()));
                if (cert) seen.serverFingerprint = crypto::certificateFingerprint(cert->get());
            }
        }
        return seen;
    }

    /// Waits (bounded) until new handshakes present `fingerprint`: the listener re-reads its
    /// identity files once a second.
    Seen waitForServerCertificate(const Sensor& s, const std::string& trustPem,
                                  const std::string& fingerprint) {
        Seen seen;
        for (int i = 0; i < 150; ++i) {
            seen = stream(s, trustPem);
            if (seen.serverFingerprint == fingerprint) break;
            std::this_thread::sleep_for(200ms);
        }
        return seen;
    }

    std::unique_ptr<LinkServer> server_;
};

TEST_F(LiveImport, RunningListenerServesTheImportedCertificateWithoutRestart) {
    Sensor early = enroll("early");
    EXPECT_EQ(early.trustPem, console_->pki().caCertPem());
    auto generated = console_->linkIdentity();
    ASSERT_TRUE(generated.ok());
    Seen before = stream(early, early.trustPem);
    EXPECT_TRUE(before.resumed);
    EXPECT_EQ(before.serverFingerprint, generated->certificate.fingerprint);

    EnterprisePki pki;
    CertificateImport files = filesOf(pki);
    files.keyPem = encryptedKeyPem(pki.server.key.get(), "s3cret");
    files.passphrase = "s3cret";
    // An enrolled sensor does not trust the new root yet: refused unless forced.
    EXPECT_EQ(errorOf(console_->importServerCertificate(files))
                  .rfind("1 enrolled sensor(s) do not trust the new root CA", 0),
              0u);
    auto imported = console_->importServerCertificate(files, /*force=*/true);
    ASSERT_TRUE(imported.ok()) << imported.error().message;

    // Same server, same port, no restart: new handshakes get the imported certificate, and the
    // client certificate is still verified against the console CA.
    const std::string bundle = console_->pki().caCertPem() + pki.root.certPem;
    Seen after = waitForServerCertificate(early, bundle, imported->certificate.fingerprint);
    EXPECT_EQ(after.serverFingerprint, imported->certificate.fingerprint);
    EXPECT_TRUE(after.resumed);

    // The consequence documented in CONSOLE.md: trusting only the console CA is not enough.
    Seen pinnedOnly = stream(early, early.trustPem);
    EXPECT_FALSE(pinnedOnly.resumed);
    EXPECT_TRUE(pinnedOnly.serverFingerprint.empty());

    // A sensor enrolled now receives both roots and streams at once. Enrollment itself still
    // runs on the console-CA certificate the activation file pins.
    Sensor late = enroll("late");
    EXPECT_EQ(late.trustPem, bundle);
    Seen lateSeen = stream(late, late.trustPem);
    EXPECT_TRUE(lateSeen.resumed);
    EXPECT_EQ(lateSeen.serverFingerprint, imported->certificate.fingerprint);

    // A client certificate from the imported root's hierarchy is no sensor: still refused.
    auto intruderKey = crypto::generateP256Key();
    auto intruder =
        Pki::makeClientCertificate(intruderKey->get(), "intruder", pki.intermediate.cert.get(),
                                   pki.intermediate.key.get(), 30);
    ASSERT_TRUE(intruder.ok());
    Sensor fake{*crypto::privateKeyToPem(intruderKey->get()), intruder->pem, bundle};
    EXPECT_FALSE(stream(fake, bundle).resumed);

    // And back to the generated certificate: every sensor trusts it.
    ASSERT_TRUE(console_->useGeneratedCertificate().ok());
    Seen back = waitForServerCertificate(early, early.trustPem, generated->certificate.fingerprint);
    EXPECT_TRUE(back.resumed);
    EXPECT_EQ(back.serverFingerprint, generated->certificate.fingerprint);
}

}  // namespace
}  // namespace ironsight::console::core
