// SPDX-License-Identifier: Apache-2.0
// The sensor's SNMP AgentX subagent (net-snmp): serves IRONSIGHT-SENSOR-MIB's health scalars
// through the site's snmpd (docs/OPERATIONS.md, "SNMP monitoring"). net-snmp is not thread-safe:
// one thread of its own makes every net-snmp call; the analysis thread only publishes snapshots
// to the HealthBoard.
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <thread>

#include "sensor-agent/snmp/agentx_address.h"
#include "sensor-agent/snmp/health_board.h"

namespace ironsight::sensor::snmp {

struct SubagentOptions {
    /// The master agent's AgentX socket: a path (/var/agentx/master, also unix:PATH) or
    /// tcp:HOST:PORT.
    std::string socket;
    /// One-line status messages (registered, master unreachable, net-snmp errors).
    std::function<void(const std::string&)> log;
    /// Seconds between the subagent's pings of the master; an unreachable or lost master is
    /// retried this often.
    int pingSeconds = 15;
};

/// Runs the subagent on its own thread from start() until stop() (or destruction). Never fails
/// the sensor: an absent master is reported once and retried quietly. One per process (net-snmp
/// keeps global state).
class Subagent {
public:
    Subagent(SubagentOptions options, const HealthBoard& board);
    ~Subagent();
    Subagent(const Subagent&) = delete;
    Subagent& operator=(const Subagent&) = delete;

    void start();
    void stop();
    /// True while registered with the master agent.
    bool registered() const { return registered_.load(); }

private:
    void run();

    SubagentOptions options_;
    const HealthBoard& board_;
    std::atomic<bool> stopping_{false};
    std::atomic<bool> registered_{false};
    std::thread thread_;
};

}  // namespace ironsight::sensor::snmp
