// SPDX-License-Identifier: Apache-2.0
// IPv4 fragment reassembly with bounded memory (SPEC §3.2). Fragments are keyed by source,
// destination, IP id, protocol and VLAN (RFC 791 plus the VLAN: the same id on two VLANs is two
// datagrams). A complete datagram's payload goes on through the normal TCP/UDP path.
//
// Bounds: at most `maxDatagrams` incomplete datagrams and `maxBytes` of buffered payload; when a
// new fragment would pass either, the oldest incomplete datagrams are evicted first. A datagram
// not complete `timeoutUs` (packet time) after its first fragment is dropped.
//
// Overlap policy (documented in docs/SENSOR.md): a fragment whose bytes all repeat bytes already
// received is a duplicate and ignored; overlapping bytes that agree are accepted (retransmission
// with other fragment boundaries); overlapping bytes that DISAGREE discard the whole datagram.
// Conflicting overlaps are how IDS evasion works (the receiver's and the sensor's views differ by
// OS policy), and Linux itself discards such datagrams, so the sensor reports nothing rather than
// guessing. Every discarded fragment or datagram is counted by reason.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <list>
#include <optional>
#include <span>
#include <unordered_map>
#include <vector>

namespace ironsight::sensor::decode {

struct FragmentLimits {
    std::size_t maxDatagrams = 1024;          // incomplete datagrams held at once
    std::size_t maxBytes = 8 * 1024 * 1024;   // payload bytes buffered across them
    std::int64_t timeoutUs = 30 * 1000000LL;  // from the first fragment, by packet time
};

/// Why fragments or datagrams were discarded.
enum class FragmentDrop : int {
    Timeout,        // datagram incomplete when its time ran out
    Evicted,        // datagram evicted to stay within maxDatagrams / maxBytes
    Overlap,        // datagram discarded: overlapping fragments with different bytes
    Inconsistent,   // datagram discarded: two different ends, or data past the end
    TooLarge,       // datagram discarded: a fragment reaching past 65535 bytes
    BadLength,      // fragment discarded: not the last one but empty or not a multiple of 8
    Truncated,      // fragment discarded: the capture cut it short (snaplen)
    TooFragmented,  // datagram discarded: more than kMaxPieces separate pieces at once
    Count
};
const char* toString(FragmentDrop reason);

struct ReassemblyCounters {
    std::uint64_t fragments = 0;    // fragments offered
    std::uint64_t reassembled = 0;  // datagrams completed
    std::uint64_t duplicates = 0;   // fragments adding no new byte (ignored)
    std::array<std::uint64_t, static_cast<int>(FragmentDrop::Count)> dropped{};
};

struct FragmentKey {
    std::uint32_t src = 0, dst = 0;
    std::uint16_t id = 0, vlan = 0;
    std::uint8_t protocol = 0;
    bool operator==(const FragmentKey&) const = default;
};

class Ipv4Reassembler {
public:
    static constexpr std::size_t kMaxPayload = 65535 - 20;  // largest IPv4 payload
    /// Disjoint received ranges one datagram may have (adjacent fragments merge into one range:
    /// real traffic has one or two); keeps a hostile datagram of tiny fragments cheap.
    static constexpr std::size_t kMaxPieces = 128;

    explicit Ipv4Reassembler(FragmentLimits limits = {}) : limits_(limits) {}

    /// Adds one fragment: its IP payload, at `offsetBytes` (fragment offset x 8), with the MF
    /// flag. When this fragment completes the datagram, returns the whole IP payload (valid until
    /// the next add()); otherwise nothing.
    std::optional<std::span<const std::uint8_t>> add(const FragmentKey& key,
                                                     std::size_t offsetBytes, bool moreFragments,
                                                     std::span<const std::uint8_t> payload,
                                                     std::int64_t timestampUs);
    /// Counts a fragment the capture truncated (it cannot be used).
    void truncated() {
        ++counters_.fragments;
        ++counters_.dropped[static_cast<int>(FragmentDrop::Truncated)];
    }
    /// Drops datagrams whose time ran out at `nowUs` (add() does this too).
    void expire(std::int64_t nowUs);

    const ReassemblyCounters& counters() const { return counters_; }
    std::uint64_t dropped(FragmentDrop reason) const {
        return counters_.dropped[static_cast<int>(reason)];
    }
    std::size_t pendingDatagrams() const { return datagrams_.size(); }
    std::size_t pendingBytes() const { return bytes_; }

private:
    struct KeyHash {
        std::size_t operator()(const FragmentKey& k) const noexcept {
            std::uint64_t h = (std::uint64_t{k.src} << 32) ^ k.dst;
            h ^= (std::uint64_t{k.id} << 16 | std::uint64_t{k.vlan} << 40 | k.protocol) *
                 0x9e3779b97f4a7c15ULL;
            h ^= h >> 29;
            return static_cast<std::size_t>(h * 0xbf58476d1ce4e5b9ULL);
        }
    };
    struct Datagram {
        std::vector<std::uint8_t> data;                         // sized to the highest end seen
        std::vector<std::pair<std::size_t, std::size_t>> have;  // received [begin, end), merged
        std::optional<std::size_t> total;                       // known once MF=0 arrived
        std::int64_t firstUs = 0;
        std::list<FragmentKey>::iterator age;
    };
    using Map = std::unordered_map<FragmentKey, Datagram, KeyHash>;

    void drop(Map::iterator it, FragmentDrop reason);
    bool makeRoom(std::size_t bytes, const FragmentKey& keep);

    FragmentLimits limits_;
    Map datagrams_;
    std::list<FragmentKey> byAge_;  // oldest first
    std::size_t bytes_ = 0;
    std::vector<std::uint8_t> completed_;
    ReassemblyCounters counters_;
};

}  // namespace ironsight::sensor::decode
