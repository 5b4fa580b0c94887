// SPDX-License-Identifier: Apache-2.0
// Per-direction TCP payload ordering: in-order delivery, duplicates dropped, out-of-order
// segments buffered (bounded); when the buffer limit is hit the hole is declared a gap.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <vector>

namespace ironsight::sensor::decode {

struct ReassemblyLimits {
    std::size_t maxBufferedBytes = 256 * 1024;
    std::size_t maxBufferedSegments = 64;
};

class TcpReassembler {
public:
    using DataFn = std::function<void(std::span<const std::uint8_t>)>;
    using GapFn = std::function<void()>;

    explicit TcpReassembler(ReassemblyLimits limits = {}) : limits_(limits) {}

    /// Feeds one segment of this direction; calls onData with bytes that are now in order
    /// (possibly several times) and onGap when missing bytes are given up on.
    void segment(std::uint32_t seq, std::uint8_t flags, std::span<const std::uint8_t> payload,
                 const DataFn& onData, const GapFn& onGap);

    /// The peer acknowledged bytes of this direction up to `ack`. Remembered as a hint: when a
    /// later segment lies beyond a hole the peer has already acknowledged, the hole was lost by
    /// the capture (not by the network) and is skipped at once instead of waiting for the
    /// buffer limit ("ACKed unseen segment").
    void acked(std::uint32_t ack);

    std::uint64_t duplicates() const { return duplicates_; }
    std::uint64_t gaps() const { return gaps_; }
    std::size_t bufferedBytes() const { return pendingBytes_; }

private:
    void drain(const DataFn& onData);
    std::int64_t unwrap(std::uint32_t seq) const;

    ReassemblyLimits limits_;
    bool initialized_ = false;
    std::uint32_t isn_ = 0;       // sequence number of relative offset 0
    std::int64_t next_ = 0;       // next expected relative offset
    std::int64_t ackedHint_ = 0;  // highest relative offset the peer acknowledged
    std::map<std::int64_t, std::vector<std::uint8_t>> pending_;
    std::size_t pendingBytes_ = 0;
    std::uint64_t duplicates_ = 0, gaps_ = 0;
};

}  // namespace ironsight::sensor::decode
