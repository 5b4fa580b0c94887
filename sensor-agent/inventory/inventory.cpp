// SPDX-License-Identifier: Apache-2.0
// Inventory: MAC/IP bookkeeping, device resolution with evidence-based type inference.
#include "sensor-agent/inventory/inventory.h"

#include <algorithm>
#include <bit>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>

#include "sensor-agent/inventory/oui.h"

namespace ironsight::sensor::inventory {
namespace {

int purdueFor(const std::string& type) {
    if (type == "plc" || type == "rtu") return 1;
    if (type == "hmi" || type == "engineering_workstation" || type == "scada_server") return 2;
    if (type == "historian" || type == "router") return 3;
    if (type == "it_host") return 4;
    return -1;
}

std::int64_t ms(std::int64_t us) {
    return us / 1000;
}

bool isWriteLike(std::string_view opClass) {
    return opClass == "write" || opClass == "program" || opClass == "control" ||
           opClass == "firmware";
}

std::uint64_t load64(const char* p) {
    std::uint64_t v;
    std::memcpy(&v, p, sizeof v);
    return v;
}
std::uint32_t load32(const char* p) {
    std::uint32_t v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

/// Text equality by words, without a memcmp call: the texts of an operation (addresses,
/// protocol, function, key names, classes) are short and compared per operation.
[[gnu::always_inline]] inline bool sameText(std::string_view a, std::string_view b) {
    const std::size_t n = a.size();
    if (n != b.size()) return false;
    const char *x = a.data(), *y = b.data();
    if (n >= 8) {
        // The first and the last eight bytes (they overlap below 16), and for up to 32 bytes
        // (function names) the eight after the first and before the last.
        const std::uint64_t ends =
            (load64(x) ^ load64(y)) | (load64(x + n - 8) ^ load64(y + n - 8));
        if (n <= 16) return ends == 0;
        if (n > 32) return ends == 0 && std::memcmp(x, y, n) == 0;
        return (ends | (load64(x + 8) ^ load64(y + 8)) |
                (load64(x + n - 16) ^ load64(y + n - 16))) == 0;
    }
    if (n >= 4) return ((load32(x) ^ load32(y)) | (load32(x + n - 4) ^ load32(y + n - 4))) == 0;
    for (std::size_t i = 0; i < n; ++i) {
        if (x[i] != y[i]) return false;
    }
    return true;
}

/// A cheap mix of a text's first and last bytes and its size (a table slot, not an identity).
std::uint64_t textMix(std::string_view t) {
    const std::size_t n = t.size();
    std::uint64_t v = n;
    if (n >= 8) {
        v ^= load64(t.data()) ^ std::rotl(load64(t.data() + n - 8), 23);
    } else {
        for (std::size_t i = 0; i < n; ++i) v = v << 8 | static_cast<unsigned char>(t[i]);
    }
    return v;
}

/// What serving an industrial protocol says about a device (SPEC §3.4), most specific first.
struct ServerRule {
    const char* protocol;
    const char* type;
};
constexpr ServerRule kServerRules[] = {
    {"s7comm", "plc"}, {"s7comm_plus", "plc"}, {"enip", "plc"},
    {"cip", "plc"},    {"modbus", "plc"},      {"dnp3", "rtu"},
    {"iec104", "rtu"}, {"bacnet", "plc"},      {"opcua", "scada_server"},
};

std::optional<decode::MacAddress> parseMac(const std::string& text);

/// Protocols whose clients are HMIs, SCADA servers or engineering workstations.
bool isIndustrial(const std::string& protocol) {
    for (const auto& rule : kServerRules) {
        if (protocol == rule.protocol) return true;
    }
    return false;
}

}  // namespace

std::string_view ouiVendor(const std::array<std::uint8_t, 6>& mac) {
    if (mac[0] & 0x02) return {};  // locally administered: no registered vendor
    const std::uint32_t prefix =
        (std::uint32_t{mac[0]} << 16) | (std::uint32_t{mac[1]} << 8) | mac[2];
    const OuiEntry* begin = kOuiTable;
    const OuiEntry* end = kOuiTable + kOuiTableSize;
    const OuiEntry* it = std::lower_bound(
        begin, end, prefix, [](const OuiEntry& e, std::uint32_t p) { return e.prefix < p; });
    return it != end && it->prefix == prefix ? std::string_view(it->organization)
                                             : std::string_view{};
}

std::size_t MacHash::operator()(const decode::MacAddress& mac) const noexcept {
    // The address as a big-endian number (one load, not a loop per byte).
    std::uint64_t v = 0;
    std::memcpy(&v, mac.data(), mac.size());
    if constexpr (std::endian::native == std::endian::little) {
        v = __builtin_bswap64(v) >> 16;
    } else {
        v >>= 16;
    }
    v *= 0x9e3779b97f4a7c15ULL;
    return static_cast<std::size_t>(v ^ (v >> 32));
}

std::size_t IpHash::operator()(const decode::IpAddress& ip) const noexcept {
    std::uint64_t h = ip.v6 ? 0x6a09e667f3bcc909ULL : 0;
    for (std::size_t i = 0; i < (ip.v6 ? 16u : 4u); i += 4) {
        std::uint32_t w;  // big-endian word
        std::memcpy(&w, ip.bytes.data() + i, sizeof w);
        if constexpr (std::endian::native == std::endian::little) w = __builtin_bswap32(w);
        h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
        h ^= h >> 29;
    }
    return static_cast<std::size_t>(h);
}

std::string macDeviceId(const decode::MacAddress& mac) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string id = "mac-000000000000";
    for (std::size_t i = 0; i < 6; ++i) {
        id[4 + 2 * i] = kHex[mac[i] >> 4];
        id[5 + 2 * i] = kHex[mac[i] & 0x0f];
    }
    return id;
}

std::string ipDeviceId(const decode::IpAddress& ip) {
    return "ip-" + ip.toString();
}

Inventory::IpInfo& Inventory::ipInfo(const decode::IpAddress& ip, std::int64_t tsUs) {
    auto [it, created] = ips_.try_emplace(ip);
    if (created) {
        it->second.firstUs = tsUs;
        ipByText_.emplace(ip.toString(), ip);
    }
    if (tsUs > it->second.lastUs) it->second.lastUs = tsUs;
    return it->second;
}

void Inventory::observeNewSender(const decode::DecodedPacket& p, SenderCacheEntry& slot) {
    const bool unicastSrcMac = p.hasMac && !decode::isGroupMac(p.srcMac);
    const bool unicastSrcIp = p.hasIp && p.srcIp.isUnicastHost();
    const bool tagged = !p.vlans.empty();
    const std::uint16_t vlan = p.vlan();
    const std::uint64_t source = sourceBit(p.source);
    // The set insertions are idempotent and entries are never removed: the next packets of this
    // sender (observePacket's cache) only move its timestamps.
    MacInfo* macInfo = nullptr;
    IpInfo* ipInfoPtr = nullptr;
    if (unicastSrcMac) {
        auto [it, created] = macs_.try_emplace(p.srcMac);
        if (created) it->second.firstUs = p.timestampUs;
        it->second.lastUs = std::max(it->second.lastUs, p.timestampUs);
        if (tagged) it->second.vlans.insert(vlan);
        it->second.sources |= source;
        if (unicastSrcIp) {
            (p.srcIp.v6 ? it->second.ipv6 : it->second.ipv4).insert(p.srcIp);
        }
        macInfo = &it->second;
    }
    if (unicastSrcIp) {
        IpInfo& info = ipInfo(p.srcIp, p.timestampUs);
        if (unicastSrcMac) info.mac = p.srcMac;
        if (tagged) info.vlans.insert(vlan);
        info.sources |= source;
        ipInfoPtr = &info;
    }
    slot = SenderCacheEntry{SenderKey::of(p), unicastSrcMac && unicastSrcIp, macInfo, ipInfoPtr};
    // Destinations only become devices once they send something themselves (or answer ARP):
    // an address that is only ever talked to (a scan target, a dead host) is not proven to exist.
}

void Inventory::observeArp(const decode::DecodedPacket& p) {
    const auto& a = p.arp;
    if (decode::isGroupMac(a.senderMac) || !a.senderIp.isUnicastHost()) return;
    auto [it, created] = macs_.try_emplace(a.senderMac);
    if (created) it->second.firstUs = p.timestampUs;
    it->second.lastUs = std::max(it->second.lastUs, p.timestampUs);
    it->second.ipv4.insert(a.senderIp);
    it->second.arpIps.insert(a.senderIp);
    if (!p.vlans.empty()) it->second.vlans.insert(p.vlan());
    it->second.sources |= sourceBit(p.source);
    IpInfo& info = ipInfo(a.senderIp, p.timestampUs);
    info.mac = a.senderMac;
    info.sources |= sourceBit(p.source);
}

void Inventory::observeConnection(const decode::IpAddress& client, const decode::IpAddress& server,
                                  const std::string& transport, std::uint16_t serverPort,
                                  const std::string& protocol, std::uint64_t bytes,
                                  std::int64_t tsUs) {
    if (auto* c = connection(client, server, transport, serverPort, protocol, tsUs)) {
        count(*c, bytes, tsUs);
    }
}

Inventory::ConnInfo* Inventory::connection(const decode::IpAddress& client,
                                           const decode::IpAddress& server,
                                           const std::string& transport, std::uint16_t serverPort,
                                           const std::string& protocol, std::int64_t tsUs) {
    if (!client.isUnicastHost()) return nullptr;
    // The transport among the few known ones by its text (interned when new).
    std::uint16_t transportIndex = 0;
    while (transportIndex < transports_.size() &&
           !sameText(texts_.text(transports_[transportIndex]), transport))
        ++transportIndex;
    if (transportIndex == transports_.size()) {
        if (transports_.size() == UINT16_MAX) throw std::length_error("too many transports");
        transports_.push_back(texts_.intern(transport));
    }
    const ConnKey key{ipText(client), ipText(server), texts_.intern(protocol), serverPort,
                      transportIndex};
    const std::size_t hash = ConnHash{}(key);
    std::uint32_t n = connections_.find(hash, [&](const ConnRecord& r) { return r.key == key; });
    if (n == connections_.kNone) {
        ConnRecord record;
        record.key = key;
        record.info.firstUs = tsUs;
        n = connections_.insert(hash, std::move(record));
    }
    return &connections_[n].info;
}

Inventory::TextId Inventory::ipText(const decode::IpAddress& ip) {
    std::uint64_t w[2];
    std::memcpy(w, ip.bytes.data(), sizeof w);
    const std::uint64_t h = (w[0] ^ w[1] * 0x9e3779b97f4a7c15ULL ^ ip.v6) * 0xff51afd7ed558ccdULL;
    IpTextSlot& slot = ipTexts_[h >> (64 - kIpTextBits)];
    if (slot.text == kNoText || !(slot.ip == ip)) {
        slot.ip = ip;
        slot.text = texts_.intern(ip.toString());
    }
    return slot.text;
}

Inventory::TextPool::Id Inventory::TextPool::intern(std::string_view text) {
    const std::size_t hash = std::hash<std::string_view>{}(text);
    const Id id = texts_.find(hash, [&](const std::string& s) { return s == text; });
    return id != kNone ? id : texts_.insert(hash, std::string(text));
}

Inventory::TextPool::Id Inventory::TextPool::find(std::string_view text) const {
    return texts_.find(std::hash<std::string_view>{}(text),
                       [&](const std::string& s) { return s == text; });
}

std::vector<std::uint32_t> Inventory::TextPool::ranks() const {
    std::vector<Id> ids(texts_.size());
    for (Id i = 0; i < ids.size(); ++i) ids[i] = i;
    std::sort(ids.begin(), ids.end(), [&](Id a, Id b) { return texts_[a] < texts_[b]; });
    std::vector<std::uint32_t> rank(ids.size());
    for (std::uint32_t r = 0; r < ids.size(); ++r) rank[ids[r]] = r;
    return rank;
}

namespace {
std::size_t mix(std::size_t h, std::uint64_t v) {
    return (h ^ (v * 0x9e3779b97f4a7c15ULL)) * 0x100000001b3ULL;
}
}  // namespace

std::size_t Inventory::ConnHash::operator()(const ConnKey& k) const noexcept {
    std::size_t h = mix(0xcbf29ce484222325ULL, std::uint64_t{k.clientIp} << 32 | k.serverIp);
    return mix(h, std::uint64_t{k.protocol} << 32 | std::uint32_t{k.port} << 16 | k.transport);
}

std::size_t Inventory::hashOp(const OpRecord& k, std::span<const KeyEntry> entries) noexcept {
    std::size_t h = mix(0xcbf29ce484222325ULL, std::uint64_t{k.protocol} << 32 | k.clientIp);
    h = mix(h, std::uint64_t{k.serverIp} << 32 | k.function);
    h = mix(h, std::uint64_t{static_cast<std::uint32_t>(k.functionCode)} << 32 |
                   std::uint32_t{k.numericKeys} << 16 | k.keyCount);
    for (const KeyEntry& e : entries) {
        h = mix(h, std::uint64_t{e.name} << 32 | e.low);
        h = mix(h, e.high);
    }
    return h;
}

bool Inventory::sameKeys(const OpRecord& key, const dissect::Operation& op) const {
    if (key.functionCode != op.functionCode || key.numericKeys != op.keys.size() ||
        std::size_t{key.keyCount} - key.numericKeys != op.textKeys.size()) {
        return false;
    }
    // The numbers first (most aggregates of a flow differ there), then the texts.
    const auto stored = entries(key);
    std::size_t i = 0;
    for (const auto& entry : op.keys) {
        if (stored[i++].number() != entry.second) return false;
    }
    if (!sameText(texts_.text(key.function), op.function)) return false;
    i = 0;
    for (const auto& entry : op.keys) {
        if (!sameText(texts_.text(stored[i++].name), entry.first)) return false;
    }
    for (const auto& [name, text] : op.textKeys) {
        if (!sameText(texts_.text(stored[i].text()), text) ||
            !sameText(texts_.text(stored[i].name), name))
            return false;
        ++i;
    }
    return true;
}

// Inline into observeOperation's loop over a memo's aggregates (its only caller).
[[gnu::always_inline]] inline bool Inventory::sameKeys(OperationMemo::Aggregate& a,
                                                       const dissect::Operation& op) {
    const OpRecord& r = operations_[a.record];
    if (r.functionCode != op.functionCode || r.numericKeys != op.keys.size()) return false;
    if (r.keyCount > OperationMemo::kQuickKeys || !op.textKeys.empty() || a.function.empty())
        return sameKeys(r, op);  // text keys, many keys: the full comparison
    if (r.keyCount != r.numericKeys) return false;
    const KeyEntry* stored = entries(r).data();
    std::size_t i = 0;
    for (const auto& entry : op.keys) {
        if (stored[i++].number() != entry.second) return false;
    }
    if (!sameText(a.function, op.function)) return false;
    i = 0;
    for (const auto& entry : op.keys) {
        std::string_view& known = a.names[i];
        if (entry.first.data() != known.data() || entry.first.size() != known.size()) {
            if (!sameText(texts_.text(stored[i].name), entry.first)) return false;
            known = entry.first;  // static text: the same address is the same name
        }
        ++i;
    }
    return true;
}

bool Inventory::opLess(const OpRecord& a, const OpRecord& b,
                       const std::vector<std::uint32_t>& rank) const {
    // The order of the former key of strings and maps (protocol, client, server, keys,
    // function, code, text keys), the maps compared as sequences of (name, value); a text's
    // rank stands for the text.
    const auto r = [&](TextId id) { return rank[id]; };
    if (a.protocol != b.protocol) return r(a.protocol) < r(b.protocol);
    if (a.clientIp != b.clientIp) return r(a.clientIp) < r(b.clientIp);
    if (a.serverIp != b.serverIp) return r(a.serverIp) < r(b.serverIp);
    const auto ea = entries(a), eb = entries(b);
    for (std::size_t i = 0;; ++i) {
        const bool endA = i == a.numericKeys, endB = i == b.numericKeys;
        if (endA || endB) {
            if (endA != endB) return endA;
            break;
        }
        if (ea[i].name != eb[i].name) return r(ea[i].name) < r(eb[i].name);
        if (ea[i].number() != eb[i].number()) return ea[i].number() < eb[i].number();
    }
    if (a.function != b.function) return r(a.function) < r(b.function);
    if (a.functionCode != b.functionCode) return a.functionCode < b.functionCode;
    for (std::size_t i = a.numericKeys, j = b.numericKeys;; ++i, ++j) {
        const bool endA = i == a.keyCount, endB = j == b.keyCount;
        if (endA || endB) return endA && !endB;
        if (ea[i].name != eb[j].name) return r(ea[i].name) < r(eb[j].name);
        if (ea[i].text() != eb[j].text()) return r(ea[i].text()) < r(eb[j].text());
    }
}

std::uint32_t Inventory::operationRecord(const dissect::Operation& op, TextId protocol,
                                         TextId client, TextId server) {
    // The key in ids (interned: a record that is not there is created with them), written
    // where a new record keeps it: inline, or at the end of moreKeys_ (taken back if found).
    OpRecord key;
    key.protocol = protocol;
    key.clientIp = client;
    key.serverIp = server;
    key.function = texts_.intern(op.function);
    key.functionCode = op.functionCode;
    key.numericKeys = static_cast<std::uint16_t>(op.keys.size());
    key.keyCount = static_cast<std::uint16_t>(op.keys.size() + op.textKeys.size());
    const std::size_t moreAt = moreKeys_.size();
    KeyEntry* out = key.inlineKeys;
    if (key.keyCount > 2) {
        moreKeys_.resize(moreAt + key.keyCount);
        out = moreKeys_.data() + moreAt;
        key.inlineKeys[0].low = static_cast<std::uint32_t>(moreAt);
    }
    const std::span<const KeyEntry> keys(out, key.keyCount);
    for (const auto& [name, number] : op.keys)
        *out++ = KeyEntry::ofNumber(texts_.intern(name), number);
    for (const auto& [name, text] : op.textKeys)
        *out++ = KeyEntry::ofText(texts_.intern(name), texts_.intern(text));
    const std::size_t hash = hashOp(key, keys);
    const std::uint32_t n = operations_.find(hash, [&](const OpRecord& r) {
        return r.protocol == key.protocol && r.clientIp == key.clientIp &&
               r.serverIp == key.serverIp && r.function == key.function &&
               r.functionCode == key.functionCode && r.numericKeys == key.numericKeys &&
               r.keyCount == key.keyCount && std::ranges::equal(entries(r), keys);
    });
    if (n != operations_.kNone) {
        moreKeys_.resize(moreAt);
        return n;
    }
    return operations_.insert(hash, std::move(key));
}

void Inventory::observeOperation(const dissect::FlowContext& flow, const dissect::Operation& op) {
    observeOperation(flow, op, nullptr);
}

namespace {
constexpr std::size_t kMemoProtocols = 8, kMemoOperations = 32;  // per flow
}  // namespace

Inventory::OpClass Inventory::opClass(std::string_view text, std::size_t& hint) {
    for (std::size_t i = 0; i < opClasses_.size(); ++i) {
        if (sameText(opClasses_[i].name, text)) {
            hint = i;
            return opClasses_[i];
        }
    }
    OpClass c;
    c.text = texts_.intern(text);
    c.name = texts_.text(c.text);
    c.kind = text == "read"                            ? OpClass::Read
             : text == "program" || text == "firmware" ? OpClass::Program
             : isWriteLike(text)                       ? OpClass::Write
                                                       : OpClass::Other;
    if (opClasses_.size() < 32) {  // a handful in practice; past 32 looked up each time
        c.bit = std::uint32_t{1} << opClasses_.size();
        hint = opClasses_.size();
        opClasses_.push_back(c);
    }
    return c;
}

Inventory::OperationMemo& Inventory::sharedMemo(const dissect::FlowContext& flow) {
    const std::uint64_t h =
        (textMix(flow.clientIp) * 0x9e3779b97f4a7c15ULL ^ textMix(flow.serverIp) ^ flow.serverPort ^
         static_cast<std::uint64_t>(flow.transport) << 16) *
        0xff51afd7ed558ccdULL;
    return sharedMemos_[(h >> 32) % kSharedMemos];
}

void Inventory::observeOperation(const dissect::FlowContext& flow, const dissect::Operation& op,
                                 OperationMemo* memo) {
    // Ethernet-level protocols: no IPs, the MACs are the parties (and the operation's addresses).
    // The memo does not know MACs: such an operation starts from a new one.
    const bool byMac = flow.clientIp.empty() && flow.serverIp.empty();
    if (byMac) macMemo_.filled = false;
    OperationMemo& m = byMac ? macMemo_ : memo ? *memo : sharedMemo(flow);
    const auto describes = [&](const OperationMemo& d) {
        return d.filled && d.serverPort == flow.serverPort && d.transport == flow.transport &&
               sameText(d.clientIp, flow.clientIp) && sameText(d.serverIp, flow.serverIp);
    };
    if (!describes(m)) {
        if (OperationMemo& shared = sharedMemo(flow); memo && !byMac && describes(shared)) {
            // A flow's memo starts from what its first operations found (they came without).
            m = shared;
            for (auto& p : m.protocols) p.lastClassEmpty = true;
        } else {
            m = OperationMemo{};
            m.filled = true;
            m.clientIp = flow.clientIp;
            m.serverIp = flow.serverIp;
            m.serverPort = flow.serverPort;
            m.transport = flow.transport;
        }
    }
    if ((!m.client || !m.server) && m.ipsSeen != ips_.size()) {
        auto client = ipByText_.find(flow.clientIp);
        auto server = ipByText_.find(flow.serverIp);
        m.client = client != ipByText_.end() ? &ips_[client->second] : nullptr;
        m.server = server != ipByText_.end() ? &ips_[server->second] : nullptr;
        m.ipsSeen = ips_.size();
    }
    OperationMemo::Protocol scratchProtocol;
    OperationMemo::Protocol* pr = nullptr;
    if (m.lastProtocol < m.protocols.size() &&
        sameText(m.protocols[m.lastProtocol].name, op.protocol)) {
        pr = &m.protocols[m.lastProtocol];
    } else {
        for (std::size_t i = 0; i < m.protocols.size(); ++i) {
            if (sameText(m.protocols[i].name, op.protocol)) {
                pr = &m.protocols[i];
                m.lastProtocol = i;
                break;
            }
        }
    }
    if (!pr) {
        if (m.protocols.size() < kMemoProtocols) {
            m.lastProtocol = m.protocols.size();
            pr = &m.protocols.emplace_back();
            pr->name = op.protocol;
        } else {
            scratchProtocol.name = op.protocol;
            pr = &scratchProtocol;
        }
    }
    // Without the caller's memo every operation came as if new: an empty class was never
    // added to the connection (see lastClassEmpty).
    const bool lastClassEmpty = memo ? pr->lastClassEmpty : true;
    const OpClass cls =
        pr->lastClass < opClasses_.size() && sameText(opClasses_[pr->lastClass].name, op.opClass)
            ? opClasses_[pr->lastClass]
            : opClass(op.opClass, pr->lastClass);

    if (m.client) {
        if (!pr->clientRole) {  // a set: once in, always in
            m.client->roles.insert({op.protocol, "client"});
            pr->clientRole = true;
        }
        if (op.request) {
            if (!pr->clientStats) pr->clientStats = &m.client->asClient[op.protocol];
            auto& stats = *pr->clientStats;
            switch (cls.kind) {
                case OpClass::Read:
                    ++stats.reads;
                    break;
                case OpClass::Program:
                    ++stats.program;
                    ++stats.writes;
                    break;
                case OpClass::Write:
                    ++stats.writes;
                    break;
                case OpClass::Other:
                    ++stats.other;
                    break;
            }
        }
    }
    if (m.server && !pr->serverRole) {
        m.server->roles.insert({op.protocol, "server"});
        pr->serverRole = true;
    }
    if (byMac) {
        for (const auto& [text, role] :
             {std::pair{flow.clientMac, "client"}, std::pair{flow.serverMac, "server"}}) {
            const auto mac = parseMac(text);
            if (!mac) continue;
            auto it = macs_.find(*mac);
            if (it != macs_.end()) it->second.roles.insert({op.protocol, role});
        }
    }

    // The aggregate: the flow's ends are the memo's, so protocol, function and keys decide. The
    // last one matched first, then the ones after it (a flow polls its requests in turn).
    // The one that followed the last one before first (a flow repeats its requests in the same
    // order), then the others in turn; the code and key count rule most out without the record.
    OperationMemo::Aggregate* known = nullptr;
    const std::size_t count = pr->operations.size();
    const std::size_t guess = count ? pr->operations[pr->last].next : 0;
    for (std::size_t k = 0, i = guess; k < count; ++k, i = i + 1 < count ? i + 1 : 0) {
        OperationMemo::Aggregate& a = pr->operations[i];
        if (a.functionCode == op.functionCode && a.numericKeys == op.keys.size() &&
            sameKeys(a, op)) {
            known = &a;
            pr->operations[pr->last].next = static_cast<std::uint8_t>(i);
            pr->last = i;
            break;
        }
    }
    std::uint32_t n;
    if (known) {
        n = known->record;
    } else {
        // The ends' and the protocol's texts are interned once per memo.
        if (m.clientIpId == kNoText)
            m.clientIpId = texts_.intern(byMac ? flow.clientMac : flow.clientIp);
        if (m.serverIpId == kNoText)
            m.serverIpId = texts_.intern(byMac ? flow.serverMac : flow.serverIp);
        if (pr->protocolId == kNoText) pr->protocolId = texts_.intern(op.protocol);
        n = operationRecord(op, pr->protocolId, m.clientIpId, m.serverIpId);
        if (pr->operations.size() < kMemoOperations) {
            const auto added = static_cast<std::uint8_t>(pr->operations.size());
            if (added > 0) pr->operations[pr->last].next = added;
            pr->last = added;
            known = &pr->operations.emplace_back();
            known->record = n;
            known->function = texts_.text(operations_[n].function);
            known->functionCode = op.functionCode;
            known->numericKeys = static_cast<std::uint16_t>(op.keys.size());
            known->next = added;
        }
    }
    OpRecord& agg = operations_[n];
    if (agg.opClass == kNoText || texts_.text(agg.opClass).empty()) agg.opClass = cls.text;
    (op.request ? agg.requests : agg.responses)++;
    if (op.exception) ++agg.exceptions;
    // A range already added to the aggregate (the memo's last one) is in its set.
    if (!op.range.empty() && !(known && sameText(known->range, op.range)) &&
        (!agg.ranges || rangeSets_[agg.ranges - 1].size() < limits_.maxRangesPerOperation)) {
        if (!agg.ranges) {
            rangeSets_.emplace_back();
            agg.ranges = static_cast<std::uint32_t>(rangeSets_.size());
        }
        rangeSets_[agg.ranges - 1].insert(op.range);
        if (known) known->range = op.range;
    }

    if (!pr->connection && pr->connectionsSeen != connections_.size()) {
        pr->connection = findConnection(m, *pr);
        pr->connectionsSeen = connections_.size();
    }
    if (pr->connection) {
        // The connection's classes are a set: a class already added (its bit) is skipped.
        const bool add = (op.opClass.empty() ? !lastClassEmpty : true) &&
                         !(cls.bit && (pr->connectionClasses & cls.bit));
        if (add) {
            ConnInfo& c = *pr->connection;
            if (c.opClass == kNoText) {
                c.opClass = cls.text;
            } else if (c.opClass != cls.text) {
                if (!c.opClassList) {
                    connClassLists_.emplace_back(1, c.opClass);
                    c.opClassList = static_cast<std::uint32_t>(connClassLists_.size());
                }
                auto& classes = connClassLists_[c.opClassList - 1];
                auto at = std::lower_bound(
                    classes.begin(), classes.end(), op.opClass,
                    [&](TextId a, const std::string& text) { return texts_.text(a) < text; });
                if (at == classes.end() || *at != cls.text) classes.insert(at, cls.text);
            }
            pr->connectionClasses |= cls.bit;
        }
        pr->lastClassEmpty = op.opClass.empty();
    }
}

Inventory::ConnInfo* Inventory::findConnection(const OperationMemo& m,
                                               const OperationMemo::Protocol& pr) {
    // The ends' and the protocol's ids are the memo's (interned with the flow's first
    // aggregate: before this).
    const TextId transport = texts_.find(m.transport == dissect::Transport::Tcp ? "tcp" : "udp");
    ConnKey key{m.clientIpId, m.serverIpId, pr.protocolId, m.serverPort, 0};
    while (key.transport < transports_.size() && transports_[key.transport] != transport)
        ++key.transport;
    if (key.clientIp == kNoText || key.serverIp == kNoText || key.protocol == kNoText ||
        key.transport == transports_.size()) {
        return nullptr;
    }
    const std::uint32_t n =
        connections_.find(ConnHash{}(key), [&](const ConnRecord& r) { return r.key == key; });
    return n == connections_.kNone ? nullptr : &connections_[n].info;
}

namespace {
std::optional<decode::MacAddress> parseMac(const std::string& text) {
    decode::MacAddress mac{};
    unsigned v[6];
    if (std::sscanf(text.c_str(), "%x:%x:%x:%x:%x:%x", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]) !=
        6) {
        return std::nullopt;
    }
    for (int i = 0; i < 6; ++i) mac[i] = static_cast<std::uint8_t>(v[i]);
    return mac;
}
}  // namespace

