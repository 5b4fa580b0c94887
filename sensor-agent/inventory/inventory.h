// SPDX-License-Identifier: Apache-2.0
// Device inventory, connection graph and operation aggregation (SPEC §3.4, §6).
// Devices are keyed by MAC on the local segment; a MAC that carries many IPv4 addresses is a
// router, so the hosts behind it are keyed by IP. Multicast/broadcast are never devices.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "sensor-agent/decode/packet.h"
#include "sensor-agent/decode/tcp_reassembler.h"  // FunctionRef
#include "sensor-agent/dissect/core/dissector.h"
#include "sensor-agent/engine/engine.h"
#include "sensor-agent/inventory/record_table.h"

namespace ironsight::sensor::inventory {

struct InventoryLimits {
    std::size_t routerMinIps = 3;  // distinct IPv4 sources behind one MAC that make it a router
    std::size_t maxRangesPerOperation = 16;
};

struct MacHash {
    std::size_t operator()(const decode::MacAddress& mac) const noexcept;
};
struct IpHash {
    std::size_t operator()(const decode::IpAddress& ip) const noexcept;
};

class Inventory {
public:
    /// Texts that repeat across records (addresses, protocol, transport, function and key
    /// names, key values, operation classes) stored once and numbered: a record holds 32-bit
    /// ids (docs/BENCHMARKS.md "Inventory, session 11"). Interned texts are never removed, so
    /// ids stay valid and equal texts have equal ids.
    class TextPool {
    public:
        using Id = std::uint32_t;
        static constexpr Id kNone = ~Id{0};
        Id intern(std::string_view text);
        /// The text's id, or kNone when it was never interned (nothing inserted).
        Id find(std::string_view text) const;
        const std::string& text(Id id) const { return texts_[id]; }
        std::size_t size() const { return texts_.size(); }
        /// Each text's place in text order, by id: comparing two ids' ranks compares their
        /// texts (the snapshots sort by them).
        std::vector<std::uint32_t> ranks() const;

    private:
        struct HashOf {
            std::size_t operator()(const std::string& s) const noexcept {
                return std::hash<std::string_view>{}(s);
            }
        };
        RecordTable<std::string, HashOf> texts_;
    };

    /// One connection's counters (see connection()).
    struct ConnInfo {
        std::uint64_t packets = 0, bytes = 0;
        std::int64_t firstUs = 0, lastUs = 0;
        /// Operation classes seen (pooled text ids): the first here, and when a second one
        /// comes all of them in text order in the inventory's list number `opClassList` - 1
        /// (most connections have one class).
        TextPool::Id opClass = TextPool::kNone;
        std::uint32_t opClassList = 0;
    };

    explicit Inventory(InventoryLimits limits = {}) : limits_(limits) {}
    Inventory(const Inventory&) = delete;  // holds pointers into its own tables
    Inventory& operator=(const Inventory&) = delete;

    /// Capture interfaces a device can be seen on: at most this many (RawPacket::source
    /// 0..kMaxSources-1; a packet of a higher source is not attributed to any).
    static constexpr std::size_t kMaxSources = kMaxCaptureInterfaces;
    /// The names of the capture interfaces by RawPacket::source (live capture): each device
    /// lists those it was seen on, in this order (DeviceRecord::interfaces). Empty (a file):
    /// none. Set before the first packet.
    void setInterfaces(std::vector<std::string> names) { interfaces_ = std::move(names); }

