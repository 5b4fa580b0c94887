// SPDX-License-Identifier: Apache-2.0
// Engine: decode -> flow table / TCP ordering -> dissectors -> inventory + detection.
//
// Flow side and shared side. The flow side (Worker: Decoder, FlowTable, TCP ordering, the
// dissector instances) emits what it finds; the shared side (Impl: Inventory, Detector, alert
// evidence) consumes it. With one worker the Worker calls the shared side directly, on the
// caller's thread (the pipeline as it always was). With N > 1 workers (EngineOptions::workers)
// process() only dispatches: frames are copied into per-worker batches by a hash of their IP
// address pair (flow-affine: both directions, every port and every IPv4 fragment of a pair meet
// in one worker), each worker thread records its events into the batch, and one consumer
// thread replays the batches in capture order, so inventory and detection see the same inputs
// in the same order as with one worker. What depends only on one address pair stays in the
// pair's worker: traffic_anomaly's rates (the detector's RateTracker shards; only an alarm
// travels with the packet) and the connection counters (summed per flow and batch). The
// consumer is two threads: detection, and a step behind, the inventory and the alert evidence
// (their inputs in the same order, the alerts detection raised with the packet that raised
// them); detection reads the inventory only to name the devices of an alert, and then first
// waits until the inventory stands exactly where it would with one worker.
// docs/BENCHMARKS.md "Multi-core".
#include "sensor-agent/engine/engine.h"

#include <pthread.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <variant>

#include <nlohmann/json.hpp>

#include "sensor-agent/decode/decoder.h"
#include "sensor-agent/decode/flow_table.h"
#include "sensor-agent/detect/detector.h"
#include "sensor-agent/dissect/core/registry.h"
#include "sensor-agent/engine/evidence_recorder.h"
#include "sensor-agent/inventory/inventory.h"
#include "sensor-agent/plugins/plugin_loader.h"

namespace ironsight::sensor {
namespace {

constexpr std::size_t kMaxAppBuffer = 64 * 1024;  // unparsed bytes kept per flow direction
constexpr std::uint8_t kHeuristicProbes = 4;  // payload packets offered to the heuristics
constexpr std::uint32_t kMaxDeferred = 16;    // packets a flow waits for the heuristics at most
// Several workers: bytes per batch (EngineOptions::batchPackets and batchesPerWorker bound the
// frames per batch and the batches in flight; a full pool blocks process()).
constexpr std::size_t kBatchBytes = 1 << 20;

/// What inventory and detection remember of a flow between its operations (its records and
/// baseline lookups): allocated with the flow's third operation, so that flows with one or two
/// (a TLS or DNS exchange, most of the concurrent flows) cost no memory for it.
struct OperationMemos {
    inventory::Inventory::OperationMemo inventory;
    detect::Detector::OperationMemo detector;
};

/// The shared side's per-flow state: the flow's evidence ring and its inventory connection.
struct SharedFlow {
    PacketRing recent;  // alert evidence: this flow's recent packets
    inventory::Inventory::ConnInfo* connection = nullptr;
    std::unique_ptr<OperationMemos> memo;
    std::uint8_t operations = 0;  // seen before the memo, at most kMemoAfterOperations
};
constexpr std::uint8_t kMemoAfterOperations = 2;

/// What a flow holds back: unparsed application bytes per direction (a dissector left bytes
/// unconsumed) and the packets waiting for the heuristics (a flow no port binds). Allocated
/// when a flow first has either: most flows never do, and this is memory per concurrent flow.
struct Waiting {
    std::vector<std::uint8_t> direction[2];
    std::uint32_t deferredPackets = 0;  // at most kMaxDeferred
    std::uint64_t deferredBytes = 0;
    std::int64_t deferredFirstUs = 0;
};

/// Several workers: a flow's id and what its worker counts for the consumer.
struct ShardedFlow {
    std::uint64_t id = 0;  // the consumer stages' SharedFlow of this flow
    // Packets counted in the current batch, not yet recorded (CountEvent), and the flow's
    // place in Worker::counting.
    std::uint32_t countPackets = 0, countIndex = 0;
    std::uint64_t countBytes = 0;
    std::int64_t countLastUs = 0;
    // Operations recorded with the flow's context, at most kMemoAfterOperations + 1: the
    // detection stage keeps no state for a flow before it needs the flow's memo.
    std::uint8_t operations = 0;
};

/// The shared side's lock. With one worker, process() takes it for every packet and nobody
/// else wants it unless another thread calls the API (snapshots, change sets): uncontended, a
/// std::mutex (pthread) cost ~55 instructions per packet, this one an atomic exchange each way.
/// Contended, waiters sleep on the atomic (futex) as with a mutex (Drepper's "Futexes are
/// tricky", mutex 2: 0 free, 1 locked, 2 locked with possible waiters).
class StateLock {
public:
    void lock() {
        int expected = 0;
        if (!state_.compare_exchange_strong(expected, 1, std::memory_order_acquire)) [[unlikely]]
            lockContended();
    }
    void unlock() {
        if (state_.exchange(0, std::memory_order_release) == 2) [[unlikely]]
            state_.notify_one();
    }

private:
    void lockContended() {
        while (state_.exchange(2, std::memory_order_acquire) != 0) state_.wait(2);
    }
    std::atomic<int> state_{0};
};

/// IPv4 texts of recently seen addresses, direct-mapped: the dissectors' flow context is
/// rebuilt whenever the delivering flow changes (interleaved flows: most deliveries), and
/// formatting both addresses each time cost more than the rest of the context.
class IpTextCache {
public:
    void assign(const decode::IpAddress& ip, std::string& out) {
        if (ip.v6) {
            out = ip.toString();
            return;
        }
        const std::uint32_t value = ip.v4Value();
        Slot& slot = slots_[(value * 0x9e3779b1u) >> (32 - kBits)];
        if (!slot.used || slot.value != value) {
            const std::string text = ip.toString();  // at most 15 characters
            std::memcpy(slot.text, text.data(), text.size());
            slot.length = static_cast<std::uint8_t>(text.size());
            slot.value = value;
            slot.used = true;
        }
        out.assign(slot.text, slot.length);
    }

private:
    static constexpr int kBits = 10;
    struct Slot {
        std::uint32_t value = 0;
        bool used = false;
        std::uint8_t length = 0;
        char text[15];
    };
    std::array<Slot, std::size_t{1} << kBits> slots_{};
};

/// Engine state attached to a flow: the bound dissector and its per-direction unparsed bytes.
/// Kept by the flow's slot (Worker::apps), reset to the default when the flow is dropped.
/// (Per concurrent flow: members ordered so that they pack without padding.)
struct AppFlow {
    const dissect::DissectorInfo* info = nullptr;
    dissect::DissectorPtr dissector;
    std::unique_ptr<Waiting> waiting;
    bool serverIsA = false;
    // The inventory connection is resolved once per flow; again if serverIsA flips.
    bool connectionResolved = false, connectionServerIsA = false;
    std::uint8_t probesLeft = kHeuristicProbes;  // heuristics, for flows no port binds
    /// One worker: the shared side's state lives here; several: the worker's part (the two
    /// are never both used, and this is memory per flow).
    std::variant<SharedFlow, ShardedFlow> side;