void Inventory::observeIdentity(const dissect::FlowContext& flow,
                                const dissect::Identity& identity) {
    dissect::Identity* target = nullptr;
    if (!identity.mac.empty()) {
        const auto mac = parseMac(identity.mac);
        if (!mac || decode::isGroupMac(*mac)) return;
        auto [m, created] = macs_.try_emplace(*mac);
        if (created) m->second.firstUs = m->second.lastUs = flow.timestampUs;
        target = &macIdentities_[*mac][identity.protocol];
    } else {
        auto it = ipByText_.find(identity.ofServer ? flow.serverIp : flow.clientIp);
        if (it == ipByText_.end()) return;
        target = &ips_[it->second].identities[identity.protocol];
    }
    dissect::Identity& stored = *target;
    stored.protocol = identity.protocol;
    for (const auto& [k, v] : identity.strings) stored.strings[k] = v;
    for (const auto& [k, v] : identity.numbers) stored.numbers[k] = v;
    for (const auto& [k, v] : identity.numberSets) stored.numberSets[k].insert(v.begin(), v.end());
    if (!identity.vendor.empty()) stored.vendor = identity.vendor;
    if (!identity.model.empty()) stored.model = identity.model;
    if (!identity.firmware.empty()) stored.firmware = identity.firmware;
    if (!identity.hostname.empty()) stored.hostname = identity.hostname;
    if (!identity.deviceType.empty()) {
        stored.deviceType = identity.deviceType;
        stored.typeEvidence = identity.typeEvidence;
    }
}