    /// A packet's sender (its source MAC, IP, VLAN and capture interface). Inline: most
    /// packets' senders are in a direct-mapped cache keyed by those bytes, and then only their
    /// last-seen times move (docs/BENCHMARKS.md "Inventory per packet, session 12").
    void observePacket(const decode::DecodedPacket& packet) {
        const SenderKey key = SenderKey::of(packet);
        SenderCacheEntry& cached = senderCache_[key.slot()];
        if (!(cached.key == key)) return observeNewSender(packet, cached);
        if (cached.macInfo && packet.timestampUs > cached.macInfo->lastUs)
            cached.macInfo->lastUs = packet.timestampUs;
        if (cached.ipInfo) {
            if (packet.timestampUs > cached.ipInfo->lastUs)
                cached.ipInfo->lastUs = packet.timestampUs;
            if (cached.setsMac) *cached.ipInfo->mac = packet.srcMac;  // engaged on the miss
        }
    }
    void observeArp(const decode::DecodedPacket& packet);
    /// A transport conversation: client/server decided by the caller.
    void observeConnection(const decode::IpAddress& client, const decode::IpAddress& server,
                           const std::string& transport, std::uint16_t serverPort,
                           const std::string& protocol, std::uint64_t bytes, std::int64_t tsUs);
    /// The per-packet fast path of observeConnection(): the connection's counters, created when
    /// missing (nullptr when the client is not a unicast host, which is never counted). The
    /// pointer stays valid for the inventory's lifetime (connections are never removed), so a
    /// flow looks it up once and then counts each packet with count().
    ConnInfo* connection(const decode::IpAddress& client, const decode::IpAddress& server,
                         const std::string& transport, std::uint16_t serverPort,
                         const std::string& protocol, std::int64_t tsUs);
    static void count(ConnInfo& connection, std::uint64_t bytes, std::int64_t tsUs) {
        if (tsUs > connection.lastUs) connection.lastUs = tsUs;
        ++connection.packets;
        connection.bytes += bytes;
    }
    struct OperationMemo;  // below
    void observeOperation(const dissect::FlowContext& flow, const dissect::Operation& op);
    /// The same; `memo` (one per flow, kept by the caller; may be null) remembers the flow's
    /// records (its ends, connection, operation aggregates) so that the next operation of the
    /// flow finds them without hashing its texts again.
    void observeOperation(const dissect::FlowContext& flow, const dissect::Operation& op,
                          OperationMemo* memo);
    void observeIdentity(const dissect::FlowContext& flow, const dissect::Identity& identity);

    /// Device id for an address as things stand now ("" for group addresses).
    std::string deviceIdForIp(const std::string& ip) const;
    /// The IP's device, or for Ethernet-level protocols (no IP) the MAC's ("" for groups).
    std::string deviceIdFor(const std::string& ip, const std::string& mac) const;

