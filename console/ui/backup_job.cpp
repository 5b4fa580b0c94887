// SPDX-License-Identifier: Apache-2.0
#include "console/ui/backup_job.h"

#include <QLocale>
#include <QPointer>
#include <QProgressDialog>
#include <QTimer>
#include <QtConcurrent/QtConcurrentRun>

namespace ironsight::console::ui {

BackupJob* BackupJob::start(QWidget* parent, const UiContext& context, const QString& path) {
    auto* job = new BackupJob(nullptr);
    auto* dialog =
        new QProgressDialog(tr("Backing up the console database…"), tr("Cancel"), 0, 0, parent);
    dialog->setObjectName(QStringLiteral("backup-progress"));
    dialog->setWindowTitle(tr("Back up"));
    dialog->setMinimumDuration(300);  // a small database never flashes a dialog
    dialog->setAutoClose(false);
    dialog->setAutoReset(false);
    connect(dialog, &QProgressDialog::canceled, job, &BackupJob::cancel);
    connect(job, &BackupJob::progressed, dialog, [dialog](int done, int total) {
        dialog->setMaximum(total);
        dialog->setValue(done);
    });
    connect(job, &BackupJob::finished, dialog, &QObject::deleteLater);
    connect(job, &BackupJob::finished, job, &QObject::deleteLater);

    const std::filesystem::path dest = path.toStdString();
    const UiContext ctx = context;
    auto cancelled = job->cancelled_;
    QPointer<BackupJob> target(job);
    auto post = [target](auto fn) {
        QMetaObject::invokeMethod(
            target.data(),
            [target, fn] {
                if (target) fn(target.data());
            },
            Qt::QueuedConnection);
    };
    QTimer::singleShot(0, job, [=] {
        (void)QtConcurrent::run(ctx.workPool(), [=] {
            if (cancelled->load()) {  // cancelled before the copy began
                const QString message = QString::fromLatin1(core::kBackupCancelled);
                return post([message](BackupJob* j) { emit j->finished(false, message); });
            }
            auto info = ctx.backup(dest, [&](std::int64_t done, std::int64_t total) {
                const int d = static_cast<int>(done), t = static_cast<int>(total);
                post([d, t](BackupJob* j) { emit j->progressed(d, t); });
                return !cancelled->load();
            });
            const bool ok = info.ok();
            const QString message = ok ? tr("Backed up to %1: %2, %n alert(s), schema v%3", nullptr,
                                            static_cast<int>(info->alerts))
                                             .arg(QString::fromStdString(dest.string()),
                                                  QLocale().formattedDataSize(info->bytes))
                                             .arg(info->schemaVersion)
                                       : QString::fromStdString(info.error().message);
            post([ok, message](BackupJob* j) { emit j->finished(ok, message); });
        });
    });
    return job;
}

}  // namespace ironsight::console::ui
