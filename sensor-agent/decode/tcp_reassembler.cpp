// SPDX-License-Identifier: Apache-2.0
// TcpReassembler: sequence arithmetic is done on 64-bit offsets unwrapped around the next byte.
#include "sensor-agent/decode/tcp_reassembler.h"

#include <algorithm>

#include "sensor-agent/decode/packet.h"

namespace ironsight::sensor::decode {

// Two per concurrent flow (docs/BENCHMARKS.md "Memory ... session 9").
static_assert(sizeof(void*) != 8 || sizeof(TcpReassembler) <= 40);

const char* toString(GapReason reason) {
    switch (reason) {
        case GapReason::AckedUnseen:
            return "acked_unseen";
        case GapReason::BufferLimit:
            return "buffer_limit";
        case GapReason::EndOfStream:
            return "end_of_stream";
        case GapReason::Count:
            break;
    }
    return "unknown";
}

static_assert(tcpflag::kSyn == 0x02);  // TcpReassembler::kSyn (the header's inline segment())

void TcpReassembler::segmentAny(std::uint32_t seq, std::uint8_t flags,
                                std::span<const std::uint8_t> payload, DataRef onData,
                                GapRef onGap) {
    if (flags & tcpflag::kSyn) {
        // Data follows the SYN's own sequence number. A new SYN (port reuse) restarts the stream.
        if (next_ != 0 || !pending_.empty()) {
            pending_.clear();
            pendingBytes_ = 0;
        }
        isn_ = seq + 1;
        next_ = 0;
        ackedHint_ = 0;
        seq += 1;
    }
    if (payload.empty()) return;
    if (next_ < 0) {  // capture started mid-stream: the first byte we see is offset 0
        isn_ = seq;
        next_ = 0;
    }
    const std::int64_t rel = unwrap(seq);
    const std::int64_t end = rel + static_cast<std::int64_t>(payload.size());
    if (end <= next_) return;  // retransmission of bytes already delivered
    if (rel <= next_) {
        onData(payload.subspan(static_cast<std::size_t>(next_ - rel)));
        next_ = end;
        drain(onData);
        skipAckedHoles(onData, onGap);
        return;
    }
    // Out of order: keep it (the longer copy wins) until the hole is filled or given up.
    auto it = pending_.find(rel);
    if (it != pending_.end()) {
        if (it->second.size() >= payload.size()) return;  // a duplicate
        pendingBytes_ -= static_cast<std::uint32_t>(it->second.size());
    }
    pending_[rel] = std::vector<std::uint8_t>(payload.begin(), payload.end());
    pendingBytes_ += static_cast<std::uint32_t>(payload.size());
    // The peer already acknowledged everything before this segment: what we miss was lost by
    // the capture, so waiting cannot fill the hole.
    skipAckedHoles(onData, onGap);
    while (!pending_.empty() && (pendingBytes_ > maxBytes_ || pending_.size() > maxSegments_)) {
        skipHole(GapReason::BufferLimit, onData, onGap);  // resync at the first byte we have
    }
}

void TcpReassembler::acked(std::uint32_t ack, DataRef onData, GapRef onGap) {
    acked(ack);
    skipAckedHoles(onData, onGap);
}

void TcpReassembler::flush(DataRef onData, GapRef onGap) {
    drain(onData);
    while (!pending_.empty()) skipHole(GapReason::EndOfStream, onData, onGap);
}

void TcpReassembler::skipAckedHoles(DataRef onData, GapRef onGap) {
    // drain() leaves only segments beyond next_: the first one starts after a hole. The peer
    // acknowledging its first byte means it received the whole hole.
    while (!pending_.empty() && pending_.begin()->first <= ackedHint_) {
        skipHole(GapReason::AckedUnseen, onData, onGap);
    }
}

void TcpReassembler::skipHole(GapReason reason, DataRef onData, GapRef onGap) {
    onGap(reason);
    next_ = std::max(next_, pending_.begin()->first);
    drain(onData);
}

void TcpReassembler::drain(DataRef onData) {
    while (!pending_.empty() && pending_.begin()->first <= next_) {
        auto node = pending_.extract(pending_.begin());
        pendingBytes_ -= static_cast<std::uint32_t>(node.mapped().size());
        const std::int64_t rel = node.key();
        const std::int64_t end = rel + static_cast<std::int64_t>(node.mapped().size());
        if (end > next_) {
            onData(std::span<const std::uint8_t>(node.mapped())
                       .subspan(static_cast<std::size_t>(next_ - rel)));
            next_ = end;
        }  // else: a duplicate
    }
}

}  // namespace ironsight::sensor::decode
