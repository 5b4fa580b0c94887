// SPDX-License-Identifier: Apache-2.0
// IPv4 fragment reassembly on generated frames: a 3.2 kB DNS response in 3 fragments in order, out
// of order, duplicated, with a missing fragment (timeout), with agreeing and conflicting overlaps,
// plus the memory bounds and every drop reason.
#include <gtest/gtest.h>

#include <algorithm>

#include "sensor-agent/decode/decoder.h"
#include "tests/support/packet_builder.h"

namespace ironsight::sensor::decode {
namespace {

using namespace ironsight::test;

const Host kServer{mac("00:80:f4:00:00:53"), ipv4("10.1.1.53")};
const Host kClient{mac("00:1b:1b:00:00:10"), ipv4("10.1.1.10")};

/// A DNS response with `answers` A records (name pointer to the question): 16 bytes each.
Bytes bigDnsResponse(int answers) {
    Bytes m = dnsQuery(0x1234, "historian.plant.example");
    m[2] = 0x81;  // QR, RD
    m[3] = 0x80;  // RA
    m[6] = static_cast<std::uint8_t>(answers >> 8);
    m[7] = static_cast<std::uint8_t>(answers);
    for (int i = 0; i < answers; ++i) {
        const Bytes rr{0xc0,
                       0x0c,
                       0,
                       1,
                       0,
                       1,
                       0,
                       0,
                       0x0e,
                       0x10,
                       0,
                       4,
                       10,
                       1,
                       static_cast<std::uint8_t>(2 + i / 250),
                       static_cast<std::uint8_t>(1 + i % 250)};
        m.insert(m.end(), rr.begin(), rr.end());
    }
    return m;
}

struct Fragment {
    std::size_t offset = 0, length = 0;
    bool more = true;
};

/// The IPv4 payload `l4` cut into `chunk`-byte fragments (a multiple of 8).
std::vector<Fragment> evenFragments(std::size_t size, std::size_t chunk) {
    std::vector<Fragment> out;
    for (std::size_t off = 0; off < size; off += chunk) {
        const std::size_t len = std::min(chunk, size - off);
        out.push_back({off, len, off + len < size});
    }
    return out;
}

Bytes fragmentFrame(const Bytes& l4, const Fragment& f, std::uint16_t id,
                    const std::vector<std::uint16_t>& vlans = {}, std::uint8_t protocol = 17) {
    const Bytes chunk(l4.begin() + static_cast<std::ptrdiff_t>(f.offset),
                      l4.begin() + static_cast<std::ptrdiff_t>(f.offset + f.length));
    const auto field = static_cast<std::uint16_t>((f.more ? 0x2000 : 0) | (f.offset / 8));
    return ethernet(kClient.mac, kServer.mac, etype::kIpv4,
                    ipv4Packet(kServer.ip, kClient.ip, protocol, chunk, 64, id, field), vlans);
}

class ReassemblyTest : public ::testing::Test {
protected:
    void SetUp() override {
        dns_ = bigDnsResponse(200);  // 3,241 bytes of DNS: 3 fragments of 1,480
        udp_ = udpDatagram(kServer.ip, kClient.ip, 53, 40000, dns_);
        fragments_ = evenFragments(udp_.size(), 1480);
        ASSERT_EQ(fragments_.size(), 3U);
    }

    DecodeStatus feed(const Bytes& frame, std::int64_t tsUs = 1000) {
        RawPacket raw;
        raw.data = frame;
        raw.wireLength = static_cast<std::uint32_t>(frame.size());
        raw.timestampUs = tsUs;
        return decoder_.decode(raw, out_);
    }
    DecodeStatus feed(const Fragment& f, std::uint16_t id = 77, std::int64_t tsUs = 1000) {
        return feed(fragmentFrame(udp_, f, id), tsUs);
    }
    void expectWholeDns() {
        EXPECT_EQ(out_.l4, L4::Udp);
        EXPECT_EQ(out_.srcPort, 53);
        EXPECT_EQ(out_.dstPort, 40000);
        ASSERT_EQ(out_.payload.size(), dns_.size());
        EXPECT_TRUE(std::equal(out_.payload.begin(), out_.payload.end(), dns_.begin()));
        EXPECT_EQ(out_.srcIp.toString(), "10.1.1.53");
    }
    const Ipv4Reassembler& r() const { return decoder_.ipv4Reassembler(); }

