// SPDX-License-Identifier: Apache-2.0
// Protocol engine (both modes): malformed_pdu from dissector anomalies, exception_storm from
// Modbus exception responses / DNP3 error IINs, insecure_opcua from OpenSecureChannel requests,
// and the findings of dissector plugins (onFinding).
#include "sensor-agent/detect/detector.h"

#include <algorithm>

namespace ironsight::sensor::detect {
namespace {

/// Dissector anomaly ids that mean a malformed or illegal PDU (not a capture gap, not a port
/// used by another protocol such as tls "not_tls" / http "not_http").
bool malformedAnomaly(std::string_view id) {
    return id.find("malformed") != std::string_view::npos || id == "illegal_function" ||
           id == "link_crc_error" || id == "fragment_too_large";
}

std::string seconds(std::int64_t us) {
    return std::to_string(us / 1'000'000) + " s";
}

}  // namespace

void Detector::onAnomaly(const dissect::FlowContext& flow, std::string_view protocol,
                         std::string_view anomalyId) {
    const std::string& client = flow.clientIp.empty() ? flow.clientMac : flow.clientIp;
    const std::string& server = flow.serverIp.empty() ? flow.serverMac : flow.serverIp;
    if (anomalyId == "iin_device_restart") {  // operational engine, with the response's op
        if (restartPending_.size() < 65536) restartPending_.insert(flow.serverIp);
        return;
    }
    if (!malformedAnomaly(anomalyId)) return;
    raiseAt("malformed_pdu", Trigger{.srcIp = client,
                                     .dstIp = server,
                                     .protocol = std::string(protocol),
                                     .function = std::string(anomalyId),
                                     .timestampUs = flow.timestampUs,
                                     .detail = std::string(anomalyId)});
}

Detector::OpFacts Detector::factsOf(const dissect::Operation& op) {
    // isIcsProtocol() and the names the engines ask for, in one switch on the length.
    const std::string_view p = op.protocol;
    switch (p.size()) {
        case 4:
            if (sameText(p, "dnp3")) return {.ics = true, .dnp3 = true};
            break;
        case 5:
            if (sameText(p, "opcua")) return {.ics = true, .opcua = true};
            break;
        case 6:
            if (sameText(p, "modbus")) return {.ics = true, .modbus = true};
            break;
        default:
            break;
    }
    return {.ics = isIcsProtocol(p)};
}

void Detector::protocolOperation(const dissect::FlowContext& flow, const dissect::Operation& op,
                                 const OpFacts& facts) {
    const std::string& client = flow.clientIp.empty() ? flow.clientMac : flow.clientIp;
    const std::string& server = flow.serverIp.empty() ? flow.serverMac : flow.serverIp;
    if (facts.opcua && op.request && op.function == "open_secure_channel") {
        const auto mode = op.keys.find("security_mode");
        const auto policy = op.textKeys.find("security_policy");
        const bool none = (mode != op.keys.end() && mode->second == 1) ||
                          (policy != op.textKeys.end() && policy->second.ends_with("#None"));
        if (none) {
            raiseAt("insecure_opcua",
                    Trigger{.srcIp = client,
                            .dstIp = server,
                            .protocol = op.protocol,
                            .function = op.function,
                            .timestampUs = flow.timestampUs,
                            .detail = policy != op.textKeys.end() ? policy->second : "mode None"});
        }
    }
    if (!op.exception || op.request || (!facts.modbus && !facts.dnp3)) return;
    const std::string key = op.protocol + " " + client + " " + server;
    if (exceptions_.size() >= 100000 && !exceptions_.count(key)) return;  // bounded state
    auto& times = exceptions_[key];
    const std::int64_t now = flow.timestampUs;
    while (!times.empty() && now - times.front() > options_.exceptionStormWindowUs) {
        times.pop_front();
    }
    if (times.empty()) storming_.erase(key);  // the last storm is over: re-armed
    times.push_back(now);
    if (times.size() > options_.exceptionStormCount) times.pop_front();  // bounded
    if (times.size() >= options_.exceptionStormCount && storming_.insert(key).second) {
        raiseAt("exception_storm",
                Trigger{.srcIp = client,
                        .dstIp = server,
                        .protocol = op.protocol,
                        .function = op.function,
                        .timestampUs = now,
                        .detail = std::to_string(times.size()) + " exceptions within " +
                                  seconds(options_.exceptionStormWindowUs)});
    }
}

void Detector::onFinding(const dissect::FlowContext& flow, const dissect::Finding& finding) {
    if (!pluginTypes_.count(finding.type)) {
        if (pluginTypes_.size() >= 4096) return;  // bounded: a misbehaving plugin
        AlertType& t = pluginTypes_[finding.type];
        t.id = finding.type;
        t.engine = "protocol";
        t.title = finding.title;
        t.description = finding.description;
        t.remediation = finding.remediation;
        t.mitre = finding.mitre;
        t.severity = static_cast<Severity>(std::clamp(finding.severity, 1, 4));
    }
    const std::string& client = flow.clientIp.empty() ? flow.clientMac : flow.clientIp;
    const std::string& server = flow.serverIp.empty() ? flow.serverMac : flow.serverIp;
    raiseAt(finding.type, Trigger{.srcIp = client,
                                  .dstIp = server,
                                  .protocol = finding.protocol,
                                  .function = finding.function,
                                  .timestampUs = flow.timestampUs,
                                  .detail = finding.detail});
}

}  // namespace ironsight::sensor::detect
