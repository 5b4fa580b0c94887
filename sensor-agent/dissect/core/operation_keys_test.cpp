// SPDX-License-Identifier: Apache-2.0
// OperationKeys against the std::map it replaced: same order, lookups and equality on random
// insertion sequences; names beyond the capacity are not recorded. reusableOperation(): as a fresh
// operation, per thread, protocol and direction, keeping its strings' buffers.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "sensor-agent/dissect/core/dissector.h"
#include "sensor-agent/dissect/core/numbered_names.h"

namespace ironsight::sensor::dissect {
namespace {

const std::vector<std::string> kNames = {"unit_id",   "rosctr",    "userdata_group", "service",
                                         "apdu_type", "cip_class", "command",        "a",
                                         "ab",        "b",         "type_id",        ""};

TEST(OperationKeysTest, BehavesLikeAStdMap) {
    std::mt19937 random(7);
    for (int round = 0; round < 2000; ++round) {
        OperationKeys keys;
        std::map<std::string, std::int64_t> expected;
        const int writes = static_cast<int>(random() % 12);
        for (int i = 0; i < writes; ++i) {
            const std::string& name = kNames[random() % kNames.size()];
            const auto value = static_cast<std::int64_t>(random() % 1000) - 500;
            if (expected.size() == OperationKeys::kCapacity && !expected.count(name)) continue;
            keys[name] = value;
            expected[name] = value;
        }
        ASSERT_EQ(keys.size(), expected.size());
        EXPECT_EQ(keys.empty(), expected.empty());
        auto it = keys.begin();
        for (const auto& [name, value] : expected) {
            ASSERT_NE(it, keys.end());
            EXPECT_EQ(it->first, name);
            EXPECT_EQ(it->second, value);
            ++it;
        }
        for (const auto& name : kNames) {
            EXPECT_EQ(keys.count(name), expected.count(name)) << name;
            if (expected.count(name)) {
                EXPECT_EQ(keys.at(name), expected.at(name));
                EXPECT_EQ(keys.find(name)->second, expected.at(name));
            } else {
                EXPECT_EQ(keys.find(name), keys.end());
                EXPECT_THROW((void)keys.at(name), std::out_of_range);
            }
        }
        // Equal content, equal lists, whatever the insertion order.
        OperationKeys reversed;
        for (auto e = expected.rbegin(); e != expected.rend(); ++e) reversed[e->first] = e->second;
        EXPECT_TRUE(keys == reversed);
        if (!expected.empty()) {
            reversed[expected.begin()->first] += 1;
            EXPECT_FALSE(keys == reversed);
        }
    }
}

TEST(OperationKeysTest, NamesBeyondTheCapacityAreNotRecorded) {
    OperationKeys keys;
    const std::vector<std::string> names = {"k0", "k1", "k2", "k3", "k4",
                                            "k5", "k6", "k7", "k8", "k9"};
    for (std::size_t i = 0; i < names.size(); ++i) keys[names[i]] = static_cast<std::int64_t>(i);
    ASSERT_EQ(keys.size(), OperationKeys::kCapacity);
    EXPECT_EQ(keys.count("k8"), 0u);
    EXPECT_EQ(keys.at("k7"), 7);
    keys["k3"] = 33;  // an existing name is still updated
    EXPECT_EQ(keys.at("k3"), 33);
    keys.clear();
    EXPECT_TRUE(keys.empty());
}

TEST(OperationKeysTest, InsertionOrderDoesNotMatter) {
    // The append path (names in order) and the insert path (out of order) give the same list.
    std::mt19937 random(11);
    for (int round = 0; round < 500; ++round) {
        // Views of kNames: a key's name must outlive the keys (it is not copied).
        std::vector<std::string_view> names(kNames.begin(), kNames.end());
        std::shuffle(names.begin(), names.end(), random);
        names.resize(random() % (OperationKeys::kCapacity + 1));
        OperationKeys shuffled, sorted;
        for (const auto& name : names) shuffled[name] = static_cast<std::int64_t>(name.size());
        std::sort(names.begin(), names.end());
        for (const auto& name : names) sorted[name] = static_cast<std::int64_t>(name.size());
        ASSERT_TRUE(shuffled == sorted);
        ASSERT_TRUE(std::is_sorted(sorted.begin(), sorted.end(),
                                   [](const auto& a, const auto& b) { return a.first < b.first; }));
    }
}

TEST(OperationKeysTest, ReusedAfterClearAsAFreshOne) {
    // One OperationKeys cleared and refilled, as a reused operation's are: mostly the previous
    // names again (the path without comparisons), sometimes one changed, dropped, added or
    // repeated at a random place. Each round must equal a std::map given the same writes.
    std::mt19937 random(13);
    OperationKeys keys;
    std::vector<std::string_view> previous;  // views of kNames: static, as names must be
    for (int round = 0; round < 20000; ++round) {
        std::vector<std::string_view> names = previous;
        const auto at = [&](std::size_t extra) { return random() % (names.size() + extra); };
        switch (random() % 6) {
            case 0:
                names.clear();
                for (auto n = random() % 6; n > 0; --n) names.push_back(kNames[random() % 12]);
                break;
            case 1:
                if (!names.empty()) names[at(0)] = kNames[random() % kNames.size()];
                break;
            case 2:
                if (!names.empty()) names.erase(names.begin() + static_cast<long>(at(0)));
                break;
            case 3:
                names.insert(names.begin() + static_cast<long>(at(1)), kNames[random() % 12]);
                break;
            case 4:
                if (!names.empty()) names.push_back(names[at(0)]);  // a name set twice
                break;
            default:
                break;  // the same names again
        }
        if (names.size() > 10) names.resize(10);
        keys.clear();
        std::map<std::string, std::int64_t> expected;
        for (const auto& name : names) {
            const auto value = static_cast<std::int64_t>(random() % 100);
            if (expected.size() == OperationKeys::kCapacity && !expected.count(std::string(name)))
                continue;
            keys[name] = value;
            expected[std::string(name)] = value;
        }
        ASSERT_EQ(keys.size(), expected.size()) << "round " << round;
        auto it = keys.begin();
        for (const auto& [name, value] : expected) {
            ASSERT_EQ(it->first, name) << "round " << round;
            ASSERT_EQ(it->second, value) << "round " << round;
            ++it;
        }
        previous = names;
    }
}

/// A fresh Operation with what reusableOperation() is given.
Operation freshOperation(std::string_view protocol, bool request, std::string_view function,
                         std::string_view opClass, std::string_view range) {
    Operation op;
    op.protocol = protocol;
    op.request = request;
    op.function = function;
    op.opClass = opClass;
    op.range = range;
    return op;
}

void expectSame(const Operation& a, const Operation& b) {
    EXPECT_EQ(a.protocol, b.protocol);
    EXPECT_EQ(a.function, b.function);
    EXPECT_EQ(a.functionCode, b.functionCode);
    EXPECT_EQ(a.opClass, b.opClass);
    EXPECT_EQ(a.request, b.request);
    EXPECT_EQ(a.exception, b.exception);
    EXPECT_TRUE(a.keys == b.keys);
    EXPECT_EQ(a.textKeys, b.textKeys);
    EXPECT_EQ(a.range, b.range);
}

TEST(ReusableOperationTest, KeepsNothingOfThePreviousOperation) {
    Operation& op = reusableOperation<"modbus">(true, "read_holding_registers_with_a_long_name",
                                                "read", "holding_registers 0-9 and more text");
    op.functionCode = 3;
    op.exception = true;
    op.keys["unit_id"] = 1;
    op.textKeys["name"] = "x";
    const auto* functionStorage = op.function.data();
    const auto capacity = op.function.capacity();

    Operation& again = reusableOperation<"modbus">(true);
    EXPECT_EQ(&again, &op);  // the same object on this thread
    expectSame(again, freshOperation("modbus", true, {}, {}, {}));
    // The point of it: the strings keep their buffers, so the next operation allocates nothing.
    EXPECT_EQ(again.function.capacity(), capacity);
    again.function = "write_multiple_registers";
    EXPECT_EQ(again.function.data(), functionStorage);
}

TEST(ReusableOperationTest, TextsOfTheSameSizeAreCopiedWhenTheyDiffer) {
    // Every size the comparison handles differently (bytes, 4-byte and 8-byte words with an
    // overlapping last one), differing at each position: the new text must be there.
    std::mt19937 random(3);
    for (std::size_t size = 1; size <= 40; ++size) {
        std::string first(size, 'a');
        for (auto& c : first) c = static_cast<char>('a' + random() % 26);
        reusableOperation<"test">(false, first, first, first);
        for (std::size_t at = 0; at < size; ++at) {
            std::string second = first;
            second[at] = second[at] == 'z' ? 'y' : static_cast<char>(second[at] + 1);
            Operation& op = reusableOperation<"test">(false, second, "other", second);
            expectSame(op, freshOperation("test", false, second, "other", second));
            Operation& back = reusableOperation<"test">(false, first, first, first);
            expectSame(back, freshOperation("test", false, first, first, first));
        }
    }
}

TEST(ReusableOperationTest, OnePerProtocolAndDirection) {
    Operation& request = reusableOperation<"modbus">(true, "read_coils", "read", "coils 0-7");
    Operation& response = reusableOperation<"modbus">(false, "read_coils", "read");
    Operation& other = reusableOperation<"enip">(true, "read_tag", "read");
    EXPECT_NE(&request, &response);
    EXPECT_NE(&request, &other);
    // Each still holds what it was last given.
    expectSame(request, freshOperation("modbus", true, "read_coils", "read", "coils 0-7"));
    expectSame(response, freshOperation("modbus", false, "read_coils", "read", {}));
    expectSame(other, freshOperation("enip", true, "read_tag", "read", {}));
}

TEST(ReusableOperationTest, EachThreadHasItsOwn) {
    Operation* here = &reusableOperation<"modbus">(true);
    Operation* there = nullptr;
    std::thread([&] { there = &reusableOperation<"modbus">(true); }).join();
    EXPECT_NE(here, there);
}

constexpr NumberedNames kDecimal("function_");
constexpr NumberedNames kHex("service_", NumberBase::Hex2);

TEST(NumberedNamesTest, EveryCodeAsToStringAndPrintfWouldWriteIt) {
    for (unsigned code = 0; code < 256; ++code) {
        EXPECT_EQ(kDecimal[static_cast<std::uint8_t>(code)], "function_" + std::to_string(code));
        char hex[32];
        std::snprintf(hex, sizeof hex, "service_0x%02x", code);
        EXPECT_EQ(kHex[static_cast<std::uint8_t>(code)], hex);
    }
}

}  // namespace
}  // namespace ironsight::sensor::dissect
