// SPDX-License-Identifier: Apache-2.0
// CDP dissector tests on annotated wire bytes (the CDPv1 announcement of a Cisco 1601 router in
// cdp-zeek-v1.pcap, a switch built field by field, malformed variants) and LLC/SNAP matching.
#include <gtest/gtest.h>

#include <algorithm>

#include <string>
#include <vector>

#include "sensor-agent/dissect/cdp/cdp_dissector.h"
#include "sensor-agent/dissect/core/registry.h"
#include "sensor-agent/dissect/core/testing.h"

namespace ironsight::sensor::dissect::cdp {
namespace {

using Bytes = std::vector<std::uint8_t>;

FrameContext frameFrom(const char* src) {
    FrameContext f;
    f.srcMac = src;
    f.dstMac = "01:00:0c:cc:cc:cc";
    return f;
}

Bytes tlv(std::uint16_t type, const std::string& text) {
    const auto len = static_cast<std::uint16_t>(text.size() + 4);
    // Sized up front: GCC 12 -O2 misreports insert() into a 4-byte vector (-Warray-bounds).
    Bytes b(len);
    b[0] = static_cast<std::uint8_t>(type >> 8);
    b[1] = static_cast<std::uint8_t>(type);
    b[2] = static_cast<std::uint8_t>(len >> 8);
    b[3] = static_cast<std::uint8_t>(len);
    std::copy(text.begin(), text.end(), b.begin() + 4);
    return b;
}

// CDP after LLC/SNAP, cdp-zeek-v1.pcap (software version shortened).
Bytes routerAnnouncement() {
    Bytes b = {
        0x01,                                // version 1
        0xb4,                                // TTL 180 s
        0xdf, 0xf0,                          // checksum
        0x00, 0x01, 0x00, 0x06, 'R',  '1',   // Device ID "R1"
        0x00, 0x02, 0x00, 0x11,              // Addresses, length 17
        0x00, 0x00, 0x00, 0x01,              // 1 address
        0x01, 0x01, 0xcc,                    // NLPID, length 1, IP (0xcc)
        0x00, 0x04, 0xc0, 0xa8, 0x0a, 0x01,  // 192.168.10.1
        0x00, 0x03, 0x00, 0x0d, 'E',  't',  'h',  'e',  'r', 'n', 'e', 't', '0',  // Port ID
        0x00, 0x04, 0x00, 0x08, 0x00, 0x00, 0x00, 0x01,  // Capabilities: router
    };
    const Bytes version = tlv(0x0005, "Cisco Internetwork Operating System Software \nIOS (tm)");
    const Bytes platform = tlv(0x0006, "cisco 1601");
    b.insert(b.end(), version.begin(), version.end());
    b.insert(b.end(), platform.begin(), platform.end());
    return b;
}

TEST(CdpDissectorTest, RouterAnnouncementGivesIdentityAndType) {
    RecordingSink sink("cdp");
    CdpDissector d;
    d.onFrame(frameFrom("00:e0:1e:d5:d5:15"), routerAnnouncement(), sink);
    EXPECT_TRUE(sink.anomalies.empty());
    ASSERT_EQ(sink.identities.size(), 1u);
    const Identity& id = sink.identities[0];
    EXPECT_EQ(id.protocol, "cdp");
    EXPECT_EQ(id.mac, "00:e0:1e:d5:d5:15");
    EXPECT_EQ(id.strings.at("device_id"), "R1");
    EXPECT_EQ(id.strings.at("port_id"), "Ethernet0");
    EXPECT_EQ(id.strings.at("platform"), "cisco 1601");
    EXPECT_EQ(id.strings.at("addresses"), "192.168.10.1");
    EXPECT_EQ(id.strings.at("capabilities"), "router");
    EXPECT_EQ(id.strings.at("software_version"),
              "Cisco Internetwork Operating System Software  IOS (tm)");
    EXPECT_EQ(id.hostname, "R1");
    EXPECT_EQ(id.model, "cisco 1601");
    EXPECT_EQ(id.deviceType, "router");
}

TEST(CdpDissectorTest, SwitchCapabilityMeansSwitch) {
    RecordingSink sink("cdp");
    CdpDissector d;
    Bytes b = {0x02, 0xb4, 0x00, 0x00};  // CDPv2
    for (const auto& t : {tlv(0x0001, "Ns5gt"), tlv(0x0006, "cisco WS-CE500-24TT"),
                          tlv(0x0003, "GigabitEthernet1")}) {
        b.insert(b.end(), t.begin(), t.end());
    }
    const Bytes caps = {0x00, 0x04, 0x00, 0x08, 0x00, 0x00, 0x00, 0x28};  // switch + IGMP
    b.insert(b.end(), caps.begin(), caps.end());
    d.onFrame(frameFrom("00:1e:f6:73:59:81"), b, sink);
    ASSERT_EQ(sink.identities.size(), 1u);
    EXPECT_EQ(sink.identities[0].strings.at("capabilities"), "switch,igmp");
    EXPECT_EQ(sink.identities[0].deviceType, "switch");
}

TEST(CdpDissectorTest, MalformedInputIsAnAnomaly) {
    RecordingSink sink("cdp");
    CdpDissector d;
    const Bytes badVersion = {0x07, 0xb4, 0x00, 0x00};
    d.onFrame(frameFrom("00:e0:1e:d5:d5:15"), badVersion, sink);
    EXPECT_EQ(sink.count("malformed_pdu"), 1u);
    Bytes shortTlv = {0x01, 0xb4, 0x00, 0x00, 0x00, 0x01, 0x00, 0x02};  // TLV length 2 < 4
    d.onFrame(frameFrom("00:e0:1e:d5:d5:15"), shortTlv, sink);
    EXPECT_EQ(sink.count("malformed_pdu"), 2u);
    const Bytes noDevice = {0x01, 0xb4, 0x00, 0x00, 0x00, 0x03, 0x00, 0x05, 'x'};
    d.onFrame(frameFrom("00:e0:1e:d5:d5:15"), noDevice, sink);
    EXPECT_EQ(sink.count("missing_device_id"), 1u);
    EXPECT_TRUE(sink.identities.empty());
    const Bytes full = routerAnnouncement();
    for (std::size_t n = 0; n < full.size(); ++n) {
        d.onFrame(frameFrom("00:e0:1e:d5:d5:15"), std::span<const std::uint8_t>(full.data(), n),
                  sink);
    }
}

TEST(CdpDissectorTest, RegistryMatchesLlcSnap) {
    DissectorRegistry registry;
    registerDissector(registry);
    ASSERT_TRUE(registry.validate().ok());
    // 802.3 payload: LLC DSAP AA SSAP AA control 03, SNAP OUI 00-00-0c, PID 0x2000, then CDP.
    Bytes frame = {0xaa, 0xaa, 0x03, 0x00, 0x00, 0x0c, 0x20, 0x00};
    const Bytes cdp = routerAnnouncement();
    frame.insert(frame.end(), cdp.begin(), cdp.end());
    std::span<const std::uint8_t> inner;
    const auto* info = registry.forFrame(static_cast<std::uint16_t>(frame.size()), frame, inner);
    ASSERT_NE(info, nullptr);
    EXPECT_EQ(info->name, "cdp");
    EXPECT_EQ(inner.size(), cdp.size());
    // Cisco UDLD (PID 0x0111) and STP (LLC 42-42-03) are not CDP.
    frame[7] = 0x11;
    frame[6] = 0x01;
    EXPECT_EQ(registry.forFrame(static_cast<std::uint16_t>(frame.size()), frame, inner), nullptr);
    const Bytes stp = {0x42, 0x42, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00};
    EXPECT_EQ(registry.forFrame(38, stp, inner), nullptr);
}

}  // namespace
}  // namespace ironsight::sensor::dissect::cdp
