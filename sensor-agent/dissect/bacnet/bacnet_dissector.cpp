// SPDX-License-Identifier: Apache-2.0
// BACnet/IP dissector.
// References: ASHRAE 135-2020 Annex J (BACnet/IP, BVLC), Annex U (BACnet/IPv6), §6.2 (NPDU),
// §20.1 (APDU encoding), §20.2 (tag encoding), §16.10 (Who-Is / I-Am).
//
// BVLC: type u8 (0x81 IPv4, 0x82 IPv6) | function u8 | length u16 (whole BVLC message) | ...
// NPDU: version u8 (1) | control u8 | [DNET u16 DLEN u8 DADR] | [SNET u16 SLEN u8 SADR] |
//       [hop count u8 if DNET] | network message type u8 [vendor u16] | or APDU
// APDU: PDU type (high nibble of octet 0) | type-specific header | service choice | data
#include "sensor-agent/dissect/bacnet/bacnet_dissector.h"

#include <algorithm>
#include <charconv>
#include <iterator>

#include "sensor-agent/decode/byte_reader.h"
#include "sensor-agent/dissect/bacnet/bacnet_services.h"
#include "sensor-agent/dissect/core/vendor_table.h"

namespace ironsight::sensor::dissect {
extern const VendorEntry kBacnetVendors[];  // resources/vendors/bacnet_vendors.tsv, generated
extern const std::size_t kBacnetVendorsCount;
}  // namespace ironsight::sensor::dissect

