// SPDX-License-Identifier: Apache-2.0
// Sign-in, Settings, sensor actions, Dashboard, shortcuts, palette and language on real widgets.
#include <gtest/gtest.h>

#include <QAbstractBarSeries>
#include <QAction>
#include <QApplication>
#include <QBarCategoryAxis>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QDeadlineTimer>
#include <QDialog>
#include <QFileDialog>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTableWidget>
#include <QTest>
#include <QTimer>

#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

#include "console/core/console_service.h"
#include "console/ui/add_sensor_dialog.h"
#include "console/ui/dashboard_page.h"
#include "console/ui/language.h"
#include "console/ui/main_window.h"
#include "console/ui/paged_model.h"
#include "console/ui/settings_page.h"
#include "console/ui/sign_in_dialog.h"
#include "console/ui/snapshot.h"
#include "console/ui/ui_test_plant.h"

namespace ironsight::console::ui {
namespace {

namespace fs = std::filesystem;

QApplication& app() { return testing::offscreenApp(); }

constexpr const char* kAdminPassword = "a-long-demo-password-1";
constexpr const char* kNewPassword = "Another-long-password-2";

template <class W>
void whenModal(std::function<void(W*)> act) {
    testing::onNextModal<W>(std::move(act));
}

QPushButton* buttonLabelled(QWidget* parent, const QString& text) {
    for (auto* button : parent->findChildren<QPushButton*>()) {
        if (button->text() == text) return button;
    }
    return nullptr;
}

class UiPagesTest : public ::testing::Test {
protected:
    void SetUp() override {
        app();
        dir_ = fs::temp_directory_path() /
               ("ironsight-ui-pages-" + std::to_string(::getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir_);
        auto opened = core::ConsoleService::open(dir_);
        ASSERT_TRUE(opened.ok()) << opened.error().message;
        service_ = std::move(*opened);
        ASSERT_TRUE(service_->init("admin", kAdminPassword, "127.0.0.1:1", "127.0.0.1:2").ok());
        ASSERT_TRUE(service_->addSite("Plant A").ok());
        ASSERT_TRUE(service_->addZone("Plant A", "Line 1").ok());
    }
    void TearDown() override {
        service_.reset();
        fs::remove_all(dir_);
    }

    /// A live session for `user` (created with `role` unless it is the initial admin).
    core::Session sessionFor(const std::string& user, core::Role role) {
        std::string password = kAdminPassword;
        if (user != "admin") {
            password = "Initial-password-for-" + user;
            EXPECT_TRUE(service_->addUser(user, password, role).ok());
        }
        auto session = service_->signIn(user, password, "test");
        EXPECT_TRUE(session.ok()) << session.error().message;
        EXPECT_TRUE(service_->changePassword(*session, password, kNewPassword).ok());
        EXPECT_TRUE(service_->refreshSession(*session).ok());
        return *session;
    }

    MainWindow* makeWindow(UiContext context) {
        core::ConsoleService& service = *service_;
        auto* window =
            new MainWindow([&service] { return loadSnapshot(service); }, "test", context);
        window->refreshNow();
        return window;
    }

    static QTableView* tableOf(MainWindow& window, const QString& key) {
        return window.findChild<QTableView*>(QStringLiteral("table-%1").arg(key));
    }

    static QChart* chartOf(MainWindow& window, const QString& name) {
        auto* view = window.findChild<QChartView*>(name + QStringLiteral("View"));
        return view ? view->chart() : nullptr;
    }

    fs::path dir_;
    std::unique_ptr<core::ConsoleService> service_;
};

TEST_F(UiPagesTest, SignInShowsTheCoresErrorThenForcesAPasswordChange) {
    SignInDialog dialog(*service_);
    dialog.show();
    QSignalSpy finished(&dialog, &SignInDialog::attemptFinished);
    dialog.findChild<QLineEdit*>("user")->setText("admin");
    dialog.findChild<QLineEdit*>("password")->setText("wrong password");
    QTest::keyClick(dialog.findChild<QLineEdit*>("password"), Qt::Key_Return);
    ASSERT_TRUE(finished.wait(10000));
    EXPECT_EQ(dialog.errorText(), QString::fromLatin1(core::kSignInFailed));
    EXPECT_FALSE(dialog.session().has_value());
    EXPECT_EQ(dialog.result(), QDialog::Rejected);

    dialog.findChild<QLineEdit*>("password")->setText(kAdminPassword);
    QTest::keyClick(dialog.findChild<QLineEdit*>("password"), Qt::Key_Return);
    ASSERT_TRUE(finished.wait(10000));
    ASSERT_TRUE(dialog.session().has_value()) << dialog.errorText().toStdString();
    EXPECT_EQ(dialog.result(), QDialog::Accepted);
    core::Session session = *dialog.session();
    EXPECT_EQ(session.user, "admin");
    EXPECT_TRUE(session.mustChangePassword);  // the initial admin must set their own password
    // Until then the core refuses everything else on this session.
    EXPECT_FALSE(service_->listUsers(session).ok());

    ChangePasswordDialog change(*service_, session, true);
    change.show();
    auto submit = [&change](const char* current, const char* next, const char* confirm) {
        change.findChild<QLineEdit*>("current")->setText(current);
        change.findChild<QLineEdit*>("new")->setText(next);
        change.findChild<QLineEdit*>("confirm")->setText(confirm);
        QTest::keyClick(change.findChild<QLineEdit*>("confirm"), Qt::Key_Return);
    };
    submit(kAdminPassword, kNewPassword, "something else");
    EXPECT_EQ(change.errorText(), "The new passwords do not match.");
    submit(kAdminPassword, "short", "short");
    EXPECT_EQ(change.errorText(), "password must have at least 12 characters");
    submit("not the current one", kNewPassword, kNewPassword);
    EXPECT_EQ(change.errorText(), "password not changed: the current password is wrong");
    EXPECT_EQ(change.result(), QDialog::Rejected);
    submit(kAdminPassword, kNewPassword, kNewPassword);
    EXPECT_EQ(change.result(), QDialog::Accepted) << change.errorText().toStdString();
    EXPECT_FALSE(session.mustChangePassword);
    EXPECT_TRUE(service_->listUsers(session).ok());
    EXPECT_TRUE(service_->signIn("admin", kNewPassword, "test").ok());
}

TEST_F(UiPagesTest, RepeatedFailuresLockTheAccountAndTheDialogSaysSo) {
    core::AuthPolicy policy;
    policy.lockoutThreshold = 2;
    ASSERT_TRUE(service_->setAuthPolicy(policy).ok());
    SignInDialog dialog(*service_);
    dialog.show();
    QSignalSpy finished(&dialog, &SignInDialog::attemptFinished);
    dialog.findChild<QLineEdit*>("user")->setText("admin");
    for (int i = 0; i < 3; ++i) {
        dialog.findChild<QLineEdit*>("password")
            ->setText(i < 2 ? "wrong password" : kAdminPassword);
        QTest::keyClick(dialog.findChild<QLineEdit*>("password"), Qt::Key_Return);
        ASSERT_TRUE(finished.wait(10000));
    }
    // Even the right password is refused while locked.
    EXPECT_TRUE(dialog.errorText().startsWith("sign-in failed: account locked"))
        << dialog.errorText().toStdString();
    EXPECT_FALSE(dialog.session().has_value());
}

TEST_F(UiPagesTest, SettingsShowTheCaFingerprintListenAddressesAndUsersForAdminsOnly) {
    const core::Session admin = sessionFor("admin", core::Role::Admin);
    const core::Session viewer = sessionFor("vera", core::Role::Viewer);
    ASSERT_FALSE(service_->caFingerprint().empty());

    SettingsPage adminPage(UiContext{service_.get(), admin}, false);
    EXPECT_EQ(adminPage.findChild<QLabel*>("caFingerprint")->text().toStdString(),
              service_->caFingerprint());
    EXPECT_EQ(adminPage.findChild<QLabel*>("linkListen")->text(), "127.0.0.1:1");
    EXPECT_EQ(adminPage.findChild<QLabel*>("enrollListen")->text(), "127.0.0.1:2");
    auto* users = adminPage.findChild<QTableWidget*>("users");
    ASSERT_EQ(users->rowCount(), 2);
    QStringList names = {users->item(0, 0)->text(), users->item(1, 0)->text()};
    names.sort();
    EXPECT_EQ(names, QStringList({"admin", "vera"}));
    EXPECT_FALSE(users->isHidden());

    SettingsPage viewerPage(UiContext{service_.get(), viewer}, false);
    EXPECT_EQ(viewerPage.findChild<QLabel*>("caFingerprint")->text().toStdString(),
              service_->caFingerprint());
    EXPECT_TRUE(viewerPage.findChild<QTableWidget*>("users")->isHidden());
    EXPECT_EQ(viewerPage.findChild<QTableWidget*>("users")->rowCount(), 0);
    EXPECT_EQ(viewerPage.findChild<QLabel*>("usersNote")->text(),
              "Only administrators can see and manage users.");
}

TEST_F(UiPagesTest, AddSensorSavesTheActivationFileAndRevokeAsksFirst) {
    const core::Session admin = sessionFor("admin", core::Role::Admin);
    std::unique_ptr<MainWindow> window(makeWindow(UiContext{service_.get(), admin}));
    window->showPage(window->pageIndex("sensors"));
    auto* addButton = window->findChild<QPushButton*>("addSensor");
    ASSERT_NE(addButton, nullptr);
    EXPECT_TRUE(addButton->isEnabled());

    const fs::path file = dir_ / "out" / "line1.activation";
    fs::create_directories(file.parent_path());
    whenModal<AddSensorDialog>([](AddSensorDialog* dialog) {
        EXPECT_EQ(dialog->findChild<QComboBox*>("site")->currentText(), "Plant A");
        EXPECT_EQ(dialog->findChild<QComboBox*>("zone")->currentText(), "Line 1");
        dialog->findChild<QLineEdit*>("name")->setText("line1");
        QTest::keyClick(dialog->findChild<QLineEdit*>("name"), Qt::Key_Return);
    });
    whenModal<QFileDialog>([file](QFileDialog* dialog) {
        EXPECT_TRUE(dialog->selectedFiles().value(0).endsWith("line1.activation"));
        dialog->selectFile(QString::fromStdString(file.string()));
        static_cast<QDialog*>(dialog)->accept();  // QFileDialog::accept reads the chosen name
    });
    QTest::mouseClick(addButton, Qt::LeftButton);

    auto sensors = service_->listSensors();
    ASSERT_TRUE(sensors.ok());
    ASSERT_EQ(sensors->size(), 1u);
    EXPECT_EQ((*sensors)[0].name, "line1");
    EXPECT_EQ((*sensors)[0].status, "pending");
    ASSERT_TRUE(fs::exists(file));
    EXPECT_EQ(fs::status(file).permissions() & fs::perms::all,
              fs::perms::owner_read | fs::perms::owner_write);
    std::stringstream text;
    text << std::ifstream(file).rdbuf();
    EXPECT_NE(text.str().find((*sensors)[0].id), std::string::npos);  // the file names this sensor
    auto audit = service_->listAudit();
    ASSERT_TRUE(audit.ok());
    EXPECT_EQ(audit->back().actor, "admin");  // done as the signed-in user, not local-admin

    window->refreshNow();
    QTableView* table = tableOf(*window, "sensors");
    ASSERT_EQ(table->model()->rowCount(), 1);
    table->setCurrentIndex(table->model()->index(0, 0));

    // Cancel keeps the sensor; confirming revokes it.
    whenModal<QMessageBox>([](QMessageBox* box) { box->button(QMessageBox::Cancel)->click(); });
    window->revokeSelectedSensor();
    EXPECT_EQ((*service_->listSensors())[0].status, "pending");
    whenModal<QMessageBox>([](QMessageBox* box) {
        EXPECT_TRUE(box->text().contains("line1"));
        buttonLabelled(box, "Revoke")->click();
    });
    window->revokeSelectedSensor();
    EXPECT_EQ((*service_->listSensors())[0].status, "revoked");
}

TEST_F(UiPagesTest, LearningButtonsQueueACommandForTheSelectedSensor) {
    ASSERT_TRUE(service_->addSensor("Plant A", "Line 1", "line1").ok());
    const core::Session analyst = sessionFor("ana", core::Role::Analyst);
    std::unique_ptr<MainWindow> window(makeWindow(UiContext{service_.get(), analyst}));
    window->showPage(window->pageIndex("sensors"));
    window->refreshNow();
    QTableView* table = tableOf(*window, "sensors");
    ASSERT_EQ(table->model()->rowCount(), 1);
    table->setCurrentIndex(table->model()->index(0, 0));
    auto* off = window->findChild<QPushButton*>("learningOff");
    ASSERT_NE(off, nullptr);
    ASSERT_TRUE(off->isEnabled());
    QTest::mouseClick(off, Qt::LeftButton);
    auto commands = service_->listCommands("line1");
    ASSERT_TRUE(commands.ok());
    ASSERT_EQ(commands->size(), 1u);
    EXPECT_EQ((*commands)[0].kind, "set_learning");
    EXPECT_EQ((*commands)[0].arguments, R"({"enabled":false})");
    EXPECT_EQ((*commands)[0].issuedBy, "ana");
    EXPECT_EQ((*commands)[0].state, "pending");  // no link in this test

    const core::Session viewer = sessionFor("vera", core::Role::Viewer);
    std::unique_ptr<MainWindow> readOnly(makeWindow(UiContext{service_.get(), viewer}));
    for (const char* name : {"learningOn", "learningOff"}) {
        auto* b = readOnly->findChild<QPushButton*>(name);
        ASSERT_NE(b, nullptr);
        EXPECT_FALSE(b->isEnabled());
        EXPECT_TRUE(b->toolTip().contains("Read-only")) << b->toolTip().toStdString();
    }
}

TEST_F(UiPagesTest, PushSettingsAndRenewQueueCommandsForTheSelectedSensor) {
    ASSERT_TRUE(service_->addSensor("Plant A", "Line 1", "line1").ok());
    const core::Session analyst = sessionFor("ana", core::Role::Analyst);
    std::unique_ptr<MainWindow> window(makeWindow(UiContext{service_.get(), analyst}));
    window->showPage(window->pageIndex("sensors"));
    window->refreshNow();
    QTableView* table = tableOf(*window, "sensors");
    ASSERT_EQ(table->model()->rowCount(), 1);
    table->setCurrentIndex(table->model()->index(0, 0));

    // A syntax error stays in the dialog with the core's message; fixed, it is queued.
    const std::string settings = "[network]\nvlan_names = [\"20=PLC floor\"]\n";
    QString firstError;
    whenModal<QDialog>([&](QDialog* dialog) {
        EXPECT_EQ(dialog->objectName(), "pushSettingsDialog");
        auto* editor = dialog->findChild<QPlainTextEdit*>("settingsText");
        ASSERT_NE(editor, nullptr);
        EXPECT_TRUE(editor->toPlainText().contains("vlan_names"));  // the commented example
        editor->setPlainText("[network\n");
        buttonLabelled(dialog, "Push")->click();
        firstError = dialog->findChild<QLabel*>("settingsError")->text();
        editor->setPlainText(QString::fromStdString(settings));
        buttonLabelled(dialog, "Push")->click();
    });
    QTest::mouseClick(window->findChild<QPushButton*>("pushSettings"), Qt::LeftButton);
    EXPECT_TRUE(firstError.startsWith("settings:1:")) << firstError.toStdString();
    QTest::mouseClick(window->findChild<QPushButton*>("renewCertificate"), Qt::LeftButton);
    auto commands = service_->listCommands("line1");
    ASSERT_TRUE(commands.ok());
    ASSERT_EQ(commands->size(), 2u);
    EXPECT_EQ((*commands)[0].kind, "renew_certificate");
    EXPECT_EQ((*commands)[1].kind, "push_settings");
    EXPECT_EQ((*commands)[1].issuedBy, "ana");
    EXPECT_NE((*commands)[1].arguments.find("PLC floor"), std::string::npos);

    const core::Session viewer = sessionFor("vera", core::Role::Viewer);
    std::unique_ptr<MainWindow> readOnly(makeWindow(UiContext{service_.get(), viewer}));
    for (const char* name : {"pushSettings", "renewCertificate"}) {
        auto* b = readOnly->findChild<QPushButton*>(name);
        ASSERT_NE(b, nullptr);
        EXPECT_FALSE(b->isEnabled());
    }
}

TEST_F(UiPagesTest, ViewersCannotAddSensorsTheCoreRefusesAndTheButtonsSaySo) {
    const core::Session viewer = sessionFor("vera", core::Role::Viewer);
    std::unique_ptr<MainWindow> window(makeWindow(UiContext{service_.get(), viewer}));
    EXPECT_FALSE(window->findChild<QPushButton*>("addSensor")->isEnabled());
    EXPECT_FALSE(window->findChild<QPushButton*>("revokeSensor")->isEnabled());

    AddSensorDialog dialog(UiContext{service_.get(), viewer});
    dialog.show();
    dialog.findChild<QLineEdit*>("name")->setText("sneaky");
    QTest::keyClick(dialog.findChild<QLineEdit*>("name"), Qt::Key_Return);
    EXPECT_EQ(dialog.errorText().toStdString(),
              core::permissionDenied(core::Role::Viewer, core::Action::AddSensor));
    EXPECT_TRUE(dialog.errorText().startsWith("permission denied: viewer may not"))
        << dialog.errorText().toStdString();
    EXPECT_EQ(service_->listSensors()->size(), 0u);
}

TEST_F(UiPagesTest, DashboardChartsCountTheStoreAndDrillDown) {
    auto added = service_->addSensor("Plant A", "Line 1", "s1");
    ASSERT_TRUE(added.ok());
    auto& store = service_->store();
    ASSERT_TRUE(store.beginStream(added->sensor.id, 7, core::nowMs()).ok());
    ironsight::v1::Batch batch;
    int seq = 0;
    for (const char* type : {"plc", "plc", "hmi"}) {
        auto* env = batch.add_envelopes();
        env->set_seq(++seq);
        auto* dev = env->mutable_device();
        dev->set_id("d" + std::to_string(seq));
        dev->add_ips("10.0.0." + std::to_string(seq));
        dev->set_type(type);
    }
    for (auto severity : {ironsight::v1::SEVERITY_CRITICAL, ironsight::v1::SEVERITY_MAJOR,
                          ironsight::v1::SEVERITY_MAJOR}) {
        auto* env = batch.add_envelopes();
        env->set_seq(++seq);
        auto* alert = env->mutable_alert();
        alert->set_id("a" + std::to_string(seq));
        alert->set_engine("policy");
        alert->set_type("t" + std::to_string(seq));
        alert->set_severity(severity);
        alert->set_title("Alert " + std::to_string(seq));
    }
    ASSERT_TRUE(store.applyBatch(added->sensor.id, 7, batch, core::nowMs()).ok());

    std::unique_ptr<MainWindow> window(makeWindow(UiContext{service_.get(), std::nullopt}));
    EXPECT_EQ(window->currentPage(), window->pageIndex("dashboard"));
    EXPECT_EQ(window->pageIndex("dashboard"), 0);
    auto* severity = chartOf(*window, "alertsBySeverity");
    ASSERT_NE(severity, nullptr);
    ASSERT_EQ(severity->series().size(), 1);
    auto* bars = qobject_cast<QAbstractBarSeries*>(severity->series()[0]);
    ASSERT_NE(bars, nullptr);
    ASSERT_EQ(bars->barSets().size(), 4);  // critical, major, minor, warning
    EXPECT_EQ(bars->barSets()[0]->at(0), 1);
    EXPECT_EQ(bars->barSets()[1]->at(0), 2);
    EXPECT_EQ(bars->barSets()[2]->at(0), 0);

    auto* types = chartOf(*window, "devicesByType");
    auto* typeBars = qobject_cast<QAbstractBarSeries*>(types->series().value(0));
    ASSERT_NE(typeBars, nullptr);
    auto* axis = qobject_cast<QBarCategoryAxis*>(types->axes(Qt::Vertical).value(0));
    ASSERT_NE(axis, nullptr);
    EXPECT_EQ(axis->categories(), QStringList({"hmi", "plc"}));  // largest at the top
    EXPECT_EQ(typeBars->barSets()[0]->at(1), 2);

    // Clicking the "plc" bar opens the inventory filtered to PLCs.
    emit typeBars->barSets()[0]->clicked(1);
    EXPECT_EQ(window->currentPage(), window->pageIndex("inventory"));
    EXPECT_EQ(window->filterOf(window->currentPage())->text(), "plc");
    ASSERT_TRUE(window->devicesModel()->waitIdle());  // the store answers off the GUI thread
    EXPECT_EQ(tableOf(*window, "inventory")->model()->rowCount(), 2);
    // Clicking the major bar opens the alerts filtered to major ones (the wait above ran the
    // event loop: a refresh may have rebuilt the chart, so its bars are looked up again).
    bars = qobject_cast<QAbstractBarSeries*>(chartOf(*window, "alertsBySeverity")->series()[0]);
    ASSERT_NE(bars, nullptr);
    emit bars->barSets()[1]->clicked(0);
    EXPECT_EQ(window->currentPage(), window->pageIndex("alerts"));
    ASSERT_TRUE(window->alertsModel()->waitIdle());
    EXPECT_EQ(tableOf(*window, "alerts")->model()->rowCount(), 2);
}

TEST_F(UiPagesTest, ShortcutsSwitchPagesAndFocusTheFilter) {
    std::unique_ptr<MainWindow> window(makeWindow(UiContext{service_.get(), std::nullopt}));
    window->show();
    window->activateWindow();
    ASSERT_TRUE(QTest::qWaitForWindowActive(window.get()));
    const QStringList keys = {"dashboard", "sites",  "sensors", "inventory",
                              "map",       "alerts", "settings"};
    ASSERT_EQ(window->pageNames().size(), keys.size());
    for (int i = static_cast<int>(keys.size()) - 1; i >= 0; --i) {
        QTest::keyClick(window.get(), static_cast<Qt::Key>(Qt::Key_1 + i), Qt::ControlModifier);
        EXPECT_EQ(window->currentPage(), window->pageIndex(keys[i])) << "Ctrl+" << i + 1;
    }
    QTest::keyClick(window.get(), Qt::Key_4, Qt::ControlModifier);
    QTest::keyClick(window.get(), Qt::Key_F, Qt::ControlModifier);
    EXPECT_EQ(QApplication::focusWidget(), window->filterOf(window->pageIndex("inventory")));
}

TEST_F(UiPagesTest, PaletteAndLanguageSwitchAtRunTime) {
    std::unique_ptr<MainWindow> window(makeWindow(UiContext{service_.get(), std::nullopt}));
    const QColor light = QApplication::palette().color(QPalette::Window);
    window->setDark(true);
    EXPECT_LT(QApplication::palette().color(QPalette::Window).lightness(), 80);
    EXPECT_EQ(chartOf(*window, "alertsBySeverity")->theme(), QChart::ChartThemeDark);
    window->setDark(false);
    EXPECT_EQ(QApplication::palette().color(QPalette::Window), light);

    // Through the Settings page's combo box, as a user would.
    window->showPage(window->pageIndex("settings"));
    auto* language = window->findChild<QComboBox*>("language");
    ASSERT_NE(language, nullptr);
    QSignalSpy changed(window.get(), &MainWindow::languageChanged);
    language->setCurrentIndex(language->findData("de"));
    ASSERT_TRUE(changed.wait(5000));
    EXPECT_EQ(currentLanguage(), "de");
    EXPECT_EQ(window->pageNames().value(0), "Übersicht");
    EXPECT_EQ(window->pageNames().value(window->pageIndex("settings")), "Einstellungen");
    EXPECT_EQ(window->currentPage(), window->pageIndex("settings"));  // stays where the user was
    EXPECT_EQ(chartOf(*window, "devicesByType")->title(), "Geräte nach Typ");

    ASSERT_TRUE(window->setLanguage("ja"));
    EXPECT_EQ(window->pageNames().value(window->pageIndex("settings")), QString::fromUtf8("設定"));
    EXPECT_FALSE(window->setLanguage("xx"));
    ASSERT_TRUE(window->setLanguage("en"));
    EXPECT_EQ(window->pageNames().value(0), "Dashboard");
}

}  // namespace
}  // namespace ironsight::console::ui
