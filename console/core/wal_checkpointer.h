// SPDX-License-Identifier: Apache-2.0
// Checkpoints the console store's WAL from its own thread and connection.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <thread>

#include "shared/base/result.h"
#include "shared/sqlite/sqlite.h"

namespace ironsight::console::core {

/// SQLite's automatic checkpoint runs inside the COMMIT that pushes the WAL past 1,000 pages:
/// that commit copies the WAL into the database file and fsyncs it while ingest waits for its
/// acks. This moves that work to a thread of its own with its own connection (PASSIVE
/// checkpoints never block the writer nor readers), woken by the writer's WAL hook.
class WalCheckpointer {
public:
    /// Replaces `writer`'s automatic checkpoint (its wal hook) and starts the thread. `writer`
    /// must outlive the checkpointer.
    static Result<std::unique_ptr<WalCheckpointer>> start(sqlite::Db& writer, int pages = 1000);
    ~WalCheckpointer();  ///< Stops the thread and gives `writer` its automatic checkpoint back.

    WalCheckpointer(const WalCheckpointer&) = delete;
    WalCheckpointer& operator=(const WalCheckpointer&) = delete;

    /// Checkpoints run so far (tests, benchmarks).
    std::uint64_t checkpoints() const;

private:
    WalCheckpointer(sqlite::Db& writer, sqlite::Db own, int pages);
    static int onCommit(void* self, sqlite3* db, const char* schema, int pages);
    void run();

    sqlite::Db& writer_;
    sqlite::Db db_;
    const int pages_;
    mutable std::mutex mutex_;
    std::condition_variable due_;
    bool pending_ = false;
    bool stopping_ = false;
    std::uint64_t checkpoints_ = 0;
    bool reported_ = false;  // a failure is reported once (the thread's own)
    std::thread thread_;  // last: starts after every member above exists
};

}  // namespace ironsight::console::core
