// SPDX-License-Identifier: Apache-2.0
// The main window on a real console store (offscreen Qt platform): pages list what was ingested.
#include "console/ui/main_window.h"

#include <gtest/gtest.h>

#include <QAbstractItemModel>
#include <QApplication>
#include <QDir>
#include <QLabel>
#include <QLineEdit>
#include <QStatusBar>
#include <QTableView>
#include <QTextBrowser>

#include <filesystem>

#include "console/core/console_service.h"
#include "console/ui/paged_model.h"
#include "console/ui/snapshot.h"

namespace ironsight::console::ui {
namespace {

QApplication& app() {  // one per process, whichever test file asks first
    if (auto* existing = qobject_cast<QApplication*>(QCoreApplication::instance()))
        return *existing;
    static int argc = 1;
    static char name[] = "main_window_test";
    static char* argv[] = {name, nullptr};
    qputenv("QT_QPA_PLATFORM", "offscreen");
    // Never destroyed: QTest's input devices outlive a static QApplication and crash at exit.
    static auto* instance = new QApplication(argc, argv);
    return *instance;
}

class MainWindowTest : public ::testing::Test {
protected:
    void SetUp() override {
        app();
        dir_ = std::filesystem::temp_directory_path() /
               ("ironsight-ui-" + std::to_string(::getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::remove_all(dir_);
        auto opened = core::ConsoleService::open(dir_);
        ASSERT_TRUE(opened.ok()) << opened.error().message;
        service_ = std::move(*opened);
        ASSERT_TRUE(
            service_->init("admin", "a-long-demo-password-1", "127.0.0.1:1", "127.0.0.1:2").ok());
        ASSERT_TRUE(service_->addSite("Plant A").ok());
        ASSERT_TRUE(service_->addZone("Plant A", "Line 1").ok());
        auto sensor = service_->addSensor("Plant A", "Line 1", "s1");
        ASSERT_TRUE(sensor.ok()) << sensor.error().message;
        sensorId_ = sensor->sensor.id;
    }
    void TearDown() override {
        service_.reset();
        std::filesystem::remove_all(dir_);
    }

    void ingestOneDeviceAndAlert() {
        auto& store = service_->store();
        ASSERT_TRUE(store.beginStream(sensorId_, 42, core::nowMs()).ok());
        ironsight::v1::Batch batch;
        auto* env = batch.add_envelopes();
        env->set_seq(1);
        auto* dev = env->mutable_device();
        dev->set_id("d1");
        dev->add_ips("10.10.1.11");
        dev->add_macs("00:80:f4:01:02:03");
        dev->set_type("plc");
        dev->set_vendor("Telemecanique");
        env = batch.add_envelopes();
        env->set_seq(2);
        auto* alert = env->mutable_alert();
        alert->set_id("a1");
        alert->set_engine("policy");
        alert->set_type("unauthorized_write");
        alert->set_severity(ironsight::v1::SEVERITY_MAJOR);
        alert->set_title("Unauthorized Modbus write");
        alert->set_src_ip("10.10.1.50");
        alert->set_dst_ip("10.10.1.11");
        alert->set_count(3);
        alert->set_description("A client that is not in the baseline wrote to a PLC.");
        alert->set_remediation("Confirm the change with the plant engineer.");
        alert->set_mitre("T0855");
        auto applied = store.applyBatch(sensorId_, 42, batch, core::nowMs());
        ASSERT_TRUE(applied.ok()) << applied.error().message;
        ASSERT_EQ(*applied, 2u);
    }

    static int rowsOfTableShowing(QWidget& window, const QString& header) {
        for (auto* view : window.findChildren<QTableView*>()) {
            auto* model = view->model();
            for (int c = 0; c < model->columnCount(); ++c) {
                if (model->headerData(c, Qt::Horizontal).toString() == header)
                    return model->rowCount();
            }
        }
        return -1;
    }

    std::filesystem::path dir_;
    std::unique_ptr<core::ConsoleService> service_;
    std::string sensorId_;
};

TEST_F(MainWindowTest, PagesListSitesSensorsDevicesAndAlertsFromTheStore) {
    ingestOneDeviceAndAlert();
    core::ConsoleService& service = *service_;
    MainWindow window([&service] { return loadSnapshot(service); }, "test");
    window.refreshNow();
    EXPECT_EQ(window.pageNames().size(), 6);                  // no Settings without a service
    EXPECT_EQ(rowsOfTableShowing(window, "Site / Zone"), 2);  // the site and its zone
    EXPECT_EQ(rowsOfTableShowing(window, "Sensor id"), 1);
    EXPECT_EQ(rowsOfTableShowing(window, "Vendor"), 1);
    EXPECT_EQ(rowsOfTableShowing(window, "Severity"), 1);
    const QString status = window.statusBar()->findChild<QLabel*>()->text();
    EXPECT_TRUE(status.contains("1 devices")) << status.toStdString();
    EXPECT_TRUE(status.contains("1 open alerts")) << status.toStdString();

    // Every page's filter box narrows its table: the vendor matches, a foreign word does not.
    // Inventory and Alerts query after a typing pause, off the GUI thread: wait for them.
    for (auto* edit : window.findChildren<QLineEdit*>()) edit->setText("telemecanique");
    ASSERT_TRUE(window.devicesModel()->waitIdle());
    EXPECT_EQ(rowsOfTableShowing(window, "Vendor"), 1);
    for (auto* edit : window.findChildren<QLineEdit*>()) edit->setText("siemens");
    EXPECT_TRUE(window.devicesModel()->busy());  // not answered on the GUI thread
    ASSERT_TRUE(window.devicesModel()->waitIdle());
    EXPECT_EQ(rowsOfTableShowing(window, "Vendor"), 0);

    window.showPage(window.pageIndex("inventory"));
    EXPECT_FALSE(window.grab().isNull());  // renders offscreen
}

TEST_F(MainWindowTest, SelectingAnAlertShowsWhatHappenedAndWhatToDo) {
    ingestOneDeviceAndAlert();
    core::ConsoleService& service = *service_;
    MainWindow window([&service] { return loadSnapshot(service); }, "test");
    window.refreshNow();
    window.showPage(window.pageIndex("alerts"));
    QTableView* alerts = nullptr;
    for (auto* view : window.findChildren<QTableView*>()) {
        if (view->model()->headerData(0, Qt::Horizontal).toString() == "Severity") alerts = view;
    }
    ASSERT_NE(alerts, nullptr);
    alerts->setCurrentIndex(alerts->model()->index(0, 2));
    bool shown = false;
    for (auto* browser : window.findChildren<QTextBrowser*>()) {
        const QString text = browser->toPlainText();
        if (text.contains("Unauthorized Modbus write")) {
            shown = true;
            EXPECT_TRUE(text.contains("Confirm the change with the plant engineer."))
                << text.toStdString();
            EXPECT_TRUE(text.contains("T0855"));
            EXPECT_TRUE(text.contains("10.10.1.50"));
        }
    }
    EXPECT_TRUE(shown);
}

TEST_F(MainWindowTest, SnapshotCountsSeverityAndSensorState) {
    ingestOneDeviceAndAlert();
    const Snapshot snap = loadSnapshot(*service_);
    ASSERT_TRUE(snap.error.isEmpty()) << snap.error.toStdString();
    EXPECT_EQ(snap.sensorsTotal, 1);
    EXPECT_EQ(snap.sensorsActive, 0);     // pending until it enrolls
    EXPECT_EQ(snap.sensorsConnected, 0);  // and so not streaming
    EXPECT_EQ(snap.deviceCount, 1);
    EXPECT_EQ(snap.openAlerts, 1);
    EXPECT_EQ(snap.bySeverity[3], 1);  // major
    ASSERT_EQ(snap.alerts.size(), 1);
    EXPECT_EQ(snap.alerts[0].cells[3], "10.10.1.50");
}

TEST_F(MainWindowTest, IdleRefreshSkipsQueriesUntilSomethingIsCommitted) {
    std::uint64_t stamp = 0;
    Snapshot first = loadSnapshotIfChanged(*service_, &stamp);
    EXPECT_FALSE(first.unchanged);
    EXPECT_EQ(first.deviceCount, 0);
    EXPECT_TRUE(loadSnapshotIfChanged(*service_, &stamp).unchanged);
    ingestOneDeviceAndAlert();
    Snapshot after = loadSnapshotIfChanged(*service_, &stamp);
    EXPECT_FALSE(after.unchanged);
    EXPECT_EQ(after.deviceCount, 1);
}

TEST_F(MainWindowTest, EmptyStoreShowsEmptyPagesNotAnError) {
    const Snapshot snap = loadSnapshot(*service_);
    EXPECT_TRUE(snap.error.isEmpty());
    EXPECT_EQ(snap.deviceCount, 0);
    EXPECT_EQ(snap.sites.size(), 2);
}

}  // namespace
}  // namespace ironsight::console::ui
