// SPDX-License-Identifier: Apache-2.0
// Detector: baseline bookkeeping, the shared aggregation (raise) and the policy alerts
// (new_device, unauthorized_connection, new_protocol, unauthorized_write, program_transfer,
// mode_change, restart_command, firmware_update; internet_access, remote_access and rogue_dhcp
// are in policy_engine.cpp).
#include "sensor-agent/detect/detector.h"

#include <algorithm>
#include <cstdio>
#include <iterator>
#include <sstream>
#include <utility>

#include "sensor-agent/detect/alert_catalog.h"

namespace ironsight::sensor::detect {
namespace {

std::string talkItem(const std::string& protocol, const std::string& client,
                     const std::string& server) {
    return "talk " + protocol + " " + client + " " + server;
}

std::string connKey(const std::string& transport, const std::string& client,
                    const std::string& server, std::uint16_t port) {
    return transport + " " + client + " " + server + " " + std::to_string(port);
}

std::string pairKey(std::string_view protocol, std::string_view a, std::string_view b) {
    if (b < a) std::swap(a, b);
    std::string key;
    key.reserve(protocol.size() + a.size() + b.size() + 2);
    key.append(protocol).append(" ").append(a).append(" ").append(b);
    return key;
}

std::string opItem(std::string_view type, const std::string& protocol, const std::string& client,
                   const std::string& server) {
    return "op " + std::string(type) + " " + protocol + " " + client + " " + server;
}

std::string protocolTitle(const std::string& protocol) {
    static const std::map<std::string, std::string> titles = {
        {"modbus", "Modbus"}, {"dnp3", "DNP3"},     {"s7comm", "S7"},     {"enip", "EtherNet/IP"},
        {"cip", "CIP"},       {"bacnet", "BACnet"}, {"iec104", "IEC 104"}};
    auto it = titles.find(protocol);
    return it != titles.end() ? it->second : protocol;
}

/// The whitespace-separated words of a line (what `istringstream >> word` gives, without the
/// stream: learn() splits every new baseline item).
std::vector<std::string_view> wordViews(std::string_view line) {
    const auto space = [](char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
    };
    std::vector<std::string_view> out;
    out.reserve(8);  // one allocation: items have up to 6 words
    std::size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && space(line[i])) ++i;
        const std::size_t start = i;
        while (i < line.size() && !space(line[i])) ++i;
        if (i > start) out.push_back(line.substr(start, i - start));
    }
    return out;
}

std::vector<std::string> words(const std::string& line) {
    std::vector<std::string> out;
    for (const auto w : wordViews(line)) out.emplace_back(w);
    return out;
}

struct FunctionType {
    std::string_view protocol, function, type;
};

// Control-class functions that change the operating mode or restart a device, by the names the
// dissectors emit (sensor-agent/dissect/*). Everything of class "program" is a program transfer
// and everything of class "firmware" a firmware update.
constexpr FunctionType kControlFunctions[] = {
    {"s7comm", "plc_stop", "mode_change"},
    {"s7comm", "plc_start", "mode_change"},
    {"enip", "start", "mode_change"},
    {"enip", "stop", "mode_change"},
    {"cip", "start", "mode_change"},
    {"cip", "stop", "mode_change"},
    {"modbus", "umas_start_plc", "mode_change"},
    {"modbus", "umas_stop_plc", "mode_change"},
    {"dnp3", "start_application", "mode_change"},
    {"dnp3", "stop_application", "mode_change"},
    {"bacnet", "device_communication_control", "mode_change"},
    {"dnp3", "cold_restart", "restart_command"},
    {"dnp3", "warm_restart", "restart_command"},
    {"enip", "reset", "restart_command"},
    {"cip", "reset", "restart_command"},
    {"bacnet", "reinitialize_device", "restart_command"},
    {"iec104", "C_RP_NA_1", "restart_command"},
};

}  // namespace

