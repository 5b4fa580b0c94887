// SPDX-License-Identifier: Apache-2.0
// The detector's caches of session 12: the per-pair slot of the per-packet engines
// (traffic_anomaly's profile and device_silent's sender), sameText() and the per-operation
// shortcuts (protocol facts, the memo's ends, the last talk learned). Each test compares with
// a model written here or with the uncached path, on traffic that makes a wrong cache show.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include "sensor-agent/detect/detector.h"

namespace ironsight::sensor::detect {
namespace {

TEST(SameTextTest, AgreesWithStringEqualityAtEveryLengthAndPosition) {
    std::string base;
    for (int i = 0; i < 40; ++i) base.push_back(static_cast<char>('a' + i % 26));
    for (std::size_t n = 0; n <= base.size(); ++n) {
        const std::string a = base.substr(0, n);
        EXPECT_TRUE(sameText(a, std::string(a))) << n;
        for (std::size_t at = 0; at < n; ++at) {  // one byte differs (also a NUL, a high bit)
            for (const char c : {'\0', 'Z', static_cast<char>(0xff)}) {
                std::string b = a;
                b[at] = c;
                EXPECT_EQ(sameText(a, b), a == b) << n << " " << at;
            }
        }
        if (n > 0) {
            EXPECT_FALSE(sameText(a, a.substr(0, n - 1))) << n;
            EXPECT_EQ(sameText(a.substr(1), a.substr(0, n - 1)), a.substr(1) == a.substr(0, n - 1));
        }
    }
}

decode::DecodedPacket ipPacket(const decode::IpAddress& src, const decode::IpAddress& dst,
                               std::int64_t us) {
    decode::DecodedPacket p;
    p.timestampUs = us;
    p.hasIp = true;
    p.srcIp = src;
    p.dstIp = dst;
    p.l4 = decode::L4::Udp;
    p.srcPort = 40000;
    p.dstPort = 2222;
    return p;
}

std::vector<std::string> linesOf(const std::string& text, std::string_view kind) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        if (line.starts_with(kind)) out.push_back(line);
    }
    std::sort(out.begin(), out.end());
    return out;
}

// device_silent's activity of a sender as the engine kept it before the cache (session 11).
struct ActivityModel {
    struct Host {
        std::int64_t firstUs = -1, lastUs = -1, maxGapUs = 0;
        std::uint64_t packets = 0;
        bool regular = false;
    };
    std::int64_t silentAfterUs;
    std::map<decode::IpAddress, Host> hosts;

    bool regularSender(const Host& h) const {
        return h.packets >= 10 && h.lastUs - h.firstUs >= silentAfterUs &&
               h.maxGapUs <= silentAfterUs / 2;
    }
    void onPacket(const decode::DecodedPacket& p, bool learning) {
        const decode::IpAddress* sender =
            p.isArp ? &p.arp.senderIp : (p.hasIp ? &p.srcIp : nullptr);
        if (!sender || !sender->isUnicastHost()) return;
        Host& h = hosts[*sender];
        const std::int64_t now = p.timestampUs;
        if (h.firstUs < 0) h.firstUs = now;
        if (h.lastUs >= 0 && now > h.lastUs && learning) {
            h.maxGapUs = std::max(h.maxGapUs, now - h.lastUs);
        }
        h.lastUs = std::max(h.lastUs, now);
        ++h.packets;
        if (learning && !h.regular && regularSender(h)) h.regular = true;
    }
    std::vector<std::string> exported() const {
        std::vector<std::string> out;
        for (const auto& [ip, h] : hosts) {
            if (h.regular || regularSender(h)) out.push_back("active " + ip.toString());
        }
        std::sort(out.begin(), out.end());
        return out;
    }
};

std::string summary(const Detector& d) {
    std::string out = d.exportBaseline();
    for (const auto& a : d.alerts()) {
        out += a.id + " " + a.type + " " + a.srcIp + " " + a.dstIp + " " + a.src + " " + a.dst +
               " " + std::to_string(a.count) + " " + a.description + "\n";
    }
    return out;
}

