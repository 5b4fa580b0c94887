// SPDX-License-Identifier: Apache-2.0
// Modbus/TCP dissector: MBAP framing across segments, several ADUs per segment, operations with
// register ranges, exceptions, and FC 43/14 device identification.
#pragma once

#include "sensor-agent/dissect/core/registry.h"

namespace ironsight::sensor::dissect::modbus {

inline constexpr std::uint16_t kPort = 502;

class ModbusDissector final : public Dissector {
public:
    static DissectorPtr create();
    ParseResult onData(const FlowContext& flow, Direction dir, std::span<const std::uint8_t> data,
                       EventSink& sink) noexcept override;

private:
    void onPdu(const FlowContext& flow, Direction dir, std::uint8_t unitId,
               std::span<const std::uint8_t> pdu, EventSink& sink);
};

/// Fills the Modbus descriptor (called from the generated all_dissectors.cpp).
void registerDissector(DissectorRegistry& registry);

/// Heuristic: does this look like the start of an MBAP header?
Probe probe(std::span<const std::uint8_t> payload);

}  // namespace ironsight::sensor::dissect::modbus