std::string_view operationAlertType(const dissect::Operation& op) {
    // Asked per request: sameText() compares without a call (most classes differ in length).
    if (sameText(op.opClass, "program")) return "program_transfer";
    if (sameText(op.opClass, "firmware")) return "firmware_update";
    if (!sameText(op.opClass, "control")) return {};
    for (const auto& f : kControlFunctions) {
        if (sameText(f.function, op.function) && sameText(f.protocol, op.protocol)) return f.type;
    }
    return {};
}

std::string alertId(const std::string& type, const std::string& srcDevice,
                    const std::string& dstDevice) {
    std::uint64_t h = 1469598103934665603ULL;
    for (const std::string* s : {&type, &srcDevice, &dstDevice}) {
        for (unsigned char c : *s) h = (h ^ c) * 1099511628211ULL;
        h = (h ^ 0xff) * 1099511628211ULL;
    }
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
    return type + "-" + buf;
}

std::string Detector::exportBaseline() const {
    // The items and the profiles' lines, in order, each once (the set they used to be copied to).
    std::vector<std::string_view> items = baseline_.sorted();
    // The records' texts: written here only (each prints back to the text it was learned as).
    std::string recordTexts;
    std::vector<std::pair<std::size_t, std::size_t>> spans;
    spans.reserve(records_.size());
    records_.appendTexts(recordTexts, spans);
    items.reserve(items.size() + spans.size());
    for (const auto& [at, length] : spans) {
        items.push_back(std::string_view(recordTexts).substr(at, length));
    }
    std::sort(items.begin(), items.end());
    const std::string profiles = exportProfiles();
    std::vector<std::string_view> lines;
    for (std::size_t at = 0; at < profiles.size();) {
        std::size_t end = profiles.find('\n', at);
        if (end == std::string::npos) end = profiles.size();
        lines.push_back(std::string_view(profiles).substr(at, end - at));
        at = end + 1;
    }
    std::sort(lines.begin(), lines.end());
    lines.erase(std::unique(lines.begin(), lines.end()), lines.end());
    std::vector<std::string_view> merged;
    merged.reserve(items.size() + lines.size());
    std::set_union(items.begin(), items.end(), lines.begin(), lines.end(),
                   std::back_inserter(merged));
    std::size_t bytes = 0;
    for (const auto item : merged) bytes += item.size() + 1;
    std::string out;
    out.reserve(bytes);
    for (const auto item : merged) out.append(item).push_back('\n');
    return out;
}

void Detector::importBaseline(const std::string& text) {
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty()) continue;
        if (!importProfile(words(line))) learn(line);
    }
}

std::string_view Detector::connKeyOf(std::string_view item) {
    // "conn transport client server port protocol" -> "transport client server port"
    const std::size_t last = item.rfind(' ');
    if (!item.starts_with("conn ") || last == std::string_view::npos || last < 5) return {};
    return item.substr(5, last - 5);
}

void Detector::noteAddress(std::uint32_t v4) {
    if (privateSite_) return;
    const auto addr = decode::IpAddress::v4(v4);
    privateSite_ = addr.isPrivate() && addr.isUnicastHost();
}

bool Detector::learnConn(bool tcp, std::uint32_t client, std::uint32_t server, std::uint16_t port,
                         std::string_view protocol, std::string_view clientText,
                         std::string_view serverText) {
    const std::uint32_t id = records_.internProtocol(protocol);
    if (id == 0) return false;
    switch (records_.addConn(tcp, client, server, port, id)) {
        case BaselineRecords::Add::Present:
            return true;
        case BaselineRecords::Add::Conflict:  // the key with another protocol: a text
            return false;
        case BaselineRecords::Add::Added:
            break;
    }
    noteAddress(client);
    noteAddress(server);
    if (!hosts_.contains(clientText)) hosts_.emplace(clientText);
    if (!hosts_.contains(serverText)) hosts_.emplace(serverText);
    if (protocol != "-") records_.addPair(id, client, server);
    if (isIcsProtocol(protocol))
        icsHosts_.insert({std::string(clientText), std::string(serverText)});
    return true;
}

