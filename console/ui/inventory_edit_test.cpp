// SPDX-License-Identifier: Apache-2.0
// The Inventory page's Edit device… / Merge into… / Split observation… through real widgets
// (offscreen) over a real console data dir: an analyst edits, merges and splits, the core
// records it, the table shows it; Read-only users get disabled buttons and the core's refusal.
#include <gtest/gtest.h>

#include <QComboBox>
#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>
#include <QThreadPool>

#include "console/ui/device_dialogs.h"
#include "console/ui/main_window.h"
#include "console/ui/paged_model.h"
#include "console/ui/snapshot.h"
#include "console/ui/table_model.h"
#include "console/ui/ui_test_plant.h"

namespace ironsight::console::ui {
namespace {

class InventoryEditTest : public testing::PlantFixture {
protected:
    void SetUp() override {
        PlantFixture::SetUp();
        ingestPlant();
        // Line 2's sensor also reports Line 1's PLC (a span port that sees both lines): a
        // device of its own until an operator merges it.
        ironsight::v1::Batch more;
        device(more, 10, "plc1-remote", "10.10.1.11", "plc");
        auto applied = service_->store().applyBatch(s2_, 1, more, core::nowMs());
        ASSERT_TRUE(applied.ok()) << applied.error().message;
    }
    void TearDown() override {
        window_.reset();
        PlantFixture::TearDown();
    }

    void openWindow(const core::Session& session) {
        core::ConsoleService* service = service_.get();
        window_ = std::make_unique<MainWindow>([service] { return loadSnapshot(*service); }, "test",
                                               UiContext{service, session});
        window_->refreshNow();
        window_->showPage(window_->pageIndex("inventory"));
    }

    QTableView* table() const {
        return window_->findChild<QTableView*>(QStringLiteral("table-inventory"));
    }
    /// Reloads the table and selects the first row whose given column equals `text`.
    bool selectRow(int column, const QString& text) {
        window_->devicesModel()->reload();
        EXPECT_TRUE(window_->devicesModel()->waitIdle());
        QAbstractItemModel* model = table()->model();
        for (int r = 0; r < model->rowCount(); ++r) {
            if (model->index(r, column).data().toString() == text) {
                table()->setCurrentIndex(model->index(r, 0));
                return true;
            }
        }
        return false;
    }
    std::int64_t groupOf(const std::string& sensor, const std::string& id) {
        auto group = service_->deviceGroupOf(sensor, id);
        EXPECT_TRUE(group.ok()) << group.error().message;
        return group ? *group : -1;
    }
    QPushButton* button(const char* name) const {
        return window_->findChild<QPushButton*>(QLatin1String(name));
    }
    /// Clicks an inventory action and waits until it ended (the device is read off the GUI
    /// thread before its dialog opens); true when the core took the change.
    bool clickAction(const char* name) {
        QSignalSpy done(window_.get(), &MainWindow::deviceActionDone);
        QTest::mouseClick(button(name), Qt::LeftButton);
        if (done.isEmpty() && !done.wait(60000)) return false;
        return done.takeFirst().at(0).toBool();
    }
    static void chooseData(QComboBox* combo, const QString& data) {
        const int index = combo->findData(data);
        ASSERT_GE(index, 0) << data.toStdString();
        combo->setCurrentIndex(index);
    }

    std::unique_ptr<MainWindow> window_;
};

TEST_F(InventoryEditTest, AnalystEditsMergesAndSplitsFromTheInventory) {
    const core::Session analyst = sessionFor("ana", core::Role::Analyst);
    openWindow(analyst);
    const int before = table()->model()->rowCount();
    EXPECT_EQ(before, 7);
    for (const char* name : {"editDevice", "mergeDevice", "splitDevice"}) {
        ASSERT_NE(button(name), nullptr) << name;
        EXPECT_TRUE(button(name)->isEnabled()) << name;
    }

    // Edit: name, criticality, authorized, zone override, notes; type and Purdue untouched.
    ASSERT_TRUE(selectRow(1, "10.10.2.11"));
    testing::onNextModal<DeviceEditDialog>([](DeviceEditDialog* dialog) {
        dialog->findChild<QLineEdit*>("name")->setText("Line 2 PLC");
        chooseData(dialog->findChild<QComboBox*>("criticality"), "high");
        chooseData(dialog->findChild<QComboBox*>("authorized"), "yes");
        chooseData(dialog->findChild<QComboBox*>("zone"), "Line 1");
        dialog->findChild<QPlainTextEdit*>("notes")->setPlainText("Filler line controller");
        dialog->findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Save)->click();
    });
    ASSERT_TRUE(clickAction("editDevice"));
    const std::int64_t plc2 = groupOf(s2_, "plc2");
    auto edited = service_->findDevice(plc2);
    ASSERT_TRUE(edited.ok());
    EXPECT_EQ(edited->name, "Line 2 PLC");
    EXPECT_EQ(edited->criticality, "high");
    EXPECT_EQ(edited->authorized, std::optional<bool>(true));
    EXPECT_EQ(edited->zone, "Line 1");
    EXPECT_EQ(edited->zoneSource, "override");
    EXPECT_EQ(edited->notes, "Filler line controller");
    EXPECT_FALSE(edited->typeEdited);  // only what changed was sent
    EXPECT_FALSE(edited->purdueEdited);
    EXPECT_EQ(edited->editedBy, "ana");  // as the signed-in user
    // The table refreshed: the row carries the operator's name and the new zone.
    ASSERT_TRUE(selectRow(0, "Line 2 PLC"));
    EXPECT_EQ(table()->currentIndex().siblingAtColumn(8).data().toString(), "Line 1");
    EXPECT_TRUE(table()->currentIndex().data(DetailRole).toString().contains("criticality high"));

