// SPDX-License-Identifier: Apache-2.0
// DNP3 link CRC and application function code table (IEEE 1815-2012 §9.2.4.2, Table 4-1).
#include "sensor-agent/dissect/dnp3/dnp3_wire.h"

#include <array>

#include "sensor-agent/dissect/core/numbered_names.h"

namespace ironsight::sensor::dissect::dnp3 {
namespace {

constexpr std::array<std::uint16_t, 256> makeCrcTable() {
    std::array<std::uint16_t, 256> table{};
    for (unsigned i = 0; i < 256; ++i) {
        auto crc = static_cast<std::uint16_t>(i);
        for (int bit = 0; bit < 8; ++bit) {
            crc = (crc & 1) ? static_cast<std::uint16_t>((crc >> 1) ^ 0xA6BC)  // 0x3D65 reflected
                            : static_cast<std::uint16_t>(crc >> 1);
        }
        table[i] = crc;
    }
    return table;
}

constexpr auto kCrcTable = makeCrcTable();

/// kCrcAfter[k][i]: the CRC register (from 0) after octet i followed by k zero octets; CRCs are
/// linear, so four octets b0..b3 step the register c at once: with x = c ^ b0 ^ b1 << 8,
/// c' = kCrcAfter[3][x & 0xff] ^ kCrcAfter[2][x >> 8] ^ kCrcAfter[1][b2] ^ kCrcAfter[0][b3].
constexpr std::array<std::array<std::uint16_t, 256>, 4> makeCrcAfter() {
    std::array<std::array<std::uint16_t, 256>, 4> t{};
    t[0] = kCrcTable;
    for (std::size_t k = 1; k < t.size(); ++k) {
        for (unsigned i = 0; i < 256; ++i) {
            t[k][i] =
                static_cast<std::uint16_t>((t[k - 1][i] >> 8) ^ kCrcTable[t[k - 1][i] & 0xff]);
        }
    }
    return t;
}

constexpr auto kCrcAfter = makeCrcAfter();

constexpr NumberedNames kUnknownNames("function_");

struct Entry {  // views with their lengths (from char pointers, a lookup cost a strlen call)
    std::string_view name;
    std::string_view opClass;
};

// Index = function code 0..33. Restarts, start/stop application, operate and freeze act on the
// process or the device (control); file services move files to or from the outstation (program).
constexpr std::array<Entry, 34> kRequests = {{
    {"confirm", "other"},                      // 0
    {"read", "read"},                          // 1
    {"write", "write"},                        // 2
    {"select", "control"},                     // 3
    {"operate", "control"},                    // 4
    {"direct_operate", "control"},             // 5
    {"direct_operate_nr", "control"},          // 6
    {"immediate_freeze", "control"},           // 7
    {"immediate_freeze_nr", "control"},        // 8
    {"freeze_clear", "control"},               // 9
    {"freeze_clear_nr", "control"},            // 10
    {"freeze_at_time", "control"},             // 11
    {"freeze_at_time_nr", "control"},          // 12
    {"cold_restart", "control"},               // 13
    {"warm_restart", "control"},               // 14
    {"initialize_data", "control"},            // 15
    {"initialize_application", "control"},     // 16
    {"start_application", "control"},          // 17
    {"stop_application", "control"},           // 18
    {"save_configuration", "write"},           // 19
    {"enable_unsolicited", "control"},         // 20
    {"disable_unsolicited", "control"},        // 21
    {"assign_class", "write"},                 // 22
    {"delay_measure", "diagnostic"},           // 23
    {"record_current_time", "write"},          // 24
    {"open_file", "program"},                  // 25
    {"close_file", "program"},                 // 26
    {"delete_file", "program"},                // 27
    {"get_file_info", "read"},                 // 28
    {"authenticate_file", "program"},          // 29
    {"abort_file", "program"},                 // 30
    {"activate_config", "program"},            // 31
    {"authenticate_request", "other"},         // 32
    {"authenticate_request_no_ack", "other"},  // 33
}};

}  // namespace

std::size_t frameSize(std::uint8_t length) {
    const std::size_t userData = length - kMinLength;
    return kHeaderSize + userData + 2 * ((userData + kBlockSize - 1) / kBlockSize);
}

std::uint16_t crc16(std::span<const std::uint8_t> data) {
    std::uint16_t crc = 0;
    const std::uint8_t* p = data.data();
    std::size_t n = data.size();
    for (; n >= 4; n -= 4, p += 4) {  // a 16-octet block: four steps
        const unsigned x = crc ^ p[0] ^ (unsigned{p[1]} << 8);
        crc = static_cast<std::uint16_t>(kCrcAfter[3][x & 0xff] ^ kCrcAfter[2][x >> 8] ^
                                         kCrcAfter[1][p[2]] ^ kCrcAfter[0][p[3]]);
    }
    for (; n > 0; --n, ++p) {
        crc = static_cast<std::uint16_t>((crc >> 8) ^ kCrcTable[(crc ^ *p) & 0xff]);
    }
    return static_cast<std::uint16_t>(~crc);
}

FunctionInfo functionInfo(std::uint8_t functionCode) {
    if (functionCode < kRequests.size()) {
        return {kRequests[functionCode].name, kRequests[functionCode].opClass};
    }
    switch (functionCode) {
        case 129:
            return {"response", "other"};
        case 130:
            return {"unsolicited_response", "other"};
        case 131:
            return {"authenticate_response", "other"};
        default:
            return {kUnknownNames[functionCode], "other", false};
    }
}

}  // namespace ironsight::sensor::dissect::dnp3
