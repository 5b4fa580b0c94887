// SPDX-License-Identifier: Apache-2.0
// SNMP dissector (RFC 1157 v1, RFC 3416 v2c PDUs in BER, X.690 §8; RFC 3412 v3 header only).
//
// Message ::= SEQUENCE { version INTEGER (0 v1, 1 v2c, 3 v3), community OCTET STRING, pdu }
// pdu     ::= [0..8] IMPLICIT SEQUENCE { request-id, error-status, error-index INTEGER,
//                                        varbinds SEQUENCE OF SEQUENCE { name OID, value } }
// v1 Trap ::= [4] { enterprise OID, agent-addr, generic, specific, timestamp, varbinds }
// The community string is a secret: it is skipped, never copied, never reported.
#include "sensor-agent/dissect/snmp/snmp_dissector.h"

#include <algorithm>
#include <array>
#include <optional>

#include "sensor-agent/dissect/core/text.h"

namespace ironsight::sensor::dissect::snmp {
namespace {

// 1.3.6.1.2.1.1.1.0 sysDescr and 1.3.6.1.2.1.1.5.0 sysName (RFC 3418), BER-encoded.
constexpr std::array<std::uint8_t, 8> kSysDescr = {0x2b, 6, 1, 2, 1, 1, 1, 0};
constexpr std::array<std::uint8_t, 8> kSysName = {0x2b, 6, 1, 2, 1, 1, 5, 0};

/// One BER TLV: tag, and the value bytes. Definite lengths only (SNMP forbids indefinite).
struct Tlv {
    std::uint8_t tag = 0;
    std::span<const std::uint8_t> value;
};

class Ber {
public:
    explicit Ber(std::span<const std::uint8_t> data) : data_(data) {}
    bool empty() const { return pos_ >= data_.size(); }
    std::optional<Tlv> next() {
        if (data_.size() - pos_ < 2) return std::nullopt;
        Tlv t;
        t.tag = data_[pos_++];
        if ((t.tag & 0x1f) == 0x1f) return std::nullopt;  // multi-byte tags: not in SNMP
        std::size_t len = data_[pos_++];
        if (len & 0x80) {
            const std::size_t n = len & 0x7f;
            if (n == 0 || n > 4 || data_.size() - pos_ < n) return std::nullopt;
            len = 0;
            for (std::size_t i = 0; i < n; ++i) len = (len << 8) | data_[pos_++];
        }
        if (data_.size() - pos_ < len) return std::nullopt;
        t.value = data_.subspan(pos_, len);
        pos_ += len;
        return t;
    }

private:
    std::span<const std::uint8_t> data_;
    std::size_t pos_ = 0;
};

std::optional<std::int64_t> integer(const std::optional<Tlv>& t) {
    if (!t || t->tag != 0x02 || t->value.empty() || t->value.size() > 8) return std::nullopt;
    std::int64_t v = (t->value[0] & 0x80) ? -1 : 0;
    for (auto b : t->value) v = static_cast<std::int64_t>(static_cast<std::uint64_t>(v) << 8) | b;
    return v;
}

const char* opClass(int pdu) {
    switch (pdu) {
        case 0:
        case 1:
        case 2:
        case 5:
            return "read";
        case 3:
            return "write";
        default:
            return "other";
    }
}

bool isRequest(int pdu) {
    return pdu == 0 || pdu == 1 || pdu == 3 || pdu == 5 || pdu == 6;
}

}  // namespace

const char* pduName(int pduType) {
    static constexpr const char* kNames[] = {
        "get_request",      "get_next_request", "get_response", "set_request", "trap",
        "get_bulk_request", "inform_request",   "snmpv2_trap",  "report"};
    return pduType >= 0 && pduType <= 8 ? kNames[pduType] : "unknown";
}

DissectorPtr SnmpDissector::create() {
    return std::make_unique<SnmpDissector>();
}

ParseResult SnmpDissector::onData(const FlowContext& flow, Direction dir,
                                  std::span<const std::uint8_t> data, EventSink& sink) noexcept {
    const auto malformed = [&] {
        sink.onAnomaly(flow, "snmp", "malformed_message");
        return ParseResult::error(data.size());
    };
    Ber outer(data);
    const auto message = outer.next();
    if (!message || message->tag != 0x30) return malformed();
    Ber body(message->value);
    const auto version = integer(body.next());
    if (!version) return malformed();
    if (*version == 3) {
        // SNMPv3: the scoped PDU is usually encrypted; the message itself is the operation.
        Operation& op =
            reusableOperation<"snmp">(dir == Direction::ToServer, "v3_message", "other");
        op.keys["version"] = *version;
        sink.onOperation(flow, op);
        return ParseResult::ok(data.size());
    }
    const auto community = body.next();  // skipped: a secret
    const auto pdu = body.next();
    if (!community || community->tag != 0x04 || !pdu || (pdu->tag & 0xe0) != 0xa0 ||
        (pdu->tag & 0x1f) > 8) {
        return malformed();
    }
    const int pduType = pdu->tag & 0x1f;
    Operation& op = reusableOperation<"snmp">(isRequest(pduType) || pduType == 4 || pduType == 7,
                                              pduName(pduType), opClass(pduType));
    op.functionCode = pduType;
    op.keys["pdu_type"] = pduType;
    op.keys["version"] = *version;
    Ber fields(pdu->value);
    std::optional<Tlv> varbinds;
    std::int64_t requestId = -1, errorStatus = 0;
    if (pduType == 4) {  // v1 trap: enterprise, agent-addr, generic, specific, time-stamp
        for (int i = 0; i < 5; ++i) {
            if (!fields.next()) return malformed();
        }
    } else {
        const auto id = integer(fields.next());
        const auto status = integer(fields.next());
        const auto index = integer(fields.next());
        if (!id || !status || !index) return malformed();
        requestId = *id;
        errorStatus = *status;
    }
    varbinds = fields.next();
    if (!varbinds || varbinds->tag != 0x30) return malformed();

    if (isRequest(pduType)) {
        if (pendingIds_.size() >= kMaxPendingIds) pendingIds_.pop_front();
        pendingIds_.push_back(requestId);
        sink.onOperation(flow, op);
    } else if (pduType == 2 || pduType == 8) {
        auto it = std::find(pendingIds_.begin(), pendingIds_.end(), requestId);
        if (it != pendingIds_.end()) {
            pendingIds_.erase(it);
        } else {
            op.exception = errorStatus != 0;
            sink.onOperation(flow, op);  // a response whose request was not seen
        }
    } else {
        sink.onOperation(flow, op);  // traps
    }

    if (pduType != 2 || errorStatus != 0) return ParseResult::ok(data.size());
    Identity id;
    id.protocol = "snmp";
    id.ofServer = dir == Direction::ToClient;  // the agent answers
    Ber list(varbinds->value);
    for (std::size_t i = 0; i < kMaxVarbinds && !list.empty(); ++i) {
        const auto vb = list.next();
        if (!vb || vb->tag != 0x30) return malformed();
        Ber pair(vb->value);
        const auto oid = pair.next();
        const auto value = pair.next();
        if (!oid || oid->tag != 0x06 || !value) return malformed();
        if (value->tag != 0x04) continue;  // noSuchObject etc., or not a string
        const auto same = [&](const auto& want) {
            return std::equal(oid->value.begin(), oid->value.end(), want.begin(), want.end());
        };
        const std::string text = safeText(value->value);
        if (text.empty()) continue;
        if (same(kSysDescr)) id.strings["sys_descr"] = text;
        if (same(kSysName)) {
            id.strings["sys_name"] = text;
            id.hostname = text;
        }
    }
    if (!id.strings.empty()) sink.onIdentity(flow, id);
    return ParseResult::ok(data.size());
}

void registerDissector(DissectorRegistry& registry) {
    registry.add({.name = "snmp",
                  .transport = Transport::Udp,
                  .defaultPorts = {kAgentPort, kTrapPort},
                  .probe = nullptr,
                  .create = &SnmpDissector::create});
}

}  // namespace ironsight::sensor::dissect::snmp
