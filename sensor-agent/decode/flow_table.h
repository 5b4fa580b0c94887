// SPDX-License-Identifier: Apache-2.0
// Flow table keyed by 5-tuple + VLAN, with per-direction TCP reassembly, idle expiry and a hard
// bound on the number of flows (least recently used evicted first, counted).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <unordered_set>
#include <utility>

#include "sensor-agent/decode/packet.h"
#include "sensor-agent/decode/tcp_reassembler.h"

namespace ironsight::sensor::decode {

/// Canonical key: endpoint a is the lower of the two (ip, port) pairs.
struct FlowKey {
    IpAddress ipA, ipB;
    std::uint16_t portA = 0, portB = 0;
    std::uint8_t protocol = 0;
    std::uint16_t vlan = 0;
    bool operator==(const FlowKey&) const = default;
};

struct FlowKeyHash {
    std::size_t operator()(const FlowKey& k) const noexcept;
};

/// The canonical key of a TCP/UDP packet; direction is 0 when the packet was sent by endpoint a.
FlowKey flowKeyOf(const DecodedPacket& p, int& direction);

/// Per-flow state owned by later stages (the engine's dissector binding, counters...).
struct FlowExtension {
    virtual ~FlowExtension() = default;
};

struct Flow {
    explicit Flow(const FlowKey& k) : key(k) {}
    FlowKey key;  // never changes: the flow table's hash and equality read it
    bool initiatorIsA = true;  // who opened it: the SYN sender, else the first packet's sender
    bool sawSyn = false;
    // (Memory per concurrent flow: only what is read. The inventory's connection records keep
    // the first-seen time, the MACs and the packet and byte counts.)
    std::int64_t lastUs = 0;
    TcpReassembler tcp[2];  // [0]: bytes sent by a, [1]: bytes sent by b
    std::unique_ptr<FlowExtension> extension;

private:
    friend class FlowTable;
    Flow* older_ = nullptr;  // least-recently-used list of the flow's idle-timeout class
    Flow* newer_ = nullptr;
};

struct FlowLimits {
    /// Hard bound: a new flow arriving while the table is full evicts the least recently used
    /// one (counted in evicted()), so a flood of new flows (a scan) cannot exhaust memory.
    std::size_t maxFlows = 262144;
    std::int64_t tcpIdleUs = 600LL * 1000000;
    std::int64_t udpIdleUs = 120LL * 1000000;
};

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
    Lookup track(const DecodedPacket& packet);
    /// Drops flows idle for longer than their timeout at time nowUs (cost: the flows dropped).
    std::size_t expire(std::int64_t nowUs);
    /// Calls fn for every live flow (e.g. to flush TCP reassembly at the end of a capture).
    void forEach(const std::function<void(Flow&)>& fn);
    /// Called with each flow just before expiry or eviction drops it (e.g. to flush its data).
    void setExpiryHandler(std::function<void(Flow&)> fn) { onExpire_ = std::move(fn); }
    std::size_t size() const { return flows_.size(); }
    /// Flows dropped early to stay within maxFlows.
    std::uint64_t evicted() const { return evicted_; }
    /// Flows dropped after their idle timeout.
    std::uint64_t expired() const { return expired_; }

private:
    struct Lru {
        Flow* oldest = nullptr;
        Flow* newest = nullptr;
    };
    Lru& lruOf(const Flow& flow) { return lru_[flow.key.protocol == 6 ? 0 : 1]; }
    void unlink(Flow& flow);
    void pushNewest(Flow& flow);
    void remove(Flow& flow);

    // The flows themselves are the set's elements, keyed by their own key (a map would store
    // the 42-byte key twice per flow); elements are const to the set, and only their key is
    // read by it, so the table hands them out mutable (const_cast) for everything else.
    struct FlowHash {
        using is_transparent = void;
        std::size_t operator()(const FlowKey& k) const noexcept { return FlowKeyHash{}(k); }
        std::size_t operator()(const Flow& f) const noexcept { return FlowKeyHash{}(f.key); }
    };
    struct FlowEq {
        using is_transparent = void;
        static const FlowKey& key(const FlowKey& k) { return k; }
        static const FlowKey& key(const Flow& f) { return f.key; }
        template <class A, class B>
        bool operator()(const A& a, const B& b) const noexcept {
            return key(a) == key(b);
        }
    };
    static Flow& mutableFlow(const Flow& flow) { return const_cast<Flow&>(flow); }

    FlowLimits limits_;
    std::unordered_set<Flow, FlowHash, FlowEq> flows_;
    Lru lru_[2];  // [0]: TCP (tcpIdleUs), [1]: everything else (udpIdleUs)
    std::int64_t lastExpiryUs_ = 0;
    std::uint64_t evicted_ = 0, expired_ = 0;
    std::function<void(Flow&)> onExpire_;
};

}  // namespace ironsight::sensor::decode
