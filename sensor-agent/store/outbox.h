// SPDX-License-Identifier: Apache-2.0
// The store-and-forward outbox (RELIABILITY.md §5.3): write first, send later, delete on ack.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <vector>

#include "shared/base/result.h"
#include "shared/sqlite/sqlite.h"

namespace ironsight::sensor::store {

/// Record classes; eviction takes the lowest class first, alerts last.
enum class RecordClass : int {
    Health = 0,
    Connection = 1,
    Device = 2,
    CommandResult = 3,
    Alert = 4
};

struct OutboxRecord {
    std::uint64_t seq = 0;
    RecordClass cls = RecordClass::Health;
    std::int64_t createdMs = 0;
    std::vector<std::uint8_t> payload;  // a serialized ironsight.v1.Envelope (seq left unset)
};

struct NewRecord {
    RecordClass cls = RecordClass::Health;
    std::vector<std::uint8_t> payload;
};

struct OutboxLimits {
    std::uint64_t maxBytes = 1ULL << 30;  // payload bytes + kRowOverhead per row
    std::uint64_t maxRows = 0;            // 0 = no row cap
};

/// Bytes counted per row on top of its payload, for the byte cap.
inline constexpr std::uint64_t kRowOverhead = 32;

/// The outbox table of state.db on its own connection. Thread-safe (one internal mutex), so
/// the analysis thread appends while the link thread reads and deletes.
class Outbox {
public:
    static Result<std::unique_ptr<Outbox>> open(const std::filesystem::path& stateDir,
                                                OutboxLimits limits = {});

    /// Appends a batch in one transaction; returns the seqs assigned (strictly increasing,
    /// never reused). Evicts the oldest rows of the lowest class first when over the cap.
    Result<std::vector<std::uint64_t>> append(const std::vector<NewRecord>& records,
                                              std::int64_t nowMs);
    /// Records with seq >= fromSeq in seq order: at most maxRecords and maxBytes of payload
    /// (always at least one record when one exists).
    Result<std::vector<OutboxRecord>> read(std::uint64_t fromSeq, std::size_t maxRecords,
                                           std::size_t maxBytes);
    /// Deletes every record with seq <= seq and remembers seq as acknowledged.
    Status ackThrough(std::uint64_t seq);

    std::uint64_t depth();
    std::uint64_t bytes();
    std::uint64_t lastSeq();
    std::uint64_t ackedThrough();
    /// The smallest seq still in the outbox, or lastSeq() + 1 when empty.
    std::uint64_t firstUnackedSeq();
    std::uint64_t evicted();
    /// When the oldest record still waiting for the console was appended (ms since the epoch),
    /// or 0 when nothing waits.
    std::int64_t oldestCreatedMs();
    std::uint64_t epoch() const { return epoch_; }

private:
    Outbox(sqlite::Db db, OutboxLimits limits) : db_(std::move(db)), limits_(limits) {}
    Status loadCounters();
    Status evictFor(std::uint64_t addRows, std::uint64_t addBytes);

    std::mutex mutex_;
    sqlite::Db db_;
    OutboxLimits limits_;
    std::uint64_t epoch_ = 0;
    std::uint64_t rows_ = 0, bytes_ = 0, lastSeq_ = 0, acked_ = 0, evicted_ = 0;
};

}  // namespace ironsight::sensor::store
