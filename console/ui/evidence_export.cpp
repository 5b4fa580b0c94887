// SPDX-License-Identifier: Apache-2.0
#include "console/ui/evidence_export.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>
#include <QProgressDialog>
#include <QtConcurrent/QtConcurrentRun>
#include <chrono>
#include <optional>
#include <thread>

#include "shared/crypto/crypto.h"

namespace ironsight::console::ui {
namespace {

/// The newest evidence_request for `alert` that did not fail (answered or still open).
std::optional<core::CommandRow> findRequest(core::ConsoleService& service,
                                            const core::AlertKey& alert, QString* error) {
    auto rows = service.listCommands(alert.sensorId);
    if (!rows) {
        *error = QString::fromStdString(rows.error().message);
        return std::nullopt;
    }
    for (const auto& c : *rows) {  // newest first
        if (c.kind != "evidence_request" || c.state == "failed") continue;
        const QJsonObject args =
            QJsonDocument::fromJson(QByteArray::fromStdString(c.arguments)).object();
        if (args.value(QStringLiteral("alert_id")).toString().toStdString() == alert.alertId)
            return c;
    }
    return std::nullopt;
}

/// The sensor's connection state ("connected", "disconnected", "never connected", ...).
std::string sensorStateOf(core::ConsoleService& service, const std::string& sensorId) {
    auto sensors = service.listSensors();
    if (!sensors) return {};
    for (const auto& s : *sensors) {
        if (s.id == sensorId) return core::sensorState(s, core::nowMs());
    }
    return {};
}

}  // namespace

EvidenceExport* EvidenceExport::start(QWidget* parent, const UiContext& context,
                                      const core::AlertKey& alert, const QString& path,
                                      int waitMs) {
    auto* job = new EvidenceExport(nullptr);
    auto* dialog = new QProgressDialog(tr("Looking for the evidence…"), tr("Cancel"), 0, 0, parent);
    dialog->setObjectName(QStringLiteral("evidence-progress"));
    dialog->setWindowTitle(tr("Export evidence"));
    dialog->setAutoClose(false);
    dialog->setAutoReset(false);
    dialog->setMinimumDuration(0);
    dialog->hide();  // a stored answer is written at once: no dialog flashes
    connect(dialog, &QProgressDialog::canceled, job, &EvidenceExport::cancel);
    connect(job, &EvidenceExport::stage, dialog, [dialog](const QString& text) {
        dialog->setLabelText(text);
        dialog->show();
    });
    connect(job, &EvidenceExport::finished, dialog, &QObject::deleteLater);
    connect(job, &EvidenceExport::finished, job, &QObject::deleteLater);

    const std::string file = path.toStdString();
    const UiContext ctx = context;
    auto cancelled = job->cancelled_;
    QPointer<EvidenceExport> target(job);
    auto post = [target](auto fn) {
        QMetaObject::invokeMethod(
            target.data(),
            [target, fn] {
                if (target) fn(target.data());
            },
            Qt::QueuedConnection);
    };
    auto finish = [post](Outcome outcome, const QString& message) {
        post([outcome, message](EvidenceExport* j) { emit j->finished(outcome, message); });
    };
    (void)QtConcurrent::run(ctx.workPool(), [=] {
        core::ConsoleService& service = *ctx.service;
        QString error;
        std::optional<core::CommandRow> request = findRequest(service, alert, &error);
        if (!error.isEmpty()) return finish(Outcome::Failed, error);
        if (!request) {
            auto issued = ctx.requestEvidence(alert);
            if (!issued) {
                return finish(Outcome::Failed, QString::fromStdString(issued.error().message));
            }
            request = *issued;
            const QString name = QString::fromStdString(request->sensorName);
            post([name](EvidenceExport* j) { emit j->stage(tr("Asking sensor %1…").arg(name)); });
        }
        const QString sensor = QString::fromStdString(request->sensorName);
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(waitMs);
        bool waiting = false;
        while (request->state != "done" && request->state != "failed") {
            if (cancelled->load()) {
                return finish(Outcome::Cancelled,
                              tr("Cancelled; the request to sensor %1 stays queued.").arg(sensor));
            }
            const std::string state = sensorStateOf(service, alert.sensorId);
            if (state != "connected") {  // it cannot answer now; the link sends it later
                return finish(Outcome::Queued,
                              tr("Sensor %1 is %2: the request stays queued and is sent when "
                                 "it connects. Export again later.")
                                  .arg(sensor, QString::fromStdString(state)));
            }
            if (std::chrono::steady_clock::now() >= deadline) {
                return finish(Outcome::Queued,
                              tr("No answer from sensor %1 within %2 s: the request stays "
                                 "queued. Export again later.")
                                  .arg(sensor)
                                  .arg(waitMs / 1000));
            }
            if (!waiting) {
                waiting = true;
                post([](EvidenceExport* j) {
                    emit j->stage(tr("Waiting for the sensor's answer…"));
                });
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
            auto rows = service.listCommands(alert.sensorId);
            if (!rows) return finish(Outcome::Failed, QString::fromStdString(rows.error().message));
            for (const auto& c : *rows) {
                if (c.id == request->id) request = c;
            }
        }
        if (request->state == "failed") {
            return finish(Outcome::Failed,
                          tr("Sensor %1: %2").arg(sensor, QString::fromStdString(request->result)));
        }
        auto pcap = service.commandPayload(request->id);
        if (!pcap) return finish(Outcome::Failed, QString::fromStdString(pcap.error().message));
        const auto perms = std::filesystem::perms::owner_read |
                           std::filesystem::perms::owner_write | std::filesystem::perms::group_read;
        if (auto w = crypto::writeFileAtomic(file, *pcap, perms); !w) {
            return finish(Outcome::Failed, QString::fromStdString(w.error().message));
        }
        finish(Outcome::Written, tr("Wrote %1 (%n byte(s) of packets from sensor %2).", nullptr,
                                    static_cast<int>(pcap->size()))
                                     .arg(QString::fromStdString(file), sensor));
    });
    return job;
}

}  // namespace ironsight::console::ui
