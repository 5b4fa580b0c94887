// SPDX-License-Identifier: Apache-2.0
// OtTrace implementation. Every conversation is a small state machine (a Session) that, when the
// scheduler wakes it, emits the frames of one exchange (all at or after the wake-up time) and
// says when to wake it next. Frames wait in a min-heap and are written once no session can still
// emit an earlier one, so the file is in time order and memory is bounded by the live sessions.
#include "tests/support/ot_trace.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <queue>
#include <string>
#include <vector>

#include "sensor-agent/capture/pcap_file_writer.h"
#include "tests/support/packet_builder.h"

namespace ironsight::test {
namespace {

constexpr std::int64_t kMs = 1000, kSecond = 1000000;
constexpr std::int64_t kDone = -1;
constexpr std::uint16_t kMss = 1448;

/// splitmix64: fully specified, so a seed gives the same file everywhere.
class Rng {
public:
    explicit Rng(std::uint64_t seed) : state_(seed) {}
    std::uint64_t next() {
        std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
    /// Uniform in [lo, hi].
    std::int64_t range(std::int64_t lo, std::int64_t hi) {
        return lo + static_cast<std::int64_t>(next() % static_cast<std::uint64_t>(hi - lo + 1));
    }
    std::uint32_t u32() { return static_cast<std::uint32_t>(next()); }

private:
    std::uint64_t state_;
};

/// Who a frame is from / to at L2 and L3: hosts behind the router carry the router's MAC.
struct Endpoint {
    Mac mac{};
    std::uint32_t ip = 0;
};

struct Device {
    Endpoint ep;
    std::uint16_t vlan = 0;  // 0: untagged
    std::uint16_t nextPort = 49152;
    std::uint16_t ephemeralPort() {
        const std::uint16_t p = nextPort;
        nextPort = nextPort == 65535 ? 49152 : static_cast<std::uint16_t>(nextPort + 1);
        return p;
    }
};

void put16le(Bytes& b, std::uint16_t v) {
    b.push_back(static_cast<std::uint8_t>(v));
    b.push_back(static_cast<std::uint8_t>(v >> 8));
}
void put32le(Bytes& b, std::uint32_t v) {
    put16le(b, static_cast<std::uint16_t>(v));
    put16le(b, static_cast<std::uint16_t>(v >> 16));
}
void put16be(Bytes& b, std::uint16_t v) {
    b.push_back(static_cast<std::uint8_t>(v >> 8));
    b.push_back(static_cast<std::uint8_t>(v));
}
void put24be(Bytes& b, std::uint32_t v) {
    b.push_back(static_cast<std::uint8_t>(v >> 16));
    put16be(b, static_cast<std::uint16_t>(v));
}
void append(Bytes& b, const Bytes& more) {
    b.insert(b.end(), more.begin(), more.end());
}
void appendText(Bytes& b, const std::string& s) {
    b.insert(b.end(), s.begin(), s.end());
}
Bytes filler(std::size_t n, std::uint32_t salt) {
    Bytes b(n);
    std::uint32_t x = salt * 2654435761u + 1;
    for (auto& v : b) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        v = static_cast<std::uint8_t>(x);
    }
    return b;
}

// ---- Protocol payloads -------------------------------------------------------------------

/// TPKT + COTP DT + S7comm header (+ error class/code for Ack_Data) + parameters + data.
Bytes s7Pdu(std::uint8_t rosctr, std::uint16_t pduRef, const Bytes& param, const Bytes& data) {
    Bytes s7 = {0x32, rosctr, 0x00, 0x00};
    put16be(s7, pduRef);
    put16be(s7, static_cast<std::uint16_t>(param.size()));
    put16be(s7, static_cast<std::uint16_t>(data.size()));
    if (rosctr == 2 || rosctr == 3) s7.insert(s7.end(), {0x00, 0x00});
    append(s7, param);
    append(s7, data);
    Bytes out = {0x03, 0x00};
    put16be(out, static_cast<std::uint16_t>(4 + 3 + s7.size()));
    out.insert(out.end(), {0x02, 0xf0, 0x80});
    append(out, s7);
    return out;
}
Bytes s7SetupJob(std::uint16_t ref) {
    return s7Pdu(1, ref, {0xf0, 0x00, 0x00, 0x01, 0x00, 0x01, 0x01, 0xe0}, {});
}
Bytes s7SetupAck(std::uint16_t ref) {
    return s7Pdu(3, ref, {0xf0, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0xf0}, {});
}
/// Read Var of `bytes` bytes from DB `db` at byte offset `offset`.
Bytes s7ReadJob(std::uint16_t ref, std::uint16_t db, std::uint32_t offset, std::uint16_t bytes) {
    Bytes p = {0x04, 0x01, 0x12, 0x0a, 0x10, 0x02};
    put16be(p, bytes);
    put16be(p, db);
    p.push_back(0x84);  // area: data blocks
    put24be(p, offset * 8);
    return s7Pdu(1, ref, p, {});
}
Bytes s7ReadAck(std::uint16_t ref, std::uint16_t bytes, std::uint32_t salt) {
    Bytes d = {0xff, 0x04};
    put16be(d, static_cast<std::uint16_t>(bytes * 8));
    append(d, filler(bytes, salt));
    return s7Pdu(3, ref, {0x04, 0x01}, d);
}
Bytes s7WriteJob(std::uint16_t ref, std::uint16_t db, std::uint32_t offset, std::uint16_t value) {
    Bytes p = {0x05, 0x01, 0x12, 0x0a, 0x10, 0x02, 0x00, 0x02};
    put16be(p, db);
    p.push_back(0x84);
    put24be(p, offset * 8);
    Bytes d = {0x00, 0x04, 0x00, 0x10};
    put16be(d, value);
    return s7Pdu(1, ref, p, d);
}
Bytes s7WriteAck(std::uint16_t ref) {
    return s7Pdu(3, ref, {0x05, 0x01}, {0xff});
}

/// DNP3 CRC (polynomial 0x3d65, reflected), complemented, sent little-endian.
std::uint16_t dnp3Crc(const std::uint8_t* p, std::size_t n) {
    std::uint16_t crc = 0;
    for (std::size_t i = 0; i < n; ++i) {
        crc ^= p[i];
        for (int b = 0; b < 8; ++b)
            crc = (crc & 1) ? static_cast<std::uint16_t>((crc >> 1) ^ 0xa6bc)
                            : static_cast<std::uint16_t>(crc >> 1);
    }
    return static_cast<std::uint16_t>(~crc);
}
/// A DNP3 link frame: header + CRC, user data in 16-octet blocks each followed by its CRC.
Bytes dnp3Frame(std::uint8_t control, std::uint16_t dst, std::uint16_t src, const Bytes& user) {
    Bytes out = {0x05, 0x64, static_cast<std::uint8_t>(5 + user.size()), control};
    put16le(out, dst);
    put16le(out, src);
    put16le(out, dnp3Crc(out.data(), out.size()));
    for (std::size_t i = 0; i < user.size(); i += 16) {
        const std::size_t n = std::min<std::size_t>(16, user.size() - i);
        const std::size_t at = out.size();
        out.insert(out.end(), user.begin() + static_cast<std::ptrdiff_t>(i),
                   user.begin() + static_cast<std::ptrdiff_t>(i + n));
        put16le(out, dnp3Crc(out.data() + at, n));
    }
    return out;
}
/// Class 1/2/3/0 poll (function 1 read, group 60 variations 2, 3, 4, 1).
Bytes dnp3Read(std::uint16_t outstation, std::uint16_t master, std::uint8_t seq) {
    Bytes user = {static_cast<std::uint8_t>(0xc0 | (seq & 0x3f)),
                  static_cast<std::uint8_t>(0xc0 | (seq & 0x0f)),
                  0x01,
                  0x3c,
                  0x02,
                  0x06,
                  0x3c,
                  0x03,
                  0x06,
                  0x3c,
                  0x04,
                  0x06,
                  0x3c,
                  0x01,
                  0x06};
    return dnp3Frame(0xc4, outstation, master, user);
}
/// Response: IIN clear, four 32-bit analog inputs with flags (group 30 variation 1).
Bytes dnp3Response(std::uint16_t master, std::uint16_t outstation, std::uint8_t seq,
                   std::uint32_t salt) {
    Bytes user = {static_cast<std::uint8_t>(0xc0 | (seq & 0x3f)),
                  static_cast<std::uint8_t>(0xc0 | (seq & 0x0f)),
                  0x81,
                  0x00,
                  0x00,
                  0x1e,
                  0x01,
                  0x00,
                  0x00,
                  0x03};
    for (std::uint32_t i = 0; i < 4; ++i) {
        user.push_back(0x01);
        put32le(user, (salt * 31 + i * 7) % 100000);
    }
    return dnp3Frame(0x44, master, outstation, user);
}

/// EtherNet/IP encapsulation header (little-endian) + data.
Bytes enip(std::uint16_t command, std::uint32_t session, std::uint64_t context, const Bytes& data) {
    Bytes out;
    put16le(out, command);
    put16le(out, static_cast<std::uint16_t>(data.size()));
    put32le(out, session);
    put32le(out, 0);  // status
    put32le(out, static_cast<std::uint32_t>(context));
    put32le(out, static_cast<std::uint32_t>(context >> 32));
    put32le(out, 0);  // options
    append(out, data);
    return out;
}
Bytes enipRegister(std::uint32_t session) {
    return enip(0x0065, session, 0, {0x01, 0x00, 0x00, 0x00});
}
/// SendRRData carrying one unconnected CIP message (null address item + data item).
Bytes enipSendRR(std::uint32_t session, std::uint64_t context, const Bytes& cip) {
    Bytes d;
    put32le(d, 0);       // interface handle
    put16le(d, 10);      // timeout
    put16le(d, 2);       // item count
    put16le(d, 0x0000);  // null address item
    put16le(d, 0);
    put16le(d, 0x00b2);  // unconnected data item
    put16le(d, static_cast<std::uint16_t>(cip.size()));
    append(d, cip);
    return enip(0x006f, session, context, d);
}
/// CIP Get_Attribute_Single on class 4 (assembly) instance `instance`, attribute 3 (data).
Bytes cipGetAttribute(std::uint8_t instance) {
    return {0x0e, 0x03, 0x20, 0x04, 0x24, instance, 0x30, 0x03};
}
Bytes cipGetAttributeReply(std::uint32_t salt) {
    Bytes r = {0x8e, 0x00, 0x00, 0x00};
    append(r, filler(32, salt));
    return r;
}

/// IEC 60870-5-104 APDUs.
Bytes iec104U(std::uint8_t control) {
    return {0x68, 0x04, control, 0x00, 0x00, 0x00};
}
Bytes iec104S(std::uint16_t nr) {
    return {0x68,
            0x04,
            0x01,
            0x00,
            static_cast<std::uint8_t>(nr << 1),
            static_cast<std::uint8_t>(nr >> 7)};
}
Bytes iec104I(std::uint16_t ns, std::uint16_t nr, const Bytes& asdu) {
    Bytes out = {0x68,
                 static_cast<std::uint8_t>(4 + asdu.size()),
                 static_cast<std::uint8_t>(ns << 1),
                 static_cast<std::uint8_t>(ns >> 7),
                 static_cast<std::uint8_t>(nr << 1),
                 static_cast<std::uint8_t>(nr >> 7)};
    append(out, asdu);
    return out;
}
Bytes iec104Interrogation(std::uint16_t ca, std::uint8_t cot) {
    Bytes a = {0x64, 0x01, cot, 0x00};
    put16le(a, ca);
    a.insert(a.end(), {0x00, 0x00, 0x00, 0x14});
    return a;
}
/// M_ME_NC_1 (short float measured value), spontaneous.
Bytes iec104Measurement(std::uint16_t ca, std::uint32_t ioa, float value) {
    Bytes a = {0x0d, 0x01, 0x03, 0x00};
    put16le(a, ca);
    a.push_back(static_cast<std::uint8_t>(ioa));
    a.push_back(static_cast<std::uint8_t>(ioa >> 8));
    a.push_back(static_cast<std::uint8_t>(ioa >> 16));
    std::uint32_t bits = 0;
    std::memcpy(&bits, &value, sizeof bits);
    put32le(a, bits);
    a.push_back(0x00);  // QDS
    return a;
}

/// BACnet/IP ReadProperty (present-value of analog-input `instance`) and its ComplexACK.
Bytes bacnetReadProperty(std::uint8_t invoke, std::uint32_t instance) {
    Bytes apdu = {0x00, 0x05, invoke, 0x0c, 0x0c};
    const std::uint32_t object = (0u << 22) | (instance & 0x3fffff);
    put16be(apdu, static_cast<std::uint16_t>(object >> 16));
    put16be(apdu, static_cast<std::uint16_t>(object));
    apdu.insert(apdu.end(), {0x19, 0x55});
    Bytes out = {0x81, 0x0a};
    put16be(out, static_cast<std::uint16_t>(4 + 2 + apdu.size()));
    out.insert(out.end(), {0x01, 0x04});
    append(out, apdu);
    return out;
}
Bytes bacnetReadPropertyAck(std::uint8_t invoke, std::uint32_t instance, float value) {
    Bytes apdu = {0x30, invoke, 0x0c, 0x0c};
    const std::uint32_t object = instance & 0x3fffff;
    put16be(apdu, static_cast<std::uint16_t>(object >> 16));
    put16be(apdu, static_cast<std::uint16_t>(object));
    apdu.insert(apdu.end(), {0x19, 0x55, 0x3e, 0x44});
    std::uint32_t bits = 0;
    std::memcpy(&bits, &value, sizeof bits);
    put16be(apdu, static_cast<std::uint16_t>(bits >> 16));
    put16be(apdu, static_cast<std::uint16_t>(bits));
    apdu.push_back(0x3f);
    Bytes out = {0x81, 0x0a};
    put16be(out, static_cast<std::uint16_t>(4 + 2 + apdu.size()));
    out.insert(out.end(), {0x01, 0x00});
    append(out, apdu);
    return out;
}

/// TLS 1.2-framed ClientHello with server_name, and a ServerHello + ChangeCipherSpec.
Bytes tlsClientHello(const std::string& sni, std::uint32_t salt) {
    Bytes ext;
    put16be(ext, 0x0000);  // server_name
    put16be(ext, static_cast<std::uint16_t>(sni.size() + 5));
    put16be(ext, static_cast<std::uint16_t>(sni.size() + 3));
    ext.push_back(0x00);
    put16be(ext, static_cast<std::uint16_t>(sni.size()));
    appendText(ext, sni);
    ext.insert(ext.end(), {0x00, 0x2b, 0x00, 0x03, 0x02, 0x03, 0x04});  // supported_versions 1.3
    Bytes body = {0x03, 0x03};
    append(body, filler(32, salt));
    body.push_back(0x00);  // session id
    body.insert(body.end(), {0x00, 0x04, 0x13, 0x01, 0x13, 0x02, 0x01, 0x00});
    put16be(body, static_cast<std::uint16_t>(ext.size()));
    append(body, ext);
    Bytes hs = {0x01};
    put24be(hs, static_cast<std::uint32_t>(body.size()));
    append(hs, body);
    Bytes rec = {0x16, 0x03, 0x01};
    put16be(rec, static_cast<std::uint16_t>(hs.size()));
    append(rec, hs);
    return rec;
}
Bytes tlsServerHello(std::uint32_t salt) {
    Bytes body = {0x03, 0x03};
    append(body, filler(32, salt));
    body.insert(body.end(),
                {0x00, 0x13, 0x01, 0x00, 0x00, 0x06, 0x00, 0x2b, 0x00, 0x02, 0x03, 0x04});
    Bytes hs = {0x02};
    put24be(hs, static_cast<std::uint32_t>(body.size()));
    append(hs, body);
    Bytes rec = {0x16, 0x03, 0x03};
    put16be(rec, static_cast<std::uint16_t>(hs.size()));
    append(rec, hs);
    rec.insert(rec.end(), {0x14, 0x03, 0x03, 0x00, 0x01, 0x01});
    return rec;
}
Bytes tlsAppData(std::size_t n, std::uint32_t salt) {
    Bytes rec = {0x17, 0x03, 0x03};
    put16be(rec, static_cast<std::uint16_t>(n));
    append(rec, filler(n, salt));
    return rec;
}

// ---- Scheduler and sessions --------------------------------------------------------------

class Session;

struct PendingFrame {
    std::int64_t us;
    std::uint64_t order;
    Bytes frame;
};
struct LaterFrame {
    bool operator()(const PendingFrame& a, const PendingFrame& b) const {
        return a.us != b.us ? a.us > b.us : a.order > b.order;
    }
};

struct Context {
    Rng rng;
    std::int64_t endUs = 0;
    std::priority_queue<PendingFrame, std::vector<PendingFrame>, LaterFrame> frames;
    std::uint64_t order = 0;
    std::vector<std::pair<std::int64_t, std::unique_ptr<Session>>> spawned;
    OtTraceSummary summary;