    std::vector<DeviceRecord> devices() const;
    /// devices() one at a time, in the same order, without holding them all; the visitor may
    /// change or move the record. Returns how many.
    using DeviceVisitor = decode::FunctionRef<void(DeviceRecord&)>;
    std::size_t visitDevices(DeviceVisitor visit) const;
    std::vector<ConnectionRecord> connections() const;
    /// A connection's report as it stands: its device ids, how many operation classes it has
    /// (they are only ever added) and when it was last seen (ms). True: report it.
    using ConnectionFilter =
        decode::FunctionRef<bool(const ConnInfo& connection, const std::string& src,
                                 const std::string& dst, std::size_t opClasses,
                                 std::int64_t lastSeenMs)>;
    /// The records of the connections `want` accepts, in key order (connections(): all). So
    /// a change set builds the records that changed only (the live sensor takes one every
    /// ~200 ms; a full snapshot is ~260 bytes per connection).
    std::vector<ConnectionRecord> connections(ConnectionFilter want) const;
    std::vector<OperationRecord> operations() const;
    /// The same records one at a time, in the same order, without holding them all (analyze
    /// writes 200,000 connections as they come). The record lives during the call only.
    /// Returns how many were visited.
    using ConnectionVisitor = decode::FunctionRef<void(const ConnectionRecord&)>;
    using OperationVisitor = decode::FunctionRef<void(const OperationRecord&)>;
    std::size_t visitConnections(ConnectionVisitor visit) const;
    std::size_t visitConnections(ConnectionFilter want, ConnectionVisitor visit) const;
    std::size_t visitOperations(OperationVisitor visit) const;
    std::size_t connectionCount() const { return connections_.size(); }
    std::size_t operationCount() const { return operations_.size(); }

private:
    static std::uint64_t sourceBit(std::uint8_t source) {
        return source < kMaxSources ? std::uint64_t{1} << source : 0;
    }
    struct MacInfo {
        std::set<decode::IpAddress> ipv4, ipv6, arpIps;
        std::set<std::uint32_t> vlans;
        std::uint64_t sources = 0;  // capture interfaces it sent on (sourceBit)
        std::int64_t firstUs = 0, lastUs = 0;
        std::set<ProtocolRole> roles;  // Ethernet-level protocols (Profinet DCP)
    };
    struct ProtocolStats {
        std::uint64_t reads = 0, writes = 0, program = 0, other = 0;
    };
    struct IpInfo {
        std::optional<decode::MacAddress> mac;  // last source MAC seen with this IP
        std::set<std::uint32_t> vlans;
        std::uint64_t sources = 0;  // capture interfaces it sent on (sourceBit)
        std::int64_t firstUs = 0, lastUs = 0;
        std::set<ProtocolRole> roles;
        std::map<std::string, ProtocolStats> asClient;  // per protocol
        std::map<std::string, dissect::Identity> identities;
        std::string hostname;
    };
    using TextId = TextPool::Id;
    static constexpr TextId kNoText = TextPool::kNone;
    // Records hold pooled text ids (TextPool): equal keys have equal ids; the snapshots sort
    // by the texts' order (TextPool::ranks), as when the keys held the strings themselves.
    struct ConnKey {
        TextId clientIp = kNoText, serverIp = kNoText, protocol = kNoText;
        std::uint16_t port = 0;
        std::uint16_t transport = 0;  // index in transports_ (a handful: "tcp", "udp")
        bool operator==(const ConnKey&) const = default;
    };
    struct ConnRecord {
        ConnInfo info;
        ConnKey key;
    };
    struct ConnHash {
        std::size_t operator()(const ConnKey& k) const noexcept;
        std::size_t operator()(const ConnRecord& r) const noexcept { return (*this)(r.key); }
    };
    /// An operation key's protocol key: a name and a number, or (text keys) a pooled text's id.
    /// Three 32-bit words, so two fit in a record beside its other fields.
    struct KeyEntry {
        TextId name = kNoText;
        std::uint32_t low = 0, high = 0;  // the number's bits; a text key: its id in `low`
        static KeyEntry ofNumber(TextId name, std::int64_t number) {
            const auto bits = static_cast<std::uint64_t>(number);
            return {name, static_cast<std::uint32_t>(bits), static_cast<std::uint32_t>(bits >> 32)};
        }
        static KeyEntry ofText(TextId name, TextId text) { return {name, text, 0}; }
        std::int64_t number() const {
            return static_cast<std::int64_t>(std::uint64_t{high} << 32 | low);
        }
        TextId text() const { return low; }
        bool operator==(const KeyEntry&) const = default;
    };
    /// An operation aggregate and its key.
    struct OpRecord {
        std::uint64_t requests = 0, responses = 0, exceptions = 0;
        TextId protocol = kNoText, clientIp = kNoText, serverIp = kNoText, function = kNoText;
        std::int32_t functionCode = -1;
        TextId opClass = kNoText;  // the first operation's class
        /// Operation::keys (numbers) then Operation::textKeys, each in name order: up to two
        /// in `inlineKeys` (most operations have one or two: a TLS hello its version and server
        /// name), else all of them in moreKeys_ from the offset in inlineKeys[0].low.
        std::uint16_t numericKeys = 0, keyCount = 0;
        std::uint32_t ranges = 0;  // addressed ranges: rangeSets_[ranges - 1]; 0: none yet
        KeyEntry inlineKeys[2] = {};
    };
    struct OpHash {
        const Inventory* inventory;  // its moreKeys_, for keys of more than two entries
        std::size_t operator()(const OpRecord& r) const noexcept {
            return hashOp(r, inventory->entries(r));
        }
    };
    std::span<const KeyEntry> entries(const OpRecord& r) const {
        if (r.keyCount <= 2) return {r.inlineKeys, r.keyCount};
        return {moreKeys_.data() + r.inlineKeys[0].low, r.keyCount};
    }
    static std::size_t hashOp(const OpRecord& key, std::span<const KeyEntry> entries) noexcept;
    /// The keys of an operation match a stored key's (function, code, protocol keys).
    bool sameKeys(const OpRecord& key, const dissect::Operation& op) const;
    /// The operation's aggregate of that protocol between these ends (pooled MAC or IP
    /// texts): its number, created when missing.
    std::uint32_t operationRecord(const dissect::Operation& op, TextId protocol, TextId client,
                                  TextId server);
    bool opLess(const OpRecord& a, const OpRecord& b, const std::vector<std::uint32_t>& rank) const;

public:
    /// observeOperation()'s records of one flow (client, server, port and transport fixed; it
    /// starts over when they differ). Records are never removed, so the pointers stay valid; a
    /// failed lookup is repeated only once its table has grown. What it remembers is only ever
    /// added to the inventory (roles, classes, ranges), so a memo may skip adding it again.
    struct OperationMemo {
        /// One aggregate of the flow: its number, the last range added to it, and for the
        /// quick comparison of an operation with its key (up to kQuickKeys numeric keys, no
        /// text keys) its function's pooled text and the names of the keys as the last
        /// operation that matched gave them (static texts: OperationKeys, compared by address
        /// first).
        static constexpr std::size_t kQuickKeys = 4;
        struct Aggregate {
            std::uint32_t record = 0;
            std::int32_t functionCode = -1;  // the record's (checked first)
            std::uint16_t numericKeys = 0;
            std::uint8_t next = 0;  // the aggregate that followed this one last time
            std::string range;
            std::string_view function;
            std::string_view names[kQuickKeys];
        };
        struct Protocol {
            std::string name;
            bool clientRole = false, serverRole = false;  // roles inserted
            /// The last class given to the connection was "" (an empty class is added only
            /// after another one: what comparing with the last class gave).
            bool lastClassEmpty = true;
            std::uint32_t connectionClasses = 0;  // bits of opClasses_ in the connection
            TextId protocolId = kNoText;          // the name's pooled id (interned once)
            std::size_t lastClass = 0;            // opClasses_[lastClass]: the last class
            ProtocolStats* clientStats = nullptr;
            ConnInfo* connection = nullptr;
            std::size_t connectionsSeen = SIZE_MAX;  // connections_.size() at a failed lookup
            std::size_t last = 0;                    // operations[last]: the last one matched
            std::vector<Aggregate> operations;       // a few
        };
        bool filled = false;
        std::string clientIp, serverIp;
        std::uint16_t serverPort = 0;
        dissect::Transport transport = dissect::Transport::Tcp;
        IpInfo *client = nullptr, *server = nullptr;
        std::size_t ipsSeen = SIZE_MAX;  // ips_.size() when an end was not found
        TextId clientIpId = kNoText, serverIpId = kNoText;  // pooled ids (interned once)
        std::size_t lastProtocol = 0;  // protocols[lastProtocol]: the last one used
        std::vector<Protocol> protocols;
    };

private:
    /// sameKeys() for a memo's aggregate, mostly without reading the pooled texts.
    bool sameKeys(OperationMemo::Aggregate& aggregate, const dissect::Operation& op);
    /// The memo's flow's connection of that protocol, or nullptr (nothing inserted).
    ConnInfo* findConnection(const OperationMemo& memo, const OperationMemo::Protocol& protocol);
    /// An operation class: its pooled text, what it counts as for a client, and its bit in
    /// OperationMemo::Protocol::connectionClasses (0: past the first 32 classes).
    struct OpClass {
        TextId text = kNoText;
        std::string_view name;  // the pooled text (it never moves)
        enum Kind : std::uint8_t { Read, Program, Write, Other } kind = Other;
        std::uint32_t bit = 0;
    };
    /// `hint`: where the last class was found (checked first; set to where this one is).
    OpClass opClass(std::string_view text, std::size_t& hint);
    /// The memo for an operation that comes without one (a flow's first few): by the flow's
    /// ends, from a small direct-mapped table.
    OperationMemo& sharedMemo(const dissect::FlowContext& flow);
    /// The address's pooled text (interned).
    TextId ipText(const decode::IpAddress& ip);
    IpInfo& ipInfo(const decode::IpAddress& ip, std::int64_t tsUs);
    bool isRouter(const decode::MacAddress& mac) const;
    std::optional<decode::MacAddress> ownerMac(const decode::IpAddress& ip,
                                               const IpInfo& info) const;
    std::string deviceIdFor(const decode::IpAddress& ip, const IpInfo& info) const;

