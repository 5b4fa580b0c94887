// SPDX-License-Identifier: Apache-2.0
// Online backup and verified restore of console.db, and the data-directory lock that tells a
// restore whether a console is running on the directory.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

#include "console/core/console_store.h"  // AuditActor
#include "shared/base/result.h"

namespace ironsight::console::core {

/// What a backup file holds (after PRAGMA integrity_check said "ok").
struct BackupInfo {
    std::int64_t bytes = 0;
    std::int64_t schemaVersion = 0;  ///< PRAGMA user_version
    std::int64_t alerts = 0;
    std::int64_t devices = 0;
    std::int64_t auditRecords = 0;
};

/// Called between copy steps with the pages copied so far and the total; returning false
/// cancels the backup (it then fails with kBackupCancelled and leaves no file behind).
using BackupProgress = std::function<bool(std::int64_t done, std::int64_t total)>;
inline constexpr const char* kBackupCancelled = "backup cancelled";

/// Copies the live database `dbFile` to `dest` with the SQLite online backup API (other
/// connections keep reading and writing), converts the copy to a self-contained rollback-journal
/// file (mode 0600), then runs PRAGMA integrity_check on it. Refuses an existing `dest`; on any
/// failure (or a cancel through `progress`) no `dest` is left behind.
Result<BackupInfo> backupDatabase(const std::filesystem::path& dbFile,
                                  const std::filesystem::path& dest,
                                  const BackupProgress& progress = {});

/// Opens `file` read-only: PRAGMA integrity_check must say "ok", the schema version must be one
/// this console knows (1..schemaSteps().size()) and the console tables must be present.
Result<BackupInfo> verifyBackup(const std::filesystem::path& file);

/// An flock() on DATA_DIR/console.lock. Every open ConsoleService holds it shared; a restore takes
/// it exclusive, so it is refused while a desktop, headless or admin process has the directory
/// open.
class DataDirLock {
public:
    enum class Mode { Shared, Exclusive };
    /// Non-blocking; fails with a clear message when the lock is held in a conflicting mode.
    static Result<DataDirLock> acquire(const std::filesystem::path& dataDir, Mode mode);

    DataDirLock(DataDirLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
    DataDirLock& operator=(DataDirLock&& other) noexcept;
    DataDirLock(const DataDirLock&) = delete;
    DataDirLock& operator=(const DataDirLock&) = delete;
    ~DataDirLock();

private:
    explicit DataDirLock(int fd) : fd_(fd) {}
    int fd_ = -1;
};

/// What a restore did.
struct RestoreInfo {
    BackupInfo restored;
    std::filesystem::path previous;  ///< the replaced database, kept as console.db.bak ("" if none)
};

/// Replaces DATA_DIR/console.db with the verified backup `file`: takes the data-directory lock
/// exclusively (refused while a console runs), keeps the current database as console.db.bak
/// (online copy), copies the backup in with the backup API, then migrates it to the current
/// schema and audits the restore as `by` (`admin restore`: local-admin; the desktop: the
/// signed-in administrator and the session's source). The PKI (DATA_DIR/pki) is left untouched.
/// The caller checks `by`'s right to restore: the core has no session here (the service is
/// closed, and the restored database's users may differ).
Result<RestoreInfo> restoreDatabase(const std::filesystem::path& dataDir,
                                    const std::filesystem::path& file,
                                    const AuditActor& by = {});

}  // namespace ironsight::console::core
