// SPDX-License-Identifier: Apache-2.0
// Engine: decode -> flow table / TCP ordering -> dissectors -> inventory + detection.
#include "sensor-agent/engine/engine.h"

#include <charconv>
#include <mutex>
#include <set>
#include <unordered_set>

#include <nlohmann/json.hpp>

#include "sensor-agent/decode/decoder.h"
#include "sensor-agent/decode/flow_table.h"
#include "sensor-agent/detect/detector.h"
#include "sensor-agent/dissect/core/registry.h"
#include "sensor-agent/engine/evidence_recorder.h"
#include "sensor-agent/inventory/inventory.h"
#include "sensor-agent/plugins/plugin_loader.h"

namespace ironsight::sensor {
namespace {

constexpr std::size_t kMaxAppBuffer = 64 * 1024;  // unparsed bytes kept per flow direction
constexpr std::uint8_t kHeuristicProbes = 4;  // payload packets offered to the heuristics
constexpr std::uint32_t kMaxDeferred = 16;  // packets a flow waits for the heuristics at most

/// Engine state attached to a flow: the bound dissector and its per-direction unparsed bytes.
struct AppFlow : decode::FlowExtension {
    const dissect::DissectorInfo* info = nullptr;
    dissect::DissectorPtr dissector;
    bool serverIsA = false;
    std::vector<std::uint8_t> pending[2];
    // The inventory connection counted into (looked up once per flow; again if serverIsA flips).
    inventory::Inventory::ConnInfo* connection = nullptr;
    bool connectionResolved = false, connectionServerIsA = false;
    std::uint8_t probesLeft = kHeuristicProbes;  // heuristics, for flows no port binds
    // Packets held back from the inventory while heuristics may still claim the flow.
    std::uint32_t deferredPackets = 0;
    std::uint64_t deferredBytes = 0;
    std::int64_t deferredFirstUs = 0;
    PacketRing recent;                        // alert evidence: this flow's recent packets
};

bool sameDevice(const DeviceRecord& a, const DeviceRecord& b) {
    return a.macs == b.macs && a.ips == b.ips && a.vlans == b.vlans &&
           a.vlanNames == b.vlanNames && a.vendor == b.vendor &&
           a.model == b.model && a.firmware == b.firmware && a.hostname == b.hostname &&
           a.type == b.type && a.purdueLevel == b.purdueLevel && a.protocols == b.protocols &&
           a.identityJson == b.identityJson && a.evidence == b.evidence &&
           b.lastSeenMs - a.lastSeenMs < 60000;
}

bool sameConnection(const ConnectionRecord& a, const ConnectionRecord& b) {
    return a.src == b.src && a.dst == b.dst && a.operations == b.operations &&
           b.lastSeenMs - a.lastSeenMs < 60000;
}

std::string connectionKey(const ConnectionRecord& c) {
    return c.srcIp + "|" + c.dstIp + "|" + c.transport + "|" + std::to_string(c.port) + "|" +
           c.protocol;
}

}  // namespace

struct Engine::Impl : dissect::EventSink {
    explicit Impl(EngineOptions o)
        : plugins(o.plugins),
          flows(decode::FlowLimits{.maxFlows = o.maxFlows}),
          detector(o.learning,
                   detect::DetectorOptions{.silentAfterUs = o.silentAfterSeconds * 1'000'000}),
          evidence(o.evidence) {
        // Alert engines: devices named by the inventory; indicators checked by analyze/run.
        detector.setDeviceNamer([this](const std::string& ip) {
            return inventory.deviceIdForIp(ip);
        });
        if (auto list = detect::IndicatorList::parse(o.indicators)) detector.setIndicators(*list);
        registryStatus = dissect::registerAllDissectors(registry);
        if (plugins) {
            plugins->registerInto(registry);  // their ports were checked free when loaded
            pluginHeuristics = plugins->hasHeuristics();
        }
        for (const auto& info : registry.all()) {
            if (info.heuristic && info.probe) heuristicDissectors.push_back(&info);
        }
        heuristics = pluginHeuristics || !heuristicDissectors.empty();
        applyPortAliases(o.portAliases);
        (void)applyNetwork(o.network);  // checked by the caller (config validation)
        detector.setRaiseHook(
            [this](const std::string& id, bool created) { evidence.raised(id, created); });
        flows.setExpiryHandler([this](decode::Flow& flow) {
            evidence.hold(true);  // alerts from its buffered data: not the current packet's
            settleDeferred(flow);
            flushFlow(flow);
            evidence.hold(false);
            if (flow.extension) evidence.flowEnded(static_cast<AppFlow&>(*flow.extension).recent);
            if (&flow == scratchFlow) scratchFlow = nullptr;  // its memory may be reused
        });
        for (const auto& info : registry.frameDissectors()) frameDissectors[&info] = info.create();
    }

