// SPDX-License-Identifier: Apache-2.0
// IEC 104 dissector tests on annotated wire bytes (frames from public captures where possible).
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "sensor-agent/dissect/core/registry.h"
#include "sensor-agent/dissect/core/testing.h"
#include "sensor-agent/dissect/iec104/iec104_dissector.h"
#include "sensor-agent/dissect/iec104/iec104_types.h"

namespace ironsight::sensor::dissect::iec104 {
namespace {

using Bytes = std::vector<std::uint8_t>;

/// IEC 104 carries no device identity: reporting one is a bug.
struct Iec104Sink : RecordingSink {
    Iec104Sink() : RecordingSink("iec104") {}
    void onIdentity(const FlowContext&, const Identity&) override { ADD_FAILURE(); }
};

const FlowContext kFlow{"172.27.248.109", "172.27.248.79", 1578, 2404, Transport::Tcp, 0};

const Bytes kStartDtAct = {
    0x68, 0x04,              // start, length 4
    0x07, 0x00, 0x00, 0x00,  // U format (cf1 & 3 = 3), cf1 >> 2 = 0x01 STARTDT act
};
const Bytes kSFrame = {
    0x68, 0x04,              // start, length 4
    0x01, 0x00, 0x08, 0x00,  // S format (cf1 & 3 = 1), N(R) = 4
};
// Single command, activation (iec104-testdissect.pcap frame 124).
const Bytes kSingleCommand = {
    0x68, 0x0e,              // start, length 14
    0x04, 0x00, 0x0e, 0x00,  // I format: N(S) 2, N(R) 7
    0x2d,                    // type 45 C_SC_NA_1
    0x01,                    // VSQ: SQ=0, 1 object
    0x06,                    // COT: cause 6 activation
    0x01,                    // originator address 1
    0x0d, 0x91,              // common address 37133 (little-endian)
    0x1a, 0x27, 0x00,        // IOA 10010
    0x81,                    // SCO: select, ON
};
// Its negative confirmation from the controlled station (frame 134): COT 0xc7 = T, P/N, cause 7.
const Bytes kNegativeConfirm = {
    0x68, 0x0e, 0x14, 0x00, 0x0a, 0x00,  // I format: N(S) 10, N(R) 5
    0x2d, 0x01,                          // C_SC_NA_1, 1 object
    0xc7, 0x02,                          // COT: test, negative, cause 7 activation con; orig. 2
    0x0d, 0x91,                          // common address 37133
    0xce, 0x56, 0x00, 0x81,              // IOA 22222, SCO
};
// End of initialisation (frame 107): M_EI_NA_1, cause 4 initialised, COI 0.
const Bytes kEndOfInit = {
    0x68, 0x0e, 0x00, 0x00, 0x00, 0x00,  // I format: N(S) 0, N(R) 0
    0x46, 0x01, 0x04, 0x00,              // type 70, 1 object, cause 4, originator 0
    0x0d, 0x91, 0x00, 0x00, 0x00, 0x00,  // common address 37133, IOA 0, COI 0
};

ParseResult feed(Iec104Dissector& d, Direction dir, const Bytes& b, RecordingSink& sink) {
    return d.onData(kFlow, dir, b, sink);
}

TEST(Iec104DissectorTest, UFrameAndSFrame) {
    Iec104Dissector d;
    Iec104Sink sink;
    auto r = feed(d, Direction::ToServer, kStartDtAct, sink);
    EXPECT_EQ(r.status, ParseResult::Status::Ok);
    EXPECT_EQ(r.consumed, kStartDtAct.size());
    feed(d, Direction::ToClient, kSFrame, sink);  // acknowledgement only: no operation
    ASSERT_EQ(sink.ops.size(), 1u);
    EXPECT_EQ(sink.ops[0].protocol, "iec104");
    EXPECT_EQ(sink.ops[0].function, "startdt_act");
    EXPECT_EQ(sink.ops[0].keys.at("u_type"), 1);
    EXPECT_EQ(sink.ops[0].keys.count("type_id"), 0u);
    EXPECT_TRUE(sink.anomalies.empty());
}

TEST(Iec104DissectorTest, CommandAndNegativeConfirmation) {
    Iec104Dissector d;
    Iec104Sink sink;
    feed(d, Direction::ToServer, kSingleCommand, sink);
    feed(d, Direction::ToClient, kNegativeConfirm, sink);
    ASSERT_EQ(sink.ops.size(), 2u);
    const Operation& cmd = sink.ops[0];
    EXPECT_EQ(cmd.function, "C_SC_NA_1");
    EXPECT_EQ(cmd.functionCode, 45);
    EXPECT_EQ(cmd.opClass, "control");
    EXPECT_TRUE(cmd.request);
    EXPECT_FALSE(cmd.exception);
    EXPECT_EQ(cmd.keys.at("type_id"), 45);
    EXPECT_EQ(cmd.keys.at("cause_tx"), 6);
    EXPECT_EQ(cmd.keys.at("asdu_addr"), 37133);
    EXPECT_EQ(cmd.range, "ioa 10010");
    EXPECT_FALSE(sink.ops[1].request);
    EXPECT_TRUE(sink.ops[1].exception);
    EXPECT_EQ(sink.ops[1].keys.at("cause_tx"), 7);
    EXPECT_TRUE(sink.anomalies.empty());
}

TEST(Iec104DissectorTest, TypeClasses) {
    EXPECT_EQ(typeInfo(1).name, "M_SP_NA_1");
    EXPECT_EQ(typeInfo(1).opClass, "read");
    EXPECT_EQ(typeInfo(13).opClass, "read");
    EXPECT_EQ(typeInfo(46).opClass, "control");
    EXPECT_EQ(typeInfo(50).name, "C_SE_NC_1");
    EXPECT_EQ(typeInfo(50).opClass, "write");
    EXPECT_EQ(typeInfo(100).name, "C_IC_NA_1");
    EXPECT_EQ(typeInfo(105).opClass, "control");
    EXPECT_EQ(typeInfo(122).opClass, "program");
    EXPECT_FALSE(typeInfo(200).known);
}

TEST(Iec104DissectorTest, UnknownTypesAreNamedByTheirId) {
    for (unsigned id = 0; id < 256; ++id) {
        const TypeInfo info = typeInfo(static_cast<std::uint8_t>(id));
        if (info.known) continue;
        EXPECT_EQ(info.name, "type_" + std::to_string(id));
        EXPECT_EQ(info.opClass, "other");
        EXPECT_EQ(info.elementSize, 0u);
    }
}

TEST(Iec104DissectorTest, AnOperationKeepsNothingOfThePreviousOne) {
    // Operations are built in a reused object per thread and direction: the range, keys and
    // exception of one ASDU must not show up in the next.
    Iec104Dissector d;
    Iec104Sink sink;
    feed(d, Direction::ToServer, kSingleCommand, sink);  // range, asdu_addr, cause
    feed(d, Direction::ToServer, Bytes{0x68, 0x06, 0x02, 0x00, 0x00, 0x00, 0x2d, 0x01},
         sink);  // the next I frame, truncated after the VSQ: type only
    feed(d, Direction::ToClient, kNegativeConfirm, sink);
    feed(d, Direction::ToClient, kEndOfInit, sink);  // IOA 0, not negative
    ASSERT_EQ(sink.ops.size(), 4u);
    EXPECT_EQ(sink.ops[0].range, "ioa 10010");
    EXPECT_TRUE(sink.ops[1].range.empty());
    EXPECT_EQ(sink.ops[1].keys.size(), 1u);
    EXPECT_FALSE(sink.ops[1].exception);
    EXPECT_TRUE(sink.ops[2].exception);
    EXPECT_EQ(sink.ops[2].range, "ioa 22222");
    EXPECT_FALSE(sink.ops[3].exception);
    EXPECT_EQ(sink.ops[3].range, "ioa 0");
    EXPECT_EQ(sink.ops[3].function, "M_EI_NA_1");
    EXPECT_EQ(sink.ops[3].opClass, "other");
}

TEST(Iec104DissectorTest, EndOfInitialisationIsAFinding) {
    Iec104Dissector d;
    Iec104Sink sink;
    feed(d, Direction::ToClient, kEndOfInit, sink);
    ASSERT_EQ(sink.ops.size(), 1u);
    EXPECT_EQ(sink.ops[0].function, "M_EI_NA_1");
    EXPECT_EQ(sink.ops[0].keys.at("cause_tx"), 4);
    EXPECT_EQ(sink.count("end_of_initialization"), 1u);
}

TEST(Iec104DissectorTest, ApduSplitAcrossSegmentsAndSeveralPerSegment) {
    Iec104Dissector d;
    Iec104Sink sink;
    auto r = feed(d, Direction::ToServer, Bytes{0x68}, sink);
    EXPECT_EQ(r.status, ParseResult::Status::Incomplete);
    EXPECT_EQ(r.needed, 2u);
    r = feed(d, Direction::ToServer, Bytes(kSingleCommand.begin(), kSingleCommand.begin() + 9),
             sink);
    EXPECT_EQ(r.status, ParseResult::Status::Incomplete);
    EXPECT_EQ(r.consumed, 0u);
    EXPECT_EQ(r.needed, kSingleCommand.size());
    EXPECT_TRUE(sink.ops.empty());
    Bytes segment = kSingleCommand;
    segment.insert(segment.end(), kStartDtAct.begin(), kStartDtAct.end());
    segment.insert(segment.end(), kSFrame.begin(), kSFrame.begin() + 3);
    r = feed(d, Direction::ToServer, segment, sink);
    EXPECT_EQ(r.status, ParseResult::Status::Incomplete);
    EXPECT_EQ(r.consumed, kSingleCommand.size() + kStartDtAct.size());
    ASSERT_EQ(sink.ops.size(), 2u);
    EXPECT_EQ(sink.ops[0].functionCode, 45);
    EXPECT_EQ(sink.ops[1].function, "startdt_act");
}

TEST(Iec104DissectorTest, JunkAndShortApdu) {
    Iec104Dissector d;
    Iec104Sink sink;
    // iec104-testdissect.pcap frame 16: three junk octets, then an APDU of length 1 (< 4).
    const Bytes junk = {0x03, 0x03, 0x03, 0x68, 0x01, 0x13, 0x13, 0x13};
    const auto r = feed(d, Direction::ToServer, junk, sink);
    EXPECT_EQ(r.status, ParseResult::Status::Ok);
    EXPECT_EQ(r.consumed, junk.size());
    EXPECT_TRUE(sink.ops.empty());
    EXPECT_EQ(sink.count("junk_bytes"), 2u);
    EXPECT_EQ(sink.count("short_apdu"), 1u);
}

TEST(Iec104DissectorTest, TruncatedAsduKeepsTheFieldsItHas) {
    Iec104Dissector d;
    Iec104Sink sink;
    // Frame 83: length 8 = control field 1a 1a 1a 1a (I format) + ASDU 1a 1a 1a 1a: type 26,
    // cause 26, and no common address.
    const Bytes cut = {0x68, 0x08, 0x1a, 0x1a, 0x1a, 0x1a, 0x1a, 0x1a, 0x1a, 0x1a};
    feed(d, Direction::ToServer, cut, sink);
    ASSERT_EQ(sink.ops.size(), 1u);
    EXPECT_EQ(sink.ops[0].keys.at("type_id"), 26);
    EXPECT_EQ(sink.ops[0].keys.at("cause_tx"), 26);
    EXPECT_EQ(sink.ops[0].keys.count("asdu_addr"), 0u);
    EXPECT_EQ(sink.count("truncated_asdu"), 1u);
    // Length 6: type and VSQ only.
    feed(d, Direction::ToServer, Bytes{0x68, 0x06, 0x18, 0x18, 0x18, 0x18, 0x18, 0x18}, sink);
    ASSERT_EQ(sink.ops.size(), 2u);
    EXPECT_EQ(sink.ops[1].keys.at("type_id"), 24);
    EXPECT_EQ(sink.ops[1].keys.count("cause_tx"), 0u);
}

TEST(Iec104DissectorTest, LengthMismatchSequenceErrorAndUnknownType) {
    Iec104Dissector d;
    Iec104Sink sink;
    // M_SP_NA_1 announcing 2 objects (VSQ 0x02) but carrying one (IOA + SIQ).
    const Bytes mismatch = {0x68, 0x0e, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02,
                            0x03, 0x00, 0x03, 0x00, 0x01, 0x00, 0x00, 0x01};
    feed(d, Direction::ToClient, mismatch, sink);
    EXPECT_EQ(sink.count("length_mismatch"), 1u);
    // Next I frame from the same side with N(S) 5 instead of 1.
    Bytes skipped = mismatch;
    skipped[2] = 0x0a;
    skipped[7] = 0x01;
    feed(d, Direction::ToClient, skipped, sink);
    EXPECT_EQ(sink.count("sequence_error"), 1u);
    // SQ = 1: one IOA then two elements; ranges cover both objects.
    const Bytes sequence = {0x68, 0x0f, 0x0c, 0x00, 0x00, 0x00, 0x01, 0x82, 0x03,
                            0x00, 0x03, 0x00, 0x10, 0x00, 0x00, 0x01, 0x00};
    feed(d, Direction::ToClient, sequence, sink);
    ASSERT_EQ(sink.ops.size(), 3u);
    EXPECT_EQ(sink.ops[2].range, "ioa 16-17");
    EXPECT_EQ(sink.count("length_mismatch"), 1u);
    EXPECT_EQ(sink.count("sequence_error"), 1u);
    feed(d, Direction::ToServer,
         Bytes{0x68, 0x0a, 0x00, 0x00, 0x00, 0x00, 0xc8, 0x01, 0x06, 0x00, 0x01, 0x00}, sink);
    EXPECT_EQ(sink.ops.back().function, "type_200");
    EXPECT_EQ(sink.count("unknown_type_id"), 1u);
}

TEST(Iec104DissectorTest, BadUFrame) {
    Iec104Dissector d;
    Iec104Sink sink;
    feed(d, Direction::ToServer, Bytes{0x68, 0x04, 0x0f, 0x00, 0x00, 0x00}, sink);  // two bits
    EXPECT_TRUE(sink.ops.empty());
    EXPECT_EQ(sink.count("malformed_apdu"), 1u);
}

TEST(Iec104DissectorTest, ProbeAndRegistration) {
    EXPECT_EQ(probe(kStartDtAct), Probe::Match);
    EXPECT_EQ(probe(kSingleCommand), Probe::Match);
    EXPECT_EQ(probe(Bytes{0x68, 0x04}), Probe::NeedMore);
    EXPECT_EQ(probe(Bytes{0x16, 0x04, 0x07, 0x00, 0x00, 0x00}), Probe::NoMatch);
    EXPECT_EQ(probe(Bytes{0x68, 0x04, 0x0f, 0x00, 0x00, 0x00}), Probe::NoMatch);
    DissectorRegistry registry;
    registerDissector(registry);
    EXPECT_TRUE(registry.validate().ok());
    const DissectorInfo* info = registry.forPort(Transport::Tcp, 2404);
    ASSERT_NE(info, nullptr);
    EXPECT_EQ(info->name, "iec104");
}

}  // namespace
}  // namespace ironsight::sensor::dissect::iec104
