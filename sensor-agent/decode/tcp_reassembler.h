// SPDX-License-Identifier: Apache-2.0
// Per-direction TCP payload ordering: in-order delivery, duplicates dropped, out-of-order
// segments buffered (bounded); holes are declared gaps when the peer acknowledged the missing
// bytes, when the buffer limit is hit, or at the end of the capture.
#pragma once

#include <array>
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

/// Why missing bytes were given up on.
enum class GapReason {
    AckedUnseen,  // the peer acknowledged bytes the capture never saw (lost by the capture)
    BufferLimit,  // too much data waited behind the hole
    EndOfStream,  // flush(): the capture ended (or the flow expired) with the hole still open
    Count
};
const char* toString(GapReason reason);

class TcpReassembler {
public:
    using DataFn = std::function<void(std::span<const std::uint8_t>)>;
    using GapFn = std::function<void(GapReason)>;

    explicit TcpReassembler(ReassemblyLimits limits = {}) : limits_(limits) {}

    /// Feeds one segment of this direction; calls onData with bytes that are now in order
    /// (possibly several times) and onGap (with the reason) when missing bytes are given up on.
    void segment(std::uint32_t seq, std::uint8_t flags, std::span<const std::uint8_t> payload,
                 const DataFn& onData, const GapFn& onGap);

    /// The peer acknowledged bytes of this direction up to `ack`. Remembered as a hint: when a
    /// later segment lies beyond a hole the peer has already acknowledged, the hole was lost by
    /// the capture (not by the network) and is skipped at once instead of waiting for the
    /// buffer limit ("ACKed unseen segment").
    void acked(std::uint32_t ack);
    /// As acked(ack), and also skips holes in front of data already buffered that the peer has
    /// now acknowledged: onGap for each such hole, then onData with what follows it.
    void acked(std::uint32_t ack, const DataFn& onData, const GapFn& onGap);

    /// End of the stream as far as we will see it: declares every remaining hole a gap and
    /// delivers all buffered data. The reassembler stays usable afterwards.
    void flush(const DataFn& onData, const GapFn& onGap);

    std::uint64_t duplicates() const { return duplicates_; }
    std::uint64_t gaps() const;
    std::uint64_t gaps(GapReason reason) const { return gaps_[static_cast<std::size_t>(reason)]; }
    std::size_t bufferedBytes() const { return pendingBytes_; }

private:
    void drain(const DataFn& onData);
    void skipAckedHoles(const DataFn& onData, const GapFn& onGap);
    /// Declares the hole before the first buffered segment a gap and delivers from there.
    void skipHole(GapReason reason, const DataFn& onData, const GapFn& onGap);
    std::int64_t unwrap(std::uint32_t seq) const;

    ReassemblyLimits limits_;
    bool initialized_ = false;
    std::uint32_t isn_ = 0;       // sequence number of relative offset 0
    std::int64_t next_ = 0;       // next expected relative offset
    std::int64_t ackedHint_ = 0;  // highest relative offset the peer acknowledged
    std::map<std::int64_t, std::vector<std::uint8_t>> pending_;
    std::size_t pendingBytes_ = 0;
    std::uint64_t duplicates_ = 0;
    std::array<std::uint64_t, static_cast<std::size_t>(GapReason::Count)> gaps_{};
};

}  // namespace ironsight::sensor::decode
