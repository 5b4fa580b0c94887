// SPDX-License-Identifier: Apache-2.0
// LLDP dissector (IEEE 802.1AB-2016 §8, LLDPDU and basic TLVs; Wireshark packet-lldp.c).
//
// LLDPDU = TLVs: type (7 bits) | length (9 bits) | value. Mandatory first: 1 Chassis ID, 2 Port ID,
// 3 TTL; optional: 4 port description, 5 system name, 6 system description, 7 system
// capabilities (u16 supported, u16 enabled), 8 management address (string length u8 = 1 +
// address, subtype u8 (IANA family: 1 IPv4, 2 IPv6), address, interface numbering subtype u8,
// interface number u32, OID length u8, OID), 127 organisationally specific; 0 End of LLDPDU.
// Chassis ID / Port ID: subtype u8 then the id; subtype 4 (chassis) / 3 (port) is a MAC address,
// 5 (chassis) / 4 (port) a network address (family u8 + address), the others are text.
#include "sensor-agent/dissect/lldp/lldp_dissector.h"

#include <cstdio>
#include <string>

#include "sensor-agent/decode/byte_reader.h"
#include "sensor-agent/dissect/core/registry.h"
#include "sensor-agent/dissect/core/text.h"

namespace ironsight::sensor::dissect::lldp {
namespace {

constexpr const char* kProtocol = "lldp";
constexpr int kTlvEnd = 0, kTlvChassisId = 1, kTlvPortId = 2, kTlvTtl = 3, kTlvPortDescription = 4,
              kTlvSystemName = 5, kTlvSystemDescription = 6, kTlvCapabilities = 7,
              kTlvManagementAddress = 8;
constexpr std::uint8_t kChassisMac = 4, kChassisNetwork = 5, kPortMac = 3, kPortNetwork = 4;

// IEEE 802.1AB §8.5.8.1 system capabilities bits.
constexpr std::uint16_t kCapRepeater = 0x0002, kCapBridge = 0x0004, kCapWlanAp = 0x0008,
                        kCapRouter = 0x0010, kCapTelephone = 0x0020, kCapDocsis = 0x0040,
                        kCapStation = 0x0080;

std::string macText(std::span<const std::uint8_t> b) {
    char buf[18];
    std::snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4],
                  b[5]);
    return buf;
}

/// IANA address family 1 (IPv4) / 2 (IPv6) + address, as text; "" for other families.
std::string addressText(std::uint8_t family, std::span<const std::uint8_t> a) {
    char buf[48];
    if (family == 1 && a.size() == 4) {
        std::snprintf(buf, sizeof buf, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
        return buf;
    }
    if (family == 2 && a.size() == 16) {
        std::string out;
        for (std::size_t i = 0; i < 16; i += 2) {
            std::snprintf(buf, sizeof buf, "%s%x", i ? ":" : "", (a[i] << 8) | a[i + 1]);
            out += buf;
        }
        return out;
    }
    return {};
}

/// A Chassis or Port ID value: MAC, network address or text, by subtype.
std::string idText(std::uint8_t subtype, std::span<const std::uint8_t> v, std::uint8_t macType,
                   std::uint8_t networkType) {
    if (subtype == macType && v.size() == 6) return macText(v);
    if (subtype == networkType && !v.empty()) return addressText(v[0], v.subspan(1));
    return safeText(v);
}

std::string capabilityNames(std::uint16_t caps) {
    static constexpr struct {
        std::uint16_t bit;
        const char* name;
    } kNames[] = {{0x0001, "other"},      {kCapRepeater, "repeater"},
                  {kCapBridge, "bridge"}, {kCapWlanAp, "wlan_ap"},
                  {kCapRouter, "router"}, {kCapTelephone, "telephone"},
                  {kCapDocsis, "docsis"}, {kCapStation, "station"},
                  {0x0100, "c_vlan"},     {0x0200, "s_vlan"},
                  {0x0400, "tpmr"}};
    std::string out;
    for (const auto& n : kNames) {
        if (caps & n.bit) out += (out.empty() ? "" : ",") + std::string(n.name);
    }
    return out;
}

}  // namespace

FrameDissectorPtr LldpDissector::create() {
    return std::make_unique<LldpDissector>();
}

