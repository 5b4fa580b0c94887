// SPDX-License-Identifier: Apache-2.0
// Tests for ConsoleStore on a real SQLite file: migrations, domain writes, enrollment, ingest.
#include "console/core/console_store.h"
#include "console/core/search_text.h"
#include "console/core/ingest_committer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <thread>

#include <nlohmann/json.hpp>

#include "console/core/console_service.h"
#include "shared/activation/activation.h"
#include "shared/crypto/crypto.h"

namespace ironsight::console::core {
namespace {
namespace fs = std::filesystem;

struct TempDir {
    fs::path path = fs::temp_directory_path() / ("ironsight-store-" + crypto::newUuid());
    TempDir() { fs::create_directories(path); }
    ~TempDir() { fs::remove_all(path); }
};

std::int64_t scalar(const fs::path& db, const std::string& sql) {
    auto d = sqlite::Db::open(db);
    auto st = d->prepare(sql);
    EXPECT_TRUE(st.ok()) << sql;
    auto row = st->step();
    return row && *row ? st->columnInt(0) : -1;
}

TEST(ConsoleStore, MigratesARealFileOnceAndKeepsData) {
    TempDir dir;
    fs::path db = dir.path / "console.db";
    {
        auto store = ConsoleStore::open(db);
        ASSERT_TRUE(store.ok()) << store.error().message;
        ASSERT_TRUE((*store)->addSite("Plant A").ok());
    }
    EXPECT_EQ(scalar(db, "PRAGMA user_version"), static_cast<std::int64_t>(schemaSteps().size()));
    for (const char* table :
         {"settings", "users", "sites", "zones", "sensors", "activations", "devices", "connections",
          "alerts", "sensor_progress", "health", "audit_log"}) {
        EXPECT_EQ(scalar(db, std::string("SELECT COUNT(*) FROM sqlite_master WHERE type='table' "
                                         "AND name='") +
                                 table + "'"),
                  1)
            << table;
    }
    auto again = ConsoleStore::open(db);
    ASSERT_TRUE(again.ok());
    auto sites = (*again)->listSites();
    ASSERT_TRUE(sites.ok());
    ASSERT_EQ(sites->size(), 1u);
    EXPECT_EQ((*sites)[0].name, "Plant A");
    auto d = sqlite::Db::open(db);
    auto mode = d->prepare("PRAGMA journal_mode");
    ASSERT_TRUE(*mode->step());
    EXPECT_EQ(mode->columnText(0), "wal");
}

TEST(ConsoleStore, UsersAreArgon2idHashed) {
    TempDir dir;
    auto store = ConsoleStore::open(dir.path / "console.db");
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE((*store)->addUser("admin", "Correct horse 1", "admin").ok());
    EXPECT_FALSE((*store)->addUser("admin", "Another password 1", "admin").ok());
    EXPECT_FALSE((*store)->addUser("bob", "short", "admin").ok());
    EXPECT_TRUE(*(*store)->checkPassword("admin", "Correct horse 1"));
    EXPECT_FALSE(*(*store)->checkPassword("admin", "Correct horsE 1"));
    EXPECT_FALSE(*(*store)->checkPassword("nobody", "Correct horse 1"));
    auto db = sqlite::Db::open(dir.path / "console.db");
    auto st = db->prepare("SELECT password_hash FROM users");
    ASSERT_TRUE(*st->step());
    std::string hash = st->columnText(0);
    EXPECT_EQ(hash.rfind("$argon2id$v=19$m=65536,t=3,p=1$", 0), 0u) << hash;
    EXPECT_EQ(hash.find("Correct horse 1"), std::string::npos);
}

TEST(ConsoleStore, SitesZonesSensorsAndErrors) {
    TempDir dir;
    auto store = ConsoleStore::open(dir.path / "console.db");
    ASSERT_TRUE(store.ok());
    auto& s = **store;
    ASSERT_TRUE(s.addSite("Plant A").ok());
    EXPECT_EQ(s.addSite("Plant A").error().message, "site 'Plant A' already exists");
    EXPECT_EQ(s.addZone("Nowhere", "Line 1").error().message, "no site named 'Nowhere'");
    ASSERT_TRUE(s.addZone("Plant A", "Line 1").ok());
    EXPECT_FALSE(s.addZone("Plant A", "Line 1").ok());
    EXPECT_EQ(s.addSensor("Plant A", "Line 9", "s1", "aa", "b", 1).error().message,
              "no zone 'Line 9' in site 'Plant A'");
    auto sensor = s.addSensor("Plant A", "Line 1", "s1", "hash1", "bundle1", nowMs() + 60'000);
    ASSERT_TRUE(sensor.ok()) << sensor.error().message;
    EXPECT_EQ(sensor->status, "pending");
    EXPECT_EQ(sensor->id.size(), 36u);
    EXPECT_FALSE(s.addSensor("Plant A", "Line 1", "s1", "hash2", "bundle2", 1).ok());
    EXPECT_EQ(s.pendingActivations(nowMs()), 1);
    auto list = s.listSensors();
    ASSERT_EQ(list->size(), 1u);
    EXPECT_EQ((*list)[0].site, "Plant A");
    EXPECT_EQ((*list)[0].zone, "Line 1");
    ASSERT_TRUE(s.revokeSensor("s1", "test").ok());
    EXPECT_FALSE(s.revokeSensor("s1", "test").ok());
    EXPECT_EQ((*s.findSensor(sensor->id))->status, "revoked");
    EXPECT_EQ(s.pendingActivations(nowMs()), 0);
}

TEST(ConsoleStore, EnrollmentChecksInOrderAndIsOneShot) {
    TempDir dir;
    auto store = ConsoleStore::open(dir.path / "console.db");
    auto& s = **store;
    ASSERT_TRUE(s.addSite("P").ok());
    ASSERT_TRUE(s.addZone("P", "Z").ok());
    std::int64_t now = nowMs();
    auto a = s.addSensor("P", "Z", "a", "tokA", "bA", now + 60'000);
    auto b = s.addSensor("P", "Z", "b", "tokB", "bB", now - 1);  // already expired
    ASSERT_TRUE(a.ok() && b.ok());
    int issued = 0;
    auto issue = [&]() -> Result<std::string> {
        ++issued;
        return std::string("serial-") + std::to_string(issued);
    };
    auto r = s.enroll({a->id, "nope", "test"}, now, issue);
    EXPECT_EQ(r.error().message, "unknown activation token");
    r = s.enroll({b->id, "tokB", "test"}, now, issue);
    EXPECT_EQ(r.error().message, "activation expired");
    r = s.enroll({b->id, "tokA", "test"}, now, issue);
    EXPECT_EQ(r.error().message, "sensor id mismatch");
    EXPECT_EQ(issued, 0);
    // A failing issue step (bad CSR) leaves the token unused.
    r = s.enroll({a->id, "tokA", "test"}, now, []() -> Result<std::string> {
        return makeError("certificate request unreadable");
    });
    EXPECT_EQ(r.error().message, "certificate request unreadable");
    EXPECT_EQ((*s.findSensor(a->id))->status, "pending");
    r = s.enroll({a->id, "tokA", "test"}, now, issue);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(*r, "serial-1");
    auto row = *s.findSensor("a");
    EXPECT_EQ(row->status, "active");
    EXPECT_EQ(row->certSerial, "serial-1");
    r = s.enroll({a->id, "tokA", "test"}, now, issue);
    EXPECT_EQ(r.error().message, "activation token already used");
    EXPECT_EQ(issued, 1);
    auto audit = s.listAudit();
    int refusals = 0;
    for (const auto& e : *audit) refusals += e.outcome.rfind("refused: ", 0) == 0 ? 1 : 0;
    EXPECT_EQ(refusals, 5);
}

v1::Batch batch(std::uint64_t from, std::uint64_t to) {
    v1::Batch b;
    for (std::uint64_t seq = from; seq <= to; ++seq) {
        auto* env = b.add_envelopes();
        env->set_seq(seq);
        if (seq % 2 == 0) {
            auto* d = env->mutable_device();
            d->set_id("dev-" + std::to_string(seq % 6));
            d->add_ips("10.0.0." + std::to_string(seq % 6));
            d->set_vendor("Vendor " + std::to_string(seq));
            d->set_type("plc");
            d->set_purdue_level(1);
            auto* p = d->add_protocols();
            p->set_name("modbus");
            p->set_role("server");
            d->set_last_seen_ms(static_cast<std::int64_t>(seq));
        } else {
            auto* a = env->mutable_alert();
            a->set_id("alert-" + std::to_string(seq % 5));
            a->set_severity(v1::SEVERITY_CRITICAL);
            a->set_title("Title " + std::to_string(seq));
            a->set_count(seq);
            a->set_last_seen_ms(static_cast<std::int64_t>(seq));
        }
    }
    return b;
}

TEST(ConsoleStore, IngestIsIdempotentPerEpoch) {
    TempDir dir;
    auto store = ConsoleStore::open(dir.path / "console.db");
    auto& s = **store;
    ASSERT_TRUE(s.addSite("P").ok());
    ASSERT_TRUE(s.addZone("P", "Z").ok());
    auto a = s.addSensor("P", "Z", "a", "tokA", "bA", nowMs() + 60'000);
    ASSERT_TRUE(a.ok());

    EXPECT_FALSE(s.applyBatch(a->id, 7, batch(1, 3), 0).ok());  // no Hello yet
    auto p = s.beginStream(a->id, 7, 1000);
    ASSERT_TRUE(p.ok());
    EXPECT_EQ(p->appliedThroughSeq, 0u);
    EXPECT_EQ(*s.applyBatch(a->id, 7, batch(1, 10), 0), 10u);
    auto devices = *s.listDevices();
    auto alerts = *s.listAlerts();
    EXPECT_EQ(devices.size(), 3u);  // seq 2,4,6,8,10 -> dev-2,4,0,2,4
    EXPECT_EQ(alerts.size(), 5u);
    // Replaying the same batch, and an overlapping one, changes nothing.
    EXPECT_EQ(*s.applyBatch(a->id, 7, batch(1, 10), 0), 10u);
    EXPECT_EQ(*s.applyBatch(a->id, 7, batch(5, 12), 0), 12u);
    auto alerts2 = *s.listAlerts();
    EXPECT_EQ(alerts2.size(), 5u);
    std::uint64_t totalCount = 0;
    for (const auto& al : alerts2) {
        totalCount += al.count;
        EXPECT_EQ(al.severity, "critical");
        EXPECT_EQ(al.status, "new");
        EXPECT_EQ(al.site, "P");
    }
    EXPECT_EQ(totalCount, 5u + 7 + 9 + 11 + 3);  // last seq per alert id: 11,7,3,9,5

    // Reconnect with the same epoch resumes; a new epoch starts from 0 and is audited.
    EXPECT_EQ(s.beginStream(a->id, 7, 2000)->appliedThroughSeq, 12u);
    EXPECT_EQ(s.beginStream(a->id, 8, 3000)->appliedThroughSeq, 0u);
    EXPECT_EQ(*s.applyBatch(a->id, 8, batch(1, 2), 0), 2u);
    EXPECT_FALSE(s.applyBatch(a->id, 7, batch(13, 14), 0).ok());  // stale epoch
    bool reset = false;
    EXPECT_EQ(*s.applyBatch(a->id, 8, batch(6, 7), 0), 7u);  // 3..5 missing
    auto auditRows = s.listAudit();
    ASSERT_TRUE(auditRows.ok()) << auditRows.error().message;
    int gaps = 0;
    for (const auto& e : *auditRows) {
        reset = reset || e.action == "SENSOR_OUTBOX_RESET";
        if (e.action == "DELIVERY_GAP") {
            ++gaps;
            EXPECT_EQ(e.outcome, "seq 3..5 never received");
        }
    }
    EXPECT_TRUE(reset);
    EXPECT_EQ(gaps, 1);
}

}  // namespace
}  // namespace ironsight::console::core

namespace ironsight::console::core {
namespace {

TEST(ConsoleStore, ConnectionsAreListedOncePerPairWithLatestCounters) {
    TempDir dir;
    auto store = ConsoleStore::open(dir.path / "console.db");
    auto& s = **store;
    ASSERT_TRUE(s.addSite("P").ok());
    ASSERT_TRUE(s.addZone("P", "Z").ok());
    auto a = s.addSensor("P", "Z", "a", "tokA", "bA", nowMs() + 60'000);
    ASSERT_TRUE(a.ok());
    ASSERT_TRUE(s.beginStream(a->id, 1, 1000).ok());
    v1::Batch b;
    for (std::uint64_t seq = 1; seq <= 3; ++seq) {
        auto* env = b.add_envelopes();
        env->set_seq(seq);
        auto* c = env->mutable_connection();
        c->set_src("hmi");
        c->set_dst(seq == 3 ? "plc-2" : "plc-1");
        c->set_src_ip("10.0.0.5");
        c->set_dst_ip(seq == 3 ? "10.0.0.9" : "10.0.0.7");
        c->set_transport("tcp");
        c->set_port(502);
        c->set_protocol("modbus");
        c->set_packets(10 * seq);
        c->set_bytes(1000 * seq);
    }
    ASSERT_EQ(*s.applyBatch(a->id, 1, b, 0), 3u);
    auto rows = s.listConnections();
    ASSERT_TRUE(rows.ok()) << rows.error().message;
    ASSERT_EQ(rows->size(), 2u);  // hmi->plc-1 updated in place, hmi->plc-2
    EXPECT_EQ((*rows)[0].dst, "plc-1");
    EXPECT_EQ((*rows)[0].packets, 20u);
    EXPECT_EQ((*rows)[0].bytes, 2000u);
    EXPECT_EQ((*rows)[0].port, 502u);
    EXPECT_EQ((*rows)[0].sensorId, a->id);
    EXPECT_EQ((*rows)[1].dst, "plc-2");
    EXPECT_EQ((*rows)[1].dstIp, "10.0.0.9");
}

TEST(ConsoleStore, ChangeStampMovesOnOwnAndForeignCommits) {
    TempDir dir;
    auto store = ConsoleStore::open(dir.path / "console.db");
    auto other = ConsoleStore::open(dir.path / "console.db");
    ASSERT_TRUE(store.ok() && other.ok());
    std::uint64_t s0 = (*store)->changeStamp();
    EXPECT_EQ((*store)->changeStamp(), s0);
    ASSERT_TRUE((*store)->addSite("A").ok());
    std::uint64_t s1 = (*store)->changeStamp();
    EXPECT_NE(s1, s0);
    ASSERT_TRUE((*other)->addSite("B").ok());  // another connection, as the CLI would be
    EXPECT_NE((*store)->changeStamp(), s1);
}

}  // namespace
}  // namespace ironsight::console::core

namespace ironsight::console::core {
namespace {

TEST(ConsoleStore, LatestHealthAndClockSkewPerSensor) {
    TempDir dir;
    auto store = ConsoleStore::open(dir.path / "console.db");
    ASSERT_TRUE(store.ok()) << store.error().message;
    auto& s = **store;
    ASSERT_TRUE(s.addSite("P").ok());
    ASSERT_TRUE(s.addZone("P", "Z").ok());
    auto a = s.addSensor("P", "Z", "a", "tokA", "bA", nowMs() + 60'000);
    auto b = s.addSensor("P", "Z", "b", "tokB", "bB", nowMs() + 60'000);
    ASSERT_TRUE(a.ok() && b.ok());
    ASSERT_TRUE(s.beginStream(a->id, 7, 1000).ok());
    ASSERT_TRUE(s.recordClockSkew(a->id, -1500).ok());
    v1::Batch batch;
    for (std::uint64_t seq : {1u, 2u}) {
        auto* env = batch.add_envelopes();
        env->set_seq(seq);
        auto* h = env->mutable_health();
        h->set_time_ms(static_cast<std::int64_t>(seq) * 10'000);
        h->set_packets(seq * 1000);
        h->set_kernel_drops(seq);
        h->set_learning(seq == 2);
        h->set_version("0.1.0");
        h->set_packets_per_second(100.0 * static_cast<double>(seq));
        h->set_bytes_per_second(6400.5);
        h->set_cpu_percent(12.5);
        h->set_rss_bytes(64ULL << 20);
        h->set_outbox_oldest_age_ms(42'000);
        h->set_uptime_s(3600);
    }
    ASSERT_EQ(*s.applyBatch(a->id, 7, batch, 0), 2u);
    auto health = s.sensorHealth();
    ASSERT_TRUE(health.ok()) << health.error().message;
    ASSERT_EQ(health->size(), 1u);  // b never reported
    const SensorHealth& h = health->front();
    EXPECT_EQ(h.sensorId, a->id);
    EXPECT_EQ(h.timeMs, 20'000);  // the latest record wins
    EXPECT_EQ(h.packets, 2000u);
    EXPECT_EQ(h.kernelDrops, 2u);
    EXPECT_TRUE(h.learning);
    EXPECT_DOUBLE_EQ(h.packetsPerSecond, 200.0);
    EXPECT_DOUBLE_EQ(h.bytesPerSecond, 6400.5);
    EXPECT_DOUBLE_EQ(h.cpuPercent, 12.5);
    EXPECT_EQ(h.rssBytes, 64ULL << 20);
    EXPECT_EQ(h.outboxOldestAgeMs, 42'000);
    EXPECT_EQ(h.uptimeS, 3600);
    ASSERT_TRUE(h.clockSkewMs.has_value());
    EXPECT_EQ(*h.clockSkewMs, -1500);

    const auto sensors = s.listSensors();
    ASSERT_TRUE(sensors.ok());
    const auto json = nlohmann::json::parse(ConsoleService::sensorsToJson(*sensors, *health));
    for (const auto& sensor : json) {
        if (sensor["id"] == a->id) {
            EXPECT_EQ(sensor["health"]["cpu_percent"], 12.5);
            EXPECT_EQ(sensor["health"]["clock_skew_ms"], -1500);
        } else {
            EXPECT_TRUE(sensor["health"].is_null());
        }
    }
}

}  // namespace

/// A store on a real file with site P, zone Z and sensors a and b, both streaming (epochs 7 and 3):
/// the starting point of the group-commit and ingest-bookkeeping tests.
class ConsoleStoreStreams : public ::testing::Test {
protected:
    void SetUp() override {
        auto opened = ConsoleStore::open(db);
        ASSERT_TRUE(opened.ok()) << opened.error().message;
        store = std::move(*opened);
        ASSERT_TRUE(store->addSite("P").ok());
        ASSERT_TRUE(store->addZone("P", "Z").ok());
        auto sensorA = store->addSensor("P", "Z", "a", "tokA", "bA", nowMs() + 60'000);
        auto sensorB = store->addSensor("P", "Z", "b", "tokB", "bB", nowMs() + 60'000);
        ASSERT_TRUE(sensorA.ok() && sensorB.ok());
        a = *sensorA;
        b = *sensorB;
        ASSERT_TRUE(store->beginStream(a->id, 7, 1000).ok());
        ASSERT_TRUE(store->beginStream(b->id, 3, 1000).ok());
    }

    /// Makes the store refuse any alert with id `alertId` ("poisoned alert"), through a trigger
    /// added from a second connection: a batch that fails after writing some of its envelopes.
    void poisonAlertId(const std::string& alertId) {
        auto other = sqlite::Db::open(db);
        ASSERT_TRUE(other.ok());
        ASSERT_TRUE(other
                        ->exec("CREATE TRIGGER test_poison BEFORE INSERT ON alerts "
                               "WHEN NEW.alert_id = '" + alertId + "' "
                               "BEGIN SELECT RAISE(ABORT, 'poisoned alert'); END")
                        .ok());
    }

    TempDir dir;
    const fs::path db = dir.path / "console.db";
    std::unique_ptr<ConsoleStore> store;
    std::optional<SensorRow> a, b;
};

TEST_F(ConsoleStoreStreams, GroupCommitFailsABadBatchAloneAndKeepsTheOthers) {
    auto& s = *store;

    const v1::Batch first = batch(1, 4), bad = batch(1, 6), second = batch(5, 8);
    auto results = s.applyBatches({IngestBatch{a->id, 7, &first},
                                   IngestBatch{b->id, 99, &bad},  // epoch never announced
                                   IngestBatch{a->id, 7, &second}},
                                  5000);
    ASSERT_EQ(results.size(), 3u);
    ASSERT_TRUE(results[0].ok()) << results[0].error().message;
    EXPECT_EQ(*results[0], 4u);
    EXPECT_FALSE(results[1].ok());
    ASSERT_TRUE(results[2].ok()) << results[2].error().message;
    EXPECT_EQ(*results[2], 8u);
    EXPECT_EQ(s.progress(a->id)->appliedThroughSeq, 8u);
    EXPECT_EQ(s.progress(b->id)->appliedThroughSeq, 0u);
    const auto alerts = *s.listAlerts();
    const auto devices = *s.listDevices();
    EXPECT_FALSE(alerts.empty());
    for (const auto& alert : alerts) EXPECT_EQ(alert.sensorId, a->id);
    for (const auto& device : devices) EXPECT_EQ(device.sensorId, a->id);
}

// A batch that fails after some of its envelopes were written (here: a trigger the test adds
// refuses one alert) sends the group down the careful path: rolled back, applied again with a
// savepoint per batch, so the bad batch leaves nothing and the others commit.
TEST_F(ConsoleStoreStreams, GroupCommitRollsBackAPartlyAppliedBatchAlone) {
    auto& s = *store;
    ASSERT_NO_FATAL_FAILURE(poisonAlertId("poison"));
    v1::Batch bad = batch(1, 4);  // devices and alerts first, then the refused alert
    auto* poison = bad.add_envelopes();
    poison->set_seq(5);
    poison->mutable_alert()->set_id("poison");

    const v1::Batch first = batch(1, 4), second = batch(5, 8);
    auto results = s.applyBatches({IngestBatch{a->id, 7, &first}, IngestBatch{b->id, 3, &bad},
                                   IngestBatch{a->id, 7, &second}},
                                  5000);
    ASSERT_EQ(results.size(), 3u);
    ASSERT_TRUE(results[0].ok()) << results[0].error().message;
    EXPECT_EQ(*results[0], 4u);
    ASSERT_FALSE(results[1].ok());
    EXPECT_NE(results[1].error().message.find("poisoned alert"), std::string::npos)
        << results[1].error().message;
    ASSERT_TRUE(results[2].ok()) << results[2].error().message;
    EXPECT_EQ(*results[2], 8u);
    EXPECT_EQ(s.progress(a->id)->appliedThroughSeq, 8u);
    EXPECT_EQ(s.progress(b->id)->appliedThroughSeq, 0u);
    const auto alerts = *s.listAlerts();
    const auto devices = *s.listDevices();
    EXPECT_FALSE(alerts.empty());
    EXPECT_FALSE(devices.empty());
    for (const auto& alert : alerts) EXPECT_EQ(alert.sensorId, a->id);
    for (const auto& device : devices) EXPECT_EQ(device.sensorId, a->id);

    // Alone (applyBatch): the same batch fails and leaves nothing; without the refused
    // envelope it applies from seq 1.
    auto again = s.applyBatch(b->id, 3, bad, 6000);
    ASSERT_FALSE(again.ok());
    EXPECT_EQ(s.progress(b->id)->appliedThroughSeq, 0u);
    const auto before = s.listAlerts();  // named: a temporary Result would dangle in the loop
    ASSERT_TRUE(before.ok());
    for (const auto& alert : *before) EXPECT_EQ(alert.sensorId, a->id);
    auto good = s.applyBatch(b->id, 3, first, 7000);
    ASSERT_TRUE(good.ok()) << good.error().message;
    EXPECT_EQ(*good, 4u);
    bool sawB = false;
    const auto after = s.listAlerts();
    ASSERT_TRUE(after.ok());
    for (const auto& alert : *after) sawB = sawB || alert.sensorId == b->id;
    EXPECT_TRUE(sawB);
}

// The link server reads a stream's batches ahead of its acks, so a group (or a later group) can
// hold a stream's next batch behind one that fails: that batch must fail unapplied, not land
// after a gap (it would advance the sequence past the failed batch's envelopes for good).
TEST_F(ConsoleStoreStreams, ABatchBehindAFailedOneOfItsStreamIsNotApplied) {
    auto& s = *store;
    ASSERT_NO_FATAL_FAILURE(poisonAlertId("poison"));
    auto poisoned = [](std::uint64_t at, std::uint64_t from, std::uint64_t to) {
        v1::Batch out = batch(from, to);
        auto* env = out.mutable_envelopes(static_cast<int>(at - from));
        env->mutable_alert()->set_id("poison");
        return out;
    };
    auto gaps = [&] {
        const auto audit = s.listAudit();  // named: a temporary Result would dangle in the loop
        int n = 0;
        for (const auto& e : *audit) n += e.action == "DELIVERY_GAP" ? 1 : 0;
        return n;
    };
    // Refused after the batch changed rows (the careful path) and at its first envelope (the
    // optimistic path): both times b's next batch fails too and sensor a's commits.
    const v1::Batch a1 = batch(1, 4), a2 = batch(5, 8);
    const v1::Batch badLate = poisoned(5, 1, 5), badFirst = poisoned(1, 1, 4);
    const v1::Batch next = batch(6, 9);
    for (const v1::Batch* bad : {&badLate, &badFirst}) {
        SCOPED_TRACE(bad == &badLate ? "refused late" : "refused first");
        const v1::Batch& aBatch = bad == &badLate ? a1 : a2;
        auto results = s.applyBatches({IngestBatch{b->id, 3, bad}, IngestBatch{b->id, 3, &next},
                                       IngestBatch{a->id, 7, &aBatch}},
                                      5000);
        ASSERT_EQ(results.size(), 3u);
        ASSERT_FALSE(results[0].ok());
        EXPECT_NE(results[0].error().message.find("poisoned alert"), std::string::npos);
        ASSERT_FALSE(results[1].ok());
        EXPECT_EQ(results[1].error().message, "an earlier batch of this stream was not applied");
        ASSERT_TRUE(results[2].ok()) << results[2].error().message;
        EXPECT_EQ(*results[2], bad == &badLate ? 4u : 8u);
        EXPECT_EQ(s.progress(b->id)->appliedThroughSeq, 0u);
        EXPECT_EQ(gaps(), 0);
        const auto devices = s.listDevices();
        ASSERT_TRUE(devices.ok());
        for (const auto& device : *devices) EXPECT_EQ(device.sensorId, a->id);
    }

    // Across transactions (IngestCommitter, one batch per transaction): once a stream's batch
    // fails, the batches it queued behind it fail without being applied; a new stream resumes.
    {
        IngestCommitter committer(s, 1);
        const auto stream = committer.openStream(b->id, 3);
        auto shared = [](const v1::Batch& x) { return std::make_shared<const v1::Batch>(x); };
        const auto t1 = committer.submit(stream, shared(badLate));
        const auto t2 = committer.submit(stream, shared(next));
        const auto t3 = committer.submit(stream, shared(batch(10, 12)));
        ASSERT_TRUE(t1 && t2 && t3);
        EXPECT_FALSE(committer.wait(*t1).ok());
        const auto r2 = committer.wait(*t2);
        ASSERT_FALSE(r2.ok());
        EXPECT_EQ(r2.error().message, "an earlier batch of this stream was not applied");
        EXPECT_FALSE(committer.wait(*t3).ok());
        EXPECT_EQ(s.progress(b->id)->appliedThroughSeq, 0u);
        EXPECT_EQ(gaps(), 0);
        const auto resumed = committer.submit(committer.openStream(b->id, 3), shared(a1));
        ASSERT_TRUE(resumed);
        const auto r = committer.wait(*resumed);
        ASSERT_TRUE(r.ok()) << r.error().message;
        EXPECT_EQ(*r, 4u);
    }
    EXPECT_EQ(s.progress(b->id)->appliedThroughSeq, 4u);
    EXPECT_EQ(gaps(), 0);
}

// Schema v15 writes the search index and the alert tally once per transaction instead of per
// row: after every kind of write both still match the rows they describe.
void expectIndexesMatchRows(const fs::path& db, const std::string& when) {
    SCOPED_TRACE(when);
    const std::int64_t devices = scalar(db, "SELECT COUNT(*) FROM devices");
    EXPECT_EQ(scalar(db, "SELECT COUNT(*) FROM device_text"), devices);
    EXPECT_EQ(scalar(db, "SELECT COUNT(*) FROM devices JOIN device_text t ON t.rowid = "
                         "devices.rowid WHERE t.body = " IRONSIGHT_DEVICE_TEXT_BODY),
              devices);
    EXPECT_EQ(scalar(db, "SELECT COUNT(*) FROM device_text_dirty"), 0);
    const std::int64_t alerts = scalar(db, "SELECT COUNT(*) FROM alerts");
    EXPECT_EQ(scalar(db, "SELECT COUNT(*) FROM alert_text"), alerts);
    EXPECT_EQ(scalar(db, "SELECT COUNT(*) FROM alerts JOIN alert_text t ON t.rowid = "
                         "alerts.rowid WHERE t.body = " IRONSIGHT_ALERT_TEXT_BODY),
              alerts);
    EXPECT_EQ(scalar(db, "SELECT COUNT(*) FROM alert_text_dirty"), 0);
    const char* counted =
        "SELECT sensor_id, severity, status, COUNT(*) FROM alerts GROUP BY 1, 2, 3";
    const char* tallied = "SELECT sensor_id, severity, status, n FROM alert_tally WHERE n <> 0";
    EXPECT_EQ(scalar(db, std::string("SELECT COUNT(*) FROM (") + counted + " EXCEPT " + tallied +
                             ")"),
              0);
    EXPECT_EQ(scalar(db, std::string("SELECT COUNT(*) FROM (") + tallied + " EXCEPT " + counted +
                             ")"),
              0);
}

TEST_F(ConsoleStoreStreams, SearchIndexAndAlertTallyFollowEveryWrite) {
    auto& s = *store;

    // New devices and alerts of two sensors in one group commit.
    const v1::Batch first = batch(1, 10), other = batch(1, 6);
    for (const auto& r : s.applyBatches({IngestBatch{a->id, 7, &first},
                                         IngestBatch{b->id, 3, &other}},
                                        0)) {
        ASSERT_TRUE(r.ok()) << r.error().message;
    }
    expectIndexesMatchRows(db, "after new rows");
    // Sensor a reported its dev-2 as Vendor 2, then Vendor 8 in the same transaction.
    auto vendor2 = s.searchDevices("Vendor 2");
    ASSERT_TRUE(vendor2.ok());
    ASSERT_EQ(vendor2->size(), 1u);
    EXPECT_EQ((*vendor2)[0].sensorId, b->id);
    auto vendor8 = s.searchDevices("Vendor 8");
    ASSERT_TRUE(vendor8.ok());
    ASSERT_EQ(vendor8->size(), 1u);
    EXPECT_EQ((*vendor8)[0].sensorId, a->id);

    // A searched value changes (dev-2's vendor and firmware), a re-raised alert's severity too.
    v1::Batch change;
    auto* env = change.add_envelopes();
    env->set_seq(11);
    auto* d = env->mutable_device();
    d->set_id("dev-2");
    d->add_ips("10.0.0.2");
    d->set_vendor("Vendor 8");
    d->set_firmware("fw-9.9.1");
    env = change.add_envelopes();
    env->set_seq(12);
    env->mutable_alert()->set_id("alert-1");
    env->mutable_alert()->set_severity(v1::SEVERITY_MINOR);
    ASSERT_TRUE(s.applyBatch(a->id, 7, change, 0).ok());
    expectIndexesMatchRows(db, "after changed values");
    auto found = s.searchDevices("fw-9.9");
    ASSERT_TRUE(found.ok());
    ASSERT_EQ(found->size(), 1u);
    EXPECT_EQ((*found)[0].deviceId, "dev-2");

    // The careful path: the group is rolled back and applied again, one batch refused.
    ASSERT_NO_FATAL_FAILURE(poisonAlertId("poison"));
    v1::Batch bad = batch(7, 12);
    bad.mutable_envelopes(0)->mutable_alert()->set_id("poison");
    const v1::Batch more = batch(13, 20);
    auto results = s.applyBatches(
        {IngestBatch{b->id, 3, &bad}, IngestBatch{a->id, 7, &more}}, 0);
    ASSERT_FALSE(results[0].ok());
    ASSERT_TRUE(results[1].ok()) << results[1].error().message;
    expectIndexesMatchRows(db, "after the careful path");

    // Operator status changes, then retention deletes every device and the closed alerts.
    auto keys = s.findAlerts("alert-1");
    ASSERT_TRUE(keys.ok() && !keys->empty());
    ASSERT_TRUE(s.setAlertStatus(*keys, AlertStatus::Closed).ok());
    expectIndexesMatchRows(db, "after closing");
    s.setClock([] { return nowMs() + 3 * 86'400'000LL; });
    auto swept = s.applyRetention(RetentionPolicy{1, 1});
    ASSERT_TRUE(swept.ok()) << swept.error().message;
    EXPECT_GT(swept->devicesDeleted, 0);
    expectIndexesMatchRows(db, "after retention");
    EXPECT_TRUE(s.searchDevices("fw-9.9")->empty());
}

// The desktop stops a stale query through AlertQuery::cancel: a set flag ends a long read with
// "query cancelled", and the read connection answers the next query as before.
TEST_F(ConsoleStoreStreams, ACancelledAlertQueryStopsAndTheNextOneRuns) {
    auto& s = *store;
    v1::Batch many;
    for (std::uint64_t seq = 1; seq <= 2000; ++seq) {
        auto* alert = many.add_envelopes();
        alert->set_seq(seq);
        alert->mutable_alert()->set_id("alert-" + std::to_string(seq));
        alert->mutable_alert()->set_title("Title " + std::to_string(seq));
        alert->mutable_alert()->set_last_seen_ms(static_cast<std::int64_t>(seq));
    }
    ASSERT_TRUE(s.applyBatch(a->id, 7, many, 0).ok());
    AlertQuery q;
    // A term too short for the alert_text index: every row is read, far more than the
    // handler's 10,000 steps.
    q.text = "zq";
    auto stop = std::make_shared<std::atomic<bool>>(true);
    q.cancel = stop;
    auto count = s.countAlerts(q);
    ASSERT_FALSE(count.ok());
    EXPECT_EQ(count.error().message, "query cancelled");
    auto rows = s.queryAlerts(q);
    ASSERT_FALSE(rows.ok());
    EXPECT_EQ(rows.error().message, "query cancelled");

    stop->store(false);
    q.text = "Title 1";  // Title 1, 10-19, 100-199, 1000-1999
    count = s.countAlerts(q);
    ASSERT_TRUE(count.ok()) << count.error().message;
    EXPECT_EQ(*count, 1111);
    q.limit = 3;
    rows = s.queryAlerts(q);
    ASSERT_TRUE(rows.ok()) << rows.error().message;
    ASSERT_EQ(rows->size(), 3u);
    EXPECT_EQ((*rows)[0].title, "Title 1999");  // newest first
    q.cancel.reset();
    EXPECT_EQ(*s.countAlerts(q), 1111);
}
// A filter term that few alerts contain is looked up in alert_text (schema v17) instead of
// reading every alert; the answers are the same as the walk's, and the index follows every
// change of the text (ingest, assignment, retention).
TEST_F(ConsoleStoreStreams, AlertFilterFindsRareTermsThroughItsIndex) {
    auto& s = *store;
    v1::Batch many;
    for (std::uint64_t seq = 1; seq <= 3000; ++seq) {
        auto* alert = many.add_envelopes()->mutable_alert();
        many.mutable_envelopes(static_cast<int>(seq - 1))->set_seq(seq);
        alert->set_id("alert-" + std::to_string(seq));
        alert->set_title("Title " + std::to_string(seq));
        alert->set_severity(v1::SEVERITY_MAJOR);
        alert->set_last_seen_ms(static_cast<std::int64_t>(seq));
    }
    auto* rare = many.add_envelopes();
    rare->set_seq(3001);
    rare->mutable_alert()->set_id("rare-1");
    rare->mutable_alert()->set_title("Valve bypass on PLC-7");
    rare->mutable_alert()->set_severity(v1::SEVERITY_MINOR);
    rare->mutable_alert()->set_src_ip("10.9.8.7");
    rare->mutable_alert()->set_last_seen_ms(5000);
    ASSERT_TRUE(s.applyBatch(a->id, 7, many, 0).ok());
    expectIndexesMatchRows(db, "after ingest");

    auto rows = [&](const std::string& text, std::vector<std::string> severities = {}) {
        AlertQuery q;
        q.text = text;
        q.severities = std::move(severities);
        auto page = s.queryAlerts(q);
        auto count = s.countAlerts(q);
        EXPECT_TRUE(page.ok() && count.ok()) << text;
        std::vector<std::string> ids;
        if (!page.ok() || !count.ok()) return ids;
        for (const auto& r : *page) ids.push_back(r.alertId);
        if (ids.size() < 500) {
            EXPECT_EQ(static_cast<std::size_t>(*count), ids.size()) << text;
        }
        return ids;
    };
    const std::vector<std::string> rareOnly = {"rare-1"};
    EXPECT_EQ(rows("bypass"), rareOnly);
    EXPECT_EQ(rows("BYPASS ON plc"), rareOnly);  // case-insensitive, across words
    EXPECT_EQ(rows("9.8.7"), rareOnly);          // another field
    EXPECT_EQ(rows("bypass", {"minor"}), rareOnly);
    EXPECT_TRUE(rows("bypass", {"major"}).empty());
    EXPECT_TRUE(rows("no such text").empty());
    EXPECT_TRUE(rows("on PLC-8").empty());  // every trigram but one is in the rare alert
    EXPECT_EQ(rows("Title 299").size(), 11u);  // 299 and 2990-2999
    EXPECT_EQ(rows("Title 2999"), std::vector<std::string>{"alert-2999"});
    EXPECT_EQ(rows("Title").size(), 500u);  // 3,000 matches: the walk, a page of 500
    AlertQuery all;
    all.text = "Title";
    EXPECT_EQ(*s.countAlerts(all), 3000);

    // The operator assigns it; the sensor renames it; both reach the index.
    auto key = s.findAlerts("rare-1");
    ASSERT_TRUE(key.ok() && key->size() == 1u);
    ASSERT_TRUE(s.addUser("operator-zed", "Operator-password-1", "analyst").ok());
    ASSERT_TRUE(s.assignAlert(key->front(), "operator-zed").ok());
    EXPECT_EQ(rows("operator-zed"), rareOnly);
    v1::Batch renamed;
    auto* env = renamed.add_envelopes();
    env->set_seq(3002);
    env->mutable_alert()->set_id("rare-1");
    env->mutable_alert()->set_title("Setpoint change on PLC-7");
    env->mutable_alert()->set_severity(v1::SEVERITY_MINOR);
    ASSERT_TRUE(s.applyBatch(a->id, 7, renamed, 0).ok());
    expectIndexesMatchRows(db, "after a new title");
    EXPECT_TRUE(rows("bypass").empty());
    EXPECT_EQ(rows("setpoint"), rareOnly);
    EXPECT_EQ(rows("operator-zed"), rareOnly);

    // A sensor whose name holds the term: every alert of it matches (the walk decides).
    auto pump = s.addSensor("P", "Z", "pump-house", "tokP", "bP", nowMs() + 60'000);
    ASSERT_TRUE(pump.ok());
    ASSERT_TRUE(s.beginStream(pump->id, 9, 1000).ok());
    v1::Batch pumpAlerts;
    for (std::uint64_t seq = 1; seq <= 3; ++seq) {
        auto* e = pumpAlerts.add_envelopes();
        e->set_seq(seq);
        e->mutable_alert()->set_id("p-" + std::to_string(seq));
        e->mutable_alert()->set_title("Pressure " + std::to_string(seq));
    }
    ASSERT_TRUE(s.applyBatch(pump->id, 9, pumpAlerts, 0).ok());
    EXPECT_EQ(rows("pump-ho").size(), 3u);

    // Closed and swept by retention: gone from the index too.
    ASSERT_TRUE(s.setAlertStatus(*key, AlertStatus::Closed).ok());
    s.setClock([] { return nowMs() + 3 * 86'400'000LL; });
    auto swept = s.applyRetention(RetentionPolicy{1, 0});
    ASSERT_TRUE(swept.ok()) << swept.error().message;
    EXPECT_TRUE(rows("setpoint").empty());
    expectIndexesMatchRows(db, "after retention");
}

// A term all of whose trigrams are common, one of them in every alert ('Q08' of 'Q0855', like
// 'T08' of 'T0855' in a real store): the lookup leaves the dense one out and the row check does
// the rest. Page, deeper page and count are exactly what a plain substring scan of the listed
// fields finds: nothing lost, no candidate let through.
TEST_F(ConsoleStoreStreams, AlertFilterOfCommonTrigramsMatchesASubstringScan) {
    auto& s = *store;
    constexpr int kAlerts = 25'000;  // 1 in 5 holds '085' and '855': 5,000+ candidates
    for (int from = 1; from <= kAlerts; from += 5'000) {
        v1::Batch batch;
        for (int seq = from; seq < from + 5'000; ++seq) {
            auto* env = batch.add_envelopes();
            env->set_seq(static_cast<std::uint64_t>(seq));
            auto* alert = env->mutable_alert();
            alert->set_id("n" + std::to_string(seq));
            alert->set_title("Q08 unit");  // 'Q08' in every alert
            alert->set_severity(seq % 2 ? v1::SEVERITY_MINOR : v1::SEVERITY_MAJOR);
            // Newest first is not the order of the rows.
            alert->set_last_seen_ms(static_cast<std::int64_t>(seq) * 7919 % kAlerts + 1);
            // Matches: 'Q0855' and (case-insensitive) 'q0855x'; 'X0855' holds '085' and '855'.
            const int kind = seq % 15;
            if (kind == 0) alert->set_mitre("Q0855");
            if (kind == 5) alert->set_mitre("q0855x");
            if (kind == 10) alert->set_mitre("X0855");
        }
        ASSERT_TRUE(s.applyBatch(a->id, 7, batch, 0).ok());
    }
    // The premise: 'Q08' is dense, '085' and '855' are common (more than the 2,000 a probe
    // counts) but sparse.
    auto inIndex = [&](const std::string& trigram) {
        return scalar(
            db, "SELECT COUNT(*) FROM alert_text WHERE alert_text MATCH '\"" + trigram + "\"'");
    };
    EXPECT_EQ(inIndex("Q08"), kAlerts);
    EXPECT_GT(inIndex("085"), 5'000);
    EXPECT_LT(inIndex("085"), 6'000);
    EXPECT_GT(inIndex("855"), 5'000);

    // The scan: every alert's fields joined by spaces (as the filter documents), lower-cased.
    struct Row {
        std::int64_t lastSeen;
        std::string id, text;
        int severity;
    };
    std::vector<Row> all;
    {
        auto d = sqlite::Db::open(db);
        ASSERT_TRUE(d.ok());
        auto st = d->prepare(
            "SELECT a.last_seen, a.alert_id, a.severity, COALESCE(a.title, ''), a.alert_id, "
            "COALESCE(a.type, ''), COALESCE(a.engine, ''), COALESCE(a.src, ''), "
            "COALESCE(a.src_ip, ''), COALESCE(a.dst, ''), COALESCE(a.dst_ip, ''), "
            "COALESCE(a.protocol, ''), COALESCE(a.mitre, ''), a.assignee, s.name "
            "FROM alerts a JOIN sensors s ON s.id = a.sensor_id");
        ASSERT_TRUE(st.ok());
        for (auto row = st->step(); row && *row; row = st->step()) {
            Row r{st->columnInt(0), st->columnText(1), "", static_cast<int>(st->columnInt(2))};
            for (int c = 3; c <= 14; ++c) r.text += (c > 3 ? " " : "") + st->columnText(c);
            for (char& ch : r.text) {
                ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
            }
            all.push_back(std::move(r));
        }
    }
    ASSERT_EQ(all.size(), static_cast<std::size_t>(kAlerts));
    std::sort(all.begin(), all.end(), [](const Row& x, const Row& y) {
        return x.lastSeen != y.lastSeen ? x.lastSeen > y.lastSeen : x.id < y.id;
    });
    auto scan = [&](std::string term, int severity) {
        for (char& ch : term) {
            ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        }
        std::vector<std::string> ids;
        for (const Row& r : all) {
            if (r.text.find(term) != std::string::npos &&
                (severity < 0 || r.severity == severity)) {
                ids.push_back(r.id);
            }
        }
        return ids;
    };
    // 'unit n1' spans two fields (title, id). 'Q0855  a' runs into the sensor's name ("a"), and
    // '0855 ' ends in a space (a name follows it in every alert): both take the walk.
    for (const std::string term :
         {"Q0855", "q0855", "X0855", "unit n1", "unit n1085", "0855 ", "Q0855  a"}) {
        for (const auto& [severities, rank] :
             std::vector<std::pair<std::vector<std::string>, int>>{{{}, -1}, {{"minor"}, 2}}) {
            SCOPED_TRACE("'" + term + "' " + (severities.empty() ? "" : severities[0]));
            const std::vector<std::string> expected = scan(term, rank);
            AlertQuery q;
            q.text = term;
            q.severities = severities;
            auto count = s.countAlerts(q);
            ASSERT_TRUE(count.ok()) << count.error().message;
            EXPECT_EQ(*count, static_cast<std::int64_t>(expected.size()));
            for (const auto& [limit, offset] :
                 {std::pair{200, 0}, std::pair{200, 600}, std::pair{0, 0}}) {
                q.limit = limit;
                q.offset = offset;
                auto page = s.queryAlerts(q);
                ASSERT_TRUE(page.ok()) << page.error().message;
                std::vector<std::string> ids;
                for (const auto& r : *page) ids.push_back(r.alertId);
                const std::size_t from = std::min<std::size_t>(offset, expected.size());
                const std::size_t to = limit > 0
                                           ? std::min<std::size_t>(offset + limit, expected.size())
                                           : expected.size();
                EXPECT_EQ(ids,
                          std::vector<std::string>(expected.begin() + from, expected.begin() + to))
                    << "limit " << limit << " offset " << offset;
            }
        }
    }
    EXPECT_EQ(scan("Q0855", -1).size(), 2u * kAlerts / 15);  // the scan itself: 1,666 + 1,667
}

// Ingest's commits never checkpoint the WAL themselves: the store's checkpoint thread does,
// woken when a commit leaves 1,000+ pages in the WAL, and the data reaches the database file.
TEST_F(ConsoleStoreStreams, TheWalIsCheckpointedOffTheCommitPath) {
    auto& s = *store;
    EXPECT_EQ(s.walCheckpoints(), 0u);
    std::uint64_t seq = 0;
    for (int b = 0; b < 40; ++b) {  // ~8 MB of device rows: well past 1,000 WAL pages
        v1::Batch batch;
        for (int i = 0; i < 250; ++i) {
            auto* env = batch.add_envelopes();
            env->set_seq(++seq);
            auto* d = env->mutable_device();
            d->set_id("mac-" + std::to_string(seq));
            d->set_identity_json(std::string(800, 'x'));
        }
        ASSERT_TRUE(s.applyBatch(a->id, 7, batch, 0).ok());
    }
    for (int i = 0; i < 1000 && s.walCheckpoints() == 0; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    EXPECT_GT(s.walCheckpoints(), 0u);
    // The database file itself (not only the WAL) holds rows now.
    EXPECT_GT(fs::file_size(db), 4u * 1024 * 1024);
}

TEST(ConsoleStore, IngestCommitterAppliesConcurrentStreamsExactlyOnce) {
    TempDir dir;
    auto store = ConsoleStore::open(dir.path / "console.db");
    auto& s = **store;
    ASSERT_TRUE(s.addSite("P").ok());
    ASSERT_TRUE(s.addZone("P", "Z").ok());
    constexpr int kSensors = 6, kBatches = 40, kPerBatch = 10;
    std::vector<std::string> ids;
    for (int i = 0; i < kSensors; ++i) {
        auto sensor = s.addSensor("P", "Z", "s" + std::to_string(i), "tok" + std::to_string(i),
                                  "b" + std::to_string(i), nowMs() + 60'000);
        ASSERT_TRUE(sensor.ok());
        ASSERT_TRUE(s.beginStream(sensor->id, 1, 1000).ok());
        ids.push_back(sensor->id);
    }
    std::atomic<int> failures{0};
    {
        IngestCommitter committer(s, 25);  // small groups: several transactions, several batches each
        std::vector<std::thread> streams;
        for (int i = 0; i < kSensors; ++i) {
            streams.emplace_back([&, i] {
                for (int k = 0; k < kBatches; ++k) {
                    const auto from = static_cast<std::uint64_t>(k * kPerBatch + 1);
                    const v1::Batch b = batch(from, from + kPerBatch - 1);
                    auto applied = committer.apply(ids[static_cast<std::size_t>(i)], 1, b);
                    if (!applied || *applied != from + kPerBatch - 1) ++failures;
                }
            });
        }
        for (auto& t : streams) t.join();
        EXPECT_EQ(committer.batches(), static_cast<std::uint64_t>(kSensors * kBatches));
        EXPECT_LE(committer.transactions(), committer.batches());
        EXPECT_GE(committer.transactions(), committer.batches() * kPerBatch / (25 + kPerBatch));
    }
    EXPECT_EQ(failures.load(), 0);
    for (const auto& id : ids) EXPECT_EQ(s.progress(id)->appliedThroughSeq, 400u);
    // Each sensor's 5 alert ids, with the count of the last seq that raised them.
    auto alerts = *s.listAlerts();
    EXPECT_EQ(alerts.size(), static_cast<std::size_t>(kSensors * 5));
    for (const auto& al : alerts) EXPECT_GE(al.count, 391u);
}

TEST(ConsoleStore, IngestKeepsEveryCharacterOfTheReportedTexts) {
    TempDir dir;
    auto store = ConsoleStore::open(dir.path / "console.db");
    auto& s = **store;
    ASSERT_TRUE(s.addSite("P").ok());
    ASSERT_TRUE(s.addZone("P", "Z").ok());
    auto a = s.addSensor("P", "Z", "a", "tokA", "bA", nowMs() + 60'000);
    ASSERT_TRUE(a.ok());
    ASSERT_TRUE(s.beginStream(a->id, 1, 1000).ok());
    const std::string odd = std::string("q\"b\\n\nt\tc") + '\x01' + "\u00e9\u6771\U0001F600";
    v1::Batch b;
    auto* env = b.add_envelopes();
    env->set_seq(1);
    auto* d = env->mutable_device();
    d->set_id("mac-0a0000000001");
    d->add_macs("0a:00:00:00:00:01");
    d->add_ips(odd);
    d->add_evidence(odd);
    d->add_evidence("");
    d->add_vlans(7);
    d->add_vlans(8);
    (*d->mutable_vlan_names())[8] = odd;
    auto* p = d->add_protocols();
    p->set_name(odd);
    p->set_role("server");
    ASSERT_TRUE(s.applyBatch(a->id, 1, b, 0).ok());
    const auto devices = *s.listDevices();
    ASSERT_EQ(devices.size(), 1u);
    EXPECT_EQ(devices[0].ips, std::vector<std::string>{odd});
    EXPECT_EQ(devices[0].evidence, (std::vector<std::string>{odd, ""}));
    EXPECT_EQ(devices[0].vlans, (std::vector<std::uint32_t>{7, 8}));
    EXPECT_EQ(devices[0].vlanNames.at(8), odd);
    ASSERT_EQ(devices[0].protocols.size(), 1u);
    EXPECT_EQ(devices[0].protocols[0].first, odd);
}

}  // namespace ironsight::console::core
