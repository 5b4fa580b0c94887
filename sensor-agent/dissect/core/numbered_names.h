// SPDX-License-Identifier: Apache-2.0
// Names of unknown one-octet codes ("function_7", "service_0x4f"), built at compile time: a
// dissector names an unknown code by a lookup instead of building a string per PDU.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ironsight::sensor::dissect {

enum class NumberBase { Decimal, Hex2 };  // "7", or "0x07" (two lower-case hex digits)

/// `prefix` followed by each code 0..255: NumberedNames<"function_"-size>("function_")[7] is
/// "function_7". Use as a constexpr variable.
template <std::size_t N>  // the prefix's size with its NUL
class NumberedNames {
public:
    constexpr NumberedNames(const char (&prefix)[N], NumberBase base = NumberBase::Decimal) {
        for (unsigned code = 0; code < 256; ++code) {
            char* out = text_[code];
            std::size_t n = 0;
            for (std::size_t i = 0; i + 1 < N; ++i) out[n++] = prefix[i];
            if (base == NumberBase::Hex2) {
                constexpr char kHex[] = "0123456789abcdef";
                out[n++] = '0';
                out[n++] = 'x';
                out[n++] = kHex[code >> 4];
                out[n++] = kHex[code & 0xf];
            } else {
                if (code >= 100) out[n++] = static_cast<char>('0' + code / 100);
                if (code >= 10) out[n++] = static_cast<char>('0' + code / 10 % 10);
                out[n++] = static_cast<char>('0' + code % 10);
            }
            size_[code] = static_cast<std::uint8_t>(n);
        }
    }
    constexpr std::string_view operator[](std::uint8_t code) const {
        return {text_[code], size_[code]};
    }

private:
    char text_[256][N + 3]{};  // the prefix and at most four characters (the NUL's place is one)
    std::uint8_t size_[256]{};
};

}  // namespace ironsight::sensor::dissect
