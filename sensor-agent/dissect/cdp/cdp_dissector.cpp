// SPDX-License-Identifier: Apache-2.0
// CDP dissector (Cisco "CDP packet format", as documented in Wireshark packet-cdp.c and the
// Cisco IOS CDP configuration guide; multicast 01:00:0c:cc:cc:cc).
//
// After LLC AA-AA-03 and SNAP 00-00-0c / 0x2000: version u8 (1 or 2) | TTL u8 | checksum u16 |
// TLVs: type u16 | length u16 (including these 4 bytes) | value. Types: 0x0001 Device ID (text),
// 0x0002 Addresses (count u32, then per address: protocol type u8 (1 NLPID, 2 802.2), protocol
// length u8, protocol (0xcc = IPv4), address length u16, address), 0x0003 Port ID (text), 0x0004
// Capabilities (u32 bits: 0x01 router, 0x02 transparent bridge, 0x04 source-route bridge, 0x08
// switch, 0x10 host, 0x20 IGMP, 0x40 repeater, 0x80 phone), 0x0005 Software version (text),
// 0x0006 Platform (text), 0x000a native VLAN, 0x0016 management addresses (as 0x0002).
#include "sensor-agent/dissect/cdp/cdp_dissector.h"

#include <cstdio>
#include <string>
#include <vector>

#include "sensor-agent/decode/byte_reader.h"
#include "sensor-agent/dissect/core/registry.h"
#include "sensor-agent/dissect/core/text.h"

