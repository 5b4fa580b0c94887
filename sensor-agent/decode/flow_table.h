// SPDX-License-Identifier: Apache-2.0
// Flow table keyed by 5-tuple + VLAN, with per-direction TCP reassembly, idle expiry and a hard
// bound on the number of flows (least recently used evicted first, counted).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <new>
#include <utility>
#include <vector>

#include "sensor-agent/decode/packet.h"
#include "sensor-agent/decode/tcp_reassembler.h"

namespace ironsight::sensor::decode {

/// Canonical key: endpoint a is the lower of the two (ip, port) pairs.
struct FlowKey {
    IpAddress ipA, ipB;
    std::uint16_t portA = 0, portB = 0;
    std::uint8_t protocol = 0;
    std::uint16_t vlan = 0;
    /// Member-wise, by words: the members up to `protocol` are 39 bytes without padding, read
    /// as five overlapping 64-bit words (the flow table compares keys per packet).
    bool operator==(const FlowKey& o) const {
        static_assert(offsetof(FlowKey, protocol) == 38 && offsetof(FlowKey, vlan) == 40);
        const auto at = [](const FlowKey& k, std::size_t offset) {
            std::uint64_t v;
            std::memcpy(&v, reinterpret_cast<const unsigned char*>(&k) + offset, sizeof v);
            return v;
        };
        return ((at(*this, 0) ^ at(o, 0)) | (at(*this, 8) ^ at(o, 8)) |
                (at(*this, 16) ^ at(o, 16)) | (at(*this, 24) ^ at(o, 24)) |
                (at(*this, 31) ^ at(o, 31))) == 0 &&
               vlan == o.vlan;
    }
};

/// An IPv4 endpoint as one ordered word: tie(ip, port) order is this word's order (an IPv4
/// address's bytes after its first 4 are zero). The flow table compares packets by them.
inline std::uint64_t endpointWord(const IpAddress& ip, std::uint16_t port) {
    return (std::uint64_t{ip.v4Value()} << 16) | port;
}

/// The hash of an IPv4 flow key: its endpoint words (a <= b) and protocol | vlan << 8.
inline std::uint64_t flowHashV4(std::uint64_t a, std::uint64_t b, std::uint32_t meta) {
    std::uint64_t h = (a * 0x9e3779b97f4a7c15ULL) ^ (b * 0xff51afd7ed558ccdULL) ^
                      (std::uint64_t{meta} * 0xc4ceb9fe1a85ec53ULL);
    h ^= h >> 32;
    h *= 0x9e3779b97f4a7c15ULL;
    return h ^ (h >> 29);
}

struct FlowKeyHash {
    std::size_t operator()(const FlowKey& k) const noexcept {
        if (!k.ipA.v6 && !k.ipB.v6) {
            return static_cast<std::size_t>(flowHashV4(endpointWord(k.ipA, k.portA),
                                                       endpointWord(k.ipB, k.portB),
                                                       k.protocol | (std::uint32_t{k.vlan} << 8)));
        }
        const auto load64 = [](const std::uint8_t* p) {
            std::uint64_t v;
            std::memcpy(&v, p, sizeof v);
            return v;
        };
        const auto mix = [](std::uint64_t h, std::uint64_t v) {
            h ^= v * 0x9e3779b97f4a7c15ULL;
            h = (h << 27) | (h >> 37);
            return h * 0xff51afd7ed558ccdULL;
        };
        std::uint64_t h = 0x243f6a8885a308d3ULL;
        h = mix(h, load64(k.ipA.bytes.data()));
        h = mix(h, load64(k.ipB.bytes.data()));
        if (k.ipA.v6 || k.ipB.v6) {
            h = mix(h, load64(k.ipA.bytes.data() + 8));
            h = mix(h, load64(k.ipB.bytes.data() + 8));
        }
        h = mix(h, (std::uint64_t{k.portA} << 48) | (std::uint64_t{k.portB} << 32) |
                       (std::uint64_t{k.protocol} << 24) | (std::uint64_t{k.vlan} << 8) |
                       (k.ipA.v6 ? 2u : 0u) | (k.ipB.v6 ? 1u : 0u));
        return static_cast<std::size_t>(h ^ (h >> 29));
    }
};

/// The canonical key of a TCP/UDP packet; direction is 0 when the packet was sent by endpoint a.
FlowKey flowKeyOf(const DecodedPacket& p, int& direction);

/// Slot numbers: a live flow's is unique, below FlowTable::slotCount(), and reused once the
/// flow is dropped. Later stages keep their per-flow state by it (FlowSlots), not per allocation.
inline constexpr unsigned kFlowChunkBits = 9;  // flows (and FlowSlots items) per chunk: 512

struct Flow {
    Flow(const FlowKey& k, std::uint32_t slot) : key(k), slot_(slot) {}
    FlowKey key;  // never changes: the flow table's hash and equality read it
    bool initiatorIsA = true;  // who opened it: the SYN sender, else the first packet's sender
    bool sawSyn = false;
    // (Memory per concurrent flow: only what is read. The inventory's connection records keep
    // the first-seen time, the MACs and the packet and byte counts.)

