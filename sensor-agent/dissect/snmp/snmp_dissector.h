// SPDX-License-Identifier: Apache-2.0
// SNMP dissector (UDP 161/162): operations per PDU; sysDescr/sysName of agents as identity.
#pragma once

#include <cstdint>
#include <deque>
#include <span>

#include "sensor-agent/dissect/core/dissector.h"
#include "sensor-agent/dissect/core/registry.h"

namespace ironsight::sensor::dissect::snmp {

inline constexpr std::uint16_t kAgentPort = 161;
inline constexpr std::uint16_t kTrapPort = 162;
inline constexpr std::size_t kMaxPendingIds = 64;
inline constexpr std::size_t kMaxVarbinds = 256;

/// SNMP PDU types (RFC 3416 §3, RFC 1157 §4.1): the low 5 bits of the context tag 0xa0-0xa8.
const char* pduName(int pduType);

class SnmpDissector final : public Dissector {
public:
    static DissectorPtr create();
    ParseResult onData(const FlowContext& flow, Direction dir, std::span<const std::uint8_t> data,
                       EventSink& sink) noexcept override;

private:
    std::deque<std::int64_t> pendingIds_;  // request-ids seen on this flow (bounded)
};

void registerDissector(DissectorRegistry& registry);

}  // namespace ironsight::sensor::dissect::snmp
