// SPDX-License-Identifier: Apache-2.0
// The capture interfaces of this machine (pcap_findalldevs) with their addresses, flags and the
// kernel's packet counters (/sys/class/net/IF/statistics), for `ironsight-sensor interfaces`.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "shared/base/result.h"

namespace ironsight::sensor {

struct InterfaceAddress {
    std::string family;  // "ipv4" or "ipv6"
    std::string address, netmask;
};

struct InterfaceInfo {
    std::string name, description, mac;
    std::vector<InterfaceAddress> addresses;
    bool up = false, running = false, loopback = false, wireless = false;
    bool hasCounters = false;  // a kernel network device (not "any", "nflog", "dbus-system", ...)
    std::uint64_t rxPackets = 0, rxBytes = 0, rxDropped = 0, txPackets = 0, txBytes = 0;
    bool likelyMonitorPort = false;
};

/// A SPAN / mirror / TAP port as seen from the sensor: up and running, not loopback, no IPv4
/// address of its own, it has received packets, and it sends at most one packet per hundred it
/// receives (a mirror port only listens).
bool looksLikeMonitorPort(const InterfaceInfo& info);

/// Every interface libpcap can capture on, in libpcap's order (up and running first).
/// `sysNet` is where the counters are read (tests may point elsewhere).
Result<std::vector<InterfaceInfo>> listInterfaces(
    const std::filesystem::path& sysNet = "/sys/class/net");

}  // namespace ironsight::sensor
