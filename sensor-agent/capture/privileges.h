// SPDX-License-Identifier: Apache-2.0
// Giving up privileges once the capture handles are open: an open packet socket keeps working
// without CAP_NET_RAW, so the sensor needs no capability afterwards (docs/SENSOR.md).
#pragma once

#include <cstdint>
#include <string>

#include "shared/base/result.h"

namespace ironsight::sensor {

/// The capability sets of a process as /proc/PID/status shows them (bit N = capability N).
struct CapabilitySets {
    std::uint64_t inheritable = 0, permitted = 0, effective = 0, bounding = 0, ambient = 0;
};

/// Reads /proc/self/status (or /proc/PID/status).
Result<CapabilitySets> readCapabilities(int pid = 0);
inline bool hasCapability(std::uint64_t set, int capability) {
    return ((set >> capability) & 1U) != 0;
}

/// Drops every capability: ambient set cleared, bounding set emptied (where CAP_SETPCAP allows
/// it), then effective, permitted and inheritable sets cleared, and no_new_privs set so no later
/// execve can gain any back (file capabilities and set-uid bits are ignored). When started as
/// root, root's execve privilege rule is locked off too (SECBIT_NOROOT).
/// `user` non-empty: first switch to that user (its uid, primary gid and supplementary groups);
/// needs the process to run as root. Errors are one line, e.g. "no such user: ironsight".
Status dropPrivileges(const std::string& user = {});

}  // namespace ironsight::sensor
