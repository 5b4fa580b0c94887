// SPDX-License-Identifier: Apache-2.0
// DNS message parsing (RFC 1035 §4.1.1-4.1.4: header, questions, resource records, compression).
#include "sensor-agent/dissect/dns/dns_wire.h"

#include <algorithm>
#include <cstdio>

#include "sensor-agent/decode/byte_reader.h"
#include "sensor-agent/dissect/core/text.h"

namespace ironsight::sensor::dissect::dns {

bool readName(std::span<const std::uint8_t> msg, std::size_t& offset, std::string& out) {
    out.clear();
    std::size_t pos = offset;
    bool jumped = false;
    int jumps = 0;
    std::size_t wire = 0;  // total label bytes, RFC 1035 §2.3.4 limit 255
    while (true) {
        if (pos >= msg.size()) return false;
        const std::uint8_t len = msg[pos];
        if ((len & 0xc0) == 0xc0) {
            if (pos + 1 >= msg.size() || ++jumps > 32) return false;
            const std::size_t target = static_cast<std::size_t>((len & 0x3f) << 8) | msg[pos + 1];
            if (!jumped) offset = pos + 2;
            jumped = true;
            if (target >= msg.size()) return false;
            pos = target;
            continue;
        }
        if ((len & 0xc0) != 0) return false;  // 0x40/0x80: obsolete extended label types
        if (len == 0) {
            if (!jumped) offset = pos + 1;
            return true;
        }
        if (pos + 1 + len > msg.size()) return false;
        wire += len + 1u;
        if (wire > 255) return false;
        if (!out.empty()) out.push_back('.');
        out.append(reinterpret_cast<const char*>(msg.data() + pos + 1), len);
        pos += 1u + len;
    }
}

namespace {

bool readRecords(std::span<const std::uint8_t> msg, std::size_t& offset, std::size_t count,
                 std::vector<Record>& out) {
    out.reserve(std::min(count, kMaxRecordsPerSection));  // one allocation
    for (std::size_t i = 0; i < count; ++i) {
        Record rec;
        if (!readName(msg, offset, rec.name)) return false;
        decode::ByteReader r(msg.subspan(offset));
        rec.type = r.u16();
        rec.rclass = r.u16();
        rec.ttl = r.u32();
        const std::uint16_t rdlength = r.u16();
        rec.rdata = r.bytes(rdlength);
        if (!r.ok()) return false;
        rec.rdataOffset = offset + 10;
        offset += 10u + rdlength;
        if (out.size() < kMaxRecordsPerSection) out.push_back(std::move(rec));
    }
    return true;
}

}  // namespace

std::optional<Message> parseMessage(std::span<const std::uint8_t> msg) {
    decode::ByteReader r(msg);
    Message m;
    m.id = r.u16();
    m.flags = r.u16();
    const std::uint16_t qd = r.u16(), an = r.u16(), ns = r.u16(), ar = r.u16();
    if (!r.ok()) return std::nullopt;
    std::size_t offset = 12;
    m.questions.reserve(std::min<std::size_t>(qd, kMaxRecordsPerSection));  // one allocation
    for (std::size_t i = 0; i < qd; ++i) {
        Question q;
        if (!readName(msg, offset, q.name)) return std::nullopt;
        decode::ByteReader qr(msg.subspan(offset));
        q.qtype = qr.u16();
        q.qclass = qr.u16();
        if (!qr.ok()) return std::nullopt;
        offset += 4;
        if (m.questions.size() < kMaxRecordsPerSection) m.questions.push_back(std::move(q));
    }
    if (!readRecords(msg, offset, an, m.answers) || !readRecords(msg, offset, ns, m.authorities) ||
        !readRecords(msg, offset, ar, m.additionals)) {
        return std::nullopt;
    }
    return m;
}

std::string addressText(std::span<const std::uint8_t> b) {
    char buf[48];
    if (b.size() == 4) {
        std::snprintf(buf, sizeof buf, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
        return buf;
    }
    if (b.size() != 16) return {};
    std::string out;
    for (int i = 0; i < 8; ++i) {
        std::snprintf(buf, sizeof buf, "%s%x", i ? ":" : "", (b[2 * i] << 8) | b[2 * i + 1]);
        out += buf;
    }
    return out;
}

bool isLocalAddress(std::span<const std::uint8_t> b) {
    if (b.size() == 4) {
        return b[0] == 10 || (b[0] == 172 && (b[1] & 0xf0) == 16) || (b[0] == 192 && b[1] == 168) ||
               (b[0] == 169 && b[1] == 254);
    }
    if (b.size() == 16) return (b[0] & 0xfe) == 0xfc || (b[0] == 0xfe && (b[1] & 0xc0) == 0x80);
    return false;
}

std::string displayName(const std::string& raw, bool lower) {
    std::string s = raw;
    if (!s.empty() && s.back() == '.') s.pop_back();
    for (auto& c : s) {
        if (lower && c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return safeText(
        std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()));
}

}  // namespace ironsight::sensor::dissect::dns