    explicit Context(std::uint64_t seed) : rng(seed) {}
    void emit(std::int64_t us, Bytes frame) { frames.push({us, order++, std::move(frame)}); }
    void spawn(std::int64_t us, std::unique_ptr<Session> s) {
        spawned.emplace_back(us, std::move(s));
    }
};

class Session {
public:
    virtual ~Session() = default;
    /// Emits the frames of the next exchange (at or after nowUs); returns the next wake-up time
    /// (after the last frame emitted) or kDone.
    virtual std::int64_t step(Context& ctx, std::int64_t nowUs) = 0;
};

std::vector<std::uint16_t> vlanList(std::uint16_t vlan) {
    if (vlan == 0) return {};
    return {vlan};
}

Bytes ipFrame(const Endpoint& from, const Endpoint& to, std::uint16_t vlan, std::uint8_t proto,
              const Bytes& l4, std::uint16_t ipId) {
    return ethernet(to.mac, from.mac, etype::kIpv4, ipv4Packet(from.ip, to.ip, proto, l4, 64, ipId),
                    vlanList(vlan));
}

/// One TCP connection's sequence state; frames are emitted through the context.
class TcpConversation {
public:
    TcpConversation(Endpoint client, Endpoint server, std::uint16_t vlan, std::uint16_t cport,
                    std::uint16_t sport, Rng& rng)
        : c_(client),
          s_(server),
          vlan_(vlan),
          cport_(cport),
          sport_(sport),
          cseq_(rng.u32()),
          sseq_(rng.u32()),
          ipId_(static_cast<std::uint16_t>(rng.u32())) {}

