// SPDX-License-Identifier: Apache-2.0
// Modbus/TCP dissector tests on annotated wire bytes.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sensor-agent/dissect/core/registry.h"
#include "sensor-agent/dissect/core/testing.h"
#include "sensor-agent/dissect/core/text.h"
#include "sensor-agent/dissect/modbus/modbus_dissector.h"

namespace ironsight::sensor::dissect::modbus {
namespace {

using Bytes = std::vector<std::uint8_t>;

const FlowContext kFlow{"10.0.0.2", "10.0.0.1", 49152, 502, Transport::Tcp, 0};

const Bytes kReadHoldingRequest = {
    0x00, 0x01,  // transaction id 1
    0x00, 0x00,  // protocol id 0 (Modbus)
    0x00, 0x06,  // length: unit id + 5 PDU bytes
    0x11,        // unit id 17
    0x03,        // FC 3 read holding registers
    0x00, 0x6b,  // starting address 107
    0x00, 0x03,  // quantity 3
};
const Bytes kReadHoldingResponse = {
    0x00, 0x01, 0x00, 0x00, 0x00, 0x09, 0x11,  // MBAP: tid 1, length 9, unit 17
    0x03,                                      // FC 3
    0x06,                                      // byte count
    0x02, 0x2b, 0x00, 0x00, 0x00, 0x64,        // registers
};
const Bytes kWriteMultipleRequest = {
    0x00, 0x02, 0x00, 0x00, 0x00, 0x0b, 0x01,  // MBAP: tid 2, length 11, unit 1
    0x10,                                      // FC 16 write multiple registers
    0x00, 0x01,                                // starting address 1
    0x00, 0x02,                                // quantity 2
    0x04,                                      // byte count
    0x00, 0x0a, 0x01, 0x02,                    // values
};
const Bytes kExceptionResponse = {
    0x00, 0x03, 0x00, 0x00, 0x00, 0x03, 0x01,  // MBAP: tid 3, length 3, unit 1
    0x86,                                      // FC 6 | 0x80: exception
    0x02,                                      // exception code 2: illegal data address
};
const Bytes kDeviceIdResponse = {
    0x00, 0x04, 0x00, 0x00, 0x00, 0x1d, 0x01,  // MBAP: tid 4, length 29, unit 1
    0x2b, 0x0e,                                // FC 43, MEI type 14
    0x01, 0x01, 0x00, 0x00,                    // read code 1, conformity, more follows, next id
    0x03,                                      // 3 objects
    0x00, 0x07, 'S',  'c',  'h',  'n',  'e',  'i', 'd',  // vendor name
    0x01, 0x04, 'M',  '3',  '4',  '0',                   // product code
    0x02, 0x04, 'v',  '3',  '.',  '1',                   // revision
};

ParseResult feed(ModbusDissector& d, Direction dir, const Bytes& b, RecordingSink& sink) {
    return d.onData(kFlow, dir, b, sink);
}

TEST(ModbusDissectorTest, AnOperationKeepsNothingOfThePreviousOne) {
    // Operations are built in a reused object per thread and direction: a range, an exception or
    // a function of one PDU must not show up in the next.
    ModbusDissector d;
    RecordingSink sink{"modbus"};
    feed(d, Direction::ToServer, kWriteMultipleRequest, sink);  // holding_registers 1-2
    feed(d, Direction::ToServer, kReadHoldingRequest, sink);    // holding_registers 107-109
    feed(d, Direction::ToClient, kExceptionResponse, sink);
    feed(d, Direction::ToClient, kReadHoldingResponse, sink);
    Bytes readCoils = kReadHoldingRequest;  // FC 1, address 107, count 3: same length of range
    readCoils[7] = 0x01;
    feed(d, Direction::ToServer, readCoils, sink);
    Bytes diagnostics = {0x00, 0x05, 0x00, 0x00, 0x00, 0x06, 0x11, 0x08, 0x00, 0x00, 0x12, 0x34};
    feed(d, Direction::ToServer, diagnostics, sink);  // no range
    ASSERT_EQ(sink.ops.size(), 6u);
    EXPECT_EQ(sink.ops[0].range, "holding_registers 1-2");
    EXPECT_EQ(sink.ops[1].range, "holding_registers 107-109");
    EXPECT_EQ(sink.ops[1].function, "read_holding_registers");
    EXPECT_EQ(sink.ops[1].keys.at("unit_id"), 17);
    EXPECT_TRUE(sink.ops[2].exception);
    EXPECT_EQ(sink.ops[2].function, "write_single_register");
    EXPECT_FALSE(sink.ops[3].exception);
    EXPECT_EQ(sink.ops[3].function, "read_holding_registers");
    EXPECT_EQ(sink.ops[3].opClass, "read");
    EXPECT_TRUE(sink.ops[3].range.empty());
    EXPECT_EQ(sink.ops[3].keys.size(), 1u);
    EXPECT_EQ(sink.ops[4].range, "coils 107-109");
    EXPECT_EQ(sink.ops[4].function, "read_coils");
    EXPECT_EQ(sink.ops[5].function, "diagnostics");
    EXPECT_EQ(sink.ops[5].opClass, "diagnostic");
    EXPECT_TRUE(sink.ops[5].range.empty());
    EXPECT_TRUE(sink.anomalies.empty());
}

TEST(ModbusDissectorTest, UnknownFunctionsAreNamedByTheirCode) {
    ModbusDissector d;
    RecordingSink sink{"modbus"};
    for (const std::uint8_t fc : {0x00, 0x09, 0x29, 0x64, 0x7f}) {
        feed(d, Direction::ToServer, {0x00, 0x01, 0x00, 0x00, 0x00, 0x02, 0x01, fc}, sink);
        ASSERT_FALSE(sink.ops.empty());
        EXPECT_EQ(sink.ops.back().function, "function_" + std::to_string(fc));
        EXPECT_EQ(sink.ops.back().opClass, "other");
    }
}

TEST(ModbusDissectorTest, RequestAndResponse) {
    ModbusDissector d;
    RecordingSink sink;
    auto r = feed(d, Direction::ToServer, kReadHoldingRequest, sink);
    EXPECT_EQ(r.status, ParseResult::Status::Ok);
    EXPECT_EQ(r.consumed, kReadHoldingRequest.size());
    feed(d, Direction::ToClient, kReadHoldingResponse, sink);
    ASSERT_EQ(sink.ops.size(), 2u);
    EXPECT_EQ(sink.ops[0].function, "read_holding_registers");
    EXPECT_EQ(sink.ops[0].functionCode, 3);
    EXPECT_EQ(sink.ops[0].opClass, "read");
    EXPECT_EQ(sink.ops[0].keys.at("unit_id"), 17);
    EXPECT_EQ(sink.ops[0].range, "holding_registers 107-109");
    EXPECT_TRUE(sink.ops[0].request);
    EXPECT_FALSE(sink.ops[1].request);
}

TEST(ModbusDissectorTest, WriteIsWriteClass) {
    ModbusDissector d;
    RecordingSink sink;
    feed(d, Direction::ToServer, kWriteMultipleRequest, sink);
    ASSERT_EQ(sink.ops.size(), 1u);
    EXPECT_EQ(sink.ops[0].function, "write_multiple_registers");
    EXPECT_EQ(sink.ops[0].opClass, "write");
    EXPECT_EQ(sink.ops[0].range, "holding_registers 1-2");
}

TEST(ModbusDissectorTest, ExceptionBitRemovedAndFlagged) {
    ModbusDissector d;
    RecordingSink sink;
    feed(d, Direction::ToClient, kExceptionResponse, sink);
    ASSERT_EQ(sink.ops.size(), 1u);
    EXPECT_EQ(sink.ops[0].functionCode, 6);
    EXPECT_TRUE(sink.ops[0].exception);
}

TEST(ModbusDissectorTest, PduSplitAcrossTwoSegments) {
    ModbusDissector d;
    RecordingSink sink;
    const Bytes first(kWriteMultipleRequest.begin(), kWriteMultipleRequest.begin() + 9);
    auto r = feed(d, Direction::ToServer, first, sink);
    EXPECT_EQ(r.status, ParseResult::Status::Incomplete);
    EXPECT_EQ(r.consumed, 0u);
    EXPECT_EQ(r.needed, kWriteMultipleRequest.size());
    EXPECT_TRUE(sink.ops.empty());
    // The caller keeps the unconsumed bytes and offers them again with the next segment.
    r = feed(d, Direction::ToServer, kWriteMultipleRequest, sink);
    EXPECT_EQ(r.status, ParseResult::Status::Ok);
    ASSERT_EQ(sink.ops.size(), 1u);
    EXPECT_EQ(sink.ops[0].functionCode, 16);
}

TEST(ModbusDissectorTest, TwoPdusInOneSegmentPlusPartialThird) {
    ModbusDissector d;
    RecordingSink sink;
    Bytes segment = kReadHoldingRequest;
    segment.insert(segment.end(), kWriteMultipleRequest.begin(), kWriteMultipleRequest.end());
    segment.insert(segment.end(), kReadHoldingRequest.begin(), kReadHoldingRequest.begin() + 4);
    auto r = feed(d, Direction::ToServer, segment, sink);
    EXPECT_EQ(r.status, ParseResult::Status::Incomplete);
    EXPECT_EQ(r.consumed, kReadHoldingRequest.size() + kWriteMultipleRequest.size());
    ASSERT_EQ(sink.ops.size(), 2u);
    EXPECT_EQ(sink.ops[0].functionCode, 3);
    EXPECT_EQ(sink.ops[1].functionCode, 16);
}

TEST(ModbusDissectorTest, DeviceIdentification) {
    ModbusDissector d;
    RecordingSink sink;
    feed(d, Direction::ToClient, kDeviceIdResponse, sink);
    ASSERT_EQ(sink.ops.size(), 1u);
    EXPECT_EQ(sink.ops[0].function, "read_device_identification");
    EXPECT_EQ(sink.ops[0].functionCode, 43);
    ASSERT_EQ(sink.identities.size(), 1u);
    EXPECT_EQ(sink.identities[0].strings.at("vendor"), "Schneid");
    EXPECT_EQ(sink.identities[0].strings.at("product_code"), "M340");
    EXPECT_EQ(sink.identities[0].strings.at("revision"), "v3.1");
    EXPECT_EQ(sink.identities[0].firmware, "v3.1");
}

TEST(ModbusDissectorTest, BadMbapIsAnAnomalyNotACrash) {
    ModbusDissector d;
    RecordingSink sink;
    const Bytes junk = {0x00, 0x01, 0x12, 0x34, 0xff, 0xff, 0x01, 0x03};  // protocol id 0x1234
    auto r = feed(d, Direction::ToServer, junk, sink);
    EXPECT_EQ(r.status, ParseResult::Status::Error);
    ASSERT_EQ(sink.anomalies.size(), 1u);
    EXPECT_EQ(sink.anomalies[0], "malformed_pdu");
    EXPECT_TRUE(sink.ops.empty());
}

TEST(ModbusDissectorTest, UmasProgramTransferIsProgramClass) {
    ModbusDissector d;
    RecordingSink sink;
    const Bytes umas = {0x00, 0x05, 0x00, 0x00, 0x00, 0x04, 0x00,  // MBAP: length 4, unit 0
                        0x5a,                                      // FC 90 (UMAS)
                        0x01,                                      // session id
                        0x34, 0x00};                               // download block
    feed(d, Direction::ToServer, umas, sink);
    ASSERT_EQ(sink.ops.size(), 1u);
    EXPECT_EQ(sink.ops[0].functionCode, 90);
    EXPECT_EQ(sink.ops[0].function, "umas_download_block");
    EXPECT_EQ(sink.ops[0].opClass, "program");
}

TEST(ModbusDissectorTest, RegistersOnPort502) {
    DissectorRegistry registry;
    registerDissector(registry);
    EXPECT_TRUE(registry.validate().ok());
    const auto* info = registry.forPort(Transport::Tcp, 502);
    ASSERT_NE(info, nullptr);
    EXPECT_EQ(info->name, "modbus");
    EXPECT_EQ(registry.forPort(Transport::Udp, 502), nullptr);
}

}  // namespace
}  // namespace ironsight::sensor::dissect::modbus

namespace ironsight::sensor::dissect {
namespace {

TEST(SafeTextTest, KeepsUtf8AndReplacesInvalidBytesAndControls) {
    const std::vector<std::uint8_t> in = {'S',  0xc3, 0x9f, 0x95, 0x01, 'x',
                                          0xed, 0xa0, 0x80, ' ',  0};
    EXPECT_EQ(safeText(in), "S\xc3\x9f??x???");
}

}  // namespace
}  // namespace ironsight::sensor::dissect
