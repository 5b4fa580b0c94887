// SPDX-License-Identifier: Apache-2.0
// The Alerts page over a real console store: detail pane, bulk workflow, comments, role checks.
#include "console/ui/alerts_page.h"

#include <gtest/gtest.h>

#include <set>

#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QItemSelectionModel>
#include <QStackedBarSeries>
#include <QLineEdit>
#include <QPushButton>
#include <QTableView>
#include <QTest>
#include <QTextBrowser>

#include "console/ui/main_window.h"
#include "console/ui/paged_model.h"
#include "console/ui/snapshot.h"
#include "console/ui/ui_test_plant.h"

namespace ironsight::console::ui {
namespace {

class AlertsPageTest : public testing::PlantFixture {
protected:
    std::unique_ptr<MainWindow> window(UiContext context) {
        core::ConsoleService& service = *service_;
        auto w = std::make_unique<MainWindow>([&service] { return loadSnapshot(service); }, "test",
                                              context);
        w->refreshNow();
        w->showPage(w->pageIndex("alerts"));
        return w;
    }
    /// Selects the rows whose title contains `title` (all rows when empty).
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
    std::map<std::string, std::string> statuses() {
        std::map<std::string, std::string> out;
        auto alerts = service_->listAlerts();
        EXPECT_TRUE(alerts.ok());
        if (alerts.ok()) {
            for (const auto& a : *alerts) out[a.alertId] = a.status;
        }
        return out;
    }
};

TEST_F(AlertsPageTest, DetailShowsTheSelectedAlert) {
    ingestPlant();
    auto w = window(UiContext{service_.get(), std::nullopt});
    AlertsPage& page = *w->alertsPage();
    select(page, "Unauthorized");
    const QString text = page.detail()->toPlainText();
    EXPECT_TRUE(text.contains("Unauthorized Modbus write")) << text.toStdString();
    EXPECT_TRUE(text.contains("A client that is not in the baseline wrote to a PLC."));
    EXPECT_TRUE(text.contains("Confirm the change with the plant engineer."));
    EXPECT_TRUE(text.contains("T0855"));
    // Source and destination are the devices, by name and type, not only addresses.
    EXPECT_TRUE(text.contains("ews-03 (engineering_workstation, 10.10.1.50)"))
        << text.toStdString();
    EXPECT_TRUE(text.contains("10.10.1.11 (plc)"));
    EXPECT_TRUE(text.contains("seen 3 times"));
    select(page, "New Modbus function code");
    EXPECT_TRUE(page.detail()->toPlainText().contains("New Modbus function code"));
    EXPECT_FALSE(page.detail()->toPlainText().contains("Unauthorized"));
}

TEST_F(AlertsPageTest, BulkAcknowledgeAndCloseGoThroughTheCore) {
    ingestPlant();
    auto w = window(UiContext{service_.get(), std::nullopt});
    AlertsPage& page = *w->alertsPage();
    select(page);
    ASSERT_EQ(page.selectedAlerts().size(), 2u);
    ASSERT_TRUE(page.acknowledgeButton()->isEnabled());
    QTest::mouseClick(page.acknowledgeButton(), Qt::LeftButton);
    EXPECT_EQ(statuses(),
              (std::map<std::string, std::string>{{"new_function_code", "acknowledged"},
                                                  {"unauthorized_write", "acknowledged"}}));
    w->refreshNow();                              // what the window does after changed()
    EXPECT_EQ(page.selectedAlerts().size(), 2u);  // the selection survives the refresh
    select(page, "Unauthorized");
    QTest::mouseClick(page.closeButton(), Qt::LeftButton);
    EXPECT_EQ(statuses()["unauthorized_write"], "closed");
    EXPECT_EQ(statuses()["new_function_code"], "acknowledged");
    w->refreshNow();
    const Snapshot snap = loadSnapshot(*service_);
    EXPECT_EQ(snap.openAlerts, 1);
    select(page, "Unauthorized");
    QTest::mouseClick(page.reopenButton(), Qt::LeftButton);
    EXPECT_EQ(statuses()["unauthorized_write"], "new");
}

TEST_F(AlertsPageTest, CommentsAreStoredAndShownInTheDetail) {
    ingestPlant();
    auto w = window(UiContext{service_.get(), std::nullopt});
    AlertsPage& page = *w->alertsPage();
    select(page, "Unauthorized");
    EXPECT_FALSE(page.commentButton()->isEnabled());  // nothing typed yet
    page.commentBox()->setText("Called the plant engineer: planned change.");
    ASSERT_TRUE(page.commentButton()->isEnabled());
    QTest::mouseClick(page.commentButton(), Qt::LeftButton);
    EXPECT_TRUE(page.commentBox()->text().isEmpty());
    EXPECT_TRUE(page.detail()->toPlainText().contains("Called the plant engineer: planned change."))
        << page.detail()->toPlainText().toStdString();
    auto keys = service_->findAlerts("unauthorized_write");
    ASSERT_TRUE(keys.ok() && keys->size() == 1u);
    auto comments = service_->alertComments(keys->front());
    ASSERT_TRUE(comments.ok());
    ASSERT_EQ(comments->size(), 1u);
    EXPECT_EQ(comments->front().text, "Called the plant engineer: planned change.");
    QString error;
    EXPECT_FALSE(page.commentOnCurrent("   ", &error));
    EXPECT_FALSE(error.isEmpty());
}

TEST_F(AlertsPageTest, ReadOnlyUsersSeeDisabledButtonsAndTheCoreRefusesThem) {
    ingestPlant();
    const core::Session viewer = sessionFor("vera", core::Role::Viewer);
    auto w = window(UiContext{service_.get(), viewer});
    AlertsPage& page = *w->alertsPage();
    select(page);
    for (QPushButton* b : {page.acknowledgeButton(), page.closeButton(), page.reopenButton(),
                           page.commentButton()}) {
        EXPECT_FALSE(b->isEnabled()) << b->text().toStdString();
        EXPECT_TRUE(b->toolTip().contains("Read-only")) << b->toolTip().toStdString();
    }
    QString error;
    EXPECT_FALSE(page.setSelectedStatus(core::AlertStatus::Closed, &error));
    EXPECT_EQ(error.toStdString(),
              core::permissionDenied(core::Role::Viewer, core::Action::TriageAlert));
    EXPECT_EQ(statuses()["unauthorized_write"], "new");
    // The detail is still there for viewers.
    EXPECT_TRUE(page.detail()->toPlainText().contains("T0855"));
}

TEST_F(AlertsPageTest, AnalystsMayTriage) {
    ingestPlant();
    const core::Session analyst = sessionFor("ana", core::Role::Analyst);
    auto w = window(UiContext{service_.get(), analyst});
    AlertsPage& page = *w->alertsPage();
    select(page, "New Modbus");
    ASSERT_TRUE(page.acknowledgeButton()->isEnabled());
    QString error;
    EXPECT_TRUE(page.setSelectedStatus(core::AlertStatus::Acknowledged, &error))
        << error.toStdString();
    EXPECT_EQ(statuses()["new_function_code"], "acknowledged");
}

TEST_F(AlertsPageTest, LearnAndMuteQueueCommandsForTheAlertsSensor) {
    ingestPlant();
    const core::Session analyst = sessionFor("ana", core::Role::Analyst);
    auto w = window(UiContext{service_.get(), analyst});
    AlertsPage& page = *w->alertsPage();
    select(page, "New Modbus");
    ASSERT_TRUE(page.learnButton()->isEnabled());
    ASSERT_TRUE(page.muteButton()->isEnabled());
    QTest::mouseClick(page.learnButton(), Qt::LeftButton);
    QTest::mouseClick(page.muteButton(), Qt::LeftButton);
    auto commands = service_->listCommands();
    ASSERT_TRUE(commands.ok());
    ASSERT_EQ(commands->size(), 2u);
    std::set<std::string> kinds;
    for (const auto& c : *commands) {
        kinds.insert(c.kind);
        EXPECT_EQ(c.state, "pending");  // no sensor connected in this test
        EXPECT_EQ(c.issuedBy, "ana");
        EXPECT_NE(c.arguments.find("new_function_code"), std::string::npos) << c.arguments;
    }
    EXPECT_EQ(kinds, (std::set<std::string>{"learn_alert", "mute_alert"}));

    const core::Session viewer = sessionFor("vera", core::Role::Viewer);
    auto v = window(UiContext{service_.get(), viewer});
    AlertsPage& readOnly = *v->alertsPage();
    select(readOnly, "New Modbus");
    for (QPushButton* b : {readOnly.learnButton(), readOnly.muteButton()}) {
        EXPECT_FALSE(b->isEnabled());
        EXPECT_TRUE(b->toolTip().contains("Read-only")) << b->toolTip().toStdString();
    }
    QString error;
    EXPECT_FALSE(readOnly.commandCurrent(true, &error));
    EXPECT_EQ(error.toStdString(),
              core::permissionDenied(core::Role::Viewer, core::Action::CommandSensor));
    EXPECT_EQ(service_->listCommands()->size(), 2u);
}

TEST_F(AlertsPageTest, DashboardAlertsOverTimeDrillsIntoThatTime) {
    ingestPlant();
    // One more alert three hours later (minor): the chart needs 10-minute buckets.
    ironsight::v1::Batch later;
    alert(later, 10, "late_alert", "gw", "plc1", ironsight::v1::SEVERITY_MINOR, "Late alert");
    later.mutable_envelopes(0)->mutable_alert()->set_last_seen_ms(1700000600000 + 3 * 3600000);
    ASSERT_TRUE(service_->store().applyBatch(s1_, 1, later, core::nowMs()).ok());

    const Snapshot snap = loadSnapshot(*service_);
    ASSERT_FALSE(snap.timeBuckets.isEmpty());
    EXPECT_LE(snap.timeBuckets.size(), 36);
    EXPECT_GE(snap.timeBuckets.size(), 18);  // 3 h in 10-minute steps
    EXPECT_EQ(snap.timeBuckets.front().size(), 15);  // "yyyy-MM-dd HH:m"
    int total = 0, minor = 0;
    for (const auto& bucket : snap.timeCounts) {
        for (int rank = 0; rank < 5; ++rank) total += bucket[rank];
        minor += bucket[2];
    }
    EXPECT_EQ(total, 3);
    EXPECT_EQ(minor, 1);

    auto w = window(UiContext{service_.get(), std::nullopt});
    w->showPage(w->pageIndex("dashboard"));
    auto* view = w->findChild<QChartView*>("alertsOverTimeView");
    ASSERT_NE(view, nullptr);
    auto* stacked = qobject_cast<QStackedBarSeries*>(view->chart()->series().value(0));
    ASSERT_NE(stacked, nullptr);
    ASSERT_EQ(stacked->barSets().size(), 4);  // critical, major, minor, warning
    QBarSet* minorSet = stacked->barSets()[2];
    const int lastBucket = static_cast<int>(snap.timeBuckets.size()) - 1;
    EXPECT_EQ(minorSet->at(lastBucket), 1);
    EXPECT_EQ(stacked->barSets()[1]->at(0), 1);  // the major one, in the first bucket
    // Clicking the late bucket opens the Alerts page filtered to that time: only the late alert.
    emit minorSet->clicked(lastBucket);
    EXPECT_EQ(w->currentPage(), w->pageIndex("alerts"));
    EXPECT_EQ(w->alertsPage()->filter()->text(), snap.timeBuckets.back());
    ASSERT_TRUE(w->alertsModel()->waitIdle());  // the store answers off the GUI thread
    ASSERT_EQ(w->alertsPage()->table()->model()->rowCount(), 1);
    EXPECT_EQ(w->alertsPage()->table()->model()->index(0, 2).data().toString(), "Late alert");
}

}  // namespace
}  // namespace ironsight::console::ui
