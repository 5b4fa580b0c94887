// SPDX-License-Identifier: Apache-2.0
// OPC UA binary dissector.
// References: OPC 10000-6 (Mappings) §7.1.2 (UA TCP message header, Hello, Acknowledge, Error,
// ReverseHello), §6.7.2 (secure conversation message/chunk layout, asymmetric and symmetric
// security headers, sequence header), §5.2 (binary encoding of String, NodeId, ExtensionObject,
// DiagnosticInfo); OPC 10000-4 §5.5.2 (OpenSecureChannel), §5.6.2 (CreateSession), §5.4.4
// (GetEndpoints), §7.28/§7.29 (RequestHeader/ResponseHeader). All integers little-endian.
//
// header: MessageType 3 bytes | ChunkType u8 ('F' final, 'C' intermediate, 'A' abort) |
//         MessageSize u32 (whole chunk)
// HEL: ProtocolVersion | ReceiveBufferSize | SendBufferSize | MaxMessageSize | MaxChunkCount |
//      EndpointUrl String
// OPN: SecureChannelId u32 | SecurityPolicyUri String | SenderCertificate ByteString |
//      ReceiverCertificateThumbprint ByteString | SequenceNumber u32 | RequestId u32 | body
// MSG/CLO: SecureChannelId u32 | TokenId u32 | SequenceNumber u32 | RequestId u32 | body
// body: type NodeId (the DefaultBinary encoding id of the service) | service structure
#include "sensor-agent/dissect/opcua/opcua_dissector.h"

#include <cstring>
#include <optional>
#include <set>

#include "sensor-agent/decode/byte_reader.h"
#include "sensor-agent/dissect/core/text.h"
#include "sensor-agent/dissect/opcua/opcua_services.h"

