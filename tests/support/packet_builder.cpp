// SPDX-License-Identifier: Apache-2.0
// Test packet builder implementation (RFC 791/793/768/826, MBAP, RFC 2131/2132, RFC 1035).
#include "tests/support/packet_builder.h"

#include <cstdio>
#include <sstream>

namespace ironsight::test {
namespace {

void put16(Bytes& b, std::uint16_t v) {
    b.push_back(static_cast<std::uint8_t>(v >> 8));
    b.push_back(static_cast<std::uint8_t>(v));
}
void put32(Bytes& b, std::uint32_t v) {
    put16(b, static_cast<std::uint16_t>(v >> 16));
    put16(b, static_cast<std::uint16_t>(v));
}
void append(Bytes& b, const Bytes& more) {
    b.insert(b.end(), more.begin(), more.end());
}

std::uint32_t sum16(const Bytes& b, std::size_t from, std::size_t to, std::uint32_t acc = 0) {
    for (std::size_t i = from; i < to; i += 2) {
        const std::uint16_t hi = b[i];
        const std::uint16_t lo = i + 1 < to ? b[i + 1] : 0;
        acc += static_cast<std::uint32_t>((hi << 8) | lo);
    }
    return acc;
}
std::uint16_t fold(std::uint32_t acc) {
    while (acc >> 16) acc = (acc & 0xffff) + (acc >> 16);
    return static_cast<std::uint16_t>(~acc);
}
std::uint16_t l4Checksum(std::uint32_t src, std::uint32_t dst, std::uint8_t proto,
                         const Bytes& seg) {
    std::uint32_t acc = (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) + proto +
                        static_cast<std::uint32_t>(seg.size());
    return fold(sum16(seg, 0, seg.size(), acc));
}
void dnsName(Bytes& b, const std::string& name) {
    std::stringstream ss(name);
    std::string label;
    while (std::getline(ss, label, '.')) {
        b.push_back(static_cast<std::uint8_t>(label.size()));
        b.insert(b.end(), label.begin(), label.end());
    }
    b.push_back(0);
}

}  // namespace

Mac mac(std::string_view text) {
    Mac m{};
    unsigned v[6] = {};
    std::sscanf(std::string(text).c_str(), "%x:%x:%x:%x:%x:%x", &v[0], &v[1], &v[2], &v[3], &v[4],
                &v[5]);
    for (int i = 0; i < 6; ++i) m[i] = static_cast<std::uint8_t>(v[i]);
    return m;
}

std::uint32_t ipv4(std::string_view text) {
    unsigned a = 0, b = 0, c = 0, d = 0;
    std::sscanf(std::string(text).c_str(), "%u.%u.%u.%u", &a, &b, &c, &d);
    return (a << 24) | (b << 16) | (c << 8) | d;
}

Bytes ethernet(const Mac& dst, const Mac& src, std::uint16_t etherType, const Bytes& payload,
               const std::vector<std::uint16_t>& vlans) {
    Bytes b(dst.begin(), dst.end());
    b.insert(b.end(), src.begin(), src.end());
    for (std::size_t i = 0; i < vlans.size(); ++i) {
        const bool outer = vlans.size() > 1 && i + 1 < vlans.size();
        put16(b, outer ? etype::kQinQ : etype::kVlan);
        put16(b, vlans[i] & 0x0fff);
    }
    put16(b, etherType);
    append(b, payload);
    while (b.size() < 60) b.push_back(0);  // minimum frame size (without FCS): padding
    return b;
}

Bytes ipv4Packet(std::uint32_t src, std::uint32_t dst, std::uint8_t protocol, const Bytes& payload,
                 std::uint8_t ttl, std::uint16_t id, std::uint16_t fragment) {
    Bytes b;
    b.push_back(0x45);
    b.push_back(0);
    put16(b, static_cast<std::uint16_t>(20 + payload.size()));
    put16(b, id);
    put16(b, fragment);
    b.push_back(ttl);
    b.push_back(protocol);
    put16(b, 0);
    put32(b, src);
    put32(b, dst);
    const std::uint16_t sum = fold(sum16(b, 0, 20));
    b[10] = static_cast<std::uint8_t>(sum >> 8);
    b[11] = static_cast<std::uint8_t>(sum);
    append(b, payload);
    return b;
}

Bytes tcpSegment(std::uint32_t srcIp, std::uint32_t dstIp, std::uint16_t srcPort,
                 std::uint16_t dstPort, std::uint32_t seq, std::uint32_t ack, std::uint8_t flags,
                 const Bytes& payload, std::uint16_t window) {
    Bytes b;
    put16(b, srcPort);
    put16(b, dstPort);
    put32(b, seq);
    put32(b, ack);
    b.push_back(0x50);
    b.push_back(flags);
    put16(b, window);
    put16(b, 0);
    put16(b, 0);
    append(b, payload);
    const std::uint16_t sum = l4Checksum(srcIp, dstIp, 6, b);
    b[16] = static_cast<std::uint8_t>(sum >> 8);
    b[17] = static_cast<std::uint8_t>(sum);
    return b;
}

Bytes udpDatagram(std::uint32_t srcIp, std::uint32_t dstIp, std::uint16_t srcPort,
                  std::uint16_t dstPort, const Bytes& payload) {
    Bytes b;
    put16(b, srcPort);
    put16(b, dstPort);
    put16(b, static_cast<std::uint16_t>(8 + payload.size()));
    put16(b, 0);
    append(b, payload);
    std::uint16_t sum = l4Checksum(srcIp, dstIp, 17, b);
    if (sum == 0) sum = 0xffff;
    b[6] = static_cast<std::uint8_t>(sum >> 8);
    b[7] = static_cast<std::uint8_t>(sum);
    return b;
}

Bytes arpPacket(std::uint16_t op, const Mac& senderMac, std::uint32_t senderIp,
                const Mac& targetMac, std::uint32_t targetIp) {
    Bytes b;
    put16(b, 1);
    put16(b, etype::kIpv4);
    b.push_back(6);
    b.push_back(4);
    put16(b, op);
    b.insert(b.end(), senderMac.begin(), senderMac.end());
    put32(b, senderIp);
    b.insert(b.end(), targetMac.begin(), targetMac.end());
    put32(b, targetIp);
    return b;
}

Bytes tcpFrame(const Host& from, const Host& to, std::uint16_t srcPort, std::uint16_t dstPort,
               std::uint32_t seq, std::uint32_t ack, std::uint8_t flags, const Bytes& payload,
               const std::vector<std::uint16_t>& vlans) {
    return ethernet(
        to.mac, from.mac, etype::kIpv4,
        ipv4Packet(from.ip, to.ip, 6,
                   tcpSegment(from.ip, to.ip, srcPort, dstPort, seq, ack, flags, payload)),
        vlans);
}

Bytes udpFrame(const Host& from, const Host& to, std::uint16_t srcPort, std::uint16_t dstPort,
               const Bytes& payload, const Mac* dstMac) {
    return ethernet(
        dstMac ? *dstMac : to.mac, from.mac, etype::kIpv4,
        ipv4Packet(from.ip, to.ip, 17, udpDatagram(from.ip, to.ip, srcPort, dstPort, payload)));
}

Bytes arpFrame(std::uint16_t op, const Host& sender, const Host& target, bool broadcast) {
    const Mac zero{};
    return ethernet(broadcast ? kBroadcastMac : target.mac, sender.mac, etype::kArp,
                    arpPacket(op, sender.mac, sender.ip, op == 1 ? zero : target.mac, target.ip));
}

Bytes modbusAdu(std::uint16_t transactionId, std::uint8_t unitId, const Bytes& pdu) {
    Bytes b;
    put16(b, transactionId);
    put16(b, 0);
    put16(b, static_cast<std::uint16_t>(pdu.size() + 1));
    b.push_back(unitId);
    append(b, pdu);
    return b;
}

Bytes modbusReadRequest(std::uint8_t function, std::uint16_t address, std::uint16_t count) {
    Bytes b{function};
    put16(b, address);
    put16(b, count);
    return b;
}

Bytes modbusReadResponse(std::uint8_t function, const std::vector<std::uint16_t>& registers) {
    Bytes b{function, static_cast<std::uint8_t>(registers.size() * 2)};
    for (auto r : registers) put16(b, r);
    return b;
}

Bytes modbusWriteSingleRegister(std::uint16_t address, std::uint16_t value) {
    Bytes b{0x06};
    put16(b, address);
    put16(b, value);
    return b;
}

Bytes modbusWriteMultipleRegisters(std::uint16_t address,
                                   const std::vector<std::uint16_t>& values) {
    Bytes b{0x10};
    put16(b, address);
    put16(b, static_cast<std::uint16_t>(values.size()));
    b.push_back(static_cast<std::uint8_t>(values.size() * 2));
    for (auto v : values) put16(b, v);
    return b;
}

Bytes modbusWriteMultipleRegistersResponse(std::uint16_t address, std::uint16_t count) {
    Bytes b{0x10};
    put16(b, address);
    put16(b, count);
    return b;
}

Bytes modbusException(std::uint8_t function, std::uint8_t code) {
    return Bytes{static_cast<std::uint8_t>(function | 0x80), code};
}

Bytes modbusDeviceIdResponse(const std::string& vendor, const std::string& productCode,
                             const std::string& revision) {
    Bytes b{0x2b, 0x0e, 0x01, 0x01, 0x00, 0x00, 0x03};  // FC, MEI 14, read code 1, conformity,
                                                        // more follows, next id, object count
    const std::string* objects[3] = {&vendor, &productCode, &revision};
    for (std::uint8_t id = 0; id < 3; ++id) {
        b.push_back(id);
        b.push_back(static_cast<std::uint8_t>(objects[id]->size()));
        b.insert(b.end(), objects[id]->begin(), objects[id]->end());
    }
    return b;
}

Bytes dhcpMessage(std::uint8_t op, std::uint8_t messageType, std::uint32_t xid, const Mac& client,
                  std::uint32_t yourIp, const std::string& hostname, const std::string& vendorClass,
                  std::uint32_t serverId) {
    Bytes b{op, 1, 6, 0};
    put32(b, xid);
    put16(b, 0);
    put16(b, 0x8000);  // broadcast flag
    put32(b, 0);       // ciaddr
    put32(b, op == 2 ? yourIp : 0);
    put32(b, 0);  // siaddr
    put32(b, 0);  // giaddr
    b.insert(b.end(), client.begin(), client.end());
    b.insert(b.end(), 10 + 64 + 128, 0);  // chaddr padding, sname, file
    put32(b, 0x63825363);                 // magic cookie
    b.insert(b.end(), {53, 1, messageType});
    if (!hostname.empty()) {
        b.push_back(12);
        b.push_back(static_cast<std::uint8_t>(hostname.size()));
        b.insert(b.end(), hostname.begin(), hostname.end());
    }
    if (!vendorClass.empty()) {
        b.push_back(60);
        b.push_back(static_cast<std::uint8_t>(vendorClass.size()));
        b.insert(b.end(), vendorClass.begin(), vendorClass.end());
    }
    if (op == 1 && yourIp != 0) {
        b.insert(b.end(), {50, 4});
        put32(b, yourIp);
    }
    if (serverId != 0) {
        b.insert(b.end(), {54, 4});
        put32(b, serverId);
    }
    b.push_back(255);
    return b;
}

Bytes dnsQuery(std::uint16_t id, const std::string& name) {
    Bytes b;
    put16(b, id);
    put16(b, 0x0100);  // standard query, recursion desired
    put16(b, 1);
    put16(b, 0);
    put16(b, 0);
    put16(b, 0);
    dnsName(b, name);
    put16(b, 1);  // A
    put16(b, 1);  // IN
    return b;
}

Bytes dnsResponse(std::uint16_t id, const std::string& name, std::uint32_t address) {
    Bytes b;
    put16(b, id);
    put16(b, 0x8180);
    put16(b, 1);
    put16(b, 1);
    put16(b, 0);
    put16(b, 0);
    dnsName(b, name);
    put16(b, 1);
    put16(b, 1);
    put16(b, 0xc00c);  // pointer to the question name
    put16(b, 1);
    put16(b, 1);
    put32(b, 300);
    put16(b, 4);
    put32(b, address);
    return b;
}

}  // namespace ironsight::test
