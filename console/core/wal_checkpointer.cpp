// SPDX-License-Identifier: Apache-2.0
#include "console/core/wal_checkpointer.h"

#include <cstdio>

namespace ironsight::console::core {

Result<std::unique_ptr<WalCheckpointer>> WalCheckpointer::start(sqlite::Db& writer, int pages) {
    auto own = sqlite::Db::open(writer.path());
    if (!own) return own.error();
    // The checkpointer's connection never checkpoints on its own commits (it makes none).
    sqlite3_wal_autocheckpoint(own->handle(), 0);
    std::unique_ptr<WalCheckpointer> c(new WalCheckpointer(writer, std::move(*own), pages));
    sqlite3_wal_hook(writer.handle(), &WalCheckpointer::onCommit, c.get());
    return c;
}

WalCheckpointer::WalCheckpointer(sqlite::Db& writer, sqlite::Db own, int pages)
    : writer_(writer), db_(std::move(own)), pages_(pages > 0 ? pages : 1000),
      thread_([this] { run(); }) {}

WalCheckpointer::~WalCheckpointer() {
    sqlite3_wal_autocheckpoint(writer_.handle(), pages_);  // also removes our hook
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    due_.notify_one();
    thread_.join();
}

std::uint64_t WalCheckpointer::checkpoints() const {
    std::lock_guard lock(mutex_);
    return checkpoints_;
}

int WalCheckpointer::onCommit(void* self, sqlite3*, const char*, int pages) {
    auto* c = static_cast<WalCheckpointer*>(self);
    if (pages >= c->pages_) {
        {
            std::lock_guard lock(c->mutex_);
            c->pending_ = true;
        }
        c->due_.notify_one();
    }
    return SQLITE_OK;
}

void WalCheckpointer::run() {
    std::unique_lock lock(mutex_);
    while (true) {
        due_.wait(lock, [&] { return pending_ || stopping_; });
        if (stopping_) return;
        pending_ = false;
        lock.unlock();
        int walPages = 0, copied = 0;
        const int rc = sqlite3_wal_checkpoint_v2(db_.handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE,
                                                 &walPages, &copied);
        // SQLITE_BUSY: another checkpoint is running (e.g. an admin command's); the next
        // commit past the threshold asks again. Anything else would repeat: say it once.
        if (rc != SQLITE_OK && rc != SQLITE_BUSY && !reported_) {
            reported_ = true;
            std::fprintf(stderr, "ironsight-console: WAL checkpoint of %s failed: %s\n",
                         db_.path().string().c_str(), sqlite3_errmsg(db_.handle()));
        }
        lock.lock();
        ++checkpoints_;
    }
}

}  // namespace ironsight::console::core
