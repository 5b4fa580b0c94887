// SPDX-License-Identifier: Apache-2.0
// Ipv4Reassembler: per-datagram buffer plus merged received ranges; oldest-first eviction.
#include "sensor-agent/decode/ipv4_reassembler.h"

#include <algorithm>
#include <iterator>

namespace ironsight::sensor::decode {

const char* toString(FragmentDrop reason) {
    switch (reason) {
        case FragmentDrop::Timeout:
            return "timeout";
        case FragmentDrop::Evicted:
            return "evicted";
        case FragmentDrop::Overlap:
            return "overlap";
        case FragmentDrop::Inconsistent:
            return "inconsistent";
        case FragmentDrop::TooLarge:
            return "too_large";
        case FragmentDrop::BadLength:
            return "bad_length";
        case FragmentDrop::Truncated:
            return "truncated";
        case FragmentDrop::TooFragmented:
            return "too_fragmented";
        case FragmentDrop::Count:
            break;
    }
    return "unknown";
}

void Ipv4Reassembler::drop(Map::iterator it, FragmentDrop reason) {
    bytes_ -= it->second.data.size();
    byAge_.erase(it->second.age);
    datagrams_.erase(it);
    ++counters_.dropped[static_cast<int>(reason)];
}

void Ipv4Reassembler::expire(std::int64_t nowUs) {
    while (!byAge_.empty()) {
        auto it = datagrams_.find(byAge_.front());
        if (nowUs - it->second.firstUs <= limits_.timeoutUs) break;
        drop(it, FragmentDrop::Timeout);
    }
}

bool Ipv4Reassembler::makeRoom(std::size_t bytes, const FragmentKey& keep) {
    if (bytes > limits_.maxBytes) return false;
    while (bytes_ + bytes > limits_.maxBytes) {
        auto oldest = byAge_.begin();
        if (oldest != byAge_.end() && *oldest == keep) ++oldest;
        if (oldest == byAge_.end()) return false;
        drop(datagrams_.find(*oldest), FragmentDrop::Evicted);
    }
    return true;
}

std::optional<std::span<const std::uint8_t>> Ipv4Reassembler::add(
    const FragmentKey& key, std::size_t offsetBytes, bool moreFragments,
    std::span<const std::uint8_t> payload, std::int64_t timestampUs) {
    ++counters_.fragments;
    expire(timestampUs);
    const std::size_t end = offsetBytes + payload.size();
    auto it = datagrams_.find(key);
    if (end > kMaxPayload) {  // "ping of death": would reassemble past 65535 bytes
        if (it != datagrams_.end()) {
            drop(it, FragmentDrop::TooLarge);
        } else {
            ++counters_.dropped[static_cast<int>(FragmentDrop::TooLarge)];
        }
        return std::nullopt;
    }
    if (moreFragments && (payload.empty() || payload.size() % 8 != 0)) {
        ++counters_.dropped[static_cast<int>(FragmentDrop::BadLength)];
        return std::nullopt;
    }
    if (it == datagrams_.end()) {
        const std::size_t cap = std::max<std::size_t>(limits_.maxDatagrams, 1);
        while (!byAge_.empty() && datagrams_.size() >= cap) {
            drop(datagrams_.find(byAge_.front()), FragmentDrop::Evicted);
        }
        it = datagrams_.emplace(key, Datagram{}).first;
        it->second.firstUs = timestampUs;
        it->second.age = byAge_.insert(byAge_.end(), key);
    }
    Datagram& d = it->second;

    // The end: fixed by the last fragment; nothing may reach past it, and it may not change.
    if (!moreFragments) {
        if ((d.total && *d.total != end) || end < d.data.size()) {
            drop(it, FragmentDrop::Inconsistent);
            return std::nullopt;
        }
        d.total = end;
    } else if (d.total && end > *d.total) {
        drop(it, FragmentDrop::Inconsistent);
        return std::nullopt;
    }

    // Overlaps: bytes received twice must agree.
    std::size_t covered = 0;
    for (const auto& [begin, stop] : d.have) {
        const std::size_t lo = std::max(begin, offsetBytes), hi = std::min(stop, end);
        if (lo >= hi) continue;
        if (!std::equal(d.data.begin() + static_cast<std::ptrdiff_t>(lo),
                        d.data.begin() + static_cast<std::ptrdiff_t>(hi),
                        payload.begin() + static_cast<std::ptrdiff_t>(lo - offsetBytes))) {
            drop(it, FragmentDrop::Overlap);
            return std::nullopt;
        }
        covered += hi - lo;
    }
    if (!payload.empty() && covered == payload.size()) {
        ++counters_.duplicates;  // nothing new (it may still have told us the end)
    } else if (!payload.empty()) {
        if (end > d.data.size()) {
            const std::size_t grow = end - d.data.size();
            if (!makeRoom(grow, key)) {
                drop(it, FragmentDrop::Evicted);
                return std::nullopt;
            }
            d.data.resize(end);
            bytes_ += grow;
        }
        std::copy(payload.begin(), payload.end(),
                  d.data.begin() + static_cast<std::ptrdiff_t>(offsetBytes));
        // Insert [offset, end) into the sorted, merged range list.
        auto pos = std::lower_bound(d.have.begin(), d.have.end(), offsetBytes,
                                    [](const std::pair<std::size_t, std::size_t>& r,
                                       std::size_t v) { return r.second < v; });
        std::size_t lo = offsetBytes, hi = end;
        auto last = pos;
        while (last != d.have.end() && last->first <= hi) {
            lo = std::min(lo, last->first);
            hi = std::max(hi, last->second);
            ++last;
        }
        pos = d.have.erase(pos, last);
        d.have.insert(pos, {lo, hi});
        if (d.have.size() > kMaxPieces) {
            drop(it, FragmentDrop::TooFragmented);
            return std::nullopt;
        }
    }

    if (!d.total || d.have.size() != 1 || d.have.front().first != 0 ||
        d.have.front().second != *d.total) {
        return std::nullopt;
    }
    bytes_ -= d.data.size();
    completed_.swap(d.data);  // complete: data.size() == total
    byAge_.erase(d.age);
    datagrams_.erase(it);
    ++counters_.reassembled;
    return std::span<const std::uint8_t>(completed_);
}

}  // namespace ironsight::sensor::decode
