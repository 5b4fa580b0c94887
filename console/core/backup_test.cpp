// SPDX-License-Identifier: Apache-2.0
// Online backup, verified restore and retention on real SQLite files in real data directories.
#include "console/core/backup.h"

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <thread>
#include <vector>

#include "console/core/console_service.h"
#include "shared/crypto/crypto.h"

namespace ironsight::console::core {
namespace {
namespace fs = std::filesystem;

struct TempDir {
    fs::path path = fs::temp_directory_path() / ("ironsight-backup-" + crypto::newUuid());
    TempDir() { fs::create_directories(path); }
    ~TempDir() { fs::remove_all(path); }
};

std::int64_t scalar(const fs::path& db, const std::string& sql) {
    auto d = sqlite::Db::open(db, true);
    EXPECT_TRUE(d.ok());
    auto st = d->prepare(sql);
    EXPECT_TRUE(st.ok()) << sql;
    auto row = st->step();
    return row && *row ? st->columnInt(0) : -1;
}

std::string messageOf(const Status& s) {
    return s ? std::string("ok") : s.error().message;
}

template <class T>
std::string messageOf(const Result<T>& r) {
    return r ? std::string("ok") : r.error().message;
}

/// A data dir with one sensor; `devices`/`alerts` are streamed in one batch.
struct Console {
    TempDir dir;
    std::unique_ptr<ConsoleService> svc;
    std::string sensorId;
    std::uint64_t seq = 0;
    std::int64_t now = 1'700'000'000'000;

    Console() {
        auto opened = ConsoleService::open(dir.path);
        EXPECT_TRUE(opened.ok());
        svc = std::move(*opened);
        svc->setClock([this] { return now; });
        EXPECT_TRUE(svc->addSite("P").ok());
        EXPECT_TRUE(svc->addZone("P", "Z").ok());
        sensorId = svc->addSensor("P", "Z", "s1")->sensor.id;
        EXPECT_TRUE(svc->store().beginStream(sensorId, 1, now).ok());
    }

