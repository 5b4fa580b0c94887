// SPDX-License-Identifier: Apache-2.0
// The Settings page over the console core (SPEC §4.1: the operator compares the CA fingerprint).
#include "console/ui/settings_page.h"

#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QDateTime>
#include <QFileDialog>
#include <QFontDatabase>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMessageBox>
#include <QPointer>
#include <QPushButton>
#include <QScrollArea>
#include <QTableWidget>
#include <QVBoxLayout>

#include "console/ui/backup_job.h"
#include "console/ui/language.h"

namespace ironsight::console::ui {

namespace {
QString q(const std::string& s) {
    return QString::fromStdString(s);
}

QLabel* selectable(const QString& text = {}) {
    auto* label = new QLabel(text);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    return label;
}

QString roleText(core::Role role) {
    switch (role) {
        case core::Role::Admin:
            return SettingsPage::tr("Admin");
        case core::Role::Analyst:
            return SettingsPage::tr("Security analyst");
        case core::Role::Viewer:
            return SettingsPage::tr("Read-only");
    }
    return {};
}
}  // namespace

SettingsPage::SettingsPage(UiContext context, bool dark, QWidget* parent)
    : QWidget(parent), context_(std::move(context)) {
    auto* content = new QWidget;
    auto* layout = new QVBoxLayout(content);
    layout->addWidget(
        new QLabel(QStringLiteral("<h2>%1</h2>").arg(tr("Settings").toHtmlEscaped())));
    layout->addWidget(new QLabel(
        tr("Signed in as %1 (%2)").arg(q(context_.userName()), roleText(context_.role()))));

    // Certificates: the fingerprint `ironsight-sensor activate` prints must match this one.
    auto* certBox = new QGroupBox(tr("Console certificate authority"));
    auto* certLayout = new QVBoxLayout(certBox);
    auto* certHelp =
        new QLabel(tr("When a sensor is activated, it prints the fingerprint of the console CA "
                      "from its activation file. Compare it with this one before you trust the "
                      "sensor's connection."));
    certHelp->setWordWrap(true);
    fingerprint_ = selectable(q(context_.service->caFingerprint()));
    fingerprint_->setObjectName(QStringLiteral("caFingerprint"));
    fingerprint_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    fingerprint_->setWordWrap(true);
    auto* copy = new QPushButton(tr("Copy"));
    connect(copy, &QPushButton::clicked, this,
            [this] { QGuiApplication::clipboard()->setText(fingerprint_->text()); });
    auto* fpRow = new QHBoxLayout;
    fpRow->addWidget(fingerprint_, 1);
    fpRow->addWidget(copy);
    certLayout->addWidget(certHelp);
    certLayout->addLayout(fpRow);
    layout->addWidget(certBox);

    auto* listenBox = new QGroupBox(tr("Sensor connections"));
    auto* listenForm = new QFormLayout(listenBox);
    linkListen_ = selectable();
    linkListen_->setObjectName(QStringLiteral("linkListen"));
    enrollListen_ = selectable();
    enrollListen_->setObjectName(QStringLiteral("enrollListen"));
    listenForm->addRow(tr("Link (sensor data, mutual TLS)"), linkListen_);
    listenForm->addRow(tr("Enrollment (activation)"), enrollListen_);
    auto* listenHelp =
        new QLabel(tr("Activation files carry these addresses. Change them with "
                      "ironsight-console admin init or --listen / --enroll-listen."));
    listenHelp->setWordWrap(true);
    listenForm->addRow(listenHelp);
    layout->addWidget(listenBox);

    auto* usersBox = new QGroupBox(tr("Users"));
    auto* usersLayout = new QVBoxLayout(usersBox);
    usersNote_ = new QLabel;
    usersNote_->setObjectName(QStringLiteral("usersNote"));
    usersNote_->setWordWrap(true);
    users_ = new QTableWidget(0, 5);
    users_->setObjectName(QStringLiteral("users"));
    users_->setHorizontalHeaderLabels(
        {tr("User"), tr("Role"), tr("State"), tr("Last sign-in"), tr("Created")});
    users_->horizontalHeader()->setStretchLastSection(true);
    users_->verticalHeader()->hide();
    users_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    users_->setSelectionBehavior(QAbstractItemView::SelectRows);
    users_->setMinimumHeight(120);
    users_->setMaximumHeight(240);
    usersLayout->addWidget(usersNote_);
    usersLayout->addWidget(users_);
    layout->addWidget(usersBox);

    // Backup: the online copy runs off the GUI thread (BackupJob). Restore replaces the data:
    // the window checks the file, asks, closes its service and restores (MainWindow).
    auto* backupBox = new QGroupBox(tr("Backup"));
    auto* backupLayout = new QHBoxLayout(backupBox);
    backupNote_ =
        new QLabel(tr("A verified copy of the console database (devices, alerts, "
                      "users, audit log). Restore replaces the console's data with such a "
                      "copy; keep the data directory's pki/ folder with your backups."));
    backupNote_->setObjectName(QStringLiteral("backupNote"));
    backupNote_->setWordWrap(true);
    backup_ = new QPushButton(tr("Back up…"));
    backup_->setObjectName(QStringLiteral("backup"));
    const bool mayBackup = context_.may(core::Action::BackupData);
    backup_->setEnabled(mayBackup);
    if (!mayBackup) backup_->setToolTip(tr("Only administrators can back up the console."));
    restore_ = new QPushButton(tr("Restore…"));
    restore_->setObjectName(QStringLiteral("restore"));
    setRestoreAvailable(false);
    connect(restore_, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getOpenFileName(
            this, tr("Restore"), QString(), tr("Console backup (*.db);;All files (*)"));
        if (!path.isEmpty()) emit restoreRequested(path);
    });
    connect(backup_, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getSaveFileName(
            this, tr("Back up"),
            QStringLiteral("console-%1.db")
                .arg(QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmm"))),
            tr("Console backup (*.db)"));
        if (path.isEmpty()) return;
        QPointer<SettingsPage> self(this);
        connect(startBackup(path), &BackupJob::finished, this,
                [self](bool ok, const QString& message) {
                    if (!self) return;
                    if (ok)
                        QMessageBox::information(self, tr("Back up"), message);
                    else if (message != QString::fromLatin1(core::kBackupCancelled))
                        QMessageBox::warning(self, tr("Back up"),
                                             tr("No backup was written: %1").arg(message));
                });
    });
    backupLayout->addWidget(backupNote_, 1);
    backupLayout->addWidget(backup_);
    backupLayout->addWidget(restore_);
    layout->addWidget(backupBox);

