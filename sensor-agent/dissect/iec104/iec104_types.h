// SPDX-License-Identifier: Apache-2.0
// IEC 60870-5-101/104 ASDU type identifications: mnemonics, operation classes, element sizes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ironsight::sensor::dissect::iec104 {

/// Static text: unknown types are named from a table built at compile time ("type_200").
struct TypeInfo {
    std::string_view name;        // standard mnemonic, e.g. "C_SC_NA_1"
    std::string_view opClass;     // read / write / control / program / diagnostic / other
    std::size_t elementSize = 0;  // octets per information element without the IOA; 0: variable
    bool known = true;
};

/// IEC 60870-5-101 §7.2.1.1 / IEC 60870-5-104 §8: monitoring (M_*) types are "read" (process data
/// reported by the controlled station); single/double/regulating-step commands (C_SC, C_DC, C_RC)
/// and reset process are "control"; set-points, bitstrings, clock sync and parameters (P_*) are
/// "write"; interrogation and read commands are "read"; test and delay commands "diagnostic";
/// file transfer (F_*) "program"; end of initialisation "other".
TypeInfo typeInfo(std::uint8_t typeId);

}  // namespace ironsight::sensor::dissect::iec104
