// SPDX-License-Identifier: Apache-2.0
// S7comm dissector. References: RFC 1006 §6 (TPKT), ISO 8073 / X.224 §13 (COTP TPDUs), the
// Wireshark s7comm and s7comm_plus dissectors (no public Siemens specification exists).
//
// TPKT (4): version u8 (= 3) | reserved u8 | length u16 (whole TPKT, >= 7).
// COTP: length indicator u8 (header bytes that follow) | PDU type u8 (high nibble: 0xE CR,
//   0xD CC, 0x8 DR, 0xF DT, ...). DT class 0: | TPDU number u8 (bit 7 = EOT, last unit).
// S7comm header: protocol id u8 (= 0x32) | ROSCTR u8 (1 Job, 2 Ack, 3 Ack_Data, 7 Userdata) |
//   redundancy id u16 | PDU reference u16 | parameter length u16 | data length u16 |
//   [ROSCTR 2/3: error class u8 | error code u8] | parameters | data.
// Job / Ack_Data parameters: function u8 | ...   (PI service 0x28 request: 7 bytes | parameter
//   block length u16 | parameter block | name length u8 | name, e.g. "P_PROGRAM").
// Userdata parameters: head u24 (00 01 12) | length u8 (4 or 8) | method u8 | type u4 + group u4 |
//   subfunction u8 | sequence u8 [| data unit ref u8 | last data unit u8 | error code u16].
// Userdata data: return code u8 (0xff ok) | transport size u8 | length u16 | payload.
// SZL read response payload: SZL id u16 | index u16 | record length u16 | record count u16 |
// records. S7comm-plus: protocol id u8 (= 0x72) | version u8 | data length u16 | [V3: digest length
// u8 |
//   digest] | opcode u8 (0x31 request, 0x32 response, 0x33 notification) | reserved u16 |
//   function u16 | ...
#include "sensor-agent/dissect/s7comm/s7comm_dissector.h"

#include <cstdio>
#include <string>

#include "sensor-agent/decode/byte_reader.h"
#include "sensor-agent/dissect/core/text.h"
#include "sensor-agent/dissect/s7comm/s7comm_functions.h"

