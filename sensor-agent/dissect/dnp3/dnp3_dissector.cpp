// SPDX-License-Identifier: Apache-2.0
// DNP3 dissector (IEEE 1815-2012: §9 data link layer, §8 transport function, §4 application).
//
// Link frame: 0x05 0x64 | length u8 | control u8 | destination u16le | source u16le | CRC u16le,
// then user data in blocks of 16 octets, each followed by a CRC u16le (the last block shorter).
// Primary frames with function 3/4 carry one transport segment: FIN|FIR|seq(6) + up to 249 octets.
// Segments FIR..FIN (consecutive sequence numbers, same source/destination) form one application
// fragment: application control u8 (FIR|FIN|CON|UNS|seq) | function code u8 | [IIN u16 in
// responses 129/130/131] | objects.
#include "sensor-agent/dissect/dnp3/dnp3_dissector.h"

#include <algorithm>

#include "sensor-agent/dissect/dnp3/dnp3_wire.h"

namespace ironsight::sensor::dissect::dnp3 {
namespace {

constexpr std::string_view kProtocol = "dnp3";
constexpr std::uint16_t kFirstReservedAddress = 0xFFF0;  // 0xFFF0.. reserved, 0xFFFD.. broadcast

std::uint16_t le16(std::span<const std::uint8_t> b, std::size_t at) {
    return static_cast<std::uint16_t>(b[at] | (b[at + 1] << 8));
}

bool headerValid(std::span<const std::uint8_t> header) {
    return header[0] == kStart0 && header[1] == kStart1 && header[2] >= kMinLength &&
           crc16(header.first(8)) == le16(header, 8);
}

std::size_t dirIndex(Direction dir) {
    return dir == Direction::ToServer ? 0 : 1;
}

}  // namespace

DissectorPtr Dnp3Dissector::create() {
    return std::make_unique<Dnp3Dissector>();
}

Probe probe(std::span<const std::uint8_t> payload) {
    if (!payload.empty() && payload[0] != kStart0) return Probe::NoMatch;
    if (payload.size() >= 2 && payload[1] != kStart1) return Probe::NoMatch;
    if (payload.size() < kHeaderSize) return Probe::NeedMore;
    return headerValid(payload.first(kHeaderSize)) ? Probe::Match : Probe::NoMatch;
}

ParseResult Dnp3Dissector::onData(const FlowContext& flow, Direction dir,
                                  std::span<const std::uint8_t> data, EventSink& sink) noexcept {
    std::size_t consumed = 0;
    while (consumed < data.size()) {
        const auto rest = data.subspan(consumed);
        const bool startOk = rest[0] == kStart0 && (rest.size() < 2 || rest[1] == kStart1);
        if (!startOk) {
            // Not at a frame start: skip to the next 0x05 0x64 (one anomaly per skipped run).
            std::size_t skip = 1;
            while (skip < rest.size() && !(rest[skip] == kStart0 &&
                                           (skip + 1 == rest.size() || rest[skip + 1] == kStart1)))
                ++skip;
            sink.onAnomaly(flow, kProtocol, "malformed_frame");
            consumed += skip;
            continue;
        }
        if (rest.size() < kHeaderSize) return ParseResult::incomplete(consumed, kHeaderSize);
        if (crc16(rest.first(8)) != le16(rest, 8)) {
            sink.onAnomaly(flow, kProtocol, "link_crc_error");
            consumed += 2;  // the length is not trustworthy: resynchronise after the start octets
            continue;
        }
        if (rest[2] < kMinLength) {
            sink.onAnomaly(flow, kProtocol, "malformed_frame");
            consumed += kHeaderSize;
            continue;
        }
        const std::size_t size = frameSize(rest[2]);
        if (rest.size() < size) return ParseResult::incomplete(consumed, size);
        onFrame(flow, dir, rest.first(size), sink);
        consumed += size;
    }
    return ParseResult::ok(consumed);
}

void Dnp3Dissector::onGap(Direction dir) noexcept {
    fragments_[dirIndex(dir)].clear();
}

void Dnp3Dissector::onFrame(const FlowContext& flow, Direction dir,
                            std::span<const std::uint8_t> frame, EventSink& sink) {
    const std::uint8_t control = frame[3];
    const std::uint16_t dst = le16(frame, 4);
    const std::uint16_t src = le16(frame, 6);
    // The source address belongs to the sender (the destination may be a broadcast address, and
    // a receiver that never sent anything is not a device yet).
    reportAddress(flow, dir == Direction::ToClient, src, sink);

    // Strip the block CRCs; a bad block drops the frame's user data (as a receiver would).
    std::array<std::uint8_t, 255> userData;  // only the first userLen octets are read
    std::size_t userLen = 0;
    std::size_t pos = kHeaderSize;
    std::size_t left = frame[2] - kMinLength;
    while (left > 0) {
        const std::size_t n = std::min(left, kBlockSize);
        const auto block = frame.subspan(pos, n);
        if (crc16(block) != le16(frame, pos + n)) {
            sink.onAnomaly(flow, kProtocol, "link_crc_error");
            auto& pending = fragments_[dirIndex(dir)];
            std::erase_if(pending, [&](const Fragment& f) { return f.src == src && f.dst == dst; });
            return;
        }
        std::copy(block.begin(), block.end(),
                  userData.begin() + static_cast<std::ptrdiff_t>(userLen));
        userLen += n;
        pos += n + 2;
        left -= n;
    }
    const std::uint8_t function = control & 0x0f;
    const bool userDataFrame = (control & kCtrlPrm) != 0 && (function == kLinkConfirmedUserData ||
                                                             function == kLinkUnconfirmedUserData);
    if (!userDataFrame) return;  // link services (reset, test, link status, ack) carry no APDU
    if (userLen == 0) {
        sink.onAnomaly(flow, kProtocol, "malformed_frame");
        return;
    }
    onTransport(flow, dir, src, dst, std::span<const std::uint8_t>(userData.data(), userLen), sink);
}

void Dnp3Dissector::onTransport(const FlowContext& flow, Direction dir, std::uint16_t src,
                                std::uint16_t dst, std::span<const std::uint8_t> segment,
                                EventSink& sink) {
    const std::uint8_t header = segment[0];
    const bool fir = (header & kTransportFir) != 0;
    const bool fin = (header & kTransportFin) != 0;
    const std::uint8_t seq = header & 0x3f;
    const auto payload = segment.subspan(1);
    auto& pending = fragments_[dirIndex(dir)];
    auto it = std::find_if(pending.begin(), pending.end(),
                           [&](const Fragment& f) { return f.src == src && f.dst == dst; });
    if (fir && fin) {  // the common case: a whole fragment in one frame, no copy
        if (it != pending.end()) pending.erase(it);
        onApplication(flow, src, dst, payload, sink);
        return;
    }
    if (fir) {
        if (it == pending.end()) {
            if (pending.size() >= kMaxPendingFragments) {
                sink.onAnomaly(flow, kProtocol, "reassembly_overflow");
                pending.erase(pending.begin());
            }
            pending.push_back({src, dst, 0, {}});
            it = pending.end() - 1;
        }
        it->data.assign(payload.begin(), payload.end());
        it->nextSeq = (seq + 1) & 0x3f;
        return;
    }
    if (it == pending.end() || seq != it->nextSeq) {
        sink.onAnomaly(flow, kProtocol, "transport_sequence_error");
        if (it != pending.end()) pending.erase(it);
        return;
    }
    if (it->data.size() + payload.size() > kMaxFragmentSize) {
        sink.onAnomaly(flow, kProtocol, "fragment_too_large");
        pending.erase(it);
        return;
    }
    it->data.insert(it->data.end(), payload.begin(), payload.end());
    it->nextSeq = (seq + 1) & 0x3f;
    if (fin) {
        const std::vector<std::uint8_t> fragment = std::move(it->data);
        pending.erase(it);
        onApplication(flow, src, dst, fragment, sink);
    }
}

void Dnp3Dissector::onApplication(const FlowContext& flow, std::uint16_t src, std::uint16_t dst,
                                  std::span<const std::uint8_t> fragment, EventSink& sink) {
    if (fragment.size() < 2) {
        sink.onAnomaly(flow, kProtocol, "malformed_apdu");
        return;
    }
    const std::uint8_t code = fragment[1];
    const FunctionInfo info = functionInfo(code);
    if (!info.known) sink.onAnomaly(flow, kProtocol, "illegal_function");
    Operation& op = reusableOperation<"dnp3">(code < 128, info.name, info.opClass);
    op.functionCode = code;
    op.keys["dst_addr"] = dst;  // in name order: each key is appended
    op.keys["src_addr"] = src;
    if (isResponse(code)) {
        if (fragment.size() < 4) {
            sink.onAnomaly(flow, kProtocol, "malformed_apdu");
        } else {
            const std::uint8_t iin1 = fragment[2];
            const std::uint8_t iin2 = fragment[3];
            if (iin1 & kIin1DeviceRestart) sink.onAnomaly(flow, kProtocol, "iin_device_restart");
            if (iin1 & kIin1DeviceTrouble) sink.onAnomaly(flow, kProtocol, "iin_device_trouble");
            op.exception =
                (iin2 & (kIin2NoFuncCodeSupport | kIin2ObjectUnknown | kIin2ParameterError)) != 0;
        }
    }
    sink.onOperation(flow, op);
}

void Dnp3Dissector::reportAddress(const FlowContext& flow, bool ofServer, std::uint16_t address,
                                  EventSink& sink) {
    if (address >= kFirstReservedAddress) return;
    const std::pair<bool, std::uint16_t> key{ofServer, address};
    if (std::find(reported_.begin(), reported_.end(), key) != reported_.end()) return;
    if (reported_.size() >= kMaxReportedAddresses) return;
    reported_.push_back(key);
    Identity id;
    id.protocol = std::string(kProtocol);
    id.ofServer = ofServer;
    id.numberSets["addresses"] = {address};
    sink.onIdentity(flow, id);
}

void registerDissector(DissectorRegistry& registry) {
    // DNP3 runs over TCP and UDP 20000 (IEEE 1815-2012 Annex); the parser takes datagrams as they
    // are, one descriptor per transport.
    for (Transport transport : {Transport::Tcp, Transport::Udp}) {
        registry.add({.name = "dnp3",
                      .transport = transport,
                      .defaultPorts = {kPort},
                      .probe = &probe,
                      .create = &Dnp3Dissector::create,
                      .heuristic = true});
    }
}

}  // namespace ironsight::sensor::dissect::dnp3
