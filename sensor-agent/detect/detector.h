// SPDX-License-Identifier: Apache-2.0
// Detector: the baseline (learning mode) and the alert engines of SPEC §3.5 (policy, protocol,
// anomaly, operational, IOC) sharing one aggregation (raise()). One file per engine:
// detector.cpp (baseline, aggregation, policy), protocol_engine.cpp, anomaly_engine.cpp,
// operational_engine.cpp, ioc.cpp (indicator lists) + ioc_engine.cpp.
#pragma once

#include <atomic>
#include <bit>
#include <cstdint>
#include <cstring>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <ostream>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "sensor-agent/decode/packet.h"
#include "sensor-agent/decode/tcp_reassembler.h"  // FunctionRef
#include "sensor-agent/detect/alert_catalog.h"
#include "sensor-agent/detect/baseline_records.h"
#include "sensor-agent/detect/flat_counter.h"
#include "sensor-agent/detect/ioc.h"
#include "sensor-agent/detect/same_text.h"
#include "sensor-agent/detect/text_set.h"
#include "sensor-agent/dissect/core/dissector.h"
#include "sensor-agent/engine/engine.h"

namespace ironsight::sensor::detect {

/// A new transport conversation as the engine saw it (client/server already decided).
struct ConnectionEvent {
    std::string clientIp, serverIp;
    std::string transport;  // "tcp" / "udp"
    std::uint16_t serverPort = 0;
    std::string protocol;  // the bound dissector's name, "" when none
    bool unicast = true;   // false when either end is a broadcast/multicast address (ignored)
    std::int64_t timestampUs = 0;
};

/// The policy alert an operation belongs to by its function ("program_transfer", "mode_change",
/// "restart_command", "firmware_update"), or "" (see docs/ALERTS.md for the table).
std::string_view operationAlertType(const dissect::Operation& op);

/// Hashes for the per-packet state (unordered: no string or address comparisons on the hot path).
struct IpHash {
    std::size_t operator()(const decode::IpAddress& ip) const noexcept {
        std::uint64_t h = ip.v6 ? 0x9e3779b97f4a7c15ULL : 1469598103934665603ULL;
        const std::size_t n = ip.v6 ? 16 : 4;
        for (std::size_t i = 0; i < n; ++i) h = (h ^ ip.bytes[i]) * 1099511628211ULL;
        return static_cast<std::size_t>(h);
    }
};
struct IpPairHash {
    std::size_t operator()(
        const std::pair<decode::IpAddress, decode::IpAddress>& p) const noexcept {
        return IpHash{}(p.first) * 31 + IpHash{}(p.second);
    }
};

/// Equality and a cheap slot hash of addresses as two words each (the per-packet caches).
inline bool sameIp(const decode::IpAddress& a, const decode::IpAddress& b) {
    std::uint64_t x[2], y[2];
    std::memcpy(x, a.bytes.data(), sizeof x);
    std::memcpy(y, b.bytes.data(), sizeof y);
    return a.v6 == b.v6 && x[0] == y[0] && x[1] == y[1];
}
inline std::uint64_t ipWord(const decode::IpAddress& ip) {
    std::uint64_t x[2];
    std::memcpy(x, ip.bytes.data(), sizeof x);
    return (x[0] ^ (x[1] * 0x9e3779b97f4a7c15ULL) ^ (ip.v6 ? 1 : 0)) * 0xff51afd7ed558ccdULL;
}

/// IpAddress::v4Value inline (asked per packet).
inline std::uint32_t v4Of(const decode::IpAddress& ip) {
    std::uint32_t v;  // one load (the bytes are in network order)
    std::memcpy(&v, ip.bytes.data(), sizeof v);
    if constexpr (std::endian::native == std::endian::little) return __builtin_bswap32(v);
    return v;
}

/// traffic_anomaly's state (anomaly_engine.cpp): packets per bucket between two addresses
/// against the maximum learned per bucket. A Detector keeps one; an engine whose workers each
/// see every packet of their address pairs gives each worker a shard (Detector::shardRates),
/// counted on the worker's thread, and hands only the alarms to the detector (onPacket).
class RateTracker {
public:
    struct Alarm {
        decode::IpAddress low, high;  // the pair in address order
        std::uint64_t packets = 0, learnedMax = 0;
    };
    /// `tracked`: the pairs counted by every shard together (bounded); null: this one's own.
    explicit RateTracker(std::int64_t bucketUs,
                         std::shared_ptr<std::atomic<std::size_t>> tracked = nullptr);
    RateTracker(const RateTracker&) = delete;  // its cache points into its own table
    RateTracker& operator=(const RateTracker&) = delete;
    /// Counts an IP packet between two unicast hosts (other packets are not counted); the
    /// alarm when traffic_anomaly is due (valid until the next call), else null.
    const Alarm* count(const decode::DecodedPacket& p, bool learning) {
        if (p.isArp || !p.hasIp || !p.srcIp.isUnicastHost() || !p.dstIp.isUnicastHost()) {
            return nullptr;
        }
        return countUnicast(p, learning);
    }
    /// The same for a packet the caller already knows to be IP between two unicast hosts.
    const Alarm* countUnicast(const decode::DecodedPacket& p, bool learning);

