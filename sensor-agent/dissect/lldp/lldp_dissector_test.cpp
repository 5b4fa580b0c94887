// SPDX-License-Identifier: Apache-2.0
// LLDP dissector tests on annotated wire bytes (LLDPDUs from lldp-zeek-smc-switch.pcap and
// profinet-failed-lldp.pcap, plus malformed variants).
#include <gtest/gtest.h>

#include <vector>

#include "sensor-agent/dissect/core/registry.h"
#include "sensor-agent/dissect/core/testing.h"
#include "sensor-agent/dissect/lldp/lldp_dissector.h"

namespace ironsight::sensor::dissect::lldp {
namespace {

using Bytes = std::vector<std::uint8_t>;

FrameContext frameFrom(const char* src) {
    FrameContext f;
    f.srcMac = src;
    f.dstMac = "01:80:c2:00:00:0e";  // nearest bridge
    f.etherType = kEtherType;
    return f;
}

// SMC GS8P switch, port 1 (payload after EtherType 0x88cc).
const Bytes kSmcSwitch = {
    0x02, 0x07,                                // TLV 1 chassis id, length 7
    0x04, 0x00, 0x22, 0x2d, 0x81, 0xdb, 0x10,  // subtype 4 MAC address
    0x04, 0x02, 0x07, '1',                     // TLV 2 port id, length 2: subtype 7 local, "1"
    0x06, 0x02, 0x00, 0x78,                    // TLV 3 TTL 120 s
    0x08, 0x07, 'P',  'o',  'r',  't',  ' ',  '#', '1',  // TLV 4 port description
    0x0a, 0x0d, 'S',  'M',  'C',  'G',  'S',  '8', 'P', '-', 'S', 'm', 'a', 'r', 't',  // TLV 5 name
    0x0e, 0x04, 0x00, 0x04, 0x00, 0x04,  // TLV 7 capabilities: bridge supported, enabled
    0x10, 0x0c,                          // TLV 8 management address, length 12
    0x05, 0x01, 0xc0, 0xa8, 0x02, 0x0a,  // address string length 5, IPv4 192.168.2.10
    0x02, 0x00, 0x00, 0x00, 0x01,        // interface numbering: ifIndex 1
    0x00,                                // OID length 0
    0x00, 0x00,                          // TLV 0 end
};

// Siemens SCADA PC (profinet-failed-lldp.pcap): chassis id locally assigned, station only.
const Bytes kScadaPc = {
    0x02, 0x10, 0x07, 's', 'c', 'a', 'd', 'a', '-', 'p', 'c', '-', '0', '6', '0', '8', '3', '9',
    0x04, 0x09, 0x07, 'p', 'o', 'r', 't', '-', '0', '0', '1',  // port id
                                                               // "port-001"
    0x06, 0x02, 0x00, 0x14,                                    // TTL 20
    0x0a, 0x0f, 'S', 'C', 'A', 'D', 'A', '-', 'P', 'C', '-', '0', '6', '0', '8', '3', '9', 0x0e,
    0x04, 0x00, 0x80, 0x00, 0x80,  // capabilities: station only
    0x00, 0x00,                    // end
};

TEST(LldpDissectorTest, SwitchAnnouncementGivesIdentityAndType) {
    RecordingSink sink("lldp");
    LldpDissector d;
    d.onFrame(frameFrom("00:22:2d:81:db:10"), kSmcSwitch, sink);
    EXPECT_TRUE(sink.anomalies.empty());
    EXPECT_TRUE(sink.ops.empty());
    ASSERT_EQ(sink.identities.size(), 1u);
    const Identity& id = sink.identities[0];
    EXPECT_EQ(id.protocol, "lldp");
    EXPECT_EQ(id.mac, "00:22:2d:81:db:10");
    EXPECT_EQ(id.strings.at("chassis_id"), "00:22:2d:81:db:10");
    EXPECT_EQ(id.strings.at("port_id"), "1");
    EXPECT_EQ(id.strings.at("port_description"), "Port #1");
    EXPECT_EQ(id.strings.at("system_name"), "SMCGS8P-Smart");
    EXPECT_EQ(id.strings.at("capabilities"), "bridge");
    EXPECT_EQ(id.strings.at("capabilities_enabled"), "bridge");
    EXPECT_EQ(id.strings.at("mgmt_ipv4"), "192.168.2.10");
    EXPECT_EQ(id.hostname, "SMCGS8P-Smart");
    EXPECT_EQ(id.deviceType, "switch");
}

TEST(LldpDissectorTest, StationHasNoDeclaredType) {
    RecordingSink sink("lldp");
    LldpDissector d;
    d.onFrame(frameFrom("00:10:18:cb:8c:03"), kScadaPc, sink);
    ASSERT_EQ(sink.identities.size(), 1u);
    EXPECT_EQ(sink.identities[0].strings.at("chassis_id"), "scada-pc-060839");
    EXPECT_EQ(sink.identities[0].strings.at("system_name"), "SCADA-PC-060839");
    EXPECT_TRUE(sink.identities[0].deviceType.empty());
}

TEST(LldpDissectorTest, MalformedInputIsAnAnomaly) {
    RecordingSink sink("lldp");
    LldpDissector d;
    // TLV length beyond the frame.
    Bytes cut(kSmcSwitch.begin(), kSmcSwitch.begin() + 20);
    d.onFrame(frameFrom("00:22:2d:81:db:10"), cut, sink);
    EXPECT_EQ(sink.count("malformed_pdu"), 1u);
    // Port ID first: mandatory order violated.
    const Bytes noChassis = {0x04, 0x02, 0x07, '1', 0x06, 0x02, 0x00, 0x78, 0x00, 0x00};
    d.onFrame(frameFrom("00:22:2d:81:db:10"), noChassis, sink);
    EXPECT_EQ(sink.count("missing_mandatory_tlv"), 1u);
    // No End TLV: identity still reported, anomaly counted.
    Bytes noEnd(kSmcSwitch.begin(), kSmcSwitch.end() - 2);
    d.onFrame(frameFrom("00:22:2d:81:db:10"), noEnd, sink);
    EXPECT_EQ(sink.count("missing_end_tlv"), 1u);
    EXPECT_EQ(sink.identities.size(), 1u);
    // Every truncation is handled without a crash.
    for (std::size_t n = 0; n < kSmcSwitch.size(); ++n) {
        d.onFrame(frameFrom("00:22:2d:81:db:10"),
                  std::span<const std::uint8_t>(kSmcSwitch.data(), n), sink);
    }
}

TEST(LldpDissectorTest, RegistersForItsEtherType) {
    DissectorRegistry registry;
    registerDissector(registry);
    ASSERT_TRUE(registry.validate().ok());
    std::span<const std::uint8_t> inner;
    const auto* info = registry.forFrame(kEtherType, kSmcSwitch, inner);
    ASSERT_NE(info, nullptr);
    EXPECT_EQ(info->name, "lldp");
    // Claiming an EtherType twice, or one the decoder consumes (IPv4), is refused.
    registerDissector(registry);
    EXPECT_FALSE(registry.validate().ok());
    DissectorRegistry ip;
    ip.addFrame(
        {.name = "x", .etherTypes = {0x0800}, .snapIds = {}, .create = &LldpDissector::create});
    EXPECT_FALSE(ip.validate().ok());
}

}  // namespace
}  // namespace ironsight::sensor::dissect::lldp
