// SPDX-License-Identifier: Apache-2.0
// FlowTable tests on decoded frames: canonical keys, idle expiry per transport, and the hard bound
// (a SYN flood evicts the least recently used flows, counted, and never grows the table); on
// packets built directly: the index's growth and deletion inside collision runs, eviction order,
// and a randomized comparison with a plain model (std::map of flows + one std::list per class).
#include <gtest/gtest.h>

#include <algorithm>
#include <list>
#include <map>
#include <random>
#include <set>
#include <tuple>

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

/// A TCP or UDP packet between two numbered hosts (10.0.h/256.h%256), built without a frame.
/// v6: IPv6 addresses whose first 4 bytes are those IPv4 addresses (other flows).
DecodedPacket packetOf(std::uint32_t src, std::uint16_t srcPort, std::uint32_t dst,
                       std::uint16_t dstPort, bool tcp, std::int64_t us, std::uint8_t flags = 0,
                       std::uint16_t vlan = 0, bool v6 = false) {
    DecodedPacket p;
    p.timestampUs = us;
    p.hasIp = true;
    p.srcIp = IpAddress::v4(0x0a000000u | src);
    p.dstIp = IpAddress::v4(0x0a000000u | dst);
    p.srcIp.v6 = p.dstIp.v6 = v6;
    p.ipProtocol = tcp ? 6 : 17;
    p.l4 = tcp ? L4::Tcp : L4::Udp;
    p.srcPort = srcPort;
    p.dstPort = dstPort;
    p.tcpFlags = tcp ? flags : 0;
    if (vlan != 0) p.vlans.push_back(vlan);
    return p;
}

TEST(FlowTableIndexTest, GrowsFromASmallIndexAndFindsEveryFlowAgain) {
    constexpr std::uint32_t kFlows = 100000;
    FlowTable table(FlowLimits{.maxFlows = 1 << 20});
    std::vector<Flow*> created;
    std::set<std::uint32_t> slots;
    for (std::uint32_t i = 0; i < kFlows; ++i) {
        auto r = table.track(packetOf(i, 40000, 1000000 + i % 7, 502, i % 3 != 0, 5));
        ASSERT_TRUE(r.created) << i;
        created.push_back(r.flow);
        slots.insert(r.flow->slot());
    }
    EXPECT_EQ(table.size(), kFlows);
    EXPECT_EQ(slots.size(), kFlows);  // unique, and dense: no slot is skipped
    EXPECT_EQ(table.slotCount(), kFlows);
    EXPECT_EQ(*slots.rbegin(), kFlows - 1);
    for (std::uint32_t i = 0; i < kFlows; ++i) {
        // The other direction: same flow, same address (flows never move when the index grows).
        auto r = table.track(packetOf(1000000 + i % 7, 502, i, 40000, i % 3 != 0, 6));
        ASSERT_FALSE(r.created) << i;
        ASSERT_EQ(r.flow, created[i]) << i;
        EXPECT_EQ(r.direction, 1);
    }
    std::size_t visited = 0;
    table.forEach([&](Flow&) { ++visited; });
    EXPECT_EQ(visited, kFlows);
    EXPECT_EQ(table.evicted() + table.expired(), 0u);
}

