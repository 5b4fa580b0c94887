// SPDX-License-Identifier: Apache-2.0
// Sign-in and password change dialogs over the console core's session API.
#include "console/ui/sign_in_dialog.h"

#include <QCoreApplication>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPointer>
#include <QPushButton>
#include <QThreadPool>
#include <QVBoxLayout>

namespace ironsight::console::ui {

namespace {
QLabel* makeErrorLabel() {
    auto* label = new QLabel;
    label->setObjectName(QStringLiteral("errorLabel"));
    label->setWordWrap(true);
    label->setStyleSheet(QStringLiteral("color: #b00020;"));
    label->hide();
    return label;
}

void showError(QLabel* label, const QString& text) {
    label->setText(text);
    label->setVisible(!text.isEmpty());
}
}  // namespace

SignInDialog::SignInDialog(core::ConsoleService& service, QWidget* parent)
    : QDialog(parent), service_(service) {
    setWindowTitle(tr("Sign in — Ironsight"));
    auto* heading = new QLabel(QStringLiteral("<h2>Ironsight</h2><p>%1</p>")
                                   .arg(tr("Sign in to the console.").toHtmlEscaped()));
    user_ = new QLineEdit;
    user_->setObjectName(QStringLiteral("user"));
    password_ = new QLineEdit;
    password_->setObjectName(QStringLiteral("password"));
    password_->setEchoMode(QLineEdit::Password);
    error_ = makeErrorLabel();
    auto* form = new QFormLayout;
    form->addRow(tr("User name"), user_);
    form->addRow(tr("Password"), password_);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Cancel);
    signIn_ = buttons->addButton(tr("Sign in"), QDialogButtonBox::AcceptRole);
    connect(buttons, &QDialogButtonBox::accepted, this, &SignInDialog::submit);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(heading);
    layout->addLayout(form);
    layout->addWidget(error_);
    layout->addWidget(buttons);
    signIn_->setDefault(true);  // Return signs in (only works once the button is in the dialog)
    setMinimumWidth(380);
}

QString SignInDialog::errorText() const {
    return error_->isHidden() ? QString() : error_->text();
}

void SignInDialog::submit() {
    if (user_->text().trimmed().isEmpty()) {
        showError(error_, tr("Enter your user name."));
        return;
    }
    signIn_->setEnabled(false);
    showError(error_, QString());
    QPointer<SignInDialog> self(this);
    core::ConsoleService* service = &service_;
    const std::string user = user_->text().trimmed().toStdString();
    const std::string password = password_->text().toStdString();
    // Argon2id takes a noticeable moment: never on the GUI thread.
    QThreadPool::globalInstance()->start([self, service, user, password] {
        auto result = service->signIn(user, password, "desktop");
        QMetaObject::invokeMethod(
            QCoreApplication::instance(),
            [self, result] {
                if (self) self->finish(result);
            },
            Qt::QueuedConnection);
    });
}

void SignInDialog::finish(const Result<core::Session>& result) {
    signIn_->setEnabled(true);
    if (!result) {
        showError(error_, QString::fromStdString(result.error().message));
        password_->clear();
        password_->setFocus();
    } else {
        session_ = *result;
        accept();
    }
    emit attemptFinished();
}

ChangePasswordDialog::ChangePasswordDialog(core::ConsoleService& service, core::Session& session,
                                           bool forced, QWidget* parent)
    : QDialog(parent), service_(service), session_(session) {
    setWindowTitle(tr("Change password — Ironsight"));
    auto* intro = new QLabel(
        forced ? tr("Your password was set by an administrator. Choose a new password before you "
                    "continue.")
               : tr("Choose a new password."));
    intro->setWordWrap(true);
    auto* rule =
        new QLabel(tr("At least 12 characters, not your user name, and at least 3 of: "
                      "lower-case, upper-case, digits, symbols."));
    rule->setWordWrap(true);
    current_ = new QLineEdit;
    current_->setObjectName(QStringLiteral("current"));
    new_ = new QLineEdit;
    new_->setObjectName(QStringLiteral("new"));
    confirm_ = new QLineEdit;
    confirm_->setObjectName(QStringLiteral("confirm"));
    for (auto* edit : {current_, new_, confirm_}) edit->setEchoMode(QLineEdit::Password);
    error_ = makeErrorLabel();
    auto* form = new QFormLayout;
    form->addRow(tr("Current password"), current_);
    form->addRow(tr("New password"), new_);
    form->addRow(tr("Repeat new password"), confirm_);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Cancel);
    QPushButton* change = buttons->addButton(tr("Change password"), QDialogButtonBox::AcceptRole);
    connect(buttons, &QDialogButtonBox::accepted, this, &ChangePasswordDialog::submit);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addWidget(rule);
    layout->addLayout(form);
    layout->addWidget(error_);
    layout->addWidget(buttons);
    change->setDefault(true);
    setMinimumWidth(420);
}

QString ChangePasswordDialog::errorText() const {
    return error_->isHidden() ? QString() : error_->text();
}

void ChangePasswordDialog::submit() {
    if (new_->text() != confirm_->text()) {
        showError(error_, tr("The new passwords do not match."));
        return;
    }
    const Status changed = service_.changePassword(session_, current_->text().toStdString(),
                                                   new_->text().toStdString());
    if (!changed) {
        showError(error_, QString::fromStdString(changed.error().message));
        return;
    }
    // The core clears the forced-change flag; read it back into the session.
    if (const Status refreshed = service_.refreshSession(session_); !refreshed) {
        showError(error_, QString::fromStdString(refreshed.error().message));
        return;
    }
    accept();
}

std::optional<core::Session> signInInteractively(core::ConsoleService& service) {
    SignInDialog signIn(service);
    if (signIn.exec() != QDialog::Accepted || !signIn.session()) return std::nullopt;
    core::Session session = *signIn.session();
    if (session.mustChangePassword) {
        ChangePasswordDialog change(service, session, true);
        if (change.exec() != QDialog::Accepted) {
            service.signOut(session);
            return std::nullopt;
        }
    }
    return session;
}

}  // namespace ironsight::console::ui
