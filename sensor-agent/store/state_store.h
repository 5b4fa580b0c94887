// SPDX-License-Identifier: Apache-2.0
// The sensor's state directory: state.db (meta, baseline, outbox, evidence) and identity/ (key,
// certificates).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "shared/base/result.h"
#include "shared/sqlite/sqlite.h"

namespace ironsight::sensor::store {

/// $IRONSIGHT_STATE_DIR, else /var/lib/ironsight/sensor.
std::filesystem::path defaultStateDir();

/// Opens DIR/state.db (creating the directory and file), applies the schema, sets
/// synchronous=FULL, and makes the epoch on first creation. Every connection to state.db is
/// opened through here.
Result<sqlite::Db> openStateDb(const std::filesystem::path& stateDir);

/// Meta keys (text values) kept in the `meta` table.
namespace meta {
inline constexpr const char* kEpoch = "epoch";
inline constexpr const char* kLearning = "learning";  // "1" / "0"
inline constexpr const char* kSensorId = "sensor_id";
inline constexpr const char* kSensorName = "sensor_name";
inline constexpr const char* kSite = "site";
inline constexpr const char* kZone = "zone";
inline constexpr const char* kStreamEndpoints = "stream_endpoints";  // comma-separated host:port
inline constexpr const char* kEnrollEndpoint = "enroll_endpoint";
inline constexpr const char* kTlsName = "console_tls_name";
inline constexpr const char* kActivatedMs = "activated_ms";
inline constexpr const char* kLastSeq = "last_seq";            // highest seq ever assigned
inline constexpr const char* kAckedThrough = "acked_through";  // highest seq the console acked
inline constexpr const char* kEvicted = "outbox_evicted";      // rows evicted, total
// Which identity files are current: "" = sensor.key / sensor.crt / ca.crt (activation), N =
// sensor-N.key / sensor-N.crt / ca-N.crt (the Nth certificate renewal). One meta write switches.
inline constexpr const char* kIdentityGeneration = "identity_generation";
}  // namespace meta

/// Meta, baseline and identity paths of one state directory. Not thread-safe: one per thread.
/// An alert as the engine raised it (encodeAlert text), kept across restarts.
struct StoredAlert {
    std::string id;
    std::int64_t lastSeenMs = 0;
    std::string record;
};

class StateStore {
public:
    static Result<StateStore> open(const std::filesystem::path& stateDir);

    const std::filesystem::path& dir() const { return dir_; }
    std::filesystem::path identityDir() const { return dir_ / "identity"; }
    std::filesystem::path keyPath() const { return identityFile(dir_, generation_, "sensor", ".key"); }
    std::filesystem::path certPath() const { return identityFile(dir_, generation_, "sensor", ".crt"); }
    std::filesystem::path caPath() const { return identityFile(dir_, generation_, "ca", ".crt"); }
    /// STATE_DIR/identity/STEM[-GENERATION]EXT: an identity file of that generation
    /// (meta::kIdentityGeneration, "" = as activated), for readers without a StateStore.
    static std::filesystem::path identityFile(const std::filesystem::path& stateDir,
                                              const std::string& generation,
                                              const std::string& stem, const std::string& ext) {
        return stateDir / "identity" / (stem + (generation.empty() ? "" : "-" + generation) + ext);
    }
    /// A renewed certificate (and its new key, and the console's current trust bundle) becomes
    /// the sensor's identity: written as the next generation's files (key 0600), switched to by
    /// one meta write (a crash before it leaves the old identity in force), old files removed.
    Status replaceIdentity(const std::string& keyPem, const std::string& certPem,
                           const std::string& caPem);

    Result<std::optional<std::string>> get(const std::string& key);
    /// The value, or `fallback` when unset or unreadable.
    std::string getOr(const std::string& key, const std::string& fallback);
    Status set(const std::string& key, const std::string& value);

    /// The random 64-bit epoch made when state.db was created (never 0).
    std::uint64_t epoch();
    bool learning();
    Status setLearning(bool on);
    /// True when the sensor has an id and identity files (key, certificate, CA).
    bool activated();

    /// The baseline text last saved (Engine::exportBaseline), empty when none.
    Result<std::string> baseline();
    Status saveBaseline(const std::string& text, std::int64_t nowMs);

    /// Alerts raised (upserted by id, in one transaction), so a console's Learn / Mute of an
    /// alert raised before a restart still finds it. At most kMaxStoredAlerts are kept, the
    /// least recently seen dropped first.
    static constexpr std::size_t kMaxStoredAlerts = 50000;
    Status saveAlerts(const std::vector<StoredAlert>& alerts);
    /// Every kept alert's record, least recently seen first.
    Result<std::vector<std::string>> storedAlerts();

    sqlite::Db& db() { return db_; }

private:
    StateStore(std::filesystem::path dir, sqlite::Db db)
        : dir_(std::move(dir)), db_(std::move(db)) {}

    std::filesystem::path dir_;
    std::string generation_;  // meta::kIdentityGeneration, read at open
    sqlite::Db db_;
};

}  // namespace ironsight::sensor::store