    std::uint32_t slot() const { return slot_; }

private:
    friend class FlowTable;
    // Here, in what would be padding after the key: 32-bit slot numbers, not pointers.
    std::uint32_t slot_;
    std::uint32_t older_ = ~std::uint32_t{0};  // least-recently-used list of the flow's
    std::uint32_t newer_ = ~std::uint32_t{0};  // idle-timeout class (FlowTable::kNone: none)

public:
    std::int64_t lastUs = 0;

    /// TCP reassembly of one direction (0: bytes sent by a, 1: by b). Both directions' state is
    /// allocated on first use: UDP flows and TCP flows nothing parses (no dissector, or one
    /// released) carry a pointer instead of 80 bytes (memory per concurrent flow).
    TcpReassembler& tcp(int direction) {
        if (!tcp_) [[unlikely]]
            allocateTcpState();  // out of line: this stays small enough to inline
        return tcp_[direction];
    }
    /// Bytes direction `direction` buffers behind holes (0 without reassembly state).
    std::size_t tcpBuffered(int direction) const {
        return tcp_ ? tcp_[direction].bufferedBytes() : 0;
    }
    bool hasTcpState() const { return tcp_ != nullptr; }
    /// Frees the reassembly state with whatever it buffered (nothing will parse the flow's
    /// bytes any more); tcp() starts from a fresh stream again.
    void dropTcpState() { tcp_.reset(); }

private:
    void allocateTcpState();
    std::unique_ptr<TcpReassembler[]> tcp_;
};

/// Per-flow state of a later stage, by the flow's slot (Flow::slot()): chunks of items that
/// keep their addresses, default-constructed when first reached. The owner resets an item when
/// its flow is dropped (FlowTable::setExpiryHandler), so a reused slot starts from the default.
template <class T>
class FlowSlots {
public:
    T& operator[](std::uint32_t slot) {
        const std::size_t chunk = slot >> kFlowChunkBits;
        if (chunk >= chunks_.size()) [[unlikely]]
            grow(chunk);
        return chunks_[chunk][slot & (kPerChunk - 1)];
    }

private:
    void grow(std::size_t chunk) {
        while (chunks_.size() <= chunk) chunks_.push_back(std::make_unique<T[]>(kPerChunk));
    }

    static constexpr std::size_t kPerChunk = std::size_t{1} << kFlowChunkBits;
    std::vector<std::unique_ptr<T[]>> chunks_;
};

struct FlowLimits {
    /// Hard bound: a new flow arriving while the table is full evicts the least recently used
    /// one (counted in evicted()), so a flood of new flows (a scan) cannot exhaust memory.
    std::size_t maxFlows = 262144;
    std::int64_t tcpIdleUs = 600LL * 1000000;
    std::int64_t udpIdleUs = 120LL * 1000000;
};

/// Flows live in chunks of slots (addresses stay put); an open-addressing index of slot
/// numbers with 32 bits of each key's hash finds them; least-recently-used lists link slots.
class FlowTable {
public:
    struct Lookup {
        Flow* flow = nullptr;
        int direction = 0;  // 0: the packet was sent by endpoint a
        bool created = false;
    };

    explicit FlowTable(FlowLimits limits = {});
    ~FlowTable();
    FlowTable(const FlowTable&) = delete;
    FlowTable& operator=(const FlowTable&) = delete;

