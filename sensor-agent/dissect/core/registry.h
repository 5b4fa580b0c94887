// SPDX-License-Identifier: Apache-2.0
// DissectorRegistry: descriptors filled by one registration function per protocol.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "sensor-agent/dissect/core/dissector.h"
#include "shared/base/result.h"

namespace ironsight::sensor::dissect {

struct DissectorInfo {
    std::string name;  // lower-case protocol name, SPEC §6
    Transport transport = Transport::Tcp;
    std::vector<std::uint16_t> defaultPorts;
    Probe (*probe)(std::span<const std::uint8_t> payload) = nullptr;  // optional heuristic
    DissectorPtr (*create)() = nullptr;
};

class DissectorRegistry {
public:
    void add(DissectorInfo info) { infos_.push_back(std::move(info)); }
    /// Checks names are unique and non-empty, factories present, and no port is claimed twice.
    Status validate() const;
    /// The dissector bound to a server port, or nullptr.
    const DissectorInfo* forPort(Transport transport, std::uint16_t port) const;
    const std::vector<DissectorInfo>& all() const { return infos_; }

private:
    std::vector<DissectorInfo> infos_;
};

/// Generated (sensor-agent/dissect/all_dissectors.cpp.in): calls every protocol's
/// registerDissector(), then validate().
Status registerAllDissectors(DissectorRegistry& registry);

}  // namespace ironsight::sensor::dissect