    void ingest(int devices, int alerts, const std::string& prefix, std::int64_t sensorTime) {
        v1::Batch b;
        for (int i = 0; i < devices; ++i) {
            auto* env = b.add_envelopes();
            env->set_seq(++seq);
            env->mutable_device()->set_id(prefix + "dev-" + std::to_string(i));
            env->mutable_device()->set_last_seen_ms(sensorTime);
        }
        for (int i = 0; i < alerts; ++i) {
            auto* env = b.add_envelopes();
            env->set_seq(++seq);
            env->mutable_alert()->set_id(prefix + "alert-" + std::to_string(i));
            env->mutable_alert()->set_severity(v1::SEVERITY_MAJOR);
            env->mutable_alert()->set_last_seen_ms(sensorTime);
        }
        auto r = svc->store().applyBatch(sensorId, 1, b, now);
        ASSERT_TRUE(r.ok()) << r.error().message;
    }
};

TEST(Backup, OnlineCopyWhileIngestWritesIsConsistentAndVerified) {
    Console c;
    c.ingest(200, 300, "", 1);
    fs::path dest = c.dir.path / "copy.db";
    // A second connection keeps committing alerts and audit records during the backup.
    std::atomic<bool> stop{false};
    std::atomic<int> written{0};
    std::thread writer([&] {
        auto store = ConsoleStore::open(c.dir.path / "console.db");
        ASSERT_TRUE(store.ok());
        while (!stop) {
            if ((*store)->audit("writer", "test.write", "t", "local", "ok")) ++written;
            std::this_thread::sleep_for(std::chrono::milliseconds(1));  // ingest-like pacing
        }
    });
    while (written < 20) std::this_thread::yield();
    auto info = c.svc->backup(dest);
    stop = true;
    writer.join();
    ASSERT_TRUE(info.ok()) << info.error().message;
    EXPECT_EQ(info->schemaVersion, static_cast<std::int64_t>(schemaSteps().size()));
    EXPECT_EQ(info->alerts, 300);
    EXPECT_EQ(info->devices, 200);
    EXPECT_GE(info->auditRecords, 20);
    EXPECT_EQ(info->bytes, static_cast<std::int64_t>(fs::file_size(dest)));
    // One self-contained file (no -wal), private, and its audit chain is intact.
    EXPECT_FALSE(fs::exists(dest.string() + "-wal"));
    EXPECT_FALSE(fs::exists(dest.string() + ".partial"));
    EXPECT_EQ(fs::status(dest).permissions() & fs::perms::all,
              fs::perms::owner_read | fs::perms::owner_write);
    {
        // File format bytes 18/19: 1 = rollback journal (2 would need the -wal file).
        std::ifstream f(dest, std::ios::binary);
        char header[20] = {};
        f.read(header, sizeof header);
        EXPECT_EQ(header[18], 1);
        EXPECT_EQ(header[19], 1);
    }
    auto copy = ConsoleStore::open(dest);
    ASSERT_TRUE(copy.ok());
    EXPECT_TRUE((*copy)->verifyAudit()->intact());
    AuditRow last;
    auto rows = c.svc->listAudit();
    for (const auto& row : *rows) {
        if (row.action == "backup.create") last = row;  // the writer kept appending after it
    }
    EXPECT_EQ(last.actor, "local-admin");
    EXPECT_EQ(last.target, dest.string());
    EXPECT_EQ(last.outcome.rfind("ok: ", 0), 0u) << last.outcome;

    EXPECT_EQ(messageOf(c.svc->backup(dest)),
              dest.string() + " already exists; choose another file");
}

TEST(Backup, ProgressIsReportedAndCancelLeavesNoFile) {
    Console c;
    c.ingest(4000, 4000, "", 1);  // well over 256 pages: the copy takes several steps
    const fs::path dest = c.dir.path / "cancelled.db";
    std::vector<std::pair<std::int64_t, std::int64_t>> steps;
    auto cancelled = c.svc->backup(dest, [&](std::int64_t done, std::int64_t total) {
        steps.emplace_back(done, total);
        return steps.size() < 2;  // cancel at the second step
    });
    EXPECT_EQ(messageOf(cancelled), kBackupCancelled);
    ASSERT_EQ(steps.size(), 2u);
    EXPECT_GT(steps[0].second, 256);
    EXPECT_EQ(steps[0].first, 256);
    EXPECT_EQ(steps[1].first, 512);
    EXPECT_FALSE(fs::exists(dest));
    EXPECT_FALSE(fs::exists(dest.string() + ".partial"));
    EXPECT_FALSE(fs::exists(dest.string() + ".partial-journal"));

    // Without a cancel the same call completes, reporting steps up to the total.
    steps.clear();
    auto info = c.svc->backup(dest, [&](std::int64_t done, std::int64_t total) {
        steps.emplace_back(done, total);
        return true;
    });
    ASSERT_TRUE(info.ok()) << info.error().message;
    EXPECT_EQ(info->devices, 4000);
    ASSERT_GE(steps.size(), 2u);
    for (std::size_t i = 1; i < steps.size(); ++i) EXPECT_GT(steps[i].first, steps[i - 1].first);
    EXPECT_LE(steps.back().first, steps.back().second);
    EXPECT_TRUE(verifyBackup(dest).ok());
}

TEST(Backup, VerifyRefusesNonDatabasesCorruptionAndNewerSchemas) {
    Console c;
    c.ingest(50, 50, "", 1);
    TempDir out;
    fs::path text = out.path / "notes.txt";
    ASSERT_TRUE(
        crypto::writeFileAtomic(text, "hello, not a database\n", fs::perms::owner_all).ok());
    EXPECT_EQ(messageOf(verifyBackup(text)),
              text.string() + ": not an SQLite database (not a console backup)");
    EXPECT_EQ(messageOf(verifyBackup(out.path / "missing.db")),
              (out.path / "missing.db").string() + ": no such file");

    fs::path good = out.path / "good.db";
    ASSERT_TRUE(c.svc->backup(good).ok());
    ASSERT_TRUE(verifyBackup(good).ok());

    // Zero a page in the middle of the file: the integrity check must notice.
    fs::path bad = out.path / "bad.db";
    fs::copy_file(good, bad);
    auto pageSize = scalar(good, "PRAGMA page_size");
    auto pages = scalar(good, "PRAGMA page_count");
    ASSERT_GT(pages, 4);
    {
        std::fstream f(bad, std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(pageSize * (pages / 2));
        std::string zeros(static_cast<std::size_t>(pageSize), '\x5a');
        f.write(zeros.data(), static_cast<std::streamsize>(zeros.size()));
    }
    auto v = verifyBackup(bad);
    ASSERT_FALSE(v.ok());
    EXPECT_EQ(v.error().message.rfind(bad.string() + ": ", 0), 0u) << v.error().message;

    fs::path newer = out.path / "newer.db";
    fs::copy_file(good, newer);
    {
        auto db = sqlite::Db::open(newer);
        ASSERT_TRUE(db->exec("PRAGMA user_version = 99").ok());
    }
    EXPECT_EQ(messageOf(verifyBackup(newer)),
              newer.string() +
                  ": written by a newer console (schema version 99, this console "
                  "knows up to " +
                  std::to_string(schemaSteps().size()) + ")");
}

TEST(Restore, RefusedWhileAConsoleHasTheDirectoryOpenThenReplacesAndKeepsBak) {
    Console c;
    c.ingest(10, 5, "", 1);
    TempDir out;
    fs::path file = out.path / "monday.db";
    ASSERT_TRUE(c.svc->backup(file).ok());
    // Work after the backup: it will be gone after the restore, but kept in console.db.bak.
    ASSERT_TRUE(c.svc->addSite("Later").ok());
    c.ingest(0, 3, "later-", 1);

    auto refused = restoreDatabase(c.dir.path, file);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().message,
              "restore refused: the console data directory " + c.dir.path.string() +
                  " is in use by a running console (desktop, --headless or another admin "
                  "command); stop it first");
    EXPECT_EQ(c.svc->listSites()->size(), 2u);  // untouched
    c.svc.reset();

    auto restored = restoreDatabase(c.dir.path, file);
    ASSERT_TRUE(restored.ok()) << restored.error().message;
    EXPECT_EQ(restored->restored.alerts, 5);
    EXPECT_EQ(restored->previous, c.dir.path / "console.db.bak");
    EXPECT_EQ(scalar(c.dir.path / "console.db.bak", "SELECT COUNT(*) FROM sites"), 2);
    EXPECT_EQ(scalar(c.dir.path / "console.db.bak", "SELECT COUNT(*) FROM alerts"), 8);

    auto svc = ConsoleService::open(c.dir.path);
    ASSERT_TRUE(svc.ok()) << svc.error().message;
    EXPECT_EQ((*svc)->listSites()->size(), 1u);
    EXPECT_EQ((*svc)->listAlerts()->size(), 5u);
    auto audit = (*svc)->listAudit();
    EXPECT_EQ(audit->back().action, "backup.restore");
    EXPECT_EQ(audit->back().actor, "local-admin");  // `admin restore`'s default actor
    EXPECT_EQ(audit->back().source, "local");
    EXPECT_EQ(audit->back().target, file.string());
    EXPECT_EQ(audit->back().outcome,
              "ok: schema v" + std::to_string(schemaSteps().size()) +
                  ", 5 alerts, 10 devices; previous database kept as console.db.bak");
    EXPECT_TRUE((*svc)->verifyAudit()->intact());
    // The restored console keeps working (ingest progress came back with the backup).
    EXPECT_TRUE((*svc)->addSite("After restore").ok());
}

TEST(Restore, RefusesABadFileWithoutTouchingTheDatabase) {
    Console c;
    c.ingest(1, 1, "", 1);
    c.svc.reset();
    fs::path junk = c.dir.path / "junk.db";
    ASSERT_TRUE(crypto::writeFileAtomic(junk, std::string(4096, 'x'), fs::perms::owner_all).ok());
    auto r = restoreDatabase(c.dir.path, junk);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().message, junk.string() + ": not an SQLite database (not a console backup)");
    EXPECT_FALSE(fs::exists(c.dir.path / "console.db.bak"));
    EXPECT_EQ(scalar(c.dir.path / "console.db", "SELECT COUNT(*) FROM alerts"), 1);
}

TEST(Restore, AnOldSchemaBackupIsMigratedOnRestore) {
    TempDir out;
    fs::path v2 = out.path / "v2.db";
    {
        auto db = sqlite::Db::open(v2);
        ASSERT_TRUE(sqlite::migrate(*db, {schemaSteps()[0], schemaSteps()[1]}).ok());
        ASSERT_TRUE(db->exec("INSERT INTO sites(name) VALUES('Old plant');"
                             "INSERT INTO audit_head(id, records, hash) VALUES(1, 0, '')")
                        .ok());
        ASSERT_TRUE(db->exec("PRAGMA journal_mode=DELETE").ok());
    }
    Console c;
    c.svc.reset();
    auto r = restoreDatabase(c.dir.path, v2);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->restored.schemaVersion, 2);
    EXPECT_EQ(scalar(c.dir.path / "console.db", "PRAGMA user_version"),
              static_cast<std::int64_t>(schemaSteps().size()));
    auto svc = ConsoleService::open(c.dir.path);
    ASSERT_TRUE(svc.ok());
    EXPECT_EQ((*svc)->listSites()->at(0).name, "Old plant");
}

