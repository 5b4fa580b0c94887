// SPDX-License-Identifier: Apache-2.0
// Modbus function codes: names and operation classes (Modbus Application Protocol v1.1b, §6).
#pragma once

#include <cstdint>
#include <string_view>

namespace ironsight::sensor::dissect::modbus {

/// Static text.
struct FunctionInfo {
    std::string_view name;
    std::string_view opClass;  // read / write / diagnostic / program / control / other
};

/// Public function codes by number; unknown codes are "function_<n>" / other. A reference into
/// a table built at compile time: a poll costs a lookup.
const FunctionInfo& functionInfo(std::uint8_t functionCode);

/// Schneider UMAS (FC 90 / 0x5A) sub-function: the byte after the session id.
/// Program transfer (0x30-0x35) is "program", start/stop PLC "control", variable and I/O
/// writes "write", reads "read"; session, reservation and monitoring calls are "other".
const FunctionInfo& umasInfo(std::uint8_t umasCode);

}  // namespace ironsight::sensor::dissect::modbus
