// SPDX-License-Identifier: Apache-2.0
// FlowTable: canonical 5-tuple + VLAN keys; expiry runs at most once per capture second.
#include "sensor-agent/decode/flow_table.h"

#include <tuple>

namespace ironsight::sensor::decode {

std::size_t FlowKeyHash::operator()(const FlowKey& k) const noexcept {
    std::uint64_t h = 1469598103934665603ULL;
    auto mix = [&h](std::uint8_t b) { h = (h ^ b) * 1099511628211ULL; };
    for (auto b : k.ipA.bytes) mix(b);
    for (auto b : k.ipB.bytes) mix(b);
    mix(static_cast<std::uint8_t>(k.portA >> 8));
    mix(static_cast<std::uint8_t>(k.portA));
    mix(static_cast<std::uint8_t>(k.portB >> 8));
    mix(static_cast<std::uint8_t>(k.portB));
    mix(k.protocol);
    mix(static_cast<std::uint8_t>(k.vlan >> 8));
    mix(static_cast<std::uint8_t>(k.vlan));
    return static_cast<std::size_t>(h);
}

FlowTable::Lookup FlowTable::track(const DecodedPacket& p) {
    Lookup result;
    FlowKey key;
    const bool srcIsA = std::tie(p.srcIp, p.srcPort) <= std::tie(p.dstIp, p.dstPort);
    key.ipA = srcIsA ? p.srcIp : p.dstIp;
    key.ipB = srcIsA ? p.dstIp : p.srcIp;
    key.portA = srcIsA ? p.srcPort : p.dstPort;
    key.portB = srcIsA ? p.dstPort : p.srcPort;
    key.protocol = p.ipProtocol;
    key.vlan = p.vlan();
    result.direction = srcIsA ? 0 : 1;

    if (p.timestampUs - lastExpiryUs_ > 1000000 || flows_.size() >= limits_.maxFlows) {
        expire(p.timestampUs);
        lastExpiryUs_ = p.timestampUs;
    }
    auto it = flows_.find(key);
    if (it == flows_.end()) {
        if (flows_.size() >= limits_.maxFlows) {
            ++dropped_;
            return result;  // flow == nullptr: table full even after expiry
        }
        auto flow = std::make_unique<Flow>();
        flow->key = key;
        flow->firstUs = p.timestampUs;
        const bool synAck =
            (p.tcpFlags & (tcpflag::kSyn | tcpflag::kAck)) == (tcpflag::kSyn | tcpflag::kAck);
        flow->initiatorIsA = synAck ? !srcIsA : srcIsA;
        it = flows_.emplace(key, std::move(flow)).first;
        result.created = true;
    }
    Flow& flow = *it->second;
    if (p.l4 == L4::Tcp && (p.tcpFlags & (tcpflag::kSyn | tcpflag::kAck)) == tcpflag::kSyn) {
        flow.initiatorIsA = srcIsA;
        flow.sawSyn = true;
    }
    if (p.hasMac) {
        (srcIsA ? flow.macA : flow.macB) = p.srcMac;
    }
    ++flow.packets;
    flow.bytes += p.wireLength;
    flow.lastUs = p.timestampUs;
    result.flow = &flow;
    return result;
}

std::size_t FlowTable::expire(std::int64_t nowUs) {
    std::size_t removed = 0;
    for (auto it = flows_.begin(); it != flows_.end();) {
        const std::int64_t idle = it->first.protocol == 6 ? limits_.tcpIdleUs : limits_.udpIdleUs;
        if (nowUs - it->second->lastUs > idle) {
            if (onExpire_) onExpire_(*it->second);
            it = flows_.erase(it);
            ++removed;
        } else {
            ++it;
        }
    }
    return removed;
}

void FlowTable::forEach(const std::function<void(Flow&)>& fn) {
    for (auto& [key, flow] : flows_) fn(*flow);
}

}  // namespace ironsight::sensor::decode
