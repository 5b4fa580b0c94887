// SPDX-License-Identifier: Apache-2.0
// HTTP/1.x dissector (TCP 80/8080): requests as operations; User-Agent and Server as identity.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <span>

#include "sensor-agent/dissect/core/dissector.h"
#include "sensor-agent/dissect/core/registry.h"

namespace ironsight::sensor::dissect::http {

inline constexpr std::size_t kMaxHeaderBytes = 16384;
inline constexpr std::size_t kMaxPipelined = 32;

class HttpDissector final : public Dissector {
public:
    static DissectorPtr create();
    ParseResult onData(const FlowContext& flow, Direction dir, std::span<const std::uint8_t> data,
                       EventSink& sink) noexcept override;
    void onGap(Direction dir) noexcept override;

private:
    struct Side {
        std::uint64_t bodyLeft = 0;  // body bytes still to skip
        bool ignore = false;         // body of unknown length (chunked / until close), or not HTTP
        bool resync = false;         // after a gap: wait silently for a message start
    };
    /// Parses one header block (complete, ending in CRLF CRLF) of `len` bytes.
    void onHeader(const FlowContext& flow, Direction dir, std::span<const std::uint8_t> head,
                  Side& side, EventSink& sink);
    Side sides_[2];
    std::deque<bool> headRequests_;  // per request in order: was it HEAD (bounded, kMaxPipelined)
};

void registerDissector(DissectorRegistry& registry);

}  // namespace ironsight::sensor::dissect::http
