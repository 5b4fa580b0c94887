// SPDX-License-Identifier: Apache-2.0
// Checkpoints the console store's WAL from its own thread and connection.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
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
///
/// It also keeps the WAL bounded. SQLite starts the WAL over only when a write begins after a
/// checkpoint copied all of it; a store that is written all the time never gets there, and the
/// WAL grows without end (2.3 GB during a retention at 1,000,000 alerts, with every page lookup
/// and commit slower for it: docs/BENCHMARKS.md "Retention at scale, session 9"). Past
/// `boundPages` the checkpointer copies most of the WAL while writers go on, then the last
/// pages with the writers held (`holdWriters`) or in the next commit's wal hook, whichever comes
/// first, so the commit after that starts the WAL over.
class WalCheckpointer {
public:
    /// Runs `work` while no writer of the store can commit (the store holds its write lock).
    using HoldWriters = std::function<void(const std::function<void()>& work)>;
    struct Options {
        int pages = 1000;         ///< a commit leaving this many WAL pages wakes the thread
        int boundPages = 16'384;  ///< past this (64 MiB of 4 KiB pages) it copies it all
        HoldWriters holdWriters;  ///< without it the WAL is not bounded
    };

    /// Replaces `writer`'s automatic checkpoint (its wal hook) and starts the thread. `writer`
    /// must outlive the checkpointer.
    static Result<std::unique_ptr<WalCheckpointer>> start(sqlite::Db& writer, Options options);
    static Result<std::unique_ptr<WalCheckpointer>> start(sqlite::Db& writer) {
        return start(writer, Options{});
    }
    ~WalCheckpointer();  ///< Stops the thread and gives `writer` its automatic checkpoint back.

    WalCheckpointer(const WalCheckpointer&) = delete;
    WalCheckpointer& operator=(const WalCheckpointer&) = delete;

    /// Checkpoints run so far (tests, benchmarks).
    std::uint64_t checkpoints() const;
    /// Times the whole WAL was copied while it was over its bound (tests, benchmarks).
    std::uint64_t catchUps() const;
    /// Pages in the WAL after the writer's last commit.
    int walPages() const;
    int boundPages() const { return options_.boundPages; }
    /// For bulk writers (retention) that can wait: true at once when the WAL is under its
    /// bound, else waits until the checkpointer has copied all of it (so the next commit starts
    /// it over), at most `timeout` (a reader holding an old snapshot can keep it from that).
    bool waitUntilBounded(std::chrono::milliseconds timeout);

private:
    WalCheckpointer(sqlite::Db& writer, sqlite::Db own, Options options);
    static int onCommit(void* self, sqlite3* db, const char* schema, int pages);
    void run();
    /// One PASSIVE checkpoint through `db`; `log` and `copied` are the WAL's pages and those now
    /// copied.
    int checkpoint(sqlite3* db, int& log, int& copied);
    /// After a final pass copied the whole WAL: count it and wake waitUntilBounded.
    void caughtUp();

    sqlite::Db& writer_;
    sqlite::Db db_;
    const Options options_;
    mutable std::mutex mutex_;
    std::condition_variable due_;
    std::condition_variable caughtUp_;
    bool pending_ = false;
    /// Set when most of a WAL over its bound is copied: the next commit copies the rest itself,
    /// from the wal hook, if it comes before holdWriters gets the writers (a writer that commits
    /// back to back can keep the lock from the checkpointer for seconds: std::mutex is unfair).
    std::atomic<bool> finishOnCommit_{false};
    bool stopping_ = false;
    int walPages_ = 0;
    std::uint64_t checkpoints_ = 0;
    std::uint64_t catchUps_ = 0;
    bool reported_ = false;  // a failure is reported once (the thread's own)
    std::thread thread_;     // last: starts after every member above exists
};

}  // namespace ironsight::console::core
