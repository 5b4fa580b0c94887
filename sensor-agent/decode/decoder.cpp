// SPDX-License-Identifier: Apache-2.0
// Decoder: Ethernet II / 802.1Q / QinQ, Linux SLL and SLL2, BSD NULL/LOOP, raw IP; ARP, IPv4,
// IPv6 (extension headers skipped), TCP, UDP. Every read is bounds-checked.
#include "sensor-agent/decode/decoder.h"

#include <array>
#include <cstdio>
#include <cstring>

#include "sensor-agent/decode/byte_reader.h"

namespace ironsight::sensor::decode {
namespace {

constexpr int kDltNull = 0, kDltEthernet = 1, kDltRaw = 12, kDltRawBsd = 14, kDltLoop = 108,
              kDltSll = 113, kLinktypeRaw = 101, kDltIpv4 = 228, kDltIpv6 = 229, kDltSll2 = 276;
constexpr std::uint16_t kEtherIpv4 = 0x0800, kEtherArp = 0x0806, kEtherIpv6 = 0x86dd,
                        kEtherVlan = 0x8100, kEtherQinQ = 0x88a8, kEtherQinQOld = 0x9100;
constexpr int kMaxVlanTags = 4;
static_assert(kMaxVlanTags + 1 <= VlanStack::kCapacity, "the tags a frame may carry fit");

bool isAfInet6(std::uint32_t af) {
    return af == 10 || af == 24 || af == 28 || af == 30;
}

std::uint32_t swap32(std::uint32_t v) {
    return ((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >> 8) & 0xff00) | (v >> 24);
}

}  // namespace

std::string toString(const MacAddress& mac) {
    // Hot path (device ids, frame contexts): no printf.
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out(17, ':');
    for (int i = 0; i < 6; ++i) {
        out[static_cast<std::size_t>(3 * i)] = kHex[mac[static_cast<std::size_t>(i)] >> 4];
        out[static_cast<std::size_t>(3 * i + 1)] = kHex[mac[static_cast<std::size_t>(i)] & 0x0f];
    }
    return out;
}

IpAddress IpAddress::v4(std::uint32_t hostOrder) {
    IpAddress a;
    a.bytes[0] = static_cast<std::uint8_t>(hostOrder >> 24);
    a.bytes[1] = static_cast<std::uint8_t>(hostOrder >> 16);
    a.bytes[2] = static_cast<std::uint8_t>(hostOrder >> 8);
    a.bytes[3] = static_cast<std::uint8_t>(hostOrder);
    return a;
}

IpAddress IpAddress::fromV4Bytes(std::span<const std::uint8_t> b) {
    IpAddress a;
    if (b.size() >= 4) {
        std::memcpy(a.bytes.data(), b.data(), 4);  // the common case: one load
    } else {
        for (std::size_t i = 0; i < b.size(); ++i) a.bytes[i] = b[i];
    }
    return a;
}

IpAddress IpAddress::fromV6Bytes(std::span<const std::uint8_t> b) {
    IpAddress a;
    a.v6 = true;
    for (std::size_t i = 0; i < 16 && i < b.size(); ++i) a.bytes[i] = b[i];
    return a;
}

namespace {

/// Each octet's decimal text followed by a dot, and its length without the dot ("7." 1,
/// "255." 3): IPv4 texts are built from 4-byte copies instead of divisions (~180 -> ~60
/// instructions a text; new flows and hosts ask for them).
struct OctetTexts {
    std::array<std::array<char, 4>, 256> text{};
    std::array<std::uint8_t, 256> length{};
    constexpr OctetTexts() {
        for (unsigned v = 0; v < 256; ++v) {
            std::size_t n = 0;
            if (v >= 100) text[v][n++] = static_cast<char>('0' + v / 100);
            if (v >= 10) text[v][n++] = static_cast<char>('0' + v / 10 % 10);
            text[v][n++] = static_cast<char>('0' + v % 10);
            text[v][n] = '.';
            length[v] = static_cast<std::uint8_t>(n);
        }
    }
};
constexpr OctetTexts kOctets;

}  // namespace

std::string IpAddress::toString() const {
    char buf[48];
    if (!v6) {  // hot path (flow contexts, inventory keys): no printf, no division
        char* p = buf;
        for (std::size_t i = 0; i < 4; ++i) {
            std::memcpy(p, kOctets.text[bytes[i]].data(), 4);
            p += kOctets.length[bytes[i]] + 1;  // past the dot
        }
        return std::string(buf, static_cast<std::size_t>(p - buf - 1));  // not the last dot
    }
    // RFC 5952: lower-case hex, longest run (>= 2) of zero groups compressed.
    std::uint16_t g[8];
    for (int i = 0; i < 8; ++i)
        g[i] = static_cast<std::uint16_t>((bytes[2 * i] << 8) | bytes[2 * i + 1]);
    int bestStart = -1, bestLen = 0;
    for (int i = 0; i < 8;) {
        if (g[i] != 0) {
            ++i;
            continue;
        }
        int j = i;
        while (j < 8 && g[j] == 0) ++j;
        if (j - i > bestLen && j - i >= 2) bestStart = i, bestLen = j - i;
        i = j;
    }
    std::string out;
    for (int i = 0; i < 8; ++i) {
        if (i == bestStart) {
            out += "::";
            i += bestLen - 1;
            continue;
        }
        if (!out.empty() && out.back() != ':') out += ':';
        std::snprintf(buf, sizeof buf, "%x", g[i]);
        out += buf;
    }
    return out;
}

bool IpAddress::isUnicastHostV6() const {
    if (bytes[0] == 0xff) return false;  // multicast
    bool zero = true;
    for (int i = 0; i < 15; ++i) zero = zero && bytes[i] == 0;
    return !(zero && bytes[15] == 0);  // :: is unspecified; ::1 is the capturing machine
}

bool IpAddress::isPrivate() const {
    if (!v6) {
        const std::uint32_t v = v4Value();
        return (v >> 24) == 10 || (v >> 20) == (0xac10 >> 4) || (v >> 16) == 0xc0a8 ||
               (v >> 16) == 0xa9fe || (v >> 22) == (0x64400000u >> 22) || (v >> 24) == 0 ||
               (v >> 24) == 127;
    }
    bool loopback = bytes[15] == 1;  // ::1
    for (int i = 0; i < 15; ++i) loopback = loopback && bytes[i] == 0;
    return loopback || (bytes[0] & 0xfe) == 0xfc || (bytes[0] == 0xfe && (bytes[1] & 0xc0) == 0x80);
}

const char* toString(Malformed reason) {
    switch (reason) {
        case Malformed::TruncatedLinkHeader:
            return "truncated_link_header";
        case Malformed::UnsupportedLinkType:
            return "unsupported_link_type";
        case Malformed::TruncatedVlanTag:
            return "truncated_vlan_tag";
        case Malformed::TruncatedArp:
            return "truncated_arp";
        case Malformed::TruncatedIpv4:
            return "truncated_ipv4";
        case Malformed::BadIpv4Header:
            return "bad_ipv4_header";
        case Malformed::TruncatedIpv6:
            return "truncated_ipv6";
        case Malformed::BadIpv6ExtensionHeader:
            return "bad_ipv6_extension_header";
        case Malformed::TruncatedTcp:
            return "truncated_tcp";
        case Malformed::BadTcpHeader:
            return "bad_tcp_header";
        case Malformed::TruncatedUdp:
            return "truncated_udp";
        case Malformed::Count:
            break;
    }
    return "unknown";
}

DecodeStatus Decoder::malformed(Malformed reason) {
    ++counters_.malformed;
    ++counters_.byReason[static_cast<int>(reason)];
    return DecodeStatus::Malformed;
}

/// The common frame in one pass: Ethernet II with at most one VLAN tag, IPv4 (any header
/// length, not a fragment), a whole TCP or UDP header. False, having changed nothing, for
/// anything else (other link types and protocols, tag stacks, fragments, anything truncated or
/// malformed):
/// the general path then decodes it. What it sets is exactly what the general path sets for
/// such a frame (decoder_test: "fast path").
// Inlined into decode(): the call cost ~10 instructions a packet.
[[gnu::always_inline]] inline bool Decoder::decodeCommon(const RawPacket& raw, DecodedPacket& out) {
    const std::uint8_t* frame = raw.data.data();
    const std::size_t size = raw.data.size();
    if (size < 14 + 20) return false;
    std::size_t header = 14;
    std::uint16_t type = static_cast<std::uint16_t>((frame[12] << 8) | frame[13]);
    std::uint16_t tci = 0;
    bool tagged = false;
    if (type != kEtherIpv4) {  // untagged IPv4 first: no tag comparisons for it
        if (type != kEtherVlan && type != kEtherQinQ && type != kEtherQinQOld) return false;
        // One 802.1Q tag (half the frames of a plant network).
        if (size < 18 + 20) return false;
        tci = static_cast<std::uint16_t>((frame[14] << 8) | frame[15]);
        type = static_cast<std::uint16_t>((frame[16] << 8) | frame[17]);
        header = 18;
        tagged = true;
        if (type != kEtherIpv4) return false;
    }
    const std::uint8_t* ip = frame + header;
    const std::size_t ipSize = size - header;
    const std::size_t ihl = static_cast<std::size_t>(ip[0] & 0x0f) * 4;
    const std::size_t totalLength = (std::size_t{ip[2]} << 8) | ip[3];
    const std::uint8_t protocol = ip[9];
    if ((ip[0] >> 4) != 4 || ihl < 20 || ipSize < ihl || totalLength < ihl) return false;
    if ((((ip[6] << 8) | ip[7]) & 0x3fff) != 0) return false;  // a fragment
    const std::size_t end = totalLength < ipSize ? totalLength : ipSize;
    const std::uint8_t* l4 = ip + ihl;
    const std::size_t l4Size = end - ihl;
    std::size_t payloadAt = 0, payloadSize = 0;
    if (protocol == 6) {
        if (l4Size < 20) return false;
        const std::size_t offset = static_cast<std::size_t>(l4[12] >> 4) * 4;
        if (offset < 20 || l4Size < offset) return false;
        payloadAt = offset;
        payloadSize = l4Size - offset;
    } else if (protocol == 17) {
        if (l4Size < 8) return false;
        const std::size_t length = (std::size_t{l4[4]} << 8) | l4[5];
        payloadAt = 8;
        payloadSize = (length >= 8 && length < l4Size ? length : l4Size) - 8;
    } else {
        return false;
    }
    // Every field is set here, each once (resetting the whole packet first cost ~30
    // instructions). A field added to DecodedPacket must be set here too: the size check is
    // the reminder, decoder_test compares every field with the general path.
    static_assert(sizeof(DecodedPacket) == 192 || sizeof(void*) != 8);
    out.timestampUs = raw.timestampUs;
    out.wireLength = raw.wireLength;
    out.source = raw.source;
    out.hasMac = true;
    std::memcpy(out.dstMac.data(), frame, 6);
    std::memcpy(out.srcMac.data(), frame + 6, 6);
    out.vlans = VlanStack{};
    if (tagged) out.vlans.push_back(tci & 0x0fff);
    out.etherType = kEtherIpv4;
    out.l2Payload = {ip, ipSize};
    out.isArp = false;
    out.arp = ArpInfo{};
    out.hasIp = true;
    out.srcIp = IpAddress{};
    out.dstIp = IpAddress{};
    std::memcpy(out.srcIp.bytes.data(), ip + 12, 4);
    std::memcpy(out.dstIp.bytes.data(), ip + 16, 4);
    out.ipProtocol = protocol;
    out.ttl = ip[8];
    out.srcPort = static_cast<std::uint16_t>((l4[0] << 8) | l4[1]);
    out.dstPort = static_cast<std::uint16_t>((l4[2] << 8) | l4[3]);
    if (protocol == 6) {
        out.l4 = L4::Tcp;
        std::uint32_t seq, ack;
        std::memcpy(&seq, l4 + 4, 4);
        std::memcpy(&ack, l4 + 8, 4);
        out.seq = __builtin_bswap32(seq);
        out.ack = __builtin_bswap32(ack);
        out.tcpFlags = l4[13];
    } else {
        out.l4 = L4::Udp;
        out.seq = 0;
        out.ack = 0;
        out.tcpFlags = 0;
    }
    out.payload = {l4 + payloadAt, payloadSize};
    return true;
}

DecodeStatus Decoder::decode(const RawPacket& raw, DecodedPacket& out) noexcept {
    if (raw.linkType == kDltEthernet && fastPath_ && decodeCommon(raw, out)) {
        ++counters_.packets;
        return DecodeStatus::Ok;
    }
    out = DecodedPacket{};
    out.timestampUs = raw.timestampUs;
    out.wireLength = raw.wireLength;
    out.source = raw.source;
    ++counters_.packets;
    const auto data = raw.data;
    switch (raw.linkType) {
        case kDltEthernet:
            return decodeEthernet(data, out);
        case kDltNull:
        case kDltLoop: {
            if (data.size() < 4) return malformed(Malformed::TruncatedLinkHeader);
            std::uint32_t af = (std::uint32_t{data[0]} << 24) | (std::uint32_t{data[1]} << 16) |
                               (std::uint32_t{data[2]} << 8) | data[3];
            if (raw.linkType == kDltNull && af > 0xffff) af = swap32(af);  // host byte order
            const auto rest = data.subspan(4);
            if (af == 2) return decodeIpv4(rest, out);
            if (isAfInet6(af)) return decodeIpv6(rest, out);
            return DecodeStatus::Ok;  // another address family: nothing for us
        }
        case kDltRaw:
        case kDltRawBsd:
        case kLinktypeRaw:
        case kDltIpv4:
        case kDltIpv6: {
            if (data.empty()) return malformed(Malformed::TruncatedLinkHeader);
            const int version = data[0] >> 4;
            if (version == 4) return decodeIpv4(data, out);
            if (version == 6) return decodeIpv6(data, out);
            return malformed(Malformed::BadIpv4Header);
        }
        case kDltSll: {
            ByteReader r(data);
            r.skip(2);
            const std::uint16_t arphrd = r.u16();
            const std::uint16_t addrLen = r.u16();
            auto addr = r.bytes(8);
            const std::uint16_t proto = r.u16();
            if (!r.ok()) return malformed(Malformed::TruncatedLinkHeader);
            if (arphrd == 1 && addrLen == 6) {
                for (int i = 0; i < 6; ++i) out.srcMac[i] = addr[i];
            }
            out.etherType = proto;
            return decodeEtherPayload(proto, r.rest(), out);
        }
        case kDltSll2: {
            ByteReader r(data);
            const std::uint16_t proto = r.u16();
            r.skip(2 + 4);
            const std::uint16_t arphrd = r.u16();
            r.skip(1);
            const std::uint8_t addrLen = r.u8();
            auto addr = r.bytes(8);
            if (!r.ok()) return malformed(Malformed::TruncatedLinkHeader);
            if (arphrd == 1 && addrLen == 6) {
                for (int i = 0; i < 6; ++i) out.srcMac[i] = addr[i];
            }
            out.etherType = proto;
            return decodeEtherPayload(proto, r.rest(), out);
        }
        default:
            return malformed(Malformed::UnsupportedLinkType);
    }
}

DecodeStatus Decoder::decodeEthernet(std::span<const std::uint8_t> data, DecodedPacket& out) {
    ByteReader r(data);
    auto dst = r.bytes(6);
    auto src = r.bytes(6);
    std::uint16_t type = r.u16();
    if (!r.ok()) return malformed(Malformed::TruncatedLinkHeader);
    // memcpy, not a byte loop: the compiler cannot prove the spans and `out` apart.
    std::memcpy(out.dstMac.data(), dst.data(), out.dstMac.size());
    std::memcpy(out.srcMac.data(), src.data(), out.srcMac.size());
    out.hasMac = true;
    int tags = 0;
    while (type == kEtherVlan || type == kEtherQinQ || type == kEtherQinQOld) {
        const std::uint16_t tci = r.u16();
        type = r.u16();
        if (!r.ok()) return malformed(Malformed::TruncatedVlanTag);
        out.vlans.push_back(tci & 0x0fff);
        if (++tags > kMaxVlanTags) return DecodeStatus::Ok;  // implausible stack: stop at L2
    }
    out.etherType = type;
    if (type <= 1500) {  // 802.3 length field: LLC frame (STP, CDP...)
        const auto llc = r.rest();
        out.l2Payload = llc.first(type < llc.size() ? type : llc.size());
        return DecodeStatus::Ok;
    }
    return decodeEtherPayload(type, r.rest(), out);
}

DecodeStatus Decoder::decodeEtherPayload(std::uint16_t etherType,
                                         std::span<const std::uint8_t> data, DecodedPacket& out) {
    out.l2Payload = data;
    switch (etherType) {
        case kEtherIpv4:
            return decodeIpv4(data, out);
        case kEtherIpv6:
            return decodeIpv6(data, out);
        case kEtherArp:
            return decodeArp(data, out);
        default:
            return DecodeStatus::Ok;
    }
}

DecodeStatus Decoder::decodeArp(std::span<const std::uint8_t> data, DecodedPacket& out) {
    ByteReader r(data);
    const std::uint16_t htype = r.u16();
    const std::uint16_t ptype = r.u16();
    const std::uint8_t hlen = r.u8();
    const std::uint8_t plen = r.u8();
    const std::uint16_t op = r.u16();
    if (!r.ok()) return malformed(Malformed::TruncatedArp);
    if (htype != 1 || ptype != kEtherIpv4 || hlen != 6 || plen != 4) return DecodeStatus::Ok;
    auto sha = r.bytes(6);
    auto spa = r.bytes(4);
    auto tha = r.bytes(6);
    auto tpa = r.bytes(4);
    if (!r.ok()) return malformed(Malformed::TruncatedArp);
    out.isArp = true;
    out.arp.op = op;
    for (int i = 0; i < 6; ++i) out.arp.senderMac[i] = sha[i], out.arp.targetMac[i] = tha[i];
    out.arp.senderIp = IpAddress::fromV4Bytes(spa);
    out.arp.targetIp = IpAddress::fromV4Bytes(tpa);
    return DecodeStatus::Ok;
}

DecodeStatus Decoder::decodeIpv4(std::span<const std::uint8_t> data, DecodedPacket& out) {
    if (data.size() < 20) return malformed(Malformed::TruncatedIpv4);
    const int version = data[0] >> 4;
    const std::size_t ihl = static_cast<std::size_t>(data[0] & 0x0f) * 4;
    if (version != 4 || ihl < 20) return malformed(Malformed::BadIpv4Header);
    if (data.size() < ihl) return malformed(Malformed::TruncatedIpv4);
    const std::size_t totalLength = (std::size_t{data[2]} << 8) | data[3];
    if (totalLength < ihl) return malformed(Malformed::BadIpv4Header);
    const std::uint16_t fragField = static_cast<std::uint16_t>((data[6] << 8) | data[7]);
    out.hasIp = true;
    out.ttl = data[8];
    out.ipProtocol = data[9];
    out.srcIp = IpAddress::fromV4Bytes(data.subspan(12, 4));
    out.dstIp = IpAddress::fromV4Bytes(data.subspan(16, 4));
    // Ethernet pads short frames; a snaplen may cut long ones: keep what is both real and captured.
    const std::size_t end = totalLength < data.size() ? totalLength : data.size();
    if ((fragField & 0x3fff) != 0) {  // a fragment (MF set or an offset): reassemble first
        if (end < totalLength) {
            reassembler_.truncated();  // the capture cut it: it cannot complete a datagram
        } else if (const auto whole = reassembler_.add(
                       FragmentKey{out.srcIp.v4Value(), out.dstIp.v4Value(),
                                   static_cast<std::uint16_t>((data[4] << 8) | data[5]), out.vlan(),
                                   out.ipProtocol},
                       std::size_t{fragField & 0x1fffu} * 8, (fragField & 0x2000) != 0,
                       data.subspan(ihl, end - ihl), out.timestampUs)) {
            return decodeL4(out.ipProtocol, *whole, out);  // the reassembled datagram
        }
        ++counters_.fragmentsSkipped;
        return DecodeStatus::Skipped;
    }
    return decodeL4(out.ipProtocol, data.subspan(ihl, end - ihl), out);
}

DecodeStatus Decoder::decodeIpv6(std::span<const std::uint8_t> data, DecodedPacket& out) {
    if (data.size() < 40) return malformed(Malformed::TruncatedIpv6);
    if ((data[0] >> 4) != 6) return malformed(Malformed::TruncatedIpv6);
    const std::size_t payloadLength = (std::size_t{data[4]} << 8) | data[5];
    std::uint8_t next = data[6];
    out.hasIp = true;
    out.ttl = data[7];
    out.srcIp = IpAddress::fromV6Bytes(data.subspan(8, 16));
    out.dstIp = IpAddress::fromV6Bytes(data.subspan(24, 16));
    std::size_t end = 40 + payloadLength;
    if (payloadLength == 0 || end > data.size()) end = data.size();  // jumbogram or snaplen
    std::span<const std::uint8_t> rest = data.subspan(40, end - 40);
    for (int hops = 0; hops < 16; ++hops) {
        switch (next) {
            case 0:      // hop-by-hop options
            case 43:     // routing
            case 60:     // destination options
            case 135: {  // mobility
                if (rest.size() < 8) return malformed(Malformed::BadIpv6ExtensionHeader);
                const std::size_t len = (std::size_t{rest[1]} + 1) * 8;
                if (rest.size() < len) return malformed(Malformed::BadIpv6ExtensionHeader);
                next = rest[0];
                rest = rest.subspan(len);
                continue;
            }
            case 44: {  // fragment
                if (rest.size() < 8) return malformed(Malformed::BadIpv6ExtensionHeader);
                const std::uint16_t off =
                    static_cast<std::uint16_t>((rest[2] << 8) | rest[3]) & 0xfff8;
                next = rest[0];
                rest = rest.subspan(8);
                if (off != 0) {
                    out.ipProtocol = next;
                    ++counters_.fragmentsSkipped;
                    return DecodeStatus::Skipped;
                }
                continue;
            }
            case 51: {  // authentication header
                if (rest.size() < 8) return malformed(Malformed::BadIpv6ExtensionHeader);
                const std::size_t len = (std::size_t{rest[1]} + 2) * 4;
                if (rest.size() < len) return malformed(Malformed::BadIpv6ExtensionHeader);
                next = rest[0];
                rest = rest.subspan(len);
                continue;
            }
            default:
                out.ipProtocol = next;
                return decodeL4(next, rest, out);
        }
    }
    return malformed(Malformed::BadIpv6ExtensionHeader);
}

DecodeStatus Decoder::decodeL4(std::uint8_t proto, std::span<const std::uint8_t> data,
                               DecodedPacket& out) {
    if (proto == 6) {
        if (data.size() < 20) return malformed(Malformed::TruncatedTcp);
        const std::size_t offset = static_cast<std::size_t>(data[12] >> 4) * 4;
        if (offset < 20) return malformed(Malformed::BadTcpHeader);
        if (data.size() < offset) return malformed(Malformed::TruncatedTcp);
        ByteReader r(data);
        out.srcPort = r.u16();
        out.dstPort = r.u16();
        out.seq = r.u32();
        out.ack = r.u32();
        out.tcpFlags = data[13];
        out.l4 = L4::Tcp;
        out.payload = data.subspan(offset);
        return DecodeStatus::Ok;
    }
    if (proto == 17) {
        if (data.size() < 8) return malformed(Malformed::TruncatedUdp);
        ByteReader r(data);
        out.srcPort = r.u16();
        out.dstPort = r.u16();
        const std::size_t len = r.u16();
        out.l4 = L4::Udp;
        std::size_t end = data.size();
        if (len >= 8 && len < end) end = len;
        out.payload = data.subspan(8, end - 8);
        return DecodeStatus::Ok;
    }
    if (proto == 1 || proto == 58) {
        out.l4 = L4::Icmp;
        out.payload = data;
    }
    return DecodeStatus::Ok;
}

}  // namespace ironsight::sensor::decode
