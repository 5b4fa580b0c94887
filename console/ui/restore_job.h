// SPDX-License-Identifier: Apache-2.0
// Settings' "Restore…": checks a backup file, then replaces the console database with it, each
// step off the GUI thread (core::verifyBackup, core::restoreDatabase in console/core/backup.h).
#pragma once

#include <QObject>
#include <QString>
#include <filesystem>

#include "console/core/backup.h"

class QThreadPool;

namespace ironsight::console::ui {

/// One step of a restore. Emits finished() once, on the GUI thread, then deletes itself.
class RestoreJob final : public QObject {
    Q_OBJECT

public:
    /// Checks `path` (integrity, schema, console tables) on `pool`; only reads the file, so the
    /// console stays open meanwhile and abandoning the answer is harmless.
    static RestoreJob* verify(QThreadPool* pool, const QString& path);
    /// Replaces DATA_DIR/console.db with `path` on `pool`. No console may have the directory
    /// open (this process's service must be closed first); the core cannot stop a restore
    /// halfway, so there is no cancel. The restore is audited as `by` (the signed-in admin).
    static RestoreJob* restore(QThreadPool* pool, const std::filesystem::path& dataDir,
                               const QString& path, const core::AuditActor& by);

    /// What the file holds (after a successful step).
    const core::BackupInfo& info() const { return info_; }
    /// Where the replaced database was kept ("" when none; restore only).
    const QString& previous() const { return previous_; }

signals:
    /// ok, or `message` is the core's one-line reason (the data was left as it was).
    void finished(bool ok, const QString& message);

private:
    explicit RestoreJob(QObject* parent) : QObject(parent) {}
    core::BackupInfo info_;
    QString previous_;
};

}  // namespace ironsight::console::ui
