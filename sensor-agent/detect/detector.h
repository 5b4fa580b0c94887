// SPDX-License-Identifier: Apache-2.0
// Detector: the baseline (learning mode) and policy alerts with aggregation (SPEC §3.5).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "sensor-agent/dissect/core/dissector.h"
#include "sensor-agent/engine/engine.h"

namespace ironsight::sensor::detect {

/// A new transport conversation as the engine saw it (client/server already decided).
struct ConnectionEvent {
    std::string clientIp, serverIp;
    std::string transport;  // "tcp" / "udp"
    std::uint16_t serverPort = 0;
    std::string protocol;  // the bound dissector's name, "" when none
    bool unicast = true;   // false when either end is a broadcast/multicast address (ignored)
    std::int64_t timestampUs = 0;
};

/// The policy alert an operation belongs to by its function ("program_transfer", "mode_change",
/// "restart_command", "firmware_update"), or "" (see docs/ALERTS.md for the table).
std::string_view operationAlertType(const dissect::Operation& op);

class Detector {
public:
    explicit Detector(bool learning = true) : learning_(learning) {}

    void setLearning(bool on) { learning_ = on; }
    bool learning() const { return learning_; }

    /// Baseline as text, one item per line, sorted. Kinds: "talk <protocol> <client> <server>",
    /// "device <ip>", "conn <transport> <client> <server> <port> <protocol|->",
    /// "op <alert-type> <protocol> <client> <server>".
    std::string exportBaseline() const;
    /// Adds the items of an exported baseline (unknown lines are kept as they are).
    void importBaseline(const std::string& text);
    std::size_t baselineSize() const { return baseline_.size(); }

    /// A packet sent by a unicast host address. Learning: the host joins the baseline. Otherwise
    /// a host not in it raises new_device; deviceOf() names its device (called only then).
    void onHost(const std::string& ip, std::int64_t timestampUs,
                const std::function<std::string()>& deviceOf);

    /// A new flow. Learning: it joins the baseline. Otherwise a (client, server, transport, port)
    /// not in it raises new_protocol when both devices are known and never talked this protocol,
    /// else unauthorized_connection.
    void onConnection(const ConnectionEvent& conn, const std::string& srcDevice,
                      const std::string& dstDevice);

    /// Learning: the client/server pair and the operation's alert category join the baseline.
    /// Otherwise a write-class request from a client with no baseline entry for that server
    /// raises unauthorized_write, and a program/mode/restart/firmware request not learned for
    /// that pair raises its type.
    void onOperation(const dissect::FlowContext& flow, const dissect::Operation& op,
                     const std::string& srcDevice, const std::string& dstDevice);

    std::vector<AlertRecord> alerts() const;
    /// Ids of alerts raised or updated since the last call.
    std::set<std::string> takeChangedAlertIds();

private:
    struct Trigger {
        std::string srcIp{}, dstIp{}, protocol{}, function{}, transport{};
        std::uint16_t port = 0;
        std::int64_t timestampUs = 0;
    };
    void learn(const std::string& item);
    void raise(const std::string& type, const Trigger& trigger, const std::string& srcDevice,
               const std::string& dstDevice);
    /// raise() with device names pinned by address (falling back to the addresses).
    void raiseByAddress(const std::string& type, const Trigger& trigger,
                        const std::string& srcDevice, const std::string& dstDevice);

    bool learning_;
    std::set<std::string> baseline_;
    // Indexes over baseline_ (kept in step by learn()).
    std::set<std::string> hosts_;          // every address a baseline item names
    std::set<std::string> conns_;          // "transport client server port"
    std::set<std::string> pairProtocols_;  // "protocol low high": the pair talked it (any side)
    std::map<std::string, AlertRecord> alerts_;
    // "type addrA addrB" -> the device names its alert was first raised with, so that an alert
    // keeps one id when the inventory later learns a better device id for the same addresses.
    std::map<std::string, std::pair<std::string, std::string>> alertNames_;
    std::set<std::string> changed_;
};

/// Stable alert id: same type + same devices -> same id.
std::string alertId(const std::string& type, const std::string& srcDevice,
                    const std::string& dstDevice);

}  // namespace ironsight::sensor::detect
