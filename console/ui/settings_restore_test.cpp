// SPDX-License-Identifier: Apache-2.0
// Settings' Restore… through real widgets (offscreen) over real console data dirs: the window
// closes its service, the core restores the backup, the window reopens and shows the backup's
// data; a corrupt file is refused with the core's one-line message and nothing is closed.
#include <gtest/gtest.h>

#include <QFileDialog>
#include <QListWidget>
#include <QMessageBox>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>
#include <algorithm>
#include <fstream>

#include "console/ui/main_window.h"
#include "console/ui/paged_model.h"
#include "console/ui/settings_page.h"
#include "console/ui/snapshot.h"
#include "console/ui/table_model.h"
#include "console/ui/ui_test_plant.h"

namespace ironsight::console::ui {
namespace {

namespace fs = std::filesystem;

class SettingsRestoreTest : public testing::PlantFixture {
protected:
    void TearDown() override {
        window_.reset();  // before the service it uses
        PlantFixture::TearDown();
        std::error_code ignored;
        fs::remove(backupFile(), ignored);
        fs::remove(dir_.string() + "-junk.db", ignored);
    }

    fs::path backupFile() const { return dir_.string() + "-backup.db"; }

    static MainWindow::Loader loaderFor(core::ConsoleService* service) {
        return [service] { return loadSnapshot(*service); };
    }

    /// A window acting as `session` whose service the fixture owns; reopening signs `user` in
    /// again with `password` (the restored database's users decide whether that works).
    void openWindow(const core::Session& session, const std::string& password) {
        window_ = std::make_unique<MainWindow>(loaderFor(service_.get()), "test",
                                               UiContext{service_.get(), session});
        MainWindow::ServiceOwner owner;
        owner.close = [this] {
            ++closes_;
            service_.reset();  // releases the data directory's lock
        };
        owner.reopen = [this, user = session.user,
                        password]() -> std::optional<MainWindow::Reopened> {
            ++reopens_;
            auto opened = core::ConsoleService::open(dir_);
            EXPECT_TRUE(opened.ok()) << opened.error().message;
            if (!opened) return std::nullopt;
            service_ = std::move(*opened);
            auto again = service_->signIn(user, password, "test");
            EXPECT_TRUE(again.ok()) << again.error().message;
            if (!again) return std::nullopt;
            return MainWindow::Reopened{UiContext{service_.get(), *again},
                                        loaderFor(service_.get())};
        };
        window_->setServiceOwner(owner);
        window_->refreshNow();
        window_->showPage(window_->pageIndex("settings"));
    }

    /// Clicks Restore… and picks `file` in the file dialog.
    void clickRestore(const fs::path& file) {
        testing::onNextModal<QFileDialog>([file](QFileDialog* dialog) {
            dialog->selectFile(QString::fromStdString(file.string()));
            static_cast<QDialog*>(dialog)->accept();
        });
        QPushButton* restore = window_->settingsPage()->restoreButton();
        ASSERT_TRUE(restore->isEnabled()) << restore->toolTip().toStdString();
        QTest::mouseClick(restore, Qt::LeftButton);
    }

    QStringList siteRows() {
        auto* view = window_->findChild<QTableView*>(QStringLiteral("table-sites"));
        QStringList rows;
        if (!view) return rows;
        for (int r = 0; r < view->model()->rowCount(); ++r)
            rows << view->model()->index(r, 0).data().toString();
        return rows;
    }

