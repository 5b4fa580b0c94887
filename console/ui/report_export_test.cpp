// SPDX-License-Identifier: Apache-2.0
// "Export report…" from the Inventory and Alerts pages over a real console store: the page's
// filter becomes the report's, CSV and PDF files are written off the GUI thread, read-only
// users get a disabled button and a refusal from the core.
#include "console/ui/report_export.h"

#include <gtest/gtest.h>

#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <fstream>
#include <iterator>

#include "console/ui/alerts_page.h"
#include "console/ui/main_window.h"
#include "console/ui/snapshot.h"
#include "console/ui/ui_test_plant.h"

namespace ironsight::console::ui {
namespace {

std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

class ReportExportTest : public testing::PlantFixture {
protected:
    std::unique_ptr<MainWindow> window(UiContext context) {
        core::ConsoleService& service = *service_;
        auto w = std::make_unique<MainWindow>([&service] { return loadSnapshot(service); }, "test",
                                              context);
        w->refreshNow();
        return w;
    }
    /// Runs one export to the end; returns (ok, message).
    std::pair<bool, QString> exportTo(MainWindow& w, const UiContext& context,
                                      core::ReportKind kind, const QString& filter,
                                      const std::filesystem::path& path) {
        auto* job = ReportExport::start(&w, context, kind, filter,
                                        QString::fromStdString(path.string()));
        QSignalSpy spy(job, &ReportExport::finished);
        EXPECT_TRUE(spy.wait(30'000));
        if (spy.count() != 1) return {false, QStringLiteral("no result")};
        return {spy.at(0).at(0).toBool(), spy.at(0).at(1).toString()};
    }
};

TEST_F(ReportExportTest, AlertsPageFilterBecomesTheCsvReportFilter) {
    ingestPlant();
    const UiContext context{service_.get(), std::nullopt};
    auto w = window(context);
    auto* button = w->findChild<QPushButton*>(QStringLiteral("report-alerts"));
    ASSERT_NE(button, nullptr);
    EXPECT_TRUE(button->isEnabled());
    w->alertsPage()->filter()->setText(QStringLiteral("unauthorized"));
    const auto path = dir_ / "alerts.csv";
    auto [ok, message] = exportTo(*w, context, core::ReportKind::Alerts,
                                  w->alertsPage()->filter()->text(), path);
    ASSERT_TRUE(ok) << message.toStdString();
    EXPECT_TRUE(message.contains("1 row")) << message.toStdString();
    const std::string csv = slurp(path);
    EXPECT_EQ(csv.rfind("Severity,Status,Title,", 0), 0u) << csv;
    EXPECT_NE(csv.find("Unauthorized Modbus write"), std::string::npos) << csv;
    EXPECT_EQ(csv.find("New Modbus function code"), std::string::npos) << csv;
}

TEST_F(ReportExportTest, InventoryPdfIsWrittenAndAudited) {
    ingestPlant();
    const UiContext context{service_.get(), std::nullopt};
    auto w = window(context);
    ASSERT_NE(w->findChild<QPushButton*>(QStringLiteral("report-inventory")), nullptr);
    const auto path = dir_ / "inventory.pdf";
    auto [ok, message] = exportTo(*w, context, core::ReportKind::Devices, {}, path);
    ASSERT_TRUE(ok) << message.toStdString();
    EXPECT_EQ(slurp(path).rfind("%PDF-", 0), 0u);
    bool audited = false;
    const auto audit = service_->listAudit();
    ASSERT_TRUE(audit.ok());
    for (const auto& row : *audit) audited |= row.action == "report.devices";
    EXPECT_TRUE(audited);
}

TEST_F(ReportExportTest, ReadOnlyUsersCannotExport) {
    ingestPlant();
    const UiContext context{service_.get(), sessionFor("vera", core::Role::Viewer)};
    auto w = window(context);
    auto* button = w->findChild<QPushButton*>(QStringLiteral("report-alerts"));
    ASSERT_NE(button, nullptr);
    EXPECT_FALSE(button->isEnabled());
    const auto path = dir_ / "refused.csv";
    auto [ok, message] = exportTo(*w, context, core::ReportKind::Alerts, {}, path);
    EXPECT_FALSE(ok);
    EXPECT_EQ(message.toStdString(),
              core::permissionDenied(core::Role::Viewer, core::Action::ExportData));
    EXPECT_FALSE(std::filesystem::exists(path));
}

}  // namespace
}  // namespace ironsight::console::ui
