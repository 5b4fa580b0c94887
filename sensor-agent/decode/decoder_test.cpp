// SPDX-License-Identifier: Apache-2.0
// Decoder tests on frames from the test packet builder: VLAN, QinQ, ARP, fragments, truncation.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <random>
#include <string>
#include <tuple>

#include "sensor-agent/decode/decoder.h"
#include "tests/support/packet_builder.h"

namespace ironsight::sensor::decode {
namespace {

using namespace ironsight::test;

RawPacket raw(const Bytes& b, int linkType = 1) {
    RawPacket p;
    p.linkType = linkType;
    p.data = b;
    p.wireLength = static_cast<std::uint32_t>(b.size());
    return p;
}

const Host kClient{mac("00:14:22:01:00:21"), ipv4("10.10.1.21")};
const Host kServer{mac("00:80:f4:01:00:11"), ipv4("10.10.1.11")};

TEST(DecoderTest, EthernetIpv4Tcp) {
    const Bytes payload{1, 2, 3};
    const Bytes frame =
        tcpFrame(kClient, kServer, 49152, 502, 100, 200, tcp::kPsh | tcp::kAck, payload);
    Decoder d;
    DecodedPacket p;
    ASSERT_EQ(d.decode(raw(frame), p), DecodeStatus::Ok);
    EXPECT_TRUE(p.hasMac);
    EXPECT_EQ(toString(p.srcMac), "00:14:22:01:00:21");
    EXPECT_EQ(p.srcIp.toString(), "10.10.1.21");
    EXPECT_EQ(p.dstIp.toString(), "10.10.1.11");
    EXPECT_EQ(p.l4, L4::Tcp);
    EXPECT_EQ(p.srcPort, 49152);
    EXPECT_EQ(p.dstPort, 502);
    EXPECT_EQ(p.seq, 100u);
    // Ethernet padding (frame padded to 60 bytes) must not leak into the payload.
    ASSERT_EQ(p.payload.size(), 3u);
    EXPECT_EQ(p.payload[2], 3);
}

TEST(DecoderTest, SingleVlanAndQinQ) {
    Decoder d;
    DecodedPacket p;
    const Bytes dot1q = tcpFrame(kClient, kServer, 1, 502, 0, 0, tcp::kSyn, {}, {10});
    ASSERT_EQ(d.decode(raw(dot1q), p), DecodeStatus::Ok);
    ASSERT_EQ(p.vlans.size(), 1u);
    EXPECT_EQ(p.vlan(), 10);
    EXPECT_EQ(p.l4, L4::Tcp);
    const Bytes qinq = tcpFrame(kClient, kServer, 1, 502, 0, 0, tcp::kSyn, {}, {100, 20});
    EXPECT_EQ(qinq[12], 0x88);  // outer TPID 0x88a8
    EXPECT_EQ(qinq[13], 0xa8);
    ASSERT_EQ(d.decode(raw(qinq), p), DecodeStatus::Ok);
    ASSERT_EQ(p.vlans.size(), 2u);
    EXPECT_EQ(p.vlans[0], 100);
    EXPECT_EQ(p.vlans[1], 20);
    EXPECT_EQ(p.dstPort, 502);
}

// IpAddress compares by words; the order must stay the member-wise one (v6, then the bytes
// in order): flow keys (which end is "a") and sorted outputs depend on it.
TEST(DecoderTest, IpAddressOrderIsMemberWise) {
    std::mt19937 random(11);
    const auto make = [&] {
        IpAddress a;
        a.v6 = random() % 2 == 0;
        // Few distinct byte values, so that long common prefixes and equal addresses occur.
        for (std::size_t i = 0; i < (a.v6 ? 16u : 4u); ++i)
            a.bytes[i] = static_cast<std::uint8_t>(random() % 3 == 0 ? 0x80 + random() % 2 : 1);
        return a;
    };
    for (int i = 0; i < 20000; ++i) {
        const IpAddress a = make(), b = make();
        const auto expected = std::tie(a.v6, a.bytes) <=> std::tie(b.v6, b.bytes);
        EXPECT_EQ(a <=> b, expected);
        EXPECT_EQ(a == b, expected == 0);
    }
}

TEST(DecoderTest, VlanStacksStopAtFiveTags) {
    Decoder d;
    DecodedPacket p;
    const Bytes deep =
        tcpFrame(kClient, kServer, 1, 502, 0, 0, tcp::kSyn, {}, {1, 2, 3, 4, 5, 6, 7});
    ASSERT_EQ(d.decode(raw(deep), p), DecodeStatus::Ok);
    ASSERT_EQ(p.vlans.size(), 5u);  // an implausible stack: decoding stops at L2
    EXPECT_EQ(p.vlans[4], 5);
    EXPECT_EQ(p.vlan(), 5);
    EXPECT_FALSE(p.hasIp);
    ASSERT_EQ(d.decode(raw(tcpFrame(kClient, kServer, 1, 502, 0, 0, tcp::kSyn, {})), p),
              DecodeStatus::Ok);
    EXPECT_TRUE(p.vlans.empty());  // nothing left of the previous packet
    EXPECT_EQ(p.vlan(), 0);
}

TEST(DecoderTest, Arp) {
    Decoder d;
    DecodedPacket p;
    ASSERT_EQ(d.decode(raw(arpFrame(1, kClient, kServer, true)), p), DecodeStatus::Ok);
    EXPECT_TRUE(p.isArp);
    EXPECT_EQ(p.arp.op, 1);
    EXPECT_EQ(p.arp.senderIp.toString(), "10.10.1.21");
    EXPECT_EQ(p.arp.targetIp.toString(), "10.10.1.11");
    EXPECT_FALSE(p.hasIp);
}

TEST(DecoderTest, NonIpFramesExposeTheirL2Payload) {
    Decoder d;
    DecodedPacket p;
    // LLDP (EtherType 0x88cc) in a VLAN: payload after the tag (Ethernet padding included).
    const Bytes lldp = {0x02, 0x07, 0x04, 1, 2, 3, 4, 5, 6};
    const Bytes tagged = ethernet(mac("01:80:c2:00:00:0e"), kClient.mac, 0x88cc, lldp, {10});
    ASSERT_EQ(d.decode(raw(tagged), p), DecodeStatus::Ok);
    EXPECT_EQ(p.etherType, 0x88cc);
    ASSERT_EQ(p.l2Payload.size(), tagged.size() - 18);
    EXPECT_TRUE(std::equal(lldp.begin(), lldp.end(), p.l2Payload.begin()));
    // IEEE 802.3 frame (length 10, LLC/SNAP) padded to the minimum size: cut to its length.
    const Bytes llc = {0xaa, 0xaa, 0x03, 0x00, 0x00, 0x0c, 0x20, 0x00, 0x02, 0xb4};
    const Bytes frame = ethernet(mac("01:00:0c:cc:cc:cc"), kClient.mac, 10, llc);
    ASSERT_EQ(d.decode(raw(frame), p), DecodeStatus::Ok);
    EXPECT_EQ(p.etherType, 10);
    EXPECT_EQ(Bytes(p.l2Payload.begin(), p.l2Payload.end()), llc);
}

TEST(DecoderTest, TruncatedFramesAreCountedByReasonNotCrashed) {
    Decoder d;
    DecodedPacket p;
    const Bytes frame = tcpFrame(kClient, kServer, 49152, 502, 1, 1, tcp::kAck, Bytes(20, 7), {10});
    // Every prefix of a valid frame must decode or be counted, never read out of bounds.
    std::uint64_t malformed = 0;
    for (std::size_t len = 0; len < frame.size(); ++len) {
        const Bytes cut(frame.begin(), frame.begin() + static_cast<std::ptrdiff_t>(len));
        if (d.decode(raw(cut), p) == DecodeStatus::Malformed) ++malformed;
    }
    EXPECT_EQ(d.counters().malformed, malformed);
    EXPECT_GT(d.counters().byReason[static_cast<int>(Malformed::TruncatedLinkHeader)], 0u);
    EXPECT_GT(d.counters().byReason[static_cast<int>(Malformed::TruncatedVlanTag)], 0u);
    EXPECT_GT(d.counters().byReason[static_cast<int>(Malformed::TruncatedIpv4)], 0u);
    EXPECT_GT(d.counters().byReason[static_cast<int>(Malformed::TruncatedTcp)], 0u);
}

TEST(DecoderTest, NonFirstFragmentIsSkippedAndCounted) {
    Decoder d;
    DecodedPacket p;
    const Bytes frag =
        ethernet(kServer.mac, kClient.mac, etype::kIpv4,
                 ipv4Packet(kClient.ip, kServer.ip, 17, Bytes(16, 0), 64, 9, 0x0002));
    EXPECT_EQ(d.decode(raw(frag), p), DecodeStatus::Skipped);
    EXPECT_EQ(d.counters().fragmentsSkipped, 1u);
    EXPECT_TRUE(p.hasIp);
    EXPECT_EQ(p.l4, L4::None);
}

TEST(DecoderTest, NullLoopbackLinkType) {
    // DLT_NULL: 4-byte address family in host byte order (2 = AF_INET), then the IP packet.
    Bytes frame{2, 0, 0, 0};
    const Bytes ip = ipv4Packet(kClient.ip, kServer.ip, 17,
                                udpDatagram(kClient.ip, kServer.ip, 5000, 53, Bytes{9, 9}));
    frame.insert(frame.end(), ip.begin(), ip.end());
    Decoder d;
    DecodedPacket p;
    ASSERT_EQ(d.decode(raw(frame, 0), p), DecodeStatus::Ok);
    EXPECT_FALSE(p.hasMac);
    EXPECT_EQ(p.l4, L4::Udp);
    EXPECT_EQ(p.dstPort, 53);
    EXPECT_EQ(p.payload.size(), 2u);
}

TEST(DecoderTest, LinuxCookedSllAndSll2) {
    const Bytes ip =
        ipv4Packet(kClient.ip, kServer.ip, 6,
                   tcpSegment(kClient.ip, kServer.ip, 40000, 502, 1, 0, tcp::kSyn, {}));
    // SLL (DLT 113): packet type u16 | ARPHRD u16 | address length u16 | address[8] | protocol u16
    Bytes sll = {0x00, 0x04, 0x00, 0x01, 0x00, 0x06};
    sll.insert(sll.end(), kClient.mac.begin(), kClient.mac.end());
    sll.insert(sll.end(), {0x00, 0x00, 0x08, 0x00});
    sll.insert(sll.end(), ip.begin(), ip.end());
    // SLL2 (DLT 276): protocol u16 | reserved u16 | ifindex u32 | ARPHRD u16 | packet type u8 |
    // address length u8 | address[8]
    Bytes sll2 = {0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01, 0x04, 0x06};
    sll2.insert(sll2.end(), kClient.mac.begin(), kClient.mac.end());
    sll2.insert(sll2.end(), {0x00, 0x00});
    sll2.insert(sll2.end(), ip.begin(), ip.end());
    Decoder d;
    for (const auto& [frame, dlt] : {std::pair{sll, 113}, std::pair{sll2, 276}}) {
        DecodedPacket p;
        ASSERT_EQ(d.decode(raw(frame, dlt), p), DecodeStatus::Ok) << dlt;
        EXPECT_EQ(p.srcIp.toString(), "10.10.1.21") << dlt;
        EXPECT_EQ(p.dstPort, 502) << dlt;
        EXPECT_EQ(toString(p.srcMac), "00:14:22:01:00:21") << dlt;
    }
    DecodedPacket p;
    EXPECT_EQ(d.decode(raw(Bytes(10, 0), 113), p), DecodeStatus::Malformed);
    EXPECT_EQ(d.decode(raw(ip, 147), p), DecodeStatus::Malformed);  // a link type we do not know
    EXPECT_EQ(d.counters().byReason[static_cast<int>(Malformed::UnsupportedLinkType)], 1u);
}

/// Every field decode() sets, and where its spans point (into the frame, or the reassembler).
void expectSameDecode(const DecodedPacket& a, const DecodedPacket& b, const std::string& what) {
    SCOPED_TRACE(what);
    EXPECT_EQ(a.timestampUs, b.timestampUs);
    EXPECT_EQ(a.wireLength, b.wireLength);
    EXPECT_EQ(a.source, b.source);
    EXPECT_EQ(a.hasMac, b.hasMac);
    EXPECT_EQ(a.srcMac, b.srcMac);
    EXPECT_EQ(a.dstMac, b.dstMac);
    EXPECT_EQ(std::vector<std::uint16_t>(a.vlans.begin(), a.vlans.end()),
              std::vector<std::uint16_t>(b.vlans.begin(), b.vlans.end()));
    EXPECT_EQ(a.etherType, b.etherType);
    EXPECT_EQ(a.l2Payload.data(), b.l2Payload.data());
    EXPECT_EQ(a.l2Payload.size(), b.l2Payload.size());
    EXPECT_EQ(a.isArp, b.isArp);
    EXPECT_EQ(a.arp.op, b.arp.op);
    EXPECT_EQ(a.arp.senderMac, b.arp.senderMac);
    EXPECT_EQ(a.arp.targetMac, b.arp.targetMac);
    EXPECT_EQ(a.arp.senderIp, b.arp.senderIp);
    EXPECT_EQ(a.arp.targetIp, b.arp.targetIp);
    EXPECT_EQ(a.hasIp, b.hasIp);
    EXPECT_EQ(a.srcIp, b.srcIp);
    EXPECT_EQ(a.dstIp, b.dstIp);
    EXPECT_EQ(a.ipProtocol, b.ipProtocol);
    EXPECT_EQ(a.ttl, b.ttl);
    EXPECT_EQ(a.l4, b.l4);
    EXPECT_EQ(a.srcPort, b.srcPort);
    EXPECT_EQ(a.dstPort, b.dstPort);
    EXPECT_EQ(a.seq, b.seq);
    EXPECT_EQ(a.ack, b.ack);
    EXPECT_EQ(a.tcpFlags, b.tcpFlags);
    EXPECT_EQ(a.payload.size(), b.payload.size());
    if (a.payload.size() == b.payload.size()) {
        EXPECT_TRUE(std::equal(a.payload.begin(), a.payload.end(), b.payload.begin()));
    }
}

// decode()'s one-pass path for common frames (Ethernet, at most one VLAN tag, IPv4, TCP/UDP)
// must give what the general path gives, and leave everything else to it: every prefix of a
// set of frames, and the frames with each header byte changed (versions, header lengths,
// total and UDP lengths, TCP data offsets, fragment fields, EtherTypes, tags, protocols).
TEST(DecoderTest, FastPathDecodesExactlyAsTheGeneralPath) {
    const Bytes modbus{0, 1, 0, 0, 0, 6, 1, 3, 0, 0, 0, 10};
    std::vector<Bytes> frames = {
        tcpFrame(kClient, kServer, 49152, 502, 0x01020304, 0xa0b0c0d0, tcp::kPsh | tcp::kAck,
                 modbus),
        tcpFrame(kServer, kClient, 502, 49152, 7, 9, tcp::kSyn | tcp::kAck, {}),
        tcpFrame(kClient, kServer, 49152, 502, 1, 2, tcp::kAck, modbus, {42}),
        tcpFrame(kClient, kServer, 49152, 502, 1, 2, tcp::kAck, modbus, {100, 42}),  // QinQ
        udpFrame(kClient, kServer, 5000, 47808, Bytes(30, 0x81)),
        udpFrame(kClient, kServer, 5000, 53, {}),
        ethernet(kServer.mac, kClient.mac, etype::kIpv4,
                 ipv4Packet(kClient.ip, kServer.ip, 1, Bytes{8, 0, 0, 0, 0, 1, 0, 1})),
        ethernet(kServer.mac, kClient.mac, etype::kIpv4,
                 ipv4Packet(kClient.ip, kServer.ip, 17, Bytes(16, 0), 64, 9, 0x2000)),  // MF
        arpFrame(1, kClient, kServer, true),
    };
    // A TCP segment with IPv4 options (IHL 6) and TCP options (data offset 6), one VLAN tag.
    {
        Bytes ip = ipv4Packet(kClient.ip, kServer.ip, 6,
                              tcpSegment(kClient.ip, kServer.ip, 40000, 102, 5, 6, tcp::kAck,
                                         Bytes{3, 0, 0, 22, 2, 0xf0, 0x80}));
        ip.insert(ip.begin() + 20, {1, 1, 1, 0});  // NOP NOP NOP EOL
        ip[0] = 0x46;
        ip.insert(ip.begin() + 24 + 20, {1, 1, 1, 0});  // after the TCP header at 24
        ip[24 + 12] = 0x60;
        ip[3] = static_cast<std::uint8_t>(ip.size());
        frames.push_back(ethernet(kServer.mac, kClient.mac, etype::kIpv4, ip, {7}));
    }
    // A UDP datagram whose length field is shorter than the IP payload (trailing bytes).
    {
        Bytes frame = udpFrame(kClient, kServer, 5000, 2222, Bytes(20, 5));
        frame[14 + 20 + 5] = 12;  // UDP length 12: 4 payload bytes
        frames.push_back(frame);
    }
    std::vector<Bytes> variants;
    for (const Bytes& frame : frames) {
        for (std::size_t len = 0; len <= frame.size(); ++len) {
            variants.emplace_back(frame.begin(), frame.begin() + static_cast<std::ptrdiff_t>(len));
        }
        for (std::size_t at = 12; at < std::min<std::size_t>(frame.size(), 14 + 4 + 24 + 20);
             ++at) {
            for (const std::uint8_t value :
                 {0x00, 0x01, 0x06, 0x11, 0x20, 0x40, 0x45, 0x4f, 0x5f, 0x81, 0x88, 0xff}) {
                Bytes changed = frame;
                changed[at] = value;
                variants.push_back(std::move(changed));
            }
        }
    }
    Decoder fast, general;
    general.setFastPath(false);
    // What a previous packet left: decode() sets or resets every field.
    DecodedPacket dirty;
    dirty.timestampUs = -1;
    dirty.wireLength = 7;
    dirty.source = 3;
    dirty.hasMac = true;
    dirty.srcMac = dirty.dstMac = dirty.arp.senderMac = dirty.arp.targetMac = kClient.mac;
    for (const std::uint16_t vlan : {1, 2, 3}) dirty.vlans.push_back(vlan);
    dirty.etherType = 0x88cc;
    dirty.l2Payload = modbus;
    dirty.isArp = dirty.hasIp = true;
    dirty.arp.op = 2;
    dirty.srcIp = dirty.dstIp = dirty.arp.senderIp = dirty.arp.targetIp =
        IpAddress::fromV6Bytes(Bytes(16, 0xee));
    dirty.ipProtocol = dirty.ttl = 9;
    dirty.l4 = L4::Icmp;
    dirty.srcPort = dirty.dstPort = 77;
    dirty.seq = dirty.ack = 5;
    dirty.tcpFlags = 0xff;
    dirty.payload = modbus;
    std::size_t ok = 0;
    for (std::size_t i = 0; i < variants.size(); ++i) {
        RawPacket r = raw(variants[i]);
        r.timestampUs = static_cast<std::int64_t>(i) * 1000;
        r.wireLength = static_cast<std::uint32_t>(variants[i].size() + i % 3);
        r.source = static_cast<std::uint8_t>(i % 5);
        DecodedPacket a = dirty, b = dirty;
        const auto statusA = fast.decode(r, a);
        const auto statusB = general.decode(r, b);
        ASSERT_EQ(statusA, statusB) << "variant " << i;
        if (statusA == DecodeStatus::Ok && (a.l4 == L4::Tcp || a.l4 == L4::Udp)) ++ok;
        expectSameDecode(a, b, "variant " + std::to_string(i));
        if (::testing::Test::HasFailure()) return;
    }
    EXPECT_GT(ok, variants.size() / 4);  // most variants are common frames
    EXPECT_EQ(fast.counters().packets, general.counters().packets);
    EXPECT_EQ(fast.counters().malformed, general.counters().malformed);
    EXPECT_EQ(fast.counters().fragmentsSkipped, general.counters().fragmentsSkipped);
    EXPECT_EQ(fast.counters().byReason, general.counters().byReason);
    EXPECT_GT(fast.counters().malformed, 0u);
}

TEST(DecoderTest, Ipv6AddressFormatting) {
    IpAddress a;
    a.v6 = true;
    a.bytes = {0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x02, 0x11, 0x22, 0xff, 0xfe, 0x33, 0x44, 0x55};
    EXPECT_EQ(a.toString(), "fe80::211:22ff:fe33:4455");
}

}  // namespace
}  // namespace ironsight::sensor::decode

