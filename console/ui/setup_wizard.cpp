// SPDX-License-Identifier: Apache-2.0
// The first-run setup wizard over the console core (docs/CONSOLE.md "First run").
#include "console/ui/setup_wizard.h"

#include <QAbstractButton>
#include <QButtonGroup>
#include <QClipboard>
#include <QCoreApplication>
#include <QFile>
#include <QFileDialog>
#include <QFontDatabase>
#include <QFormLayout>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPointer>
#include <QPushButton>
#include <QRadioButton>
#include <QThreadPool>
#include <QVBoxLayout>
#include <QWizardPage>

#include <functional>

#include "console/core/cert_import.h"

namespace ironsight::console::ui {
namespace fs = std::filesystem;

namespace {

QString q(const std::string& s) {
    return QString::fromStdString(s);
}

/// A page whose checks are the wizard's own functions (its strings live in SetupWizard's
/// translation context).
class HookPage final : public QWizardPage {
public:
    std::function<bool()> validate;
    std::function<void()> initialize;
    std::function<bool()> complete;

    bool validatePage() override { return validate ? validate() : true; }
    void initializePage() override {
        if (initialize) initialize();
    }
    bool isComplete() const override { return complete ? complete() : QWizardPage::isComplete(); }
    void notifyComplete() { emit completeChanged(); }
};

QLabel* errorLabel(const char* name) {
    auto* label = new QLabel;
    label->setObjectName(QLatin1String(name));
    label->setWordWrap(true);
    label->setStyleSheet(QStringLiteral("color: #b00020;"));
    label->hide();
    return label;
}

void showError(QLabel* label, const QString& text) {
    label->setText(text);
    label->setVisible(!text.isEmpty());
}

QLabel* helpLabel(const QString& text) {
    auto* label = new QLabel(text);
    label->setWordWrap(true);
    return label;
}

QLineEdit* lineEdit(const char* name, const QString& text = {}) {
    auto* edit = new QLineEdit(text);
    edit->setObjectName(QLatin1String(name));
    return edit;
}

/// "HOST:PORT" with a port 1-65535 (an IPv6 host in brackets).
bool validListen(const QString& address) {
    const std::string a = address.trimmed().toStdString();
    if (core::hostOf(a).empty()) return false;
    bool ok = false;
    const int port = address.trimmed().section(QLatin1Char(':'), -1).toInt(&ok);
    return ok && port >= 1 && port <= 65535;
}

/// What the setup worker needs, copied off the widgets.
struct Inputs {
    std::string user, password, link, enroll;
    bool import = false;
    core::CertificateImport files;
};

struct Outcome {
    std::string error;
    std::optional<core::Session> session;
    std::string caFingerprint;
    std::optional<core::LinkIdentityInfo> identity;
};

}  // namespace

struct SetupWizard::State {
    std::shared_ptr<core::ConsoleService> service;
    bool initialized = false;  // init() succeeded in an earlier attempt
};

bool needsSetup(const fs::path& dataDir) {
    std::error_code ec;
    if (!fs::exists(dataDir / "console.db", ec)) return true;
    auto opened = core::ConsoleService::open(dataDir);
    return opened && !(*opened)->initialized();
}

SetupWizard::SetupWizard(fs::path dataDir, QWidget* parent)
    : QWizard(parent), dataDir_(std::move(dataDir)), state_(std::make_shared<State>()) {
    setWindowTitle(tr("Set up the Ironsight console"));
    setWizardStyle(QWizard::ModernStyle);
    setOption(QWizard::NoBackButtonOnStartPage, true);
    setPage(AdminPage, makeAdminPage());
    setPage(NetworkPage, makeNetworkPage());
    setPage(CertificatePage, makeCertificatePage());
    setPage(DonePage, makeDonePage());
    setStartId(AdminPage);
    setMinimumSize(640, 520);
}

std::shared_ptr<core::ConsoleService> SetupWizard::service() const {
    return done_ ? state_->service : nullptr;
}

QString SetupWizard::errorText() const {
    return doneError_->isHidden() ? QString() : doneError_->text();
}

QWizardPage* SetupWizard::makeAdminPage() {
    auto* page = new HookPage;
    page->setObjectName(QStringLiteral("adminPage"));
    page->setTitle(tr("Administrator account"));
    page->setSubTitle(tr("This account manages users, sites, sensors and certificates."));
    user_ = lineEdit("adminUser", QStringLiteral("admin"));
    password_ = lineEdit("adminPassword");
    password_->setEchoMode(QLineEdit::Password);
    confirm_ = lineEdit("adminConfirm");
    confirm_->setEchoMode(QLineEdit::Password);
    adminError_ = errorLabel("adminError");
    auto* form = new QFormLayout;
    form->addRow(tr("User name"), user_);
    form->addRow(tr("Password"), password_);
    form->addRow(tr("Confirm password"), confirm_);
    auto* layout = new QVBoxLayout(page);
    layout->addLayout(form);
    layout->addWidget(
        helpLabel(tr("At least 12 characters, not the user name, and at least three "
                     "of: lower-case letters, upper-case letters, digits, other "
                     "characters.")));
    layout->addWidget(adminError_);
    layout->addStretch();
    page->validate = [this] { return validateAdmin(); };
    return page;
}

bool SetupWizard::validateAdmin() {
    const std::string user = user_->text().trimmed().toStdString();
    if (user.empty()) {
        showError(adminError_, tr("Enter a user name."));
        return false;
    }
    // The core's policy and its message, as everywhere else in the console.
    if (auto s = core::checkPasswordPolicy(user, password_->text().toStdString()); !s) {
        showError(adminError_, q(s.error().message));
        return false;
    }
    if (password_->text() != confirm_->text()) {
        showError(adminError_, tr("The two passwords differ."));
        return false;
    }
    showError(adminError_, QString());
    return true;
}

QWizardPage* SetupWizard::makeNetworkPage() {
    auto* page = new HookPage;
    page->setObjectName(QStringLiteral("networkPage"));
    page->setTitle(tr("Sensor connections"));
    page->setSubTitle(tr("Where the console listens for its sensors."));
    linkListen_ = lineEdit("linkListen", QString::fromLatin1(core::kDefaultLinkListen));
    enrollListen_ = lineEdit("enrollListen", QString::fromLatin1(core::kDefaultEnrollListen));
    networkError_ = errorLabel("networkError");
    auto* form = new QFormLayout;
    form->addRow(tr("Link (sensor data, mutual TLS)"), linkListen_);
    form->addRow(tr("Enrollment (activation)"), enrollListen_);
    auto* layout = new QVBoxLayout(page);
    layout->addLayout(form);
    layout->addWidget(helpLabel(
        tr("HOST:PORT. Use an address your sensors can reach (0.0.0.0 listens on every "
           "interface). Activation files carry these addresses; the enrollment port is open only "
           "while an activation is pending.")));
    layout->addWidget(networkError_);
    layout->addStretch();
    page->validate = [this] { return validateNetwork(); };
    return page;
}

bool SetupWizard::validateNetwork() {
    for (QLineEdit* edit : {linkListen_, enrollListen_}) {
        if (!validListen(edit->text())) {
            showError(networkError_,
                      tr("'%1' is not HOST:PORT with a port from 1 to 65535.").arg(edit->text()));
            return false;
        }
    }
    if (linkListen_->text().trimmed() == enrollListen_->text().trimmed()) {
        showError(networkError_, tr("The link and enrollment listeners need different ports."));
        return false;
    }
    showError(networkError_, QString());
    return true;
}

QWizardPage* SetupWizard::makeCertificatePage() {
    auto* page = new HookPage;
    page->setObjectName(QStringLiteral("certificatePage"));
    page->setTitle(tr("Console certificate"));
    page->setSubTitle(tr("The certificate sensors check when they connect to the console."));
    generate_ =
        new QRadioButton(tr("Generate a certificate authority and certificate "
                            "(recommended)"));
    generate_->setObjectName(QStringLiteral("generateCertificate"));
    import_ = new QRadioButton(tr("Import a certificate signed by your certificate authority"));
    import_->setObjectName(QStringLiteral("importCertificate"));
    generate_->setChecked(true);
    auto* group = new QButtonGroup(page);
    group->addButton(generate_);
    group->addButton(import_);

    importBox_ = new QWidget;
    keyFile_ = lineEdit("keyFile");
    certFile_ = lineEdit("certFile");
    chainFile_ = lineEdit("chainFile");
    passphrase_ = lineEdit("passphrase");
    passphrase_->setEchoMode(QLineEdit::Password);
    auto* form = new QFormLayout(importBox_);
    auto fileRow = [this, form](const QString& label, QLineEdit* edit) {
        auto* browse = new QPushButton(tr("Browse…"));
        connect(browse, &QPushButton::clicked, this, [this, edit, label] {
            const QString file = QFileDialog::getOpenFileName(this, label, edit->text());
            if (!file.isEmpty()) edit->setText(file);
        });
        auto* row = new QHBoxLayout;
        row->addWidget(edit, 1);
        row->addWidget(browse);
        form->addRow(label, row);
    };
    fileRow(tr("Private key (PEM)"), keyFile_);
    fileRow(tr("Certificate (PEM)"), certFile_);
    fileRow(tr("CA chain up to the root (PEM)"), chainFile_);
    form->addRow(tr("Key passphrase (if encrypted)"), passphrase_);
    importBox_->setEnabled(false);
    connect(import_, &QRadioButton::toggled, importBox_, &QWidget::setEnabled);
    certError_ = errorLabel("certificateError");

    auto* layout = new QVBoxLayout(page);
    layout->addWidget(generate_);
    layout->addWidget(
        helpLabel(tr("The console creates its own certificate authority. Sensors "
                     "trust it through their activation files.")));
    layout->addWidget(import_);
    layout->addWidget(importBox_);
    layout->addWidget(helpLabel(
        tr("The certificate must name console.ironsight (the name sensors check). Sensors "
           "activated from now on also trust your root CA; the console's own certificate "
           "authority still issues every sensor certificate.")));
    layout->addWidget(certError_);
    layout->addStretch();
    page->validate = [this] { return validateCertificate(); };
    return page;
}

bool SetupWizard::readImportFiles(core::CertificateImport& files) {
    auto read = [this](QLineEdit* edit, const QString& what, std::string& out, bool required) {
        const QString name = edit->text().trimmed();
        if (name.isEmpty()) {
            if (required) showError(certError_, tr("Choose the %1 file.").arg(what));
            return !required;
        }
        QFile file(name);
        if (!file.open(QIODevice::ReadOnly) || file.size() > (1 << 20)) {
            showError(certError_, tr("Cannot read %1.").arg(name));
            return false;
        }
        out = file.readAll().toStdString();
        return true;
    };
    if (!read(keyFile_, tr("private key"), files.keyPem, true) ||
        !read(certFile_, tr("certificate"), files.certPem, true) ||
        !read(chainFile_, tr("chain"), files.chainPem, false)) {
        return false;
    }
    if (!passphrase_->text().isEmpty()) files.passphrase = passphrase_->text().toStdString();
    return true;
}

bool SetupWizard::validateCertificate() {
    showError(certError_, QString());
    if (!import_->isChecked()) return true;
    core::CertificateImport files;
    if (!readImportFiles(files)) return false;
    // The same checks as the import itself (no Argon2 or key generation: quick enough here), so
    // a bad file is reported before anything is written.
    auto checked = core::checkServerIdentity(files, core::nowMs());
    if (!checked) {
        showError(certError_, q(checked.error().message));
        return false;
    }
    return true;
}

QWizardPage* SetupWizard::makeDonePage() {
    auto* page = new HookPage;
    page->setObjectName(QStringLiteral("donePage"));
    page->setTitle(tr("Console ready"));
    progress_ = new QLabel;
    progress_->setObjectName(QStringLiteral("setupProgress"));
    progress_->setWordWrap(true);
    doneError_ = errorLabel("setupError");
    doneBox_ = new QWidget;
    auto* box = new QVBoxLayout(doneBox_);
    box->setContentsMargins(0, 0, 0, 0);
    box->addWidget(
        helpLabel(tr("Fingerprint (SHA-256) of the console certificate authority. "
                     "When a sensor is activated it prints this fingerprint: compare "
                     "the two.")));
    fingerprint_ = lineEdit("caFingerprint");
    fingerprint_->setReadOnly(true);
    fingerprint_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    auto* copy = new QPushButton(tr("Copy"));
    copy->setObjectName(QStringLiteral("copyFingerprint"));
    connect(copy, &QPushButton::clicked, this,
            [this] { QGuiApplication::clipboard()->setText(fingerprint_->text()); });
    auto* row = new QHBoxLayout;
    row->addWidget(fingerprint_, 1);
    row->addWidget(copy);
    box->addLayout(row);
    certificateSummary_ = new QLabel;
    certificateSummary_->setObjectName(QStringLiteral("certificateSummary"));
    certificateSummary_->setWordWrap(true);
    box->addWidget(certificateSummary_);
    nextSteps_ = new QLabel;
    nextSteps_->setObjectName(QStringLiteral("nextSteps"));
    nextSteps_->setWordWrap(true);
    nextSteps_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    box->addWidget(nextSteps_);
    doneBox_->hide();
    auto* layout = new QVBoxLayout(page);
    layout->addWidget(progress_);
    layout->addWidget(doneError_);
    layout->addWidget(doneBox_);
    layout->addStretch();
    page->initialize = [this] { startSetup(); };
    page->complete = [this] { return done_; };
    return page;
}

void SetupWizard::startSetup() {
    if (running_ || done_) return;
    Inputs in;
    in.user = user_->text().trimmed().toStdString();
    in.password = password_->text().toStdString();
    in.link = linkListen_->text().trimmed().toStdString();
    in.enroll = enrollListen_->text().trimmed().toStdString();
    in.import = import_->isChecked();
    if (in.import && !readImportFiles(in.files)) {
        showError(doneError_, certError_->text());
        return;
    }
    running_ = true;
    setOption(QWizard::DisabledBackButtonOnLastPage, true);
    button(QWizard::CancelButton)->setEnabled(false);
    showError(doneError_, QString());
    doneBox_->hide();
    progress_->setText(tr("Setting up the console in %1…").arg(q(dataDir_.string())));
    progress_->show();

    QPointer<SetupWizard> self(this);
    std::shared_ptr<State> state = state_;
    const fs::path dataDir = dataDir_;
    // Argon2id and key generation take a moment: never on the GUI thread. The worker holds the
    // state, so closing the wizard meanwhile is safe.
    QThreadPool::globalInstance()->start([self, state, dataDir, in] {
        Outcome out;
        [&] {
            if (!state->service) {
                auto opened = core::ConsoleService::open(
                    dataDir, {core::hostOf(in.link), core::hostOf(in.enroll)});
                if (!opened) return void(out.error = opened.error().message);
                state->service = std::move(*opened);
            }
            core::ConsoleService& service = *state->service;
            if (!state->initialized) {
                if (auto s = service.init(in.user, in.password, in.link, in.enroll,
                                          /*mustChangePassword=*/false);
                    !s) {
                    return void(out.error = s.error().message);
                }
                state->initialized = true;
            }
            auto session = service.signIn(in.user, in.password, "desktop");
            if (!session) return void(out.error = session.error().message);
            out.session = *session;
            if (in.import) {
                // As the new admin: audited under their name.
                auto imported = service.importServerCertificate(*session, in.files);
                if (!imported) return void(out.error = imported.error().message);
            } else if (auto current = service.linkIdentity(); current && current->imported) {
                // An earlier attempt imported; the admin went back and chose to generate.
                if (auto s = service.useGeneratedCertificate(*session); !s)
                    return void(out.error = s.error().message);
            }
            out.caFingerprint = service.caFingerprint();
            auto identity = service.linkIdentity();
            if (!identity) return void(out.error = identity.error().message);
            out.identity = *identity;
        }();
        QMetaObject::invokeMethod(QCoreApplication::instance(), [self, out] {
            if (!self) return;
            self->running_ = false;
            self->button(QWizard::CancelButton)->setEnabled(true);
            self->progress_->hide();
            if (!out.error.empty()) {
                self->setOption(QWizard::DisabledBackButtonOnLastPage, false);
                showError(
                    self->doneError_,
                    tr("Setup failed: %1. Go back to change your choices.").arg(q(out.error)));
                emit self->setupFinished(false);
                return;
            }
            self->session_ = out.session;
            self->done_ = true;
            self->fingerprint_->setText(q(out.caFingerprint));
            const core::CertificateSummary& c = out.identity->certificate;
            self->certificateSummary_->setText(
                out.identity->imported
                    ? tr("Link certificate: imported, %1, valid until %2.")
                          .arg(q(c.subject), q(core::formatUtc(c.notAfterMs)))
                    : tr("Link certificate: issued by the console certificate authority, valid "
                         "until %1.")
                          .arg(q(core::formatUtc(c.notAfterMs))));
            self->nextSteps_->setText(
                QStringLiteral("<p><b>%1</b></p><ol><li>%2</li><li>%3</li><li>%4</li></ol>")
                    .arg(tr("What to do next").toHtmlEscaped(),
                         tr("Start the ingest server so sensors can connect: "
                            "ironsight-console --headless --data-dir %1 (or the "
                            "ironsight-console-headless service).")
                             .arg(q(self->dataDir_.string()))
                             .toHtmlEscaped(),
                         tr("Add a sensor: Sensors page, Add sensor…, then save its activation "
                            "file.")
                             .toHtmlEscaped(),
                         tr("Copy the file to the sensor and run ironsight-sensor activate FILE "
                            "there; check that the fingerprint it prints is the one above.")
                             .toHtmlEscaped()));
            self->doneBox_->show();
            if (auto* page = dynamic_cast<HookPage*>(self->page(DonePage))) page->notifyComplete();
            emit self->setupFinished(true);
        });
    });
}

}  // namespace ironsight::console::ui
