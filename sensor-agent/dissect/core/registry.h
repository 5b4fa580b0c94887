// SPDX-License-Identifier: Apache-2.0
// DissectorRegistry: descriptors filled by one registration function per protocol.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sensor-agent/dissect/core/dissector.h"
#include "shared/base/result.h"

namespace ironsight::sensor::dissect {

struct DissectorInfo {
    std::string name;  // lower-case protocol name, SPEC §6
    Transport transport = Transport::Tcp;
    std::vector<std::uint16_t> defaultPorts;
    // Callables rather than function pointers so a loaded plugin can bind its own state.
    std::function<Probe(std::span<const std::uint8_t> payload)> probe{};  // optional heuristic
    std::function<DissectorPtr()> create{};
    // The probe is specific enough to claim a flow on any port (OPC UA's "HEL" + size, DNP3's
    // start octets + header CRC...): the engine offers it flows no port binds. Weak probes
    // (Modbus: a zero protocol id) only confirm a port.
    bool heuristic = false;
};

/// An IEEE 802.3 LLC/SNAP protocol identifier: organisation code and protocol id
/// (e.g. CDP: OUI 0x00000c, PID 0x2000).
struct SnapId {
    std::uint32_t oui = 0;
    std::uint16_t pid = 0;
    auto operator<=>(const SnapId&) const = default;
};

/// An Ethernet-level protocol (SPEC §3.3): bound to EtherTypes and/or LLC/SNAP ids, no IP.
struct FrameDissectorInfo {
    std::string name;                       // lower-case protocol name, SPEC §6
    std::vector<std::uint16_t> etherTypes;  // Ethernet II types (>= 0x0600)
    std::vector<SnapId> snapIds;            // 802.3 frames with LLC AA-AA-03 + SNAP header
    FrameDissectorPtr (*create)() = nullptr;
};

class DissectorRegistry {
public:
    void add(DissectorInfo info);
    void addFrame(FrameDissectorInfo info) { frameInfos_.push_back(std::move(info)); }
    /// Checks names are unique and non-empty, factories present, and no port, EtherType or SNAP
    /// id is claimed twice (nor an EtherType the decoder consumes itself: IP, ARP, VLAN tags).
    Status validate() const;
    /// The dissector bound to a server port, or nullptr.
    const DissectorInfo* forPort(Transport transport, std::uint16_t port) const;
    /// The dissector registered under `name` for `transport`, or nullptr.
    const DissectorInfo* byName(Transport transport, std::string_view name) const;
    const std::vector<DissectorInfo>& all() const { return infos_; }

    /// The Ethernet-level dissector for a frame, or nullptr. `etherType` is the frame's type (or
    /// 802.3 length) and `payload` the bytes after the Ethernet/VLAN headers; for 802.3 frames the
    /// LLC/SNAP header is matched and skipped. `inner` receives the protocol's own bytes.
    const FrameDissectorInfo* forFrame(std::uint16_t etherType,
                                       std::span<const std::uint8_t> payload,
                                       std::span<const std::uint8_t>& inner) const;
    const std::vector<FrameDissectorInfo>& frameDissectors() const { return frameInfos_; }

private:
    std::vector<DissectorInfo> infos_;
    // (transport, port) -> index into infos_, sorted: forPort() is a binary search (the engine
    // asks once per new flow). A port claimed twice keeps its first registration.
    struct PortEntry {
        std::uint32_t key;    // transport << 16 | port
        std::uint32_t index;  // into infos_
    };
    std::vector<PortEntry> ports_;
    std::vector<FrameDissectorInfo> frameInfos_;
};

/// Generated (sensor-agent/dissect/all_dissectors.cpp.in): calls every protocol's
/// registerDissector(), then validate().
Status registerAllDissectors(DissectorRegistry& registry);

}  // namespace ironsight::sensor::dissect
