// SPDX-License-Identifier: Apache-2.0
// EtherNet/IP dissector. References: ODVA CIP Vol. 2 (EtherNet/IP adaptation) §2-3
// encapsulation header and commands, §2-4.3 List Identity, §2-6 common packet format (CPF).
//
// Encapsulation header (24 bytes, little endian): command u16 | length u16 (bytes after the
// header) | session handle u32 | status u32 | sender context 8 bytes | options u32.
// SendRRData / SendUnitData body: interface handle u32 | timeout u16 | CPF.
// CPF: item count u16 | { type u16 | length u16 | data }: 0x0000 null address, 0x00a1 connected
//   address (connection id u32), 0x00b2 unconnected data (CIP message), 0x00b1 connected data
//   (sequence count u16 | CIP message), 0x8000/0x8001 socket address info, 0x8002 sequenced
//   address (connection id u32 | sequence u32), 0x000c List Identity item.
// List Identity item: protocol version u16 | socket address (16, big endian) | vendor id u16 |
//   device type u16 | product code u16 | revision major u8 minor u8 | status u16 | serial u32 |
//   product name length u8 | name | state u8.
#include "sensor-agent/dissect/enip/enip_dissector.h"

#include <algorithm>
#include <cstdio>
#include <string>

#include "sensor-agent/decode/byte_reader.h"
#include "sensor-agent/dissect/core/text.h"
#include "sensor-agent/dissect/core/vendor_table.h"

namespace ironsight::sensor::dissect {
extern const VendorEntry kCipVendors[];  // resources/vendors/cip_vendors.tsv, generated
extern const std::size_t kCipVendorsCount;
}  // namespace ironsight::sensor::dissect

