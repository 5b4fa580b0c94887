// SPDX-License-Identifier: Apache-2.0
// IEC 60870-5-104 dissector (IEC 60870-5-104:2006 §5 APCI, §8 ASDU; IEC 60870-5-101 §7 ASDU).
//
// APDU: start 0x68 | length u8 (octets after it: 4..253) | control field 4 octets | [ASDU].
//   I format: cf1 bit0 = 0; N(S) = (cf1 | cf2 << 8) >> 1, N(R) = (cf3 | cf4 << 8) >> 1; ASDU
//   follows. S format: cf1 & 3 = 1; N(R) in cf3/cf4.  U format: cf1 & 3 = 3; cf1 bits 2..7 =
//   STARTDT act, STARTDT con, STOPDT act, STOPDT con, TESTFR act, TESTFR con (exactly one set).
// ASDU: type id u8 | VSQ u8 (SQ bit 7, number of objects bits 0-6) | COT u8 (T bit 7, P/N bit 6,
//   cause bits 0-5) | originator address u8 | common address u16le | information objects:
//   SQ = 0: number x (IOA u24le + element); SQ = 1: IOA u24le + number x element.
#include "sensor-agent/dissect/iec104/iec104_dissector.h"

#include <algorithm>
#include <charconv>
#include <iterator>

#include "sensor-agent/dissect/iec104/iec104_types.h"

