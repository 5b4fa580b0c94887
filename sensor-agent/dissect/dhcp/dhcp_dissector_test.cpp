// SPDX-License-Identifier: Apache-2.0
// DHCP dissector tests on messages from the test packet builder.
#include <gtest/gtest.h>

#include "sensor-agent/dissect/core/registry.h"
#include "sensor-agent/dissect/core/testing.h"
#include "tests/support/packet_builder.h"

namespace ironsight::sensor::dissect::dhcp {
void registerDissector(DissectorRegistry& registry);
namespace {

TEST(DhcpDissectorTest, RequestYieldsHostnameAndVendorClassForTheClientMac) {
    DissectorRegistry registry;
    registerDissector(registry);
    const auto* info = registry.forPort(Transport::Udp, 67);
    ASSERT_NE(info, nullptr);
    auto d = info->create();
    RecordingSink sink;
    const auto msg = test::dhcpMessage(1, 3, 0x1234, test::mac("00:14:22:01:00:15"),
                                       test::ipv4("10.10.1.21"), "hmi-line1", "ironsight-hmi", 0);
    const FlowContext flow{"0.0.0.0", "255.255.255.255", 68, 67, Transport::Udp, 0};
    d->onData(flow, Direction::ToServer, msg, sink);
    ASSERT_EQ(sink.identities.size(), 1u);
    EXPECT_EQ(sink.identities[0].mac, "00:14:22:01:00:15");
    EXPECT_EQ(sink.identities[0].strings.at("hostname"), "hmi-line1");
    EXPECT_EQ(sink.identities[0].strings.at("vendor_class"), "ironsight-hmi");
}

TEST(DhcpDissectorTest, TruncatedMessageIsAnAnomaly) {
    DissectorRegistry registry;
    registerDissector(registry);
    auto d = registry.forPort(Transport::Udp, 67)->create();
    RecordingSink sink;
    auto msg = test::dhcpMessage(1, 1, 1, test::mac("00:14:22:01:00:15"), 0, "x", "", 0);
    msg.resize(100);
    const FlowContext flow{"0.0.0.0", "255.255.255.255", 68, 67, Transport::Udp, 0};
    d->onData(flow, Direction::ToServer, msg, sink);
    EXPECT_EQ(sink.anomalies.size(), 1);
    EXPECT_TRUE(sink.identities.empty());
}

}  // namespace
}  // namespace ironsight::sensor::dissect::dhcp