bool Inventory::isRouter(const decode::MacAddress& mac) const {
    auto it = macs_.find(mac);
    return it != macs_.end() && it->second.ipv4.size() >= limits_.routerMinIps;
}

std::optional<decode::MacAddress> Inventory::ownerMac(const decode::IpAddress& ip,
                                                      const IpInfo& info) const {
    if (!info.mac) return std::nullopt;
    if (!isRouter(*info.mac)) return info.mac;
    // A router's own addresses are the ones it announces in ARP; the rest are routed hosts.
    auto it = macs_.find(*info.mac);
    if (it != macs_.end() && it->second.arpIps.count(ip)) return info.mac;
    return std::nullopt;
}

std::string Inventory::deviceIdFor(const decode::IpAddress& ip, const IpInfo& info) const {
    auto mac = ownerMac(ip, info);
    return mac ? macDeviceId(*mac) : ipDeviceId(ip);
}

std::string Inventory::deviceIdForIp(const std::string& ip) const {
    auto it = ipByText_.find(ip);
    if (it == ipByText_.end()) return {};
    return deviceIdFor(it->second, ips_.at(it->second));
}

std::string Inventory::deviceIdFor(const std::string& ip, const std::string& mac) const {
    if (!ip.empty() || mac.empty()) return deviceIdForIp(ip);
    const auto parsed = parseMac(mac);
    return parsed && !decode::isGroupMac(*parsed) ? macDeviceId(*parsed) : std::string();
}

