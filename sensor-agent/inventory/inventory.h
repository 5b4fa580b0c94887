// SPDX-License-Identifier: Apache-2.0
// Device inventory, connection graph and operation aggregation (SPEC §3.4, §6).
// Devices are keyed by MAC on the local segment; a MAC that carries many IPv4 addresses is a
// router, so the hosts behind it are keyed by IP. Multicast/broadcast are never devices.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "sensor-agent/decode/packet.h"
#include "sensor-agent/decode/tcp_reassembler.h"  // FunctionRef
#include "sensor-agent/dissect/core/dissector.h"
#include "sensor-agent/engine/engine.h"

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
    /// names, key values, operation classes) stored once: a record holds pointers into the pool
    /// (per-conversation memory, docs/BENCHMARKS.md "Memory ... session 9"). Interned texts are
    /// never removed, so the pointers stay valid and equal texts have equal pointers.
    class TextPool {
    public:
        const std::string* intern(std::string_view text);
        /// The pooled copy, or nullptr when the text was never interned (nothing inserted).
        const std::string* find(std::string_view text) const;
        std::size_t size() const { return texts_.size(); }

    private:
        struct Hash {
            using is_transparent = void;
            std::size_t operator()(std::string_view s) const noexcept {
                return std::hash<std::string_view>{}(s);
            }
        };
        std::unordered_set<std::string, Hash, std::equal_to<>> texts_;
    };

    /// One connection's counters (see connection()).
    struct ConnInfo {
        std::uint64_t packets = 0, bytes = 0;
        std::int64_t firstUs = 0, lastUs = 0;
        /// Operation classes seen (pooled texts): the first here, and when a second one
        /// comes all of them in text order in `opClasses` (most connections have one class; a
        /// std::set<std::string> cost 48 bytes even empty and ~100 per class).
        const std::string* opClass = nullptr;
        std::unique_ptr<std::vector<const std::string*>> opClasses;
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

    void observePacket(const decode::DecodedPacket& packet);
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
    // Record keys hold pooled texts (TextPool): equal keys have equal pointers; the order (the
    // snapshots') is the texts' order, as when the keys held the strings themselves.
    struct ConnKey {
        const std::string* clientIp = nullptr;
        const std::string* serverIp = nullptr;
        const std::string* transport = nullptr;
        std::uint16_t port = 0;
        const std::string* protocol = nullptr;
        bool operator==(const ConnKey&) const = default;
        friend bool operator<(const ConnKey& a, const ConnKey& b) {
            return std::tie(*a.clientIp, *a.serverIp, *a.transport, a.port, *a.protocol) <
                   std::tie(*b.clientIp, *b.serverIp, *b.transport, b.port, *b.protocol);
        }
    };
    /// An operation key's protocol key: a name and a number, or (text keys) a pooled text.
    struct KeyEntry {
        const std::string* name;
        std::int64_t value = 0;  // the number; a text key: its pooled text's address
        static KeyEntry ofText(const std::string* name, const std::string* text) {
            return {name, static_cast<std::int64_t>(reinterpret_cast<std::intptr_t>(text))};
        }
        std::int64_t number() const { return value; }
        const std::string* text() const {
            return reinterpret_cast<const std::string*>(static_cast<std::intptr_t>(value));
        }
        bool operator==(const KeyEntry&) const = default;
    };
    struct OpKey {
        const std::string* protocol = nullptr;
        const std::string* clientIp = nullptr;
        const std::string* serverIp = nullptr;
        const std::string* function = nullptr;
        int functionCode = -1;
        /// Operation::keys (numbers) then Operation::textKeys, each in name order: up to two
        /// inline (most operations have one or two: a TLS hello its version and server name),
        /// else all of them in `moreKeys`.
        std::uint16_t numericKeys = 0, keyCount = 0;
        KeyEntry inlineKeys[2] = {};
        std::unique_ptr<KeyEntry[]> moreKeys;

        std::span<const KeyEntry> entries() const {
            return {keyCount > 2 ? moreKeys.get() : inlineKeys, keyCount};
        }
        bool operator==(const OpKey& o) const {
            return protocol == o.protocol && clientIp == o.clientIp && serverIp == o.serverIp &&
                   function == o.function && functionCode == o.functionCode &&
                   numericKeys == o.numericKeys && std::ranges::equal(entries(), o.entries());
        }
        /// The order of the former key of strings and maps (the snapshots' order).
        static bool less(const OpKey& a, const OpKey& b);
        friend bool operator<(const OpKey& a, const OpKey& b) { return less(a, b); }
    };
    // Hashed lookups without building a key (views on the caller's strings); the snapshots
    // (connections(), operations()) sort by key, so their order is the ordered maps' order.
    struct ConnKeyView {
        std::string_view clientIp, serverIp, transport;
        std::uint16_t port = 0;
        std::string_view protocol;
        bool operator==(const ConnKeyView&) const = default;
    };
    struct ConnKeyOps {
        using is_transparent = void;
        static ConnKeyView view(const ConnKey& k) {
            return {*k.clientIp, *k.serverIp, *k.transport, k.port, *k.protocol};
        }
        static ConnKeyView view(const ConnKeyView& v) { return v; }
        template <class A>
        std::size_t operator()(const A& a) const noexcept {
            return hash(view(a));
        }
        template <class A, class B>
        bool operator()(const A& a, const B& b) const noexcept {
            return view(a) == view(b);
        }
        static std::size_t hash(const ConnKeyView& v) noexcept;
    };
    struct OpKeyView {
        std::string_view protocol, clientIp, serverIp;
        const dissect::OperationKeys* keys = nullptr;
        std::string_view function;
        int functionCode = -1;
        const std::map<std::string, std::string>* textKeys = nullptr;
        bool operator==(const OpKeyView& o) const {
            return protocol == o.protocol && clientIp == o.clientIp && serverIp == o.serverIp &&
                   functionCode == o.functionCode && function == o.function && *keys == *o.keys &&
                   *textKeys == *o.textKeys;
        }
    };
    struct OpKeyOps {
        using is_transparent = void;
        // Hashed by content (a lookup needs no interning), equal to a view by content, to
        // another key by pointers. Not noexcept for a key: so the table keeps each node's hash
        // (libstdc++ caches it for hashers that may throw) instead of hashing the texts again
        // when it grows; the node stays in the same 128-byte allocation.
        std::size_t operator()(const OpKey& k) const;
        std::size_t operator()(const OpKeyView& v) const noexcept;
        bool operator()(const OpKey& a, const OpKey& b) const noexcept { return a == b; }
        bool operator()(const OpKey& a, const OpKeyView& b) const noexcept;
        bool operator()(const OpKeyView& a, const OpKey& b) const noexcept {
            return (*this)(b, a);
        }
    };
    struct OpInfo {
        const std::string* opClass = nullptr;  // pooled; the first operation's class
        std::uint64_t requests = 0, responses = 0, exceptions = 0;
        /// Addressed ranges, allocated with the first (most operations have none).
        std::unique_ptr<std::set<std::string>> ranges;
    };
    /// The keys of an operation match a stored key's (function, code, protocol keys).
    static bool sameKeys(const OpKey& key, const dissect::Operation& op);
    OpKey makeOpKey(const dissect::Operation& op, const std::string& client,
                    const std::string& server);

public:
    /// observeOperation()'s records of one flow (client, server, port and transport fixed; it
    /// starts over when they differ). Records are never removed, so the pointers stay valid; a
    /// failed lookup is repeated only once its table has grown.
    struct OperationMemo {
        struct Protocol {
            std::string name;
            bool clientRole = false, serverRole = false;  // roles inserted
            ProtocolStats* clientStats = nullptr;
            ConnInfo* connection = nullptr;
            std::string connectionClass;  // the last class inserted into its opClasses
            std::size_t connectionsSeen = SIZE_MAX;  // connections_.size() at a failed lookup
            std::vector<std::pair<const OpKey*, OpInfo*>> operations;  // aggregates (a few)
        };
        bool filled = false;
        std::string clientIp, serverIp;
        std::uint16_t serverPort = 0;
        dissect::Transport transport = dissect::Transport::Tcp;
        IpInfo *client = nullptr, *server = nullptr;
        std::size_t ipsSeen = SIZE_MAX;  // ips_.size() when an end was not found
        std::vector<Protocol> protocols;
    };

private:
    IpInfo& ipInfo(const decode::IpAddress& ip, std::int64_t tsUs);
    bool isRouter(const decode::MacAddress& mac) const;
    std::optional<decode::MacAddress> ownerMac(const decode::IpAddress& ip,
                                               const IpInfo& info) const;
    std::string deviceIdFor(const decode::IpAddress& ip, const IpInfo& info) const;

    struct SenderCacheEntry {
        decode::MacAddress mac{};
        decode::IpAddress ip{};
        std::uint16_t vlan = 0;
        std::uint8_t source = 0;
        std::uint8_t flags = 0;  // 0: empty
        MacInfo* macInfo = nullptr;
        IpInfo* ipInfo = nullptr;
    };
    static constexpr std::size_t kSenderCacheSize = 4096;

    InventoryLimits limits_;
    std::vector<std::string> interfaces_;  // setInterfaces()
    /// observePacket()'s recently seen senders (direct-mapped).
    std::vector<SenderCacheEntry> senderCache_ = std::vector<SenderCacheEntry>(kSenderCacheSize);
    // Hashed for the per-packet lookups; devices() walks them in key order.
    std::unordered_map<decode::MacAddress, MacInfo, MacHash> macs_;
    std::unordered_map<decode::IpAddress, IpInfo, IpHash> ips_;
    std::unordered_map<std::string, decode::IpAddress> ipByText_;
    TextPool texts_;  // before the tables whose keys point into it
    std::unordered_map<ConnKey, ConnInfo, ConnKeyOps, ConnKeyOps> connections_;
    std::unordered_map<OpKey, OpInfo, OpKeyOps, OpKeyOps> operations_;
    std::map<decode::MacAddress, std::map<std::string, dissect::Identity>> macIdentities_;
};

std::string macDeviceId(const decode::MacAddress& mac);
std::string ipDeviceId(const decode::IpAddress& ip);

}  // namespace ironsight::sensor::inventory