    struct Profile {
        std::int64_t bucketStartUs = -1;
        std::uint64_t bucketPackets = 0;
        std::uint64_t learnedMax = 0, learnedBuckets = 0;  // while learning / imported
        bool alarmed = false;
    };
    /// For a caller that caches pairs (Detector::onPacket): the profile of an IPv4 pair of
    /// unicast hosts (either order), added when new; null at the bound. It never moves.
    Profile* profile4(std::uint32_t src, std::uint32_t dst) {
        return insert4(std::min(src, dst), std::max(src, dst), true);
    }
    /// Counts a packet of that pair when that is all there is to it (the bucket goes on, no
    /// alarm due): true. False: nothing done, count4() it.
    bool countQuietly(Profile& r, std::int64_t now, bool learning) const {
        if (now >= r.bucketStartUs + bucketUs_ || r.bucketStartUs < 0) return false;
        if (!learning && !r.alarmed && r.learnedBuckets >= kMinRateBuckets &&
            r.bucketPackets + 1 > std::max<std::uint64_t>(5 * r.learnedMax, r.learnedMax + 500)) {
            return false;
        }
        ++r.bucketPackets;
        return true;
    }
    /// countUnicast() of a packet of that pair (src, dst: its addresses).
    const Alarm* count4(Profile& r, std::uint32_t src, std::uint32_t dst, std::int64_t now,
                        bool learning) {
        const Alarm* alarm = countProfile(r, now, learning);
        if (alarm) namePair4(src, dst);
        return alarm;
    }
    /// Baseline "rate" items, exported and read back.
    void exportProfiles(std::ostream& out) const;
    void importProfile(const decode::IpAddress& x, const decode::IpAddress& y,
                       std::uint64_t learnedMax, std::uint64_t learnedBuckets);

private:
    static constexpr std::uint64_t kMinRateBuckets = 6;  // a profile needs a minute of traffic
    // IPv4 pairs (the common case) in a flat table: the profiles in a deque (they never move,
    // so the caches may point to them), found through an open-addressing index of their
    // positions keyed by the two addresses (docs/BENCHMARKS.md "Detector, session 11"); other
    // pairs in a node map.
    struct Entry4 {
        std::uint32_t low = 0, high = 0;  // host order, low < high or equal
        Profile profile;
    };
    Profile* insert4(std::uint32_t low, std::uint32_t high, bool bounded);
    Profile* insert(const std::pair<decode::IpAddress, decode::IpAddress>& key, bool bounded);
    bool full() const;
    static std::size_t home4(std::uint64_t key) {
        return static_cast<std::size_t>((key * 0x9e3779b97f4a7c15ULL) >> 32);
    }
    /// Counts a packet at `now`; the alarm with the pair still to fill in, or null. Inline: the
    /// per-packet path (a bucket compare and an increment when nothing changes).
    const Alarm* countProfile(Profile& r, std::int64_t now, bool learning) {
        if (now >= r.bucketStartUs + bucketUs_ || r.bucketStartUs < 0) nextBucket(r, now, learning);
        ++r.bucketPackets;
        if (learning || r.alarmed || r.learnedBuckets < kMinRateBuckets ||
            r.bucketPackets <= std::max<std::uint64_t>(5 * r.learnedMax, r.learnedMax + 500)) {
            return nullptr;
        }
        r.alarmed = true;
        alarm_.packets = r.bucketPackets;
        alarm_.learnedMax = r.learnedMax;
        return &alarm_;
    }
    void nextBucket(Profile& r, std::int64_t now, bool learning);  // the bucket `now` is in
    void namePair4(std::uint32_t src, std::uint32_t dst);          // alarm_.low / high
    const Alarm* countOther(const decode::DecodedPacket& p, bool learning);  // IPv6
    /// The cache slot of an IPv4 pair, the same for both directions (not src ^ dst: pairs of
    /// one plant's numbering share their xor).
    static std::size_t slot4(std::uint32_t src, std::uint32_t dst) {
        const auto mix = [](std::uint32_t x) {
            const std::uint64_t h = x * 0x9e3779b97f4a7c15ULL;
            return h ^ (h >> 29);
        };
        return static_cast<std::size_t>(((mix(src) + mix(dst)) * 0xff51afd7ed558ccdULL) >> 52) &
               (kSlots - 1);
    }

