// SPDX-License-Identifier: Apache-2.0
// mDNS dissector (UDP 5353): the sender's own host name from its A/AAAA/SRV announcements.
#pragma once

#include <cstdint>
#include <span>

#include "sensor-agent/dissect/core/dissector.h"
#include "sensor-agent/dissect/core/registry.h"

namespace ironsight::sensor::dissect::mdns {

inline constexpr std::uint16_t kPort = 5353;

class MdnsDissector final : public Dissector {
public:
    static DissectorPtr create();
    ParseResult onData(const FlowContext& flow, Direction dir, std::span<const std::uint8_t> data,
                       EventSink& sink) noexcept override;
};

void registerDissector(DissectorRegistry& registry);

}  // namespace ironsight::sensor::dissect::mdns
