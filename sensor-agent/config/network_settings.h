// SPDX-License-Identifier: Apache-2.0
// The [network] settings of sensor.toml (also pushed by the console): ICS subnets, VLAN names and
// the site's legitimate DHCP ranges. One parser each, used by the config validator and the engine.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "shared/base/result.h"

namespace ironsight::sensor::config {

/// Site network facts (docs/SENSOR_CONFIG.md [network]): hosts in `icsSubnets` count as OT
/// devices for internet_access; `vlanNames` label VLAN ids in the inventory; an address a DHCP
/// server offers outside `dhcpRanges` raises rogue_dhcp.
struct NetworkSettings {
    std::vector<std::string> icsSubnets{};  // CIDR ("10.10.0.0/16", "fd00::/64") or one address
    std::vector<std::string> vlanNames{};   // "ID=NAME", ID 1-4094
    std::vector<std::string> dhcpRanges{};  // "FIRST-LAST" or CIDR, IPv4
    bool operator==(const NetworkSettings&) const = default;
};

/// An IPv4 range, both ends included, in host byte order.
struct Ipv4Range {
    std::uint32_t first = 0, last = 0;
};

/// "10.0.0.0/8", "fd00::/64" or a single address; the error says what is wrong.
Status checkSubnet(std::string_view spec);
/// "20=PLC floor" -> {20, "PLC floor"}; VLAN ids 1-4094, names 1-64 printable characters.
Result<std::pair<std::uint32_t, std::string>> parseVlanName(std::string_view spec);
/// "10.1.2.100-10.1.2.199" or "10.1.3.0/24" (IPv4: DHCPv4 offers are checked).
Result<Ipv4Range> parseDhcpRange(std::string_view spec);

/// Every entry checked; the first problem is the error (naming the entry).
Status checkNetworkSettings(const NetworkSettings& settings);

}  // namespace ironsight::sensor::config