    std::int64_t bucketUs_;
    std::shared_ptr<std::atomic<std::size_t>> tracked_;
    std::deque<Entry4> entries4_;
    std::vector<std::uint32_t> index4_;  // per slot: position in entries4_ + 1, 0: empty
    std::unordered_map<std::pair<decode::IpAddress, decode::IpAddress>, Profile, IpPairHash>
        profiles_;  // pairs with an IPv6 address
    // Direct-mapped caches in front of the tables (a slot per address pair, either direction);
    // entries are never removed, so the pointers stay valid.
    static constexpr std::size_t kSlots = 4096;  // a power of two
    struct Slot4 {
        std::uint64_t pair = 0;  // source << 32 | destination
        Profile* profile = nullptr;
    };
    std::vector<Slot4> slots4_ = std::vector<Slot4>(kSlots);
    struct Slot {
        decode::IpAddress src{}, dst{};
        Profile* profile = nullptr;
    };
    std::vector<Slot> slots_ = std::vector<Slot>(kSlots);
    Alarm alarm_;  // count()'s answer
};

/// Thresholds of the protocol, anomaly and operational engines (docs/ALERTS.md explains each).
struct DetectorOptions {
    std::int64_t silentAfterUs = 300'000'000;  // device_silent: a regular sender quiet this long
    std::size_t exceptionStormCount = 10;      // exception_storm: this many exceptions ...
    std::int64_t exceptionStormWindowUs = 10'000'000;  // ... within this window
    std::size_t scanPorts = 15;                  // port_scan: distinct ports probed on one host
    std::size_t scanHosts = 20;                  // port_scan: distinct hosts probed on one port
    std::int64_t scanWindowUs = 60'000'000;      // ... within this window
    std::int64_t arpFlipWindowUs = 600'000'000;  // arp_spoofing: old binding seen this recently
    std::size_t unansweredRequests = 5;          // device_restarted: Modbus requests unanswered
    std::int64_t unansweredUs = 10'000'000;      // ... and no answer for this long
    std::int64_t rateBucketUs = 10'000'000;      // traffic_anomaly: rate measured per bucket
};

class Detector {
public:
    /// The device ids of a flow's client (false) and server (true), asked for only when an
    /// alert is raised: resolving them through the inventory costs more than most operations.
    using EndNamer = decode::FunctionRef<std::string(bool server)>;
    struct OperationMemo;  // below: onOperation's lookups for one flow, kept by the engine

    explicit Detector(bool learning = true, DetectorOptions options = {})
        : learning_(learning), options_(options) {}
    Detector(const Detector&) = delete;  // its caches point into its own tables
    Detector& operator=(const Detector&) = delete;

    /// Names the device of an address for alerts of the non-policy engines (the inventory).
    void setDeviceNamer(std::function<std::string(const std::string& ip)> namer) {
        deviceNamer_ = std::move(namer);
    }
    /// The IOC engine's indicators (replaces the current list).
    void setIndicators(IndicatorList list) { indicators_ = std::move(list); }

    /// The site's network facts ([network]): hosts in `icsSubnets` count as OT for
    /// internet_access; a DHCP offer outside `dhcpRanges` (IPv4, host order, both ends
    /// included; empty = not checked) raises rogue_dhcp.
    void setNetworkPolicy(IndicatorList icsSubnets,
                          std::vector<std::pair<std::uint32_t, std::uint32_t>> dhcpRanges) {
        icsSubnets_ = std::move(icsSubnets);
        dhcpRanges_ = std::move(dhcpRanges);
    }

    void setLearning(bool on) { learning_ = on; }
    bool learning() const { return learning_; }

    /// Baseline as text, one item per line, sorted. Kinds: "talk <protocol> <client> <server>",
    /// "device <ip>", "conn <transport> <client> <server> <port> <protocol|->",
    /// "op <alert-type> <protocol> <client> <server>".
    std::string exportBaseline() const;
    /// Adds the items of an exported baseline (unknown lines are kept as they are).
    void importBaseline(const std::string& text);
    std::size_t baselineSize() const { return baseline_.size() + records_.size(); }

    /// A packet sent by a unicast host address. Learning: the host joins the baseline. Otherwise
    /// a host not in it raises new_device; deviceOf() names its device (called only then).
    void onHost(const std::string& ip, std::int64_t timestampUs,
                const std::function<std::string()>& deviceOf);

