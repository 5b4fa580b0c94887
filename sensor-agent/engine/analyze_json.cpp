// SPDX-License-Identifier: Apache-2.0
#include "sensor-agent/engine/analyze_json.h"

#include <nlohmann/json.hpp>

#include "sensor-agent/detect/alert_catalog.h"
#include "sensor-agent/plugins/plugin_loader.h"

namespace ironsight::sensor {
namespace {

using nlohmann::json;

/// The loaded plugins and their display strings (key -> language -> text), so a consumer can
/// show a plugin's protocol, functions and alerts translated (docs/PLUGINS.md).
json pluginsJson(const plugins::PluginSet& set) {
    json out = json::array();
    for (const auto& p : set.summaries()) {
        out.push_back({{"name", p.name},
                       {"version", p.version},
                       {"description", p.description},
                       {"file", p.file},
                       {"tcp_ports", p.tcpPorts},
                       {"udp_ports", p.udpPorts},
                       {"heuristic", p.heuristic},
                       {"strings", p.strings}});
    }
    return out;
}

json captureJson(const CaptureStats& stats, const std::vector<std::string>& files) {
    return {{"files", files},
            {"packets", stats.packets},
            {"bytes", stats.bytes},
            {"malformed", stats.malformed},
            {"malformed_by_reason", stats.malformedByReason},
            {"ipv4_fragments",
             {{"fragments", stats.ipv4Fragments},
              {"reassembled", stats.ipv4Reassembled},
              {"duplicates", stats.ipv4FragmentDuplicates},
              {"dropped", stats.ipv4FragmentDrops}}},
            {"seconds", stats.seconds}};
}

json deviceJson(const DeviceRecord& d) {
    json protocols = json::array();
    for (const auto& p : d.protocols) protocols.push_back({{"name", p.name}, {"role", p.role}});
    json identity = json::parse(d.identityJson, nullptr, false);
    if (identity.is_discarded()) identity = json::object();
    json out = {{"id", d.id},
                {"macs", d.macs},
                {"ips", d.ips},
                {"vlans", d.vlans},
                {"vendor", d.vendor},
                {"model", d.model},
                {"firmware", d.firmware},
                {"serial", d.serial},
                {"hostname", d.hostname},
                {"type", d.type},
                {"purdue_level", d.purdueLevel},
                {"protocols", protocols},
                {"identity", identity},
                {"evidence", d.evidence}};
    if (!d.vlanNames.empty()) {  // only with [network] vlan_names: {"20": "PLC floor"}
        json vlanNames = json::object();
        for (const auto& [id, name] : d.vlanNames) vlanNames[std::to_string(id)] = name;
        out["vlan_names"] = vlanNames;
    }
    return out;
}

json connectionJson(const ConnectionRecord& c) {
    return {{"src", c.src},
            {"dst", c.dst},
            {"src_ip", c.srcIp},
            {"dst_ip", c.dstIp},
            {"transport", c.transport},
            {"port", c.port},
            {"protocol", c.protocol},
            {"packets", c.packets},
            {"bytes", c.bytes},
            {"operations", c.operations}};
}

json operationJson(const OperationRecord& o) {
    // No function code (e.g. an S7comm Ack, or an unknown function): null, as in the truth.
    const json functionCode = o.functionCode < 0 ? json(nullptr) : json(o.functionCode);
    json op = {{"protocol", o.protocol}, {"client_ip", o.clientIp},       {"server_ip", o.serverIp},
               {"function", o.function}, {"function_code", functionCode}, {"class", o.opClass},
               {"count", o.count},       {"exceptions", o.exceptions}};
    if (!o.ranges.empty()) op["ranges"] = o.ranges;
    for (const auto& [k, v] : o.keys) op[k] = v;
    for (const auto& [k, v] : o.textKeys) op[k] = v;
    return op;
}

json alertJson(const AlertRecord& a) {
    return {{"id", a.id},
            {"engine", a.engine},
            {"type", a.type},
            {"severity", severityName(a.severity)},
            {"title", a.title},
            {"description", a.description},
            {"remediation", a.remediation},
            {"src", a.src},
            {"dst", a.dst},
            {"src_ip", a.srcIp},
            {"dst_ip", a.dstIp},
            {"protocol", a.protocol},
            {"count", a.count},
            {"mitre", a.mitre}};
}

/// Writes `value` as nlohmann's pretty printer writes it nested `indent` spaces deep: its own
/// dump with every line after the first indented (a dump has no raw newline inside a string:
/// they are escaped).
void writeNested(std::ostream& out, const json& value, std::size_t indent, std::string& buffer) {
    const std::string dumped = value.dump(2, ' ', false, json::error_handler_t::replace);
    buffer.clear();
    std::size_t start = 0;
    for (std::size_t nl = dumped.find('\n'); nl != std::string::npos;
         nl = dumped.find('\n', start)) {
        buffer.append(dumped, start, nl + 1 - start);
        buffer.append(indent, ' ');
        start = nl + 1;
    }
    buffer.append(dumped, start);
    out.write(buffer.data(), static_cast<std::streamsize>(buffer.size()));  // one write a record
}

/// A top-level array written element by element ("[]" when empty), as the pretty printer
/// writes an array member of the document: elements 4 deep, the closing bracket 2 deep.
class ArrayWriter {
public:
    explicit ArrayWriter(std::ostream& out) : out_(out) {}
    void add(const json& element) {
        out_ << (first_ ? "[\n    " : ",\n    ");
        first_ = false;
        writeNested(out_, element, 4, buffer_);
    }
    void close() { out_ << (first_ ? "[]" : "\n  ]"); }

private:
    std::ostream& out_;
    bool first_ = true;
    std::string buffer_;
};

}  // namespace

const char* severityName(Severity s) {
    return detect::toString(s);  // the alert catalog's names
}

void writeAnalyzeJson(const Engine& engine, const std::vector<std::string>& files,
                      const plugins::PluginSet* plugins, std::ostream& out) {
    std::string buffer;
    // The document's members in name order (a json object is a std::map).
    out << "{\n  \"alerts\": ";
    {
        ArrayWriter alerts(out);
        for (const auto& a : engine.alerts()) alerts.add(alertJson(a));
        alerts.close();
    }
    out << ",\n  \"capture\": ";
    writeNested(out, captureJson(engine.stats(), files), 2, buffer);
    out << ",\n  \"connections\": ";
    {
        ArrayWriter connections(out);
        engine.forEachConnection(
            [&](const ConnectionRecord& c) { connections.add(connectionJson(c)); });
        connections.close();
    }
    out << ",\n  \"devices\": ";
    {
        ArrayWriter devices(out);
        engine.forEachDevice([&](const DeviceRecord& d) { devices.add(deviceJson(d)); });
        devices.close();
    }
    out << ",\n  \"operations\": ";
    {
        ArrayWriter operations(out);
        engine.forEachOperation(
            [&](const OperationRecord& o) { operations.add(operationJson(o)); });
        operations.close();
    }
    if (plugins) {  // only when --plugins was given
        out << ",\n  \"plugins\": ";
        writeNested(out, pluginsJson(*plugins), 2, buffer);
    }
    out << "\n}\n";
}

}  // namespace ironsight::sensor
