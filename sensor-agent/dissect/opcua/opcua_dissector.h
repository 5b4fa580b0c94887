// SPDX-License-Identifier: Apache-2.0
// OPC UA binary (UA TCP / UASC) dissector: message framing across segments, HEL endpoint URL,
// OpenSecureChannel security policy and mode, services of MSG chunks.
#pragma once

#include <array>
#include <string>

#include "sensor-agent/dissect/core/registry.h"

namespace ironsight::sensor::dissect::opcua {

inline constexpr std::uint16_t kPort = 4840;
/// Bytes of a chunk that are parsed; the rest of a larger chunk is skipped without buffering.
inline constexpr std::size_t kParseWindow = 16 * 1024;
/// Largest chunk accepted (MessageSize); beyond it the stream is treated as not OPC UA.
inline constexpr std::uint32_t kMaxChunkSize = 16 * 1024 * 1024;
inline constexpr std::size_t kMaxUriLength = 512;
inline constexpr const char* kPolicyNone = "http://opcfoundation.org/UA/SecurityPolicy#None";

class OpcuaDissector final : public Dissector {
public:
    static DissectorPtr create();
    ParseResult onData(const FlowContext& flow, Direction dir, std::span<const std::uint8_t> data,
                       EventSink& sink) noexcept override;
    void onGap(Direction dir) noexcept override;

    /// The security policy URI of the flow's secure channel (last OpenSecureChannel seen).
    const std::string& securityPolicy() const { return policy_; }

private:
    void onChunk(const FlowContext& flow, Direction dir, std::span<const std::uint8_t> chunk,
                 EventSink& sink);
    void onMessageBody(const FlowContext& flow, std::span<const std::uint8_t> body, Operation& op,
                       EventSink& sink);
    void reportEndpoint(const FlowContext& flow, const std::string& url, EventSink& sink);

    std::array<std::size_t, 2> skip_{};   // bytes of an oversized chunk still to skip
    std::array<bool, 2> continuation_{};  // the previous chunk was an intermediate 'C'
    std::string policy_;                  // secure channel security policy URI
    std::string endpoint_;                // last endpoint URL reported as identity
};

/// Fills the OPC UA descriptor (called from the generated all_dissectors.cpp).
void registerDissector(DissectorRegistry& registry);

/// Heuristic for other ports: a UA TCP header "HEL"/"ACK"/"OPN"/"MSG"/"ERR"/"RHE"/"CLO" with a
/// chunk type F/C/A and a plausible size.
Probe probe(std::span<const std::uint8_t> payload);

}  // namespace ironsight::sensor::dissect::opcua
