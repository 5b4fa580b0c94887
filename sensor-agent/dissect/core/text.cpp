// SPDX-License-Identifier: Apache-2.0
// safeText: a strict UTF-8 filter (RFC 3629: no overlongs, no surrogates, max U+10FFFF).
#include "sensor-agent/dissect/core/text.h"

namespace ironsight::sensor::dissect {

std::string safeText(std::span<const std::uint8_t> b) {
    std::size_t n = b.size();
    while (n > 0 && (b[n - 1] == 0 || b[n - 1] == ' ')) --n;
    // Mostly printable ASCII: then the text is the bytes themselves, copied in one go.
    std::size_t printable = 0;
    while (printable < n && b[printable] >= 0x20 && b[printable] < 0x7f) ++printable;
    std::string out(reinterpret_cast<const char*>(b.data()), printable);
    if (printable == n) return out;
    out.reserve(n);
    for (std::size_t i = printable; i < n;) {
        const std::uint8_t c = b[i];
        if (c < 0x80) {
            out += (c < 0x20 || c == 0x7f) ? '?' : static_cast<char>(c);
            ++i;
            continue;
        }
        std::size_t len = 0;
        std::uint32_t cp = 0, min = 0;
        if ((c & 0xe0) == 0xc0)
            len = 2, cp = c & 0x1f, min = 0x80;
        else if ((c & 0xf0) == 0xe0)
            len = 3, cp = c & 0x0f, min = 0x800;
        else if ((c & 0xf8) == 0xf0)
            len = 4, cp = c & 0x07, min = 0x10000;
        bool valid = len != 0 && i + len <= n;
        for (std::size_t k = 1; valid && k < len; ++k) {
            valid = (b[i + k] & 0xc0) == 0x80;
            cp = (cp << 6) | (b[i + k] & 0x3f);
        }
        valid = valid && cp >= min && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff);
        if (valid) {
            out.append(reinterpret_cast<const char*>(b.data() + i), len);
            i += len;
        } else {
            out += '?';
            ++i;
        }
    }
    return out;
}

}  // namespace ironsight::sensor::dissect