    void process(const RawPacket& raw);
    void onTcpOrUdp(const decode::DecodedPacket& p);
    void onTcpGap(AppFlow& app, int senderIsB, decode::GapReason reason);
    void flushFlow(decode::Flow& flow);
    void finish();
    void onFrame(const decode::DecodedPacket& p);
    void observeHost(const decode::IpAddress& ip, std::int64_t tsUs);
    void observeNewFlow(const decode::Flow& flow, const AppFlow& app, bool tcp, std::int64_t tsUs);
    void deliver(decode::Flow& flow, AppFlow& app, int senderIsB,
                 std::span<const std::uint8_t> data, std::int64_t tsUs);
    const dissect::FlowContext& context(const decode::Flow& flow, const AppFlow& app,
                                        std::int64_t tsUs);

    // EventSink
    void onOperation(const dissect::FlowContext& flow, const dissect::Operation& op) override {
        inventory.observeOperation(flow, op);
        detector.onOperation(flow, op, inventory.deviceIdFor(flow.clientIp, flow.clientMac),
                             inventory.deviceIdFor(flow.serverIp, flow.serverMac));
    }
    void onIdentity(const dissect::FlowContext& flow, const dissect::Identity& id) override {
        inventory.observeIdentity(flow, id);
    }
    void onAnomaly(const dissect::FlowContext& flow, std::string_view protocol,
                   std::string_view anomalyId) override {
        ++anomalies[std::string(protocol) + "." + std::string(anomalyId)];
        detector.onAnomaly(flow, protocol, anomalyId);
    }
    void onFinding(const dissect::FlowContext& flow, const dissect::Finding& finding) override {
        detector.onFinding(flow, finding);
    }
    void probeHeuristics(decode::Flow& flow, AppFlow& app, const decode::DecodedPacket& p);
    void applyPortAliases(const std::vector<PortAlias>& aliases) {
        portAliases.clear();
        for (const auto& alias : aliases) {
            const auto transport = alias.tcp ? dissect::Transport::Tcp : dissect::Transport::Udp;
            if (const auto* info = registry.byName(transport, alias.protocol)) {
                portAliases[{alias.tcp, alias.port}] = info;
            }
        }
    }
    Status applyNetwork(const config::NetworkSettings& network) {
        if (auto st = config::checkNetworkSettings(network); !st) return st;
        std::string subnets;
        for (const auto& s : network.icsSubnets) subnets += s + "\n";
        auto ics = detect::IndicatorList::parse(subnets, "network.ics_subnets");
        if (!ics) return ics.error();
        std::vector<std::pair<std::uint32_t, std::uint32_t>> ranges;
        for (const auto& d : network.dhcpRanges) {
            const auto r = config::parseDhcpRange(d);
            ranges.emplace_back(r->first, r->last);
        }
        std::map<std::uint32_t, std::string> names;
        for (const auto& v : network.vlanNames) names.insert(*config::parseVlanName(v));
        detector.setNetworkPolicy(std::move(*ics), std::move(ranges));
        vlanNames = std::move(names);
        return {};
    }
    /// The site's names of the device's VLANs (DeviceRecord::vlanNames).
    void nameVlans(DeviceRecord& d) const {
        d.vlanNames.clear();
        for (const auto id : d.vlans) {
            if (auto it = vlanNames.find(id); it != vlanNames.end()) d.vlanNames[id] = it->second;
        }
    }
    /// The dissector a server port binds: the site's port aliases first, then the defaults.
    const dissect::DissectorInfo* boundTo(dissect::Transport transport, std::uint16_t port) const {
        if (!portAliases.empty()) {
            const auto it = portAliases.find({transport == dissect::Transport::Tcp, port});
            if (it != portAliases.end()) return it->second;
        }
        return registry.forPort(transport, port);
    }
    void resolveConnection(const decode::Flow& flow, AppFlow& app, std::int64_t tsUs);
    void settleDeferred(decode::Flow& flow);

