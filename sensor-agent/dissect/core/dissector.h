// SPDX-License-Identifier: Apache-2.0
// The dissector contract: payload in (per direction, in order), typed events out through a sink.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <set>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

namespace ironsight::sensor::dissect {

enum class Direction { ToServer, ToClient };
enum class Transport { Tcp, Udp, Ethernet };

/// Where a payload comes from. Client/server are decided by the engine (the dissector's port is
/// the server; otherwise the lower port). For Ethernet-level protocols (Transport::Ethernet) the
/// IPs are empty and the MACs say who is who: the sender of a request is the client.
struct FlowContext {
    std::string clientIp, serverIp;
    std::uint16_t clientPort = 0, serverPort = 0;
    Transport transport = Transport::Tcp;
    std::int64_t timestampUs = 0;
    std::string clientMac{}, serverMac{};  // "aa:bb:cc:dd:ee:ff"; for Ethernet-level protocols
    std::uint16_t vlan = 0;
};

/// One Ethernet frame handed to an Ethernet-level dissector (SPEC §3.3: Profinet DCP, LLDP, CDP).
struct FrameContext {
    std::string srcMac, dstMac;   // "aa:bb:cc:dd:ee:ff"
    std::uint16_t vlan = 0;       // innermost 802.1Q VLAN id, 0 when untagged
    std::uint16_t etherType = 0;  // the EtherType, or the 802.3 length for LLC/SNAP frames
    std::int64_t timestampUs = 0;

    /// The FlowContext for events about this frame: the sender is the client of a request and
    /// the server of a response or announcement.
    FlowContext flow(bool senderIsClient) const {
        FlowContext f;
        f.transport = Transport::Ethernet;
        f.timestampUs = timestampUs;
        f.clientMac = senderIsClient ? srcMac : dstMac;
        f.serverMac = senderIsClient ? dstMac : srcMac;
        f.vlan = vlan;
        return f;
    }
};

/// An operation's numeric aggregation keys: name -> number in name order, like the
/// std::map it replaces, but stored inline (an operation is built per request, and a map
/// cost an allocation per key). Names are static text (string literals): the engine keeps
/// operations past the dissector's call. At most kCapacity names (built-in dissectors use
/// up to 4); a further name is not recorded.
class OperationKeys {
public:
    struct Entry {
        std::string_view first;  // the name
        std::int64_t second = 0;
        bool operator==(const Entry&) const = default;
    };
    static constexpr std::size_t kCapacity = 8;
    using const_iterator = const Entry*;
    using iterator = Entry*;

    std::int64_t& operator[](std::string_view name) {
        // A reused operation mostly gets the names it had last time, in the same order: the
        // same static text at the same place as before clear(), after the same ones, keeps
        // the order without a comparison.
        if (size_ < sorted_ && entries_[size_].first.data() == name.data() &&
            entries_[size_].first.size() == name.size()) {
            entries_[size_].second = 0;
            return entries_[size_++].second;
        }
        sorted_ = 0;  // the entries from before clear() no longer follow this one
        // Dissectors mostly set names in name order: append without a search.
        if (size_ == 0 || less(entries_[size_ - 1].first, name)) {
            if (size_ == kCapacity) return spare_ = 0;
            entries_[size_] = Entry{name, 0};
            return entries_[size_++].second;
        }
        return insert(name);
    }
    const_iterator find(std::string_view name) const {
        const Entry* it = const_cast<OperationKeys*>(this)->lowerBound(name);
        return it != end() && it->first == name ? it : end();
    }
    std::size_t count(std::string_view name) const { return find(name) != end() ? 1 : 0; }
    /// Like std::map::at: throws std::out_of_range for a name that is not there.
    std::int64_t at(std::string_view name) const {
        const auto it = find(name);
        if (it == end()) throw std::out_of_range("no operation key " + std::string(name));
        return it->second;
    }
    const_iterator begin() const { return entries_.data(); }
    const_iterator end() const { return entries_.data() + size_; }
    iterator begin() { return entries_.data(); }
    iterator end() { return entries_.data() + size_; }
    std::size_t size() const { return size_; }
    bool empty() const { return size_ == 0; }
    void clear() {
        sorted_ = size_;  // entries_[0, size_) stay there, in order, for the next names
        size_ = 0;
    }
    bool operator==(const OperationKeys& o) const {
        return size_ == o.size_ && std::equal(begin(), end(), o.begin());
    }

private:
    // Names in std::string order (char_traits<char>: bytes compared unsigned), compared inline:
    // names are a few characters, and std::string_view's comparison is a memcmp call.
    static bool less(std::string_view a, std::string_view b) {
        const std::size_t n = a.size() < b.size() ? a.size() : b.size();
        for (std::size_t i = 0; i < n; ++i) {
            if (a[i] != b[i]) {
                return static_cast<unsigned char>(a[i]) < static_cast<unsigned char>(b[i]);
            }
        }
        return a.size() < b.size();
    }
    Entry* lowerBound(std::string_view name) {
        Entry* it = begin();
        while (it != end() && less(it->first, name)) ++it;
        return it;
    }
    std::int64_t& insert(std::string_view name);  // out of line: the rare case
    std::array<Entry, kCapacity> entries_{};
    std::uint8_t size_ = 0;
    // entries_[0, sorted_) are the entries set before the last clear(), in name order, and
    // entries_[0, size_) equal their first size_ (when size_ <= sorted_).
    std::uint8_t sorted_ = 0;
    std::int64_t spare_ = 0;  // where a name beyond kCapacity goes
};

/// One protocol operation (a request, or a response whose request was not seen).
struct Operation {
    std::string protocol;  // lower-case, SPEC §6
    std::string function;  // e.g. "write_multiple_registers"
    int functionCode = -1;
    std::string opClass;  // read / write / program / control / diagnostic / firmware / other
    bool request = true;
    bool exception = false;
    OperationKeys keys;  // aggregation keys named as in the truth files
    /// String-valued aggregation keys, e.g. opcua "message_type", "security_policy" (SPEC §6).
    std::map<std::string, std::string> textKeys;
    std::string range;  // e.g. "holding_registers 0-9", may be empty

