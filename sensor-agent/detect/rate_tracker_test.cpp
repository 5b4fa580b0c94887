// SPDX-License-Identifier: Apache-2.0
// traffic_anomaly's RateTracker (session 11: IPv4 pairs in a flat table) against the node map
// of (ordered address pair -> profile) it replaced, written out here as it was.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <optional>
#include <sstream>

#include "sensor-agent/detect/detector.h"

namespace ironsight::sensor::detect {
namespace {

struct OldRates {  // the session 10 RateTracker's logic, without its caches
    struct Profile {
        std::int64_t bucketStartUs = -1;
        std::uint64_t bucketPackets = 0, learnedMax = 0, learnedBuckets = 0;
        bool alarmed = false;
    };
    std::int64_t bucketUs;
    std::map<std::pair<decode::IpAddress, decode::IpAddress>, Profile> profiles;

    std::optional<RateTracker::Alarm> count(const decode::DecodedPacket& p, bool learning) {
        const auto key =
            p.srcIp < p.dstIp ? std::make_pair(p.srcIp, p.dstIp) : std::make_pair(p.dstIp, p.srcIp);
        auto it = profiles.find(key);
        if (it == profiles.end()) {
            if (profiles.size() >= Detector::kMaxRatePairs) return std::nullopt;
            it = profiles.try_emplace(key).first;
        }
        Profile& r = it->second;
        const std::int64_t now = p.timestampUs;
        if (r.bucketStartUs < 0) r.bucketStartUs = now;
        if (now >= r.bucketStartUs + bucketUs) {
            const std::int64_t elapsed = (now - r.bucketStartUs) / bucketUs;
            if (learning) {
                r.learnedMax = std::max(r.learnedMax, r.bucketPackets);
                r.learnedBuckets += static_cast<std::uint64_t>(elapsed);
            } else if (r.alarmed && r.bucketPackets <= 2 * r.learnedMax) {
                r.alarmed = false;
            }
            r.bucketStartUs += elapsed * bucketUs;
            r.bucketPackets = 0;
        }
        ++r.bucketPackets;
        if (!learning && !r.alarmed && r.learnedBuckets >= 6 &&
            r.bucketPackets > std::max<std::uint64_t>(5 * r.learnedMax, r.learnedMax + 500)) {
            r.alarmed = true;
            return RateTracker::Alarm{key.first, key.second, r.bucketPackets, r.learnedMax};
        }
        return std::nullopt;
    }
    std::vector<std::string> exported() const {
        std::vector<std::string> out;
        for (const auto& [pair, r] : profiles) {
            if (r.learnedBuckets < 6) continue;
            out.push_back("rate " + pair.first.toString() + " " + pair.second.toString() + " " +
                          std::to_string(r.learnedMax) + " " + std::to_string(r.learnedBuckets));
        }
        std::sort(out.begin(), out.end());
        return out;
    }
};

std::vector<std::string> exportedLines(const RateTracker& rates) {
    std::ostringstream out;
    rates.exportProfiles(out);
    std::vector<std::string> lines;
    std::istringstream in(out.str());
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    std::sort(lines.begin(), lines.end());
    return lines;
}

// Randomized: a few busy pairs (IPv4 and IPv6, both directions, a host talking to itself)
// learned, then flooded in detection with re-arming; a sweep of 120,000 one-packet pairs fills
// the bound. Every answer and the exported profiles as the old tracker's.
TEST(RateTrackerTest, CountsLikeTheNodeMapItReplaced) {
    constexpr std::int64_t kBucket = 10'000'000;
    RateTracker rates(kBucket);
    OldRates old{kBucket, {}};
    std::uint64_t state = 42;
    const auto next = [&](std::uint64_t n) {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        return (state >> 33) % n;
    };
    std::vector<decode::IpAddress> hosts;
    for (std::uint32_t i = 0; i < 40; ++i) hosts.push_back(decode::IpAddress::v4(0x0a000001 + i));
    for (std::uint8_t i = 0; i < 10; ++i) {
        decode::IpAddress a;
        a.v6 = true;
        a.bytes = {0xfd, 0, 0, 0, 0, 0, 0, 0,
                   0,    0, 0, 0, 0, 0, 0, static_cast<std::uint8_t>(i + 1)};
        hosts.push_back(a);
    }
    // Imported profiles first (a baseline read back).
    for (int i = 0; i < 30; ++i) {
        const auto& x = hosts[next(40)];
        const auto& y = hosts[next(40)];
        const std::uint64_t max = next(50), buckets = 6 + next(10);
        rates.importProfile(x, y, max, buckets);
        auto& r = old.profiles[x < y ? std::make_pair(x, y) : std::make_pair(y, x)];
        r.learnedMax = std::max(r.learnedMax, max);
        r.learnedBuckets = std::max(r.learnedBuckets, buckets);
    }
    std::int64_t now = 1'000'000'000;
    std::size_t alarms = 0;
    const auto send = [&](const decode::IpAddress& src, const decode::IpAddress& dst,
                          bool learning) {
        decode::DecodedPacket p;
        p.hasIp = true;
        p.srcIp = src;
        p.dstIp = dst;
        p.timestampUs = now;
        const RateTracker::Alarm* got = rates.count(p, learning);
        const auto expected = old.count(p, learning);
        ASSERT_EQ(got != nullptr, expected.has_value()) << now;
        if (got) {
            ++alarms;
            EXPECT_EQ(got->low, expected->low);
            EXPECT_EQ(got->high, expected->high);
            EXPECT_EQ(got->packets, expected->packets);
            EXPECT_EQ(got->learnedMax, expected->learnedMax);
        }
    };
    for (int i = 0; i < 200000; ++i) {  // learning: 100 s of traffic between the hosts
        now += static_cast<std::int64_t>(next(1000));
        const bool v6 = next(5) == 0;
        const auto& src = hosts[v6 ? 40 + next(10) : next(40)];
        const auto& dst = hosts[v6 ? 40 + next(10) : next(next(8) == 0 ? 40 : 6)];
        send(src, dst, true);
        if (::testing::Test::HasFatalFailure()) return;
    }
    EXPECT_EQ(exportedLines(rates), old.exported());
    for (int i = 0; i < 300000; ++i) {  // detection: floods on a few pairs, with pauses
        now += (i / 20000) % 2 ? static_cast<std::int64_t>(next(30)) : 200 + next(2000);
        const bool v6 = next(5) == 0;
        const auto& src = hosts[v6 ? 40 + next(3) : next(4)];
        const auto& dst = hosts[v6 ? 40 + next(3) : next(5)];
        send(src, dst, false);
        if (::testing::Test::HasFatalFailure()) return;
    }
    EXPECT_GT(alarms, 5u);
    for (std::uint32_t i = 0; i < 120000; ++i) {  // past the bound on tracked pairs
        now += 1;
        send(decode::IpAddress::v4(0x0b000000 + i), hosts[i % 3], i % 2 == 0);
        if (::testing::Test::HasFatalFailure()) return;
    }
    EXPECT_EQ(old.profiles.size(), Detector::kMaxRatePairs);
    // Learning goes on for 80 s on pairs below and beyond the bound: only the tracked ones
    // get a profile to export.
    for (int step = 0; step < 9; ++step) {
        now += kBucket;
        for (std::uint32_t i = 99000; i < 101000; i += 7) {
            send(decode::IpAddress::v4(0x0b000000 + i), hosts[i % 3], true);
            if (::testing::Test::HasFatalFailure()) return;
        }
    }
    EXPECT_EQ(exportedLines(rates), old.exported());
}

}  // namespace
}  // namespace ironsight::sensor::detect