    // First member, destroyed last: plugin libraries outlive every flow's plugin dissector.
    std::shared_ptr<const plugins::PluginSet> plugins;
    bool pluginHeuristics = false;
    bool heuristics = false;  // built-in or plugin probes for flows no port binds
    std::vector<const dissect::DissectorInfo*> heuristicDissectors;  // built in, into registry
    std::map<std::pair<bool, std::uint16_t>, const dissect::DissectorInfo*> portAliases;
    mutable std::mutex mutex;
    Status registryStatus;
    dissect::DissectorRegistry registry;
    std::map<const dissect::FrameDissectorInfo*, dissect::FrameDissectorPtr> frameDissectors;
    decode::Decoder decoder;
    decode::FlowTable flows;
    inventory::Inventory inventory;
    detect::Detector detector;
    EvidenceRecorder evidence;  // after detector and flows: destroyed before them
    std::map<std::string, std::uint64_t> anomalies;
    CaptureStats stats;
    std::int64_t firstUs = -1, lastUs = 0;
    // Hosts the detector already knows (it keeps them for good): its onHost() is a no-op for
    // them, so the per-packet text conversion and lookup are skipped.
    std::unordered_set<decode::IpAddress, inventory::IpHash> knownHosts;
    // context()'s buffer and the flow it describes (reset when a flow is dropped).
    dissect::FlowContext scratchContext;
    const decode::Flow* scratchFlow = nullptr;
    bool scratchServerIsA = false;
    std::map<std::string, DeviceRecord> sentDevices;
    std::map<std::string, ConnectionRecord> sentConnections;
    std::map<std::uint32_t, std::string> vlanNames;  // [network] vlan_names
};

void Engine::Impl::process(const RawPacket& raw) {
    ++stats.packets;
    stats.bytes += raw.wireLength;
    if (firstUs < 0) firstUs = raw.timestampUs;
    lastUs = std::max(lastUs, raw.timestampUs);
    evidence.packet(raw);
    decode::DecodedPacket p;
    const auto status = decoder.decode(raw, p);
    if (status == decode::DecodeStatus::Malformed) return;
    detector.onPacket(p);  // anomaly / operational / IOC engines (packet time)
    if (p.isArp) {
        inventory.observeArp(p);
        if (p.arp.senderIp.isUnicastHost()) observeHost(p.arp.senderIp, p.timestampUs);
        return;
    }
    inventory.observePacket(p);
    if (p.hasIp && p.srcIp.isUnicastHost()) observeHost(p.srcIp, p.timestampUs);
    if (status == decode::DecodeStatus::Ok && !p.hasIp && !p.l2Payload.empty()) onFrame(p);
    if (status != decode::DecodeStatus::Ok || !p.hasIp) return;
    if (p.l4 == decode::L4::Tcp || p.l4 == decode::L4::Udp) onTcpOrUdp(p);
}

/// Policy input: a host that sends (new_device when it is not in the baseline).
void Engine::Impl::observeHost(const decode::IpAddress& ip, std::int64_t tsUs) {
    if (knownHosts.count(ip)) return;
    const std::string text = ip.toString();
    // Learning: after this call the host is in the baseline for good (later calls are no-ops).
    if (detector.learning()) knownHosts.insert(ip);
    detector.onHost(text, tsUs, [&] { return inventory.deviceIdForIp(text); });
}

/// Policy input: a new transport conversation (unauthorized_connection / new_protocol).
void Engine::Impl::observeNewFlow(const decode::Flow& flow, const AppFlow& app, bool tcp,
                                  std::int64_t tsUs) {
    const auto& server = app.serverIsA ? flow.key.ipA : flow.key.ipB;
    const auto& client = app.serverIsA ? flow.key.ipB : flow.key.ipA;
    detect::ConnectionEvent c;
    c.clientIp = client.toString();
    c.serverIp = server.toString();
    c.transport = tcp ? "tcp" : "udp";
    c.serverPort = app.serverIsA ? flow.key.portA : flow.key.portB;
    c.protocol = app.info ? app.info->name : "";
    // Directed broadcasts (x.x.x.255) of discovery protocols are not connections to a device.
    c.unicast = client.isUnicastHost() && server.isUnicastHost() &&
                (server.v6 || tcp || server.bytes[3] != 255);
    c.timestampUs = tsUs;
    detector.onConnection(c, inventory.deviceIdForIp(c.clientIp),
                          inventory.deviceIdForIp(c.serverIp));
}

void Engine::Impl::onTcpOrUdp(const decode::DecodedPacket& p) {
    auto lookup = flows.track(p);
    if (!lookup.flow) return;
    decode::Flow& flow = *lookup.flow;
    const bool tcp = p.l4 == decode::L4::Tcp;
    const auto transport = tcp ? dissect::Transport::Tcp : dissect::Transport::Udp;
    if (!flow.extension) {
        auto app = std::make_unique<AppFlow>();
        // Server side: the dissector's registered port; else the lower port (SPEC / truth files).
        if (const auto* info = boundTo(transport, flow.key.portB)) {
            app->info = info;
            app->serverIsA = false;
        } else if (const auto* infoA = boundTo(transport, flow.key.portA)) {
            app->info = infoA;
            app->serverIsA = true;
        } else {
            app->serverIsA = flow.key.portA < flow.key.portB ||
                             (flow.key.portA == flow.key.portB && !flow.initiatorIsA);
            if (tcp && flow.sawSyn) app->serverIsA = !flow.initiatorIsA;
        }
        if (app->info) app->dissector = app->info->create();
        observeNewFlow(flow, *app, tcp, p.timestampUs);
        flow.extension = std::move(app);
    }
    auto& app = static_cast<AppFlow&>(*flow.extension);
    evidence.inFlow(app.recent);
    if (!app.info && tcp && flow.sawSyn) app.serverIsA = !flow.initiatorIsA;  // SYN seen late
    if (!app.info && heuristics && app.probesLeft > 0) {
        if (!p.payload.empty()) probeHeuristics(flow, app, p);
        // Undecided: the packet waits in the flow instead of landing on a connection without a
        // protocol, so a flow a heuristic claims is one connection under the plugin's name.
        if (!app.info && app.probesLeft > 0 && app.deferredPackets < kMaxDeferred) {
            if (app.deferredPackets++ == 0) app.deferredFirstUs = p.timestampUs;
            app.deferredBytes += p.wireLength;
            return;  // no dissector yet either
        }
        app.probesLeft = 0;
    }

    if (!app.connectionResolved || app.connectionServerIsA != app.serverIsA) {
        resolveConnection(flow, app, p.timestampUs);
    }
    if (app.connection) inventory::Inventory::count(*app.connection, p.wireLength, p.timestampUs);
    if (!app.dissector) return;
    const int senderIsB = lookup.direction;  // 0: sent by a
    if (tcp) {
        const auto onData = [&](int sender) {
            return [&, sender](std::span<const std::uint8_t> data) {
                deliver(flow, app, sender, data, p.timestampUs);
            };
        };
        const auto onGap = [&](int sender) {
            return [&, sender](decode::GapReason reason) { onTcpGap(app, sender, reason); };
        };
        if (p.tcpFlags & decode::tcpflag::kAck) {
            // The peer's buffered data behind a hole this packet acknowledges is delivered now:
            // the hole was lost by the capture, not by the network.
            auto& peer = flow.tcp[1 - senderIsB];
            if (peer.bufferedBytes() > 0) {
                peer.acked(p.ack, onData(1 - senderIsB), onGap(1 - senderIsB));
            } else {
                peer.acked(p.ack);
            }
        }
        flow.tcp[senderIsB].segment(p.seq, p.tcpFlags, p.payload, onData(senderIsB),
                                    onGap(senderIsB));
    } else if (!p.payload.empty()) {
        app.pending[senderIsB].clear();  // datagrams do not span packets
        deliver(flow, app, senderIsB, p.payload, p.timestampUs);
    }
}

void Engine::Impl::resolveConnection(const decode::Flow& flow, AppFlow& app, std::int64_t tsUs) {
    static const std::string kNone;
    const auto& serverIp = app.serverIsA ? flow.key.ipA : flow.key.ipB;
    const auto& clientIp = app.serverIsA ? flow.key.ipB : flow.key.ipA;
    const std::uint16_t serverPort = app.serverIsA ? flow.key.portA : flow.key.portB;
    const bool tcp = flow.key.protocol == 6;
    app.connection = inventory.connection(clientIp, serverIp, tcp ? "tcp" : "udp", serverPort,
                                          app.info ? app.info->name : kNone, tsUs);
    app.connectionResolved = true;
    app.connectionServerIsA = app.serverIsA;
    if (app.deferredPackets > 0) {  // what waited for the plugin heuristics
        if (app.connection) {
            auto& c = *app.connection;
            c.packets += app.deferredPackets;
            c.bytes += app.deferredBytes;
            c.firstUs = std::min(c.firstUs, app.deferredFirstUs);
            c.lastUs = std::max(c.lastUs, tsUs);
        }
        app.deferredPackets = 0;
        app.deferredBytes = 0;
    }
}

/// A flow that ends (expiry, end of capture) while the heuristics were still undecided: its
/// packets go to a connection without a protocol after all.
void Engine::Impl::settleDeferred(decode::Flow& flow) {
    if (!flow.extension) return;
    auto& app = static_cast<AppFlow&>(*flow.extension);
    if (app.deferredPackets == 0) return;
    app.probesLeft = 0;
    resolveConnection(flow, app, flow.lastUs);
}

/// A flow no port binds: its first payload packets are offered to the heuristics, the built-in
/// dissectors' specific probes first, then the plugins'. On a match the flow's connection is
/// resolved under the protocol's name (the packets before, such as the handshake, waited in
/// AppFlow and join it).
void Engine::Impl::probeHeuristics(decode::Flow& flow, AppFlow& app,
                                   const decode::DecodedPacket& p) {
    --app.probesLeft;
    const auto transport =
        p.l4 == decode::L4::Tcp ? dissect::Transport::Tcp : dissect::Transport::Udp;
    const dissect::DissectorInfo* match = nullptr;
    auto answer = dissect::Probe::NoMatch;
    for (const auto* info : heuristicDissectors) {
        if (info->transport != transport) continue;
        const auto r = info->probe(p.payload);
        if (r == dissect::Probe::Match) {
            match = info;
            answer = r;
            break;
        }
        if (r == dissect::Probe::NeedMore) answer = r;
    }
    if (!match && pluginHeuristics) {
        const auto r = plugins->probe(context(flow, app, p.timestampUs), p.payload, match);
        if (r != dissect::Probe::NoMatch) answer = r;
    }
    if (answer == dissect::Probe::NoMatch) app.probesLeft = 0;
    if (answer != dissect::Probe::Match || !match) return;
    app.probesLeft = 0;
    app.info = match;
    app.dissector = match->create();
    app.connectionResolved = false;  // resolved again, under the protocol's name
}

/// Bytes of one direction were given up on: the dissector drops partial state and resyncs.
void Engine::Impl::onTcpGap(AppFlow& app, int senderIsB, decode::GapReason reason) {
    ++anomalies[std::string("tcp.gap_") + decode::toString(reason)];
    app.pending[senderIsB].clear();
    const bool fromServer = (senderIsB == 0) == app.serverIsA;
    app.dissector->onGap(fromServer ? dissect::Direction::ToClient : dissect::Direction::ToServer);
}

/// Delivers what a TCP flow still buffers behind holes (end of capture, idle expiry).
void Engine::Impl::flushFlow(decode::Flow& flow) {
    if (flow.key.protocol != 6 || !flow.extension) return;
    auto& app = static_cast<AppFlow&>(*flow.extension);
    if (!app.dissector) return;
    for (int sender = 0; sender < 2; ++sender) {
        if (flow.tcp[sender].bufferedBytes() == 0) continue;
        flow.tcp[sender].flush(
            [&](std::span<const std::uint8_t> data) {
                deliver(flow, app, sender, data, flow.lastUs);
            },
            [&](decode::GapReason reason) { onTcpGap(app, sender, reason); });
    }
}

void Engine::Impl::finish() {
    flows.forEach([this](decode::Flow& flow) {
        settleDeferred(flow);
        flushFlow(flow);
    });
    evidence.finish();
}

/// Ethernet-level protocols (LLDP, CDP, Profinet DCP): by EtherType or LLC/SNAP id, per frame.
void Engine::Impl::onFrame(const decode::DecodedPacket& p) {
    if (p.srcMac == decode::MacAddress{}) return;  // no sender MAC (e.g. a cooked capture)
    std::span<const std::uint8_t> inner;
    const auto* info = registry.forFrame(p.etherType, p.l2Payload, inner);
    if (!info) return;
    auto it = frameDissectors.find(info);
    if (it == frameDissectors.end() || !it->second) return;
    dissect::FrameContext frame;
    frame.srcMac = decode::toString(p.srcMac);
    frame.dstMac = decode::toString(p.dstMac);
    frame.vlan = p.vlan();
    frame.etherType = p.etherType;
    frame.timestampUs = p.timestampUs;
    it->second->onFrame(frame, inner, *this);
}

/// The dissectors' view of a flow, rebuilt in a reused buffer (no allocation: IP texts fit the
/// strings' inline storage) rather than kept per flow (memory per concurrent flow matters more).
const dissect::FlowContext& Engine::Impl::context(const decode::Flow& flow, const AppFlow& app,
                                                  std::int64_t tsUs) {
    dissect::FlowContext& ctx = scratchContext;
    if (&flow != scratchFlow || app.serverIsA != scratchServerIsA) {
        ctx.serverIp = (app.serverIsA ? flow.key.ipA : flow.key.ipB).toString();
        ctx.clientIp = (app.serverIsA ? flow.key.ipB : flow.key.ipA).toString();
        ctx.serverPort = app.serverIsA ? flow.key.portA : flow.key.portB;
        ctx.clientPort = app.serverIsA ? flow.key.portB : flow.key.portA;
        ctx.transport = flow.key.protocol == 6 ? dissect::Transport::Tcp : dissect::Transport::Udp;
        scratchFlow = &flow;
        scratchServerIsA = app.serverIsA;
    }
    ctx.timestampUs = tsUs;
    return ctx;
}

void Engine::Impl::deliver(decode::Flow& flow, AppFlow& app, int senderIsB,
                           std::span<const std::uint8_t> data, std::int64_t tsUs) {
    const bool fromServer = (senderIsB == 0) == app.serverIsA;
    const auto dir = fromServer ? dissect::Direction::ToClient : dissect::Direction::ToServer;
    const auto& ctx = context(flow, app, tsUs);
    auto& pending = app.pending[senderIsB];
    std::span<const std::uint8_t> input = data;
    if (!pending.empty()) {
        pending.insert(pending.end(), data.begin(), data.end());
        input = pending;
    }
    const auto result = app.dissector->onData(ctx, dir, input, *this);
    if (result.status == dissect::ParseResult::Status::Error) {
        pending.clear();
        return;
    }
    const std::size_t consumed = std::min(result.consumed, input.size());
    if (consumed == input.size()) {
        pending.clear();
        return;
    }
    if (input.size() - consumed > kMaxAppBuffer) {
        ++anomalies[app.info->name + ".buffer_overflow"];
        pending.clear();
        app.dissector->onGap(dir);
        return;
    }
    // Keep the unconsumed tail in place (no new buffer per call).
    if (pending.empty()) {
        pending.assign(input.begin() + static_cast<std::ptrdiff_t>(consumed), input.end());
    } else {
        pending.erase(pending.begin(), pending.begin() + static_cast<std::ptrdiff_t>(consumed));
    }
}

Engine::Engine(EngineOptions options) : impl_(std::make_unique<Impl>(options)) {}
Engine::~Engine() = default;

void Engine::process(const RawPacket& packet) {
    std::lock_guard lock(impl_->mutex);
    impl_->process(packet);
    impl_->evidence.endPacket();
}

void Engine::finish() {
    std::lock_guard lock(impl_->mutex);
    impl_->finish();
}

void Engine::setLearning(bool on) {
    std::lock_guard lock(impl_->mutex);
    impl_->detector.setLearning(on);
}

bool Engine::learning() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->detector.learning();
}