    /// Back to a default-constructed Operation, keeping the strings' capacity.
    void clear() {
        protocol.clear();
        function.clear();
        functionCode = -1;
        opClass.clear();
        request = true;
        exception = false;
        keys.clear();
        textKeys.clear();
        range.clear();
    }
};

/// A protocol name as a template argument: reusableOperation<"modbus">(...).
template <std::size_t N>
struct ProtocolName {
    constexpr ProtocolName(const char (&text)[N]) { std::copy_n(text, N, chars); }
    constexpr std::string_view view() const { return {chars, N - 1}; }
    char chars[N];
};

namespace detail {

/// Whether the n bytes at a and b are equal. Inline (a memcmp call costs more than the few
/// words of an operation's name): 8-byte words, the last one overlapping.
inline bool sameBytes(const char* a, const char* b, std::size_t n) {
    if (n >= 8) {
        std::uint64_t x, y;
        for (std::size_t i = 0; i + 8 < n; i += 8) {
            std::memcpy(&x, a + i, 8);
            std::memcpy(&y, b + i, 8);
            if (x != y) return false;
        }
        std::memcpy(&x, a + n - 8, 8);
        std::memcpy(&y, b + n - 8, 8);
        return x == y;
    }
    if (n >= 4) {
        std::uint32_t x, y, u, v;
        std::memcpy(&x, a, 4);
        std::memcpy(&y, b, 4);
        std::memcpy(&u, a + n - 4, 4);
        std::memcpy(&v, b + n - 4, 4);
        return x == y && u == v;
    }
    for (std::size_t i = 0; i < n; ++i) {
        if (a[i] != b[i]) return false;
    }
    return true;
}

/// `text = value`, without the copy (an out-of-line call) when they are equal already.
inline void assignText(std::string& text, std::string_view value) {
    if (value.empty()) {
        text.clear();
    } else if (text.size() != value.size()) {
        text.assign(value.data(), value.size());
    } else if (!sameBytes(text.data(), value.data(), value.size())) {
        // Same length (another register range, say): overwritten in place, without the
        // general (out-of-line) std::string::assign.
        std::memcpy(text.data(), value.data(), value.size());
    }
}

}  // namespace detail

/// This thread's reusable Operation of `Protocol` for requests (or responses): a
/// default-constructed Operation with `protocol`, `request`, `function`, `opClass` and `range`
/// set. One per protocol and direction, so what a poll repeats (function, class, range) is
/// already there: a text equal to the previous one's is not copied, and the strings keep their
/// buffers (no allocation once warm). Emit it (EventSink::onOperation) before asking for it
/// again; sinks copy what they keep. Do not change its `protocol`. Always inlined: a call's
/// prologue cost as much as the rest, and inlined, the texts' sizes are often constants.
template <ProtocolName Protocol>
[[gnu::always_inline]] inline Operation& reusableOperation(bool request,
                                                           std::string_view function = {},
                                                           std::string_view opClass = {},
                                                           std::string_view range = {}) {
    thread_local std::array<Operation, 2> operations = [] {
        std::array<Operation, 2> ops;
        for (auto& op : ops) op.protocol = Protocol.view();
        return ops;
    }();
    Operation& op = operations[request ? 0 : 1];
    detail::assignText(op.function, function);
    op.functionCode = -1;
    detail::assignText(op.opClass, opClass);
    op.request = request;
    op.exception = false;
    op.keys.clear();
    if (!op.textKeys.empty()) op.textKeys.clear();
    detail::assignText(op.range, range);
    return op;
}

/// Identity a protocol revealed about the server (or client) of the flow.
struct Identity {
    std::string protocol;
    bool ofServer = true;
    std::map<std::string, std::string> strings;
    std::map<std::string, std::int64_t> numbers;
    /// Values that accumulate (merged as a set, printed as a JSON array), e.g. DNP3 "addresses".
    std::map<std::string, std::set<std::int64_t>> numberSets;
    std::string vendor, model, firmware;  // normalised device fields (protocol identity wins)
    std::string mac;         // set when the identity belongs to a MAC, not to an IP (DHCP chaddr)
    std::string hostname;    // a name the device announces (LLDP system name); used when none known
    std::string deviceType;  // a type the device declares (LLDP/CDP capabilities), e.g. "switch"
    std::string typeEvidence;  // why, e.g. "lldp capabilities bridge → switch"
};

/// A finding a plugin dissector raises as an alert (SPEC §3.3, docs/PLUGINS.md): the alert type
/// and its text come from the plugin, not from the alert catalog.
struct Finding {
    std::string protocol;
    std::string type;  // alert type, "<plugin>.<id>"
    int severity = 2;  // 1 warning, 2 minor, 3 major, 4 critical (engine.h Severity values)
    std::string title, description, remediation;  // may hold {src}, {dst}, {detail} ...
    std::string function, detail, mitre;
};

class EventSink {
public:
    virtual ~EventSink() = default;
    /// A plugin's finding; built-in dissectors report anomalies instead.
    virtual void onFinding(const FlowContext&, const Finding&) {}
    virtual void onOperation(const FlowContext& flow, const Operation& op) = 0;
    virtual void onIdentity(const FlowContext& flow, const Identity& identity) = 0;
    /// A counted anomaly with a stable id, e.g. ("modbus", "malformed_pdu").
    virtual void onAnomaly(const FlowContext& flow, std::string_view protocol,
                           std::string_view anomalyId) = 0;
};

/// Tri-state parse answer (STYLE.md rule 4): the caller keeps unconsumed bytes for the next call.
struct ParseResult {
    enum class Status { Ok, Incomplete, Error };
    Status status = Status::Ok;
    std::size_t consumed = 0;
    std::size_t needed = 0;  // Incomplete: total bytes wanted from the start of the unconsumed data