    // Merge: Line 2's view of the PLC into Line 1's PLC (picked from the same-site list).
    const std::int64_t plc1 = groupOf(s1_, "plc1");
    ASSERT_TRUE(selectRow(1, "10.10.1.11"));
    {
        // Two rows carry 10.10.1.11; pick the one seen by s2.
        QAbstractItemModel* model = table()->model();
        for (int r = 0; r < model->rowCount(); ++r) {
            if (model->index(r, 1).data() == "10.10.1.11" && model->index(r, 9).data() == "s2")
                table()->setCurrentIndex(model->index(r, 0));
        }
        ASSERT_TRUE(table()->currentIndex().isValid());
    }
    testing::onNextModal<DeviceMergeDialog>([plc1](DeviceMergeDialog* dialog) {
        auto* targets = dialog->findChild<QListWidget*>("targets");
        ASSERT_TRUE(dialog->waitIdle());  // the search runs on the pool
        EXPECT_EQ(targets->count(), 6);   // the site's other devices
        dialog->findChild<QLineEdit*>("search")->setText("10.10.1.11");
        ASSERT_TRUE(dialog->waitIdle());
        ASSERT_EQ(targets->count(), 1);
        EXPECT_EQ(targets->item(0)->data(Qt::UserRole).toLongLong(), plc1);
        targets->setCurrentRow(0);
        dialog->findChild<QPushButton*>("merge")->click();
    });
    ASSERT_TRUE(clickAction("mergeDevice"));
    EXPECT_EQ(groupOf(s2_, "plc1-remote"), plc1);
    window_->devicesModel()->reload();
    ASSERT_TRUE(window_->devicesModel()->waitIdle());
    EXPECT_EQ(table()->model()->rowCount(), before - 1);
    auto merged = service_->findDevice(plc1);
    ASSERT_TRUE(merged.ok());
    EXPECT_EQ(merged->observations.size(), 2u);

    // Split: Line 2's observation becomes a device of its own again.
    ASSERT_TRUE(selectRow(1, "10.10.1.11"));
    testing::onNextModal<DeviceSplitDialog>([](DeviceSplitDialog* dialog) {
        auto* observations = dialog->findChild<QListWidget*>("observations");
        ASSERT_EQ(observations->count(), 2);
        for (int r = 0; r < observations->count(); ++r) {
            if (observations->item(r)->text().startsWith("s2 / plc1-remote"))
                observations->setCurrentRow(r);
        }
        ASSERT_GE(observations->currentRow(), 0);
        dialog->findChild<QPushButton*>("split")->click();
    });
    ASSERT_TRUE(clickAction("splitDevice"));
    const std::int64_t split = groupOf(s2_, "plc1-remote");
    EXPECT_NE(split, plc1);
    EXPECT_EQ(groupOf(s1_, "plc1"), plc1);
    window_->devicesModel()->reload();
    ASSERT_TRUE(window_->devicesModel()->waitIdle());
    EXPECT_EQ(table()->model()->rowCount(), before);

