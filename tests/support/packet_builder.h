// SPDX-License-Identifier: Apache-2.0
// Test packet builder: Ethernet/VLAN/ARP/IPv4/TCP/UDP frames with correct checksums, Modbus
// ADUs, DHCP and DNS messages. Test-only code; builds bytes exactly as they appear on the wire.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ironsight::test {

using Bytes = std::vector<std::uint8_t>;
using Mac = std::array<std::uint8_t, 6>;

Mac mac(std::string_view text);             // "00:80:f4:01:02:03"
std::uint32_t ipv4(std::string_view text);  // "10.1.1.10" -> host order
inline constexpr Mac kBroadcastMac{0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

struct Host {
    Mac mac{};
    std::uint32_t ip = 0;
};

namespace etype {
inline constexpr std::uint16_t kIpv4 = 0x0800, kArp = 0x0806, kVlan = 0x8100, kQinQ = 0x88a8;
}

/// Ethernet II frame. vlans: outermost first; with two or more tags the outer ones use 0x88a8.
Bytes ethernet(const Mac& dst, const Mac& src, std::uint16_t etherType, const Bytes& payload,
               const std::vector<std::uint16_t>& vlans = {});
/// IPv4 header (checksum filled) + payload. fragment: the 16-bit flags/offset field.
Bytes ipv4Packet(std::uint32_t src, std::uint32_t dst, std::uint8_t protocol, const Bytes& payload,
                 std::uint8_t ttl = 64, std::uint16_t id = 1, std::uint16_t fragment = 0x4000);
/// TCP segment with checksum over the IPv4 pseudo-header.
Bytes tcpSegment(std::uint32_t srcIp, std::uint32_t dstIp, std::uint16_t srcPort,
                 std::uint16_t dstPort, std::uint32_t seq, std::uint32_t ack, std::uint8_t flags,
                 const Bytes& payload, std::uint16_t window = 8192);
Bytes udpDatagram(std::uint32_t srcIp, std::uint32_t dstIp, std::uint16_t srcPort,
                  std::uint16_t dstPort, const Bytes& payload);
Bytes arpPacket(std::uint16_t op, const Mac& senderMac, std::uint32_t senderIp,
                const Mac& targetMac, std::uint32_t targetIp);

/// Whole frames: Ethernet + IPv4 + TCP/UDP.
Bytes tcpFrame(const Host& from, const Host& to, std::uint16_t srcPort, std::uint16_t dstPort,
               std::uint32_t seq, std::uint32_t ack, std::uint8_t flags, const Bytes& payload,
               const std::vector<std::uint16_t>& vlans = {});
Bytes udpFrame(const Host& from, const Host& to, std::uint16_t srcPort, std::uint16_t dstPort,
               const Bytes& payload, const Mac* dstMac = nullptr);
Bytes arpFrame(std::uint16_t op, const Host& sender, const Host& target, bool broadcast);

namespace tcp {
inline constexpr std::uint8_t kFin = 0x01, kSyn = 0x02, kRst = 0x04, kPsh = 0x08, kAck = 0x10;
}

/// Modbus/TCP ADU: MBAP (transaction id, protocol 0, length, unit id) + PDU.
Bytes modbusAdu(std::uint16_t transactionId, std::uint8_t unitId, const Bytes& pdu);
Bytes modbusReadRequest(std::uint8_t function, std::uint16_t address, std::uint16_t count);
Bytes modbusReadResponse(std::uint8_t function, const std::vector<std::uint16_t>& registers);
Bytes modbusWriteSingleRegister(std::uint16_t address, std::uint16_t value);
Bytes modbusWriteMultipleRegisters(std::uint16_t address, const std::vector<std::uint16_t>& values);
Bytes modbusWriteMultipleRegistersResponse(std::uint16_t address, std::uint16_t count);
Bytes modbusException(std::uint8_t function, std::uint8_t code);
/// FC 43 / MEI 14 Read Device Identification response with objects 0 (vendor), 1 (product
/// code), 2 (revision).
Bytes modbusDeviceIdResponse(const std::string& vendor, const std::string& productCode,
                             const std::string& revision);

/// DHCP (BOOTP) message: op 1 request / 2 reply, DHCP message type option 53, optional host
/// name (12), vendor class (60), requested IP (50) and server id (54).
Bytes dhcpMessage(std::uint8_t op, std::uint8_t messageType, std::uint32_t xid, const Mac& client,
                  std::uint32_t yourIp, const std::string& hostname, const std::string& vendorClass,
                  std::uint32_t serverId);
/// DNS query (A) and response with one A answer.
Bytes dnsQuery(std::uint16_t id, const std::string& name);
Bytes dnsResponse(std::uint16_t id, const std::string& name, std::uint32_t address);

}  // namespace ironsight::test
