// SPDX-License-Identifier: Apache-2.0
// TLS dissector (TCP 443 + probe): the ClientHello server name (SNI) as operation and identity.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "sensor-agent/dissect/core/dissector.h"
#include "sensor-agent/dissect/core/registry.h"

namespace ironsight::sensor::dissect::tls {

inline constexpr std::uint16_t kPort = 443;
inline constexpr std::size_t kMaxHandshake = 65536;

/// What a ClientHello tells: the legacy version and the SNI host name (empty when absent).
struct ClientHello {
    std::uint16_t version = 0;
    std::string serverName;
};

/// Parses a ClientHello handshake body (after the 4-byte handshake header); nullopt if
/// malformed.
std::optional<ClientHello> parseClientHello(std::span<const std::uint8_t> body);

/// Heuristic: a TLS handshake record (0x16 0x03 0x00-0x04) starting with a ClientHello.
Probe probe(std::span<const std::uint8_t> payload);

class TlsDissector final : public Dissector {
public:
    static DissectorPtr create();
    ParseResult onData(const FlowContext& flow, Direction dir, std::span<const std::uint8_t> data,
                       EventSink& sink) noexcept override;
    void onGap(Direction dir) noexcept override;
    /// Both directions done: the ClientHello was read (or given up on) and the server spoke.
    bool finished() const noexcept override { return done_[0] && done_[1]; }

private:
    bool done_[2] = {false, false};  // per direction: nothing more to learn (encrypted from here)
};

void registerDissector(DissectorRegistry& registry);

}  // namespace ironsight::sensor::dissect::tls
