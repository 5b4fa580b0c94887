// SPDX-License-Identifier: Apache-2.0
// sensor.toml validation: every problem is reported with its position, good files parse into
// the settings, and docs/SENSOR_CONFIG.md is the generated reference.
#include "sensor-agent/config/sensor_config.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>

namespace ironsight::sensor::config {
namespace {

std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

TEST(SensorConfigTest, AFullFileParsesIntoItsSettings) {
    auto c = parse(R"(
[capture]
interfaces = ["eth1", "eth2"]
filter = "not port 22"
buffer_mb = 128
snaplen = 1600
user = "ironsight"

[link]
proxy = "http://proxy.plant.local:3128"

[protocols]
port_aliases = ["modbus=tcp/5020", "bacnet=udp/47809"]

[outbox]
max_mb = 2048.5

[evidence]
max_mb = 64
packets = 16

[plugins]
dir = "/usr/lib/ironsight/plugins"
)",
                   "sensor.toml");
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_EQ(c->interfaces, (std::vector<std::string>{"eth1", "eth2"}));
    EXPECT_EQ(c->filter, "not port 22");
    EXPECT_EQ(c->bufferMb, 128);
    EXPECT_EQ(c->snaplen, 1600);
    EXPECT_EQ(c->user, "ironsight");
    EXPECT_EQ(c->proxy, "http://proxy.plant.local:3128");
    EXPECT_EQ(c->portAliases, (std::vector<std::string>{"modbus=tcp/5020", "bacnet=udp/47809"}));
    EXPECT_EQ(c->outboxMaxMb, 2048.5);
    EXPECT_EQ(c->evidenceMaxMb, 64);
    EXPECT_EQ(c->evidencePackets, 16);
    EXPECT_EQ(c->pluginDir, "/usr/lib/ironsight/plugins");

    auto empty = parse("", "empty.toml");
    ASSERT_TRUE(empty);
    EXPECT_TRUE(empty->interfaces.empty());
    EXPECT_FALSE(empty->filter.has_value());
}

TEST(SensorConfigTest, EveryProblemIsOneLineWithItsPosition) {
    auto c = parse(R"([capture]
interfaces = "eth1"
snaplen = 10
colour = "blue"

[outbox]
max_mb = -1

[protocols]
port_aliases = ["modbus=tcp/5020", "modbus:502"]

[link]
proxy = "socks5://p:1080"

[database]
path = "/tmp/x"
)",
                   "site.toml");
    ASSERT_FALSE(c);
    const auto errors = lines(c.error().message);
    ASSERT_EQ(errors.size(), 7u) << c.error().message;
    EXPECT_EQ(errors[0], "site.toml:2:14: capture.interfaces must be a list of strings");
    EXPECT_EQ(errors[1], "site.toml:3:11: capture.snaplen must be an integer from 64 to 262144");
    EXPECT_EQ(errors[2],
              "site.toml:4:1: unknown setting capture.colour (known in [capture]: interfaces, "
              "filter, buffer_mb, snaplen, workers, user)");
    EXPECT_EQ(errors[3], "site.toml:7:10: outbox.max_mb must be a number from 0.001 to 1e+06");
    EXPECT_EQ(errors[4],
              "site.toml:10:36: protocols.port_aliases: 'modbus:502' is not PROTOCOL=tcp/PORT or "
              "PROTOCOL=udp/PORT (port 1-65535)");
    EXPECT_EQ(errors[5].rfind("site.toml:13:9: link.proxy must be http://", 0), 0u) << errors[5];
    EXPECT_EQ(errors[6].rfind("site.toml:15:1: unknown section [database]", 0), 0u) << errors[6];
}

