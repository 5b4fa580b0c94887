// SPDX-License-Identifier: Apache-2.0
// Detector: baseline bookkeeping and the unauthorized_write policy.
#include "sensor-agent/detect/detector.h"

#include <cstdio>
#include <sstream>

#include "sensor-agent/detect/alert_catalog.h"

namespace ironsight::sensor::detect {
namespace {

std::string talkItem(const std::string& protocol, const std::string& client,
                     const std::string& server) {
    return "talk " + protocol + " " + client + " " + server;
}

std::string protocolTitle(const std::string& protocol) {
    static const std::map<std::string, std::string> titles = {
        {"modbus", "Modbus"}, {"dnp3", "DNP3"},     {"s7comm", "S7"},     {"enip", "EtherNet/IP"},
        {"cip", "CIP"},       {"bacnet", "BACnet"}, {"iec104", "IEC 104"}};
    auto it = titles.find(protocol);
    return it != titles.end() ? it->second : protocol;
}

}  // namespace

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
    std::string out;
    for (const auto& item : baseline_) out += item + "\n";
    return out;
}

void Detector::importBaseline(const std::string& text) {
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (!line.empty()) baseline_.insert(line);
    }
}

void Detector::onOperation(const dissect::FlowContext& flow, const dissect::Operation& op,
                           const std::string& srcDevice, const std::string& dstDevice) {
    // Ethernet-level protocols (Profinet DCP) have no IPs: their peers are their MACs.
    const std::string& client = flow.clientIp.empty() ? flow.clientMac : flow.clientIp;
    const std::string& server = flow.serverIp.empty() ? flow.serverMac : flow.serverIp;
    const std::string item = talkItem(op.protocol, client, server);
    if (learning_) {
        baseline_.insert(item);
        return;
    }
    if (op.request && op.opClass == "write" && !baseline_.count(item)) {
        raise("unauthorized_write", flow, op, srcDevice, dstDevice);
    }
}

void Detector::raise(const std::string& type, const dissect::FlowContext& flow,
                     const dissect::Operation& op, const std::string& srcDevice,
                     const std::string& dstDevice) {
    const std::int64_t nowMs = flow.timestampUs / 1000;
    const std::string id = alertId(type, srcDevice, dstDevice);
    auto [it, created] = alerts_.try_emplace(id);
    AlertRecord& a = it->second;
    if (created) {
        const AlertType* t = findAlertType(type);
        const std::map<std::string, std::string> values = {
            {"src", srcDevice},        {"dst", dstDevice},
            {"src_ip", flow.clientIp}, {"dst_ip", flow.serverIp},
            {"protocol", op.protocol}, {"protocol_title", protocolTitle(op.protocol)},
            {"function", op.function}};
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
        a.srcIp = flow.clientIp;
        a.dstIp = flow.serverIp;
        a.protocol = op.protocol;
        a.firstSeenMs = nowMs;
    }
    ++a.count;
    a.lastSeenMs = std::max(a.lastSeenMs, nowMs);
    changed_.insert(id);
}

std::vector<AlertRecord> Detector::alerts() const {
    std::vector<AlertRecord> out;
    for (const auto& [id, a] : alerts_) out.push_back(a);
    return out;
}

std::set<std::string> Detector::takeChangedAlertIds() {
    std::set<std::string> out;
    out.swap(changed_);
    return out;
}

}  // namespace ironsight::sensor::detect