    /// Three-way handshake starting at t; returns the time of the last frame.
    std::int64_t open(Context& ctx, std::int64_t t, std::int64_t rtt) {
        ctx.emit(t, seg(true, cseq_, 0, tcp::kSyn, {}));
        ctx.emit(t + rtt / 2, seg(false, sseq_, cseq_ + 1, tcp::kSyn | tcp::kAck, {}));
        ++cseq_;
        ++sseq_;
        ctx.emit(t + rtt, seg(true, cseq_, sseq_, tcp::kAck, {}));
        ++ctx.summary.tcpSessions;
        return t + rtt;
    }
    /// Data from the client (fromClient) or the server, split into MSS-sized segments.
    std::int64_t send(Context& ctx, bool fromClient, std::int64_t t, const Bytes& data,
                      std::int64_t gapUs = 30) {
        std::size_t off = 0;
        while (off < data.size()) {
            const std::size_t n = std::min<std::size_t>(kMss, data.size() - off);
            Bytes chunk(data.begin() + static_cast<std::ptrdiff_t>(off),
                        data.begin() + static_cast<std::ptrdiff_t>(off + n));
            std::uint32_t& seq = fromClient ? cseq_ : sseq_;
            const std::uint32_t ack = fromClient ? sseq_ : cseq_;
            const bool last = off + n == data.size();
            ctx.emit(t, seg(fromClient, seq, ack,
                            static_cast<std::uint8_t>(tcp::kAck | (last ? tcp::kPsh : 0)), chunk));
            seq += static_cast<std::uint32_t>(n);
            off += n;
            if (!last) t += gapUs;
        }
        return t;
    }
    /// A pure ACK from one side for everything the other sent.
    void ack(Context& ctx, bool fromClient, std::int64_t t) {
        ctx.emit(t, seg(fromClient, fromClient ? cseq_ : sseq_, fromClient ? sseq_ : cseq_,
                        tcp::kAck, {}));
    }
    /// Bulk transfer server -> client with the client acknowledging every second segment.
    std::int64_t download(Context& ctx, std::int64_t t, const Bytes& data) {
        std::size_t off = 0;
        int unacked = 0;
        while (off < data.size()) {
            const std::size_t n = std::min<std::size_t>(kMss, data.size() - off);
            Bytes chunk(data.begin() + static_cast<std::ptrdiff_t>(off),
                        data.begin() + static_cast<std::ptrdiff_t>(off + n));
            const bool last = off + n == data.size();
            ctx.emit(t, seg(false, sseq_, cseq_,
                            static_cast<std::uint8_t>(tcp::kAck | (last ? tcp::kPsh : 0)), chunk));
            sseq_ += static_cast<std::uint32_t>(n);
            off += n;
            t += 12;  // ~1 Gbit/s serialisation
            if (++unacked == 2 || last) {
                ack(ctx, true, t + 40);
                unacked = 0;
                t += 50;
            }
        }
        return t;
    }
    /// Client-initiated FIN exchange.
    std::int64_t close(Context& ctx, std::int64_t t, std::int64_t rtt) {
        ctx.emit(t, seg(true, cseq_, sseq_, tcp::kFin | tcp::kAck, {}));
        ++cseq_;
        ctx.emit(t + rtt / 2, seg(false, sseq_, cseq_, tcp::kFin | tcp::kAck, {}));
        ++sseq_;
        ctx.emit(t + rtt, seg(true, cseq_, sseq_, tcp::kAck, {}));
        return t + rtt;
    }

private:
    Bytes seg(bool fromClient, std::uint32_t seq, std::uint32_t ack, std::uint8_t flags,
              const Bytes& payload) {
        const Endpoint& from = fromClient ? c_ : s_;
        const Endpoint& to = fromClient ? s_ : c_;
        const std::uint16_t sp = fromClient ? cport_ : sport_;
        const std::uint16_t dp = fromClient ? sport_ : cport_;
        return ipFrame(from, to, vlan_, 6,
                       tcpSegment(from.ip, to.ip, sp, dp, seq, ack, flags, payload, 64240),
                       ipId_++);
    }

