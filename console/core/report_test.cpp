// SPDX-License-Identifier: Apache-2.0
// Reports: filters (site, zone, time range, severity, status, text), CSV quoting and the
// formula guard, UTC date parsing, and the role-checked, audited service entry point on a
// real console data directory.
#include "console/core/report.h"

#include <gtest/gtest.h>

#include "console/core/console_service.h"
#include "shared/crypto/crypto.h"

namespace ironsight::console::core {
namespace {
namespace fs = std::filesystem;

DeviceRow device(const std::string& id, const std::string& site, const std::string& zone,
                 std::int64_t first, std::int64_t last) {
    DeviceRow d;
    d.deviceId = id;
    d.site = site;
    d.zone = zone;
    d.sensorName = "s-" + zone;
    d.ips = {"10.0.0." + std::to_string(id.size())};
    d.vendor = "Vendor " + id;
    d.type = "plc";
    d.purdueLevel = 1;
    d.protocols = {{"modbus", "server"}};
    d.firstSeenMs = first;
    d.lastSeenMs = last;
    return d;
}

AlertRow alertRow(const std::string& id, const std::string& severity, const std::string& status,
                  const std::string& zone, std::int64_t first, std::int64_t last) {
    AlertRow a;
    a.alertId = id;
    a.severity = severity;
    a.status = status;
    a.title = "Title " + id;
    a.site = "Plant A";
    a.zone = zone;
    a.srcIp = "10.1.1.1";
    a.count = 3;
    a.firstSeenMs = first;
    a.lastSeenMs = last;
    return a;
}

TEST(Report, DeviceFiltersBySiteZoneRangeAndText) {
    const std::int64_t day = 86'400'000;
    std::vector<DeviceRow> devices = {device("plc1", "Plant A", "Line 1", 1 * day, 2 * day),
                                      device("plc2", "Plant A", "Line 2", 1 * day, 5 * day),
                                      device("rtu", "Plant B", "Boiler", 6 * day, 9 * day)};
    ReportFilter all;
    EXPECT_EQ(deviceReport(devices, all, 0).rows.size(), 3u);
    ReportFilter site;
    site.site = "Plant A";
    EXPECT_EQ(deviceReport(devices, site, 0).rows.size(), 2u);
    site.zone = "Line 2";
    auto t = deviceReport(devices, site, 0);
    ASSERT_EQ(t.rows.size(), 1u);
    EXPECT_EQ(t.rows[0][0], "plc2");
    EXPECT_EQ(t.rows[0].size(), t.columns.size());
    // Seen during [3d, 7d): plc2 (until 5d) and rtu (from 6d), not plc1 (gone at 2d).
    ReportFilter range;
    range.fromMs = 3 * day;
    range.toMs = 7 * day;
    t = deviceReport(devices, range, 0);
    ASSERT_EQ(t.rows.size(), 2u);
    EXPECT_EQ(t.rows[0][0], "plc2");
    EXPECT_EQ(t.rows[1][0], "rtu");
    ReportFilter text;
    text.text = "VENDOR RTU";  // case-insensitive, any column
    t = deviceReport(devices, text, 0);
    ASSERT_EQ(t.rows.size(), 1u);
    EXPECT_EQ(t.rows[0][0], "rtu");
    EXPECT_EQ(text.describe(), "text \"VENDOR RTU\"");
    EXPECT_EQ(all.describe(), "all");
}

TEST(Report, AlertFiltersBySeverityAndStatus) {
    std::vector<AlertRow> alerts = {alertRow("a", "critical", "new", "Line 1", 1, 2),
                                    alertRow("b", "major", "closed", "Line 1", 1, 2),
                                    alertRow("c", "minor", "acknowledged", "Line 2", 1, 2)};
    ReportFilter f;
    f.severities = {"critical", "major"};
    EXPECT_EQ(alertReport(alerts, f, 0).rows.size(), 2u);
    f.statuses = {"new", "acknowledged"};
    auto t = alertReport(alerts, f, 0);
    ASSERT_EQ(t.rows.size(), 1u);
    EXPECT_EQ(t.rows[0][2], "Title a");
    EXPECT_EQ(f.describe(), "severity critical/major · status new/acknowledged");
}

TEST(Report, CsvQuotesAndDefusesSpreadsheetFormulas) {
    ReportTable t;
    t.columns = {"Name", "Note"};
    t.rows = {{"=HYPERLINK(\"http://x\")", "a,b"}, {"-2+3", "plain"}, {"@SUM(A1)", "line\nbreak"}};
    EXPECT_EQ(reportToCsv(t),
              "Name,Note\r\n"
              "\"'=HYPERLINK(\"\"http://x\"\")\",\"a,b\"\r\n"
              "'-2+3,plain\r\n"
              "'@SUM(A1),\"line\nbreak\"\r\n");
}

TEST(Report, ParsesUtcDatesAndRejectsOthers) {
    EXPECT_EQ(*parseIsoUtc("1970-01-02"), 86'400'000);
    EXPECT_EQ(*parseIsoUtc("2026-01-01T10:03:31Z"), 1'767'261'811'000);
    EXPECT_EQ(*parseIsoUtc("2026-01-01T10:03"), 1'767'261'780'000);
    EXPECT_EQ(isoUtc(1'767'261'811'000), "2026-01-01T10:03:31Z");
    for (const char* bad : {"", "yesterday", "2026-13-01", "2026-01-01T10:00:00+02", "2026-1-1x"}) {
        auto r = parseIsoUtc(bad);
        ASSERT_FALSE(r.ok()) << bad;
        EXPECT_NE(r.error().message.find("is not a UTC date"), std::string::npos);
    }
}

TEST(Report, ServiceChecksTheRoleAndAuditsTheFilter) {
    const fs::path dir = fs::temp_directory_path() / ("ironsight-report-" + crypto::newUuid());
    fs::create_directories(dir);
    {
        auto svc = ConsoleService::open(dir);
        ASSERT_TRUE(svc.ok()) << svc.error().message;
        ASSERT_TRUE((*svc)->init("admin", "Admin-initial-1", "127.0.0.1:1", "127.0.0.1:2").ok());
        ASSERT_TRUE((*svc)->addUser("viewer", "Initial-pass-viewer1", Role::Viewer).ok());
        auto viewer = (*svc)->signIn("viewer", "Initial-pass-viewer1", "test");
        ASSERT_TRUE(viewer.ok());
        ASSERT_TRUE(
            (*svc)->changePassword(*viewer, "Initial-pass-viewer1", "Changed-pass-viewer2").ok());
        ReportFilter f;
        f.site = "Plant A";
        auto refused = (*svc)->report(&*viewer, ReportKind::Alerts, f);
        ASSERT_FALSE(refused.ok());
        auto local = (*svc)->report(nullptr, ReportKind::Devices, f);
        ASSERT_TRUE(local.ok()) << local.error().message;
        EXPECT_TRUE(local->rows.empty());
        EXPECT_EQ(local->title, "Device inventory");
        bool audited = false;
        for (const auto& row : *(*svc)->listAudit()) {
            audited = audited || (row.action == "report.devices" && row.target == "site Plant A" &&
                                  row.outcome == "ok: 0 rows");
        }
        EXPECT_TRUE(audited);
    }
    fs::remove_all(dir);
}

}  // namespace
}  // namespace ironsight::console::core
