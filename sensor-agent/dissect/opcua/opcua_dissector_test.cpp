// SPDX-License-Identifier: Apache-2.0
// OPC UA binary dissector tests on annotated wire bytes (little-endian UA TCP / UASC messages).
#include "sensor-agent/dissect/opcua/opcua_dissector.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sensor-agent/dissect/core/testing.h"
#include "sensor-agent/dissect/opcua/opcua_services.h"

namespace ironsight::sensor::dissect::opcua {
namespace {

using Bytes = std::vector<std::uint8_t>;

const FlowContext kFlow{"192.168.11.33", "192.168.11.34", 60952, kPort, Transport::Tcp, 0};

Bytes operator+(Bytes a, const Bytes& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

Bytes u32(std::uint32_t v) {
    return {std::uint8_t(v), std::uint8_t(v >> 8), std::uint8_t(v >> 16), std::uint8_t(v >> 24)};
}

/// UA String: Int32 length + bytes.
Bytes uaString(const std::string& s) {
    return u32(static_cast<std::uint32_t>(s.size())) + Bytes(s.begin(), s.end());
}

/// Message header: type (3 ASCII) | chunk type | MessageSize (whole chunk) + the rest.
Bytes message(const char* type, char chunk, const Bytes& rest) {
    Bytes b = {std::uint8_t(type[0]), std::uint8_t(type[1]), std::uint8_t(type[2]),
               std::uint8_t(chunk)};
    return b + u32(static_cast<std::uint32_t>(8 + rest.size())) + rest;
}

const std::string kUrl = "opc.tcp://192.168.11.34:4840";

const Bytes kRequestHeader = {
    0x00, 0x00,                                      // authentication token: two-byte NodeId 0
    0x00, 0x10, 0x2f, 0x5c, 0x4e, 0x4d, 0xd8, 0x01,  // timestamp (DateTime)
    0x01, 0x00, 0x00, 0x00,                          // request handle 1
    0x00, 0x00, 0x00, 0x00,                          // return diagnostics
    0xff, 0xff, 0xff, 0xff,                          // audit entry id: null String
    0x10, 0x27, 0x00, 0x00,                          // timeout hint 10000 ms
    0x00, 0x00, 0x00,                                // additional header: NodeId 0, no body
};
const Bytes kResponseHeader = {
    0x00, 0x10, 0x2f, 0x5c, 0x4e, 0x4d, 0xd8, 0x01,  // timestamp
    0x01, 0x00, 0x00, 0x00,                          // request handle 1
    0x00, 0x00, 0x00, 0x00,                          // service result Good
    0x00,                                            // service diagnostics: empty mask
    0xff, 0xff, 0xff, 0xff,                          // string table: null array
    0x00, 0x00, 0x00,                                // additional header
};
const Bytes kSymmetricHeader = {
    0x01, 0x00, 0x00, 0x00,  // secure channel id 1
    0x01, 0x00, 0x00, 0x00,  // token id 1
    0x02, 0x00, 0x00, 0x00,  // sequence number 2
    0x02, 0x00, 0x00, 0x00,  // request id 2
};

Bytes hello() {
    return message("HEL", 'F',
                   Bytes{
                       0x00, 0x00, 0x00, 0x00,  // protocol version 0
                       0xff, 0xff, 0x00, 0x00,  // receive buffer size 65535
                       0xff, 0xff, 0x00, 0x00,  // send buffer size 65535
                       0x00, 0x00, 0x00, 0x00,  // max message size: no limit
                       0x00, 0x00, 0x00, 0x00,  // max chunk count: no limit
                   } + uaString(kUrl));         // endpoint URL
}

Bytes acknowledge() {
    return message("ACK", 'F', Bytes(20, 0x00) /* version, buffer sizes, limits */);
}

Bytes openRequest(const std::string& policy, std::uint32_t mode) {
    return message("OPN", 'F',
                   Bytes{0x00, 0x00, 0x00, 0x00} +  // secure channel id 0 (new)
                       uaString(policy) +           // security policy URI
                       Bytes{
                           0xff, 0xff, 0xff, 0xff,  // sender certificate: null
                           0xff, 0xff, 0xff, 0xff,  // receiver thumbprint: null
                           0x01, 0x00, 0x00, 0x00,  // sequence number 1
                           0x01, 0x00, 0x00, 0x00,  // request id 1
                           0x01, 0x00, 0xbe, 0x01,  // four-byte NodeId ns 0 id 446 OPN request
                       } +
                       kRequestHeader +
                       Bytes{
                           0x00, 0x00, 0x00, 0x00,  // client protocol version
                           0x00, 0x00, 0x00, 0x00,  // request type: issue
                       } +
                       u32(mode) +                      // security mode (1 None)
                       Bytes{0x00, 0x00, 0x00, 0x00} +  // client nonce: empty
                       u32(600000));                    // requested lifetime
}

/// MSG with a service body: four-byte NodeId of the encoding id + header + service fields.
Bytes service(std::uint16_t encodingId, const Bytes& header, const Bytes& fields = {}) {
    return message("MSG", 'F',
                   kSymmetricHeader +
                       Bytes{0x01, 0x00, std::uint8_t(encodingId), std::uint8_t(encodingId >> 8)} +
                       header + fields);
}

const Bytes kReadFields = {
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // max age 0.0
    0x03, 0x00, 0x00, 0x00,                          // timestamps to return: neither
    0x00, 0x00, 0x00, 0x00,                          // nodes to read: empty array
};

TEST(OpcuaDissectorTest, HelloAcknowledgeAndEndpointIdentity) {
    OpcuaDissector d;
    RecordingSink sink("opcua");
    const Bytes hel = hello();
    auto r = d.onData(kFlow, Direction::ToServer, hel, sink);
    EXPECT_EQ(r.status, ParseResult::Status::Ok);
    EXPECT_EQ(r.consumed, hel.size());
    d.onData(kFlow, Direction::ToClient, acknowledge(), sink);
    ASSERT_EQ(sink.ops.size(), 2u);
    EXPECT_EQ(sink.ops[0].function, "hello");
    EXPECT_EQ(sink.ops[0].range, "endpoint " + kUrl);
    EXPECT_TRUE(sink.ops[0].request);
    EXPECT_EQ(sink.ops[1].function, "acknowledge");
    EXPECT_FALSE(sink.ops[1].request);
    ASSERT_EQ(sink.identities.size(), 1u);
    EXPECT_TRUE(sink.identities[0].ofServer);
    EXPECT_EQ(sink.identities[0].strings.at("endpoint_url"), kUrl);
    EXPECT_TRUE(sink.anomalies.empty());
}

TEST(OpcuaDissectorTest, OpenSecureChannelWithModeNoneIsFlagged) {
    OpcuaDissector d;
    RecordingSink sink("opcua");
    d.onData(kFlow, Direction::ToServer, openRequest(kPolicyNone, 1), sink);
    ASSERT_EQ(sink.ops.size(), 1u);
    EXPECT_EQ(sink.ops[0].function, "open_secure_channel");
    EXPECT_EQ(sink.ops[0].functionCode, 446);
    EXPECT_EQ(sink.ops[0].keys.at("security_mode"), 1);
    EXPECT_EQ(d.securityPolicy(), kPolicyNone);
    EXPECT_EQ(sink.count("insecure_opcua"), 1u);
    EXPECT_EQ(sink.anomalies.size(), 1u);
}

TEST(OpcuaDissectorTest, ServicesAreClassified) {
    OpcuaDissector d;
    RecordingSink sink("opcua");
    d.onData(kFlow, Direction::ToServer, openRequest(kPolicyNone, 1), sink);
    d.onData(kFlow, Direction::ToServer, service(631, kRequestHeader, kReadFields), sink);
    d.onData(kFlow, Direction::ToClient, service(634, kResponseHeader), sink);
    d.onData(kFlow, Direction::ToServer, service(673, kRequestHeader), sink);
    d.onData(kFlow, Direction::ToServer, service(712, kRequestHeader), sink);
    d.onData(kFlow, Direction::ToServer, service(527, kRequestHeader), sink);
    d.onData(kFlow, Direction::ToServer, service(428, kRequestHeader, uaString(kUrl)), sink);
    ASSERT_EQ(sink.ops.size(), 7u);
    EXPECT_EQ(sink.ops[1].function, "read");
    EXPECT_EQ(sink.ops[1].functionCode, 631);
    EXPECT_EQ(sink.ops[1].opClass, "read");
    EXPECT_TRUE(sink.ops[1].request);
    EXPECT_EQ(sink.ops[2].function, "read");
    EXPECT_FALSE(sink.ops[2].request);
    EXPECT_FALSE(sink.ops[2].exception);
    EXPECT_EQ(sink.ops[3].opClass, "write");
    EXPECT_EQ(sink.ops[4].function, "call");
    EXPECT_EQ(sink.ops[4].opClass, "control");
    EXPECT_EQ(sink.ops[5].function, "browse");
    EXPECT_EQ(sink.ops[5].opClass, "diagnostic");
    EXPECT_EQ(sink.ops[6].function, "get_endpoints");
    EXPECT_EQ(sink.ops[6].opClass, "diagnostic");
    EXPECT_EQ(sink.ops[6].range, "endpoint " + kUrl);
    EXPECT_EQ(sink.count("malformed_pdu"), 0u);
}

TEST(OpcuaDissectorTest, ServiceFaultAndBadResultAreExceptions) {
    OpcuaDissector d;
    RecordingSink sink("opcua");
    Bytes bad = kResponseHeader;
    bad[12] = 0x00, bad[13] = 0x00, bad[14] = 0x0d, bad[15] = 0x80;  // 0x800d0000 BadTimeout
    d.onData(kFlow, Direction::ToClient, service(397, bad), sink);   // ServiceFault
    d.onData(kFlow, Direction::ToClient, service(676, bad), sink);   // WriteResponse, Bad
    ASSERT_EQ(sink.ops.size(), 2u);
    EXPECT_EQ(sink.ops[0].function, "service_fault");
    EXPECT_TRUE(sink.ops[0].exception);
    EXPECT_EQ(sink.ops[1].function, "write");
    EXPECT_TRUE(sink.ops[1].exception);
}

TEST(OpcuaDissectorTest, EncryptedChannelBodiesAreOpaque) {
    OpcuaDissector d;
    RecordingSink sink("opcua");
    const std::string policy = "http://opcfoundation.org/UA/SecurityPolicy#Basic128Rsa15";
    // An encrypted OPN: the asymmetric security header is clear, the body is not.
    Bytes opn = message("OPN", 'F',
                        Bytes{0x00, 0x00, 0x00, 0x00} + uaString(policy) +
                            Bytes{0x04, 0x00, 0x00, 0x00, 0x30, 0x82, 0x01, 0x0a} +  // cert
                            Bytes{0x02, 0x00, 0x00, 0x00, 0xab, 0xcd} +              // thumbprint
                            Bytes(64, 0x5a));                                        // encrypted
    d.onData(kFlow, Direction::ToServer, opn, sink);
    Bytes msg = message("MSG", 'F', kSymmetricHeader + Bytes{0x9f, 0x13, 0x77, 0x02, 0xee});
    d.onData(kFlow, Direction::ToServer, msg, sink);
    EXPECT_EQ(d.securityPolicy(), policy);
    ASSERT_EQ(sink.ops.size(), 2u);
    EXPECT_EQ(sink.ops[0].function, "open_secure_channel");
    EXPECT_EQ(sink.ops[0].functionCode, -1);
    EXPECT_EQ(sink.ops[1].function, "encrypted_message");
    EXPECT_TRUE(sink.anomalies.empty());
}

TEST(OpcuaDissectorTest, MessageSplitAcrossSegmentsAndCoalesced) {
    OpcuaDissector d;
    RecordingSink sink("opcua");
    const Bytes hel = hello();
    const Bytes first(hel.begin(), hel.begin() + 5);  // not even a whole header
    auto r = d.onData(kFlow, Direction::ToServer, first, sink);
    EXPECT_EQ(r.status, ParseResult::Status::Incomplete);
    EXPECT_EQ(r.consumed, 0u);
    EXPECT_EQ(r.needed, 8u);
    const Bytes part(hel.begin(), hel.begin() + 20);  // header, body cut
    r = d.onData(kFlow, Direction::ToServer, part, sink);
    EXPECT_EQ(r.status, ParseResult::Status::Incomplete);
    EXPECT_EQ(r.needed, hel.size());
    EXPECT_TRUE(sink.ops.empty());
    // The engine offers the whole message, then two messages in one segment.
    r = d.onData(kFlow, Direction::ToServer, hel, sink);
    EXPECT_EQ(r.consumed, hel.size());
    const Bytes two = openRequest(kPolicyNone, 1) + service(631, kRequestHeader, kReadFields);
    r = d.onData(kFlow, Direction::ToServer, two, sink);
    EXPECT_EQ(r.status, ParseResult::Status::Ok);
    EXPECT_EQ(r.consumed, two.size());
    ASSERT_EQ(sink.ops.size(), 3u);
    EXPECT_EQ(sink.ops[2].function, "read");
}

TEST(OpcuaDissectorTest, OversizedChunkIsParsedFromItsStartAndSkipped) {
    OpcuaDissector d;
    RecordingSink sink("opcua");
    Bytes big = service(631, kRequestHeader, kReadFields + Bytes(40000, 0x00));
    const Bytes next = service(673, kRequestHeader);
    auto r = d.onData(kFlow, Direction::ToServer, Bytes(big.begin(), big.begin() + 1000), sink);
    EXPECT_EQ(r.status, ParseResult::Status::Incomplete);
    EXPECT_EQ(r.needed, kParseWindow);
    r = d.onData(kFlow, Direction::ToServer, Bytes(big.begin(), big.begin() + 20000), sink);
    EXPECT_EQ(r.status, ParseResult::Status::Ok);
    EXPECT_EQ(r.consumed, 20000u);
    ASSERT_EQ(sink.ops.size(), 1u);
    const Bytes tail = Bytes(big.begin() + 20000, big.end()) + next;
    r = d.onData(kFlow, Direction::ToServer, tail, sink);
    EXPECT_EQ(r.consumed, tail.size());
    ASSERT_EQ(sink.ops.size(), 2u);
    EXPECT_EQ(sink.ops[1].function, "write");
}

TEST(OpcuaDissectorTest, MultiChunkMessageCountsOnce) {
    OpcuaDissector d;
    RecordingSink sink("opcua");
    Bytes c1 = service(631, kRequestHeader, kReadFields);
    c1[3] = 'C';                                                               // intermediate chunk
    const Bytes c2 = message("MSG", 'F', kSymmetricHeader + Bytes(10, 0x11));  // continuation
    d.onData(kFlow, Direction::ToServer, c1 + c2, sink);
    ASSERT_EQ(sink.ops.size(), 1u);
    EXPECT_TRUE(sink.anomalies.empty());
}

TEST(OpcuaDissectorTest, MalformedInputBecomesAnomalies) {
    RecordingSink sink("opcua");
    {
        OpcuaDissector d;
        const Bytes junk = {'X', 'Y', 'Z', 'F', 0x10, 0x00, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0};
        EXPECT_EQ(d.onData(kFlow, Direction::ToServer, junk, sink).status,
                  ParseResult::Status::Error);
    }
    {
        OpcuaDissector d;
        const Bytes tooSmall = {'M', 'S', 'G', 'F', 0x04, 0x00, 0x00, 0x00};
        EXPECT_EQ(d.onData(kFlow, Direction::ToServer, tooSmall, sink).status,
                  ParseResult::Status::Error);
    }
    {
        OpcuaDissector d;
        Bytes hel = hello();
        hel[28] = 0x00, hel[29] = 0x10;  // endpoint URL length 4096 > message
        EXPECT_EQ(d.onData(kFlow, Direction::ToServer, hel, sink).status, ParseResult::Status::Ok);
        // Unknown service in a clear channel.
        EXPECT_EQ(d.onData(kFlow, Direction::ToServer, service(9999, kRequestHeader), sink).status,
                  ParseResult::Status::Ok);
    }
    EXPECT_EQ(sink.count("malformed_pdu"), 4u);
}

/// Bytes of a hex string (test vectors copied from captures).
Bytes fromHex(const std::string& hex) {
    Bytes out;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
        out.push_back(static_cast<std::uint8_t>(std::stoi(hex.substr(i, 2), nullptr, 16)));
    }
    return out;
}

// The four discovery messages of opcua-open62541-discover-getendpoints.pcap (../shared/pcaps),
// byte for byte: MSG chunks on a SecurityPolicy#None channel whose encoding ids (12208/12209
// FindServersOnNetwork, 12211/12212 RegisterServer2) are not request id + 3 apart.
const char* const kFindServersOnNetworkRequest =
    "4d53474645000000020000000200000002000000020000000100b02f000006a4c63f3aaad701010000000000"
    "0000ffffffff000000000000000000000000000000ffffffff";
const char* const kFindServersOnNetworkResponse =
    "4d534746c6000000020000000200000002000000020000000100b12fdea8c63f3aaad7010100000000000000"
    "00ffffffff00000036e69d373aaad70102000000000000000e0000004c44532d4d6175692d31363731341900"
    "00006f70632e7463703a2f2f4d6175692d31363731343a3438343001000000030000004c4453010000001800"
    "000053616d706c65205365727665722d4d6175692d31363731341a0000006f70632e7463703a2f2f4d617569"
    "2d31363731343a353139343401000000020000004e41";
const char* const kRegisterServer2Request =
    "4d5347461c010000010000000100000002000000020000000100b32f0000701b763b3aaad701010000000000"
    "0000ffffffff102700000000002500000075726e3a6f70656e36323534312e6578616d706c652e7365727665"
    "725f726567697374657214000000687474703a2f2f6f70656e36323534312e6f726701000000030200000065"
    "6e220000006f70656e36323534312d6261736564204f5043205541204170706c69636174696f6e00000000ff"
    "ffffff020000001b0000006f70632e7463703a2f2f4d6175692d31363731343a35313934342f1b0000006f70"
    "632e7463703a2f2f4d6175692d31363731343a35313934342fffffffff01010000000100653201150000000d"
    "00000053616d706c6520536572766572ffffffff";
const char* const kRegisterServer2Response =
    "4d53474640000000010000000100000002000000020000000100b42ff027763b3aaad7010100000000000000"
    "00ffffffff0000000100000000000000ffffffff";

TEST(OpcuaDissectorTest, DiscoveryServicesFromOpen62541AreKnownNotMalformed) {
    OpcuaDissector d;
    RecordingSink sink("opcua");
    for (const char* hex : {kRegisterServer2Request, kRegisterServer2Response,
                            kFindServersOnNetworkRequest, kFindServersOnNetworkResponse}) {
        const Bytes msg = fromHex(hex);
        const auto r = d.onData(kFlow, Direction::ToServer, msg, sink);
        EXPECT_EQ(r.status, ParseResult::Status::Ok);
        EXPECT_EQ(r.consumed, msg.size());
    }
    ASSERT_EQ(sink.ops.size(), 4u);
    EXPECT_EQ(sink.ops[0].function, "register_server2");
    EXPECT_EQ(sink.ops[0].functionCode, 12211);
    EXPECT_TRUE(sink.ops[0].request);
    EXPECT_EQ(sink.ops[1].function, "register_server2");
    EXPECT_EQ(sink.ops[1].functionCode, 12212);
    EXPECT_FALSE(sink.ops[1].request);
    EXPECT_FALSE(sink.ops[1].exception);
    EXPECT_EQ(sink.ops[2].function, "find_servers_on_network");
    EXPECT_EQ(sink.ops[2].opClass, "diagnostic");
    EXPECT_TRUE(sink.ops[2].request);
    EXPECT_EQ(sink.ops[3].function, "find_servers_on_network");
    EXPECT_FALSE(sink.ops[3].request);
    EXPECT_EQ(sink.count("malformed_pdu"), 0u);
    EXPECT_TRUE(sink.anomalies.empty());
    // The table's other direction: these ids are no longer "unknown".
    EXPECT_TRUE(serviceInfo(12209).known);
    EXPECT_FALSE(serviceInfo(12210).known);
}

TEST(OpcuaDissectorTest, ProbeForOtherPorts) {
    EXPECT_EQ(probe(hello()), Probe::Match);
    EXPECT_EQ(probe(openRequest(kPolicyNone, 1)), Probe::Match);
    EXPECT_EQ(probe(Bytes{'H', 'E'}), Probe::NeedMore);
    EXPECT_EQ(probe(Bytes{'G', 'E', 'T', ' ', '/', ' ', 'H', 'T'}), Probe::NoMatch);
    EXPECT_EQ(probe(Bytes{'M', 'S', 'G', 'X', 0x20, 0, 0, 0}), Probe::NoMatch);
}

}  // namespace
}  // namespace ironsight::sensor::dissect::opcua
