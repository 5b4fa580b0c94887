// SPDX-License-Identifier: Apache-2.0
// NBNS dissector (UDP 137): NetBIOS name registrations and answers → the owner's host name.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <string>

#include "sensor-agent/dissect/core/dissector.h"
#include "sensor-agent/dissect/core/registry.h"

namespace ironsight::sensor::dissect::nbns {

inline constexpr std::uint16_t kPort = 137;
inline constexpr std::size_t kMaxPendingIds = 64;

/// A decoded NetBIOS name (RFC 1001 §14.1 first-level encoding): 15 characters, trailing spaces
/// dropped, and the 16th byte (the suffix: 0x00 workstation, 0x20 server, 0x1b/0x1c/0x1e ...).
struct NetbiosName {
    std::string name;
    std::uint8_t suffix = 0;
    std::string text() const;  // "NAME<20>", as tshark prints it
};

/// Decodes the first label of an encoded name ("FEEIEFCACACA..."); nullopt when not 32 letters
/// A-P.
std::optional<NetbiosName> decodeName(const std::string& encoded);

class NbnsDissector final : public Dissector {
public:
    static DissectorPtr create();
    ParseResult onData(const FlowContext& flow, Direction dir, std::span<const std::uint8_t> data,
                       EventSink& sink) noexcept override;

private:
    std::deque<std::uint16_t> pendingIds_;
};

void registerDissector(DissectorRegistry& registry);

}  // namespace ironsight::sensor::dissect::nbns
