// SPDX-License-Identifier: Apache-2.0
// Operational engine (both modes, on packet time so offline analysis works): device_silent (a
// regular sender quiet for DetectorOptions::silentAfterUs) and device_restarted (DNP3 IIN
// restart in protocol_engine.cpp; here a Modbus server that stops answering).
#include <algorithm>

#include "sensor-agent/detect/detector.h"

namespace ironsight::sensor::detect {
namespace {
constexpr std::size_t kMaxHosts = 100000;
}  // namespace

void Detector::operationalPacket(const decode::DecodedPacket& p) {
    const decode::IpAddress* sender = p.isArp ? &p.arp.senderIp : (p.hasIp ? &p.srcIp : nullptr);
    if (!sender || !sender->isUnicastHost()) return;
    HostSlot& slot = hostSlots_[(ipWord(*sender) >> 32) % hostSlots_.size()];
    if (!slot.activity || !sameIp(slot.ip, *sender)) {
        HostActivity* activity = activityOf(*sender);
        if (!activity) return;
        slot = HostSlot{*sender, activity};
    }
    touch(*slot.activity, p.timestampUs);
}

Detector::HostActivity* Detector::activityOf(const decode::IpAddress& sender) {
    auto it = activity_.find(sender);
    if (it == activity_.end()) {
        if (activity_.size() >= kMaxHosts) return nullptr;
        it = activity_.try_emplace(sender).first;
    }
    return &it->second;
}

void Detector::sweep(std::int64_t nowUs) {
    for (auto& [ip, h] : activity_) {
        if (!h.regular || h.silent) continue;
        const std::int64_t last = std::max(h.lastUs, firstUs_);
        if (nowUs - last <= options_.silentAfterUs) continue;
        h.silent = true;
        raiseAt("device_silent",
                Trigger{.dstIp = ip.toString(),
                        .timestampUs = nowUs,
                        .detail =
                            "no packet for " + std::to_string((nowUs - last) / 1'000'000) + " s"});
    }
    // Sources that stopped probing are forgotten (port_scan state stays small).
    for (auto it = scans_.begin(); it != scans_.end();) {
        const bool idle = it->second.probes.empty() ||
                          nowUs - std::get<0>(it->second.probes.back()) > options_.scanWindowUs;
        it = idle ? scans_.erase(it) : std::next(it);
    }
}

void Detector::operationalOperation(const dissect::FlowContext& flow, const dissect::Operation& op,
                                    OperationMemo* memo, const OpFacts& facts) {
    if (facts.dnp3 && !op.request) {
        // device_restarted once per restart: when IIN1.7 appears, not in every later response
        // (outstations keep the bit until the master clears it). Both sets are mostly empty.
        const std::string& server = flow.serverIp;
        if (restartPending_.empty() || !restartPending_.erase(server)) {
            if (!restartSet_.empty()) restartSet_.erase(server);
        } else if (restartSet_.insert(server).second) {
            raiseAt("device_restarted", Trigger{.srcIp = flow.clientIp,
                                                .dstIp = server,
                                                .protocol = op.protocol,
                                                .function = op.function,
                                                .timestampUs = flow.timestampUs,
                                                .detail = "DNP3 IIN1.7 device restart"});
        }
        return;
    }
    if (!facts.modbus || flow.clientIp.empty()) return;
    ModbusPeer* peer = memo ? memo->modbus : nullptr;
    if (!peer) {
        const std::string key = flow.clientIp + " " + flow.serverIp;
        auto it = modbusPeers_.find(key);
        if (it == modbusPeers_.end()) {
            if (modbusPeers_.size() >= kMaxHosts) return;
            it = modbusPeers_.try_emplace(key).first;
        }
        peer = &it->second;  // never removed: the memo may keep it
        if (memo) memo->modbus = peer;
    }
    ModbusPeer& m = *peer;
    if (!op.request) {
        m = ModbusPeer{.unanswered = 0, .lastAnswerUs = flow.timestampUs, .alarmed = false};
        return;
    }
    // Masters pipeline requests and servers skip some: only a server that answered before and
    // then leaves N requests AND unansweredUs without any answer counts.
    if (++m.unanswered < options_.unansweredRequests || m.lastAnswerUs < 0 || m.alarmed ||
        flow.timestampUs - m.lastAnswerUs < options_.unansweredUs) {
        return;
    }
    m.alarmed = true;
    raiseAt("device_restarted",
            Trigger{.srcIp = flow.clientIp,
                    .dstIp = flow.serverIp,
                    .protocol = "modbus",
                    .function = op.function,
                    .timestampUs = flow.timestampUs,
                    .detail = std::to_string(m.unanswered) + " Modbus requests unanswered"});
}

}  // namespace ironsight::sensor::detect
