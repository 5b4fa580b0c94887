// SPDX-License-Identifier: Apache-2.0
// FlowTable: canonical 5-tuple + VLAN keys; flows sit in one of two intrusive least-recently-used
// lists (TCP, other) so that expiry and eviction only touch the flows they drop; expiry runs at
// most once per capture second.
#include "sensor-agent/decode/flow_table.h"

#include <cstring>
#include <tuple>

namespace ironsight::sensor::decode {
namespace {

std::uint64_t load64(const std::uint8_t* p) {
    std::uint64_t v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

std::uint64_t mix(std::uint64_t h, std::uint64_t v) {
    h ^= v * 0x9e3779b97f4a7c15ULL;
    h = (h << 27) | (h >> 37);
    return h * 0xff51afd7ed558ccdULL;
}

}  // namespace

std::size_t FlowKeyHash::operator()(const FlowKey& k) const noexcept {
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

FlowKey flowKeyOf(const DecodedPacket& p, int& direction) {
    FlowKey key;
    const bool srcIsA = std::tie(p.srcIp, p.srcPort) <= std::tie(p.dstIp, p.dstPort);
    key.ipA = srcIsA ? p.srcIp : p.dstIp;
    key.ipB = srcIsA ? p.dstIp : p.srcIp;
    key.portA = srcIsA ? p.srcPort : p.dstPort;
    key.portB = srcIsA ? p.dstPort : p.srcPort;
    key.protocol = p.ipProtocol;
    key.vlan = p.vlan();
    direction = srcIsA ? 0 : 1;
    return key;
}

FlowTable::FlowTable(FlowLimits limits) : limits_(limits) {
    if (limits_.maxFlows == 0) limits_.maxFlows = 1;
    flows_.reserve(std::min<std::size_t>(limits_.maxFlows, 65536));
}

FlowTable::~FlowTable() = default;

void FlowTable::unlink(Flow& flow) {
    Lru& lru = lruOf(flow);
    (flow.older_ ? flow.older_->newer_ : lru.oldest) = flow.newer_;
    (flow.newer_ ? flow.newer_->older_ : lru.newest) = flow.older_;
    flow.older_ = flow.newer_ = nullptr;
}

void FlowTable::pushNewest(Flow& flow) {
    Lru& lru = lruOf(flow);
    flow.older_ = lru.newest;
    flow.newer_ = nullptr;
    (lru.newest ? lru.newest->newer_ : lru.oldest) = &flow;
    lru.newest = &flow;
}

void FlowTable::remove(Flow& flow) {
    if (onExpire_) onExpire_(flow);
    unlink(flow);
    flows_.erase(flows_.find(flow.key));
}

FlowTable::Lookup FlowTable::track(const DecodedPacket& p) {
    Lookup result;
    const FlowKey key = flowKeyOf(p, result.direction);
    const bool srcIsA = result.direction == 0;

    if (p.timestampUs - lastExpiryUs_ > 1000000) {
        expire(p.timestampUs);
        lastExpiryUs_ = p.timestampUs;
    }
    auto it = flows_.find(key);
    if (it == flows_.end()) {
        if (flows_.size() >= limits_.maxFlows) {
            // Full: evict the least recently used flow of either list.
            Flow* a = lru_[0].oldest;
            Flow* b = lru_[1].oldest;
            Flow* victim = !a ? b : !b ? a : (a->lastUs <= b->lastUs ? a : b);
            if (victim) {
                remove(*victim);
                ++evicted_;
            }
        }
        it = flows_.emplace(key).first;
        Flow& flow = mutableFlow(*it);
        const bool synAck =
            (p.tcpFlags & (tcpflag::kSyn | tcpflag::kAck)) == (tcpflag::kSyn | tcpflag::kAck);
        flow.initiatorIsA = synAck ? !srcIsA : srcIsA;
        pushNewest(flow);
        result.created = true;
    } else if (lruOf(*it).newest != &*it) {
        unlink(mutableFlow(*it));
        pushNewest(mutableFlow(*it));
    }
    Flow& flow = mutableFlow(*it);
    if (p.l4 == L4::Tcp && (p.tcpFlags & (tcpflag::kSyn | tcpflag::kAck)) == tcpflag::kSyn) {
        flow.initiatorIsA = srcIsA;
        flow.sawSyn = true;
    }
    // A capture's timestamps can step back a little (merged interfaces): the list order stays
    // "last touched", and lastUs never goes backwards.
    if (p.timestampUs > flow.lastUs) flow.lastUs = p.timestampUs;
    result.flow = &flow;
    return result;
}

std::size_t FlowTable::expire(std::int64_t nowUs) {
    std::size_t removed = 0;
    for (int c = 0; c < 2; ++c) {
        const std::int64_t idle = c == 0 ? limits_.tcpIdleUs : limits_.udpIdleUs;
        while (lru_[c].oldest && nowUs - lru_[c].oldest->lastUs > idle) {
            remove(*lru_[c].oldest);
            ++removed;
        }
    }
    expired_ += removed;
    return removed;
}

void FlowTable::forEach(const std::function<void(Flow&)>& fn) {
    for (const Flow& flow : flows_) fn(mutableFlow(flow));
}

}  // namespace ironsight::sensor::decode
