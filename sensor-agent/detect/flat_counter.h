// SPDX-License-Identifier: Apache-2.0
// FlatCounter: counts per key in one flat table. port_scan keeps, per probing source, how many
// probes of its window went to each (host, port) and how many ports each host had: with
// 200,000 connections opened in a minute that is 200,000 keys of each, and a std::map node
// cost ~80 bytes a key (docs/BENCHMARKS.md "Memory, session 10").
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace ironsight::sensor::detect {

/// Open addressing with linear probing, at most 3/4 full, and backward-shift deletion (no
/// tombstones): a key costs its slot (key + 4-byte count) 1.3-2.7 times. The table halves
/// when it falls below 1/8 full, so a window that empties gives its memory back.
template <class Key, class Hash>
class FlatCounter {
public:
    /// Adds one to the key's count; the count now.
    std::uint32_t add(const Key& key) {
        if (4 * (size_ + 1) > 3 * slots_.size())
            resize(std::max<std::size_t>(8, 2 * slots_.size()));
        std::size_t i = home(key);
        const std::size_t mask = slots_.size() - 1;
        while (slots_[i].count != 0 && !(slots_[i].key == key)) i = (i + 1) & mask;
        if (slots_[i].count == 0) {
            slots_[i].key = key;
            ++size_;
        }
        return ++slots_[i].count;
    }
    /// Takes one from the key's count (a key at 0 is dropped); the count now (0 also when the
    /// key was not there).
    std::uint32_t remove(const Key& key) {
        const std::size_t i = find(key);
        if (i == kNotFound) return 0;
        if (--slots_[i].count > 0) return slots_[i].count;
        eraseAt(i);
        if (size_ == 0) {
            slots_ = {};
        } else if (slots_.size() > 8 && 8 * size_ < slots_.size()) {
            resize(slots_.size() / 2);
        }
        return 0;
    }
    std::uint32_t count(const Key& key) const {
        const std::size_t i = find(key);
        return i == kNotFound ? 0 : slots_[i].count;
    }
    std::size_t size() const { return size_; }
    /// Slots allocated (memory: capacity() * (sizeof(Key) + 4), rounded up to alignment).
    std::size_t capacity() const { return slots_.size(); }

private:
    static constexpr std::size_t kNotFound = ~std::size_t{0};
    struct Slot {
        Key key{};
        std::uint32_t count = 0;  // 0: empty
    };

    std::size_t home(const Key& key) const {
        std::uint64_t h = Hash{}(key);
        h ^= h >> 33;  // the table takes the low bits: mix the high ones in
        h *= 0xff51afd7ed558ccdULL;
        h ^= h >> 33;
        return static_cast<std::size_t>(h) & (slots_.size() - 1);
    }
    std::size_t find(const Key& key) const {
        if (slots_.empty()) return kNotFound;
        const std::size_t mask = slots_.size() - 1;
        for (std::size_t i = home(key);; i = (i + 1) & mask) {
            if (slots_[i].count == 0) return kNotFound;
            if (slots_[i].key == key) return i;
        }
    }
    /// Empties slot i and moves back the entries after it whose probe passed it.
    void eraseAt(std::size_t i) {
        const std::size_t mask = slots_.size() - 1;
        for (std::size_t j = (i + 1) & mask; slots_[j].count != 0; j = (j + 1) & mask) {
            // The entry at j may fill i when its home is not cyclically within (i, j].
            const std::size_t k = home(slots_[j].key);
            const bool between = i <= j ? (i < k && k <= j) : (i < k || k <= j);
            if (!between) {
                slots_[i] = slots_[j];
                i = j;
            }
        }
        slots_[i] = Slot{};
        --size_;
    }
    void resize(std::size_t slots) {
        std::vector<Slot> old(slots);
        old.swap(slots_);
        const std::size_t mask = slots_.size() - 1;
        for (const Slot& s : old) {
            if (s.count == 0) continue;
            std::size_t i = home(s.key);
            while (slots_[i].count != 0) i = (i + 1) & mask;
            slots_[i] = s;
        }
    }

    std::vector<Slot> slots_;  // a power of two, or empty
    std::size_t size_ = 0;
};

}  // namespace ironsight::sensor::detect