    std::unique_ptr<MainWindow> window_;
    int closes_ = 0;
    int reopens_ = 0;
};

TEST_F(SettingsRestoreTest, RestoresABackupThroughTheSettingsPageAndShowsItsData) {
    ingestPlant();
    const core::Session admin = sessionFor("root", core::Role::Admin);
    ASSERT_TRUE(service_->backup(backupFile()).ok());
    // Work after the backup: gone once the backup is restored.
    ASSERT_TRUE(service_->addSite("Added later").ok());
    ASSERT_TRUE(service_->addUser("later-user", "Later-user-password-1", core::Role::Viewer).ok());
    openWindow(admin, "Changed-password-for-root-1");
    ASSERT_TRUE(siteRows().join(',').contains("Added later"));

    QSignalSpy finished(window_.get(), &MainWindow::restoreFinished);
    testing::onNextModal<QMessageBox>([](QMessageBox* confirm) {
        EXPECT_EQ(confirm->objectName(), "restore-confirm");
        // What the backup holds, from the check that ran before anything was closed.
        EXPECT_TRUE(confirm->informativeText().contains("6 devices, 2 alerts"))
            << confirm->informativeText().toStdString();
        QPushButton* restore = nullptr;
        for (auto* b : confirm->findChildren<QPushButton*>())
            if (b->text() == "Restore") restore = b;
        ASSERT_NE(restore, nullptr);
        // The outcome box comes once the restore is done and the window reopened.
        testing::onNextModal<QMessageBox>([](QMessageBox* done) {
            EXPECT_TRUE(done->text().startsWith("Restored ")) << done->text().toStdString();
            done->accept();
        });
        restore->click();
    });
    clickRestore(backupFile());
    ASSERT_TRUE(finished.count() > 0 || finished.wait(60000));
    ASSERT_EQ(finished.count(), 1);
    EXPECT_TRUE(finished[0][0].toBool()) << finished[0][1].toString().toStdString();
    EXPECT_EQ(closes_, 1);
    EXPECT_EQ(reopens_, 1);
    EXPECT_FALSE(window_->restoring());

    // The data directory holds the backup: the later site and user are gone, the old data kept
    // next to it, and the restore is in the (restored) audit log.
    ASSERT_NE(service_, nullptr);
    auto sites = service_->listSites();
    ASSERT_TRUE(sites.ok());
    ASSERT_EQ(sites->size(), 1u);
    EXPECT_EQ((*sites)[0].name, "Plant A");
    auto users = service_->listUsers();
    ASSERT_TRUE(users.ok());
    for (const auto& u : *users) EXPECT_NE(u.name, "later-user");
    EXPECT_TRUE(fs::exists(dir_ / "console.db.bak"));
    auto audit = service_->listAudit();
    ASSERT_TRUE(audit.ok());
    auto restoreRecord =
        std::find_if(audit->rbegin(), audit->rend(),
                     [](const core::AuditRow& a) { return a.action == "backup.restore"; });
    ASSERT_NE(restoreRecord, audit->rend());
    // Audited as the signed-in administrator and the session's source, not local-admin.
    EXPECT_EQ(restoreRecord->actor, "root");
    EXPECT_EQ(restoreRecord->source, admin.source);
    EXPECT_EQ(restoreRecord->source, "test");

    // The window was rebuilt over the reopened service and shows the backup's data.
    EXPECT_EQ(window_->currentPage(), window_->pageIndex("settings"));
    EXPECT_TRUE(window_->settingsPage()->backupNote().startsWith("Restored "));
    EXPECT_TRUE(window_->settingsPage()->restoreButton()->isEnabled());
    window_->refreshNow();
    EXPECT_FALSE(siteRows().join(',').contains("Added later"));
    EXPECT_EQ(window_->devicesModel()->rowCount(), 6);
    EXPECT_EQ(window_->alertsModel()->rowCount(), 2);
}

TEST_F(SettingsRestoreTest, RefusesACorruptFileWithTheCoresMessageAndKeepsTheConsoleOpen) {
    ingestPlant();
    const core::Session admin = sessionFor("root", core::Role::Admin);
    const fs::path junk = dir_.string() + "-junk.db";
    std::ofstream(junk) << std::string(4096, 'x');
    openWindow(admin, "Changed-password-for-root-1");

    const QString expected =
        QStringLiteral("Not restored: %1: not an SQLite database (not a console backup)")
            .arg(QString::fromStdString(junk.string()));
    QSignalSpy finished(window_.get(), &MainWindow::restoreFinished);
    testing::onNextModal<QMessageBox>([expected](QMessageBox* box) {
        EXPECT_EQ(box->text(), expected);  // one line, the core's words
        box->accept();
    });
    clickRestore(junk);
    ASSERT_TRUE(finished.count() > 0 || finished.wait(30000));
    EXPECT_FALSE(finished[0][0].toBool());
    EXPECT_EQ(finished[0][1].toString(), expected);
    EXPECT_EQ(window_->settingsPage()->backupNote(), expected);

    // Nothing was closed or replaced; the window still works on the same service.
    EXPECT_EQ(closes_, 0);
    EXPECT_EQ(reopens_, 0);
    EXPECT_FALSE(fs::exists(dir_ / "console.db.bak"));
    EXPECT_TRUE(window_->settingsPage()->restoreButton()->isEnabled());
    window_->refreshNow();
    EXPECT_EQ(window_->devicesModel()->rowCount(), 6);
}

TEST_F(SettingsRestoreTest, OnlyAdministratorsMayRestore) {
    ingestPlant();
    ASSERT_TRUE(service_->backup(backupFile()).ok());
    for (auto role : {core::Role::Analyst, core::Role::Viewer}) {
        const std::string user = role == core::Role::Analyst ? "ana" : "vic";
        openWindow(sessionFor(user, role), "Changed-password-for-" + user + "-1");
        QPushButton* restore = window_->settingsPage()->restoreButton();
        EXPECT_FALSE(restore->isEnabled());
        EXPECT_EQ(restore->toolTip(), "Only administrators can restore the console.");
        // Called anyway, the window does nothing: the service stays open, the data as it was.
        window_->restoreFrom(QString::fromStdString(backupFile().string()));
        QApplication::processEvents();
        EXPECT_FALSE(window_->restoring());
        EXPECT_EQ(closes_, 0);
        EXPECT_FALSE(fs::exists(dir_ / "console.db.bak"));
        window_.reset();
    }
}

}  // namespace
}  // namespace ironsight::console::ui
