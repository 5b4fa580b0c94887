// SPDX-License-Identifier: Apache-2.0
// CDP (Cisco Discovery Protocol) dissector: 802.3 LLC/SNAP, OUI 00-00-0c, PID 0x2000.
#pragma once

#include <cstdint>
#include <span>

#include "sensor-agent/dissect/core/dissector.h"
#include "sensor-agent/dissect/core/registry.h"

namespace ironsight::sensor::dissect::cdp {

inline constexpr std::uint32_t kSnapOui = 0x00000c;
inline constexpr std::uint16_t kSnapPid = 0x2000;

/// Stateless: each CDP frame is a complete announcement by the sending port.
class CdpDissector final : public FrameDissector {
public:
    static FrameDissectorPtr create();
    void onFrame(const FrameContext& frame, std::span<const std::uint8_t> payload,
                 EventSink& sink) noexcept override;
};

/// Registration (generated table, dissect/CMakeLists.txt): binds the dissector to its frames.
void registerDissector(DissectorRegistry& registry);

}  // namespace ironsight::sensor::dissect::cdp
