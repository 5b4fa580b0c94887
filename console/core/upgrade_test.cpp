// SPDX-License-Identifier: Apache-2.0
// In-place upgrade of a console database from the first packaged release (schema v6, made from
// that release's schema by tests/fixtures/upgrade/make_fixtures.py; README.md there): loaded into
// a real SQLite file, opened by the current code, checked row by row; a second open changes
// nothing; a database from a newer release is refused.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>

#include "console/core/console_service.h"
#include "console/core/search_text.h"
#include "shared/crypto/crypto.h"
#include "shared/sqlite/sqlite.h"

namespace ironsight::console::core {
namespace {
namespace fs = std::filesystem;

const fs::path kFixtures = fs::path(IRONSIGHT_SOURCE_DIR) / "tests/fixtures/upgrade";

struct TempDir {
    fs::path path = fs::temp_directory_path() / ("ironsight-upgrade-" + crypto::newUuid());
    TempDir() { fs::create_directories(path); }
    ~TempDir() { fs::remove_all(path); }
};

std::string readText(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

std::int64_t scalar(sqlite::Db& db, const std::string& sql) {
    auto st = db.prepare(sql);
    if (!st) return -1;
    auto row = st->step();
    return row && *row ? st->columnInt(0) : -1;
}

std::vector<std::string> texts(sqlite::Db& db, const std::string& sql) {
    std::vector<std::string> out;
    auto st = db.prepare(sql);
    EXPECT_TRUE(st.ok()) << sql;
    if (!st) return out;
    for (auto row = st->step(); row && *row; row = st->step()) out.push_back(st->columnText(0));
    return out;
}

/// Every table's columns and rows (each row its columns quote()d and joined), rows sorted.
struct Snapshot {
    std::map<std::string, std::vector<std::string>> columns;
    std::map<std::string, std::vector<std::string>> rows;
};

std::vector<std::string> rowsOf(sqlite::Db& db, const std::string& table,
                                const std::vector<std::string>& columns) {
    std::string expr;
    for (const auto& c : columns) expr += (expr.empty() ? "" : " || '|' || ") + ("quote(" + c + ")");
    auto out = texts(db, "SELECT " + expr + " FROM \"" + table + "\"");
    std::sort(out.begin(), out.end());
    return out;
}

Snapshot snapshot(sqlite::Db& db) {
    Snapshot s;
    for (const auto& table :
         texts(db, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE "
                   "'sqlite_%' ORDER BY name")) {
        s.columns[table] = texts(db, "SELECT name FROM pragma_table_info('" + table + "')");
        s.rows[table] = rowsOf(db, table, s.columns[table]);
    }
    return s;
}

/// A console database as the old release left it: the SQL dump loaded into a real file.
fs::path loadFixture(const fs::path& dataDir, const std::string& dump) {
    fs::create_directories(dataDir);
    fs::path db = dataDir / "console.db";
    auto d = sqlite::Db::open(db);
    EXPECT_TRUE(d.ok());
    auto s = d->exec(readText(kFixtures / dump));
    EXPECT_TRUE(s.ok()) << s.error().message;
    return db;
}

/// The first packaged release's store migrated to schema `version` (an older release's store).
fs::path fixtureAtVersion(const fs::path& dataDir, std::size_t version) {
    fs::path dbFile = loadFixture(dataDir, "console-v6.sql");
    auto db = sqlite::Db::open(dbFile);
    EXPECT_TRUE(db.ok());
    std::vector<std::string> steps(schemaSteps().begin(),
                                   schemaSteps().begin() + static_cast<std::ptrdiff_t>(version));
    EXPECT_TRUE(sqlite::migrate(*db, steps).ok());
    EXPECT_EQ(scalar(*db, "PRAGMA user_version"), static_cast<std::int64_t>(version));
    return dbFile;
}

TEST(ConsoleUpgrade, FromTheFirstPackagedReleaseInPlace) {
    TempDir dir;
    fs::path dataDir = dir.path / "data";
    fs::path dbFile = loadFixture(dataDir, "console-v6.sql");
    Snapshot before;
    {
        auto db = sqlite::Db::open(dbFile);
        ASSERT_TRUE(db.ok());
        EXPECT_EQ(scalar(*db, "PRAGMA user_version"), 6);
        before = snapshot(*db);
    }
    ASSERT_EQ(before.rows.at("users").size(), 3u);
    ASSERT_EQ(before.rows.at("forward_queue").size(), 2u);

    {
        auto store = ConsoleStore::open(dbFile);
        ASSERT_TRUE(store.ok()) << store.error().message;
    }
    Snapshot after;
    {
        auto db = sqlite::Db::open(dbFile);
        ASSERT_TRUE(db.ok());
        EXPECT_EQ(scalar(*db, "PRAGMA user_version"),
                  static_cast<std::int64_t>(schemaSteps().size()));
        EXPECT_EQ(texts(*db, "PRAGMA integrity_check"), std::vector<std::string>{"ok"});
        EXPECT_EQ(scalar(*db, "SELECT COUNT(*) FROM pragma_foreign_key_check"), 0);
        after = snapshot(*db);
        // Every old row is still there with the same values in its old columns.
        for (const auto& [table, columns] : before.columns) {
            ASSERT_TRUE(after.columns.count(table)) << table << " is gone";
            EXPECT_EQ(rowsOf(*db, table, columns), before.rows.at(table)) << table;
        }
        // The columns later steps added hold their defaults.
        EXPECT_EQ(texts(*db, "SELECT DISTINCT mail_to || starttls || smtp_password FROM "
                             "forward_rules"),
                  std::vector<std::string>{"[]1"});
        EXPECT_EQ(scalar(*db, "SELECT COUNT(*) FROM health WHERE packets_per_s = 0 AND "
                              "uptime_s = 0"),
                  1);
    }

    // Through the current API: accounts sign in, the audit chain verifies, work carries on.
    auto opened = ConsoleService::open(dataDir);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    auto& svc = **opened;
    auto admin = svc.signIn("admin", "Fixture admin password 1", "test");
    ASSERT_TRUE(admin.ok()) << admin.error().message;
    EXPECT_FALSE(svc.signIn("viewer", "Fixture viewer password 3", "test").ok());  // disabled
    auto audit = svc.verifyAudit();
    ASSERT_TRUE(audit.ok());
    EXPECT_TRUE(audit->intact()) << audit->reason;
    EXPECT_GE(audit->records, 7);

    auto rules = svc.listForwardRules();
    ASSERT_TRUE(rules.ok());
    ASSERT_EQ(rules->size(), 2u);
    EXPECT_EQ((*rules)[0].target, "tcp://siem.plant.example:6514");
    EXPECT_EQ((*rules)[0].format, "cef");
    EXPECT_EQ((*rules)[0].engines, std::vector<std::string>{"policy"});
    EXPECT_EQ((*rules)[0].queued, 2);  // the queue moved with the v10 table rebuild
    EXPECT_EQ((*rules)[0].sent, 41);
    EXPECT_EQ((*rules)[0].lastError,
              "cannot connect to siem.plant.example:6514: Connection refused");
    EXPECT_EQ((*rules)[1].sites, std::vector<std::string>{"Plant A"});
    auto queue = svc.store().forwardQueue((*rules)[0].id, 10);
    ASSERT_TRUE(queue.ok());
    ASSERT_EQ(queue->size(), 2u);
    EXPECT_NE((*queue)[0].message.find("externalId=al-1"), std::string::npos);
    EXPECT_EQ((*queue)[1].attempts, 2);

    auto alerts = svc.store().listAlerts();
    ASSERT_TRUE(alerts.ok());
    ASSERT_EQ(alerts->size(), 3u);
    std::map<std::string, AlertRow> byId;
    for (const auto& a : *alerts) byId[a.alertId] = a;
    EXPECT_EQ(byId["al-1"].status, "closed");
    EXPECT_EQ(byId["al-1"].assignee, "analyst.kim");
    EXPECT_EQ(byId["al-1"].site, "Plant A");
    EXPECT_EQ(byId["al-1"].severity, "critical");
    EXPECT_EQ(byId["al-2"].status, "acknowledged");
    EXPECT_EQ(byId["al-3"].count, 1u);
    auto devices = svc.store().listDevices();
    ASSERT_TRUE(devices.ok());
    ASSERT_EQ(devices->size(), 2u);
    EXPECT_EQ(svc.store().cveCount(), 1);
    // New rows land next to the old ones.
    ASSERT_TRUE(svc.addSite("Plant C").ok());
    ForwardRule mail;
    mail.target = "smtp://relay.plant.example:587";
    mail.mailFrom = "ironsight@plant.example";
    mail.mailTo = {"soc@plant.example"};
    ASSERT_TRUE(svc.addForwardRule(mail).ok());
    opened->reset();

    // A second open migrates nothing and changes nothing.
    Snapshot settled;
    {
        auto db = sqlite::Db::open(dbFile);
        ASSERT_TRUE(db.ok());
        settled = snapshot(*db);
    }
    {
        auto store = ConsoleStore::open(dbFile);
        ASSERT_TRUE(store.ok()) << store.error().message;
    }
    auto db = sqlite::Db::open(dbFile);
    ASSERT_TRUE(db.ok());
    Snapshot again = snapshot(*db);
    EXPECT_EQ(again.columns, settled.columns);
    EXPECT_EQ(again.rows, settled.rows);
    EXPECT_EQ(scalar(*db, "PRAGMA user_version"), static_cast<std::int64_t>(schemaSteps().size()));
}

TEST(ConsoleUpgrade, V15ToV16StoresTheInventoryOrder) {
    TempDir dir;
    fs::path dbFile = fixtureAtVersion(dir.path / "data", 15);
    {
        // The store as schema v15 left it, plus a device seen by two sensors and an override.
        auto db = sqlite::Db::open(dbFile);
        ASSERT_TRUE(db.ok());
        ASSERT_EQ(scalar(*db, "SELECT COUNT(*) FROM device_groups"), 2);
        ASSERT_TRUE(db->exec("INSERT INTO devices(sensor_id, device_id, last_seq, last_seen, "
                             "group_id) SELECT id, 'mac-00aabbccddee', 1, 5, 1 FROM sensors "
                             "WHERE name = 's1';"
                             "UPDATE device_groups SET zone_id = (SELECT MIN(id) FROM zones "
                             "WHERE site_id = device_groups.site_id) WHERE id = 2")
                        .ok());
    }
    testing::internal::CaptureStderr();
    {
        auto store = ConsoleStore::open(dbFile);
        ASSERT_TRUE(store.ok()) << store.error().message;
    }
    const std::string err = testing::internal::GetCapturedStderr();
    const std::string latest = "v" + std::to_string(schemaSteps().size());
    EXPECT_NE(err.find("ironsight-console: upgrading " + dbFile.string() +
                       " from schema v15 to " + latest),
              std::string::npos)
        << err;
    EXPECT_NE(err.find("ironsight-console: " + dbFile.string() + " upgraded to schema " +
                       latest + " in "),
              std::string::npos)
        << err;
    auto db = sqlite::Db::open(dbFile);
    ASSERT_TRUE(db.ok());
    EXPECT_EQ(scalar(*db, "PRAGMA user_version"), static_cast<std::int64_t>(schemaSteps().size()));
    // Group 1 has two observations: its order is computed at search time.
    EXPECT_EQ(scalar(*db, "SELECT COUNT(*) FROM device_groups WHERE id = 1 AND order_zone IS NULL"),
              1);
    // Group 2: its override zone and its device id.
    EXPECT_EQ(scalar(*db, "SELECT COUNT(*) FROM device_groups g JOIN devices d ON d.group_id = "
                          "g.id WHERE g.id = 2 AND g.order_zone = g.zone_id AND "
                          "g.order_device = d.device_id"),
              1);
    EXPECT_EQ(scalar(*db, "SELECT COUNT(*) FROM device_order_dirty"), 0);
    EXPECT_EQ(texts(*db, "PRAGMA integrity_check"), std::vector<std::string>{"ok"});
    // The paged search in the stored order equals the unpaged one.
    auto store = ConsoleStore::open(dbFile);
    ASSERT_TRUE(store.ok()) << store.error().message;
    auto all = (*store)->searchDevices("mac", 0, 0);
    ASSERT_TRUE(all.ok()) << all.error().message;
    ASSERT_EQ(all->size(), 2u);
    for (int i = 0; i < 2; ++i) {
        auto page = (*store)->searchDevices("mac", 1, i);
        ASSERT_TRUE(page.ok()) << page.error().message;
        ASSERT_EQ(page->size(), 1u);
        EXPECT_EQ((*page)[0].groupId, (*all)[static_cast<std::size_t>(i)].groupId);
    }
}

TEST(ConsoleUpgrade, V16ToV17AddsCaptureInterfacesAndTheirZoneRules) {
    TempDir dir;
    fs::path dbFile = fixtureAtVersion(dir.path / "data", 16);
    std::string s1;
    {
        // The store as schema v16 left it, with a device whose inventory order is stored.
        auto db = sqlite::Db::open(dbFile);
        ASSERT_TRUE(db.ok());
        ASSERT_TRUE(db->exec("INSERT INTO devices(sensor_id, device_id, last_seq, last_seen, "
                             "group_id) SELECT id, 'mac-00aabbccddee', 1, 5, NULL FROM sensors "
                             "WHERE name = 's1';"
                             "INSERT INTO device_groups(site_id) SELECT z.site_id FROM sensors s "
                             "JOIN zones z ON z.id = s.zone_id WHERE s.name = 's1';"
                             "UPDATE devices SET group_id = last_insert_rowid() "
                             "WHERE device_id = 'mac-00aabbccddee';"
                             "DELETE FROM device_order_dirty;"
                             "INSERT INTO zones(site_id, name) VALUES(1, 'Line 2')")
                        .ok());
        ASSERT_TRUE(db->exec("UPDATE device_groups SET order_zone = (SELECT zone_id FROM sensors "
                             "WHERE name = 's1'), order_device = 'mac-00aabbccddee' WHERE id = "
                             "(SELECT group_id FROM devices WHERE device_id = 'mac-00aabbccddee')")
                        .ok());
        s1 = texts(*db, "SELECT id FROM sensors WHERE name = 's1'").at(0);
    }
    const Snapshot before = [&] {
        auto db = sqlite::Db::open(dbFile);
        return snapshot(*db);
    }();
    testing::internal::CaptureStderr();
    {
        auto store = ConsoleStore::open(dbFile);
        ASSERT_TRUE(store.ok()) << store.error().message;
    }
    const std::string err = testing::internal::GetCapturedStderr();
    EXPECT_NE(err.find("ironsight-console: upgrading " + dbFile.string() +
                       " from schema v16 to v" + std::to_string(schemaSteps().size())),
              std::string::npos)
        << err;
    {
        auto db = sqlite::Db::open(dbFile);
        ASSERT_TRUE(db.ok());
        EXPECT_EQ(scalar(*db, "PRAGMA user_version"),
                  static_cast<std::int64_t>(schemaSteps().size()));
        EXPECT_EQ(texts(*db, "PRAGMA integrity_check"), std::vector<std::string>{"ok"});
        EXPECT_EQ(scalar(*db, "SELECT COUNT(*) FROM pragma_foreign_key_check"), 0);
        // Every row as it was; the new column holds its default; no rule, no order touched.
        const Snapshot after = snapshot(*db);
        for (const auto& [table, columns] : before.columns) {
            EXPECT_EQ(rowsOf(*db, table, columns), before.rows.at(table)) << table;
        }
        EXPECT_EQ(texts(*db, "SELECT DISTINCT interfaces FROM devices"),
                  std::vector<std::string>{"[]"});
        EXPECT_EQ(after.rows.at("sensor_interface_rules").size(), 0u);
        EXPECT_EQ(scalar(*db, "SELECT COUNT(*) FROM device_groups WHERE order_device = "
                              "'mac-00aabbccddee' AND order_zone IS NOT NULL"),
                  1);
    }
    // The upgraded store at work: ingest records the interfaces, a rule clears the stored
    // order and moves the device, its removal stores the order again.
    auto svc = ConsoleService::open(dir.path / "data");
    ASSERT_TRUE(svc.ok()) << svc.error().message;
    auto& store = (*svc)->store();
    ASSERT_TRUE(store.beginStream(s1, 7, 1000).ok());
    ironsight::v1::Batch b;
    auto* env = b.add_envelopes();
    env->set_seq(1);
    env->mutable_device()->set_id("mac-00aabbccddee");
    env->mutable_device()->add_interfaces("eth1");
    env->mutable_device()->set_last_seen_ms(9);
    auto applied = store.applyBatch(s1, 7, b, 2000);
    ASSERT_TRUE(applied.ok()) << applied.error().message;
    auto device = store.searchDevices("eth1", 0, 0);
    ASSERT_TRUE(device.ok()) << device.error().message;
    ASSERT_EQ(device->size(), 1u);
    ASSERT_EQ((*device)[0].observations.at(0).interfaces, std::vector<std::string>{"eth1"});
    EXPECT_EQ((*device)[0].zone, "Line 1");  // s1's
    auto db = sqlite::Db::open(dbFile);
    const std::string storedOrders =
        "SELECT COUNT(*) FROM device_groups g JOIN devices d ON d.group_id = g.id "
        "JOIN sensors s ON s.id = d.sensor_id WHERE s.name = 's1' AND g.order_zone IS NOT NULL";
    const std::int64_t stored = scalar(*db, storedOrders);
    EXPECT_GE(stored, 1);
    ASSERT_TRUE((*svc)->setInterfaceZoneRule("s1", "eth1", "Line 2").ok());
    EXPECT_EQ(store.findDevice((*device)[0].groupId)->zone, "Line 2");
    EXPECT_EQ(store.findDevice((*device)[0].groupId)->zoneSource, "interface");
    EXPECT_EQ(scalar(*db, storedOrders), 0);  // s1 has a rule: keyed at search time
    ASSERT_TRUE((*svc)->removeInterfaceZoneRule("s1", "eth1").ok());
    EXPECT_EQ(scalar(*db, storedOrders), stored);
}

TEST(ConsoleUpgrade, V17ToV18IndexesTheAlertText) {
    TempDir dir;
    fs::path dbFile = fixtureAtVersion(dir.path / "data", 17);
    {
        auto db = sqlite::Db::open(dbFile);
        ASSERT_TRUE(db.ok());
        ASSERT_EQ(scalar(*db, "SELECT COUNT(*) FROM alerts"), 3);
    }
    auto store = ConsoleStore::open(dbFile);
    ASSERT_TRUE(store.ok()) << store.error().message;
    {
        auto db = sqlite::Db::open(dbFile, true);
        ASSERT_TRUE(db.ok());
        EXPECT_EQ(scalar(*db, "SELECT COUNT(*) FROM alert_text"), 3);
        EXPECT_EQ(scalar(*db, "SELECT COUNT(*) FROM alerts JOIN alert_text t ON t.rowid = "
                              "alerts.rowid WHERE t.body = " IRONSIGHT_ALERT_TEXT_BODY),
                  3);
        EXPECT_EQ(texts(*db, "PRAGMA integrity_check"), std::vector<std::string>{"ok"});
    }
    // The old alerts are found through the index: al-1 is assigned to analyst.kim.
    AlertQuery q;
    q.text = "analyst.kim";
    auto rows = (*store)->queryAlerts(q);
    ASSERT_TRUE(rows.ok()) << rows.error().message;
    ASSERT_EQ(rows->size(), 1u);
    EXPECT_EQ((*rows)[0].alertId, "al-1");
    EXPECT_EQ(*(*store)->countAlerts(q), 1);
}

TEST(ConsoleUpgrade, ADatabaseFromANewerReleaseIsRefusedUntouched) {
    TempDir dir;
    fs::path dbFile = loadFixture(dir.path / "data", "console-v6.sql");
    const auto newer = static_cast<std::int64_t>(schemaSteps().size()) + 1;
    {
        auto db = sqlite::Db::open(dbFile);
        ASSERT_TRUE(db.ok());
        ASSERT_TRUE(db->exec("PRAGMA user_version=" + std::to_string(newer)).ok());
    }
    auto store = ConsoleStore::open(dbFile);
    ASSERT_FALSE(store.ok());
    EXPECT_EQ(store.error().message,
              dbFile.string() + ": database " + dbFile.string() + " has schema version " +
                  std::to_string(newer) + ", newer than this program understands (" +
                  std::to_string(schemaSteps().size()) + ")");
    auto svc = ConsoleService::open(dir.path / "data");
    ASSERT_FALSE(svc.ok());
    EXPECT_EQ(svc.error().message, store.error().message);
    auto db = sqlite::Db::open(dbFile);
    EXPECT_EQ(scalar(*db, "PRAGMA user_version"), newer);
    EXPECT_EQ(scalar(*db, "SELECT COUNT(*) FROM forward_queue"), 2);
}

}  // namespace
}  // namespace ironsight::console::core
