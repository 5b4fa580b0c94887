// SPDX-License-Identifier: Apache-2.0
// Profinet DCP dissector (IEC 61158-6-10 §4.3 "DCP", Wireshark packet-pn-dcp.c as cross-check).
//
// After the Ethernet (and 802.1Q) header, EtherType 0x8892:
//   FrameID u16 (0xfefc Hello, 0xfefd Get/Set, 0xfefe Identify request, 0xfeff Identify response)
//   ServiceID u8 (3 Get, 4 Set, 5 Identify, 6 Hello) | ServiceType u8 (0 request, 1 response
//   success, 5 response "not supported") | Xid u32 | ResponseDelay u16 (requests) or reserved |
//   DCPDataLength u16 | blocks
// Block: Option u8 | Suboption u8 | DCPBlockLength u16 | value, padded to an even length.
//   Responses, Hello and Get/Identify answers prefix the value with BlockInfo u16; Set requests
//   with BlockQualifier u16; Identify request filters carry the bare value; Get requests carry
//   a list of (option, suboption) pairs.
// Options: 1 IP (1 MAC, 2 IP parameter = ip, netmask, gateway), 2 device properties (1 type of
// station, 2 name of station, 3 device id = vendor u16 + device u16, 4 device role u8 + reserved,
// 5 device options, 6 alias name, 7 instance, 8 OEM device id), 5 control (1 start, 2 stop
// transaction, 3 signal, 4 response = option, suboption, error, 5 factory reset, 6 reset to
// factory), 0xff all selector.
#include "sensor-agent/dissect/profinet_dcp/profinet_dcp_dissector.h"

#include <cstdio>
#include <string>

#include "sensor-agent/decode/byte_reader.h"
#include "sensor-agent/dissect/core/registry.h"
#include "sensor-agent/dissect/core/text.h"

namespace ironsight::sensor::dissect::profinet_dcp {
namespace {

constexpr std::uint8_t kServiceGet = 3, kServiceSet = 4, kServiceIdentify = 5, kServiceHello = 6;
constexpr std::uint8_t kTypeRequest = 0, kTypeSuccess = 1, kTypeNotSupported = 5;
constexpr std::uint8_t kOptionIp = 1, kOptionDevice = 2, kOptionControl = 5;
constexpr std::uint8_t kSubIpParameter = 2;
constexpr std::uint8_t kSubTypeOfStation = 1, kSubNameOfStation = 2, kSubDeviceId = 3,
                       kSubDeviceRole = 4;
constexpr std::uint8_t kSubSignal = 3, kSubFactoryReset = 5, kSubResetToFactory = 6;
constexpr const char* kProtocol = "profinet_dcp";

std::string ipText(std::span<const std::uint8_t> b) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
    return buf;
}

/// What the blocks of one DCP PDU said.
struct Blocks {
    bool ok = true;
    bool hasIpOrName = false;  // a Set of network parameters / station name: a write
    bool resetOrSignal = false;
    bool factoryReset = false;
    Identity identity;
};

/// Walks the blocks. `prefixed`: each value starts with BlockInfo / BlockQualifier (u16).
Blocks readBlocks(std::span<const std::uint8_t> data, bool prefixed) {
    Blocks out;
    decode::ByteReader r(data);
    while (r.remaining() >= 4) {
        const std::uint8_t option = r.u8();
        const std::uint8_t sub = r.u8();
        const std::uint16_t length = r.u16();
        auto value = r.bytes(length);
        if (!r.ok()) {
            out.ok = false;
            break;
        }
        if (length % 2 != 0 && r.remaining() > 0) r.skip(1);  // padding to an even length
        if (option == kOptionIp || option == kOptionDevice) out.hasIpOrName = true;
        if (option == kOptionControl) {
            out.resetOrSignal = out.resetOrSignal || sub == kSubSignal || sub == kSubFactoryReset ||
                                sub == kSubResetToFactory;
            out.factoryReset =
                out.factoryReset || sub == kSubFactoryReset || sub == kSubResetToFactory;
        }
        if (prefixed) {
            if (value.size() < 2) continue;  // a Get answer or Set without a value
            value = value.subspan(2);
        }
        auto& id = out.identity;
        if (option == kOptionIp && sub == kSubIpParameter && value.size() >= 12) {
            id.strings["ip"] = ipText(value.first(4));
            id.strings["netmask"] = ipText(value.subspan(4, 4));
            id.strings["gateway"] = ipText(value.subspan(8, 4));
        } else if (option == kOptionDevice && sub == kSubTypeOfStation) {
            const std::string text = safeText(value);
            if (!text.empty()) id.strings["type_of_station"] = text;
        } else if (option == kOptionDevice && sub == kSubNameOfStation) {
            const std::string text = safeText(value);
            if (!text.empty()) id.strings["station_name"] = text;
        } else if (option == kOptionDevice && sub == kSubDeviceId && value.size() >= 4) {
            id.numbers["vendor_id"] = (value[0] << 8) | value[1];
            id.numbers["device_id"] = (value[2] << 8) | value[3];
        } else if (option == kOptionDevice && sub == kSubDeviceRole && value.size() >= 1) {
            id.numbers["role"] = value[0];  // bits: 1 IO device, 2 IO controller, 4 multidevice,
                                            // 8 supervisor
        }
    }
    if (r.remaining() != 0) out.ok = false;  // 1-3 trailing bytes: a truncated block header
    return out;
}

const char* functionName(std::uint8_t service) {
    switch (service) {
        case kServiceGet:
            return "get";
        case kServiceSet:
            return "set";
        case kServiceIdentify:
            return "identify";
        case kServiceHello:
            return "hello";
        default:
            return "unknown";
    }
}

}  // namespace