std::string Engine::exportBaseline() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->detector.exportBaseline();
}

void Engine::importBaseline(const std::string& text) {
    std::lock_guard lock(impl_->mutex);
    impl_->detector.importBaseline(text);
}

Status Engine::setNetwork(const config::NetworkSettings& network) {
    std::lock_guard lock(impl_->mutex);
    return impl_->applyNetwork(network);
}

Status Engine::setPortAliases(const std::vector<std::string>& specs) {
    std::vector<PortAlias> aliases;
    for (const auto& spec : specs) {
        auto alias = parsePortAlias(spec, impl_->plugins.get());
        if (!alias) return alias.error();
        aliases.push_back(*alias);
    }
    std::lock_guard lock(impl_->mutex);
    impl_->applyPortAliases(aliases);
    return {};
}

void Engine::restoreAlerts(const std::vector<AlertRecord>& alerts) {
    std::lock_guard lock(impl_->mutex);
    impl_->detector.restoreAlerts(alerts);
}

std::string encodeAlert(const AlertRecord& a) {
    const nlohmann::json j = {
        {"id", a.id},         {"engine", a.engine},
        {"type", a.type},     {"severity", static_cast<int>(a.severity)},
        {"title", a.title},   {"description", a.description},
        {"remediation", a.remediation},
        {"src", a.src},       {"dst", a.dst},
        {"src_ip", a.srcIp},  {"dst_ip", a.dstIp},
        {"protocol", a.protocol}, {"mitre", a.mitre},
        {"count", a.count},   {"first_seen_ms", a.firstSeenMs},
        {"last_seen_ms", a.lastSeenMs}};
    // Replace invalid UTF-8 (texts carry protocol strings) rather than throw.
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Result<AlertRecord> decodeAlert(std::string_view text) {
    try {
        const auto j = nlohmann::json::parse(text);
        AlertRecord a;
        a.id = j.at("id").get<std::string>();
        a.engine = j.at("engine").get<std::string>();
        a.type = j.at("type").get<std::string>();
        const int severity = j.at("severity").get<int>();
        if (severity < 1 || severity > 4) return makeError("stored alert: bad severity");
        a.severity = static_cast<Severity>(severity);
        a.title = j.at("title").get<std::string>();
        a.description = j.at("description").get<std::string>();
        a.remediation = j.at("remediation").get<std::string>();
        a.src = j.at("src").get<std::string>();
        a.dst = j.at("dst").get<std::string>();
        a.srcIp = j.at("src_ip").get<std::string>();
        a.dstIp = j.at("dst_ip").get<std::string>();
        a.protocol = j.at("protocol").get<std::string>();
        a.mitre = j.at("mitre").get<std::string>();
        a.count = j.at("count").get<std::uint64_t>();
        a.firstSeenMs = j.at("first_seen_ms").get<std::int64_t>();
        a.lastSeenMs = j.at("last_seen_ms").get<std::int64_t>();
        if (a.id.empty() || a.type.empty()) return makeError("stored alert: no id or type");
        return a;
    } catch (const nlohmann::json::exception& e) {
        return makeError(std::string("stored alert: ") + e.what());
    }
}

bool Engine::learnAlert(const std::string& alertId) {
    std::lock_guard lock(impl_->mutex);
    return impl_->detector.learnAlert(alertId);
}

bool Engine::muteAlert(const std::string& alertId, bool muted) {
    std::lock_guard lock(impl_->mutex);
    return impl_->detector.muteAlert(alertId, muted);
}

Status Engine::addExclusion(const std::string& rule) {
    std::lock_guard lock(impl_->mutex);
    return impl_->detector.addExclusion(rule);
}

std::vector<AlertEvidence> Engine::takeEvidence() {
    std::lock_guard lock(impl_->mutex);
    return impl_->evidence.take();
}

void Engine::raiseSensorAlert(const std::string& type, const std::string& detail,
                              std::int64_t timestampMs) {
    std::lock_guard lock(impl_->mutex);
    impl_->detector.raiseSensor(type, detail, timestampMs * 1000);
}

ChangeSet Engine::takeChanges() {
    std::lock_guard lock(impl_->mutex);
    ChangeSet changes;
    for (auto& d : impl_->inventory.devices()) {
        impl_->nameVlans(d);
        auto it = impl_->sentDevices.find(d.id);
        if (it != impl_->sentDevices.end() && sameDevice(it->second, d)) continue;
        impl_->sentDevices[d.id] = d;
        changes.devices.push_back(std::move(d));
    }
    for (auto& c : impl_->inventory.connections()) {
        const std::string key = connectionKey(c);
        auto it = impl_->sentConnections.find(key);
        if (it != impl_->sentConnections.end() && sameConnection(it->second, c)) continue;
        impl_->sentConnections[key] = c;
        changes.connections.push_back(std::move(c));
    }
    const auto changed = impl_->detector.takeChangedAlertIds();
    for (auto& a : impl_->detector.alerts()) {
        if (changed.count(a.id)) changes.alerts.push_back(std::move(a));
    }
    return changes;
}

std::vector<DeviceRecord> Engine::devices() const {
    std::lock_guard lock(impl_->mutex);
    auto devices = impl_->inventory.devices();
    for (auto& d : devices) impl_->nameVlans(d);
    return devices;
}

std::vector<ConnectionRecord> Engine::connections() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->inventory.connections();
}

