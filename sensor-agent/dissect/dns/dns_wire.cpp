// SPDX-License-Identifier: Apache-2.0
// DNS message parsing (RFC 1035 §4.1.1-4.1.4: header, questions, resource records, compression).
#include "sensor-agent/dissect/dns/dns_wire.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <iterator>

#include "sensor-agent/decode/byte_reader.h"
#include "sensor-agent/dissect/core/text.h"

namespace ironsight::sensor::dissect::dns {

bool readName(std::span<const std::uint8_t> msg, std::size_t& offset, std::string& out) {
    // Built in a buffer and copied once: appending label by label reallocates a long name
    // several times. At most 255 wire bytes make at most 254 text bytes.
    char text[256];
    std::size_t size = 0;
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
            out.assign(text, size);
            return true;
        }
        if (pos + 1 + len > msg.size()) return false;
        wire += len + 1u;
        if (wire > 255) return false;
        if (size != 0) text[size++] = '.';
        std::memcpy(text + size, msg.data() + pos + 1, len);
        size += len;
        pos += 1u + len;
    }
}

namespace {

/// Entry `used` of `v` (the previous message's, a spare one, or a new one), counting it as used.
template <typename T>
T& nextEntry(std::vector<T>& v, std::size_t& used, std::vector<T>& spare) {
    if (used < v.size()) return v[used++];
    ++used;
    if (spare.empty()) return v.emplace_back();
    v.push_back(std::move(spare.back()));  // a moved string keeps its buffer
    spare.pop_back();
    return v.back();
}

/// Shrinks `v` to `used` entries, moving the rest to `spare` (their buffers kept).
template <typename T>
void keepUsed(std::vector<T>& v, std::size_t used, std::vector<T>& spare) {
    while (v.size() > used) {
        spare.push_back(std::move(v.back()));
        v.pop_back();
    }
}

bool readRecords(std::span<const std::uint8_t> msg, std::size_t& offset, std::size_t count,
                 std::vector<Record>& out, std::vector<Record>& spare) {
    out.reserve(std::min(count, kMaxRecordsPerSection));  // one allocation
    std::size_t used = 0;
    Record skipped;  // entries over the limit are parsed here
    for (std::size_t i = 0; i < count; ++i) {
        Record& rec = used < kMaxRecordsPerSection ? nextEntry(out, used, spare) : skipped;
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
    }
    keepUsed(out, used, spare);  // the previous message's surplus entries
    return true;
}

}  // namespace

bool parseMessage(std::span<const std::uint8_t> msg, Message& m) {
    decode::ByteReader r(msg);
    m.id = r.u16();
    m.flags = r.u16();
    const std::uint16_t qd = r.u16(), an = r.u16(), ns = r.u16(), ar = r.u16();
    if (!r.ok()) return false;
    std::size_t offset = 12;
    m.questions.reserve(std::min<std::size_t>(qd, kMaxRecordsPerSection));  // one allocation
    std::size_t used = 0;
    Question skipped;
    for (std::size_t i = 0; i < qd; ++i) {
        Question& q =
            used < kMaxRecordsPerSection ? nextEntry(m.questions, used, m.spareQuestions) : skipped;
        if (!readName(msg, offset, q.name)) return false;
        decode::ByteReader qr(msg.subspan(offset));
        q.qtype = qr.u16();
        q.qclass = qr.u16();
        if (!qr.ok()) return false;
        offset += 4;
    }
    keepUsed(m.questions, used, m.spareQuestions);
    return readRecords(msg, offset, an, m.answers, m.spareRecords) &&
           readRecords(msg, offset, ns, m.authorities, m.spareRecords) &&
           readRecords(msg, offset, ar, m.additionals, m.spareRecords);
}

std::optional<Message> parseMessage(std::span<const std::uint8_t> msg) {
    Message m;
    if (!parseMessage(msg, m)) return std::nullopt;
    return m;
}

std::string addressText(std::span<const std::uint8_t> b) {
    // By hand: printf parses its format per call. IPv4 dotted decimal; IPv6 as eight groups of
    // lower-case hex without leading zeros ("%x" each, no "::" compression).
    char buf[48];
    char* p = buf;
    if (b.size() == 4) {
        for (std::size_t i = 0; i < 4; ++i) {
            if (i != 0) *p++ = '.';
            p = std::to_chars(p, std::end(buf), b[i]).ptr;
        }
        return {buf, static_cast<std::size_t>(p - buf)};
    }
    if (b.size() != 16) return {};
    for (std::size_t i = 0; i < 8; ++i) {
        if (i != 0) *p++ = ':';
        p = std::to_chars(p, std::end(buf), (b[2 * i] << 8) | b[2 * i + 1], 16).ptr;
    }
    return {buf, static_cast<std::size_t>(p - buf)};
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
    std::size_t n = raw.size();
    if (n != 0 && raw[n - 1] == '.') --n;
    // Lower-cased in a buffer (a name read from the wire has at most 254 characters).
    char small[256];
    std::string large;
    char* s = small;
    if (n > sizeof small) {
        large.resize(n);
        s = large.data();
    }
    for (std::size_t i = 0; i < n; ++i) {
        const char c = raw[i];
        s[i] = lower && c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
    }
    return safeText(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(s), n));
}

}  // namespace ironsight::sensor::dissect::dns