bool Detector::learnTalk(std::string_view protocol, std::uint32_t client, std::uint32_t server,
                         std::string_view clientText, std::string_view serverText) {
    const std::uint32_t id = records_.internProtocol(protocol);
    if (id == 0) return false;
    if (!records_.addTalk(id, client, server)) return true;
    noteAddress(client);
    noteAddress(server);
    if (!hosts_.contains(clientText)) hosts_.emplace(clientText);
    if (!hosts_.contains(serverText)) hosts_.emplace(serverText);  // the record is its pair
    if (isIcsProtocol(protocol))
        icsHosts_.insert({std::string(clientText), std::string(serverText)});
    return true;
}

bool Detector::learnRecord(std::string_view item) {
    const bool conn = item.starts_with("conn "), talk = item.starts_with("talk ");
    if (!conn && !talk) return false;
    // Exactly 6 (conn) or 4 (talk) words between single spaces, nothing else.
    std::string_view w[6];
    std::size_t n = 0;
    for (std::size_t at = 0; at <= item.size();) {
        std::size_t end = item.find(' ', at);
        if (end == std::string_view::npos) end = item.size();
        if (n == 6 || end == at) return false;
        w[n++] = item.substr(at, end - at);
        at = end + 1;
    }
    if (n != (conn ? 6u : 4u)) return false;
    const std::string_view protocol = conn ? w[5] : w[1];
    if (protocol.find_first_of("\t\n\v\f\r") != std::string_view::npos) return false;
    std::uint32_t client = 0, server = 0;
    if (!BaselineRecords::parseV4(w[2], client) || !BaselineRecords::parseV4(w[3], server)) {
        return false;
    }
    if (talk) return learnTalk(protocol, client, server, w[2], w[3]);
    std::uint16_t port = 0;
    if ((w[1] != "tcp" && w[1] != "udp") || !BaselineRecords::parsePort(w[4], port)) return false;
    return learnConn(w[1] == "tcp", client, server, port, protocol, w[2], w[3]);
}

void Detector::learnTalkOf(const std::string& protocol, const std::string& client,
                           const std::string& server) {
    std::uint32_t a = 0, b = 0;
    if (protocol.find_first_of(" \t\n\v\f\r") == std::string::npos && !protocol.empty() &&
        BaselineRecords::parseV4(client, a) && BaselineRecords::parseV4(server, b) &&
        learnTalk(protocol, a, b, client, server)) {
        return;
    }
    learn(talkItem(protocol, client, server));
}

bool Detector::hasTalk(const std::string& protocol, const std::string& client,
                       const std::string& server) const {
    std::uint32_t a = 0, b = 0;
    if (const std::uint32_t id = records_.protocolId(protocol);
        id != 0 && BaselineRecords::parseV4(client, a) && BaselineRecords::parseV4(server, b) &&
        records_.hasTalk(id, a, b)) {
        return true;
    }
    return textTalks_ > 0 && baseline_.count(talkItem(protocol, client, server)) > 0;
}

void Detector::addPairIndex(std::string_view protocol, std::string_view a, std::string_view b) {
    std::uint32_t x = 0, y = 0;
    if (BaselineRecords::parseV4(a, x) && BaselineRecords::parseV4(b, y)) {
        if (const std::uint32_t id = records_.internProtocol(protocol)) {
            records_.addPair(id, x, y);
            return;
        }
    }
    pairProtocols_.insert(pairKey(protocol, a, b));
}

bool Detector::hasPairIndex(std::string_view protocol, std::string_view a,
                            std::string_view b) const {
    std::uint32_t x = 0, y = 0;
    if (const std::uint32_t id = records_.protocolId(protocol);
        id != 0 && BaselineRecords::parseV4(a, x) && BaselineRecords::parseV4(b, y) &&
        records_.hasPair(id, x, y)) {
        return true;
    }
    return !pairProtocols_.empty() && pairProtocols_.count(pairKey(protocol, a, b)) > 0;
}

bool Detector::knownConn(std::string_view transport, const std::string& client,
                         const std::string& server, std::uint16_t port, const V4Ends& v4) const {
    const bool tcp = sameText(transport, "tcp");
    if ((tcp || sameText(transport, "udp")) && v4.ok &&
        records_.findConn(tcp, v4.client, v4.server, port)) {
        return true;
    }
    if (conns_.empty() && connsOther_.empty()) return false;
    return knownConnText(connKey(std::string(transport), client, server, port));
}

