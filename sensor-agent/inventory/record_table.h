// SPDX-License-Identifier: Apache-2.0
// RecordTable: the inventory's records (connections, operation aggregates, pooled texts) in
// chunks that never move, numbered in insertion order, found through an open-addressing index
// of their numbers. A std::unordered_map node cost its record plus ~40 bytes (next pointer,
// bucket, cached hash, malloc's header and rounding); here a record costs itself plus 4-8 bytes
// of index (docs/BENCHMARKS.md "Inventory, session 11").
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <vector>

namespace ironsight::sensor::inventory {

/// Records are never removed: a record's number and address stay valid for the table's
/// lifetime. `HashOf` hashes a stored record (the index rehashes with it when it grows); a
/// lookup passes the hash of its key and a predicate telling whether a record has that key.
template <class Record, class HashOf>
class RecordTable {
public:
    static constexpr std::uint32_t kNone = ~std::uint32_t{0};

    explicit RecordTable(HashOf hashOf = {}) : hashOf_(hashOf) {}

    std::size_t size() const { return size_; }
    Record& operator[](std::uint32_t i) { return chunks_[i / kChunk][i % kChunk]; }
    const Record& operator[](std::uint32_t i) const { return chunks_[i / kChunk][i % kChunk]; }

    /// The number of the record `matches` accepts among those hashed `hash`, or kNone.
    template <class Matches>
    std::uint32_t find(std::size_t hash, Matches&& matches) const {
        if (slots_.empty()) return kNone;
        const std::size_t mask = slots_.size() - 1;
        for (std::size_t i = home(hash);; i = (i + 1) & mask) {
            const std::uint32_t slot = slots_[i];
            if (slot == 0) return kNone;
            if (matches((*this)[slot - 1])) return slot - 1;
        }
    }
    /// Appends a record (its key not in the table; `hash` is HashOf of it) and returns its number.
    std::uint32_t insert(std::size_t hash, Record record) {
        if (size_ + 1 >= kNone) throw std::length_error("inventory table full");
        if (4 * (size_ + 1) > 3 * slots_.size()) grow();
        const auto n = static_cast<std::uint32_t>(size_);
        if (n % kChunk == 0) chunks_.push_back(std::make_unique<Record[]>(kChunk));
        (*this)[n] = std::move(record);
        ++size_;
        place(hash, n);
        return n;
    }

private:
    // 256 records a chunk: a small capture wastes little, a large one allocates rarely.
    static constexpr std::size_t kChunk = 256;

    std::size_t home(std::size_t hash) const {
        std::uint64_t h = hash;
        h ^= h >> 33;  // the index takes the low bits: mix the high ones in
        h *= 0xff51afd7ed558ccdULL;
        h ^= h >> 33;
        return static_cast<std::size_t>(h) & (slots_.size() - 1);
    }
    void place(std::size_t hash, std::uint32_t n) {
        const std::size_t mask = slots_.size() - 1;
        std::size_t i = home(hash);
        while (slots_[i] != 0) i = (i + 1) & mask;
        slots_[i] = n + 1;
    }
    void grow() {
        slots_.assign(slots_.empty() ? 16 : 2 * slots_.size(), 0);
        for (std::uint32_t n = 0; n < size_; ++n) place(hashOf_((*this)[n]), n);
    }

    HashOf hashOf_;
    std::vector<std::unique_ptr<Record[]>> chunks_;
    std::vector<std::uint32_t> slots_;  // a record's number + 1; 0: empty
    std::size_t size_ = 0;
};

}  // namespace ironsight::sensor::inventory
