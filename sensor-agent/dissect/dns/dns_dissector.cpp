// SPDX-License-Identifier: Apache-2.0
// DNS dissector (RFC 1035 §4.1 messages; §4.2.2 two-byte length prefix on TCP).
//
// header: id u16 | flags u16 (QR, opcode, AA, TC, RD, RA, Z, rcode) | qdcount | ancount |
// nscount | arcount (u16 each) — then questions (name, qtype, qclass) and resource records
// (name, type, class, ttl u32, rdlength u16, rdata).
#include "sensor-agent/dissect/dns/dns_dissector.h"

#include <algorithm>
#include <string_view>

namespace ironsight::sensor::dissect::dns {

DissectorPtr DnsDissector::create() {
    return std::make_unique<DnsDissector>();
}

std::string hostPart(const std::string& name) {
    constexpr std::string_view kLocal = ".local";
    if (name.size() > kLocal.size() &&
        std::equal(kLocal.rbegin(), kLocal.rend(), name.rbegin(), [](char a, char b) {
            return a == (b >= 'A' && b <= 'Z' ? static_cast<char>(b - 'A' + 'a') : b);
        })) {
        return name.substr(0, name.size() - kLocal.size());
    }
    return name;
}

std::size_t reportAddressRecords(const FlowContext& flow, const Message& m,
                                 const std::string& protocol, bool localOnly, EventSink& sink) {
    std::size_t reported = 0;
    for (const auto* section : {&m.answers, &m.additionals}) {
        for (const Record& rec : *section) {
            const bool a = rec.type == kTypeA && rec.rdata.size() == 4;
            const bool aaaa = rec.type == kTypeAaaa && rec.rdata.size() == 16;
            if ((!a && !aaaa) || (localOnly && !isLocalAddress(rec.rdata))) continue;
            const std::string name = hostPart(displayName(rec.name, protocol == "dns"));
            if (name.empty()) continue;
            FlowContext owner = flow;
            owner.serverIp = addressText(rec.rdata);
            owner.serverMac.clear();
            Identity id;
            id.protocol = protocol;
            id.ofServer = true;
            id.strings["hostname"] = name;
            id.hostname = name;
            sink.onIdentity(owner, id);
            ++reported;
        }
    }
    return reported;
}

void DnsDissector::onMessage(const FlowContext& flow, std::span<const std::uint8_t> msg,
                             EventSink& sink) {
    // One Message per thread, parsed into again and again (its storage reused; sinks copy
    // what they keep, and nothing here re-enters onMessage).
    thread_local Message m;
    if (!parseMessage(msg, m)) {
        sink.onAnomaly(flow, "dns", "malformed_message");
        return;
    }
    bool report = true;
    if (m.response()) {
        auto it = std::find(pendingIds_.begin(), pendingIds_.end(), m.id);
        if (it != pendingIds_.end()) {
            pendingIds_.erase(it);
            report = false;  // its query was already reported
        }
        reportAddressRecords(flow, m, "dns", true, sink);
    } else {
        if (pendingIds_.size() >= kMaxPendingIds) pendingIds_.erase(pendingIds_.begin());
        pendingIds_.push_back(m.id);
    }
    if (!report) return;
    for (const Question& q : m.questions) {
        Operation& op = reusableOperation<"dns">(
            !m.response(), m.opcode() == 0 ? "query" : (m.opcode() == 5 ? "update" : "other"),
            m.opcode() == 5 ? "write" : "read");
        op.functionCode = m.opcode();
        op.exception = m.response() && m.rcode() != 0;
        op.keys["qtype"] = q.qtype;
        op.textKeys["name"] = displayName(q.name);
        sink.onOperation(flow, op);
    }
}

ParseResult DnsDissector::onData(const FlowContext& flow, Direction,
                                 std::span<const std::uint8_t> data, EventSink& sink) noexcept {
    if (flow.transport == Transport::Udp) {
        onMessage(flow, data, sink);
        return ParseResult::ok(data.size());
    }
    std::size_t pos = 0;
    while (data.size() - pos >= 2) {
        const std::size_t len = static_cast<std::size_t>(data[pos] << 8) | data[pos + 1];
        if (len < 12) {
            sink.onAnomaly(flow, "dns", "malformed_message");
            return ParseResult::error(data.size());
        }
        if (data.size() - pos < 2 + len) return ParseResult::incomplete(pos, 2 + len);
        onMessage(flow, data.subspan(pos + 2, len), sink);
        pos += 2 + len;
    }
    return pos == data.size() ? ParseResult::ok(pos) : ParseResult::incomplete(pos, 2);
}

void registerDissector(DissectorRegistry& registry) {
    registry.add({.name = "dns",
                  .transport = Transport::Udp,
                  .defaultPorts = {kPort},
                  .probe = nullptr,
                  .create = &DnsDissector::create});
    registry.add({.name = "dns",
                  .transport = Transport::Tcp,
                  .defaultPorts = {kPort},
                  .probe = nullptr,
                  .create = &DnsDissector::create});
}

}  // namespace ironsight::sensor::dissect::dns
