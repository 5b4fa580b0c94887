// SPDX-License-Identifier: Apache-2.0
// Profinet DCP dissector tests on annotated wire bytes (frames from profinet-dcp-change-ip.pcap:
// an engineering station renames nothing but re-addresses a SCALANCE X208, then identifies it).
#include <gtest/gtest.h>

#include <vector>

#include "sensor-agent/dissect/core/registry.h"
#include "sensor-agent/dissect/core/testing.h"
#include "sensor-agent/dissect/profinet_dcp/profinet_dcp_dissector.h"

namespace ironsight::sensor::dissect::profinet_dcp {
namespace {

using Bytes = std::vector<std::uint8_t>;

constexpr const char* kStation = "00:0c:29:ba:09:ea";  // engineering station (client)
constexpr const char* kDevice = "08:00:06:93:cf:32";   // Siemens SCALANCE X208

FrameContext frameFrom(const char* src, const char* dst) {
    FrameContext f;
    f.srcMac = src;
    f.dstMac = dst;
    f.etherType = kEtherType;
    return f;
}

// Identify request, unicast, "all" selector (frame 1; payload after EtherType 0x8892).
const Bytes kIdentifyRequest = {
    0xfe, 0xfe,              // FrameID: identify request
    0x05, 0x00,              // ServiceID 5 identify, ServiceType 0 request
    0x01, 0x00, 0x00, 0x01,  // Xid
    0x00, 0x01,              // ResponseDelay
    0x00, 0x04,              // DCPDataLength 4
    0xff, 0xff, 0x00, 0x00,  // block: option 0xff all selector, length 0
    0x00, 0x00, 0x00, 0x00,  // Ethernet padding (not DCP data)
};

// Identify response (frame 2).
const Bytes kIdentifyResponse = {
    0xfe, 0xff,              // FrameID: identify response
    0x05, 0x01,              // Identify, response success
    0x00, 0x00, 0x01, 0x00,  // Xid
    0x00, 0x00,              // reserved
    0x00, 0x5e,              // DCPDataLength 94
    0x02, 0x05, 0x00, 0x1c,  // device options (2/5), length 28: BlockInfo + supported options
    0x00, 0x00, 0x01, 0x01, 0x01, 0x02, 0x02, 0x01, 0x02, 0x02, 0x02, 0x03,
    0x02, 0x04, 0x02, 0x05, 0x03, 0x3d, 0x05, 0x01, 0x05, 0x02, 0x05, 0x03,
    0x05, 0x04, 0xff, 0xff, 0x02, 0x01, 0x00, 0x05,  // type of station (2/1), length 5
    0x00, 0x00, 'I',  'N',  'C',  0x00,              // BlockInfo, "INC", padding
    0x02, 0x02, 0x00, 0x0b,                          // name of station (2/2), length 11
    0x00, 0x00, 'X',  '2',  '0',  '8',  '-',  'B',  'O',  'R',  'D',  0x00,  // BlockInfo, name, pad
    0x02, 0x03, 0x00, 0x06,              // device id (2/3), length 6
    0x00, 0x00, 0x00, 0x2a, 0x0a, 0x01,  // BlockInfo, vendor 42, device 0x0a01
    0x02, 0x04, 0x00, 0x04,              // device role (2/4), length 4
    0x00, 0x00, 0x01, 0x00,              // BlockInfo, role 1 (IO device), reserved
    0x01, 0x02, 0x00, 0x0e,              // IP parameter (1/2), length 14
    0x00, 0x01,                          // BlockInfo: IP set
    0xc0, 0xa8, 0x00, 0x06,              // 192.168.0.6
    0xff, 0xff, 0xff, 0x00,              // 255.255.255.0
    0xc0, 0xa8, 0x00, 0x01,              // 192.168.0.1
};

// Set request: IP parameter (frame 3).
const Bytes kSetIpRequest = {
    0xfe, 0xfd,              // FrameID: get/set
    0x04, 0x00,              // ServiceID 4 set, request
    0x00, 0x00, 0x01, 0x00,  // Xid
    0x00, 0x00,              // reserved
    0x00, 0x12,              // DCPDataLength 18
    0x01, 0x02, 0x00, 0x0e,  // IP parameter, length 14
    0x00, 0x01,              // BlockQualifier: save permanently
    0xc0, 0xa8, 0x00, 0x0a, 0xff, 0xff, 0xff, 0x00, 0xc0, 0xa8, 0x00, 0x01,
};

// Set response (frame 4): control/response block, no error.
const Bytes kSetResponse = {
    0xfe, 0xfd, 0x04, 0x01,                          // get/set, Set, response success
    0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x08,  // DCPDataLength 8
    0x05, 0x04, 0x00, 0x03,                          // control (5), response (4), length 3
    0x01, 0x02, 0x00, 0x00,                          // for option 1/2, error 0, padding
};

// Set request: reset to factory (control 5/6), built field by field.
const Bytes kFactoryReset = {
    0xfe, 0xfd, 0x04, 0x00, 0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00, 0x06,  // DCPDataLength 6
    0x05, 0x06, 0x00, 0x02,  // control, reset to factory, length 2
    0x00, 0x02,              // BlockQualifier: reset communication parameters
};

// Identify request with a NameOfStation filter (profinet-dcp-identify-requests.pcap shape).
const Bytes kIdentifyByName = {
    0xfe, 0xfe, 0x05, 0x00, 0x00, 0x00, 0x00, 0x09, 0x00, 0x80, 0x00, 0x0c,  // DCPDataLength 12
    0x02, 0x02, 0x00, 0x07,                          // name of station, length 7 (no BlockInfo)
    's',  'w',  'i',  't',  'c',  'h',  '3',  0x00,  // filter "switch3", padding
};

TEST(ProfinetDcpDissectorTest, IdentifyRequestIsDiagnosticFromTheStation) {
    RecordingSink sink("profinet_dcp");
    ProfinetDcpDissector d;
    d.onFrame(frameFrom(kStation, kDevice), kIdentifyRequest, sink);
    ASSERT_EQ(sink.ops.size(), 1u);
    EXPECT_EQ(sink.ops[0].function, "identify");
    EXPECT_EQ(sink.ops[0].functionCode, 5);
    EXPECT_EQ(sink.ops[0].opClass, "diagnostic");
    EXPECT_TRUE(sink.ops[0].request);
    EXPECT_TRUE(sink.identities.empty());
    EXPECT_TRUE(sink.anomalies.empty());
}

TEST(ProfinetDcpDissectorTest, IdentifyResponseGivesTheDeviceIdentity) {
    RecordingSink sink("profinet_dcp");
    ProfinetDcpDissector d;
    d.onFrame(frameFrom(kDevice, kStation), kIdentifyResponse, sink);
    ASSERT_EQ(sink.ops.size(), 1u);
    EXPECT_FALSE(sink.ops[0].request);
    ASSERT_EQ(sink.identities.size(), 1u);
    const Identity& id = sink.identities[0];
    EXPECT_EQ(id.mac, kDevice);
    EXPECT_EQ(id.strings.at("station_name"), "X208-BORD");
    EXPECT_EQ(id.strings.at("type_of_station"), "INC");
    EXPECT_EQ(id.strings.at("ip"), "192.168.0.6");
    EXPECT_EQ(id.strings.at("netmask"), "255.255.255.0");
    EXPECT_EQ(id.strings.at("gateway"), "192.168.0.1");
    EXPECT_EQ(id.numbers.at("vendor_id"), 42);
    EXPECT_EQ(id.numbers.at("device_id"), 0x0a01);
    EXPECT_EQ(id.numbers.at("role"), 1);
    EXPECT_EQ(id.hostname, "X208-BORD");
    EXPECT_TRUE(sink.anomalies.empty());
}

TEST(ProfinetDcpDissectorTest, SetIpIsAWriteAndNotTheSendersIdentity) {
    RecordingSink sink("profinet_dcp");
    ProfinetDcpDissector d;
    d.onFrame(frameFrom(kStation, kDevice), kSetIpRequest, sink);
    d.onFrame(frameFrom(kDevice, kStation), kSetResponse, sink);
    ASSERT_EQ(sink.ops.size(), 2u);
    EXPECT_EQ(sink.ops[0].function, "set");
    EXPECT_EQ(sink.ops[0].functionCode, 4);
    EXPECT_EQ(sink.ops[0].opClass, "write");
    EXPECT_TRUE(sink.ops[0].request);
    EXPECT_FALSE(sink.ops[1].request);
    EXPECT_TRUE(sink.identities.empty());
    EXPECT_TRUE(sink.anomalies.empty());
}

TEST(ProfinetDcpDissectorTest, FactoryResetIsControl) {
    RecordingSink sink("profinet_dcp");
    ProfinetDcpDissector d;
    d.onFrame(frameFrom(kStation, kDevice), kFactoryReset, sink);
    ASSERT_EQ(sink.ops.size(), 1u);
    EXPECT_EQ(sink.ops[0].opClass, "control");
}

TEST(ProfinetDcpDissectorTest, IdentifyFilterNameIsNotAnIdentity) {
    RecordingSink sink("profinet_dcp");
    ProfinetDcpDissector d;
    d.onFrame(frameFrom("00:1b:1b:02:9a:c3", "01:0e:cf:00:00:00"), kIdentifyByName, sink);
    ASSERT_EQ(sink.ops.size(), 1u);
    EXPECT_TRUE(sink.identities.empty());
    EXPECT_TRUE(sink.anomalies.empty());
}

TEST(ProfinetDcpDissectorTest, CyclicRealTimeFramesAreIgnored) {
    RecordingSink sink("profinet_dcp");
    ProfinetDcpDissector d;
    const Bytes cyclic = {0x80, 0x01, 0x00, 0x00, 0x00, 0x00, 0x35, 0x00};  // FrameID 0x8001
    d.onFrame(frameFrom(kDevice, kStation), cyclic, sink);
    EXPECT_TRUE(sink.ops.empty());
    EXPECT_TRUE(sink.anomalies.empty());
}

TEST(ProfinetDcpDissectorTest, MalformedInputIsAnAnomaly) {
    RecordingSink sink("profinet_dcp");
    ProfinetDcpDissector d;
    // DCPDataLength larger than the frame.
    Bytes longer = kIdentifyResponse;
    longer[11] = 0xff;
    d.onFrame(frameFrom(kDevice, kStation), longer, sink);
    EXPECT_EQ(sink.count("malformed_pdu"), 1u);
    EXPECT_TRUE(sink.identities.empty());
    // A block that runs past DCPDataLength.
    Bytes overrun = kIdentifyResponse;
    overrun[11] = 0x5c;  // two bytes short: the IP block is cut
    d.onFrame(frameFrom(kDevice, kStation), overrun, sink);
    EXPECT_EQ(sink.count("malformed_pdu"), 2u);
    EXPECT_TRUE(sink.identities.empty());
    // Unknown service id.
    Bytes unknown = kIdentifyRequest;
    unknown[2] = 0x09;
    d.onFrame(frameFrom(kStation, kDevice), unknown, sink);
    EXPECT_EQ(sink.count("unknown_service"), 1u);
    // Every truncation of a valid frame is handled without a crash.
    for (std::size_t n = 0; n < kIdentifyResponse.size(); ++n) {
        d.onFrame(frameFrom(kDevice, kStation),
                  std::span<const std::uint8_t>(kIdentifyResponse.data(), n), sink);
    }
    EXPECT_TRUE(sink.identities.empty());
}

TEST(ProfinetDcpDissectorTest, RegistersForItsEtherType) {
    DissectorRegistry registry;
    registerDissector(registry);
    ASSERT_TRUE(registry.validate().ok());
    std::span<const std::uint8_t> inner;
    const auto* info = registry.forFrame(kEtherType, kIdentifyRequest, inner);
    ASSERT_NE(info, nullptr);
    EXPECT_EQ(info->name, "profinet_dcp");
    EXPECT_EQ(inner.size(), kIdentifyRequest.size());
    EXPECT_EQ(registry.forFrame(0x88cc, kIdentifyRequest, inner), nullptr);
}

}  // namespace
}  // namespace ironsight::sensor::dissect::profinet_dcp
