// SPDX-License-Identifier: Apache-2.0
// When live capture deserves the operational alert sensor_capture (docs/ALERTS.md): packets
// dropped (kernel ring, interface, the sensor's own queue) grew by dropThreshold or more within one
// health interval, or an interface received nothing for quietIntervals intervals in a row.
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace ironsight::sensor {

class CaptureWatch {
public:
    explicit CaptureWatch(std::uint64_t dropThreshold = 100, int quietIntervals = 6)
        : dropThreshold_(dropThreshold), quietIntervals_(quietIntervals) {}

    /// The cumulative counters of one source at the end of an interval of `intervalSeconds`.
    /// `watchQuiet`: an interface (a silent one is a problem), not the queue. Returns the alert
    /// detail, or "" when there is nothing to report.
    std::string update(const std::string& source, std::uint64_t received, std::uint64_t dropped,
                       int intervalSeconds, bool watchQuiet) {
        State& s = state_[source];
        // Counters only grow; a reopened handle starts again from zero.
        const std::uint64_t newDrops = dropped >= s.dropped ? dropped - s.dropped : dropped;
        const bool traffic = received != s.received;
        s.dropped = dropped;
        s.received = received;
        if (newDrops >= dropThreshold_) {
            return std::to_string(newDrops) + " packets dropped on " + source + " in " +
                   std::to_string(intervalSeconds) + " s";
        }
        if (!watchQuiet) return {};
        if (traffic) {
            s.quiet = 0;
            return {};
        }
        // Once per silence: reported when it reaches quietIntervals, re-armed by traffic.
        if (++s.quiet == quietIntervals_) {
            return "no traffic on " + source + " for " +
                   std::to_string(quietIntervals_ * intervalSeconds) + " s";
        }
        return {};
    }

private:
    struct State {
        std::uint64_t received = 0, dropped = 0;
        int quiet = 0;
    };
    std::uint64_t dropThreshold_;
    int quietIntervals_;
    std::map<std::string, State> state_;
};

}  // namespace ironsight::sensor
