// SPDX-License-Identifier: Apache-2.0
// Indicator list parsing and matching (IOC engine input).
#include "sensor-agent/detect/ioc.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <charconv>

namespace ironsight::sensor::detect {
namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

bool isDomain(std::string_view s) {
    if (s.empty() || s.size() > 253 || s.find('.') == std::string_view::npos) return false;
    std::size_t label = 0;
    for (char c : s) {
        if (c == '.') {
            if (label == 0) return false;
            label = 0;
            continue;
        }
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
        if (++label > 63) return false;
    }
    return label > 0;
}

bool inNetwork(const decode::IpAddress& ip, const decode::IpAddress& base, int prefix) {
    if (ip.v6 != base.v6) return false;
    for (int i = 0; prefix > 0; ++i, prefix -= 8) {
        const std::uint8_t mask =
            prefix >= 8 ? 0xff : static_cast<std::uint8_t>(0xff << (8 - prefix));
        if ((ip.bytes[static_cast<std::size_t>(i)] & mask) !=
            (base.bytes[static_cast<std::size_t>(i)] & mask)) {
            return false;
        }
    }
    return true;
}

}  // namespace

bool parseIpAddress(std::string_view text, decode::IpAddress& out) {
    const std::string s(text);
    std::uint8_t buf[16];
    if (::inet_pton(AF_INET, s.c_str(), buf) == 1) {
        out = decode::IpAddress::fromV4Bytes(std::span<const std::uint8_t>(buf, 4));
        return true;
    }
    if (::inet_pton(AF_INET6, s.c_str(), buf) == 1) {
        out = decode::IpAddress::fromV6Bytes(std::span<const std::uint8_t>(buf, 16));
        return true;
    }
    return false;
}

Result<IndicatorList> IndicatorList::parse(std::string_view text, std::string_view source) {
    IndicatorList list;
    std::size_t lineNo = 0;
    while (!text.empty()) {
        const std::size_t nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
        ++lineNo;
        if (const std::size_t hash = line.find('#'); hash != std::string_view::npos) {
            line = line.substr(0, hash);
        }
        line = trim(line);
        if (line.empty()) continue;
        const auto bad = [&] {
            return makeError((source.empty() ? std::string("line ") : std::string(source) + ":") +
                             std::to_string(lineNo) +
                             ": not an IP address, CIDR or domain: " + std::string(line));
        };
        decode::IpAddress ip;
        if (const std::size_t slash = line.find('/'); slash != std::string_view::npos) {
            int prefix = -1;
            const auto digits = line.substr(slash + 1);
            const auto [end, ec] =
                std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
            if (ec != std::errc() || end != digits.data() + digits.size() ||
                !parseIpAddress(line.substr(0, slash), ip) || prefix < 0 ||
                prefix > (ip.v6 ? 128 : 32)) {
                return bad();
            }
            list.networks_.push_back({ip, prefix, lower(line)});
        } else if (parseIpAddress(line, ip)) {
            list.addresses_.insert(ip);
        } else {
            std::string domain = lower(line);
            while (!domain.empty() && domain.back() == '.') domain.pop_back();
            if (domain.starts_with("*.")) domain.erase(0, 2);
            if (!isDomain(domain)) return bad();
            list.domains_.insert(std::move(domain));
        }
    }
    return list;
}

void IndicatorList::merge(const IndicatorList& other) {
    addresses_.insert(other.addresses_.begin(), other.addresses_.end());
    networks_.insert(networks_.end(), other.networks_.begin(), other.networks_.end());
    domains_.insert(other.domains_.begin(), other.domains_.end());
}

std::string IndicatorList::match(const decode::IpAddress& ip) const {
    if (addresses_.count(ip)) return ip.toString();
    for (const auto& n : networks_) {
        if (inNetwork(ip, n.base, n.prefix)) return n.text;
    }
    return {};
}

std::string IndicatorList::matchDomain(std::string_view name) const {
    if (domains_.empty() || name.empty()) return {};
    std::string n = lower(name);
    while (!n.empty() && n.back() == '.') n.pop_back();
    // The name itself, then each parent domain ("a.b.evil.example" -> "b.evil.example" ...).
    std::string_view rest = n;
    while (!rest.empty()) {
        if (auto it = domains_.find(std::string(rest)); it != domains_.end()) return *it;
        const std::size_t dot = rest.find('.');
        if (dot == std::string_view::npos) break;
        rest.remove_prefix(dot + 1);
    }
    return {};
}

}  // namespace ironsight::sensor::detect