TEST(FlowTableIndexTest, DroppingFlowsInsideCollisionRunsKeepsTheOthersFindable) {
    // 56 flows fill the initial 64-entry index to 7/8 (it grows past that), so probe runs are
    // long; dropping every other flow (expiry, oldest first) shifts entries back through them.
    for (int round = 0; round < 20; ++round) {
        FlowTable table(
            FlowLimits{.maxFlows = 1000, .tcpIdleUs = 10 * kSecond, .udpIdleUs = 10 * kSecond});
        std::vector<std::uint16_t> dropped;
        table.setExpiryHandler([&](Flow& f) { dropped.push_back(f.key.portA); });
        std::vector<Flow*> flows;
        for (int i = 0; i < 56; ++i) {
            const std::uint16_t port = static_cast<std::uint16_t>(1000 + round * 100 + i);
            auto r = table.track(packetOf(1, port, 2, 80, true, 0));
            ASSERT_TRUE(r.created);
            flows.push_back(r.flow);
        }
        for (int i = 1; i < 56; i += 2) {  // the odd ones again at second 5: the even ones expire
            const std::uint16_t port = static_cast<std::uint16_t>(1000 + round * 100 + i);
            ASSERT_FALSE(table.track(packetOf(1, port, 2, 80, true, 5 * kSecond)).created);
        }
        EXPECT_EQ(table.expire(12 * kSecond), 28u);
        ASSERT_EQ(dropped.size(), 28u);
        for (int i = 0; i < 28; ++i) EXPECT_EQ(dropped[i], 1000 + round * 100 + 2 * i);
        EXPECT_EQ(table.size(), 28u);
        for (int i = 1; i < 56; i += 2) {
            const std::uint16_t port = static_cast<std::uint16_t>(1000 + round * 100 + i);
            auto r = table.track(packetOf(1, port, 2, 80, true, 12 * kSecond));
            ASSERT_FALSE(r.created) << "round " << round << " flow " << i;
            ASSERT_EQ(r.flow, flows[i]);
        }
        // The dropped ones come back as new flows in the freed slots.
        std::set<std::uint32_t> slots;
        for (int i = 0; i < 56; i += 2) {
            const std::uint16_t port = static_cast<std::uint16_t>(1000 + round * 100 + i);
            auto r = table.track(packetOf(1, port, 2, 80, true, 12 * kSecond));
            ASSERT_TRUE(r.created);
            slots.insert(r.flow->slot());
        }
        EXPECT_EQ(table.slotCount(), 56u);
        EXPECT_EQ(slots.size(), 28u);
    }
}

TEST(FlowTableIndexTest, EvictsTheLeastRecentlyUsedFlowOfEitherTransport) {
    FlowTable table(FlowLimits{.maxFlows = 3});
    std::vector<std::uint16_t> dropped;
    table.setExpiryHandler([&](Flow& f) { dropped.push_back(f.key.portA); });
    table.track(packetOf(1, 101, 2, 80, true, 10));   // TCP a
    table.track(packetOf(1, 102, 2, 53, false, 20));  // UDP b
    table.track(packetOf(1, 103, 2, 80, true, 30));   // TCP c
    table.track(packetOf(1, 101, 2, 80, true, 40));   // a used again: b is now the oldest
    table.track(packetOf(1, 104, 2, 53, false, 50));  // evicts b
    table.track(packetOf(1, 105, 2, 80, true, 60));   // evicts c
    table.track(packetOf(1, 104, 2, 53, false, 60));  // d used again (a: 40)
    table.track(packetOf(1, 106, 2, 53, false, 70));  // evicts a (40 < 60)
    // Same last-seen time in both lists: the TCP flow goes first.
    table.track(packetOf(1, 104, 2, 53, false, 80));
    table.track(packetOf(1, 105, 2, 80, true, 80));
    table.track(packetOf(1, 106, 2, 53, false, 90));
    table.track(packetOf(1, 107, 2, 53, false, 95));  // evicts 105 (TCP, 80) before 104 (80)
    EXPECT_EQ(dropped, (std::vector<std::uint16_t>{102, 103, 101, 105}));
    EXPECT_EQ(table.evicted(), 4u);
    EXPECT_EQ(table.size(), 3u);
    std::vector<std::uint16_t> order;
    table.forEach([&](Flow& f) { order.push_back(f.key.portA); });
    EXPECT_EQ(order, (std::vector<std::uint16_t>{104, 106, 107}));
}

/// The model: flows by their key, and per timeout class a list of keys, least recently used
/// first; expiry at most once per capture second and eviction as the table documents.
struct ModelFlow {
    std::int64_t lastUs = 0;
    bool initiatorIsA = true;
    bool sawSyn = false;
    bool tcp = false;
};