namespace ironsight::sensor::dissect::iec104 {
namespace {

constexpr std::string_view kProtocol = "iec104";
constexpr std::uint8_t kStart = 0x68;
constexpr std::size_t kControlSize = 4;
constexpr std::size_t kMaxLength = 253;
constexpr std::size_t kAsduHeaderSize = 6;
constexpr std::size_t kIoaSize = 3;

struct UFunction {
    std::uint8_t bit;
    const char* name;
    const char* opClass;
};
// u_type as in the truth files: cf1 >> 2 (0x01 STARTDT act ... 0x20 TESTFR con).
constexpr std::array<UFunction, 6> kUFunctions = {{
    {0x01, "startdt_act", "other"},
    {0x02, "startdt_con", "other"},
    {0x04, "stopdt_act", "other"},
    {0x08, "stopdt_con", "other"},
    {0x10, "testfr_act", "diagnostic"},
    {0x20, "testfr_con", "diagnostic"},
}};

std::size_t dirIndex(Direction dir) {
    return dir == Direction::ToServer ? 0 : 1;
}

std::uint32_t ioaAt(std::span<const std::uint8_t> b, std::size_t at) {
    return b[at] | (b[at + 1] << 8) | (static_cast<std::uint32_t>(b[at + 2]) << 16);
}

}  // namespace

DissectorPtr Iec104Dissector::create() {
    return std::make_unique<Iec104Dissector>();
}

Probe probe(std::span<const std::uint8_t> payload) {
    if (payload.empty()) return Probe::NeedMore;
    if (payload[0] != kStart) return Probe::NoMatch;
    if (payload.size() < 2 + kControlSize) return Probe::NeedMore;
    const std::uint8_t length = payload[1];
    const std::uint8_t cf1 = payload[2];
    if (length < kControlSize || length > kMaxLength) return Probe::NoMatch;
    if ((cf1 & 0x03) == 0x03) {  // U format: exactly one function bit, length 4
        const std::uint8_t u = cf1 >> 2;
        return length == kControlSize && u != 0 && (u & (u - 1)) == 0 ? Probe::Match
                                                                      : Probe::NoMatch;
    }
    if ((cf1 & 0x03) == 0x01) return length == kControlSize ? Probe::Match : Probe::NoMatch;
    return length > kControlSize + kAsduHeaderSize - 1 ? Probe::Match : Probe::NoMatch;
}

ParseResult Iec104Dissector::onData(const FlowContext& flow, Direction dir,
                                    std::span<const std::uint8_t> data, EventSink& sink) noexcept {
    std::size_t consumed = 0;
    while (consumed < data.size()) {
        const auto rest = data.subspan(consumed);
        if (rest[0] != kStart) {
            // Junk before the start octet: skip to the next 0x68 (one anomaly per skipped run).
            const auto next = std::find(rest.begin(), rest.end(), kStart);
            sink.onAnomaly(flow, kProtocol, "junk_bytes");
            consumed += static_cast<std::size_t>(next - rest.begin());
            continue;
        }
        if (rest.size() < 2) return ParseResult::incomplete(consumed, 2);
        const std::size_t length = rest[1];
        if (rest.size() < 2 + length) return ParseResult::incomplete(consumed, 2 + length);
        if (length < kControlSize) {
            sink.onAnomaly(flow, kProtocol, "short_apdu");
        } else {
            if (length > kMaxLength) sink.onAnomaly(flow, kProtocol, "malformed_apdu");
            onApdu(flow, dir, rest.subspan(2, length), sink);
        }
        consumed += 2 + length;
    }
    return ParseResult::ok(consumed);
}

void Iec104Dissector::onGap(Direction dir) noexcept {
    nextSend_[dirIndex(dir)] = -1;
}

void Iec104Dissector::onApdu(const FlowContext& flow, Direction dir,
                             std::span<const std::uint8_t> apdu, EventSink& sink) {
    const std::uint8_t cf1 = apdu[0];
    if ((cf1 & 0x01) == 0) {  // I format
        const int sendSeq = (cf1 | (apdu[1] << 8)) >> 1;
        int& expected = nextSend_[dirIndex(dir)];
        if (expected >= 0 && sendSeq != expected) sink.onAnomaly(flow, kProtocol, "sequence_error");
        expected = (sendSeq + 1) & 0x7fff;
        if (apdu.size() == kControlSize) {
            sink.onAnomaly(flow, kProtocol, "truncated_asdu");
            return;
        }
        onAsdu(flow, dir, apdu.subspan(kControlSize), sink);
        return;
    }
    if (apdu.size() != kControlSize) sink.onAnomaly(flow, kProtocol, "malformed_apdu");
    if ((cf1 & 0x03) == 0x01) return;  // S format: acknowledgement only
    const std::uint8_t u = cf1 >> 2;
    const auto it = std::find_if(kUFunctions.begin(), kUFunctions.end(),
                                 [&](const UFunction& f) { return f.bit == u; });
    if (it == kUFunctions.end()) {
        sink.onAnomaly(flow, kProtocol, "malformed_apdu");
        return;
    }
    Operation& op = reusableOperation<"iec104">(dir == Direction::ToServer, it->name, it->opClass);
    op.functionCode = u;
    op.keys["u_type"] = u;
    sink.onOperation(flow, op);
}

void Iec104Dissector::onAsdu(const FlowContext& flow, Direction dir,
                             std::span<const std::uint8_t> asdu, EventSink& sink) {
    const std::uint8_t typeId = asdu[0];
    const TypeInfo info = typeInfo(typeId);
    if (!info.known) sink.onAnomaly(flow, kProtocol, "unknown_type_id");
    // A truncated ASDU still reports the fields it has (as the truth files do). The range and
    // the anomalies come first: the operation is built in one go from the reused one.
    int cause = -1;
    bool exception = false;
    if (asdu.size() >= 3) {
        const std::uint8_t cot = asdu[2];
        cause = cot & 0x3f;
        // P/N bit: negative confirmation; causes 44..47: unknown type/cause/address/object.
        exception = (cot & 0x40) != 0 || (cause >= 44 && cause <= 47);
        if (cause == 0) sink.onAnomaly(flow, kProtocol, "malformed_asdu");
    }
    const auto emit = [&](std::string_view range, int asduAddress) {
        Operation& op =
            reusableOperation<"iec104">(dir == Direction::ToServer, info.name, info.opClass, range);
        op.functionCode = typeId;
        op.exception = exception;
        // In name order: each key is appended.
        if (asduAddress >= 0) op.keys["asdu_addr"] = asduAddress;
        if (cause >= 0) op.keys["cause_tx"] = cause;
        op.keys["type_id"] = typeId;
        sink.onOperation(flow, op);
    };
    if (asdu.size() < kAsduHeaderSize) {
        sink.onAnomaly(flow, kProtocol, "truncated_asdu");
        emit({}, -1);
        return;
    }
    const int asduAddress = asdu[4] | (asdu[5] << 8);
    const bool sequence = (asdu[1] & 0x80) != 0;
    const std::size_t count = asdu[1] & 0x7f;
    const auto objects = asdu.subspan(kAsduHeaderSize);
    char range[32];  // "ioa " and two numbers of at most 8 digits
    char* rangeEnd = range;
    if (info.known && info.elementSize > 0 && count > 0) {
        const std::size_t expected =
            sequence ? kIoaSize + count * info.elementSize : count * (kIoaSize + info.elementSize);
        if (objects.size() != expected) {
            sink.onAnomaly(flow, kProtocol, "length_mismatch");
        } else {
            // Information object address range, the analogue of a register range.
            std::uint32_t first = ioaAt(objects, 0), last = first;
            if (sequence) {
                last = first + static_cast<std::uint32_t>(count) - 1;
            } else {
                for (std::size_t i = 0; i < count; ++i) {
                    const std::uint32_t ioa = ioaAt(objects, i * (kIoaSize + info.elementSize));
                    first = std::min(first, ioa);
                    last = std::max(last, ioa);
                }
            }
            rangeEnd = std::copy_n("ioa ", 4, range);
            rangeEnd = std::to_chars(rangeEnd, std::end(range), first).ptr;
            if (first != last) {
                *rangeEnd++ = '-';
                rangeEnd = std::to_chars(rangeEnd, std::end(range), last).ptr;
            }
        }
    }
    const std::string_view rangeText(range, static_cast<std::size_t>(rangeEnd - range));
    if (typeId == 70) sink.onAnomaly(flow, kProtocol, "end_of_initialization");
    emit(rangeText, asduAddress);
}

void registerDissector(DissectorRegistry& registry) {
    registry.add({.name = "iec104",
                  .transport = Transport::Tcp,
                  .defaultPorts = {kPort},
                  .probe = &probe,
                  .create = &Iec104Dissector::create});
}

}  // namespace ironsight::sensor::dissect::iec104
