// SPDX-License-Identifier: Apache-2.0
// IOC engine (both modes): addresses of every IP packet, DNS query names, TLS SNI and HTTP Host
// against the imported indicator lists (ioc.h).
#include <cctype>

#include "sensor-agent/detect/detector.h"

namespace ironsight::sensor::detect {
namespace {

/// The Host header of an HTTP request that starts in this payload, or "".
std::string httpHost(std::span<const std::uint8_t> payload) {
    static constexpr std::string_view kMethods[] = {"GET ",    "POST ",  "PUT ",     "HEAD ",
                                                    "DELETE ", "PATCH ", "OPTIONS ", "CONNECT "};
    const std::string_view text(reinterpret_cast<const char*>(payload.data()),
                                std::min<std::size_t>(payload.size(), 4096));
    bool request = false;
    for (auto m : kMethods) request = request || text.starts_with(m);
    if (!request) return {};
    for (std::size_t pos = text.find("\r\n"); pos != std::string_view::npos;
         pos = text.find("\r\n", pos + 2)) {
        const auto line = text.substr(pos + 2, 5);
        if (line.size() < 5) break;
        bool host = true;
        for (std::size_t i = 0; i < 4; ++i) {
            host = host && std::tolower(static_cast<unsigned char>(line[i])) == "host"[i];
        }
        if (!host || line[4] != ':') continue;
        auto value = text.substr(pos + 7);
        value = value.substr(0, value.find("\r\n"));
        while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
        if (const auto colon = value.rfind(':');
            colon != std::string_view::npos && value.find(']') == std::string_view::npos) {
            value = value.substr(0, colon);  // host:port
        }
        return std::string(value);
    }
    return {};
}

}  // namespace

void Detector::iocPacket(const decode::DecodedPacket& p) {
    if (indicators_.empty() || !p.hasIp) return;
    if (indicators_.hasAddresses()) {
        // The indicator is the far end: the other address is the device that talked to it.
        for (const auto& [ioc, peer] :
             {std::pair(&p.dstIp, &p.srcIp), std::pair(&p.srcIp, &p.dstIp)}) {
            const std::string match = indicators_.match(*ioc);
            if (match.empty()) continue;
            raiseAt("ioc_match", Trigger{.srcIp = peer->toString(),
                                         .dstIp = ioc->toString(),
                                         .timestampUs = p.timestampUs,
                                         .detail = match});
            return;
        }
    }
    if (indicators_.hasDomains() && p.l4 == decode::L4::Tcp && p.payload.size() > 16) {
        const std::string host = httpHost(p.payload);
        const std::string match = indicators_.matchDomain(host);
        if (match.empty()) return;
        raiseAt("ioc_match", Trigger{.srcIp = p.srcIp.toString(),
                                     .dstIp = p.dstIp.toString(),
                                     .protocol = "http",
                                     .timestampUs = p.timestampUs,
                                     .detail = "HTTP Host " + host + " (" + match + ")"});
    }
}

void Detector::iocOperation(const dissect::FlowContext& flow, const dissect::Operation& op) {
    if (!indicators_.hasDomains() || !op.request) return;
    const char* key = op.protocol == "dns" || op.protocol == "mdns" ? "name"
                      : op.protocol == "tls"                        ? "server_name"
                                                                    : nullptr;
    if (!key) return;
    const auto name = op.textKeys.find(key);
    if (name == op.textKeys.end()) return;
    const std::string match = indicators_.matchDomain(name->second);
    if (match.empty()) return;
    // DNS: the contacted name is the indicator (the resolver is not the contact); TLS: the
    // server that was asked for the name.
    const bool dns = op.protocol != "tls";
    raiseAt("ioc_match", Trigger{.srcIp = flow.clientIp,
                                 .dstIp = dns ? name->second : flow.serverIp,
                                 .protocol = op.protocol,
                                 .timestampUs = flow.timestampUs,
                                 .detail = (dns ? "DNS query " : "TLS SNI ") + name->second + " (" +
                                           match + ")"});
}

}  // namespace ironsight::sensor::detect