// The shortcut for the flow of the packet before compares a packet's endpoints with that
// flow's: one endpoint pair on TCP and UDP, in two VLANs, as IPv4 and as IPv6 addresses with
// the same leading bytes, in both directions, packet after packet, is eight flows.
TEST(FlowTableIndexTest, ThePreviousFlowShortcutTellsProtocolsVlansAndFamiliesApart) {
    using Kind = std::tuple<bool, std::uint16_t, bool>;  // TCP, VLAN, IPv6
    std::vector<Kind> kinds;
    for (const bool tcp : {true, false}) {
        for (const std::uint16_t vlan : {0, 5}) {
            for (const bool v6 : {false, true}) kinds.emplace_back(tcp, vlan, v6);
        }
    }
    FlowTable table;
    std::map<Kind, Flow*> flows;
    // Each order puts kinds that differ in one respect only next to each other: the family,
    // the VLAN, then the protocol.
    const auto byVlan = [](const Kind& a, const Kind& b) {
        return std::tie(std::get<2>(a), std::get<0>(a), std::get<1>(a)) <
               std::tie(std::get<2>(b), std::get<0>(b), std::get<1>(b));
    };
    const auto byProtocol = [](const Kind& a, const Kind& b) {
        return std::tie(std::get<2>(a), std::get<1>(a), std::get<0>(a)) <
               std::tie(std::get<2>(b), std::get<1>(b), std::get<0>(b));
    };
    for (int round = 0; round < 3; ++round) {
        if (round == 1) std::sort(kinds.begin(), kinds.end(), byVlan);
        if (round == 2) std::sort(kinds.begin(), kinds.end(), byProtocol);
        for (const auto& kind : kinds) {
            const auto [tcp, vlan, v6] = kind;
            for (const bool fromA : {true, false, false, true}) {
                const auto p = fromA ? packetOf(1, 40000, 2, 502, tcp, round, 0, vlan, v6)
                                     : packetOf(2, 502, 1, 40000, tcp, round, 0, vlan, v6);
                const auto r = table.track(p);
                ASSERT_NE(r.flow, nullptr);
                EXPECT_EQ(r.direction, fromA ? 0 : 1);
                EXPECT_EQ(r.flow->key.protocol, tcp ? 6 : 17);
                EXPECT_EQ(r.flow->key.vlan, vlan);
                EXPECT_EQ(r.flow->key.ipA.v6, v6);
                auto [it, created] = flows.try_emplace(kind, r.flow);
                EXPECT_EQ(r.created, created);
                EXPECT_EQ(it->second, r.flow);
            }
        }
    }
    EXPECT_EQ(table.size(), 8u);
}