    SharedFlow& shared() { return std::get<SharedFlow>(side); }
    ShardedFlow& sharded() { return std::get<ShardedFlow>(side); }
    std::uint64_t id() const {
        const auto* s = std::get_if<ShardedFlow>(&side);
        return s ? s->id : 0;
    }
    void clearPending(int direction) {
        if (waiting) waiting->direction[direction].clear();
    }
    /// Packets held back from the inventory while heuristics may still claim the flow.
    std::uint32_t deferredPackets() const { return waiting ? waiting->deferredPackets : 0; }
    Waiting& wait() {
        if (!waiting) waiting = std::make_unique<Waiting>();
        return *waiting;
    }
};

// One per flow slot, in chunks (no malloc block of its own).
static_assert(sizeof(AppFlow) <= 80 || sizeof(void*) != 8);

/// takeChanges(): what the last change set said of a device. It is reported again when a
/// field other than its id and times differs (a fingerprint of them: a copy of each record was
/// ~1 KB per device) or it was seen a minute later.
struct SentDevice {
    std::uint64_t fingerprint = 0;
    std::int64_t lastSeenMs = 0;
};

/// A 64-bit hash of the reported fields, each with its length (no two field lists share an
/// encoding); `buffer` is reused across calls.
std::uint64_t deviceFingerprint(const DeviceRecord& d, std::string& buffer) {
    buffer.clear();
    const auto text = [&](std::string_view s) {
        const auto n = static_cast<std::uint32_t>(s.size());
        buffer.append(reinterpret_cast<const char*>(&n), sizeof n).append(s);
    };
    const auto number = [&](std::int64_t v) {
        buffer.append(reinterpret_cast<const char*>(&v), sizeof v);
    };
    const auto texts = [&](const std::vector<std::string>& v) {
        number(static_cast<std::int64_t>(v.size()));
        for (const auto& s : v) text(s);
    };
    texts(d.macs);
    texts(d.ips);
    number(static_cast<std::int64_t>(d.vlans.size()));
    for (const auto v : d.vlans) number(v);
    number(static_cast<std::int64_t>(d.vlanNames.size()));
    for (const auto& [id, name] : d.vlanNames) {
        number(id);
        text(name);
    }
    texts(d.interfaces);
    for (const std::string* s : {&d.vendor, &d.model, &d.firmware, &d.hostname, &d.type}) text(*s);
    number(d.purdueLevel);
    number(static_cast<std::int64_t>(d.protocols.size()));
    for (const auto& p : d.protocols) {
        text(p.name);
        text(p.role);
    }
    text(d.identityJson);
    texts(d.evidence);
    return std::hash<std::string_view>{}(buffer);
}

/// takeChanges(): what the last change set said of a connection. A connection is reported
/// again when its devices or operation classes differ or it was seen a minute later. (Kept
/// per connection instead of a copy of its record and a text key: ~70 bytes, not ~450.)
struct SentConnection {
    const std::string* src = nullptr;  // device ids, pooled in Impl::sentDeviceIds
    const std::string* dst = nullptr;
    std::size_t opClasses = 0;  // classes are only ever added: equal counts, equal lists
    std::int64_t lastSeenMs = 0;
};

std::uint16_t be16(std::span<const std::uint8_t> d, std::size_t at) {
    return static_cast<std::uint16_t>((d[at] << 8) | d[at + 1]);
}

/// FNV-1a over the (lower, higher) address of a pair, `len` bytes each, as they are on the wire.
std::size_t pairShard(const std::uint8_t* a, const std::uint8_t* b, std::size_t len,
                      std::size_t workers) {
    const bool aFirst = std::memcmp(a, b, len) <= 0;
    std::uint64_t h = 1469598103934665603ULL;
    for (std::size_t i = 0; i < len; ++i) h = (h ^ (aFirst ? a : b)[i]) * 1099511628211ULL;
    for (std::size_t i = 0; i < len; ++i) h = (h ^ (aFirst ? b : a)[i]) * 1099511628211ULL;
    h ^= h >> 29;
    return static_cast<std::size_t>(h % workers);
}

/// The worker of a frame: a hash of its IP address pair, the same for both directions (so
/// every flow and every IPv4 fragment of the pair meets in one worker); 0 for frames without
/// IP (ARP, LLDP, CDP: handled together) and for anything this light parse does not follow.
std::size_t shardOf(const RawPacket& raw, std::size_t workers) {
    const auto d = raw.data;
    std::size_t off = 0;
    std::uint16_t type = 0;
    switch (raw.linkType) {
        case 1:  // Ethernet
            if (d.size() < 14) return 0;
            type = be16(d, 12);
            off = 14;
            break;
        case 113:  // Linux SLL
            if (d.size() < 16) return 0;
            type = be16(d, 14);
            off = 16;
            break;
        case 276:  // Linux SLL2
            if (d.size() < 20) return 0;
            type = be16(d, 0);
            off = 20;
            break;
        case 0: case 108: off = 4; break;                      // BSD NULL / LOOP
        case 12: case 14: case 101: case 228: case 229: break;  // raw IP
        default: return 0;
    }
    if (type == 0) {  // raw IP: the version nibble says which
        if (d.size() <= off) return 0;
        type = (d[off] >> 4) == 4 ? 0x0800 : (d[off] >> 4) == 6 ? 0x86dd : 0;
    }
    for (int tags = 0; (type == 0x8100 || type == 0x88a8 || type == 0x9100) && tags < 4; ++tags) {
        if (d.size() < off + 4) return 0;
        type = be16(d, off + 2);
        off += 4;
    }
    std::size_t at = 0, len = 0;
    if (type == 0x0800 && d.size() >= off + 20) {
        at = off + 12;
        len = 4;
    } else if (type == 0x86dd && d.size() >= off + 40) {
        at = off + 8;
        len = 16;
    } else {
        return 0;
    }
    return pairShard(d.data() + at, d.data() + at + len, len, workers);
}

/// The worker of a decoded address pair: the one shardOf() gives its frames.
std::size_t pairShard(const decode::IpAddress& x, const decode::IpAddress& y,
                      std::size_t workers) {
    return pairShard(x.bytes.data(), y.bytes.data(), x.v6 ? 16 : 4, workers);
}

// ---- Events a worker records for the consumer (several workers only) ----
// Each event is a small fixed record (Event) in capture order; what does not fit in it (a
// decoded packet, an operation, ...) sits in the batch's slots of its kind, which are reused
// from batch to batch (assignment keeps their strings' and vectors' storage), so recording
// an event neither allocates nor writes more than it carries, and recycling a batch frees
// nothing.
struct DecodedEvent {
    decode::DecodedPacket packet;  // l2Payload cleared; payload re-pointed at replay
    bool payloadInExtra = false;   // payload copied into Batch::extra (a reassembled datagram)
    std::size_t payloadOffset = 0, payloadSize = 0;
    bool rateAlarmed = false;  // traffic_anomaly due: the worker's rate shard counted the packet
    detect::RateTracker::Alarm rateAlarm;
};
struct ResolveEvent {
    std::uint64_t flow;
    decode::IpAddress client, server;
    bool tcp;
    std::uint16_t port;
    std::string protocol;
    std::int64_t tsUs;
    std::uint32_t deferredPackets;
    std::uint64_t deferredBytes;
    std::int64_t deferredFirstUs;
};
/// A flow's packets counted into its inventory connection: summed per batch by the worker
/// (the counters are sums and a maximum, read only by snapshots, which wait for every batch).
struct CountEvent {
    std::uint64_t flow = 0;
    std::uint32_t packets = 0;
    std::uint64_t bytes = 0;
    std::int64_t lastUs = 0;
};
constexpr std::uint64_t kNoFlow = ~std::uint64_t{0};
struct OperationEvent {
    dissect::FlowContext flow;
    dissect::Operation op;
    // The flow's operations with this one (ShardedFlow::operations); 0: no flow context.
    std::uint8_t ordinal = 0;
};
struct IdentityEvent {
    dissect::FlowContext flow;
    dissect::Identity identity;
};
struct AnomalyEvent {
    dissect::FlowContext flow;
    std::string protocol, id;
};
struct FindingEvent {
    dissect::FlowContext flow;
    dissect::Finding finding;
};
enum class EventKind : std::uint8_t {
    Decoded, Connection, InFlow, Resolve, Count, Operation, Identity, Anomaly, Finding,
    Hold, FlowEnded
};
constexpr std::uint32_t kNoPacket = ~std::uint32_t{0};  // finish(): events of no packet
struct Event {
    std::uint32_t packet;  // index in the batch of the packet being analysed
    EventKind kind;
    bool on;               // Hold
    std::uint32_t slot;    // index in the batch's slots of this kind
    std::uint64_t flow;    // InFlow, Operation (kNoFlow: not with its flow's context), FlowEnded
};

/// Reused records of one kind: clear() keeps them, next() hands out the next one to assign.
template <class T>
struct Slots {
    std::vector<T> items;
    std::uint32_t used = 0;
    T& next() {
        if (used == items.size()) items.emplace_back();
        return items[used++];
    }
    void clear() { used = 0; }
};

/// Frames dispatched to one worker, and what the worker found in them, in order.
struct Batch {
    struct Entry {
        int linkType;
        std::int64_t timestampUs;
        std::uint32_t wireLength, length;
        std::size_t offset;
        std::uint64_t seq;  // capture order across workers
        std::uint8_t source;
    };
    std::vector<std::uint8_t> bytes;
    std::vector<Entry> packets;
    std::vector<Event> events;
    std::vector<std::uint8_t> extra;  // event bytes that do not point into `bytes`
    Slots<DecodedEvent> decoded;
    Slots<detect::ConnectionEvent> connections;
    Slots<ResolveEvent> resolves;
    Slots<CountEvent> counts;
    Slots<OperationEvent> operations;
    Slots<IdentityEvent> identities;
    Slots<AnomalyEvent> anomalies;
    Slots<FindingEvent> findings;

    void append(const RawPacket& p, std::uint64_t seq) {
        packets.push_back({p.linkType, p.timestampUs, p.wireLength,
                           static_cast<std::uint32_t>(p.data.size()), bytes.size(), seq,
                           p.source});
        bytes.insert(bytes.end(), p.data.begin(), p.data.end());
    }
    RawPacket at(std::size_t i) const {
        const auto& e = packets[i];
        return {e.linkType, e.timestampUs, e.wireLength,
                std::span<const std::uint8_t>(bytes.data() + e.offset, e.length), e.source};
    }
    std::size_t maxPackets = 1024;  // EngineOptions::batchPackets
    bool full() const { return packets.size() >= maxPackets || bytes.size() >= kBatchBytes; }
    void clear() {
        bytes.clear();
        packets.clear();
        events.clear();
        extra.clear();
        decoded.clear();
        connections.clear();
        resolves.clear();
        counts.clear();
        operations.clear();
        identities.clear();
        anomalies.clear();
        findings.clear();
    }
};

}  // namespace

struct Engine::Impl {
    struct Worker;
    explicit Impl(EngineOptions o);
    ~Impl();
    
    // The shared side: what the flow side found, in capture order.
    /// `rateAlarm`: several workers, what the packet's rate shard found (null: nothing).
    void onDecoded(const decode::DecodedPacket& p,
                   const detect::RateTracker::Alarm* rateAlarm = nullptr);
    /// Policy input: a unicast host that sends. Most packets' senders are in the direct-mapped
    /// cache: that check is inline, the rest is observeNewHost().
    void observeHost(const decode::IpAddress& ip, std::int64_t tsUs) {
        auto& slot = knownHostSlots[(detect::ipWord(ip) >> 32) & (kKnownHostSlots - 1)];
        // An empty slot holds 0.0.0.0, never a caller's (unicast hosts only).
        if (!detect::sameIp(slot, ip)) observeNewHost(ip, tsUs, slot);
    }
    void observeNewHost(const decode::IpAddress& ip, std::int64_t tsUs, decode::IpAddress& slot);
    void onConnection(const detect::ConnectionEvent& c) {
        detector.onConnection(c, [&](bool server) {
            awaitInventory();
            return inventory.deviceIdForIp(server ? c.serverIp : c.clientIp);
        });
    }
    void resolve(SharedFlow& flow, const ResolveEvent& r);
    /// `shared`: the flow the operation's context describes (its memo), or null.
    void onOperation(const dissect::FlowContext& flow, const dissect::Operation& op,
                     SharedFlow* shared) {
        OperationMemos* memo = memoOf(shared);
        inventory.observeOperation(flow, op, memo ? &memo->inventory : nullptr);
        detectOperation(flow, op, memo);
    }
    void detectOperation(const dissect::FlowContext& flow, const dissect::Operation& op,
                         OperationMemos* memo) {
        // Device ids only for an alert (observeOperation does not change them).
        detector.onOperation(
            flow, op,
            [&](bool server) {
                awaitInventory();
                return server ? inventory.deviceIdFor(flow.serverIp, flow.serverMac)
                              : inventory.deviceIdFor(flow.clientIp, flow.clientMac);
            },
            memo ? &memo->detector : nullptr);
    }
    /// Several workers: each consumer stage's flows by id (detection: the detector memo;
    /// inventory: connection, inventory memo, evidence ring). Consecutive events are mostly
    /// about one flow: the last one found is kept (map nodes are stable; FlowEnded forgets it).
    struct FlowMap {
        std::unordered_map<std::uint64_t, SharedFlow> byId;
        std::uint64_t lastId = kNoFlow;
        SharedFlow* last = nullptr;
        SharedFlow& operator[](std::uint64_t id) {
            if (id != lastId) {
                last = &byId[id];
                lastId = id;
            }
            return *last;
        }
        /// Forgets the flow; calls `ended` with it first when it is known.
        template <class F>
        void erase(std::uint64_t id, F&& ended) {
            const auto it = byId.find(id);
            if (it == byId.end()) return;
            if (id == lastId) lastId = kNoFlow;
            ended(it->second);
            byId.erase(it);
        }
    };
    /// The flow's memos, allocated with its third operation (counted per stage: both stages
    /// see the same operations, so they allocate at the same one).
    static OperationMemos* memoOf(SharedFlow* shared) {
        if (shared && !shared->memo && ++shared->operations > kMemoAfterOperations) {
            shared->memo = std::make_unique<OperationMemos>();
        }
        return shared ? shared->memo.get() : nullptr;
    }
    void replay(Batch& batch, std::size_t& eventIndex, std::uint32_t packet);
    void applyDetection(Batch& batch, std::size_t eventIndex);
    void applyInventory(Batch& batch, const Event& event);
    void applyEvidence(const Event& event);
    /// The inventory stage's part of a packet detection has finished: its inventory events
    /// from `event` on (those before were applied for awaitInventory) and its evidence (from
    /// its first event, `begin`); `event` ends after the packet's last event.
    void finishPacket(Batch& batch, std::uint32_t packet, std::uint64_t seq, std::size_t begin,
                      std::size_t& event);
    /// Detection stage: the inventory as it stands at the current point of the capture (with
    /// one worker) before it is read; see inventoryLoop().
    void awaitInventory();
    void inventoryLoop();
    void wakeInventory();

    Status applyNetwork(const config::NetworkSettings& network) {
        if (auto st = config::checkNetworkSettings(network); !st) return st;
        std::string subnets;
        for (const auto& s : network.icsSubnets) subnets += s + "\n";
        auto ics = detect::IndicatorList::parse(subnets, "network.ics_subnets");
        if (!ics) return ics.error();
        std::vector<std::pair<std::uint32_t, std::uint32_t>> ranges;
        for (const auto& d : network.dhcpRanges) {
            const auto r = config::parseDhcpRange(d);
            ranges.emplace_back(r->first, r->last);
        }
        std::map<std::uint32_t, std::string> names;
        for (const auto& v : network.vlanNames) names.insert(*config::parseVlanName(v));
        detector.setNetworkPolicy(std::move(*ics), std::move(ranges));
        vlanNames = std::move(names);
        return {};
    }
    /// The site's names of the device's VLANs (DeviceRecord::vlanNames).
    void nameVlans(DeviceRecord& d) const {
        d.vlanNames.clear();
        for (const auto id : d.vlans) {
            if (auto it = vlanNames.find(id); it != vlanNames.end()) d.vlanNames[id] = it->second;
        }
    }
    void countPacket(const RawPacket& raw) {
        ++stats.packets;
        stats.bytes += raw.wireLength;
        if (firstUs < 0) firstUs = raw.timestampUs;
        lastUs = std::max(lastUs, raw.timestampUs);
    }
    void processDirect(const RawPacket& raw);
    void finish();