    /// observePacket()'s cache key: the sender's bytes as they are in the packet (what is
    /// unicast is a function of them, decided on a miss).
    struct SenderKey {
        // The packet's capture interface, hasMac and source MAC: adjacent bytes, one load.
        std::uint64_t sourceMac = 0;
        std::uint64_t ip[2] = {0, 0};  // the source IP's bytes
        // 1 | hasIp << 2 | v6 << 3 | VLAN tags << 4 | innermost VLAN id << 16 (0: empty)
        std::uint32_t tag = 0;
        static SenderKey of(const decode::DecodedPacket& p) {
            static_assert(std::is_standard_layout_v<decode::DecodedPacket> &&
                          offsetof(decode::DecodedPacket, hasMac) ==
                              offsetof(decode::DecodedPacket, source) + 1 &&
                          offsetof(decode::DecodedPacket, srcMac) ==
                              offsetof(decode::DecodedPacket, source) + 2 &&
                          sizeof p.source + sizeof p.hasMac + sizeof p.srcMac == 8);
            SenderKey key;
            std::memcpy(&key.sourceMac, &p.source, sizeof key.sourceMac);
            std::memcpy(key.ip, p.srcIp.bytes.data(), sizeof key.ip);
            key.tag = 1u | std::uint32_t{p.hasIp} << 2 | std::uint32_t{p.srcIp.v6} << 3 |
                      static_cast<std::uint32_t>(p.vlans.size()) << 4 |
                      std::uint32_t{p.vlan()} << 16;
            return key;
        }
        bool operator==(const SenderKey& o) const {
            return ((sourceMac ^ o.sourceMac) | (ip[0] ^ o.ip[0]) | (ip[1] ^ o.ip[1]) |
                    (tag ^ o.tag)) == 0;
        }
        std::size_t slot() const {  // any mix does: a collision only costs a miss
            std::uint64_t h = (sourceMac ^ (ip[0] ^ ip[1] ^ tag) * 0x9e3779b97f4a7c15ULL);
            h = (h ^ h >> 29) * 0xff51afd7ed558ccdULL;  // the MAC's last byte is in the top bits
            return static_cast<std::size_t>(h >> (64 - kSenderCacheBits));
        }
    };
    struct SenderCacheEntry {
        SenderKey key;         // tag 0: empty
        bool setsMac = false;  // a unicast MAC and IP: the IP's record takes the MAC
        MacInfo* macInfo = nullptr;
        IpInfo* ipInfo = nullptr;
    };
    static constexpr unsigned kSenderCacheBits = 12;
    static constexpr std::size_t kSenderCacheSize = std::size_t{1} << kSenderCacheBits;
    /// observePacket() when the sender is not the one cached in its slot.
    void observeNewSender(const decode::DecodedPacket& packet, SenderCacheEntry& slot);