namespace ironsight::sensor::dissect::cdp {
namespace {

constexpr const char* kProtocol = "cdp";
constexpr std::uint16_t kTlvDeviceId = 0x0001, kTlvAddresses = 0x0002, kTlvPortId = 0x0003,
                        kTlvCapabilities = 0x0004, kTlvSoftwareVersion = 0x0005,
                        kTlvPlatform = 0x0006, kTlvNativeVlan = 0x000a,
                        kTlvManagementAddresses = 0x0016;
constexpr std::uint32_t kCapRouter = 0x01, kCapTransparentBridge = 0x02,
                        kCapSourceRouteBridge = 0x04, kCapSwitch = 0x08, kCapHost = 0x10,
                        kCapIgmp = 0x20, kCapRepeater = 0x40, kCapPhone = 0x80;
constexpr std::size_t kMaxAddresses = 16;

/// Text with line breaks folded to spaces (software version strings are multi-line).
std::string lineText(std::span<const std::uint8_t> v) {
    std::vector<std::uint8_t> copy(v.begin(), v.end());
    for (auto& c : copy) {
        if (c == '\n' || c == '\r' || c == '\t') c = ' ';
    }
    return safeText(copy);
}

/// The IPv4 addresses of an Addresses TLV value; false when the value is malformed.
bool readAddresses(std::span<const std::uint8_t> v, std::vector<std::string>& out) {
    decode::ByteReader r(v);
    const std::uint32_t count = r.u32();
    for (std::uint32_t i = 0; r.ok() && i < count && i < kMaxAddresses; ++i) {
        const std::uint8_t protoType = r.u8();
        const std::uint8_t protoLength = r.u8();
        auto proto = r.bytes(protoLength);
        const std::uint16_t addrLength = r.u16();
        auto addr = r.bytes(addrLength);
        if (!r.ok()) return false;
        if (protoType == 1 && protoLength == 1 && proto[0] == 0xcc && addrLength == 4) {
            char buf[16];
            std::snprintf(buf, sizeof buf, "%u.%u.%u.%u", addr[0], addr[1], addr[2], addr[3]);
            out.emplace_back(buf);
        }
    }
    return r.ok();
}

std::string capabilityNames(std::uint32_t caps) {
    static constexpr struct {
        std::uint32_t bit;
        const char* name;
    } kNames[] = {{kCapRouter, "router"},
                  {kCapTransparentBridge, "bridge"},
                  {kCapSourceRouteBridge, "source_route_bridge"},
                  {kCapSwitch, "switch"},
                  {kCapHost, "host"},
                  {kCapIgmp, "igmp"},
                  {kCapRepeater, "repeater"},
                  {kCapPhone, "phone"}};
    std::string out;
    for (const auto& n : kNames) {
        if (caps & n.bit) out += (out.empty() ? "" : ",") + std::string(n.name);
    }
    return out;
}

}  // namespace

FrameDissectorPtr CdpDissector::create() {
    return std::make_unique<CdpDissector>();
}

void CdpDissector::onFrame(const FrameContext& frame, std::span<const std::uint8_t> payload,
                           EventSink& sink) noexcept {
    const FlowContext flow = frame.flow(false);  // an announcement: the sender is the "server"
    decode::ByteReader r(payload);
    const std::uint8_t version = r.u8();
    r.skip(1 + 2);  // TTL, checksum
    if (!r.ok() || version < 1 || version > 2) {
        sink.onAnomaly(flow, kProtocol, "malformed_pdu");
        return;
    }
    Identity id;
    id.protocol = kProtocol;
    id.mac = frame.srcMac;
    std::vector<std::string> addresses, management;
    std::uint32_t caps = 0;
    bool hasCaps = false;
    while (r.remaining() >= 4) {
        const std::uint16_t type = r.u16();
        const std::uint16_t length = r.u16();
        if (length < 4) {
            sink.onAnomaly(flow, kProtocol, "malformed_pdu");
            return;
        }
        auto value = r.bytes(length - 4u);
        if (!r.ok()) {
            sink.onAnomaly(flow, kProtocol, "malformed_pdu");
            return;
        }
        switch (type) {
            case kTlvDeviceId:
            case kTlvPortId:
            case kTlvPlatform:
            case kTlvSoftwareVersion: {
                const std::string text = lineText(value);
                if (text.empty()) break;
                id.strings[type == kTlvDeviceId   ? "device_id"
                           : type == kTlvPortId   ? "port_id"
                           : type == kTlvPlatform ? "platform"
                                                  : "software_version"] = text;
                break;
            }
            case kTlvAddresses:
            case kTlvManagementAddresses:
                if (!readAddresses(value, type == kTlvAddresses ? addresses : management)) {
                    sink.onAnomaly(flow, kProtocol, "malformed_pdu");
                }
                break;
            case kTlvCapabilities:
                if (value.size() == 4) {
                    caps = (std::uint32_t{value[0]} << 24) | (std::uint32_t{value[1]} << 16) |
                           (std::uint32_t{value[2]} << 8) | value[3];
                    hasCaps = true;
                    id.strings["capabilities"] = capabilityNames(caps);
                }
                break;
            case kTlvNativeVlan:
                if (value.size() == 2) id.numbers["native_vlan"] = (value[0] << 8) | value[1];
                break;
            default:
                break;
        }
    }
    if (r.remaining() != 0) sink.onAnomaly(flow, kProtocol, "malformed_pdu");
    auto join = [](const std::vector<std::string>& v) {
        std::string out;
        for (const auto& s : v) out += (out.empty() ? "" : ",") + s;
        return out;
    };
    if (!addresses.empty()) id.strings["addresses"] = join(addresses);
    if (!management.empty()) id.strings["management_addresses"] = join(management);
    auto device = id.strings.find("device_id");
    if (device == id.strings.end()) {
        sink.onAnomaly(flow, kProtocol, "missing_device_id");
        return;
    }
    id.hostname = device->second;
    auto platform = id.strings.find("platform");
    if (platform != id.strings.end()) id.model = platform->second;
    if (hasCaps && (caps & (kCapSwitch | kCapTransparentBridge | kCapSourceRouteBridge))) {
        id.deviceType = "switch";
        id.typeEvidence = "cdp capabilities: switch/bridge → switch";
    } else if (hasCaps && (caps & kCapRouter)) {
        id.deviceType = "router";
        id.typeEvidence = "cdp capabilities: router → router";
    }
    sink.onIdentity(flow, id);
}

void registerDissector(DissectorRegistry& registry) {
    registry.addFrame({.name = kProtocol,
                       .etherTypes = {},
                       .snapIds = {{kSnapOui, kSnapPid}},
                       .create = &CdpDissector::create});
}

}  // namespace ironsight::sensor::dissect::cdp