namespace ironsight::sensor::dissect::bacnet {
namespace {

constexpr std::string_view kProto = "bacnet";
constexpr std::uint8_t kBvlcIpv4 = 0x81, kBvlcIpv6 = 0x82;
constexpr std::uint32_t kDeviceObjectType = 8;

enum ApduType : std::uint8_t {
    kConfirmedRequest = 0,
    kUnconfirmedRequest = 1,
    kSimpleAck = 2,
    kComplexAck = 3,
    kSegmentAck = 4,
    kError = 5,
    kReject = 6,
    kAbort = 7,
};

/// Reads one tag header (§20.2.1). Returns false on a malformed header.
struct Tag {
    std::uint8_t number = 0;
    bool context = false;
    std::uint32_t length = 0;
};

bool readTag(decode::ByteReader& r, Tag& tag) {
    const std::uint8_t b = r.u8();
    tag.number = b >> 4;
    tag.context = (b & 0x08) != 0;
    tag.length = b & 0x07;
    if (tag.number == 15) tag.number = r.u8();  // extended tag number
    if (tag.length == 5) {                      // extended length
        tag.length = r.u8();
        if (tag.length == 254) {
            tag.length = r.u16();
        } else if (tag.length == 255) {
            tag.length = r.u32();
        }
    } else if (tag.length > 5) {
        return false;  // opening/closing tags are not expected where this is used
    }
    return r.ok();
}

/// An unsigned value of 1..4 octets following a tag header.
bool readUnsigned(decode::ByteReader& r, std::uint32_t length, std::uint32_t& value) {
    if (length < 1 || length > 4) return false;
    value = 0;
    for (std::uint32_t i = 0; i < length; ++i) value = (value << 8) | r.u8();
    return r.ok();
}

/// A request's range text, written into a fixed buffer: the operation copies it only when it
/// differs from the previous operation's.
class RangeText {
public:
    std::string_view view() const { return {text_, size_}; }
    void append(std::string_view text) {
        std::copy(text.begin(), text.end(), text_ + size_);
        size_ += text.size();
    }
    void append(std::uint32_t number) {
        size_ = static_cast<std::size_t>(std::to_chars(text_ + size_, std::end(text_), number).ptr -
                                         text_);
    }

private:
    char text_[64];  // "object " 4 ":" 7 " property " 10 digits: at most 39
    std::size_t size_ = 0;
};

/// ReadProperty / WriteProperty request: context 0 object identifier, context 1 property id.
/// "object <type>:<instance> property <id>", or nothing.
void propertyRange(std::span<const std::uint8_t> request, RangeText& text) {
    decode::ByteReader r(request);
    Tag tag;
    std::uint32_t objectId = 0, property = 0;
    if (!readTag(r, tag) || !tag.context || tag.number != 0 || tag.length != 4) return;
    if (!readUnsigned(r, 4, objectId)) return;
    if (!readTag(r, tag) || !tag.context || tag.number != 1) return;
    if (!readUnsigned(r, tag.length, property)) return;
    text.append("object ");
    text.append(objectId >> 22);
    text.append(":");
    text.append(objectId & 0x3fffff);
    text.append(" property ");
    text.append(property);
}

}  // namespace

DissectorPtr BacnetDissector::create() {
    return std::make_unique<BacnetDissector>();
}

Probe probe(std::span<const std::uint8_t> payload) {
    if (payload.size() < 4) return Probe::NeedMore;
    const std::uint8_t type = payload[0];
    const std::uint8_t function = payload[1];
    const std::size_t length = (static_cast<std::size_t>(payload[2]) << 8) | payload[3];
    const bool knownFunction =
        (type == kBvlcIpv4 && function <= 0x0c) || (type == kBvlcIpv6 && function <= 0x0c);
    return knownFunction && length >= 4 && length == payload.size() ? Probe::Match : Probe::NoMatch;
}

ParseResult BacnetDissector::onData(const FlowContext& flow, Direction dir,
                                    std::span<const std::uint8_t> data, EventSink& sink) noexcept {
    decode::ByteReader r(data);
    const std::uint8_t type = r.u8();
    const std::uint8_t function = r.u8();
    const std::uint16_t length = r.u16();
    if (!r.ok() || (type != kBvlcIpv4 && type != kBvlcIpv6) || length < 4 || length > data.size()) {
        sink.onAnomaly(flow, kProto, "malformed_pdu");
        return ParseResult::error(data.size());
    }
    if (length < data.size()) sink.onAnomaly(flow, kProto, "length_mismatch");
    const auto body = data.subspan(4, length - 4);
    std::size_t npduOffset = 0;
    bool hasNpdu = true;
    if (type == kBvlcIpv4) {
        switch (function) {
            case 0x04:  // Forwarded-NPDU: original source B/IP address (6 octets)
                npduOffset = 6;
                break;
            case 0x09:  // Distribute-Broadcast-To-Network
            case 0x0a:  // Original-Unicast-NPDU
            case 0x0b:  // Original-Broadcast-NPDU
                break;
            default:
                hasNpdu = false;
                break;
        }
    } else {
        switch (function) {
            case 0x01:  // Original-Unicast-NPDU: source and destination virtual addresses
                npduOffset = 6;
                break;
            case 0x02:  // Original-Broadcast-NPDU: source virtual address
            case 0x0c:  // Distribute-Broadcast-To-Network
                npduOffset = 3;
                break;
            case 0x08:  // Forwarded-NPDU: source virtual address + original B/IPv6 address
                npduOffset = 3 + 18;
                break;
            default:
                hasNpdu = false;
                break;
        }
    }
    if (!hasNpdu) {
        const ServiceInfo info =
            type == kBvlcIpv4 ? bvlcFunction(function) : bvlc6Function(function);
        const bool request = !(function == 0x00 || function == 0x03 || function == 0x07);
        Operation& op = reusableOperation<"bacnet">(request, info.name, info.opClass);
        op.functionCode = function;
        op.keys["bvlc_function"] = function;
        if (type == kBvlcIpv4 && function == 0x00 && body.size() >= 2 && (body[0] | body[1]) != 0)
            op.exception = true;  // BVLC-Result with a NAK code
        sink.onOperation(flow, op);
        return ParseResult::ok(data.size());
    }
    if (body.size() < npduOffset || !onNpdu(flow, dir, body.subspan(npduOffset), sink)) {
        sink.onAnomaly(flow, kProto, "malformed_pdu");
        return ParseResult::error(data.size());
    }
    return ParseResult::ok(data.size());
}

bool BacnetDissector::onNpdu(const FlowContext& flow, Direction dir,
                             std::span<const std::uint8_t> npdu, EventSink& sink) {
    decode::ByteReader r(npdu);
    const std::uint8_t version = r.u8();
    const std::uint8_t control = r.u8();
    if (!r.ok() || version != 1) return false;
    const bool hasDnet = (control & 0x20) != 0;
    if (hasDnet) {
        r.skip(2);
        r.skip(r.u8());
    }
    if (control & 0x08) {  // SNET / SLEN / SADR: the sender is behind a router
        r.skip(2);
        r.skip(r.u8());
    }
    if (hasDnet) r.skip(1);  // hop count
    if (!r.ok()) return false;
    if (control & 0x80) {  // network layer message
        const std::uint8_t messageType = r.u8();
        if (!r.ok()) return false;
        const ServiceInfo info = networkMessage(messageType);
        Operation& op = reusableOperation<"bacnet">(true, info.name, info.opClass);
        op.functionCode = messageType;
        op.keys["network_message"] = messageType;
        if (messageType >= 0x80) op.keys["vendor_id"] = r.u16();  // proprietary message
        sink.onOperation(flow, op);
        return r.ok();
    }
    return onApdu(flow, dir, r.rest(), sink);
}

bool BacnetDissector::onApdu(const FlowContext& flow, Direction dir,
                             std::span<const std::uint8_t> apdu, EventSink& sink) {
    decode::ByteReader r(apdu);
    const std::uint8_t first = r.u8();
    if (!r.ok()) return false;
    const std::uint8_t type = first >> 4;
    const bool segmented = (first & 0x08) != 0;
    // What the operation gets, gathered first: it is built in one go from the reused one.
    ServiceInfo info;
    int code = -1, service = -1, reason = -1;
    bool request = false, exception = false;
    RangeText range;
    switch (type) {
        case kConfirmedRequest: {
            r.skip(1);  // max segments / max APDU accepted
            r.skip(1);  // invoke id
            std::uint8_t sequence = 0;
            if (segmented) {
                sequence = r.u8();
                r.skip(1);  // proposed window size
            }
            service = r.u8();
            if (!r.ok()) return false;
            info = confirmedService(static_cast<std::uint8_t>(service));
            code = service;
            request = true;
            if ((service == 12 || service == 15) && sequence == 0) propertyRange(r.rest(), range);
            break;
        }
        case kUnconfirmedRequest: {
            service = r.u8();
            if (!r.ok()) return false;
            info = unconfirmedService(static_cast<std::uint8_t>(service));
            code = service;
            request = true;
            break;
        }
        case kSimpleAck: {
            r.skip(1);  // invoke id
            service = r.u8();
            if (!r.ok()) return false;
            info = confirmedService(static_cast<std::uint8_t>(service));
            code = service;
            break;
        }
        case kComplexAck: {
            r.skip(1);                 // invoke id
            if (segmented) r.skip(2);  // sequence number, proposed window size
            service = r.u8();
            if (!r.ok()) return false;
            info = confirmedService(static_cast<std::uint8_t>(service));
            code = service;
            break;
        }
        case kSegmentAck: {
            r.skip(3);  // invoke id, sequence number, actual window size
            if (!r.ok()) return false;
            info = {"segment_ack", "other"};
            break;
        }
        case kError: {
            r.skip(1);  // invoke id
            service = r.u8();
            if (!r.ok()) return false;
            info = confirmedService(static_cast<std::uint8_t>(service));
            code = service;
            exception = true;
            break;
        }
        case kReject:
        case kAbort: {
            r.skip(1);  // invoke id
            reason = r.u8();
            if (!r.ok()) return false;
            info = {type == kReject ? "reject" : "abort", "other"};
            exception = true;
            break;
        }
        default:
            return false;
    }
    Operation& op = reusableOperation<"bacnet">(request, info.name, info.opClass, range.view());
    op.functionCode = code;
    op.exception = exception;
    // In name order: each key is appended.
    op.keys["apdu_type"] = type;
    if (reason >= 0) op.keys["reason"] = reason;
    if (service >= 0) op.keys["service"] = service;
    sink.onOperation(flow, op);
    if (type == kUnconfirmedRequest && service == 0) return onIAm(flow, dir, r.rest(), sink);
    return true;
}

bool BacnetDissector::onIAm(const FlowContext& flow, Direction dir,
                            std::span<const std::uint8_t> request, EventSink& sink) {
    // I-Am-Request ::= SEQUENCE { iAmDeviceIdentifier BACnetObjectIdentifier (app tag 12),
    //   maxAPDULengthAccepted Unsigned (2), segmentationSupported Enumerated (9),
    //   vendorID Unsigned16 (2) }
    decode::ByteReader r(request);
    Tag tag;
    std::uint32_t objectId = 0, maxApdu = 0, segmentation = 0, vendor = 0;
    if (!readTag(r, tag) || tag.context || tag.number != 12 || tag.length != 4 ||
        !readUnsigned(r, 4, objectId) || (objectId >> 22) != kDeviceObjectType) {
        return false;
    }
    const bool restOk = readTag(r, tag) && !tag.context && tag.number == 2 &&
                        readUnsigned(r, tag.length, maxApdu) && readTag(r, tag) && !tag.context &&
                        tag.number == 9 && readUnsigned(r, tag.length, segmentation) &&
                        readTag(r, tag) && !tag.context && tag.number == 2 &&
                        readUnsigned(r, tag.length, vendor);
    const std::uint32_t instance = objectId & 0x3fffff;
    Identity id;
    id.protocol = kProto;
    id.ofServer = dir == Direction::ToClient;  // the identity is the sender's
    id.numbers["device_instance"] = instance;
    if (restOk) id.numbers["vendor_id"] = vendor;
    auto& seen = instances_[dir == Direction::ToClient ? 1 : 0];
    if (seen.size() < kMaxInstancesPerSender) seen.insert(instance);
    if (seen.size() > 1) {
        id.numberSets["device_instances"] = std::set<std::int64_t>(seen.begin(), seen.end());
    }
    const char* vendorName =
        restOk ? findVendor({kBacnetVendors, kBacnetVendorsCount}, vendor) : nullptr;
    if (vendorName != nullptr) {
        id.strings["vendor"] = vendorName;
        // A router answering for several devices behind it is not their vendor.
        if (seen.size() <= 1) id.vendor = vendorName;
    }
    sink.onIdentity(flow, id);
    return restOk;
}

void registerDissector(DissectorRegistry& registry) {
    registry.add({.name = "bacnet",
                  .transport = Transport::Udp,
                  .defaultPorts = {kPort},
                  .probe = &probe,
                  .create = &BacnetDissector::create,
                  .heuristic = true});
}

}  // namespace ironsight::sensor::dissect::bacnet
