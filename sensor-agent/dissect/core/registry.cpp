// SPDX-License-Identifier: Apache-2.0
// DissectorRegistry: validation and port lookup.
#include "sensor-agent/dissect/core/registry.h"

#include <set>
#include <utility>

namespace ironsight::sensor::dissect {

Status DissectorRegistry::validate() const {
    std::set<std::pair<std::string, int>> names;  // a protocol may register once per transport
    std::set<std::pair<int, std::uint16_t>> ports;
    for (const auto& info : infos_) {
        if (info.name.empty() || !info.create) {
            return makeError("dissector registration incomplete: '" + info.name + "'");
        }
        if (!names.insert({info.name, static_cast<int>(info.transport)}).second) {
            return makeError("dissector registered twice for one transport: " + info.name);
        }
        for (auto port : info.defaultPorts) {
            if (!ports.insert({static_cast<int>(info.transport), port}).second) {
                return makeError("port " + std::to_string(port) + " claimed twice (" + info.name +
                                 ")");
            }
        }
    }
    return {};
}

const DissectorInfo* DissectorRegistry::forPort(Transport transport, std::uint16_t port) const {
    for (const auto& info : infos_) {
        if (info.transport != transport) continue;
        for (auto p : info.defaultPorts) {
            if (p == port) return &info;
        }
    }
    return nullptr;
}

}  // namespace ironsight::sensor::dissect
