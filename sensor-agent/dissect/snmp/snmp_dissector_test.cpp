// SPDX-License-Identifier: Apache-2.0
// SNMP dissector tests on annotated BER bytes: v2c GetRequest/GetResponse with sysDescr and
// sysName, an unanswered response, v1 trap, long-form lengths, the community never reported,
// and malformed messages.
#include <gtest/gtest.h>

#include <vector>

#include "sensor-agent/dissect/core/testing.h"
#include "sensor-agent/dissect/snmp/snmp_dissector.h"

namespace ironsight::sensor::dissect::snmp {
namespace {

using Bytes = std::vector<std::uint8_t>;

FlowContext flow() {
    FlowContext f;
    f.clientIp = "10.0.0.5";
    f.serverIp = "10.0.0.1";
    f.clientPort = 40123;
    f.serverPort = kAgentPort;
    f.transport = Transport::Udp;
    return f;
}

// v2c GetRequest, community "public", request-id 0x1234: sysDescr.0, sysName.0 (values NULL).
const Bytes kGetRequest = {
    0x30, 0x35,                                     // Message SEQUENCE, 53 bytes
    0x02, 0x01, 0x01,                               // version 1 = v2c
    0x04, 0x06, 'p',  'u',  'b',  'l',  'i',  'c',  // community (a secret)
    0xa0, 0x28,                                     // [0] GetRequest, 40 bytes
    0x02, 0x02, 0x12, 0x34,                         // request-id 0x1234
    0x02, 0x01, 0x00,                               // error-status 0
    0x02, 0x01, 0x00,                               // error-index 0
    0x30, 0x1c,                                     // varbinds, 28 bytes
    0x30, 0x0c, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x02, 0x01, 0x01, 0x01, 0x00,  // 1.3.6.1.2.1.1.1.0
    0x05, 0x00,                                                              // NULL
    0x30, 0x0c, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x02, 0x01, 0x01, 0x05, 0x00,  // 1.3.6.1.2.1.1.5.0
    0x05, 0x00,                                                              // NULL
};

// Its GetResponse: sysDescr "Linux 5.10", sysName "gw-01".
const Bytes kGetResponse = {
    0x30, 0x44,                                                  // Message SEQUENCE, 68 bytes
    0x02, 0x01, 0x01,                                            // version v2c
    0x04, 0x06, 'p',  'u',  'b',  'l',  'i',  'c',               // community
    0xa2, 0x37,                                                  // [2] GetResponse, 55 bytes
    0x02, 0x02, 0x12, 0x34, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00,  // id, status, index
    0x30, 0x2b,                                                  // varbinds, 43 bytes
    0x30, 0x16, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x02, 0x01, 0x01, 0x01, 0x00,  // sysDescr.0
    0x04, 0x0a, 'L',  'i',  'n',  'u',  'x',  ' ',  '5',  '.',  '1',  '0',   // OCTET STRING
    0x30, 0x11, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x02, 0x01, 0x01, 0x05, 0x00,  // sysName.0
    0x04, 0x05, 'g',  'w',  '-',  '0',  '1',                                 // OCTET STRING
};

// v1 Trap (port 162, from the agent): enterprise 1.3.6.1.4.1, agent 10.0.0.1, coldStart.
const Bytes kTrapV1 = {
    0x30, 0x25, 0x02, 0x01, 0x00,                   // Message, version 0 = v1
    0x04, 0x06, 'p',  'u',  'b',  'l',  'i',  'c',  // community
    0xa4, 0x18,                                     // [4] Trap-PDU, 24 bytes
    0x06, 0x05, 0x2b, 0x06, 0x01, 0x04, 0x01,       // enterprise 1.3.6.1.4.1 (5 bytes)
    0x40, 0x04, 0x0a, 0x00, 0x00, 0x01,             // agent-addr 10.0.0.1
    0x02, 0x01, 0x00, 0x02, 0x01, 0x00,             // generic 0 coldStart, specific 0
    0x43, 0x01, 0x00,                               // time-stamp 0
    0x30, 0x00,                                     // no varbinds
};

void expectNoCommunity(const RecordingSink& sink) {
    for (const auto& id : sink.identities) {
        for (const auto& [k, v] : id.strings) EXPECT_EQ(v.find("public"), std::string::npos) << k;
    }
    for (const auto& op : sink.ops) {
        for (const auto& [k, v] : op.textKeys) EXPECT_EQ(v.find("public"), std::string::npos) << k;
    }
}

TEST(SnmpDissectorTest, GetRequestAndResponseGiveOperationAndIdentity) {
    RecordingSink sink("snmp");
    SnmpDissector d;
    EXPECT_EQ(d.onData(flow(), Direction::ToServer, kGetRequest, sink).status,
              ParseResult::Status::Ok);
    EXPECT_EQ(d.onData(flow(), Direction::ToClient, kGetResponse, sink).status,
              ParseResult::Status::Ok);
    ASSERT_EQ(sink.ops.size(), 1u);  // the response answers a request already reported
    EXPECT_EQ(sink.ops[0].protocol, "snmp");
    EXPECT_EQ(sink.ops[0].function, "get_request");
    EXPECT_EQ(sink.ops[0].functionCode, 0);
    EXPECT_EQ(sink.ops[0].opClass, "read");
    EXPECT_EQ(sink.ops[0].keys.at("version"), 1);
    EXPECT_EQ(sink.ops[0].keys.at("pdu_type"), 0);
    ASSERT_EQ(sink.identities.size(), 1u);
    const Identity& id = sink.identities[0];
    EXPECT_EQ(id.protocol, "snmp");
    EXPECT_TRUE(id.ofServer);
    EXPECT_EQ(id.strings.at("sys_descr"), "Linux 5.10");
    EXPECT_EQ(id.strings.at("sys_name"), "gw-01");
    EXPECT_EQ(id.hostname, "gw-01");
    EXPECT_EQ(id.strings.count("community"), 0u);
    expectNoCommunity(sink);
    EXPECT_TRUE(sink.anomalies.empty());
}

TEST(SnmpDissectorTest, ResponseWithoutRequestIsAnOperation) {
    RecordingSink sink("snmp");
    SnmpDissector d;
    d.onData(flow(), Direction::ToClient, kGetResponse, sink);
    ASSERT_EQ(sink.ops.size(), 1u);
    EXPECT_EQ(sink.ops[0].function, "get_response");
    EXPECT_FALSE(sink.ops[0].request);
    EXPECT_EQ(sink.identities.size(), 1u);
}

TEST(SnmpDissectorTest, TrapV1IsAnOperationWithoutIdentity) {
    RecordingSink sink("snmp");
    SnmpDissector d;
    FlowContext f = flow();
    f.serverPort = kTrapPort;
    d.onData(f, Direction::ToServer, kTrapV1, sink);
    ASSERT_EQ(sink.ops.size(), 1u);
    EXPECT_EQ(sink.ops[0].function, "trap");
    EXPECT_EQ(sink.ops[0].keys.at("version"), 0);
    EXPECT_EQ(sink.ops[0].opClass, "other");
    EXPECT_TRUE(sink.identities.empty());
    EXPECT_TRUE(sink.anomalies.empty());
}

TEST(SnmpDissectorTest, LongFormLengthsParse) {
    Bytes longForm = kGetResponse;
    longForm[1] = 0x45;                            // one more byte inside the message
    longForm.insert(longForm.begin() + 14, 0x81);  // PDU length 0x37 → 0x81 0x37
    RecordingSink sink("snmp");
    SnmpDissector d;
    d.onData(flow(), Direction::ToClient, longForm, sink);
    EXPECT_TRUE(sink.anomalies.empty());
    ASSERT_EQ(sink.identities.size(), 1u);
    EXPECT_EQ(sink.identities[0].strings.at("sys_name"), "gw-01");
}

TEST(SnmpDissectorTest, MalformedMessagesAreAnomalies) {
    RecordingSink sink("snmp");
    SnmpDissector d;
    Bytes cut(kGetResponse.begin(), kGetResponse.begin() + 30);  // length beyond the datagram
    EXPECT_EQ(d.onData(flow(), Direction::ToClient, cut, sink).status, ParseResult::Status::Error);
    Bytes badPdu = kGetRequest;
    badPdu[13] = 0x04;  // an OCTET STRING where the PDU should be
    d.onData(flow(), Direction::ToServer, badPdu, sink);
    const Bytes notBer = {'G', 'E', 'T', ' ', '/'};
    d.onData(flow(), Direction::ToServer, notBer, sink);
    EXPECT_EQ(sink.count("malformed_message"), 3u);
    EXPECT_TRUE(sink.ops.empty());
    EXPECT_TRUE(sink.identities.empty());
}

}  // namespace
}  // namespace ironsight::sensor::dissect::snmp
