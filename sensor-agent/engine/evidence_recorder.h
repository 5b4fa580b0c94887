// SPDX-License-Identifier: Apache-2.0
// Alert evidence for the engine (SPEC §3.5): every packet is copied (at most packetBytes) into one
// round-robin buffer of fixed size, the hard memory bound; each flow keeps a ring of the positions
// of its recent packets. When an alert is raised, its flow's ring (the packets before and the
// trigger) and the flow's next packets, up to alertPackets, become the alert's evidence.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <deque>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "sensor-agent/capture/raw_packet.h"
#include "sensor-agent/engine/engine.h"

namespace ironsight::sensor {

/// Positions of one flow's recent packets in the recorder's buffer. This is memory per
/// concurrent flow, so: the slots are allocated on first use and grow (4, 8, 12, 16, 32 ... up
/// to the ring's capacity) as the flow sends packets; and they hold 32-bit distances from a base
/// position kept in front of them, not 64-bit positions. A position more than kHorizon behind
/// the newest one is unreadable anyway (the recorder's buffer is at most that large), so when a
/// distance would not fit the base moves up and such positions become kLapped.
class PacketRing {
public:
    /// The largest ring (EvidenceOptions::ringPackets is clamped to it).
    static constexpr std::size_t kMaxCapacity = 65535;
    /// The largest evidence buffer (EvidenceOptions::memoryBytes is clamped to it).
    static constexpr std::uint64_t kHorizon = std::uint64_t{1} << 31;
    /// at(): a position that is certainly overwritten (the recorder's "none").
    static constexpr std::uint64_t kLapped = ~std::uint64_t{0};

    /// Positions must not decrease from one push to the next. `oldestReadable`: positions
    /// before it are overwritten in the recorder's buffer, so a full ring forgets those instead
    /// of growing (a flow that sends a packet every few minutes keeps 4 slots, not 16).
    void push(std::uint64_t position, std::size_t capacity, std::uint64_t oldestReadable = 0) {
        if (count_ == slotCount_ && slotCount_ < capacity) {
            if (oldestReadable > 0) forgetOlderThan(oldestReadable);
            if (count_ == slotCount_) grow(position, capacity);
        }
        if (position - base() >= kLappedDistance) rebase(position);
        slots_[kHeader + next_] = static_cast<std::uint32_t>(position - base());
        if (++next_ == slotCount_) next_ = 0;
        if (count_ < slotCount_) ++count_;
    }
    std::size_t size() const { return count_; }
    /// Slots allocated (the ring's memory, 4 bytes each).
    std::size_t slotCount() const { return slotCount_; }
    /// The i-th oldest remembered position (i < size()), or kLapped.
    std::uint64_t at(std::size_t i, std::size_t /*capacity*/) const {
        const std::uint32_t distance = slots_[kHeader + (next_ + slotCount_ - count_ + i) % slotCount_];
        return distance == kLappedDistance ? kLapped : base() + distance;
    }

private:
    static constexpr std::size_t kHeader = 2;  // the base position, in the first two words
    static constexpr std::uint32_t kLappedDistance = ~std::uint32_t{0};

    std::uint64_t base() const {
        std::uint64_t base;
        std::memcpy(&base, slots_.get(), sizeof base);
        return base;
    }
    void setBase(std::uint64_t base) { std::memcpy(slots_.get(), &base, sizeof base); }
    void grow(std::uint64_t position, std::size_t capacity) {
        // By 4 up to 16 slots (the default ring): with the base, 4, 8, 12 and 16 slots fill
        // malloc blocks of 32, 48, 64 and 80 bytes exactly. Doubling from there.
        const std::size_t size = std::min<std::size_t>(
            slotCount_ < 16 ? slotCount_ + 4 : 2 * std::size_t{slotCount_}, capacity);
        auto slots = std::make_unique<std::uint32_t[]>(kHeader + size);
        for (std::size_t i = 0; i < count_; ++i) {  // oldest first, same base
            slots[kHeader + i] = slots_[kHeader + (next_ + slotCount_ - count_ + i) % slotCount_];
        }
        const std::uint64_t base = slots_ ? this->base() : position;
        slots_ = std::move(slots);
        setBase(base);
        slotCount_ = static_cast<std::uint16_t>(size);
        next_ = count_;  // count_ < size: the next slot is free
    }
    void forgetOlderThan(std::uint64_t oldest) {  // oldest first: stop at the first kept one
        while (count_ > 0) {
            const std::uint32_t distance =
                slots_[kHeader + (next_ + slotCount_ - count_) % slotCount_];
            if (distance != kLappedDistance && base() + distance >= oldest) return;
            --count_;
        }
    }
    void rebase(std::uint64_t position) {
        const std::uint64_t old = base(), base = position - kHorizon;
        for (std::size_t j = 0; j < slotCount_; ++j) {
            std::uint32_t& distance = slots_[kHeader + j];
            if (distance == kLappedDistance) continue;
            const std::uint64_t at = old + distance;
            distance = at < base ? kLappedDistance : static_cast<std::uint32_t>(at - base);
        }
        setBase(base);
    }