TEST(SensorConfigTest, UnknownSectionsAndSyntaxErrorsAreReported) {
    auto c = parse("[database]\npath = \"/tmp/x\"\n", "site.toml");
    ASSERT_FALSE(c);
    EXPECT_EQ(c.error().message.rfind("site.toml:1:1: unknown section [database] (known: [capture], "
                                      "[link], [protocols], [network], [outbox], [evidence], "
                                      "[plugins]",
                                      0),
              0u)
        << c.error().message;
    auto broken = parse("[capture\ninterfaces = []\n", "site.toml");
    ASSERT_FALSE(broken);
    EXPECT_EQ(lines(broken.error().message).size(), 1u);
    EXPECT_EQ(broken.error().message.rfind("site.toml:1:", 0), 0u) << broken.error().message;
    auto missing = load("/nonexistent/sensor.toml");
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().message, "cannot read config file /nonexistent/sensor.toml");
}

TEST(SensorConfigTest, ChangedSettingsNamesWhatDiffers) {
    auto a = parse("[capture]\nfilter = \"tcp\"\ninterfaces = [\"eth1\"]\n", "a");
    auto b = parse("[capture]\nfilter = \"udp\"\ninterfaces = [\"eth1\"]\n[protocols]\n"
                   "port_aliases = [\"modbus=tcp/5020\"]\n",
                   "b");
    ASSERT_TRUE(a);
    ASSERT_TRUE(b);
    EXPECT_EQ(changedSettings(*a, *b),
              (std::vector<std::string>{"capture.filter", "protocols.port_aliases"}));
    EXPECT_TRUE(changedSettings(*a, *a).empty());
}

TEST(SensorConfigTest, NetworkSettingsParseAndEachBadEntryIsNamed) {
    auto good = parse(R"([network]
ics_subnets = ["10.20.0.0/16", "192.168.5.7", "fd00:1::/64"]
vlan_names = ["20=PLC floor", "4094=Safety"]
dhcp_ranges = ["10.1.2.100-10.1.2.199", "10.1.3.0/24"]
)",
                      "site.toml");
    ASSERT_TRUE(good.ok()) << good.error().message;
    EXPECT_EQ(good->network.icsSubnets.size(), 3u);
    EXPECT_EQ(good->network.vlanNames[0], "20=PLC floor");
    auto range = parseDhcpRange("10.1.3.0/24");
    ASSERT_TRUE(range.ok());
    EXPECT_EQ(range->first, 0x0a010300u);
    EXPECT_EQ(range->last, 0x0a0103ffu);

    auto bad = parse(R"([network]
ics_subnets = ["10.20.0.0/33", "plant"]
vlan_names = ["0=Zero", "20=A", "20=B", "30="]
dhcp_ranges = ["10.1.2.199-10.1.2.100", "10.1.2.0"]
)",
                     "site.toml");
    ASSERT_FALSE(bad.ok());
    const auto got = lines(bad.error().message);
    const std::vector<std::string> want = {
        "site.toml:2:16: network.ics_subnets: subnet '10.20.0.0/33': the prefix length must be 0-32",
        "site.toml:2:32: network.ics_subnets: subnet 'plant' is not an IPv4 or IPv6 address or CIDR",
        "site.toml:3:15: network.vlan_names: VLAN name '0=Zero' must be ID=NAME with ID 1-4094",
        "site.toml:3:33: network.vlan_names: VLAN 20 is named twice",
        "site.toml:3:41: network.vlan_names: VLAN name '30=': the name must be 1-64 characters",
        "site.toml:4:16: network.dhcp_ranges: DHCP range '10.1.2.199-10.1.2.100': the first "
        "address is after the last",
        "site.toml:4:41: network.dhcp_ranges: DHCP range '10.1.2.0' must be FIRST-LAST (e.g. "
        "10.1.2.100-10.1.2.199) or an IPv4 CIDR",
    };
    EXPECT_EQ(got, want);
}

