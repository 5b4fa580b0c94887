// SPDX-License-Identifier: Apache-2.0
// sameText(): text equality for the detector's per-operation lookups.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace ironsight::sensor::detect {

/// Equality of two texts without a memcmp call: addresses, protocol and function names are
/// compared per operation, and most are shorter than 16 bytes (8-byte words, the last one
/// overlapping; a literal's length folds the branches away). Always inlined: as a call it
/// costs what it saves.
[[gnu::always_inline]] inline bool sameText(std::string_view a, std::string_view b) {
    const std::size_t n = a.size();
    if (n != b.size()) return false;
    const char* x = a.data();
    const char* y = b.data();
    const auto word = [](const char* at) {
        std::uint64_t v;
        std::memcpy(&v, at, sizeof v);
        return v;
    };
    const auto half = [](const char* at) {
        std::uint32_t v;
        std::memcpy(&v, at, sizeof v);
        return v;
    };
    if (n >= 8) {
        for (std::size_t i = 0; i + 8 < n; i += 8) {
            if (word(x + i) != word(y + i)) return false;
        }
        return word(x + n - 8) == word(y + n - 8);
    }
    if (n >= 4) return half(x) == half(y) && half(x + n - 4) == half(y + n - 4);
    for (std::size_t i = 0; i < n; ++i) {
        if (x[i] != y[i]) return false;
    }
    return true;
}

}  // namespace ironsight::sensor::detect