    /// Finds or creates the flow of a TCP or UDP packet and updates its last-seen time. Never
    /// fails: when the table is full the least recently used flow is evicted first.
    Lookup track(const DecodedPacket& packet) {
        // Inline, an IPv4 packet when no expiry is due: the flow of the packet before (about
        // half of them) by its endpoint words, either way round; else trackV4() by the index.
        // trackAny() does the rest (expiry first, IPv6).
        if (packet.timestampUs - lastExpiryUs_ <= 1000000 && !packet.srcIp.v6 && !packet.dstIp.v6) {
            const std::uint32_t meta = packet.ipProtocol | (std::uint32_t{packet.vlan()} << 8);
            const std::uint64_t src = endpointWord(packet.srcIp, packet.srcPort);
            const std::uint64_t dst = endpointWord(packet.dstIp, packet.dstPort);
            if (last_ != kNone && lastV4_ && meta == lastMeta_) {
                Lookup result;
                if (src == lastA_ && dst == lastB_) return touch(at(last_), packet, true, result);
                if (src == lastB_ && dst == lastA_) {
                    result.direction = 1;
                    return touch(at(last_), packet, false, result);
                }
            }
            return trackV4(packet, src, dst, meta);
        }
        return trackAny(packet);
    }
    /// Drops flows idle for longer than their timeout at time nowUs (cost: the flows dropped).
    std::size_t expire(std::int64_t nowUs);
    /// Calls fn for every live flow (e.g. to flush TCP reassembly at the end of a capture):
    /// TCP flows, then the others, each least recently used first. fn must not track flows.
    void forEach(const std::function<void(Flow&)>& fn);
    /// Called with each flow just before expiry or eviction drops it (e.g. to flush its data).
    void setExpiryHandler(std::function<void(Flow&)> fn) { onExpire_ = std::move(fn); }
    std::size_t size() const { return size_; }
    /// Slots ever used: every live flow's slot() is below it.
    std::uint32_t slotCount() const { return slotCount_; }
    /// Flows dropped early to stay within maxFlows.
    std::uint64_t evicted() const { return evicted_; }
    /// Flows dropped after their idle timeout.
    std::uint64_t expired() const { return expired_; }

private:
    static constexpr std::uint32_t kNone = ~std::uint32_t{0};
    static constexpr std::size_t kPerChunk = std::size_t{1} << kFlowChunkBits;
    struct Lru {
        std::uint32_t oldest = kNone;
        std::uint32_t newest = kNone;
    };
    /// An index entry: the flow's slot + 1 (0: empty) and the low 32 bits of its key's hash
    /// (home position, and most mismatches rejected without reading the flow).
    struct Entry {
        std::uint32_t slotPlus1 = 0;
        std::uint32_t hash = 0;
    };
    struct Chunk {
        alignas(Flow) std::byte bytes[sizeof(Flow) * kPerChunk];
    };

    Flow& at(std::uint32_t slot) {
        return *std::launder(reinterpret_cast<Flow*>(chunks_[slot >> kFlowChunkBits]->bytes +
                                                     sizeof(Flow) * (slot & (kPerChunk - 1))));
    }
    Lru& lruOf(const Flow& flow) { return lru_[flow.key.protocol == 6 ? 0 : 1]; }
    void unlink(Flow& flow);
    void pushNewest(Flow& flow);
    void moveToNewest(Flow& flow);
    /// What every packet updates in its flow.
    Lookup touch(Flow& flow, const DecodedPacket& p, bool srcIsA, Lookup result) {
        if (p.l4 == L4::Tcp && (p.tcpFlags & (tcpflag::kSyn | tcpflag::kAck)) == tcpflag::kSyn) {
            flow.initiatorIsA = srcIsA;
            flow.sawSyn = true;
        }
        // A capture's timestamps can step back a little (merged interfaces): the list order
        // stays "last touched", and lastUs never goes backwards.
        if (p.timestampUs > flow.lastUs) flow.lastUs = p.timestampUs;
        result.flow = &flow;
        return result;
    }
    Lookup trackAny(const DecodedPacket& packet);
    Lookup trackV4(const DecodedPacket& packet, std::uint64_t src, std::uint64_t dst,
                   std::uint32_t meta);
    Flow& insert(const FlowKey& key, std::uint32_t hash, std::size_t position,
                 const DecodedPacket& packet, bool srcIsA);
    void remove(Flow& flow);
    Flow& create(const FlowKey& key, std::uint32_t hash, std::size_t position);
    void grow();

    FlowLimits limits_;
    std::vector<std::unique_ptr<Chunk>> chunks_;
    std::vector<std::uint32_t> free_;  // slots of dropped flows, reused last-freed first
    std::vector<Entry> index_;         // a power of two in size, at most 7/8 full
    std::size_t size_ = 0;
    std::uint32_t slotCount_ = 0;
    std::uint32_t last_ = kNone;  // the flow of the last packet tracked (newest of its list)
    // last_'s key when it is IPv4 (lastV4_), as track() compares packets with it: endpoints a
    // and b as (address << 16 | port), the protocol and VLAN as (protocol | vlan << 8).
    bool lastV4_ = false;
    std::uint64_t lastA_ = 0, lastB_ = 0;
    std::uint32_t lastMeta_ = 0;
    Lru lru_[2];  // [0]: TCP (tcpIdleUs), [1]: everything else (udpIdleUs)
    std::int64_t lastExpiryUs_ = 0;
    std::uint64_t evicted_ = 0, expired_ = 0;
    std::function<void(Flow&)> onExpire_;
};

}  // namespace ironsight::sensor::decode
