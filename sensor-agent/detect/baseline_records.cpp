// SPDX-License-Identifier: Apache-2.0
#include "sensor-agent/detect/baseline_records.h"

#include "sensor-agent/detect/same_text.h"

#include <algorithm>

namespace ironsight::sensor::detect {

bool BaselineRecords::parseV4(std::string_view text, std::uint32_t& out) {
    // Asked for each new flow's addresses: digit by digit, no loop over a part's positions.
    if (text.size() < 7 || text.size() > 15) return false;
    const char* at = text.data();
    const char* const end = at + text.size();
    const auto digit = [&](unsigned& d) {
        if (at == end) return false;
        d = static_cast<unsigned char>(*at) - unsigned{'0'};
        return d <= 9;
    };
    std::uint32_t value = 0;
    for (int part = 0; part < 4; ++part) {
        if (part > 0 && (at == end || *at++ != '.')) return false;
        unsigned n = 0, d = 0;
        if (!digit(n)) return false;
        ++at;
        if (digit(d)) {  // a second digit: no leading zero
            if (n == 0) return false;
            n = n * 10 + d;
            ++at;
            if (digit(d)) {
                n = n * 10 + d;
                ++at;
                if (n > 255 || digit(d)) return false;  // at most 3 digits
            }
        }
        value = (value << 8) | n;
    }
    if (at != end) return false;
    out = value;
    return true;
}

bool BaselineRecords::parsePort(std::string_view text, std::uint16_t& out) {
    if (text.empty() || text.size() > 5 || (text.size() > 1 && text[0] == '0')) return false;
    std::uint32_t n = 0;
    for (const char c : text) {
        if (c < '0' || c > '9') return false;
        n = n * 10 + static_cast<std::uint32_t>(c - '0');
    }
    if (n > 65535) return false;
    out = static_cast<std::uint16_t>(n);
    return true;
}

void BaselineRecords::appendV4(std::string& out, std::uint32_t v4) {
    for (int shift = 24; shift >= 0; shift -= 8) {
        const unsigned v = (v4 >> shift) & 0xff;
        if (v >= 100) out.push_back(static_cast<char>('0' + v / 100));
        if (v >= 10) out.push_back(static_cast<char>('0' + v / 10 % 10));
        out.push_back(static_cast<char>('0' + v % 10));
        if (shift > 0) out.push_back('.');
    }
}

std::uint32_t BaselineRecords::protocolId(std::string_view name) const {
    // The names are few (one per protocol): a scan costs less than hashing the text.
    for (std::size_t id = 1; id < protocolNames_.size() && id <= 16; ++id) {
        if (sameText(protocolNames_[id], name)) return static_cast<std::uint32_t>(id);
    }
    if (protocolNames_.size() <= 17) return 0;
    const auto it = protocolIds_.find(std::string(name));
    return it == protocolIds_.end() ? 0 : it->second;
}

std::uint32_t BaselineRecords::internProtocol(std::string_view name) {
    if (const std::uint32_t id = protocolId(name)) return id;
    if (protocolNames_.size() > kMaxProtocols) return 0;
    const auto id = static_cast<std::uint32_t>(protocolNames_.size());
    protocolNames_.emplace_back(name);
    protocolIds_.emplace(std::string(name), id);
    return id;
}

BaselineRecords::Add BaselineRecords::addConn(bool tcp, std::uint32_t client, std::uint32_t server,
                                              std::uint16_t port, std::uint32_t protocol) {
    const Record r{client, server,
                   (std::uint32_t{port} << 16) | (tcp ? 0x8000u : 0u) | (protocol & 0x7fff)};
    return conns_.add(r, kConnKey);
}

std::uint32_t BaselineRecords::findConn(bool tcp, std::uint32_t client, std::uint32_t server,
                                        std::uint16_t port) const {
    const Record* r =
        conns_.find({client, server, (std::uint32_t{port} << 16) | (tcp ? 0x8000u : 0u)}, kConnKey);
    return r ? (r->c & 0x7fff) : 0;
}

std::size_t BaselineRecords::Table::hashOf(const Record& r, std::uint32_t keyMask) {
    std::uint64_t h = ((std::uint64_t{r.a} << 32) | r.b) * 0x9e3779b97f4a7c15ULL;
    h ^= (r.c & keyMask) * 0xff51afd7ed558ccdULL;
    h ^= h >> 29;
    return static_cast<std::size_t>(h);
}

const BaselineRecords::Record* BaselineRecords::Table::find(Record r, std::uint32_t keyMask) const {
    if (slots_.empty()) return nullptr;
    const std::size_t mask = slots_.size() - 1;
    const std::uint32_t key = r.c & keyMask;
    for (std::size_t i = hashOf(r, keyMask) & mask;; i = (i + 1) & mask) {
        const Record& s = slots_[i];
        if (s.c == 0) return nullptr;
        if (s.a == r.a && s.b == r.b && (s.c & keyMask) == key) return &s;
    }
}

void BaselineRecords::Table::grow(std::uint32_t keyMask) {
    std::vector<Record> old(std::max<std::size_t>(16, 2 * slots_.size()));
    old.swap(slots_);
    const std::size_t mask = slots_.size() - 1;
    for (const Record& s : old) {
        if (s.c == 0) continue;
        std::size_t i = hashOf(s, keyMask) & mask;
        while (slots_[i].c != 0) i = (i + 1) & mask;
        slots_[i] = s;
    }
}

BaselineRecords::Add BaselineRecords::Table::add(Record r, std::uint32_t keyMask) {
    if (4 * (size_ + 1) > 3 * slots_.size()) grow(keyMask);
    const std::size_t mask = slots_.size() - 1;
    const std::uint32_t key = r.c & keyMask;
    std::size_t i = hashOf(r, keyMask) & mask;
    for (; slots_[i].c != 0; i = (i + 1) & mask) {
        const Record& s = slots_[i];
        if (s.a == r.a && s.b == r.b && (s.c & keyMask) == key) {
            return s.c == r.c ? Add::Present : Add::Conflict;
        }
    }
    slots_[i] = r;
    ++size_;
    return Add::Added;
}

bool BaselineRecords::Table::addFlags(Record r, std::uint32_t flag) {
    if (4 * (size_ + 1) > 3 * slots_.size()) grow(kPairKey);
    const std::size_t mask = slots_.size() - 1;
    std::size_t i = hashOf(r, kPairKey) & mask;
    for (; slots_[i].c != 0; i = (i + 1) & mask) {
        Record& s = slots_[i];
        if (s.a == r.a && s.b == r.b && (s.c & kPairKey) == (r.c & kPairKey)) {
            if (s.c & flag) return false;
            s.c |= flag;
            return true;
        }
    }
    slots_[i] = Record{r.a, r.b, (r.c & kPairKey) | flag};
    ++size_;
    return true;
}

void BaselineRecords::appendTexts(std::string& out,
                                  std::vector<std::pair<std::size_t, std::size_t>>& spans) const {
    for (const Record& r : conns_.slots()) {
        if (r.c == 0) continue;
        const std::size_t at = out.size();
        out.append(r.c & 0x8000 ? "conn tcp " : "conn udp ");
        appendV4(out, r.a);
        out.push_back(' ');
        appendV4(out, r.b);
        out.push_back(' ');
        out.append(std::to_string(r.c >> 16));
        out.push_back(' ');
        out.append(protocolNames_[r.c & 0x7fff]);
        spans.emplace_back(at, out.size() - at);
    }
    for (const Record& r : pairs_.slots()) {
        for (const std::uint32_t direction : {kTalkLow, kTalkHigh}) {
            if ((r.c & direction) == 0) continue;
            const std::size_t at = out.size();
            out.append("talk ");
            out.append(protocolNames_[r.c & kPairKey]);
            out.push_back(' ');
            appendV4(out, direction == kTalkLow ? r.a : r.b);
            out.push_back(' ');
            appendV4(out, direction == kTalkLow ? r.b : r.a);
            spans.emplace_back(at, out.size() - at);
        }
    }
}

std::size_t BaselineRecords::memoryBytes() const {
    return (conns_.capacity() + pairs_.capacity()) * sizeof(Record);
}

}  // namespace ironsight::sensor::detect
