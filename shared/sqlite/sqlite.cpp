// SPDX-License-Identifier: Apache-2.0
// RAII wrappers for SQLite 3 (see sqlite.h).
#include "shared/sqlite/sqlite.h"

namespace ironsight::sqlite {

namespace {
Error sqliteError(sqlite3* db, std::string_view what) {
    return Error{std::string(what) + ": " + (db ? sqlite3_errmsg(db) : "out of memory")};
}
}  // namespace

void Stmt::noteBind(int rc) {
    if (rc != SQLITE_OK && bindError_ == SQLITE_OK) bindError_ = rc;
}

Stmt& Stmt::bind(int index, std::int64_t value) {
    noteBind(sqlite3_bind_int64(stmt_.get(), index, value));
    return *this;
}
Stmt& Stmt::bind(int index, double value) {
    noteBind(sqlite3_bind_double(stmt_.get(), index, value));
    return *this;
}
Stmt& Stmt::bind(int index, std::string_view value) {
    noteBind(sqlite3_bind_text64(stmt_.get(), index, value.data(), value.size(),
                                 borrowText_ ? SQLITE_STATIC : SQLITE_TRANSIENT, SQLITE_UTF8));
    return *this;
}
void Stmt::clearBindings() {
    sqlite3_clear_bindings(stmt_.get());
}
Stmt& Stmt::bind(int index, const Bytes& value) {
    // A zero-length blob must still be a blob, not NULL: pass a non-null pointer.
    static const std::uint8_t kEmpty = 0;
    noteBind(sqlite3_bind_blob64(stmt_.get(), index, value.empty() ? &kEmpty : value.data(),
                                 value.size(), SQLITE_TRANSIENT));
    return *this;
}
Stmt& Stmt::bind(int index, std::nullptr_t) {
    noteBind(sqlite3_bind_null(stmt_.get(), index));
    return *this;
}

Result<bool> Stmt::step() {
    if (bindError_ != SQLITE_OK) {
        return Error{std::string("cannot bind statement parameter: ") + sqlite3_errstr(bindError_)};
    }
    const int rc = sqlite3_step(stmt_.get());
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return sqliteError(db_, "database error");
}

Status Stmt::run() {
    for (;;) {
        auto more = step();
        if (!more) {
            reset();
            return more.error();
        }
        if (!*more) break;
    }
    reset();
    return {};
}

void Stmt::reset() {
    sqlite3_reset(stmt_.get());
    sqlite3_clear_bindings(stmt_.get());
    bindError_ = SQLITE_OK;
}

std::int64_t Stmt::columnInt(int column) const { return sqlite3_column_int64(stmt_.get(), column); }
double Stmt::columnDouble(int column) const { return sqlite3_column_double(stmt_.get(), column); }
std::string Stmt::columnText(int column) const {
    const auto* text = sqlite3_column_text(stmt_.get(), column);
    const int size = sqlite3_column_bytes(stmt_.get(), column);
    return text ? std::string(reinterpret_cast<const char*>(text), static_cast<std::size_t>(size))
                : std::string();
}
Bytes Stmt::columnBlob(int column) const {
    const auto* data = static_cast<const std::uint8_t*>(sqlite3_column_blob(stmt_.get(), column));
    const int size = sqlite3_column_bytes(stmt_.get(), column);
    return data ? Bytes(data, data + size) : Bytes();
}
bool Stmt::columnIsNull(int column) const {
    return sqlite3_column_type(stmt_.get(), column) == SQLITE_NULL;
}
int Stmt::columnCount() const { return sqlite3_column_count(stmt_.get()); }

Result<Db> Db::open(const std::filesystem::path& path, bool readOnly) {
    sqlite3* raw = nullptr;
    const int flags = readOnly ? SQLITE_OPEN_READONLY
                               : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    const int rc = sqlite3_open_v2(path.c_str(), &raw, flags | SQLITE_OPEN_NOMUTEX, nullptr);
    Db db(raw, path);  // owns the handle even when open failed
    if (rc != SQLITE_OK) {
        return Error{"cannot open database " + path.string() + ": " +
                     (raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc))};
    }
    sqlite3_busy_timeout(raw, 5000);
    sqlite3_extended_result_codes(raw, 1);
    if (!readOnly) {
        if (auto st = db.exec("PRAGMA journal_mode=WAL"); !st) {
            return Error{path.string() + ": " + st.error().message};
        }
    }
    if (auto st = db.exec("PRAGMA foreign_keys=ON"); !st) {
        return Error{path.string() + ": " + st.error().message};
    }
    return db;
}

Status Db::exec(std::string_view sql) {
    char* message = nullptr;
    const std::string text(sql);
    const int rc = sqlite3_exec(db_.get(), text.c_str(), nullptr, nullptr, &message);
    if (rc != SQLITE_OK) {
        std::string why = message ? message : sqlite3_errstr(rc);
        sqlite3_free(message);
        return Error{"database error: " + why};
    }
    return {};
}

Result<Stmt> Db::prepare(std::string_view sql) {
    sqlite3_stmt* stmt = nullptr;
    const int rc = sqlite3_prepare_v2(db_.get(), sql.data(), static_cast<int>(sql.size()), &stmt,
                                      nullptr);
    if (rc != SQLITE_OK) {
        sqlite3_finalize(stmt);
        return sqliteError(db_.get(), "cannot prepare SQL");
    }
    return Stmt(db_.get(), stmt);
}

Result<std::string> Db::quickCheck() {
    auto stmt = prepare("PRAGMA quick_check");
    if (!stmt) return stmt.error();
    auto row = stmt->step();
    if (!row) return row.error();
    return *row ? stmt->columnText(0) : std::string("no answer from quick_check");
}

Transaction::Transaction(Db& db) : db_(db), began_(db.exec("BEGIN IMMEDIATE")) {}

Transaction::~Transaction() {
    if (began_.ok() && !done_) (void)db_.exec("ROLLBACK");
}

Status Transaction::commit() {
    if (!began_.ok()) return began_;
    auto st = db_.exec("COMMIT");
    if (st) done_ = true;
    return st;
}

Status migrate(Db& db, const std::vector<std::string>& steps) {
    std::size_t current = 0;
    {
        // Finalized before the steps run: a live statement would keep the schema locked
        // (DROP TABLE fails with "database table is locked").
        auto stmt = db.prepare("PRAGMA user_version");
        if (!stmt) return stmt.error();
        auto row = stmt->step();
        if (!row) return row.error();
        current = static_cast<std::size_t>(stmt->columnInt(0));
    }
    if (current > steps.size()) {
        return Error{"database " + db.path().string() + " has schema version " +
                     std::to_string(current) + ", newer than this program understands (" +
                     std::to_string(steps.size()) + ")"};
    }
    for (std::size_t i = current; i < steps.size(); ++i) {
        Transaction tx(db);
        if (!tx.began()) return tx.beginStatus();
        if (auto st = db.exec(steps[i]); !st) {
            return Error{"schema migration " + std::to_string(i + 1) + " failed: " +
                         st.error().message};
        }
        if (auto st = db.exec("PRAGMA user_version=" + std::to_string(i + 1)); !st) return st;
        if (auto st = tx.commit(); !st) return st;
    }
    return {};
}

}  // namespace ironsight::sqlite
