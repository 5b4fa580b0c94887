// SPDX-License-Identifier: Apache-2.0
// The sensor's analysis engine: capture -> decode -> dissect -> inventory / detect.
// CONTRACT between the analysis pipeline and its consumers (`analyze`, `run` + outbox).
// Owned by the pipeline; consumers only use what is declared here.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "sensor-agent/capture/raw_packet.h"
#include "sensor-agent/config/network_settings.h"
#include "shared/base/result.h"

namespace ironsight::sensor {

namespace plugins {
class PluginSet;  // sensor-agent/plugins/plugin_loader.h
}

struct ProtocolRole {
    std::string name;  // lower-case protocol name, SPEC §6
    std::string role;  // "client" or "server"
    auto operator<=>(const ProtocolRole&) const = default;
};

struct DeviceRecord {
    std::string id;  // stable for this sensor
    std::vector<std::string> macs, ips;
    std::vector<std::uint32_t> vlans;
    std::map<std::uint32_t, std::string> vlanNames;  // of `vlans`, where the site named them
    /// The capture interfaces it was seen sending on (live capture, in the order of
    /// EngineOptions::interfaces); empty for a file.
    std::vector<std::string> interfaces;
    std::string vendor, model, firmware, serial, hostname;
    std::string type = "unknown";
    int purdueLevel = -1;
    std::vector<ProtocolRole> protocols;
    std::string identityJson = "{}";  // SPEC §6 "identity" object
    std::vector<std::string> evidence;
    std::int64_t firstSeenMs = 0, lastSeenMs = 0;
};

struct ConnectionRecord {
    std::string src, dst;  // device ids (client, server)
    std::string srcIp, dstIp;
    std::string transport;   // "tcp" / "udp"
    std::uint16_t port = 0;  // server port
    std::string protocol;    // application protocol, or "" when unknown
    std::uint64_t packets = 0, bytes = 0;
    std::vector<std::string> operations;  // operation classes seen
    std::int64_t firstSeenMs = 0, lastSeenMs = 0;
};

struct OperationRecord {  // SPEC §6 "operations" entry
    std::string protocol, clientIp, serverIp, function, opClass;
    int functionCode = -1;
    std::uint64_t count = 0;
    std::map<std::string, std::int64_t> keys;     // protocol keys, e.g. {"unit_id": 1}
    std::map<std::string, std::string> textKeys;  // string protocol keys (opcua security_policy)
    std::uint64_t exceptions = 0;                 // exception responses (Modbus) / errors
    std::vector<std::string> ranges;              // addressed ranges, e.g. "holding_registers 0-9"
};

enum class Severity { Warning = 1, Minor = 2, Major = 3, Critical = 4 };

struct AlertRecord {
    std::string id;  // stable: same type + same devices -> same id
    std::string engine, type;
    Severity severity = Severity::Minor;
    std::string title, description, remediation;
    std::string src, dst, srcIp, dstIp, protocol, mitre;
    std::uint64_t count = 0;
    std::int64_t firstSeenMs = 0, lastSeenMs = 0;
};

struct CaptureStats {
    std::uint64_t packets = 0, bytes = 0, malformed = 0;
    double seconds = 0;  // capture time span (last - first packet)
    /// Flow table: flows tracked now, and flows evicted to stay within its memory bound (the
    /// oldest idle first) because new flows arrived while it was full (a scan, a flood).
    std::uint64_t flowsActive = 0, flowsEvicted = 0;
    /// Flows whose dissector had nothing more to report and was released (Dissector::finished).
    std::uint64_t dissectorsReleased = 0;
    /// Alert evidence: captures made, and captures dropped because the consumer fell behind.
    std::uint64_t evidenceCaptures = 0, evidenceDropped = 0;
    /// Malformed packets by reason (decode: "truncated_tcp", "bad_ipv4_header", ...), non-zero only.
    std::map<std::string, std::uint64_t> malformedByReason;
    /// IPv4 fragments offered, datagrams reassembled from them, fragments carrying no new byte,
    /// and what was dropped by reason ("timeout", "overlap", ...; non-zero only).
    std::uint64_t ipv4Fragments = 0, ipv4Reassembled = 0, ipv4FragmentDuplicates = 0;
    std::map<std::string, std::uint64_t> ipv4FragmentDrops;
};

/// Alert evidence (SPEC §3.5): the packets around an alert's trigger, as captured (at most
/// EvidenceOptions::packetBytes of each), for a pcap export.
struct EvidencePacket {
    std::int64_t timestampUs = 0;
    std::uint32_t wireLength = 0;
    std::vector<std::uint8_t> data;
};

struct AlertEvidence {
    std::string alertId;
    int linkType = 1;  // libpcap DLT_* of the trigger packet
    std::int64_t triggerUs = 0;
    std::size_t triggerIndex = 0;  // packets[triggerIndex] raised the alert
    std::vector<EvidencePacket> packets;
};

/// Evidence settings: a ring of recent packets per flow (one more for packets outside TCP/UDP
/// flows) whose bytes live in one round-robin buffer of memoryBytes: the hard memory bound.
struct EvidenceOptions {
    std::size_t ringPackets = 16;   // recent packets remembered per flow; 0 turns evidence off
    std::size_t alertPackets = 32;  // packets kept per capture: the ring, then following ones
    std::size_t packetBytes = 2048;            // bytes kept of each packet
    std::size_t memoryBytes = 32ULL << 20;     // all rings' packet bytes together
    std::size_t repeatCaptures = 2;            // repeats of an alert captured after the first ...
    std::int64_t repeatIntervalUs = 60'000'000;  // ... at most one per interval
};

/// What changed since the last takeChanges(): consumers stream these (outbox) in batches.
struct ChangeSet {
    std::vector<DeviceRecord> devices;
    std::vector<ConnectionRecord> connections;
    std::vector<AlertRecord> alerts;
    bool empty() const { return devices.empty() && connections.empty() && alerts.empty(); }
};

/// A site's declaration that a protocol runs on a non-standard server port (docs/SENSOR.md,
/// "Port aliases"): flows to that port are dissected as that protocol, whatever the port's
/// default binding.
struct PortAlias {
    std::string protocol;  // a dissector's name (modbus, opcua, ...) or a loaded plugin's
    bool tcp = true;
    std::uint16_t port = 0;
};

/// Parses "PROTOCOL=tcp/PORT" or "PROTOCOL=udp/PORT" and checks that a dissector of that name
/// exists for the transport (built in, or one of `plugins`). Errors are one line naming `spec`.
Result<PortAlias> parsePortAlias(std::string_view spec, const plugins::PluginSet* plugins = nullptr);

/// EngineOptions::interfaces: at most this many capture interfaces (RawPacket::source).
inline constexpr std::size_t kMaxCaptureInterfaces = 64;

/// EngineOptions::workers: at most this many flow-side worker threads.
inline constexpr std::size_t kMaxEngineWorkers = 64;

struct EngineOptions {
    bool learning = true;  // learning mode: observations join the baseline, no policy alerts
    /// IOC engine indicators (docs/ALERTS.md "Indicator lists"); validate with checkIndicators().
    std::string indicators{};
    std::int64_t silentAfterSeconds = 300;  // device_silent: a regular sender quiet this long
    /// Flow table bound: beyond it the least recently used flow is evicted (stats().flowsEvicted).
    std::size_t maxFlows = 262144;
    /// Dissector plugins (docs/PLUGINS.md), loaded once by the caller and shared by engines.
    std::shared_ptr<const plugins::PluginSet> plugins{};
    EvidenceOptions evidence{};
    std::vector<PortAlias> portAliases{};  // checked by parsePortAlias; unknown names are ignored
    config::NetworkSettings network{};     // checked by config::checkNetworkSettings
    /// Flow-side workers (docs/SENSOR.md "Workers"): 1 runs the whole pipeline on the caller's
    /// thread; N > 1 shards flows over N threads (decode, flows, dissectors, traffic rates)
    /// feeding one consumer thread (inventory, detection): same results, process() only
    /// dispatches.
    std::size_t workers = 1;
    /// With workers > 1: frames per batch (at most 1 MiB of them) and batches per worker in
    /// flight, the hand-off between the reading thread, the workers and the two consumer stages
    /// (docs/BENCHMARKS.md "Multi-core"). The defaults are the measured ones; tests make them
    /// tiny so that every hand-off happens under a full pool. Clamped to at least 1.
    std::size_t batchPackets = 1024;
    std::size_t batchesPerWorker = 8;
    /// Tests only (engine_workers_test): with workers > 1, called by the detection stage right
    /// after it has published a packet as analysed, to hold it there while the other stages
    /// move on (a recycled batch is refilled in that window).
    std::function<void()> afterDetectionPublished{};
    /// Tests only (engine_workers_test): false keeps a flow's dissector after it is finished(),
    /// to compare the results with and without the release.
    bool releaseFinishedDissectors = true;
    /// Live capture: the interface names by RawPacket::source (kMaxCaptureInterfaces), so devices
    /// record where they were seen (DeviceRecord::interfaces). Empty for a file.
    std::vector<std::string> interfaces{};
};

/// An alert as one line of JSON for the sensor store (every AlertRecord field), and back.
std::string encodeAlert(const AlertRecord& alert);
Result<AlertRecord> decodeAlert(std::string_view text);

/// Parses indicator list text (`source` names it in the error); the number of indicators.
Result<std::size_t> checkIndicators(const std::string& text, const std::string& source);

class Engine {
public:
    explicit Engine(EngineOptions options = {});
    ~Engine();
    Engine(const Engine&) = delete;
    Engine& operator=(const Engine&) = delete;

