// SPDX-License-Identifier: Apache-2.0
// BaselineRecords: the baseline's per-connection items as binary records. With 200,000 learned
// connections the "conn" and "talk" texts (~35 bytes each, in a TextSet ~45 with its table)
// and the pair index were ~170 bytes a connection (docs/BENCHMARKS.md "Memory, session 10");
// an IPv4 item here is a 12-byte slot. Only items that print back to the same text are held
// (canonical IPv4 addresses, "tcp"/"udp", a canonical port): the others stay texts, so the
// exported baseline is byte-identical (docs/BENCHMARKS.md "Detector, session 11").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace ironsight::sensor::detect {

class BaselineRecords {
public:
    /// Protocol names get ids of 15 bits (0: none); past that, items stay texts.
    static constexpr std::uint32_t kMaxProtocols = 0x7fff;

    /// A dotted IPv4 address written as IpAddress::toString writes it (no leading zeros),
    /// host order; false for anything else.
    static bool parseV4(std::string_view text, std::uint32_t& out);
    /// A port written as std::to_string writes it.
    static bool parsePort(std::string_view text, std::uint16_t& out);
    static void appendV4(std::string& out, std::uint32_t v4);

    /// The protocol's id, 0 when it has none.
    std::uint32_t protocolId(std::string_view name) const;
    /// The protocol's id, given one when new; 0 when the ids are used up.
    std::uint32_t internProtocol(std::string_view name);

    enum class Add { Added, Present, Conflict };  // Conflict: the key holds another protocol
    /// "conn <tcp|udp> <client> <server> <port> <protocol>"; protocol an id of internProtocol.
    Add addConn(bool tcp, std::uint32_t client, std::uint32_t server, std::uint16_t port,
                std::uint32_t protocol);
    /// The protocol id of the conn item with this key, 0 when none.
    std::uint32_t findConn(bool tcp, std::uint32_t client, std::uint32_t server,
                           std::uint16_t port) const;
    /// "talk <protocol> <client> <server>". True when new.
    bool addTalk(std::uint32_t protocol, std::uint32_t client, std::uint32_t server) {
        const bool added = pairs_.addFlags(pairOf(protocol, client, server),
                                           client <= server ? kTalkLow : kTalkHigh);
        talks_ += added ? 1 : 0;
        return added;
    }
    bool hasTalk(std::uint32_t protocol, std::uint32_t client, std::uint32_t server) const {
        const Record* r = pairs_.find(pairOf(protocol, client, server), kPairKey);
        return r && (r->c & (client <= server ? kTalkLow : kTalkHigh)) != 0;
    }
    /// The pair index: the two addresses (either order) talked the protocol (a talk item
    /// between them, or a conn item of that protocol). True when new.
    bool addPair(std::uint32_t protocol, std::uint32_t a, std::uint32_t b) {
        return pairs_.addFlags(pairOf(protocol, a, b), kConnPair);
    }
    bool hasPair(std::uint32_t protocol, std::uint32_t a, std::uint32_t b) const {
        return pairs_.find(pairOf(protocol, a, b), kPairKey) != nullptr;
    }

    /// Items held (conn and talk; the pair index is no item).
    std::size_t size() const { return conns_.size() + talks_; }
    /// Appends every item's text (each followed by nothing) to `out` and its (offset, length)
    /// to `spans`, unordered.
    void appendTexts(std::string& out,
                     std::vector<std::pair<std::size_t, std::size_t>>& spans) const;
    std::size_t memoryBytes() const;

private:
    struct Record {
        std::uint32_t a = 0, b = 0;
        std::uint32_t c = 0;  // 0: an empty slot
    };
    /// Open addressing, linear probing, at most 3/4 full, never erased: 12 bytes a slot.
    /// Two records are the same key when a, b and c & keyMask agree.
    class Table {
    public:
        Add add(Record r, std::uint32_t keyMask);
        /// Adds the record (key: a, b, c & kPairKey) unless there, and sets `flag` in its c;
        /// true when the flag was not set.
        bool addFlags(Record r, std::uint32_t flag);
        const Record* find(Record r, std::uint32_t keyMask) const;
        std::size_t size() const { return size_; }
        std::size_t capacity() const { return slots_.size(); }
        const std::vector<Record>& slots() const { return slots_; }

    private:
        static std::size_t hashOf(const Record& r, std::uint32_t keyMask);
        void grow(std::uint32_t keyMask);
        std::vector<Record> slots_;
        std::size_t size_ = 0;
    };
    // conn: c = port << 16 | tcp << 15 | protocol (the key: the high 17 bits).
    static constexpr std::uint32_t kConnKey = 0xffff8000u;
    // pairs_: one record per (protocol, lower address, higher address) for the talk items in
    // either direction and the pair index: c = flags << 29 | protocol.
    static constexpr std::uint32_t kPairKey = 0x7fffu;
    static constexpr std::uint32_t kTalkLow = 1u << 31;   // talk: the lower address the client
    static constexpr std::uint32_t kTalkHigh = 1u << 30;  // talk: the higher one the client
    static constexpr std::uint32_t kConnPair = 1u << 29;  // a conn item of this protocol
    static Record pairOf(std::uint32_t protocol, std::uint32_t a, std::uint32_t b) {
        return a < b ? Record{a, b, protocol} : Record{b, a, protocol};
    }

    Table conns_, pairs_;
    std::size_t talks_ = 0;
    std::vector<std::string> protocolNames_{std::string()};  // by id; 0 unused
    std::unordered_map<std::string, std::uint32_t> protocolIds_;
};

}  // namespace ironsight::sensor::detect
