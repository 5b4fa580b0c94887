// SPDX-License-Identifier: Apache-2.0
// "Export report…" on the Inventory and Alerts pages: the page's filter text becomes the
// report filter; building the table and writing the CSV/PDF run off the GUI thread behind a
// progress dialog that can cancel.
#pragma once

#include <QObject>
#include <QString>
#include <atomic>
#include <memory>

#include "console/core/report.h"
#include "console/ui/ui_context.h"

class QProgressDialog;
class QWidget;

namespace ironsight::console::ui {

/// One report export. Emits finished() once, on the GUI thread, then deletes itself.
class ReportExport final : public QObject {
    Q_OBJECT

public:
    /// Starts writing `kind` filtered by `filterText` to `path` (.pdf → PDF, else CSV).
    /// `parent` (may be null) owns the progress dialog.
    static ReportExport* start(QWidget* parent, const UiContext& context, core::ReportKind kind,
                               const QString& filterText, const QString& path);

    /// Asks the user for a file, then start(). Does nothing when the dialog is cancelled.
    static void askAndStart(QWidget* parent, const UiContext& context, core::ReportKind kind,
                            const QString& filterText);

    void cancel() { cancelled_->store(true); }

signals:
    /// ok: the file is complete; otherwise `message` says why (or "cancelled") and no file
    /// was left behind.
    void finished(bool ok, const QString& message);
    void progressed(int done, int total);

private:
    explicit ReportExport(QObject* parent) : QObject(parent) {}
    std::shared_ptr<std::atomic<bool>> cancelled_ = std::make_shared<std::atomic<bool>>(false);
};

}  // namespace ironsight::console::ui
