// SPDX-License-Identifier: Apache-2.0
// S7comm dissector over TPKT/COTP (ISO-on-TCP, TCP 102) with S7comm-plus detection.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "sensor-agent/dissect/core/registry.h"

namespace ironsight::sensor::dissect::s7comm {

inline constexpr std::uint16_t kPort = 102;
/// Upper bound of one reassembled COTP DT payload (S7 PDUs are at most 960 bytes; S7comm-plus
/// fragments can be larger).
inline constexpr std::size_t kMaxReassembly = 64 * 1024;

class S7commDissector final : public Dissector {
public:
    static DissectorPtr create();
    ParseResult onData(const FlowContext& flow, Direction dir, std::span<const std::uint8_t> data,
                       EventSink& sink) noexcept override;
    void onGap(Direction dir) noexcept override;

private:
    void onCotpData(const FlowContext& flow, Direction dir, std::span<const std::uint8_t> payload,
                    bool lastUnit, EventSink& sink);
    std::vector<std::uint8_t> fragments_[2];  // COTP DT units without EOT, per direction
};

/// Parses one complete S7comm (0x32) or S7comm-plus (0x72) PDU (the COTP DT user data).
void dissectPdu(const FlowContext& flow, Direction dir, std::span<const std::uint8_t> pdu,
                EventSink& sink);

/// Heuristic: a TPKT header (version 3, reserved 0, length >= 7) followed by a COTP header.
Probe probe(std::span<const std::uint8_t> payload);

/// Fills the S7comm descriptor (called from the generated all_dissectors.cpp).
void registerDissector(DissectorRegistry& registry);

}  // namespace ironsight::sensor::dissect::s7comm