    static ParseResult ok(std::size_t consumed) { return {Status::Ok, consumed, 0}; }
    static ParseResult incomplete(std::size_t consumed, std::size_t needed) {
        return {Status::Incomplete, consumed, needed};
    }
    static ParseResult error(std::size_t consumed) { return {Status::Error, consumed, 0}; }
};

enum class Probe { Match, NoMatch, NeedMore };

class Dissector {
public:
    virtual ~Dissector() = default;
    /// Parses in-order bytes of one direction. Never throws; malformed input becomes an anomaly.
    virtual ParseResult onData(const FlowContext& flow, Direction dir,
                               std::span<const std::uint8_t> data, EventSink& sink) noexcept = 0;
    /// Bytes were lost in this direction: drop partial state and re-synchronise.
    virtual void onGap(Direction) noexcept {}
    /// True once nothing the flow may still carry can make it report anything (it consumes all
    /// data without a word, and gaps change nothing): the engine then releases it and delivers
    /// the flow's data nowhere (memory per concurrent flow: a TLS flow is encrypted from the
    /// ServerHello on). Must stay true once true.
    virtual bool finished() const noexcept { return false; }
};

using DissectorPtr = std::unique_ptr<Dissector>;

/// An Ethernet-level protocol: one call per frame with the payload after the Ethernet, 802.1Q and
/// (for 802.3 frames) LLC/SNAP headers. Frames are independent; state must stay bounded.
class FrameDissector {
public:
    virtual ~FrameDissector() = default;
    /// Never throws; malformed input becomes an anomaly.
    virtual void onFrame(const FrameContext& frame, std::span<const std::uint8_t> payload,
                         EventSink& sink) noexcept = 0;
};

using FrameDissectorPtr = std::unique_ptr<FrameDissector>;

}  // namespace ironsight::sensor::dissect
