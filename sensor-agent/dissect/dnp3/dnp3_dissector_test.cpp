// SPDX-License-Identifier: Apache-2.0
// DNP3 dissector tests on annotated wire bytes (literal frames taken from public captures, and
// frames built field by field with their CRCs for transport reassembly and error cases).
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "sensor-agent/dissect/core/registry.h"
#include "sensor-agent/dissect/core/testing.h"
#include "sensor-agent/dissect/dnp3/dnp3_dissector.h"
#include "sensor-agent/dissect/dnp3/dnp3_wire.h"

namespace ironsight::sensor::dissect::dnp3 {
namespace {

using Bytes = std::vector<std::uint8_t>;

const FlowContext kFlow{"192.168.60.1", "192.168.60.130", 49423, 20000, Transport::Tcp, 0};

// Master 1 -> outstation 10: COLD_RESTART (dnp3-cold-restart.pcap, frame 4).
const Bytes kColdRestart = {
    0x05, 0x64,  // start
    0x08,        // length: control + dst + src + 3 user data octets
    0xc4,        // control: DIR=1 PRM=1, function 4 unconfirmed user data
    0x0a, 0x00,  // destination 10 (little-endian)
    0x01, 0x00,  // source 1
    0xfc, 0x42,  // header CRC
    0xc0,        // transport: FIN FIR, seq 0
    0xc0,        // application control: FIR FIN, seq 0
    0x0d,        // function 13 cold restart
    0x9c, 0x86,  // block CRC
};
// Outstation 10 -> master 1: RESPONSE, IIN 00 01 (no function code support), frame 6.
const Bytes kRestartResponse = {
    0x05, 0x64, 0x0a,  // start, length 10
    0x44,              // control: DIR=0 PRM=1, function 4
    0x01, 0x00,        // destination 1
    0x0a, 0x00,        // source 10
    0x6e, 0x25,        // header CRC
    0xc0, 0xc0,        // transport FIN FIR; application FIR FIN
    0x81,              // function 129 response
    0x00, 0x01,        // IIN1 0x00, IIN2 0x01 no function code support
    0xc2, 0xde,        // block CRC
};

void appendLe16(Bytes& out, std::uint16_t v) {
    out.push_back(static_cast<std::uint8_t>(v & 0xff));
    out.push_back(static_cast<std::uint8_t>(v >> 8));
}

/// A link frame with correct CRCs: header, then user data in 16-octet blocks + CRC each.
Bytes frame(std::uint8_t control, std::uint16_t dst, std::uint16_t src, const Bytes& userData) {
    Bytes out = {kStart0, kStart1, static_cast<std::uint8_t>(5 + userData.size()), control};
    appendLe16(out, dst);
    appendLe16(out, src);
    appendLe16(out, crc16(out));
    for (std::size_t i = 0; i < userData.size(); i += kBlockSize) {
        const std::size_t n = std::min(kBlockSize, userData.size() - i);
        const Bytes block(userData.begin() + static_cast<std::ptrdiff_t>(i),
                          userData.begin() + static_cast<std::ptrdiff_t>(i + n));
        out.insert(out.end(), block.begin(), block.end());
        appendLe16(out, crc16(block));
    }
    return out;
}

ParseResult feed(Dnp3Dissector& d, Direction dir, const Bytes& b, RecordingSink& sink) {
    return d.onData(kFlow, dir, b, sink);
}

/// The CRC bit by bit, straight from IEEE 1815-2012 §9.2.4.2: polynomial 0x3D65, reflected
/// (0xA6BC), initial 0, complemented.
std::uint16_t bitwiseCrc(const Bytes& data) {
    std::uint16_t crc = 0;
    for (const std::uint8_t byte : data) {
        crc ^= byte;
        for (int bit = 0; bit < 8; ++bit) {
            crc = (crc & 1) ? static_cast<std::uint16_t>((crc >> 1) ^ 0xA6BC)
                            : static_cast<std::uint16_t>(crc >> 1);
        }
    }
    return static_cast<std::uint16_t>(~crc);
}

TEST(Dnp3WireTest, CrcMatchesTheBitwiseCrcOnRandomData) {
    // The four-octets-per-step tables against the definition: every length up to a few blocks
    // (lengths that are not a multiple of four end octet by octet), random contents.
    std::mt19937 random(1815);
    for (std::size_t length = 0; length <= 64; ++length) {
        for (int round = 0; round < 200; ++round) {
            Bytes data(length);
            for (auto& b : data) b = static_cast<std::uint8_t>(random());
            ASSERT_EQ(crc16(data), bitwiseCrc(data)) << "length " << length;
        }
    }
}

TEST(Dnp3WireTest, CrcMatchesCapturedFrames) {
    EXPECT_EQ(crc16(Bytes(kColdRestart.begin(), kColdRestart.begin() + 8)), 0x42fc);
    EXPECT_EQ(crc16(Bytes{0xc0, 0xc0, 0x0d}), 0x869c);
    EXPECT_EQ(frame(0xc4, 10, 1, {0xc0, 0xc0, 0x0d}), kColdRestart);
    EXPECT_EQ(frameSize(5), 10u);
    EXPECT_EQ(frameSize(5 + 16), 28u);
    EXPECT_EQ(frameSize(5 + 17), 31u);
}

TEST(Dnp3DissectorTest, ColdRestartRequestAndResponse) {
    Dnp3Dissector d;
    RecordingSink sink{"dnp3"};
    auto r = feed(d, Direction::ToServer, kColdRestart, sink);
    EXPECT_EQ(r.status, ParseResult::Status::Ok);
    EXPECT_EQ(r.consumed, kColdRestart.size());
    feed(d, Direction::ToClient, kRestartResponse, sink);
    ASSERT_EQ(sink.ops.size(), 2u);
    EXPECT_EQ(sink.ops[0].protocol, "dnp3");
    EXPECT_EQ(sink.ops[0].function, "cold_restart");
    EXPECT_EQ(sink.ops[0].functionCode, 13);
    EXPECT_EQ(sink.ops[0].opClass, "control");
    EXPECT_TRUE(sink.ops[0].request);
    EXPECT_EQ(sink.ops[0].keys.at("src_addr"), 1);
    EXPECT_EQ(sink.ops[0].keys.at("dst_addr"), 10);
    EXPECT_EQ(sink.ops[1].function, "response");
    EXPECT_EQ(sink.ops[1].functionCode, 129);
    EXPECT_FALSE(sink.ops[1].request);
    EXPECT_TRUE(sink.ops[1].exception);  // IIN2 bit 0: function code not supported
    EXPECT_EQ(sink.ops[1].keys.at("src_addr"), 10);
    // Identity: each sender's link address, once per flow.
    ASSERT_EQ(sink.identities.size(), 2u);
    EXPECT_FALSE(sink.identities[0].ofServer);
    EXPECT_EQ(sink.identities[0].numberSets.at("addresses"), (std::set<std::int64_t>{1}));
    EXPECT_TRUE(sink.identities[1].ofServer);
    EXPECT_EQ(sink.identities[1].numberSets.at("addresses"), (std::set<std::int64_t>{10}));
    feed(d, Direction::ToServer, kColdRestart, sink);
    EXPECT_EQ(sink.identities.size(), 2u);
    EXPECT_TRUE(sink.anomalies.empty());
}

TEST(Dnp3DissectorTest, FunctionClasses) {
    EXPECT_EQ(functionInfo(1).opClass, "read");
    EXPECT_EQ(functionInfo(2).opClass, "write");
    EXPECT_EQ(functionInfo(5).name, "direct_operate");
    EXPECT_EQ(functionInfo(5).opClass, "control");
    EXPECT_EQ(functionInfo(14).name, "warm_restart");
    EXPECT_EQ(functionInfo(14).opClass, "control");
    EXPECT_EQ(functionInfo(18).name, "stop_application");
    EXPECT_EQ(functionInfo(25).name, "open_file");
    EXPECT_EQ(functionInfo(25).opClass, "program");
    EXPECT_EQ(functionInfo(130).name, "unsolicited_response");
    EXPECT_FALSE(functionInfo(77).known);
    EXPECT_EQ(functionInfo(77).name, "function_77");
}

TEST(Dnp3DissectorTest, UnknownFunctionsAreNamedByTheirCode) {
    for (unsigned code = 0; code < 256; ++code) {
        const FunctionInfo info = functionInfo(static_cast<std::uint8_t>(code));
        if (info.known) continue;
        EXPECT_EQ(info.name, "function_" + std::to_string(code));
        EXPECT_EQ(info.opClass, "other");
    }
}

TEST(Dnp3DissectorTest, AnOperationKeepsNothingOfThePreviousOne) {
    // Operations are built in a reused object per thread: an exception, a function or addresses
    // of one fragment must not show up in the next.
    Dnp3Dissector d;
    RecordingSink sink{"dnp3"};
    // Response 129 from outstation 10 with IIN2 "object unknown": an exception.
    feed(d, Direction::ToClient, frame(0x44, 1, 10, {0xc0, 0xc0, 0x81, 0x00, 0x02}), sink);
    // The next response, no IIN bits; then a request with other addresses.
    feed(d, Direction::ToClient, frame(0x44, 1, 10, {0xc1, 0xc1, 0x81, 0x00, 0x00}), sink);
    feed(d, Direction::ToServer, frame(0xc4, 12, 3, {0xc2, 0xc2, 0x01}), sink);
    ASSERT_EQ(sink.ops.size(), 3u);
    EXPECT_TRUE(sink.ops[0].exception);
    EXPECT_FALSE(sink.ops[1].exception);
    EXPECT_EQ(sink.ops[1].function, "response");
    EXPECT_EQ(sink.ops[1].keys.at("src_addr"), 10);
    EXPECT_EQ(sink.ops[1].keys.at("dst_addr"), 1);
    EXPECT_EQ(sink.ops[2].function, "read");
    EXPECT_EQ(sink.ops[2].opClass, "read");
    EXPECT_TRUE(sink.ops[2].request);
    EXPECT_FALSE(sink.ops[2].exception);
    EXPECT_EQ(sink.ops[2].keys.size(), 2u);
    EXPECT_EQ(sink.ops[2].keys.at("src_addr"), 3);
    EXPECT_EQ(sink.ops[2].keys.at("dst_addr"), 12);
    EXPECT_TRUE(sink.ops[2].range.empty());
}

TEST(Dnp3DissectorTest, IinRestartAndTroubleAreFindings) {
    Dnp3Dissector d;
    RecordingSink sink{"dnp3"};
    // Unsolicited response: transport FIN FIR; app ctrl FIR FIN UNS; function 130; IIN1 0xc0.
    feed(d, Direction::ToClient, frame(0x44, 1, 10, {0xc0, 0xd0, 0x82, 0xc0, 0x00}), sink);
    ASSERT_EQ(sink.ops.size(), 1u);
    EXPECT_EQ(sink.ops[0].function, "unsolicited_response");
    EXPECT_FALSE(sink.ops[0].exception);
    EXPECT_EQ(sink.count("iin_device_restart"), 1u);
    EXPECT_EQ(sink.count("iin_device_trouble"), 1u);
}

TEST(Dnp3DissectorTest, FrameSplitAcrossSegments) {
    Dnp3Dissector d;
    RecordingSink sink{"dnp3"};
    auto r =
        feed(d, Direction::ToServer, Bytes(kColdRestart.begin(), kColdRestart.begin() + 7), sink);
    EXPECT_EQ(r.status, ParseResult::Status::Incomplete);
    EXPECT_EQ(r.consumed, 0u);
    EXPECT_EQ(r.needed, kHeaderSize);
    r = feed(d, Direction::ToServer, Bytes(kColdRestart.begin(), kColdRestart.begin() + 12), sink);
    EXPECT_EQ(r.status, ParseResult::Status::Incomplete);
    EXPECT_EQ(r.needed, kColdRestart.size());
    EXPECT_TRUE(sink.ops.empty());
    // The caller offers the kept bytes again together with the next segment.
    Bytes both = kColdRestart;
    both.insert(both.end(), kColdRestart.begin(), kColdRestart.begin() + 3);
    r = feed(d, Direction::ToServer, both, sink);
    EXPECT_EQ(r.status, ParseResult::Status::Incomplete);
    EXPECT_EQ(r.consumed, kColdRestart.size());
    ASSERT_EQ(sink.ops.size(), 1u);
    EXPECT_EQ(sink.ops[0].functionCode, 13);
}

TEST(Dnp3DissectorTest, TransportReassemblyAcrossFrames) {
    Dnp3Dissector d;
    RecordingSink sink{"dnp3"};
    // Application fragment WRITE (ctrl 0xc3, function 2, then 30 object octets) in two segments.
    Bytes apdu = {0xc3, 0x02};
    for (int i = 0; i < 30; ++i) apdu.push_back(static_cast<std::uint8_t>(i));
    Bytes first = {0x45};  // transport: FIR, seq 5
    first.insert(first.end(), apdu.begin(), apdu.begin() + 20);
    Bytes second = {0x86};  // transport: FIN, seq 6
    second.insert(second.end(), apdu.begin() + 20, apdu.end());
    feed(d, Direction::ToServer, frame(0xc4, 4, 3, first), sink);
    EXPECT_TRUE(sink.ops.empty());
    // A frame of another address pair in between does not disturb the reassembly.
    feed(d, Direction::ToServer, frame(0xc4, 7, 3, {0xc0, 0xc0, 0x01}), sink);
    feed(d, Direction::ToServer, frame(0xc4, 4, 3, second), sink);
    ASSERT_EQ(sink.ops.size(), 2u);
    EXPECT_EQ(sink.ops[0].function, "read");
    EXPECT_EQ(sink.ops[1].function, "write");
    EXPECT_EQ(sink.ops[1].opClass, "write");
    EXPECT_EQ(sink.ops[1].keys.at("dst_addr"), 4);
    EXPECT_TRUE(sink.anomalies.empty());
}

TEST(Dnp3DissectorTest, TransportSequenceErrorDropsFragment) {
    Dnp3Dissector d;
    RecordingSink sink{"dnp3"};
    feed(d, Direction::ToServer, frame(0xc4, 4, 3, {0x41, 0xc3, 0x02, 0x00}), sink);  // FIR seq 1
    feed(d, Direction::ToServer, frame(0xc4, 4, 3, {0x83, 0x00}), sink);  // FIN seq 3, not 2
    EXPECT_TRUE(sink.ops.empty());
    EXPECT_EQ(sink.count("transport_sequence_error"), 1u);
    // A gap drops partial fragments as well.
    feed(d, Direction::ToServer, frame(0xc4, 4, 3, {0x41, 0xc3, 0x02, 0x00}), sink);
    d.onGap(Direction::ToServer);
    feed(d, Direction::ToServer, frame(0xc4, 4, 3, {0x82, 0x00}), sink);
    EXPECT_TRUE(sink.ops.empty());
    EXPECT_EQ(sink.count("transport_sequence_error"), 2u);
}

TEST(Dnp3DissectorTest, PendingFragmentsAreBounded) {
    Dnp3Dissector d;
    RecordingSink sink{"dnp3"};
    for (std::uint16_t dst = 1; dst <= kMaxPendingFragments + 1; ++dst) {
        feed(d, Direction::ToServer, frame(0xc4, dst, 3, {0x40, 0xc0, 0x01}), sink);  // FIR only
    }
    EXPECT_EQ(sink.count("reassembly_overflow"), 1u);
}

TEST(Dnp3DissectorTest, BadBlockCrcDropsUserData) {
    Dnp3Dissector d;
    RecordingSink sink{"dnp3"};
    Bytes bad = kColdRestart;
    bad.back() ^= 0xff;  // corrupt the block CRC
    auto r = feed(d, Direction::ToServer, bad, sink);
    EXPECT_EQ(r.status, ParseResult::Status::Ok);
    EXPECT_EQ(r.consumed, bad.size());
    EXPECT_TRUE(sink.ops.empty());
    EXPECT_EQ(sink.count("link_crc_error"), 1u);
}

TEST(Dnp3DissectorTest, BadHeaderCrcResynchronises) {
    Dnp3Dissector d;
    RecordingSink sink{"dnp3"};
    Bytes stream = kColdRestart;
    stream[8] ^= 0x01;  // corrupt the header CRC: the length cannot be trusted
    stream.insert(stream.end(), kColdRestart.begin(), kColdRestart.end());
    const auto r = feed(d, Direction::ToServer, stream, sink);
    EXPECT_EQ(r.consumed, stream.size());
    EXPECT_EQ(sink.count("link_crc_error"), 1u);
    ASSERT_EQ(sink.ops.size(), 1u);  // the second, intact frame
}

TEST(Dnp3DissectorTest, JunkBeforeFrameAndShortLength) {
    Dnp3Dissector d;
    RecordingSink sink{"dnp3"};
    Bytes stream = {0x00, 0x05, 0x11, 0x22};  // junk, including a lone 0x05
    Bytes shortHeader = {0x05, 0x64, 0x02, 0xc4, 0x0a, 0x00, 0x01, 0x00};  // length 2 < 5
    appendLe16(shortHeader, crc16(shortHeader));
    stream.insert(stream.end(), shortHeader.begin(), shortHeader.end());
    stream.insert(stream.end(), kColdRestart.begin(), kColdRestart.end());
    const auto r = feed(d, Direction::ToServer, stream, sink);
    EXPECT_EQ(r.consumed, stream.size());
    EXPECT_EQ(sink.count("malformed_frame"), 2u);
    ASSERT_EQ(sink.ops.size(), 1u);
    EXPECT_EQ(sink.ops[0].functionCode, 13);
}

TEST(Dnp3DissectorTest, UnknownFunctionAndShortApdu) {
    Dnp3Dissector d;
    RecordingSink sink{"dnp3"};
    feed(d, Direction::ToServer, frame(0xc4, 10, 1, {0xc0, 0xc0, 0x4d}), sink);  // function 77
    ASSERT_EQ(sink.ops.size(), 1u);
    EXPECT_EQ(sink.ops[0].function, "function_77");
    EXPECT_EQ(sink.count("illegal_function"), 1u);
    feed(d, Direction::ToServer, frame(0xc4, 10, 1, {0xc0, 0xc0}), sink);        // no function code
    feed(d, Direction::ToClient, frame(0x44, 1, 10, {0xc0, 0xc0, 0x81}), sink);  // no IIN
    EXPECT_EQ(sink.count("malformed_apdu"), 2u);
}

TEST(Dnp3DissectorTest, LinkServiceFramesCarryNoOperation) {
    Dnp3Dissector d;
    RecordingSink sink{"dnp3"};
    // Reset link states (PRM function 0) and link status (secondary function 11): header only.
    feed(d, Direction::ToServer, frame(0xc0, 10, 1, {}), sink);
    feed(d, Direction::ToClient, frame(0x0b, 1, 10, {}), sink);
    EXPECT_TRUE(sink.ops.empty());
    EXPECT_TRUE(sink.anomalies.empty());
}

TEST(Dnp3DissectorTest, UdpDatagramWithTwoFrames) {
    Dnp3Dissector d;
    RecordingSink sink{"dnp3"};
    Bytes datagram = kColdRestart;
    datagram.insert(datagram.end(), kColdRestart.begin(), kColdRestart.end());
    const FlowContext udp{"10.0.0.2", "10.0.0.1", 20000, 20000, Transport::Udp, 0};
    const auto r = d.onData(udp, Direction::ToServer, datagram, sink);
    EXPECT_EQ(r.status, ParseResult::Status::Ok);
    EXPECT_EQ(sink.ops.size(), 2u);
}

TEST(Dnp3DissectorTest, ProbeAndRegistration) {
    EXPECT_EQ(probe(kColdRestart), Probe::Match);
    EXPECT_EQ(probe(Bytes{0x05, 0x64, 0x08}), Probe::NeedMore);
    EXPECT_EQ(probe(Bytes{0x05, 0x65}), Probe::NoMatch);
    Bytes bad = kColdRestart;
    bad[9] ^= 0x10;
    EXPECT_EQ(probe(bad), Probe::NoMatch);
    DissectorRegistry registry;
    registerDissector(registry);
    EXPECT_TRUE(registry.validate().ok());
    const DissectorInfo* info = registry.forPort(Transport::Tcp, 20000);
    ASSERT_NE(info, nullptr);
    EXPECT_EQ(info->name, "dnp3");
}

}  // namespace
}  // namespace ironsight::sensor::dissect::dnp3
