// SPDX-License-Identifier: Apache-2.0
// ByteReader: bounds-checked big-endian reads over a byte span; a failed read sets a sticky flag.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace ironsight::sensor::decode {

class ByteReader {
public:
    explicit ByteReader(std::span<const std::uint8_t> data) : data_(data) {}

    std::size_t remaining() const { return ok_ ? data_.size() - pos_ : 0; }
    std::size_t position() const { return pos_; }
    bool ok() const { return ok_; }
    bool has(std::size_t n) const { return ok_ && data_.size() - pos_ >= n; }

    std::uint8_t u8() {
        if (!has(1)) return fail<std::uint8_t>();
        return data_[pos_++];
    }
    std::uint16_t u16() {
        if (!has(2)) return fail<std::uint16_t>();
        const auto v = static_cast<std::uint16_t>((data_[pos_] << 8) | data_[pos_ + 1]);
        pos_ += 2;
        return v;
    }
    std::uint16_t u16le() {
        if (!has(2)) return fail<std::uint16_t>();
        const auto v = static_cast<std::uint16_t>(data_[pos_] | (data_[pos_ + 1] << 8));
        pos_ += 2;
        return v;
    }
    std::uint32_t u32() {
        const std::uint32_t hi = u16();
        const std::uint32_t lo = u16();
        return ok_ ? (hi << 16) | lo : 0;
    }
    std::uint32_t u32le() {
        const std::uint32_t lo = u16le();
        const std::uint32_t hi = u16le();
        return ok_ ? (hi << 16) | lo : 0;
    }
    std::span<const std::uint8_t> bytes(std::size_t n) {
        if (!has(n)) return fail<std::span<const std::uint8_t>>();
        auto s = data_.subspan(pos_, n);
        pos_ += n;
        return s;
    }
    std::string string(std::size_t n) {
        auto s = bytes(n);
        return std::string(s.begin(), s.end());
    }
    bool skip(std::size_t n) {
        if (!has(n)) {
            ok_ = false;
            return false;
        }
        pos_ += n;
        return true;
    }
    std::span<const std::uint8_t> rest() const {
        return ok_ ? data_.subspan(pos_) : std::span<const std::uint8_t>{};
    }

private:
    template <class T>
    T fail() {
        ok_ = false;
        return T{};
    }

    std::span<const std::uint8_t> data_;
    std::size_t pos_ = 0;
    bool ok_ = true;
};

}  // namespace ironsight::sensor::decode