void Detector::learn(const std::string& item) {
    if (learnRecord(item)) return;      // "conn" / "talk" items of IPv4 addresses
    if (baseline_.count(item)) return;  // the common case: cheap
    const auto w = wordViews(item);
    if (w.empty()) return;
    if (w[0] == "mute" || w[0] == "allow" || w[0] == "exclude") {
        if (indexHandling(words(item))) baseline_.insert(item);  // an invalid rule is dropped
        return;
    }
    baseline_.insert(item);
    if (w[0] == "arp") arpItems_.insert(item);
    if (w[0] == "talk") ++textTalks_;
    if (!privateSite_ && w.size() >= 2 && (w[0] == "device" || w[0] == "conn" || w[0] == "talk")) {
        for (std::size_t i = w[0] == "device" ? 1 : 2; i < w.size() && i < 4; ++i) {
            decode::IpAddress addr;
            privateSite_ = privateSite_ || (parseIpAddress(w[i], addr) && addr.isPrivate() &&
                                            addr.isUnicastHost() && !addr.v6);
        }
    }
    const auto text = [](std::string_view v) { return std::string(v); };
    if (w.size() == 4 && w[0] == "talk") {  // talk protocol client server
        hosts_.insert(text(w[2]));
        hosts_.insert(text(w[3]));
        addPairIndex(w[1], w[2], w[3]);
        if (isIcsProtocol(w[1])) icsHosts_.insert({text(w[2]), text(w[3])});
    } else if (w.size() == 2 && w[0] == "device") {
        hosts_.insert(text(w[1]));
    } else if (w.size() == 6 && w[0] == "conn") {  // conn transport client server port protocol
        hosts_.insert(text(w[2]));
        hosts_.insert(text(w[3]));
        std::string key;
        key.reserve(w[1].size() + w[2].size() + w[3].size() + w[4].size() + 3);
        key.append(w[1]).append(" ").append(w[2]).append(" ").append(w[3]).append(" ").append(w[4]);
        if (connKeyOf(item) == key) {
            conns_.insertKeyOf(item);  // the key is in the item as it is: no copy of its own
        } else {
            connsOther_.insert(key);
        }
        if (w[5] != "-") addPairIndex(w[5], w[2], w[3]);
        if (isIcsProtocol(w[5])) icsHosts_.insert({text(w[2]), text(w[3])});
    }
}

void Detector::onHost(const std::string& ip, std::int64_t timestampUs,
                      const std::function<std::string()>& deviceOf) {
    if (ip.empty()) return;
    if (learning_) {
        if (!hosts_.count(ip)) learn("device " + ip);
        return;
    }
    if (hosts_.count(ip)) return;
    // On a privately addressed site a public address is a remote host, not a device of this
    // network (its connections raise unauthorized_connection / internet_access instead).
    if (decode::IpAddress addr; privateSite_ && parseIpAddress(ip, addr) && isPublicAddress(addr)) {
        return;
    }
    const Trigger t{.srcIp = ip, .timestampUs = timestampUs};
    if (alertNames_.count("new_device " + ip + " ")) {
        raiseByAddress("new_device", t, "", "");
    } else {
        raiseByAddress("new_device", t, deviceOf ? deviceOf() : std::string(), "");
    }
}

void Detector::onConnection(const ConnectionEvent& c, const std::string& srcDevice,
                            const std::string& dstDevice) {
    onConnection(c, [&](bool server) { return server ? dstDevice : srcDevice; });
}

