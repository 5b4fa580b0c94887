// SPDX-License-Identifier: Apache-2.0
// The sensor's state directory: schema, meta, baseline and identity file locations.
#include "sensor-agent/store/state_store.h"

#include "shared/crypto/crypto.h"

#include <cstdlib>
#include <random>
#include <system_error>
#include <vector>

namespace ironsight::sensor::store {
namespace {

const std::vector<std::string>& schema() {
    static const std::vector<std::string> steps = {
        R"sql(
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE baseline(id INTEGER PRIMARY KEY CHECK (id = 1), text TEXT NOT NULL,
                      updated_ms INTEGER NOT NULL);
CREATE TABLE outbox(seq INTEGER PRIMARY KEY, class INTEGER NOT NULL,
                    created_ms INTEGER NOT NULL, payload BLOB NOT NULL);
CREATE INDEX outbox_class_seq ON outbox(class, seq);
CREATE TABLE evicted(id INTEGER PRIMARY KEY, class INTEGER NOT NULL, first_seq INTEGER NOT NULL,
                     last_seq INTEGER NOT NULL, count INTEGER NOT NULL, at_ms INTEGER NOT NULL);
)sql",
        // Alert evidence (evidence_store.h): one row per capture, its pcap records.
        R"sql(
CREATE TABLE evidence(id INTEGER PRIMARY KEY, alert_id TEXT NOT NULL, created_ms INTEGER NOT NULL,
                      trigger_us INTEGER NOT NULL, link_type INTEGER NOT NULL,
                      packets INTEGER NOT NULL, records BLOB NOT NULL);
CREATE INDEX evidence_alert ON evidence(alert_id, id);
)sql",
        // Alerts raised (engine encodeAlert text): Learn / Mute by id after a restart.
        R"sql(
CREATE TABLE alerts(id TEXT PRIMARY KEY, last_seen_ms INTEGER NOT NULL, record TEXT NOT NULL);
CREATE INDEX alerts_last_seen ON alerts(last_seen_ms);
)sql",
    };
    return steps;
}

std::uint64_t randomEpoch() {
    std::random_device rd;  // getrandom(2) on Linux
    std::uint64_t value = 0;
    while (value == 0) {
        value = (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
        value &= 0x7fffffffffffffffULL;  // fits SQLite's signed INTEGER on both sides
    }
    return value;
}

}  // namespace

std::filesystem::path defaultStateDir() {
    if (const char* env = std::getenv("IRONSIGHT_STATE_DIR"); env && *env) return env;
    return "/var/lib/ironsight/sensor";  // the packaged layout (docs/OPERATIONS.md)
}

Result<sqlite::Db> openStateDb(const std::filesystem::path& stateDir) {
    std::error_code ec;
    std::filesystem::create_directories(stateDir, ec);
    if (ec) {
        return Error{"cannot create state directory " + stateDir.string() + ": " + ec.message()};
    }
    auto db = sqlite::Db::open(stateDir / "state.db");
    if (!db) return db.error();
    if (auto st = db->setSynchronousFull(); !st) return st.error();
    if (auto st = sqlite::migrate(*db, schema()); !st) return st.error();
    auto stmt = db->prepare("INSERT OR IGNORE INTO meta(key, value) VALUES ('epoch', ?1)");
    if (!stmt) return stmt.error();
    if (auto st = stmt->bind(1, std::to_string(randomEpoch())).run(); !st) return st.error();
    return std::move(*db);
}

Result<StateStore> StateStore::open(const std::filesystem::path& stateDir) {
    auto db = openStateDb(stateDir);
    if (!db) return db.error();
    StateStore store(stateDir, std::move(*db));
    store.generation_ = store.getOr(meta::kIdentityGeneration, "");
    return store;
}

Status StateStore::replaceIdentity(const std::string& keyPem, const std::string& certPem,
                                   const std::string& caPem) {
    namespace fs = std::filesystem;
    const std::vector<fs::path> oldFiles = {keyPath(), certPath(), caPath()};
    const std::string previous = generation_;
    generation_ = std::to_string(std::strtoll(previous.c_str(), nullptr, 10) + 1);
    const auto keep = [&](const Status& st) {
        if (!st) generation_ = previous;  // the old identity stays in force
        return st;
    };
    const auto readable = fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                          fs::perms::others_read;
    if (auto st = crypto::writeFileAtomic(keyPath(), keyPem,
                                          fs::perms::owner_read | fs::perms::owner_write);
        !st) {
        return keep(st);
    }
    if (auto st = crypto::writeFileAtomic(certPath(), certPem, readable); !st) return keep(st);
    if (auto st = crypto::writeFileAtomic(caPath(), caPem, readable); !st) return keep(st);
    if (auto st = set(meta::kIdentityGeneration, generation_); !st) return keep(st);
    std::error_code ec;
    for (const auto& path : oldFiles) fs::remove(path, ec);
    return {};
}

