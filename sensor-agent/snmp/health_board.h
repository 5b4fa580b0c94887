// SPDX-License-Identifier: Apache-2.0
// The sensor health that the SNMP subagent serves (resources/snmp/IRONSIGHT-SENSOR-MIB.txt): the
// analysis thread publishes a snapshot, the subagent's thread reads it. One small mutex: both
// sides copy a few dozen bytes at most once a second or once per SNMP request.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>

namespace ironsight::sensor::snmp {

/// ironsightSensorLinkState.
enum class LinkState : int { Connected = 1, Disconnected = 2, NotActivated = 3 };

struct HealthSnapshot {
    std::uint64_t packets = 0, bytes = 0;
    std::uint64_t drops = 0;  // kernel ring + interface + the sensor's capture queue
    std::uint64_t packetsPerSecond = 0, bytesPerSecond = 0;  // over the last health interval
    std::uint64_t outboxRecords = 0, outboxBytes = 0;
    std::uint64_t outboxOldestAgeSeconds = 0;
    bool learning = false;
    LinkState link = LinkState::Disconnected;
    std::uint64_t uptimeCentiseconds = 0;  // TimeTicks
    std::string version;
    std::uint64_t alertsRaised = 0;
};

class HealthBoard {
public:
    void publish(const HealthSnapshot& snapshot) {
        std::lock_guard lock(mutex_);
        snapshot_ = snapshot;
        published_ = true;
    }
    /// False until the first publish (the subagent answers noSuchInstance until then).
    bool read(HealthSnapshot& out) const {
        std::lock_guard lock(mutex_);
        out = snapshot_;
        return published_;
    }

private:
    mutable std::mutex mutex_;
    HealthSnapshot snapshot_;
    bool published_ = false;
};

}  // namespace ironsight::sensor::snmp
