// SPDX-License-Identifier: Apache-2.0
// DNP3 dissector: link frames (CRC-checked) across segments, transport reassembly per link address
// pair, application function codes, IIN flags, and the link addresses of both ends as identity.
#pragma once

#include <array>
#include <cstdint>
#include <utility>
#include <vector>

#include "sensor-agent/dissect/core/registry.h"

namespace ironsight::sensor::dissect::dnp3 {

inline constexpr std::uint16_t kPort = 20000;

/// Caps on per-flow state (STYLE.md rule 5).
inline constexpr std::size_t kMaxFragmentSize = 16 * 1024;  // reassembled application fragment
inline constexpr std::size_t kMaxPendingFragments = 8;      // link address pairs per direction
inline constexpr std::size_t kMaxReportedAddresses = 16;    // identity events per flow

class Dnp3Dissector final : public Dissector {
public:
    static DissectorPtr create();
    ParseResult onData(const FlowContext& flow, Direction dir, std::span<const std::uint8_t> data,
                       EventSink& sink) noexcept override;
    void onGap(Direction dir) noexcept override;

private:
    struct Fragment {
        std::uint16_t src = 0, dst = 0;
        std::uint8_t nextSeq = 0;
        std::vector<std::uint8_t> data;
    };

    void onFrame(const FlowContext& flow, Direction dir, std::span<const std::uint8_t> frame,
                 EventSink& sink);
    void onTransport(const FlowContext& flow, Direction dir, std::uint16_t src, std::uint16_t dst,
                     std::span<const std::uint8_t> segment, EventSink& sink);
    void onApplication(const FlowContext& flow, std::uint16_t src, std::uint16_t dst,
                       std::span<const std::uint8_t> fragment, EventSink& sink);
    void reportAddress(const FlowContext& flow, bool ofServer, std::uint16_t address,
                       EventSink& sink);

    std::array<std::vector<Fragment>, 2> fragments_;  // index: Direction
    std::vector<std::pair<bool, std::uint16_t>> reported_;
};

/// Fills the DNP3 descriptor (called from the generated all_dissectors.cpp).
void registerDissector(DissectorRegistry& registry);

/// Heuristic: a link header with start octets 0x05 0x64, a valid length and a valid header CRC.
Probe probe(std::span<const std::uint8_t> payload);

}  // namespace ironsight::sensor::dissect::dnp3