void Detector::onConnection(const ConnectionEvent& c, EndNamer devices) {
    if (c.clientIp.empty() || c.serverIp.empty() || !c.unicast) return;
    if (c.clientIp == c.serverIp) return;  // a host talking to itself is no path between devices
    const V4Ends v4 = V4Ends::of(c.clientIp, c.serverIp);  // parsed once for all below
    if (policyConnection(c, v4)) return;
    // A dynamic port (IANA 49152-65535) with no recognised protocol is no service: such
    // connections between two hosts are one path, port 0 in the baseline.
    const bool dynamic = c.protocol.empty() && c.serverPort >= 49152;
    const std::uint16_t port = dynamic ? 0 : c.serverPort;
    if (knownConn(c.transport, c.clientIp, c.serverIp, port, v4)) return;
    if (learning_) {
        // Both arms views: a "-" : c.protocol ternary would make a temporary std::string.
        const std::string_view protocol =
            c.protocol.empty() ? std::string_view("-") : std::string_view(c.protocol);
        const bool tcp = sameText(c.transport, "tcp");
        if ((tcp || sameText(c.transport, "udp")) && v4.ok &&
            protocol.find_first_of(" \t\n\v\f\r") == std::string_view::npos &&
            learnConn(tcp, v4.client, v4.server, port, protocol, c.clientIp, c.serverIp)) {
            return;
        }
        learn("conn " + connKey(c.transport, c.clientIp, c.serverIp, port) + " " +
              std::string(protocol));
        return;
    }
    // A client renewing its lease directly (unicast) with a learned DHCP server.
    if (c.transport == "udp" && c.serverPort == 67 &&
        baseline_.count("dhcp_server " + c.serverIp)) {
        return;
    }
    // Baselines from before "conn" items: a learned talk item covers its protocol's connections.
    if (!c.protocol.empty() && hasTalk(c.protocol, c.clientIp, c.serverIp)) return;
    const Trigger t{.srcIp = c.clientIp,
                    .dstIp = c.serverIp,
                    .protocol = c.protocol,
                    .transport = c.transport,
                    .port = c.serverPort,
                    .timestampUs = c.timestampUs};
    if (!c.protocol.empty() && hosts_.count(c.clientIp) && hosts_.count(c.serverIp) &&
        !hasPairIndex(c.protocol, c.clientIp, c.serverIp)) {
        raiseByAddress("new_protocol", t, devices(false), devices(true));
    } else {
        raiseByAddress("unauthorized_connection", t, devices(false), devices(true));
    }
}

void Detector::onOperation(const dissect::FlowContext& flow, const dissect::Operation& op,
                           const std::string& srcDevice, const std::string& dstDevice) {
    onOperation(
        flow, op, [&](bool server) { return server ? dstDevice : srcDevice; }, nullptr);
}

[[gnu::noinline]] void Detector::resetMemo(OperationMemo& memo, const dissect::FlowContext& flow) {
    memo = OperationMemo{};
    memo.clientIp = flow.clientIp;
    memo.serverIp = flow.serverIp;
}

// Asked per operation: inline, the reset (a call) out of the way.
[[gnu::always_inline]] inline Detector::OperationMemo* Detector::memoFor(
    OperationMemo* memo, const dissect::FlowContext& flow) {
    if (!memo || flow.clientIp.empty() || flow.serverIp.empty()) return nullptr;
    if (!sameText(memo->clientIp, flow.clientIp) || !sameText(memo->serverIp, flow.serverIp))
        [[unlikely]] {
        resetMemo(*memo, flow);
    }
    return memo;
}

void Detector::onOperation(const dissect::FlowContext& flow, const dissect::Operation& op,
                           EndNamer devices, OperationMemo* memo) {
    memo = memoFor(memo, flow);
    const OpFacts facts = factsOf(op);  // the protocol's name compared once
    if (facts.ics && !flow.clientIp.empty() && !(memo && memo->icsNoted)) {
        icsHosts_.insert({flow.clientIp, flow.serverIp});
        if (memo) memo->icsNoted = true;  // the set only grows
    }
    // Each engine only for operations it can act on (its own checks stay: these are the
    // cheapest of them, asked here to save the calls).
    if (facts.opcua || (op.exception && !op.request)) protocolOperation(flow, op, facts);
    if (op.request && facts.ics && !flow.clientIp.empty()) anomalyOperation(flow, op, memo, facts);
    if (facts.dnp3 || facts.modbus) operationalOperation(flow, op, memo, facts);
    if (op.request && indicators_.hasDomains()) iocOperation(flow, op);
    policyOperation(flow, op, devices, memo);
}

