// SPDX-License-Identifier: Apache-2.0
// TCP payload ordering: in order, retransmission, out of order, overlap, gaps (buffer limit,
// holes the peer acknowledged, end of stream) that resync.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "sensor-agent/decode/packet.h"
#include "sensor-agent/decode/tcp_reassembler.h"

namespace ironsight::sensor::decode {
namespace {

struct Collector {
    std::string data;
    int gaps = 0;
    std::vector<GapReason> reasons;
    TcpReassembler::DataFn onData = [this](std::span<const std::uint8_t> s) {
        data.append(s.begin(), s.end());
    };
    TcpReassembler::GapFn onGap = [this](GapReason reason) {
        ++gaps;
        reasons.push_back(reason);
        data += '|';  // where the stream resynchronised
    };
};

std::span<const std::uint8_t> bytes(const std::string& s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

TEST(TcpReassemblerTest, InOrderAfterSyn) {
    TcpReassembler r;
    Collector c;
    r.segment(1000, tcpflag::kSyn, {}, c.onData, c.onGap);
    r.segment(1001, tcpflag::kAck, bytes("hello "), c.onData, c.onGap);
    r.segment(1007, tcpflag::kAck, bytes("world"), c.onData, c.onGap);
    EXPECT_EQ(c.data, "hello world");
}

// segment() takes acknowledgements and in-order segments with nothing buffered inline, the
// rest out of line: a stream cut at random, sent with pure ACKs, retransmissions, overlaps and
// swapped neighbours (across a sequence wrap), arrives whole and once.
TEST(TcpReassemblerTest, RandomSegmentationArrivesWholeAndOnce) {
    std::mt19937 rng(1207);
    for (int run = 0; run < 200; ++run) {
        std::string stream;
        const std::size_t length = 1 + rng() % 3000;
        for (std::size_t i = 0; i < length; ++i) stream += static_cast<char>('a' + rng() % 26);
        struct Segment {
            std::size_t at, size;
        };
        std::vector<Segment> segments;
        for (std::size_t at = 0; at < length;) {
            const std::size_t size = std::min<std::size_t>(1 + rng() % 200, length - at);
            segments.push_back({at, size});
            if (rng() % 8 == 0) segments.push_back({at, size});                // retransmitted
            if (rng() % 8 == 0 && at > 0) segments.push_back({at - 1, size});  // overlapping
            at += size;
        }
        for (std::size_t i = 0; i + 1 < segments.size(); ++i) {
            if (rng() % 5 == 0) std::swap(segments[i], segments[i + 1]);
        }
        const std::uint32_t isn = run % 2 ? 0xffffff00u : static_cast<std::uint32_t>(rng());
        TcpReassembler r;
        Collector c;
        r.segment(isn, tcpflag::kSyn, {}, c.onData, c.onGap);
        std::vector<bool> received(length);
        std::size_t inOrder = 0;  // what must have been delivered: the bytes received in order
        for (const auto& s : segments) {
            if (rng() % 3 == 0) r.segment(isn + 1, tcpflag::kAck, {}, c.onData, c.onGap);
            r.segment(isn + 1 + static_cast<std::uint32_t>(s.at), tcpflag::kAck,
                      bytes(stream).subspan(s.at, s.size), c.onData, c.onGap);
            std::fill_n(received.begin() + static_cast<std::ptrdiff_t>(s.at), s.size, true);
            while (inOrder < length && received[inOrder]) ++inOrder;
            ASSERT_EQ(c.data, stream.substr(0, inOrder)) << "run " << run;
        }
        r.flush(c.onData, c.onGap);
        ASSERT_EQ(c.data, stream) << "run " << run;
        EXPECT_EQ(c.gaps, 0);
        EXPECT_EQ(r.bufferedBytes(), 0u);
    }
}

TEST(TcpReassemblerTest, RetransmissionIsDeliveredOnce) {
    TcpReassembler r;
    Collector c;
    r.segment(1000, tcpflag::kSyn, {}, c.onData, c.onGap);
    r.segment(1001, tcpflag::kAck, bytes("abc"), c.onData, c.onGap);
    r.segment(1001, tcpflag::kAck, bytes("abc"), c.onData, c.onGap);    // full retransmission
    r.segment(1002, tcpflag::kAck, bytes("bcdef"), c.onData, c.onGap);  // overlapping
    EXPECT_EQ(c.data, "abcdef");  // the retransmission delivered nothing
    EXPECT_EQ(c.gaps, 0);
}

TEST(TcpReassemblerTest, OutOfOrderSegmentsAreReordered) {
    TcpReassembler r;
    Collector c;
    r.segment(1000, tcpflag::kSyn, {}, c.onData, c.onGap);
    r.segment(1007, tcpflag::kAck, bytes("world"), c.onData, c.onGap);
    r.segment(1012, tcpflag::kAck, bytes("!"), c.onData, c.onGap);
    EXPECT_EQ(c.data, "");
    r.segment(1001, tcpflag::kAck, bytes("hello "), c.onData, c.onGap);
    EXPECT_EQ(c.data, "hello world!");
    EXPECT_EQ(r.bufferedBytes(), 0u);
}

TEST(TcpReassemblerTest, SequenceWrapAround) {
    TcpReassembler r;
    Collector c;
    r.segment(0xfffffffd, tcpflag::kSyn, {}, c.onData, c.onGap);
    r.segment(0xfffffffe, tcpflag::kAck, bytes("ab"), c.onData, c.onGap);
    r.segment(0x00000000, tcpflag::kAck, bytes("cd"), c.onData, c.onGap);
    EXPECT_EQ(c.data, "abcd");
}

TEST(TcpReassemblerTest, GapResyncsWhenBufferLimitIsHit) {
    TcpReassembler r(ReassemblyLimits{.maxBufferedBytes = 8, .maxBufferedSegments = 64});
    Collector c;
    r.segment(0, tcpflag::kSyn, {}, c.onData, c.onGap);
    r.segment(1, tcpflag::kAck, bytes("aaaa"), c.onData, c.onGap);
    // bytes 5..8 are lost for good
    r.segment(9, tcpflag::kAck, bytes("cccc"), c.onData, c.onGap);
    r.segment(13, tcpflag::kAck, bytes("dddd"), c.onData, c.onGap);
    EXPECT_EQ(c.gaps, 0);
    r.segment(17, tcpflag::kAck, bytes("e"), c.onData, c.onGap);
    EXPECT_EQ(c.gaps, 1);
    EXPECT_EQ(c.data, "aaaa|ccccdddde");
    EXPECT_EQ(c.reasons, std::vector<GapReason>{GapReason::BufferLimit});
    r.segment(18, tcpflag::kAck, bytes("f"), c.onData, c.onGap);
    EXPECT_EQ(c.data, "aaaa|ccccddddef");
}

TEST(TcpReassemblerTest, MidStreamStartUsesFirstSegment) {
    TcpReassembler r;
    Collector c;
    r.segment(5000, tcpflag::kAck, bytes("xy"), c.onData, c.onGap);
    r.segment(5002, tcpflag::kAck, bytes("z"), c.onData, c.onGap);
    EXPECT_EQ(c.data, "xyz");
}

}  // namespace
}  // namespace ironsight::sensor::decode

namespace ironsight::sensor::decode {
namespace {

TEST(TcpReassemblerTest, AckedUnseenSegmentSkipsTheHoleAtOnce) {
    TcpReassembler r;
    Collector c;
    r.segment(0, tcpflag::kSyn, {}, c.onData, c.onGap);
    r.segment(1, tcpflag::kAck, bytes("aaaa"), c.onData, c.onGap);
    r.acked(13);  // the peer received bytes 5..12, which the capture missed
    r.segment(13, tcpflag::kAck, bytes("cccc"), c.onData, c.onGap);
    EXPECT_EQ(c.gaps, 1);
    EXPECT_EQ(c.data, "aaaa|cccc");
    EXPECT_EQ(c.reasons, std::vector<GapReason>{GapReason::AckedUnseen});
}

TEST(TcpReassemblerTest, AckBeforeDataIsNotAGap) {
    TcpReassembler r;
    Collector c;
    r.segment(0, tcpflag::kSyn, {}, c.onData, c.onGap);
    r.acked(5);  // seen before the data segment (SPAN reordering)
    r.segment(1, tcpflag::kAck, bytes("aaaa"), c.onData, c.onGap);
    EXPECT_EQ(c.gaps, 0);
    EXPECT_EQ(c.data, "aaaa");
}

}  // namespace
}  // namespace ironsight::sensor::decode

namespace ironsight::sensor::decode {
namespace {

// The usual order on the wire: the segment after the lost one is captured first, the peer's
// acknowledgement of both comes after it. The ACK alone must release the buffered data.
TEST(TcpReassemblerTest, AckArrivingAfterBufferedDataSkipsTheHole) {
    TcpReassembler r;
    Collector c;
    r.segment(0, tcpflag::kSyn, {}, c.onData, c.onGap);
    r.segment(1, tcpflag::kAck, bytes("aaaa"), c.onData, c.onGap);
    // bytes 5..12 are lost by the capture
    r.segment(13, tcpflag::kAck, bytes("cccc"), c.onData, c.onGap);
    r.acked(5, c.onData, c.onGap);  // acknowledges "aaaa" only: the hole stays open
    EXPECT_EQ(c.data, "aaaa");
    EXPECT_EQ(r.bufferedBytes(), 4u);
    r.acked(17, c.onData, c.onGap);  // the peer received the hole and "cccc"
    EXPECT_EQ(c.data, "aaaa|cccc");
    EXPECT_EQ(c.reasons, std::vector<GapReason>{GapReason::AckedUnseen});
    EXPECT_EQ(r.bufferedBytes(), 0u);
    r.segment(17, tcpflag::kAck, bytes("dd"), c.onData, c.onGap);  // and the stream goes on
    EXPECT_EQ(c.data, "aaaa|ccccdd");
}

TEST(TcpReassemblerTest, AckInsideTheHoleKeepsWaitingForTheRetransmission) {
    TcpReassembler r;
    Collector c;
    r.segment(0, tcpflag::kSyn, {}, c.onData, c.onGap);
    r.segment(1, tcpflag::kAck, bytes("aaaa"), c.onData, c.onGap);
    r.segment(13, tcpflag::kAck, bytes("cccc"), c.onData, c.onGap);
    r.acked(9, c.onData, c.onGap);  // part of the hole: bytes 9..12 may be lost on the network
    EXPECT_EQ(c.gaps, 0);
    r.segment(5, tcpflag::kAck, bytes("bbbbbbbb"), c.onData, c.onGap);  // retransmission fills it
    EXPECT_EQ(c.data, "aaaabbbbbbbbcccc");
    EXPECT_TRUE(c.reasons.empty());
}

TEST(TcpReassemblerTest, AckedHolesAreSkippedOneByOne) {
    TcpReassembler r;
    Collector c;
    r.segment(0, tcpflag::kSyn, {}, c.onData, c.onGap);
    r.segment(1, tcpflag::kAck, bytes("aa"), c.onData, c.onGap);
    r.segment(5, tcpflag::kAck, bytes("cc"), c.onData, c.onGap);  // hole 3..4
    r.segment(9, tcpflag::kAck, bytes("ee"), c.onData, c.onGap);  // hole 7..8
    r.acked(6, c.onData, c.onGap);                                // covers the first hole only
    EXPECT_EQ(c.data, "aa|cc");
    r.acked(11, c.onData, c.onGap);
    EXPECT_EQ(c.data, "aa|cc|ee");
    EXPECT_EQ(c.reasons, (std::vector<GapReason>{GapReason::AckedUnseen, GapReason::AckedUnseen}));
}

TEST(TcpReassemblerTest, UnackedHoleStaysBufferedUntilFlush) {
    TcpReassembler r;
    Collector c;
    r.segment(0, tcpflag::kSyn, {}, c.onData, c.onGap);
    r.segment(1, tcpflag::kAck, bytes("aaaa"), c.onData, c.onGap);
    r.segment(9, tcpflag::kAck, bytes("cc"), c.onData, c.onGap);   // hole 5..8
    r.segment(13, tcpflag::kAck, bytes("ee"), c.onData, c.onGap);  // hole 11..12
    r.segment(11, tcpflag::kAck, bytes("d"), c.onData, c.onGap);   // half of the second hole
    r.acked(5, c.onData, c.onGap);
    EXPECT_EQ(c.data, "aaaa");
    EXPECT_EQ(c.gaps, 0);
    r.flush(c.onData, c.onGap);
    EXPECT_EQ(c.data, "aaaa|ccd|ee");
    EXPECT_EQ(c.reasons, (std::vector<GapReason>{GapReason::EndOfStream, GapReason::EndOfStream}));
    EXPECT_EQ(r.bufferedBytes(), 0u);
    r.flush(c.onData, c.onGap);  // nothing left: no further gap
    EXPECT_EQ(c.gaps, 2);
    r.segment(15, tcpflag::kAck, bytes("f"), c.onData, c.onGap);
    EXPECT_EQ(c.data, "aaaa|ccd|eef");
}

TEST(TcpReassemblerTest, NewSynForgetsTheOldAcknowledgements) {
    TcpReassembler r;
    Collector c;
    r.segment(0, tcpflag::kSyn, {}, c.onData, c.onGap);
    r.segment(1, tcpflag::kAck, bytes("aaaa"), c.onData, c.onGap);
    r.acked(1000, c.onData, c.onGap);
    r.segment(0, tcpflag::kSyn, {}, c.onData, c.onGap);  // port reuse: a new stream
    r.segment(9, tcpflag::kAck, bytes("cc"), c.onData, c.onGap);
    EXPECT_EQ(c.gaps, 0);
    EXPECT_EQ(r.bufferedBytes(), 2u);
}

}  // namespace
}  // namespace ironsight::sensor::decode