// Randomized traffic through Detector::onPacket against RateTracker::count (its own path) and
// the activity model: busy pairs both ways, a sweep of ~20,000 directed pairs that evicts the
// pair slots again and again, broadcast and multicast ends (never a pair, the sender still
// active), IPv6 pairs and ARP senders. The exported rate and activity profiles after learning
// and after detection, and every traffic_anomaly raise, must be the models'.
TEST(DetectorPairCacheTest, PerPacketEnginesCountLikeTheirOwnTables) {
    constexpr std::int64_t kBucket = 10'000'000;
    const DetectorOptions options{.silentAfterUs = 20'000'000, .rateBucketUs = kBucket};
    Detector d(true, options);
    RateTracker rates(kBucket);
    ActivityModel activity{options.silentAfterUs, {}};
    std::map<std::pair<decode::IpAddress, decode::IpAddress>, std::uint64_t> alarms;
    std::uint64_t state = 7;
    const auto next = [&](std::uint64_t n) {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        return (state >> 33) % n;
    };
    std::vector<decode::IpAddress> hosts;
    for (std::uint32_t i = 0; i < 48; ++i) hosts.push_back(decode::IpAddress::v4(0x0a000001 + i));
    for (std::uint8_t i = 0; i < 6; ++i) {
        decode::IpAddress a;
        a.v6 = true;
        a.bytes = {0xfd, 0, 0, 0, 0, 0, 0, 0,
                   0,    0, 0, 0, 0, 0, 0, static_cast<std::uint8_t>(i + 1)};
        hosts.push_back(a);
    }
    const auto broadcast = decode::IpAddress::v4(0xffffffff);
    const auto multicast = decode::IpAddress::v4(0xe0000001);
    bool learning = true;
    const auto send = [&](const decode::DecodedPacket& p) {
        d.onPacket(p);
        activity.onPacket(p, learning);
        if (const auto* alarm = rates.count(p, learning)) ++alarms[{alarm->low, alarm->high}];
    };
    std::int64_t now = 1'700'000'000'000'000;
    const auto traffic = [&](int packets, std::size_t busy) {
        for (int i = 0; i < packets; ++i) {
            now += static_cast<std::int64_t>(next(400));
            const std::uint64_t kind = next(100);
            if (kind < 70) {  // busy pairs, either direction
                const auto& a = hosts[next(busy)];
                const auto& b = hosts[next(busy)];
                send(ipPacket(a, b, now));
            } else if (kind < 85) {  // the sweep: a new directed pair each time, mostly
                const std::uint32_t n = static_cast<std::uint32_t>(next(20000));
                send(ipPacket(decode::IpAddress::v4(0x0b000000 + n),
                              decode::IpAddress::v4(0x0c000000 + n * 7 % 20011), now));
            } else if (kind < 90) {
                send(ipPacket(hosts[next(48)], next(2) ? broadcast : multicast, now));
            } else if (kind < 93) {
                send(ipPacket(multicast, hosts[next(48)], now));
            } else if (kind < 97) {
                send(ipPacket(hosts[48 + next(6)], hosts[48 + next(6)], now));
            } else {
                decode::DecodedPacket p;
                p.timestampUs = now;
                p.isArp = true;
                p.arp.senderIp = hosts[next(48)];
                p.arp.senderMac = {2, 0, 0, 0, 0, static_cast<std::uint8_t>(next(3))};
                p.arp.targetIp = hosts[next(48)];
                d.onPacket(p);
                activity.onPacket(p, learning);
            }
        }
    };
    traffic(400000, 48);  // ~80 s of learning
    std::string baseline = d.exportBaseline();
    EXPECT_EQ(linesOf(baseline, "active "), activity.exported());
    std::ostringstream learned;
    rates.exportProfiles(learned);
    EXPECT_EQ(linesOf(baseline, "rate "), linesOf(learned.str(), "rate "));
    EXPECT_GT(linesOf(baseline, "rate ").size(), 500u);
    EXPECT_GT(activity.exported().size(), 20u);

    learning = false;
    d.setLearning(false);
    for (int round = 0; round < 6; ++round) {  // floods on a few pairs, then quiet buckets
        traffic(60000, round % 2 ? 48 : 3);
        now += 3 * kBucket;
        traffic(2000, 48);
    }
    ASSERT_FALSE(alarms.empty());
    std::map<std::pair<std::string, std::string>, std::uint64_t> expected, raised;
    for (const auto& [pair, count] : alarms) {
        expected[{pair.first.toString(), pair.second.toString()}] = count;
    }
    for (const auto& a : d.alerts()) {
        if (a.type == "traffic_anomaly") raised[{a.srcIp, a.dstIp}] += a.count;
    }
    EXPECT_EQ(raised, expected);
    baseline = d.exportBaseline();
    EXPECT_EQ(linesOf(baseline, "active "), activity.exported());
}

