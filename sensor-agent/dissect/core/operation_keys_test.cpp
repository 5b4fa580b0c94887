// SPDX-License-Identifier: Apache-2.0
// OperationKeys against the std::map it replaced: same order, lookups and equality on random
// insertion sequences; names beyond the capacity are not recorded. reusableOperation(): cleared,
// per thread, keeping its strings' buffers.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "sensor-agent/dissect/core/dissector.h"

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

TEST(ReusableOperationTest, ComesBackClearedWithItsProtocolAndKeepsItsCapacity) {
    Operation& op = reusableOperation("modbus");
    EXPECT_EQ(op.protocol, "modbus");
    op.function = "read_holding_registers_with_a_long_name";
    op.functionCode = 3;
    op.opClass = "read";
    op.request = false;
    op.exception = true;
    op.keys["unit_id"] = 1;
    op.textKeys["name"] = "x";
    op.range = "holding_registers 0-9 and more text than fits inline";
    const auto* functionStorage = op.function.data();
    const auto capacity = op.function.capacity();

    Operation& again = reusableOperation("enip");
    EXPECT_EQ(&again, &op);  // the same object on this thread
    Operation fresh;
    fresh.protocol = "enip";
    EXPECT_EQ(again.protocol, fresh.protocol);
    EXPECT_EQ(again.function, fresh.function);
    EXPECT_EQ(again.functionCode, fresh.functionCode);
    EXPECT_EQ(again.opClass, fresh.opClass);
    EXPECT_EQ(again.request, fresh.request);
    EXPECT_EQ(again.exception, fresh.exception);
    EXPECT_TRUE(again.keys == fresh.keys);
    EXPECT_EQ(again.textKeys, fresh.textKeys);
    EXPECT_EQ(again.range, fresh.range);
    // The point of it: the strings keep their buffers, so the next operation allocates nothing.
    EXPECT_EQ(again.function.capacity(), capacity);
    again.function = "write_multiple_registers";
    EXPECT_EQ(again.function.data(), functionStorage);
}

TEST(ReusableOperationTest, EachThreadHasItsOwn) {
    Operation* here = &reusableOperation("modbus");
    Operation* there = nullptr;
    std::thread([&] { there = &reusableOperation("modbus"); }).join();
    EXPECT_NE(here, there);
}

}  // namespace
}  // namespace ironsight::sensor::dissect