    std::unique_ptr<std::uint32_t[]> slots_;  // the base (two words), then the distances
    std::uint16_t slotCount_ = 0, next_ = 0, count_ = 0;

public:
    /// Captures still collecting this flow's next packets (so a dropped flow ends them); at
    /// most the recorder's open captures (256). (Declared last: the ring packs into 16 bytes.)
    std::uint16_t followers = 0;
};
static_assert(sizeof(PacketRing) <= 16 || sizeof(void*) != 8);

class EvidenceRecorder {
public:
    explicit EvidenceRecorder(const EvidenceOptions& options);
    bool enabled() const { return size_ > 0; }

    /// A packet arrives (before it is decoded): its bytes are copied into the buffer.
    void packet(const RawPacket& raw);
    /// The current packet belongs to this flow (TCP/UDP); else it goes to the "other" ring.
    void inFlow(PacketRing& ring);
    /// An alert was raised while analysing the current packet (Detector raise hook).
    void raised(const std::string& alertId, bool created);
    /// The current packet is analysed: following packets are added to open captures, then the
    /// alerts it raised start their captures.
    void endPacket();
    /// A flow is dropped: captures waiting for its next packets complete.
    void flowEnded(PacketRing& ring);
    /// While held, raises are not captured: another flow's buffered data is being delivered
    /// (expiry during the current packet), so the current packet is not their trigger.
    void hold(bool on) { held_ = on; }
    /// End of the capture: every open capture completes.
    void finish();
    std::vector<AlertEvidence> take();
    std::uint64_t captures() const { return captures_; }
    std::uint64_t dropped() const { return dropped_; }

private:
    struct Header {  // in front of each packet's bytes in the buffer
        std::int64_t timestampUs;
        std::uint32_t wireLength, length;
        std::int32_t linkType, reserved;
    };
    struct Open {
        AlertEvidence evidence;
        PacketRing* ring;  // whose next packets complete it (nullptr: the "other" ring)
        std::size_t remaining;
    };
    struct Captured {
        std::int64_t lastUs = 0;
        std::size_t count = 0;
    };
    bool read(std::uint64_t position, EvidencePacket& out, int* linkType) const;
    /// Positions before this one are overwritten (read() refuses them).
    std::uint64_t oldestReadable() const { return head_ > size_ ? head_ - size_ : 0; }
    void start(const std::string& alertId);
    void complete(std::size_t openIndex);

    EvidenceOptions options_;
    std::size_t size_ = 0;  // buffer bytes; 0: evidence off
    std::unique_ptr<std::uint8_t[]> buffer_;
    std::uint64_t head_ = 0;  // logical write position (monotonic; position % size_ in buffer_)
    std::uint64_t headOffset_ = 0;  // head_ % size_, kept: no division per packet
    static constexpr std::uint64_t kNone = ~std::uint64_t{0};
    static_assert(kNone == PacketRing::kLapped);  // a lapped ring slot reads as "none"
    std::uint64_t current_ = kNone;  // the packet being analysed
    std::int64_t currentUs_ = 0;
    PacketRing* currentRing_ = nullptr;
    bool held_ = false;
    PacketRing other_;  // packets outside TCP/UDP flows (ARP, ICMP, LLDP ...)
    std::vector<std::string> raisedNow_;
    std::unordered_map<std::string, Captured> captured_;  // per alert id
    std::vector<Open> open_;
    std::deque<AlertEvidence> ready_;
    std::size_t readyBytes_ = 0;
    std::uint64_t captures_ = 0, dropped_ = 0;
};

}  // namespace ironsight::sensor
