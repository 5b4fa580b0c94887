// SPDX-License-Identifier: Apache-2.0
// Parsers of the [network] settings: subnets (inet_pton), VLAN names, DHCP ranges.
#include "sensor-agent/config/network_settings.h"

#include <arpa/inet.h>

#include <charconv>

namespace ironsight::sensor::config {
namespace {

bool parseV4(std::string_view text, std::uint32_t& out) {
    const std::string s(text);
    in_addr a{};
    if (inet_pton(AF_INET, s.c_str(), &a) != 1) return false;
    out = ntohl(a.s_addr);
    return true;
}

bool parseV6(std::string_view text) {
    const std::string s(text);
    in6_addr a{};
    return inet_pton(AF_INET6, s.c_str(), &a) == 1;
}

bool parseNumber(std::string_view text, int& out) {
    if (text.empty() || text.size() > 4) return false;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc() && end == text.data() + text.size();
}

std::string quoted(std::string_view spec) {
    return "'" + std::string(spec) + "'";
}

}  // namespace

Status checkSubnet(std::string_view spec) {
    const auto slash = spec.find('/');
    const std::string_view address = spec.substr(0, slash);
    std::uint32_t v4 = 0;
    const bool isV4 = parseV4(address, v4);
    if (!isV4 && !parseV6(address)) {
        return makeError("subnet " + quoted(spec) + " is not an IPv4 or IPv6 address or CIDR");
    }
    if (slash == std::string_view::npos) return {};
    int prefix = -1;
    if (!parseNumber(spec.substr(slash + 1), prefix) || prefix < 0 || prefix > (isV4 ? 32 : 128)) {
        return makeError("subnet " + quoted(spec) + ": the prefix length must be 0-" +
                         std::string(isV4 ? "32" : "128"));
    }
    return {};
}

Result<std::pair<std::uint32_t, std::string>> parseVlanName(std::string_view spec) {
    const auto eq = spec.find('=');
    int id = 0;
    if (eq == std::string_view::npos || !parseNumber(spec.substr(0, eq), id) || id < 1 ||
        id > 4094) {
        return makeError("VLAN name " + quoted(spec) + " must be ID=NAME with ID 1-4094");
    }
    const std::string name(spec.substr(eq + 1));
    if (name.empty() || name.size() > 64) {
        return makeError("VLAN name " + quoted(spec) + ": the name must be 1-64 characters");
    }
    for (unsigned char c : name) {
        if (c < 0x20 || c == 0x7f) {
            return makeError("VLAN name " + quoted(spec) + ": control characters are not allowed");
        }
    }
    return std::pair<std::uint32_t, std::string>{static_cast<std::uint32_t>(id), name};
}

Result<Ipv4Range> parseDhcpRange(std::string_view spec) {
    const auto fail = [&] {
        return makeError("DHCP range " + quoted(spec) +
                         " must be FIRST-LAST (e.g. 10.1.2.100-10.1.2.199) or an IPv4 CIDR");
    };
    Ipv4Range range;
    if (const auto dash = spec.find('-'); dash != std::string_view::npos) {
        if (!parseV4(spec.substr(0, dash), range.first) ||
            !parseV4(spec.substr(dash + 1), range.last)) {
            return fail();
        }
        if (range.first > range.last) {
            return makeError("DHCP range " + quoted(spec) + ": the first address is after the last");
        }
        return range;
    }
    const auto slash = spec.find('/');
    int prefix = -1;
    std::uint32_t base = 0;
    if (slash == std::string_view::npos || !parseV4(spec.substr(0, slash), base) ||
        !parseNumber(spec.substr(slash + 1), prefix) || prefix < 0 || prefix > 32) {
        return fail();
    }
    const std::uint32_t mask = prefix == 0 ? 0 : ~std::uint32_t{0} << (32 - prefix);
    range.first = base & mask;
    range.last = range.first | ~mask;
    return range;
}

Status checkNetworkSettings(const NetworkSettings& settings) {
    for (const auto& s : settings.icsSubnets) {
        if (auto st = checkSubnet(s); !st) return st;
    }
    for (const auto& v : settings.vlanNames) {
        if (auto r = parseVlanName(v); !r) return r.error();
    }
    for (const auto& d : settings.dhcpRanges) {
        if (auto r = parseDhcpRange(d); !r) return r.error();
    }
    return {};
}

}  // namespace ironsight::sensor::config
