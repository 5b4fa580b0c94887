// SPDX-License-Identifier: Apache-2.0
// BACnet/IP dissector: BVLC (IPv4 Annex J and IPv6 Annex U), NPDU, APDU; services as operations,
// I-Am as identity of the sender.
#pragma once

#include <array>
#include <set>

#include "sensor-agent/dissect/core/registry.h"

namespace ironsight::sensor::dissect::bacnet {

inline constexpr std::uint16_t kPort = 47808;  // 0xBAC0
/// Distinct I-Am device instances remembered per sender of a flow (routers answer for many).
inline constexpr std::size_t kMaxInstancesPerSender = 1024;

class BacnetDissector final : public Dissector {
public:
    static DissectorPtr create();
    /// One call = one UDP datagram (one BVLC message).
    ParseResult onData(const FlowContext& flow, Direction dir, std::span<const std::uint8_t> data,
                       EventSink& sink) noexcept override;

private:
    bool onNpdu(const FlowContext& flow, Direction dir, std::span<const std::uint8_t> npdu,
                EventSink& sink);
    bool onApdu(const FlowContext& flow, Direction dir, std::span<const std::uint8_t> apdu,
                EventSink& sink);
    bool onIAm(const FlowContext& flow, Direction dir, std::span<const std::uint8_t> request,
               EventSink& sink);

    std::array<std::set<std::uint32_t>, 2> instances_;  // by sender: [ToServer], [ToClient]
};

/// Fills the BACnet descriptor (called from the generated all_dissectors.cpp).
void registerDissector(DissectorRegistry& registry);

/// Heuristic: a BVLC header (type 0x81 or 0x82, known function, length = datagram size).
Probe probe(std::span<const std::uint8_t> payload);

}  // namespace ironsight::sensor::dissect::bacnet
