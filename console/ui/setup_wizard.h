// SPDX-License-Identifier: Apache-2.0
// First-run setup of the desktop console: admin account, listen addresses, console certificate
// (generated or imported), then the CA fingerprint and what to do next.
#pragma once

#include <QWizard>

#include <filesystem>
#include <memory>
#include <optional>

#include "console/core/console_service.h"

class QButtonGroup;
class QLabel;
class QLineEdit;
class QRadioButton;
class QWizardPage;

namespace ironsight::console::ui {

/// True when `dataDir` holds no console yet, or one without any user (e.g. created by
/// `--headless` on an empty directory): the desktop then runs SetupWizard.
bool needsSetup(const std::filesystem::path& dataDir);

/// The wizard. Pages: admin account (the core's password policy; this admin is not forced to
/// change the password again), link and enrollment listen addresses, certificate (generate, the
/// default, or import key / certificate / chain / passphrase, checked before anything is
/// written), and a final page that sets the console up off the GUI thread (creates the data dir,
/// CA, admin, settings, imports the certificate as the new admin, signs in) and shows the CA
/// fingerprint with a Copy button and the next steps. Nothing is written before the final page.
class SetupWizard final : public QWizard {
    Q_OBJECT
public:
    enum Page { AdminPage, NetworkPage, CertificatePage, DonePage };

    explicit SetupWizard(std::filesystem::path dataDir, QWidget* parent = nullptr);

    /// True once the console is set up (the final page then shows the CA fingerprint).
    bool setupDone() const { return done_; }
    /// The console that was set up (null before), and the admin's session.
    std::shared_ptr<core::ConsoleService> service() const;
    const std::optional<core::Session>& session() const { return session_; }
    /// The setup failure shown on the final page (empty when none).
    QString errorText() const;

signals:
    /// The final page's setup finished (successfully or not).
    void setupFinished(bool ok);

private:
    struct State;  // shared with the setup worker
    QWizardPage* makeAdminPage();
    QWizardPage* makeNetworkPage();
    QWizardPage* makeCertificatePage();
    QWizardPage* makeDonePage();
    bool validateAdmin();
    bool validateNetwork();
    bool validateCertificate();
    void startSetup();
    /// Reads the import files named on the certificate page into `files` (false + error shown).
    bool readImportFiles(core::CertificateImport& files);

    std::filesystem::path dataDir_;
    std::shared_ptr<State> state_;
    bool running_ = false;
    bool done_ = false;
    std::optional<core::Session> session_;

    QLineEdit* user_ = nullptr;
    QLineEdit* password_ = nullptr;
    QLineEdit* confirm_ = nullptr;
    QLabel* adminError_ = nullptr;
    QLineEdit* linkListen_ = nullptr;
    QLineEdit* enrollListen_ = nullptr;
    QLabel* networkError_ = nullptr;
    QRadioButton* generate_ = nullptr;
    QRadioButton* import_ = nullptr;
    QWidget* importBox_ = nullptr;
    QLineEdit* keyFile_ = nullptr;
    QLineEdit* certFile_ = nullptr;
    QLineEdit* chainFile_ = nullptr;
    QLineEdit* passphrase_ = nullptr;
    QLabel* certError_ = nullptr;
    QLabel* progress_ = nullptr;
    QLabel* doneError_ = nullptr;
    QWidget* doneBox_ = nullptr;
    QLineEdit* fingerprint_ = nullptr;
    QLabel* certificateSummary_ = nullptr;
    QLabel* nextSteps_ = nullptr;
};

}  // namespace ironsight::console::ui
