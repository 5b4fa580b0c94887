// SPDX-License-Identifier: Apache-2.0
// Group commit for sensor batches: every stream hands its batch to one committer thread, which
// applies whatever is queued in one store transaction (one fsync) and answers each stream.
#pragma once

#include <condition_variable>
#include <ctime>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
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
    /// One stream's batches, submitted in order (submit): they are applied in that order, and
    /// once one fails the stream's later batches fail without being applied, so a batch read
    /// ahead never lands after a gap its failed predecessor left (exactly once per sequence).
    class Stream;
    /// A submitted batch; wait() gives its result.
    class Ticket;

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

    /// A new stream for submit().
    std::shared_ptr<Stream> openStream(const std::string& sensorId, std::uint64_t epoch);
    /// Queues the batch and returns at once (the committer keeps `batch` alive until it is
    /// applied, even if nobody waits). Null when the committer is stopping.
    std::shared_ptr<Ticket> submit(const std::shared_ptr<Stream>& stream,
                                   std::shared_ptr<const ironsight::v1::Batch> batch);
    /// Blocks until the ticket's batch is committed or failed.
    Result<std::uint64_t> wait(const Ticket& ticket);

    /// Transactions committed and batches applied so far (for tests and benchmarks).
    std::uint64_t transactions() const;
    std::uint64_t batches() const;
    /// Counters for benchmarks: a phase's difference says how large its group commits were
    /// and what the committer thread cost per envelope.
    struct Stats {
        std::uint64_t transactions = 0;
        std::uint64_t batches = 0;
        std::uint64_t envelopes = 0;
        double threadCpuSeconds = 0;  // the committer thread's CPU time so far
    };
    Stats stats() const;

private:
    void run();
    std::shared_ptr<Ticket> queueLocked(const std::shared_ptr<Stream>& stream,
                                        std::shared_ptr<const ironsight::v1::Batch> batch);

    ConsoleStore& store_;
    const std::size_t maxEnvelopesPerCommit_;
    mutable std::mutex mutex_;
    std::condition_variable queued_;    // the committer waits for work
    std::condition_variable answered_;  // callers wait for their result
    std::deque<std::shared_ptr<Ticket>> queue_;
    bool stopping_ = false;
    std::uint64_t transactions_ = 0;
    std::uint64_t batches_ = 0;
    std::uint64_t envelopes_ = 0;
    std::optional<clockid_t> cpuClock_;  // the committer thread's CPU clock, once it runs
    std::thread thread_;
};

class IngestCommitter::Stream {
public:
    Stream(std::string sensorId, std::uint64_t epoch)
        : sensorId_(std::move(sensorId)), epoch_(epoch) {}

private:
    friend class IngestCommitter;
    const std::string sensorId_;
    const std::uint64_t epoch_;
    bool failed_ = false;  // guarded by the committer's mutex
};

class IngestCommitter::Ticket {
private:
    friend class IngestCommitter;
    std::shared_ptr<Stream> stream_;
    std::shared_ptr<const ironsight::v1::Batch> batch_;
    std::optional<Result<std::uint64_t>> result_;  // set by the committer thread, under its mutex
};

}  // namespace ironsight::console::core
