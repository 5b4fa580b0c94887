// SPDX-License-Identifier: Apache-2.0
// Decoded L2-L4 view of one frame, plus address value types and malformed-packet reasons.
#pragma once

#include <array>
#include <bit>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <vector>

namespace ironsight::sensor::decode {

using MacAddress = std::array<std::uint8_t, 6>;

std::string toString(const MacAddress& mac);
inline bool isGroupMac(const MacAddress& mac) {  // multicast or broadcast (I/G bit)
    return (mac[0] & 0x01) != 0;
}

struct IpAddress {
    bool v6 = false;
    std::array<std::uint8_t, 16> bytes{};  // IPv4 uses the first 4

    static IpAddress v4(std::uint32_t hostOrder);
    static IpAddress fromV4Bytes(std::span<const std::uint8_t> b);
    static IpAddress fromV6Bytes(std::span<const std::uint8_t> b);
    std::uint32_t v4Value() const {  // inline: flow keys and caches ask per packet
        std::uint32_t v;
        std::memcpy(&v, bytes.data(), sizeof v);
        if constexpr (std::endian::native == std::endian::little) return __builtin_bswap32(v);
        return v;
    }
    std::string toString() const;
    /// Not multicast, broadcast, unspecified or reserved (asked several times per packet: the
    /// IPv4 test is inline). Loopback stays a host: in a capture of a loopback interface it is
    /// the capturing machine.
    bool isUnicastHost() const {
        if (v6) return isUnicastHostV6();
        // 0.0.0.0 is unspecified; 224/4 multicast; 240/4 reserved, with 255.255.255.255.
        return (bytes[0] >> 4) < 0xe && (bytes[0] | bytes[1] | bytes[2] | bytes[3]) != 0;
    }
    bool isPrivate() const;      // RFC 1918 / link-local / ULA / CGN: not "external"
    // Member-wise (v6, then the bytes in order) like a defaulted comparison, but by words:
    // flow keys, maps and caches compare addresses per packet, and memcmp calls cost more.
    bool operator==(const IpAddress& o) const {
        return v6 == o.v6 && word(0) == o.word(0) && word(8) == o.word(8);
    }
    std::strong_ordering operator<=>(const IpAddress& o) const {
        if (v6 != o.v6) return v6 <=> o.v6;
        if (word(0) != o.word(0)) return bigEndianWord(0) <=> o.bigEndianWord(0);
        return bigEndianWord(8) <=> o.bigEndianWord(8);
    }

private:
    bool isUnicastHostV6() const;
    std::uint64_t word(std::size_t at) const {
        std::uint64_t v;
        std::memcpy(&v, bytes.data() + at, sizeof v);
        return v;
    }
    std::uint64_t bigEndianWord(std::size_t at) const {  // ordered like the bytes
        const std::uint64_t v = word(at);
        if constexpr (std::endian::native == std::endian::little) return __builtin_bswap64(v);
        return v;
    }
};

enum class Malformed : int {
    TruncatedLinkHeader,
    UnsupportedLinkType,
    TruncatedVlanTag,
    TruncatedArp,
    TruncatedIpv4,
    BadIpv4Header,
    TruncatedIpv6,
    BadIpv6ExtensionHeader,
    TruncatedTcp,
    BadTcpHeader,
    TruncatedUdp,
    Count
};
const char* toString(Malformed reason);

enum class L4 { None, Tcp, Udp, Icmp };

namespace tcpflag {
inline constexpr std::uint8_t kFin = 0x01, kSyn = 0x02, kRst = 0x04, kPsh = 0x08, kAck = 0x10;
}

/// The 802.1Q/QinQ tags of a frame, outermost first, stored inline (the decoder keeps at most
/// five; a vector cost an allocation per tagged packet).
class VlanStack {
public:
    static constexpr std::size_t kCapacity = 6;
    void push_back(std::uint16_t id) {
        if (size_ < kCapacity) ids_[size_++] = id;
    }
    std::size_t size() const { return size_; }
    bool empty() const { return size_ == 0; }
    std::uint16_t operator[](std::size_t i) const { return ids_[i]; }
    std::uint16_t back() const { return ids_[size_ - 1]; }
    const std::uint16_t* begin() const { return ids_.data(); }
    const std::uint16_t* end() const { return ids_.data() + size_; }

private:
    std::array<std::uint16_t, kCapacity> ids_{};
    std::uint8_t size_ = 0;
};

struct ArpInfo {
    std::uint16_t op = 0;
    MacAddress senderMac{}, targetMac{};
    IpAddress senderIp, targetIp;
};

struct DecodedPacket {
    std::int64_t timestampUs = 0;
    std::uint32_t wireLength = 0;
    std::uint8_t source = 0;  // RawPacket::source: the capture interface

    bool hasMac = false;
    MacAddress srcMac{}, dstMac{};
    VlanStack vlans;                   // outermost first
    std::uint16_t etherType = 0;       // or the IEEE 802.3 length (<= 1500) of an LLC frame
    /// Bytes after the link and VLAN headers (an LLC frame: cut to its 802.3 length): what an
    /// Ethernet-level dissector (LLDP, CDP, Profinet DCP) reads.
    std::span<const std::uint8_t> l2Payload;

    bool isArp = false;
    ArpInfo arp;

    bool hasIp = false;
    IpAddress srcIp, dstIp;
    std::uint8_t ipProtocol = 0;
    std::uint8_t ttl = 0;

    L4 l4 = L4::None;
    std::uint16_t srcPort = 0, dstPort = 0;
    std::uint32_t seq = 0, ack = 0;
    std::uint8_t tcpFlags = 0;
    std::span<const std::uint8_t> payload;  // L4 payload (captured bytes only)

    std::uint16_t vlan() const { return vlans.empty() ? 0 : vlans.back(); }
};

}  // namespace ironsight::sensor::decode
