// SPDX-License-Identifier: Apache-2.0
// Group commit for sensor batches: every stream hands its batch to one committer thread, which
// applies whatever is queued in one store transaction (one fsync) and answers each stream.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "console/core/console_store.h"
#include "ironsight/v1/link.pb.h"
#include "shared/base/result.h"

namespace ironsight::console::core {

/// Why: with one SQLite connection, streams that commit one by one wait for each other's fsync
/// behind a mutex that is not fair, so a stream can lose several turns (RELIABILITY.md §5.3,
/// docs/BENCHMARKS.md "Console ingest"). Here batches are applied in arrival order, many per
/// transaction, so the cost of a commit is shared and no stream waits more than about two
/// transactions.
class IngestCommitter {
public:
    /// `maxEnvelopesPerCommit`: a transaction takes queued batches until it holds at least
    /// this many envelopes (always at least one batch).
    explicit IngestCommitter(ConsoleStore& store, std::size_t maxEnvelopesPerCommit = 20'000);
    /// Applies what is still queued, then stops.
    ~IngestCommitter();
    IngestCommitter(const IngestCommitter&) = delete;
    IngestCommitter& operator=(const IngestCommitter&) = delete;

    /// Blocks until the batch is committed (returns applied_through_seq, as
    /// ConsoleStore::applyBatch) or failed. `batch` must stay valid until it returns.
    Result<std::uint64_t> apply(const std::string& sensorId, std::uint64_t epoch,
                                const ironsight::v1::Batch& batch);

    /// Transactions committed and batches applied so far (for tests and benchmarks).
    std::uint64_t transactions() const;
    std::uint64_t batches() const;

private:
    struct Pending {
        IngestBatch batch;
        std::optional<Result<std::uint64_t>> result;  // set by the committer thread
    };
    void run();

    ConsoleStore& store_;
    const std::size_t maxEnvelopesPerCommit_;
    mutable std::mutex mutex_;
    std::condition_variable queued_;    // the committer waits for work
    std::condition_variable answered_;  // callers wait for their result
    std::deque<Pending*> queue_;
    bool stopping_ = false;
    std::uint64_t transactions_ = 0;
    std::uint64_t batches_ = 0;
    std::thread thread_;
};

}  // namespace ironsight::console::core
