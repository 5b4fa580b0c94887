// SPDX-License-Identifier: Apache-2.0
// The first-run wizard on real widgets (offscreen) and a real data directory: each page's checks,
// then what the console holds afterwards (admin signs in, listen addresses, certificate).
#include "console/ui/setup_wizard.h"

#include <gtest/gtest.h>

#include <QApplication>
#include <QClipboard>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QSignalSpy>

#include <filesystem>

#include "console/core/cert_test_util.h"
#include "console/core/console_service.h"
#include "shared/crypto/crypto.h"

namespace ironsight::console::ui {
namespace {
namespace fs = std::filesystem;

QApplication& wizardApp() {  // one per process, whichever test file asks first
    if (auto* existing = qobject_cast<QApplication*>(QCoreApplication::instance()))
        return *existing;
    static int argc = 1;
    static char name[] = "setup_wizard_test";
    static char* argv[] = {name, nullptr};
    qputenv("QT_QPA_PLATFORM", "offscreen");
    static auto* instance = new QApplication(argc, argv);
    return *instance;
}

constexpr const char* kPassword = "Wizard-chosen-pass-1";

class SetupWizardTest : public ::testing::Test {
protected:
    void SetUp() override {
        wizardApp();
        dir_ = fs::temp_directory_path() / ("ironsight-wizard-" + crypto::newUuid());
    }
    void TearDown() override { fs::remove_all(dir_); }

    template <class W>
    W* child(SetupWizard& w, const char* name) {
        W* found = w.findChild<W*>(QLatin1String(name));
        EXPECT_NE(found, nullptr) << name;
        return found;
    }
    QString visibleError(SetupWizard& w, const char* name) {
        auto* label = child<QLabel>(w, name);
        return label->isHidden() ? QString() : label->text();
    }

    /// Fills the admin and network pages (checking their refusals) and arrives at the
    /// certificate page.
    void throughAdminAndNetwork(SetupWizard& w) {
        ASSERT_EQ(w.currentId(), SetupWizard::AdminPage);
        child<QLineEdit>(w, "adminUser")->setText(QStringLiteral("chief"));
        child<QLineEdit>(w, "adminPassword")->setText(QStringLiteral("short"));
        w.next();
        EXPECT_EQ(w.currentId(), SetupWizard::AdminPage);
        EXPECT_FALSE(visibleError(w, "adminError").isEmpty());  // the core's policy message
        child<QLineEdit>(w, "adminPassword")->setText(QString::fromLatin1(kPassword));
        child<QLineEdit>(w, "adminConfirm")->setText(QStringLiteral("Wizard-chosen-pass-2"));
        w.next();
        EXPECT_EQ(w.currentId(), SetupWizard::AdminPage);
        EXPECT_EQ(visibleError(w, "adminError"), QStringLiteral("The two passwords differ."));
        child<QLineEdit>(w, "adminConfirm")->setText(QString::fromLatin1(kPassword));
        w.next();
        ASSERT_EQ(w.currentId(), SetupWizard::NetworkPage);

        child<QLineEdit>(w, "linkListen")->setText(QStringLiteral("127.0.0.1:70000"));
        w.next();
        EXPECT_EQ(w.currentId(), SetupWizard::NetworkPage);
        EXPECT_EQ(
            visibleError(w, "networkError"),
            QStringLiteral("'127.0.0.1:70000' is not HOST:PORT with a port from 1 to 65535."));
        child<QLineEdit>(w, "linkListen")->setText(QStringLiteral("127.0.0.1:61051"));
        child<QLineEdit>(w, "enrollListen")->setText(QStringLiteral("127.0.0.1:61051"));
        w.next();
        EXPECT_EQ(w.currentId(), SetupWizard::NetworkPage);
        child<QLineEdit>(w, "enrollListen")->setText(QStringLiteral("127.0.0.1:61052"));
        w.next();
        ASSERT_EQ(w.currentId(), SetupWizard::CertificatePage);
        EXPECT_FALSE(fs::exists(dir_)) << "nothing is written before the last page";
    }

    /// Moves to the last page and waits for its setup (run off the GUI thread).
    bool finish(SetupWizard& w) {
        QSignalSpy finished(&w, &SetupWizard::setupFinished);
        w.next();
        EXPECT_EQ(w.currentId(), SetupWizard::DonePage);
        if (!finished.wait(120000)) return false;
        return finished.takeFirst().at(0).toBool();
    }