    Endpoint c_, s_;
    std::uint16_t vlan_;
    std::uint16_t cport_, sport_;
    std::uint32_t cseq_, sseq_;
    std::uint16_t ipId_;
};

enum class OtProtocol { Modbus, S7, Dnp3, Enip, Iec104, Bacnet };

/// An HMI / SCADA master polling one PLC or RTU over TCP for the whole capture.
class TcpPollSession : public Session {
public:
    TcpPollSession(OtProtocol protocol, Device& client, const Device& server,
                   std::uint16_t masterAddress, std::uint16_t outstation, std::int64_t periodUs,
                   Rng& rng)
        : protocol_(protocol),
          tcp_(client.ep, server.ep, server.vlan, client.ephemeralPort(), serverPort(protocol),
               rng),
          master_(masterAddress),
          outstation_(outstation),
          periodUs_(periodUs) {}

    static std::uint16_t serverPort(OtProtocol p) {
        switch (p) {
            case OtProtocol::Modbus:
                return 502;
            case OtProtocol::S7:
                return 102;
            case OtProtocol::Dnp3:
                return 20000;
            case OtProtocol::Enip:
                return 44818;
            case OtProtocol::Iec104:
                return 2404;
            case OtProtocol::Bacnet:
                break;
        }
        return 47808;
    }

