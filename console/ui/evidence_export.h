// SPDX-License-Identifier: Apache-2.0
// "Export evidence…" on the Alerts page: asks the alert's sensor for the packets it kept around
// the alert (an evidence_request command, as `admin alert evidence` does), waits for the answer
// off the GUI thread behind a progress dialog that can cancel, and writes the pcap.
#pragma once

#include <QObject>
#include <QString>
#include <atomic>
#include <memory>

#include "console/ui/ui_context.h"

class QWidget;

namespace ironsight::console::ui {

/// One evidence export. Emits finished() once, on the GUI thread, then deletes itself.
class EvidenceExport final : public QObject {
    Q_OBJECT

public:
    /// What a finished export means.
    enum class Outcome { Written, Failed, Queued, Cancelled };
    Q_ENUM(Outcome)

    /// Reuses an earlier answered (or still open) request for `alert`, else issues one; waits up
    /// to `waitMs` for the sensor's answer, then writes the pcap to `path`. `parent` (may be
    /// null) owns the progress dialog, shown once the sensor has to be asked.
    static EvidenceExport* start(QWidget* parent, const UiContext& context,
                                 const core::AlertKey& alert, const QString& path,
                                 int waitMs = 60'000);

    void cancel() { cancelled_->store(true); }

signals:
    /// Written: `message` says what was written. Otherwise `message` is the one-line reason
    /// (the sensor's failure, "the request stays queued…", the core's refusal) and no file
    /// was written.
    void finished(ironsight::console::ui::EvidenceExport::Outcome outcome, const QString& message);
    /// "Asking sensor s1…", "Waiting for the sensor's answer…".
    void stage(const QString& text);

private:
    explicit EvidenceExport(QObject* parent) : QObject(parent) {}
    std::shared_ptr<std::atomic<bool>> cancelled_ = std::make_shared<std::atomic<bool>>(false);
};

}  // namespace ironsight::console::ui
