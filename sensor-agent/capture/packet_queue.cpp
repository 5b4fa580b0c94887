// SPDX-License-Identifier: Apache-2.0
// PacketQueue: bounded, double-buffered hand-off from capture threads to the analysis thread.
#include "sensor-agent/capture/packet_queue.h"

#include <utility>

namespace ironsight::sensor {

RawPacket PacketBatch::at(std::size_t i) const {
    const Entry& e = packets_[i];
    RawPacket p;
    p.linkType = e.linkType;
    p.timestampUs = e.timestampUs;
    p.wireLength = e.wireLength;
    p.source = e.source;
    p.data = std::span<const std::uint8_t>(bytes_.data() + e.offset, e.length);
    return p;
}

void PacketBatch::append(const RawPacket& packet) {
    const std::size_t offset = bytes_.size();
    bytes_.insert(bytes_.end(), packet.data.begin(), packet.data.end());
    packets_.push_back(
        Entry{packet.linkType, packet.timestampUs, packet.wireLength, packet.source, offset,
              packet.data.size()});
}

PacketQueue::PacketQueue(std::size_t maxBytes, std::size_t maxPackets)
    : maxBytes_(maxBytes), maxPackets_(maxPackets) {}

bool PacketQueue::push(const RawPacket& packet) {
    bool wasEmpty = false;
    {
        std::lock_guard lock(mutex_);
        if (current_.packets_.size() >= maxPackets_ ||
            current_.bytes_.size() + packet.data.size() > maxBytes_) {
            ++dropped_;
            return false;
        }
        wasEmpty = current_.packets_.empty();
        current_.append(packet);
        ++pushed_;
    }
    if (wasEmpty) ready_.notify_one();
    return true;
}

void PacketQueue::pop(PacketBatch& out, std::chrono::milliseconds wait) {
    out.clear();
    std::unique_lock lock(mutex_);
    if (current_.packets_.empty()) {
        ready_.wait_for(lock, wait, [this] { return !current_.packets_.empty(); });
    }
    std::swap(out, current_);  // the consumer's emptied batch (and its capacity) comes back
}

std::uint64_t PacketQueue::dropped() const {
    std::lock_guard lock(mutex_);
    return dropped_;
}

std::uint64_t PacketQueue::pushed() const {
    std::lock_guard lock(mutex_);
    return pushed_;
}

}  // namespace ironsight::sensor