    auto audit = service_->listAudit();
    ASSERT_TRUE(audit.ok());
    std::vector<std::string> actions;
    for (const auto& a : *audit) {
        if (a.actor == "ana") actions.push_back(a.action);
    }
    EXPECT_NE(std::find(actions.begin(), actions.end(), "device.edit"), actions.end());
    EXPECT_NE(std::find(actions.begin(), actions.end(), "device.merge"), actions.end());
    EXPECT_NE(std::find(actions.begin(), actions.end(), "device.split"), actions.end());
}

TEST_F(InventoryEditTest, EditRunsOffTheGuiThreadAndLandsInTheStore) {
    const core::Session analyst = sessionFor("ana", core::Role::Analyst);
    const std::int64_t plc2 = groupOf(s2_, "plc2");
    auto device = service_->findDevice(plc2);
    ASSERT_TRUE(device.ok());
    QThreadPool pool;
    DeviceEditDialog dialog(UiContext{service_.get(), analyst, &pool}, *device,
                            {"Line 1", "Line 2"});
    dialog.show();
    QSignalSpy answered(&dialog, &DeviceDialog::answered);
    dialog.findChild<QLineEdit*>("name")->setText("Filler PLC");
    chooseData(dialog.findChild<QComboBox*>("criticality"), "critical");
    QPushButton* save = dialog.findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Save);
    save->click();
    // The click returned before the core's answer: that only comes back through the event
    // loop, so the dialog is still writing, its inputs and buttons disabled, and it does not
    // close on Cancel/Escape meanwhile.
    EXPECT_TRUE(dialog.writing());
    EXPECT_TRUE(dialog.busy());
    EXPECT_FALSE(save->isEnabled());
    EXPECT_FALSE(dialog.findChild<QLineEdit*>("name")->isEnabled());
    EXPECT_TRUE(dialog.findChild<QLabel*>("saving")->isVisibleTo(&dialog));
    dialog.reject();
    EXPECT_TRUE(dialog.isVisible());
    ASSERT_TRUE(dialog.waitIdle());
    EXPECT_EQ(answered.count(), 1);
    EXPECT_FALSE(dialog.writing());
    EXPECT_EQ(dialog.result(), QDialog::Accepted);
    EXPECT_EQ(dialog.errorText(), "");
    // In the store, as the analyst.
    auto edited = service_->findDevice(plc2);
    ASSERT_TRUE(edited.ok());
    EXPECT_EQ(edited->name, "Filler PLC");
    EXPECT_EQ(edited->criticality, "critical");
    EXPECT_EQ(edited->editedBy, "ana");
}

TEST_F(InventoryEditTest, CoreErrorsStayInTheDialog) {
    const std::int64_t plc1 = groupOf(s1_, "plc1");
    auto device = service_->findDevice(plc1);
    ASSERT_TRUE(device.ok());
    // The only observation of a device cannot be split off: the core's one line is shown.
    UiContext context{service_.get(), sessionFor("ana", core::Role::Analyst)};
    DeviceSplitDialog split(context, *device);
    auto* observations = split.findChild<QListWidget*>("observations");
    ASSERT_EQ(observations->count(), 1);
    observations->setCurrentRow(0);
    split.findChild<QPushButton*>("split")->click();
    ASSERT_TRUE(split.waitIdle());
    EXPECT_EQ(split.errorText().toStdString(),
              "device " + std::to_string(plc1) + " has no other observation: nothing to split");
    EXPECT_EQ(split.result(), QDialog::Rejected);
    EXPECT_EQ(groupOf(s1_, "plc1"), plc1);
}

TEST_F(InventoryEditTest, ReadOnlyUsersCannotEditMergeOrSplit) {
    const core::Session viewer = sessionFor("vic", core::Role::Viewer);
    openWindow(viewer);
    for (const char* name : {"editDevice", "mergeDevice", "splitDevice"}) {
        ASSERT_NE(button(name), nullptr) << name;
        EXPECT_FALSE(button(name)->isEnabled()) << name;
        EXPECT_EQ(button(name)->toolTip(), "Read-only users cannot edit devices.") << name;
    }
    // The core refuses a Read-only user's edit anyway: the dialog shows its words, keeps open.
    const std::int64_t plc2 = groupOf(s2_, "plc2");
    auto device = service_->findDevice(plc2);
    ASSERT_TRUE(device.ok());
    DeviceEditDialog dialog(UiContext{service_.get(), viewer}, *device, {"Line 1", "Line 2"});
    dialog.findChild<QLineEdit*>("name")->setText("Renamed by a viewer");
    dialog.findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Save)->click();
    ASSERT_TRUE(dialog.waitIdle());
    EXPECT_EQ(dialog.errorText(), "permission denied: viewer may not edit, merge or split devices");
    EXPECT_EQ(dialog.result(), QDialog::Rejected);
    EXPECT_EQ(service_->findDevice(plc2)->name, "");
    DeviceMergeDialog merge(UiContext{service_.get(), viewer}, *device);
    auto* targets = merge.findChild<QListWidget*>("targets");
    ASSERT_TRUE(merge.waitIdle());
    ASSERT_GT(targets->count(), 0);
    targets->setCurrentRow(0);
    merge.findChild<QPushButton*>("merge")->click();
    ASSERT_TRUE(merge.waitIdle());
    EXPECT_EQ(merge.errorText(), "permission denied: viewer may not edit, merge or split devices");
    EXPECT_EQ(groupOf(s2_, "plc2"), plc2);
}

}  // namespace
}  // namespace ironsight::console::ui