// With the rates counted in shards (as several workers do), a cached pair's slot has no
// profile and the shard's alarm comes with the packet: the same profiles and raises as one
// detector counting alone, on traffic that evicts slots and floods pairs.
TEST(DetectorPairCacheTest, ShardedRatesCountAsOneDetectorAlone) {
    constexpr std::int64_t kBucket = 10'000'000;
    const DetectorOptions options{.silentAfterUs = 20'000'000, .rateBucketUs = kBucket};
    Detector alone(true, options), sharded(true, options);
    const auto shardOf = [](const decode::IpAddress& x, const decode::IpAddress& y) {
        return std::size_t{(x < y ? x : y).bytes[3] % 3u};
    };
    const auto shards = sharded.shardRates(3, shardOf);
    std::uint64_t state = 11;
    const auto next = [&](std::uint64_t n) {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        return (state >> 33) % n;
    };
    std::int64_t now = 1'000'000'000;
    const auto send = [&](const decode::IpAddress& src, const decode::IpAddress& dst) {
        const decode::DecodedPacket p = ipPacket(src, dst, now);
        alone.onPacket(p);
        sharded.onPacket(p, shards[shardOf(src, dst)]->count(p, sharded.learning()));
    };
    const auto traffic = [&](int packets, std::uint32_t busy, std::int64_t step) {
        for (int i = 0; i < packets; ++i) {
            now += static_cast<std::int64_t>(next(static_cast<std::uint64_t>(step)));
            if (next(5) == 0) {  // a sweep of directed pairs: the slots are evicted
                const auto n = static_cast<std::uint32_t>(next(30000));
                send(decode::IpAddress::v4(0x0b000000 + n), decode::IpAddress::v4(0x0c000000 + n));
            } else {
                send(decode::IpAddress::v4(0x0a000001 + static_cast<std::uint32_t>(next(busy))),
                     decode::IpAddress::v4(0x0a000001 + static_cast<std::uint32_t>(next(busy))));
            }
        }
    };
    traffic(300000, 40, 1000);  // ~150 s of learning
    EXPECT_EQ(sharded.exportBaseline(), alone.exportBaseline());
    EXPECT_GT(linesOf(alone.exportBaseline(), "rate ").size(), 500u);
    alone.setLearning(false);
    sharded.setLearning(false);
    for (int round = 0; round < 4; ++round) {
        traffic(60000, 3, 200);  // floods
        now += 3 * kBucket;
        traffic(5000, 40, 400);
    }
    EXPECT_EQ(summary(sharded), summary(alone));
    std::size_t raised = 0;
    for (const auto& a : alone.alerts()) raised += a.type == "traffic_anomaly" ? a.count : 0;
    EXPECT_GT(raised, 3u);
}

