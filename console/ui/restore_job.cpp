// SPDX-License-Identifier: Apache-2.0
#include "console/ui/restore_job.h"

#include <QPointer>
#include <QThreadPool>
#include <QtConcurrent/QtConcurrentRun>

namespace ironsight::console::ui {

namespace {
/// Hands a worker's outcome to `job` on the GUI thread (nothing when the job is gone).
void post(const QPointer<RestoreJob>& job, std::function<void(RestoreJob*)> fn) {
    QMetaObject::invokeMethod(
        job.data(),
        [job, fn = std::move(fn)] {
            if (job) fn(job.data());
        },
        Qt::QueuedConnection);
}
}  // namespace

RestoreJob* RestoreJob::verify(QThreadPool* pool, const QString& path) {
    auto* job = new RestoreJob(nullptr);
    connect(job, &RestoreJob::finished, job, &QObject::deleteLater);
    const std::filesystem::path file = path.toStdString();
    QPointer<RestoreJob> target(job);
    (void)QtConcurrent::run(pool, [target, file] {
        auto info = core::verifyBackup(file);
        post(target, [info](RestoreJob* j) {
            if (info) j->info_ = *info;
            emit j->finished(info.ok(),
                             info ? QString() : QString::fromStdString(info.error().message));
        });
    });
    return job;
}

RestoreJob* RestoreJob::restore(QThreadPool* pool, const std::filesystem::path& dataDir,
                                const QString& path, const core::AuditActor& by) {
    auto* job = new RestoreJob(nullptr);
    connect(job, &RestoreJob::finished, job, &QObject::deleteLater);
    const std::filesystem::path file = path.toStdString();
    QPointer<RestoreJob> target(job);
    (void)QtConcurrent::run(pool, [target, dataDir, file, by] {
        auto restored = core::restoreDatabase(dataDir, file, by);
        post(target, [restored](RestoreJob* j) {
            if (restored) {
                j->info_ = restored->restored;
                j->previous_ = QString::fromStdString(restored->previous.string());
            }
            emit j->finished(restored.ok(), restored
                                                ? QString()
                                                : QString::fromStdString(restored.error().message));
        });
    });
    return job;
}

}  // namespace ironsight::console::ui
