// SPDX-License-Identifier: Apache-2.0
// Profinet DCP (Discovery and basic Configuration Protocol) dissector: EtherType 0x8892.
#pragma once

#include <cstdint>
#include <span>

#include "sensor-agent/dissect/core/dissector.h"
#include "sensor-agent/dissect/core/registry.h"

namespace ironsight::sensor::dissect::profinet_dcp {

inline constexpr std::uint16_t kEtherType = 0x8892;

// IEC 61158-6-10 §4.3 (FrameID ranges of the RT/DCP layer).
inline constexpr std::uint16_t kFrameHello = 0xfefc;
inline constexpr std::uint16_t kFrameGetSet = 0xfefd;
inline constexpr std::uint16_t kFrameIdentifyRequest = 0xfefe;
inline constexpr std::uint16_t kFrameIdentifyResponse = 0xfeff;

/// Stateless: every DCP frame stands on its own. Other Profinet frames (cyclic RT data, alarms,
/// PTCP) share the EtherType and are ignored without an anomaly.
class ProfinetDcpDissector final : public FrameDissector {
public:
    static FrameDissectorPtr create();
    void onFrame(const FrameContext& frame, std::span<const std::uint8_t> payload,
                 EventSink& sink) noexcept override;
};

/// Registration (generated table, dissect/CMakeLists.txt): binds the dissector to its frames.
void registerDissector(DissectorRegistry& registry);

}  // namespace ironsight::sensor::dissect::profinet_dcp
