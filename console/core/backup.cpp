// SPDX-License-Identifier: Apache-2.0
// Online backup (sqlite3_backup_*), verification and restore of console.db; the data-dir lock.
#include "console/core/backup.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <thread>

#include "console/core/console_store.h"
#include "shared/sqlite/sqlite.h"

namespace ironsight::console::core {
namespace fs = std::filesystem;
namespace {

using RawDb = std::unique_ptr<sqlite3, sqlite::DbCloser>;

struct BackupFinisher {
    void operator()(sqlite3_backup* b) const { sqlite3_backup_finish(b); }
};
using BackupHandle = std::unique_ptr<sqlite3_backup, BackupFinisher>;

Result<RawDb> openRaw(const fs::path& file, int flags) {
    sqlite3* raw = nullptr;
    int rc = sqlite3_open_v2(file.c_str(), &raw, flags | SQLITE_OPEN_NOMUTEX, nullptr);
    RawDb db(raw);
    if (rc != SQLITE_OK) {
        return makeError("cannot open " + file.string() + ": " +
                         (raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
    }
    sqlite3_busy_timeout(raw, 5000);
    return db;
}

Status execRaw(sqlite3* db, const char* sql, const fs::path& file) {
    char* message = nullptr;
    int rc = sqlite3_exec(db, sql, nullptr, nullptr, &message);
    if (rc == SQLITE_OK) return {};
    std::string why = message ? message : sqlite3_errstr(rc);
    sqlite3_free(message);
    return makeError(file.string() + ": " + why);
}

/// Copies every page of `src` into `dst` in steps of 256 pages, yielding between steps so
/// writers on the source are not starved (a write restarts the copy, which is correct).
/// `progress` (may be empty) hears about every step and may cancel.
Status copyPages(sqlite3* src, sqlite3* dst, const std::string& what,
                 const BackupProgress& progress = {}) {
    BackupHandle b(sqlite3_backup_init(dst, "main", src, "main"));
    if (!b) return makeError(what + ": " + sqlite3_errmsg(dst));
    for (;;) {
        int rc = sqlite3_backup_step(b.get(), 256);
        if (rc == SQLITE_DONE) break;
        if (progress && (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED)) {
            const std::int64_t total = sqlite3_backup_pagecount(b.get());
            if (!progress(total - sqlite3_backup_remaining(b.get()), total))
                return makeError(kBackupCancelled);  // the handle's finish discards the copy
        }
        if (rc == SQLITE_OK) {
            std::this_thread::yield();
            continue;
        }
        if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
            continue;
        }
        return makeError(what + ": " + sqlite3_errstr(rc));
    }
    int rc = sqlite3_backup_finish(b.release());
    if (rc != SQLITE_OK) return makeError(what + ": " + sqlite3_errstr(rc));
    return {};
}

Result<std::int64_t> scalar(sqlite::Db& db, const std::string& sql) {
    auto st = db.prepare(sql);
    if (!st) return st.error();
    auto row = st->step();
    if (!row) return row.error();
    return *row ? st->columnInt(0) : 0;
}

}  // namespace

Result<BackupInfo> verifyBackup(const fs::path& file) {
    std::error_code ec;
    if (!fs::is_regular_file(file, ec)) return makeError(file.string() + ": no such file");
    {
        // Refuse anything that is not an SQLite file before SQLite gets to look at it.
        auto head = std::make_unique<char[]>(16);
        int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) return makeError(file.string() + ": " + std::strerror(errno));
        ssize_t n = ::read(fd, head.get(), 16);
        ::close(fd);
        if (n != 16 || std::memcmp(head.get(), "SQLite format 3", 16) != 0) {
            return makeError(file.string() + ": not an SQLite database (not a console backup)");
        }
    }
    auto db = sqlite::Db::open(file, /*readOnly=*/true);
    if (!db) return db.error();
    auto st = db->prepare("PRAGMA integrity_check");
    if (!st) return makeError(file.string() + ": " + st.error().message);
    std::string problems;
    for (auto row = st->step();; row = st->step()) {
        if (!row) return makeError(file.string() + ": " + row.error().message);
        if (!*row) break;
        std::string line = st->columnText(0);
        if (line == "ok") continue;
        if (!problems.empty()) problems += "; ";
        problems += line;
        if (problems.size() > 300) break;
    }
    if (!problems.empty()) {
        return makeError(file.string() + ": integrity check failed: " + problems);
    }
    BackupInfo info;
    info.bytes = static_cast<std::int64_t>(fs::file_size(file, ec));
    auto version = scalar(*db, "PRAGMA user_version");
    if (!version) return makeError(file.string() + ": " + version.error().message);
    info.schemaVersion = *version;
    auto known = static_cast<std::int64_t>(schemaSteps().size());
    if (info.schemaVersion < 1) {
        return makeError(file.string() + ": not a console database (schema version 0)");
    }
    if (info.schemaVersion > known) {
        return makeError(file.string() + ": written by a newer console (schema version " +
                         std::to_string(info.schemaVersion) + ", this console knows up to " +
                         std::to_string(known) + ")");
    }
    auto tables = scalar(*db,
                         "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN "
                         "('settings', 'users', 'sites', 'zones', 'sensors', 'devices', "
                         "'alerts', 'audit_log')");
    if (!tables || *tables != 8) {
        return makeError(file.string() + ": not a console database (console tables missing)");
    }
    auto alerts = scalar(*db, "SELECT COUNT(*) FROM alerts");
    auto devices = scalar(*db, "SELECT COUNT(*) FROM devices");
    auto audit = scalar(*db, "SELECT COUNT(*) FROM audit_log");
    if (!alerts || !devices || !audit) return makeError(file.string() + ": unreadable tables");
    info.alerts = *alerts;
    info.devices = *devices;
    info.auditRecords = *audit;
    return info;
}

Result<BackupInfo> backupDatabase(const fs::path& dbFile, const fs::path& dest,
                                  const BackupProgress& progress) {
    std::error_code ec;
    if (!fs::exists(dbFile, ec)) return makeError("no database " + dbFile.string());
    if (fs::exists(dest, ec))
        return makeError(dest.string() + " already exists; choose another file");
    fs::path tmp = dest;
    tmp += ".partial";
    fs::remove(tmp, ec);
    struct RemoveOnFailure {
        fs::path path;
        bool keep = false;
        ~RemoveOnFailure() {
            std::error_code e;
            if (!keep) fs::remove(path, e);
        }
    } cleanup{tmp};
    {
        auto src = openRaw(dbFile, SQLITE_OPEN_READONLY);
        if (!src) return src.error();
        // Create the file 0600 before SQLite opens it: it holds password and token hashes.
        int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0) return makeError("cannot create " + tmp.string() + ": " + std::strerror(errno));
        ::close(fd);
        auto dst = openRaw(tmp, SQLITE_OPEN_READWRITE);
        if (!dst) return dst.error();
        if (auto s = copyPages(src->get(), dst->get(), "backup of " + dbFile.string(), progress);
            !s)
            return s.error();
        // The copy carries the source's WAL flag: make it one self-contained file.
        if (auto s = execRaw(dst->get(), "PRAGMA journal_mode=DELETE", tmp); !s) return s.error();
    }
    auto info = verifyBackup(tmp);
    if (!info) return info.error();
    fs::rename(tmp, dest, ec);
    if (ec) return makeError("cannot write " + dest.string() + ": " + ec.message());
    cleanup.keep = true;
    return info;
}

