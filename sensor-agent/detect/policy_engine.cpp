// SPDX-License-Identifier: Apache-2.0
// Policy engine, network rules: internet_access (per new flow), remote_access and rogue_dhcp
// (per packet). Like the other policy alerts they learn while learning and raise only when off.
#include <array>

#include "sensor-agent/detect/detector.h"

namespace ironsight::sensor::detect {
namespace {

struct RemoteService {
    std::uint16_t port;
    const char* name;
};
constexpr std::array<RemoteService, 6> kRemoteServices = {
    {{22, "ssh"}, {23, "telnet"}, {445, "smb"}, {3389, "rdp"}, {5900, "vnc"}, {5901, "vnc"}}};

const char* remoteService(std::uint16_t port) {
    for (const auto& s : kRemoteServices) {
        if (s.port == port) return s.name;
    }
    return nullptr;
}

constexpr std::size_t kMaxRemoteSessions = 65536;

/// DHCP message type (option 53) of a BOOTREPLY, or 0 when the payload is not one.
int dhcpReplyType(std::span<const std::uint8_t> b) {
    if (b.size() < 240 || b[0] != 2) return 0;
    if (b[236] != 0x63 || b[237] != 0x82 || b[238] != 0x53 || b[239] != 0x63) return 0;
    for (std::size_t i = 240; i < b.size();) {
        const std::uint8_t code = b[i];
        if (code == 0) {
            ++i;
            continue;
        }
        if (code == 255 || i + 1 >= b.size()) break;
        const std::size_t len = b[i + 1];
        if (code == 53 && len >= 1 && i + 2 < b.size()) return b[i + 2];
        i += 2 + len;
    }
    return 0;
}

}  // namespace

bool isPublicAddress(const decode::IpAddress& ip) {
    if (!ip.isUnicastHost() || ip.isPrivate()) return false;
    if (!ip.v6) {
        const std::uint32_t v = ip.v4Value();
        const auto in = [v](std::uint32_t net, int bits) {
            return (v >> (32 - bits)) == (net >> (32 - bits));
        };
        return !(in(0xc0000000u, 24) ||  // 192.0.0/24 IETF protocol assignments
                 in(0xc0000200u, 24) ||  // 192.0.2/24 TEST-NET-1
                 in(0xc6336400u, 24) ||  // 198.51.100/24 TEST-NET-2
                 in(0xcb007100u, 24) ||  // 203.0.113/24 TEST-NET-3
                 in(0xc6120000u, 15));   // 198.18/15 benchmarking
    }
    const bool global = (ip.bytes[0] & 0xe0) == 0x20;  // 2000::/3
    const bool documentation =
        ip.bytes[0] == 0x20 && ip.bytes[1] == 0x01 && ip.bytes[2] == 0x0d && ip.bytes[3] == 0xb8;
    return global && !documentation;
}

bool isIcsProtocol(std::string_view protocol) {
    // By length first: asked per operation, and a loop of comparisons cost a memcmp call each.
    switch (protocol.size()) {
        case 3:
            return protocol == "cip" || protocol == "mms";
        case 4:
            return protocol == "dnp3" || protocol == "enip";
        case 5:
            return protocol == "opcua" || protocol == "goose";
        case 6:
            return protocol == "modbus" || protocol == "s7comm" || protocol == "bacnet" ||
                   protocol == "iec104" || protocol == "hartip";
        case 12:
            return protocol == "profinet_dcp";
        default:
            return false;
    }
}

bool Detector::policyConnection(const ConnectionEvent& c, const V4Ends& v4) {
    // The engine writes IPv4 addresses as BaselineRecords reads them fast (parseIpAddress
    // cost ~600 instructions an address): the caller parsed them.
    const auto parse = [](const std::string& text, decode::IpAddress& out) {
        std::uint32_t v = 0;
        if (BaselineRecords::parseV4(text, v)) {
            out = decode::IpAddress::v4(v);
            return true;
        }
        return parseIpAddress(text, out);
    };
    decode::IpAddress client, server;
    if (v4.ok) {
        client = decode::IpAddress::v4(v4.client);
        server = decode::IpAddress::v4(v4.server);
    }
    if (v4.ok || (parse(c.clientIp, client) && parse(c.serverIp, server))) {
        const bool clientPublic = isPublicAddress(client), serverPublic = isPublicAddress(server);
        const auto& local = clientPublic ? server : client;
        if (clientPublic != serverPublic && local.isPrivate()) {
            const std::string& localText = clientPublic ? c.serverIp : c.clientIp;
            const std::string& remoteText = clientPublic ? c.clientIp : c.serverIp;
            const std::string item = "inet " + localText;
            if (learning_) {
                learn(item);
            } else if (baseline_.count(item)) {
                // The device reached the internet while learning: new public peers (CDNs,
                // updates) are its learned behaviour, not new connections.
                return true;
            } else if (icsHosts_.count(localText) || !icsSubnets_.match(local).empty()) {
                raiseAt("internet_access",
                        Trigger{.srcIp = localText,
                                .dstIp = remoteText,
                                .protocol = c.protocol,
                                .transport = c.transport,
                                .port = c.serverPort,
                                .timestampUs = c.timestampUs,
                                .detail = c.transport + "/" + std::to_string(c.serverPort)});
            }
        }
    }
    // Remote access services raise remote_access once the server answers (policyPacket), not
    // unauthorized_connection for the bare connection attempt.
    return !learning_ && sameText(c.transport, "tcp") && remoteService(c.serverPort) != nullptr;
}

void Detector::policyPacket(const decode::DecodedPacket& p) {
    if (!p.hasIp) return;
    if (p.l4 == decode::L4::Udp && p.srcPort == 67 && (p.dstPort == 68 || p.dstPort == 67)) {
        const int type = dhcpReplyType(p.payload);
        if (type != 2 && type != 5 && type != 6) return;  // OFFER, ACK, NAK
        const std::string server = p.srcIp.toString();
        const std::string item = "dhcp_server " + server;
        const auto& b = p.payload;
        const std::uint32_t yiaddr = (std::uint32_t{b[16]} << 24) | (std::uint32_t{b[17]} << 16) |
                                     (std::uint32_t{b[18]} << 8) | b[19];
        const std::string offered = std::to_string(b[16]) + "." + std::to_string(b[17]) + "." +
                                    std::to_string(b[18]) + "." + std::to_string(b[19]);
        // An address outside the site's DHCP pools (a NAK offers none): a misconfigured or
        // rogue server even when it is a known one.
        bool outside = false;
        if (type != 6 && yiaddr != 0 && !dhcpRanges_.empty()) {
            outside = true;
            for (const auto& [first, last] : dhcpRanges_) {
                if (yiaddr >= first && yiaddr <= last) outside = false;
            }
        }
        if (learning_) {
            learn(item);
        } else if (!baseline_.count(item) || outside) {
            raiseAt("rogue_dhcp",
                    Trigger{.srcIp = server,
                            .protocol = "dhcp",
                            .transport = "udp",
                            .port = 67,
                            .timestampUs = p.timestampUs,
                            .detail = "offered " + offered +
                                      (outside ? " (outside the site's DHCP ranges)" : "")});
        }
        return;
    }
    if (learning_ || p.l4 != decode::L4::Tcp || p.payload.empty()) return;
    const char* service = remoteService(p.srcPort);
    if (!service) return;  // only a server's answer proves a session
    const std::string server = p.srcIp.toString(), client = p.dstIp.toString();
    const std::string port = std::to_string(p.srcPort);
    if (knownConn("tcp", client, server, p.srcPort)) return;  // learned path
    if (remoteSessions_.size() >= kMaxRemoteSessions) remoteSessions_.clear();
    if (!remoteSessions_
             .insert(client + " " + server + " " + port + " " + std::to_string(p.dstPort))
             .second) {
        return;  // this session was counted
    }
    raiseAt("remote_access", Trigger{.srcIp = client,
                                     .dstIp = server,
                                     .protocol = service,
                                     .transport = "tcp",
                                     .port = p.srcPort,
                                     .timestampUs = p.timestampUs,
                                     .detail = std::string(service) + " tcp/" + port});
}

}  // namespace ironsight::sensor::detect
