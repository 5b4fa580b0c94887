// SPDX-License-Identifier: Apache-2.0
// EvidenceRecorder: the per-packet cost is one bounded memcpy into a preallocated buffer and one
// ring slot; everything else happens only when an alert is raised.
#include "sensor-agent/engine/evidence_recorder.h"

#include <algorithm>
#include <cstring>

namespace ironsight::sensor {
namespace {

constexpr std::size_t kMaxOpen = 256;              // captures collecting following packets at once
constexpr std::int64_t kFollowUs = 10'000'000;     // ... for at most this much capture time
constexpr std::size_t kMaxReadyBytes = 16u << 20;  // completed, not yet taken (consumer slow)

std::uint64_t align8(std::uint64_t n) {
    return (n + 7) & ~std::uint64_t{7};
}

}  // namespace

EvidenceRecorder::EvidenceRecorder(const EvidenceOptions& options) : options_(options) {
    options_.ringPackets = std::min(options_.ringPackets, PacketRing::kMaxCapacity);
    if (options_.ringPackets == 0 || options_.alertPackets == 0 || options_.packetBytes == 0) {
        return;
    }
    // At least a few hundred packets' room, whatever memoryBytes says.
    size_ = std::max<std::size_t>(options_.memoryBytes,
                                  256 * align8(sizeof(Header) + options_.packetBytes));
    // The flows' rings keep 32-bit distances (PacketRing::kHorizon): at most 2 GiB.
    size_ = std::min<std::size_t>(size_, PacketRing::kHorizon);
    // Not zero-filled: pages are touched only as packets are written.
    buffer_.reset(new std::uint8_t[size_]);
}

void EvidenceRecorder::packet(const RawPacket& raw) {
    current_ = kNone;
    currentRing_ = nullptr;
    if (!enabled()) return;
    const std::size_t length = std::min(raw.data.size(), options_.packetBytes);
    const std::uint64_t need = align8(sizeof(Header) + length);
    std::uint64_t offset = headOffset_;
    if (offset + need > size_) {  // records never wrap: skip the buffer's tail
        head_ += size_ - offset;
        offset = 0;
    }
    const Header h{raw.timestampUs, raw.wireLength, static_cast<std::uint32_t>(length),
                   raw.linkType, 0};
    std::memcpy(buffer_.get() + offset, &h, sizeof h);
    if (length > 0) std::memcpy(buffer_.get() + offset + sizeof h, raw.data.data(), length);
    current_ = head_;
    currentUs_ = raw.timestampUs;
    head_ += need;
    headOffset_ = offset + need == size_ ? 0 : offset + need;
}

void EvidenceRecorder::inFlow(PacketRing& ring) {
    if (current_ == kNone) return;
    ring.push(current_, options_.ringPackets, oldestReadable());
    currentRing_ = &ring;
}

bool EvidenceRecorder::read(std::uint64_t position, EvidencePacket& out, int* linkType) const {
    // Readable until the writer has lapped it.
    if (position == kNone || head_ - position > size_) return false;
    Header h;
    const std::uint8_t* at = buffer_.get() + position % size_;
    std::memcpy(&h, at, sizeof h);
    out.timestampUs = h.timestampUs;
    out.wireLength = h.wireLength;
    out.data.assign(at + sizeof h, at + sizeof h + h.length);
    if (linkType) *linkType = h.linkType;
    return true;
}

void EvidenceRecorder::raised(const std::string& alertId, bool created) {
    if (current_ == kNone || held_) return;  // not about the current packet
    Captured& c = captured_[alertId];
    if (!created && c.count > 0) {
        if (c.count > options_.repeatCaptures) return;
        if (currentUs_ - c.lastUs < options_.repeatIntervalUs) return;
    }
    if (std::find(raisedNow_.begin(), raisedNow_.end(), alertId) != raisedNow_.end()) return;
    ++c.count;
    c.lastUs = currentUs_;
    raisedNow_.push_back(alertId);
}

void EvidenceRecorder::endPacket() {
    if (current_ == kNone) return;
    if (!currentRing_) other_.push(current_, options_.ringPackets, oldestReadable());
    // Open captures: this packet if it is their flow's, and time limits.
    for (std::size_t i = 0; i < open_.size();) {
        Open& o = open_[i];
        if (o.ring == (currentRing_ ? currentRing_ : nullptr) && o.remaining > 0) {
            EvidencePacket p;
            if (read(current_, p, nullptr)) {
                o.evidence.packets.push_back(std::move(p));
                --o.remaining;
            }
        }
        if (o.remaining == 0 || currentUs_ - o.evidence.triggerUs > kFollowUs) {
            complete(i);  // swaps the last one in: look at index i again
        } else {
            ++i;
        }
    }
    for (const auto& id : raisedNow_) start(id);
    raisedNow_.clear();
    current_ = kNone;
    currentRing_ = nullptr;
}

void EvidenceRecorder::start(const std::string& alertId) {
    PacketRing& ring = currentRing_ ? *currentRing_ : other_;
    AlertEvidence ev;
    ev.alertId = alertId;
    ev.triggerUs = currentUs_;
    const std::size_t n = std::min(ring.size(), options_.alertPackets);
    for (std::size_t i = ring.size() - n; i < ring.size(); ++i) {
        EvidencePacket p;
        const std::uint64_t pos = ring.at(i, options_.ringPackets);
        int linkType = 1;
        if (!read(pos, p, &linkType)) continue;  // lapped by the writer
        if (pos == current_) {
            ev.linkType = linkType;
            ev.triggerIndex = ev.packets.size();
        }
        ev.packets.push_back(std::move(p));
    }
    if (ev.packets.empty()) return;
    ++captures_;
    const std::size_t remaining =
        options_.alertPackets - std::min(options_.alertPackets, ev.packets.size());
    if (remaining == 0 || open_.size() >= kMaxOpen) {
        open_.push_back({std::move(ev), nullptr, 0});
        complete(open_.size() - 1);
        return;
    }
    if (currentRing_) ++currentRing_->followers;
    open_.push_back({std::move(ev), currentRing_, remaining});
}

void EvidenceRecorder::complete(std::size_t i) {
    Open o = std::move(open_[i]);
    if (i + 1 != open_.size()) open_[i] = std::move(open_.back());
    open_.pop_back();
    if (o.ring && o.ring->followers > 0) --o.ring->followers;
    std::size_t bytes = 0;
    for (const auto& p : o.evidence.packets) bytes += p.data.size() + sizeof(Header);
    ready_.push_back(std::move(o.evidence));
    readyBytes_ += bytes;
    // Bounded when nobody takes them: the oldest completed captures go first.
    while (readyBytes_ > kMaxReadyBytes && ready_.size() > 1) {
        for (const auto& p : ready_.front().packets) readyBytes_ -= p.data.size() + sizeof(Header);
        ready_.pop_front();
        ++dropped_;
    }
}

void EvidenceRecorder::flowEnded(PacketRing& ring) {
    if (ring.followers == 0) return;
    for (std::size_t i = 0; i < open_.size();) {
        if (open_[i].ring == &ring) {
            complete(i);
        } else {
            ++i;
        }
    }
    ring.followers = 0;
}

void EvidenceRecorder::finish() {
    while (!open_.empty()) complete(open_.size() - 1);
}

std::vector<AlertEvidence> EvidenceRecorder::take() {
    std::vector<AlertEvidence> out(std::make_move_iterator(ready_.begin()),
                                   std::make_move_iterator(ready_.end()));
    ready_.clear();
    readyBytes_ = 0;
    return out;
}

}  // namespace ironsight::sensor