    fs::path dir_;
};

TEST_F(SetupWizardTest, GeneratedCertificateAdminSignsInWithTheChosenPassword) {
    EXPECT_TRUE(needsSetup(dir_));
    {
        SetupWizard w(dir_);
        w.show();
        throughAdminAndNetwork(w);
        EXPECT_TRUE(child<QRadioButton>(w, "generateCertificate")->isChecked());
        ASSERT_TRUE(finish(w)) << w.errorText().toStdString();
        EXPECT_TRUE(w.setupDone());
        EXPECT_TRUE(w.button(QWizard::FinishButton)->isEnabled());
        EXPECT_FALSE(w.button(QWizard::BackButton)->isEnabled());
        auto service = w.service();
        ASSERT_NE(service, nullptr);
        EXPECT_EQ(child<QLineEdit>(w, "caFingerprint")->text().toStdString(),
                  service->caFingerprint());
        child<QPushButton>(w, "copyFingerprint")->click();
        EXPECT_EQ(QGuiApplication::clipboard()->text().toStdString(), service->caFingerprint());
        EXPECT_TRUE(child<QLabel>(w, "nextSteps")->text().contains(QStringLiteral("activate")));
        ASSERT_TRUE(w.session().has_value());
        EXPECT_EQ(w.session()->user, "chief");
        EXPECT_FALSE(w.session()->mustChangePassword);
    }
    // What is on disk, read back by a fresh console.
    EXPECT_FALSE(needsSetup(dir_));
    auto reopened = core::ConsoleService::open(dir_);
    ASSERT_TRUE(reopened.ok()) << reopened.error().message;
    core::ConsoleService& console = **reopened;
    EXPECT_EQ(console.linkListen(), "127.0.0.1:61051");
    EXPECT_EQ(console.enrollListen(), "127.0.0.1:61052");
    auto session = console.signIn("chief", kPassword, "desktop");
    ASSERT_TRUE(session.ok()) << session.error().message;
    EXPECT_FALSE(session->mustChangePassword) << "the wizard replaces the forced change";
    EXPECT_EQ(session->role, core::Role::Admin);
    EXPECT_TRUE(console.addSite(*session, "Plant").ok());
    auto identity = console.linkIdentity();
    ASSERT_TRUE(identity.ok());
    EXPECT_FALSE(identity->imported);
}

TEST_F(SetupWizardTest, ImportedCertificateIsCheckedFirstThenInstalledAsTheAdmin) {
    core::testing::EnterprisePki pki;
    const fs::path files =
        fs::temp_directory_path() / ("ironsight-wizard-files-" + crypto::newUuid());
    fs::create_directories(files);
    const auto rw = fs::perms::owner_read | fs::perms::owner_write;
    ASSERT_TRUE(crypto::writeFileAtomic(
                    files / "key.pem",
                    core::testing::encryptedKeyPem(pki.server.key.get(), "wizard pass"), rw)
                    .ok());
    ASSERT_TRUE(crypto::writeFileAtomic(files / "cert.pem", pki.server.certPem, rw).ok());
    ASSERT_TRUE(crypto::writeFileAtomic(files / "chain.pem", pki.chainPem(), rw).ok());
    {
        SetupWizard w(dir_);
        w.show();
        throughAdminAndNetwork(w);
        child<QRadioButton>(w, "importCertificate")->setChecked(true);
        w.next();
        EXPECT_EQ(w.currentId(), SetupWizard::CertificatePage);
        EXPECT_EQ(visibleError(w, "certificateError"),
                  QStringLiteral("Choose the private key file."));
        child<QLineEdit>(w, "keyFile")
            ->setText(QString::fromStdString((files / "key.pem").string()));
        child<QLineEdit>(w, "certFile")
            ->setText(QString::fromStdString((files / "cert.pem").string()));
        child<QLineEdit>(w, "chainFile")
            ->setText(QString::fromStdString((files / "chain.pem").string()));
        child<QLineEdit>(w, "passphrase")->setText(QStringLiteral("not it"));
        w.next();
        EXPECT_EQ(w.currentId(), SetupWizard::CertificatePage);
        EXPECT_EQ(visibleError(w, "certificateError"),
                  QStringLiteral("cannot decrypt the key: wrong passphrase"));
        EXPECT_FALSE(fs::exists(dir_));
        child<QLineEdit>(w, "passphrase")->setText(QStringLiteral("wizard pass"));
        ASSERT_TRUE(finish(w)) << w.errorText().toStdString();
        EXPECT_TRUE(child<QLabel>(w, "certificateSummary")
                        ->text()
                        .contains(QStringLiteral("console.example.com")));
    }
    fs::remove_all(files);
    auto reopened = core::ConsoleService::open(dir_);
    ASSERT_TRUE(reopened.ok());
    core::ConsoleService& console = **reopened;
    auto identity = console.linkIdentity();
    ASSERT_TRUE(identity.ok());
    EXPECT_TRUE(identity->imported);
    EXPECT_EQ(identity->certificate.fingerprint,
              crypto::certificateFingerprint(pki.server.cert.get()));
    EXPECT_EQ(fs::status(dir_ / "pki" / "link" / "server.key").permissions() & fs::perms::all,
              fs::perms::owner_read | fs::perms::owner_write);
    auto audit = console.listAudit();
    ASSERT_TRUE(audit.ok());
    bool importedByAdmin = false;
    for (const auto& row : *audit) {
        importedByAdmin = importedByAdmin ||
                          (row.action == "cert.import" && row.actor == "chief" &&
                           row.source == "desktop" && row.outcome.rfind("ok: imported", 0) == 0);
    }
    EXPECT_TRUE(importedByAdmin);
    EXPECT_TRUE(console.signIn("chief", kPassword, "desktop").ok());
}

}  // namespace
}  // namespace ironsight::console::ui