namespace {
constexpr int kNoAnnouncedName = 1 << 20;

/// A hashed table's entries in key order (what the ordered maps gave before: the merge order of
/// devices() stays the same).
template <class Map>
std::vector<const typename Map::value_type*> sortedByKey(const Map& map) {
    std::vector<const typename Map::value_type*> entries;
    entries.reserve(map.size());
    for (const auto& entry : map) entries.push_back(&entry);
    std::sort(entries.begin(), entries.end(),
              [](const auto* a, const auto* b) { return a->first < b->first; });
    return entries;
}

/// Precedence of host names announced over IP (after DHCP's, and LLDP/CDP/DCP at rank 0): what
/// the device says of itself (mDNS, NBNS), then its SNMP sysName, then what DNS says of it.
int hostnameRank(const std::string& protocol) {
    if (protocol == "mdns") return 1;
    if (protocol == "nbns") return 2;
    if (protocol == "snmp") return 3;
    if (protocol == "dns") return 4;
    return 5;
}
}  // namespace

std::vector<DeviceRecord> Inventory::devices() const {
    std::vector<DeviceRecord> result;
    visitDevices([&](DeviceRecord& d) { result.push_back(std::move(d)); });
    return result;
}

std::size_t Inventory::visitDevices(DeviceVisitor visit) const {
    struct Work {
        DeviceRecord record;
        std::set<ProtocolRole> roles;
        std::map<std::string, ProtocolStats> asClient;
        nlohmann::json identity = nlohmann::json::object();
        bool ipKeyed = false, router = false;
        std::size_t routedIps = 0;
        std::set<std::uint32_t> vlans;
        std::uint64_t sources = 0;  // capture interfaces (bits of Inventory::sourceBit)
        std::string announcedHostname, declaredType, declaredTypeEvidence;
        int announcedRank = kNoAnnouncedName;  // lower is better (hostnameRank)
    };
    auto touch = [](Work& w, std::int64_t firstUs, std::int64_t lastUs) {
        if (w.record.firstSeenMs == 0 || ms(firstUs) < w.record.firstSeenMs)
            w.record.firstSeenMs = ms(firstUs);
        w.record.lastSeenMs = std::max(w.record.lastSeenMs, ms(lastUs));
    };
    // Which device each MAC and IP entry belongs to, in device-id order; within a device its
    // MAC entries, then its IP entries, each in key order (the order they merged in before).
    // Each device's work is then built, finished and handed over in turn: one device's work
    // at a time instead of every device's (~1 KB each) before the first record.
    const auto macs = sortedByKey(macs_);
    const auto ips = sortedByKey(ips_);
    // A device id in a form cheaper to sort than its text, in the same order: "ip-" + the
    // address's text sorts before every "mac-" + 12 lower-case hex digits, and those sort as
    // the MAC's 48 bits do. The text is made once per device.
    struct Part {
        std::uint64_t mac = 0;  // MAC-keyed: the MAC's bits, big-endian
        std::string ipText;     // IP-keyed: the address's text ("" when MAC-keyed)
        bool macKeyed = false;
        std::size_t entry = 0;  // in macs, then ips
        bool operator<(const Part& o) const {
            if (macKeyed != o.macKeyed) return !macKeyed;
            return macKeyed ? mac < o.mac : ipText < o.ipText;
        }
        bool sameDevice(const Part& o) const {
            return macKeyed == o.macKeyed && mac == o.mac && ipText == o.ipText;
        }
        std::string id() const {
            if (!macKeyed) return "ip-" + ipText;
            decode::MacAddress bytes;
            for (std::size_t i = 0; i < 6; ++i)
                bytes[i] = static_cast<std::uint8_t>(mac >> (8 * (5 - i)));
            return macDeviceId(bytes);
        }
    };
    const auto macBits = [](const decode::MacAddress& mac) {
        std::uint64_t bits = 0;
        for (const std::uint8_t b : mac) bits = bits << 8 | b;
        return bits;
    };
    std::vector<Part> parts(macs.size() + ips.size());
    for (std::size_t i = 0; i < macs.size(); ++i)
        parts[i] = Part{macBits(macs[i]->first), {}, true, i};
    for (std::size_t i = 0; i < ips.size(); ++i) {
        const auto& [ip, info] = *ips[i];
        const auto mac = ownerMac(ip, info);
        Part& part = parts[macs.size() + i];
        part.entry = macs.size() + i;
        if (mac) {
            part.mac = macBits(*mac);
            part.macKeyed = true;
        } else {
            part.ipText = ip.toString();
        }
    }
    // Sorted by index (a Part is 56 bytes to move); stable: a device's entries keep their order.
    std::vector<std::uint32_t> sorted(parts.size());
    for (std::uint32_t i = 0; i < sorted.size(); ++i) sorted[i] = i;
    std::stable_sort(sorted.begin(), sorted.end(),
                     [&](std::uint32_t a, std::uint32_t b) { return parts[a] < parts[b]; });
    const auto addMac = [&](Work& w, const decode::MacAddress& mac, const MacInfo& info) {
        w.record.macs.push_back(decode::toString(mac));
        w.record.vendor = std::string(ouiVendor(mac));
        w.router = isRouter(mac);
        w.routedIps = info.ipv4.size();
        w.vlans.insert(info.vlans.begin(), info.vlans.end());
        w.sources |= info.sources;
        touch(w, info.firstUs, info.lastUs);
        w.roles.insert(info.roles.begin(), info.roles.end());
        auto ids = macIdentities_.find(mac);
        if (ids != macIdentities_.end()) {
            for (const auto& [proto, id2] : ids->second) {
                nlohmann::json& j = w.identity[proto];
                for (const auto& [k, v] : id2.strings) j[k] = v;
                for (const auto& [k, v] : id2.numbers) j[k] = v;
                for (const auto& [k, v] : id2.numberSets) j[k] = v;
                auto host = id2.strings.find("hostname");
                if (host != id2.strings.end()) w.record.hostname = host->second;
                if (w.announcedHostname.empty() && !id2.hostname.empty()) {
                    w.announcedHostname = id2.hostname;
                    w.announcedRank = 0;  // LLDP, CDP, Profinet DCP: the device's own setting
                }
                if (!id2.vendor.empty()) w.record.vendor = id2.vendor;  // protocol identity wins
                if (!id2.model.empty()) w.record.model = id2.model;
                if (!id2.firmware.empty()) w.record.firmware = id2.firmware;
                if (w.declaredType.empty() && !id2.deviceType.empty()) {
                    w.declaredType = id2.deviceType;
                    w.declaredTypeEvidence = id2.typeEvidence;
                }
            }
        }
    };
    const auto addIp = [&](Work& w, const decode::IpAddress& ip, const IpInfo& info) {
        if (w.record.macs.empty()) w.ipKeyed = true;  // no MAC entry before it
        w.record.ips.push_back(ip.toString());
        w.roles.insert(info.roles.begin(), info.roles.end());
        for (const auto& [proto, s] : info.asClient) {
            auto& t = w.asClient[proto];
            t.reads += s.reads;
            t.writes += s.writes;
            t.program += s.program;
            t.other += s.other;
            t.other += s.other;
        }
        for (const auto& [proto, id2] : info.identities) {
            nlohmann::json& j = w.identity[proto];
            for (const auto& [k, v] : id2.strings) j[k] = v;
            for (const auto& [k, v] : id2.numbers) j[k] = v;
            for (const auto& [k, v] : id2.numberSets) j[k] = v;
            if (!id2.vendor.empty()) w.record.vendor = id2.vendor;  // protocol identity wins
            if (!id2.model.empty()) w.record.model = id2.model;
            if (!id2.firmware.empty()) w.record.firmware = id2.firmware;
            if (!id2.hostname.empty() && hostnameRank(proto) < w.announcedRank) {
                w.announcedHostname = id2.hostname;  // mDNS, NBNS, SNMP sysName, DNS
                w.announcedRank = hostnameRank(proto);
            }
            // A type the device declares over IP (dissector plugins; LLDP/CDP declare by MAC).
            if (w.declaredType.empty() && !id2.deviceType.empty()) {
                w.declaredType = id2.deviceType;
                w.declaredTypeEvidence = id2.typeEvidence;
            }
        }
        if (!info.hostname.empty()) w.record.hostname = info.hostname;
        w.vlans.insert(info.vlans.begin(), info.vlans.end());
        w.sources |= info.sources;
        touch(w, info.firstUs, info.lastUs);
    };

    // Each record is handed over as it is finished and its work dropped (the records of
    // 10,000 devices are ~5 MB besides their work).
    std::size_t visited = 0;
    for (std::size_t first = 0, end = 0; first < parts.size(); first = end) {
        Work w;
        // Its MAC entry, if any, comes first and has the device's id.
        const Part& device = parts[sorted[first]];
        w.record.id = device.id();
        for (end = first; end < parts.size() && parts[sorted[end]].sameDevice(device); ++end) {
            const std::size_t entry = parts[sorted[end]].entry;
            if (entry < macs.size()) {
                addMac(w, macs[entry]->first, macs[entry]->second);
            } else {
                addIp(w, ips[entry - macs.size()]->first, ips[entry - macs.size()]->second);
            }
        }
        DeviceRecord& d = w.record;
        // A name the device announces (LLDP system name, CDP device id) when nothing better.
        if (d.hostname.empty()) d.hostname = w.announcedHostname;
        d.protocols.assign(w.roles.begin(), w.roles.end());
        d.vlans.assign(w.vlans.begin(), w.vlans.end());
        for (std::size_t i = 0; i < interfaces_.size() && i < kMaxSources; ++i) {
            if (w.sources & sourceBit(static_cast<std::uint8_t>(i))) {
                d.interfaces.push_back(interfaces_[i]);
            }
        }
        d.identityJson =
            w.identity.empty()
                ? "{}"  // most devices: no dump
                : w.identity.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        std::vector<std::string>& ev = d.evidence;
        bool allPublic = !d.ips.empty();
        for (const auto& text : d.ips) {
            auto it = ipByText_.find(text);
            if (it != ipByText_.end() && it->second.isPrivate()) allPublic = false;
        }
        // The first rule (in the table's order) of a protocol it serves.
        const ServerRule* served = nullptr;
        for (const ProtocolRole& role : w.roles) {
            if (role.role != "server") continue;
            for (const auto& rule : kServerRules) {
                if (served && &rule >= served) break;
                if (role.name == rule.protocol) {
                    served = &rule;
                    break;
                }
            }
        }
        // Client behaviour summed over the industrial protocols it speaks as a client.
        ProtocolStats ics;
        std::string clientProtocols;
        for (const auto& [proto, st] : w.asClient) {
            if (!isIndustrial(proto)) continue;
            ics.reads += st.reads;
            ics.writes += st.writes;
            ics.program += st.program;
            clientProtocols += (clientProtocols.empty() ? "" : "/") + proto;
        }
        if (w.ipKeyed && allPublic) {
            d.type = "external";
            ev.push_back("public address reached through a router or without L2 → external");
        } else if (served) {
            d.type = served->type;
            ev.push_back(std::string(served->protocol) + " server → " + served->type);
        } else if (ics.program > 0) {
            d.type = "engineering_workstation";
            ev.push_back(clientProtocols + " client sends program/firmware operations (" +
                         std::to_string(ics.program) + ") → engineering_workstation");
        } else if (ics.reads + ics.writes > 0) {
            const auto reads = ics.reads, writes = ics.writes;
            if (writes == 0) {
                d.type = "hmi";
                ev.push_back(clientProtocols + " client that only reads (" + std::to_string(reads) +
                             " read requests) → hmi");
            } else if (reads >= 20 && reads >= 5 * writes) {
                // HMIs poll cyclically and write the odd setpoint; a workstation writes without
                // polling.
                d.type = "hmi";
                ev.push_back(clientProtocols + " client polls (" + std::to_string(reads) +
                             " reads) and writes occasionally (" + std::to_string(writes) +
                             ") → hmi writing setpoints");
            } else {
                d.type = "engineering_workstation";
                ev.push_back(clientProtocols + " client writes (" + std::to_string(writes) +
                             " writes, " + std::to_string(reads) +
                             " reads, no cyclic polling) → engineering_workstation");
            }
        } else if (!w.declaredType.empty()) {
            d.type = w.declaredType;
            ev.push_back(w.declaredTypeEvidence);
        } else if (w.router) {
            d.type = "router";
            ev.push_back("one MAC carries " + std::to_string(w.routedIps) +
                         " IPv4 addresses → router; hosts behind it are keyed by IP");
        }
        if (w.router && d.type != "router") {
            ev.push_back("one MAC carries " + std::to_string(w.routedIps) +
                         " IPv4 addresses (routing)");
        }
        d.purdueLevel = purdueFor(d.type);
        visit(d);
        ++visited;
    }
    return visited;
}

