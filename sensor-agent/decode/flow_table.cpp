// SPDX-License-Identifier: Apache-2.0
// FlowTable: canonical 5-tuple + VLAN keys; flows sit in one of two intrusive least-recently-used
// lists (TCP, other) so that expiry and eviction only touch the flows they drop; expiry runs at
// most once per capture second. Flows are slots in chunks (no allocation per flow, 32-bit links)
// found through an open-addressing index (linear probing, backward-shift deletion).
#include "sensor-agent/decode/flow_table.h"

#include <cstring>
#include <tuple>

namespace ironsight::sensor::decode {
namespace {
/// The packet's flow key with its sender as end A (`srcIsA`) or B.
FlowKey orderedKey(const DecodedPacket& p, bool srcIsA) {
    FlowKey key;
    key.ipA = srcIsA ? p.srcIp : p.dstIp;
    key.ipB = srcIsA ? p.dstIp : p.srcIp;
    key.portA = srcIsA ? p.srcPort : p.dstPort;
    key.portB = srcIsA ? p.dstPort : p.srcPort;
    key.protocol = p.ipProtocol;
    key.vlan = p.vlan();
    return key;
}
}  // namespace

FlowKey flowKeyOf(const DecodedPacket& p, int& direction) {
    const bool srcIsA = std::tie(p.srcIp, p.srcPort) <= std::tie(p.dstIp, p.dstPort);
    direction = srcIsA ? 0 : 1;
    return orderedKey(p, srcIsA);
}

// A flow is 72 bytes (its reassembly out of line); its links and slot fill the key's padding.
static_assert(sizeof(Flow) <= 72 || sizeof(void*) != 8);

void Flow::allocateTcpState() {
    tcp_ = std::make_unique<TcpReassembler[]>(2);
}

FlowTable::FlowTable(FlowLimits limits) : limits_(limits) {
    if (limits_.maxFlows == 0) limits_.maxFlows = 1;
    if (limits_.maxFlows >= kNone) limits_.maxFlows = kNone - 1;  // slots are 32-bit
    index_.resize(64);
}

FlowTable::~FlowTable() {
    for (const Lru& lru : lru_) {
        for (std::uint32_t s = lru.oldest; s != kNone;) {
            Flow& flow = at(s);
            s = flow.newer_;
            flow.~Flow();
        }
    }
}

void FlowTable::unlink(Flow& flow) {
    Lru& lru = lruOf(flow);
    (flow.older_ != kNone ? at(flow.older_).newer_ : lru.oldest) = flow.newer_;
    (flow.newer_ != kNone ? at(flow.newer_).older_ : lru.newest) = flow.older_;
    flow.older_ = flow.newer_ = kNone;
}

void FlowTable::pushNewest(Flow& flow) {
    Lru& lru = lruOf(flow);
    flow.older_ = lru.newest;
    flow.newer_ = kNone;
    (lru.newest != kNone ? at(lru.newest).newer_ : lru.oldest) = flow.slot_;
    lru.newest = flow.slot_;
}

/// unlink() + pushNewest() for a flow that is not the newest (the common case, per packet).
inline void FlowTable::moveToNewest(Flow& flow) {
    Lru& lru = lruOf(flow);
    at(flow.newer_).older_ = flow.older_;
    (flow.older_ != kNone ? at(flow.older_).newer_ : lru.oldest) = flow.newer_;
    at(lru.newest).newer_ = flow.slot_;
    flow.older_ = lru.newest;
    flow.newer_ = kNone;
    lru.newest = flow.slot_;
}

/// Doubles the index (entries keep their hash: no key is read again).
void FlowTable::grow() {
    std::vector<Entry> old(index_.size() * 2);
    old.swap(index_);
    const std::size_t mask = index_.size() - 1;
    for (const Entry& e : old) {
        if (e.slotPlus1 == 0) continue;
        std::size_t i = e.hash & mask;
        while (index_[i].slotPlus1 != 0) i = (i + 1) & mask;
        index_[i] = e;
    }
}

Flow& FlowTable::create(const FlowKey& key, std::uint32_t hash, std::size_t position) {
    std::uint32_t slot;
    if (!free_.empty()) {
        slot = free_.back();
        free_.pop_back();
    } else {
        slot = slotCount_++;
        if ((slot >> kFlowChunkBits) >= chunks_.size())
            chunks_.push_back(std::make_unique_for_overwrite<Chunk>());
    }
    Flow* flow = new (&at(slot)) Flow(key, slot);
    index_[position] = {slot + 1, hash};
    ++size_;
    pushNewest(*flow);
    return *flow;
}

void FlowTable::remove(Flow& flow) {
    if (onExpire_) onExpire_(flow);
    unlink(flow);
    // Backward-shift deletion: later entries of the probe run move up into the hole unless
    // that would put them in front of their home position.
    const std::size_t mask = index_.size() - 1;
    std::size_t hole = static_cast<std::uint32_t>(FlowKeyHash{}(flow.key)) & mask;
    while (index_[hole].slotPlus1 != flow.slot_ + 1) hole = (hole + 1) & mask;
    for (std::size_t j = (hole + 1) & mask; index_[j].slotPlus1 != 0; j = (j + 1) & mask) {
        const std::size_t home = index_[j].hash & mask;
        if (((j - home) & mask) >= ((j - hole) & mask)) {
            index_[hole] = index_[j];
            hole = j;
        }
    }
    index_[hole] = {};
    if (last_ == flow.slot_) last_ = kNone;
    --size_;
    free_.push_back(flow.slot_);
    flow.~Flow();
}

FlowTable::Lookup FlowTable::trackAny(const DecodedPacket& p) {
    if (p.timestampUs - lastExpiryUs_ > 1000000) {
        expire(p.timestampUs);  // may drop last_ (then kNone)
        lastExpiryUs_ = p.timestampUs;
    }
    Lookup result;
    const std::uint32_t meta = p.ipProtocol | (std::uint32_t{p.vlan()} << 8);
    if (!p.srcIp.v6 && !p.dstIp.v6) {  // as track()
        const std::uint64_t src = endpointWord(p.srcIp, p.srcPort);
        const std::uint64_t dst = endpointWord(p.dstIp, p.dstPort);
        if (last_ != kNone && lastV4_ && meta == lastMeta_) {
            if (src == lastA_ && dst == lastB_) return touch(at(last_), p, true, result);
            if (src == lastB_ && dst == lastA_) {
                result.direction = 1;
                return touch(at(last_), p, false, result);
            }
        }
        return trackV4(p, src, dst, meta);
    }
    // IPv6: by the key.
    const FlowKey key = flowKeyOf(p, result.direction);
    const bool srcIsA = result.direction == 0;
    if (last_ != kNone && at(last_).key == key) return touch(at(last_), p, srcIsA, result);
    const auto hash = static_cast<std::uint32_t>(FlowKeyHash{}(key));
    const std::size_t mask = index_.size() - 1;
    std::size_t i = hash & mask;
    Flow* found = nullptr;
    for (; index_[i].slotPlus1 != 0; i = (i + 1) & mask) {
        if (index_[i].hash != hash) continue;
        Flow& candidate = at(index_[i].slotPlus1 - 1);
        if (candidate.key == key) {
            found = &candidate;
            break;
        }
    }
    if (!found) {
        found = &insert(key, hash, i, p, srcIsA);
        result.created = true;
    } else if (lruOf(*found).newest != found->slot_) {
        moveToNewest(*found);
    }
    last_ = found->slot_;
    lastV4_ = false;
    return touch(*found, p, srcIsA, result);
}

/// An IPv4 packet's flow by the index, found by its endpoint words (the key is built only for
/// a new flow); no expiry due, the previous flow compared already.
FlowTable::Lookup FlowTable::trackV4(const DecodedPacket& p, std::uint64_t src, std::uint64_t dst,
                                     std::uint32_t meta) {
    Lookup result;
    const bool srcIsA = src <= dst;
    result.direction = srcIsA ? 0 : 1;
    const std::uint64_t a = srcIsA ? src : dst;
    const std::uint64_t b = srcIsA ? dst : src;
    const auto hash = static_cast<std::uint32_t>(flowHashV4(a, b, meta));
    const std::size_t mask = index_.size() - 1;
    std::size_t i = hash & mask;
    Flow* found = nullptr;
    for (; index_[i].slotPlus1 != 0; i = (i + 1) & mask) {
        if (index_[i].hash != hash) continue;
        Flow& candidate = at(index_[i].slotPlus1 - 1);
        const FlowKey& k = candidate.key;
        if (!k.ipA.v6 && !k.ipB.v6 && (k.protocol | (std::uint32_t{k.vlan} << 8)) == meta &&
            endpointWord(k.ipA, k.portA) == a && endpointWord(k.ipB, k.portB) == b) {
            found = &candidate;
            break;
        }
    }
    if (!found) {
        // The ends ordered by their endpoint words, as flowKeyOf() orders them.
        found = &insert(orderedKey(p, srcIsA), hash, i, p, srcIsA);
        result.created = true;
    } else if (lruOf(*found).newest != found->slot_) {
        moveToNewest(*found);
    }
    last_ = found->slot_;
    lastV4_ = true;
    lastA_ = a;
    lastB_ = b;
    lastMeta_ = meta;
    return touch(*found, p, srcIsA, result);
}

/// A new flow for `key`, whose probe run ends at index position `i`; when the table is full the
/// least recently used flow is evicted first.
Flow& FlowTable::insert(const FlowKey& key, std::uint32_t hash, std::size_t i,
                        const DecodedPacket& p, bool srcIsA) {
    bool moved = false;
    if (size_ >= limits_.maxFlows) {
        // Full: evict the least recently used flow of either list.
        const std::uint32_t a = lru_[0].oldest;
        const std::uint32_t b = lru_[1].oldest;
        const std::uint32_t victim = a == kNone   ? b
                                     : b == kNone ? a
                                                  : (at(a).lastUs <= at(b).lastUs ? a : b);
        if (victim != kNone) {
            remove(at(victim));
            ++evicted_;
            moved = true;  // the deletion may have shifted the free position
        }
    }
    if ((size_ + 1) * 8 > index_.size() * 7) {
        grow();
        moved = true;
    }
    if (moved) {
        const std::size_t mask = index_.size() - 1;
        for (i = hash & mask; index_[i].slotPlus1 != 0;) i = (i + 1) & mask;
    }
    Flow& flow = create(key, hash, i);
    const bool synAck =
        (p.tcpFlags & (tcpflag::kSyn | tcpflag::kAck)) == (tcpflag::kSyn | tcpflag::kAck);
    flow.initiatorIsA = synAck ? !srcIsA : srcIsA;
    return flow;
}

std::size_t FlowTable::expire(std::int64_t nowUs) {
    std::size_t removed = 0;
    for (int c = 0; c < 2; ++c) {
        const std::int64_t idle = c == 0 ? limits_.tcpIdleUs : limits_.udpIdleUs;
        while (lru_[c].oldest != kNone && nowUs - at(lru_[c].oldest).lastUs > idle) {
            remove(at(lru_[c].oldest));
            ++removed;
        }
    }
    expired_ += removed;
    return removed;
}

void FlowTable::forEach(const std::function<void(Flow&)>& fn) {
    for (const Lru& lru : lru_) {
        for (std::uint32_t s = lru.oldest; s != kNone; s = at(s).newer_) fn(at(s));
    }
}

}  // namespace ironsight::sensor::decode