    // Several workers.
    void start();
    void stop();
    void dispatch(const RawPacket& raw);
    Batch* acquire();
    void flushPartials();  // caller holds dispatchMutex
    void sync();           // caller holds dispatchMutex: every dispatched packet is analysed
    void workerLoop(Worker& w);
    void consumerLoop();
    bool sharded() const { return workers.size() > 1; }

    std::shared_ptr<const plugins::PluginSet> plugins;  // for parsePortAlias
    mutable StateLock mutex;                            // the shared side's state
    inventory::Inventory inventory;
    detect::Detector detector;
    EvidenceRecorder evidence;  // after detector: destroyed before it
    CaptureStats stats;
    std::int64_t firstUs = -1, lastUs = 0;
    // Hosts the detector already knows (it keeps them for good): its onHost() is a no-op for
    // them, so the per-packet text conversion and lookup are skipped.
    std::unordered_set<decode::IpAddress, inventory::IpHash> knownHosts;
    // Direct-mapped in front of knownHosts (which never forgets one): most packets' senders.
    static constexpr std::size_t kKnownHostSlots = 4096;  // a power of two
    std::array<decode::IpAddress, kKnownHostSlots> knownHostSlots{};
    std::map<std::string, SentDevice> sentDevices;
    std::unordered_map<const inventory::Inventory::ConnInfo*, SentConnection> sentConnections;
    std::unordered_set<std::string> sentDeviceIds;  // the texts sentConnections points to
    std::map<std::uint32_t, std::string> vlanNames;  // [network] vlan_names
    FlowMap detectionFlows, inventoryFlows;  // several workers
    // After the shared state: workers (and their flows' rings) go first.
    std::vector<std::unique_ptr<Worker>> workers;

    // Several workers: process() and the API calls (dispatchMutex) -> workers -> consumer.
    std::mutex dispatchMutex;
    std::mutex queueMutex;  // everything below
    // One per waiter (no thread is woken for another's hand-off): a worker's inbox, the
    // consumer's outboxes, the dispatcher's free batches, sync()'s progress.
    std::unique_ptr<std::condition_variable[]> inboxReady;
    std::condition_variable outboxReady, poolReady, consumedReady;
    std::vector<std::unique_ptr<Batch>> batches;  // all of them (the pool's storage)
    std::size_t batchPackets = 1024, batchesPerWorker = 8;  // EngineOptions
    std::function<void()> afterDetectionPublished;          // EngineOptions (tests)
    std::vector<Batch*> pool;                     // free
    std::vector<std::deque<Batch*>> inbox, outbox;
    std::vector<Batch*> partial;  // dispatcher's batch being filled, per worker (dispatchMutex)
    std::uint64_t dispatched = 0;  // packets (dispatchMutex)
    std::uint64_t consumed = 0;    // packets both consumer stages have analysed
    bool stopping = false;
    std::thread consumer;
    // The two consumer stages. Detection (consumerLoop) takes the workers' batches in capture
    // order and hands each on to the inventory stage (inventoryInbox) as it opens it; the
    // inventory stage (inventoryLoop) applies the inventory's and the evidence's events of the
    // packets detection has finished (detectionDone) and returns the batches to the pool. When
    // detection must read the inventory within packet `request.seq`, it asks for the
    // inventory's events of that packet before `request.event` (the batch's event index) and
    // waits for them. The alerts detection raises go with their packet (raiseQueue).
    std::vector<std::deque<Batch*>> inventoryInbox;  // queueMutex
    std::thread inventoryThread;
    std::mutex inventoryMutex;  // the inventory stage's state (ApiLock takes it too)
    std::atomic<std::uint64_t> detectionDone{0};  // packets the detection stage finished
    std::atomic<bool> inventorySleeping{false};
    std::mutex stageMutex;  // everything below
    std::condition_variable inventoryWake, inventoryReached;
    struct StageRequest {
        std::uint64_t seq = kNoFlow;
        std::size_t event = 0;
    } request, reached;  // detection's request, and how far the inventory got in that packet
    bool stageStopping = false;
    bool inventoryExited = false;  // (teardown) detection waits for nothing any more
    struct RaiseRecord {  // an alert raised while detection applied batch event `event`
        std::size_t event;
        std::string alertId;
        bool created;
    };
    struct PacketRaises {
        std::uint64_t seq;
        std::vector<RaiseRecord> raises;
    };
    std::deque<PacketRaises> raiseQueue;  // in packet order
    std::atomic<std::uint64_t> raisesQueued{0};
    std::uint64_t raisesTaken = 0;        // inventory stage only
    std::vector<RaiseRecord> packetRaises, takenRaises;  // detection's / the inventory stage's
    // Detection stage only: where it is (awaitInventory's target) and what it confirmed.
    bool detecting = false;  // replaying a batch on the consumer thread
    std::uint64_t detectSeq = 0;
    std::size_t detectIndex = 0;  // the event being applied
    std::size_t detectEvent = 0;  // inventory events of packet detectSeq before this index
    StageRequest confirmed;

    /// API calls: serialised with process(); with several workers, after every dispatched
    /// packet is analysed (so results and settings apply at the same point of the capture).
    struct ApiLock {
        explicit ApiLock(Impl& impl) : dispatch(impl.dispatchMutex) {
            impl.sync();
            state = std::unique_lock(impl.mutex);
            inventoryState = std::unique_lock(impl.inventoryMutex);
        }
        std::unique_lock<std::mutex> dispatch;
        std::unique_lock<StateLock> state;
        std::unique_lock<std::mutex> inventoryState;
    };
};


/// The flow side of the pipeline: decode, flow table, TCP ordering and the dissectors of the
/// flows (and Ethernet-level frames) given to it. Never touches inventory or detection itself.
struct Engine::Impl::Worker : dissect::EventSink {
    Worker(Engine::Impl& impl, const EngineOptions& o, std::size_t index, std::size_t count);

    void process(const RawPacket& raw);
    void onTcpOrUdp(const decode::DecodedPacket& p);
    void onTcpGap(AppFlow& app, int senderIsB, decode::GapReason reason);
    void flushFlow(decode::Flow& flow);
    void finish();
    void onFrame(const decode::DecodedPacket& p);
    void observeNewFlow(const decode::Flow& flow, const AppFlow& app, bool tcp, std::int64_t tsUs);
    void releaseIfFinished(AppFlow& app);
    void parse(decode::Flow& flow, AppFlow& app, int senderIsB, std::span<const std::uint8_t> data,
               std::int64_t tsUs);
    void deliver(decode::Flow& flow, AppFlow& app, int senderIsB,
                 std::span<const std::uint8_t> data, std::int64_t tsUs);
    const dissect::FlowContext& context(const decode::Flow& flow, const AppFlow& app,
                                        std::int64_t tsUs);
    struct ContextEntry;
    /// context()'s entry for a flow it does not hold (or for another server side).
    ContextEntry& buildContext(const decode::Flow& flow, const AppFlow& app);
    void probeHeuristics(decode::Flow& flow, AppFlow& app, const decode::DecodedPacket& p);
    void resolveConnection(const decode::Flow& flow, AppFlow& app, std::int64_t tsUs);
    void settleDeferred(decode::Flow& flow);
    void applyPortAliases(const std::vector<PortAlias>& aliases) {
        portAliases.clear();
        for (const auto& alias : aliases) {
            const auto transport = alias.tcp ? dissect::Transport::Tcp : dissect::Transport::Udp;
            if (const auto* info = registry.byName(transport, alias.protocol)) {
                portAliases[{alias.tcp, alias.port}] = info;
            }
        }
    }
    /// The dissector a server port binds: the site's port aliases first, then the defaults.
    const dissect::DissectorInfo* boundTo(dissect::Transport transport, std::uint16_t port) const {
        if (!portAliases.empty()) {
            const auto it = portAliases.find({transport == dissect::Transport::Tcp, port});
            if (it != portAliases.end()) return it->second;
        }
        return registry.forPort(transport, port);
    }

    // What the shared side gets: called at once (one worker) or recorded into `out`.
    void emitDecoded(const decode::DecodedPacket& p, const RawPacket& raw);
    void emitConnection(detect::ConnectionEvent c);
    void emitInFlow(AppFlow& app);
    void emitCount(AppFlow& app, std::uint32_t bytes, std::int64_t tsUs);
    void emitHold(bool on);
    void emitFlowEnded(AppFlow& app);
    void flushCount(AppFlow& app);
    void flushCounts() {
        while (!counting.empty()) flushCount(*counting.back());
    }
    void record(EventKind kind, std::uint32_t slot = 0, std::uint64_t flow = kNoFlow,
                bool on = false) {
        out->events.push_back({currentPacket, kind, on, slot, flow});
    }

    // EventSink
    void onOperation(const dissect::FlowContext& flow, const dissect::Operation& op) override;
    void onIdentity(const dissect::FlowContext& flow, const dissect::Identity& id) override;
    void onAnomaly(const dissect::FlowContext& flow, std::string_view protocol,
                   std::string_view anomalyId) override;
    void onFinding(const dissect::FlowContext& flow, const dissect::Finding& finding) override;

