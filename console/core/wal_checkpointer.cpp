// SPDX-License-Identifier: Apache-2.0
#include "console/core/wal_checkpointer.h"

#include <cstdio>

namespace ironsight::console::core {

Result<std::unique_ptr<WalCheckpointer>> WalCheckpointer::start(sqlite::Db& writer,
                                                                Options options) {
    auto own = sqlite::Db::open(writer.path());
    if (!own) return own.error();
    // The checkpointer's connection never checkpoints on its own commits (it makes none).
    sqlite3_wal_autocheckpoint(own->handle(), 0);
    if (options.pages <= 0) options.pages = 1000;
    if (options.boundPages < options.pages) options.boundPages = options.pages;
    std::unique_ptr<WalCheckpointer> c(
        new WalCheckpointer(writer, std::move(*own), std::move(options)));
    sqlite3_wal_hook(writer.handle(), &WalCheckpointer::onCommit, c.get());
    return c;
}

WalCheckpointer::WalCheckpointer(sqlite::Db& writer, sqlite::Db own, Options options)
    : writer_(writer),
      db_(std::move(own)),
      options_(std::move(options)),
      thread_([this] { run(); }) {}

WalCheckpointer::~WalCheckpointer() {
    sqlite3_wal_autocheckpoint(writer_.handle(), options_.pages);  // also removes our hook
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    due_.notify_one();
    caughtUp_.notify_all();
    thread_.join();
}

std::uint64_t WalCheckpointer::checkpoints() const {
    std::lock_guard lock(mutex_);
    return checkpoints_;
}

std::uint64_t WalCheckpointer::catchUps() const {
    std::lock_guard lock(mutex_);
    return catchUps_;
}

int WalCheckpointer::walPages() const {
    std::lock_guard lock(mutex_);
    return walPages_;
}

bool WalCheckpointer::waitUntilBounded(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    if (walPages_ < options_.boundPages) return true;
    const std::uint64_t before = catchUps_;
    return caughtUp_.wait_for(lock, timeout, [&] { return catchUps_ != before || stopping_; }) &&
           !stopping_;
}

int WalCheckpointer::onCommit(void* self, sqlite3* db, const char*, int pages) {
    auto* c = static_cast<WalCheckpointer*>(self);
    // The last pages of a WAL over its bound, copied by this commit's writer (it holds the
    // store's write lock; SQLite's own write lock is released before the hook runs).
    if (pages >= c->options_.boundPages && c->finishOnCommit_.exchange(false)) {
        int log = 0, copied = 0;
        if (sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, &log, &copied) ==
                SQLITE_OK &&
            copied >= log) {
            c->caughtUp();
            return SQLITE_OK;
        }
    }
    {
        std::lock_guard lock(c->mutex_);
        c->walPages_ = pages;
        if (pages >= c->options_.pages) c->pending_ = true;
    }
    if (pages >= c->options_.pages) c->due_.notify_one();
    return SQLITE_OK;
}

void WalCheckpointer::caughtUp() {
    {
        std::lock_guard lock(mutex_);
        walPages_ = 0;  // all copied: the next commit starts the WAL over
        ++catchUps_;
    }
    caughtUp_.notify_all();
}

int WalCheckpointer::checkpoint(sqlite3* db, int& log, int& copied) {
    const int rc = sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, &log, &copied);
    // SQLITE_BUSY: another checkpoint is running (e.g. an admin command's); the next commit
    // past the threshold asks again. Anything else would repeat: say it once.
    if (rc != SQLITE_OK && rc != SQLITE_BUSY && !reported_) {
        reported_ = true;
        std::fprintf(stderr, "ironsight-console: WAL checkpoint of %s failed: %s\n",
                     db_.path().string().c_str(), sqlite3_errmsg(db));
    }
    return rc;
}

void WalCheckpointer::run() {
    std::unique_lock lock(mutex_);
    while (true) {
        due_.wait(lock, [&] { return pending_ || stopping_; });
        if (stopping_) return;
        pending_ = false;
        lock.unlock();
        int log = 0, copied = 0;
        int rc = checkpoint(db_.handle(), log, copied);
        if (rc == SQLITE_OK && log >= options_.boundPages && options_.holdWriters) {
            // Catch up while the writers go on (each pass copies what the last one left), then
            // copy the rest, a few hundred pages, with them held or in the next commit.
            for (int pass = 0; pass < 4 && rc == SQLITE_OK && log - copied > options_.pages;
                 ++pass) {
                rc = checkpoint(db_.handle(), log, copied);
            }
            if (rc == SQLITE_OK) {
                finishOnCommit_ = true;
                options_.holdWriters([&] {
                    if (!finishOnCommit_.exchange(false)) return;  // a commit's hook did it
                    if (checkpoint(db_.handle(), log, copied) == SQLITE_OK && copied >= log) {
                        caughtUp();
                    }
                });
            }
        }
        lock.lock();
        ++checkpoints_;
    }
}

}  // namespace ironsight::console::core
