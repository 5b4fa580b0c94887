// SPDX-License-Identifier: Apache-2.0
// mDNS dissector (RFC 6762 on UDP 5353; DNS message format of RFC 1035 §4.1).
//
// Announcements are responses (QR=1) carrying the sender's own records: A/AAAA "host.local" →
// address, PTR/SRV service instances whose SRV target is "host.local".
#include "sensor-agent/dissect/mdns/mdns_dissector.h"

#include "sensor-agent/dissect/dns/dns_dissector.h"
#include "sensor-agent/dissect/dns/dns_wire.h"

namespace ironsight::sensor::dissect::mdns {

DissectorPtr MdnsDissector::create() {
    return std::make_unique<MdnsDissector>();
}

ParseResult MdnsDissector::onData(const FlowContext& flow, Direction dir,
                                  std::span<const std::uint8_t> data, EventSink& sink) noexcept {
    const auto m = dns::parseMessage(data);
    if (!m) {
        sink.onAnomaly(flow, "mdns", "malformed_message");
        return ParseResult::error(data.size());
    }
    const bool fromServer = dir == Direction::ToClient;
    if (!m->response()) {
        for (const dns::Question& q : m->questions) {
            Operation& op = reusableOperation<"mdns">(true, "query", "read");
            op.functionCode = m->opcode();
            op.keys["qtype"] = q.qtype & 0x7fff;  // top bit: unicast-response requested
            op.textKeys["name"] = dns::displayName(q.name);
            // The querier is the sender: report it as the client of the operation.
            FlowContext f = flow;
            if (fromServer) {
                std::swap(f.clientIp, f.serverIp);
                std::swap(f.clientPort, f.serverPort);
            }
            sink.onOperation(f, op);
        }
        return ParseResult::ok(data.size());
    }
    // Address records name their own address (on the link, whatever its range).
    dns::reportAddressRecords(flow, *m, "mdns", false, sink);
    // The sender's host name from the SRV target of a service it announces.
    std::string target;
    for (const auto* section : {&m->answers, &m->additionals}) {
        for (const dns::Record& rec : *section) {
            if (rec.type != dns::kTypeSrv || rec.rdata.size() < 7 || !target.empty()) continue;
            std::size_t offset = rec.rdataOffset + 6;  // priority, weight, port
            std::string raw;
            if (dns::readName(data, offset, raw))
                target = dns::hostPart(dns::displayName(raw, false));
        }
    }
    if (!target.empty()) {
        Identity id;
        id.protocol = "mdns";
        id.ofServer = fromServer;
        id.strings["hostname"] = target;
        id.hostname = target;
        sink.onIdentity(flow, id);
    }
    return ParseResult::ok(data.size());
}

void registerDissector(DissectorRegistry& registry) {
    registry.add({.name = "mdns",
                  .transport = Transport::Udp,
                  .defaultPorts = {kPort},
                  .probe = nullptr,
                  .create = &MdnsDissector::create});
}

}  // namespace ironsight::sensor::dissect::mdns