    /// A new flow. Learning: it joins the baseline. Otherwise a (client, server, transport, port)
    /// not in it raises new_protocol when both devices are known and never talked this protocol,
    /// else unauthorized_connection.
    void onConnection(const ConnectionEvent& conn, const std::string& srcDevice,
                      const std::string& dstDevice);
    void onConnection(const ConnectionEvent& conn, EndNamer devices);

    /// Learning: the client/server pair and the operation's alert category join the baseline.
    /// Otherwise a write-class request from a client with no baseline entry for that server
    /// raises unauthorized_write, and a program/mode/restart/firmware request not learned for
    /// that pair raises its type.
    void onOperation(const dissect::FlowContext& flow, const dissect::Operation& op,
                     const std::string& srcDevice, const std::string& dstDevice);
    /// The same, devices named lazily; `memo` (may be null) caches this flow's lookups (the
    /// baseline's talk item, polling profiles, Modbus peer) across its operations.
    void onOperation(const dissect::FlowContext& flow, const dissect::Operation& op,
                     EndNamer devices, OperationMemo* memo);

    /// Every decoded packet (IP or ARP): anomaly (port_scan, arp_spoofing, traffic_anomaly),
    /// operational (device_silent, evaluated on packet time), policy (internet_access is per
    /// flow; remote_access, rogue_dhcp here) and IOC (addresses, HTTP Host) engines.
    void onPacket(const decode::DecodedPacket& p);
    /// The same, with traffic_anomaly counted elsewhere (shardRates): `rateAlarm` is what the
    /// pair's shard found for this packet (null: nothing to raise).
    void onPacket(const decode::DecodedPacket& p, const RateTracker::Alarm* rateAlarm);
    /// traffic_anomaly from now on counted in `count` shards, owned by the detector: the caller
    /// counts each packet in the shard of its address pair (`shardOf`), on any one thread per
    /// shard, and passes the alarms to onPacket. The rate profiles learned or imported so far
    /// move into them; the shards share the bound on tracked pairs.
    std::vector<RateTracker*> shardRates(
        std::size_t count,
        std::function<std::size_t(const decode::IpAddress&, const decode::IpAddress&)> shardOf);
    /// Pairs whose rates are tracked at most (rates shards share the bound).
    static constexpr std::size_t kMaxRatePairs = 100000;
    /// A dissector's anomaly: malformed_pdu, device_restarted (DNP3 IIN restart).
    void onAnomaly(const dissect::FlowContext& flow, std::string_view protocol,
                   std::string_view anomalyId);
    /// A plugin's finding (docs/PLUGINS.md): an alert of the plugin's own type, text and
    /// severity, protocol engine, in both modes.
    void onFinding(const dissect::FlowContext& flow, const dissect::Finding& finding);

    // Alert handling (SPEC §3.5 workflow), persisted as baseline items (handling.cpp):
    /// Learn: the alert's pattern (type, source and destination address) joins the baseline as
    /// "allow <type> <src_ip|-> <dst_ip|->"; it stops firing. False for an unknown id.
    bool learnAlert(const std::string& alertId);
    /// Mute: this type for these devices is suppressed ("mute <type> <src|-> <dst|->"); reversible.
    /// False for an unknown id.
    bool muteAlert(const std::string& alertId, bool muted = true);
    /// Exclusion rule "<type|*> <device|*> <subnet|*> <HH:MM-HH:MM|*>": alerts matching every
    /// given field are not raised (device: a device id or address at either end; subnet: a CIDR
    /// containing either address; window: UTC time of day of the packet, may wrap midnight).
    Status addExclusion(const std::string& rule);
    bool removeExclusion(const std::string& rule);

