// SPDX-License-Identifier: Apache-2.0
// FlowTable tests on decoded frames: canonical keys, idle expiry per transport, and the hard bound
// (a SYN flood evicts the least recently used flows, counted, and never grows the table).
#include <gtest/gtest.h>

#include <set>

#include "sensor-agent/decode/decoder.h"
#include "sensor-agent/decode/flow_table.h"
#include "tests/support/packet_builder.h"

namespace ironsight::sensor::decode {
namespace {

using test::Bytes;
using test::Host;

constexpr std::int64_t kSecond = 1000000;

class FlowTableTest : public ::testing::Test {
protected:
    /// Decodes `frame` (kept alive in frames_) at time `us` and tracks it.
    FlowTable::Lookup track(FlowTable& table, Bytes frame, std::int64_t us) {
        frames_.push_back(std::move(frame));
        RawPacket raw;
        raw.timestampUs = us;
        raw.data = frames_.back();
        raw.wireLength = static_cast<std::uint32_t>(raw.data.size());
        DecodedPacket p;
        EXPECT_EQ(decoder_.decode(raw, p), DecodeStatus::Ok);
        frames_.pop_back();  // track() keeps no reference to the bytes
        return table.track(p);
    }

    const Host client_{test::mac("00:14:22:00:00:01"), test::ipv4("10.0.0.1")};
    const Host server_{test::mac("00:0e:8c:00:00:02"), test::ipv4("10.0.0.2")};
    const Host scanner_{test::mac("00:14:22:00:00:66"), test::ipv4("10.0.0.66")};
    Decoder decoder_;
    std::vector<Bytes> frames_;
};

TEST_F(FlowTableTest, BothDirectionsShareOneFlow) {
    FlowTable table;
    auto a =
        track(table, test::tcpFrame(client_, server_, 50000, 502, 1, 0, test::tcp::kSyn, {}), 0);
    auto b = track(
        table,
        test::tcpFrame(server_, client_, 502, 50000, 9, 2, test::tcp::kSyn | test::tcp::kAck, {}),
        10);
    ASSERT_NE(a.flow, nullptr);
    EXPECT_TRUE(a.created);
    EXPECT_FALSE(b.created);
    EXPECT_EQ(a.flow, b.flow);
    EXPECT_NE(a.direction, b.direction);
    EXPECT_TRUE(a.flow->sawSyn);
    EXPECT_EQ(a.flow->lastUs, 10);  // the later packet's time
    EXPECT_EQ(table.size(), 1u);
}

TEST_F(FlowTableTest, IdleFlowsExpireAfterTheirTransportsTimeout) {
    FlowTable table(
        FlowLimits{.maxFlows = 100, .tcpIdleUs = 600 * kSecond, .udpIdleUs = 120 * kSecond});
    std::vector<std::uint16_t> expiredPorts;
    table.setExpiryHandler([&](Flow& f) { expiredPorts.push_back(f.key.portB); });
    track(table, test::tcpFrame(client_, server_, 50000, 502, 1, 0, test::tcp::kSyn, {}), 0);
    track(table, test::udpFrame(client_, server_, 50001, 47808, Bytes{1, 2, 3}), 0);
    // 200 s later: the UDP flow (120 s) is gone, the TCP flow (600 s) stays.
    track(table, test::udpFrame(client_, server_, 50002, 53, Bytes{1}), 200 * kSecond);
    EXPECT_EQ(table.size(), 2u);
    EXPECT_EQ(table.expired(), 1u);
    EXPECT_EQ(expiredPorts, std::vector<std::uint16_t>{47808});
    // 700 s: the TCP flow too (and the second UDP flow, idle 500 s).
    track(table, test::udpFrame(client_, server_, 50003, 53, Bytes{1}), 700 * kSecond);
    EXPECT_EQ(table.size(), 1u);
    EXPECT_EQ(table.expired(), 3u);
    EXPECT_EQ(table.evicted(), 0u);
}

TEST_F(FlowTableTest, SynFloodIsBoundedByEvictingTheLeastRecentlyUsedFlows) {
    constexpr std::size_t kMax = 1000;
    constexpr int kScanPackets = 50000;
    FlowTable table(FlowLimits{.maxFlows = kMax});
    std::size_t handled = 0;
    table.setExpiryHandler([&](Flow&) { ++handled; });
    // An established session that keeps talking while a scanner sweeps ports (all within one
    // second of capture time, so no flow is idle long enough to expire: only eviction helps).
    auto session =
        track(table, test::tcpFrame(client_, server_, 50000, 502, 1, 0, test::tcp::kSyn, {}), 0);
    ASSERT_NE(session.flow, nullptr);
    for (int i = 0; i < kScanPackets; ++i) {
        const Host target{server_.mac,
                          test::ipv4("10.0.1.0") + static_cast<std::uint32_t>(i / 1000)};
        auto scan =
            track(table,
                  test::tcpFrame(scanner_, target, 40000, static_cast<std::uint16_t>(1 + i % 1000),
                                 7, 0, test::tcp::kSyn, {}),
                  i);
        ASSERT_NE(scan.flow, nullptr);
        EXPECT_TRUE(scan.created);
        ASSERT_LE(table.size(), kMax);
        if (i % 100 == 0) {
            auto again = track(table,
                               test::tcpFrame(client_, server_, 50000, 502, 2, 0, test::tcp::kAck,
                                              Bytes{0, 1, 0, 0, 0, 6, 1, 3, 0, 0, 0, 10}),
                               i);
            ASSERT_FALSE(again.created) << "the active session was evicted at scan packet " << i;
            ASSERT_EQ(again.flow, session.flow);
        }
    }
    EXPECT_EQ(table.size(), kMax);
    EXPECT_EQ(table.evicted(), kScanPackets + 1 - kMax);
    EXPECT_EQ(handled, table.evicted());  // evicted flows are flushed like expired ones
    EXPECT_EQ(table.expired(), 0u);
    EXPECT_EQ(session.flow->lastUs, (kScanPackets - 1) / 100 * 100);  // its last packet's time
}

}  // namespace
}  // namespace ironsight::sensor::decode