    std::int64_t step(Context& ctx, std::int64_t now) override {
        const std::int64_t rtt = 400 + ctx.rng.range(0, 600);
        if (state_ == 0) {  // connect, then the protocol's session setup
            std::int64_t t = tcp_.open(ctx, now, rtt) + 200;
            switch (protocol_) {
                case OtProtocol::S7:
                    t = exchange(ctx, t, s7SetupJob(0), s7SetupAck(0));
                    break;
                case OtProtocol::Enip:
                    session_ = 0x1000 + ctx.rng.u32() % 0xfff000;
                    t = exchange(ctx, t, enipRegister(0), enipRegister(session_));
                    break;
                case OtProtocol::Iec104:
                    t = exchange(ctx, t, iec104U(0x07), iec104U(0x0b));
                    break;
                default:
                    break;
            }
            state_ = 1;
            return t + periodUs_;
        }
        if (now + 2 * kSecond >= ctx.endUs) {
            tcp_.close(ctx, now, rtt);
            return kDone;
        }
        const auto n = static_cast<std::uint32_t>(polls_++);
        std::int64_t t = now;
        switch (protocol_) {
            case OtProtocol::Modbus: {
                const auto tid = static_cast<std::uint16_t>(n + 1);
                if (n % 60 == 59) {
                    t = exchange(ctx, t, modbusAdu(tid, 1, modbusWriteSingleRegister(40, 7)),
                                 modbusAdu(tid, 1, modbusWriteSingleRegister(40, 7)));
                } else {
                    const std::uint8_t fc = n % 2 ? 4 : 3;
                    std::vector<std::uint16_t> regs(10);
                    for (std::size_t i = 0; i < regs.size(); ++i)
                        regs[i] = static_cast<std::uint16_t>((n * 7 + i) % 1000);
                    t = exchange(ctx, t, modbusAdu(tid, 1, modbusReadRequest(fc, 0, 10)),
                                 modbusAdu(tid, 1, modbusReadResponse(fc, regs)));
                }
                break;
            }
            case OtProtocol::S7: {
                const auto ref = static_cast<std::uint16_t>(n + 1);
                if (n % 60 == 59) {
                    t = exchange(ctx, t, s7WriteJob(ref, 10, 4, 42), s7WriteAck(ref));
                } else {
                    t = exchange(ctx, t, s7ReadJob(ref, 1, 0, 32), s7ReadAck(ref, 32, n));
                }
                break;
            }
            case OtProtocol::Dnp3: {
                const auto seq = static_cast<std::uint8_t>(n);
                t = exchange(ctx, t, dnp3Read(outstation_, master_, seq),
                             dnp3Response(master_, outstation_, seq, n));
                break;
            }
            case OtProtocol::Enip:
                t = exchange(ctx, t,
                             enipSendRR(session_, n,
                                        cipGetAttribute(static_cast<std::uint8_t>(100 + n % 4))),
                             enipSendRR(session_, n, cipGetAttributeReply(n)));
                break;
            case OtProtocol::Iec104: {
                if (n % 100 == 0) {  // general interrogation
                    tcp_.send(ctx, true, t,
                              iec104I(ns_[0]++, ns_[1], iec104Interrogation(outstation_, 6)));
                    t += rtt;
                    tcp_.send(ctx, false, t,
                              iec104I(ns_[1]++, ns_[0], iec104Interrogation(outstation_, 7)));
                } else {  // spontaneous measurement from the RTU
                    tcp_.send(ctx, false, t,
                              iec104I(ns_[1]++, ns_[0],
                                      iec104Measurement(outstation_, 1000 + n % 50,
                                                        static_cast<float>(n % 1000) / 10.0f)));
                }
                t += rtt;
                tcp_.send(ctx, true, t, iec104S(ns_[1]));
                break;
            }
            case OtProtocol::Bacnet:
                break;
        }
        return t + periodUs_ + ctx.rng.range(-periodUs_ / 20, periodUs_ / 20);
    }

private:
    /// Request, response after the device's turnaround, and the client's delayed ACK.
    std::int64_t exchange(Context& ctx, std::int64_t t, const Bytes& request,
                          const Bytes& response) {
        t = tcp_.send(ctx, true, t, request);
        t += 1500 + ctx.rng.range(0, 2000);
        t = tcp_.send(ctx, false, t, response);
        t += 200;
        tcp_.ack(ctx, true, t);
        return t;
    }

    OtProtocol protocol_;
    TcpConversation tcp_;
    std::uint16_t master_, outstation_;
    std::int64_t periodUs_;
    int state_ = 0;
    std::uint64_t polls_ = 0;
    std::uint32_t session_ = 0;
    std::uint16_t ns_[2] = {0, 0};  // IEC 104 send sequence numbers: [0] client, [1] server
};

/// A BACnet/IP client reading present-values from one controller (UDP).
class BacnetPollSession : public Session {
public:
    BacnetPollSession(const Device& client, const Device& server, std::int64_t periodUs)
        : c_(client.ep), s_(server.ep), vlan_(server.vlan), periodUs_(periodUs) {}

