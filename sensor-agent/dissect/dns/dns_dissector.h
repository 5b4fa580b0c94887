// SPDX-License-Identifier: Apache-2.0
// DNS dissector (UDP/TCP 53): queries as operations, local A/AAAA answers as host names.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "sensor-agent/dissect/core/dissector.h"
#include "sensor-agent/dissect/core/registry.h"
#include "sensor-agent/dissect/dns/dns_wire.h"

namespace ironsight::sensor::dissect::dns {

inline constexpr std::uint16_t kPort = 53;
inline constexpr std::size_t kMaxTcpMessage = 65535;
inline constexpr std::size_t kMaxPendingIds = 64;

class DnsDissector final : public Dissector {
public:
    static DissectorPtr create();
    ParseResult onData(const FlowContext& flow, Direction dir, std::span<const std::uint8_t> data,
                       EventSink& sink) noexcept override;

    /// One message: queries → operations; answers → identities of local answered addresses.
    /// Shared with the mDNS dissector through reportAnswers().
    void onMessage(const FlowContext& flow, std::span<const std::uint8_t> msg, EventSink& sink);

private:
    // Query ids seen on this flow, oldest first (bounded). A vector: most DNS flows carry one
    // query, and an empty vector allocates nothing (a deque allocates on construction).
    std::vector<std::uint16_t> pendingIds_;
};

/// Reports, for every A/AAAA record of `m` (whose address is local, when `localOnly`), an Identity
/// of `protocol` {hostname} for that address (the flow's server side is replaced by the address).
/// mDNS names lose their ".local" suffix. Returns how many were reported.
std::size_t reportAddressRecords(const FlowContext& flow, const Message& m,
                                 const std::string& protocol, bool localOnly, EventSink& sink);

/// "host.local" → "host" (RFC 6762 names); other names unchanged.
std::string hostPart(const std::string& name);

void registerDissector(DissectorRegistry& registry);

}  // namespace ironsight::sensor::dissect::dns