    std::vector<AlertRecord> alerts() const;
    /// Alerts kept by a store from before a restart: Learn, Mute and aggregation (count, first
    /// seen) work on them as on alerts raised since. Not reported as changes; an id already
    /// known is left as it is.
    void restoreAlerts(const std::vector<AlertRecord>& alerts);
    /// Ids of alerts raised or updated since the last call.
    std::set<std::string> takeChangedAlertIds();
    /// Called by every raise that is not suppressed (created: the alert is new): the engine
    /// captures its evidence packets then.
    void setRaiseHook(std::function<void(const std::string& alertId, bool created)> hook) {
        raiseHook_ = std::move(hook);
    }
    /// An operational alert about the sensor itself, not about traffic (sensor_capture,
    /// sensor_eviction): one alert per type, its {detail} from the first report.
    void raiseSensor(const std::string& type, const std::string& detail,
                     std::int64_t timestampUs);

private:
    struct Trigger {
        std::string srcIp{}, dstIp{}, protocol{}, function{}, transport{};
        std::uint16_t port = 0;
        std::int64_t timestampUs = 0;
        std::string detail{};  // the {detail} placeholder (indicator, scan size, intervals ...)
    };
    // Per-engine state.
    struct PollProfile {  // polling_change: request intervals of (protocol, client, server, fc)
        std::int64_t lastUs = -1;
        // Last intervals (detection window; a vector: an empty std::deque allocates ~580 bytes,
        // and most profiles are only learned).
        std::vector<std::int64_t> recent;
        std::vector<std::int64_t> learned;  // intervals seen while learning (a bounded ring)
        std::uint64_t learnedNext = 0;      // ring position
        std::int64_t baselineUs = 0;        // learned median interval (0: none)
        std::uint64_t baselineSamples = 0;
        bool alarmed = false;
    };
    struct HostActivity {  // device_silent
        std::int64_t firstUs = -1, lastUs = -1, maxGapUs = 0;
        std::uint64_t packets = 0;
        bool regular = false;  // learned (imported) or qualified as a regular sender
        bool silent = false;   // device_silent raised, re-armed when it sends again
    };
    // The per-packet engines' cache (onPacket): a direct-mapped slot per IPv4 pair of unicast
    // hosts, by direction, with the pair's rate profile and the sender's activity; a packet
    // of a cached pair needs no lookup. Their tables never drop an entry: the pointers stay
    // valid (shardRates() empties it: the profiles move to the shards).
    struct PairSlot {
        std::uint64_t pair = 0;                // source << 32 | destination
        RateTracker::Profile* rate = nullptr;  // null: counted by the rate shards
        HostActivity* sender = nullptr;        // null: an empty slot
    };
    struct HostPort {
        decode::IpAddress host;
        std::uint16_t port = 0;
        bool operator==(const HostPort&) const = default;
    };
    struct HostPortHash {
        std::size_t operator()(const HostPort& k) const noexcept {
            return IpHash{}(k.host) ^ (std::size_t{k.port} * 0x9e3779b97f4a7c15ULL);
        }
    };
    struct HostPort4 {  // an IPv4 host as its 4 bytes (an IpAddress takes 17)
        std::uint32_t host = 0;
        std::uint16_t port = 0;
        bool operator==(const HostPort4&) const = default;
    };
    struct HostPort4Hash {
        std::size_t operator()(const HostPort4& k) const noexcept {
            return ((std::uint64_t{k.host} << 16) | k.port) * 0x9e3779b97f4a7c15ULL;
        }
    };
    struct NumberHash {
        std::size_t operator()(std::uint32_t n) const noexcept { return n; }
    };
    struct ScanState {  // port_scan: probes of one source within the window
        std::deque<std::tuple<std::int64_t, decode::IpAddress, std::uint16_t>> probes;
        // Flat tables, not std::maps (~80 bytes a key), IPv4 hosts in tables of their own (12
        // and 8 bytes a slot, not 24): docs/BENCHMARKS.md "Memory, session 10".
        FlatCounter<HostPort4, HostPort4Hash> distinct4;
        FlatCounter<HostPort, HostPortHash> distinct6;
        FlatCounter<std::uint32_t, NumberHash> portsPerHost4;
        FlatCounter<decode::IpAddress, IpHash> portsPerHost6;
        FlatCounter<std::uint32_t, NumberHash> hostsPerPort;
        /// Counts a probe of (host, port): its count in the window now.
        std::uint32_t addProbe(const decode::IpAddress& host, std::uint16_t port) {
            return host.v6 ? distinct6.add({host, port}) : distinct4.add({host.v4Value(), port});
        }
        /// Forgets one: its count left.
        std::uint32_t removeProbe(const decode::IpAddress& host, std::uint16_t port) {
            return host.v6 ? distinct6.remove({host, port})
                           : distinct4.remove({host.v4Value(), port});
        }
        std::uint32_t addHost(const decode::IpAddress& host) {
            return host.v6 ? portsPerHost6.add(host) : portsPerHost4.add(host.v4Value());
        }
        void removeHost(const decode::IpAddress& host) {
            if (host.v6) {
                portsPerHost6.remove(host);
            } else {
                portsPerHost4.remove(host.v4Value());
            }
        }
    };
    struct ModbusPeer {  // device_restarted: requests since the server last answered
        std::size_t unanswered = 0;
        std::int64_t lastAnswerUs = -1;  // -1: never answered (a one-way capture: no alert)
        bool alarmed = false;
    };