    std::int64_t step(Context& ctx, std::int64_t now) override {
        if (now + kSecond >= ctx.endUs) return kDone;
        const auto invoke = static_cast<std::uint8_t>(n_);
        const std::uint32_t instance = 1 + n_ % 8;
        ctx.emit(now, ipFrame(c_, s_, vlan_, 17,
                              udpDatagram(c_.ip, s_.ip, 47808, 47808,
                                          bacnetReadProperty(invoke, instance)),
                              static_cast<std::uint16_t>(n_)));
        const std::int64_t t = now + 3000 + ctx.rng.range(0, 3000);
        ctx.emit(t, ipFrame(s_, c_, vlan_, 17,
                            udpDatagram(s_.ip, c_.ip, 47808, 47808,
                                        bacnetReadPropertyAck(invoke, instance,
                                                              static_cast<float>(n_ % 300))),
                            static_cast<std::uint16_t>(n_)));
        ++n_;
        return t + periodUs_;
    }

private:
    Endpoint c_, s_;
    std::uint16_t vlan_;
    std::int64_t periodUs_;
    std::uint32_t n_ = 0;
};

struct Topology {
    Endpoint router;
    Device dns;
    std::vector<Device> otServers, otClients, itHosts, webServers;  // webServers: internal first
    std::size_t internalWeb = 0;                                    // how many are internal
    std::vector<OtProtocol> otProtocol;                             // per OT server
};

std::string hostName(const char* prefix, std::size_t i) {
    return prefix + std::to_string(i) + ".example.com";
}

/// An IT host looks a server up (DNS), connects (HTTP or TLS), downloads, and closes.
class ItSession : public Session {
public:
    ItSession(Device& client, const Device& dns, const Device& server, bool external,
              std::size_t serverIndex, bool https, std::size_t bytes, Rng& rng)
        : client_(client.ep),
          dns_(dns.ep),
          dnsPort_(client.ephemeralPort()),
          serverIp_(server.ep.ip),
          name_(hostName(external ? "cdn" : "intranet", serverIndex)),
          https_(https),
          bytes_(bytes),
          tcp_(client.ep, server.ep, 0, client.ephemeralPort(), https ? 443 : 80, rng),
          rtt_(external ? 8000 + rng.range(0, 30000) : 300 + rng.range(0, 700)) {}

    std::int64_t step(Context& ctx, std::int64_t now) override {
        switch (state_++) {
            case 0: {
                const auto id = static_cast<std::uint16_t>(dnsPort_ * 7);
                ctx.emit(now, ipFrame(client_, dns_, 0, 17,
                                      udpDatagram(client_.ip, dns_.ip, dnsPort_, 53,
                                                  dnsQuery(id, name_)),
                                      id));
                const std::int64_t t = now + 600 + ctx.rng.range(0, 800);
                ctx.emit(t, ipFrame(dns_, client_, 0, 17,
                                    udpDatagram(dns_.ip, client_.ip, 53, dnsPort_,
                                                dnsResponse(id, name_, serverIp_)),
                                    id));
                return t + 100;
            }
            case 1: {
                std::int64_t t = tcp_.open(ctx, now, rtt_) + 50;
                if (https_) {
                    t = tcp_.send(ctx, true, t, tlsClientHello(name_, ctx.rng.u32()));
                    t += rtt_;
                    Bytes hello = tlsServerHello(ctx.rng.u32());
                    append(hello, tlsAppData(2400 + ctx.rng.range(0, 1600), ctx.rng.u32()));
                    t = tcp_.send(ctx, false, t, hello);
                    t += 300;
                    Bytes fin = {0x14, 0x03, 0x03, 0x00, 0x01, 0x01};
                    append(fin, tlsAppData(53, ctx.rng.u32()));
                    append(fin, tlsAppData(180 + ctx.rng.range(0, 300), ctx.rng.u32()));
                    t = tcp_.send(ctx, true, t, fin);
                } else {
                    Bytes get;
                    appendText(get, "GET /files/" + std::to_string(bytes_) +
                                        ".bin HTTP/1.1\r\nHost: " + name_ +
                                        "\r\nUser-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; "
                                        "x64) ironsight-bench\r\nAccept: */*\r\n\r\n");
                    t = tcp_.send(ctx, true, t, get);
                }
                return t + rtt_;
            }
            case 2: {
                Bytes body;
                if (https_) {
                    std::size_t left = bytes_;
                    while (left > 0) {  // 16 KiB application data records
                        const std::size_t n = std::min<std::size_t>(16384, left);
                        append(body, tlsAppData(n, ctx.rng.u32()));
                        left -= n;
                    }
                } else {
                    appendText(body,
                               "HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nContent-Type: "
                               "application/octet-stream\r\nContent-Length: " +
                                   std::to_string(bytes_) + "\r\n\r\n");
                    append(body, filler(bytes_, ctx.rng.u32()));
                }
                return tcp_.download(ctx, now, body) + 2000;
            }
            default:
                tcp_.close(ctx, now, rtt_);
                return kDone;
        }
    }

private:
    Endpoint client_, dns_;
    std::uint16_t dnsPort_;
    std::uint32_t serverIp_;
    std::string name_;
    bool https_;
    std::size_t bytes_;
    TcpConversation tcp_;
    std::int64_t rtt_;
    int state_ = 0;
};

/// A long-lived TLS connection (a telemetry/agent channel) with a keep-alive every 2-5 minutes.
class LongLivedSession : public Session {
public:
    LongLivedSession(Device& client, const Device& server, std::size_t serverIndex, Rng& rng)
        : name_(hostName("agent", serverIndex)),
          tcp_(client.ep, server.ep, 0, client.ephemeralPort(), 443, rng) {}

    std::int64_t step(Context& ctx, std::int64_t now) override {
        const std::int64_t rtt = 500 + ctx.rng.range(0, 1500);
        std::int64_t t = now;
        if (!open_) {
            open_ = true;
            t = tcp_.open(ctx, t, rtt) + 50;
            t = tcp_.send(ctx, true, t, tlsClientHello(name_, ctx.rng.u32()));
            t += rtt;
            Bytes hello = tlsServerHello(ctx.rng.u32());
            append(hello, tlsAppData(900, ctx.rng.u32()));
            t = tcp_.send(ctx, false, t, hello);
            t += 300;
            tcp_.ack(ctx, true, t);
        } else {
            t = tcp_.send(ctx, true, t, tlsAppData(90, ctx.rng.u32()));
            t += rtt;
            t = tcp_.send(ctx, false, t, tlsAppData(260, ctx.rng.u32()));
            t += 200;
            tcp_.ack(ctx, true, t);
        }
        const std::int64_t next = t + ctx.rng.range(120, 300) * kSecond;
        return next < ctx.endUs ? next : kDone;  // stays open at the end of the capture
    }

private:
    std::string name_;
    TcpConversation tcp_;
    bool open_ = false;
};

/// Starts IT sessions at a steady rate (a Poisson-like arrival with deterministic jitter).
class ItSpawner : public Session {
public:
    ItSpawner(Topology& topo, std::int64_t meanGapUs) : topo_(topo), meanGapUs_(meanGapUs) {}

