// SPDX-License-Identifier: Apache-2.0
// Vendor-id registries (resources/vendors/*.tsv) compiled into sorted tables at build time
// (dissect/CMakeLists.txt: ironsight_vendor_table).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>

namespace ironsight::sensor::dissect {

struct VendorEntry {
    std::uint32_t id;
    const char* name;
};

/// The registered name of `id`, or nullptr when the registry does not know it.
inline const char* findVendor(std::span<const VendorEntry> table, std::uint32_t id) {
    const auto it = std::lower_bound(table.begin(), table.end(), id,
                                     [](const VendorEntry& e, std::uint32_t v) { return e.id < v; });
    return it != table.end() && it->id == id ? it->name : nullptr;
}

}  // namespace ironsight::sensor::dissect
