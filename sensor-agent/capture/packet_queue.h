// SPDX-License-Identifier: Apache-2.0
// PacketQueue: the bounded hand-off from capture threads (one per interface) to the single
// analysis thread. Producers copy each frame into the current batch and never block: when the
// batch is full the frame is dropped and counted. The consumer swaps the whole batch out at once,
// so the lock is held for a memcpy per packet and a pointer swap per batch.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <vector>

#include "sensor-agent/capture/raw_packet.h"

namespace ironsight::sensor {

/// Frames taken from the queue in one go. Reused by the consumer (capacity stays allocated).
class PacketBatch {
public:
    std::size_t size() const { return packets_.size(); }
    bool empty() const { return packets_.empty(); }
    std::size_t bytes() const { return bytes_.size(); }
    /// The i-th frame; its data points into this batch and stays valid until the next pop.
    RawPacket at(std::size_t i) const;
    void clear() {
        bytes_.clear();
        packets_.clear();
    }

private:
    friend class PacketQueue;
    struct Entry {
        int linkType;
        std::int64_t timestampUs;
        std::uint32_t wireLength;
        std::uint8_t source;
        std::size_t offset, length;
    };
    void append(const RawPacket& packet);

    std::vector<std::uint8_t> bytes_;
    std::vector<Entry> packets_;
};

class PacketQueue {
public:
    /// At most maxBytes of frame data and maxPackets frames wait at any time (plus the batch the
    /// consumer is working on: total memory stays below about twice maxBytes).
    explicit PacketQueue(std::size_t maxBytes = 32 * 1024 * 1024, std::size_t maxPackets = 65536);

    /// Copies the frame in; false (and counted in dropped()) when the queue is full. Thread-safe,
    /// never blocks on the consumer.
    bool push(const RawPacket& packet);
    /// Waits up to `wait` for frames, then moves everything queued into `out` (cleared first).
    void pop(PacketBatch& out, std::chrono::milliseconds wait);
    std::uint64_t dropped() const;
    std::uint64_t pushed() const;

private:
    mutable std::mutex mutex_;
    std::condition_variable ready_;
    PacketBatch current_;
    std::size_t maxBytes_, maxPackets_;
    std::uint64_t dropped_ = 0, pushed_ = 0;
};

}  // namespace ironsight::sensor