    void learn(const std::string& item);
    /// learn() for a "conn" or "talk" item that fits a binary record; false: it does not
    /// (learn() keeps it as text).
    bool learnRecord(std::string_view item);
    bool learnConn(bool tcp, std::uint32_t client, std::uint32_t server, std::uint16_t port,
                   std::string_view protocol, std::string_view clientText,
                   std::string_view serverText);
    bool learnTalk(std::string_view protocol, std::uint32_t client, std::uint32_t server,
                   std::string_view clientText, std::string_view serverText);
    void learnTalkOf(const std::string& protocol, const std::string& client,
                     const std::string& server);
    void noteAddress(std::uint32_t v4);  // privateSite_
    /// The baseline holds "talk <protocol> <client> <server>" (record or text).
    bool hasTalk(const std::string& protocol, const std::string& client,
                 const std::string& server) const;
    /// The pair index: the two addresses talked the protocol (records or texts).
    void addPairIndex(std::string_view protocol, std::string_view a, std::string_view b);
    bool hasPairIndex(std::string_view protocol, std::string_view a, std::string_view b) const;
    /// A conn item covers (transport, client, server, port) (record or text).
    bool knownConn(std::string_view transport, const std::string& client, const std::string& server,
                   std::uint16_t port) const {
        return knownConn(transport, client, server, port, V4Ends::of(client, server));
    }
    /// A connection's ends as IPv4 addresses (the texts parsed once per connection).
    struct V4Ends {
        bool ok = false;  // both are IPv4 addresses as the engine writes them
        std::uint32_t client = 0, server = 0;
        static V4Ends of(std::string_view client, std::string_view server) {
            V4Ends v;
            v.ok = BaselineRecords::parseV4(client, v.client) &&
                   BaselineRecords::parseV4(server, v.server);
            return v;
        }
    };
    bool knownConn(std::string_view transport, const std::string& client, const std::string& server,
                   std::uint16_t port, const V4Ends& v4) const;
    bool indexHandling(const std::vector<std::string>& w);  // mute/allow/exclude items
    bool suppressed(const std::string& type, const Trigger& trigger, const std::string& srcDevice,
                    const std::string& dstDevice) const;
    void policyOperation(const dissect::FlowContext& flow, const dissect::Operation& op,
                         EndNamer devices, OperationMemo* memo);
    void policyPacket(const decode::DecodedPacket& p);
    /// True: handled (a remote access port). `v4`: the ends parsed (V4Ends::of).
    bool policyConnection(const ConnectionEvent& c, const V4Ends& v4);
    struct OpFacts {  // what the engines ask of an operation's protocol, found once
        bool ics = false, modbus = false, dnp3 = false, opcua = false;
    };
    static OpFacts factsOf(const dissect::Operation& op);
    void protocolOperation(const dissect::FlowContext& flow, const dissect::Operation& op,
                           const OpFacts& facts);
    void anomalyPacket(const decode::DecodedPacket& p, const RateTracker::Alarm* rateAlarm);
    /// port_scan: the probed port of a TCP SYN (0: an ICMP echo request), or -1: no probe.
    static int probePort(const decode::DecodedPacket& p) {
        if (p.l4 == decode::L4::Tcp) {
            return (p.tcpFlags & (decode::tcpflag::kSyn | decode::tcpflag::kAck)) ==
                           decode::tcpflag::kSyn
                       ? p.dstPort
                       : -1;
        }
        return p.l4 == decode::L4::Icmp && !p.payload.empty() &&
                       p.payload[0] == (p.srcIp.v6 ? 128 : 8)
                   ? 0
                   : -1;
    }
    void scanPacket(const decode::DecodedPacket& p, int port);  // a probe (probePort() >= 0)
    void raiseRate(const RateTracker::Alarm& alarm, std::int64_t now);
    void anomalyOperation(const dissect::FlowContext& flow, const dissect::Operation& op,
                          OperationMemo* memo, const OpFacts& facts);
    void operationalPacket(const decode::DecodedPacket& p);
    /// device_silent's record of a sender (added when new), or null at the bound.
    HostActivity* activityOf(const decode::IpAddress& sender);
    /// A packet from that sender at `now` (inline: per packet).
    void touch(HostActivity& h, std::int64_t now) {
        if (h.firstUs < 0) h.firstUs = now;
        if (now > h.lastUs) {
            if (learning_ && h.lastUs >= 0) h.maxGapUs = std::max(h.maxGapUs, now - h.lastUs);
            h.lastUs = now;
        }
        ++h.packets;
        h.silent = false;  // it sends again: re-armed
        if (learning_ && !h.regular && regularSender(h)) h.regular = true;
    }
    void otherPacket(const decode::DecodedPacket& p, const RateTracker::Alarm* rateAlarm);
    /// policyPacket() may have work for an IP packet between unicast hosts: a DHCP reply, or
    /// (not learning) a TCP payload (the answer of a remote access service?).
    bool policyPacketDue(const decode::DecodedPacket& p) const {
        return p.l4 == decode::L4::Udp
                   ? p.srcPort == 67
                   : !learning_ && p.l4 == decode::L4::Tcp && !p.payload.empty();
    }
    /// The slot of an IPv4 pair that missed: filled when both ends are unicast hosts and
    /// neither table is at its bound; else null (the packet takes the engines' own paths).
    PairSlot* fillPairSlot(const decode::DecodedPacket& p, std::uint32_t src, std::uint32_t dst,
                           PairSlot& slot);
    void operationalOperation(const dissect::FlowContext& flow, const dissect::Operation& op,
                              OperationMemo* memo, const OpFacts& facts);
    void sweep(std::int64_t nowUs);
    void iocPacket(const decode::DecodedPacket& p);
    void iocOperation(const dissect::FlowContext& flow, const dissect::Operation& op);
    std::string exportProfiles() const;
    bool importProfile(const std::vector<std::string>& w);
    bool regularSender(const HostActivity& h) const {  // the span first: false for a while
        return h.lastUs - h.firstUs >= options_.silentAfterUs && h.packets >= kMinActivePackets &&
               h.maxGapUs <= options_.silentAfterUs / 2;
    }
    static constexpr std::uint64_t kMinActivePackets = 10;  // device_silent: a regular sender
    /// raise() for the non-policy engines: devices named by the inventory (or the address).
    void raiseAt(const std::string& type, const Trigger& trigger);
    void raise(const std::string& type, const Trigger& trigger, const std::string& srcDevice,
               const std::string& dstDevice);
    /// raise() with device names pinned by address (falling back to the addresses).
    void raiseByAddress(const std::string& type, const Trigger& trigger,
                        const std::string& srcDevice, const std::string& dstDevice);

public:
    /// onOperation()'s lookups for one flow (client/server texts fixed): valid as long as the
    /// tables it points into keep their nodes, which they do (entries are never removed).
    struct OperationMemo {
        std::string clientIp, serverIp;  // the flow it was filled for (reset when they differ)
        bool icsNoted = false;           // icsHosts_ has both ends
        std::vector<std::string> talkLearned;  // protocols whose "talk" item is in baseline_
        ModbusPeer* modbus = nullptr;
        struct Poll {
            std::string protocol, function, range;
            PollProfile* profile;
        };
        std::vector<Poll> polls;
    };

private:
    /// The memo for this flow (reset if it described other ends), or null: no memo, or a flow
    /// without IP addresses.
    static OperationMemo* memoFor(OperationMemo* memo, const dissect::FlowContext& flow);
    static void resetMemo(OperationMemo& memo, const dissect::FlowContext& flow);