namespace ironsight::sensor::decode {
namespace {

TEST(IpAddressTest, LoopbackIsAPrivateHostGroupsAreNot) {
    // In a capture of a loopback interface, 127.0.0.1 and ::1 are the capturing machine.
    EXPECT_TRUE(IpAddress::v4(0x7f000001).isUnicastHost());
    EXPECT_TRUE(IpAddress::v4(0x7f000001).isPrivate());
    std::uint8_t v6loop[16] = {};
    v6loop[15] = 1;
    EXPECT_TRUE(IpAddress::fromV6Bytes(v6loop).isUnicastHost());
    EXPECT_TRUE(IpAddress::fromV6Bytes(v6loop).isPrivate());
    const std::uint8_t unspecified[16] = {};
    EXPECT_FALSE(IpAddress::fromV6Bytes(unspecified).isUnicastHost());
    EXPECT_FALSE(IpAddress::v4(0xe0000001).isUnicastHost());  // 224.0.0.1
    EXPECT_FALSE(IpAddress::v4(0xffffffff).isUnicastHost());
    EXPECT_FALSE(IpAddress::v4(0x08080808).isPrivate());
}

// IPv4 texts come from a table of octet texts: every octet value, in every position, against
// printf's decimal text.
TEST(IpAddressTest, Ipv4TextOfEveryOctetValueInEveryPosition) {
    for (unsigned v = 0; v < 256; ++v) {
        for (int at = 0; at < 4; ++at) {
            std::uint32_t octets[4] = {10, 0, 255, 7};
            octets[at] = v;
            const auto ip =
                IpAddress::v4((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]);
            char want[20];
            std::snprintf(want, sizeof want, "%u.%u.%u.%u", octets[0], octets[1], octets[2],
                          octets[3]);
            ASSERT_EQ(ip.toString(), want) << v << " at " << at;
        }
    }
    EXPECT_EQ(IpAddress::v4(0).toString(), "0.0.0.0");
    EXPECT_EQ(IpAddress::v4(0xffffffff).toString(), "255.255.255.255");
}

}  // namespace
}  // namespace ironsight::sensor::decode
