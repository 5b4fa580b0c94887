// SPDX-License-Identifier: Apache-2.0
// Engine records -> ironsight.v1 envelopes for the outbox.
#include "sensor-agent/link/envelopes.h"

namespace ironsight::sensor::link {

v1::Severity toProto(Severity s) {
    switch (s) {
        case Severity::Warning:
            return v1::SEVERITY_WARNING;
        case Severity::Minor:
            return v1::SEVERITY_MINOR;
        case Severity::Major:
            return v1::SEVERITY_MAJOR;
        case Severity::Critical:
            return v1::SEVERITY_CRITICAL;
    }
    return v1::SEVERITY_UNSPECIFIED;
}

v1::Device toProto(const DeviceRecord& d) {
    v1::Device p;
    p.set_id(d.id);
    for (const auto& m : d.macs) p.add_macs(m);
    for (const auto& ip : d.ips) p.add_ips(ip);
    for (auto v : d.vlans) p.add_vlans(v);
    for (const auto& [id, name] : d.vlanNames) (*p.mutable_vlan_names())[id] = name;
    for (const auto& i : d.interfaces) p.add_interfaces(i);
    p.set_vendor(d.vendor);
    p.set_model(d.model);
    p.set_firmware(d.firmware);
    p.set_serial(d.serial);
    p.set_hostname(d.hostname);
    p.set_type(d.type);
    p.set_purdue_level(d.purdueLevel);
    for (const auto& r : d.protocols) {
        auto* role = p.add_protocols();
        role->set_name(r.name);
        role->set_role(r.role);
    }
    p.set_identity_json(d.identityJson);
    for (const auto& e : d.evidence) p.add_evidence(e);
    p.set_first_seen_ms(d.firstSeenMs);
    p.set_last_seen_ms(d.lastSeenMs);
    return p;
}

v1::Connection toProto(const ConnectionRecord& c) {
    v1::Connection p;
    p.set_src(c.src);
    p.set_dst(c.dst);
    p.set_src_ip(c.srcIp);
    p.set_dst_ip(c.dstIp);
    p.set_transport(c.transport);
    p.set_port(c.port);
    p.set_protocol(c.protocol);
    p.set_packets(c.packets);
    p.set_bytes(c.bytes);
    for (const auto& op : c.operations) p.add_operations(op);
    p.set_first_seen_ms(c.firstSeenMs);
    p.set_last_seen_ms(c.lastSeenMs);
    return p;
}

v1::Alert toProto(const AlertRecord& a) {
    v1::Alert p;
    p.set_id(a.id);
    p.set_engine(a.engine);
    p.set_type(a.type);
    p.set_severity(toProto(a.severity));
    p.set_title(a.title);
    p.set_description(a.description);
    p.set_remediation(a.remediation);
    p.set_src(a.src);
    p.set_dst(a.dst);
    p.set_src_ip(a.srcIp);
    p.set_dst_ip(a.dstIp);
    p.set_protocol(a.protocol);
    p.set_count(a.count);
    p.set_mitre(a.mitre);
    p.set_first_seen_ms(a.firstSeenMs);
    p.set_last_seen_ms(a.lastSeenMs);
    return p;
}

store::NewRecord toRecord(const v1::Envelope& envelope) {
    store::NewRecord r;
    switch (envelope.body_case()) {
        case v1::Envelope::kDevice:
            r.cls = store::RecordClass::Device;
            break;
        case v1::Envelope::kConnection:
            r.cls = store::RecordClass::Connection;
            break;
        case v1::Envelope::kAlert:
            r.cls = store::RecordClass::Alert;
            break;
        case v1::Envelope::kCommandResult:
            r.cls = store::RecordClass::CommandResult;
            break;
        default:
            r.cls = store::RecordClass::Health;
            break;
    }
    r.payload.resize(envelope.ByteSizeLong());
    envelope.SerializeToArray(r.payload.data(), static_cast<int>(r.payload.size()));
    return r;
}

std::vector<store::NewRecord> toRecords(const ChangeSet& changes) {
    std::vector<store::NewRecord> out;
    out.reserve(changes.devices.size() + changes.connections.size() + changes.alerts.size());
    v1::Envelope env;
    for (const auto& d : changes.devices) {
        *env.mutable_device() = toProto(d);
        out.push_back(toRecord(env));
    }
    for (const auto& c : changes.connections) {
        *env.mutable_connection() = toProto(c);
        out.push_back(toRecord(env));
    }
    for (const auto& a : changes.alerts) {
        *env.mutable_alert() = toProto(a);
        out.push_back(toRecord(env));
    }
    return out;
}

}  // namespace ironsight::sensor::link
