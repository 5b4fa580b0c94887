// SPDX-License-Identifier: Apache-2.0
// Indicator lists for the IOC engine: IPs, CIDRs and domains in a plain-text format (one per
// line, # comments), for sites that receive threat intelligence on removable media.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "sensor-agent/decode/packet.h"
#include "shared/base/result.h"

namespace ironsight::sensor::detect {

/// Format (docs/ALERTS.md "Indicator lists"): one indicator per line; blank lines and everything
/// from a '#' are ignored; an indicator is an IPv4/IPv6 address, an IPv4/IPv6 CIDR
/// ("203.0.113.0/24"), or a domain name ("evil.example", which also matches its subdomains).
class IndicatorList {
public:
    /// Parses indicator text; `source` names it in errors: "SOURCE:LINE: not an IP address,
    /// CIDR or domain: TEXT".
    static Result<IndicatorList> parse(std::string_view text, std::string_view source = "");

    void merge(const IndicatorList& other);
    bool empty() const { return addresses_.empty() && networks_.empty() && domains_.empty(); }
    std::size_t size() const { return addresses_.size() + networks_.size() + domains_.size(); }
    bool hasAddresses() const { return !addresses_.empty() || !networks_.empty(); }
    bool hasDomains() const { return !domains_.empty(); }

    /// The indicator (address or CIDR text) this address matches, or "".
    std::string match(const decode::IpAddress& ip) const;
    /// The domain indicator this name equals or is a subdomain of (case-insensitive), or "".
    std::string matchDomain(std::string_view name) const;

private:
    struct Network {
        decode::IpAddress base;
        int prefix = 0;
        std::string text;
    };
    std::set<decode::IpAddress> addresses_;
    std::vector<Network> networks_;
    std::set<std::string> domains_;  // lower case, no trailing dot
};

/// Parses "a.b.c.d" or an IPv6 address (inet_pton); false when it is neither.
bool parseIpAddress(std::string_view text, decode::IpAddress& out);

}  // namespace ironsight::sensor::detect
