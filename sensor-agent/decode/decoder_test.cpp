// SPDX-License-Identifier: Apache-2.0
// Decoder tests on frames from the test packet builder: VLAN, QinQ, ARP, fragments, truncation.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
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

}  // namespace
}  // namespace ironsight::sensor::decode