void Detector::onPacket(const decode::DecodedPacket& p) { onPacket(p, nullptr); }

void Detector::onPacket(const decode::DecodedPacket& p, const RateTracker::Alarm* rateAlarm) {
    // The common case, with no call (so no registers to save): IPv4 between two unicast hosts
    // whose pair is cached, counted here within its bucket and below the alarm (or counted by
    // its rate shard, no alarm), no probe, nothing for the policy or IOC engines, no sweep due.
    // The rest, with nothing done yet: otherPacket() (the engines' full paths).
    const std::int64_t now = p.timestampUs;
    if (p.hasIp && !p.isArp && !p.srcIp.v6 && !p.dstIp.v6 && now < nextSweepUs_ && firstUs_ >= 0)
        [[likely]] {
        const std::uint64_t pair = (std::uint64_t{v4Of(p.srcIp)} << 32) | v4Of(p.dstIp);
        const PairSlot& slot = pairSlots_[pairSlot(pair)];
        if (slot.pair == pair && slot.sender && probePort(p) < 0 && !policyPacketDue(p) &&
            indicators_.empty() &&
            (slot.rate ? rates_.countQuietly(*slot.rate, now, learning_) : !rateAlarm)) [[likely]] {
            touch(*slot.sender, now);
            return;
        }
    }
    otherPacket(p, rateAlarm);
}

void Detector::otherPacket(const decode::DecodedPacket& p, const RateTracker::Alarm* rateAlarm) {
    const std::int64_t now = p.timestampUs;
    if (firstUs_ < 0) firstUs_ = now;
    // IPv4 between two unicast hosts: through the pair's slot (filled on a miss), the engines'
    // work in their order, each behind its cheapest check; other packets: each engine's path.
    PairSlot* slot = nullptr;
    if (p.hasIp && !p.isArp && !p.srcIp.v6 && !p.dstIp.v6) {
        const std::uint32_t src = v4Of(p.srcIp), dst = v4Of(p.dstIp);
        const std::uint64_t pair = (std::uint64_t{src} << 32) | dst;
        slot = &pairSlots_[pairSlot(pair)];
        if (slot->pair != pair || !slot->sender) [[unlikely]] {
            slot = fillPairSlot(p, src, dst, *slot);
        }
    }
    if (slot) [[likely]] {
        if (const int port = probePort(p); port >= 0) [[unlikely]] {
            scanPacket(p, port);  // port_scan
        }
        if (slot->rate) {  // traffic_anomaly
            if (const auto* alarm = rates_.count4(
                    *slot->rate, static_cast<std::uint32_t>(slot->pair >> 32),
                    static_cast<std::uint32_t>(slot->pair), now, learning_)) [[unlikely]] {
                raiseRate(*alarm, now);
            }
        } else if (rateAlarm) [[unlikely]] {  // counted by the pair's shard
            raiseRate(*rateAlarm, now);
        }
        touch(*slot->sender, now);  // device_silent
        if (policyPacketDue(p)) [[unlikely]] {
            policyPacket(p);
        }
        if (!indicators_.empty()) [[unlikely]] {
            iocPacket(p);
        }
    } else {
        anomalyPacket(p, rateAlarm);
        operationalPacket(p);
        policyPacket(p);  // learns DHCP servers while learning, raises only when off
        iocPacket(p);
    }
    if (now >= nextSweepUs_) [[unlikely]] {
        sweep(now);
        // device_silent needs no finer resolution than a thirtieth of its timeout (10 s default).
        nextSweepUs_ = now + std::max<std::int64_t>(1'000'000, options_.silentAfterUs / 30);
    }
}

Detector::PairSlot* Detector::fillPairSlot(const decode::DecodedPacket& p, std::uint32_t src,
                                           std::uint32_t dst, PairSlot& slot) {
    if (!p.srcIp.isUnicastHost() || !p.dstIp.isUnicastHost()) return nullptr;
    RateTracker::Profile* rate = nullptr;  // none when the shards count the rates
    if (rateShards_.empty() && !(rate = rates_.profile4(src, dst))) return nullptr;
    HostSlot& host = hostSlots_[(ipWord(p.srcIp) >> 32) % hostSlots_.size()];
    if (!host.activity || !sameIp(host.ip, p.srcIp)) {  // a sender known to other pairs: cached
        HostActivity* activity = activityOf(p.srcIp);
        if (!activity) return nullptr;
        host = HostSlot{p.srcIp, activity};
    }
    HostActivity* sender = host.activity;
    slot = PairSlot{(std::uint64_t{src} << 32) | dst, rate, sender};
    return &slot;
}

