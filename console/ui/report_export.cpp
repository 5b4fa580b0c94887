// SPDX-License-Identifier: Apache-2.0
#include "console/ui/report_export.h"

#include <QFileDialog>
#include <QMessageBox>
#include <QPointer>
#include <QProgressDialog>
#include <QtConcurrent/QtConcurrentRun>

#include "console/report/pdf_report.h"
#include "shared/crypto/crypto.h"

namespace ironsight::console::ui {

ReportExport* ReportExport::start(QWidget* parent, const UiContext& context,
                                  core::ReportKind kind, const QString& filterText,
                                  const QString& path) {
    auto* job = new ReportExport(nullptr);
    auto* dialog = new QProgressDialog(tr("Writing the report…"), tr("Cancel"), 0, 0, parent);
    dialog->setObjectName(QStringLiteral("report-progress"));
    dialog->setWindowTitle(tr("Export report"));
    dialog->setMinimumDuration(300);  // quick reports never flash a dialog
    dialog->setAutoClose(false);
    dialog->setAutoReset(false);
    connect(dialog, &QProgressDialog::canceled, job, &ReportExport::cancel);
    connect(job, &ReportExport::progressed, dialog, [dialog](int done, int total) {
        dialog->setMaximum(total);
        dialog->setValue(done);
    });
    connect(job, &ReportExport::finished, dialog, &QObject::deleteLater);
    connect(job, &ReportExport::finished, job, &QObject::deleteLater);

    core::ReportFilter filter;
    filter.text = filterText.trimmed().toStdString();
    const bool pdf = path.endsWith(QStringLiteral(".pdf"), Qt::CaseInsensitive);
    const std::string file = path.toStdString();
    core::ConsoleService* service = context.service;
    std::optional<core::Session> session = context.session;
    auto cancelled = job->cancelled_;
    QPointer<ReportExport> target(job);
    // The worker reports through queued invocations; `target` guards against a job that
    // already finished.
    auto post = [target](auto fn) {
        QMetaObject::invokeMethod(
            target.data(), [target, fn] {
                if (target) fn(target.data());
            },
            Qt::QueuedConnection);
    };
    (void)QtConcurrent::run(context.workPool(), [=] {
        auto table = service->report(session ? &*session : nullptr, kind, filter);
        if (!table) {
            const QString message = QString::fromStdString(table.error().message);
            post([message](ReportExport* j) { emit j->finished(false, message); });
            return;
        }
        const int total = static_cast<int>(table->rows.size());
        Status status;
        if (cancelled->load()) {
            status = makeError("cancelled");
        } else if (pdf) {
            status = report::writePdfReport(
                *table, file, [&](std::size_t done, std::size_t) {
                    const int d = static_cast<int>(done);
                    post([d, total](ReportExport* j) { emit j->progressed(d, total); });
                    return !cancelled->load();
                });
        } else {
            auto perms = std::filesystem::perms::owner_read | std::filesystem::perms::owner_write |
                         std::filesystem::perms::group_read;
            status = crypto::writeFileAtomic(file, core::reportToCsv(*table), perms);
        }
        const bool ok = status.ok();
        const QString message =
            ok ? tr("Wrote %n row(s) to %1", nullptr, total).arg(QString::fromStdString(file))
               : QString::fromStdString(status.error().message);
        post([ok, message](ReportExport* j) { emit j->finished(ok, message); });
    });
    return job;
}

void ReportExport::askAndStart(QWidget* parent, const UiContext& context, core::ReportKind kind,
                               const QString& filterText) {
    const QString base = kind == core::ReportKind::Devices ? QStringLiteral("inventory")
                                                           : QStringLiteral("alerts");
    QString selected;
    const QString path = QFileDialog::getSaveFileName(
        parent, tr("Export report"), base + QStringLiteral(".pdf"),
        tr("PDF report (*.pdf);;CSV spreadsheet (*.csv)"), &selected);
    if (path.isEmpty()) return;
    auto* job = start(parent, context, kind, filterText, path);
    QPointer<QWidget> owner(parent);
    connect(job, &ReportExport::finished, parent, [owner](bool ok, const QString& message) {
        if (!owner) return;
        if (ok) {
            QMessageBox::information(owner, tr("Export report"), message);
        } else if (message != QStringLiteral("cancelled")) {
            QMessageBox::warning(owner, tr("Export report"),
                                 tr("The report was not written: %1").arg(message));
        }
    });
}

}  // namespace ironsight::console::ui
