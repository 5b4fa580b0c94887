// SPDX-License-Identifier: Apache-2.0
// The WAL checkpointer on a real SQLite file with a writer that never stops committing.
#include "console/core/wal_checkpointer.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <thread>

#include "shared/crypto/crypto.h"

namespace ironsight::console::core {
namespace {

namespace fs = std::filesystem;

struct TempDir {
    fs::path path = fs::temp_directory_path() / ("ironsight-wal-" + crypto::newUuid());
    TempDir() { fs::create_directories(path); }
    ~TempDir() { fs::remove_all(path); }
};

constexpr int kPages = 100;       // a commit leaving this many WAL pages wakes the checkpointer
constexpr int kBoundPages = 800;  // ~3 MiB of 4 KiB pages
constexpr int kCommits = 800;     // ~25 pages each: ~20,000 pages (~80 MiB) written in all

/// The test's thresholds; `bounded`: catch-ups hold `writers` (the store's write mutex).
WalCheckpointer::Options testOptions(std::mutex& writers, bool bounded) {
    WalCheckpointer::Options options;
    options.pages = kPages;
    options.boundPages = kBoundPages;
    if (bounded) {
        options.holdWriters = [&writers](const std::function<void()>& work) {
            std::lock_guard lock(writers);
            work();
        };
    }
    return options;
}

/// Commits ~100 KiB of fresh rows `kCommits` times back to back, each under `writers` (as the
/// store's writes are under its mutex), and returns the largest WAL file seen after a commit.
/// A writer that `waits` calls waitUntilBounded after each commit, as retention does; one that
/// does not is ingest.
std::uintmax_t largestWalOfABusyWriter(const fs::path& file, bool bounded, bool waits,
                                       std::uint64_t* catchUps) {
    auto db = sqlite::Db::open(file);
    EXPECT_TRUE(db.ok());
    EXPECT_TRUE(db->exec("CREATE TABLE t(id INTEGER PRIMARY KEY, v BLOB)").ok());
    std::mutex writers;
    auto checkpointer = WalCheckpointer::start(*db, testOptions(writers, bounded));
    EXPECT_TRUE(checkpointer.ok());
    std::uintmax_t largest = 0;
    for (int i = 0; i < kCommits; ++i) {
        {
            std::lock_guard lock(writers);
            EXPECT_TRUE(db->exec("WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n "
                                 "WHERE x < 100) INSERT INTO t(v) SELECT randomblob(1000) FROM n")
                            .ok());
        }
        std::error_code ec;
        largest = std::max(largest, fs::file_size(fs::path(file.string() + "-wal"), ec));
        if (waits) {
            EXPECT_TRUE((*checkpointer)->waitUntilBounded(std::chrono::seconds(60)));
        }
    }
    *catchUps = (*checkpointer)->catchUps();
    return largest;
}

// A store that is written all the time never has its whole WAL copied at the moment a write
// begins, so SQLite never starts the WAL over: without the bound it grows with everything
// written (2.3 GB during a retention at 1,000,000 alerts). With it, the checkpointer copies the
// last pages with the writers held once the WAL is over its bound, and the next commit starts
// the WAL over. How far past the bound a writer that does not wait gets depends on how soon the
// checkpointer runs: 4-7 times the bound with two busy loops on this machine's two cores, where
// the unbounded WAL reached 20-28 times it.
TEST(WalCheckpointer, ABusyWritersWalIsStartedOverPastItsBound) {
    TempDir dir;
    std::uint64_t catchUps = 0;
    const std::uintmax_t bounded =
        largestWalOfABusyWriter(dir.path / "bounded.db", true, false, &catchUps);
    EXPECT_GT(catchUps, 0u);

    std::uint64_t unboundedCatchUps = 0;
    const std::uintmax_t unbounded =
        largestWalOfABusyWriter(dir.path / "unbounded.db", false, false, &unboundedCatchUps);
    EXPECT_EQ(unboundedCatchUps, 0u);
    EXPECT_LT(bounded, unbounded) << "largest WAL bounded " << bounded << ", unbounded "
                                  << unbounded << " bytes";
}

// A bulk writer that waits whenever the WAL is over its bound (retention) keeps it there: the
// bound plus the one commit that crossed it, whatever the load.
TEST(WalCheckpointer, AWriterThatWaitsKeepsTheWalAtItsBound) {
    TempDir dir;
    std::uint64_t catchUps = 0;
    const std::uintmax_t largest =
        largestWalOfABusyWriter(dir.path / "waits.db", true, true, &catchUps);
    EXPECT_GT(catchUps, 0u);
    // One commit is ~30 pages (rows and the table's b-tree pages).
    EXPECT_LE(largest, (kBoundPages + 100u) * 4096u + 32u) << "largest WAL " << largest;
}

// A bulk writer waits until the WAL is back under its bound; under it, it does not wait.
TEST(WalCheckpointer, WaitUntilBoundedReturnsOnceTheWalWasCopied) {
    TempDir dir;
    auto db = sqlite::Db::open(dir.path / "w.db");
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(db->exec("CREATE TABLE t(id INTEGER PRIMARY KEY, v BLOB)").ok());
    std::mutex writers;
    auto checkpointer = WalCheckpointer::start(*db, testOptions(writers, true));
    ASSERT_TRUE(checkpointer.ok());
    EXPECT_TRUE((*checkpointer)->waitUntilBounded(std::chrono::milliseconds(0)));
    // One commit of ~1,200 pages: over the bound.
    {
        std::lock_guard lock(writers);
        ASSERT_TRUE(db->exec("WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n "
                             "WHERE x < 4800) INSERT INTO t(v) SELECT randomblob(1000) FROM n")
                        .ok());
    }
    EXPECT_TRUE((*checkpointer)->waitUntilBounded(std::chrono::seconds(30)));
    EXPECT_GE((*checkpointer)->catchUps(), 1u);
    EXPECT_EQ((*checkpointer)->walPages(), 0);
    // The next commit starts the WAL over: it holds only that commit's pages.
    {
        std::lock_guard lock(writers);
        ASSERT_TRUE(db->exec("INSERT INTO t(v) VALUES(randomblob(100))").ok());
    }
    EXPECT_LT((*checkpointer)->walPages(), kPages);
}

}  // namespace
}  // namespace ironsight::console::core