TEST(Retention, DeletesOldClosedAlertsAndUnseenDevicesOnly) {
    Console c;
    constexpr std::int64_t kDay = 24LL * 3600 * 1000;
    c.ingest(5, 6, "", 1);  // sensor times in 1970: retention must use console time too
    std::vector<AlertKey> oldClosed = {{c.sensorId, "alert-0"}, {c.sensorId, "alert-1"}};
    ASSERT_TRUE(c.svc->setAlertStatus(oldClosed, AlertStatus::Closed).ok());
    ASSERT_TRUE(c.svc->addAlertComment({c.sensorId, "alert-0"}, "closing").ok());
    ASSERT_TRUE(c.svc->setAlertStatus({{c.sensorId, "alert-2"}}, AlertStatus::Acknowledged).ok());
    c.now += 20 * kDay;
    ASSERT_TRUE(c.svc->setAlertStatus({{c.sensorId, "alert-3"}}, AlertStatus::Closed).ok());
    c.ingest(2, 0, "fresh-", 1);  // reported 20 days later
    c.ingest(0, 0, "", 1);
    c.now += 11 * kDay;  // alert-0/1 closed 31 days ago, alert-3 11 days ago

    // Nothing is deleted while the policy keeps everything.
    auto none = c.svc->runRetention();
    ASSERT_TRUE(none.ok());
    EXPECT_EQ(none->alertsDeleted + none->devicesDeleted, 0);

    EXPECT_EQ(messageOf(c.svc->setRetentionPolicy({-1, 0})),
              "retention days must be 0-36500 (0 = keep)");
    ASSERT_TRUE(c.svc->setRetentionPolicy({30, 25}).ok());
    EXPECT_EQ(c.svc->retentionPolicy().closedAlertsDays, 30);
    EXPECT_EQ(c.svc->retentionPolicy().devicesDays, 25);
    auto r = c.svc->runRetention();
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->alertsDeleted, 2);
    EXPECT_EQ(r->devicesDeleted, 5);
    auto alerts = c.svc->listAlerts();
    ASSERT_EQ(alerts->size(), 4u);
    for (const auto& a : *alerts) EXPECT_NE(a.alertId, "alert-0");
    auto devices = c.svc->listDevices();
    ASSERT_EQ(devices->size(), 2u);
    EXPECT_EQ(devices->at(0).deviceId.rfind("fresh-", 0), 0u);
    // Comments went with their alert.
    EXPECT_EQ(scalar(c.dir.path / "console.db", "SELECT COUNT(*) FROM alert_comments"), 0);
    auto last = c.svc->listAudit()->back();
    EXPECT_EQ(last.action, "retention.run");
    EXPECT_EQ(last.outcome, "ok: closed alerts 30 d, devices 25 d: deleted 2 alerts, 5 devices");
}