Result<DataDirLock> DataDirLock::acquire(const fs::path& dataDir, Mode mode) {
    fs::path file = dataDir / "console.lock";
    int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return makeError("cannot open " + file.string() + ": " + std::strerror(errno));
    DataDirLock lock(fd);
    int op = (mode == Mode::Shared ? LOCK_SH : LOCK_EX) | LOCK_NB;
    if (::flock(fd, op) != 0) {
        if (errno == EWOULDBLOCK) {
            return makeError(mode == Mode::Exclusive
                                 ? "the console data directory " + dataDir.string() +
                                       " is in use by a running console (desktop, --headless or "
                                       "another admin command); stop it first"
                                 : "the console data directory " + dataDir.string() +
                                       " is being restored; try again when the restore is done");
        }
        return makeError("cannot lock " + file.string() + ": " + std::strerror(errno));
    }
    return lock;
}

DataDirLock& DataDirLock::operator=(DataDirLock&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = other.fd_;
        other.fd_ = -1;
    }
    return *this;
}

DataDirLock::~DataDirLock() {
    if (fd_ >= 0) ::close(fd_);  // closing the descriptor releases the flock
}

Result<RestoreInfo> restoreDatabase(const fs::path& dataDir, const fs::path& file,
                                    const AuditActor& by) {
    auto verified = verifyBackup(file);
    if (!verified) return verified.error();
    std::error_code ec;
    if (!fs::is_directory(dataDir, ec)) return makeError("no data directory " + dataDir.string());
    auto lock = DataDirLock::acquire(dataDir, DataDirLock::Mode::Exclusive);
    if (!lock) return makeError("restore refused: " + lock.error().message);
    fs::path dbFile = dataDir / "console.db";
    if (fs::equivalent(file, dbFile, ec)) {
        return makeError("restore refused: " + file.string() + " is the live database");
    }
    RestoreInfo info;
    info.restored = *verified;
    if (fs::exists(dbFile, ec)) {
        fs::path bak = dataDir / "console.db.bak";
        fs::remove(bak, ec);
        auto kept = backupDatabase(dbFile, bak);
        if (!kept) {
            return makeError("restore refused: cannot keep the current database: " +
                             kept.error().message);
        }
        info.previous = bak;
    }
    {
        auto src = openRaw(file, SQLITE_OPEN_READONLY);
        if (!src) return src.error();
        auto dst = openRaw(dbFile, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
        if (!dst) return dst.error();
        if (auto s = copyPages(src->get(), dst->get(), "restore of " + file.string()); !s)
            return s.error();
        if (auto s = execRaw(dst->get(), "PRAGMA journal_mode=WAL", dbFile); !s) return s.error();
    }
    auto store = ConsoleStore::open(dbFile);  // migrates an older backup in place
    if (!store) return makeError("restored database does not open: " + store.error().message);
    std::string outcome = "ok: schema v" + std::to_string(info.restored.schemaVersion) + ", " +
                          std::to_string(info.restored.alerts) + " alerts, " +
                          std::to_string(info.restored.devices) + " devices";
    if (!info.previous.empty()) outcome += "; previous database kept as console.db.bak";
    if (auto s = (*store)->audit(by.actor, "backup.restore", file.string(), by.source, outcome);
        !s) {
        return s.error();
    }
    return info;
}

}  // namespace ironsight::console::core
