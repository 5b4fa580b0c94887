// SPDX-License-Identifier: Apache-2.0
// Alert handling (SPEC §3.5 workflow): Learn ("allow" items), Mute ("mute" items) and exclusion
// rules ("exclude" items), kept in the baseline text so they persist with it. raise() asks
// suppressed() first, so they apply to every engine.
#include <charconv>

#include "sensor-agent/detect/detector.h"

namespace ironsight::sensor::detect {
namespace {

std::string orDash(const std::string& s) {
    return s.empty() ? "-" : s;
}

/// "HH:MM" -> minute of the day, or -1.
int minuteOfDay(std::string_view s) {
    int h = -1, m = -1;
    if (s.size() != 5 || s[2] != ':') return -1;
    if (std::from_chars(s.data(), s.data() + 2, h).ec != std::errc() ||
        std::from_chars(s.data() + 3, s.data() + 5, m).ec != std::errc() || h < 0 || h > 23 ||
        m < 0 || m > 59) {
        return -1;
    }
    return h * 60 + m;
}

}  // namespace

bool Detector::indexHandling(const std::vector<std::string>& w) {
    if ((w[0] == "mute" || w[0] == "allow") && w.size() == 4) {
        (w[0] == "mute" ? mutes_ : allows_).insert(w[1] + " " + w[2] + " " + w[3]);
        return true;
    }
    if (w[0] != "exclude" || w.size() != 5) return false;
    Exclusion x;
    x.rule = w[1] + " " + w[2] + " " + w[3] + " " + w[4];
    x.type = w[1] == "*" ? "" : w[1];
    x.device = w[2] == "*" ? "" : w[2];
    if (w[3] != "*") {
        if (w[3].find('/') == std::string::npos) return false;
        auto subnet = IndicatorList::parse(w[3]);
        if (!subnet || !subnet->hasAddresses()) return false;
        x.subnet = std::move(*subnet);
    }
    if (w[4] != "*") {
        const std::size_t dash = w[4].find('-');
        if (dash == std::string::npos) return false;
        x.fromMinute = minuteOfDay(std::string_view(w[4]).substr(0, dash));
        x.toMinute = minuteOfDay(std::string_view(w[4]).substr(dash + 1));
        if (x.fromMinute < 0 || x.toMinute < 0) return false;
    }
    exclusions_.push_back(std::move(x));
    return true;
}

bool Detector::suppressed(const std::string& type, const Trigger& t, const std::string& srcDevice,
                          const std::string& dstDevice) const {
    if (!mutes_.empty() && mutes_.count(type + " " + orDash(srcDevice) + " " + orDash(dstDevice))) {
        return true;
    }
    if (!allows_.empty() && allows_.count(type + " " + orDash(t.srcIp) + " " + orDash(t.dstIp))) {
        return true;
    }
    for (const auto& x : exclusions_) {
        if (!x.type.empty() && x.type != type) continue;
        if (!x.device.empty() && x.device != srcDevice && x.device != dstDevice &&
            x.device != t.srcIp && x.device != t.dstIp) {
            continue;
        }
        if (!x.subnet.empty()) {
            decode::IpAddress a;
            const bool in = (parseIpAddress(t.srcIp, a) && !x.subnet.match(a).empty()) ||
                            (parseIpAddress(t.dstIp, a) && !x.subnet.match(a).empty());
            if (!in) continue;
        }
        if (x.fromMinute >= 0) {
            constexpr std::int64_t kDayS = 86400;
            const auto minute =
                static_cast<int>(((t.timestampUs / 1'000'000) % kDayS + kDayS) % kDayS / 60);
            const bool in = x.fromMinute <= x.toMinute
                                ? minute >= x.fromMinute && minute <= x.toMinute
                                : minute >= x.fromMinute || minute <= x.toMinute;  // wraps
            if (!in) continue;
        }
        return true;
    }
    return false;
}

bool Detector::learnAlert(const std::string& id) {
    auto it = alerts_.find(id);
    if (it == alerts_.end()) return false;
    const AlertRecord& a = it->second;
    learn("allow " + a.type + " " + orDash(a.srcIp) + " " + orDash(a.dstIp));
    return true;
}

bool Detector::muteAlert(const std::string& id, bool muted) {
    auto it = alerts_.find(id);
    if (it == alerts_.end()) return false;
    const AlertRecord& a = it->second;
    const std::string key = a.type + " " + orDash(a.src) + " " + orDash(a.dst);
    if (muted) {
        learn("mute " + key);
    } else {
        baseline_.erase("mute " + key);
        mutes_.erase(key);
    }
    return true;
}

Status Detector::addExclusion(const std::string& rule) {
    std::vector<std::string> w{"exclude"};
    std::size_t pos = 0;
    while (pos < rule.size()) {
        const std::size_t start = rule.find_first_not_of(" \t", pos);
        if (start == std::string::npos) break;
        const std::size_t end = rule.find_first_of(" \t", start);
        w.push_back(rule.substr(start, end - start));
        pos = end;
    }
    const std::size_t before = exclusions_.size();
    std::string item;
    for (const auto& s : w) item += (item.empty() ? "" : " ") + s;
    learn(item);
    if (exclusions_.size() == before && !baseline_.count(item)) {
        return makeError("not an exclusion rule (TYPE|* DEVICE|* SUBNET|* HH:MM-HH:MM|*): " + rule);
    }
    return {};
}

bool Detector::removeExclusion(const std::string& rule) {
    for (auto it = exclusions_.begin(); it != exclusions_.end(); ++it) {
        if (it->rule != rule) continue;
        baseline_.erase("exclude " + rule);
        exclusions_.erase(it);
        return true;
    }
    return false;
}

}  // namespace ironsight::sensor::detect