namespace ironsight::sensor::dissect::s7comm {
namespace {

constexpr std::string_view kProtocol = "s7comm";
constexpr std::string_view kPlusProtocol = "s7comm_plus";
constexpr std::size_t kTpktHeader = 4;
constexpr std::uint8_t kS7ProtocolId = 0x32;
constexpr std::uint8_t kPlusProtocolId = 0x72;

int dirIndex(Direction dir) {
    return dir == Direction::ToServer ? 0 : 1;
}

std::string trimmed(std::span<const std::uint8_t> bytes) {
    std::string s = safeText(bytes);
    const auto first = s.find_first_not_of(' ');
    return first == std::string::npos ? std::string() : s.substr(first);
}

/// SZL records that identify the module: xy11 (module identification: index u16 | MLFB 20 chars
/// | BGTyp u16 | Ausbg u16 | Ausbe u16) and xy1C (component identification: index u16 | text).
void szlIdentity(const FlowContext& flow, std::span<const std::uint8_t> payload, EventSink& sink) {
    decode::ByteReader r(payload);
    const std::uint16_t szlId = r.u16();
    r.skip(2);  // index
    const std::uint16_t recordLength = r.u16();
    const std::uint16_t count = r.u16();
    if (!r.ok() || recordLength < 2) return;
    Identity id;
    id.protocol = std::string(kProtocol);
    id.ofServer = true;
    for (std::uint16_t i = 0; i < count && r.has(recordLength); ++i) {
        decode::ByteReader rec(r.bytes(recordLength));
        const std::uint16_t index = rec.u16();
        if ((szlId & 0xff) == 0x11 && recordLength >= 28) {
            const std::string mlfb = trimmed(rec.bytes(20));
            rec.skip(2);  // BGTyp
            const std::uint16_t ausbg = rec.u16();
            const std::uint16_t ausbe = rec.u16();
            if (index == 0x0001 && !mlfb.empty()) {
                id.strings["order_number"] = id.model = mlfb;
            } else if (index == 0x0007 && (ausbg >> 8) == 'V') {
                char version[32];
                std::snprintf(version, sizeof version, "V%u.%u.%u", ausbg & 0xffu, ausbe >> 8,
                              ausbe & 0xffu);
                id.strings["firmware"] = id.firmware = version;
            }
        } else if ((szlId & 0xff) == 0x1c && recordLength >= 4) {
            const std::string text = trimmed(rec.rest());
            if (text.empty()) continue;
            switch (index) {
                case 1:
                    id.strings["plc_name"] = text;
                    break;
                case 2:
                    id.strings["module_name"] = text;
                    break;
                case 5:
                    id.strings["serial_number"] = text;
                    break;
                case 7:
                    id.strings["cpu_type"] = text;
                    break;
                default:
                    break;
            }
        }
    }
    if (id.strings.empty()) return;
    id.vendor = "Siemens";
    sink.onIdentity(flow, id);
}

void dissectUserdata(const FlowContext& flow, Direction dir, std::span<const std::uint8_t> params,
                     std::span<const std::uint8_t> data, EventSink& sink) {
    decode::ByteReader r(params);
    r.skip(3);  // parameter head
    const std::uint8_t length = r.u8();
    r.skip(1);  // method
    const std::uint8_t typeGroup = r.u8();
    const std::uint8_t subfunction = r.u8();
    if (!r.ok() || length < 4) {
        sink.onAnomaly(flow, kProtocol, "malformed_userdata");
        return;
    }
    const std::uint8_t type = typeGroup >> 4;
    const std::uint8_t group = typeGroup & 0x0f;
    const FunctionInfo info = userdataFunction(group, subfunction);
    Operation& op =
        reusableOperation<"s7comm">(dir == Direction::ToServer, info.name, info.opClass);
    op.keys["rosctr"] = 7;
    op.keys["userdata_group"] = group;
    // Mode-transition notifications (group 0) carry a mode, not a subfunction.
    if (group != 0) {
        op.functionCode = subfunction;
        op.keys["userdata_subfunction"] = subfunction;
    }
    decode::ByteReader d(data);
    const std::uint8_t returnCode = d.u8();
    d.skip(1);  // transport size
    const std::uint16_t dataLength = d.u16();
    if (d.ok() && type == 0x8 && returnCode != 0xff && returnCode != 0x00) op.exception = true;
    sink.onOperation(flow, op);
    // A successful SZL read response: module identification.
    if (group == 0x4 && subfunction == 0x01 && type == 0x8 && d.ok() && returnCode == 0xff) {
        const std::size_t n = std::min<std::size_t>(dataLength, d.remaining());
        szlIdentity(flow, d.bytes(n), sink);
    }
}

void dissectS7(const FlowContext& flow, Direction dir, std::span<const std::uint8_t> pdu,
               EventSink& sink) {
    decode::ByteReader r(pdu);
    r.skip(1);  // protocol id
    const std::uint8_t rosctr = r.u8();
    r.skip(4);  // redundancy id, PDU reference
    const std::uint16_t paramLength = r.u16();
    const std::uint16_t dataLength = r.u16();
    std::uint8_t errorClass = 0;
    if (rosctr == 2 || rosctr == 3) {
        errorClass = r.u8();
        r.skip(1);  // error code
    }
    if (!r.ok()) {
        sink.onAnomaly(flow, kProtocol, "malformed_pdu");
        return;
    }
    if (r.remaining() < static_cast<std::size_t>(paramLength) + dataLength) {
        sink.onAnomaly(flow, kProtocol, "length_mismatch");
        return;
    }
    const auto params = r.bytes(paramLength);
    const auto data = r.bytes(dataLength);
    switch (rosctr) {
        case 1:
        case 3: {
            if (params.empty()) return;  // nothing names the function
            const std::uint8_t function = params[0];
            FunctionInfo info = jobFunction(function);
            if (function == 0x28 && rosctr == 1) {
                // PI service: 7 unknown bytes | block length u16 | block | name length | name
                decode::ByteReader p(params.subspan(1));
                p.skip(7);
                const std::uint16_t blockLength = p.u16();
                p.skip(blockLength);
                const std::uint8_t nameLength = p.u8();
                const auto name = p.bytes(nameLength);
                if (p.ok()) {
                    info = piService(
                        std::string_view(reinterpret_cast<const char*>(name.data()), name.size()));
                }
            }
            Operation& op = reusableOperation<"s7comm">(rosctr == 1, info.name, info.opClass);
            op.functionCode = function;
            op.exception = rosctr == 3 && errorClass != 0;
            op.keys["rosctr"] = rosctr;
            sink.onOperation(flow, op);
            return;
        }
        case 2: {
            // Ack without data: acknowledges a Job and names no function (tshark lists it as
            // ROSCTR 2 with no function): an operation without a function code.
            Operation& op = reusableOperation<"s7comm">(false, "ack", "other");
            op.exception = errorClass != 0;
            op.keys["rosctr"] = rosctr;
            sink.onOperation(flow, op);
            return;
        }
        case 7:
            dissectUserdata(flow, dir, params, data, sink);
            return;
        default:
            sink.onAnomaly(flow, kProtocol, "unknown_rosctr");
            return;
    }
}

void dissectPlus(const FlowContext& flow, Direction dir, std::span<const std::uint8_t> pdu,
                 EventSink& sink) {
    decode::ByteReader r(pdu);
    r.skip(1);  // protocol id
    const std::uint8_t version = r.u8();
    r.skip(2);  // data length
    if (!r.ok()) {
        sink.onAnomaly(flow, kPlusProtocol, "malformed_pdu");
        return;
    }
    std::string_view name = "unknown", opClass = "other";
    int code = -1, opcodeKey = -1;
    bool exception = false;
    if (version == 0xfe) {
        name = "keep_alive";
    } else {
        if (version == 3) {  // integrity part: digest length u8 | digest
            const std::uint8_t digestLength = r.u8();
            r.skip(digestLength);
        }
        const std::uint8_t opcode = r.u8();
        r.skip(2);  // reserved
        const std::uint16_t function = r.u16();
        if (r.ok()) {
            opcodeKey = opcode;
            if (opcode == 0x31 || opcode == 0x32 || opcode == 0x02) {
                const FunctionInfo info = plusFunction(function);
                name = info.name;
                opClass = info.opClass;
                code = function;
                exception = function == 0x04b1 || function == 0x05a9;
            } else if (opcode == 0x33) {
                name = "notification";
            } else {
                return;  // continuation of a PDU fragmented over several TPKTs: no operation
            }
        }
    }
    Operation& op = reusableOperation<"s7comm_plus">(dir == Direction::ToServer, name, opClass);
    op.functionCode = code;
    op.exception = exception;
    if (opcodeKey >= 0) op.keys["opcode"] = opcodeKey;  // in name order: each key is appended
    op.keys["version"] = version;
    sink.onOperation(flow, op);
}

}  // namespace

DissectorPtr S7commDissector::create() {
    return std::make_unique<S7commDissector>();
}

Probe probe(std::span<const std::uint8_t> payload) {
    if (payload.size() < kTpktHeader + 2) return Probe::NeedMore;
    decode::ByteReader r(payload);
    const std::uint8_t version = r.u8();
    const std::uint8_t reserved = r.u8();
    const std::uint16_t length = r.u16();
    const std::uint8_t li = r.u8();
    const std::uint8_t type = r.u8() & 0xf0;
    const bool cotpType = type == 0xe0 || type == 0xd0 || type == 0xf0 || type == 0x80;
    return version == 3 && reserved == 0 && length >= 7 && li >= 2 && li + 5u <= length && cotpType
               ? Probe::Match
               : Probe::NoMatch;
}

void dissectPdu(const FlowContext& flow, Direction dir, std::span<const std::uint8_t> pdu,
                EventSink& sink) {
    if (pdu.empty()) return;
    if (pdu[0] == kS7ProtocolId) {
        dissectS7(flow, dir, pdu, sink);
    } else if (pdu[0] == kPlusProtocolId) {
        dissectPlus(flow, dir, pdu, sink);
    }
    // Anything else over COTP (e.g. ISO session / MMS on the same port) is not ours: ignored.
}

void S7commDissector::onCotpData(const FlowContext& flow, Direction dir,
                                 std::span<const std::uint8_t> payload, bool lastUnit,
                                 EventSink& sink) {
    auto& buffer = fragments_[dirIndex(dir)];
    if (buffer.empty() && lastUnit) {
        dissectPdu(flow, dir, payload, sink);
        return;
    }
    if (buffer.size() + payload.size() > kMaxReassembly) {
        sink.onAnomaly(flow, kProtocol, "reassembly_overflow");
        buffer.clear();
        return;
    }
    buffer.insert(buffer.end(), payload.begin(), payload.end());
    if (!lastUnit) return;
    dissectPdu(flow, dir, buffer, sink);
    buffer.clear();
}

ParseResult S7commDissector::onData(const FlowContext& flow, Direction dir,
                                    std::span<const std::uint8_t> data, EventSink& sink) noexcept {
    try {
        std::size_t consumed = 0;
        while (consumed < data.size()) {
            const auto rest = data.subspan(consumed);
            if (rest.size() < kTpktHeader) return ParseResult::incomplete(consumed, kTpktHeader);
            decode::ByteReader r(rest);
            const std::uint8_t version = r.u8();
            r.skip(1);  // reserved
            const std::uint16_t length = r.u16();
            if (version != 3 || length < 7) {
                sink.onAnomaly(flow, kProtocol, "malformed_tpkt");
                fragments_[dirIndex(dir)].clear();
                return ParseResult::error(data.size());
            }
            if (rest.size() < length) return ParseResult::incomplete(consumed, length);
            consumed += length;
            decode::ByteReader cotp(rest.subspan(kTpktHeader, length - kTpktHeader));
            const std::uint8_t li = cotp.u8();
            const std::uint8_t type = cotp.u8();
            if (li < 1 || li > cotp.remaining() + 1) {
                sink.onAnomaly(flow, kProtocol, "malformed_cotp");
                continue;
            }
            if ((type & 0xf0) != 0xf0) continue;  // CR / CC / DR / ...: connection management
            if (li < 2) {
                sink.onAnomaly(flow, kProtocol, "malformed_cotp");
                continue;
            }
            const std::uint8_t tpduNumber = cotp.u8();
            cotp.skip(li - 2u);  // further DT header bytes (classes 2-4)
            if (!cotp.ok()) {
                sink.onAnomaly(flow, kProtocol, "malformed_cotp");
                continue;
            }
            onCotpData(flow, dir, cotp.rest(), (tpduNumber & 0x80) != 0, sink);
        }
        return ParseResult::ok(consumed);
    } catch (...) {  // std::bad_alloc from buffers or strings: drop this segment
        return ParseResult::error(data.size());
    }
}

void S7commDissector::onGap(Direction dir) noexcept {
    fragments_[dirIndex(dir)].clear();
}

void registerDissector(DissectorRegistry& registry) {
    registry.add({.name = "s7comm",
                  .transport = Transport::Tcp,
                  .defaultPorts = {kPort},
                  .probe = &probe,
                  .create = &S7commDissector::create});
}

}  // namespace ironsight::sensor::dissect::s7comm
