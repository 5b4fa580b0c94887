// SPDX-License-Identifier: Apache-2.0
// Per-direction TCP payload ordering: in-order delivery, duplicates dropped, out-of-order
// segments buffered (bounded); holes are declared gaps when the peer acknowledged the missing
// bytes, when the buffer limit is hit, or at the end of the capture.
#pragma once

#include <algorithm>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <type_traits>
#include <utility>
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

/// A non-owning reference to a callable, valid while the referenced callable lives (for the
/// duration of a call taking it): unlike std::function it never allocates, so per-packet
/// callbacks cost nothing to pass.
template <class Signature>
class FunctionRef;
template <class R, class... Args>
class FunctionRef<R(Args...)> {
public:
    template <class F>
    requires(!std::is_same_v<std::remove_cvref_t<F>, FunctionRef> &&
             std::is_invocable_r_v<R, F&, Args...>) FunctionRef(F&& f)
    noexcept  // NOLINT(google-explicit-constructor): used like std::function
        : object_(const_cast<void*>(static_cast<const void*>(std::addressof(f)))),
          call_([](void* object, Args... args) -> R {
              return (*static_cast<std::remove_reference_t<F>*>(object))(
                  std::forward<Args>(args)...);
          }) {}
    R operator()(Args... args) const { return call_(object_, std::forward<Args>(args)...); }

private:
    void* object_;
    R (*call_)(void*, Args...);
};

class TcpReassembler {
public:
    using DataFn = std::function<void(std::span<const std::uint8_t>)>;
    using GapFn = std::function<void(GapReason)>;
    /// What the methods take: any callable (a lambda, a DataFn/GapFn), referenced, not copied.
    using DataRef = FunctionRef<void(std::span<const std::uint8_t>)>;
    using GapRef = FunctionRef<void(GapReason)>;

    explicit TcpReassembler(ReassemblyLimits limits = {})
        : maxBytes_(static_cast<std::uint32_t>(
              std::min<std::size_t>(limits.maxBufferedBytes, UINT32_MAX / 2))),
          maxSegments_(static_cast<std::uint16_t>(
              std::min<std::size_t>(limits.maxBufferedSegments, UINT16_MAX))) {}

    /// Feeds one segment of this direction; calls onData with bytes that are now in order
    /// (possibly several times) and onGap (with the reason) when missing bytes are given up on.
    void segment(std::uint32_t seq, std::uint8_t flags, std::span<const std::uint8_t> payload,
                 DataRef onData, GapRef onGap) {
        // Inline, most segments: no SYN, and no payload (an acknowledgement) or the next bytes
        // with nothing buffered (delivered as they are); segmentAny() does the rest.
        if ((flags & kSyn) == 0) {
            if (payload.empty()) return;
            if (next_ >= 0 && pending_.empty() && unwrap(seq) == next_) {
                onData(payload);
                next_ += static_cast<std::int64_t>(payload.size());
                return;
            }
        }
        segmentAny(seq, flags, payload, onData, onGap);
    }

    /// The peer acknowledged bytes of this direction up to `ack`. Remembered as a hint: when a
    /// later segment lies beyond a hole the peer has already acknowledged, the hole was lost by
    /// the capture (not by the network) and is skipped at once instead of waiting for the
    /// buffer limit ("ACKed unseen segment").
    void acked(std::uint32_t ack) {
        constexpr std::int64_t kMaxAckJump = 1 << 20;  // ignore implausible (fuzzed) ones
        if (next_ < 0) return;                         // nothing to acknowledge yet
        const std::int64_t rel = unwrap(ack);
        if (rel > ackedHint_ && rel - next_ <= kMaxAckJump) ackedHint_ = rel;
    }
    /// As acked(ack), and also skips holes in front of data already buffered that the peer has
    /// now acknowledged: onGap for each such hole, then onData with what follows it.
    void acked(std::uint32_t ack, DataRef onData, GapRef onGap);

    /// End of the stream as far as we will see it: declares every remaining hole a gap and
    /// delivers all buffered data. The reassembler stays usable afterwards.
    void flush(DataRef onData, GapRef onGap);

    std::size_t bufferedBytes() const { return pendingBytes_; }

private:
    static constexpr std::uint8_t kSyn = 0x02;  // tcpflag::kSyn (decode/packet.h)
    void segmentAny(std::uint32_t seq, std::uint8_t flags, std::span<const std::uint8_t> payload,
                    DataRef onData, GapRef onGap);
    void drain(DataRef onData);
    void skipAckedHoles(DataRef onData, GapRef onGap);
    /// Declares the hole before the first buffered segment a gap and delivers from there.
    void skipHole(GapReason reason, DataRef onData, GapRef onGap);
    /// The relative offset of `seq`: the one nearest to next_.
    std::int64_t unwrap(std::uint32_t seq) const {
        const std::uint32_t rel32 = seq - isn_;
        return next_ + static_cast<std::int32_t>(rel32 - static_cast<std::uint32_t>(next_));
    }

    /// The out-of-order segments by relative offset; the map is only allocated while something
    /// is buffered, so an in-order flow direction costs 8 bytes here (per-flow memory).
    class Pending {
    public:
        using Map = std::map<std::int64_t, std::vector<std::uint8_t>>;
        bool empty() const { return !map_ || map_->empty(); }
        std::size_t size() const { return map_ ? map_->size() : 0; }
        void clear() { map_.reset(); }
        Map::iterator begin() { return map().begin(); }
        Map::iterator end() { return map().end(); }
        Map::iterator find(std::int64_t key) { return map().find(key); }
        std::vector<std::uint8_t>& operator[](std::int64_t key) { return map()[key]; }
        Map::node_type extract(Map::iterator it) {
            auto node = map_->extract(it);
            if (map_->empty()) map_.reset();
            return node;
        }

    private:
        Map& map() {
            if (!map_) map_ = std::make_unique<Map>();
            return *map_;
        }
        std::unique_ptr<Map> map_;
    };

    // Two per flow: ordered to pack into 40 bytes. (Gaps are counted by the caller, through
    // onGap; duplicates show in nothing delivered twice.)
    std::uint32_t maxBytes_;
    std::uint32_t isn_ = 0;       // sequence number of relative offset 0
    std::int64_t next_ = -1;      // next expected relative offset; -1: no byte or SYN seen yet
    std::int64_t ackedHint_ = 0;  // highest relative offset the peer acknowledged
    Pending pending_;
    std::uint32_t pendingBytes_ = 0;  // bounded by maxBytes_ plus one segment
    std::uint16_t maxSegments_;       // at most 65,535
};

}  // namespace ironsight::sensor::decode