    auto* lookBox = new QGroupBox(tr("Appearance and language"));
    auto* lookForm = new QFormLayout(lookBox);
    theme_ = new QComboBox;
    theme_->setObjectName(QStringLiteral("theme"));
    theme_->addItem(tr("Light"));
    theme_->addItem(tr("Dark"));
    theme_->setCurrentIndex(dark ? 1 : 0);
    connect(theme_, &QComboBox::currentIndexChanged, this,
            [this](int index) { emit darkChanged(index == 1); });
    language_ = new QComboBox;
    language_->setObjectName(QStringLiteral("language"));
    for (const auto& [code, name] : availableLanguages()) {
        language_->addItem(name, code);
        if (code == currentLanguage()) language_->setCurrentIndex(language_->count() - 1);
    }
    connect(language_, &QComboBox::currentIndexChanged, this,
            [this](int index) { emit languageChanged(language_->itemData(index).toString()); });
    lookForm->addRow(tr("Palette"), theme_);
    lookForm->addRow(tr("Language"), language_);
    layout->addWidget(lookBox);
    layout->addStretch(1);

    auto* scroll = new QScrollArea;
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidget(content);
    auto* outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    outer->addWidget(scroll);
    reload();
}

BackupJob* SettingsPage::startBackup(const QString& path) {
    auto* job = BackupJob::start(this, context_, path);
    backup_->setEnabled(false);  // one at a time, and no restore meanwhile
    restore_->setEnabled(false);
    QPointer<SettingsPage> self(this);
    connect(job, &BackupJob::finished, this, [self](bool ok, const QString& message) {
        if (!self) return;
        self->backup_->setEnabled(self->context_.may(core::Action::BackupData));
        self->setRestoreAvailable(self->restoreAvailable_);
        self->backupNote_->setText(ok ? message
                                   : message == QString::fromLatin1(core::kBackupCancelled)
                                       ? tr("Backup cancelled; no file was written.")
                                       : tr("No backup was written: %1").arg(message));
    });
    return job;
}

void SettingsPage::setRestoreAvailable(bool available) {
    restoreAvailable_ = available;
    // Admin only, like the backup: a restore replaces users, alerts and the audit log.
    const bool mayRestore = context_.may(core::Action::BackupData);
    restore_->setEnabled(available && mayRestore);
    restore_->setToolTip(!mayRestore  ? tr("Only administrators can restore the console.")
                         : !available ? tr("Restore with ironsight-console admin restore while "
                                           "the console is stopped.")
                                      : tr("Replace the console's data with a backup file"));
}

QString SettingsPage::backupNote() const {
    return backupNote_->text();
}

void SettingsPage::setBackupNote(const QString& text) {
    backupNote_->setText(text);
}

void SettingsPage::showEvent(QShowEvent* event) {
    reload();
    QWidget::showEvent(event);
}

void SettingsPage::reload() {
    linkListen_->setText(q(context_.service->linkListen()));
    enrollListen_->setText(q(context_.service->enrollListen()));
    users_->setRowCount(0);
    if (!context_.may(core::Action::ListUsers)) {
        usersNote_->setText(tr("Only administrators can see and manage users."));
        users_->hide();
        return;
    }
    auto users = context_.listUsers();
    if (!users) {
        usersNote_->setText(q(users.error().message));
        users_->hide();
        return;
    }
    usersNote_->setText(
        tr("Users: %1. Add, disable or reset users with ironsight-console admin user.")
            .arg(users->size()));
    users_->show();
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    auto when = [](std::int64_t ms) {
        return ms > 0
                   ? QDateTime::fromMSecsSinceEpoch(ms).toString(QStringLiteral("yyyy-MM-dd HH:mm"))
                   : QStringLiteral("—");
    };
    for (const auto& u : *users) {
        const int row = users_->rowCount();
        users_->insertRow(row);
        QString state = u.disabled              ? tr("disabled")
                        : u.lockedUntilMs > now ? tr("locked")
                        : u.mustChangePassword  ? tr("must change password")
                                                : tr("enabled");
        const QStringList cells = {q(u.name), roleText(u.role), state, when(u.lastSignInMs),
                                   when(u.createdAtMs)};
        for (int c = 0; c < cells.size(); ++c)
            users_->setItem(row, c, new QTableWidgetItem(cells[c]));
    }
    users_->resizeColumnsToContents();
}

}  // namespace ironsight::console::ui
