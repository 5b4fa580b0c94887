// SPDX-License-Identifier: Apache-2.0
// BACnet/IP dissector tests on annotated wire bytes (BVLC | NPDU | APDU, as on UDP 47808).
#include "sensor-agent/dissect/bacnet/bacnet_dissector.h"
#include "sensor-agent/dissect/bacnet/bacnet_services.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sensor-agent/dissect/core/testing.h"

namespace ironsight::sensor::dissect::bacnet {
namespace {

using Bytes = std::vector<std::uint8_t>;

const FlowContext kFlow{"10.10.10.10", "192.168.3.100", kPort, kPort, Transport::Udp, 0};

const Bytes kWhoIs = {
    0x81, 0x0b, 0x00, 0x08,  // BVLC: BACnet/IP, Original-Broadcast-NPDU, length 8
    0x01, 0x00,              // NPDU: version 1, control 0 (APDU, normal priority)
    0x10, 0x08,              // APDU: unconfirmed request, service 8 who-is
};
const Bytes kIAm = {
    0x81, 0x0b, 0x00, 0x15,        // BVLC: Original-Broadcast-NPDU, length 21
    0x01, 0x00,                    // NPDU
    0x10, 0x00,                    // unconfirmed request, service 0 i-am
    0xc4, 0x02, 0x00, 0x00, 0x65,  // app tag 12 (object id), len 4: device (8), instance 101
    0x22, 0x05, 0xc4,              // app tag 2 (unsigned), len 2: max APDU 1476
    0x91, 0x03,                    // app tag 9 (enumerated), len 1: no segmentation
    0x22, 0x05, 0x39,              // app tag 2 (unsigned), len 2: vendor id 1337
};
const Bytes kReadProperty = {
    0x81, 0x0a, 0x00, 0x11,        // BVLC: Original-Unicast-NPDU, length 17
    0x01, 0x04,                    // NPDU: version 1, expecting reply
    0x00, 0x05, 0x01, 0x0c,        // confirmed request, max APDU 1476, invoke 1, readProperty
    0x0c, 0x00, 0x00, 0x00, 0x01,  // context 0 len 4: object analog-input (0), instance 1
    0x19, 0x55,                    // context 1 len 1: property 85 present-value
};
const Bytes kReadPropertyAck = {
    0x81, 0x0a, 0x00, 0x17,        // BVLC: Original-Unicast-NPDU, length 23
    0x01, 0x00,                    // NPDU
    0x30, 0x01, 0x0c,              // complex ACK, invoke 1, readProperty
    0x0c, 0x00, 0x00, 0x00, 0x01,  // object analog-input 1
    0x19, 0x55,                    // property 85
    0x3e,                          // opening tag 3 (property value)
    0x44, 0x42, 0x28, 0x00, 0x00,  // app tag 4 (real), len 4: 42.0
    0x3f,                          // closing tag 3
};
const Bytes kWriteProperty = {
    0x81, 0x0a, 0x00, 0x18,                    // BVLC: Original-Unicast-NPDU, length 24
    0x01, 0x04,                                // NPDU: expecting reply
    0x00, 0x05, 0x02, 0x0f,                    // confirmed request, invoke 2, writeProperty (15)
    0x0c, 0x00, 0x80, 0x00, 0x01,              // object analog-value (2), instance 1
    0x19, 0x55,                                // property 85
    0x3e, 0x44, 0x42, 0xc8, 0x00, 0x00, 0x3f,  // value 100.0
};
const Bytes kWritePropertyAck = {
    0x81, 0x0a, 0x00, 0x09,  // BVLC: length 9
    0x01, 0x00,              // NPDU
    0x20, 0x02, 0x0f,        // simple ACK, invoke 2, writeProperty
};
const Bytes kReinitialize = {
    0x81, 0x0a, 0x00, 0x0c,  // BVLC: length 12
    0x01, 0x04,              // NPDU
    0x00, 0x05, 0x03, 0x14,  // confirmed request, invoke 3, reinitializeDevice (20)
    0x09, 0x00,              // context 0 len 1: coldstart
};
const Bytes kDcc = {
    0x81, 0x0a, 0x00, 0x0c,  // BVLC: length 12
    0x01, 0x04,              // NPDU
    0x00, 0x05, 0x04, 0x11,  // confirmed request, invoke 4, deviceCommunicationControl (17)
    0x19, 0x01,              // context 1 len 1: disable
};
const Bytes kError = {
    0x81, 0x0a, 0x00, 0x0d,  // BVLC: length 13
    0x01, 0x00,              // NPDU
    0x50, 0x03, 0x14,        // error PDU, invoke 3, service reinitializeDevice
    0x91, 0x05,              // error class security (5)
    0x91, 0x1a,              // error code password-failure (26)
};
const Bytes kReject = {
    0x81, 0x0a, 0x00, 0x09,  // BVLC: length 9
    0x01, 0x00,              // NPDU
    0x60, 0x04, 0x09,        // reject PDU, invoke 4, reason 9 unrecognized-service
};
const Bytes kAbort = {
    0x81, 0x0a, 0x00, 0x09,  // BVLC: length 9
    0x01, 0x00,              // NPDU
    0x71, 0x05, 0x04,        // abort PDU from server, invoke 5, reason 4 segmentation-not-supported
};
const Bytes kSegmentAck = {
    0x81, 0x0a, 0x00, 0x0a,  // BVLC: length 10
    0x01, 0x00,              // NPDU
    0x40, 0x06, 0x01, 0x02,  // segment ACK, invoke 6, sequence 1, window 2
};

/// I-Am of a device behind a router: NPDU with SNET 3 / SADR, forwarded by the router's IP.
Bytes routedIAm(std::uint8_t instance) {
    return {
        0x81, 0x0b, 0x00, 0x18,                // BVLC: Original-Broadcast-NPDU, length 24
        0x01, 0x08,                            // NPDU: version 1, SNET present
        0x00, 0x03, 0x01, instance,            // SNET 3, SLEN 1, SADR
        0x10, 0x00,                            // unconfirmed request, i-am
        0xc4, 0x02, 0x00, 0x00,     instance,  // device, instance
        0x22, 0x01, 0xe0,                      // max APDU 480
        0x91, 0x00,                            // segmented both
        0x21, 0x2a,                            // vendor id 42
    };
}

TEST(BacnetDissectorTest, WhoIsAndIAm) {
    BacnetDissector d;
    RecordingSink sink("bacnet");
    auto r = d.onData(kFlow, Direction::ToServer, kWhoIs, sink);
    EXPECT_EQ(r.status, ParseResult::Status::Ok);
    EXPECT_EQ(r.consumed, kWhoIs.size());
    r = d.onData(kFlow, Direction::ToClient, kIAm, sink);
    EXPECT_EQ(r.status, ParseResult::Status::Ok);
    ASSERT_EQ(sink.ops.size(), 2u);
    EXPECT_EQ(sink.ops[0].function, "who_is");
    EXPECT_EQ(sink.ops[0].opClass, "diagnostic");
    EXPECT_EQ(sink.ops[0].keys.at("apdu_type"), 1);
    EXPECT_EQ(sink.ops[0].keys.at("service"), 8);
    EXPECT_EQ(sink.ops[1].function, "i_am");
    EXPECT_EQ(sink.ops[1].keys.at("service"), 0);
    ASSERT_EQ(sink.identities.size(), 1u);
    const Identity& id = sink.identities[0];
    EXPECT_EQ(id.protocol, "bacnet");
    EXPECT_TRUE(id.ofServer);  // sent by the flow's server side
    EXPECT_EQ(id.numbers.at("device_instance"), 101);
    EXPECT_EQ(id.numbers.at("vendor_id"), 1337);
    // Name from the ASHRAE registry (resources/vendors/bacnet_vendors.tsv, compiled in).
    EXPECT_EQ(id.strings.at("vendor"), "Xxter bv");
    EXPECT_EQ(id.vendor, "Xxter bv");
    EXPECT_TRUE(id.numberSets.empty());
    EXPECT_TRUE(sink.anomalies.empty());
}

TEST(BacnetDissectorTest, IAmFromTheClientSideBelongsToTheClient) {
    BacnetDissector d;
    RecordingSink sink("bacnet");
    d.onData(kFlow, Direction::ToServer, kIAm, sink);
    ASSERT_EQ(sink.identities.size(), 1u);
    EXPECT_FALSE(sink.identities[0].ofServer);
}

TEST(BacnetDissectorTest, RouterAnsweringForSeveralInstancesListsThemAll) {
    BacnetDissector d;
    RecordingSink sink("bacnet");
    d.onData(kFlow, Direction::ToClient, routedIAm(2), sink);
    d.onData(kFlow, Direction::ToClient, routedIAm(3), sink);
    ASSERT_EQ(sink.identities.size(), 2u);
    EXPECT_EQ(sink.identities[1].numbers.at("device_instance"), 3);
    EXPECT_EQ(sink.identities[1].numbers.at("vendor_id"), 42);
    EXPECT_EQ(sink.identities[1].numberSets.at("device_instances"), (std::set<std::int64_t>{2, 3}));
    // The registry name is reported, but the router itself is not given its devices' vendor.
    EXPECT_EQ(sink.identities[1].strings.at("vendor"), "Acuity Brands Lighting, Inc.");
    EXPECT_EQ(sink.identities[0].vendor, "Acuity Brands Lighting, Inc.");
    EXPECT_TRUE(sink.identities[1].vendor.empty());
    EXPECT_TRUE(sink.anomalies.empty());
}

TEST(BacnetDissectorTest, ReadAndWritePropertyWithAcks) {
    BacnetDissector d;
    RecordingSink sink("bacnet");
    d.onData(kFlow, Direction::ToServer, kReadProperty, sink);
    d.onData(kFlow, Direction::ToClient, kReadPropertyAck, sink);
    d.onData(kFlow, Direction::ToServer, kWriteProperty, sink);
    d.onData(kFlow, Direction::ToClient, kWritePropertyAck, sink);
    ASSERT_EQ(sink.ops.size(), 4u);
    EXPECT_EQ(sink.ops[0].function, "read_property");
    EXPECT_EQ(sink.ops[0].functionCode, 12);
    EXPECT_EQ(sink.ops[0].opClass, "read");
    EXPECT_TRUE(sink.ops[0].request);
    EXPECT_EQ(sink.ops[0].keys.at("apdu_type"), 0);
    EXPECT_EQ(sink.ops[0].range, "object 0:1 property 85");
    EXPECT_FALSE(sink.ops[1].request);
    EXPECT_EQ(sink.ops[1].keys.at("apdu_type"), 3);
    EXPECT_EQ(sink.ops[1].keys.at("service"), 12);
    EXPECT_EQ(sink.ops[2].function, "write_property");
    EXPECT_EQ(sink.ops[2].opClass, "write");
    EXPECT_EQ(sink.ops[2].range, "object 2:1 property 85");
    EXPECT_EQ(sink.ops[3].keys.at("apdu_type"), 2);
    EXPECT_EQ(sink.ops[3].keys.at("service"), 15);
    EXPECT_TRUE(sink.anomalies.empty());
}

TEST(BacnetDissectorTest, AnOperationKeepsNothingOfThePreviousOne) {
    // Operations are built in a reused object per thread and direction: the range, keys and
    // exception of one PDU must not show up in the next.
    BacnetDissector d;
    RecordingSink sink("bacnet");
    d.onData(kFlow, Direction::ToServer, kReadProperty, sink);  // a range
    d.onData(kFlow, Direction::ToServer, kWhoIs, sink);         // none
    d.onData(kFlow, Direction::ToClient, kReject, sink);        // exception, reason
    d.onData(kFlow, Direction::ToClient, kReadPropertyAck, sink);
    ASSERT_EQ(sink.ops.size(), 4u);
    EXPECT_EQ(sink.ops[0].range, "object 0:1 property 85");
    EXPECT_EQ(sink.ops[1].function, "who_is");
    EXPECT_TRUE(sink.ops[1].range.empty());
    EXPECT_EQ(sink.ops[1].functionCode, 8);
    EXPECT_EQ(sink.ops[2].keys.count("reason"), 1u);
    EXPECT_EQ(sink.ops[2].functionCode, -1);
    EXPECT_FALSE(sink.ops[3].exception);
    EXPECT_EQ(sink.ops[3].keys.count("reason"), 0u);
    EXPECT_EQ(sink.ops[3].keys.at("service"), 12);
    EXPECT_EQ(sink.ops[3].function, "read_property");
}

TEST(BacnetDissectorTest, UnknownCodesAreNamedByTheirNumber) {
    for (unsigned code = 0; code < 256; ++code) {
        const auto c = static_cast<std::uint8_t>(code);
        if (code >= 34) {
            EXPECT_EQ(confirmedService(c).name, "confirmed_service_" + std::to_string(code));
        }
        if (code >= 15) {
            EXPECT_EQ(unconfirmedService(c).name, "unconfirmed_service_" + std::to_string(code));
        }
        EXPECT_EQ(bvlc6Function(c).name, "bvlc6_function_" + std::to_string(code));
    }
    EXPECT_EQ(networkMessage(0x7f).name, "network_message_127");
    EXPECT_EQ(bvlcFunction(0x0d).name, "bvlc_function_13");
    EXPECT_EQ(bvlcFunction(0x0d).opClass, "other");
}

TEST(BacnetDissectorTest, ControlServicesAndErrors) {
    BacnetDissector d;
    RecordingSink sink("bacnet");
    for (const Bytes* b : {&kReinitialize, &kDcc}) d.onData(kFlow, Direction::ToServer, *b, sink);
    for (const Bytes* b : {&kError, &kReject, &kAbort, &kSegmentAck}) {
        EXPECT_EQ(d.onData(kFlow, Direction::ToClient, *b, sink).status, ParseResult::Status::Ok);
    }
    ASSERT_EQ(sink.ops.size(), 6u);
    EXPECT_EQ(sink.ops[0].function, "reinitialize_device");
    EXPECT_EQ(sink.ops[0].opClass, "control");
    EXPECT_EQ(sink.ops[1].function, "device_communication_control");
    EXPECT_EQ(sink.ops[1].opClass, "control");
    // Error: apdu_type 5 with the service it answers.
    EXPECT_TRUE(sink.ops[2].exception);
    EXPECT_EQ(sink.ops[2].keys.at("apdu_type"), 5);
    EXPECT_EQ(sink.ops[2].keys.at("service"), 20);
    // Reject / abort / segment ACK carry no service choice (as in the truth files: null).
    EXPECT_EQ(sink.ops[3].function, "reject");
    EXPECT_TRUE(sink.ops[3].exception);
    EXPECT_EQ(sink.ops[3].keys.at("apdu_type"), 6);
    EXPECT_EQ(sink.ops[3].keys.count("service"), 0u);
    EXPECT_EQ(sink.ops[4].function, "abort");
    EXPECT_EQ(sink.ops[4].keys.at("apdu_type"), 7);
    EXPECT_EQ(sink.ops[5].keys.at("apdu_type"), 4);
    EXPECT_EQ(sink.ops[5].keys.count("service"), 0u);
    EXPECT_TRUE(sink.anomalies.empty());
}

TEST(BacnetDissectorTest, ForwardedNpduBvlcManagementAndNetworkMessages) {
    const Bytes forwarded = {
        0x81, 0x04, 0x00, 0x0e,              // BVLC: Forwarded-NPDU, length 14
        0xc0, 0xa8, 0x00, 0x10, 0xba, 0xc0,  // original source 192.168.0.16:47808
        0x01, 0x00, 0x10, 0x08,              // NPDU + who-is
    };
    const Bytes readBdt = {0x81, 0x02, 0x00, 0x04};  // Read-Broadcast-Distribution-Table
    const Bytes whoIsRouter = {
        0x81, 0x0b, 0x00, 0x07,  // BVLC: Original-Broadcast-NPDU, length 7
        0x01, 0x80, 0x00,        // NPDU: network layer message, Who-Is-Router-To-Network
    };
    BacnetDissector d;
    RecordingSink sink("bacnet");
    for (const Bytes* b : {&forwarded, &readBdt, &whoIsRouter}) {
        EXPECT_EQ(d.onData(kFlow, Direction::ToServer, *b, sink).status, ParseResult::Status::Ok);
    }
    ASSERT_EQ(sink.ops.size(), 3u);
    EXPECT_EQ(sink.ops[0].function, "who_is");
    EXPECT_EQ(sink.ops[1].function, "read_broadcast_distribution_table");
    EXPECT_EQ(sink.ops[1].keys.at("bvlc_function"), 2);
    EXPECT_EQ(sink.ops[2].function, "who_is_router_to_network");
    EXPECT_EQ(sink.ops[2].keys.at("network_message"), 0);
    EXPECT_TRUE(sink.anomalies.empty());
}

TEST(BacnetDissectorTest, BacnetIpv6Bvlc) {
    const Bytes whoIs6 = {
        0x82, 0x02, 0x00, 0x0b,  // BVLC: BACnet/IPv6, Original-Broadcast-NPDU, length 11
        0x01, 0x02, 0x03,        // source virtual address
        0x01, 0x00, 0x10, 0x08,  // NPDU + who-is
    };
    BacnetDissector d;
    RecordingSink sink("bacnet");
    d.onData(kFlow, Direction::ToServer, whoIs6, sink);
    ASSERT_EQ(sink.ops.size(), 1u);
    EXPECT_EQ(sink.ops[0].function, "who_is");
}

TEST(BacnetDissectorTest, MalformedInputBecomesAnomalies) {
    BacnetDissector d;
    RecordingSink sink("bacnet");
    const Bytes longerThanDatagram = {0x81, 0x0a, 0x00, 0x40, 0x01, 0x00};
    const Bytes notBvlc = {0x45, 0x00, 0x00, 0x04};
    const Bytes badNpduVersion = {0x81, 0x0a, 0x00, 0x08, 0x02, 0x00, 0x10, 0x08};
    const Bytes truncatedApdu = {0x81, 0x0a, 0x00, 0x08, 0x01, 0x00, 0x00, 0x05};
    const Bytes unknownPduType = {0x81, 0x0a, 0x00, 0x08, 0x01, 0x00, 0x90, 0x00};
    const Bytes tiny = {0x81};
    for (const Bytes* b :
         {&longerThanDatagram, &notBvlc, &badNpduVersion, &truncatedApdu, &unknownPduType, &tiny}) {
        EXPECT_EQ(d.onData(kFlow, Direction::ToServer, *b, sink).status,
                  ParseResult::Status::Error);
    }
    EXPECT_EQ(sink.count("malformed_pdu"), 6u);
    EXPECT_TRUE(sink.ops.empty());
    // An I-Am cut after its object identifier: the instance is still reported.
    Bytes cut(kIAm.begin(), kIAm.begin() + 13);
    cut[3] = 13;
    d.onData(kFlow, Direction::ToClient, cut, sink);
    ASSERT_EQ(sink.identities.size(), 1u);
    EXPECT_EQ(sink.identities[0].numbers.at("device_instance"), 101);
    EXPECT_EQ(sink.identities[0].numbers.count("vendor_id"), 0u);
    EXPECT_EQ(sink.count("malformed_pdu"), 7u);
}

TEST(BacnetDissectorTest, ProbeRecognisesBvlc) {
    EXPECT_EQ(probe(kIAm), Probe::Match);
    EXPECT_EQ(probe(Bytes{0x81, 0x0b}), Probe::NeedMore);
    EXPECT_EQ(probe(Bytes{0x81, 0x0b, 0x00, 0x99, 0x01, 0x00}), Probe::NoMatch);
    EXPECT_EQ(probe(Bytes{0x47, 0x45, 0x54, 0x20}), Probe::NoMatch);
}

}  // namespace
}  // namespace ironsight::sensor::dissect::bacnet