TEST(FlowTableIndexTest, BehavesLikeAMapAndListModel) {
    std::mt19937 rng(20261207);
    for (int run = 0; run < 40; ++run) {
        const FlowLimits limits{.maxFlows = 1 + rng() % 120,
                                .tcpIdleUs = static_cast<std::int64_t>(1 + rng() % 30) * kSecond,
                                .udpIdleUs = static_cast<std::int64_t>(1 + rng() % 10) * kSecond};
        const std::uint32_t endpoints = 20 + rng() % 300;
        FlowTable table(limits);
        std::vector<FlowKey> dropped;
        table.setExpiryHandler([&](Flow& f) { dropped.push_back(f.key); });

        using Key = std::tuple<IpAddress, IpAddress, std::uint16_t, std::uint16_t, std::uint8_t,
                               std::uint16_t>;
        const auto keyOf = [](const FlowKey& k) {
            return Key{k.ipA, k.ipB, k.portA, k.portB, k.protocol, k.vlan};
        };
        std::map<Key, ModelFlow> model;
        std::list<Key> lru[2];
        std::vector<Key> modelDropped;
        std::uint64_t evicted = 0, expired = 0;
        std::int64_t lastExpiryUs = 0;
        const auto drop = [&](int c) {
            modelDropped.push_back(lru[c].front());
            model.erase(lru[c].front());
            lru[c].pop_front();
        };
        std::map<Key, std::uint32_t> slotOf;  // live flows' slots: unique

        std::int64_t now = 0;
        std::uint32_t previous = 0;
        for (int step = 0; step < 4000; ++step) {
            // Time moves on by 0-2.5 s, sometimes steps back a little (merged interfaces).
            now += static_cast<std::int64_t>(rng() % 2500) * 1000 - (rng() % 10 == 0 ? 300000 : 0);
            if (now < 0) now = 0;
            // Half the packets belong to the flow of the packet before (the table's shortcut),
            // or to the IPv6 flow of the same numbers, which the shortcut must tell apart.
            const std::uint32_t e = step > 0 && rng() % 2 ? previous : rng() % endpoints;
            previous = e;
            const bool v6 = rng() % 6 == 0;
            const bool tcp = e % 3 != 0;
            const std::uint8_t flags = std::array<std::uint8_t, 4>{
                decode::tcpflag::kSyn, decode::tcpflag::kSyn | decode::tcpflag::kAck,
                decode::tcpflag::kAck, 0}[rng() % 4];
            const auto client = static_cast<std::uint16_t>(40000 + e);
            auto p = rng() % 2 ? packetOf(e % 17, client, 100 + e % 5, 502, tcp, now, flags,
                                          static_cast<std::uint16_t>(e % 2), v6)
                               : packetOf(100 + e % 5, 502, e % 17, client, tcp, now, flags,
                                          static_cast<std::uint16_t>(e % 2), v6);
            int direction = 0;
            const Key key = keyOf(flowKeyOf(p, direction));
            const bool srcIsA = direction == 0;
            const int c = tcp ? 0 : 1;

            // The model's step.
            if (p.timestampUs - lastExpiryUs > kSecond) {
                for (int k = 0; k < 2; ++k) {
                    const auto idle = k == 0 ? limits.tcpIdleUs : limits.udpIdleUs;
                    while (!lru[k].empty() && now - model[lru[k].front()].lastUs > idle) {
                        drop(k);
                        ++expired;
                    }
                }
                lastExpiryUs = p.timestampUs;
            }
            auto it = model.find(key);
            const bool created = it == model.end();
            if (created) {
                if (model.size() >= limits.maxFlows) {
                    const bool tcpOlder =
                        !lru[0].empty() && (lru[1].empty() || model[lru[0].front()].lastUs <=
                                                                  model[lru[1].front()].lastUs);
                    drop(tcpOlder ? 0 : 1);
                    ++evicted;
                }
                const bool synAck = p.tcpFlags == (decode::tcpflag::kSyn | decode::tcpflag::kAck);
                it = model.emplace(key, ModelFlow{0, synAck ? !srcIsA : srcIsA, false, tcp}).first;
                lru[c].push_back(key);
            } else {
                lru[c].remove(key);
                lru[c].push_back(key);
            }
            if (tcp && flags == decode::tcpflag::kSyn) {
                it->second.initiatorIsA = srcIsA;
                it->second.sawSyn = true;
            }
            it->second.lastUs = std::max(it->second.lastUs, now);

            // The table's.
            const auto r = table.track(p);
            ASSERT_NE(r.flow, nullptr);
            ASSERT_EQ(r.created, created) << "run " << run << " step " << step;
            ASSERT_EQ(r.direction, direction);
            ASSERT_EQ(keyOf(r.flow->key), key);
            ASSERT_EQ(r.flow->lastUs, it->second.lastUs);
            ASSERT_EQ(r.flow->initiatorIsA, it->second.initiatorIsA);
            ASSERT_EQ(r.flow->sawSyn, it->second.sawSyn);
            ASSERT_EQ(dropped.size(), modelDropped.size()) << "run " << run << " step " << step;
            for (std::size_t i = 0; i < dropped.size(); ++i) {
                ASSERT_EQ(keyOf(dropped[i]), modelDropped[i]) << "run " << run << " step " << step;
                slotOf.erase(modelDropped[i]);
            }
            dropped.clear();
            modelDropped.clear();
            ASSERT_EQ(table.size(), model.size());
            ASSERT_LE(table.size(), limits.maxFlows);
            ASSERT_EQ(table.evicted(), evicted);
            ASSERT_EQ(table.expired(), expired);
            if (created) {
                for (const auto& [other, slot] : slotOf) ASSERT_NE(slot, r.flow->slot());
                slotOf[key] = r.flow->slot();
            } else {
                ASSERT_EQ(slotOf.at(key), r.flow->slot());
            }
            ASSERT_LT(r.flow->slot(), table.slotCount());
            ASSERT_LE(table.slotCount(), limits.maxFlows);

            if (step % 97 == 0) {  // forEach: both lists in order
                std::vector<Key> seen, expected(lru[0].begin(), lru[0].end());
                expected.insert(expected.end(), lru[1].begin(), lru[1].end());
                table.forEach([&](Flow& f) { seen.push_back(keyOf(f.key)); });
                ASSERT_EQ(seen, expected) << "run " << run << " step " << step;
            }
        }
    }
}

