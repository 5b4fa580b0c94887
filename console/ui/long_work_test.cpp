// SPDX-License-Identifier: Apache-2.0
// Alerts page "Export evidence…" and "Assign…", and Settings "Back up…" over a real console
// store: the evidence pcap comes from a sensor answer stored through the ingest path, assignment
// goes through the core's role checks, a cancelled backup leaves no file.
#include <gtest/gtest.h>

#include <QItemSelectionModel>
#include <QMenu>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTextBrowser>
#include <fstream>
#include <iterator>

#include "console/ui/alerts_page.h"
#include "console/ui/backup_job.h"
#include "console/ui/evidence_export.h"
#include "console/ui/main_window.h"
#include "console/ui/settings_page.h"
#include "console/ui/snapshot.h"
#include "console/ui/ui_test_plant.h"
#include "shared/activation/activation.h"
#include "shared/crypto/crypto.h"

namespace ironsight::console::ui {
namespace {

std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

/// A one-packet pcap (little-endian classic format, Ethernet): what a sensor sends back.
std::string onePacketPcap() {
    auto le32 = [](std::uint32_t v) {
        return std::string{static_cast<char>(v), static_cast<char>(v >> 8),
                           static_cast<char>(v >> 16), static_cast<char>(v >> 24)};
    };
    auto le16 = [](std::uint16_t v) {
        return std::string{static_cast<char>(v), static_cast<char>(v >> 8)};
    };
    std::string out =
        le32(0xa1b2c3d4) + le16(2) + le16(4) + le32(0) + le32(0) + le32(65535) + le32(1);
    const std::string frame(60, '\x42');
    out += le32(1700000000) + le32(0) + le32(60) + le32(60) + frame;
    return out;
}

class LongWorkTest : public testing::PlantFixture {
protected:
    std::unique_ptr<MainWindow> window(UiContext context) {
        core::ConsoleService& service = *service_;
        auto w = std::make_unique<MainWindow>([&service] { return loadSnapshot(service); }, "test",
                                              context);
        w->refreshNow();
        w->showPage(w->pageIndex("alerts"));
        return w;
    }
    static void select(AlertsPage& page, const QString& title = {}) {
        QTableView* view = page.table();
        view->clearSelection();
        for (int r = 0; r < view->model()->rowCount(); ++r) {
            const QModelIndex index = view->model()->index(r, 2);
            if (!title.isEmpty() && !index.data().toString().contains(title)) continue;
            view->selectionModel()->setCurrentIndex(
                index, QItemSelectionModel::Select | QItemSelectionModel::Rows);
        }
    }
    core::AlertKey key(const std::string& alertId) {
        auto keys = service_->findAlerts(alertId);
        EXPECT_TRUE(keys.ok() && keys->size() == 1u);
        return keys.ok() && !keys->empty() ? keys->front() : core::AlertKey{};
    }
    std::vector<core::CommandRow> evidenceRequests() {
        std::vector<core::CommandRow> out;
        auto commands = service_->listCommands();
        EXPECT_TRUE(commands.ok());
        for (const auto& c : *commands)
            if (c.kind == "evidence_request") out.push_back(c);
        return out;
    }
    std::vector<core::AlertRow> alerts() {
        auto rows = service_->listAlerts();
        EXPECT_TRUE(rows.ok());
        return rows.ok() ? *rows : std::vector<core::AlertRow>{};
    }
    /// Runs one evidence export of the current alert to the end.
    std::pair<EvidenceExport::Outcome, QString> exportEvidence(AlertsPage& page,
                                                               const std::filesystem::path& path) {
        QString error;
        EvidenceExport* job = page.exportEvidenceTo(QString::fromStdString(path.string()), &error);
        EXPECT_NE(job, nullptr) << error.toStdString();
        if (!job) return {EvidenceExport::Outcome::Failed, error};
        QSignalSpy spy(job, &EvidenceExport::finished);
        EXPECT_TRUE(spy.wait(30'000));
        if (spy.count() != 1) return {EvidenceExport::Outcome::Failed, QStringLiteral("no result")};
        return {spy.at(0).at(0).value<EvidenceExport::Outcome>(), spy.at(0).at(1).toString()};
    }
    std::pair<bool, QString> waitFor(BackupJob* job) {
        QSignalSpy spy(job, &BackupJob::finished);
        EXPECT_TRUE(spy.wait(60'000));
        if (spy.count() != 1) return {false, QStringLiteral("no result")};
        return {spy.at(0).at(0).toBool(), spy.at(0).at(1).toString()};
    }
};

TEST_F(LongWorkTest, EvidenceExportWritesTheSensorsStoredAnswer) {
    ingestPlant();
    const core::Session analyst = sessionFor("ana", core::Role::Analyst);
    // An earlier request, answered by the sensor on its stream: the pcap is in command_payloads.
    auto request = service_->requestEvidence(analyst, key("unauthorized_write"));
    ASSERT_TRUE(request.ok()) << request.error().message;
    const std::string pcap = onePacketPcap();
    ironsight::v1::Batch answer;
    auto* env = answer.add_envelopes();
    env->set_seq(10);
    auto* result = env->mutable_command_result();
    result->set_command_id(request->id);
    result->set_ok(true);
    result->set_message("1 packet around the alert");
    result->set_payload(pcap);
    auto applied = service_->store().applyBatch(s1_, 1, answer, core::nowMs());
    ASSERT_TRUE(applied.ok()) << applied.error().message;

    auto w = window(UiContext{service_.get(), analyst});
    AlertsPage& page = *w->alertsPage();
    select(page, "Unauthorized");
    ASSERT_TRUE(page.evidenceButton()->isEnabled());
    bool inMenu = false;
    for (QAction* a : page.contextMenu()->actions())
        inMenu |= a->text() == page.evidenceButton()->text() && a->isEnabled();
    EXPECT_TRUE(inMenu);

    const auto path = dir_ / "evidence.pcap";
    auto [outcome, message] = exportEvidence(page, path);
    ASSERT_EQ(outcome, EvidenceExport::Outcome::Written) << message.toStdString();
    EXPECT_TRUE(message.contains("s1")) << message.toStdString();
    EXPECT_EQ(slurp(path), pcap);
    EXPECT_EQ(evidenceRequests().size(), 1u);  // the stored answer was reused, nothing re-asked
}

TEST_F(LongWorkTest, EvidenceForASensorThatIsNotConnectedStaysQueued) {
    ingestPlant();
    const core::Session analyst = sessionFor("ana", core::Role::Analyst);
    auto w = window(UiContext{service_.get(), analyst});
    AlertsPage& page = *w->alertsPage();
    select(page, "New Modbus");
    const auto path = dir_ / "queued.pcap";
    auto [outcome, message] = exportEvidence(page, path);
    EXPECT_EQ(outcome, EvidenceExport::Outcome::Queued);
    EXPECT_TRUE(message.contains("stays queued")) << message.toStdString();
    EXPECT_FALSE(std::filesystem::exists(path));
    auto requests = evidenceRequests();
    ASSERT_EQ(requests.size(), 1u);
    EXPECT_EQ(requests[0].state, "pending");
    EXPECT_EQ(requests[0].issuedBy, "ana");
    // Asking again reuses the queued request instead of piling up new ones.
    std::tie(outcome, message) = exportEvidence(page, path);
    EXPECT_EQ(outcome, EvidenceExport::Outcome::Queued);
    EXPECT_EQ(evidenceRequests().size(), 1u);
}

TEST_F(LongWorkTest, EvidenceWaitsForAConnectedSensorAndShowsItsFailure) {
    // A third sensor, enrolled and streaming: "connected", so the export waits for its answer.
    auto added = service_->addSensor("Plant A", "Line 1", "s3");
    ASSERT_TRUE(added.ok()) << added.error().message;
    auto payload = activation::decodeAndVerify(added->activationText, core::nowMs());
    ASSERT_TRUE(payload.ok()) << payload.error().message;
    const std::string& token = payload->enrollment_token();
    core::EnrollAttempt attempt;
    attempt.sensorId = added->sensor.id;
    attempt.tokenSha256Hex = crypto::toHex(
        crypto::sha256({reinterpret_cast<const std::uint8_t*>(token.data()), token.size()}));
    attempt.source = "test";
    auto enrolled = service_->store().enroll(attempt, core::nowMs(),
                                             [] { return Result<std::string>(std::string("01")); });
    ASSERT_TRUE(enrolled.ok()) << enrolled.error().message;
    const std::string s3 = added->sensor.id;
    ASSERT_TRUE(service_->store().beginStream(s3, 1, core::nowMs()).ok());
    ironsight::v1::Batch batch;
    alert(batch, 1, "s3_alert", "a", "b", ironsight::v1::SEVERITY_MINOR, "Alert on s3");
    ASSERT_TRUE(service_->store().applyBatch(s3, 1, batch, core::nowMs()).ok());

    auto w = window(UiContext{service_.get(), std::nullopt});
    AlertsPage& page = *w->alertsPage();
    select(page, "Alert on s3");
    const auto path = dir_ / "failed.pcap";
    QString error;
    EvidenceExport* job = page.exportEvidenceTo(QString::fromStdString(path.string()), &error);
    ASSERT_NE(job, nullptr) << error.toStdString();
    QStringList stages;
    // The sensor answers once the page says it waits: a failure with the sensor's message.
    QObject::connect(job, &EvidenceExport::stage, job, [&](const QString& text) {
        stages << text;
        if (!text.startsWith("Waiting")) return;
        auto requests = evidenceRequests();
        ASSERT_EQ(requests.size(), 1u);
        ironsight::v1::Batch answer;
        auto* env = answer.add_envelopes();
        env->set_seq(2);
        env->mutable_command_result()->set_command_id(requests[0].id);
        env->mutable_command_result()->set_ok(false);
        env->mutable_command_result()->set_message("no evidence stored for alert s3_alert");
        ASSERT_TRUE(service_->store().applyBatch(s3, 1, answer, core::nowMs()).ok());
    });
    QSignalSpy spy(job, &EvidenceExport::finished);
    ASSERT_TRUE(spy.wait(30'000));
    EXPECT_EQ(stages, (QStringList{"Asking sensor s3…", "Waiting for the sensor's answer…"}));
    EXPECT_EQ(spy.at(0).at(0).value<EvidenceExport::Outcome>(), EvidenceExport::Outcome::Failed);
    EXPECT_EQ(spy.at(0).at(1).toString(), "Sensor s3: no evidence stored for alert s3_alert");
    EXPECT_FALSE(std::filesystem::exists(path));
}

TEST_F(LongWorkTest, ReadOnlyUsersCannotExportEvidence) {
    ingestPlant();
    auto w = window(UiContext{service_.get(), sessionFor("vera", core::Role::Viewer)});
    AlertsPage& page = *w->alertsPage();
    select(page, "Unauthorized");
    EXPECT_FALSE(page.evidenceButton()->isEnabled());
    EXPECT_TRUE(page.evidenceButton()->toolTip().contains("Read-only"));
    const auto path = dir_ / "refused.pcap";
    auto [outcome, message] = exportEvidence(page, path);
    EXPECT_EQ(outcome, EvidenceExport::Outcome::Failed);
    EXPECT_EQ(message.toStdString(),
              core::permissionDenied(core::Role::Viewer, core::Action::CommandSensor));
    EXPECT_FALSE(std::filesystem::exists(path));
    EXPECT_TRUE(evidenceRequests().empty());
}

TEST_F(LongWorkTest, AssignShowsTheAssigneeInTheTableAndTheDetail) {
    ingestPlant();
    sessionFor("ana", core::Role::Analyst);
    sessionFor("vera", core::Role::Viewer);
    auto w = window(UiContext{service_.get(), std::nullopt});  // the admin path lists users
    AlertsPage& page = *w->alertsPage();
    EXPECT_EQ(page.assignCandidates(), (QStringList{"admin", "ana"}));  // no viewers
    select(page);
    ASSERT_TRUE(page.assignButton()->isEnabled());
    QString error;
    ASSERT_TRUE(page.assignSelected("ana", &error)) << error.toStdString();
    for (const auto& a : alerts()) EXPECT_EQ(a.assignee, "ana") << a.alertId;
    w->refreshNow();
    QTableView* view = page.table();
    ASSERT_EQ(view->model()->rowCount(), 2);
    EXPECT_EQ(view->model()->headerData(kAlertAssigneeColumn, Qt::Horizontal).toString(),
              "Assigned to");
    for (int r = 0; r < 2; ++r)
        EXPECT_EQ(view->model()->index(r, kAlertAssigneeColumn).data().toString(), "ana");
    select(page, "Unauthorized");
    EXPECT_TRUE(page.detail()->toPlainText().contains("assigned to ana"))
        << page.detail()->toPlainText().toStdString();
    // Viewers cannot hold alerts; "" unassigns.
    EXPECT_FALSE(page.assignSelected("vera", &error));
    EXPECT_FALSE(error.isEmpty());
    select(page);
    ASSERT_TRUE(page.assignSelected("", &error)) << error.toStdString();
    for (const auto& a : alerts()) EXPECT_EQ(a.assignee, "") << a.alertId;
}

TEST_F(LongWorkTest, AnalystsAssignToThemselvesAndReadOnlyIsRefused) {
    ingestPlant();
    const core::Session analyst = sessionFor("ana", core::Role::Analyst);
    auto w = window(UiContext{service_.get(), analyst});
    AlertsPage& page = *w->alertsPage();
    EXPECT_EQ(page.assignCandidates(), (QStringList{"ana"}));  // analysts may not list users
    select(page, "New Modbus");
    QString error;
    ASSERT_TRUE(page.assignSelected("ana", &error)) << error.toStdString();

    auto v = window(UiContext{service_.get(), sessionFor("vera", core::Role::Viewer)});
    AlertsPage& readOnly = *v->alertsPage();
    select(readOnly);
    EXPECT_FALSE(readOnly.assignButton()->isEnabled());
    EXPECT_TRUE(readOnly.assignButton()->toolTip().contains("Read-only"));
    EXPECT_FALSE(readOnly.assignSelected("ana", &error));
    EXPECT_EQ(error.toStdString(),
              core::permissionDenied(core::Role::Viewer, core::Action::TriageAlert));
    int assigned = 0;
    for (const auto& a : alerts()) assigned += a.assignee == "ana";
    EXPECT_EQ(assigned, 1);
    // The analyst's list now offers who already holds alerts too (here: still only ana).
    w->refreshNow();
    EXPECT_EQ(page.assignCandidates(), (QStringList{"ana"}));
}

TEST_F(LongWorkTest, CancelledBackupLeavesNoFileAndAFullOneVerifies) {
    ingestPlant();
    SettingsPage page(UiContext{service_.get(), std::nullopt}, false);
    ASSERT_TRUE(page.backupButton()->isEnabled());
    const auto cancelled = dir_ / "cancelled.db";
    BackupJob* job = page.startBackup(QString::fromStdString(cancelled.string()));
    EXPECT_FALSE(page.backupButton()->isEnabled());  // one at a time
    job->cancel();                                   // what the progress dialog's Cancel does
    auto [ok, message] = waitFor(job);
    EXPECT_FALSE(ok);
    EXPECT_EQ(message.toStdString(), core::kBackupCancelled);
    EXPECT_FALSE(std::filesystem::exists(cancelled));
    EXPECT_FALSE(std::filesystem::exists(cancelled.string() + ".partial"));
    EXPECT_TRUE(page.backupButton()->isEnabled());

    const auto full = dir_ / "full.db";
    std::tie(ok, message) = waitFor(page.startBackup(QString::fromStdString(full.string())));
    ASSERT_TRUE(ok) << message.toStdString();
    auto info = core::verifyBackup(full);
    ASSERT_TRUE(info.ok()) << info.error().message;
    EXPECT_EQ(info->alerts, 2);

    SettingsPage viewerPage(UiContext{service_.get(), sessionFor("vera", core::Role::Viewer)},
                            false);
    EXPECT_FALSE(viewerPage.backupButton()->isEnabled());
}

}  // namespace
}  // namespace ironsight::console::ui
