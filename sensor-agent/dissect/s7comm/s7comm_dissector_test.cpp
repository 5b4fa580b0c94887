// SPDX-License-Identifier: Apache-2.0
// S7comm / S7comm-plus dissector tests on annotated wire bytes.
#include "sensor-agent/dissect/s7comm/s7comm_dissector.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace ironsight::sensor::dissect::s7comm {
namespace {

using Bytes = std::vector<std::uint8_t>;

struct RecordingSink : EventSink {
    std::vector<Operation> ops;
    std::vector<Identity> identities;
    std::vector<std::string> anomalies;
    void onOperation(const FlowContext&, const Operation& op) override { ops.push_back(op); }
    void onIdentity(const FlowContext&, const Identity& id) override { identities.push_back(id); }
    void onAnomaly(const FlowContext&, std::string_view, std::string_view id) override {
        anomalies.emplace_back(id);
    }
};

const FlowContext kFlow{"10.0.0.2", "10.0.0.1", 49161, 102, Transport::Tcp, 0};

const Bytes kSetupCommunicationJob = {
    0x03, 0x00, 0x00, 0x19,  // TPKT: version 3, length 25
    0x02, 0xf0, 0x80,        // COTP: LI 2, DT, EOT + TPDU 0
    0x32, 0x01,              // S7comm, ROSCTR 1 Job
    0x00, 0x00, 0x04, 0x00,  // redundancy id, PDU reference 0x0400
    0x00, 0x08, 0x00, 0x00,  // parameter length 8, data length 0
    0xf0, 0x00,              // function 0xf0 setup communication, reserved
    0x00, 0x01, 0x00, 0x01,  // max AmQ calling 1, called 1
    0x01, 0xe0,              // PDU length 480
};
const Bytes kSetupCommunicationAck = {
    0x03, 0x00, 0x00, 0x1b,                          // TPKT length 27
    0x02, 0xf0, 0x80,                                // COTP DT, EOT
    0x32, 0x03,                                      // S7comm, ROSCTR 3 Ack_Data
    0x00, 0x00, 0x04, 0x00,                          // redundancy id, PDU reference
    0x00, 0x08, 0x00, 0x00,                          // parameter length 8, data length 0
    0x00, 0x00,                                      // error class 0, error code 0
    0xf0, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0xf0,  // setup communication, PDU length 240
};
// From s7comm-step7-s300-stop: PLC stop with PI service name "P_PROGRAM".
const Bytes kPlcStopJob = {
    0x03, 0x00, 0x00, 0x21,                                  // TPKT length 33
    0x02, 0xf0, 0x80,                                        // COTP DT, EOT
    0x32, 0x01, 0x00, 0x00, 0x00, 0x35,                      // Job, PDU reference 0x35
    0x00, 0x10, 0x00, 0x00,                                  // parameter length 16, data length 0
    0x29,                                                    // function 0x29 PLC stop
    0x00, 0x00, 0x00, 0x00, 0x00,                            // unknown
    0x09, 'P',  '_',  'P',  'R',  'O',  'G', 'R', 'A', 'M',  // PI service name
};
// PI service (0x28) start: 7 unknown bytes, empty parameter block, "P_PROGRAM".
const Bytes kPlcStartJob = {
    0x03, 0x00, 0x00, 0x25,                                   // TPKT length 37
    0x02, 0xf0, 0x80,                                         // COTP DT, EOT
    0x32, 0x01, 0x00, 0x00, 0x00, 0x36,                       // Job, PDU reference 0x36
    0x00, 0x14, 0x00, 0x00,                                   // parameter length 20, data length 0
    0x28,                                                     // function 0x28 PI service
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xfd,                 // unknown
    0x00, 0x00,                                               // parameter block length 0
    0x09, 'P',  '_',  'P',  'R',  'O',  'G',  'R', 'A', 'M',  // PI service name
};
// Ack_Data with error class 0x85 for a write var.
const Bytes kWriteVarError = {
    0x03, 0x00, 0x00, 0x14, 0x02, 0xf0, 0x80,  // TPKT length 20, COTP DT EOT
    0x32, 0x03, 0x00, 0x00, 0x00, 0x07,        // Ack_Data, PDU reference 7
    0x00, 0x01, 0x00, 0x00,                    // parameter length 1, data length 0
    0x85, 0x00,                                // error class 0x85, code 0
    0x05,                                      // function write var
};
// Userdata response: SZL 0x0011 (module identification), 2 records of 28 bytes.
const Bytes kSzlResponse = {
    0x03, 0x00, 0x00, 0x61,              // TPKT length 97
    0x02, 0xf0, 0x80,                    // COTP DT, EOT
    0x32, 0x07, 0x00, 0x00, 0x00, 0x01,  // Userdata
    0x00, 0x0c, 0x00, 0x44,              // parameter length 12, data length 68
    0x00, 0x01, 0x12,                    // parameter head
    0x08,                                // parameter length 8
    0x12,                                // method: response
    0x84,                                // type 8 (response), group 4 (CPU functions)
    0x01,                                // subfunction 1: read SZL
    0x01,                                // sequence number
    0x00, 0x00, 0x00, 0x00,              // data unit ref, last unit, error code
    0xff, 0x09, 0x00, 0x40,              // return code ok, octet string, length 64
    0x00, 0x11, 0x00, 0x00,              // SZL id 0x0011, index 0
    0x00, 0x1c, 0x00, 0x02,              // record length 28, 2 records
    0x00, 0x01,                          // index 1: module
    '6',  'E',  'S',  '7',  ' ',  '3',  '1', '5', '-', '2',
    'E',  'H',  '1',  '4',  '-',  '0',  'A', 'B', '0',
    ' ',                                 // MLFB (20 chars)
    0x00, 0xc0, 0x00, 0x01, 0x00, 0x00,  // BGTyp, Ausbg, Ausbe
    0x00, 0x07,                          // index 7: basic firmware
    ' ',  ' ',  ' ',  ' ',  ' ',  ' ',  ' ', ' ', ' ', ' ',
    ' ',  ' ',  ' ',  ' ',  ' ',  ' ',  ' ', ' ', ' ',
    ' ',                                 // MLFB blank
    0x00, 0xc0, 'V',  0x03, 0x02, 0x08,  // BGTyp, Ausbg 'V' 3, Ausbe 2.8 -> V3.2.8
};
// Userdata push, group 0 (mode transition): no subfunction.
const Bytes kModeTransition = {
    0x03, 0x00, 0x00, 0x19, 0x02, 0xf0, 0x80,  // TPKT length 25, COTP DT EOT
    0x32, 0x07, 0x00, 0x00, 0x00, 0x00,        // Userdata
    0x00, 0x08, 0x00, 0x00,                    // parameter length 8, data length 0
    0x00, 0x01, 0x00,                          // parameter head
    0x10, 0x10,                                // length/method as sent by a CPU push
    0x00,                                      // type 0 (push), group 0 (mode transition)
    0x00, 0x00,                                // mode, sequence
};
// S7comm-plus V1 CreateObject request (s7commplus-s7-1200-hmi), truncated to the header.
const Bytes kPlusCreateObject = {
    0x03, 0x00, 0x00, 0x15, 0x02, 0xf0, 0x80,  // TPKT length 21, COTP DT EOT
    0x72, 0x01, 0x00, 0x0a,                    // S7comm-plus, version 1, data length
    0x31,                                      // opcode request
    0x00, 0x00,                                // reserved
    0x04, 0xca,                                // function CreateObject
    0x00, 0x00, 0x00, 0x01, 0x00,              // sequence number, session...
};

ParseResult feed(S7commDissector& d, Direction dir, const Bytes& b, RecordingSink& sink) {
    return d.onData(kFlow, dir, b, sink);
}

TEST(S7commDissectorTest, JobAndAckData) {
    S7commDissector d;
    RecordingSink sink;
    auto r = feed(d, Direction::ToServer, kSetupCommunicationJob, sink);
    EXPECT_EQ(r.status, ParseResult::Status::Ok);
    EXPECT_EQ(r.consumed, kSetupCommunicationJob.size());
    feed(d, Direction::ToClient, kSetupCommunicationAck, sink);
    ASSERT_EQ(sink.ops.size(), 2u);
    EXPECT_EQ(sink.ops[0].protocol, "s7comm");
    EXPECT_EQ(sink.ops[0].function, "setup_communication");
    EXPECT_EQ(sink.ops[0].functionCode, 0xf0);
    EXPECT_EQ(sink.ops[0].keys.at("rosctr"), 1);
    EXPECT_TRUE(sink.ops[0].request);
    EXPECT_EQ(sink.ops[1].keys.at("rosctr"), 3);
    EXPECT_FALSE(sink.ops[1].request);
    EXPECT_TRUE(sink.anomalies.empty());
}

// Ack (ROSCTR 2) names no function: an operation with key rosctr 2 and no function code.
TEST(S7commDissectorTest, AckIsAnOperationWithoutFunctionCode) {
    const Bytes ack = {
        0x03, 0x00, 0x00, 0x13,  // TPKT length 19
        0x02, 0xf0, 0x80,        // COTP DT, EOT
        0x32, 0x02,              // S7comm, ROSCTR 2 Ack
        0x00, 0x00, 0x00, 0x05,  // redundancy id, PDU reference 5
        0x00, 0x00, 0x00, 0x00,  // parameter length 0, data length 0
        0x00, 0x00,              // error class 0, error code 0
    };
    Bytes failed = ack;
    failed[17] = 0x81;  // error class 0x81: application relationship error
    S7commDissector d;
    RecordingSink sink;
    EXPECT_EQ(feed(d, Direction::ToClient, ack, sink).consumed, ack.size());
    feed(d, Direction::ToClient, failed, sink);
    ASSERT_EQ(sink.ops.size(), 2u);
    EXPECT_EQ(sink.ops[0].protocol, "s7comm");
    EXPECT_EQ(sink.ops[0].function, "ack");
    EXPECT_EQ(sink.ops[0].functionCode, -1);
    EXPECT_EQ(sink.ops[0].opClass, "other");
    ASSERT_EQ(sink.ops[0].keys.size(), 1u);  // rosctr only
    EXPECT_EQ(sink.ops[0].keys.at("rosctr"), 2);
    EXPECT_FALSE(sink.ops[0].request);
    EXPECT_FALSE(sink.ops[0].exception);
    EXPECT_TRUE(sink.ops[1].exception);
    EXPECT_TRUE(sink.anomalies.empty());
}

TEST(S7commDissectorTest, PlcStopAndStartAreControl) {
    S7commDissector d;
    RecordingSink sink;
    feed(d, Direction::ToServer, kPlcStopJob, sink);
    feed(d, Direction::ToServer, kPlcStartJob, sink);
    ASSERT_EQ(sink.ops.size(), 2u);
    EXPECT_EQ(sink.ops[0].function, "plc_stop");
    EXPECT_EQ(sink.ops[0].functionCode, 0x29);
    EXPECT_EQ(sink.ops[0].opClass, "control");
    EXPECT_EQ(sink.ops[1].function, "plc_start");
    EXPECT_EQ(sink.ops[1].functionCode, 0x28);
    EXPECT_EQ(sink.ops[1].opClass, "control");
}

TEST(S7commDissectorTest, ErrorClassIsException) {
    S7commDissector d;
    RecordingSink sink;
    feed(d, Direction::ToClient, kWriteVarError, sink);
    ASSERT_EQ(sink.ops.size(), 1u);
    EXPECT_EQ(sink.ops[0].function, "write_var");
    EXPECT_EQ(sink.ops[0].opClass, "write");
    EXPECT_TRUE(sink.ops[0].exception);
}

TEST(S7commDissectorTest, SzlReadGivesOrderNumberAndFirmware) {
    S7commDissector d;
    RecordingSink sink;
    feed(d, Direction::ToClient, kSzlResponse, sink);
    ASSERT_EQ(sink.ops.size(), 1u);
    EXPECT_EQ(sink.ops[0].function, "read_szl");
    EXPECT_EQ(sink.ops[0].opClass, "diagnostic");
    EXPECT_EQ(sink.ops[0].keys.at("rosctr"), 7);
    EXPECT_EQ(sink.ops[0].keys.at("userdata_group"), 4);
    EXPECT_EQ(sink.ops[0].keys.at("userdata_subfunction"), 1);
    ASSERT_EQ(sink.identities.size(), 1u);
    const Identity& id = sink.identities[0];
    EXPECT_EQ(id.protocol, "s7comm");
    EXPECT_TRUE(id.ofServer);
    EXPECT_EQ(id.strings.at("order_number"), "6ES7 315-2EH14-0AB0");
    EXPECT_EQ(id.strings.at("firmware"), "V3.2.8");
    EXPECT_EQ(id.vendor, "Siemens");
}

TEST(S7commDissectorTest, ModeTransitionHasNoSubfunction) {
    S7commDissector d;
    RecordingSink sink;
    feed(d, Direction::ToClient, kModeTransition, sink);
    ASSERT_EQ(sink.ops.size(), 1u);
    EXPECT_EQ(sink.ops[0].keys.at("userdata_group"), 0);
    EXPECT_EQ(sink.ops[0].keys.count("userdata_subfunction"), 0u);
}

TEST(S7commDissectorTest, TpktSplitAcrossSegments) {
    S7commDissector d;
    RecordingSink sink;
    const Bytes first(kPlcStopJob.begin(), kPlcStopJob.begin() + 10);
    auto r = feed(d, Direction::ToServer, first, sink);
    EXPECT_EQ(r.status, ParseResult::Status::Incomplete);
    EXPECT_EQ(r.consumed, 0u);
    EXPECT_EQ(r.needed, kPlcStopJob.size());
    EXPECT_TRUE(sink.ops.empty());
    // The engine offers the kept bytes again together with the next segment.
    Bytes both = kPlcStopJob;
    both.insert(both.end(), kPlcStartJob.begin(), kPlcStartJob.begin() + 3);
    r = feed(d, Direction::ToServer, both, sink);
    EXPECT_EQ(r.status, ParseResult::Status::Incomplete);
    EXPECT_EQ(r.consumed, kPlcStopJob.size());
    ASSERT_EQ(sink.ops.size(), 1u);
    EXPECT_EQ(sink.ops[0].function, "plc_stop");
}

TEST(S7commDissectorTest, CotpUnitsWithoutEotAreReassembled) {
    S7commDissector d;
    RecordingSink sink;
    // The PLC-stop S7 PDU (26 bytes) split into two COTP DT units: 10 bytes without EOT, then 16.
    const Bytes pdu(kPlcStopJob.begin() + 7, kPlcStopJob.end());
    Bytes first = {0x03, 0x00, 0x00, 0x11, 0x02, 0xf0, 0x00};  // TPKT 17, DT, no EOT
    first.insert(first.end(), pdu.begin(), pdu.begin() + 10);
    Bytes second = {0x03, 0x00, 0x00, 0x17, 0x02, 0xf0, 0x81};  // TPKT 23, DT, EOT, TPDU 1
    second.insert(second.end(), pdu.begin() + 10, pdu.end());
    feed(d, Direction::ToServer, first, sink);
    EXPECT_TRUE(sink.ops.empty());
    feed(d, Direction::ToServer, second, sink);
    ASSERT_EQ(sink.ops.size(), 1u);
    EXPECT_EQ(sink.ops[0].function, "plc_stop");
}

TEST(S7commDissectorTest, ConnectionRequestIsNoOperation) {
    S7commDissector d;
    RecordingSink sink;
    const Bytes cr = {
        0x03, 0x00, 0x00, 0x16,                    // TPKT length 22
        0x11, 0xe0, 0x00, 0x00, 0x00, 0x01, 0x00,  // COTP CR: LI 17, dst ref, src ref, class 0
        0xc1, 0x02, 0x01, 0x00,                    // calling TSAP
        0xc2, 0x02, 0x01, 0x02,                    // called TSAP (rack 0, slot 2)
        0xc0, 0x01, 0x0a,                          // TPDU size 1024
    };
    auto r = feed(d, Direction::ToServer, cr, sink);
    EXPECT_EQ(r.status, ParseResult::Status::Ok);
    EXPECT_TRUE(sink.ops.empty());
    EXPECT_TRUE(sink.anomalies.empty());
}

TEST(S7commDissectorTest, S7commPlusIsDetected) {
    S7commDissector d;
    RecordingSink sink;
    feed(d, Direction::ToServer, kPlusCreateObject, sink);
    ASSERT_EQ(sink.ops.size(), 1u);
    EXPECT_EQ(sink.ops[0].protocol, "s7comm_plus");
    EXPECT_EQ(sink.ops[0].function, "create_object");
    EXPECT_EQ(sink.ops[0].functionCode, 0x04ca);
    EXPECT_EQ(sink.ops[0].keys.at("version"), 1);
}

TEST(S7commDissectorTest, PlusOperationsKeepNothingOfThePreviousOne) {
    // Operations are built in a reused object per thread and direction: a function code, an
    // opcode key or an exception of one PDU must not show up in the next.
    Bytes errorResponse = kPlusCreateObject;
    errorResponse[15] = 0xb1;  // function 0x04b1: an error (an exception)
    Bytes keepAlive = {0x03, 0x00, 0x00, 0x0b, 0x02, 0xf0, 0x80, 0x72, 0xfe, 0x00, 0x00};
    Bytes continuation = kPlusCreateObject;
    continuation[11] = 0x40;  // an opcode that is neither request, response nor notification
    S7commDissector d;
    RecordingSink sink;
    feed(d, Direction::ToServer, errorResponse, sink);
    feed(d, Direction::ToServer, keepAlive, sink);
    feed(d, Direction::ToServer, continuation, sink);  // no operation
    feed(d, Direction::ToServer, kPlusCreateObject, sink);
    ASSERT_EQ(sink.ops.size(), 3u);
    EXPECT_TRUE(sink.ops[0].exception);
    EXPECT_EQ(sink.ops[0].keys.at("opcode"), 0x31);
    EXPECT_EQ(sink.ops[1].function, "keep_alive");
    EXPECT_EQ(sink.ops[1].opClass, "other");
    EXPECT_EQ(sink.ops[1].functionCode, -1);
    EXPECT_FALSE(sink.ops[1].exception);
    EXPECT_EQ(sink.ops[1].keys.count("opcode"), 0u);
    EXPECT_EQ(sink.ops[1].keys.at("version"), 0xfe);
    EXPECT_EQ(sink.ops[2].function, "create_object");
    EXPECT_FALSE(sink.ops[2].exception);
    EXPECT_EQ(sink.ops[2].keys.at("version"), 1);
}

TEST(S7commDissectorTest, MalformedInputIsAnAnomaly) {
    S7commDissector d;
    RecordingSink sink;
    const Bytes badVersion = {0x04, 0x00, 0x00, 0x07, 0x02, 0xf0, 0x80};
    auto r = feed(d, Direction::ToServer, badVersion, sink);
    EXPECT_EQ(r.status, ParseResult::Status::Error);
    // Declared parameter length 0x20 but only 2 bytes follow.
    const Bytes shortPdu = {0x03, 0x00, 0x00, 0x13, 0x02, 0xf0, 0x80, 0x32, 0x01, 0x00,
                            0x00, 0x00, 0x01, 0x00, 0x20, 0x00, 0x00, 0x04, 0x01};
    r = feed(d, Direction::ToServer, shortPdu, sink);
    EXPECT_EQ(r.status, ParseResult::Status::Ok);
    const Bytes badRosctr = {0x03, 0x00, 0x00, 0x11, 0x02, 0xf0, 0x80, 0x32, 0x09,
                             0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00};
    feed(d, Direction::ToServer, badRosctr, sink);
    const Bytes badCotp = {0x03, 0x00, 0x00, 0x08, 0x09, 0xf0, 0x80, 0x32};
    feed(d, Direction::ToServer, badCotp, sink);
    EXPECT_TRUE(sink.ops.empty());
    EXPECT_EQ(sink.anomalies, (std::vector<std::string>{"malformed_tpkt", "length_mismatch",
                                                        "unknown_rosctr", "malformed_cotp"}));
}

TEST(S7commDissectorTest, ProbeRecognisesTpkt) {
    EXPECT_EQ(probe(kSetupCommunicationJob), Probe::Match);
    EXPECT_EQ(probe(Bytes{0x03, 0x00}), Probe::NeedMore);
    EXPECT_EQ(probe(Bytes{0x47, 0x45, 0x54, 0x20, 0x2f, 0x20, 0x48}), Probe::NoMatch);
}

}  // namespace
}  // namespace ironsight::sensor::dissect::s7comm