FrameDissectorPtr ProfinetDcpDissector::create() {
    return std::make_unique<ProfinetDcpDissector>();
}

void ProfinetDcpDissector::onFrame(const FrameContext& frame, std::span<const std::uint8_t> payload,
                                   EventSink& sink) noexcept {
    decode::ByteReader r(payload);
    const std::uint16_t frameId = r.u16();
    if (!r.ok() || frameId < kFrameHello || frameId > kFrameIdentifyResponse) return;  // not DCP
    const std::uint8_t service = r.u8();
    const std::uint8_t type = r.u8();
    r.skip(4 + 2);  // Xid, ResponseDelay / reserved
    const std::uint16_t dataLength = r.u16();
    auto data = r.bytes(dataLength);  // Ethernet padding after the blocks is not DCP data
    const bool request = type == kTypeRequest;
    if (!r.ok()) {
        sink.onAnomaly(frame.flow(request), kProtocol, "malformed_pdu");
        return;
    }
    if (service < kServiceGet || service > kServiceHello ||
        (type != kTypeRequest && type != kTypeSuccess && type != kTypeNotSupported)) {
        sink.onAnomaly(frame.flow(request), kProtocol, "unknown_service");
        return;
    }
    // Hello is an announcement by the device itself: it is the "server" of what it announces.
    const bool senderIsClient = request && service != kServiceHello;
    const FlowContext flow = frame.flow(senderIsClient);

    // Identify request filters and Get request option lists carry no BlockInfo prefix.
    const bool prefixed = !(request && (service == kServiceIdentify || service == kServiceGet));
    Blocks blocks;
    if (!(request && service == kServiceGet)) blocks = readBlocks(data, prefixed);
    if (!blocks.ok) sink.onAnomaly(flow, kProtocol, "malformed_pdu");

    Operation& op = reusableOperation<"profinet_dcp">(request, functionName(service));
    op.functionCode = service;
    op.exception = type == kTypeNotSupported;
    switch (service) {
        case kServiceGet:
            op.opClass = "read";
            break;
        case kServiceSet:
            // Naming a station or assigning its IP writes configuration; a factory reset, or a
            // bare signal (flash the LED) without parameters, controls the device.
            op.opClass = blocks.factoryReset || (blocks.resetOrSignal && !blocks.hasIpOrName)
                             ? "control"
                             : "write";
            break;
        case kServiceIdentify:
            op.opClass = "diagnostic";
            break;
        default:
            op.opClass = "other";
            break;
    }
    sink.onOperation(flow, op);

    // The sender's own identity: Identify/Get responses and Hello. A Set request carries values
    // for the target and an Identify request a filter: neither describes the sender.
    const bool describesSender =
        (type == kTypeSuccess && service != kServiceSet) || (request && service == kServiceHello);
    if (!describesSender || !blocks.ok) return;
    Identity& id = blocks.identity;
    if (id.strings.empty() && id.numbers.empty()) return;
    id.protocol = kProtocol;
    id.mac = frame.srcMac;
    auto name = id.strings.find("station_name");
    if (name != id.strings.end()) id.hostname = name->second;
    auto model = id.strings.find("type_of_station");
    if (model != id.strings.end()) id.model = model->second;
    sink.onIdentity(flow, id);
}

void registerDissector(DissectorRegistry& registry) {
    registry.addFrame({.name = kProtocol,
                       .etherTypes = {kEtherType},
                       .snapIds = {},
                       .create = &ProfinetDcpDissector::create});
}

}  // namespace ironsight::sensor::dissect::profinet_dcp
