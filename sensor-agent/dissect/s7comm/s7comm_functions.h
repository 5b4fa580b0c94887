// SPDX-License-Identifier: Apache-2.0
// S7comm and S7comm-plus function names and operation classes.
#pragma once

#include <cstdint>
#include <string_view>

namespace ironsight::sensor::dissect::s7comm {

struct FunctionInfo {  // static text
    std::string_view name;
    std::string_view opClass;  // read / write / program / control / diagnostic / firmware / other
};

/// Job / Ack_Data parameter function (first parameter byte).
FunctionInfo jobFunction(std::uint8_t function);
/// PI service (function 0x28) refined by its service name, e.g. "P_PROGRAM", "_INSE".
FunctionInfo piService(std::string_view serviceName);
/// Userdata (ROSCTR 7) function group (low nibble of the type/group byte) and subfunction.
FunctionInfo userdataFunction(std::uint8_t group, std::uint8_t subfunction);
/// S7comm-plus function code (u16 after the opcode).
FunctionInfo plusFunction(std::uint16_t function);

}  // namespace ironsight::sensor::dissect::s7comm
