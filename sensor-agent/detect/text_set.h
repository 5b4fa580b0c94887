// SPDX-License-Identifier: Apache-2.0
// TextSet: a set of texts that costs little more than the texts themselves. The detector's
// baseline holds an item per learned connection and pair ("conn tcp 10.0.0.5 10.0.9.1 443 tls",
// "talk tls ..."), so with 200,000 concurrent flows it is per-flow memory: a std::set<string> or
// unordered_set<string> spends 100-140 bytes of nodes, pointers and allocator overhead on each
// ~40-byte item (docs/BENCHMARKS.md "Memory ... session 9").
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

namespace ironsight::sensor::detect {

/// Texts are copied into an append-only arena (length as a varint, bytes: at most 4 GiB in all)
/// and found through an open-addressing hash table (linear probing, at most 3/4 full) of 32-bit
/// references into it with a one-byte hash tag per slot (5 bytes a slot, 7-14 per text).
/// Unordered; sorted() gives the texts in std::set order. erase() only unlinks a text (its
/// bytes stay in the arena): erasing is rare (handling items).
///
/// An index (the second constructor) holds no texts of its own: its entries are keys cut from
/// texts of another set (the baseline's "conn transport client server port protocol" items
/// and their "transport client server port" keys share their bytes).
class TextSet {
public:
    TextSet() = default;
    /// A key of `text` (a view into it): what an index holds of each text of its source.
    using KeyOf = std::string_view (*)(std::string_view text);
    /// An index of keys of `source`'s texts, added with insertKeyOf(). `source` must outlive
    /// it; its texts never move, and an erased one stays in its arena.
    TextSet(const TextSet& source, KeyOf keyOf) : source_(&source), keyOf_(keyOf) {}
    TextSet(const TextSet&) = delete;
    TextSet& operator=(const TextSet&) = delete;

    std::size_t count(std::string_view text) const { return find(text) != kNotFound ? 1 : 0; }
    /// True when the text was not in the set. Not for an index (std::logic_error).
    bool insert(std::string_view text);
    /// An index: adds the key of `text`, a text of the source. True when the key was not in
    /// the index; false when it was or the source does not hold `text`.
    bool insertKeyOf(std::string_view text);
    /// 1 when the text was in the set.
    std::size_t erase(std::string_view text);
    std::size_t size() const { return size_; }
    bool empty() const { return size_ == 0; }
    /// Views of every text, in lexicographic order (valid until the set changes).
    std::vector<std::string_view> sorted() const;
    /// Bytes held (table and arena): what the set costs.
    std::size_t memoryBytes() const;

private:
    static constexpr std::size_t kNotFound = ~std::size_t{0};
    static constexpr std::uint8_t kEmpty = 0, kErased = 1;  // tags; a used slot's tag is >= 2
    // A reference: the chunk's index, then the record's offset in it.
    static constexpr unsigned kChunkBits = 18;
    static constexpr std::size_t kChunkBytes = std::size_t{1} << kChunkBits;
    static constexpr std::size_t kMaxChunks = std::size_t{1} << (32 - kChunkBits);

    static std::uint32_t hashOf(std::string_view text);
    /// The slot index takes the hash's low bits, the tag its high byte.
    static std::uint8_t tagOf(std::uint32_t hash) {
        return static_cast<std::uint8_t>(2 + (hash >> 24) % 254);
    }
    const char* record(std::uint32_t reference) const {
        return chunks_[reference >> kChunkBits].get() + (reference & (kChunkBytes - 1));
    }
    static std::string_view textAt(const char* record);
    /// The text (an index: the key) a slot's reference stands for.
    std::string_view entryAt(std::uint32_t reference) const {
        return source_ ? keyOf_(source_->textAt(source_->record(reference)))
                       : textAt(record(reference));
    }
    std::size_t find(std::string_view text) const;
    std::uint32_t store(std::string_view text);
    void rehash(std::size_t slots);
    /// Adds `key` unless there; `reference` gives its reference when it is new.
    template <class Reference>
    bool add(std::string_view key, Reference reference);

    const TextSet* source_ = nullptr;  // an index: the set whose texts it holds keys of
    KeyOf keyOf_ = nullptr;

    std::vector<std::uint8_t> tags_;         // per slot: kEmpty, kErased or the text's hash tag
    std::vector<std::uint32_t> references_;  // per slot: the text's record in the arena
    std::size_t size_ = 0, used_ = 0;    // texts; slots not empty (texts + erased)
    std::vector<std::unique_ptr<char[]>> chunks_;
    std::size_t chunkUsed_ = 0, chunkSize_ = 0;  // of the last chunk
    std::size_t arenaBytes_ = 0;
};

}  // namespace ironsight::sensor::detect