    std::int64_t step(Context& ctx, std::int64_t now) override {
        if (now + 5 * kSecond >= ctx.endUs || topo_.itHosts.empty()) return kDone;
        Device& client = topo_.itHosts[ctx.rng.next() % topo_.itHosts.size()];
        const std::size_t si = ctx.rng.next() % topo_.webServers.size();
        const bool external = si >= topo_.internalWeb;
        const bool https = ctx.rng.range(0, 99) < (external ? 80 : 30);
        // Sizes: mostly small pages, some larger downloads.
        const std::size_t bytes = ctx.rng.range(0, 9) < 8
                                      ? static_cast<std::size_t>(ctx.rng.range(4, 48)) * 1024
                                      : static_cast<std::size_t>(ctx.rng.range(64, 256)) * 1024;
        ctx.spawn(now, std::make_unique<ItSession>(client, topo_.dns, topo_.webServers[si],
                                                   external, si, https, bytes, ctx.rng));
        return now + 1 + ctx.rng.range(meanGapUs_ / 2, meanGapUs_ * 3 / 2);
    }

private:
    Topology& topo_;
    std::int64_t meanGapUs_;
};

/// ARP: hosts resolve the router, the DNS server or (OT) each other; the router and servers
/// answer, so every local MAC/IP pair is announced.
class ArpSpawner : public Session {
public:
    ArpSpawner(Topology& topo, std::int64_t gapUs) : topo_(topo), gapUs_(gapUs) {}