    /// Runs one captured frame through the pipeline. Never throws; malformed input is counted.
    void process(const RawPacket& packet);
    /// End of the capture (or of a replay): delivers every flow's out-of-order TCP data still
    /// buffered, declaring the holes before it as gaps. Processing may continue afterwards.
    void finish();

    void setLearning(bool on);
    bool learning() const;
    /// Baseline as opaque text (one item per line) so a store can persist and restore it.
    std::string exportBaseline() const;
    void importBaseline(const std::string& text);
    /// Alert handling, kept in the baseline text (sensor-agent/detect/README.md): Learn (the
    /// alert's pattern joins the baseline, it stops firing), Mute / unmute (type + devices
    /// suppressed), exclusion rules "TYPE|* DEVICE|* SUBNET|* HH:MM-HH:MM|*".
    bool learnAlert(const std::string& alertId);
    bool muteAlert(const std::string& alertId, bool muted = true);
    Status addExclusion(const std::string& rule);
    /// Replaces the port aliases (PROTOCOL=tcp/PORT ...; config reload): flows that start from
    /// now on use them. An unknown protocol or malformed spec is an error and nothing changes.
    Status setPortAliases(const std::vector<std::string>& specs);
    /// Replaces the site's network facts ([network]: ICS subnets, VLAN names, DHCP ranges).
    /// Checked as a whole: on an error nothing changes. Devices whose VLAN names change are
    /// reported again by takeChanges().
    Status setNetwork(const config::NetworkSettings& network);