// A flow's reassembly state is out of line: none until first used, freed on request (the
// engine: its dissector released) or with the flow, and a fresh stream when used again.
TEST_F(FlowTableTest, ReassemblyStateIsAllocatedOnFirstUseAndFreedWithTheFlow) {
    FlowTable table;
    std::vector<std::uint8_t> delivered;
    int gaps = 0;
    const auto onData = [&](std::span<const std::uint8_t> d) {
        delivered.insert(delivered.end(), d.begin(), d.end());
    };
    const auto onGap = [&](GapReason) { ++gaps; };

    FlowTable udpTable;
    auto udp = track(udpTable, test::udpFrame(client_, server_, 40000, 53, {1, 2}), 0);
    ASSERT_NE(udp.flow, nullptr);
    EXPECT_FALSE(udp.flow->hasTcpState());
    auto tcp = track(table, test::tcpFrame(client_, server_, 50000, 502, 100, 0, 0, {}), 1);
    Flow& flow = *tcp.flow;
    EXPECT_FALSE(flow.hasTcpState()) << "tracking a packet allocates nothing";
    EXPECT_EQ(flow.tcpBuffered(0), 0u);
    EXPECT_FALSE(flow.hasTcpState()) << "asking what is buffered allocates nothing";

    // Bytes 100-101 delivered; 104-105 wait behind a hole.
    flow.tcp(0).segment(100, 0, std::vector<std::uint8_t>{1, 2}, onData, onGap);
    EXPECT_TRUE(flow.hasTcpState());
    flow.tcp(0).segment(104, 0, std::vector<std::uint8_t>{5, 6}, onData, onGap);
    EXPECT_EQ(flow.tcpBuffered(0), 2u);
    EXPECT_EQ(flow.tcpBuffered(1), 0u);
    EXPECT_EQ(delivered, (std::vector<std::uint8_t>{1, 2}));

    // Dropped mid-stream with data buffered: it goes, undelivered and no gap reported.
    flow.dropTcpState();
    EXPECT_FALSE(flow.hasTcpState());
    EXPECT_EQ(flow.tcpBuffered(0), 0u);
    // Used again: a fresh stream, which starts at the first byte it sees (mid-stream).
    flow.tcp(0).segment(102, 0, std::vector<std::uint8_t>{3, 4}, onData, onGap);
    flow.tcp(0).segment(106, 0, std::vector<std::uint8_t>{7}, onData, onGap);
    EXPECT_EQ(delivered, (std::vector<std::uint8_t>{1, 2, 3, 4}));
    EXPECT_EQ(flow.tcpBuffered(0), 1u);
    flow.tcp(0).flush(onData, onGap);
    EXPECT_EQ(delivered, (std::vector<std::uint8_t>{1, 2, 3, 4, 7}));
    EXPECT_EQ(gaps, 1);

    // The flow expires with state (and buffered bytes); its slot's next flow starts without.
    flow.tcp(1).segment(9, 0, std::vector<std::uint8_t>{1}, onData, onGap);
    flow.tcp(1).segment(20, 0, std::vector<std::uint8_t>{2}, onData, onGap);
    const std::uint32_t slot = flow.slot();
    table.expire(3600 * kSecond);
    EXPECT_EQ(table.size(), 0u);
    auto next =
        track(table, test::tcpFrame(client_, server_, 50001, 502, 1, 0, 0, {}), 3600 * kSecond + 1);
    ASSERT_TRUE(next.created);
    EXPECT_EQ(next.flow->slot(), slot);
    EXPECT_FALSE(next.flow->hasTcpState());
    EXPECT_EQ(next.flow->tcpBuffered(1), 0u);
}

TEST(FlowSlotsTest, ItemsKeepTheirAddressesAndStartAsTheDefault) {
    FlowSlots<std::vector<int>> slots;
    slots[3].push_back(7);
    std::vector<int>* three = &slots[3];
    EXPECT_TRUE(slots[5000].empty());  // a later chunk: the earlier items stay where they are
    EXPECT_EQ(&slots[3], three);
    EXPECT_EQ(slots[3], std::vector<int>{7});
}

}  // namespace
}  // namespace ironsight::sensor::decode
