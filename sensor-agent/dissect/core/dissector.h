// SPDX-License-Identifier: Apache-2.0
// The dissector contract: payload in (per direction, in order), typed events out through a sink.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <span>
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

/// One protocol operation (a request, or a response whose request was not seen).
struct Operation {
    std::string protocol;  // lower-case, SPEC §6
    std::string function;  // e.g. "write_multiple_registers"
    int functionCode = -1;
    std::string opClass;  // read / write / program / control / diagnostic / firmware / other
    bool request = true;
    bool exception = false;
    std::map<std::string, std::int64_t> keys;  // aggregation keys named as in the truth files
    /// String-valued aggregation keys, e.g. opcua "message_type", "security_policy" (SPEC §6).
    std::map<std::string, std::string> textKeys;
    std::string range;  // e.g. "holding_registers 0-9", may be empty
};

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
