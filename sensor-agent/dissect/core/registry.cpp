// SPDX-License-Identifier: Apache-2.0
// DissectorRegistry: validation, port lookup and EtherType / LLC-SNAP lookup.
#include "sensor-agent/dissect/core/registry.h"

#include <algorithm>
#include <set>
#include <utility>

namespace ironsight::sensor::dissect {
namespace {

constexpr std::uint16_t kMinEtherType = 0x0600;  // below: an IEEE 802.3 length field
// Decoded by the decoder itself: IPv4, ARP, IPv6, 802.1Q, 802.1ad, old QinQ.
constexpr std::uint16_t kDecoderEtherTypes[] = {0x0800, 0x0806, 0x86dd, 0x8100, 0x88a8, 0x9100};

}  // namespace

std::int64_t& OperationKeys::insert(std::string_view name) {
    Entry* it = lowerBound(name);
    if (it != end() && it->first == name) return it->second;
    if (size_ == kCapacity) return spare_ = 0;
    for (Entry* e = end(); e != it; --e) *e = e[-1];
    ++size_;
    *it = Entry{name, 0};
    return it->second;
}

Status DissectorRegistry::validate() const {
    std::set<std::pair<std::string, int>> names;  // a protocol may register once per transport
    std::set<std::pair<int, std::uint16_t>> ports;
    for (const auto& info : infos_) {
        if (info.name.empty() || !info.create) {
            return makeError("dissector registration incomplete: '" + info.name + "'");
        }
        if (!names.insert({info.name, static_cast<int>(info.transport)}).second) {
            return makeError("dissector registered twice for one transport: " + info.name);
        }
        for (auto port : info.defaultPorts) {
            if (!ports.insert({static_cast<int>(info.transport), port}).second) {
                return makeError("port " + std::to_string(port) + " claimed twice (" + info.name +
                                 ")");
            }
        }
    }
    std::set<std::uint16_t> etherTypes;
    std::set<SnapId> snaps;
    for (const auto& info : frameInfos_) {
        if (info.name.empty() || !info.create ||
            (info.etherTypes.empty() && info.snapIds.empty())) {
            return makeError("frame dissector registration incomplete: '" + info.name + "'");
        }
        if (!names.insert({info.name, static_cast<int>(Transport::Ethernet)}).second) {
            return makeError("frame dissector registered twice: " + info.name);
        }
        for (auto type : info.etherTypes) {
            bool decoderOwns = false;
            for (auto own : kDecoderEtherTypes) decoderOwns = decoderOwns || own == type;
            if (type < kMinEtherType || decoderOwns) {
                return makeError("EtherType " + std::to_string(type) + " cannot be claimed (" +
                                 info.name + ")");
            }
            if (!etherTypes.insert(type).second) {
                return makeError("EtherType " + std::to_string(type) + " claimed twice (" +
                                 info.name + ")");
            }
        }
        for (const auto& snap : info.snapIds) {
            if (!snaps.insert(snap).second) {
                return makeError("SNAP id claimed twice (" + info.name + ")");
            }
        }
    }
    return {};
}

namespace {

std::uint32_t portKey(Transport transport, std::uint16_t port) {
    return (static_cast<std::uint32_t>(transport) << 16) | port;
}

}  // namespace

void DissectorRegistry::add(DissectorInfo info) {
    for (auto port : info.defaultPorts) {
        const std::uint32_t key = portKey(info.transport, port);
        const auto it =
            std::lower_bound(ports_.begin(), ports_.end(), key,
                             [](const PortEntry& e, std::uint32_t k) { return e.key < k; });
        if (it != ports_.end() && it->key == key) continue;
        ports_.insert(it, {key, static_cast<std::uint32_t>(infos_.size())});
    }
    infos_.push_back(std::move(info));
}

const DissectorInfo* DissectorRegistry::forPort(Transport transport, std::uint16_t port) const {
    const std::uint32_t key = portKey(transport, port);
    const auto it = std::lower_bound(ports_.begin(), ports_.end(), key,
                                     [](const PortEntry& e, std::uint32_t k) { return e.key < k; });
    return it != ports_.end() && it->key == key ? &infos_[it->index] : nullptr;
}

const DissectorInfo* DissectorRegistry::byName(Transport transport, std::string_view name) const {
    for (const auto& info : infos_) {
        if (info.transport == transport && info.name == name) return &info;
    }
    return nullptr;
}

const FrameDissectorInfo* DissectorRegistry::forFrame(std::uint16_t etherType,
                                                      std::span<const std::uint8_t> payload,
                                                      std::span<const std::uint8_t>& inner) const {
    if (frameInfos_.empty()) return nullptr;
    if (etherType >= kMinEtherType) {
        for (const auto& info : frameInfos_) {
            for (auto type : info.etherTypes) {
                if (type == etherType) {
                    inner = payload;
                    return &info;
                }
            }
        }
        return nullptr;
    }
    // IEEE 802.2 LLC: DSAP 0xAA, SSAP 0xAA, control 0x03 (UI), then SNAP: OUI (3), PID (2).
    if (payload.size() < 8 || payload[0] != 0xaa || payload[1] != 0xaa || payload[2] != 0x03) {
        return nullptr;
    }
    const SnapId id{
        (std::uint32_t{payload[3]} << 16) | (std::uint32_t{payload[4]} << 8) | payload[5],
        static_cast<std::uint16_t>((payload[6] << 8) | payload[7])};
    for (const auto& info : frameInfos_) {
        for (const auto& snap : info.snapIds) {
            if (snap == id) {
                inner = payload.subspan(8);
                return &info;
            }
        }
    }
    return nullptr;
}

}  // namespace ironsight::sensor::dissect