// One pair, cached from its first packet on: its rate crosses the threshold after many cached
// packets (both directions count), raises once, re-arms after a quiet bucket and raises again.
TEST(DetectorPairCacheTest, ACachedPairRaisesWhenItsRateCrossesTheThreshold) {
    Detector d(true);
    const auto a = decode::IpAddress::v4(0xc0a80a01), b = decode::IpAddress::v4(0xc0a80a02);
    std::int64_t now = 1'000'000'000;
    const auto bucket = [&](int packets) {  // packets spread over one 10 s bucket
        for (int i = 0; i < packets; ++i) {
            d.onPacket(ipPacket(i % 2 ? a : b, i % 2 ? b : a, now + i * (10'000'000 / packets)));
        }
        now += 10'000'000;
    };
    for (int i = 0; i < 8; ++i) bucket(20);  // learned: at most 20 per 10 s, 8 buckets
    EXPECT_NE(d.exportBaseline().find("rate 192.168.10.1 192.168.10.2 20 "), std::string::npos)
        << d.exportBaseline();
    d.setLearning(false);
    bucket(20);
    bucket(40);
    EXPECT_TRUE(d.alerts().empty());
    bucket(600);  // alarm at packet 521: more than 5 x 20 and 500 + 20
    auto alerts = d.alerts();
    ASSERT_EQ(alerts.size(), 1u);
    EXPECT_EQ(alerts[0].type, "traffic_anomaly");
    EXPECT_EQ(alerts[0].count, 1u);
    EXPECT_NE(alerts[0].description.find("521 packets within 10 s, learned at most 20"),
              std::string::npos)
        << alerts[0].description;
    bucket(600);  // still alarmed: no second raise
    EXPECT_EQ(d.alerts()[0].count, 1u);
    bucket(10);  // back under twice the profile: re-armed
    bucket(600);
    alerts = d.alerts();
    ASSERT_EQ(alerts.size(), 1u);
    EXPECT_EQ(alerts[0].count, 2u);
}

dissect::Operation op(const std::string& protocol, const std::string& function,
                      const std::string& opClass, bool request = true,
                      const std::string& range = "") {
    dissect::Operation o;
    o.protocol = protocol;
    o.function = function;
    o.opClass = opClass;
    o.request = request;
    o.range = range;
    return o;
}

// One memo carried across flows whose ends differ in one character (in the first 8 bytes, in
// the last, in the length) and across protocols and operation types changing within a flow:
// alerts and baseline as without a memo. Learning, then detection.
TEST(DetectorOperationCacheTest, AMemoReusedForOtherFlowsAndOperationsChangesNothing) {
    const std::vector<std::pair<std::string, std::string>> ends = {
        {"10.0.0.21", "10.0.0.11"},          {"10.0.0.22", "10.0.0.11"},
        {"10.0.0.2", "10.0.0.11"},           {"11.0.0.21", "10.0.0.11"},
        {"192.168.100.21", "10.0.0.11"},     {"192.168.100.21", "192.168.100.11"},
        {"192.168.100.21", "192.168.100.1"}, {"192.168.101.21", "192.168.100.11"}};
    const std::vector<dissect::Operation> ops = {
        op("modbus", "read_holding_registers", "read", true, "holding_registers 0-9"),
        op("modbus", "read_holding_registers", "read", false),
        op("modbus", "read_holding_registers", "read", true, "holding_registers 10-19"),
        op("modbus", "write_single_register", "write"),
        op("modbus", "umas_stop_plc", "control"),
        op("s7comm", "plc_stop", "control"),
        op("s7comm", "download_block", "program"),
        op("dnp3", "read", "read"),
        op("dnp3", "cold_restart", "control"),
        op("dnp3", "response", "read", false),
        op("enip", "reset", "control"),
        op("opcua", "read", "read"),
    };
    auto plain = std::make_unique<Detector>(true), memoized = std::make_unique<Detector>(true);
    Detector::OperationMemo memo;
    std::int64_t now = 1'000'000;
    const auto both = [&](std::size_t e, const dissect::Operation& o) {
        const dissect::FlowContext f{ends[e].first, ends[e].second,          40000,
                                     502,           dissect::Transport::Tcp, now};
        plain->onOperation(f, o, "ews", "plc");
        memoized->onOperation(
            f, o, [](bool server) { return std::string(server ? "plc" : "ews"); }, &memo);
    };
    // Learning: pairs 0, 2, 4, 6, each with the first 8 operations every 8 s.
    for (int i = 0; i < 800; ++i) {
        now += 250'000;
        both(2 * (i % 4), ops[(i / 4) % 8]);
    }
    const std::string learned = plain->exportBaseline();
    EXPECT_EQ(memoized->exportBaseline(), learned);
    EXPECT_NE(learned.find("poll modbus|10.0.0.21|10.0.0.11|read_holding_registers|"),
              std::string::npos)
        << learned;
    // Detection with the baseline read back (a memo per detector: it points into its tables).
    plain = std::make_unique<Detector>(false);
    memoized = std::make_unique<Detector>(false);
    memo = Detector::OperationMemo{};
    plain->importBaseline(learned);
    memoized->importBaseline(learned);
    // Pair 0 polls every second (learned: 8 s), the other pairs get every operation in turn
    // between its polls (the memo's ends switch at each operation).
    for (std::size_t round = 0; round < 24; ++round) {
        now += 1'000'000;
        both(0, ops[0]);
        for (std::size_t e = 1; e < ends.size(); ++e) both(e, ops[(round + e) % ops.size()]);
    }
    EXPECT_EQ(summary(*memoized), summary(*plain));
    std::set<std::string> types;
    for (const auto& a : plain->alerts()) types.insert(a.type);
    for (const char* type : {"unauthorized_write", "mode_change", "program_transfer",
                             "restart_command", "polling_change"}) {
        EXPECT_TRUE(types.count(type)) << type;
    }
}

