// SPDX-License-Identifier: Apache-2.0
// IEC 60870-5-104 dissector: APCI framing across segments (with resynchronisation on the start
// octet), I/S/U frames, and per ASDU the type id, cause of transmission and common address.
#pragma once

#include <array>
#include <cstdint>

#include "sensor-agent/dissect/core/registry.h"

namespace ironsight::sensor::dissect::iec104 {

inline constexpr std::uint16_t kPort = 2404;

class Iec104Dissector final : public Dissector {
public:
    static DissectorPtr create();
    ParseResult onData(const FlowContext& flow, Direction dir, std::span<const std::uint8_t> data,
                       EventSink& sink) noexcept override;
    void onGap(Direction dir) noexcept override;

private:
    void onApdu(const FlowContext& flow, Direction dir, std::span<const std::uint8_t> apdu,
                EventSink& sink);
    void onAsdu(const FlowContext& flow, Direction dir, std::span<const std::uint8_t> asdu,
                EventSink& sink);

    std::array<int, 2> nextSend_{-1, -1};  // expected N(S) per direction, -1: not yet known
};

/// Fills the IEC 104 descriptor (called from the generated all_dissectors.cpp).
void registerDissector(DissectorRegistry& registry);

/// Heuristic: start octet 0x68, a plausible length and a well-formed control field.
Probe probe(std::span<const std::uint8_t> payload);

}  // namespace ironsight::sensor::dissect::iec104
