// SPDX-License-Identifier: Apache-2.0
// TCP payload ordering: in order, retransmission, out of order, overlap, and a gap that resyncs.
#include <gtest/gtest.h>

#include <string>

#include "sensor-agent/decode/packet.h"
#include "sensor-agent/decode/tcp_reassembler.h"

namespace ironsight::sensor::decode {
namespace {

struct Collector {
    std::string data;
    int gaps = 0;
    TcpReassembler::DataFn onData = [this](std::span<const std::uint8_t> s) {
        data.append(s.begin(), s.end());
    };
    TcpReassembler::GapFn onGap = [this] { ++gaps; };
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

TEST(TcpReassemblerTest, RetransmissionIsDeliveredOnce) {
    TcpReassembler r;
    Collector c;
    r.segment(1000, tcpflag::kSyn, {}, c.onData, c.onGap);
    r.segment(1001, tcpflag::kAck, bytes("abc"), c.onData, c.onGap);
    r.segment(1001, tcpflag::kAck, bytes("abc"), c.onData, c.onGap);    // full retransmission
    r.segment(1002, tcpflag::kAck, bytes("bcdef"), c.onData, c.onGap);  // overlapping
    EXPECT_EQ(c.data, "abcdef");
    EXPECT_EQ(r.duplicates(), 1u);
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
    EXPECT_EQ(c.data, "aaaaccccdddde");
    r.segment(18, tcpflag::kAck, bytes("f"), c.onData, c.onGap);
    EXPECT_EQ(c.data, "aaaaccccddddef");
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
    EXPECT_EQ(c.data, "aaaacccc");
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
