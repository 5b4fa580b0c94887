// SPDX-License-Identifier: Apache-2.0
// The sign-in dialog shown before the main window, and the forced password change dialog.
#pragma once

#include <QDialog>
#include <optional>

#include "console/core/console_service.h"

class QLabel;
class QLineEdit;
class QPushButton;

namespace ironsight::console::ui {

/// Asks for user name and password and signs in through ConsoleService::signIn (source
/// "desktop"). The check (Argon2id, lockout) runs off the GUI thread; the core's error text is
/// shown as is. Accepted once a session exists.
class SignInDialog final : public QDialog {
    Q_OBJECT
public:
    explicit SignInDialog(core::ConsoleService& service, QWidget* parent = nullptr);

    /// The session after a successful sign-in.
    const std::optional<core::Session>& session() const { return session_; }
    /// The message of the last failure (empty when none).
    QString errorText() const;

signals:
    /// Emitted when a sign-in attempt finished (success or failure).
    void attemptFinished();

private:
    void submit();
    void finish(const Result<core::Session>& result);

    core::ConsoleService& service_;
    QLineEdit* user_ = nullptr;
    QLineEdit* password_ = nullptr;
    QLabel* error_ = nullptr;
    QPushButton* signIn_ = nullptr;
    std::optional<core::Session> session_;
};

/// Sets a new password for `session` (current, new, confirmation) through
/// ConsoleService::changePassword; shows the core's policy errors. Accepted once changed.
class ChangePasswordDialog final : public QDialog {
    Q_OBJECT
public:
    ChangePasswordDialog(core::ConsoleService& service, core::Session& session, bool forced,
                         QWidget* parent = nullptr);
    QString errorText() const;

private:
    void submit();

    core::ConsoleService& service_;
    core::Session& session_;
    QLineEdit* current_ = nullptr;
    QLineEdit* new_ = nullptr;
    QLineEdit* confirm_ = nullptr;
    QLabel* error_ = nullptr;
};

/// Runs sign-in, then the forced password change when the session requires it. Returns the
/// session, or nothing when the user cancelled.
std::optional<core::Session> signInInteractively(core::ConsoleService& service);

}  // namespace ironsight::console::ui
