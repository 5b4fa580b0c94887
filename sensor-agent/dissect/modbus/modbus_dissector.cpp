// SPDX-License-Identifier: Apache-2.0
// Modbus/TCP dissector.
// References: Modbus Messaging on TCP/IP Implementation Guide v1.0b §3.1 (MBAP header);
// Modbus Application Protocol v1.1b §6 (function codes), §7 (exceptions), §6.21 (FC 43 / MEI 14).
//
// MBAP header (7 bytes): transaction id u16 | protocol id u16 (= 0) | length u16 (bytes that
// follow: unit id + PDU) | unit id u8. Then the PDU: function code u8 | data.
#include "sensor-agent/dissect/modbus/modbus_dissector.h"

#include <algorithm>
#include <charconv>
#include <iterator>
#include <string_view>

#include "sensor-agent/decode/byte_reader.h"
#include "sensor-agent/dissect/core/registry.h"
#include "sensor-agent/dissect/core/text.h"
#include "sensor-agent/dissect/modbus/modbus_functions.h"

namespace ironsight::sensor::dissect::modbus {
namespace {

constexpr std::size_t kMbapSize = 7;
constexpr std::size_t kMaxAduLength = 254;  // length field: unit id + PDU (PDU <= 253 bytes)

/// A request's register/coil range, "table first-last" ("table first" for a count of 0), written
/// into a fixed buffer: the operation copies it only when it differs from the previous one's.
class RangeText {
public:
    std::string_view view() const { return {text_, size_}; }
    // Inlined where the table name is a constant: its copy is then a fixed-size one.
    [[gnu::always_inline]] void set(std::string_view table, std::uint32_t address,
                                    std::uint32_t count) {
        // table (at most 17) + ' ' + two 5-digit numbers and '-': fits.
        char* p = std::copy(table.begin(), table.end(), text_);
        *p++ = ' ';
        p = std::to_chars(p, std::end(text_), address).ptr;
        if (count != 0) {
            *p++ = '-';
            p = std::to_chars(p, std::end(text_), address + count - 1).ptr;
        }
        size_ = static_cast<std::size_t>(p - text_);
    }

private:
    char text_[48];
    std::size_t size_ = 0;
};

/// The register/coil range a request addresses (nothing when the function has none).
void requestRange(RangeText& text, std::uint8_t fc, std::span<const std::uint8_t> data) {
    decode::ByteReader r(data);
    const std::uint16_t address = r.u16();
    const std::uint16_t second = r.u16();
    if (!r.ok()) return;
    switch (fc) {
        case 1:
            return text.set("coils", address, second);
        case 2:
            return text.set("discrete_inputs", address, second);
        case 3:
            return text.set("holding_registers", address, second);
        case 4:
            return text.set("input_registers", address, second);
        case 5:
            return text.set("coils", address, 1);
        case 6:
            return text.set("holding_registers", address, 1);
        case 15:
            return text.set("coils", address, second);
        case 16:
            return text.set("holding_registers", address, second);
        case 22:
            return text.set("holding_registers", address, 1);
        case 23: {  // read address/count, then write address/count
            const std::uint16_t writeAddress = r.u16();
            const std::uint16_t writeCount = r.u16();
            if (!r.ok()) return text.set("holding_registers", address, second);
            return text.set("holding_registers", writeAddress, writeCount);
        }
        default:
            return;
    }
}

}  // namespace

DissectorPtr ModbusDissector::create() {
    return std::make_unique<ModbusDissector>();
}

Probe probe(std::span<const std::uint8_t> payload) {
    if (payload.size() < kMbapSize + 1) return Probe::NeedMore;
    decode::ByteReader r(payload);
    r.skip(2);
    const std::uint16_t protocolId = r.u16();
    const std::uint16_t length = r.u16();
    return protocolId == 0 && length >= 2 && length <= kMaxAduLength ? Probe::Match
                                                                     : Probe::NoMatch;
}

ParseResult ModbusDissector::onData(const FlowContext& flow, Direction dir,
                                    std::span<const std::uint8_t> data, EventSink& sink) noexcept {
    std::size_t consumed = 0;
    while (true) {
        const auto rest = data.subspan(consumed);
        if (rest.size() < kMbapSize) return ParseResult::incomplete(consumed, kMbapSize);
        // The whole MBAP header is there: read in place. Skipped: the transaction id.
        const std::uint16_t protocolId = static_cast<std::uint16_t>((rest[2] << 8) | rest[3]);
        const std::uint16_t length = static_cast<std::uint16_t>((rest[4] << 8) | rest[5]);
        const std::uint8_t unitId = rest[6];
        if (protocolId != 0 || length < 2 || length > kMaxAduLength) {
            sink.onAnomaly(flow, "modbus", "malformed_pdu");
            return ParseResult::error(data.size());  // drop the rest; resync on the next segment
        }
        const std::size_t aduSize = 6 + static_cast<std::size_t>(length);
        if (rest.size() < aduSize) return ParseResult::incomplete(consumed, aduSize);
        onPdu(flow, dir, unitId, rest.subspan(kMbapSize, length - 1), sink);
        consumed += aduSize;
        if (consumed == data.size()) return ParseResult::ok(consumed);
    }
}

void ModbusDissector::onPdu(const FlowContext& flow, Direction dir, std::uint8_t unitId,
                            std::span<const std::uint8_t> pdu, EventSink& sink) {
    const std::uint8_t rawFc = pdu[0];
    const std::uint8_t fc = rawFc & 0x7f;
    const auto data = pdu.subspan(1);
    std::string_view function, opClass;
    if (fc == 90 && data.size() >= 2) {
        const FunctionInfo& info = umasInfo(data[1]);  // data[0] is the UMAS session id
        function = info.name;
        opClass = info.opClass;
    } else if (fc == 43 && !data.empty() && data[0] == 0x0e) {
        function = "read_device_identification";
        opClass = "diagnostic";
    } else {
        const FunctionInfo& info = functionInfo(fc);
        function = info.name;
        opClass = fc == 8 ? std::string_view("diagnostic") : std::string_view(info.opClass);
    }
    const bool isRequest = dir == Direction::ToServer;
    RangeText range;
    if (isRequest) requestRange(range, fc, data);
    Operation& op = reusableOperation<"modbus">(isRequest, function, opClass, range.view());
    op.functionCode = fc;
    op.exception = !isRequest && (rawFc & 0x80) != 0;
    op.keys["unit_id"] = unitId;
    const bool request = op.request, exception = op.exception;
    sink.onOperation(flow, op);

    // FC 43 / MEI 14 response: MEI type | read code | conformity | more follows | next object id |
    // object count | { object id u8 | length u8 | value }...
    if (fc == 43 && !request && !exception && data.size() >= 6 && data[0] == 0x0e) {
        decode::ByteReader r(data.subspan(5));
        const std::uint8_t count = r.u8();
        Identity id;
        id.protocol = "modbus";
        id.ofServer = true;
        for (int i = 0; i < count && r.ok(); ++i) {
            const std::uint8_t objectId = r.u8();
            const std::uint8_t len = r.u8();
            std::string value = safeText(r.bytes(len));
            if (!r.ok()) break;
            switch (objectId) {
                case 0:
                    id.strings["vendor"] = id.vendor = value;
                    break;
                case 1:
                    id.strings["product_code"] = id.model = value;
                    break;
                case 2:
                    id.strings["revision"] = id.firmware = value;
                    break;
                case 4:
                    id.strings["product_name"] = value;
                    break;
                case 5:
                    id.strings["model_name"] = value;
                    break;
                default:
                    break;
            }
        }
        if (!id.strings.empty()) sink.onIdentity(flow, id);
    }
}

void registerDissector(DissectorRegistry& registry) {
    registry.add({.name = "modbus",
                  .transport = Transport::Tcp,
                  .defaultPorts = {kPort},
                  .probe = &probe,
                  .create = &ModbusDissector::create});
}

}  // namespace ironsight::sensor::dissect::modbus