void LldpDissector::onFrame(const FrameContext& frame, std::span<const std::uint8_t> payload,
                            EventSink& sink) noexcept {
    const FlowContext flow = frame.flow(false);  // an announcement: the sender is the "server"
    decode::ByteReader r(payload);
    Identity id;
    id.protocol = kProtocol;
    id.mac = frame.srcMac;
    int index = 0;
    bool ended = false, chassis = false, port = false;
    std::uint16_t enabledCaps = 0;
    while (r.remaining() >= 2) {
        const std::uint16_t header = r.u16();
        const int type = header >> 9;
        const std::size_t length = header & 0x01ff;
        auto value = r.bytes(length);
        if (!r.ok()) {
            sink.onAnomaly(flow, kProtocol, "malformed_pdu");
            return;
        }
        // §8.2: Chassis ID, Port ID and TTL come first, in this order.
        if ((index == 0 && type != kTlvChassisId) || (index == 1 && type != kTlvPortId) ||
            (index == 2 && type != kTlvTtl)) {
            sink.onAnomaly(flow, kProtocol, "missing_mandatory_tlv");
            return;
        }
        ++index;
        if (type == kTlvEnd) {
            ended = true;
            break;
        }
        switch (type) {
            case kTlvChassisId:
            case kTlvPortId: {
                if (value.size() < 2) {
                    sink.onAnomaly(flow, kProtocol, "malformed_pdu");
                    return;
                }
                const bool isChassis = type == kTlvChassisId;
                const std::string text =
                    idText(value[0], value.subspan(1), isChassis ? kChassisMac : kPortMac,
                           isChassis ? kChassisNetwork : kPortNetwork);
                if (!text.empty()) id.strings[isChassis ? "chassis_id" : "port_id"] = text;
                (isChassis ? chassis : port) = true;
                break;
            }
            case kTlvPortDescription:
            case kTlvSystemName:
            case kTlvSystemDescription: {
                const std::string text = safeText(value);
                if (text.empty()) break;
                id.strings[type == kTlvSystemName          ? "system_name"
                           : type == kTlvSystemDescription ? "system_description"
                                                           : "port_description"] = text;
                break;
            }
            case kTlvCapabilities:
                if (value.size() == 4) {
                    id.strings["capabilities"] =
                        capabilityNames(static_cast<std::uint16_t>((value[0] << 8) | value[1]));
                    enabledCaps = static_cast<std::uint16_t>((value[2] << 8) | value[3]);
                    id.strings["capabilities_enabled"] = capabilityNames(enabledCaps);
                }
                break;
            case kTlvManagementAddress: {
                // A device may list several; the first IPv4 and the first IPv6 are kept.
                if (value.size() < 2 || value[0] < 1 || value.size() < 1u + value[0]) break;
                const std::uint8_t family = value[1];
                const std::string text = addressText(family, value.subspan(2, value[0] - 1u));
                const char* key = family == 1 ? "mgmt_ipv4" : "mgmt_ipv6";
                if (!text.empty() && !id.strings.count(key)) id.strings[key] = text;
                break;
            }
            default:
                break;
        }
    }
    if (!chassis || !port) {
        sink.onAnomaly(flow, kProtocol, "missing_mandatory_tlv");
        return;
    }
    if (!ended) sink.onAnomaly(flow, kProtocol, "missing_end_tlv");
    auto name = id.strings.find("system_name");
    if (name != id.strings.end()) id.hostname = name->second;
    // A router that also bridges (a layer-3 switch) is reported as a switch.
    if (enabledCaps & kCapBridge) {
        id.deviceType = "switch";
        id.typeEvidence = "lldp capabilities: bridge enabled → switch";
    } else if (enabledCaps & kCapRouter) {
        id.deviceType = "router";
        id.typeEvidence = "lldp capabilities: router enabled → router";
    }
    sink.onIdentity(flow, id);
}

void registerDissector(DissectorRegistry& registry) {
    registry.addFrame({.name = kProtocol,
                       .etherTypes = {kEtherType},
                       .snapIds = {},
                       .create = &LldpDissector::create});
}

}  // namespace ironsight::sensor::dissect::lldp