std::vector<ConnectionRecord> Inventory::connections() const {
    std::vector<ConnectionRecord> result;
    result.reserve(connections_.size());
    visitConnections([&](const ConnectionRecord& c) { result.push_back(c); });
    return result;
}

std::vector<ConnectionRecord> Inventory::connections(ConnectionFilter want) const {
    std::vector<ConnectionRecord> result;
    visitConnections(want, [&](const ConnectionRecord& c) { result.push_back(c); });
    return result;
}

std::size_t Inventory::visitConnections(ConnectionVisitor visit) const {
    return visitConnections([](const ConnInfo&, const std::string&, const std::string&, std::size_t,
                               std::int64_t) { return true; },
                            visit);
}

std::size_t Inventory::visitConnections(ConnectionFilter want, ConnectionVisitor visit) const {
    // In key order: client, server, transport, port, protocol, the texts compared.
    const auto rank = texts_.ranks();
    // Field by field, each rank read only when the fields before it are equal (keys are
    // unique). Indices, not packed keys: a snapshot's peak memory stays where it was.
    std::vector<std::uint32_t> order(connections_.size());
    for (std::uint32_t n = 0; n < order.size(); ++n) order[n] = n;
    std::sort(order.begin(), order.end(), [&](std::uint32_t na, std::uint32_t nb) {
        const ConnKey& a = connections_[na].key;
        const ConnKey& b = connections_[nb].key;
        if (a.clientIp != b.clientIp) return rank[a.clientIp] < rank[b.clientIp];
        if (a.serverIp != b.serverIp) return rank[a.serverIp] < rank[b.serverIp];
        if (a.transport != b.transport)
            return rank[transports_[a.transport]] < rank[transports_[b.transport]];
        if (a.port != b.port) return a.port < b.port;
        return rank[a.protocol] < rank[b.protocol];
    });
    // Addresses' device ids in a small direct-mapped cache (bounded memory): a client's
    // connections come one after another, and a few servers have most of them.
    struct CachedId {
        TextId ip = kNoText;
        std::string id;
    };
    std::vector<CachedId> deviceIds(256);
    const auto deviceIdOf = [&](TextId ip) -> const std::string& {
        CachedId& slot = deviceIds[(ip * 0x9e3779b9u) >> 24];
        if (slot.ip != ip) {
            slot.id = deviceIdForIp(texts_.text(ip));
            slot.ip = ip;
        }
        return slot.id;
    };
    std::string src, dst;
    ConnectionRecord c;  // one record, refilled: its strings keep their capacity
    std::size_t visited = 0;
    for (const std::uint32_t n : order) {
        const auto& [info, key] = connections_[n];
        const std::string& clientIp = texts_.text(key.clientIp);
        const std::string& serverIp = texts_.text(key.serverIp);
        src = deviceIdOf(key.clientIp);
        dst = deviceIdOf(key.serverIp);  // "" for a multicast/broadcast group destination
        const std::size_t classes = info.opClassList ? connClassLists_[info.opClassList - 1].size()
                                    : info.opClass != kNoText ? 1
                                                              : 0;
        if (!want(info, src, dst, classes, ms(info.lastUs))) continue;
        c.src = src;
        c.dst = dst;
        c.srcIp = clientIp;
        c.dstIp = serverIp;
        c.transport = texts_.text(transports_[key.transport]);
        c.port = key.port;
        c.protocol = texts_.text(key.protocol);
        c.packets = info.packets;
        c.bytes = info.bytes;
        c.operations.clear();
        if (info.opClassList) {
            for (const TextId opClass : connClassLists_[info.opClassList - 1])
                c.operations.push_back(texts_.text(opClass));
        } else if (info.opClass != kNoText) {
            c.operations.push_back(texts_.text(info.opClass));
        }
        c.firstSeenMs = ms(info.firstUs);
        c.lastSeenMs = ms(info.lastUs);
        visit(c);
        ++visited;
    }
    return visited;
}

