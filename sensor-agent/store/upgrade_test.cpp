// SPDX-License-Identifier: Apache-2.0
// In-place upgrade of a sensor state.db from the first packaged release (schema v2, made from
// that release's schema by tests/fixtures/upgrade/make_fixtures.py; README.md there): the dump
// loaded into a real SQLite file, opened by the current store, outbox and evidence code; every
// row kept, unacked records still deliverable, a second open a no-op, a newer schema refused.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

#include "ironsight/v1/link.pb.h"
#include "sensor-agent/store/evidence_store.h"
#include "sensor-agent/store/outbox.h"
#include "sensor-agent/store/state_store.h"
#include "shared/sqlite/sqlite.h"

namespace ironsight::sensor::store {
namespace {
namespace fs = std::filesystem;

const fs::path kFixtures = fs::path(IRONSIGHT_SOURCE_DIR) / "tests/fixtures/upgrade";

struct TempDir {
    fs::path path;
    TempDir() {
        std::string tmpl = (fs::temp_directory_path() / "ironsight-sensor-upgrade-XXXXXX").string();
        path = ::mkdtemp(tmpl.data());
    }
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

std::vector<std::string> rowsOf(sqlite::Db& db, const std::string& table,
                                const std::vector<std::string>& columns) {
    std::string expr;
    for (const auto& c : columns) expr += (expr.empty() ? "" : " || '|' || ") + ("quote(" + c + ")");
    auto out = texts(db, "SELECT " + expr + " FROM \"" + table + "\"");
    std::sort(out.begin(), out.end());
    return out;
}

/// Every table: its columns and its rows (quote()d, sorted).
using Snapshot = std::map<std::string, std::pair<std::vector<std::string>, std::vector<std::string>>>;

Snapshot snapshot(const fs::path& dbFile) {
    auto db = sqlite::Db::open(dbFile);
    EXPECT_TRUE(db.ok());
    Snapshot s;
    for (const auto& table :
         texts(*db, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE "
                    "'sqlite_%' ORDER BY name")) {
        auto columns = texts(*db, "SELECT name FROM pragma_table_info('" + table + "')");
        s[table] = {columns, rowsOf(*db, table, columns)};
    }
    return s;
}

/// The schema version this build creates (a fresh state dir).
std::int64_t currentVersion() {
    TempDir fresh;
    auto db = openStateDb(fresh.path);
    EXPECT_TRUE(db.ok());
    return db ? scalar(*db, "PRAGMA user_version") : -1;
}

fs::path loadFixture(const fs::path& stateDir) {
    fs::create_directories(stateDir);
    fs::path file = stateDir / "state.db";
    auto db = sqlite::Db::open(file);
    EXPECT_TRUE(db.ok());
    auto s = db->exec(readText(kFixtures / "sensor-state-v2.sql"));
    EXPECT_TRUE(s.ok()) << s.error().message;
    return file;
}

TEST(SensorStateUpgrade, FromTheFirstPackagedReleaseInPlace) {
    TempDir dir;
    fs::path stateDir = dir.path / "state";
    fs::path dbFile = loadFixture(stateDir);
    Snapshot before = snapshot(dbFile);
    {
        auto db = sqlite::Db::open(dbFile);
        EXPECT_EQ(scalar(*db, "PRAGMA user_version"), 2);
    }
    ASSERT_EQ(before.at("outbox").second.size(), 2u);

    auto state = StateStore::open(stateDir);
    ASSERT_TRUE(state.ok()) << state.error().message;
    EXPECT_EQ(scalar(state->db(), "PRAGMA user_version"), currentVersion());
    EXPECT_EQ(texts(state->db(), "PRAGMA integrity_check"), std::vector<std::string>{"ok"});
    EXPECT_EQ(state->epoch(), 6148914691236517205ULL);  // kept: the console resumes by it
    EXPECT_EQ(state->getOr(meta::kSensorId, ""), "5b0f1c9e-2d6a-4f3e-9b1a-7c2d8e4f6a10");
    EXPECT_EQ(state->getOr(meta::kStreamEndpoints, ""), "console.plant.example:7443");
    EXPECT_FALSE(state->learning());
    auto baseline = state->baseline();
    ASSERT_TRUE(baseline.ok());
    EXPECT_EQ(*baseline,
              "ironsight-baseline 1\nflow mac:00:0c:29:aa:bb:cc mac:00:1b:1b:0a:0b:0c tcp 102 "
              "s7comm\n");
    auto stored = state->storedAlerts();  // the table v3 added: empty, usable
    ASSERT_TRUE(stored.ok());
    EXPECT_TRUE(stored->empty());

    Snapshot after = snapshot(dbFile);
    for (const auto& [table, old] : before) {
        ASSERT_TRUE(after.count(table)) << table << " is gone";
        auto db = sqlite::Db::open(dbFile);
        EXPECT_EQ(rowsOf(*db, table, old.first), old.second) << table;
    }

    // The records the old release had not delivered yet still go out, in order.
    auto outbox = Outbox::open(stateDir);
    ASSERT_TRUE(outbox.ok()) << outbox.error().message;
    EXPECT_EQ((*outbox)->epoch(), 6148914691236517205ULL);
    EXPECT_EQ((*outbox)->lastSeq(), 7u);
    EXPECT_EQ((*outbox)->ackedThrough(), 5u);
    EXPECT_EQ((*outbox)->depth(), 2u);
    auto records = (*outbox)->read(6, 10, 1 << 20);
    ASSERT_TRUE(records.ok());
    ASSERT_EQ(records->size(), 2u);
    EXPECT_EQ((*records)[0].seq, 6u);
    EXPECT_EQ((*records)[0].cls, RecordClass::Alert);
    v1::Envelope alert;
    ASSERT_TRUE(alert.ParseFromArray((*records)[0].payload.data(),
                                     static_cast<int>((*records)[0].payload.size())));
    EXPECT_EQ(alert.alert().id(), "al-9");
    EXPECT_EQ(alert.alert().severity(), v1::SEVERITY_CRITICAL);
    EXPECT_EQ(alert.alert().title(), "PLC stop command from ews-03");
    v1::Envelope health;
    ASSERT_TRUE(health.ParseFromArray((*records)[1].payload.data(),
                                      static_cast<int>((*records)[1].payload.size())));
    EXPECT_EQ(health.health().capture_source(), "eth1");
    // New records continue the old sequence.
    auto appended = (*outbox)->append({{RecordClass::Health, {1, 2, 3}}}, 1'800'000'000'000);
    ASSERT_TRUE(appended.ok());
    EXPECT_EQ(appended->front(), 8u);
    outbox->reset();

    auto evidence = EvidenceStore::open(stateDir);
    ASSERT_TRUE(evidence.ok()) << evidence.error().message;
    auto pcap = (*evidence)->evidencePcap("al-9");
    ASSERT_TRUE(pcap.ok()) << pcap.error().message;
    ASSERT_EQ(pcap->size(), 24u + 16u + 34u);  // file header, record header, the frame
    EXPECT_EQ(static_cast<unsigned char>((*pcap)[0]), 0xd4);  // little-endian pcap magic
    EXPECT_EQ(pcap->substr(24 + 16, 6), std::string("\x00\x1b\x1b\x0a\x0b\x0c", 6));

    // A second open changes nothing.
    Snapshot settled = snapshot(dbFile);
    {
        auto again = StateStore::open(stateDir);
        ASSERT_TRUE(again.ok());
        auto box = Outbox::open(stateDir);
        ASSERT_TRUE(box.ok());
    }
    EXPECT_EQ(snapshot(dbFile), settled);
}

TEST(SensorStateUpgrade, AStateDirFromANewerReleaseIsRefused) {
    TempDir dir;
    fs::path dbFile = loadFixture(dir.path / "state");
    const std::int64_t newer = currentVersion() + 1;
    {
        auto db = sqlite::Db::open(dbFile);
        ASSERT_TRUE(db->exec("PRAGMA user_version=" + std::to_string(newer)).ok());
    }
    auto state = StateStore::open(dir.path / "state");
    ASSERT_FALSE(state.ok());
    EXPECT_EQ(state.error().message, "database " + dbFile.string() + " has schema version " +
                                         std::to_string(newer) +
                                         ", newer than this program understands (" +
                                         std::to_string(newer - 1) + ")");
}

}  // namespace
}  // namespace ironsight::sensor::store
