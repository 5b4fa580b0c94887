// SPDX-License-Identifier: Apache-2.0
// DNP3 wire constants: link-layer CRC and the application function code table (IEEE 1815-2012).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace ironsight::sensor::dissect::dnp3 {

// IEEE 1815-2012 §9.2.4: link frame = start 0x05 0x64 | length u8 | control u8 | destination
// u16le | source u16le | header CRC u16le, then user data in blocks of up to 16 octets, each
// followed by its own CRC u16le. length counts control + addresses + user data (no CRCs), >= 5.
inline constexpr std::uint8_t kStart0 = 0x05;
inline constexpr std::uint8_t kStart1 = 0x64;
inline constexpr std::size_t kHeaderSize = 10;  // start, length, control, dst, src, CRC
inline constexpr std::size_t kBlockSize = 16;
inline constexpr std::size_t kMinLength = 5;

// Link control octet (§9.2.4.1.3): DIR | PRM | FCB/reserved | FCV/DFC | function (4 bits).
inline constexpr std::uint8_t kCtrlDir = 0x80;
inline constexpr std::uint8_t kCtrlPrm = 0x40;
// Primary functions carrying user data (§9.2.4.1.3.2): 3 confirmed, 4 unconfirmed user data.
inline constexpr std::uint8_t kLinkConfirmedUserData = 3;
inline constexpr std::uint8_t kLinkUnconfirmedUserData = 4;

// Transport header (§8.2.1): FIN 0x80 | FIR 0x40 | sequence (6 bits).
inline constexpr std::uint8_t kTransportFin = 0x80;
inline constexpr std::uint8_t kTransportFir = 0x40;

// Internal indications (§4.2.2.7.2), first octet / second octet.
inline constexpr std::uint8_t kIin1DeviceRestart = 0x80;
inline constexpr std::uint8_t kIin1DeviceTrouble = 0x40;
inline constexpr std::uint8_t kIin2NoFuncCodeSupport = 0x01;
inline constexpr std::uint8_t kIin2ObjectUnknown = 0x02;
inline constexpr std::uint8_t kIin2ParameterError = 0x04;

/// Total octets of a link frame whose length field is `length` (>= kMinLength).
std::size_t frameSize(std::uint8_t length);

/// DNP3 CRC-16 (polynomial 0x3D65, reflected, complemented), as sent little-endian on the wire.
/// Four octets per step (tables built at compile time).
std::uint16_t crc16(std::span<const std::uint8_t> data);

/// Static text: unknown codes are named from a table built at compile time ("function_200").
struct FunctionInfo {
    std::string_view name;     // e.g. "direct_operate"
    std::string_view opClass;  // read / write / program / control / diagnostic / other
    bool known = true;
};

/// Application function codes (IEEE 1815-2012 Table 4-1 / §4.2.2.5): names and classes.
FunctionInfo functionInfo(std::uint8_t functionCode);

/// Responses (129 response, 130 unsolicited response, 131 authentication response) carry IIN.
inline bool isResponse(std::uint8_t functionCode) {
    return functionCode >= 129 && functionCode <= 131;
}

}  // namespace ironsight::sensor::dissect::dnp3
