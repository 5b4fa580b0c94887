// SPDX-License-Identifier: Apache-2.0
// Turning protocol bytes into display text: what dissectors put into identity strings must be
// valid UTF-8 without control characters (JSON output and protobuf strings require it).
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace ironsight::sensor::dissect {

/// Keeps valid UTF-8 sequences; control characters and invalid bytes become '?'; trailing NULs
/// and spaces are dropped.
std::string safeText(std::span<const std::uint8_t> bytes);

}  // namespace ironsight::sensor::dissect