std::vector<RateTracker*> Detector::shardRates(
    std::size_t count,
    std::function<std::size_t(const decode::IpAddress&, const decode::IpAddress&)> shardOf) {
    // What was learned or imported so far moves into the shards (the learned part: this runs
    // before any packet is counted).
    std::ostringstream profiles;  // "rate" items only
    if (rateShards_.empty()) rates_.exportProfiles(profiles);
    for (const auto& shard : rateShards_) shard->exportProfiles(profiles);
    auto tracked = std::make_shared<std::atomic<std::size_t>>(0);
    std::vector<RateTracker*> shards;
    rateShards_.clear();
    for (std::size_t i = 0; i < count; ++i) {
        rateShards_.push_back(std::make_unique<RateTracker>(options_.rateBucketUs, tracked));
        shards.push_back(rateShards_.back().get());
    }
    rateShardOf_ = std::move(shardOf);
    pairSlots_.assign(kPairSlots, PairSlot{});  // they pointed to rates_
    std::istringstream in(profiles.str());
    for (std::string line; std::getline(in, line);) importProfile(words(line));
    return shards;
}

void Detector::policyOperation(const dissect::FlowContext& flow, const dissect::Operation& op,
                               EndNamer devices, OperationMemo* memo) {
    // Ethernet-level protocols (Profinet DCP) have no IPs: their peers are their MACs.
    const std::string& client = flow.clientIp.empty() ? flow.clientMac : flow.clientIp;
    const std::string& server = flow.serverIp.empty() ? flow.serverMac : flow.serverIp;
    const std::string_view type = op.request ? operationAlertType(op) : std::string_view();
    // The pair's talk item is in the baseline for good once it is (talk items are never
    // removed), so the memo skips building and looking up its text again.
    bool talkKnown = false;
    if (memo) {
        for (const auto& learned : memo->talkLearned)
            talkKnown = talkKnown || sameText(learned, op.protocol);
    }
    const auto noteTalk = [&] {
        if (memo && memo->talkLearned.size() < 8 && hasTalk(op.protocol, client, server)) {
            memo->talkLearned.push_back(op.protocol);
        }
    };
    if (learning_) {
        if (!talkKnown) {
            // A flow's first operations have no memo: the talks learned lately are remembered
            // here (talk items are never removed: learning one again would change nothing).
            TalkSlot& recent = talkSlots_[talkSlot(op.protocol, client, server)];
            if (recent.protocol.empty() || !sameText(recent.client, client) ||
                !sameText(recent.server, server) || !sameText(recent.protocol, op.protocol)) {
                learnTalkOf(op.protocol, client, server);
                recent = {op.protocol, client, server};
            }
            noteTalk();
        }
        if (!type.empty()) learn(opItem(type, op.protocol, client, server));
        return;
    }
    const bool write = op.request && sameText(op.opClass, "write");
    if ((!write || talkKnown) && type.empty()) return;
    const Trigger t{.srcIp = flow.clientIp,
                    .dstIp = flow.serverIp,
                    .protocol = op.protocol,
                    .function = op.function,
                    .timestampUs = flow.timestampUs};
    std::string srcDevice, dstDevice;
    bool named = false;
    const auto name = [&] {
        if (named) return;
        srcDevice = devices(false);
        dstDevice = devices(true);
        named = true;
    };
    if (write && !talkKnown) {
        if (!hasTalk(op.protocol, client, server)) {
            name();
            raise("unauthorized_write", t, srcDevice, dstDevice);
        } else {
            noteTalk();
        }
    }
    if (!type.empty() && !baseline_.count(opItem(type, op.protocol, client, server))) {
        name();
        raise(std::string(type), t, srcDevice, dstDevice);
    }
}

