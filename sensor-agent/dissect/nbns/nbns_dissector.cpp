// SPDX-License-Identifier: Apache-2.0
// NBNS dissector (RFC 1002 §4.2: DNS-format packets; names first-level encoded, RFC 1001 §14.1).
//
// header as DNS (opcode 0 query, 5 registration, 6 release, 7 WACK, 8/9 refresh, 15 multi-homed
// registration) | question: encoded name, type NB 0x20 / NBSTAT 0x21, class IN |
// NB RDATA: { NB_FLAGS u16 (G bit 0x8000 = group name) | NB_ADDRESS u32 }* |
// NBSTAT RDATA: NUM_NAMES u8 | { name 15 | suffix u8 | NAME_FLAGS u16 }* | statistics
#include "sensor-agent/dissect/nbns/nbns_dissector.h"

#include <algorithm>
#include <cstdio>

#include "sensor-agent/decode/byte_reader.h"
#include "sensor-agent/dissect/core/text.h"
#include "sensor-agent/dissect/dns/dns_wire.h"

namespace ironsight::sensor::dissect::nbns {

std::string NetbiosName::text() const {
    char buf[8];
    std::snprintf(buf, sizeof buf, "<%02x>", suffix);
    return name + buf;
}

std::optional<NetbiosName> decodeName(const std::string& encoded) {
    const std::string label = encoded.substr(0, encoded.find('.'));
    if (label.size() != 32) return std::nullopt;
    std::uint8_t raw[16];
    for (std::size_t i = 0; i < 16; ++i) {
        const char hi = label[2 * i], lo = label[2 * i + 1];
        if (hi < 'A' || hi > 'P' || lo < 'A' || lo > 'P') return std::nullopt;
        raw[i] = static_cast<std::uint8_t>(((hi - 'A') << 4) | (lo - 'A'));
    }
    NetbiosName n;
    n.suffix = raw[15];
    n.name = safeText(std::span<const std::uint8_t>(raw, 15));  // drops trailing spaces
    return n;
}

namespace {

const char* opcodeName(int opcode) {
    switch (opcode) {
        case 0:
            return "query";
        case 5:
            return "registration";
        case 6:
            return "release";
        case 7:
            return "wack";
        case 8:
        case 9:
            return "refresh";
        case 15:
            return "multihomed_registration";
        default:
            return "other";
    }
}

/// A workstation (0x00) or server (0x20) unique name is a host name; group names and other
/// suffixes (domains, browsers, "*" wildcards) are not.
bool isHostName(const NetbiosName& n, std::uint16_t nbFlags) {
    return (nbFlags & 0x8000) == 0 && (n.suffix == 0x00 || n.suffix == 0x20) && !n.name.empty() &&
           n.name[0] != '*';
}

void reportOwner(const FlowContext& flow, const std::string& ownerIp, bool ofServer,
                 const std::string& name, EventSink& sink) {
    FlowContext f = flow;
    if (!ownerIp.empty()) {
        f.serverIp = ownerIp;
        f.serverMac.clear();
        ofServer = true;
    }
    Identity id;
    id.protocol = "nbns";
    id.ofServer = ofServer;
    id.strings["hostname"] = name;
    id.hostname = name;
    sink.onIdentity(f, id);
}

/// NB RDATA entries: each address owns the record's name.
void reportNb(const FlowContext& flow, const dns::Record& rec, EventSink& sink) {
    const auto n = decodeName(rec.name);
    if (!n) return;
    decode::ByteReader r(rec.rdata);
    for (int i = 0; i < 16 && r.remaining() >= 6; ++i) {
        const std::uint16_t flags = r.u16();
        const auto addr = r.bytes(4);
        if (!isHostName(*n, flags) || (addr[0] | addr[1] | addr[2] | addr[3]) == 0) continue;
        reportOwner(flow, dns::addressText(addr), true, n->name, sink);
    }
}

/// NBSTAT answer: the responder's own name table; its first unique workstation name.
void reportNodeStatus(const FlowContext& flow, bool fromServer, const dns::Record& rec,
                      EventSink& sink) {
    decode::ByteReader r(rec.rdata);
    const std::uint8_t count = r.u8();
    for (int i = 0; i < count && r.ok(); ++i) {
        auto entry = r.bytes(16);
        const std::uint16_t flags = r.u16();
        if (!r.ok()) return;
        NetbiosName n;
        n.suffix = entry[15];
        n.name = safeText(entry.first(15));
        if (isHostName(n, flags)) {
            reportOwner(flow, {}, fromServer, n.name, sink);
            return;
        }
    }
}

}  // namespace

DissectorPtr NbnsDissector::create() {
    return std::make_unique<NbnsDissector>();
}

ParseResult NbnsDissector::onData(const FlowContext& flow, Direction dir,
                                  std::span<const std::uint8_t> data, EventSink& sink) noexcept {
    const auto m = dns::parseMessage(data);
    if (!m) {
        sink.onAnomaly(flow, "nbns", "malformed_message");
        return ParseResult::error(data.size());
    }
    const bool fromServer = dir == Direction::ToClient;
    bool report = true;
    if (m->response()) {
        auto it = std::find(pendingIds_.begin(), pendingIds_.end(), m->id);
        if (it != pendingIds_.end()) {
            pendingIds_.erase(it);
            report = false;
        }
        if (m->rcode() == 0) {
            for (const dns::Record& rec : m->answers) {
                if (rec.type == dns::kTypeNb) reportNb(flow, rec, sink);
                if (rec.type == 0x21) reportNodeStatus(flow, fromServer, rec, sink);
            }
        }
    } else {
        if (pendingIds_.size() >= kMaxPendingIds) pendingIds_.pop_front();
        pendingIds_.push_back(m->id);
        const int opcode = m->opcode();
        if (opcode == 5 || opcode == 8 || opcode == 9 || opcode == 15) {
            // Registration/refresh: the NB record in the additional section is the sender's.
            for (const dns::Record& rec : m->additionals) {
                if (rec.type == dns::kTypeNb) reportNb(flow, rec, sink);
            }
        }
    }
    if (!report) return ParseResult::ok(data.size());
    for (const dns::Question& q : m->questions) {
        const auto n = decodeName(q.name);
        Operation& op = reusableOperation<"nbns">(!m->response(), opcodeName(m->opcode()),
                                                  m->opcode() == 0 ? "read" : "other");
        op.functionCode = m->opcode();
        op.exception = m->response() && m->rcode() != 0;
        op.keys["qtype"] = q.qtype;
        op.textKeys["name"] = n ? n->text() : dns::displayName(q.name);
        FlowContext f = flow;
        if (fromServer && !m->response()) {  // 137 → 137: the sender asks
            std::swap(f.clientIp, f.serverIp);
            std::swap(f.clientPort, f.serverPort);
        }
        sink.onOperation(f, op);
    }
    return ParseResult::ok(data.size());
}

void registerDissector(DissectorRegistry& registry) {
    registry.add({.name = "nbns",
                  .transport = Transport::Udp,
                  .defaultPorts = {kPort},
                  .probe = nullptr,
                  .create = &NbnsDissector::create});
}

}  // namespace ironsight::sensor::dissect::nbns