std::vector<OperationRecord> Engine::operations() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->inventory.operations();
}

std::vector<AlertRecord> Engine::alerts() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->detector.alerts();
}

Result<PortAlias> parsePortAlias(std::string_view spec, const plugins::PluginSet* plugins) {
    const std::string text(spec);
    const auto fail = [&](const std::string& why) {
        return makeError("port alias '" + text + "': " + why +
                         " (expected PROTOCOL=tcp/PORT or PROTOCOL=udp/PORT, e.g. modbus=tcp/5020)");
    };
    const auto eq = spec.find('=');
    const auto slash = spec.find('/');
    if (eq == std::string_view::npos || slash == std::string_view::npos || slash < eq) {
        return fail("malformed");
    }
    PortAlias alias;
    alias.protocol = std::string(spec.substr(0, eq));
    const auto transport = spec.substr(eq + 1, slash - eq - 1);
    const auto port = spec.substr(slash + 1);
    if (transport != "tcp" && transport != "udp") return fail("transport must be tcp or udp");
    alias.tcp = transport == "tcp";
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc{} || end != port.data() + port.size() || value == 0 || value > 65535) {
        return fail("port must be 1-65535");
    }
    alias.port = static_cast<std::uint16_t>(value);
    dissect::DissectorRegistry registry;
    if (auto st = dissect::registerAllDissectors(registry); !st) return st.error();
    if (plugins) plugins->registerInto(registry);
    const auto t = alias.tcp ? dissect::Transport::Tcp : dissect::Transport::Udp;
    if (!registry.byName(t, alias.protocol)) {
        std::string known;
        for (const auto& info : registry.all()) {
            if (info.transport != t) continue;
            known += (known.empty() ? "" : ", ") + info.name;
        }
        return fail("no " + std::string(transport) + " dissector named '" + alias.protocol +
                    "' (known: " + known + ")");
    }
    return alias;
}