    std::int64_t step(Context& ctx, std::int64_t now) override {
        if (now + kSecond >= ctx.endUs) return kDone;
        const Device* asker = nullptr;
        Endpoint target = topo_.router;
        std::uint16_t vlan = 0;
        const auto pick = ctx.rng.range(0, 9);
        if (pick < 6 && !topo_.itHosts.empty()) {
            asker = &topo_.itHosts[ctx.rng.next() % topo_.itHosts.size()];
            if (pick == 0) target = topo_.dns.ep;
        } else if (!topo_.otServers.empty() && !topo_.otClients.empty()) {
            const Device& server = topo_.otServers[ctx.rng.next() % topo_.otServers.size()];
            asker = &topo_.otClients[ctx.rng.next() % topo_.otClients.size()];
            target = server.ep;
            vlan = server.vlan;
        }
        if (asker) {
            const Host from{asker->ep.mac, asker->ep.ip}, to{target.mac, target.ip};
            ctx.emit(now, ethernet(kBroadcastMac, from.mac, etype::kArp,
                                   arpPacket(1, from.mac, from.ip, Mac{}, to.ip), vlanList(vlan)));
            ctx.emit(now + 300,
                     ethernet(from.mac, to.mac, etype::kArp,
                              arpPacket(2, to.mac, to.ip, from.mac, from.ip), vlanList(vlan)));
        }
        return now + 400 + ctx.rng.range(gapUs_ / 2, gapUs_ * 3 / 2);
    }

private:
    Topology& topo_;
    std::int64_t gapUs_;
};

Mac makeMac(std::uint32_t oui, std::uint32_t index) {
    return {static_cast<std::uint8_t>(oui >> 16),  static_cast<std::uint8_t>(oui >> 8),
            static_cast<std::uint8_t>(oui),        static_cast<std::uint8_t>(index >> 16),
            static_cast<std::uint8_t>(index >> 8), static_cast<std::uint8_t>(index)};
}

Topology makeTopology(const OtTraceOptions& o) {
    Topology t;
    const auto n = static_cast<std::size_t>(std::max(20, o.devices));
    const std::size_t otServers = n * 15 / 100;
    const std::size_t otClients = std::max<std::size_t>(2, n * 2 / 100);
    const std::size_t external = std::max<std::size_t>(4, n * 25 / 1000);
    const std::size_t internalWeb = std::max<std::size_t>(2, n / 200);
    const std::size_t it = n - otServers - otClients - external - internalWeb - 2;  // DNS, router
    t.router = {makeMac(0x00000c, 1), (10u << 24) | 1};  // Cisco, 10.0.0.1
    t.dns.ep = {makeMac(0x001422, 0xfffff0), (10u << 24) | (0u << 16) | 53};
    constexpr std::uint32_t kOtOuis[] = {0x000e8c, 0x0000bc, 0x0080f4, 0x00a045, 0x001d9c};
    for (std::size_t i = 0; i < otServers; ++i) {
        Device d;
        const auto idx = static_cast<std::uint32_t>(i);
        d.ep = {makeMac(kOtOuis[i % 5], 0x100000 + idx), (10u << 24) | (20u << 16) | (idx + 10)};
        d.vlan = static_cast<std::uint16_t>(100 + i % 8);  // one VLAN per production cell
        t.otServers.push_back(d);
        // 30 % Modbus, 20 % S7, 20 % EtherNet/IP, 10 % DNP3, 10 % IEC 104, 10 % BACnet.
        static constexpr OtProtocol kMix[] = {
            OtProtocol::Modbus, OtProtocol::S7,    OtProtocol::Enip,   OtProtocol::Modbus,
            OtProtocol::Dnp3,   OtProtocol::S7,    OtProtocol::Iec104, OtProtocol::Modbus,
            OtProtocol::Enip,   OtProtocol::Bacnet};
        t.otProtocol.push_back(kMix[i % 10]);
    }
    for (std::size_t i = 0; i < otClients; ++i) {
        Device d;
        const auto idx = static_cast<std::uint32_t>(i);
        d.ep = {makeMac(0x001422, 0x200000 + idx), (10u << 24) | (21u << 16) | (idx + 10)};
        t.otClients.push_back(d);
    }
    for (std::size_t i = 0; i < it; ++i) {
        Device d;
        const auto idx = static_cast<std::uint32_t>(i);
        d.ep = {makeMac(i % 3 ? 0x001422 : 0x3c5282, 0x300000 + idx),
                (10u << 24) | (30u << 16) | (idx + 10)};
        d.nextPort = static_cast<std::uint16_t>(49152 + (i * 97) % 16000);
        t.itHosts.push_back(d);
    }
    for (std::size_t i = 0; i < internalWeb; ++i) {
        Device d;
        const auto idx = static_cast<std::uint32_t>(i);
        d.ep = {makeMac(0x001422, 0x400000 + idx), (10u << 24) | (40u << 16) | (idx + 10)};
        t.webServers.push_back(d);
    }
    t.internalWeb = internalWeb;
    for (std::size_t i = 0; i < external; ++i) {  // public servers behind the router
        Device d;
        const auto idx = static_cast<std::uint32_t>(i);
        d.ep = {t.router.mac, (93u << 24) | (184u << 16) | ((idx / 200) << 8) | (idx % 200 + 10)};
        t.webServers.push_back(d);
    }
    return t;
}

}  // namespace

Result<OtTraceSummary> writeOtTrace(const std::filesystem::path& file,
                                    const OtTraceOptions& options) {
    if (options.rate <= 0) return makeError("rate must be positive");
    auto writer = ironsight::sensor::PcapFileWriter::create(file);
    if (!writer) return writer.error();

    Context ctx(options.seed);
    const std::int64_t t0 = options.startUs;
    ctx.endUs = t0 + std::int64_t{std::max(1, options.minutes)} * 60 * kSecond;
    Topology topo = makeTopology(options);
    ctx.summary.devices = static_cast<int>(topo.otServers.size() + topo.otClients.size() +
                                           topo.itHosts.size() + topo.webServers.size() + 2);

    // Sessions live in slots; a finished session's slot is reused.
    std::vector<std::unique_ptr<Session>> slots;
    std::vector<std::size_t> freeSlots;
    using Wake = std::pair<std::int64_t, std::size_t>;
    std::priority_queue<Wake, std::vector<Wake>, std::greater<>> wakeups;
    auto add = [&](std::int64_t us, std::unique_ptr<Session> s) {
        std::size_t slot;
        if (!freeSlots.empty()) {
            slot = freeSlots.back();
            freeSlots.pop_back();
            slots[slot] = std::move(s);
        } else {
            slot = slots.size();
            slots.push_back(std::move(s));
        }
        wakeups.push({us, slot});
    };

    // OT polling: every PLC/RTU has one master; every fourth a second one (a SCADA server).
    const auto period = static_cast<std::int64_t>(500 * kMs / options.rate);
    for (std::size_t i = 0; i < topo.otServers.size(); ++i) {
        const int masters = i % 4 == 0 ? 2 : 1;
        for (int m = 0; m < masters; ++m) {
            const std::size_t ci = (i + static_cast<std::size_t>(m) * 7) % topo.otClients.size();
            Device& client = topo.otClients[ci];
            const std::int64_t start = t0 + ctx.rng.range(0, 3 * kSecond);
            const auto proto = topo.otProtocol[i];
            if (proto == OtProtocol::Bacnet) {
                add(start, std::make_unique<BacnetPollSession>(client, topo.otServers[i], period));
            } else {
                add(start, std::make_unique<TcpPollSession>(
                               proto, client, topo.otServers[i], static_cast<std::uint16_t>(ci + 1),
                               static_cast<std::uint16_t>(i + 10), period, ctx.rng));
            }
            ++ctx.summary.otFlows;
        }
    }
    // IT: each host starts a web session about once a minute.
    if (!topo.itHosts.empty()) {
        const auto gap = static_cast<std::int64_t>(
            60.0 * kSecond / (static_cast<double>(topo.itHosts.size()) * options.rate));
        add(t0 + 100 * kMs, std::make_unique<ItSpawner>(topo, std::max<std::int64_t>(gap, 2)));
    }
    add(t0 + 50 * kMs, std::make_unique<ArpSpawner>(topo, 100 * kMs));
    // Long-lived flows: opened during the first minute, spread over hosts and servers.
    for (std::uint32_t j = 0; j < options.longLivedFlows && !topo.itHosts.empty(); ++j) {
        Device& client = topo.itHosts[j % topo.itHosts.size()];
        const std::size_t si = (j / topo.itHosts.size() + j) % topo.webServers.size();
        const std::int64_t start =
            t0 + static_cast<std::int64_t>(j) * 60 * kSecond / options.longLivedFlows;
        add(start, std::make_unique<LongLivedSession>(client, topo.webServers[si], si, ctx.rng));
        ++ctx.summary.longLivedFlows;
    }

    auto writeUpTo = [&](std::int64_t limit) -> Status {
        while (!ctx.frames.empty() && ctx.frames.top().us <= limit) {
            const PendingFrame& f = ctx.frames.top();
            if (auto st = writer->write(f.us, f.frame); !st) return st;
            ++ctx.summary.packets;
            ctx.summary.bytes += f.frame.size();
            ctx.frames.pop();
        }
        return {};
    };
    while (!wakeups.empty()) {
        const auto [us, slot] = wakeups.top();
        wakeups.pop();
        if (auto st = writeUpTo(us); !st) return st.error();
        const std::int64_t next = slots[slot]->step(ctx, us);
        if (next == kDone) {
            slots[slot].reset();
            freeSlots.push_back(slot);
        } else {
            wakeups.push({std::max(next, us + 1), slot});
        }
        for (auto& [when, s] : ctx.spawned) add(when, std::move(s));
        ctx.spawned.clear();
    }
    if (auto st = writeUpTo(INT64_MAX); !st) return st.error();
    if (auto st = writer->flush(); !st) return st.error();
    return ctx.summary;
}

}  // namespace ironsight::test