namespace ironsight::sensor::dissect::enip {
namespace {

constexpr std::string_view kProtocol = "enip";
constexpr std::size_t kHeaderSize = 24;

constexpr std::uint16_t kListIdentity = 0x0063;
constexpr std::uint16_t kSendRRData = 0x006f;
constexpr std::uint16_t kSendUnitData = 0x0070;

struct CommandInfo {
    const char* name;
    const char* opClass;
};

const CommandInfo* commandInfo(std::uint16_t command) {
    static const CommandInfo kNop{"nop", "other"}, kListServices{"list_services", "diagnostic"},
        kIdentity{"list_identity", "diagnostic"}, kInterfaces{"list_interfaces", "diagnostic"},
        kRegister{"register_session", "other"}, kUnregister{"unregister_session", "other"},
        kRR{"send_rr_data", "other"}, kUnit{"send_unit_data", "other"},
        kIndicate{"indicate_status", "other"}, kCancel{"cancel", "other"};
    switch (command) {
        case 0x0000:
            return &kNop;
        case 0x0004:
            return &kListServices;
        case 0x0063:
            return &kIdentity;
        case 0x0064:
            return &kInterfaces;
        case 0x0065:
            return &kRegister;
        case 0x0066:
            return &kUnregister;
        case 0x006f:
            return &kRR;
        case 0x0070:
            return &kUnit;
        case 0x0072:
            return &kIndicate;
        case 0x0073:
            return &kCancel;
        default:
            return nullptr;
    }
}

const char* vendorName(std::uint16_t vendorId) {
    return findVendor({kCipVendors, kCipVendorsCount}, vendorId);
}

void listIdentity(const FlowContext& flow, Direction dir, std::span<const std::uint8_t> body,
                  EventSink& sink) {
    decode::ByteReader r(body);
    const std::uint16_t count = r.u16le();
    for (std::uint16_t i = 0; i < count && i < 4 && r.ok(); ++i) {
        const std::uint16_t type = r.u16le();
        const std::uint16_t length = r.u16le();
        decode::ByteReader item(r.bytes(length));
        if (!r.ok()) break;
        if (type != 0x000c) continue;
        item.skip(2 + 16);  // protocol version, socket address
        const std::uint16_t vendorId = item.u16le();
        const std::uint16_t deviceType = item.u16le();
        const std::uint16_t productCode = item.u16le();
        const std::uint8_t major = item.u8();
        const std::uint8_t minor = item.u8();
        item.skip(2);  // status
        const std::uint32_t serial = item.u32le();
        const std::uint8_t nameLength = item.u8();
        const std::string name = safeText(item.bytes(nameLength));
        if (!item.ok()) {
            sink.onAnomaly(flow, kProtocol, "malformed_list_identity");
            return;
        }
        Identity id;
        id.protocol = std::string(kProtocol);
        id.ofServer = dir == Direction::ToClient;  // the responding device
        id.numbers["vendor_id"] = vendorId;
        id.numbers["device_type"] = deviceType;
        id.numbers["product_code"] = productCode;
        char text[32];
        std::snprintf(text, sizeof text, "%u.%u", major, minor);
        id.strings["revision"] = id.firmware = text;
        std::snprintf(text, sizeof text, "0x%08x", serial);
        id.strings["serial_number"] = text;
        if (!name.empty()) id.strings["product_name"] = id.model = name;
        if (const char* vendor = vendorName(vendorId)) id.strings["vendor"] = id.vendor = vendor;
        sink.onIdentity(flow, id);
    }
}

}  // namespace

DissectorPtr EnipDissector::create() {
    return std::make_unique<EnipDissector>();
}

Probe probe(std::span<const std::uint8_t> payload) {
    if (payload.size() < kHeaderSize) return Probe::NeedMore;
    decode::ByteReader r(payload);
    const std::uint16_t command = r.u16le();
    const std::uint16_t length = r.u16le();
    r.skip(16);
    const std::uint32_t options = r.u32le();
    return commandInfo(command) && options == 0 && length <= 8192 ? Probe::Match : Probe::NoMatch;
}

ParseResult EnipDissector::onData(const FlowContext& flow, Direction dir,
                                  std::span<const std::uint8_t> data, EventSink& sink) noexcept {
    try {
        if (flow.transport == Transport::Udp && flow.serverPort == kIoPort) {
            onIo(flow, dir, data, sink);
            return ParseResult::ok(data.size());
        }
        std::size_t consumed = 0;
        while (consumed < data.size()) {
            const auto rest = data.subspan(consumed);
            if (rest.size() < kHeaderSize) {
                if (flow.transport == Transport::Udp) break;
                return ParseResult::incomplete(consumed, kHeaderSize);
            }
            // The whole header is there: read in place (no bounds checks per field).
            const std::uint16_t command = static_cast<std::uint16_t>(rest[0] | (rest[1] << 8));
            const std::uint16_t length = static_cast<std::uint16_t>(rest[2] | (rest[3] << 8));
            // Skipped: session handle, status (8 octets). The sender context, little endian.
            const auto octet = [&](std::size_t i) {
                return std::uint64_t{rest[12 + i]} << (8 * i);
            };
            const std::uint64_t context = octet(0) | octet(1) | octet(2) | octet(3) | octet(4) |
                                          octet(5) | octet(6) | octet(7);
            const std::size_t total = kHeaderSize + length;
            if (!commandInfo(command) && command != 0x0001) {
                // Unknown command: the stream is probably not aligned; resynchronise.
                sink.onAnomaly(flow, kProtocol, "unknown_command");
                return ParseResult::error(data.size());
            }
            if (rest.size() < total) {
                if (flow.transport == Transport::Udp) {
                    sink.onAnomaly(flow, kProtocol, "length_mismatch");
                    return ParseResult::error(data.size());
                }
                return ParseResult::incomplete(consumed, total);
            }
            onEncapsulation(flow, dir, command, context, rest.subspan(kHeaderSize, length), sink);
            consumed += total;
        }
        if (consumed < data.size()) sink.onAnomaly(flow, kProtocol, "trailing_bytes");
        return ParseResult::ok(data.size());
    } catch (...) {  // std::bad_alloc: drop this segment
        return ParseResult::error(data.size());
    }
}

void EnipDissector::onEncapsulation(const FlowContext& flow, Direction dir, std::uint16_t command,
                                    std::uint64_t context, std::span<const std::uint8_t> body,
                                    EventSink& sink) {
    if (command == kSendRRData || command == kSendUnitData) {
        decode::ByteReader r(body);
        r.skip(4 + 2);  // interface handle, timeout
        const std::uint16_t count = r.u16le();
        std::uint64_t key = context;
        bool sawData = false;
        for (std::uint16_t i = 0; i < count && i < 8 && r.ok(); ++i) {
            const std::uint16_t type = r.u16le();
            const std::uint16_t length = r.u16le();
            const auto item = r.bytes(length);
            if (!r.ok()) break;
            if (type == 0x00a1 && item.size() >= 4) {  // connected address: connection id
                key = (std::uint64_t{1} << 63) | item[0] | (item[1] << 8) | (item[2] << 16) |
                      (std::uint64_t{item[3]} << 24);
            } else if (type == 0x00b2) {
                sawData = true;
                onCip(flow, dir, command, key, item, sink);
            } else if (type == 0x00b1 && item.size() >= 2) {
                sawData = true;
                // The sequence count pairs a connected response with its request.
                const std::uint64_t seqKey =
                    key ^ (std::uint64_t{item[0]} << 32) ^ (std::uint64_t{item[1]} << 40);
                onCip(flow, dir, command, seqKey, item.subspan(2), sink);
            }
        }
        if (!r.ok()) sink.onAnomaly(flow, kProtocol, "malformed_cpf");
        if (sawData) return;
    }
    const CommandInfo* info = commandInfo(command);
    Operation& op = reusableOperation<"enip">(
        dir == Direction::ToServer, info ? info->name : "unknown", info ? info->opClass : "other");
    op.functionCode = command;
    op.keys["command"] = command;
    sink.onOperation(flow, op);
    if (command == kListIdentity && !body.empty()) listIdentity(flow, dir, body, sink);
}

void EnipDissector::onCip(const FlowContext& flow, Direction, std::uint16_t command,
                          std::uint64_t key, std::span<const std::uint8_t> message,
                          EventSink& sink) {
    if (message.empty()) return;
    // Reused: a poll's messages are parsed without an allocation (kept requests are copied).
    thread_local std::vector<CipMessage> messages;
    messages.clear();
    if (!parseCip(message, messages)) sink.onAnomaly(flow, kProtocol, "malformed_cip");
    if (messages.empty()) return;
    const bool isResponse = messages.front().response;
    static const std::vector<CipMessage> kNone;
    const std::vector<CipMessage>* requests = &kNone;
    if (isResponse) {
        for (std::size_t i = 0; i < pendingCount_; ++i) {
            if (pending_[i].key == key) {
                retire(i);
                requests = &pending_[pendingCount_].requests;  // intact until the next request
                break;
            }
        }
    } else {
        if (pendingCount_ >= kMaxPending) retire(0);
        if (pendingCount_ == pending_.size()) pending_.emplace_back();
        Pending& p = pending_[pendingCount_++];
        p.key = key;
        p.requests.assign(messages.begin(), messages.end());
    }
    std::size_t next = 0;  // requests are matched in order
    for (auto& m : messages) {
        if (m.response) {
            // An Unconnected_Send is answered by its embedded service: skip the wrapper.
            for (std::size_t j = next; j < requests->size(); ++j) {
                if ((*requests)[j].service == m.service) {
                    m.classId = (*requests)[j].classId;
                    next = j + 1;
                    break;
                }
            }
        }
        const ServiceInfo& info = serviceInfo(m.service, m.classId);
        Operation& op = reusableOperation<"enip">(!m.response, info.name, info.opClass);
        op.functionCode = m.service;
        // General status 0x06 (partial transfer) and 0x1e (embedded service error, reported per
        // service) are not failures of this message.
        op.exception = m.response && m.generalStatus != 0 && m.generalStatus != 0x06 &&
                       m.generalStatus != 0x1e;
        // In name order: each key is appended.
        if (m.classId != kNoClass) op.keys["cip_class"] = m.classId;
        op.keys["cip_service"] = m.service;
        op.keys["command"] = command;
        sink.onOperation(flow, op);
    }
}

void EnipDissector::retire(std::size_t index) {
    // To the end of the pending ones, the others keeping their order.
    std::rotate(pending_.begin() + static_cast<std::ptrdiff_t>(index),
                pending_.begin() + static_cast<std::ptrdiff_t>(index) + 1,
                pending_.begin() + static_cast<std::ptrdiff_t>(pendingCount_));
    --pendingCount_;
}

void EnipDissector::onIo(const FlowContext& flow, Direction dir, std::span<const std::uint8_t> data,
                         EventSink& sink) {
    // Class 0/1 implicit I/O: a CPF packet with a sequenced address item and connected data.
    decode::ByteReader r(data);
    const std::uint16_t count = r.u16le();
    const std::uint16_t type = r.u16le();
    if (!r.ok() || count == 0 || count > 4 || (type != 0x8002 && type != 0x00a1)) {
        sink.onAnomaly(flow, "cip", "malformed_io");
        return;
    }
    Operation& op = reusableOperation<"cip">(dir == Direction::ToServer, "implicit_io", "other");
    sink.onOperation(flow, op);
}

void registerDissector(DissectorRegistry& registry) {
    registry.add({.name = "enip",
                  .transport = Transport::Tcp,
                  .defaultPorts = {kEncapsulationPort},
                  .probe = &probe,
                  .create = &EnipDissector::create});
    // UDP 44818 carries List Identity broadcasts and replies; UDP 2222 carries implicit I/O.
    registry.add({.name = "enip",
                  .transport = Transport::Udp,
                  .defaultPorts = {kEncapsulationPort},
                  .probe = nullptr,
                  .create = &EnipDissector::create});
    registry.add({.name = "cip",
                  .transport = Transport::Udp,
                  .defaultPorts = {kIoPort},
                  .probe = nullptr,
                  .create = &EnipDissector::create});
}

}  // namespace ironsight::sensor::dissect::enip
