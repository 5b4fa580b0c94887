// SPDX-License-Identifier: Apache-2.0
// The Settings page: CA fingerprint, listen addresses, users (admin only), backup, appearance,
// language.
#pragma once

#include <QWidget>

#include "console/ui/ui_context.h"

class QComboBox;
class QLabel;
class QPushButton;
class QTableWidget;

namespace ironsight::console::ui {

class BackupJob;

class SettingsPage final : public QWidget {
    Q_OBJECT
public:
    SettingsPage(UiContext context, bool dark, QWidget* parent = nullptr);

    /// Re-reads the listen addresses and the user list.
    void reload();

    QPushButton* backupButton() const { return backup_; }
    QPushButton* restoreButton() const { return restore_; }
    /// Offers Restore… (the window can hand its service back for it; see MainWindow).
    void setRestoreAvailable(bool available);
    /// The outcome of the last backup or restore, next to the buttons.
    QString backupNote() const;
    void setBackupNote(const QString& text);
    /// Starts the online backup to `path` (BackupJob: progress dialog with Cancel); the outcome
    /// also shows next to the button.
    BackupJob* startBackup(const QString& path);

signals:
    void darkChanged(bool dark);
    void languageChanged(const QString& code);
    /// Restore… chose a backup file; the window checks it, asks, and restores.
    void restoreRequested(const QString& path);

protected:
    void showEvent(QShowEvent* event) override;

private:
    UiContext context_;
    QLabel* fingerprint_ = nullptr;
    QLabel* linkListen_ = nullptr;
    QLabel* enrollListen_ = nullptr;
    QTableWidget* users_ = nullptr;
    QLabel* usersNote_ = nullptr;
    QComboBox* theme_ = nullptr;
    QComboBox* language_ = nullptr;
    QPushButton* backup_ = nullptr;
    QPushButton* restore_ = nullptr;
    bool restoreAvailable_ = false;
    QLabel* backupNote_ = nullptr;
};

}  // namespace ironsight::console::ui