Result<std::size_t> checkIndicators(const std::string& text, const std::string& source) {
    auto list = detect::IndicatorList::parse(text, source);
    if (!list) return list.error();
    return list->size();
}

CaptureStats Engine::stats() const {
    std::lock_guard lock(impl_->mutex);
    CaptureStats s = impl_->stats;
    const auto& decoded = impl_->decoder.counters();
    s.malformed = decoded.malformed;
    for (int r = 0; r < static_cast<int>(decode::Malformed::Count); ++r) {
        if (decoded.byReason[r] > 0) {
            s.malformedByReason[decode::toString(static_cast<decode::Malformed>(r))] =
                decoded.byReason[r];
        }
    }
    const auto& fragments = impl_->decoder.ipv4Reassembler().counters();
    s.ipv4Fragments = fragments.fragments;
    s.ipv4Reassembled = fragments.reassembled;
    s.ipv4FragmentDuplicates = fragments.duplicates;
    for (int r = 0; r < static_cast<int>(decode::FragmentDrop::Count); ++r) {
        if (fragments.dropped[r] > 0) {
            s.ipv4FragmentDrops[decode::toString(static_cast<decode::FragmentDrop>(r))] =
                fragments.dropped[r];
        }
    }
    s.flowsActive = impl_->flows.size();
    s.flowsEvicted = impl_->flows.evicted();
    s.evidenceCaptures = impl_->evidence.captures();
    s.evidenceDropped = impl_->evidence.dropped();
    s.seconds =
        impl_->firstUs < 0 ? 0.0 : static_cast<double>(impl_->lastUs - impl_->firstUs) / 1e6;
    return s;
}

}  // namespace ironsight::sensor