    Bytes dns_, udp_;
    std::vector<Fragment> fragments_;
    Decoder decoder_;
    DecodedPacket out_;
};

TEST_F(ReassemblyTest, InOrder) {
    EXPECT_EQ(feed(fragments_[0]), DecodeStatus::Skipped);
    EXPECT_EQ(out_.l4, L4::None);  // the first fragment alone is not handed on
    EXPECT_EQ(feed(fragments_[1]), DecodeStatus::Skipped);
    ASSERT_EQ(feed(fragments_[2]), DecodeStatus::Ok);
    expectWholeDns();
    EXPECT_EQ(out_.dstMac, kClient.mac);  // L2 of the completing frame
    EXPECT_EQ(r().counters().reassembled, 1U);
    EXPECT_EQ(r().counters().fragments, 3U);
    EXPECT_EQ(r().pendingDatagrams(), 0U);
    EXPECT_EQ(r().pendingBytes(), 0U);
    EXPECT_EQ(decoder_.counters().fragmentsSkipped, 2U);
}

TEST_F(ReassemblyTest, OutOfOrder) {
    EXPECT_EQ(feed(fragments_[2]), DecodeStatus::Skipped);
    EXPECT_EQ(feed(fragments_[0]), DecodeStatus::Skipped);
    ASSERT_EQ(feed(fragments_[1]), DecodeStatus::Ok);
    expectWholeDns();
    EXPECT_EQ(r().pendingBytes(), 0U);
}

TEST_F(ReassemblyTest, DuplicatedFragmentsAreIgnored) {
    EXPECT_EQ(feed(fragments_[0]), DecodeStatus::Skipped);
    EXPECT_EQ(feed(fragments_[0]), DecodeStatus::Skipped);
    EXPECT_EQ(feed(fragments_[1]), DecodeStatus::Skipped);
    EXPECT_EQ(feed(fragments_[1]), DecodeStatus::Skipped);
    ASSERT_EQ(feed(fragments_[2]), DecodeStatus::Ok);
    expectWholeDns();
    EXPECT_EQ(r().counters().duplicates, 2U);
    EXPECT_EQ(r().counters().reassembled, 1U);
}

TEST_F(ReassemblyTest, MissingFragmentTimesOutByPacketTime) {
    EXPECT_EQ(feed(fragments_[0], 77, 1'000'000), DecodeStatus::Skipped);
    EXPECT_EQ(feed(fragments_[2], 77, 2'000'000), DecodeStatus::Skipped);
    EXPECT_EQ(r().pendingDatagrams(), 1U);
    EXPECT_GT(r().pendingBytes(), 0U);
    // Within 30 s: still waiting. Past it (by the packets' clock): dropped and counted.
    EXPECT_EQ(feed(fragmentFrame(udp_, fragments_[0], 78), 30'000'000), DecodeStatus::Skipped);
    EXPECT_EQ(r().dropped(FragmentDrop::Timeout), 0U);
    EXPECT_EQ(feed(fragmentFrame(udp_, fragments_[0], 79), 31'500'000), DecodeStatus::Skipped);
    EXPECT_EQ(r().dropped(FragmentDrop::Timeout), 1U);
    EXPECT_EQ(r().pendingDatagrams(), 2U);  // ids 78 and 79
    // The missing piece arriving late cannot complete a datagram that is gone.
    EXPECT_EQ(feed(fragments_[1], 77, 31'600'000), DecodeStatus::Skipped);
    EXPECT_EQ(r().counters().reassembled, 0U);
}

TEST_F(ReassemblyTest, AgreeingOverlapIsAccepted) {
    // Resent with other boundaries: [0,1480) [1000,2480) [2480,end); the overlap bytes agree.
    EXPECT_EQ(feed(fragments_[0]), DecodeStatus::Skipped);
    EXPECT_EQ(feed(Fragment{1000, 1480, true}), DecodeStatus::Skipped);
    ASSERT_EQ(feed(Fragment{2480, udp_.size() - 2480, false}), DecodeStatus::Ok);
    expectWholeDns();
    EXPECT_EQ(r().dropped(FragmentDrop::Overlap), 0U);
}

TEST_F(ReassemblyTest, ConflictingOverlapDiscardsTheDatagram) {
    EXPECT_EQ(feed(fragments_[0]), DecodeStatus::Skipped);
    Bytes forged = udp_;
    forged[1200] ^= 0xff;  // inside the overlap with the first fragment
    EXPECT_EQ(feed(fragmentFrame(forged, Fragment{1000, 1480, true}, 77)), DecodeStatus::Skipped);
    EXPECT_EQ(r().dropped(FragmentDrop::Overlap), 1U);
    EXPECT_EQ(r().pendingDatagrams(), 0U);
    EXPECT_EQ(r().pendingBytes(), 0U);
    // The rest of it starts a new, incomplete datagram: nothing reaches L4.
    EXPECT_EQ(feed(fragments_[1]), DecodeStatus::Skipped);
    EXPECT_EQ(feed(fragments_[2]), DecodeStatus::Skipped);
    EXPECT_EQ(r().counters().reassembled, 0U);
}

TEST_F(ReassemblyTest, SameIdOnTwoVlansIsTwoDatagrams) {
    EXPECT_EQ(feed(fragmentFrame(udp_, fragments_[0], 5, {10})), DecodeStatus::Skipped);
    EXPECT_EQ(feed(fragmentFrame(udp_, fragments_[1], 5, {10})), DecodeStatus::Skipped);
    EXPECT_EQ(feed(fragmentFrame(udp_, fragments_[2], 5, {20})), DecodeStatus::Skipped);
    EXPECT_EQ(r().pendingDatagrams(), 2U);
    ASSERT_EQ(feed(fragmentFrame(udp_, fragments_[2], 5, {10})), DecodeStatus::Ok);
    expectWholeDns();
    EXPECT_EQ(out_.vlan(), 10);
}

TEST_F(ReassemblyTest, TruncatedFragmentIsCounted) {
    Bytes cut = fragmentFrame(udp_, fragments_[0], 77);
    cut.resize(cut.size() - 100);  // as a 1,414-byte snaplen would
    EXPECT_EQ(feed(cut), DecodeStatus::Skipped);
    EXPECT_EQ(r().dropped(FragmentDrop::Truncated), 1U);
    EXPECT_EQ(r().pendingDatagrams(), 0U);
}

TEST_F(ReassemblyTest, TcpFragmentsGoThroughTheTcpPath) {
    const Bytes payload(3000, 0x42);
    const Bytes tcp = tcpSegment(kServer.ip, kClient.ip, 502, 50000, 1000, 1, tcp::kAck, payload);
    const auto parts = evenFragments(tcp.size(), 1480);
    for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
        EXPECT_EQ(feed(fragmentFrame(tcp, parts[i], 9, {}, 6)), DecodeStatus::Skipped);
    }
    ASSERT_EQ(feed(fragmentFrame(tcp, parts.back(), 9, {}, 6)), DecodeStatus::Ok);
    EXPECT_EQ(out_.l4, L4::Tcp);
    EXPECT_EQ(out_.srcPort, 502);
    EXPECT_EQ(out_.seq, 1000U);
    EXPECT_EQ(out_.payload.size(), payload.size());
}

// The reassembler on its own: bounds and the remaining drop reasons.
FragmentKey key(std::uint16_t id) {
    return FragmentKey{0x0a010135, 0x0a01010a, id, 0, 17};
}

TEST(Ipv4ReassemblerTest, DatagramCapEvictsTheOldest) {
    Ipv4Reassembler r(
        FragmentLimits{.maxDatagrams = 4, .maxBytes = 1 << 20, .timeoutUs = 30'000'000});
    const Bytes piece(800, 1);
    for (std::uint16_t id = 1; id <= 6; ++id) EXPECT_FALSE(r.add(key(id), 0, true, piece, id));
    EXPECT_EQ(r.pendingDatagrams(), 4U);
    EXPECT_EQ(r.dropped(FragmentDrop::Evicted), 2U);
    // Ids 1 and 2 went first: their end no longer completes anything; id 6 still does.
    EXPECT_FALSE(r.add(key(1), 800, false, piece, 7));
    const auto whole = r.add(key(6), 800, false, piece, 8);
    ASSERT_TRUE(whole);
    EXPECT_EQ(whole->size(), 1600U);
}

TEST(Ipv4ReassemblerTest, ByteCapBoundsMemory) {
    Ipv4Reassembler r(
        FragmentLimits{.maxDatagrams = 1000, .maxBytes = 10000, .timeoutUs = 30'000'000});
    const Bytes piece(1480, 2);
    // Out-of-order last fragments reserve their whole datagram: hostile, and still bounded.
    for (std::uint16_t id = 1; id <= 50; ++id) {
        r.add(key(id), 2960, false, piece, id);
        EXPECT_LE(r.pendingBytes(), 10000U);
    }
    EXPECT_GT(r.dropped(FragmentDrop::Evicted), 40U);
    EXPECT_LE(r.pendingDatagrams(), 3U);
    // A datagram larger than the whole budget cannot be held at all.
    EXPECT_FALSE(r.add(key(99), 20000, false, piece, 60));
    EXPECT_LE(r.pendingBytes(), 10000U);
}

TEST(Ipv4ReassemblerTest, RejectsWhatCannotBeADatagram) {
    Ipv4Reassembler r;
    const Bytes piece(16, 3);
    EXPECT_FALSE(r.add(key(1), 65528, false, piece, 1));  // past 65,535 bytes
    EXPECT_EQ(r.dropped(FragmentDrop::TooLarge), 1U);
    EXPECT_FALSE(r.add(key(2), 0, true, Bytes(13, 3), 1));  // MF set, not a multiple of 8
    EXPECT_EQ(r.dropped(FragmentDrop::BadLength), 1U);
    EXPECT_FALSE(r.add(key(3), 0, true, Bytes(), 1));  // MF set, empty
    EXPECT_EQ(r.dropped(FragmentDrop::BadLength), 2U);
    // Two different ends for one datagram.
    EXPECT_FALSE(r.add(key(4), 16, false, piece, 1));
    EXPECT_FALSE(r.add(key(4), 24, false, piece, 1));
    EXPECT_EQ(r.dropped(FragmentDrop::Inconsistent), 1U);
    // Data past a known end.
    EXPECT_FALSE(r.add(key(5), 16, false, piece, 1));
    EXPECT_FALSE(r.add(key(5), 32, true, piece, 1));
    EXPECT_EQ(r.dropped(FragmentDrop::Inconsistent), 2U);
    EXPECT_EQ(r.pendingDatagrams(), 0U);
    EXPECT_EQ(r.pendingBytes(), 0U);
}

TEST(Ipv4ReassemblerTest, TinyFragmentFloodIsCut) {
    Ipv4Reassembler r;
    const Bytes piece(8, 4);
    // Every other 8-byte slot: each one is a separate piece.
    bool cut = false;
    for (std::size_t i = 0; i < 400 && !cut; ++i) {
        r.add(key(1), i * 16, true, piece, 1);
        cut = r.dropped(FragmentDrop::TooFragmented) == 1;
    }
    EXPECT_TRUE(cut);
    EXPECT_EQ(r.pendingDatagrams(), 0U);
    EXPECT_STREQ(toString(FragmentDrop::TooFragmented), "too_fragmented");
}

}  // namespace
}  // namespace ironsight::sensor::decode
