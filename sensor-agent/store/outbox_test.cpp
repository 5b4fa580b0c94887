// SPDX-License-Identifier: Apache-2.0
// Outbox and state store against real SQLite files in a temporary directory.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <fstream>
#include <string>

#include "sensor-agent/store/outbox.h"
#include "sensor-agent/store/state_store.h"

namespace ironsight::sensor::store {
namespace {

class OutboxTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() /
               ("ironsight-outbox-" + std::to_string(::getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::remove_all(dir_);
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }

    static NewRecord record(RecordClass cls, const std::string& text) {
        return NewRecord{cls, std::vector<std::uint8_t>(text.begin(), text.end())};
    }
    static std::string text(const OutboxRecord& r) {
        return std::string(r.payload.begin(), r.payload.end());
    }

    std::filesystem::path dir_;
};

TEST_F(OutboxTest, AppendReadAckAcrossReopen) {
    {
        auto outbox = Outbox::open(dir_);
        ASSERT_TRUE(outbox.ok()) << outbox.error().message;
        auto& box = **outbox;
        EXPECT_EQ(box.depth(), 0u);
        EXPECT_EQ(box.firstUnackedSeq(), 1u);
        auto seqs = box.append({record(RecordClass::Device, "d1"), record(RecordClass::Alert, "a1"),
                                record(RecordClass::Health, "h1")},
                               1000);
        ASSERT_TRUE(seqs.ok()) << seqs.error().message;
        EXPECT_EQ(*seqs, (std::vector<std::uint64_t>{1, 2, 3}));
        auto more = box.append({record(RecordClass::Connection, "c1")}, 2000);
        ASSERT_TRUE(more.ok());
        EXPECT_EQ(*more, (std::vector<std::uint64_t>{4}));
        EXPECT_EQ(box.depth(), 4u);
        EXPECT_EQ(box.lastSeq(), 4u);
    }
    {
        auto outbox = Outbox::open(dir_);
        ASSERT_TRUE(outbox.ok()) << outbox.error().message;
        auto& box = **outbox;
        EXPECT_EQ(box.depth(), 4u);
        auto all = box.read(1, 100, 1 << 20);
        ASSERT_TRUE(all.ok());
        ASSERT_EQ(all->size(), 4u);
        EXPECT_EQ(text((*all)[0]), "d1");
        EXPECT_EQ((*all)[1].cls, RecordClass::Alert);
        EXPECT_EQ((*all)[3].createdMs, 2000);
        auto limited = box.read(2, 2, 1 << 20);
        ASSERT_TRUE(limited.ok());
        ASSERT_EQ(limited->size(), 2u);
        EXPECT_EQ((*limited)[0].seq, 2u);
        EXPECT_EQ((*limited)[1].seq, 3u);
        auto byBytes = box.read(1, 100, 3);  // 2 bytes each: only one fits, first always returned
        ASSERT_TRUE(byBytes.ok());
        EXPECT_EQ(byBytes->size(), 1u);
        ASSERT_TRUE(box.ackThrough(2).ok());
        EXPECT_EQ(box.depth(), 2u);
        EXPECT_EQ(box.firstUnackedSeq(), 3u);
        EXPECT_EQ(box.ackedThrough(), 2u);
    }
    {
        auto outbox = Outbox::open(dir_);
        ASSERT_TRUE(outbox.ok());
        auto& box = **outbox;
        EXPECT_EQ(box.depth(), 2u);
        EXPECT_EQ(box.ackedThrough(), 2u);
        ASSERT_TRUE(box.ackThrough(4).ok());
        EXPECT_EQ(box.depth(), 0u);
        EXPECT_EQ(box.bytes(), 0u);
        EXPECT_EQ(box.firstUnackedSeq(), 5u);
    }
    {
        // An empty outbox never reuses a sequence number.
        auto outbox = Outbox::open(dir_);
        ASSERT_TRUE(outbox.ok());
        auto seqs = (*outbox)->append({record(RecordClass::Device, "d2")}, 3000);
        ASSERT_TRUE(seqs.ok());
        EXPECT_EQ(*seqs, (std::vector<std::uint64_t>{5}));
    }
}

TEST_F(OutboxTest, AckBeyondLastSeqIsClamped) {
    auto outbox = Outbox::open(dir_);
    ASSERT_TRUE(outbox.ok());
    ASSERT_TRUE((*outbox)->append({record(RecordClass::Device, "x")}, 1).ok());
    ASSERT_TRUE((*outbox)->ackThrough(99).ok());
    EXPECT_EQ((*outbox)->ackedThrough(), 1u);
    auto seqs = (*outbox)->append({record(RecordClass::Device, "y")}, 1);
    ASSERT_TRUE(seqs.ok());
    EXPECT_EQ(seqs->front(), 2u);
}

TEST_F(OutboxTest, EvictsOldestLowestClassFirstUnderCap) {
    // Each 10-byte payload costs 10 + kRowOverhead; room for exactly 6 rows.
    const std::uint64_t perRow = 10 + kRowOverhead;
    auto outbox = Outbox::open(dir_, OutboxLimits{6 * perRow, 0});
    ASSERT_TRUE(outbox.ok());
    auto& box = **outbox;
    ASSERT_TRUE(
        box.append(
               {record(RecordClass::Alert, "alert-0001"), record(RecordClass::Health, "health-001"),
                record(RecordClass::Device, "device-001"),
                record(RecordClass::Health, "health-002"), record(RecordClass::Alert, "alert-0002"),
                record(RecordClass::Device, "device-002")},
               1)
            .ok());
    EXPECT_EQ(box.evicted(), 0u);
    // Three more rows: both health rows go first, then the oldest device row.
    ASSERT_TRUE(box.append({record(RecordClass::Alert, "alert-0003"),
                            record(RecordClass::Alert, "alert-0004"),
                            record(RecordClass::Alert, "alert-0005")},
                           2)
                    .ok());
    EXPECT_EQ(box.evicted(), 3u);
    EXPECT_EQ(box.depth(), 6u);
    EXPECT_LE(box.bytes(), 6 * perRow);
    auto rest = box.read(0, 100, 1 << 20);
    ASSERT_TRUE(rest.ok());
    std::vector<std::string> texts;
    for (const auto& r : *rest) texts.push_back(text(r));
    EXPECT_EQ(texts, (std::vector<std::string>{"alert-0001", "alert-0002", "device-002",
                                               "alert-0003", "alert-0004", "alert-0005"}));
    // Alerts go only once nothing else is left.
    ASSERT_TRUE(box.append({record(RecordClass::Health, "health-003"),
                            record(RecordClass::Health, "health-004")},
                           3)
                    .ok());
    EXPECT_EQ(box.evicted(), 5u);
    rest = box.read(0, 100, 1 << 20);
    ASSERT_TRUE(rest.ok());
    texts.clear();
    for (const auto& r : *rest) texts.push_back(text(r));
    EXPECT_EQ(texts, (std::vector<std::string>{"alert-0002", "alert-0003", "alert-0004",
                                               "alert-0005", "health-003", "health-004"}));

    // The eviction count and the ranges survive a reopen.
    outbox->reset();
    auto again = Outbox::open(dir_, OutboxLimits{6 * perRow, 0});
    ASSERT_TRUE(again.ok());
    EXPECT_EQ((*again)->evicted(), 5u);
    EXPECT_EQ((*again)->depth(), 6u);
    auto store = StateStore::open(dir_);
    ASSERT_TRUE(store.ok());
    auto stmt = store->db().prepare("SELECT SUM(count) FROM evicted");
    ASSERT_TRUE(stmt.ok());
    ASSERT_TRUE(stmt->step().ok());
    EXPECT_EQ(stmt->columnInt(0), 5);
}

TEST_F(OutboxTest, DevicesAndConnectionsAreEvictedBeforeAlertsAndCountedPerClass) {
    // Room for 8 rows of 10 bytes: a console outage fills it with inventory and alerts.
    const std::uint64_t perRow = 10 + kRowOverhead;
    auto outbox = Outbox::open(dir_, OutboxLimits{8 * perRow, 0});
    ASSERT_TRUE(outbox.ok());
    auto& box = **outbox;
    for (int i = 0; i < 4; ++i) {
        const std::string n = std::to_string(i);
        ASSERT_TRUE(box.append({record(RecordClass::Device, "device-00" + n),
                                record(RecordClass::Connection, "conn-0000" + n),
                                record(RecordClass::Alert, "alert-000" + n)},
                               i)
                        .ok());
    }
    // 12 rows offered, 8 kept: connections went first (oldest first), then the oldest device;
    // every alert stays.
    EXPECT_EQ(box.evicted(), 4u);
    auto rows = box.read(0, 100, 1 << 20);
    ASSERT_TRUE(rows.ok());
    std::vector<std::string> texts;
    for (const auto& r : *rows) texts.push_back(text(r));
    EXPECT_EQ(texts, (std::vector<std::string>{"alert-0000", "device-001", "alert-0001",
                                               "device-002", "alert-0002", "device-003",
                                               "conn-00003", "alert-0003"}));
    // More alerts: the last connection, then the oldest device go; still no alert.
    ASSERT_TRUE(box.append({record(RecordClass::Alert, "alert-0004"),
                            record(RecordClass::Alert, "alert-0005")},
                           9)
                    .ok());
    EXPECT_EQ(box.evicted(), 6u);
    rows = box.read(0, 100, 1 << 20);
    ASSERT_TRUE(rows.ok());
    texts.clear();
    for (const auto& r : *rows) texts.push_back(text(r));
    EXPECT_EQ(texts, (std::vector<std::string>{"alert-0000", "alert-0001", "device-002",
                                               "alert-0002", "device-003", "alert-0003",
                                               "alert-0004", "alert-0005"}));
    // The evicted table counts per class (what the console is told was lost).
    auto store = StateStore::open(dir_);
    ASSERT_TRUE(store.ok());
    auto stmt = store->db().prepare("SELECT class, SUM(count) FROM evicted GROUP BY class");
    ASSERT_TRUE(stmt.ok());
    std::map<std::int64_t, std::int64_t> perClass;
    while (true) {
        auto row = stmt->step();
        ASSERT_TRUE(row.ok());
        if (!*row) break;
        perClass[stmt->columnInt(0)] = stmt->columnInt(1);
    }
    EXPECT_EQ(perClass, (std::map<std::int64_t, std::int64_t>{
                            {static_cast<int>(RecordClass::Connection), 4},
                            {static_cast<int>(RecordClass::Device), 2}}));
}

TEST_F(OutboxTest, RowCapEvictsToo) {
    auto outbox = Outbox::open(dir_, OutboxLimits{1ULL << 30, 2});
    ASSERT_TRUE(outbox.ok());
    auto& box = **outbox;
    ASSERT_TRUE(
        box.append({record(RecordClass::Device, "a"), record(RecordClass::Device, "b")}, 1).ok());
    ASSERT_TRUE(box.append({record(RecordClass::Device, "c")}, 1).ok());
    EXPECT_EQ(box.depth(), 2u);
    EXPECT_EQ(box.evicted(), 1u);
    EXPECT_EQ(box.firstUnackedSeq(), 2u);
}

TEST_F(OutboxTest, EpochAndMetaPersist) {
    std::uint64_t epoch = 0;
    {
        auto store = StateStore::open(dir_);
        ASSERT_TRUE(store.ok()) << store.error().message;
        epoch = store->epoch();
        EXPECT_NE(epoch, 0u);
        EXPECT_TRUE(store->learning());  // learning is the default
        EXPECT_FALSE(store->activated());
        ASSERT_TRUE(store->setLearning(false).ok());
        ASSERT_TRUE(store->set(meta::kSite, "Plant A").ok());
        ASSERT_TRUE(store->saveBaseline("item 1\nitem 2\n", 5).ok());
    }
    auto store = StateStore::open(dir_);
    ASSERT_TRUE(store.ok());
    EXPECT_EQ(store->epoch(), epoch);
    EXPECT_FALSE(store->learning());
    EXPECT_EQ(store->getOr(meta::kSite, ""), "Plant A");
    auto baseline = store->baseline();
    ASSERT_TRUE(baseline.ok());
    EXPECT_EQ(*baseline, "item 1\nitem 2\n");
    auto outbox = Outbox::open(dir_);
    ASSERT_TRUE(outbox.ok());
    EXPECT_EQ((*outbox)->epoch(), epoch);

    // A rebuilt store is a new epoch.
    std::filesystem::remove_all(dir_);
    auto fresh = StateStore::open(dir_);
    ASSERT_TRUE(fresh.ok());
    EXPECT_NE(fresh->epoch(), epoch);
}

TEST_F(OutboxTest, UnwritableStateDirIsAClearError) {
    std::filesystem::create_directories(dir_);
    const auto file = dir_ / "not-a-dir";
    { std::ofstream(file) << "x"; }
    auto store = StateStore::open(file / "sub");
    ASSERT_FALSE(store.ok());
    EXPECT_NE(store.error().message.find("cannot create state directory"), std::string::npos)
        << store.error().message;
}

}  // namespace
}  // namespace ironsight::sensor::store