std::vector<OperationRecord> Inventory::operations() const {
    std::vector<OperationRecord> result;
    result.reserve(operations_.size());
    visitOperations([&](const OperationRecord& o) { result.push_back(o); });
    return result;
}

std::size_t Inventory::visitOperations(OperationVisitor visit) const {
    const auto rank = texts_.ranks();
    std::vector<std::uint32_t> order(operations_.size());
    for (std::uint32_t n = 0; n < order.size(); ++n) order[n] = n;
    std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
        return opLess(operations_[a], operations_[b], rank);
    });
    OperationRecord o;  // one record, refilled
    for (const std::uint32_t n : order) {
        const OpRecord& r = operations_[n];
        o.protocol = texts_.text(r.protocol);
        o.clientIp = texts_.text(r.clientIp);
        o.serverIp = texts_.text(r.serverIp);
        o.function = texts_.text(r.function);
        o.functionCode = r.functionCode;
        if (r.opClass != kNoText) {
            o.opClass = texts_.text(r.opClass);
        } else {
            o.opClass.clear();
        }
        o.count = r.requests ? r.requests : r.responses;
        o.keys.clear();
        o.textKeys.clear();
        const auto keys = entries(r);
        for (std::size_t i = 0; i < keys.size(); ++i) {
            const KeyEntry& e = keys[i];
            if (i < r.numericKeys) {
                o.keys.emplace_hint(o.keys.end(), texts_.text(e.name), e.number());
            } else {
                o.textKeys.emplace_hint(o.textKeys.end(), texts_.text(e.name),
                                        texts_.text(e.text()));
            }
        }
        o.exceptions = r.exceptions;
        o.ranges.clear();
        if (r.ranges)
            o.ranges.assign(rangeSets_[r.ranges - 1].begin(), rangeSets_[r.ranges - 1].end());
        visit(o);
    }
    return operations_.size();
}

}  // namespace ironsight::sensor::inventory
