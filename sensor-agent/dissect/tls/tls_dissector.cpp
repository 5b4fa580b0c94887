// SPDX-License-Identifier: Apache-2.0
// TLS dissector (RFC 8446 §5.1 records, §4.1.2 ClientHello; RFC 6066 §3 server_name extension).
//
// record: content_type u8 (22 handshake) | legacy_version u16 | length u16 | fragment
// handshake: msg_type u8 (1 client_hello) | length u24 | body (may span several records)
// ClientHello: legacy_version u16 | random[32] | session_id<0..32> | cipher_suites<2..2^16-2> |
//   compression_methods<1..2^8-1> | extensions<8..2^16-1>: { type u16 | data<0..2^16-1> }*
// server_name (type 0): server_name_list<1..2^16-1>: { name_type u8 (0 host_name) | name<u16> }
#include "sensor-agent/dissect/tls/tls_dissector.h"

#include <vector>

#include "sensor-agent/decode/byte_reader.h"
#include "sensor-agent/dissect/core/text.h"

namespace ironsight::sensor::dissect::tls {

std::optional<ClientHello> parseClientHello(std::span<const std::uint8_t> body) {
    decode::ByteReader r(body);
    ClientHello hello;
    hello.version = r.u16();
    r.skip(32);
    r.skip(r.u8());   // session id
    r.skip(r.u16());  // cipher suites
    r.skip(r.u8());   // compression methods
    if (!r.ok()) return std::nullopt;
    if (r.remaining() == 0) return hello;  // no extensions (SSL 3.0 style)
    const std::uint16_t extLen = r.u16();
    decode::ByteReader ext(r.bytes(extLen));
    if (!r.ok()) return std::nullopt;
    while (ext.remaining() >= 4) {
        const std::uint16_t type = ext.u16();
        auto data = ext.bytes(ext.u16());
        if (!ext.ok()) return std::nullopt;
        if (type != 0) continue;
        decode::ByteReader sni(data);
        decode::ByteReader list(sni.bytes(sni.u16()));
        while (list.remaining() >= 3) {
            const std::uint8_t nameType = list.u8();
            auto name = list.bytes(list.u16());
            if (!list.ok()) return std::nullopt;
            if (nameType == 0 && hello.serverName.empty()) hello.serverName = safeText(name);
        }
        if (!sni.ok()) return std::nullopt;
    }
    if (ext.remaining() != 0) return std::nullopt;
    return hello;
}

Probe probe(std::span<const std::uint8_t> p) {
    if (p.empty()) return Probe::NeedMore;
    if (p[0] != 0x16) return Probe::NoMatch;
    if (p.size() < 3) return Probe::NeedMore;
    if (p[1] != 0x03 || p[2] > 0x04) return Probe::NoMatch;
    if (p.size() < 6) return Probe::NeedMore;
    return p[5] == 1 ? Probe::Match : Probe::NoMatch;
}

DissectorPtr TlsDissector::create() {
    return std::make_unique<TlsDissector>();
}

void TlsDissector::onGap(Direction dir) noexcept {
    done_[dir == Direction::ToClient ? 1 : 0] = true;  // the handshake start is lost
}

ParseResult TlsDissector::onData(const FlowContext& flow, Direction dir,
                                 std::span<const std::uint8_t> data, EventSink& sink) noexcept {
    bool& done = done_[dir == Direction::ToClient ? 1 : 0];
    if (done || dir == Direction::ToClient) {
        done = true;  // the server side: ServerHello onwards carries nothing the inventory uses
        return ParseResult::ok(data.size());
    }
    // Gather the first handshake message from consecutive handshake records.
    std::vector<std::uint8_t> handshake;
    std::size_t pos = 0;
    while (true) {
        if (data.size() - pos < 5) return ParseResult::incomplete(0, pos + 5);
        const std::uint8_t type = data[pos];
        const std::size_t len = static_cast<std::size_t>(data[pos + 3] << 8) | data[pos + 4];
        if (type != 22 || data[pos + 1] != 0x03 || len == 0 || len > 18432) {
            sink.onAnomaly(flow, "tls", pos == 0 ? "not_tls" : "malformed_record");
            done = true;
            return ParseResult::error(data.size());
        }
        if (data.size() - pos < 5 + len) return ParseResult::incomplete(0, pos + 5 + len);
        handshake.insert(handshake.end(), data.begin() + static_cast<std::ptrdiff_t>(pos + 5),
                         data.begin() + static_cast<std::ptrdiff_t>(pos + 5 + len));
        pos += 5 + len;
        if (handshake.size() < 4) continue;
        const std::size_t hsLen = static_cast<std::size_t>(handshake[1] << 16) |
                                  static_cast<std::size_t>(handshake[2] << 8) | handshake[3];
        if (handshake[0] != 1 || hsLen > kMaxHandshake) {
            sink.onAnomaly(flow, "tls", handshake[0] != 1 ? "no_client_hello" : "malformed_record");
            done = true;
            return ParseResult::error(data.size());
        }
        if (handshake.size() >= 4 + hsLen) {
            done = true;
            const auto hello =
                parseClientHello(std::span<const std::uint8_t>(handshake).subspan(4, hsLen));
            if (!hello) {
                sink.onAnomaly(flow, "tls", "malformed_client_hello");
                return ParseResult::error(data.size());
            }
            Operation& op = reusableOperation<"tls">(true, "client_hello", "other");
            op.functionCode = 1;
            op.keys["version"] = hello->version;
            if (!hello->serverName.empty()) op.textKeys["server_name"] = hello->serverName;
            sink.onOperation(flow, op);
            if (!hello->serverName.empty()) {
                Identity id;
                id.protocol = "tls";
                id.ofServer = true;
                id.strings["sni"] = hello->serverName;
                sink.onIdentity(flow, id);
            }
            return ParseResult::ok(data.size());
        }
    }
}

void registerDissector(DissectorRegistry& registry) {
    registry.add({.name = "tls",
                  .transport = Transport::Tcp,
                  .defaultPorts = {kPort},
                  .probe = &probe,
                  .create = &TlsDissector::create,
                  .heuristic = true});
}

}  // namespace ironsight::sensor::dissect::tls
