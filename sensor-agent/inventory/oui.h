// SPDX-License-Identifier: Apache-2.0
// MAC vendor lookup in the IEEE OUI registry, compiled in at build time (Debian ieee-data).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ironsight::sensor::inventory {

struct OuiEntry {
    std::uint32_t prefix;  // first three bytes of the MAC
    const char* organization;
};

extern const OuiEntry kOuiTable[];
extern const std::size_t kOuiTableSize;

/// The registered organisation of a MAC's OUI, or "" (also for locally administered MACs).
std::string_view ouiVendor(const std::array<std::uint8_t, 6>& mac);

}  // namespace ironsight::sensor::inventory