    bool learning_;
    DetectorOptions options_;
    std::function<std::string(const std::string&)> deviceNamer_;
    std::function<void(const std::string&, bool)> raiseHook_;
    IndicatorList indicators_;
    // The baseline's items: "conn" and "talk" items of IPv4 addresses as binary records
    // (records_, with the pair index), the others as texts (TextSet); "arp" items also in
    // order, for the lookup by address prefix (arp_spoofing).
    BaselineRecords records_;
    TextSet baseline_;
    std::size_t textTalks_ = 0;  // "talk" items among the texts (looked up there only then)
    // Talk items policyOperation learned lately (they are in the baseline), direct-mapped by
    // the ends' last bytes (where addresses differ).
    struct TalkSlot {
        std::string protocol, client, server;
    };
    static constexpr std::size_t kTalkSlots = 256;  // a power of two
    static std::size_t talkSlot(std::string_view protocol, std::string_view client,
                                std::string_view server) {
        const auto tail = [](std::string_view t) {
            std::uint64_t v = t.size();
            if (t.size() >= 8) {
                std::memcpy(&v, t.data() + t.size() - 8, sizeof v);
            } else {
                for (const char c : t) v = (v << 8) | static_cast<unsigned char>(c);
            }
            return v;
        };
        const std::uint64_t h = tail(client) * 0x9e3779b97f4a7c15ULL +
                                tail(server) * 0xff51afd7ed558ccdULL + protocol.size();
        return static_cast<std::size_t>((h ^ (h >> 31)) * 0x9e3779b97f4a7c15ULL >> 56) &
               (kTalkSlots - 1);
    }
    std::vector<TalkSlot> talkSlots_ = std::vector<TalkSlot>(kTalkSlots);
    std::set<std::string> arpItems_;
    // Indexes over baseline_ (kept in step by learn()).
    // Hashed: only looked up, never walked in order.
    struct TextHash {  // hosts_ looked up by view (no copy per learned connection)
        using is_transparent = void;
        std::size_t operator()(std::string_view t) const noexcept {
            return std::hash<std::string_view>{}(t);
        }
    };
    // Every address a baseline item names.
    std::unordered_set<std::string, TextHash, std::equal_to<>> hosts_;
    // "transport client server port" of the "conn" items: keys cut from the items themselves
    // (an index, no copy); an item not written with single spaces has its key in connsOther_.
    static std::string_view connKeyOf(std::string_view item);
    bool knownConnText(std::string_view key) const {
        return conns_.count(key) > 0 || connsOther_.count(key) > 0;
    }
    TextSet conns_{baseline_, &connKeyOf};
    TextSet connsOther_;
    TextSet pairProtocols_;  // "protocol low high": the pair talked it (beside records_)
    std::map<std::string, AlertRecord> alerts_;
    std::map<std::string, AlertType> pluginTypes_;  // plugin alert types, as first reported
    // "type addrA addrB" -> the device names its alert was first raised with, so that an alert
    // keeps one id when the inventory later learns a better device id for the same addresses.
    std::map<std::string, std::pair<std::string, std::string>> alertNames_;
    std::set<std::string> changed_;
    struct Exclusion {
        std::string rule, type, device;
        IndicatorList subnet;                // empty: any
        int fromMinute = -1, toMinute = -1;  // -1: any time
    };
    std::set<std::string> mutes_, allows_;  // "type src dst" (devices / addresses, "-" empty)
    std::vector<Exclusion> exclusions_;
    std::unordered_set<std::string> icsHosts_;  // addresses that spoke an ICS protocol
    IndicatorList icsSubnets_;                                         // [network] ics_subnets
    std::vector<std::pair<std::uint32_t, std::uint32_t>> dhcpRanges_;  // [network] dhcp_ranges
    bool privateSite_ = false;  // the baseline has RFC 1918 / CGNAT / link-local IPv4 devices
    // Engine state (bounded; see each engine's file).
    std::int64_t firstUs_ = -1, nextSweepUs_ = 0;
    std::unordered_map<std::string, std::deque<std::int64_t>> exceptions_;  // exception_storm
    std::set<std::string> storming_;
    std::unordered_map<std::string, PollProfile> polls_;
    RateTracker rates_{options_.rateBucketUs};
    std::vector<std::unique_ptr<RateTracker>> rateShards_;  // shardRates(): rates_ unused
    std::function<std::size_t(const decode::IpAddress&, const decode::IpAddress&)> rateShardOf_;
    std::unordered_map<decode::IpAddress, HostActivity, IpHash> activity_;
    // Direct-mapped cache in front of activity_ for the per-packet lookups; its entries are
    // never removed, so the pointers stay valid.
    struct HostSlot {
        decode::IpAddress ip{};
        HostActivity* activity = nullptr;
    };
    static constexpr std::size_t kPacketSlots = 4096;
    std::vector<HostSlot> hostSlots_ = std::vector<HostSlot>(kPacketSlots);
    // The PairSlots (the per-packet engines' cache).
    static constexpr std::size_t kPairSlots = 8192;  // a power of two
    static std::size_t pairSlot(std::uint64_t pair) {
        return static_cast<std::size_t>((pair * 0x9e3779b97f4a7c15ULL) >> 51) & (kPairSlots - 1);
    }
    std::vector<PairSlot> pairSlots_ = std::vector<PairSlot>(kPairSlots);
    std::unordered_map<decode::IpAddress, ScanState, IpHash> scans_;
    std::unordered_map<decode::IpAddress, std::pair<decode::MacAddress, std::int64_t>, IpHash> arp_;
    std::unordered_map<std::string, ModbusPeer> modbusPeers_;
    // DNP3 outstations whose responses carry IIN1.7 now; restartPending_: the anomaly arrived,
    // the response's operation is next (dissectors report anomalies first).
    std::set<std::string> restartSet_, restartPending_;
    std::set<std::string> remoteSessions_;  // remote_access: sessions already counted
};

/// True for an address that is routed on the internet: not RFC 1918, loopback, link-local,
/// CGNAT (100.64/10), documentation/benchmark ranges, multicast, reserved, IPv6 ULA/link-local
/// or documentation (2001:db8::/32).
bool isPublicAddress(const decode::IpAddress& ip);
/// The protocols whose talkers count as ICS devices (internet_access, polling_change).
bool isIcsProtocol(std::string_view protocol);

/// Stable alert id: same type + same devices -> same id.
std::string alertId(const std::string& type, const std::string& srcDevice,
                    const std::string& dstDevice);

}  // namespace ironsight::sensor::detect