void Detector::raiseByAddress(const std::string& type, const Trigger& trigger,
                              const std::string& srcDevice, const std::string& dstDevice) {
    const std::string key = type + " " + trigger.srcIp + " " + trigger.dstIp;
    auto it = alertNames_.find(key);
    if (it == alertNames_.end()) {
        it = alertNames_
                 .try_emplace(key, srcDevice.empty() ? trigger.srcIp : srcDevice,
                              dstDevice.empty() ? trigger.dstIp : dstDevice)
                 .first;
    }
    raise(type, trigger, it->second.first, it->second.second);
}

void Detector::raiseAt(const std::string& type, const Trigger& trigger) {
    const auto name = [&](const std::string& ip) {
        return ip.empty() || !deviceNamer_ ? std::string() : deviceNamer_(ip);
    };
    if (alertNames_.count(type + " " + trigger.srcIp + " " + trigger.dstIp)) {
        raiseByAddress(type, trigger, "", "");
    } else {
        raiseByAddress(type, trigger, name(trigger.srcIp), name(trigger.dstIp));
    }
}

void Detector::raise(const std::string& type, const Trigger& trigger, const std::string& srcDevice,
                     const std::string& dstDevice) {
    if (suppressed(type, trigger, srcDevice, dstDevice)) return;
    const std::int64_t nowMs = trigger.timestampUs / 1000;
    const std::string id = alertId(type, srcDevice, dstDevice);
    auto [it, created] = alerts_.try_emplace(id);
    AlertRecord& a = it->second;
    if (created) {
        const AlertType* t = findAlertType(type);
        if (!t) {  // a plugin's type (onFinding)
            auto plugin = pluginTypes_.find(type);
            if (plugin != pluginTypes_.end()) t = &plugin->second;
        }
        const std::string service = trigger.transport.empty()
                                        ? std::string()
                                        : trigger.transport + "/" + std::to_string(trigger.port);
        const std::map<std::string, std::string> values = {
            {"src", srcDevice},
            {"dst", dstDevice},
            {"src_ip", trigger.srcIp},
            {"dst_ip", trigger.dstIp},
            {"protocol", trigger.protocol.empty() ? service : trigger.protocol},
            {"protocol_title", protocolTitle(trigger.protocol)},
            {"function", trigger.function},
            {"service", service},
            {"detail", trigger.detail}};
        a.id = id;
        a.type = type;
        a.engine = t ? t->engine : "policy";
        a.severity = t ? t->severity : Severity::Major;
        a.title = t ? fillTemplate(t->title, values) : type;
        a.description = t ? fillTemplate(t->description, values) : "";
        a.remediation = t ? fillTemplate(t->remediation, values) : "";
        a.mitre = t ? t->mitre : "";
        a.src = srcDevice;
        a.dst = dstDevice;
        a.srcIp = trigger.srcIp;
        a.dstIp = trigger.dstIp;
        a.protocol = trigger.protocol;
        a.firstSeenMs = nowMs;
    }
    ++a.count;
    a.firstSeenMs = std::min(a.firstSeenMs, nowMs);
    a.lastSeenMs = std::max(a.lastSeenMs, nowMs);
    changed_.insert(id);
    if (raiseHook_) raiseHook_(id, created);
}

void Detector::raiseSensor(const std::string& type, const std::string& detail,
                           std::int64_t timestampUs) {
    raise(type, Trigger{.timestampUs = timestampUs, .detail = detail}, "", "");
}

std::vector<AlertRecord> Detector::alerts() const {
    std::vector<AlertRecord> out;
    for (const auto& [id, a] : alerts_) out.push_back(a);
    return out;
}

void Detector::restoreAlerts(const std::vector<AlertRecord>& alerts) {
    for (const auto& a : alerts) {
        if (!a.id.empty()) alerts_.try_emplace(a.id, a);
    }
}

std::set<std::string> Detector::takeChangedAlertIds() {
    std::set<std::string> out;
    out.swap(changed_);
    return out;
}

}  // namespace ironsight::sensor::detect
