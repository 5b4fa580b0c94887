// SPDX-License-Identifier: Apache-2.0
// Alert evidence for the engine (SPEC §3.5): every packet is copied (at most packetBytes) into one
// round-robin buffer of fixed size, the hard memory bound; each flow keeps a ring of the positions
// of its recent packets. When an alert is raised, its flow's ring (the packets before and the
// trigger) and the flow's next packets, up to alertPackets, become the alert's evidence.
#pragma once

#include <algorithm>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "sensor-agent/capture/raw_packet.h"
#include "sensor-agent/engine/engine.h"

namespace ironsight::sensor {

/// Positions of one flow's recent packets in the recorder's buffer. The slots are allocated on
/// first use and grow (4, 8, ... up to the ring's capacity) as the flow sends packets: most
/// concurrent flows send a handful, and this is memory per flow.
class PacketRing {
public:
    /// The largest ring (EvidenceOptions::ringPackets is clamped to it).
    static constexpr std::size_t kMaxCapacity = 65535;
    void push(std::uint64_t position, std::size_t capacity) {
        if (count_ == slotCount_ && slotCount_ < capacity) grow(capacity);
        slots_[next_] = position;
        if (++next_ == slotCount_) next_ = 0;
        if (count_ < slotCount_) ++count_;
    }
    std::size_t size() const { return count_; }
    /// The i-th oldest remembered position (i < size()).
    std::uint64_t at(std::size_t i, std::size_t /*capacity*/) const {
        return slots_[(next_ + slotCount_ - count_ + i) % slotCount_];
    }
    /// Captures still collecting this flow's next packets (so a dropped flow ends them); at
    /// most the recorder's open captures (256).
    std::uint16_t followers = 0;

private:
    void grow(std::size_t capacity) {
        const std::size_t size =
            std::min<std::size_t>(slotCount_ ? 2 * std::size_t{slotCount_} : 4, capacity);
        auto slots = std::make_unique<std::uint64_t[]>(size);
        for (std::size_t i = 0; i < count_; ++i) slots[i] = at(i, capacity);  // oldest first
        slots_ = std::move(slots);
        slotCount_ = static_cast<std::uint16_t>(size);
        next_ = count_;  // count_ < size: the next slot is free
    }
    std::unique_ptr<std::uint64_t[]> slots_;
    std::uint16_t slotCount_ = 0, next_ = 0, count_ = 0;
};

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
    void start(const std::string& alertId);
    void complete(std::size_t openIndex);

    EvidenceOptions options_;
    std::size_t size_ = 0;  // buffer bytes; 0: evidence off
    std::unique_ptr<std::uint8_t[]> buffer_;
    std::uint64_t head_ = 0;  // logical write position (monotonic; position % size_ in buffer_)
    static constexpr std::uint64_t kNone = ~std::uint64_t{0};
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
