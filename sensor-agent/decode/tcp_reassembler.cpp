// SPDX-License-Identifier: Apache-2.0
// TcpReassembler: sequence arithmetic is done on 64-bit offsets unwrapped around the next byte.
#include "sensor-agent/decode/tcp_reassembler.h"

#include "sensor-agent/decode/packet.h"

namespace ironsight::sensor::decode {

void TcpReassembler::segment(std::uint32_t seq, std::uint8_t flags,
                             std::span<const std::uint8_t> payload, const DataFn& onData,
                             const GapFn& onGap) {
    if (flags & tcpflag::kSyn) {
        // Data follows the SYN's own sequence number. A new SYN (port reuse) restarts the stream.
        if (!initialized_ || next_ != 0 || !pending_.empty()) {
            pending_.clear();
            pendingBytes_ = 0;
        }
        initialized_ = true;
        isn_ = seq + 1;
        next_ = 0;
        seq += 1;
    }
    if (payload.empty()) return;
    if (!initialized_) {  // capture started mid-stream: the first byte we see is offset 0
        initialized_ = true;
        isn_ = seq;
        next_ = 0;
    }
    const std::int64_t rel = unwrap(seq);
    const std::int64_t end = rel + static_cast<std::int64_t>(payload.size());
    if (end <= next_) {  // retransmission of bytes already delivered
        ++duplicates_;
        return;
    }
    if (rel <= next_) {
        onData(payload.subspan(static_cast<std::size_t>(next_ - rel)));
        next_ = end;
        drain(onData);
        return;
    }
    if (ackedHint_ >= rel) {
        // The peer already acknowledged everything before this segment: what we miss was lost
        // by the capture. Deliver what we hold, skip the holes, then this segment.
        while (next_ < rel) {
            if (!pending_.empty() && pending_.begin()->first <= next_) {
                drain(onData);
                continue;
            }
            ++gaps_;
            onGap();
            next_ =
                !pending_.empty() && pending_.begin()->first < rel ? pending_.begin()->first : rel;
        }
        if (end > next_) {
            onData(payload.subspan(static_cast<std::size_t>(next_ - rel)));
            next_ = end;
        }
        drain(onData);
        return;
    }
    // Out of order: keep it (the longer copy wins) until the hole is filled or given up.
    auto it = pending_.find(rel);
    if (it != pending_.end()) {
        if (it->second.size() >= payload.size()) {
            ++duplicates_;
            return;
        }
        pendingBytes_ -= it->second.size();
    }
    pending_[rel] = std::vector<std::uint8_t>(payload.begin(), payload.end());
    pendingBytes_ += payload.size();
    if (pendingBytes_ > limits_.maxBufferedBytes || pending_.size() > limits_.maxBufferedSegments) {
        ++gaps_;
        onGap();
        next_ = pending_.begin()->first;  // resync at the first byte we have
        drain(onData);
    }
}

std::int64_t TcpReassembler::unwrap(std::uint32_t seq) const {
    const std::uint32_t rel32 = seq - isn_;
    return next_ + static_cast<std::int32_t>(rel32 - static_cast<std::uint32_t>(next_));
}

void TcpReassembler::acked(std::uint32_t ack) {
    constexpr std::int64_t kMaxAckJump = 1 << 20;  // ignore implausible (fuzzed) acknowledgements
    if (!initialized_) return;
    const std::int64_t rel = unwrap(ack);
    if (rel > ackedHint_ && rel - next_ <= kMaxAckJump) ackedHint_ = rel;
}

void TcpReassembler::drain(const DataFn& onData) {
    while (!pending_.empty() && pending_.begin()->first <= next_) {
        auto node = pending_.extract(pending_.begin());
        pendingBytes_ -= node.mapped().size();
        const std::int64_t rel = node.key();
        const std::int64_t end = rel + static_cast<std::int64_t>(node.mapped().size());
        if (end > next_) {
            onData(std::span<const std::uint8_t>(node.mapped())
                       .subspan(static_cast<std::size_t>(next_ - rel)));
            next_ = end;
        } else {
            ++duplicates_;
        }
    }
}

}  // namespace ironsight::sensor::decode
