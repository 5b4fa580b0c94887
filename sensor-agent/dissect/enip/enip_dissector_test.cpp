// SPDX-License-Identifier: Apache-2.0
// EtherNet/IP + CIP dissector tests on annotated wire bytes.
#include "sensor-agent/dissect/enip/enip_dissector.h"

#include <gtest/gtest.h>

#include "sensor-agent/dissect/core/testing.h"

#include <algorithm>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace ironsight::sensor::dissect::enip {
namespace {

using Bytes = std::vector<std::uint8_t>;

const FlowContext kTcp{"192.168.1.69", "192.168.1.30", 49271, 44818, Transport::Tcp, 0};
const FlowContext kUdp{"192.168.10.105", "192.168.10.120", 1136, 44818, Transport::Udp, 0};
const FlowContext kIo{"192.168.10.105", "192.168.10.120", 2222, 2222, Transport::Udp, 0};

// From enip-cip-stop-plc: SendUnitData carrying CIP Stop (0x07) to class 0x8e instance 1.
const Bytes kStopRequest = {
    0x70, 0x00, 0x1c, 0x00,                          // command SendUnitData, length 28
    0x01, 0x00, 0x2a, 0x00,                          // session handle
    0x00, 0x00, 0x00, 0x00,                          // status
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // sender context
    0x00, 0x00, 0x00, 0x00,                          // options
    0x00, 0x00, 0x00, 0x00,                          // interface handle
    0x00, 0x00,                                      // timeout
    0x02, 0x00,                                      // CPF: 2 items
    0xa1, 0x00, 0x04, 0x00, 0x22, 0x40, 0x95, 0xff,  // connected address, connection id
    0xb1, 0x00, 0x08, 0x00,                          // connected data, 8 bytes
    0x06, 0x01,                                      // sequence count 0x0106
    0x07, 0x02, 0x20, 0x8e, 0x24, 0x01,              // Stop, path 2 words: class 0x8e, inst 1
};
// Its response: service 0x87, status 0.
const Bytes kStopResponse = {
    0x70, 0x00, 0x1a, 0x00, 0x01, 0x00, 0x2a, 0x00, 0x00, 0x00, 0x00, 0x00,  // SendUnitData, 26
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // context, options
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00,  // interface, timeout, 2 items
    0xa1, 0x00, 0x04, 0x00, 0x22, 0x40, 0x95, 0xff,  // connected address
    0xb1, 0x00, 0x06, 0x00, 0x06, 0x01,              // connected data, sequence 0x0106
    0x87, 0x00, 0x00, 0x00,                          // Stop response, status 0, no extra
};
// From enip-openics-ipaddresschange-listidentity: a List Identity response over UDP.
const Bytes kListIdentityResponse = {
    0x63, 0x00, 0x33, 0x00,                          // command ListIdentity, length 51
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // session, status
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // sender context
    0x00, 0x00, 0x00, 0x00,                          // options
    0x01, 0x00,                                      // 1 item
    0x0c, 0x00, 0x2d, 0x00,                          // type 0x0c identity, length 45
    0x01, 0x00,                                      // encapsulation version 1
    0x00, 0x02, 0xaf, 0x12, 0xc0, 0xa8, 0x0a, 0x78,  // AF_INET, port 44818, 192.168.10.120
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // zero
    0x01, 0x00,                                      // vendor 1 (Rockwell)
    0x0c, 0x00,                                      // device type 12 (communications adapter)
    0x3a, 0x00,                                      // product code 58
    0x04, 0x07,                                      // revision 4.7
    0x30, 0x00,                                      // status
    0xc3, 0xae, 0x51, 0x00,                          // serial 0x0051aec3
    0x0b, '1',  '7',  '5',  '6',  '-',  'E',  'N',  'B', 'T', '/', 'A',  // product name
    0x03,                                                                // state
};
// SendRRData: Unconnected_Send to the Connection Manager wrapping Get_Attributes_All (class 1).
const Bytes kUnconnectedSend = {
    0x6f, 0x00, 0x24, 0x00, 0x00, 0x01, 0x02, 0x11, 0x00, 0x00, 0x00, 0x00,  // SendRRData, 36
    0x04, 0x81, 0x30, 0x00, 0x18, 0xa7, 0xe1, 0x00, 0x00, 0x00, 0x00, 0x00,  // context, options
    0x00, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x02, 0x00,  // interface, timeout 10, 2 items
    0x00, 0x00, 0x00, 0x00,                          // null address
    0xb2, 0x00, 0x14, 0x00,                          // unconnected data, 20 bytes
    0x52, 0x02, 0x20, 0x06, 0x24, 0x01,              // Unconnected_Send to class 6 instance 1
    0x06, 0x9a,                                      // priority/tick, timeout ticks
    0x06, 0x00,                                      // embedded message 6 bytes
    0x01, 0x02, 0x20, 0x01, 0x24, 0x01,              // Get_Attributes_All class 1 instance 1
    0x01, 0x00, 0x01, 0x00,                          // route path 1 word, port 1 slot 0
};

ParseResult feed(EnipDissector& d, const FlowContext& f, Direction dir, const Bytes& b,
                 RecordingSink& sink) {
    return d.onData(f, dir, b, sink);
}

TEST(EnipDissectorTest, StopIsControlAndResponseGetsItsClass) {
    EnipDissector d;
    RecordingSink sink;
    auto r = feed(d, kTcp, Direction::ToServer, kStopRequest, sink);
    EXPECT_EQ(r.status, ParseResult::Status::Ok);
    EXPECT_EQ(r.consumed, kStopRequest.size());
    feed(d, kTcp, Direction::ToClient, kStopResponse, sink);
    ASSERT_EQ(sink.ops.size(), 2u);
    EXPECT_EQ(sink.ops[0].protocol, "enip");
    EXPECT_EQ(sink.ops[0].function, "stop");
    EXPECT_EQ(sink.ops[0].opClass, "control");
    EXPECT_EQ(sink.ops[0].functionCode, 7);
    EXPECT_EQ(sink.ops[0].keys.at("command"), 0x70);
    EXPECT_EQ(sink.ops[0].keys.at("cip_service"), 7);
    EXPECT_EQ(sink.ops[0].keys.at("cip_class"), 0x8e);
    EXPECT_FALSE(sink.ops[1].request);
    EXPECT_EQ(sink.ops[1].keys.at("cip_service"), 7);
    EXPECT_EQ(sink.ops[1].keys.at("cip_class"), 0x8e);
    EXPECT_FALSE(sink.ops[1].exception);
    EXPECT_TRUE(sink.anomalies.empty());
}

/// kStopRequest / kStopResponse with another sequence count (their pairing key) and, for the
/// request, another class in its path.
Bytes withSequence(Bytes b, std::uint16_t sequence) {
    b[44] = static_cast<std::uint8_t>(sequence);
    b[45] = static_cast<std::uint8_t>(sequence >> 8);
    return b;
}
Bytes stopRequest(std::uint16_t sequence, std::uint8_t classId) {
    Bytes b = withSequence(kStopRequest, sequence);
    b[49] = classId;
    return b;
}

TEST(EnipDissectorTest, AnAnsweredRequestIsNotMatchedAgain) {
    EnipDissector d;
    RecordingSink sink{"enip"};
    feed(d, kTcp, Direction::ToServer, kStopRequest, sink);
    feed(d, kTcp, Direction::ToClient, kStopResponse, sink);
    feed(d, kTcp, Direction::ToClient, kStopResponse, sink);  // a duplicate: no request left
    ASSERT_EQ(sink.ops.size(), 3u);
    EXPECT_EQ(sink.ops[1].keys.at("cip_class"), 0x8e);
    EXPECT_EQ(sink.ops[2].keys.count("cip_class"), 0u);
    EXPECT_EQ(sink.ops[2].keys.at("cip_service"), 7);
    EXPECT_FALSE(sink.ops[2].request);
}

TEST(EnipDissectorTest, ResponsesGetTheClassOfTheirOwnRequestInAnyOrder) {
    // kMaxPending + 8 requests, each to its own class: the oldest 8 are forgotten; the others
    // are answered in a shuffled order, some twice, with new requests in between.
    EnipDissector d;
    RecordingSink sink{"enip"};
    const std::uint16_t total = kMaxPending + 8;
    for (std::uint16_t i = 0; i < total; ++i) {
        feed(d, kTcp, Direction::ToServer, stopRequest(i, static_cast<std::uint8_t>(0x10 + i)),
             sink);
    }
    std::vector<std::uint16_t> order;
    for (std::uint16_t i = 0; i < total; ++i) order.push_back(i);
    std::mt19937 random(44818);
    std::shuffle(order.begin(), order.end(), random);
    std::vector<bool> answered(total + 100, false);
    std::uint16_t next = total;
    for (const std::uint16_t i : order) {
        sink.ops.clear();
        feed(d, kTcp, Direction::ToClient, withSequence(kStopResponse, i), sink);
        ASSERT_EQ(sink.ops.size(), 1u);
        const bool remembered = i >= 8 && !answered[i];
        if (remembered) {
            EXPECT_EQ(sink.ops[0].keys.at("cip_class"), 0x10 + i) << i;
        } else {
            EXPECT_EQ(sink.ops[0].keys.count("cip_class"), 0u) << i;
        }
        answered[i] = true;
        // A new request (while one fewer is pending: nothing is pushed out), answered at once:
        // it must not disturb the rest.
        if (remembered && random() % 4 == 0) {
            feed(d, kTcp, Direction::ToServer, stopRequest(next, 0x05), sink);
            feed(d, kTcp, Direction::ToClient, withSequence(kStopResponse, next), sink);
            ASSERT_EQ(sink.ops.size(), 3u);
            EXPECT_EQ(sink.ops[2].keys.at("cip_class"), 0x05);
            ++next;
        }
    }
}

TEST(EnipDissectorTest, TheOldestPendingRequestsAreForgottenFirst) {
    // An answer from the middle of the pending requests must keep the others in their order:
    // the requests pushed out later are the oldest ones.
    EnipDissector d;
    RecordingSink sink{"enip"};
    for (std::uint16_t i = 0; i < kMaxPending; ++i) {
        feed(d, kTcp, Direction::ToServer, stopRequest(i, static_cast<std::uint8_t>(0x10 + i)),
             sink);
    }
    feed(d, kTcp, Direction::ToClient, withSequence(kStopResponse, 10), sink);
    for (std::uint16_t i = 100; i < 112; ++i) {  // 12 more: 11 of the oldest are pushed out
        feed(d, kTcp, Direction::ToServer, stopRequest(i, 0x05), sink);
    }
    for (std::uint16_t i = 0; i < kMaxPending; ++i) {
        if (i == 10) continue;
        sink.ops.clear();
        feed(d, kTcp, Direction::ToClient, withSequence(kStopResponse, i), sink);
        ASSERT_EQ(sink.ops.size(), 1u);
        if (i < 12) {
            EXPECT_EQ(sink.ops[0].keys.count("cip_class"), 0u) << i;
        } else {
            EXPECT_EQ(sink.ops[0].keys.at("cip_class"), 0x10 + i) << i;
        }
    }
}

TEST(EnipDissectorTest, ListIdentityResponseIsTheResponderIdentity) {
    EnipDissector d;
    RecordingSink sink;
    const Bytes request(kListIdentityResponse.begin(), kListIdentityResponse.begin() + 24);
    Bytes emptyRequest = request;
    emptyRequest[2] = 0;  // length 0
    feed(d, kUdp, Direction::ToServer, emptyRequest, sink);
    feed(d, kUdp, Direction::ToClient, kListIdentityResponse, sink);
    ASSERT_EQ(sink.ops.size(), 2u);
    EXPECT_EQ(sink.ops[0].function, "list_identity");
    EXPECT_EQ(sink.ops[0].keys.at("command"), 0x63);
    ASSERT_EQ(sink.identities.size(), 1u);
    const Identity& id = sink.identities[0];
    EXPECT_EQ(id.protocol, "enip");
    EXPECT_TRUE(id.ofServer);
    EXPECT_EQ(id.numbers.at("vendor_id"), 1);
    EXPECT_EQ(id.numbers.at("device_type"), 12);
    EXPECT_EQ(id.numbers.at("product_code"), 58);
    EXPECT_EQ(id.strings.at("revision"), "4.7");
    EXPECT_EQ(id.strings.at("serial_number"), "0x0051aec3");
    EXPECT_EQ(id.strings.at("product_name"), "1756-ENBT/A");
    EXPECT_EQ(id.vendor, "Rockwell Automation/Allen-Bradley");
}

TEST(EnipDissectorTest, VendorNamesComeFromTheOdvaRegistryTable) {
    // resources/vendors/cip_vendors.tsv is compiled in; ids it lacks keep only the number.
    const std::size_t vendorOffset = 24 + 2 + 4 + 2 + 16;
    for (const auto& [vendorId, name] : std::vector<std::pair<std::uint16_t, std::string>>{
             {283, "Hilscher GmbH"}, {50, "Real Time Automation (C&ID)"}, {0xfffe, ""}}) {
        Bytes response = kListIdentityResponse;
        response[vendorOffset] = static_cast<std::uint8_t>(vendorId & 0xff);
        response[vendorOffset + 1] = static_cast<std::uint8_t>(vendorId >> 8);
        EnipDissector d;
        RecordingSink sink;
        feed(d, kUdp, Direction::ToClient, response, sink);
        ASSERT_EQ(sink.identities.size(), 1u);
        EXPECT_EQ(sink.identities[0].numbers.at("vendor_id"), vendorId);
        EXPECT_EQ(sink.identities[0].vendor, name);
        EXPECT_EQ(sink.identities[0].strings.count("vendor"), name.empty() ? 0u : 1u);
    }
}

TEST(EnipDissectorTest, UnconnectedSendUnwrapsEmbeddedRequest) {
    EnipDissector d;
    RecordingSink sink;
    feed(d, kTcp, Direction::ToServer, kUnconnectedSend, sink);
    ASSERT_EQ(sink.ops.size(), 2u);
    EXPECT_EQ(sink.ops[0].function, "unconnected_send");
    EXPECT_EQ(sink.ops[0].keys.at("cip_class"), 6);
    EXPECT_EQ(sink.ops[1].function, "get_attributes_all");
    EXPECT_EQ(sink.ops[1].opClass, "read");
    EXPECT_EQ(sink.ops[1].keys.at("cip_service"), 1);
    EXPECT_EQ(sink.ops[1].keys.at("cip_class"), 1);
}

TEST(EnipDissectorTest, MessageSplitAcrossSegments) {
    EnipDissector d;
    RecordingSink sink;
    const Bytes first(kStopRequest.begin(), kStopRequest.begin() + 30);
    auto r = feed(d, kTcp, Direction::ToServer, first, sink);
    EXPECT_EQ(r.status, ParseResult::Status::Incomplete);
    EXPECT_EQ(r.consumed, 0u);
    EXPECT_EQ(r.needed, kStopRequest.size());
    EXPECT_TRUE(sink.ops.empty());
    Bytes both = kStopRequest;
    both.insert(both.end(), kStopRequest.begin(), kStopRequest.begin() + 5);
    r = feed(d, kTcp, Direction::ToServer, both, sink);
    EXPECT_EQ(r.status, ParseResult::Status::Incomplete);
    EXPECT_EQ(r.consumed, kStopRequest.size());
    ASSERT_EQ(sink.ops.size(), 1u);
    EXPECT_EQ(sink.ops[0].function, "stop");
}

TEST(EnipDissectorTest, FirmwareObjectIsFirmwareClass) {
    EXPECT_EQ(serviceInfo(0x4d, 0xa1).opClass, "firmware");
    EXPECT_EQ(serviceInfo(0x50, 0x37).opClass, "firmware");
    EXPECT_EQ(serviceInfo(0x05, 0x01).opClass, "control");
    EXPECT_EQ(serviceInfo(0x06, 0x8e).opClass, "control");
    EXPECT_EQ(serviceInfo(0x4d, kNoClass).name, "write_tag");
}

TEST(EnipDissectorTest, ServiceTablesAgreeWithTheDescriptionForEveryServiceAndClass) {
    // serviceInfo() answers from one table per kind of class; a class describeService() treats
    // apart but the tables do not would differ here.
    std::vector<int> classes = {kNoClass};
    for (int c = 0; c <= 0x3ff; ++c) classes.push_back(c);
    classes.push_back(0xffff);
    for (const int classId : classes) {
        for (int service = 0; service <= 0xff; ++service) {
            const auto code = static_cast<std::uint8_t>(service);
            const ServiceInfo expected = describeService(code, classId);
            const ServiceInfo& cached = serviceInfo(code, classId);
            ASSERT_EQ(cached.name, expected.name) << "service " << service << " class " << classId;
            ASSERT_EQ(cached.opClass, expected.opClass)
                << "service " << service << " class " << classId;
        }
    }
}

TEST(EnipDissectorTest, ImplicitIo) {
    EnipDissector d;
    RecordingSink sink;
    const Bytes io = {
        0x02, 0x00,                                      // 2 items
        0x02, 0x80, 0x08, 0x00,                          // sequenced address, 8 bytes
        0x01, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00,  // connection id 1, sequence 16
        0xb1, 0x00, 0x02, 0x00, 0x10, 0x00,              // connected data: sequence count
    };
    feed(d, kIo, Direction::ToClient, io, sink);
    ASSERT_EQ(sink.ops.size(), 1u);
    EXPECT_EQ(sink.ops[0].protocol, "cip");
    EXPECT_EQ(sink.ops[0].function, "implicit_io");
}

TEST(EnipDissectorTest, MalformedInputIsAnAnomaly) {
    EnipDissector d;
    RecordingSink sink;
    Bytes unknown(24, 0);
    unknown[0] = 0x99;  // no such command
    auto r = feed(d, kTcp, Direction::ToServer, unknown, sink);
    EXPECT_EQ(r.status, ParseResult::Status::Error);
    // CIP path size claims 9 words but the item holds 2 bytes.
    Bytes badPath = kStopRequest;
    badPath[47] = 0x09;
    feed(d, kTcp, Direction::ToServer, badPath, sink);
    // UDP datagram shorter than its declared length.
    const Bytes cut(kListIdentityResponse.begin(), kListIdentityResponse.begin() + 40);
    r = feed(d, kUdp, Direction::ToClient, cut, sink);
    EXPECT_EQ(r.status, ParseResult::Status::Error);
    EXPECT_TRUE(sink.identities.empty());
    EXPECT_EQ(sink.anomalies,
              (std::vector<std::string>{"unknown_command", "malformed_cip", "length_mismatch"}));
}

TEST(EnipDissectorTest, ProbeRecognisesEncapsulation) {
    EXPECT_EQ(probe(kStopRequest), Probe::Match);
    EXPECT_EQ(probe(Bytes{0x70, 0x00}), Probe::NeedMore);
    EXPECT_EQ(probe(Bytes(24, 0x41)), Probe::NoMatch);
}

}  // namespace
}  // namespace ironsight::sensor::dissect::enip