    InventoryLimits limits_;
    std::vector<std::string> interfaces_;  // setInterfaces()
    /// observePacket()'s recently seen senders (direct-mapped).
    std::vector<SenderCacheEntry> senderCache_ = std::vector<SenderCacheEntry>(kSenderCacheSize);
    // Hashed for the per-packet lookups; devices() walks them in key order.
    std::unordered_map<decode::MacAddress, MacInfo, MacHash> macs_;
    std::unordered_map<decode::IpAddress, IpInfo, IpHash> ips_;
    std::unordered_map<std::string, decode::IpAddress> ipByText_;
    TextPool texts_;
    std::vector<TextId> transports_;  // ConnKey::transport
    RecordTable<ConnRecord, ConnHash> connections_;
    std::vector<std::vector<TextId>> connClassLists_;  // ConnInfo::opClassList
    RecordTable<OpRecord, OpHash> operations_{OpHash{this}};
    std::vector<KeyEntry> moreKeys_;                // OpRecord keys of more than two entries
    std::vector<std::set<std::string>> rangeSets_;  // OpRecord::ranges
    std::map<decode::MacAddress, std::map<std::string, dissect::Identity>> macIdentities_;
    std::vector<OpClass> opClasses_;  // the classes seen, in order; at most 32 with a bit
    static constexpr std::size_t kSharedMemos = 256;
    std::vector<OperationMemo> sharedMemos_ = std::vector<OperationMemo>(kSharedMemos);
    OperationMemo macMemo_;  // an Ethernet-level operation's (new for each)
    /// ipText()'s recently pooled addresses (direct-mapped): a flow's connection() finds its
    /// ends' texts without formatting and hashing them.
    struct IpTextSlot {
        decode::IpAddress ip;
        TextId text = kNoText;
    };
    static constexpr unsigned kIpTextBits = 10;
    std::vector<IpTextSlot> ipTexts_ = std::vector<IpTextSlot>(std::size_t{1} << kIpTextBits);
};

std::string macDeviceId(const decode::MacAddress& mac);
std::string ipDeviceId(const decode::IpAddress& ip);

}  // namespace ironsight::sensor::inventory
