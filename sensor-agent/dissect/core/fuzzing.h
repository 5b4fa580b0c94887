// SPDX-License-Identifier: Apache-2.0
// Shared libFuzzer harness for stream dissectors: arbitrary bytes become segments, directions and
// gaps, delivered the way the engine does (unconsumed bytes are offered again with the next one).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "sensor-agent/dissect/core/dissector.h"

namespace ironsight::sensor::dissect {

/// Discards every event (fuzzers only look for crashes and sanitizer reports).
struct NullSink : EventSink {
    void onOperation(const FlowContext&, const Operation&) override {}
    void onIdentity(const FlowContext&, const Identity&) override {}
    void onAnomaly(const FlowContext&, std::string_view, std::string_view) override {}
};

/// Each chunk starts with a control byte: bit 0 direction (1 = to client), bit 1 a gap before the
/// chunk, bits 2-7 the chunk length - 1. Datagram transports get each chunk on its own.
inline void feedChunks(Dissector& dissector, const FlowContext& flow, const std::uint8_t* data,
                       std::size_t size) {
    NullSink sink;
    std::vector<std::uint8_t> pending[2];
    std::size_t pos = 0;
    while (pos < size) {
        const int dir = data[pos] & 1;
        const bool gap = (data[pos] & 2) != 0;
        const std::size_t len = std::min<std::size_t>((data[pos] >> 2) + 1, size - pos - 1);
        ++pos;
        auto& buf = pending[dir];
        const auto direction = dir ? Direction::ToClient : Direction::ToServer;
        if (gap || flow.transport == Transport::Udp) {
            buf.clear();
            if (gap) dissector.onGap(direction);
        }
        buf.insert(buf.end(), data + pos, data + pos + len);
        pos += len;
        const auto r = dissector.onData(flow, direction, buf, sink);
        if (r.status == ParseResult::Status::Error || r.consumed >= buf.size()) {
            buf.clear();
        } else {
            buf.erase(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(r.consumed));
        }
    }
}

}  // namespace ironsight::sensor::dissect