// Operations without a memo (a flow's first ones) learn their talk item; the talks learned
// lately are remembered (a slot by the ends' last bytes) so that they are not learned again.
// Consecutive operations differ in one field (the protocol, the client, the server; by one
// character, in length, or only in bytes the slot does not look at) or not at all, and each
// (protocol, client, server) comes in one run only: every one must get its item.
TEST(DetectorOperationCacheTest, TheLastTalkLearnedSkipsOnlyTheSameTalk) {
    struct Talk {
        const char *protocol, *client, *server;
    };
    const Talk talks[] = {
        {"modbus", "10.0.0.21", "10.0.0.11"},
        {"modbus", "10.0.0.21", "10.0.0.11"},
        {"dnp3", "10.0.0.21", "10.0.0.11"},
        {"dnp3", "10.0.0.22", "10.0.0.11"},
        {"dnp3", "10.0.0.22", "10.0.0.12"},
        {"dnp3", "10.0.0.2", "10.0.0.12"},
        {"dnp3", "10.0.0.2", "10.0.0.1"},
        {"s7comm", "10.0.0.2", "10.0.0.1"},
        {"s7comm", "10.0.0.2", "10.0.0.1"},
        {"modbus", "10.0.0.2", "10.0.0.1"},
        {"modbus", "fe80::21", "10.0.0.1"},
        {"modbus", "fe80::21", "fe80::11"},
        {"enip", "fe80::21", "fe80::11"},
        {"enip", "fe80::22", "fe80::11"},
        {"enip", "192.168.100.22", "fe80::11"},
        {"enip", "192.168.100.22", "192.168.100.11"},
        {"enip", "191.168.100.22", "192.168.100.11"},
        {"enip", "191.168.100.22", "193.168.100.11"},
        {"bacnet", "191.168.100.22", "193.168.100.11"},
    };
    Detector d(true);
    std::set<std::string> expected;
    std::int64_t now = 1'000'000;
    for (const Talk& t : talks) {
        d.onOperation({t.client, t.server, 40000, 502, dissect::Transport::Tcp, now += 1000},
                      op(t.protocol, "read", "read"), "", "");
        expected.insert(std::string("talk ") + t.protocol + " " + t.client + " " + t.server);
    }
    const auto learned = linesOf(d.exportBaseline(), "talk ");
    EXPECT_EQ(std::set<std::string>(learned.begin(), learned.end()), expected);
    EXPECT_EQ(expected.size(), 17u);
}

}  // namespace
}  // namespace ironsight::sensor::detect
