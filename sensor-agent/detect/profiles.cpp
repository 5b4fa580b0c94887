// SPDX-License-Identifier: Apache-2.0
// Learned profiles in the baseline text: polling intervals ("poll"), traffic rates ("rate") and
// regular senders ("active"), exported beside the baseline items and read back by import.
#include <algorithm>
#include <charconv>
#include <sstream>

#include "sensor-agent/detect/detector.h"

namespace ironsight::sensor::detect {
namespace {

constexpr std::size_t kMinPollSamples = 16;

bool number(const std::string& s, std::int64_t& out) {
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && end == s.data() + s.size() && out >= 0;
}

}  // namespace

std::string Detector::exportProfiles() const {
    std::ostringstream out;
    for (const auto& [key, pp] : polls_) {
        std::int64_t median = pp.baselineUs;
        std::uint64_t samples = pp.baselineSamples;
        if (pp.learned.size() >= kMinPollSamples) {
            // Only periodic requests have a polling interval: the middle half of the learned
            // intervals must lie within 1.5 times the median (event-driven requests are not
            // profiled, so they cannot raise polling_change).
            std::vector<std::int64_t> v = pp.learned;
            std::sort(v.begin(), v.end());
            const std::int64_t mid = v[v.size() / 2], q1 = v[v.size() / 4],
                               q3 = v[v.size() * 3 / 4];
            if (3 * q1 < 2 * mid || 2 * q3 > 3 * mid) continue;
            median = mid;
            samples = std::max<std::uint64_t>(samples, v.size());
        }
        if (samples >= kMinPollSamples)
            out << "poll " << key << " " << median << " " << samples << "\n";
    }
    if (rateShards_.empty()) rates_.exportProfiles(out);
    for (const auto& shard : rateShards_) shard->exportProfiles(out);
    for (const auto& [ip, h] : activity_) {
        if (h.regular || regularSender(h)) out << "active " << ip.toString() << "\n";
    }
    for (const auto& ip : restartSet_) out << "iin_restart " << ip << "\n";
    return out.str();
}

bool Detector::importProfile(const std::vector<std::string>& w) {
    if (w.empty()) return false;
    std::int64_t a = 0, b = 0;
    if (w[0] == "poll" && w.size() == 4 && number(w[2], a) && number(w[3], b)) {
        PollProfile& pp = polls_[w[1]];
        pp.baselineUs = a;
        pp.baselineSamples = static_cast<std::uint64_t>(b);
        return true;
    }
    decode::IpAddress x, y;
    if (w[0] == "rate" && w.size() == 5 && parseIpAddress(w[1], x) && parseIpAddress(w[2], y) &&
        number(w[3], a) && number(w[4], b)) {
        auto& rates = rateShards_.empty() ? rates_ : *rateShards_[rateShardOf_(x, y)];
        rates.importProfile(x, y, static_cast<std::uint64_t>(a), static_cast<std::uint64_t>(b));
        return true;
    }
    if (w[0] == "active" && w.size() == 2 && parseIpAddress(w[1], x)) {
        activity_[x].regular = true;
        return true;
    }
    if (w[0] == "iin_restart" && w.size() == 2) {  // the outstation's IIN1.7 was already set
        restartSet_.insert(w[1]);
        return true;
    }
    return false;
}

}  // namespace ironsight::sensor::detect
