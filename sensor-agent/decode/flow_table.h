// SPDX-License-Identifier: Apache-2.0
// Flow table keyed by 5-tuple + VLAN, with per-direction TCP reassembly and idle expiry.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <unordered_map>
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

/// Per-flow state owned by later stages (the engine's dissector binding, counters...).
struct FlowExtension {
    virtual ~FlowExtension() = default;
};

struct Flow {
    FlowKey key;
    bool initiatorIsA = true;  // who opened it: the SYN sender, else the first packet's sender
    bool sawSyn = false;
    MacAddress macA{}, macB{};
    std::uint64_t packets = 0, bytes = 0;
    std::int64_t firstUs = 0, lastUs = 0;
    TcpReassembler tcp[2];  // [0]: bytes sent by a, [1]: bytes sent by b
    std::unique_ptr<FlowExtension> extension;
};

struct FlowLimits {
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

    explicit FlowTable(FlowLimits limits = {}) : limits_(limits) {}

    /// Finds or creates the flow of a TCP or UDP packet and updates its counters.
    Lookup track(const DecodedPacket& packet);
    /// Drops flows idle for longer than their timeout at time nowUs.
    std::size_t expire(std::int64_t nowUs);
    /// Calls fn for every live flow (e.g. to flush TCP reassembly at the end of a capture).
    void forEach(const std::function<void(Flow&)>& fn);
    /// Called with each flow just before expiry drops it (e.g. to flush its buffered data).
    void setExpiryHandler(std::function<void(Flow&)> fn) { onExpire_ = std::move(fn); }
    std::size_t size() const { return flows_.size(); }
    std::uint64_t dropped() const { return dropped_; }

private:
    FlowLimits limits_;
    std::unordered_map<FlowKey, std::unique_ptr<Flow>, FlowKeyHash> flows_;
    std::int64_t lastExpiryUs_ = 0;
    std::uint64_t dropped_ = 0;
    std::function<void(Flow&)> onExpire_;
};

}  // namespace ironsight::sensor::decode
