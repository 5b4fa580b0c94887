// SPDX-License-Identifier: Apache-2.0
// LLDP (IEEE 802.1AB Link Layer Discovery Protocol) dissector: EtherType 0x88cc.
#pragma once

#include <cstdint>
#include <span>

#include "sensor-agent/dissect/core/dissector.h"
#include "sensor-agent/dissect/core/registry.h"

namespace ironsight::sensor::dissect::lldp {

inline constexpr std::uint16_t kEtherType = 0x88cc;

/// Stateless: each LLDPDU is a complete announcement by the sending port.
class LldpDissector final : public FrameDissector {
public:
    static FrameDissectorPtr create();
    void onFrame(const FrameContext& frame, std::span<const std::uint8_t> payload,
                 EventSink& sink) noexcept override;
};

/// Registration (generated table, dissect/CMakeLists.txt): binds the dissector to its frames.
void registerDissector(DissectorRegistry& registry);

}  // namespace ironsight::sensor::dissect::lldp