namespace ironsight::sensor::dissect::opcua {
namespace {

constexpr const char* kProto = "opcua";
constexpr std::size_t kHeaderSize = 8;
constexpr int kMaxDiagnosticDepth = 4;
constexpr std::size_t kMaxEndpointsListed = 16;

using decode::ByteReader;

bool knownMessageType(const std::uint8_t* p) {
    static constexpr const char* kTypes[] = {"HEL", "ACK", "ERR", "RHE", "OPN", "MSG", "CLO"};
    for (const char* t : kTypes) {
        if (std::memcmp(p, t, 3) == 0) return true;
    }
    return false;
}

bool knownChunkType(std::uint8_t c) {
    return c == 'F' || c == 'C' || c == 'A';
}

std::int32_t i32(ByteReader& r) {
    return static_cast<std::int32_t>(r.u32le());
}

/// String / ByteString: Int32 length (-1 = null) + bytes. nullopt when malformed.
std::optional<std::span<const std::uint8_t>> byteString(ByteReader& r) {
    const std::int32_t len = i32(r);
    if (!r.ok() || len < -1) return std::nullopt;
    if (len == -1) return std::span<const std::uint8_t>{};
    auto b = r.bytes(static_cast<std::size_t>(len));
    if (!r.ok()) return std::nullopt;
    return b;
}

std::optional<std::string> uaString(ByteReader& r, std::size_t maxLength = kMaxUriLength) {
    auto b = byteString(r);
    if (!b) return std::nullopt;
    return safeText(b->first(std::min(b->size(), maxLength)));
}

bool skipString(ByteReader& r) {
    return byteString(r).has_value();
}

bool skipStringArray(ByteReader& r) {
    const std::int32_t n = i32(r);
    if (!r.ok() || n < -1 || (n > 0 && static_cast<std::size_t>(n) * 4 > r.remaining()))
        return false;
    for (std::int32_t i = 0; i < n; ++i) {
        if (!skipString(r)) return false;
    }
    return r.ok();
}

/// NodeId or ExpandedNodeId (§5.2.2.9, §5.2.2.10).
bool skipNodeId(ByteReader& r) {
    const std::uint8_t enc = r.u8();
    switch (enc & 0x0f) {
        case 0:
            r.skip(1);
            break;
        case 1:
            r.skip(3);
            break;
        case 2:
            r.skip(6);
            break;
        case 3:
            r.skip(2);
            if (!skipString(r)) return false;
            break;
        case 4:
            r.skip(18);
            break;
        case 5:
            r.skip(2);
            if (!skipString(r)) return false;
            break;
        default:
            return false;
    }
    if ((enc & 0x80) && !skipString(r)) return false;  // namespace URI
    if (enc & 0x40) r.skip(4);                         // server index
    return r.ok();
}

/// A namespace-0 numeric NodeId (the service type id of a message body).
std::optional<std::uint32_t> numericNodeId(ByteReader& r) {
    const std::uint8_t enc = r.u8();
    std::uint32_t ns = 0, id = 0;
    switch (enc) {
        case 0:
            id = r.u8();
            break;
        case 1:
            ns = r.u8();
            id = r.u16le();
            break;
        case 2:
            ns = r.u16le();
            id = r.u32le();
            break;
        default:
            return std::nullopt;
    }
    if (!r.ok() || ns != 0) return std::nullopt;
    return id;
}

bool skipExtensionObject(ByteReader& r) {
    if (!skipNodeId(r)) return false;
    const std::uint8_t enc = r.u8();
    if (enc & 0x03) return skipString(r);  // ByteString or XmlElement body
    return r.ok();
}

bool skipLocalizedText(ByteReader& r) {
    const std::uint8_t mask = r.u8();
    if ((mask & 0x01) && !skipString(r)) return false;
    if ((mask & 0x02) && !skipString(r)) return false;
    return r.ok();
}

bool skipDiagnosticInfo(ByteReader& r, int depth = 0) {
    const std::uint8_t mask = r.u8();
    for (std::uint8_t bit : {0x01, 0x02, 0x04, 0x08}) {
        if (mask & bit) r.skip(4);
    }
    if ((mask & 0x10) && !skipString(r)) return false;
    if (mask & 0x20) r.skip(4);
    if (mask & 0x40) {
        if (depth >= kMaxDiagnosticDepth || !skipDiagnosticInfo(r, depth + 1)) return false;
    }
    return r.ok();
}

bool skipRequestHeader(ByteReader& r) {
    if (!skipNodeId(r)) return false;  // authentication token
    r.skip(8 + 4 + 4);                 // timestamp, request handle, return diagnostics
    if (!skipString(r)) return false;  // audit entry id
    r.skip(4);                         // timeout hint
    return skipExtensionObject(r);     // additional header
}

/// Returns the ServiceResult, nullopt when malformed.
std::optional<std::uint32_t> skipResponseHeader(ByteReader& r) {
    r.skip(8 + 4);  // timestamp, request handle
    const std::uint32_t result = r.u32le();
    if (!r.ok() || !skipDiagnosticInfo(r) || !skipStringArray(r) || !skipExtensionObject(r))
        return std::nullopt;
    return result;
}

bool skipApplicationDescription(ByteReader& r) {
    return skipString(r) && skipString(r) && skipLocalizedText(r) && r.skip(4) && skipString(r) &&
           skipString(r) && skipStringArray(r);
}

}  // namespace

DissectorPtr OpcuaDissector::create() {
    return std::make_unique<OpcuaDissector>();
}

Probe probe(std::span<const std::uint8_t> payload) {
    static constexpr const char* kTypes[] = {"HEL", "ACK", "ERR", "RHE", "OPN", "MSG", "CLO"};
    const std::size_t n = std::min<std::size_t>(payload.size(), 3);
    bool prefix = false;
    for (const char* t : kTypes) prefix = prefix || std::memcmp(payload.data(), t, n) == 0;
    if (!prefix) return Probe::NoMatch;
    if (payload.size() < kHeaderSize) return Probe::NeedMore;
    if (!knownChunkType(payload[3])) return Probe::NoMatch;
    ByteReader r(payload.subspan(4));
    const std::uint32_t size = r.u32le();
    return size >= kHeaderSize + 4 && size <= kMaxChunkSize ? Probe::Match : Probe::NoMatch;
}

void OpcuaDissector::onGap(Direction dir) noexcept {
    const int d = dir == Direction::ToClient ? 1 : 0;
    skip_[d] = 0;
    continuation_[d] = false;
}

ParseResult OpcuaDissector::onData(const FlowContext& flow, Direction dir,
                                   std::span<const std::uint8_t> data, EventSink& sink) noexcept {
    const int d = dir == Direction::ToClient ? 1 : 0;
    std::size_t consumed = 0;
    if (skip_[d] > 0) {  // the tail of an oversized chunk
        const std::size_t n = std::min(skip_[d], data.size());
        skip_[d] -= n;
        consumed = n;
    }
    while (consumed < data.size()) {
        const auto rest = data.subspan(consumed);
        if (rest.size() < kHeaderSize) return ParseResult::incomplete(consumed, kHeaderSize);
        ByteReader r(rest);
        r.skip(4);
        const std::uint32_t size = r.u32le();
        if (!knownMessageType(rest.data()) || !knownChunkType(rest[3]) || size < kHeaderSize ||
            size > kMaxChunkSize) {
            sink.onAnomaly(flow, kProto, "malformed_pdu");
            continuation_[d] = false;
            return ParseResult::error(data.size());
        }
        const std::size_t window = std::min<std::size_t>(size, kParseWindow);
        if (rest.size() < window) return ParseResult::incomplete(consumed, window);
        const std::size_t have = std::min<std::size_t>(size, rest.size());
        onChunk(flow, dir, rest.first(have), sink);
        consumed += have;
        if (have < size) {
            skip_[d] = size - have;
            return ParseResult::ok(data.size());
        }
    }
    return ParseResult::ok(consumed);
}

void OpcuaDissector::reportEndpoint(const FlowContext& flow, const std::string& url,
                                    EventSink& sink) {
    if (url.empty() || url == endpoint_) return;
    endpoint_ = url;
    Identity id;
    id.protocol = kProto;
    id.ofServer = true;  // the URL names the server's endpoint
    id.strings["endpoint_url"] = url;
    sink.onIdentity(flow, id);
}

void OpcuaDissector::onChunk(const FlowContext& flow, Direction dir,
                             std::span<const std::uint8_t> chunk, EventSink& sink) {
    const int d = dir == Direction::ToClient ? 1 : 0;
    const std::string type(chunk.begin(), chunk.begin() + 3);
    const char chunkType = static_cast<char>(chunk[3]);
    const bool firstChunk = !continuation_[d];
    continuation_[d] = chunkType == 'C';
    ByteReader r(chunk.subspan(kHeaderSize));

    Operation& op = reusableOperation<"opcua">(dir == Direction::ToServer, {}, "other");
    op.textKeys["message_type"] = type;
    bool malformed = false;

    if (type == "HEL" || type == "ACK" || type == "ERR" || type == "RHE") {
        if (type == "HEL") {
            op.function = "hello";
            r.skip(20);  // protocol version, buffer sizes, max message size, max chunk count
            auto url = uaString(r);
            malformed = !url;
            if (url && !url->empty()) {
                op.range = "endpoint " + *url;
                reportEndpoint(flow, *url, sink);
            }
        } else if (type == "ACK") {
            op.function = "acknowledge";
            r.skip(20);
            malformed = !r.ok();
        } else if (type == "ERR") {
            op.function = "error";
            op.exception = true;
            op.functionCode = static_cast<int>(r.u32le() >> 16);  // StatusCode: severity + code
            malformed = !r.ok();
        } else {
            op.function = "reverse_hello";
            auto serverUri = uaString(r);
            auto url = serverUri ? uaString(r) : std::nullopt;
            malformed = !url;
            if (url && !url->empty()) op.range = "endpoint " + *url;
        }
        if (chunkType != 'F') malformed = true;
        sink.onOperation(flow, op);
        if (malformed) sink.onAnomaly(flow, kProto, "malformed_pdu");
        return;
    }

    r.skip(4);  // secure channel id
    if (type == "OPN") {
        auto policy = uaString(r);
        const bool headerOk = policy && byteString(r) && byteString(r);  // certificates
        if (!headerOk) {
            op.function = "open_secure_channel";
            sink.onOperation(flow, op);
            sink.onAnomaly(flow, kProto, "malformed_pdu");
            return;
        }
        if (!policy->empty()) policy_ = *policy;
        op.textKeys["security_policy"] = policy_;
        r.skip(8);  // sequence header
    } else {
        r.skip(4 + 8);  // token id, sequence header
        if (!policy_.empty()) op.textKeys["security_policy"] = policy_;
    }
    if (!r.ok()) {
        op.function = type == "OPN" ? "open_secure_channel"
                                    : (type == "CLO" ? "close_secure_channel" : "message");
        sink.onOperation(flow, op);
        sink.onAnomaly(flow, kProto, "malformed_pdu");
        return;
    }
    if (chunkType == 'A') {  // abort: Error StatusCode + Reason
        op.function = "abort";
        op.exception = true;
        op.functionCode = static_cast<int>(r.u32le() >> 16);
        sink.onOperation(flow, op);
        return;
    }
    if (!firstChunk) return;  // intermediate/final chunks of a multi-chunk message: no body start
    if (type == "OPN") op.function = "open_secure_channel";  // kept when the body is encrypted
    if (type == "CLO") op.function = "close_secure_channel";
    onMessageBody(flow, r.rest(), op, sink);
}

void OpcuaDissector::onMessageBody(const FlowContext& flow, std::span<const std::uint8_t> body,
                                   Operation& op, EventSink& sink) {
    const bool encryptedChannel = !policy_.empty() && policy_ != kPolicyNone;
    ByteReader r(body);
    const auto typeId = numericNodeId(r);
    const ServiceInfo info = typeId ? serviceInfo(*typeId) : ServiceInfo{};
    if (!typeId || !info.known) {
        // Encrypted bodies (policy other than None) are opaque; otherwise the body is malformed.
        if (op.function.empty()) {
            op.function = encryptedChannel ? "encrypted_message" : "unknown_service";
        }
        if (typeId && !encryptedChannel) op.functionCode = static_cast<int>(*typeId);
        sink.onOperation(flow, op);
        if (!encryptedChannel) sink.onAnomaly(flow, kProto, "malformed_pdu");
        return;
    }
    op.function = info.name;
    op.functionCode = static_cast<int>(*typeId);
    op.opClass = info.opClass;
    op.request = info.request;
    if (*typeId == kServiceFault) op.exception = true;

    if (info.request && skipRequestHeader(r)) {
        if (*typeId == kOpenSecureChannelRequest) {
            r.skip(4 + 4);  // client protocol version, request type
            const std::uint32_t mode = r.u32le();
            if (r.ok()) {
                op.keys["security_mode"] = mode;
                if (mode == 1) sink.onAnomaly(flow, kProto, "insecure_opcua");  // mode None
            }
        } else if (*typeId == kGetEndpointsRequest) {
            if (auto url = uaString(r); url && !url->empty()) {
                op.range = "endpoint " + *url;
                reportEndpoint(flow, *url, sink);
            }
        } else if (*typeId == kCreateSessionRequest) {
            if (skipApplicationDescription(r) && skipString(r)) {  // client description, server uri
                if (auto url = uaString(r); url && !url->empty()) {
                    op.range = "endpoint " + *url;
                    reportEndpoint(flow, *url, sink);
                }
            }
        }
    } else if (!info.request) {
        const auto result = skipResponseHeader(r);
        if (result && (*result & 0x80000000u)) op.exception = true;  // Bad service result
        if (result && *typeId == kGetEndpointsResponse) {
            // Endpoints: EndpointDescription[]; their distinct URLs become the range.
            std::set<std::string> urls;
            const std::int32_t n = i32(r);
            for (std::int32_t i = 0; r.ok() && i < n && i < std::int32_t(kMaxEndpointsListed);
                 ++i) {
                auto url = uaString(r);
                if (!url || !skipApplicationDescription(r) || !byteString(r)) break;
                r.skip(4);                  // security mode
                if (!skipString(r)) break;  // security policy URI
                if (!url->empty()) urls.insert(*url);
                const std::int32_t tokens = i32(r);
                for (std::int32_t t = 0; r.ok() && t < tokens && t < 64; ++t) {
                    if (!skipString(r) || !r.skip(4) || !skipString(r) || !skipString(r) ||
                        !skipString(r))
                        break;
                }
                if (!skipString(r) || !r.skip(1)) break;  // transport profile, security level
            }
            for (const auto& url : urls) op.range += (op.range.empty() ? "endpoints " : ", ") + url;
        }
    }
    sink.onOperation(flow, op);
}

void registerDissector(DissectorRegistry& registry) {
    registry.add({.name = "opcua",
                  .transport = Transport::Tcp,
                  .defaultPorts = {kPort},
                  .probe = &probe,
                  .create = &OpcuaDissector::create,
                  .heuristic = true});
}

}  // namespace ironsight::sensor::dissect::opcua