    Engine::Impl& impl;
    const bool direct;  // one worker: the shared side is called at once, on this thread
    const std::size_t index, count;
    Batch* out = nullptr;  // several workers: where events go
    std::uint32_t currentPacket = kNoPacket;
    std::uint64_t nextFlowId = 0;
    std::vector<AppFlow*> counting;  // flows with packets counted but not recorded yet
    detect::RateTracker* rates = nullptr;  // several workers: its pairs' (the detector's shard)
    // First member of the flow side, destroyed last: plugin libraries outlive every flow's
    // plugin dissector.
    std::shared_ptr<const plugins::PluginSet> plugins;
    bool pluginHeuristics = false;
    bool heuristics = false;  // built-in or plugin probes for flows no port binds
    std::vector<const dissect::DissectorInfo*> heuristicDissectors;  // built in, into registry
    std::map<std::pair<bool, std::uint16_t>, const dissect::DissectorInfo*> portAliases;
    dissect::DissectorRegistry registry;
    std::map<const dissect::FrameDissectorInfo*, dissect::FrameDissectorPtr> frameDissectors;
    decode::Decoder decoder;
    decode::FlowTable flows;
    decode::FlowSlots<AppFlow> apps;  // by the flow's slot; after plugins (see above)
    AppFlow& appOf(const decode::Flow& flow) { return apps[flow.slot()]; }
    /// context()'s flow contexts, direct-mapped by flow slot: flows interleave (a master polls
    /// its PLCs in turn, hundreds of flows apart), and rebuilding the context of each delivery
    /// from another flow than the one before cost ~110 instructions (its address texts). An
    /// entry is forgotten when its flow is dropped (the slot's next flow is another). Not
    /// memory per flow: the table follows the slots in use up to kMaxContextEntries (~200 KB).
    struct ContextEntry {
        dissect::FlowContext context;
        decode::IpAddress serverIp, clientIp;  // what its texts say (an end that stays keeps it)
        std::uint32_t slotPlus1 = 0;           // the flow it describes (its slot + 1), 0: none
        bool serverIsA = false;
        bool texts = false;  // serverIp and clientIp were set
    };
    static constexpr std::uint32_t kMaxContextEntries = 1024;  // a power of two
    std::unique_ptr<ContextEntry[]> contexts = std::make_unique<ContextEntry[]>(16);
    std::uint32_t contextCount = 16;  // a power of two
    ContextEntry& contextEntry(const decode::Flow& flow) {
        return contexts[flow.slot() & (contextCount - 1)];
    }
    decode::DecodedPacket decoded;  // process()'s packet (only used during the call)
    IpTextCache ipTexts;            // context()'s address texts
    AppFlow* delivering = nullptr;  // the flow whose data a dissector is parsing (deliver())
    const dissect::FlowContext* deliveringContext = nullptr;  // the context it was given
    bool releaseFinished = true;    // EngineOptions::releaseFinishedDissectors
    std::uint64_t dissectorsReleased = 0;
    std::thread thread;  // several workers
};

Engine::Impl::Impl(EngineOptions o)
    : plugins(o.plugins),
      detector(o.learning,
               detect::DetectorOptions{.silentAfterUs = o.silentAfterSeconds * 1'000'000}),
      evidence(o.evidence) {
    // Alert engines: devices named by the inventory; indicators checked by analyze/run.
    detector.setDeviceNamer([this](const std::string& ip) {
        awaitInventory();
        return inventory.deviceIdForIp(ip);
    });
    if (auto list = detect::IndicatorList::parse(o.indicators)) detector.setIndicators(*list);
    (void)applyNetwork(o.network);  // checked by the caller (config validation)
    inventory.setInterfaces(o.interfaces);
    detector.setRaiseHook([this](const std::string& id, bool created) {
        if (!detecting) {
            evidence.raised(id, created);
        } else if (evidence.enabled()) {  // several workers: with the packet, to the evidence
            packetRaises.push_back({detectIndex, id, created});
        }
    });
    const std::size_t n = std::clamp<std::size_t>(o.workers, 1, kMaxEngineWorkers);
    for (std::size_t i = 0; i < n; ++i) workers.push_back(std::make_unique<Worker>(*this, o, i, n));
    if (n > 1) {
        // traffic_anomaly per address pair: counted by the pair's worker.
        const auto shards = detector.shardRates(
            n, [n](const decode::IpAddress& x, const decode::IpAddress& y) {
                return pairShard(x, y, n);
            });
        for (std::size_t i = 0; i < n; ++i) workers[i]->rates = shards[i];
        batchPackets = std::max<std::size_t>(o.batchPackets, 1);
        batchesPerWorker = std::max<std::size_t>(o.batchesPerWorker, 1);
        afterDetectionPublished = o.afterDetectionPublished;
        start();
    }
}

Engine::Impl::~Impl() { stop(); }

void Engine::Impl::processDirect(const RawPacket& raw) {
    countPacket(raw);
    if (!evidence.enabled()) {  // analyze's default: no ring takes the packet (no-op calls)
        workers[0]->process(raw);
        return;
    }
    evidence.packet(raw);
    workers[0]->process(raw);
    evidence.endPacket();
}

Engine::Impl::Worker::Worker(Engine::Impl& owner, const EngineOptions& o, std::size_t i,
                             std::size_t n)
    : impl(owner),
      direct(n == 1),
      index(i),
      count(n),
      plugins(o.plugins),
      flows(decode::FlowLimits{.maxFlows = std::max<std::size_t>(1, (o.maxFlows + n - 1) / n)}) {
    (void)dissect::registerAllDissectors(registry);
    if (plugins) {
        plugins->registerInto(registry);  // their ports were checked free when loaded
        pluginHeuristics = plugins->hasHeuristics();
    }
    for (const auto& info : registry.all()) {
        if (info.heuristic && info.probe) heuristicDissectors.push_back(&info);
    }
    heuristics = pluginHeuristics || !heuristicDissectors.empty();
    releaseFinished = o.releaseFinishedDissectors;
    applyPortAliases(o.portAliases);
    flows.setExpiryHandler([this](decode::Flow& flow) {
        emitHold(true);  // alerts from its buffered data: not the current packet's
        settleDeferred(flow);
        flushFlow(flow);
        emitHold(false);
        AppFlow& app = appOf(flow);
        emitFlowEnded(app);
        app = AppFlow{};  // frees its dissector and buffers; the slot's next flow starts afresh
        ContextEntry& entry = contextEntry(flow);  // the slot's next flow is another
        if (entry.slotPlus1 == flow.slot() + 1) entry.slotPlus1 = 0;
    });
    for (const auto& info : registry.frameDissectors()) frameDissectors[&info] = info.create();
}

void Engine::Impl::Worker::emitDecoded(const decode::DecodedPacket& p, const RawPacket& raw) {
    if (direct) {
        impl.onDecoded(p);
        return;
    }
    const auto slot = out->decoded.used;
    DecodedEvent& e = out->decoded.next();
    e.packet = p;
    e.packet.l2Payload = {};  // the shared side does not read it
    e.packet.payload = {};    // given its address again at replay
    e.payloadInExtra = false;
    e.payloadOffset = 0;
    e.payloadSize = p.payload.size();
    // traffic_anomaly's count of the pair: here, where all of the pair's packets meet (the
    // learning flag changes only while every worker is idle, see ApiLock).
    const auto* alarm = rates->count(p, impl.detector.learning());
    e.rateAlarmed = alarm != nullptr;
    if (alarm) e.rateAlarm = *alarm;
    if (!p.payload.empty()) {
        const auto base = reinterpret_cast<std::uintptr_t>(raw.data.data());
        const auto at = reinterpret_cast<std::uintptr_t>(p.payload.data());
        if (at >= base && at + p.payload.size() <= base + raw.data.size()) {
            e.payloadOffset = out->packets[currentPacket].offset + (at - base);
        } else {  // a reassembled datagram: its bytes live in the decoder
            e.payloadInExtra = true;
            e.payloadOffset = out->extra.size();
            out->extra.insert(out->extra.end(), p.payload.begin(), p.payload.end());
        }
    }
    record(EventKind::Decoded, slot);
}

void Engine::Impl::Worker::emitConnection(detect::ConnectionEvent c) {
    if (direct) {
        impl.onConnection(c);
    } else {
        const auto slot = out->connections.used;
        out->connections.next() = std::move(c);
        record(EventKind::Connection, slot);
    }
}

void Engine::Impl::Worker::emitInFlow(AppFlow& app) {
    if (direct) {
        if (impl.evidence.enabled()) impl.evidence.inFlow(app.shared().recent);
    } else {
        record(EventKind::InFlow, 0, app.id());
    }
}

void Engine::Impl::Worker::emitCount(AppFlow& app, std::uint32_t bytes, std::int64_t tsUs) {
    if (direct) {
        if (auto* connection = app.shared().connection) {
            inventory::Inventory::count(*connection, bytes, tsUs);
        }
        return;
    }
    // Several workers: summed per flow until the end of the batch (or the flow's connection
    // changes, or the flow ends): one event per flow and batch instead of one per packet.
    ShardedFlow& s = app.sharded();
    if (s.countPackets++ == 0) {
        s.countIndex = static_cast<std::uint32_t>(counting.size());
        counting.push_back(&app);
        s.countBytes = 0;
        s.countLastUs = tsUs;
    }
    s.countBytes += bytes;
    s.countLastUs = std::max(s.countLastUs, tsUs);
}

void Engine::Impl::Worker::flushCount(AppFlow& app) {
    ShardedFlow& s = app.sharded();
    if (s.countPackets == 0) return;
    const auto slot = out->counts.used;
    out->counts.next() = {s.id, s.countPackets, s.countBytes, s.countLastUs};
    record(EventKind::Count, slot);
    s.countPackets = 0;
    AppFlow* last = counting.back();  // swap-remove from the list
    counting[s.countIndex] = last;
    last->sharded().countIndex = s.countIndex;
    counting.pop_back();
}

void Engine::Impl::Worker::emitHold(bool on) {
    if (direct) {
        impl.evidence.hold(on);
    } else {
        record(EventKind::Hold, 0, kNoFlow, on);
    }
}

void Engine::Impl::Worker::emitFlowEnded(AppFlow& app) {
    if (direct) {
        impl.evidence.flowEnded(app.shared().recent);
    } else {
        flushCount(app);  // before its SharedFlow goes
        record(EventKind::FlowEnded, 0, app.id());
    }
}

void Engine::Impl::Worker::onOperation(const dissect::FlowContext& flow,
                                       const dissect::Operation& op) {
    // The flow being parsed, when the operation comes with its context (not a copy, not a
    // frame's): its memo makes the shared side's lookups cheap.
    AppFlow* app = &flow == deliveringContext ? delivering : nullptr;
    if (direct) {
        impl.onOperation(flow, op, app ? &app->shared() : nullptr);
    } else {
        const auto slot = out->operations.used;
        auto& e = out->operations.next();
        e.flow = flow;
        e.op = op;
        e.ordinal = 0;
        if (app) {
            auto& operations = app->sharded().operations;
            if (operations <= kMemoAfterOperations) ++operations;
            e.ordinal = operations;
        }
        record(EventKind::Operation, slot, app ? app->id() : kNoFlow);
    }
}

void Engine::Impl::Worker::onIdentity(const dissect::FlowContext& flow,
                                      const dissect::Identity& id) {
    if (direct) {
        impl.inventory.observeIdentity(flow, id);
    } else {
        const auto slot = out->identities.used;
        auto& e = out->identities.next();
        e.flow = flow;
        e.identity = id;
        record(EventKind::Identity, slot);
    }
}

void Engine::Impl::Worker::onAnomaly(const dissect::FlowContext& flow, std::string_view protocol,
                                     std::string_view anomalyId) {
    if (direct) {
        impl.detector.onAnomaly(flow, protocol, anomalyId);
    } else {
        const auto slot = out->anomalies.used;
        auto& e = out->anomalies.next();
        e.flow = flow;
        e.protocol = protocol;
        e.id = anomalyId;
        record(EventKind::Anomaly, slot);
    }
}

void Engine::Impl::Worker::onFinding(const dissect::FlowContext& flow,
                                     const dissect::Finding& finding) {
    if (direct) {
        impl.detector.onFinding(flow, finding);
    } else {
        const auto slot = out->findings.used;
        auto& e = out->findings.next();
        e.flow = flow;
        e.finding = finding;
        record(EventKind::Finding, slot);
    }
}

void Engine::Impl::Worker::process(const RawPacket& raw) {
    decode::DecodedPacket& p = decoded;  // decode() resets it: no second initialisation
    const auto status = decoder.decode(raw, p);
    if (status == decode::DecodeStatus::Malformed) return;
    emitDecoded(p, raw);  // detector per packet, inventory, hosts
    if (p.isArp) return;
    if (status == decode::DecodeStatus::Ok && !p.hasIp && !p.l2Payload.empty()) onFrame(p);
    if (status != decode::DecodeStatus::Ok || !p.hasIp) return;
    if (p.l4 == decode::L4::Tcp || p.l4 == decode::L4::Udp) onTcpOrUdp(p);
}

/// The shared side of one decoded packet: per-packet detection, inventory, hosts.
void Engine::Impl::onDecoded(const decode::DecodedPacket& p,
                             const detect::RateTracker::Alarm* rateAlarm) {
    // anomaly / operational / IOC engines (packet time); several workers: traffic rates were
    // counted by the worker (its shard of the address pairs).
    if (sharded()) {
        detector.onPacket(p, rateAlarm);
    } else {
        detector.onPacket(p);
    }
    if (p.isArp) {
        inventory.observeArp(p);
        if (p.arp.senderIp.isUnicastHost()) observeHost(p.arp.senderIp, p.timestampUs);
        return;
    }
    inventory.observePacket(p);
    if (p.hasIp && p.srcIp.isUnicastHost()) observeHost(p.srcIp, p.timestampUs);
}

/// A sender the cache did not have: new_device when it is not in the baseline.
void Engine::Impl::observeNewHost(const decode::IpAddress& ip, std::int64_t tsUs,
                                  decode::IpAddress& slot) {
    if (knownHosts.count(ip)) {
        slot = ip;
        return;
    }
    const std::string text = ip.toString();
    // Learning: after this call the host is in the baseline for good (later calls are no-ops).
    if (detector.learning()) knownHosts.insert(ip);
    detector.onHost(text, tsUs, [&] {
        awaitInventory();
        return inventory.deviceIdForIp(text);
    });
}

/// Policy input: a new transport conversation (unauthorized_connection / new_protocol).
void Engine::Impl::Worker::observeNewFlow(const decode::Flow& flow, const AppFlow& app, bool tcp,
                            std::int64_t tsUs) {
    const auto& server = app.serverIsA ? flow.key.ipA : flow.key.ipB;
    const auto& client = app.serverIsA ? flow.key.ipB : flow.key.ipA;
    detect::ConnectionEvent c;
    c.clientIp = client.toString();
    c.serverIp = server.toString();
    c.transport = tcp ? "tcp" : "udp";
    c.serverPort = app.serverIsA ? flow.key.portA : flow.key.portB;
    c.protocol = app.info ? app.info->name : "";
    // Directed broadcasts (x.x.x.255) of discovery protocols are not connections to a device.
    c.unicast = client.isUnicastHost() && server.isUnicastHost() &&
                (server.v6 || tcp || server.bytes[3] != 255);
    c.timestampUs = tsUs;
    emitConnection(std::move(c));
}
void Engine::Impl::Worker::onTcpOrUdp(const decode::DecodedPacket& p) {
    auto lookup = flows.track(p);
    if (!lookup.flow) return;
    decode::Flow& flow = *lookup.flow;
    const bool tcp = p.l4 == decode::L4::Tcp;
    const auto transport = tcp ? dissect::Transport::Tcp : dissect::Transport::Udp;
    AppFlow& app = appOf(flow);
    if (lookup.created) {  // app is the default (a new slot, or reset when its flow went)
        // Server side: the dissector's registered port; else the lower port (SPEC / truth files).
        if (const auto* info = boundTo(transport, flow.key.portB)) {
            app.info = info;
            app.serverIsA = false;
        } else if (const auto* infoA = boundTo(transport, flow.key.portA)) {
            app.info = infoA;
            app.serverIsA = true;
        } else {
            app.serverIsA = flow.key.portA < flow.key.portB ||
                            (flow.key.portA == flow.key.portB && !flow.initiatorIsA);
            if (tcp && flow.sawSyn) app.serverIsA = !flow.initiatorIsA;
        }
        if (app.info) app.dissector = app.info->create();
        if (!direct) app.side.emplace<ShardedFlow>().id = nextFlowId++ * count + index;
        observeNewFlow(flow, app, tcp, p.timestampUs);
    }
    emitInFlow(app);
    if (!app.info && tcp && flow.sawSyn) app.serverIsA = !flow.initiatorIsA;  // SYN seen late
    if (!app.info && heuristics && app.probesLeft > 0) {
        if (!p.payload.empty()) probeHeuristics(flow, app, p);
        // Undecided: the packet waits in the flow instead of landing on a connection without a
        // protocol, so a flow a heuristic claims is one connection under the plugin's name.
        if (!app.info && app.probesLeft > 0 && app.deferredPackets() < kMaxDeferred) {
            Waiting& w = app.wait();
            if (w.deferredPackets++ == 0) w.deferredFirstUs = p.timestampUs;
            w.deferredBytes += p.wireLength;
            return;  // no dissector yet either
        }
        app.probesLeft = 0;
    }

    if (!app.connectionResolved || app.connectionServerIsA != app.serverIsA) {
        resolveConnection(flow, app, p.timestampUs);
    }
    emitCount(app, p.wireLength, p.timestampUs);
    if (!app.dissector) return;              // none, or released (its TCP reassembly state gone)
    const int senderIsB = lookup.direction;  // 0: sent by a
    if (tcp) {
        const auto onData = [&](int sender) {
            return [&, sender](std::span<const std::uint8_t> data) {
                deliver(flow, app, sender, data, p.timestampUs);
            };
        };
        const auto onGap = [&](int sender) {
            return [&, sender](decode::GapReason reason) { onTcpGap(app, sender, reason); };
        };
        if (p.tcpFlags & decode::tcpflag::kAck) {
            // The peer's buffered data behind a hole this packet acknowledges is delivered now:
            // the hole was lost by the capture, not by the network.
            auto& peer = flow.tcp(1 - senderIsB);
            if (peer.bufferedBytes() > 0) {
                peer.acked(p.ack, onData(1 - senderIsB), onGap(1 - senderIsB));
            } else {
                peer.acked(p.ack);
            }
        }
        flow.tcp(senderIsB).segment(p.seq, p.tcpFlags, p.payload, onData(senderIsB),
                                    onGap(senderIsB));
        // Released by this packet's data: nothing parses the flow's bytes any more, so its
        // reassembly state goes with what it buffered (memory per long-lived flow).
        if (!app.dissector) flow.dropTcpState();
    } else if (!p.payload.empty()) {
        app.clearPending(senderIsB);  // datagrams do not span packets
        deliver(flow, app, senderIsB, p.payload, p.timestampUs);
    }
}

void Engine::Impl::Worker::resolveConnection(const decode::Flow& flow, AppFlow& app,
                                             std::int64_t tsUs) {
    static const std::string kNone;
    ResolveEvent r{app.id(),
                   app.serverIsA ? flow.key.ipB : flow.key.ipA,
                   app.serverIsA ? flow.key.ipA : flow.key.ipB,
                   flow.key.protocol == 6,
                   app.serverIsA ? flow.key.portA : flow.key.portB,
                   app.info ? app.info->name : kNone,
                   tsUs,
                   app.waiting ? app.waiting->deferredPackets : 0,
                   app.waiting ? app.waiting->deferredBytes : 0,
                   app.waiting ? app.waiting->deferredFirstUs : 0};
    app.connectionResolved = true;
    app.connectionServerIsA = app.serverIsA;
    if (app.waiting) {  // the deferred packets are the connection's now
        app.waiting->deferredPackets = 0;
        app.waiting->deferredBytes = 0;
        if (app.waiting->direction[0].empty() && app.waiting->direction[1].empty()) {
            app.waiting.reset();
        }
    }
    if (direct) {
        impl.resolve(app.shared(), r);
    } else {
        flushCount(app);  // what was counted so far belongs to the connection before
        const auto slot = out->resolves.used;
        out->resolves.next() = std::move(r);
        record(EventKind::Resolve, slot);
    }
}

/// The flow's inventory connection; what waited for the heuristics joins it.
void Engine::Impl::resolve(SharedFlow& flow, const ResolveEvent& r) {
    flow.connection = inventory.connection(r.client, r.server, r.tcp ? "tcp" : "udp", r.port,
                                           r.protocol, r.tsUs);
    if (r.deferredPackets > 0 && flow.connection) {  // what waited for the plugin heuristics
        auto& c = *flow.connection;
        c.packets += r.deferredPackets;
        c.bytes += r.deferredBytes;
        c.firstUs = std::min(c.firstUs, r.deferredFirstUs);
        c.lastUs = std::max(c.lastUs, r.tsUs);
    }
}

/// A flow that ends (expiry, end of capture) while the heuristics were still undecided: its
/// packets go to a connection without a protocol after all.
void Engine::Impl::Worker::settleDeferred(decode::Flow& flow) {
    AppFlow& app = appOf(flow);
    if (app.deferredPackets() == 0) return;
    app.probesLeft = 0;
    resolveConnection(flow, app, flow.lastUs);
}

/// A flow no port binds: its first payload packets are offered to the heuristics, the built-in
/// dissectors' specific probes first, then the plugins'. On a match the flow's connection is
/// resolved under the protocol's name (the packets before, such as the handshake, waited in
/// AppFlow and join it).
void Engine::Impl::Worker::probeHeuristics(decode::Flow& flow, AppFlow& app,
                                   const decode::DecodedPacket& p) {
    --app.probesLeft;
    const auto transport =
        p.l4 == decode::L4::Tcp ? dissect::Transport::Tcp : dissect::Transport::Udp;
    const dissect::DissectorInfo* match = nullptr;
    auto answer = dissect::Probe::NoMatch;
    for (const auto* info : heuristicDissectors) {
        if (info->transport != transport) continue;
        const auto r = info->probe(p.payload);
        if (r == dissect::Probe::Match) {
            match = info;
            answer = r;
            break;
        }
        if (r == dissect::Probe::NeedMore) answer = r;
    }
    if (!match && pluginHeuristics) {
        const auto r = plugins->probe(context(flow, app, p.timestampUs), p.payload, match);
        if (r != dissect::Probe::NoMatch) answer = r;
    }
    if (answer == dissect::Probe::NoMatch) app.probesLeft = 0;
    if (answer != dissect::Probe::Match || !match) return;
    app.probesLeft = 0;
    app.info = match;
    app.dissector = match->create();
    app.connectionResolved = false;  // resolved again, under the protocol's name
}

/// Bytes of one direction were given up on: the dissector drops partial state and resyncs.
void Engine::Impl::Worker::onTcpGap(AppFlow& app, int senderIsB, decode::GapReason) {
    app.clearPending(senderIsB);
    if (!app.dissector) return;  // released
    const bool fromServer = (senderIsB == 0) == app.serverIsA;
    app.dissector->onGap(fromServer ? dissect::Direction::ToClient : dissect::Direction::ToServer);
    releaseIfFinished(app);
}

/// A dissector with nothing more to report goes, with the flow's unparsed bytes (memory per
/// concurrent flow: most long-lived flows are TLS, encrypted from the ServerHello on).
void Engine::Impl::Worker::releaseIfFinished(AppFlow& app) {
    if (!app.dissector->finished() || !releaseFinished) return;
    app.dissector.reset();
    app.clearPending(0);  // nothing parses them any more
    app.clearPending(1);
    if (app.deferredPackets() == 0) app.waiting.reset();
    ++dissectorsReleased;
}

/// Delivers what a TCP flow still buffers behind holes (end of capture, idle expiry).
void Engine::Impl::Worker::flushFlow(decode::Flow& flow) {
    if (flow.key.protocol != 6) return;
    AppFlow& app = appOf(flow);
    if (!app.dissector) return;  // none, or released (its reassembly dropped)
    for (int sender = 0; sender < 2; ++sender) {
        if (flow.tcpBuffered(sender) == 0) continue;
        flow.tcp(sender).flush(
            [&](std::span<const std::uint8_t> data) {
                deliver(flow, app, sender, data, flow.lastUs);
            },
            [&](decode::GapReason reason) { onTcpGap(app, sender, reason); });
    }
}

void Engine::Impl::Worker::finish() {
    flows.forEach([this](decode::Flow& flow) {
        settleDeferred(flow);
        flushFlow(flow);
    });
}

/// Ethernet-level protocols (LLDP, CDP, Profinet DCP): by EtherType or LLC/SNAP id, per frame.
void Engine::Impl::Worker::onFrame(const decode::DecodedPacket& p) {
    if (p.srcMac == decode::MacAddress{}) return;  // no sender MAC (e.g. a cooked capture)
    std::span<const std::uint8_t> inner;
    const auto* info = registry.forFrame(p.etherType, p.l2Payload, inner);
    if (!info) return;
    auto it = frameDissectors.find(info);
    if (it == frameDissectors.end() || !it->second) return;
    dissect::FrameContext frame;
    frame.srcMac = decode::toString(p.srcMac);
    frame.dstMac = decode::toString(p.dstMac);
    frame.vlan = p.vlan();
    frame.etherType = p.etherType;
    frame.timestampUs = p.timestampUs;
    it->second->onFrame(frame, inner, *this);
}

/// The dissectors' view of a flow, built in a reused entry (no allocation: IP texts fit the
/// strings' inline storage) rather than kept per flow (memory per concurrent flow matters more).
const dissect::FlowContext& Engine::Impl::Worker::context(const decode::Flow& flow,
                                                          const AppFlow& app, std::int64_t tsUs) {
    ContextEntry* entry = &contextEntry(flow);
    if (entry->slotPlus1 != flow.slot() + 1 || entry->serverIsA != app.serverIsA) [[unlikely]] {
        entry = &buildContext(flow, app);
    }
    entry->context.timestampUs = tsUs;
    return entry->context;
}

Engine::Impl::Worker::ContextEntry& Engine::Impl::Worker::buildContext(const decode::Flow& flow,
                                                                       const AppFlow& app) {
    if (flow.slot() >= contextCount && contextCount < kMaxContextEntries) {
        // More flows at once: a larger table, started afresh (entries are placed by size).
        while (contextCount <= flow.slot() && contextCount < kMaxContextEntries) contextCount *= 2;
        contexts = std::make_unique<ContextEntry[]>(contextCount);
    }
    ContextEntry& entry = contextEntry(flow);
    dissect::FlowContext& ctx = entry.context;
    // An end that stays (the entry's flow before had the same server) keeps its text.
    const auto& server = app.serverIsA ? flow.key.ipA : flow.key.ipB;
    const auto& client = app.serverIsA ? flow.key.ipB : flow.key.ipA;
    if (!entry.texts || server != entry.serverIp) ipTexts.assign(server, ctx.serverIp);
    if (!entry.texts || client != entry.clientIp) ipTexts.assign(client, ctx.clientIp);
    entry.serverIp = server;
    entry.clientIp = client;
    entry.texts = true;
    ctx.serverPort = app.serverIsA ? flow.key.portA : flow.key.portB;
    ctx.clientPort = app.serverIsA ? flow.key.portB : flow.key.portA;
    ctx.transport = flow.key.protocol == 6 ? dissect::Transport::Tcp : dissect::Transport::Udp;
    entry.slotPlus1 = flow.slot() + 1;
    entry.serverIsA = app.serverIsA;
    return entry;
}

void Engine::Impl::Worker::deliver(decode::Flow& flow, AppFlow& app, int senderIsB,
                                   std::span<const std::uint8_t> data, std::int64_t tsUs) {
    if (!app.dissector) return;  // released: it had nothing more to report
    parse(flow, app, senderIsB, data, tsUs);
    releaseIfFinished(app);
}

void Engine::Impl::Worker::parse(decode::Flow& flow, AppFlow& app, int senderIsB,
                                 std::span<const std::uint8_t> data, std::int64_t tsUs) {
    const bool fromServer = (senderIsB == 0) == app.serverIsA;
    const auto dir = fromServer ? dissect::Direction::ToClient : dissect::Direction::ToServer;
    const auto& ctx = context(flow, app, tsUs);
    std::vector<std::uint8_t>* pending = app.waiting ? &app.waiting->direction[senderIsB] : nullptr;
    std::span<const std::uint8_t> input = data;
    if (pending && !pending->empty()) {
        pending->insert(pending->end(), data.begin(), data.end());
        input = *pending;
    }
    delivering = &app;
    deliveringContext = &ctx;
    const auto result = app.dissector->onData(ctx, dir, input, *this);
    delivering = nullptr;
    deliveringContext = nullptr;
    if (result.status == dissect::ParseResult::Status::Error) {
        if (pending) pending->clear();
        return;
    }
    const std::size_t consumed = std::min(result.consumed, input.size());
    if (consumed == input.size()) {
        if (pending) pending->clear();
        return;
    }
    if (input.size() - consumed > kMaxAppBuffer) {
        if (pending) pending->clear();
        app.dissector->onGap(dir);
        return;
    }
    // Keep the unconsumed tail in place (no new buffer per call).
    if (!pending) pending = &app.wait().direction[senderIsB];
    if (pending->empty()) {
        pending->assign(input.begin() + static_cast<std::ptrdiff_t>(consumed), input.end());
    } else {
        pending->erase(pending->begin(), pending->begin() + static_cast<std::ptrdiff_t>(consumed));
    }
}

void Engine::Impl::finish() {
    if (!sharded()) {
        workers[0]->finish();
        evidence.finish();
        return;
    }
    sync();  // workers idle: their flows are read from this thread (ordered by queueMutex)
    Batch tail;
    for (auto& w : workers) {
        w->out = &tail;
        w->currentPacket = kNoPacket;
        w->finish();
        w->out = nullptr;
    }
    std::lock_guard lock(mutex);
    std::lock_guard inventoryLock(inventoryMutex);
    std::size_t next = 0;
    replay(tail, next, kNoPacket);
    evidence.finish();
}

/// The inventory stage's part of an event (several workers).
void Engine::Impl::applyInventory(Batch& batch, const Event& event) {
    switch (event.kind) {
        case EventKind::Decoded: {
            const auto& p = batch.decoded.items[event.slot].packet;  // payload: not read
            if (p.isArp) {
                inventory.observeArp(p);
            } else {
                inventory.observePacket(p);
            }
            break;
        }
        case EventKind::Resolve: {
            const auto& e = batch.resolves.items[event.slot];
            resolve(inventoryFlows[e.flow], e);
            break;
        }
        case EventKind::Count: {
            const auto& e = batch.counts.items[event.slot];
            if (auto* c = inventoryFlows[e.flow].connection) {  // as Inventory::count, summed
                if (e.lastUs > c->lastUs) c->lastUs = e.lastUs;
                c->packets += e.packets;
                c->bytes += e.bytes;
            }
            break;
        }
        case EventKind::Operation: {
            const auto& e = batch.operations.items[event.slot];
            OperationMemos* memo =
                memoOf(event.flow != kNoFlow ? &inventoryFlows[event.flow] : nullptr);
            inventory.observeOperation(e.flow, e.op, memo ? &memo->inventory : nullptr);
            break;
        }
        case EventKind::Identity: {
            const auto& e = batch.identities.items[event.slot];
            inventory.observeIdentity(e.flow, e.identity);
            break;
        }
        default:  // FlowEnded: in applyEvidence, after the packet's other events
            break;
    }
}

/// The evidence's part of an event (several workers: on the inventory stage).
void Engine::Impl::applyEvidence(const Event& event) {
    switch (event.kind) {
        case EventKind::InFlow:
            evidence.inFlow(inventoryFlows[event.flow].recent);
            break;
        case EventKind::Hold:
            evidence.hold(event.on);
            break;
        case EventKind::FlowEnded:
            inventoryFlows.erase(event.flow,
                                 [this](SharedFlow& flow) { evidence.flowEnded(flow.recent); });
            break;
        default:
            break;
    }
}

void Engine::Impl::finishPacket(Batch& batch, std::uint32_t packet, std::uint64_t seq,
                                std::size_t begin, std::size_t& event) {
    // The alerts detection raised in this packet (queued when it finished the packet).
    takenRaises.clear();
    if (raisesTaken != raisesQueued.load()) {
        std::lock_guard lock(stageMutex);
        if (!raiseQueue.empty() && raiseQueue.front().seq == seq) {
            takenRaises.swap(raiseQueue.front().raises);
            raiseQueue.pop_front();
            ++raisesTaken;
        }
    }
    evidence.packet(batch.at(packet));
    // Sizes in locals: the calls below could change them as far as the compiler knows.
    const Event* events = batch.events.data();
    const std::size_t count = batch.events.size(), applied = event, raises = takenRaises.size();
    std::size_t r = 0;
    std::size_t i = begin;
    for (; i < count && events[i].packet == packet; ++i) {
        if (i >= applied) applyInventory(batch, events[i]);
        applyEvidence(events[i]);
        for (; r < raises && takenRaises[r].event == i; ++r) {
            evidence.raised(takenRaises[r].alertId, takenRaises[r].created);
        }
    }
    event = i;
    for (; r < raises; ++r) {
        evidence.raised(takenRaises[r].alertId, takenRaises[r].created);
    }
    evidence.endPacket();
}

/// The detection stage's part of an event (several workers): detector, known hosts. Its
/// inventory reads (alert device names) see the inventory's events before this one, and this
/// one's too except while the detector looks at a decoded packet (which comes before the
/// inventory's observePacket with one worker).
void Engine::Impl::applyDetection(Batch& batch, std::size_t eventIndex) {
    Event& event = batch.events[eventIndex];
    detectIndex = eventIndex;
    detectEvent = eventIndex + 1;
    switch (event.kind) {
        case EventKind::Decoded: {
            auto& e = batch.decoded.items[event.slot];
            if (e.payloadSize > 0) {
                const auto& from = e.payloadInExtra ? batch.extra : batch.bytes;
                e.packet.payload =
                    std::span<const std::uint8_t>(from.data() + e.payloadOffset, e.payloadSize);
            }
            const auto& p = e.packet;
            detectEvent = eventIndex;
            detector.onPacket(p, e.rateAlarmed ? &e.rateAlarm : nullptr);
            detectEvent = eventIndex + 1;
            if (p.isArp) {
                if (p.arp.senderIp.isUnicastHost()) observeHost(p.arp.senderIp, p.timestampUs);
            } else if (p.hasIp && p.srcIp.isUnicastHost()) {
                observeHost(p.srcIp, p.timestampUs);
            }
            break;
        }
        case EventKind::Connection:
            onConnection(batch.connections.items[event.slot]);
            break;
        case EventKind::Operation: {
            const auto& e = batch.operations.items[event.slot];
            // A flow's state here is its memo only: none before its third operation (the
            // worker counts them), so most flows never get an entry.
            OperationMemos* memo = nullptr;
            if (event.flow != kNoFlow && e.ordinal > kMemoAfterOperations) {
                auto& flowMemo = detectionFlows[event.flow].memo;
                if (!flowMemo) flowMemo = std::make_unique<OperationMemos>();
                memo = flowMemo.get();
            }
            detectOperation(e.flow, e.op, memo);
            break;
        }
        case EventKind::Anomaly: {
            const auto& e = batch.anomalies.items[event.slot];
            detector.onAnomaly(e.flow, e.protocol, e.id);
            break;
        }
        case EventKind::Finding: {
            const auto& e = batch.findings.items[event.slot];
            detector.onFinding(e.flow, e.finding);
            break;
        }
        case EventKind::FlowEnded:
            detectionFlows.erase(event.flow, [](SharedFlow&) {});
            break;
        default:  // InFlow, Hold: the evidence's (applyEvidence)
            break;
    }
}

/// finish()'s events (no packet): both stages on this thread, in one-worker order.
void Engine::Impl::replay(Batch& batch, std::size_t& eventIndex, std::uint32_t packet) {
    for (; eventIndex < batch.events.size() && batch.events[eventIndex].packet == packet;
         ++eventIndex) {
        auto& event = batch.events[eventIndex];
        if (event.kind == EventKind::Decoded) {  // (only packets have them)
            auto& e = batch.decoded.items[event.slot];
            if (e.payloadSize > 0) {
                const auto& from = e.payloadInExtra ? batch.extra : batch.bytes;
                e.packet.payload =
                    std::span<const std::uint8_t>(from.data() + e.payloadOffset, e.payloadSize);
            }
            onDecoded(e.packet, e.rateAlarmed ? &e.rateAlarm : nullptr);
            continue;
        }
        applyInventory(batch, event);  // first: observeOperation precedes the detector's part
        applyDetection(batch, eventIndex);
        applyEvidence(event);
    }
}

void Engine::Impl::awaitInventory() {
    if (!detecting) return;  // one worker, finish(), API calls: nothing is behind
    if (confirmed.seq == detectSeq && confirmed.event == detectEvent) return;
    std::unique_lock lock(stageMutex);
    request = {detectSeq, detectEvent};
    inventoryWake.notify_one();
    inventoryReached.wait(lock, [&] {
        return inventoryExited || (reached.seq == detectSeq && reached.event == detectEvent);
    });
    confirmed = request;
}

void Engine::Impl::wakeInventory() {
    // With inventoryLoop's fence: either it sees detectionDone's new value before it sleeps, or
    // this sees it sleeping (the per-packet stores need no fence of their own).
    std::atomic_thread_fence(std::memory_order_seq_cst);
    if (!inventorySleeping.load(std::memory_order_relaxed)) return;
    std::lock_guard lock(stageMutex);
    inventoryWake.notify_one();
}

void Engine::Impl::start() {
    const std::size_t n = workers.size();
    inbox.resize(n);
    outbox.resize(n);
    inventoryInbox.resize(n);
    inboxReady = std::make_unique<std::condition_variable[]>(n);
    partial.assign(n, nullptr);
    for (std::size_t i = 0; i < n * batchesPerWorker; ++i) {
        batches.push_back(std::make_unique<Batch>());
        batches.back()->maxPackets = batchPackets;
        pool.push_back(batches.back().get());
    }
    for (auto& w : workers) {
        Worker* worker = w.get();
        worker->thread = std::thread([this, worker] { workerLoop(*worker); });
    }
    consumer = std::thread([this] { consumerLoop(); });
    inventoryThread = std::thread([this] { inventoryLoop(); });
}

void Engine::Impl::stop() {
    if (!sharded()) return;
    {
        std::lock_guard lock(queueMutex);
        stopping = true;
    }
    {
        std::lock_guard lock(stageMutex);
        stageStopping = true;
    }
    for (std::size_t w = 0; w < workers.size(); ++w) inboxReady[w].notify_all();
    outboxReady.notify_all();
    inventoryWake.notify_all();
    inventoryReached.notify_all();
    for (auto& w : workers) {
        if (w->thread.joinable()) w->thread.join();
    }
    if (consumer.joinable()) consumer.join();
    if (inventoryThread.joinable()) inventoryThread.join();
}

Batch* Engine::Impl::acquire() {
    std::unique_lock lock(queueMutex);
    if (pool.empty()) {
        // Back-pressure: everything is in flight. Hand the partial batches on first, so the
        // consumer can reach every packet dispatched so far and free batches.
        lock.unlock();
        flushPartials();
        lock.lock();
        poolReady.wait(lock, [&] { return !pool.empty(); });
    }
    Batch* b = pool.back();
    pool.pop_back();
    lock.unlock();
    b->clear();  // here, not on the consumer: freeing the events is not serial work
    return b;
}

void Engine::Impl::flushPartials() {
    for (std::size_t w = 0; w < partial.size(); ++w) {
        if (!partial[w]) continue;
        {
            std::lock_guard lock(queueMutex);
            inbox[w].push_back(partial[w]);
        }
        partial[w] = nullptr;
        inboxReady[w].notify_one();
    }
}

void Engine::Impl::dispatch(const RawPacket& raw) {
    const std::size_t w = shardOf(raw, workers.size());
    if (!partial[w]) partial[w] = acquire();
    Batch* b = partial[w];
    b->append(raw, dispatched++);
    if (!b->full()) return;
    partial[w] = nullptr;
    {
        std::lock_guard lock(queueMutex);
        inbox[w].push_back(b);
    }
    inboxReady[w].notify_one();
}

void Engine::Impl::sync() {
    if (!sharded()) return;
    flushPartials();
    std::unique_lock lock(queueMutex);
    consumedReady.wait(lock, [&] { return consumed == dispatched; });
}

void Engine::Impl::workerLoop(Worker& w) {
    // Named for top/perf and the benchmark's per-thread CPU split.
    ::pthread_setname_np(::pthread_self(), ("is-worker-" + std::to_string(w.index)).c_str());
    for (;;) {
        Batch* b = nullptr;
        {
            std::unique_lock lock(queueMutex);
            inboxReady[w.index].wait(lock, [&] { return stopping || !inbox[w.index].empty(); });
            if (stopping) return;
            b = inbox[w.index].front();
            inbox[w.index].pop_front();
        }
        w.out = b;
        for (std::size_t i = 0; i < b->packets.size(); ++i) {
            w.currentPacket = static_cast<std::uint32_t>(i);
            w.process(b->at(i));
        }
        w.flushCounts();  // with the batch's last packet: every count is in before a snapshot
        w.out = nullptr;
        w.currentPacket = kNoPacket;
        {
            std::lock_guard lock(queueMutex);
            outbox[w.index].push_back(b);
        }
        outboxReady.notify_one();
    }
}

/// The detection stage: replays the workers' batches in capture order (packet sequence) and
/// hands each batch on to the inventory stage as it opens it.
void Engine::Impl::consumerLoop() {
    ::pthread_setname_np(::pthread_self(), "is-consumer");
    const std::size_t n = workers.size();
    struct Cursor {
        Batch* batch = nullptr;
        std::size_t packet = 0, event = 0;
    };
    std::vector<Cursor> cur(n);
    std::uint64_t next = 0;  // sequence of the next packet to analyse
    for (;;) {
        {
            std::unique_lock lock(queueMutex);
            // Wait until the worker holding packet `next` has handed its batch over.
            outboxReady.wait(lock, [&] {
                if (stopping) return true;
                for (std::size_t w = 0; w < n; ++w) {
                    if (!cur[w].batch && !outbox[w].empty()) return true;
                }
                return false;
            });
            if (stopping) return;
            for (std::size_t w = 0; w < n; ++w) {
                if (cur[w].batch || outbox[w].empty()) continue;
                cur[w] = {outbox[w].front(), 0, 0};
                outbox[w].pop_front();
                inventoryInbox[w].push_back(cur[w].batch);  // returned to the pool from there
            }
        }
        // Analyse in sequence while the next packet is in a batch at hand.
        std::lock_guard state(mutex);
        detecting = true;
        for (bool progress = true; progress;) {
            progress = false;
            for (std::size_t w = 0; w < n; ++w) {
                auto& c = cur[w];
                while (c.batch && c.batch->packets[c.packet].seq == next) {
                    Batch& batch = *c.batch;
                    const auto packet = static_cast<std::uint32_t>(c.packet);
                    detectSeq = next;
                    countPacket(batch.at(packet));
                    const std::size_t count = batch.events.size();  // (see finishPacket)
                    for (; c.event < count && batch.events[c.event].packet == packet; ++c.event) {
                        applyDetection(batch, c.event);
                    }
                    if (!packetRaises.empty()) {
                        std::lock_guard lock(stageMutex);
                        raiseQueue.push_back({next, std::move(packetRaises)});
                        packetRaises.clear();
                        raisesQueued.fetch_add(1);
                    }
                    // Leave the batch before publishing the packet: once detectionDone passes a
                    // batch's last packet, the inventory stage may give it back to the pool and
                    // the reader refill it. (Reading its size after that kept a cursor on a
                    // refilled batch, and the 2-worker pipeline hung, ~1 run in 5 of a long
                    // detection-mode trace.)
                    if (++c.packet == batch.packets.size()) c = {};
                    detectionDone.store(++next, std::memory_order_release);
                    if (afterDetectionPublished) afterDetectionPublished();
                    if ((next & 255) == 0) wakeInventory();  // it works in chunks
                    progress = true;
                }
            }
        }
        detecting = false;
        wakeInventory();  // before this thread waits: the inventory catches up (sync())
    }
}

/// The inventory stage: applies the inventory's events of the packets the detection stage has
/// finished, in the same order; within the packet detection is at, only as far as detection
/// asks (awaitInventory), so what detection reads is what one worker would read.
void Engine::Impl::inventoryLoop() {
    ::pthread_setname_np(::pthread_self(), "is-inventory");
    const std::size_t n = workers.size();
    struct Cursor {
        Batch* batch = nullptr;
        std::size_t packet = 0, event = 0;
    };
    std::vector<Cursor> cur(n);
    std::vector<std::size_t> begin(n);  // first event of the cursor's packet
    std::uint64_t next = 0;  // sequence of the next packet to apply
    std::vector<Batch*> done;
    const auto at = [&](std::uint64_t seq) -> Cursor* {
        for (auto& c : cur) {
            if (c.batch && c.batch->packets[c.packet].seq == seq) return &c;
        }
        return nullptr;
    };
    // The packet's inventory events before event index `end` (detection waits for them).
    const auto apply = [&](Cursor& c, std::size_t end) {
        Batch& batch = *c.batch;
        for (; c.event < end && c.event < batch.events.size() &&
               batch.events[c.event].packet == c.packet;
             ++c.event) {
            applyInventory(batch, batch.events[c.event]);
        }
    };
    // Detection waits within packet `next` for the events before request.event (stageMutex).
    const auto asked = [&] {
        return request.seq == next && !(reached.seq == next && reached.event == request.event);
    };
    // The queue is visited only to take a batch, give one back, or publish progress before
    // sleeping (not once per chunk: this thread often follows detection packet by packet).
    bool visitQueue = true;
    std::uint64_t published = 0;  // `consumed` (only this thread writes it)
    for (;;) {
        if (visitQueue) {
            visitQueue = false;
            std::lock_guard lock(queueMutex);
            if (consumed != next) {
                consumed = published = next;
                consumedReady.notify_one();  // sync() waits for consumed == dispatched
            }
            for (Batch* b : done) pool.push_back(b);  // cleared by acquire()
            if (!done.empty()) poolReady.notify_one();
            done.clear();
            for (std::size_t w = 0; w < n; ++w) {
                if (cur[w].batch || inventoryInbox[w].empty()) continue;
                cur[w] = {inventoryInbox[w].front(), 0, 0};
                begin[w] = 0;
                inventoryInbox[w].pop_front();
            }
        }
        bool progress = false;
        {
            std::lock_guard state(inventoryMutex);
            const auto limit = detectionDone.load(std::memory_order_acquire);
            for (; next < limit; ++next) {
                Cursor* c = at(next);
                if (!c) {  // its batch is in the inbox
                    visitQueue = true;
                    break;
                }
                auto& first = begin[static_cast<std::size_t>(c - cur.data())];
                finishPacket(*c->batch, static_cast<std::uint32_t>(c->packet), next, first,
                             c->event);
                first = c->event;
                progress = true;
                if (++c->packet == c->batch->packets.size()) {
                    done.push_back(c->batch);
                    *c = {};
                    visitQueue = true;
                }
            }
        }
        if (progress) continue;
        std::unique_lock lock(stageMutex);
        if (stageStopping) {  // (the engine goes away with packets in flight)
            inventoryExited = true;
            inventoryReached.notify_all();
            return;
        }
        if (asked()) {
            if (Cursor* c = at(next)) {
                const StageRequest asking = request;  // detection waits: it stays as it is
                lock.unlock();  // one lock order: inventoryMutex, then stageMutex
                {
                    std::lock_guard state(inventoryMutex);
                    apply(*c, asking.event);
                }
                lock.lock();
                reached = asking;
                inventoryReached.notify_one();
            } else {
                visitQueue = true;
            }
            continue;
        }
        if (detectionDone.load() > next) continue;
        if (published != next) visitQueue = true;  // publish progress first (sync())
        if (visitQueue) continue;
        inventorySleeping.store(true, std::memory_order_relaxed);
        std::atomic_thread_fence(std::memory_order_seq_cst);  // see wakeInventory()
        inventoryWake.wait(lock, [&] {
            return stageStopping || detectionDone.load() > next || asked();
        });
        inventorySleeping.store(false, std::memory_order_relaxed);
    }
}

Engine::Engine(EngineOptions options) : impl_(std::make_unique<Impl>(options)) {}
Engine::~Engine() = default;


void Engine::process(const RawPacket& packet) {
    if (impl_->sharded()) {
        std::lock_guard lock(impl_->dispatchMutex);
        impl_->dispatch(packet);
        return;
    }
    std::lock_guard lock(impl_->mutex);
    impl_->processDirect(packet);
}

void Engine::finish() {
    std::lock_guard dispatch(impl_->dispatchMutex);
    if (!impl_->sharded()) {
        std::lock_guard lock(impl_->mutex);
        impl_->finish();
        return;
    }
    impl_->finish();
}
void Engine::setLearning(bool on) {
    Impl::ApiLock lock(*impl_);
    impl_->detector.setLearning(on);
}

bool Engine::learning() const {
    Impl::ApiLock lock(*impl_);
    return impl_->detector.learning();
}

std::string Engine::exportBaseline() const {
    Impl::ApiLock lock(*impl_);
    return impl_->detector.exportBaseline();
}

void Engine::importBaseline(const std::string& text) {
    Impl::ApiLock lock(*impl_);
    impl_->detector.importBaseline(text);
}

Status Engine::setNetwork(const config::NetworkSettings& network) {
    Impl::ApiLock lock(*impl_);
    return impl_->applyNetwork(network);
}

Status Engine::setPortAliases(const std::vector<std::string>& specs) {
    std::vector<PortAlias> aliases;
    for (const auto& spec : specs) {
        auto alias = parsePortAlias(spec, impl_->plugins.get());
        if (!alias) return alias.error();
        aliases.push_back(*alias);
    }
    Impl::ApiLock lock(*impl_);
    for (auto& w : impl_->workers) w->applyPortAliases(aliases);
    return {};
}

void Engine::restoreAlerts(const std::vector<AlertRecord>& alerts) {
    Impl::ApiLock lock(*impl_);
    impl_->detector.restoreAlerts(alerts);
}

std::string encodeAlert(const AlertRecord& a) {
    const nlohmann::json j = {
        {"id", a.id},         {"engine", a.engine},
        {"type", a.type},     {"severity", static_cast<int>(a.severity)},
        {"title", a.title},   {"description", a.description},
        {"remediation", a.remediation},
        {"src", a.src},       {"dst", a.dst},
        {"src_ip", a.srcIp},  {"dst_ip", a.dstIp},
        {"protocol", a.protocol}, {"mitre", a.mitre},
        {"count", a.count},   {"first_seen_ms", a.firstSeenMs},
        {"last_seen_ms", a.lastSeenMs}};
    // Replace invalid UTF-8 (texts carry protocol strings) rather than throw.
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Result<AlertRecord> decodeAlert(std::string_view text) {
    try {
        const auto j = nlohmann::json::parse(text);
        AlertRecord a;
        a.id = j.at("id").get<std::string>();
        a.engine = j.at("engine").get<std::string>();
        a.type = j.at("type").get<std::string>();
        const int severity = j.at("severity").get<int>();
        if (severity < 1 || severity > 4) return makeError("stored alert: bad severity");
        a.severity = static_cast<Severity>(severity);
        a.title = j.at("title").get<std::string>();
        a.description = j.at("description").get<std::string>();
        a.remediation = j.at("remediation").get<std::string>();
        a.src = j.at("src").get<std::string>();
        a.dst = j.at("dst").get<std::string>();
        a.srcIp = j.at("src_ip").get<std::string>();
        a.dstIp = j.at("dst_ip").get<std::string>();
        a.protocol = j.at("protocol").get<std::string>();
        a.mitre = j.at("mitre").get<std::string>();
        a.count = j.at("count").get<std::uint64_t>();
        a.firstSeenMs = j.at("first_seen_ms").get<std::int64_t>();
        a.lastSeenMs = j.at("last_seen_ms").get<std::int64_t>();
        if (a.id.empty() || a.type.empty()) return makeError("stored alert: no id or type");
        return a;
    } catch (const nlohmann::json::exception& e) {
        return makeError(std::string("stored alert: ") + e.what());
    }
}

bool Engine::learnAlert(const std::string& alertId) {
    Impl::ApiLock lock(*impl_);
    return impl_->detector.learnAlert(alertId);
}

bool Engine::muteAlert(const std::string& alertId, bool muted) {
    Impl::ApiLock lock(*impl_);
    return impl_->detector.muteAlert(alertId, muted);
}

Status Engine::addExclusion(const std::string& rule) {
    Impl::ApiLock lock(*impl_);
    return impl_->detector.addExclusion(rule);
}

std::vector<AlertEvidence> Engine::takeEvidence() {
    Impl::ApiLock lock(*impl_);
    return impl_->evidence.take();
}

void Engine::raiseSensorAlert(const std::string& type, const std::string& detail,
                              std::int64_t timestampMs) {
    Impl::ApiLock lock(*impl_);
    impl_->detector.raiseSensor(type, detail, timestampMs * 1000);
}

ChangeSet Engine::takeChanges() {
    Impl::ApiLock lock(*impl_);
    ChangeSet changes;
    std::string buffer;
    impl_->inventory.visitDevices([&](DeviceRecord& d) {
        impl_->nameVlans(d);
        const std::uint64_t fingerprint = deviceFingerprint(d, buffer);
        auto [it, created] = impl_->sentDevices.try_emplace(d.id);
        SentDevice& last = it->second;
        if (!created && last.fingerprint == fingerprint && d.lastSeenMs - last.lastSeenMs < 60000) {
            return;
        }
        last = {fingerprint, d.lastSeenMs};
        changes.devices.push_back(std::move(d));
    });
    // Only the connections that changed become records (connections are never removed, so
    // their records' addresses identify them).
    auto& sent = impl_->sentConnections;
    auto& ids = impl_->sentDeviceIds;
    changes.connections = impl_->inventory.connections(
        [&](const inventory::Inventory::ConnInfo& info, const std::string& src,
            const std::string& dst, std::size_t opClasses, std::int64_t lastSeenMs) {
            auto [it, created] = sent.try_emplace(&info);
            SentConnection& last = it->second;
            if (!created && *last.src == src && *last.dst == dst && last.opClasses == opClasses &&
                lastSeenMs - last.lastSeenMs < 60000) {
                return false;
            }
            last = {&*ids.insert(src).first, &*ids.insert(dst).first, opClasses, lastSeenMs};
            return true;
        });
    const auto changed = impl_->detector.takeChangedAlertIds();
    for (auto& a : impl_->detector.alerts()) {
        if (changed.count(a.id)) changes.alerts.push_back(std::move(a));
    }
    return changes;
}

std::vector<DeviceRecord> Engine::devices() const {
    Impl::ApiLock lock(*impl_);
    auto devices = impl_->inventory.devices();
    for (auto& d : devices) impl_->nameVlans(d);
    return devices;
}

std::vector<ConnectionRecord> Engine::connections() const {
    Impl::ApiLock lock(*impl_);
    return impl_->inventory.connections();
}

std::vector<OperationRecord> Engine::operations() const {
    Impl::ApiLock lock(*impl_);
    return impl_->inventory.operations();
}

std::size_t Engine::forEachDevice(const std::function<void(const DeviceRecord&)>& visit) const {
    Impl::ApiLock lock(*impl_);
    return impl_->inventory.visitDevices([&](DeviceRecord& d) {
        impl_->nameVlans(d);
        visit(d);
    });
}

std::size_t Engine::forEachConnection(
    const std::function<void(const ConnectionRecord&)>& visit) const {
    Impl::ApiLock lock(*impl_);
    return impl_->inventory.visitConnections([&](const ConnectionRecord& c) { visit(c); });
}

std::size_t Engine::forEachOperation(
    const std::function<void(const OperationRecord&)>& visit) const {
    Impl::ApiLock lock(*impl_);
    return impl_->inventory.visitOperations([&](const OperationRecord& o) { visit(o); });
}

std::size_t Engine::connectionCount() const {
    Impl::ApiLock lock(*impl_);
    return impl_->inventory.connectionCount();
}

std::size_t Engine::operationCount() const {
    Impl::ApiLock lock(*impl_);
    return impl_->inventory.operationCount();
}

std::vector<AlertRecord> Engine::alerts() const {
    Impl::ApiLock lock(*impl_);
    return impl_->detector.alerts();
}

Result<PortAlias> parsePortAlias(std::string_view spec, const plugins::PluginSet* plugins) {
    const std::string text(spec);
    const auto fail = [&](const std::string& why) {
        return makeError("port alias '" + text + "': " + why +
                         " (expected PROTOCOL=tcp/PORT or PROTOCOL=udp/PORT, e.g. modbus=tcp/5020)");
    };
    const auto eq = spec.find('=');
    const auto slash = spec.find('/');
    if (eq == std::string_view::npos || slash == std::string_view::npos || slash < eq) {
        return fail("malformed");
    }
    PortAlias alias;
    alias.protocol = std::string(spec.substr(0, eq));
    const auto transport = spec.substr(eq + 1, slash - eq - 1);
    const auto port = spec.substr(slash + 1);
    if (transport != "tcp" && transport != "udp") return fail("transport must be tcp or udp");
    alias.tcp = transport == "tcp";
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc{} || end != port.data() + port.size() || value == 0 || value > 65535) {
        return fail("port must be 1-65535");
    }
    alias.port = static_cast<std::uint16_t>(value);
    dissect::DissectorRegistry registry;
    if (auto st = dissect::registerAllDissectors(registry); !st) return st.error();
    if (plugins) plugins->registerInto(registry);
    const auto t = alias.tcp ? dissect::Transport::Tcp : dissect::Transport::Udp;
    if (!registry.byName(t, alias.protocol)) {
        std::string known;
        for (const auto& info : registry.all()) {
            if (info.transport != t) continue;
            known += (known.empty() ? "" : ", ") + info.name;
        }
        return fail("no " + std::string(transport) + " dissector named '" + alias.protocol +
                    "' (known: " + known + ")");
    }
    return alias;
}

Result<std::size_t> checkIndicators(const std::string& text, const std::string& source) {
    auto list = detect::IndicatorList::parse(text, source);
    if (!list) return list.error();
    return list->size();
}

CaptureStats Engine::stats() const {
    Impl::ApiLock lock(*impl_);
    CaptureStats s = impl_->stats;
    std::uint64_t malformedByReason[static_cast<int>(decode::Malformed::Count)] = {};
    std::uint64_t fragmentDrops[static_cast<int>(decode::FragmentDrop::Count)] = {};
    for (const auto& w : impl_->workers) {  // several workers: their sums
        const auto& decoded = w->decoder.counters();
        s.malformed += decoded.malformed;
        for (int r = 0; r < static_cast<int>(decode::Malformed::Count); ++r) {
            malformedByReason[r] += decoded.byReason[r];
        }
        const auto& fragments = w->decoder.ipv4Reassembler().counters();
        s.ipv4Fragments += fragments.fragments;
        s.ipv4Reassembled += fragments.reassembled;
        s.ipv4FragmentDuplicates += fragments.duplicates;
        for (int r = 0; r < static_cast<int>(decode::FragmentDrop::Count); ++r) {
            fragmentDrops[r] += fragments.dropped[r];
        }
        s.flowsActive += w->flows.size();
        s.flowsEvicted += w->flows.evicted();
        s.dissectorsReleased += w->dissectorsReleased;
    }
    for (int r = 0; r < static_cast<int>(decode::Malformed::Count); ++r) {
        if (malformedByReason[r] > 0) {
            s.malformedByReason[decode::toString(static_cast<decode::Malformed>(r))] =
                malformedByReason[r];
        }
    }
    for (int r = 0; r < static_cast<int>(decode::FragmentDrop::Count); ++r) {
        if (fragmentDrops[r] > 0) {
            s.ipv4FragmentDrops[decode::toString(static_cast<decode::FragmentDrop>(r))] =
                fragmentDrops[r];
        }
    }
    s.evidenceCaptures = impl_->evidence.captures();
    s.evidenceDropped = impl_->evidence.dropped();
    s.seconds =
        impl_->firstUs < 0 ? 0.0 : static_cast<double>(impl_->lastUs - impl_->firstUs) / 1e6;
    return s;
}

}  // namespace ironsight::sensor