Result<std::optional<std::string>> StateStore::get(const std::string& key) {
    auto stmt = db_.prepare("SELECT value FROM meta WHERE key = ?1");
    if (!stmt) return stmt.error();
    auto row = stmt->bind(1, key).step();
    if (!row) return row.error();
    if (!*row) return std::optional<std::string>{};
    return std::optional<std::string>{stmt->columnText(0)};
}

std::string StateStore::getOr(const std::string& key, const std::string& fallback) {
    auto value = get(key);
    if (!value || !value->has_value()) return fallback;
    return **value;
}

Status StateStore::set(const std::string& key, const std::string& value) {
    auto stmt = db_.prepare(
        "INSERT INTO meta(key, value) VALUES (?1, ?2) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value");
    if (!stmt) return stmt.error();
    return stmt->bind(1, key).bind(2, value).run();
}

std::uint64_t StateStore::epoch() {
    return std::strtoull(getOr(meta::kEpoch, "0").c_str(), nullptr, 10);
}

bool StateStore::learning() {
    return getOr(meta::kLearning, "1") == "1";
}

Status StateStore::setLearning(bool on) {
    return set(meta::kLearning, on ? "1" : "0");
}

bool StateStore::activated() {
    std::error_code ec;
    return !getOr(meta::kSensorId, "").empty() && std::filesystem::exists(keyPath(), ec) &&
           std::filesystem::exists(certPath(), ec) && std::filesystem::exists(caPath(), ec);
}

Result<std::string> StateStore::baseline() {
    auto stmt = db_.prepare("SELECT text FROM baseline WHERE id = 1");
    if (!stmt) return stmt.error();
    auto row = stmt->step();
    if (!row) return row.error();
    return *row ? stmt->columnText(0) : std::string{};
}

Status StateStore::saveBaseline(const std::string& text, std::int64_t nowMs) {
    auto stmt = db_.prepare(
        "INSERT INTO baseline(id, text, updated_ms) VALUES (1, ?1, ?2) "
        "ON CONFLICT(id) DO UPDATE SET text = excluded.text, updated_ms = excluded.updated_ms");
    if (!stmt) return stmt.error();
    return stmt->bind(1, text).bind(2, nowMs).run();
}

Status StateStore::saveAlerts(const std::vector<StoredAlert>& alerts) {
    if (alerts.empty()) return {};
    sqlite::Transaction tx(db_);
    if (!tx.began()) return tx.beginStatus();
    auto upsert = db_.prepare(
        "INSERT INTO alerts(id, last_seen_ms, record) VALUES (?1, ?2, ?3) "
        "ON CONFLICT(id) DO UPDATE SET last_seen_ms = excluded.last_seen_ms, "
        "record = excluded.record");
    if (!upsert) return upsert.error();
    for (const auto& a : alerts) {
        upsert->reset();
        if (auto st = upsert->bind(1, a.id).bind(2, a.lastSeenMs).bind(3, a.record).run(); !st) {
            return st.error();
        }
    }
    // Bounded: the alerts seen longest ago go first (their Learn / Mute then needs a repeat).
    auto prune = db_.prepare(
        "DELETE FROM alerts WHERE id IN (SELECT id FROM alerts ORDER BY last_seen_ms DESC "
        "LIMIT -1 OFFSET ?1)");
    if (!prune) return prune.error();
    if (auto st = prune->bind(1, static_cast<std::int64_t>(kMaxStoredAlerts)).run(); !st) {
        return st.error();
    }
    return tx.commit();
}

Result<std::vector<std::string>> StateStore::storedAlerts() {
    auto stmt = db_.prepare("SELECT record FROM alerts ORDER BY last_seen_ms");
    if (!stmt) return stmt.error();
    std::vector<std::string> out;
    while (true) {
        auto row = stmt->step();
        if (!row) return row.error();
        if (!*row) break;
        out.push_back(stmt->columnText(0));
    }
    return out;
}

}  // namespace ironsight::sensor::store