TEST(SensorConfigTest, APushTakesOnlyPushableSettingsAndWinsOverTheFile) {
    auto pushed = parsePushed(R"([capture]
filter = "not port 22"
[network]
vlan_names = ["20=PLC floor"]
[[exclusion]]
type = "port_scan"
)",
                              "pushed");
    ASSERT_TRUE(pushed.ok()) << pushed.error().message;  // exclusions belong to the commands layer
    auto refused = parsePushed("[capture]\ninterfaces = [\"eth9\"]\n[outbox]\nmax_mb = 5\n", "pushed");
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(lines(refused.error().message),
              (std::vector<std::string>{
                  "pushed:2:1: capture.interfaces cannot be pushed by the console (set it in "
                  "sensor.toml on the sensor)",
                  "pushed:4:1: outbox.max_mb cannot be pushed by the console (set it in "
                  "sensor.toml on the sensor)"}));
    EXPECT_FALSE(parse("[[exclusion]]\ntype = \"x\"\n", "sensor.toml").ok());  // not in the file

    auto file = parse(R"([capture]
filter = "tcp"
interfaces = ["eth1"]
[network]
vlan_names = ["20=Old name"]
dhcp_ranges = ["10.1.2.100-10.1.2.199"]
)",
                      "sensor.toml");
    ASSERT_TRUE(file.ok());
    const SensorConfig effective = overlay(*file, *pushed);
    EXPECT_EQ(effective.filter, "not port 22");
    EXPECT_EQ(effective.interfaces, std::vector<std::string>{"eth1"});
    EXPECT_EQ(effective.network.vlanNames, std::vector<std::string>{"20=PLC floor"});
    EXPECT_EQ(effective.network.dhcpRanges, file->network.dhcpRanges);  // not pushed: the file's
    EXPECT_EQ(changedSettings(*file, effective),
              (std::vector<std::string>{"capture.filter", "network.vlan_names"}));
}

TEST(SensorConfigTest, SnmpAgentxSocketIsAPathOrTcpHostPort) {
    for (const char* good : {"/var/agentx/master", "unix:/run/agentx.sock", "tcp:127.0.0.1:705",
                             "tcp:localhost:7050"}) {
        auto c = parse(std::string("[snmp]\nagentx_socket = \"") + good + "\"\n", "s.toml");
        ASSERT_TRUE(c.ok()) << good << ": " << c.error().message;
        EXPECT_EQ(c->snmpAgentxSocket, good);
    }
    auto none = parse("[capture]\ninterfaces = [\"eth1\"]\n", "s.toml");
    ASSERT_TRUE(none.ok());
    EXPECT_FALSE(none->snmpAgentxSocket);  // SNMP off
    for (const char* bad : {"udp:127.0.0.1:705", "tcp:127.0.0.1", "tcp:127.0.0.1:70000",
                            "agentx/master"}) {
        auto c = parse(std::string("[snmp]\nagentx_socket = \"") + bad + "\"\n", "s.toml");
        ASSERT_FALSE(c.ok()) << bad;
        EXPECT_EQ(c.error().message.rfind("s.toml:2:17: snmp.agentx_socket must be the AgentX "
                                          "master's socket",
                                          0),
                  0u)
            << c.error().message;
    }
    auto a = parse("[snmp]\nagentx_socket = \"/var/agentx/master\"\n", "a");
    auto b = parse("[snmp]\nagentx_socket = \"tcp:127.0.0.1:705\"\n", "b");
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_EQ(changedSettings(*a, *b), std::vector<std::string>{"snmp.agentx_socket"});
}

TEST(SensorConfigTest, TheDocumentedReferenceIsCurrent) {
    const std::string reference = referenceMarkdown();
    for (const auto& s : settings()) {
        EXPECT_NE(reference.find(std::string("| `") + s.key + "` |"), std::string::npos) << s.key;
    }
    std::ifstream in(std::string(IRONSIGHT_SOURCE_DIR) + "/docs/SENSOR_CONFIG.md");
    ASSERT_TRUE(in) << "docs/SENSOR_CONFIG.md is missing";
    std::ostringstream doc;
    doc << in.rdbuf();
    EXPECT_EQ(doc.str(), reference)
        << "regenerate: ironsight-sensor config reference > docs/SENSOR_CONFIG.md";
}

}  // namespace
}  // namespace ironsight::sensor::config
