// SPDX-License-Identifier: Apache-2.0
// PlantTraffic: a deterministic generator of a small plant's traffic (two production lines) for
// tests and the demo: Modbus polling with real TCP sessions, ARP, DHCP, DNS and, in line 1 only,
// an engineering workstation that reads and then writes to a PLC late in the capture.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "shared/base/result.h"
#include "tests/support/packet_builder.h"

namespace ironsight::test {

struct PlantOptions {
    int minutes = 5;
    std::int64_t startUs = 1767261600000000;  // 2026-01-01 10:00:00 UTC
    /// Line 1's engineering workstation session (the unauthorized write). Off for a baseline
    /// capture of normal operation that a sensor learns from.
    bool engineeringWorkstation = true;
};

struct PlantHost {
    std::string name;  // e.g. "plc1", "hmi", "ews"
    std::string role;  // "plc", "hmi", "engineering_workstation", "dns_server", "gateway"
    Host host;
    std::string ip() const;
};

struct PlantLine {
    int line = 1;
    std::vector<PlantHost> hosts;
    const PlantHost& find(const std::string& name) const;
};

/// The hosts of line 1 or 2 (line 1 has the engineering workstation "ews").
PlantLine plantLine(int line);

struct PlantSummary {
    std::filesystem::path file;
    std::uint64_t packets = 0;
    std::int64_t ewsWriteUs = 0;  // line 1: time of the first write, else 0
};

/// Writes line `line`'s traffic as a pcap file.
Result<PlantSummary> writePlantLine(int line, const std::filesystem::path& file,
                                    const PlantOptions& options = {});

}  // namespace ironsight::test
