// SPDX-License-Identifier: Apache-2.0
// "Back up…" in Settings: the online backup of console.db runs off the GUI thread behind a
// progress dialog (pages copied) whose Cancel stops it without leaving a file.
#pragma once

#include <QObject>
#include <QString>
#include <atomic>
#include <memory>

#include "console/ui/ui_context.h"

class QWidget;

namespace ironsight::console::ui {

/// One backup. Emits finished() once, on the GUI thread, then deletes itself.
class BackupJob final : public QObject {
    Q_OBJECT

public:
    /// Backs the console database up to `path` (refused when it exists). The copy starts from
    /// the event loop, so a cancel() right after start() is always seen. `parent` (may be null)
    /// owns the progress dialog.
    static BackupJob* start(QWidget* parent, const UiContext& context, const QString& path);

    void cancel() { cancelled_->store(true); }

signals:
    /// ok: the verified backup is at the path; otherwise `message` says why (core::
    /// kBackupCancelled after a cancel) and no file was left behind.
    void finished(bool ok, const QString& message);
    void progressed(int done, int total);

private:
    explicit BackupJob(QObject* parent) : QObject(parent) {}
    std::shared_ptr<std::atomic<bool>> cancelled_ = std::make_shared<std::atomic<bool>>(false);
};

}  // namespace ironsight::console::ui