    ChangeSet takeChanges();
    /// Evidence captures completed since the last call (a capture completes once it holds
    /// alertPackets, its flow ends, 10 s of capture time passed, or at finish()).
    std::vector<AlertEvidence> takeEvidence();
    /// Operational alerts about the sensor itself (sensor_capture, sensor_eviction), raised by
    /// the process that runs the engine; `detail` fills the alert text's {detail}.
    void raiseSensorAlert(const std::string& type, const std::string& detail,
                          std::int64_t timestampMs);
    std::vector<DeviceRecord> devices() const;
    std::vector<ConnectionRecord> connections() const;
    std::vector<OperationRecord> operations() const;
    std::vector<AlertRecord> alerts() const;
    /// devices(), connections() and operations() one record at a time, in the same order,
    /// without holding them all (analyze --json writes 200,000 connections as they come; the
    /// snapshot took ~340 bytes each). The record lives during the call only; `visit` must not call
    /// the engine. Returns how many were visited (connectionCount(), operationCount()).
    std::size_t forEachDevice(const std::function<void(const DeviceRecord&)>& visit) const;
    std::size_t forEachConnection(const std::function<void(const ConnectionRecord&)>& visit) const;
    std::size_t forEachOperation(const std::function<void(const OperationRecord&)>& visit) const;
    std::size_t connectionCount() const;
    std::size_t operationCount() const;
    /// Alerts a store kept from before a restart (encodeAlert / decodeAlert): Learn and Mute
    /// by id, and aggregation, keep working on them. Not reported by takeChanges().
    void restoreAlerts(const std::vector<AlertRecord>& alerts);
    CaptureStats stats() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace ironsight::sensor
