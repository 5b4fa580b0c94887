// SPDX-License-Identifier: Apache-2.0
// CIP message parsing. References: ODVA CIP Vol. 1 (Common Industrial Protocol) §2-4 message
// router request/response format, App. A (common services), App. C (logical segments), §3-5.5
// (Connection Manager Unconnected_Send); Rockwell 1756-PM020 (Logix tag services).
//
// Request:  service u8 | path size u8 (16-bit words) | path | request data
// Response: service|0x80 u8 | reserved u8 | general status u8 | additional status size u8
//           (words) | additional status | response data
// Logical segment: 0x20 class u8, 0x21 pad + class u16le, 0x24/0x25 instance, 0x30/0x31
//   attribute, 0x2c/0x2d connection point; 0x91 ANSI symbol: length u8 | name | pad to even.
// Unconnected_Send data: priority/tick u8 | timeout ticks u8 | message size u16le | message |
//   [pad] | route path size u8 | reserved u8 | route path.
// Multiple_Service_Packet data: count u16le | offsets u16le[count] (from the count) | messages.
#include "sensor-agent/dissect/enip/cip.h"

#include <array>

#include "sensor-agent/decode/byte_reader.h"
#include "sensor-agent/dissect/core/numbered_names.h"

namespace ironsight::sensor::dissect::enip {
namespace {

constexpr std::uint8_t kMultipleServicePacket = 0x0a;
constexpr std::uint8_t kUnconnectedSend = 0x52;
constexpr int kConnectionManager = 0x06;
constexpr int kMaxDepth = 2;

/// The class of a request path (first class segment), kNoClass if none before a symbol.
int pathClass(std::span<const std::uint8_t> path) {
    decode::ByteReader r(path);
    while (r.ok() && r.remaining() > 0) {
        const std::uint8_t segment = r.u8();
        switch (segment) {
            case 0x20:
                return r.u8();
            case 0x21: {
                r.skip(1);
                const std::uint16_t cls = r.u16le();
                return r.ok() ? cls : kNoClass;
            }
            case 0x24:
            case 0x28:
            case 0x2c:
            case 0x30:
                r.skip(1);
                break;
            case 0x25:
            case 0x29:
            case 0x2d:
            case 0x31:
                r.skip(3);
                break;
            default:
                return kNoClass;  // symbolic or other segment: no class addressed
        }
    }
    return kNoClass;
}

bool parseAt(std::span<const std::uint8_t> message, std::vector<CipMessage>& out, int depth,
             bool nested);

bool parseMultiple(std::span<const std::uint8_t> data, std::vector<CipMessage>& out, int depth) {
    decode::ByteReader r(data);
    const std::uint16_t count = r.u16le();
    if (!r.ok()) return false;
    std::vector<std::uint16_t> offsets;
    for (std::uint16_t i = 0; i < count && i < kMaxEmbedded; ++i) offsets.push_back(r.u16le());
    if (!r.ok()) return false;
    for (std::size_t i = 0; i < offsets.size(); ++i) {
        const std::size_t begin = offsets[i];
        const std::size_t end = i + 1 < offsets.size() ? offsets[i + 1] : data.size();
        if (begin >= end || end > data.size()) return false;
        if (!parseAt(data.subspan(begin, end - begin), out, depth + 1, true)) return false;
    }
    return true;
}

bool parseAt(std::span<const std::uint8_t> message, std::vector<CipMessage>& out, int depth,
             bool nested) {
    if (out.size() >= 2 * kMaxEmbedded) return true;  // bounded: ignore the rest
    decode::ByteReader r(message);
    const std::uint8_t rawService = r.u8();
    if (!r.ok()) return false;
    CipMessage m;
    m.service = rawService & 0x7f;
    m.response = (rawService & 0x80) != 0;
    m.nested = nested;
    if (m.response) {
        r.skip(1);  // reserved
        m.generalStatus = r.u8();
        const std::uint8_t extraWords = r.u8();
        r.skip(2u * extraWords);
        if (!r.ok()) return false;
        out.push_back(m);
        if (m.service == kMultipleServicePacket && depth < kMaxDepth &&
            (m.generalStatus == 0 || m.generalStatus == 0x1e) && r.remaining() > 0) {
            return parseMultiple(r.rest(), out, depth);
        }
        return true;
    }
    const std::uint8_t pathWords = r.u8();
    const auto path = r.bytes(2u * pathWords);
    if (!r.ok()) return false;
    m.classId = pathClass(path);
    out.push_back(m);
    if (depth >= kMaxDepth) return true;
    if (m.service == kUnconnectedSend && m.classId == kConnectionManager) {
        r.skip(2);  // priority / time tick, timeout ticks
        const std::uint16_t size = r.u16le();
        const auto embedded = r.bytes(size);
        if (!r.ok()) return false;
        return parseAt(embedded, out, depth + 1, true);
    }
    if (m.service == kMultipleServicePacket) return parseMultiple(r.rest(), out, depth);
    return true;
}

constexpr NumberedNames kHexNames("service_", NumberBase::Hex2);

constexpr std::string_view hexName(std::uint8_t service) {
    return kHexNames[service];
}

/// describeService()'s answer (constexpr: serviceInfo() tabulates it at compile time).
constexpr ServiceInfo describe(std::uint8_t service, int classId) {
    // File object (0x37) and the Non-Volatile Storage object (0xa1, firmware update): transfers
    // of files and firmware images.
    if (classId == 0xa1) {
        switch (service) {
            case 0x4b:
                return {"nvs_update_begin", "firmware"};
            case 0x4d:
                return {"nvs_transfer", "firmware"};
            case 0x51:
                return {"nvs_update_end", "firmware"};
            default:
                break;
        }
        if (service >= 0x4b) return {hexName(service), "firmware"};
    }
    if (classId == 0x37 && service >= 0x4b && service <= 0x51) {
        constexpr const char* kFile[] = {"initiate_upload",
                                         "initiate_download",
                                         "initiate_partial_read",
                                         "initiate_partial_write",
                                         "upload_transfer",
                                         "download_transfer",
                                         "clear_file"};
        return {kFile[service - 0x4b], "firmware"};
    }
    switch (service) {
        case 0x01:
            return {"get_attributes_all", "read"};
        case 0x02:
            return {"set_attributes_all", "write"};
        case 0x03:
            return {"get_attribute_list", "read"};
        case 0x04:
            return {"set_attribute_list", "write"};
        case 0x05:
            return {"reset", "control"};
        case 0x06:
            return {"start", "control"};
        case 0x07:
            return {"stop", "control"};
        case 0x08:
            return {"create", "write"};
        case 0x09:
            return {"delete", "write"};
        case 0x0a:
            return {"multiple_service_packet", "other"};
        case 0x0d:
            return {"apply_attributes", "write"};
        case 0x0e:
            return {"get_attribute_single", "read"};
        case 0x10:
            return {"set_attribute_single", "write"};
        case 0x11:
            return {"find_next_object_instance", "read"};
        case 0x14:
            return {"error_response", "other"};
        case 0x15:
            return {"restore", "write"};
        case 0x16:
            return {"save", "write"};
        case 0x17:
            return {"nop", "other"};
        case 0x18:
            return {"get_member", "read"};
        case 0x19:
            return {"set_member", "write"};
        case 0x1a:
            return {"insert_member", "write"};
        case 0x1b:
            return {"remove_member", "write"};
        default:
            break;
    }
    if (classId == 0x06) {  // Connection Manager
        switch (service) {
            case 0x4e:
                return {"forward_close", "other"};
            case 0x52:
                return {"unconnected_send", "other"};
            case 0x54:
                return {"forward_open", "other"};
            case 0x5b:
                return {"large_forward_open", "other"};
            case 0x56:
                return {"get_connection_data", "diagnostic"};
            case 0x57:
                return {"search_connection_data", "diagnostic"};
            case 0x5a:
                return {"get_connection_owner", "diagnostic"};
            default:
                return {hexName(service), "other"};
        }
    }
    if (classId == 0x67 && service == 0x4b) return {"execute_pccc", "other"};
    // Logix tag services: addressed by symbol (no class) or to the Symbol/Template objects.
    if (classId == kNoClass || classId == 0x6b || classId == 0x6c || classId == 0x02) {
        switch (service) {
            case 0x4c:
                return {"read_tag", "read"};
            case 0x4d:
                return {"write_tag", "write"};
            case 0x4e:
                return {"read_modify_write_tag", "write"};
            case 0x52:
                return {"read_tag_fragmented", "read"};
            case 0x53:
                return {"write_tag_fragmented", "write"};
            case 0x55:
                return {"get_instance_attribute_list", "read"};
            default:
                break;
        }
    }
    return {hexName(service), "other"};
}

}  // namespace

bool parseCip(std::span<const std::uint8_t> message, std::vector<CipMessage>& out) {
    return parseAt(message, out, 0, false);
}

ServiceInfo describeService(std::uint8_t service, int classId) {
    return describe(service, classId);
}

const ServiceInfo& serviceInfo(std::uint8_t service, int classId) {
    // describeService() tells six kinds of class apart; each gets a table of every service,
    // built at compile time, so a message costs a lookup.
    static constexpr auto kTables = [] {
        constexpr int kRepresentative[] = {0xa1, 0x37, 0x06, 0x67, kNoClass, 0x01};
        std::array<std::array<ServiceInfo, 256>, std::size(kRepresentative)> t{};
        for (std::size_t kind = 0; kind < t.size(); ++kind) {
            for (std::size_t code = 0; code < t[kind].size(); ++code) {
                t[kind][code] = describe(static_cast<std::uint8_t>(code), kRepresentative[kind]);
            }
        }
        return t;
    }();
    int kind = 5;  // any other class
    switch (classId) {
        case 0xa1:
            kind = 0;
            break;
        case 0x37:
            kind = 1;
            break;
        case 0x06:
            kind = 2;
            break;
        case 0x67:
            kind = 3;
            break;
        case kNoClass:
        case 0x6b:
        case 0x6c:
        case 0x02:
            kind = 4;
            break;
        default:
            break;
    }
    return kTables[static_cast<std::size_t>(kind)][service];
}

}  // namespace ironsight::sensor::dissect::enip
