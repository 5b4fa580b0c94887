// SPDX-License-Identifier: Apache-2.0
// safeText against the plain filter it was before its printable-ASCII fast path: the same text for
// random bytes of every kind (printable, controls, trailing NULs and spaces, valid and broken
// UTF-8 sequences).
#include "sensor-agent/dissect/core/text.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace ironsight::sensor::dissect {
namespace {

/// The byte-at-a-time filter (session 11's safeText).
std::string referenceSafeText(std::span<const std::uint8_t> b) {
    std::size_t n = b.size();
    while (n > 0 && (b[n - 1] == 0 || b[n - 1] == ' ')) --n;
    std::string out;
    for (std::size_t i = 0; i < n;) {
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

TEST(SafeTextTest, SameAsTheByteAtATimeFilter) {
    // Byte pools: printable ASCII dominates (the fast path), with a chance of everything else.
    const std::vector<std::uint8_t> special = {0x00, 0x01, 0x1f, 0x20, 0x7e, 0x7f, 0x80, 0xbf,
                                               0xc2, 0xc3, 0xe0, 0xe2, 0xed, 0xf0, 0xf4, 0xff};
    std::mt19937 random(5);
    for (int round = 0; round < 20000; ++round) {
        std::vector<std::uint8_t> bytes(random() % 40);
        const unsigned oddOneIn = 1 + random() % 20;
        for (auto& b : bytes) {
            b = random() % oddOneIn == 0 ? special[random() % special.size()]
                                         : static_cast<std::uint8_t>(0x20 + random() % 95);
        }
        ASSERT_EQ(safeText(bytes), referenceSafeText(bytes)) << "round " << round;
    }
}

TEST(SafeTextTest, KnownTexts) {
    using namespace std::literals;
    const auto text = [](std::string_view s) {
        return safeText({reinterpret_cast<const std::uint8_t*>(s.data()), s.size()});
    };
    EXPECT_EQ(text("1756-ENBT/A"sv), "1756-ENBT/A");
    EXPECT_EQ(text("PLC \t1  \0\0"sv), "PLC ?1");
    EXPECT_EQ(text("caf\xc3\xa9 \xff"sv), "caf\xc3\xa9 ?");
    EXPECT_EQ(text(""sv), "");
}

}  // namespace
}  // namespace ironsight::sensor::dissect
