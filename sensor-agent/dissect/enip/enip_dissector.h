// SPDX-License-Identifier: Apache-2.0
// EtherNet/IP dissector (TCP/UDP 44818 encapsulation, UDP 2222 implicit I/O) with CIP services
// and List Identity device identity.
#pragma once

#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "sensor-agent/dissect/core/registry.h"
#include "sensor-agent/dissect/enip/cip.h"

namespace ironsight::sensor::dissect::enip {

inline constexpr std::uint16_t kEncapsulationPort = 44818;
inline constexpr std::uint16_t kIoPort = 2222;
/// Requests remembered per flow to attribute a response to the class of its request.
inline constexpr std::size_t kMaxPending = 64;

class EnipDissector final : public Dissector {
public:
    static DissectorPtr create();
    ParseResult onData(const FlowContext& flow, Direction dir, std::span<const std::uint8_t> data,
                       EventSink& sink) noexcept override;

private:
    void onEncapsulation(const FlowContext& flow, Direction dir, std::uint16_t command,
                         std::uint64_t context, std::span<const std::uint8_t> body,
                         EventSink& sink);
    void onCip(const FlowContext& flow, Direction dir, std::uint16_t command, std::uint64_t key,
               std::span<const std::uint8_t> message, EventSink& sink);
    void onIo(const FlowContext& flow, Direction dir, std::span<const std::uint8_t> data,
              EventSink& sink);

    struct Pending {
        std::uint64_t key = 0;
        std::vector<CipMessage> requests;
    };
    /// Requests awaiting their response: the first pendingCount_ entries, oldest first (at most
    /// kMaxPending). Entries past them are answered ones kept for their buffers, so a poll's
    /// request is remembered without an allocation.
    std::vector<Pending> pending_;
    std::size_t pendingCount_ = 0;
    void retire(std::size_t index);
};

/// Heuristic: an encapsulation header with a known command and a plausible length.
Probe probe(std::span<const std::uint8_t> payload);

/// Fills the EtherNet/IP descriptors (called from the generated all_dissectors.cpp): "enip" on
/// TCP 44818 and "cip" on UDP 44818 and 2222 (one name per transport, see README).
void registerDissector(DissectorRegistry& registry);

}  // namespace ironsight::sensor::dissect::enip