TEST(Retention, LargeSweepsRunInBatchesWhileIngestContinues) {
    Console c;
    constexpr std::int64_t kDay = 24LL * 3600 * 1000;
    c.ingest(0, 6000, "", 1);
    std::vector<AlertKey> keys;
    for (int i = 0; i < 6000; ++i) keys.push_back({c.sensorId, "alert-" + std::to_string(i)});
    ASSERT_TRUE(c.svc->setAlertStatus(keys, AlertStatus::Closed).ok());
    c.now += 40 * kDay;
    ASSERT_TRUE(c.svc->setRetentionPolicy({30, 0}).ok());
    std::atomic<bool> done{false};
    std::atomic<int> batches{0};
    std::thread ingest([&] {
        while (!done) {
            c.ingest(0, 1, "live-" + std::to_string(batches.load()) + "-", 1);
            ++batches;
        }
    });
    auto r = c.svc->runRetention();
    done = true;
    ingest.join();
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->alertsDeleted, 6000);
    EXPECT_EQ(c.svc->listAlerts()->size(), static_cast<std::size_t>(batches.load()));
}

// A stop request ends a retention run between two batches: what it deleted stays deleted, the
// rest stays whole, the audit says it stopped, and the next run deletes the rest.
TEST(Retention, StopsBetweenBatchesKeepingWhatItDeletedAndReportsProgress) {
    Console c;
    constexpr std::int64_t kDay = 24LL * 3600 * 1000;
    constexpr int kAlerts = 2000;
    c.ingest(0, kAlerts, "", 1);
    std::vector<AlertKey> keys;
    for (int i = 0; i < kAlerts; ++i) keys.push_back({c.sensorId, "alert-" + std::to_string(i)});
    ASSERT_TRUE(c.svc->setAlertStatus(keys, AlertStatus::Closed).ok());
    c.now += 40 * kDay;
    ASSERT_TRUE(c.svc->setRetentionPolicy({30, 0}).ok());

    std::stop_source stop;
    std::vector<std::int64_t> seen;  // progress reports, on the retention's thread
    RetentionControl control;
    control.stop = stop.get_token();
    control.progressEvery = std::chrono::milliseconds(0);  // after every batch
    control.progress = [&](const RetentionResult& soFar) {
        seen.push_back(soFar.alertsDeleted);
        if (soFar.alertsDeleted >= 500) stop.request_stop();
    };
    auto r = c.svc->runRetention(control);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_TRUE(r->stopped);
    EXPECT_EQ(r->alertsDeleted, 500);  // 25 rows a batch: the stop comes after the 20th
    ASSERT_EQ(seen.size(), 20u);
    for (std::size_t i = 0; i < seen.size(); ++i) {
        EXPECT_EQ(seen[i], static_cast<std::int64_t>(25 * (i + 1)));
    }
    EXPECT_EQ(scalar(c.dir.path / "console.db", "SELECT COUNT(*) FROM alerts"), kAlerts - 500);
    auto last = c.svc->listAudit()->back();
    EXPECT_EQ(last.action, "retention.run");
    EXPECT_EQ(last.outcome,
              "stopped: closed alerts 30 d, devices keep: deleted 500 alerts, 0 devices");

    auto rest = c.svc->runRetention();
    ASSERT_TRUE(rest.ok()) << rest.error().message;
    EXPECT_FALSE(rest->stopped);
    EXPECT_EQ(rest->alertsDeleted, kAlerts - 500);
    EXPECT_EQ(scalar(c.dir.path / "console.db", "SELECT COUNT(*) FROM alerts"), 0);
}

}  // namespace
}  // namespace ironsight::console::core
