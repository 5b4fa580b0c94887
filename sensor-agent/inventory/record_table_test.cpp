// SPDX-License-Identifier: Apache-2.0
// RecordTable (the inventory's connection, operation and text tables) against
// std::unordered_map, and the text pool's ids and ranks against the texts themselves.
#include "sensor-agent/inventory/record_table.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "sensor-agent/inventory/inventory.h"

namespace ironsight::sensor::inventory {
namespace {

struct Record {
    std::uint64_t key = 0;
    std::uint64_t value = 0;
};
struct GoodHash {
    std::size_t operator()(std::uint64_t key) const { return std::hash<std::uint64_t>{}(key); }
    std::size_t operator()(const Record& r) const { return (*this)(r.key); }
};
// Seven hashes for every key: long probe runs, every lookup past records of other keys.
struct CollidingHash {
    std::size_t operator()(std::uint64_t key) const { return key % 7; }
    std::size_t operator()(const Record& r) const { return (*this)(r.key); }
};

template <class Hash>
void differential(std::uint32_t seed, std::uint64_t keyRange, int steps) {
    std::mt19937_64 rng(seed);
    RecordTable<Record, Hash> table;
    std::unordered_map<std::uint64_t, std::uint32_t> reference;  // key -> record number
    std::vector<const Record*> addresses;                        // by number: never move
    for (int step = 0; step < steps; ++step) {
        const std::uint64_t key = rng() % keyRange;
        const auto matches = [&](const Record& r) { return r.key == key; };
        std::uint32_t n = table.find(Hash{}(key), matches);
        const auto it = reference.find(key);
        if (it == reference.end()) {
            ASSERT_EQ(n, table.kNone) << key;
            n = table.insert(Hash{}(key), Record{key, 0});
            ASSERT_EQ(n, addresses.size());  // numbered in insertion order
            reference.emplace(key, n);
            addresses.push_back(&table[n]);
        } else {
            ASSERT_EQ(n, it->second) << key;
        }
        ++table[n].value;
        ASSERT_EQ(table.size(), reference.size());
    }
    for (const auto& [key, n] : reference) {
        EXPECT_EQ(&table[n], addresses[n]);
        EXPECT_EQ(table[n].key, key);
        EXPECT_EQ(table.find(Hash{}(key), [&](const Record& r) { return r.key == key; }), n);
    }
    // Keys never inserted are not found.
    for (std::uint64_t key = keyRange; key < keyRange + 100; ++key) {
        EXPECT_EQ(table.find(Hash{}(key), [&](const Record& r) { return r.key == key; }),
                  table.kNone);
    }
}

TEST(RecordTableTest, FindsAndNumbersLikeAnUnorderedMap) {
    differential<GoodHash>(1, 50'000, 200'000);  // grows past many chunks and index sizes
    differential<GoodHash>(2, 10, 1'000);        // a few keys, found again and again
    differential<CollidingHash>(3, 3'000, 20'000);
    RecordTable<Record, GoodHash> empty;
    EXPECT_EQ(empty.find(0, [](const Record&) { return true; }), empty.kNone);
}

TEST(RecordTableTest, TextPoolIdsAreStableAndRanksFollowTheTexts) {
    std::mt19937 rng(4);
    Inventory::TextPool pool;
    std::unordered_map<std::string, Inventory::TextPool::Id> ids;
    std::vector<std::string> texts;
    for (int i = 0; i < 20'000; ++i) {
        std::string text(rng() % 20, 'a');  // "" among them; long ones beyond the SSO
        for (auto& c : text) c = static_cast<char>('a' + rng() % 3);
        EXPECT_EQ(pool.find(text), ids.count(text) ? ids[text] : Inventory::TextPool::kNone);
        const auto id = pool.intern(text);
        if (const auto [it, added] = ids.emplace(text, id); !added) {
            EXPECT_EQ(id, it->second);
        }
        if (id == texts.size()) texts.push_back(text);
        ASSERT_EQ(pool.text(id), text);
    }
    ASSERT_EQ(pool.size(), ids.size());
    const auto rank = pool.ranks();
    std::vector<std::string> byRank(texts.size());
    for (std::uint32_t id = 0; id < texts.size(); ++id) byRank[rank[id]] = texts[id];
    std::vector<std::string> sorted = texts;
    std::sort(sorted.begin(), sorted.end());
    EXPECT_EQ(byRank, sorted);
}

}  // namespace
}  // namespace ironsight::sensor::inventory
