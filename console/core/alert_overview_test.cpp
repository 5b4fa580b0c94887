// SPDX-License-Identifier: Apache-2.0
// The dashboard's and the map's alert aggregates against what the alert rows say, on a real
// SQLite file filled through the ingest path.
#include <gtest/gtest.h>

#include <map>
#include <tuple>

#include "console/core/console_store.h"
#include "shared/crypto/crypto.h"

namespace ironsight::console::core {
namespace {
namespace fs = std::filesystem;

struct TempDir {
    fs::path path = fs::temp_directory_path() / ("ironsight-overview-" + crypto::newUuid());
    TempDir() { fs::create_directories(path); }
    ~TempDir() { fs::remove_all(path); }
};

constexpr std::int64_t kBase = 1'700'000'000'000;  // ms

/// 60 alerts of one sensor: severity cycles 1..4 (and 0 every 7th), last seen one minute apart,
/// two source devices and three titles.
v1::Batch alerts() {
    v1::Batch b;
    for (std::uint64_t seq = 1; seq <= 60; ++seq) {
        auto* env = b.add_envelopes();
        env->set_seq(seq);
        auto* a = env->mutable_alert();
        a->set_id("alert-" + std::to_string(seq));
        a->set_severity(seq % 7 == 0 ? v1::SEVERITY_UNSPECIFIED
                                     : static_cast<v1::Severity>(1 + seq % 4));
        a->set_title("Title " + std::to_string(seq % 3));
        a->set_src(seq % 2 ? "mac-aa" : "mac-bb");
        a->set_dst("mac-cc");
        a->set_src_ip(seq % 2 ? "10.0.0.1" : "10.0.0.2");
        a->set_dst_ip("10.0.0.3");
        a->set_count(1);
        a->set_last_seen_ms(kBase + static_cast<std::int64_t>(seq) * 60'000);
    }
    return b;
}

class AlertOverview : public ::testing::Test {
protected:
    void SetUp() override {
        auto opened = ConsoleStore::open(dir_.path / "console.db");
        ASSERT_TRUE(opened.ok()) << opened.error().message;
        store_ = std::move(*opened);
        ASSERT_TRUE(store_->addSite("P").ok());
        ASSERT_TRUE(store_->addZone("P", "Z").ok());
        auto sensor = store_->addSensor("P", "Z", "s1", "tok", "b", nowMs() + 60'000);
        ASSERT_TRUE(sensor.ok());
        sensorId_ = sensor->id;
        ASSERT_TRUE(store_->beginStream(sensorId_, 1, 1000).ok());
        const v1::Batch batch = alerts();
        ASSERT_TRUE(store_->applyBatch(sensorId_, 1, batch, 0).ok());
    }

    TempDir dir_;
    std::unique_ptr<ConsoleStore> store_;
    std::string sensorId_;
};

TEST_F(AlertOverview, TimeRangeIsTheOldestAndNewestLastSeen) {
    auto range = store_->alertTimeRange();
    ASSERT_TRUE(range.ok()) << range.error().message;
    EXPECT_EQ(range->firstMs, kBase + 60'000);
    EXPECT_EQ(range->lastMs, kBase + 60 * 60'000);

    TempDir empty;
    auto none = ConsoleStore::open(empty.path / "console.db");
    ASSERT_TRUE(none.ok());
    auto nothing = (*none)->alertTimeRange();
    ASSERT_TRUE(nothing.ok());
    EXPECT_EQ(nothing->firstMs, 0);
    EXPECT_EQ(nothing->lastMs, 0);
}

TEST_F(AlertOverview, CountsOverTimeMatchTheAlertRows) {
    // Buckets of 10 minutes, plus one empty bucket after the last alert.
    std::vector<std::int64_t> bounds;
    for (int i = 0; i <= 7; ++i) bounds.push_back(kBase + 60'000 + i * 600'000);
    auto counts = store_->alertCountsOverTime(bounds);
    ASSERT_TRUE(counts.ok()) << counts.error().message;
    ASSERT_EQ(counts->size(), bounds.size() - 1);

    std::vector<SeverityCounts> expected(bounds.size() - 1, SeverityCounts{});
    auto rows = store_->listAlerts();
    ASSERT_TRUE(rows.ok());
    ASSERT_EQ(rows->size(), 60u);
    for (const auto& a : *rows) {
        for (std::size_t i = 0; i + 1 < bounds.size(); ++i) {
            if (a.lastSeenMs >= bounds[i] && a.lastSeenMs < bounds[i + 1]) {
                ++expected[i][static_cast<std::size_t>(severityRank(a.severity))];
            }
        }
    }
    EXPECT_EQ(*counts, expected);
    std::int64_t total = 0;
    for (const auto& bucket : *counts) {
        for (auto n : bucket) total += n;
    }
    EXPECT_EQ(total, 60);  // every alert falls in exactly one bucket
    EXPECT_EQ((*counts)[6], SeverityCounts{});

    EXPECT_TRUE(store_->alertCountsOverTime({}).ok());
    EXPECT_FALSE(store_->alertCountsOverTime({kBase + 10, kBase}).ok());
}

TEST_F(AlertOverview, OpenAlertGroupsCountOpenAlertsPerKindAndEnds) {
    // Close the first ten alerts: they leave the groups.
    std::vector<AlertKey> closing;
    for (int i = 1; i <= 10; ++i) closing.push_back({sensorId_, "alert-" + std::to_string(i)});
    ASSERT_EQ(*store_->setAlertStatus(closing, AlertStatus::Closed), 10);

    auto groups = store_->openAlertGroups();
    ASSERT_TRUE(groups.ok()) << groups.error().message;
    using Key = std::tuple<std::string, std::string, std::string, std::string>;
    std::map<Key, std::int64_t> expected, got;
    auto rows = store_->listAlerts();
    ASSERT_TRUE(rows.ok());
    for (const auto& a : *rows) {
        if (a.status != "closed") ++expected[{a.src, a.srcIp, a.severity, a.title}];
    }
    std::int64_t total = 0;
    int previousRank = 5;
    for (const auto& g : *groups) {
        EXPECT_EQ(g.sensorId, sensorId_);
        EXPECT_EQ(g.dst, "mac-cc");
        EXPECT_EQ(g.dstIp, "10.0.0.3");
        EXPECT_LE(severityRank(g.severity), previousRank) << "most severe first";
        previousRank = severityRank(g.severity);
        got[{g.src, g.srcIp, g.severity, g.title}] += g.alerts;
        total += g.alerts;
    }
    EXPECT_EQ(got, expected);
    EXPECT_EQ(total, 50);
    EXPECT_LT(groups->size(), 50u);  // grouped, not one row per alert
}

}  // namespace
}  // namespace ironsight::console::core
