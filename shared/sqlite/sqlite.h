// SPDX-License-Identifier: Apache-2.0
// RAII wrappers for SQLite 3: database, prepared statement, transaction, and a migration runner.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "shared/base/result.h"

namespace ironsight::sqlite {

using Bytes = std::vector<std::uint8_t>;

struct DbCloser {
    void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StmtFinalizer {
    void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};

/// A prepared statement. Bind indexes are 1-based (as SQLite's), column indexes 0-based.
class Stmt {
public:
    Stmt(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}

    Stmt& bind(int index, std::int64_t value);
    Stmt& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
    Stmt& bind(int index, std::uint64_t value) { return bind(index, static_cast<std::int64_t>(value)); }
    Stmt& bind(int index, std::uint32_t value) { return bind(index, static_cast<std::int64_t>(value)); }
    Stmt& bind(int index, bool value) { return bind(index, static_cast<std::int64_t>(value)); }
    Stmt& bind(int index, double value);
    Stmt& bind(int index, std::string_view value);
    Stmt& bind(int index, const std::string& value) { return bind(index, std::string_view(value)); }
    Stmt& bind(int index, const char* value) { return bind(index, std::string_view(value)); }
    Stmt& bind(int index, const Bytes& value);
    Stmt& bind(int index, std::nullptr_t);

    /// From now on text binds refer to the caller's bytes instead of copying them (SQLITE_STATIC):
    /// only for statements whose every text is bound in the same expression that runs them
    /// (`st.bind(1, makeText()).run()`), so the bytes outlive the step. Hot ingest paths.
    void borrowTextBinds() { borrowText_ = true; }
    /// Drops every binding (borrowed text must not outlive its owner in the statement).
    void clearBindings();

    /// Steps once: true when a row is available, false when done. Reports the first bind error.
    Result<bool> step();
    /// Steps until done (for INSERT/UPDATE/DELETE), then resets so the statement can be reused.
    Status run();
    void reset();

    std::int64_t columnInt(int column) const;
    double columnDouble(int column) const;
    std::string columnText(int column) const;
    Bytes columnBlob(int column) const;
    bool columnIsNull(int column) const;
    int columnCount() const;

    sqlite3_stmt* handle() const { return stmt_.get(); }

private:
    void noteBind(int rc);

    sqlite3* db_;
    std::unique_ptr<sqlite3_stmt, StmtFinalizer> stmt_;
    int bindError_ = SQLITE_OK;
    bool borrowText_ = false;
};

class Db {
public:
    /// Opens (and creates unless readOnly) a database file; sets WAL, foreign keys and a 5 s busy
    /// timeout. Errors name the file.
    static Result<Db> open(const std::filesystem::path& path, bool readOnly = false);

    Status exec(std::string_view sql);
    Result<Stmt> prepare(std::string_view sql);
    std::int64_t lastInsertRowid() const { return sqlite3_last_insert_rowid(db_.get()); }
    int changes() const { return sqlite3_changes(db_.get()); }
    sqlite3* handle() const { return db_.get(); }
    /// synchronous=FULL: committed transactions survive power loss (RELIABILITY.md G3).
    Status setSynchronousFull() { return exec("PRAGMA synchronous=FULL"); }
    /// Returns "ok" or the first problem PRAGMA quick_check reports.
    Result<std::string> quickCheck();
    std::string lastError() const { return sqlite3_errmsg(db_.get()); }
    const std::filesystem::path& path() const { return path_; }

private:
    Db(sqlite3* db, std::filesystem::path path) : db_(db), path_(std::move(path)) {}

    std::unique_ptr<sqlite3, DbCloser> db_;
    std::filesystem::path path_;
};

/// BEGIN IMMEDIATE on construction; rolls back on destruction unless committed.
class Transaction {
public:
    explicit Transaction(Db& db);
    ~Transaction();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;

    /// False when BEGIN failed (busy, read-only, disk full); the error says why.
    bool began() const { return began_.ok(); }
    const Status& beginStatus() const { return began_; }
    Status commit();

private:
    Db& db_;
    Status began_;
    bool done_ = false;
};

/// Applies steps[user_version..] in order, each in its own transaction, bumping user_version.
/// A database newer than this program is refused.
Status migrate(Db& db, const std::vector<std::string>& steps);

}  // namespace ironsight::sqlite
