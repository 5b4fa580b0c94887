// SPDX-License-Identifier: Apache-2.0
// ConsoleStore on shared/sqlite: schema, domain writes, idempotent ingest, queries.
#include "console/core/console_store.h"
#include "console/core/search_text.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <set>
#include <thread>

#include "shared/crypto/crypto.h"

namespace ironsight::console::core {
namespace {

using nlohmann::json;

const char* severityName(int s) {
    switch (s) {
        case ironsight::v1::SEVERITY_WARNING:
            return "warning";
        case ironsight::v1::SEVERITY_MINOR:
            return "minor";
        case ironsight::v1::SEVERITY_MAJOR:
            return "major";
        case ironsight::v1::SEVERITY_CRITICAL:
            return "critical";
        default:
            return "unspecified";
    }
}

template <class Range>
std::string jsonArray(const Range& range) {
    json a = json::array();
    for (const auto& v : range) a.push_back(v);
    return a.dump();
}

/// Appends `text` as a JSON string. The ingest path writes its small arrays directly: through
/// nlohmann they cost ~10 % of applyBatch (docs/BENCHMARKS.md). Protobuf strings are valid
/// UTF-8 (checked when parsed), so only quotes, backslashes and control characters need escapes.
void appendJsonString(std::string& out, std::string_view text) {
    static constexpr char kHex[] = "0123456789abcdef";
    out += '"';
    for (const char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += ch;
        } else if (c < 0x20) {
            out += "\\u00";
            out += kHex[c >> 4];
            out += kHex[c & 0xf];
        } else {
            out += ch;
        }
    }
    out += '"';
}

/// ["a","b"] of a repeated string field.
template <class Range>
std::string jsonStrings(const Range& range) {
    std::string out = "[";
    for (const auto& v : range) {
        if (out.size() > 1) out += ',';
        appendJsonString(out, v);
    }
    return out + "]";
}

/// [{"name":..,"role":..}] of a device's protocols.
std::string protocolsJson(const ironsight::v1::Device& d) {
    std::string out = "[";
    for (const auto& p : d.protocols()) {
        if (out.size() > 1) out += ',';
        out += "{\"name\":";
        appendJsonString(out, p.name());
        out += ",\"role\":";
        appendJsonString(out, p.role());
        out += '}';
    }
    return out + "]";
}

std::vector<std::string> stringsFromJson(const std::string& text) {
    std::vector<std::string> out;
    json j = json::parse(text, nullptr, false);
    if (!j.is_array()) return out;
    for (const auto& v : j) {
        if (v.is_string()) out.push_back(v.get<std::string>());
    }
    return out;
}

Error dbError(const std::string& what, const Error& e) {
    return makeError(what + ": " + e.message);
}

/// A device's VLANs for the vlans column: ids, or {"id", "name"} where the sensor's site named
/// the VLAN (a column of plain ids, as older versions wrote it, reads the same).
std::string vlansJson(const ironsight::v1::Device& d) {
    std::string out = "[";
    for (const auto id : d.vlans()) {
        if (out.size() > 1) out += ',';
        const auto name = d.vlan_names().find(id);
        if (name == d.vlan_names().end()) {
            out += std::to_string(id);
        } else {
            out += "{\"id\":" + std::to_string(id) + ",\"name\":";
            appendJsonString(out, name->second);
            out += '}';
        }
    }
    return out + "]";
}

/// Upserts for each envelope kind. Bound in applyBatch.
constexpr const char* kUpsertDevice = R"sql(
INSERT INTO devices(sensor_id, device_id, macs, ips, vlans, vendor, model, firmware, serial,
                    hostname, type, purdue_level, protocols, identity_json, evidence,
                    first_seen, last_seen, last_seq, received_at, interfaces)
VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)
ON CONFLICT(sensor_id, device_id) DO UPDATE SET
  macs=excluded.macs, ips=excluded.ips, vlans=excluded.vlans, interfaces=excluded.interfaces,
  vendor=excluded.vendor,
  model=excluded.model, firmware=excluded.firmware, serial=excluded.serial,
  hostname=excluded.hostname, type=excluded.type, purdue_level=excluded.purdue_level,
  protocols=excluded.protocols, identity_json=excluded.identity_json, evidence=excluded.evidence,
  first_seen=MIN(devices.first_seen, excluded.first_seen), last_seen=excluded.last_seen,
  last_seq=excluded.last_seq, received_at=excluded.received_at)sql";

constexpr const char* kUpsertConnection = R"sql(
INSERT INTO connections(sensor_id, src, dst, transport, port, protocol, src_ip, dst_ip, packets,
                        bytes, operations, first_seen, last_seen)
VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
ON CONFLICT(sensor_id, src, dst, transport, port, protocol) DO UPDATE SET
  src_ip=excluded.src_ip, dst_ip=excluded.dst_ip, packets=excluded.packets, bytes=excluded.bytes,
  operations=excluded.operations, first_seen=MIN(connections.first_seen, excluded.first_seen),
  last_seen=excluded.last_seen)sql";

constexpr const char* kUpsertAlert = R"sql(
INSERT INTO alerts(sensor_id, alert_id, engine, type, severity, title, description, remediation,
                   src, dst, src_ip, dst_ip, protocol, count, mitre, first_seen, last_seen, status)
VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, 'new')
ON CONFLICT(sensor_id, alert_id) DO UPDATE SET
  engine=excluded.engine, type=excluded.type, severity=excluded.severity, title=excluded.title,
  description=excluded.description, remediation=excluded.remediation, src=excluded.src,
  dst=excluded.dst, src_ip=excluded.src_ip, dst_ip=excluded.dst_ip, protocol=excluded.protocol,
  count=excluded.count, mitre=excluded.mitre,
  first_seen=MIN(alerts.first_seen, excluded.first_seen), last_seen=excluded.last_seen)sql";

// Schema v15: the rows the device_text triggers marked plus the new rows ingest queued (?1, a
// JSON array of rowids) are written again to the search index, in one statement each.
constexpr const char* kDeviceTextAnyDirty = "SELECT EXISTS(SELECT 1 FROM device_text_dirty)";
constexpr const char* kDeviceTextDropDirty =
    "DELETE FROM device_text WHERE rowid IN (SELECT rid FROM device_text_dirty)";
constexpr const char* kDeviceTextWrite =
    "INSERT OR REPLACE INTO device_text(rowid, body) SELECT rowid, " IRONSIGHT_DEVICE_TEXT_BODY
    " FROM devices WHERE rowid IN (SELECT rid FROM device_text_dirty UNION "
    "SELECT value FROM json_each(?1))";
constexpr const char* kDeviceTextClearDirty = "DELETE FROM device_text_dirty";
// Schema v18: the same for alert_text (the alert filter's index).
constexpr const char* kAlertTextAnyDirty = "SELECT EXISTS(SELECT 1 FROM alert_text_dirty)";
constexpr const char* kAlertTextDropDirty =
    "DELETE FROM alert_text WHERE rowid IN (SELECT rid FROM alert_text_dirty)";
constexpr const char* kAlertTextWrite =
    "INSERT OR REPLACE INTO alert_text(rowid, body) SELECT rowid, " IRONSIGHT_ALERT_TEXT_BODY
    " FROM alerts WHERE rowid IN (SELECT rid FROM alert_text_dirty UNION "
    "SELECT value FROM json_each(?1))";
constexpr const char* kAlertTextClearDirty = "DELETE FROM alert_text_dirty";
// Schema v15: new alerts (status 'new') counted by ingest, once per batch and severity.
constexpr const char* kAlertTallyAdd =
    "INSERT INTO alert_tally(sensor_id, severity, status, n) VALUES(?1, ?2, 'new', ?3) "
    "ON CONFLICT DO UPDATE SET n = n + excluded.n";

constexpr const char* kUpsertHealth = R"sql(
INSERT INTO health(sensor_id, time_ms, packets, bytes, kernel_drops, malformed, outbox_depth,
                   outbox_evicted, learning, version, capture_source, packets_per_s, bytes_per_s,
                   cpu_percent, rss_bytes, outbox_oldest_age_ms, uptime_s)
VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)
ON CONFLICT(sensor_id) DO UPDATE SET
  time_ms=excluded.time_ms, packets=excluded.packets, bytes=excluded.bytes,
  kernel_drops=excluded.kernel_drops, malformed=excluded.malformed,
  outbox_depth=excluded.outbox_depth, outbox_evicted=excluded.outbox_evicted,
  learning=excluded.learning, version=excluded.version, capture_source=excluded.capture_source,
  packets_per_s=excluded.packets_per_s, bytes_per_s=excluded.bytes_per_s,
  cpu_percent=excluded.cpu_percent, rss_bytes=excluded.rss_bytes,
  outbox_oldest_age_ms=excluded.outbox_oldest_age_ms, uptime_s=excluded.uptime_s)sql";

constexpr const char* kProgressSelect =
    "SELECT epoch, applied_through_seq FROM sensor_progress WHERE sensor_id = ?1";
constexpr const char* kProgressUpdate =
    "UPDATE sensor_progress SET applied_through_seq = ?2, updated_at = ?3 WHERE sensor_id = ?1";
constexpr const char* kSensorSeen = "UPDATE sensors SET last_seen = ?2 WHERE id = ?1";

constexpr const char* kSensorSelect = R"sql(
SELECT s.id, s.name, si.name, z.name, s.status, COALESCE(s.cert_serial, ''),
       COALESCE(s.enrolled_at, 0), COALESCE(s.last_seen, 0), COALESCE(s.next_cert_serial, '')
FROM sensors s JOIN zones z ON z.id = s.zone_id JOIN sites si ON si.id = z.site_id)sql";

SensorRow sensorFrom(const sqlite::Stmt& st) {
    SensorRow r;
    r.id = st.columnText(0);
    r.name = st.columnText(1);
    r.site = st.columnText(2);
    r.zone = st.columnText(3);
    r.status = st.columnText(4);
    r.certSerial = st.columnText(5);
    r.enrolledAtMs = st.columnInt(6);
    r.lastSeenMs = st.columnInt(7);
    r.nextCertSerial = st.columnText(8);
    return r;
}

}  // namespace

std::int64_t nowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string sensorState(const SensorRow& sensor, std::int64_t now) {
    if (sensor.status != "active") return sensor.status;
    if (sensor.lastSeenMs <= 0) return "never connected";
    return now - sensor.lastSeenMs > kMissedHealthIntervals * kHealthIntervalMs ? "disconnected"
                                                                                : "connected";
}

const std::vector<std::string>& schemaSteps() {
    static const std::vector<std::string> steps = {
        R"sql(
CREATE TABLE settings(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE users(
  id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, password_hash TEXT NOT NULL,
  role TEXT NOT NULL CHECK(role IN ('admin', 'analyst', 'readonly')),
  failed_logins INTEGER NOT NULL DEFAULT 0, locked_until INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL);
CREATE TABLE sites(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE zones(
  id INTEGER PRIMARY KEY, site_id INTEGER NOT NULL REFERENCES sites(id), name TEXT NOT NULL,
  UNIQUE(site_id, name));
CREATE TABLE sensors(
  id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, zone_id INTEGER NOT NULL REFERENCES zones(id),
  status TEXT NOT NULL CHECK(status IN ('pending', 'active', 'revoked')),
  cert_serial TEXT, enrolled_at INTEGER, last_seen INTEGER, created_at INTEGER NOT NULL);
CREATE TABLE activations(
  token_sha256 TEXT PRIMARY KEY, bundle_id TEXT NOT NULL,
  sensor_id TEXT NOT NULL REFERENCES sensors(id), not_after INTEGER NOT NULL,
  used_at INTEGER, created_at INTEGER NOT NULL);
CREATE TABLE devices(
  sensor_id TEXT NOT NULL REFERENCES sensors(id), device_id TEXT NOT NULL,
  macs TEXT NOT NULL DEFAULT '[]', ips TEXT NOT NULL DEFAULT '[]', vlans TEXT NOT NULL DEFAULT '[]',
  vendor TEXT, model TEXT, firmware TEXT, serial TEXT, hostname TEXT, type TEXT,
  purdue_level INTEGER NOT NULL DEFAULT -1, protocols TEXT NOT NULL DEFAULT '[]',
  identity_json TEXT, evidence TEXT NOT NULL DEFAULT '[]',
  first_seen INTEGER, last_seen INTEGER, last_seq INTEGER NOT NULL,
  UNIQUE(sensor_id, device_id));
CREATE TABLE connections(
  sensor_id TEXT NOT NULL REFERENCES sensors(id), src TEXT NOT NULL, dst TEXT NOT NULL,
  transport TEXT NOT NULL, port INTEGER NOT NULL, protocol TEXT NOT NULL,
  src_ip TEXT, dst_ip TEXT, packets INTEGER NOT NULL DEFAULT 0, bytes INTEGER NOT NULL DEFAULT 0,
  operations TEXT NOT NULL DEFAULT '[]', first_seen INTEGER, last_seen INTEGER,
  UNIQUE(sensor_id, src, dst, transport, port, protocol));
CREATE TABLE alerts(
  sensor_id TEXT NOT NULL REFERENCES sensors(id), alert_id TEXT NOT NULL,
  engine TEXT, type TEXT, severity INTEGER NOT NULL DEFAULT 0, title TEXT, description TEXT,
  remediation TEXT, src TEXT, dst TEXT, src_ip TEXT, dst_ip TEXT, protocol TEXT,
  count INTEGER NOT NULL DEFAULT 0, mitre TEXT, first_seen INTEGER, last_seen INTEGER,
  status TEXT NOT NULL DEFAULT 'new',
  UNIQUE(sensor_id, alert_id));
CREATE TABLE sensor_progress(
  sensor_id TEXT PRIMARY KEY REFERENCES sensors(id), epoch INTEGER NOT NULL,
  applied_through_seq INTEGER NOT NULL, updated_at INTEGER NOT NULL);
CREATE TABLE health(
  sensor_id TEXT PRIMARY KEY REFERENCES sensors(id), time_ms INTEGER, packets INTEGER,
  bytes INTEGER, kernel_drops INTEGER, malformed INTEGER, outbox_depth INTEGER,
  outbox_evicted INTEGER, learning INTEGER, version TEXT, capture_source TEXT);
CREATE TABLE audit_log(
  id INTEGER PRIMARY KEY, time INTEGER NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
  target TEXT NOT NULL, source TEXT NOT NULL, outcome TEXT NOT NULL);
CREATE INDEX alerts_last_seen ON alerts(last_seen);
CREATE INDEX devices_last_seen ON devices(last_seen);
)sql",
        // v2: lockout window, forced password change, disabled accounts (the Read-only role
        // keeps its v1 spelling 'readonly' in this table); the audit log becomes a hash chain
        // (sealAuditChain() hashes the v1 records once). Existing accounts must change their
        // password at next sign-in.
        R"sql(
ALTER TABLE users ADD COLUMN first_failure_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN last_sign_in INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN password_changed_at INTEGER NOT NULL DEFAULT 0;
UPDATE users SET must_change_password = 1;
ALTER TABLE audit_log ADD COLUMN prev_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN hash TEXT NOT NULL DEFAULT '';
CREATE TABLE audit_head(
  id INTEGER PRIMARY KEY CHECK(id = 1), records INTEGER NOT NULL, hash TEXT NOT NULL);
CREATE INDEX audit_log_time ON audit_log(time);
)sql",
        // v3: the alert workflow (assignment, status change time, comments) and the indexes of
        // the alert list filters and counts. Statuses other than the three workflow states
        // (none were written before v3) become 'new'.
        R"sql(
ALTER TABLE alerts ADD COLUMN assignee TEXT NOT NULL DEFAULT '';
ALTER TABLE alerts ADD COLUMN status_changed_at INTEGER NOT NULL DEFAULT 0;
UPDATE alerts SET status = 'new' WHERE status NOT IN ('new', 'acknowledged', 'closed');
CREATE TABLE alert_comments(
  id INTEGER PRIMARY KEY, sensor_id TEXT NOT NULL, alert_id TEXT NOT NULL,
  time INTEGER NOT NULL, author TEXT NOT NULL, text TEXT NOT NULL,
  FOREIGN KEY(sensor_id, alert_id) REFERENCES alerts(sensor_id, alert_id) ON DELETE CASCADE);
CREATE INDEX alert_comments_alert ON alert_comments(sensor_id, alert_id, id);
CREATE INDEX alerts_status_severity ON alerts(status, severity, last_seen);
CREATE INDEX alerts_severity ON alerts(severity, last_seen);
CREATE INDEX alerts_sensor_status ON alerts(sensor_id, status);
CREATE INDEX alerts_alert_id ON alerts(alert_id);
CREATE INDEX sensors_zone ON sensors(zone_id);
)sql",
        // v4: retention needs the console time a device was last reported (sensor times can be
        // capture times from long ago); SIEM forwarding rules and their persistent queue.
        R"sql(
ALTER TABLE devices ADD COLUMN received_at INTEGER NOT NULL DEFAULT 0;
UPDATE devices SET received_at = COALESCE(last_seen, 0);
CREATE INDEX devices_received_at ON devices(received_at);
CREATE INDEX alerts_closed ON alerts(status, status_changed_at);
CREATE TABLE forward_rules(
  id INTEGER PRIMARY KEY, target TEXT NOT NULL, format TEXT NOT NULL
    CHECK(format IN ('cef', 'leef', 'json')),
  min_severity INTEGER NOT NULL DEFAULT 0, engines TEXT NOT NULL DEFAULT '[]',
  sites TEXT NOT NULL DEFAULT '[]', ca_file TEXT NOT NULL DEFAULT '',
  sent INTEGER NOT NULL DEFAULT 0, last_sent_at INTEGER NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT '', created_at INTEGER NOT NULL);
CREATE TABLE forward_queue(
  id INTEGER PRIMARY KEY,
  rule_id INTEGER NOT NULL REFERENCES forward_rules(id) ON DELETE CASCADE,
  message TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL);
CREATE INDEX forward_queue_rule ON forward_queue(rule_id, id);
)sql",
        // v5: offline vulnerability data imported from NVD JSON 2.0 feed files.
        R"sql(
CREATE TABLE cves(
  cve_id TEXT PRIMARY KEY, description TEXT NOT NULL DEFAULT '', cvss REAL NOT NULL DEFAULT 0,
  severity TEXT NOT NULL DEFAULT '', published TEXT NOT NULL DEFAULT '',
  imported_at INTEGER NOT NULL);
CREATE TABLE cve_cpes(
  cve_id TEXT NOT NULL REFERENCES cves(cve_id) ON DELETE CASCADE, criteria TEXT NOT NULL,
  part TEXT NOT NULL, vendor TEXT NOT NULL, product TEXT NOT NULL, version TEXT NOT NULL,
  start_incl TEXT NOT NULL DEFAULT '', start_excl TEXT NOT NULL DEFAULT '',
  end_incl TEXT NOT NULL DEFAULT '', end_excl TEXT NOT NULL DEFAULT '');
CREATE INDEX cve_cpes_vendor ON cve_cpes(vendor, product);
CREATE INDEX cve_cpes_cve ON cve_cpes(cve_id);
)sql",
        // v6: alert counts aggregate per sensor over a covering index.
        R"sql(
CREATE INDEX alerts_sensor_severity_status ON alerts(sensor_id, severity, status);
)sql",
        // v7: durable console -> sensor commands (learning, Learn, Mute, exclusions); LinkServer
        // sends a sensor's pending ones on its stream, the sensor's CommandResult completes them.
        R"sql(
CREATE TABLE commands(
  id TEXT PRIMARY KEY, sensor_id TEXT NOT NULL REFERENCES sensors(id), kind TEXT NOT NULL,
  arguments TEXT NOT NULL DEFAULT '{}', issued_by TEXT NOT NULL, issued_at INTEGER NOT NULL,
  state TEXT NOT NULL DEFAULT 'pending' CHECK(state IN ('pending', 'sent', 'done', 'failed')),
  result TEXT NOT NULL DEFAULT '', completed_at INTEGER NOT NULL DEFAULT 0);
CREATE INDEX commands_sensor_state ON commands(sensor_id, state, issued_at);
)sql",
        // v8: what a command's result carries besides its message (an evidence pcap), apart
        // from the commands table so listing commands never reads blobs.
        R"sql(
CREATE TABLE command_payloads(
  command_id TEXT PRIMARY KEY REFERENCES commands(id) ON DELETE CASCADE,
  payload BLOB NOT NULL);
)sql",
        // v9: the rest of a sensor's health (rates, CPU, memory, outbox age, uptime) and its
        // clock skew, measured from the Hello of its latest stream.
        R"sql(
ALTER TABLE health ADD COLUMN packets_per_s REAL NOT NULL DEFAULT 0;
ALTER TABLE health ADD COLUMN bytes_per_s REAL NOT NULL DEFAULT 0;
ALTER TABLE health ADD COLUMN cpu_percent REAL NOT NULL DEFAULT 0;
ALTER TABLE health ADD COLUMN rss_bytes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE health ADD COLUMN outbox_oldest_age_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE health ADD COLUMN uptime_s INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sensor_progress ADD COLUMN clock_skew_ms INTEGER;
)sql",
        // v10: e-mail forwarding rules (smtp://, smtps://): format 'email', sender, recipients,
        // SMTP credentials. SQLite cannot change a CHECK, so both tables are rebuilt; the queue
        // moves first, so dropping the old rules table cascades into nothing.
        R"sql(
CREATE TABLE forward_rules_v10(
  id INTEGER PRIMARY KEY, target TEXT NOT NULL, format TEXT NOT NULL
    CHECK(format IN ('cef', 'leef', 'json', 'email')),
  min_severity INTEGER NOT NULL DEFAULT 0, engines TEXT NOT NULL DEFAULT '[]',
  sites TEXT NOT NULL DEFAULT '[]', ca_file TEXT NOT NULL DEFAULT '',
  sent INTEGER NOT NULL DEFAULT 0, last_sent_at INTEGER NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT '', created_at INTEGER NOT NULL,
  mail_from TEXT NOT NULL DEFAULT '', mail_to TEXT NOT NULL DEFAULT '[]',
  smtp_user TEXT NOT NULL DEFAULT '', smtp_password TEXT NOT NULL DEFAULT '',
  starttls INTEGER NOT NULL DEFAULT 1);
INSERT INTO forward_rules_v10(id, target, format, min_severity, engines, sites, ca_file, sent,
                              last_sent_at, last_error, created_at)
  SELECT id, target, format, min_severity, engines, sites, ca_file, sent, last_sent_at,
         last_error, created_at FROM forward_rules;
CREATE TABLE forward_queue_v10(
  id INTEGER PRIMARY KEY,
  rule_id INTEGER NOT NULL REFERENCES forward_rules_v10(id) ON DELETE CASCADE,
  message TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL);
INSERT INTO forward_queue_v10(id, rule_id, message, attempts, created_at)
  SELECT id, rule_id, message, attempts, created_at FROM forward_queue;
DROP TABLE forward_queue;
DROP TABLE forward_rules;
ALTER TABLE forward_rules_v10 RENAME TO forward_rules;
ALTER TABLE forward_queue_v10 RENAME TO forward_queue;
CREATE INDEX forward_queue_rule ON forward_queue(rule_id, id);
)sql",
        // v11: certificate renewal over the link: the certificate issued to a sensor that it
        // has not used yet (its current one stays valid until then).
        R"sql(
ALTER TABLE sensors ADD COLUMN next_cert_serial TEXT;
)sql",
        // v12: devices from many sensors (docs/CONSOLE.md "Devices"). A device group is one
        // console device: the observations (devices rows) of the sensors of a site that saw the
        // same device, plus the operator's edits (NULL = not edited). device_keys finds the
        // group of a new observation: mac:<hex> and macip:<ip> (a mac- observation and its
        // addresses), ip:<ip> (an ip- observation); a trigger keeps macip: keys current when a
        // mac- observation's addresses change. sensor_zone_rules: "VLAN n of sensor X is zone Z".
        // Existing observations are grouped the same way.
        R"sql(
CREATE TABLE device_groups(
  id INTEGER PRIMARY KEY, site_id INTEGER NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
  name TEXT, type TEXT, purdue_level INTEGER, criticality TEXT, authorized INTEGER, notes TEXT,
  zone_id INTEGER REFERENCES zones(id) ON DELETE SET NULL,
  edited_by TEXT NOT NULL DEFAULT '', edited_at INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL DEFAULT 0);
CREATE INDEX device_groups_site ON device_groups(site_id);
CREATE INDEX device_groups_zone ON device_groups(zone_id);
CREATE TABLE device_keys(
  site_id INTEGER NOT NULL, key TEXT NOT NULL,
  group_id INTEGER NOT NULL REFERENCES device_groups(id) ON DELETE CASCADE,
  PRIMARY KEY(site_id, key)) WITHOUT ROWID;
CREATE INDEX device_keys_group ON device_keys(group_id);
ALTER TABLE devices ADD COLUMN group_id INTEGER REFERENCES device_groups(id);
CREATE TABLE sensor_zone_rules(
  sensor_id TEXT NOT NULL REFERENCES sensors(id), vlan INTEGER NOT NULL,
  zone_id INTEGER NOT NULL REFERENCES zones(id) ON DELETE CASCADE,
  PRIMARY KEY(sensor_id, vlan));
CREATE INDEX sensor_zone_rules_zone ON sensor_zone_rules(zone_id);
CREATE TEMP TABLE v12_obs(
  rid INTEGER PRIMARY KEY, site_id INTEGER NOT NULL, device_id TEXT NOT NULL, ips TEXT NOT NULL,
  k TEXT NOT NULL);
INSERT INTO v12_obs
  SELECT d.rowid, z.site_id, d.device_id, d.ips,
         CASE WHEN substr(d.device_id, 1, 4) = 'mac-' OR substr(d.device_id, 1, 3) = 'ip-'
              THEN d.device_id ELSE 'row:' || d.rowid END
  FROM devices d JOIN sensors s ON s.id = d.sensor_id JOIN zones z ON z.id = s.zone_id;
CREATE TEMP TABLE v12_macips(site_id INTEGER, ip TEXT, k TEXT, PRIMARY KEY(site_id, ip));
INSERT INTO v12_macips
  SELECT o.site_id, j.value, MIN(o.device_id) FROM v12_obs o, json_each(o.ips) j
  WHERE substr(o.device_id, 1, 4) = 'mac-' GROUP BY o.site_id, j.value;
UPDATE v12_obs SET k = (SELECT m.k FROM v12_macips m
                        WHERE m.site_id = v12_obs.site_id AND m.ip = substr(v12_obs.device_id, 4))
  WHERE substr(device_id, 1, 3) = 'ip-' AND EXISTS(
    SELECT 1 FROM v12_macips m WHERE m.site_id = v12_obs.site_id
                                 AND m.ip = substr(v12_obs.device_id, 4));
CREATE TEMP TABLE v12_groups(id INTEGER PRIMARY KEY, site_id INTEGER, k TEXT, UNIQUE(site_id, k));
INSERT INTO v12_groups(site_id, k) SELECT DISTINCT site_id, k FROM v12_obs ORDER BY site_id, k;
INSERT INTO device_groups(id, site_id) SELECT id, site_id FROM v12_groups;
UPDATE devices SET group_id = (
  SELECT g.id FROM v12_obs o JOIN v12_groups g ON g.site_id = o.site_id AND g.k = o.k
  WHERE o.rid = devices.rowid);
INSERT OR IGNORE INTO device_keys(site_id, key, group_id)
  SELECT o.site_id, 'mac:' || substr(o.device_id, 5), d.group_id FROM v12_obs o
  JOIN devices d ON d.rowid = o.rid WHERE substr(o.device_id, 1, 4) = 'mac-';
INSERT OR IGNORE INTO device_keys(site_id, key, group_id)
  SELECT o.site_id, 'macip:' || j.value, d.group_id FROM v12_obs o
  JOIN devices d ON d.rowid = o.rid, json_each(o.ips) j WHERE substr(o.device_id, 1, 4) = 'mac-';
INSERT OR IGNORE INTO device_keys(site_id, key, group_id)
  SELECT o.site_id, 'ip:' || substr(o.device_id, 4), d.group_id FROM v12_obs o
  JOIN devices d ON d.rowid = o.rid WHERE substr(o.device_id, 1, 3) = 'ip-';
DROP TABLE v12_obs;
DROP TABLE v12_macips;
DROP TABLE v12_groups;
CREATE INDEX devices_group ON devices(group_id);
CREATE TRIGGER devices_macip_keys AFTER UPDATE OF ips ON devices
WHEN NEW.group_id IS NOT NULL AND NEW.ips <> OLD.ips AND substr(NEW.device_id, 1, 4) = 'mac-'
BEGIN
  INSERT OR IGNORE INTO device_keys(site_id, key, group_id)
    SELECT g.site_id, 'macip:' || j.value, g.id FROM device_groups g, json_each(NEW.ips) j
    WHERE g.id = NEW.group_id;
END;
)sql",
        // v13: fewer B-trees per new alert (ingest, docs/BENCHMARKS.md "Console ingest"): no query
        // needs (sensor_id, status) that alerts_sensor_severity_status does not serve, and
        // retention's index only needs the closed alerts (a new alert is never closed).
        R"sql(
DROP INDEX alerts_sensor_status;
DROP INDEX alerts_closed;
CREATE INDEX alerts_closed ON alerts(status_changed_at) WHERE status = 'closed';
)sql",
        // v14: queries at 100,000 devices and 1,000,000 alerts (docs/BENCHMARKS.md "Console
        // store at scale"). device_text / group_text: FTS5 trigram indexes of the searched text
        // of each observation (rowid = devices.rowid, stable: the console never VACUUMs) and of
        // each group's edits (rowid = device_groups.id), rewritten by triggers only when a
        // searched value changes (ingest updates mostly move last_seen). alert_tally: alerts per
        // (sensor, severity, status), kept by triggers, so the counters never scan alerts. The
        // two alert indexes gain the column their filters and counts read next (last_seen for a
        // time range per sensor, sensor_id for the site test while walking a status+severity
        // range newest first), so those walks stay inside the index.
        R"sql(
CREATE VIRTUAL TABLE device_text USING fts5(body, tokenize = 'trigram');
INSERT INTO device_text(rowid, body)
  SELECT rowid, device_id || ' ' || macs || ' ' || ips || ' ' || vlans || ' ' ||
         COALESCE(vendor, '') || ' ' || COALESCE(model, '') || ' ' || COALESCE(firmware, '') ||
         ' ' || COALESCE(serial, '') || ' ' || COALESCE(hostname, '') || ' ' ||
         COALESCE(type, '') || ' ' || purdue_level || ' ' || protocols || ' ' ||
         COALESCE(identity_json, '') || ' ' || evidence FROM devices;
CREATE TRIGGER device_text_insert AFTER INSERT ON devices BEGIN
  INSERT INTO device_text(rowid, body) VALUES(NEW.rowid,
    NEW.device_id || ' ' || NEW.macs || ' ' || NEW.ips || ' ' || NEW.vlans || ' ' ||
    COALESCE(NEW.vendor, '') || ' ' || COALESCE(NEW.model, '') || ' ' ||
    COALESCE(NEW.firmware, '') || ' ' || COALESCE(NEW.serial, '') || ' ' ||
    COALESCE(NEW.hostname, '') || ' ' || COALESCE(NEW.type, '') || ' ' || NEW.purdue_level ||
    ' ' || NEW.protocols || ' ' || COALESCE(NEW.identity_json, '') || ' ' || NEW.evidence);
END;
CREATE TRIGGER device_text_update AFTER UPDATE OF device_id, macs, ips, vlans, vendor, model,
  firmware, serial, hostname, type, purdue_level, protocols, identity_json, evidence ON devices
WHEN NEW.device_id IS NOT OLD.device_id OR NEW.macs IS NOT OLD.macs OR NEW.ips IS NOT OLD.ips
  OR NEW.vlans IS NOT OLD.vlans OR NEW.vendor IS NOT OLD.vendor OR NEW.model IS NOT OLD.model
  OR NEW.firmware IS NOT OLD.firmware OR NEW.serial IS NOT OLD.serial
  OR NEW.hostname IS NOT OLD.hostname OR NEW.type IS NOT OLD.type
  OR NEW.purdue_level IS NOT OLD.purdue_level OR NEW.protocols IS NOT OLD.protocols
  OR NEW.identity_json IS NOT OLD.identity_json OR NEW.evidence IS NOT OLD.evidence
BEGIN
  UPDATE device_text SET body =
    NEW.device_id || ' ' || NEW.macs || ' ' || NEW.ips || ' ' || NEW.vlans || ' ' ||
    COALESCE(NEW.vendor, '') || ' ' || COALESCE(NEW.model, '') || ' ' ||
    COALESCE(NEW.firmware, '') || ' ' || COALESCE(NEW.serial, '') || ' ' ||
    COALESCE(NEW.hostname, '') || ' ' || COALESCE(NEW.type, '') || ' ' || NEW.purdue_level ||
    ' ' || NEW.protocols || ' ' || COALESCE(NEW.identity_json, '') || ' ' || NEW.evidence
  WHERE rowid = NEW.rowid;
END;
CREATE TRIGGER device_text_delete AFTER DELETE ON devices BEGIN
  DELETE FROM device_text WHERE rowid = OLD.rowid;
END;
CREATE VIRTUAL TABLE group_text USING fts5(body, tokenize = 'trigram');
INSERT INTO group_text(rowid, body)
  SELECT id, COALESCE(name, '') || ' ' || COALESCE(type, '') || ' ' ||
             COALESCE(criticality, '') || ' ' || COALESCE(notes, '') FROM device_groups
  WHERE COALESCE(name, type, criticality, notes) IS NOT NULL;
CREATE TRIGGER group_text_insert AFTER INSERT ON device_groups
WHEN COALESCE(NEW.name, NEW.type, NEW.criticality, NEW.notes) IS NOT NULL BEGIN
  INSERT INTO group_text(rowid, body) VALUES(NEW.id,
    COALESCE(NEW.name, '') || ' ' || COALESCE(NEW.type, '') || ' ' ||
    COALESCE(NEW.criticality, '') || ' ' || COALESCE(NEW.notes, ''));
END;
CREATE TRIGGER group_text_update AFTER UPDATE OF name, type, criticality, notes ON device_groups
WHEN NEW.name IS NOT OLD.name OR NEW.type IS NOT OLD.type
  OR NEW.criticality IS NOT OLD.criticality OR NEW.notes IS NOT OLD.notes
BEGIN
  DELETE FROM group_text WHERE rowid = OLD.id;
  INSERT INTO group_text(rowid, body)
    SELECT NEW.id, COALESCE(NEW.name, '') || ' ' || COALESCE(NEW.type, '') || ' ' ||
                   COALESCE(NEW.criticality, '') || ' ' || COALESCE(NEW.notes, '')
    WHERE COALESCE(NEW.name, NEW.type, NEW.criticality, NEW.notes) IS NOT NULL;
END;
CREATE TRIGGER group_text_delete AFTER DELETE ON device_groups BEGIN
  DELETE FROM group_text WHERE rowid = OLD.id;
END;
CREATE TABLE alert_tally(
  sensor_id TEXT NOT NULL, severity INTEGER NOT NULL, status TEXT NOT NULL, n INTEGER NOT NULL,
  PRIMARY KEY(sensor_id, severity, status)) WITHOUT ROWID;
INSERT INTO alert_tally SELECT sensor_id, severity, status, COUNT(*) FROM alerts
  GROUP BY sensor_id, severity, status;
CREATE TRIGGER alert_tally_insert AFTER INSERT ON alerts BEGIN
  INSERT INTO alert_tally VALUES(NEW.sensor_id, NEW.severity, NEW.status, 1)
    ON CONFLICT DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER alert_tally_update AFTER UPDATE OF sensor_id, severity, status ON alerts
WHEN NEW.sensor_id IS NOT OLD.sensor_id OR NEW.severity IS NOT OLD.severity
  OR NEW.status IS NOT OLD.status
BEGIN
  UPDATE alert_tally SET n = n - 1
    WHERE sensor_id = OLD.sensor_id AND severity = OLD.severity AND status = OLD.status;
  INSERT INTO alert_tally VALUES(NEW.sensor_id, NEW.severity, NEW.status, 1)
    ON CONFLICT DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER alert_tally_delete AFTER DELETE ON alerts BEGIN
  UPDATE alert_tally SET n = n - 1
    WHERE sensor_id = OLD.sensor_id AND severity = OLD.severity AND status = OLD.status;
END;
DROP INDEX alerts_status_severity;
CREATE INDEX alerts_status_severity ON alerts(status, severity, last_seen, sensor_id);
DROP INDEX alerts_sensor_severity_status;
CREATE INDEX alerts_sensor_severity_status ON alerts(sensor_id, severity, status, last_seen);
)sql",
        // v15: no per-row trigger writes the FTS5 index or the tally on ingest's insert path
        // (docs/BENCHMARKS.md "Console ingest", session 6). A trigger that writes makes its
        // statement open a statement journal, and FTS5 flushes its pending terms to a new
        // segment at every statement savepoint: ~1.8 M instructions per new device instead of
        // ~0.17 M. Now ingest queues new device rowids and counts new alerts itself, the
        // update and delete triggers only mark rows in device_text_dirty, and one flush per
        // write transaction (ConsoleStore::flushSearchTextLocked) rewrites those rows. (Not
        // INSERT OR IGNORE: the firing upsert's conflict policy would override the trigger's.)
        R"sql(
DROP TRIGGER device_text_insert;
DROP TRIGGER device_text_update;
DROP TRIGGER device_text_delete;
DROP TRIGGER alert_tally_insert;
CREATE TABLE device_text_dirty(rid INTEGER PRIMARY KEY);
CREATE TRIGGER device_text_update AFTER UPDATE OF device_id, macs, ips, vlans, vendor, model,
  firmware, serial, hostname, type, purdue_level, protocols, identity_json, evidence ON devices
WHEN NEW.device_id IS NOT OLD.device_id OR NEW.macs IS NOT OLD.macs OR NEW.ips IS NOT OLD.ips
  OR NEW.vlans IS NOT OLD.vlans OR NEW.vendor IS NOT OLD.vendor OR NEW.model IS NOT OLD.model
  OR NEW.firmware IS NOT OLD.firmware OR NEW.serial IS NOT OLD.serial
  OR NEW.hostname IS NOT OLD.hostname OR NEW.type IS NOT OLD.type
  OR NEW.purdue_level IS NOT OLD.purdue_level OR NEW.protocols IS NOT OLD.protocols
  OR NEW.identity_json IS NOT OLD.identity_json OR NEW.evidence IS NOT OLD.evidence
BEGIN
  INSERT INTO device_text_dirty(rid) SELECT NEW.rowid
    WHERE NOT EXISTS(SELECT 1 FROM device_text_dirty WHERE rid = NEW.rowid);
END;
CREATE TRIGGER device_text_delete AFTER DELETE ON devices BEGIN
  INSERT INTO device_text_dirty(rid) SELECT OLD.rowid
    WHERE NOT EXISTS(SELECT 1 FROM device_text_dirty WHERE rid = OLD.rowid);
END;
)sql",
        // v16: the inventory order stored per device (docs/CONSOLE.md "Devices" → Search), so a
        // search matching 10,000+ devices walks its matches in list order and stops after its
        // page. order_zone / order_device: the effective zone and the device id of a group of
        // ONE observation whose zone cannot move with ingest's reports (an override, or a sensor
        // without VLAN rules); NULL for every other group (the search computes those keys as
        // before). Triggers clear the key whenever what it depends on changes (observations
        // moving in or out, the override, the site, a VLAN rule of the sensor) and mark the group
        // in device_order_dirty; ConsoleStore::flushDeviceOrderLocked computes the marked keys
        // again before the transaction commits. Names are not stored: renames change nothing.
        R"sql(
ALTER TABLE device_groups ADD COLUMN order_zone INTEGER;
ALTER TABLE device_groups ADD COLUMN order_device TEXT;
CREATE TABLE device_order_dirty(gid INTEGER PRIMARY KEY);
UPDATE device_groups SET order_zone = k.zone, order_device = k.device
FROM (SELECT g.id AS gid, COALESCE(g.zone_id, s.zone_id) AS zone, MIN(d.device_id) AS device,
             COUNT(*) AS n, MIN(d.sensor_id) AS sensor, MIN(s.zone_id) AS szone, g.zone_id AS ozone
      FROM device_groups g JOIN devices d ON d.group_id = g.id
      LEFT JOIN sensors s ON s.id = d.sensor_id GROUP BY g.id) k
WHERE device_groups.id = k.gid AND k.n = 1 AND k.zone IS NOT NULL
  AND CASE WHEN k.ozone IS NULL
           THEN NOT EXISTS(SELECT 1 FROM sensor_zone_rules r WHERE r.sensor_id = k.sensor)
           ELSE (SELECT site_id FROM zones WHERE id = k.ozone) =
                (SELECT site_id FROM zones WHERE id = k.szone) END;
CREATE INDEX device_groups_order ON device_groups(order_zone, order_device)
  WHERE order_zone IS NOT NULL;
CREATE INDEX device_groups_unordered ON device_groups(id) WHERE order_zone IS NULL;
CREATE TRIGGER device_order_members AFTER UPDATE OF group_id ON devices
WHEN NEW.group_id IS NOT OLD.group_id
BEGIN
  UPDATE device_groups SET order_zone = NULL, order_device = NULL
    WHERE id IN (OLD.group_id, NEW.group_id) AND order_zone IS NOT NULL;
  INSERT INTO device_order_dirty(gid) SELECT NEW.group_id
    WHERE NEW.group_id IS NOT NULL
      AND NOT EXISTS(SELECT 1 FROM device_order_dirty WHERE gid = NEW.group_id);
  INSERT INTO device_order_dirty(gid) SELECT OLD.group_id
    WHERE OLD.group_id IS NOT NULL
      AND NOT EXISTS(SELECT 1 FROM device_order_dirty WHERE gid = OLD.group_id);
END;
CREATE TRIGGER device_order_gone AFTER DELETE ON devices WHEN OLD.group_id IS NOT NULL BEGIN
  INSERT INTO device_order_dirty(gid) SELECT OLD.group_id
    WHERE NOT EXISTS(SELECT 1 FROM device_order_dirty WHERE gid = OLD.group_id);
END;
CREATE TRIGGER device_order_group AFTER UPDATE OF zone_id, site_id ON device_groups
WHEN NEW.zone_id IS NOT OLD.zone_id OR NEW.site_id IS NOT OLD.site_id
BEGIN
  UPDATE device_groups SET order_zone = NULL, order_device = NULL WHERE id = NEW.id;
  INSERT INTO device_order_dirty(gid) SELECT NEW.id
    WHERE NOT EXISTS(SELECT 1 FROM device_order_dirty WHERE gid = NEW.id);
END;
CREATE TRIGGER device_order_rule_insert AFTER INSERT ON sensor_zone_rules BEGIN
  UPDATE device_groups SET order_zone = NULL, order_device = NULL
    WHERE order_zone IS NOT NULL
      AND id IN (SELECT group_id FROM devices WHERE sensor_id = NEW.sensor_id);
  INSERT INTO device_order_dirty(gid)
    SELECT DISTINCT group_id FROM devices WHERE sensor_id = NEW.sensor_id AND group_id IS NOT NULL
      AND group_id NOT IN (SELECT gid FROM device_order_dirty);
END;
CREATE TRIGGER device_order_rule_delete AFTER DELETE ON sensor_zone_rules BEGIN
  INSERT INTO device_order_dirty(gid)
    SELECT DISTINCT group_id FROM devices WHERE sensor_id = OLD.sensor_id AND group_id IS NOT NULL
      AND group_id NOT IN (SELECT gid FROM device_order_dirty);
END;
)sql",
        // v17: capture interfaces (docs/CONSOLE.md "Devices" → Zone). devices.interfaces: the
        // sensor's capture interfaces the observation was seen on (JSON strings, searched like
        // the other reported fields); sensor_interface_rules: "devices sensor X sees on
        // interface eth1 are in zone Z". A sensor with interface rules is like one with VLAN
        // rules for the stored order of v16: its devices are keyed at search time, so adding or
        // removing a rule clears and marks them (ConsoleStore::flushDeviceOrderLocked). No
        // stored row changes: a v16 store has neither interfaces nor their rules.
        R"sql(
ALTER TABLE devices ADD COLUMN interfaces TEXT NOT NULL DEFAULT '[]';
CREATE TABLE sensor_interface_rules(
  sensor_id TEXT NOT NULL REFERENCES sensors(id), interface TEXT NOT NULL,
  zone_id INTEGER NOT NULL REFERENCES zones(id) ON DELETE CASCADE,
  PRIMARY KEY(sensor_id, interface));
CREATE INDEX sensor_interface_rules_zone ON sensor_interface_rules(zone_id);
CREATE TRIGGER device_order_interface_rule_insert AFTER INSERT ON sensor_interface_rules BEGIN
  UPDATE device_groups SET order_zone = NULL, order_device = NULL
    WHERE order_zone IS NOT NULL
      AND id IN (SELECT group_id FROM devices WHERE sensor_id = NEW.sensor_id);
  INSERT INTO device_order_dirty(gid)
    SELECT DISTINCT group_id FROM devices WHERE sensor_id = NEW.sensor_id AND group_id IS NOT NULL
      AND group_id NOT IN (SELECT gid FROM device_order_dirty);
END;
CREATE TRIGGER device_order_interface_rule_delete AFTER DELETE ON sensor_interface_rules BEGIN
  INSERT INTO device_order_dirty(gid)
    SELECT DISTINCT group_id FROM devices WHERE sensor_id = OLD.sensor_id AND group_id IS NOT NULL
      AND group_id NOT IN (SELECT gid FROM device_order_dirty);
END;
DROP TRIGGER device_text_update;
CREATE TRIGGER device_text_update AFTER UPDATE OF device_id, macs, ips, vlans, vendor, model,
  firmware, serial, hostname, type, purdue_level, protocols, identity_json, evidence, interfaces
  ON devices
WHEN NEW.device_id IS NOT OLD.device_id OR NEW.macs IS NOT OLD.macs OR NEW.ips IS NOT OLD.ips
  OR NEW.vlans IS NOT OLD.vlans OR NEW.vendor IS NOT OLD.vendor OR NEW.model IS NOT OLD.model
  OR NEW.firmware IS NOT OLD.firmware OR NEW.serial IS NOT OLD.serial
  OR NEW.hostname IS NOT OLD.hostname OR NEW.type IS NOT OLD.type
  OR NEW.purdue_level IS NOT OLD.purdue_level OR NEW.protocols IS NOT OLD.protocols
  OR NEW.identity_json IS NOT OLD.identity_json OR NEW.evidence IS NOT OLD.evidence
  OR NEW.interfaces IS NOT OLD.interfaces
BEGIN
  INSERT INTO device_text_dirty(rid) SELECT NEW.rowid
    WHERE NOT EXISTS(SELECT 1 FROM device_text_dirty WHERE rid = NEW.rowid);
END;
)sql",
        // v18: alert_text, an FTS5 trigram index of the text an alert filter matches (title, id,
        // type, engine, ends and their addresses, protocol, ATT&CK id, assignee), so a filter
        // term that few alerts contain finds them without reading every alert (issue 8:
        // 'no-such-thing' read all 1,000,000 rows, 1.2-9.6 s). detail=none: only row ids per
        // trigram (no positions; a third of the size); a term is looked up as the AND of its
        // trigrams and the LIKE test keeps its exact meaning. Kept like device_text (v15): ingest
        // queues new rows, the triggers only mark changed or deleted ones, and the write
        // transaction's flush rewrites them (flushSearchTextLocked).
        R"sql(
CREATE VIRTUAL TABLE alert_text USING fts5(body, tokenize = 'trigram', detail = 'none');
INSERT INTO alert_text(rowid, body)
  SELECT rowid, COALESCE(title, '') || ' ' || alert_id || ' ' || COALESCE(type, '') || ' ' ||
         COALESCE(engine, '') || ' ' || COALESCE(src, '') || ' ' || COALESCE(src_ip, '') ||
         ' ' || COALESCE(dst, '') || ' ' || COALESCE(dst_ip, '') || ' ' ||
         COALESCE(protocol, '') || ' ' || COALESCE(mitre, '') || ' ' || assignee FROM alerts;
CREATE TABLE alert_text_dirty(rid INTEGER PRIMARY KEY);
CREATE TRIGGER alert_text_update AFTER UPDATE OF title, alert_id, type, engine, src, src_ip, dst,
  dst_ip, protocol, mitre, assignee ON alerts
WHEN NEW.title IS NOT OLD.title OR NEW.alert_id IS NOT OLD.alert_id OR NEW.type IS NOT OLD.type
  OR NEW.engine IS NOT OLD.engine OR NEW.src IS NOT OLD.src OR NEW.src_ip IS NOT OLD.src_ip
  OR NEW.dst IS NOT OLD.dst OR NEW.dst_ip IS NOT OLD.dst_ip OR NEW.protocol IS NOT OLD.protocol
  OR NEW.mitre IS NOT OLD.mitre OR NEW.assignee IS NOT OLD.assignee
BEGIN
  INSERT INTO alert_text_dirty(rid) SELECT NEW.rowid
    WHERE NOT EXISTS(SELECT 1 FROM alert_text_dirty WHERE rid = NEW.rowid);
END;
CREATE TRIGGER alert_text_delete AFTER DELETE ON alerts BEGIN
  INSERT INTO alert_text_dirty(rid) SELECT OLD.rowid
    WHERE NOT EXISTS(SELECT 1 FROM alert_text_dirty WHERE rid = OLD.rowid);
END;
)sql",
    };
    return steps;
}

Result<std::unique_ptr<ConsoleStore>> ConsoleStore::open(const std::filesystem::path& dbFile) {
    auto db = sqlite::Db::open(dbFile);
    if (!db) return db.error();
    if (auto s = db->setSynchronousFull(); !s) return s.error();
    // Statement journals (every trigger and savepoint opens one) in memory, not in temp files:
    // ingest's alert and device triggers wrote ~20 journal pages per new row to /var/tmp.
    if (auto s = db->exec("PRAGMA temp_store=MEMORY"); !s) return s.error();
    // Upgrading an existing store can rewrite every row (schema v14 indexed 1,000,000 alerts and
    // 100,000 devices in ~70 s): say so, instead of a console that seems to hang at start.
    std::int64_t fromVersion = 0;
    if (auto v = db->prepare("PRAGMA user_version"); v) {
        if (auto row = v->step(); row && *row) fromVersion = v->columnInt(0);
    }
    const auto toVersion = static_cast<std::int64_t>(schemaSteps().size());
    const bool upgrading = fromVersion > 0 && fromVersion < toVersion;
    const auto upgradeStart = std::chrono::steady_clock::now();
    if (upgrading) {
        std::fprintf(stderr,
                     "ironsight-console: upgrading %s from schema v%lld to v%lld (a large store "
                     "can take a few minutes; do not stop the console)\n",
                     dbFile.string().c_str(), static_cast<long long>(fromVersion),
                     static_cast<long long>(toVersion));
    }
    if (auto s = sqlite::migrate(*db, schemaSteps()); !s) {
        return makeError(dbFile.string() + ": " + s.error().message);
    }
    if (upgrading) {
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                                             upgradeStart)
                                   .count();
        std::fprintf(stderr, "ironsight-console: %s upgraded to schema v%lld in %.1f s\n",
                     dbFile.string().c_str(), static_cast<long long>(toVersion), seconds);
    }
    // After the migration: a read-only connection cannot create the schema's tables.
    auto readDb = sqlite::Db::open(dbFile, /*readOnly=*/true);
    if (!readDb) return readDb.error();
    // The read connection reads pages through a memory map instead of one pread() copy each:
    // its page cache (2 MiB) is dropped whenever ingest commits, so a search over a
    // 1,000,000-alert store spent more time in the kernel's copy than in SQLite (perf). Only
    // the database file is mapped, read-only; the console never shrinks the file while it is
    // open (no VACUUM; a restore needs every console closed). The writer keeps a larger cache
    // of its own instead (ingest looks devices and alerts up all over the file); a map gave
    // it nothing measurable (docs/BENCHMARKS.md, session 6).
    if (auto s = readDb->exec("PRAGMA mmap_size=1073741824"); !s) return s.error();
    if (auto s = db->exec("PRAGMA cache_size=-32768"); !s) return s.error();
    // A WAL that grew past its bound (WalCheckpointer) is cut back when it starts over.
    if (auto s = db->exec("PRAGMA journal_size_limit=67108864"); !s) return s.error();
    std::unique_ptr<ConsoleStore> store(new ConsoleStore(std::move(*db), std::move(*readDb)));
    ConsoleStore* const raw = store.get();
    WalCheckpointer::Options walOptions;
    walOptions.holdWriters = [raw](const std::function<void()>& work) {
        std::lock_guard lock(raw->mutex_);
        work();
    };
    auto checkpointer = WalCheckpointer::start(store->db_, std::move(walOptions));
    if (!checkpointer) return checkpointer.error();
    store->checkpointer_ = std::move(*checkpointer);
    if (auto s = store->sealAuditChain(); !s) {
        return makeError(dbFile.string() + ": cannot seal the audit log: " + s.error().message);
    }
    return store;
}

void ConsoleStore::setClock(Clock clock) {
    std::lock_guard lock(mutex_);
    clock_ = clock ? std::move(clock) : Clock(&nowMs);
}

std::optional<std::string> ConsoleStore::setting(const std::string& key) {
    std::lock_guard lock(mutex_);
    auto st = db_.prepare("SELECT value FROM settings WHERE key = ?1");
    if (!st) return std::nullopt;
    st->bind(1, key);
    auto row = st->step();
    if (!row || !*row) return std::nullopt;
    return st->columnText(0);
}

Status ConsoleStore::setSetting(const std::string& key, const std::string& value) {
    std::lock_guard lock(mutex_);
    auto st = db_.prepare(
        "INSERT INTO settings(key, value) VALUES(?1, ?2) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value");
    if (!st) return st.error();
    return st->bind(1, key).bind(2, value).run();
}

namespace {

constexpr const char* kUserSelect =
    "SELECT name, role, disabled, must_change_password, failed_logins, first_failure_at, "
    "locked_until, last_sign_in, created_at, password_hash FROM users";

/// The users.role spelling (schema v1 named the Read-only role 'readonly').
const char* dbRole(Role role) {
    return role == Role::Viewer ? "readonly" : roleName(role);
}

UserRow userFrom(const sqlite::Stmt& st) {
    UserRow u;
    u.name = st.columnText(0);
    u.role = roleFromName(st.columnText(1)).value_or(Role::Viewer);
    u.disabled = st.columnInt(2) != 0;
    u.mustChangePassword = st.columnInt(3) != 0;
    u.failedSignIns = static_cast<int>(st.columnInt(4));
    u.firstFailureMs = st.columnInt(5);
    u.lockedUntilMs = st.columnInt(6);
    u.lastSignInMs = st.columnInt(7);
    u.createdAtMs = st.columnInt(8);
    u.passwordHash = st.columnText(9);
    return u;
}

}  // namespace

Status ConsoleStore::addUser(const std::string& name, const std::string& password,
                             const std::string& role, const AuditActor& by,
                             bool mustChangePassword) {
    if (name.empty()) return makeError("user name must not be empty");
    if (name.size() > 64 || name.find_first_of(" \t\r\n,\"") != std::string::npos)
        return makeError("user name must be 1-64 characters without spaces, commas or quotes");
    auto parsed = roleFromName(role);
    if (!parsed) return makeError("unknown role '" + role + "' (admin, analyst or viewer)");
    if (auto s = checkPasswordPolicy(name, password); !s) {
        std::lock_guard lock(mutex_);
        (void)auditLocked(by.actor, "user.add", name, by.source, "failed: " + s.error().message);
        return s;
    }
    auto encoded = hashPassword(password);
    if (!encoded) return encoded.error();
    std::lock_guard lock(mutex_);
    std::int64_t now = clock_();
    auto st = db_.prepare(
        "INSERT INTO users(name, password_hash, role, must_change_password, password_changed_at, "
        "created_at) VALUES(?1, ?2, ?3, ?4, ?5, ?5)");
    if (!st) return st.error();
    if (auto s = st->bind(1, name)
                     .bind(2, *encoded)
                     .bind(3, dbRole(*parsed))
                     .bind(4, mustChangePassword)
                     .bind(5, now)
                     .run();
        !s) {
        (void)auditLocked(by.actor, "user.add", name, by.source, "failed: user exists");
        return makeError("user '" + name + "' already exists");
    }
    return auditLocked(by.actor, "user.add", name, by.source,
                       std::string("ok: role ") + roleName(*parsed));
}

Result<std::optional<UserRow>> ConsoleStore::findUser(const std::string& name) {
    std::lock_guard lock(mutex_);
    auto st = db_.prepare(std::string(kUserSelect) + " WHERE name = ?1");
    if (!st) return st.error();
    st->bind(1, name);
    auto row = st->step();
    if (!row) return row.error();
    if (!*row) return std::optional<UserRow>{};
    return std::optional<UserRow>{userFrom(*st)};
}

Result<std::vector<UserRow>> ConsoleStore::listUsers() {
    std::lock_guard lock(mutex_);
    auto st = db_.prepare(std::string(kUserSelect) + " ORDER BY name");
    if (!st) return st.error();
    std::vector<UserRow> out;
    for (auto row = st->step(); row && *row; row = st->step()) out.push_back(userFrom(*st));
    return out;
}

Status ConsoleStore::setPassword(const std::string& name, const std::string& password,
                                 bool mustChangePassword, const AuditActor& by,
                                 const std::string& auditAction) {
    if (auto s = checkPasswordPolicy(name, password); !s) {
        std::lock_guard lock(mutex_);
        (void)auditLocked(by.actor, auditAction, name, by.source, "failed: " + s.error().message);
        return s;
    }
    auto encoded = hashPassword(password);
    if (!encoded) return encoded.error();
    std::lock_guard lock(mutex_);
    sqlite::Transaction tx(db_);
    if (!tx.began()) return tx.beginStatus().error();
    auto st = db_.prepare(
        "UPDATE users SET password_hash = ?2, must_change_password = ?3, failed_logins = 0, "
        "first_failure_at = 0, locked_until = 0, password_changed_at = ?4 WHERE name = ?1");
    if (!st) return st.error();
    if (auto s =
            st->bind(1, name).bind(2, *encoded).bind(3, mustChangePassword).bind(4, clock_()).run();
        !s) {
        return s;
    }
    if (db_.changes() == 0) return makeError("no user '" + name + "'");
    if (auto s = auditLocked(by.actor, auditAction, name, by.source,
                             mustChangePassword ? "ok: must change at next sign-in" : "ok");
        !s) {
        return s;
    }
    if (auto s = tx.commit(); !s) return s;
    ++ownWrites_;
    return {};
}

namespace {

/// Enabled admins other than `name`.
std::int64_t otherAdmins(sqlite::Db& db, const std::string& name) {
    auto st = db.prepare(
        "SELECT COUNT(*) FROM users WHERE role = 'admin' AND disabled = 0 AND name != ?1");
    if (!st) return 0;
    st->bind(1, name);
    auto row = st->step();
    return row && *row ? st->columnInt(0) : 0;
}

}  // namespace

Status ConsoleStore::setUserDisabled(const std::string& name, bool disabled, const AuditActor& by) {
    std::lock_guard lock(mutex_);
    sqlite::Transaction tx(db_);
    if (!tx.began()) return tx.beginStatus().error();
    const char* action = disabled ? "user.disable" : "user.enable";
    auto st = db_.prepare("SELECT role FROM users WHERE name = ?1");
    if (!st) return st.error();
    st->bind(1, name);
    auto row = st->step();
    if (!row) return row.error();
    if (!*row) return makeError("no user '" + name + "'");
    bool isAdmin = st->columnText(0) == "admin";
    st->reset();
    if (disabled && isAdmin && otherAdmins(db_, name) == 0) {
        return makeError("cannot disable '" + name + "': it is the last enabled admin");
    }
    auto up = db_.prepare("UPDATE users SET disabled = ?2 WHERE name = ?1");
    if (!up) return up.error();
    if (auto s = up->bind(1, name).bind(2, disabled).run(); !s) return s;
    if (auto s = auditLocked(by.actor, action, name, by.source, "ok"); !s) return s;
    if (auto s = tx.commit(); !s) return s;
    ++ownWrites_;
    return {};
}

Status ConsoleStore::setUserRole(const std::string& name, Role role, const AuditActor& by) {
    std::lock_guard lock(mutex_);
    sqlite::Transaction tx(db_);
    if (!tx.began()) return tx.beginStatus().error();
    auto st = db_.prepare("SELECT role, disabled FROM users WHERE name = ?1");
    if (!st) return st.error();
    st->bind(1, name);
    auto row = st->step();
    if (!row) return row.error();
    if (!*row) return makeError("no user '" + name + "'");
    std::string old = st->columnText(0);
    bool enabledAdmin = old == "admin" && st->columnInt(1) == 0;
    st->reset();
    if (enabledAdmin && role != Role::Admin && otherAdmins(db_, name) == 0) {
        return makeError("cannot change the role of '" + name + "': it is the last enabled admin");
    }
    auto up = db_.prepare("UPDATE users SET role = ?2 WHERE name = ?1");
    if (!up) return up.error();
    if (auto s = up->bind(1, name).bind(2, dbRole(role)).run(); !s) return s;
    std::string oldName = roleName(roleFromName(old).value_or(Role::Viewer));
    if (auto s = auditLocked(by.actor, "user.set_role", name, by.source,
                             "ok: " + oldName + " -> " + roleName(role));
        !s) {
        return s;
    }
    if (auto s = tx.commit(); !s) return s;
    ++ownWrites_;
    return {};
}

Result<bool> ConsoleStore::noteSignInFailure(const std::string& name, const AuthPolicy& policy,
                                             const std::string& source, const std::string& reason) {
    std::lock_guard lock(mutex_);
    sqlite::Transaction tx(db_);
    if (!tx.began()) return tx.beginStatus().error();
    std::int64_t now = clock_();
    bool locked = false;
    auto st = db_.prepare("SELECT failed_logins, first_failure_at FROM users WHERE name = ?1");
    if (!st) return st.error();
    st->bind(1, name);
    auto row = st->step();
    if (!row) return row.error();
    if (*row) {
        std::int64_t count = st->columnInt(0);
        std::int64_t first = st->columnInt(1);
        st->reset();
        std::int64_t windowMs = std::int64_t{policy.lockoutWindowMinutes} * 60'000;
        if (count == 0 || now - first > windowMs) {
            count = 1;
            first = now;
        } else {
            ++count;
        }
        std::int64_t lockedUntil = 0;
        if (policy.lockoutThreshold > 0 && count >= policy.lockoutThreshold) {
            locked = true;
            lockedUntil = now + std::int64_t{policy.lockoutMinutes} * 60'000;
            count = 0;
            first = 0;
        }
        auto up = db_.prepare(
            "UPDATE users SET failed_logins = ?2, first_failure_at = ?3, "
            "locked_until = MAX(locked_until, ?4) WHERE name = ?1");
        if (!up) return up.error();
        if (auto s = up->bind(1, name).bind(2, count).bind(3, first).bind(4, lockedUntil).run();
            !s) {
            return s.error();
        }
    }
    if (auto s = auditLocked(name, "user.sign_in", name, source, "failure: " + reason); !s)
        return s.error();
    if (locked) {
        if (auto s =
                auditLocked("console", "user.lockout", name, source,
                            "locked for " + std::to_string(policy.lockoutMinutes) + " min after " +
                                std::to_string(policy.lockoutThreshold) + " failed sign-ins");
            !s) {
            return s.error();
        }
    }
    if (auto s = tx.commit(); !s) return s.error();
    ++ownWrites_;
    return locked;
}

Status ConsoleStore::noteSignInSuccess(const std::string& name, const std::string& source) {
    std::lock_guard lock(mutex_);
    sqlite::Transaction tx(db_);
    if (!tx.began()) return tx.beginStatus().error();
    auto up = db_.prepare(
        "UPDATE users SET failed_logins = 0, first_failure_at = 0, locked_until = 0, "
        "last_sign_in = ?2 WHERE name = ?1");
    if (!up) return up.error();
    if (auto s = up->bind(1, name).bind(2, clock_()).run(); !s) return s;
    if (auto s = auditLocked(name, "user.sign_in", name, source, "ok"); !s) return s;
    if (auto s = tx.commit(); !s) return s;
    ++ownWrites_;
    return {};
}

Result<bool> ConsoleStore::checkPassword(const std::string& name, const std::string& password) {
    std::string hash;
    {
        std::lock_guard lock(mutex_);
        auto st = db_.prepare("SELECT password_hash FROM users WHERE name = ?1");
        if (!st) return st.error();
        st->bind(1, name);
        auto row = st->step();
        if (!row) return row.error();
        if (!*row) return false;
        hash = st->columnText(0);
    }
    return verifyPassword(hash, password);
}

std::int64_t ConsoleStore::userCount() {
    std::lock_guard lock(mutex_);
    auto st = db_.prepare("SELECT COUNT(*) FROM users");
    if (!st) return 0;
    auto row = st->step();
    return row && *row ? st->columnInt(0) : 0;
}

Result<SiteRow> ConsoleStore::addSite(const std::string& name, const AuditActor& by) {
    if (name.empty()) return makeError("site name must not be empty");
    std::lock_guard lock(mutex_);
    auto st = db_.prepare("INSERT INTO sites(name) VALUES(?1)");
    if (!st) return st.error();
    if (auto s = st->bind(1, name).run(); !s) {
        return makeError("site '" + name + "' already exists");
    }
    SiteRow row{db_.lastInsertRowid(), name};
    (void)auditLocked(by.actor, "site.add", name, by.source, "ok");
    return row;
}

Result<ZoneRow> ConsoleStore::addZone(const std::string& site, const std::string& name,
                                      const AuditActor& by) {
    if (name.empty()) return makeError("zone name must not be empty");
    std::lock_guard lock(mutex_);
    auto find = db_.prepare("SELECT id FROM sites WHERE name = ?1");
    if (!find) return find.error();
    find->bind(1, site);
    auto row = find->step();
    if (!row) return row.error();
    if (!*row) return makeError("no site named '" + site + "'");
    std::int64_t siteId = find->columnInt(0);
    auto st = db_.prepare("INSERT INTO zones(site_id, name) VALUES(?1, ?2)");
    if (!st) return st.error();
    if (auto s = st->bind(1, siteId).bind(2, name).run(); !s) {
        return makeError("zone '" + name + "' already exists in site '" + site + "'");
    }
    ZoneRow z{db_.lastInsertRowid(), site, name};
    (void)auditLocked(by.actor, "zone.add", site + "/" + name, by.source, "ok");
    return z;
}

Result<std::vector<SiteRow>> ConsoleStore::listSites() {
    std::lock_guard lock(mutex_);
    auto st = db_.prepare("SELECT id, name FROM sites ORDER BY name");
    if (!st) return st.error();
    std::vector<SiteRow> out;
    for (auto row = st->step(); row && *row; row = st->step()) {
        out.push_back({st->columnInt(0), st->columnText(1)});
    }
    return out;
}

Result<std::vector<ZoneRow>> ConsoleStore::listZones() {
    std::lock_guard lock(mutex_);
    auto st = db_.prepare(
        "SELECT z.id, s.name, z.name FROM zones z JOIN sites s ON s.id = z.site_id "
        "ORDER BY s.name, z.name");
    if (!st) return st.error();
    std::vector<ZoneRow> out;
    for (auto row = st->step(); row && *row; row = st->step()) {
        out.push_back({st->columnInt(0), st->columnText(1), st->columnText(2)});
    }
    return out;
}

Result<SensorRow> ConsoleStore::addSensor(const std::string& site, const std::string& zone,
                                          const std::string& name,
                                          const std::string& tokenSha256Hex,
                                          const std::string& bundleId, std::int64_t notAfterMs,
                                          const AuditActor& by) {
    if (name.empty()) return makeError("sensor name must not be empty");
    std::lock_guard lock(mutex_);
    sqlite::Transaction tx(db_);
    if (!tx.began()) return tx.beginStatus().error();
    auto find = db_.prepare(
        "SELECT z.id FROM zones z JOIN sites s ON s.id = z.site_id "
        "WHERE s.name = ?1 AND z.name = ?2");
    if (!find) return find.error();
    find->bind(1, site).bind(2, zone);
    auto row = find->step();
    if (!row) return row.error();
    if (!*row) return makeError("no zone '" + zone + "' in site '" + site + "'");
    std::int64_t zoneId = find->columnInt(0);
    SensorRow sensor;
    sensor.id = crypto::newUuid();
    sensor.name = name;
    sensor.site = site;
    sensor.zone = zone;
    sensor.status = "pending";
    std::int64_t now = clock_();
    auto ins = db_.prepare(
        "INSERT INTO sensors(id, name, zone_id, status, created_at) "
        "VALUES(?1, ?2, ?3, 'pending', ?4)");
    if (!ins) return ins.error();
    if (auto s = ins->bind(1, sensor.id).bind(2, name).bind(3, zoneId).bind(4, now).run(); !s) {
        return makeError("sensor '" + name + "' already exists");
    }
    auto act = db_.prepare(
        "INSERT INTO activations(token_sha256, bundle_id, sensor_id, not_after, created_at) "
        "VALUES(?1, ?2, ?3, ?4, ?5)");
    if (!act) return act.error();
    if (auto s = act->bind(1, tokenSha256Hex)
                     .bind(2, bundleId)
                     .bind(3, sensor.id)
                     .bind(4, notAfterMs)
                     .bind(5, now)
                     .run();
        !s) {
        return dbError("cannot store the activation", s.error());
    }
    if (auto s = auditLocked(by.actor, "activation.generate", sensor.id, by.source,
                             "ok: sensor " + name + ", bundle " + bundleId);
        !s) {
        return s.error();
    }
    if (auto s = tx.commit(); !s) return s.error();
    return sensor;
}

Result<std::vector<SensorRow>> ConsoleStore::listSensors() {
    std::lock_guard lock(mutex_);
    auto st = db_.prepare(std::string(kSensorSelect) + " ORDER BY s.name");
    if (!st) return st.error();
    std::vector<SensorRow> out;
    for (auto row = st->step(); row && *row; row = st->step()) out.push_back(sensorFrom(*st));
    return out;
}

Result<SensorRow> ConsoleStore::addReactivation(const std::string& idOrName,
                                                const std::string& tokenSha256Hex,
                                                const std::string& bundleId,
                                                std::int64_t notAfterMs, const AuditActor& by) {
    std::lock_guard lock(mutex_);
    sqlite::Transaction tx(db_);
    if (!tx.began()) return tx.beginStatus().error();
    auto find = db_.prepare(std::string(kSensorSelect) + " WHERE s.id = ?1 OR s.name = ?1");
    if (!find) return find.error();
    find->bind(1, idOrName);
    auto row = find->step();
    if (!row) return row.error();
    if (!*row) return makeError("no sensor '" + idOrName + "'");
    SensorRow sensor = sensorFrom(*find);
    find->reset();
    if (sensor.status == "revoked") {
        return makeError("sensor '" + sensor.name + "' is revoked: add it again under a new name");
    }
    auto act = db_.prepare(
        "INSERT INTO activations(token_sha256, bundle_id, sensor_id, not_after, created_at) "
        "VALUES(?1, ?2, ?3, ?4, ?5)");
    if (!act) return act.error();
    if (auto st = act->bind(1, tokenSha256Hex)
                      .bind(2, bundleId)
                      .bind(3, sensor.id)
                      .bind(4, notAfterMs)
                      .bind(5, clock_())
                      .run();
        !st) {
        return dbError("cannot store the activation", st.error());
    }
    if (auto st = auditLocked(by.actor, "activation.reactivate", sensor.id, by.source,
                              "ok: sensor " + sensor.name + ", bundle " + bundleId +
                                  (sensor.certSerial.empty()
                                       ? std::string()
                                       : ", replaces certificate " + sensor.certSerial +
                                             " once used"));
        !st) {
        return st.error();
    }
    if (auto st = tx.commit(); !st) return st.error();
    return sensor;
}

Status ConsoleStore::recordClockSkew(const std::string& sensorId, std::int64_t skewMs) {
    std::lock_guard lock(mutex_);
    auto st = db_.prepare("UPDATE sensor_progress SET clock_skew_ms = ?2 WHERE sensor_id = ?1");
    if (!st) return st.error();
    return st->bind(1, sensorId).bind(2, skewMs).run();
}

Result<std::vector<SensorHealth>> ConsoleStore::sensorHealth() {
    std::lock_guard lock(mutex_);
    auto st = db_.prepare(R"sql(
SELECT h.sensor_id, h.time_ms, h.packets, h.bytes, h.kernel_drops, h.malformed, h.outbox_depth,
  h.outbox_evicted, h.learning, h.version, h.capture_source, h.packets_per_s, h.bytes_per_s,
  h.cpu_percent, h.rss_bytes, h.outbox_oldest_age_ms, h.uptime_s, p.clock_skew_ms
FROM health h LEFT JOIN sensor_progress p ON p.sensor_id = h.sensor_id ORDER BY h.sensor_id)sql");
    if (!st) return st.error();
    std::vector<SensorHealth> out;
    for (auto row = st->step(); row && *row; row = st->step()) {
        SensorHealth h;
        h.sensorId = st->columnText(0);
        h.timeMs = st->columnInt(1);
        h.packets = static_cast<std::uint64_t>(st->columnInt(2));
        h.bytes = static_cast<std::uint64_t>(st->columnInt(3));
        h.kernelDrops = static_cast<std::uint64_t>(st->columnInt(4));
        h.malformed = static_cast<std::uint64_t>(st->columnInt(5));
        h.outboxDepth = static_cast<std::uint64_t>(st->columnInt(6));
        h.outboxEvicted = static_cast<std::uint64_t>(st->columnInt(7));
        h.learning = st->columnInt(8) != 0;
        h.version = st->columnText(9);
        h.captureSource = st->columnText(10);
        h.packetsPerSecond = st->columnDouble(11);
        h.bytesPerSecond = st->columnDouble(12);
        h.cpuPercent = st->columnDouble(13);
        h.rssBytes = static_cast<std::uint64_t>(st->columnInt(14));
        h.outboxOldestAgeMs = st->columnInt(15);
        h.uptimeS = st->columnInt(16);
        if (!st->columnIsNull(17)) h.clockSkewMs = st->columnInt(17);
        out.push_back(std::move(h));
    }
    return out;
}

Result<std::optional<SensorRow>> ConsoleStore::findSensor(const std::string& idOrName) {
    std::lock_guard lock(mutex_);
    auto st = db_.prepare(std::string(kSensorSelect) + " WHERE s.id = ?1 OR s.name = ?1");
    if (!st) return st.error();
    st->bind(1, idOrName);
    auto row = st->step();
    if (!row) return row.error();
    if (!*row) return std::optional<SensorRow>{};
    return std::optional<SensorRow>{sensorFrom(*st)};
}

Status ConsoleStore::revokeSensor(const std::string& idOrName, const std::string& actor,
                                  const std::string& source) {
    std::lock_guard lock(mutex_);
    sqlite::Transaction tx(db_);
    if (!tx.began()) return tx.beginStatus().error();
    auto st = db_.prepare(
        "UPDATE sensors SET status = 'revoked' WHERE (id = ?1 OR name = ?1) "
        "AND status != 'revoked' RETURNING id");
    if (!st) return st.error();
    st->bind(1, idOrName);
    auto row = st->step();
    if (!row) return row.error();
    if (!*row) return makeError("no sensor '" + idOrName + "' to revoke (unknown or revoked)");
    std::string id = st->columnText(0);
    while (true) {
        auto more = st->step();
        if (!more || !*more) break;
    }
    // Unused activations of a revoked sensor die with it.
    auto act =
        db_.prepare("UPDATE activations SET used_at = ?2 WHERE sensor_id = ?1 AND used_at IS NULL");
    if (!act) return act.error();
    if (auto s = act->bind(1, id).bind(2, clock_()).run(); !s) return s.error();
    if (auto s = auditLocked(actor, "sensor.revoke", id, source, "ok"); !s) return s.error();
    return tx.commit();
}

Status ConsoleStore::setRenewedCertificate(const std::string& sensorId, const std::string& serial,
                                          std::int64_t notAfterMs, const std::string& source) {
    std::lock_guard lock(mutex_);
    sqlite::Transaction tx(db_);
    if (!tx.began()) return tx.beginStatus().error();
    auto st = db_.prepare(
        "UPDATE sensors SET next_cert_serial = ?2 WHERE id = ?1 AND status = 'active' "
        "RETURNING id");
    if (!st) return st.error();
    st->bind(1, sensorId).bind(2, serial);
    auto row = st->step();
    if (!row) return row.error();
    if (!*row) return makeError("sensor " + sensorId + " is not active");
    while (true) {
        auto more = st->step();
        if (!more || !*more) break;
    }
    if (auto a = auditLocked("sensor:" + sensorId, "sensor.renew", sensorId, source,
                             "ok: certificate serial " + serial + " issued, valid until " +
                                 std::to_string(notAfterMs / 1000) +
                                 " (Unix s); the current one stays valid until it is used");
        !a) {
        return a;
    }
    return tx.commit();
}

Result<bool> ConsoleStore::promoteRenewedCertificate(const std::string& sensorId,
                                                     const std::string& serial,
                                                     const std::string& source) {
    std::lock_guard lock(mutex_);
    sqlite::Transaction tx(db_);
    if (!tx.began()) return tx.beginStatus().error();
    auto old = db_.prepare(
        "SELECT COALESCE(cert_serial, '') FROM sensors WHERE id = ?1 AND status = 'active' AND "
        "next_cert_serial = ?2");
    if (!old) return old.error();
    old->bind(1, sensorId).bind(2, serial);
    auto row = old->step();
    if (!row) return row.error();
    if (!*row) return false;
    const std::string previous = old->columnText(0);
    old->reset();
    auto st = db_.prepare(
        "UPDATE sensors SET cert_serial = next_cert_serial, next_cert_serial = NULL WHERE id = ?1");
    if (!st) return st.error();
    if (auto r = st->bind(1, sensorId).run(); !r) return r.error();
    if (auto a = auditLocked("sensor:" + sensorId, "sensor.renew", sensorId, source,
                             "ok: renewed certificate " + serial + " in use; certificate " +
                                 previous + " revoked");
        !a) {
        return a.error();
    }
    if (auto c = tx.commit(); !c) return c.error();
    return true;
}

std::int64_t ConsoleStore::pendingActivations(std::int64_t now) {
    std::lock_guard lock(mutex_);
    auto st =
        db_.prepare("SELECT COUNT(*) FROM activations WHERE used_at IS NULL AND not_after >= ?1");
    if (!st) return 0;
    st->bind(1, now);
    auto row = st->step();
    return row && *row ? st->columnInt(0) : 0;
}

Result<std::optional<EnrollRefusal>> ConsoleStore::checkActivationLocked(
    const EnrollAttempt& attempt, std::int64_t now) {
    auto st = db_.prepare(
        "SELECT a.sensor_id, a.not_after, a.used_at IS NOT NULL, s.status "
        "FROM activations a JOIN sensors s ON s.id = a.sensor_id WHERE a.token_sha256 = ?1");
    if (!st) return st.error();
    st->bind(1, attempt.tokenSha256Hex);
    auto row = st->step();
    if (!row) return row.error();
    auto refuse = [](std::string m) {
        return std::optional<EnrollRefusal>{EnrollRefusal{std::move(m)}};
    };
    if (!*row) return refuse("unknown activation token");
    std::string sensorId = st->columnText(0);
    std::int64_t notAfter = st->columnInt(1);
    bool used = st->columnInt(2) != 0;
    std::string status = st->columnText(3);
    if (status == "revoked") return refuse("sensor revoked");
    if (used) return refuse("activation token already used");
    if (now > notAfter) return refuse("activation expired");
    if (sensorId != attempt.sensorId) return refuse("sensor id mismatch");
    return std::optional<EnrollRefusal>{};
}

Status ConsoleStore::markEnrolledLocked(const EnrollAttempt& attempt, const std::string& serial,
                                        std::int64_t now) {
    std::string previous;  // a re-activation: this certificate replaces (revokes) that one
    if (auto old = db_.prepare("SELECT COALESCE(cert_serial, '') FROM sensors WHERE id = ?1")) {
        old->bind(1, attempt.sensorId);
        if (auto row = old->step(); row && *row) previous = old->columnText(0);
    }
    auto act = db_.prepare("UPDATE activations SET used_at = ?2 WHERE token_sha256 = ?1");
    if (!act) return act.error();
    if (auto s = act->bind(1, attempt.tokenSha256Hex).bind(2, now).run(); !s) return s.error();
    auto sen = db_.prepare(
        "UPDATE sensors SET status = 'active', cert_serial = ?2, enrolled_at = ?3, "
        "next_cert_serial = NULL WHERE id = ?1");
    if (!sen) return sen.error();
    if (auto s = sen->bind(1, attempt.sensorId).bind(2, serial).bind(3, now).run(); !s) {
        return s.error();
    }
    return auditLocked("sensor:" + attempt.sensorId, "enroll", attempt.sensorId, attempt.source,
                       "ok: certificate serial " + serial +
                           (previous.empty() || previous == serial
                                ? std::string()
                                : "; certificate " + previous + " revoked (re-activation)"));
}

Result<Progress> ConsoleStore::progress(const std::string& sensorId) {
    std::lock_guard lock(mutex_);
    auto st =
        db_.prepare("SELECT epoch, applied_through_seq FROM sensor_progress WHERE sensor_id = ?1");
    if (!st) return st.error();
    st->bind(1, sensorId);
    auto row = st->step();
    if (!row) return row.error();
    if (!*row) return Progress{};
    return Progress{static_cast<std::uint64_t>(st->columnInt(0)),
                    static_cast<std::uint64_t>(st->columnInt(1))};
}

Result<Progress> ConsoleStore::beginStream(const std::string& sensorId, std::uint64_t epoch,
                                           std::int64_t now) {
    std::lock_guard lock(mutex_);
    sqlite::Transaction tx(db_);
    if (!tx.began()) return tx.beginStatus().error();
    auto st =
        db_.prepare("SELECT epoch, applied_through_seq FROM sensor_progress WHERE sensor_id = ?1");
    if (!st) return st.error();
    st->bind(1, sensorId);
    auto row = st->step();
    if (!row) return row.error();
    Progress p{epoch, 0};
    bool known = *row;
    std::uint64_t oldEpoch = known ? static_cast<std::uint64_t>(st->columnInt(0)) : 0;
    if (known && oldEpoch == epoch)
        p.appliedThroughSeq = static_cast<std::uint64_t>(st->columnInt(1));
    st->reset();
    if (!known || oldEpoch != epoch) {
        auto up = db_.prepare(
            "INSERT INTO sensor_progress(sensor_id, epoch, applied_through_seq, updated_at) "
            "VALUES(?1, ?2, 0, ?3) ON CONFLICT(sensor_id) DO UPDATE SET epoch = excluded.epoch, "
            "applied_through_seq = 0, updated_at = excluded.updated_at");
        if (!up) return up.error();
        if (auto s =
                up->bind(1, sensorId).bind(2, static_cast<std::int64_t>(epoch)).bind(3, now).run();
            !s) {
            return s.error();
        }
        if (known) {
            (void)auditLocked(
                "sensor:" + sensorId, "SENSOR_OUTBOX_RESET", sensorId, "link",
                "new epoch " + std::to_string(epoch) + " replaces " + std::to_string(oldEpoch));
        }
    }
    auto seen = db_.prepare("UPDATE sensors SET last_seen = ?2 WHERE id = ?1");
    if (!seen) return seen.error();
    if (auto s = seen->bind(1, sensorId).bind(2, now).run(); !s) return s.error();
    if (auto s = tx.commit(); !s) return s.error();
    ++ownWrites_;
    return p;
}

Result<std::uint64_t> ConsoleStore::applyBatch(const std::string& sensorId, std::uint64_t epoch,
                                               const ironsight::v1::Batch& batch,
                                               std::int64_t now) {
    std::vector<Result<std::uint64_t>> results =
        applyBatches({IngestBatch{sensorId, epoch, &batch}}, now);
    return std::move(results.front());
}

namespace {

// The careful path's savepoint, as statements prepared once (cachedLocked).
constexpr const char* kBatchSavepoint = "SAVEPOINT ingest_batch";
constexpr const char* kBatchRelease = "RELEASE ingest_batch";
constexpr const char* kBatchRollback = "ROLLBACK TO ingest_batch";

}  // namespace

std::vector<Result<std::uint64_t>> ConsoleStore::applyBatches(
    const std::vector<IngestBatch>& batches, std::int64_t now) {
    std::vector<Result<std::uint64_t>> results;
    results.reserve(batches.size());
    auto failAll = [&](const Error& e) {
        results.assign(batches.size(), Result<std::uint64_t>(e));
        return std::move(results);
    };
    // A batch behind a failed one of the same sensor and epoch (a stream's read-ahead) would
    // skip the failed batch's sequence numbers: it fails too, without being applied.
    std::vector<const IngestBatch*> failed;
    auto followsFailure = [&](const IngestBatch& b) {
        return std::any_of(failed.begin(), failed.end(), [&](const IngestBatch* f) {
            return f->epoch == b.epoch && f->sensorId == b.sensorId;
        });
    };
    const Error behindFailure{"an earlier batch of this stream was not applied"};
    std::lock_guard lock(mutex_);
    sqlite3* const handle = db_.handle();
    {
        // Optimistic path: every batch in one transaction, no savepoints. While a savepoint is
        // open SQLite copies each page a statement changes into a statement journal (a temp
        // file past 64 KiB): ~1 page and 2 pwrite calls per update, more than half of the
        // store's CPU per update (docs/BENCHMARKS.md "Console ingest", session 5). A batch
        // that fails before changing anything (a stale epoch) still fails alone here; one that
        // fails after a change sends the group down the careful path below.
        sqlite::Transaction tx(db_);
        if (!tx.began()) return failAll(tx.beginStatus().error());
        newDeviceRows_.clear();
        newAlertRows_.clear();
        bool anyApplied = false;
        bool clean = true;
        for (const IngestBatch& b : batches) {
            if (followsFailure(b)) {
                results.emplace_back(behindFailure);
                continue;
            }
            const auto changesBefore = sqlite3_total_changes64(handle);
            Result<std::uint64_t> applied = applyBatchLocked(b.sensorId, b.epoch, *b.batch, now);
            if (!applied && (sqlite3_total_changes64(handle) != changesBefore ||
                             sqlite3_get_autocommit(handle) != 0)) {
                clean = false;  // partly applied, or SQLite rolled the transaction back
                break;
            }
            if (!applied) failed.push_back(&b);
            anyApplied = anyApplied || applied.ok();
            results.push_back(std::move(applied));
        }
        if (clean) {
            if (anyApplied) {
                if (auto s = flushSearchTextLocked(); !s) return failAll(s.error());
                if (auto s = tx.commit(); !s) return failAll(s.error());
                ++ownWrites_;
            }
            return results;
        }
    }  // rolled back
    results.clear();
    failed.clear();
    // Careful path: a savepoint per batch, so a batch that fails changes nothing and fails
    // alone while the others commit.
    sqlite::Transaction tx(db_);
    if (!tx.began()) return failAll(tx.beginStatus().error());
    newDeviceRows_.clear();
    newAlertRows_.clear();
    auto runCached = [&](const char* sql) -> Status {
        auto st = cachedLocked(sql);
        if (!st) return st.error();
        return (*st)->run();
    };
    bool anyApplied = false;
    for (const IngestBatch& b : batches) {
        if (followsFailure(b)) {
            results.emplace_back(behindFailure);
            continue;
        }
        if (auto s = runCached(kBatchSavepoint); !s) return failAll(s.error());
        Result<std::uint64_t> applied = applyBatchLocked(b.sensorId, b.epoch, *b.batch, now);
        if (applied) {
            if (auto s = runCached(kBatchRelease); !s) return failAll(s.error());
            anyApplied = true;
        } else {
            if (auto s = runCached(kBatchRollback); !s) return failAll(s.error());
            if (auto s = runCached(kBatchRelease); !s) return failAll(s.error());
            failed.push_back(&b);
        }
        results.push_back(std::move(applied));
    }
    if (anyApplied) {
        // Rows of a rolled-back batch are gone: the flush's SELECT skips their rowids.
        if (auto s = flushSearchTextLocked(); !s) return failAll(s.error());
        if (auto s = tx.commit(); !s) return failAll(s.error());
        ++ownWrites_;
    }
    return results;
}

Result<sqlite::Stmt*> ConsoleStore::cachedLocked(const char* sql, bool borrowText) {
    auto it = statements_.find(sql);
    if (it == statements_.end()) {
        auto st = db_.prepare(sql);
        if (!st) return st.error();
        if (borrowText) st->borrowTextBinds();
        it = statements_.emplace(sql, std::make_unique<sqlite::Stmt>(std::move(*st))).first;
    }
    it->second->reset();  // a statement left mid-step by an earlier error starts over
    return it->second.get();
}

Result<std::uint64_t> ConsoleStore::applyBatchLocked(const std::string& sensorId,
                                                     std::uint64_t epoch,
                                                     const ironsight::v1::Batch& batch,
                                                     std::int64_t now) {
    auto cur = cachedLocked(kProgressSelect);
    if (!cur) return cur.error();
    (*cur)->bind(1, sensorId);
    auto row = (*cur)->step();
    if (!row) return row.error();
    if (!*row || static_cast<std::uint64_t>((*cur)->columnInt(0)) != epoch) {
        return makeError("batch for an epoch that was not announced by Hello");
    }
    std::uint64_t applied = static_cast<std::uint64_t>((*cur)->columnInt(1));
    (*cur)->reset();

    // Their texts are bound and stepped in one expression each: no copies (sqlite.h).
    auto dev = cachedLocked(kUpsertDevice, true);
    auto con = cachedLocked(kUpsertConnection, true);
    auto ale = cachedLocked(kUpsertAlert, true);
    auto hea = cachedLocked(kUpsertHealth, true);
    if (!dev || !con || !ale || !hea) return makeError("cannot prepare the ingest statements");
    std::vector<std::int64_t> newAlerts;  // by severity: added to alert_tally once per batch

    for (const auto& env : batch.envelopes()) {
        if (env.seq() <= applied) continue;  // already applied: idempotent resend
        if (env.seq() > applied + 1) {
            // Evicted on the sensor (outbox full) or a delivery bug: never silent.
            if (auto s = auditLocked("sensor:" + sensorId, "DELIVERY_GAP", sensorId, "link",
                                     "seq " + std::to_string(applied + 1) + ".." +
                                         std::to_string(env.seq() - 1) + " never received");
                !s) {
                return s.error();
            }
        }
        Status s;
        switch (env.body_case()) {
            case ironsight::v1::Envelope::kDevice: {
                const auto& d = env.device();
                // An upsert that updates leaves last_insert_rowid alone: non-zero = a new row.
                sqlite3_set_last_insert_rowid(db_.handle(), 0);
                s = (*dev)->bind(1, sensorId)
                        .bind(2, d.id())
                        .bind(3, jsonStrings(d.macs()))
                        .bind(4, jsonStrings(d.ips()))
                        .bind(5, vlansJson(d))
                        .bind(6, d.vendor())
                        .bind(7, d.model())
                        .bind(8, d.firmware())
                        .bind(9, d.serial())
                        .bind(10, d.hostname())
                        .bind(11, d.type())
                        .bind(12, d.purdue_level())
                        .bind(13, protocolsJson(d))
                        .bind(14, d.identity_json())
                        .bind(15, jsonStrings(d.evidence()))
                        .bind(16, d.first_seen_ms())
                        .bind(17, d.last_seen_ms())
                        .bind(18, static_cast<std::int64_t>(env.seq()))
                        .bind(19, now)
                        .bind(20, jsonStrings(d.interfaces()))
                        .run();
                if (const std::int64_t rowid = db_.lastInsertRowid(); s && rowid != 0) {
                    newDeviceRows_.push_back(rowid);  // indexed by flushSearchTextLocked
                    s = assignDeviceGroupLocked(sensorId, d);
                }
                break;
            }
            case ironsight::v1::Envelope::kConnection: {
                const auto& c = env.connection();
                s = (*con)->bind(1, sensorId)
                        .bind(2, c.src())
                        .bind(3, c.dst())
                        .bind(4, c.transport())
                        .bind(5, c.port())
                        .bind(6, c.protocol())
                        .bind(7, c.src_ip())
                        .bind(8, c.dst_ip())
                        .bind(9, c.packets())
                        .bind(10, c.bytes())
                        .bind(11, jsonStrings(c.operations()))
                        .bind(12, c.first_seen_ms())
                        .bind(13, c.last_seen_ms())
                        .run();
                break;
            }
            case ironsight::v1::Envelope::kAlert: {
                const auto& a = env.alert();
                sqlite3_set_last_insert_rowid(db_.handle(), 0);
                s = (*ale)->bind(1, sensorId)
                        .bind(2, a.id())
                        .bind(3, a.engine())
                        .bind(4, a.type())
                        .bind(5, static_cast<int>(a.severity()))
                        .bind(6, a.title())
                        .bind(7, a.description())
                        .bind(8, a.remediation())
                        .bind(9, a.src())
                        .bind(10, a.dst())
                        .bind(11, a.src_ip())
                        .bind(12, a.dst_ip())
                        .bind(13, a.protocol())
                        .bind(14, a.count())
                        .bind(15, a.mitre())
                        .bind(16, a.first_seen_ms())
                        .bind(17, a.last_seen_ms())
                        .run();
                if (const std::int64_t rowid = db_.lastInsertRowid(); s && rowid != 0) {
                    newAlertRows_.push_back(rowid);  // indexed by flushSearchTextLocked
                    const auto severity = static_cast<std::size_t>(a.severity());
                    if (severity >= newAlerts.size()) newAlerts.resize(severity + 1, 0);
                    ++newAlerts[severity];
                }
                break;
            }
            case ironsight::v1::Envelope::kHealth: {
                const auto& h = env.health();
                s = (*hea)->bind(1, sensorId)
                        .bind(2, h.time_ms())
                        .bind(3, h.packets())
                        .bind(4, h.bytes())
                        .bind(5, h.kernel_drops())
                        .bind(6, h.malformed())
                        .bind(7, h.outbox_depth())
                        .bind(8, h.outbox_evicted())
                        .bind(9, h.learning())
                        .bind(10, h.version())
                        .bind(11, h.capture_source())
                        .bind(12, h.packets_per_second())
                        .bind(13, h.bytes_per_second())
                        .bind(14, h.cpu_percent())
                        .bind(15, h.rss_bytes())
                        .bind(16, h.outbox_oldest_age_ms())
                        .bind(17, h.uptime_s())
                        .run();
                break;
            }
            case ironsight::v1::Envelope::kCommandResult:
                s = applyCommandResultLocked(sensorId, env.command_result());
                break;
            default:
                break;  // unknown kinds: nothing stored
        }
        if (!s) return dbError("cannot apply envelope " + std::to_string(env.seq()), s.error());
        applied = env.seq();
    }
    for (std::size_t severity = 0; severity < newAlerts.size(); ++severity) {
        if (newAlerts[severity] == 0) continue;
        auto tally = cachedLocked(kAlertTallyAdd);
        if (!tally) return tally.error();
        if (auto s = (*tally)->bind(1, sensorId)
                         .bind(2, static_cast<std::int64_t>(severity))
                         .bind(3, newAlerts[severity])
                         .run();
            !s) {
            return dbError("cannot count the batch's new alerts", s.error());
        }
    }
    auto up = cachedLocked(kProgressUpdate);
    if (!up) return up.error();
    if (auto s = (*up)->bind(1, sensorId)
                     .bind(2, static_cast<std::int64_t>(applied))
                     .bind(3, now)
                     .run();
        !s) {
        return s.error();
    }
    auto seen = cachedLocked(kSensorSeen);
    if (!seen) return seen.error();
    if (auto s = (*seen)->bind(1, sensorId).bind(2, now).run(); !s) return s.error();
    return applied;
}

Result<std::vector<ConnectionRow>> ConsoleStore::listConnections() {
    std::lock_guard lock(readMutex_);
    auto st = readDb_.prepare(
        "SELECT sensor_id, src, dst, COALESCE(src_ip, ''), COALESCE(dst_ip, ''), transport, port, "
        "protocol, packets, bytes FROM connections ORDER BY sensor_id, src, dst, protocol");
    if (!st) return st.error();
    std::vector<ConnectionRow> out;
    while (true) {
        auto row = st->step();
        if (!row) return row.error();
        if (!*row) break;
        ConnectionRow c;
        c.sensorId = st->columnText(0);
        c.src = st->columnText(1);
        c.dst = st->columnText(2);
        c.srcIp = st->columnText(3);
        c.dstIp = st->columnText(4);
        c.transport = st->columnText(5);
        c.port = static_cast<std::uint32_t>(st->columnInt(6));
        c.protocol = st->columnText(7);
        c.packets = static_cast<std::uint64_t>(st->columnInt(8));
        c.bytes = static_cast<std::uint64_t>(st->columnInt(9));
        out.push_back(std::move(c));
    }
    return out;
}

namespace {

/// "%text%" for LIKE ... ESCAPE '\': the text's own % and _ match literally.
std::string likePattern(const std::string& text) {
    std::string out = "%";
    for (char c : text) {
        if (c == '%' || c == '_' || c == '\\') out += '\\';
        out += c;
    }
    return out + "%";
}

/// " LIMIT n OFFSET m" for a page (no limit when `limit` <= 0).
std::string pageClause(int limit, int offset) {
    if (limit <= 0 && offset <= 0) return "";
    return " LIMIT " + std::to_string(limit > 0 ? limit : -1) + " OFFSET " +
           std::to_string(std::max(offset, 0));
}

}  // namespace

// listDevices() and searchDevices(): device_store.cpp (devices are merged per group).

namespace {

/// The AlertRow columns (alertFrom() reads them); a.rowid is column 24.
constexpr const char* kAlertSelect = R"sql(
SELECT a.sensor_id, s.name, si.name, z.name, a.alert_id, COALESCE(a.engine, ''),
       COALESCE(a.type, ''), a.severity, COALESCE(a.title, ''), COALESCE(a.description, ''),
       COALESCE(a.remediation, ''), COALESCE(a.src, ''), COALESCE(a.dst, ''),
       COALESCE(a.src_ip, ''), COALESCE(a.dst_ip, ''), COALESCE(a.protocol, ''), a.count,
       COALESCE(a.mitre, ''), a.status, COALESCE(a.first_seen, 0), COALESCE(a.last_seen, 0),
       a.assignee, a.status_changed_at,
       (SELECT COUNT(*) FROM alert_comments c
        WHERE c.sensor_id = a.sensor_id AND c.alert_id = a.alert_id), a.rowid
FROM alerts a JOIN sensors s ON s.id = a.sensor_id JOIN zones z ON z.id = s.zone_id
JOIN sites si ON si.id = z.site_id )sql";

AlertRow alertFrom(const sqlite::Stmt& st) {
    AlertRow a;
    a.sensorId = st.columnText(0);
    a.sensorName = st.columnText(1);
    a.site = st.columnText(2);
    a.zone = st.columnText(3);
    a.alertId = st.columnText(4);
    a.engine = st.columnText(5);
    a.type = st.columnText(6);
    a.severity = severityName(static_cast<int>(st.columnInt(7)));
    a.title = st.columnText(8);
    a.description = st.columnText(9);
    a.remediation = st.columnText(10);
    a.src = st.columnText(11);
    a.dst = st.columnText(12);
    a.srcIp = st.columnText(13);
    a.dstIp = st.columnText(14);
    a.protocol = st.columnText(15);
    a.count = static_cast<std::uint64_t>(st.columnInt(16));
    a.mitre = st.columnText(17);
    a.status = st.columnText(18);
    a.firstSeenMs = st.columnInt(19);
    a.lastSeenMs = st.columnInt(20);
    a.assignee = st.columnText(21);
    a.statusChangedMs = st.columnInt(22);
    a.comments = st.columnInt(23);
    return a;
}

}  // namespace

Result<std::vector<AlertRow>> ConsoleStore::listAlerts() {
    std::lock_guard lock(readMutex_);
    auto st = readDb_.prepare(std::string(kAlertSelect) + "ORDER BY a.last_seen DESC, a.alert_id");
    if (!st) return st.error();
    std::vector<AlertRow> out;
    for (auto row = st->step(); row && *row; row = st->step()) out.push_back(alertFrom(*st));
    return out;
}

namespace {

template <class T>
void addUnique(std::vector<T>& to, const T& v) {
    if (std::find(to.begin(), to.end(), v) == to.end()) to.push_back(v);
}

/// An AlertQuery as SQL over `alerts a`: its site, zone, text and time terms (each " AND ...")
/// with their bound values (texts are ?1.., then ints), and its statuses and severities.
struct AlertWhere {
    std::string sql;
    std::vector<std::string> texts;
    std::vector<std::int64_t> ints;
    std::vector<std::string> statuses;  // canonical names (safe to inline); empty: any
    std::vector<int> severities;        // ranks; empty: any
    bool byRowids = false;  // the text term's few candidates (alert_text) are in `sql`
};

/// The trigrams of `term`, each quoted as an FTS5 string, without repeats.
std::vector<std::string> quotedTrigrams(const std::string& term) {
    std::vector<std::string> chars;
    for (std::size_t i = 0; i < term.size();) {
        std::size_t n = 1;
        while (i + n < term.size() && (static_cast<unsigned char>(term[i + n]) & 0xC0) == 0x80) ++n;
        chars.push_back(term.substr(i, n));
        i += n;
    }
    std::vector<std::string> trigrams;
    for (std::size_t i = 0; i + 3 <= chars.size(); ++i) {
        std::string quoted = "\"";
        for (const std::string& c : {chars[i], chars[i + 1], chars[i + 2]}) {
            quoted += c == "\"" ? std::string("\"\"") : c;
        }
        quoted += "\"";
        if (std::find(trigrams.begin(), trigrams.end(), quoted) == trigrams.end()) {
            trigrams.push_back(quoted);
        }
    }
    return trigrams;
}

/// A trigram in at most this many alerts is "rare": its probe counts it exactly.
constexpr int kCommonTrigram = 2'000;
/// Trigrams of a term probed for how common they are (first, last, evenly between).
constexpr std::size_t kProbedTrigrams = 6;
/// More candidates than this and a page walks the alerts newest first instead: the matches are
/// then dense enough (1 in 50 of 1,000,000) that a page fills quickly, while looking up this
/// many rows one by one costs ~20 ms.
constexpr std::size_t kMaxListedCandidates = 20'000;
/// At most this many candidates and a text-only page looks each of them up by rowid instead of
/// walking the alerts newest first: a walk that finds fewer matches than a page reads the whole
/// index (1 match among 244 candidates: ~190 ms over 1,090,200 alerts), a lookup costs ~2 µs.
constexpr std::size_t kLookedUpCandidates = 4'000;
/// A trigram estimated to be in at least 1 of this many alerts is "dense": left out of the
/// first lookup.
constexpr std::int64_t kDenseTrigramShare = 4;

/// The FTS5 queries for a term in the detail=none trigram index alert_text. Each is an AND of
/// some of its trigrams: every alert containing the term, maybe more (the LIKE test keeps the
/// exact meaning), so requiring fewer trigrams never loses a match.
struct TrigramLookup {
    std::string first;  // tried first: the rare trigrams, or all but the dense ones
    std::string all;    // if `first` lists too many: every probed trigram (empty: same as first)
    bool none = false;  // a trigram is in no alert: nothing can match
};

/// Up to kProbedTrigrams trigrams are probed, each reading at most kCommonTrigram + 1 entries of
/// its doclist (rowids ascending). A rare one is counted exactly, and only the rare ones are
/// required. When all are common, a dense one is left out: intersecting it costs the most and
/// narrows the least ('T08' of 'T0855', in 971,816 of 1,090,200 alerts: 7 of the lookup's
/// 11 ms, 8 of its 16,455 candidates). Its estimate: as dense over the rest of the rowids as
/// over those its probe read (a wrong guess costs time, never a match).
Result<TrigramLookup> trigramsQuery(sqlite::Db& db, const std::string& term) {
    const std::vector<std::string> trigrams = quotedTrigrams(term);
    std::vector<std::string> probed;
    for (std::size_t k = 0; k < kProbedTrigrams && k < trigrams.size(); ++k) {
        const std::size_t i =
            trigrams.size() <= kProbedTrigrams ? k : k * (trigrams.size() - 1) / (kProbedTrigrams - 1);
        if (std::find(probed.begin(), probed.end(), trigrams[i]) == probed.end()) {
            probed.push_back(trigrams[i]);
        }
    }
    auto probe = db.prepare(
        "SELECT COUNT(*), MIN(rowid), MAX(rowid) FROM (SELECT rowid FROM "
        "alert_text WHERE alert_text MATCH ?1 LIMIT " +
        std::to_string(kCommonTrigram + 1) + ")");
    if (!probe) return probe.error();
    TrigramLookup lookup;
    std::string rare, sparse;
    auto conjoin = [](std::string& query, const std::string& t) {
        query += (query.empty() ? "" : " AND ") + t;
    };
    std::int64_t lowest = 0, highest = -1;  // the alerts' rowids, read once a probe needs them
    for (const std::string& t : probed) {
        probe->reset();
        probe->bind(1, t);
        auto row = probe->step();
        if (!row) return row.error();
        const std::int64_t n = *row ? probe->columnInt(0) : 0;
        if (n == 0) {
            lookup.none = true;
            return lookup;
        }
        conjoin(lookup.all, t);
        if (n <= kCommonTrigram) {
            conjoin(rare, t);
            continue;
        }
        const std::int64_t from = probe->columnInt(1), reach = probe->columnInt(2);
        if (highest < 0) {
            auto ends = db.prepare(
                "SELECT (SELECT MIN(rowid) FROM alerts), (SELECT MAX(rowid) FROM alerts)");
            if (!ends) return ends.error();
            auto r = ends->step();
            if (!r) return r.error();
            lowest = *r ? ends->columnInt(0) : 0;
            highest = *r ? ends->columnInt(1) : 0;
        }
        // Its density over the rowids it read, carried on to the highest rowid.
        const double estimate = static_cast<double>(n) *
                                static_cast<double>(std::max(highest, reach) - from + 1) /
                                static_cast<double>(reach - from + 1);
        const double alerts = static_cast<double>(std::max(highest, reach) - lowest + 1);
        if (estimate * kDenseTrigramShare < alerts) conjoin(sparse, t);
    }
    // Rare ones: few candidates, cheap to intersect. All dense: every one (as many as there are).
    lookup.first = !rare.empty() ? rare : !sparse.empty() ? sparse : lookup.all;
    if (lookup.first == lookup.all || !rare.empty()) lookup.all.clear();
    return lookup;
}

/// How a filter finds the alerts whose text may contain its term (schema v18's alert_text).
struct TextCandidates {
    enum class Kind {
        Walk,   // test every alert walked (a short term, one in a sensor's name, or one in
                // more than kMaxListedCandidates alerts)
        List,   // the candidates' rowids, in `list` (comma separated; empty: none)
        Match,  // a subquery on alert_text (counts: every candidate is read anyway)
    } kind = Kind::Walk;
    std::string list;
    std::size_t listed = 0;  // List: how many
    std::string match;       // Match: the FTS5 query (trigramsQuery's first)
};

/// Whether alert_text can answer `text`: 3+ characters, no sensor's name contains it (the name
/// is not in the index, and every alert of that sensor matches), and no match can run from the
/// indexed text into the name: no name starts with what follows a space of the term ('bob a'
/// in "... bob" + " " + "a-sensor").
Result<bool> textIndexAnswers(sqlite::Db& db, const std::string& text) {
    if (!trigramSearchable(text)) return false;
    auto names = db.prepare("SELECT EXISTS(SELECT 1 FROM sensors WHERE name LIKE ?1 ESCAPE '\\')");
    if (!names) return names.error();
    std::vector<std::string> patterns = {likePattern(text)};
    for (std::size_t i = text.find(' '); i != std::string::npos; i = text.find(' ', i + 1)) {
        std::string prefix = likePattern(text.substr(i + 1));
        patterns.push_back(prefix.substr(1));  // "rest%": the name starts with it
    }
    for (const std::string& pattern : patterns) {
        names->reset();
        names->bind(1, pattern);
        auto named = names->step();
        if (!named) return named.error();
        if (*named && names->columnInt(0) != 0) return false;
    }
    return true;
}

/// A page's candidates for `text`: their rowids when alert_text answers it with at most
/// kMaxListedCandidates of them (the lookup's first query, then all of its trigrams), else a
/// walk.
Result<TextCandidates> textCandidates(sqlite::Db& db, const std::string& text) {
    TextCandidates c;
    auto answers = textIndexAnswers(db, text);
    if (!answers) return answers.error();
    if (!*answers) return c;
    auto lookup = trigramsQuery(db, text);
    if (!lookup) return lookup.error();
    c.kind = TextCandidates::Kind::List;
    if (lookup->none) return c;
    auto st = db.prepare("SELECT rowid FROM alert_text WHERE alert_text MATCH ?1 LIMIT " +
                         std::to_string(kMaxListedCandidates + 1));
    if (!st) return st.error();
    for (const std::string* query : {&lookup->first, &lookup->all}) {
        if (query->empty()) continue;
        st->reset();
        st->bind(1, *query);
        std::string ids;
        std::size_t n = 0;
        for (auto row = st->step();; row = st->step()) {
            if (!row) return row.error();
            if (!*row) break;
            if (++n > kMaxListedCandidates) break;
            ids += (ids.empty() ? "" : ",") + std::to_string(st->columnInt(0));
        }
        if (n <= kMaxListedCandidates) {
            c.list = std::move(ids);
            c.listed = n;
            return c;
        }
    }
    c.kind = TextCandidates::Kind::Walk;  // dense enough for a page to fill quickly
    return c;
}

/// `joined`: the terms may use the sites si, zones z and sensors s joined to a (countAlerts);
/// otherwise a site or zone is a set of sensor ids, and `+` keeps the planner from walking the
/// sensor-leading index for it (that reads every alert of the site and sorts them).
/// `candidates`: how the text term's candidates are found (null: a walk).
Result<AlertWhere> alertWhere(const AlertQuery& q, bool joined,
                              const TextCandidates* candidates = nullptr) {
    AlertWhere w;
    int next = 1;
    // Built with += : GCC 12 warns (-Wrestrict, falsely) on "?" + std::to_string(...).
    auto placeholder = [&next] {
        std::string p = "?";
        p += std::to_string(next++);
        return p;
    };
    auto text = [&](const std::string& v) {
        w.texts.push_back(v);
        return placeholder();
    };
    if (joined) {
        if (!q.site.empty()) w.sql += " AND si.name = " + text(q.site);
        if (!q.zone.empty()) w.sql += " AND z.name = " + text(q.zone);
    } else if (!q.site.empty() || !q.zone.empty()) {
        w.sql += " AND +a.sensor_id IN (SELECT s0.id FROM sensors s0 JOIN zones z0 ON "
                 "z0.id = s0.zone_id JOIN sites si0 ON si0.id = z0.site_id WHERE 1";
        if (!q.site.empty()) w.sql += " AND si0.name = " + text(q.site);
        if (!q.zone.empty()) w.sql += " AND z0.name = " + text(q.zone);
        w.sql += ")";
    }
    for (const auto& status : q.statuses) {
        const auto known = alertStatusFromName(status);
        if (!known) return makeError("unknown alert status '" + status + "'");
        addUnique(w.statuses, std::string(alertStatusName(*known)));
    }
    for (const auto& severity : q.severities) {
        const int rank = severityRank(severity);
        if (rank == 0 && severity != "unspecified") {
            return makeError("unknown alert severity '" + severity + "'");
        }
        addUnique(w.severities, rank);
    }
    if (!q.text.empty()) {
        const bool anyOtherTerm = !q.site.empty() || !q.zone.empty() || !q.statuses.empty() ||
                                  !q.severities.empty();
        if (candidates != nullptr && candidates->kind == TextCandidates::Kind::List &&
            !anyOtherTerm && !joined && candidates->listed > kLookedUpCandidates) {
            // Text alone, many candidates: the walk newest first (alerts_last_seen) tests the
            // rowid against the list from the index entry, and reads an alert only when it is
            // a candidate; it stops once the page is full. (`+`: the list is a filter, not the
            // rows to visit.)
            // (A bound JSON array: 16,000 ids as SQL literals took 12 ms to parse, as JSON 4.)
            w.sql += " AND +a.rowid IN (SELECT value FROM json_each(" +
                     text("[" + candidates->list + "]") + "))";
        } else if (candidates != nullptr && candidates->kind == TextCandidates::Kind::List) {
            // With other terms (their walk is one index range per status and severity), or few
            // candidates: each candidate is looked up by rowid, tested, and the matches sorted.
            w.sql += " AND a.rowid IN (SELECT value FROM json_each(" +
                     text("[" + candidates->list + "]") + "))";
            w.byRowids = true;
        } else if (candidates != nullptr && candidates->kind == TextCandidates::Kind::Match) {
            w.sql += " AND a.rowid IN (SELECT rowid FROM alert_text WHERE alert_text MATCH " +
                     text(candidates->match) + ")";
            w.byRowids = true;
        }
        const std::string p = text(likePattern(q.text));
        const char* sensorName =
            joined ? "s.name" : "(SELECT s1.name FROM sensors s1 WHERE s1.id = a.sensor_id)";
        if (q.text.find(' ') == std::string::npos) {
            // No space in the term: a match in the fields joined by spaces lies within one
            // field, so each is tested alone, the sensor's name last (joining them took 2.2x
            // the instructions: count of 'T0855', sqlite3 shell). A NULL field counts as
            // empty; the sensor exists (foreign key).
            std::string any;
            for (const char* field :
                 {"a.title", "a.alert_id", "a.type", "a.engine", "a.src", "a.src_ip", "a.dst",
                  "a.dst_ip", "a.protocol", "a.mitre", "a.assignee", sensorName}) {
                any += any.empty() ? " AND (" : " OR ";
                any += std::string(field) + " LIKE " + p + " ESCAPE '\\'";
            }
            w.sql += any + ")";
        } else {
            std::string like =
                " AND (COALESCE(a.title, '') || ' ' || a.alert_id || ' ' ||"
                " COALESCE(a.type, '') || ' ' || COALESCE(a.engine, '') || ' ' ||"
                " COALESCE(a.src, '') || ' ' || COALESCE(a.src_ip, '') || ' ' ||"
                " COALESCE(a.dst, '') || ' ' || COALESCE(a.dst_ip, '') || ' ' ||"
                " COALESCE(a.protocol, '') || ' ' || COALESCE(a.mitre, '') || ' ' ||"
                " a.assignee || ' ' || ";
            like += sensorName;
            like += ") LIKE " + p + " ESCAPE '\\'";
            w.sql += like;
        }
    }
    // Integer terms after every text term (see AlertWhere): the desktop's time drill-down.
    if (q.lastSeenFromMs > 0) {
        w.ints.push_back(q.lastSeenFromMs);
        w.sql += " AND a.last_seen >= " + placeholder();
    }
    if (q.lastSeenBeforeMs > 0) {
        w.ints.push_back(q.lastSeenBeforeMs);
        w.sql += " AND a.last_seen < " + placeholder();
    }
    return w;
}

/// " AND column IN ('a', 'b')" (values from a fixed set: inlined).
std::string inList(const char* column, const std::vector<std::string>& values) {
    if (values.empty()) return "";
    std::string sql = std::string(" AND ") + column + " IN (";
    for (std::size_t i = 0; i < values.size(); ++i) sql += (i ? ", '" : "'") + values[i] + "'";
    return sql + ")";
}
std::string inList(const char* column, const std::vector<int>& values) {
    if (values.empty()) return "";
    std::string sql = std::string(" AND ") + column + " IN (";
    for (std::size_t i = 0; i < values.size(); ++i) {
        sql += (i ? ", " : "") + std::to_string(values[i]);
    }
    return sql + ")";
}

void bindWhere(sqlite::Stmt& st, const AlertWhere& w) {
    int i = 1;
    for (const auto& v : w.texts) st.bind(i++, v);
    for (auto v : w.ints) st.bind(i++, v);
}

/// The matching alerts' (rowid, last_seen), newest first, read from indexes only (but for a
/// text term): queryAlerts() steps it just past the page.
/// More arms than this and a site's sensors are not worth one arm each (SQLite's compound
/// SELECT limit is 500, and every arm costs its prepare and its first step).
constexpr std::size_t kMaxSensorArms = 64;

/// `sensorIds`: the sensors of the query's site or zone (read first), or empty.
std::string alertCandidatesSql(const AlertQuery& q, const AlertWhere& w,
                               const std::vector<std::string>& sensorIds) {
    if (w.byRowids) {
        // A rare text term's candidates (alert_text): each looked up by rowid, tested, sorted.
        // (`+`: status and severity are tested, not walked: their index range can hold most
        // of the store.)
        return "SELECT a.rowid, a.last_seen FROM alerts a WHERE 1" + w.sql +
               inList("+a.status", w.statuses) + inList("+a.severity", w.severities) +
               " ORDER BY a.last_seen DESC";
    }
    if (q.site.empty() && q.zone.empty() && w.statuses.empty() && w.severities.empty()) {
        // No site, status or severity: alerts_last_seen newest first (a text or time term is
        // tested per row; arms would only add random reads for a text term).
        return "SELECT a.rowid, a.last_seen FROM alerts a WHERE 1" + w.sql +
               " ORDER BY a.last_seen DESC";
    }
    // One arm per (status, severity): each walks its range of alerts_status_severity (status,
    // severity, last_seen, sensor_id) newest first, testing the site inside the index, and
    // SQLite merges the ordered arms (MERGE (UNION ALL)), reading only as far as the page.
    // (Several values of one column are several ranges; a plain IN reads every match and sorts.)
    static const std::vector<std::string> kStatuses = {"new", "acknowledged", "closed"};
    static const std::vector<int> kSeverities = {0, 1, 2, 3, 4};
    const auto& statuses = w.statuses.empty() ? kStatuses : w.statuses;
    const auto& severities = w.severities.empty() ? kSeverities : w.severities;
    std::string sql;
    if (!sensorIds.empty() &&
        sensorIds.size() * statuses.size() * severities.size() <= kMaxSensorArms) {
        // A site or zone of few sensors: one arm per (sensor, severity, status) on
        // alerts_sensor_severity_status, so the walk never passes the alerts of other sites.
        // (One noisy sensor elsewhere with 150,000 newer alerts made the arms below read all of
        // them: 100+ ms instead of 12.)
        for (const auto& sensor : sensorIds) {
            std::string quoted = "'";
            for (char c : sensor) quoted += c == '\'' ? std::string("''") : std::string(1, c);
            quoted += "'";
            for (const auto& status : statuses) {
                for (int severity : severities) {
                    if (!sql.empty()) sql += " UNION ALL ";
                    sql += "SELECT a.rowid, a.last_seen FROM alerts a INDEXED BY "
                           "alerts_sensor_severity_status WHERE a.sensor_id = " + quoted +
                           " AND a.severity = " + std::to_string(severity) +
                           " AND a.status = '" + status + "'" + w.sql;
                }
            }
        }
        return sql + " ORDER BY 2 DESC";
    }
    for (const auto& status : statuses) {
        for (int severity : severities) {
            if (!sql.empty()) sql += " UNION ALL ";
            sql += "SELECT a.rowid, a.last_seen FROM alerts a INDEXED BY alerts_status_severity "
                   "WHERE a.status = '" + status + "' AND a.severity = " +
                   std::to_string(severity) + w.sql;
        }
    }
    return sql + " ORDER BY 2 DESC";
}

}  // namespace

namespace {

/// Lets another thread stop a long read (a text filter over every alert) of `db`: SQLite calls
/// the handler every 10,000 virtual-machine steps, and a set flag ends the statement with
/// SQLITE_INTERRUPT. Only the read connection, only while its mutex is held.
class ReadCancel {
public:
    ReadCancel(sqlite::Db& db, const std::shared_ptr<const std::atomic<bool>>& flag)
        : db_(db), flag_(flag) {
        if (flag_) sqlite3_progress_handler(db_.handle(), 10'000, &ReadCancel::stop,
                                            const_cast<std::atomic<bool>*>(flag_.get()));
    }
    ~ReadCancel() {
        if (flag_) sqlite3_progress_handler(db_.handle(), 0, nullptr, nullptr);
    }
    ReadCancel(const ReadCancel&) = delete;
    ReadCancel& operator=(const ReadCancel&) = delete;

    bool cancelled() const { return flag_ && flag_->load(std::memory_order_relaxed); }
    /// `error` as it should reach the caller: "query cancelled" when the flag stopped it.
    Error reason(Error error) const {
        return cancelled() ? makeError("query cancelled") : std::move(error);
    }

private:
    static int stop(void* flag) {
        return static_cast<const std::atomic<bool>*>(flag)->load(std::memory_order_relaxed) ? 1
                                                                                           : 0;
    }
    sqlite::Db& db_;
    std::shared_ptr<const std::atomic<bool>> flag_;
};

}  // namespace

Result<std::vector<AlertRow>> ConsoleStore::queryAlerts(const AlertQuery& query) {
    auto where = alertWhere(query, false);
    if (!where) return where.error();
    const std::size_t want =
        query.limit > 0 ? static_cast<std::size_t>(std::max(query.offset, 0) + query.limit)
                        : SIZE_MAX;
    std::lock_guard lock(readMutex_);
    if (auto s = readDb_.exec("BEGIN"); !s) return s.error();  // one snapshot for both steps
    struct EndRead {
        sqlite::Db& db;
        ~EndRead() { (void)db.exec("COMMIT"); }
    } endRead{readDb_};
    ReadCancel cancel(readDb_, query.cancel);  // after endRead: removed before its COMMIT
    auto rows = [&]() -> Result<std::vector<AlertRow>> {
        // A rare text term: its few candidates from alert_text (schema v18), not a walk.
        auto text = textCandidates(readDb_, query.text);
        if (!text) return text.error();
        if (text->kind == TextCandidates::Kind::List) {
            if (text->list.empty()) return std::vector<AlertRow>{};
            where = alertWhere(query, false, &*text);
            if (!where) return where.error();
        }
        // 1. Candidates newest first, up to the page's end plus the alerts tied with its last one
        //    (the order's tie-break, the alert id, is not in the index).
        std::vector<std::int64_t> candidates;
        {
            std::vector<std::string> sensorIds;
            if (!query.site.empty() || !query.zone.empty()) {
                auto ids = readDb_.prepare(
                    "SELECT s.id FROM sensors s JOIN zones z ON z.id = s.zone_id "
                    "JOIN sites si ON si.id = z.site_id WHERE (?1 = '' OR si.name = ?1) AND "
                    "(?2 = '' OR z.name = ?2)");
                if (!ids) return ids.error();
                ids->bind(1, query.site).bind(2, query.zone);
                for (auto row = ids->step();; row = ids->step()) {
                    if (!row) return row.error();
                    if (!*row) break;
                    sensorIds.push_back(ids->columnText(0));
                }
                if (sensorIds.empty()) return std::vector<AlertRow>{};  // no sensor: no alert
            }
            auto st = readDb_.prepare(alertCandidatesSql(query, *where, sensorIds));
            if (!st) return st.error();
            bindWhere(*st, *where);
            std::int64_t boundary = 0;
            for (auto row = st->step();; row = st->step()) {
                if (!row) return row.error();
                if (!*row) break;
                const std::int64_t seen = st->columnIsNull(1)
                                              ? std::numeric_limits<std::int64_t>::min()
                                              : st->columnInt(1);
                if (candidates.size() >= want && seen != boundary) break;
                candidates.push_back(st->columnInt(0));
                if (candidates.size() == want) boundary = seen;
            }
        }
        std::vector<AlertRow> out;
        if (candidates.empty()) return out;
        // 2. Their exact order and the page, 3. the page's rows.
        std::string ids;
        for (auto id : candidates) ids += (ids.empty() ? "" : ",") + std::to_string(id);
        std::string page = ids;
        if (query.offset > 0 || candidates.size() > want) {
            auto st = readDb_.prepare("SELECT a.rowid FROM alerts a WHERE a.rowid IN (" + ids +
                                      ") ORDER BY a.last_seen DESC, a.alert_id" +
                                      pageClause(query.limit, query.offset));
            if (!st) return st.error();
            page.clear();
            for (auto row = st->step();; row = st->step()) {
                if (!row) return row.error();
                if (!*row) break;
                page += (page.empty() ? "" : ",") + std::to_string(st->columnInt(0));
            }
            if (page.empty()) return out;
        }
        auto st = readDb_.prepare(std::string(kAlertSelect) + "WHERE a.rowid IN (" + page +
                                  ") ORDER BY a.last_seen DESC, a.alert_id");
        if (!st) return st.error();
        for (auto row = st->step();; row = st->step()) {
            if (!row) return row.error();
            if (!*row) break;
            out.push_back(alertFrom(*st));
        }
        return out;
    }();
    if (!rows) return cancel.reason(rows.error());
    return rows;
}

Result<std::int64_t> ConsoleStore::countAlerts(const AlertQuery& query) {
    auto where = alertWhere(query, true);
    if (!where) return where.error();
    std::lock_guard lock(readMutex_);
    ReadCancel cancel(readDb_, query.cancel);
    // A text term alert_text answers: only its candidates are read, however many (a walk reads
    // every alert: 'modbus' took 5 s over 1,000,000 alerts). The lookup's first query: a dense
    // trigram it leaves out would narrow them little.
    auto answers = textIndexAnswers(readDb_, query.text);
    if (!answers) return cancel.reason(answers.error());
    if (*answers) {
        auto fts = trigramsQuery(readDb_, query.text);
        if (!fts) return cancel.reason(fts.error());
        if (fts->none) return 0;
        TextCandidates match;
        match.kind = TextCandidates::Kind::Match;
        match.match = std::move(fts->first);
        where = alertWhere(query, true, &match);
        if (!where) return where.error();
    }
    // With candidates, status and severity are tested on each (`+`), not walked: the planner
    // took their index range (hundreds of thousands of entries) over the candidates' rowids.
    const char* statusColumn = where->byRowids ? "+a.status" : "a.status";
    const char* severityColumn = where->byRowids ? "+a.severity" : "a.severity";
    const std::string statusSeverity =
        inList(statusColumn, where->statuses) + inList(severityColumn, where->severities);
    std::string sql;
    if (where->byRowids) {
        // The text term's candidates, each looked up by rowid, then its sensor's place.
        sql = "SELECT COUNT(*) FROM alerts a CROSS JOIN sensors s ON s.id = a.sensor_id "
              "CROSS JOIN zones z ON z.id = s.zone_id CROSS JOIN sites si ON si.id = z.site_id "
              "WHERE 1" + where->sql + statusSeverity;
    } else if (query.text.empty() && query.lastSeenFromMs <= 0 && query.lastSeenBeforeMs <= 0) {
        // Site, zone, status and severity only: the tally (schema v14), O(sensors).
        sql = "SELECT COALESCE(SUM(a.n), 0) FROM alert_tally a JOIN sensors s ON s.id = "
              "a.sensor_id JOIN zones z ON z.id = s.zone_id JOIN sites si ON si.id = z.site_id "
              "WHERE 1" + where->sql + statusSeverity;
    } else {
        // CROSS JOIN fixes the join order: site -> zones -> sensors -> each sensor's range of
        // the covering index alerts_sensor_severity_status (sensor, severity, status,
        // last_seen). Left to itself the planner walks alerts_status_severity and reads every
        // matching table row (5.6 s instead of 70 ms for 120,000 matches of 1,000,000 alerts).
        sql = "SELECT COUNT(*) FROM sites si CROSS JOIN zones z ON z.site_id = si.id "
              "CROSS JOIN sensors s ON s.zone_id = z.id CROSS JOIN alerts a ON a.sensor_id = "
              "s.id WHERE 1" + where->sql + statusSeverity;
    }
    auto st = readDb_.prepare(sql);
    if (!st) return st.error();
    bindWhere(*st, *where);
    auto row = st->step();
    if (!row) return cancel.reason(row.error());
    return *row ? st->columnInt(0) : 0;
}

namespace {

constexpr const char* kAuditSelect =
    "SELECT time, actor, action, target, source, outcome, id, prev_hash, hash FROM audit_log "
    "ORDER BY id";

AuditRow auditFrom(const sqlite::Stmt& st) {
    AuditRow r;
    r.timeMs = st.columnInt(0);
    r.actor = st.columnText(1);
    r.action = st.columnText(2);
    r.target = st.columnText(3);
    r.source = st.columnText(4);
    r.outcome = st.columnText(5);
    r.id = st.columnInt(6);
    r.prevHash = st.columnText(7);
    r.hash = st.columnText(8);
    return r;
}

}  // namespace

Result<std::vector<AuditRow>> ConsoleStore::listAudit() {
    std::lock_guard lock(mutex_);
    auto st = db_.prepare(kAuditSelect);
    if (!st) return st.error();
    std::vector<AuditRow> out;
    for (auto row = st->step(); row && *row; row = st->step()) out.push_back(auditFrom(*st));
    return out;
}

Result<AuditVerification> ConsoleStore::verifyAudit() {
    std::lock_guard lock(mutex_);
    // One read transaction: the records and the head are from the same snapshot.
    if (auto s = db_.exec("BEGIN"); !s) return s.error();
    struct EndRead {
        sqlite::Db& db;
        ~EndRead() { (void)db.exec("COMMIT"); }
    } endRead{db_};
    AuditVerification v;
    auto st = db_.prepare(kAuditSelect);
    if (!st) return st.error();
    std::string expectedPrev;
    std::int64_t position = 0;
    for (auto row = st->step();; row = st->step()) {
        if (!row) return row.error();
        if (!*row) break;
        ++position;
        AuditRow r = auditFrom(*st);
        if (v.intact()) {
            if (r.prevHash != expectedPrev) {
                v.brokenAt = position;
                v.reason = "record " + std::to_string(position) + " (id " + std::to_string(r.id) +
                           ") does not follow the record before it (a record was deleted, "
                           "inserted or altered)";
            } else if (auditRecordHash(r) != r.hash) {
                v.brokenAt = position;
                v.reason = "record " + std::to_string(position) + " (id " + std::to_string(r.id) +
                           ") was altered (its hash does not match its fields)";
            }
        }
        expectedPrev = r.hash;
    }
    v.records = position;
    v.headHash = expectedPrev;
    if (!v.intact()) return v;
    auto head = db_.prepare("SELECT records, hash FROM audit_head WHERE id = 1");
    if (!head) return head.error();
    auto row = head->step();
    if (!row) return row.error();
    std::int64_t headRecords = *row ? head->columnInt(0) : -1;
    std::string headHash = *row ? head->columnText(1) : std::string();
    if (headRecords < 0) {
        v.brokenAt = 1;
        v.reason = "the chain head is missing";
    } else if (headRecords > position) {
        v.brokenAt = position + 1;
        v.reason = "the last " + std::to_string(headRecords - position) +
                   " record(s) were deleted (the chain head counts " + std::to_string(headRecords) +
                   ")";
    } else if (headRecords < position) {
        v.brokenAt = headRecords + 1;
        v.reason = "records after " + std::to_string(headRecords) +
                   " were added outside the console (the chain head does not cover them)";
    } else if (headHash != expectedPrev) {
        v.brokenAt = position > 0 ? position : 1;
        v.reason = "the last record was replaced (the chain head hash does not match)";
    }
    return v;
}

Status ConsoleStore::sealAuditChain() {
    std::lock_guard lock(mutex_);
    {
        auto probe = db_.prepare("SELECT COUNT(*) FROM audit_head");
        if (!probe) return probe.error();
        auto row = probe->step();
        if (!row) return row.error();
        if (*row && probe->columnInt(0) > 0) return {};
    }
    sqlite::Transaction tx(db_);
    if (!tx.began()) return tx.beginStatus().error();
    auto probe = db_.prepare("SELECT COUNT(*) FROM audit_head");
    if (!probe) return probe.error();
    auto again = probe->step();
    if (!again) return again.error();
    if (*again && probe->columnInt(0) > 0) return {};  // another process sealed it meanwhile
    probe->reset();
    std::vector<AuditRow> rows;
    {
        auto st = db_.prepare(kAuditSelect);
        if (!st) return st.error();
        for (auto row = st->step(); row && *row; row = st->step()) rows.push_back(auditFrom(*st));
    }
    auto up = db_.prepare("UPDATE audit_log SET prev_hash = ?2, hash = ?3 WHERE id = ?1");
    if (!up) return up.error();
    std::string prev;
    for (auto& r : rows) {
        r.prevHash = prev;
        r.hash = auditRecordHash(r);
        if (auto s = up->bind(1, r.id).bind(2, r.prevHash).bind(3, r.hash).run(); !s) return s;
        prev = r.hash;
    }
    auto head = db_.prepare("INSERT INTO audit_head(id, records, hash) VALUES(1, ?1, ?2)");
    if (!head) return head.error();
    if (auto s = head->bind(1, static_cast<std::int64_t>(rows.size())).bind(2, prev).run(); !s)
        return s;
    return tx.commit();
}

std::uint64_t ConsoleStore::changeStamp() {
    std::lock_guard lock(mutex_);
    // PRAGMA data_version moves when *other* connections commit; ownWrites_ covers this one.
    auto st = db_.prepare("PRAGMA data_version");
    std::uint64_t other = 0;
    if (st) {
        auto row = st->step();
        if (row && *row) other = static_cast<std::uint64_t>(st->columnInt(0));
    }
    return (other << 32) ^ ownWrites_;
}

Status ConsoleStore::audit(const std::string& actor, const std::string& action,
                           const std::string& target, const std::string& source,
                           const std::string& outcome) {
    std::lock_guard lock(mutex_);
    return auditLocked(actor, action, target, source, outcome);
}

Status ConsoleStore::auditLocked(const std::string& actor, const std::string& action,
                                 const std::string& target, const std::string& source,
                                 const std::string& outcome) {
    // Reading the head and appending must be atomic across processes: join the caller's
    // transaction (BEGIN IMMEDIATE holds the write lock) or open one.
    std::optional<sqlite::Transaction> own;
    if (sqlite3_get_autocommit(db_.handle()) != 0) {
        own.emplace(db_);
        if (!own->began()) return own->beginStatus().error();
    }
    auto head = db_.prepare(
        "SELECT h.records, h.hash, (SELECT COALESCE(MAX(id), 0) FROM audit_log) "
        "FROM audit_head h WHERE h.id = 1");
    if (!head) return head.error();
    auto row = head->step();
    if (!row) return row.error();
    if (!*row) return makeError("the audit chain head is missing");
    std::int64_t records = head->columnInt(0);
    AuditRow r;
    r.prevHash = head->columnText(1);
    r.id = head->columnInt(2) + 1;
    head->reset();
    r.timeMs = clock_();
    r.actor = actor;
    r.action = action;
    r.target = target;
    r.source = source;
    r.outcome = outcome;
    r.hash = auditRecordHash(r);
    auto st = db_.prepare(
        "INSERT INTO audit_log(id, time, actor, action, target, source, outcome, prev_hash, hash) "
        "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
    if (!st) return st.error();
    if (auto s = st->bind(1, r.id)
                     .bind(2, r.timeMs)
                     .bind(3, r.actor)
                     .bind(4, r.action)
                     .bind(5, r.target)
                     .bind(6, r.source)
                     .bind(7, r.outcome)
                     .bind(8, r.prevHash)
                     .bind(9, r.hash)
                     .run();
        !s) {
        return dbError("cannot append to the audit log", s.error());
    }
    auto up = db_.prepare("UPDATE audit_head SET records = ?1, hash = ?2 WHERE id = 1");
    if (!up) return up.error();
    if (auto s = up->bind(1, records + 1).bind(2, r.hash).run(); !s) return s;
    ++ownWrites_;
    if (own) return own->commit();
    return {};
}

// ---------------------------------------------------------------------------------------------
// Alert workflow and the site/zone hierarchy.

template <class Body>
Status ConsoleStore::writeLocked(Body&& body) {
    sqlite::Transaction tx(db_);
    if (!tx.began()) return makeError("console store busy: " + tx.beginStatus().error().message);
    newDeviceRows_.clear();
    newAlertRows_.clear();
    if (Status s = body(); !s) return s;
    if (Status s = flushSearchTextLocked(); !s) return s;  // e.g. retention deleted devices
    if (auto s = tx.commit(); !s) return s;
    ++ownWrites_;
    return {};
}

Status ConsoleStore::flushSearchTextLocked() {
    if (auto s = flushDeviceOrderLocked(); !s) return s;  // device_store.cpp, schema v16
    if (auto s = flushTextIndexLocked(TextIndex{kDeviceTextAnyDirty, kDeviceTextDropDirty,
                                                kDeviceTextWrite, kDeviceTextClearDirty,
                                                "device search index"},
                                      newDeviceRows_);
        !s) {
        return s;
    }
    return flushTextIndexLocked(TextIndex{kAlertTextAnyDirty, kAlertTextDropDirty,
                                          kAlertTextWrite, kAlertTextClearDirty,
                                          "alert filter index"},
                                newAlertRows_);
}

Status ConsoleStore::flushTextIndexLocked(const TextIndex& index, std::vector<std::int64_t>& added) {
    auto any = cachedLocked(index.anyDirty);
    if (!any) return any.error();
    auto row = (*any)->step();
    if (!row) return row.error();
    const bool marked = *row && (*any)->columnInt(0) != 0;
    (*any)->reset();
    if (!marked && added.empty()) return {};
    auto fail = [&](const Error& e) { return dbError(std::string("cannot update the ") + index.name, e); };
    if (marked) {
        auto drop = cachedLocked(index.dropDirty);
        if (!drop) return fail(drop.error());
        if (auto s = (*drop)->run(); !s) return fail(s.error());
    }
    std::string rowids = "[";
    for (std::int64_t r : added) {
        if (rowids.size() > 1) rowids += ',';
        rowids += std::to_string(r);
    }
    rowids += ']';
    auto write = cachedLocked(index.write);
    if (!write) return fail(write.error());
    if (auto s = (*write)->bind(1, rowids).run(); !s) return fail(s.error());
    if (marked) {
        auto clear = cachedLocked(index.clearDirty);
        if (!clear) return fail(clear.error());
        if (auto s = (*clear)->run(); !s) return fail(s.error());
    }
    added.clear();
    return {};
}

const char* alertStatusName(AlertStatus status) {
    switch (status) {
        case AlertStatus::New:
            return "new";
        case AlertStatus::Acknowledged:
            return "acknowledged";
        case AlertStatus::Closed:
            return "closed";
    }
    return "new";
}

std::optional<AlertStatus> alertStatusFromName(std::string_view name) {
    if (name == "new" || name == "open") return AlertStatus::New;
    if (name == "acknowledged" || name == "ack") return AlertStatus::Acknowledged;
    if (name == "closed") return AlertStatus::Closed;
    return std::nullopt;
}

namespace {

std::string alertTarget(const AlertKey& k) {
    return k.sensorId + "/" + k.alertId;
}

/// The audit "what" of a status change.
std::string statusAction(const std::string& from, AlertStatus to) {
    switch (to) {
        case AlertStatus::Acknowledged:
            return "alert.acknowledge";
        case AlertStatus::Closed:
            return "alert.close";
        case AlertStatus::New:
            return from == "new" ? "alert.set_status" : "alert.reopen";
    }
    return "alert.set_status";
}

}  // namespace

Result<std::string> ConsoleStore::alertStatusLocked(const AlertKey& alert) {
    auto st = db_.prepare("SELECT status FROM alerts WHERE sensor_id = ?1 AND alert_id = ?2");
    if (!st) return st.error();
    st->bind(1, alert.sensorId).bind(2, alert.alertId);
    auto row = st->step();
    if (!row) return row.error();
    if (!*row) {
        return makeError("no alert '" + alert.alertId + "' from sensor '" + alert.sensorId + "'");
    }
    return st->columnText(0);
}

Result<std::vector<AlertKey>> ConsoleStore::findAlerts(const std::string& alertId,
                                                       const std::string& sensor) {
    std::lock_guard lock(mutex_);
    auto st = db_.prepare(
        "SELECT a.sensor_id, a.alert_id FROM alerts a JOIN sensors s ON s.id = a.sensor_id "
        "WHERE a.alert_id = ?1 AND (?2 = '' OR s.id = ?2 OR s.name = ?2) ORDER BY s.name");
    if (!st) return st.error();
    st->bind(1, alertId).bind(2, sensor);
    std::vector<AlertKey> out;
    for (auto row = st->step(); row && *row; row = st->step()) {
        out.push_back({st->columnText(0), st->columnText(1)});
    }
    return out;
}

Result<int> ConsoleStore::setAlertStatus(const std::vector<AlertKey>& alerts, AlertStatus status,
                                         const AuditActor& by) {
    if (alerts.empty()) return makeError("no alerts selected");
    std::lock_guard lock(mutex_);
    int changed = 0;
    Status s = writeLocked([&]() -> Status {
        auto up = db_.prepare(
            "UPDATE alerts SET status = ?3, status_changed_at = ?4 "
            "WHERE sensor_id = ?1 AND alert_id = ?2");
        if (!up) return up.error();
        std::int64_t now = clock_();
        std::set<AlertKey> seen;
        for (const AlertKey& key : alerts) {
            if (!seen.insert(key).second) continue;
            auto from = alertStatusLocked(key);
            if (!from) return from.error();
            if (*from == alertStatusName(status)) continue;
            if (auto r = up->bind(1, key.sensorId)
                             .bind(2, key.alertId)
                             .bind(3, alertStatusName(status))
                             .bind(4, now)
                             .run();
                !r) {
                return r;
            }
            if (auto a = auditLocked(by.actor, statusAction(*from, status), alertTarget(key),
                                     by.source, "ok: " + *from + " -> " + alertStatusName(status));
                !a) {
                return a;
            }
            ++changed;
        }
        return {};
    });
    if (!s) return s.error();
    return changed;
}

Status ConsoleStore::assignAlert(const AlertKey& alert, const std::string& user,
                                 const AuditActor& by) {
    std::lock_guard lock(mutex_);
    return writeLocked([&]() -> Status {
        if (auto from = alertStatusLocked(alert); !from) return from.error();
        if (!user.empty()) {
            auto u = db_.prepare("SELECT role, disabled FROM users WHERE name = ?1");
            if (!u) return u.error();
            u->bind(1, user);
            auto row = u->step();
            if (!row) return row.error();
            if (!*row) return makeError("no user '" + user + "'");
            if (u->columnInt(1) != 0) return makeError("user '" + user + "' is disabled");
            if (roleFromName(u->columnText(0)).value_or(Role::Viewer) == Role::Viewer) {
                return makeError("cannot assign alerts to '" + user +
                                 "': read-only users cannot triage alerts");
            }
        }
        auto up =
            db_.prepare("UPDATE alerts SET assignee = ?3 WHERE sensor_id = ?1 AND alert_id = ?2");
        if (!up) return up.error();
        if (auto r = up->bind(1, alert.sensorId).bind(2, alert.alertId).bind(3, user).run(); !r)
            return r;
        return auditLocked(by.actor, "alert.assign", alertTarget(alert), by.source,
                           user.empty() ? std::string("ok: unassigned") : "ok: to " + user);
    });
}

Result<AlertComment> ConsoleStore::addAlertComment(const AlertKey& alert, const std::string& text,
                                                   const AuditActor& by) {
    std::string trimmed = text;
    while (!trimmed.empty() && std::isspace(static_cast<unsigned char>(trimmed.back())))
        trimmed.pop_back();
    trimmed.erase(0, std::min(trimmed.size(), trimmed.find_first_not_of(" \t\r\n")));
    if (trimmed.empty()) return makeError("comment must not be empty");
    if (trimmed.size() > 4000) return makeError("comment too long (at most 4000 characters)");
    std::lock_guard lock(mutex_);
    AlertComment c;
    c.alert = alert;
    c.author = by.actor;
    c.text = trimmed;
    Status s = writeLocked([&]() -> Status {
        if (auto from = alertStatusLocked(alert); !from) return from.error();
        c.timeMs = clock_();
        auto ins = db_.prepare(
            "INSERT INTO alert_comments(sensor_id, alert_id, time, author, text) "
            "VALUES(?1, ?2, ?3, ?4, ?5)");
        if (!ins) return ins.error();
        if (auto r = ins->bind(1, alert.sensorId)
                         .bind(2, alert.alertId)
                         .bind(3, c.timeMs)
                         .bind(4, c.author)
                         .bind(5, c.text)
                         .run();
            !r) {
            return r;
        }
        c.id = db_.lastInsertRowid();
        return auditLocked(by.actor, "alert.comment", alertTarget(alert), by.source,
                           "ok: comment " + std::to_string(c.id));
    });
    if (!s) return s.error();
    return c;
}

Result<std::vector<AlertComment>> ConsoleStore::alertComments(const AlertKey& alert) {
    std::lock_guard lock(mutex_);
    if (auto from = alertStatusLocked(alert); !from) return from.error();
    auto st = db_.prepare(
        "SELECT id, time, author, text FROM alert_comments WHERE sensor_id = ?1 AND "
        "alert_id = ?2 ORDER BY id");
    if (!st) return st.error();
    st->bind(1, alert.sensorId).bind(2, alert.alertId);
    std::vector<AlertComment> out;
    for (auto row = st->step(); row && *row; row = st->step()) {
        out.push_back(
            {st->columnInt(0), alert, st->columnInt(1), st->columnText(2), st->columnText(3)});
    }
    return out;
}

Result<AlertCounts> ConsoleStore::alertCounts(const std::string& site, const std::string& zone) {
    std::lock_guard lock(readMutex_);
    // The tally (schema v14): one row per (sensor, severity, status), kept by triggers.
    auto st = readDb_.prepare(R"sql(
SELECT t.severity, t.status, si.name, z.name, SUM(t.n)
FROM alert_tally t JOIN sensors s ON s.id = t.sensor_id JOIN zones z ON z.id = s.zone_id
JOIN sites si ON si.id = z.site_id
WHERE t.n > 0 AND (?1 = '' OR si.name = ?1) AND (?2 = '' OR z.name = ?2)
GROUP BY t.severity, t.status, z.id)sql");
    if (!st) return st.error();
    st->bind(1, site).bind(2, zone);
    AlertCounts c;
    for (auto row = st->step();; row = st->step()) {
        if (!row) return row.error();
        if (!*row) break;
        std::string severity = severityName(static_cast<int>(st->columnInt(0)));
        std::string status = st->columnText(1);
        std::string siteName = st->columnText(2);
        std::string zoneName = siteName + "/" + st->columnText(3);
        std::int64_t n = st->columnInt(4);
        std::int64_t open = status == "closed" ? 0 : n;
        for (AlertTally* t : {&c.all, &c.bySeverity[severity], &c.byStatus[status],
                              &c.bySite[siteName], &c.byZone[zoneName]}) {
            t->total += n;
            t->open += open;
        }
    }
    return c;
}

Result<std::int64_t> ConsoleStore::zoneIdLocked(const std::string& site, const std::string& zone) {
    auto find = db_.prepare(
        "SELECT z.id FROM zones z JOIN sites s ON s.id = z.site_id "
        "WHERE s.name = ?1 AND z.name = ?2");
    if (!find) return find.error();
    find->bind(1, site).bind(2, zone);
    auto row = find->step();
    if (!row) return row.error();
    if (!*row) return makeError("no zone '" + zone + "' in site '" + site + "'");
    return find->columnInt(0);
}

Status ConsoleStore::renameSite(const std::string& site, const std::string& newName,
                                const AuditActor& by) {
    if (newName.empty()) return makeError("site name must not be empty");
    std::lock_guard lock(mutex_);
    return writeLocked([&]() -> Status {
        auto exists = db_.prepare("SELECT 1 FROM sites WHERE name = ?1");
        if (!exists) return exists.error();
        exists->bind(1, newName);
        auto taken = exists->step();
        if (!taken) return taken.error();
        if (*taken && newName != site) return makeError("site '" + newName + "' already exists");
        auto up = db_.prepare("UPDATE sites SET name = ?2 WHERE name = ?1");
        if (!up) return up.error();
        if (auto r = up->bind(1, site).bind(2, newName).run(); !r) return r;
        if (db_.changes() == 0) return makeError("no site named '" + site + "'");
        return auditLocked(by.actor, "site.rename", site, by.source, "ok: now " + newName);
    });
}

Status ConsoleStore::deleteSite(const std::string& site, const AuditActor& by) {
    std::lock_guard lock(mutex_);
    return writeLocked([&]() -> Status {
        auto st = db_.prepare(
            "SELECT s.id, (SELECT COUNT(*) FROM zones z WHERE z.site_id = s.id) FROM sites s "
            "WHERE s.name = ?1");
        if (!st) return st.error();
        st->bind(1, site);
        auto row = st->step();
        if (!row) return row.error();
        if (!*row) return makeError("no site named '" + site + "'");
        std::int64_t id = st->columnInt(0);
        std::int64_t zones = st->columnInt(1);
        st->reset();
        if (zones > 0) {
            return makeError("cannot delete site '" + site + "': it still has " +
                             std::to_string(zones) + " zone(s); delete or move them first");
        }
        auto del = db_.prepare("DELETE FROM sites WHERE id = ?1");
        if (!del) return del.error();
        if (auto r = del->bind(1, id).run(); !r) return r;
        return auditLocked(by.actor, "site.delete", site, by.source, "ok");
    });
}

Status ConsoleStore::renameZone(const std::string& site, const std::string& zone,
                                const std::string& newName, const AuditActor& by) {
    if (newName.empty()) return makeError("zone name must not be empty");
    std::lock_guard lock(mutex_);
    return writeLocked([&]() -> Status {
        auto id = zoneIdLocked(site, zone);
        if (!id) return id.error();
        if (newName == zone) return {};
        if (zoneIdLocked(site, newName)) {
            return makeError("zone '" + newName + "' already exists in site '" + site + "'");
        }
        auto up = db_.prepare("UPDATE zones SET name = ?2 WHERE id = ?1");
        if (!up) return up.error();
        if (auto r = up->bind(1, *id).bind(2, newName).run(); !r) return r;
        return auditLocked(by.actor, "zone.rename", site + "/" + zone, by.source,
                           "ok: now " + site + "/" + newName);
    });
}

Status ConsoleStore::moveZone(const std::string& site, const std::string& zone,
                              const std::string& toSite, const AuditActor& by) {
    std::lock_guard lock(mutex_);
    return writeLocked([&]() -> Status {
        auto id = zoneIdLocked(site, zone);
        if (!id) return id.error();
        auto find = db_.prepare("SELECT id FROM sites WHERE name = ?1");
        if (!find) return find.error();
        find->bind(1, toSite);
        auto row = find->step();
        if (!row) return row.error();
        if (!*row) return makeError("no site named '" + toSite + "'");
        std::int64_t siteId = find->columnInt(0);
        find->reset();
        if (toSite == site) return {};
        if (zoneIdLocked(toSite, zone)) {
            return makeError("cannot move zone '" + zone + "': site '" + toSite +
                             "' already has a zone of that name");
        }
        auto up = db_.prepare("UPDATE zones SET site_id = ?2 WHERE id = ?1");
        if (!up) return up.error();
        if (auto r = up->bind(1, *id).bind(2, siteId).run(); !r) return r;
        if (auto r = regroupMovedZoneLocked(*id, siteId); !r) return r;
        return auditLocked(by.actor, "zone.move", site + "/" + zone, by.source,
                           "ok: now " + toSite + "/" + zone);
    });
}

Status ConsoleStore::deleteZone(const std::string& site, const std::string& zone,
                                const AuditActor& by) {
    std::lock_guard lock(mutex_);
    return writeLocked([&]() -> Status {
        auto id = zoneIdLocked(site, zone);
        if (!id) return id.error();
        auto count = db_.prepare(
            "SELECT COUNT(*), COALESCE(SUM(status != 'revoked'), 0) FROM sensors "
            "WHERE zone_id = ?1");
        if (!count) return count.error();
        count->bind(1, *id);
        auto row = count->step();
        if (!row) return row.error();
        std::int64_t sensors = *row ? count->columnInt(0) : 0;
        std::int64_t live = *row ? count->columnInt(1) : 0;
        count->reset();
        if (sensors > 0) {
            return makeError("cannot delete zone '" + zone + "' of site '" + site + "': " +
                             std::to_string(sensors) + " sensor(s) (" + std::to_string(live) +
                             " not revoked) belong to it; move or remove them first");
        }
        auto del = db_.prepare("DELETE FROM zones WHERE id = ?1");
        if (!del) return del.error();
        if (auto r = del->bind(1, *id).run(); !r) return r;
        return auditLocked(by.actor, "zone.delete", site + "/" + zone, by.source, "ok");
    });
}

Result<RetentionResult> ConsoleStore::applyRetention(const RetentionPolicy& policy,
                                                     const AuditActor& by,
                                                     const RetentionControl& control) {
    using Clock = std::chrono::steady_clock;
    constexpr std::int64_t kDayMs = 24LL * 3600 * 1000;
    // 25 rows per transaction: each deleted alert touches ~10 b-trees (its indexes, the text
    // index) in pages spread over the whole file, ~7 WAL pages a row at any batch size; at
    // 1,000,000 alerts a 25-row transaction holds the writer 5-30 ms.
    constexpr int kBatch = 25;
    RetentionResult result;
    std::int64_t now = clock_();
    auto lastProgress = Clock::now();
    auto sweep = [&](const char* sql, std::int64_t cutoff, std::int64_t& deleted) -> Status {
        for (;;) {
            if (control.stop.stop_requested()) {
                result.stopped = true;
                return {};
            }
            int changed = 0;
            Clock::duration held{};
            {
                std::lock_guard lock(mutex_);  // released between batches: ingest interleaves
                const auto start = Clock::now();
                Status s = writeLocked([&]() -> Status {
                    auto st = db_.prepare(sql);
                    if (!st) return st.error();
                    if (auto r = st->bind(1, cutoff).bind(2, kBatch).run(); !r) return r;
                    changed = db_.changes();
                    return {};
                });
                if (!s) return s;
                held = Clock::now() - start;
            }
            deleted += changed;
            if (control.progress && Clock::now() - lastProgress >= control.progressEvery) {
                lastProgress = Clock::now();
                control.progress(result);
            }
            if (changed < kBatch) return {};
            // Pause at least as long as the batch held the writer: ingest keeps at least half of
            // its time however slow the store's deletes are. (std::mutex is not fair: without a
            // pause this thread takes the lock straight back.)
            std::this_thread::sleep_for(
                std::max<Clock::duration>(held, std::chrono::milliseconds(2)));
            // And let the checkpointer copy the WAL back under its bound: retention writes ~7
            // pages per row, faster than a checkpoint that runs beside it can copy them.
            if (checkpointer_) checkpointer_->waitUntilBounded(std::chrono::seconds(5));
        }
    };
    if (policy.closedAlertsDays > 0) {
        if (auto s = sweep("DELETE FROM alerts WHERE rowid IN (SELECT rowid FROM alerts INDEXED BY "
                           "alerts_closed WHERE status = 'closed' AND status_changed_at < ?1 "
                           "LIMIT ?2)",
                           now - policy.closedAlertsDays * kDayMs, result.alertsDeleted);
            !s) {
            return s.error();
        }
    }
    if (policy.devicesDays > 0) {
        if (auto s = sweep("DELETE FROM devices WHERE rowid IN (SELECT rowid FROM devices WHERE "
                           "received_at < ?1 AND COALESCE(last_seen, 0) < ?1 LIMIT ?2)",
                           now - policy.devicesDays * kDayMs, result.devicesDeleted);
            !s) {
            return s.error();
        }
        if (result.devicesDeleted > 0) {
            // A device whose every observation is gone goes too, with its edits and keys.
            std::lock_guard lock(mutex_);
            if (auto s = writeLocked([&] {
                    return db_.exec(
                        "DELETE FROM device_groups WHERE NOT EXISTS(SELECT 1 FROM devices d "
                        "WHERE d.group_id = device_groups.id)");
                });
                !s) {
                return s.error();
            }
        }
    }
    std::lock_guard lock(mutex_);
    auto days = [](int d) { return d > 0 ? std::to_string(d) + " d" : std::string("keep"); };
    if (auto s = auditLocked(by.actor, "retention.run", "store", by.source,
                             std::string(result.stopped ? "stopped" : "ok") + ": closed alerts " +
                                 days(policy.closedAlertsDays) + ", devices " +
                                 days(policy.devicesDays) + ": deleted " +
                                 std::to_string(result.alertsDeleted) + " alerts, " +
                                 std::to_string(result.devicesDeleted) + " devices");
        !s) {
        return s.error();
    }
    return result;
}

int severityRank(std::string_view name) {
    if (name == "warning") return ironsight::v1::SEVERITY_WARNING;
    if (name == "minor") return ironsight::v1::SEVERITY_MINOR;
    if (name == "major") return ironsight::v1::SEVERITY_MAJOR;
    if (name == "critical") return ironsight::v1::SEVERITY_CRITICAL;
    return 0;
}

const char* severityNameOf(int rank) {
    return severityName(rank);
}

namespace {

constexpr const char* kSettingForwardCursor = "forward.alert_cursor";

ForwardRule ruleFrom(const sqlite::Stmt& st) {
    ForwardRule r;
    r.id = st.columnInt(0);
    r.target = st.columnText(1);
    r.format = st.columnText(2);
    r.minSeverity = static_cast<int>(st.columnInt(3));
    r.engines = stringsFromJson(st.columnText(4));
    r.sites = stringsFromJson(st.columnText(5));
    r.caFile = st.columnText(6);
    r.sent = st.columnInt(7);
    r.lastSentMs = st.columnInt(8);
    r.lastError = st.columnText(9);
    r.queued = st.columnInt(10);
    r.mailFrom = st.columnText(11);
    r.mailTo = stringsFromJson(st.columnText(12));
    r.smtpUser = st.columnText(13);
    r.smtpPassword = st.columnText(14);
    r.hasSmtpPassword = !r.smtpPassword.empty();
    r.starttls = st.columnInt(15) != 0;
    return r;
}

constexpr const char* kRuleSelect =
    "SELECT r.id, r.target, r.format, r.min_severity, r.engines, r.sites, r.ca_file, r.sent, "
    "r.last_sent_at, r.last_error, (SELECT COUNT(*) FROM forward_queue q WHERE q.rule_id = r.id), "
    "r.mail_from, r.mail_to, r.smtp_user, r.smtp_password, r.starttls "
    "FROM forward_rules r";

std::string ruleText(const ForwardRule& r) {
    std::string t = r.target + " " + r.format + " min " + severityName(r.minSeverity);
    if (!r.engines.empty()) t += " engines " + jsonArray(r.engines);
    if (!r.sites.empty()) t += " sites " + jsonArray(r.sites);
    // Never the password: the audit log is exported and shown.
    if (!r.mailTo.empty()) t += " from " + r.mailFrom + " to " + jsonArray(r.mailTo);
    if (!r.smtpUser.empty()) t += " user " + r.smtpUser;
    if (r.format == "email" && !r.starttls) t += " no-starttls";
    return t;
}

}  // namespace

Result<ForwardRule> ConsoleStore::addForwardRule(const ForwardRule& rule, const AuditActor& by) {
    std::lock_guard lock(mutex_);
    ForwardRule out = rule;
    Status s = writeLocked([&]() -> Status {
        // A first rule starts the cursor at the newest alert: history is not replayed.
        auto cursor = db_.prepare(
            "INSERT INTO settings(key, value) SELECT ?1, CAST(COALESCE(MAX(rowid), 0) AS TEXT) "
            "FROM alerts WHERE true ON CONFLICT(key) DO UPDATE SET value = excluded.value "
            "WHERE NOT EXISTS (SELECT 1 FROM forward_rules)");
        if (!cursor) return cursor.error();
        if (auto r = cursor->bind(1, kSettingForwardCursor).run(); !r) return r;
        auto ins = db_.prepare(
            "INSERT INTO forward_rules(target, format, min_severity, engines, sites, ca_file, "
            "created_at, mail_from, mail_to, smtp_user, smtp_password, starttls) "
            "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)");
        if (!ins) return ins.error();
        if (auto r = ins->bind(1, rule.target)
                         .bind(2, rule.format)
                         .bind(3, rule.minSeverity)
                         .bind(4, jsonArray(rule.engines))
                         .bind(5, jsonArray(rule.sites))
                         .bind(6, rule.caFile)
                         .bind(7, clock_())
                         .bind(8, rule.mailFrom)
                         .bind(9, jsonArray(rule.mailTo))
                         .bind(10, rule.smtpUser)
                         .bind(11, rule.smtpPassword)
                         .bind(12, rule.starttls)
                         .run();
            !r) {
            return dbError("cannot add the forwarding rule", r.error());
        }
        out.id = db_.lastInsertRowid();
        return auditLocked(by.actor, "forward.add", std::to_string(out.id), by.source,
                           "ok: " + ruleText(out));
    });
    if (!s) return s.error();
    return out;
}

Result<std::vector<ForwardRule>> ConsoleStore::listForwardRules() {
    std::lock_guard lock(mutex_);
    auto st = db_.prepare(std::string(kRuleSelect) + " ORDER BY r.id");
    if (!st) return st.error();
    std::vector<ForwardRule> out;
    for (auto row = st->step(); row && *row; row = st->step()) out.push_back(ruleFrom(*st));
    return out;
}

Status ConsoleStore::removeForwardRule(std::int64_t id, const AuditActor& by) {
    std::lock_guard lock(mutex_);
    return writeLocked([&]() -> Status {
        auto del = db_.prepare("DELETE FROM forward_rules WHERE id = ?1");
        if (!del) return del.error();
        if (auto r = del->bind(1, id).run(); !r) return r;
        if (db_.changes() == 0) return makeError("no forwarding rule " + std::to_string(id));
        return auditLocked(by.actor, "forward.remove", std::to_string(id), by.source, "ok");
    });
}

Status ConsoleStore::setForwardCredentials(std::int64_t id, const std::string& user,
                                           const std::string& password, const AuditActor& by) {
    std::lock_guard lock(mutex_);
    return writeLocked([&]() -> Status {
        {
            auto st = db_.prepare("SELECT starttls, target FROM forward_rules WHERE id = ?1 AND "
                                  "format = 'email'");
            if (!st) return st.error();
            st->bind(1, id);
            auto row = st->step();
            if (!row) return row.error();
            if (!*row) return makeError("no e-mail forwarding rule " + std::to_string(id));
            if (st->columnInt(0) == 0 && st->columnText(1).rfind("smtp://", 0) == 0 &&
                !user.empty()) {
                return makeError("refusing to send SMTP credentials without TLS (rule " +
                                 std::to_string(id) + " has no-starttls)");
            }
        }
        auto up = db_.prepare(
            "UPDATE forward_rules SET smtp_user = ?2, smtp_password = ?3 WHERE id = ?1");
        if (!up) return up.error();
        if (auto r = up->bind(1, id).bind(2, user).bind(3, password).run(); !r) return r;
        return auditLocked(by.actor, "forward.credentials", std::to_string(id), by.source,
                           "ok: user " + (user.empty() ? std::string("(none)") : user) +
                               ", password changed");
    });
}

Result<int> ConsoleStore::enqueueNewAlerts(
    const std::function<std::optional<std::string>(const ForwardRule&, const AlertRow&)>& render,
    int limit, std::int64_t maxQueued) {
    std::lock_guard lock(mutex_);
    {
        // Cheap read first: no write transaction (and no change stamp) when nothing is new.
        auto probe = db_.prepare(
            "SELECT 1 FROM alerts WHERE rowid > (SELECT CAST(COALESCE(MAX(value), '0') AS "
            "INTEGER) FROM settings WHERE key = ?1) LIMIT 1");
        if (!probe) return probe.error();
        probe->bind(1, kSettingForwardCursor);
        auto row = probe->step();
        if (!row) return row.error();
        if (!*row) return 0;
    }
    int looked = 0;
    Status s = writeLocked([&]() -> Status {
        std::vector<ForwardRule> rules;
        {
            auto st = db_.prepare(std::string(kRuleSelect) + " ORDER BY r.id");
            if (!st) return st.error();
            for (auto row = st->step(); row && *row; row = st->step())
                rules.push_back(ruleFrom(*st));
        }
        std::int64_t cursor = 0;
        {
            auto st = db_.prepare("SELECT value FROM settings WHERE key = ?1");
            if (!st) return st.error();
            st->bind(1, kSettingForwardCursor);
            auto row = st->step();
            if (!row) return row.error();
            if (*row) cursor = std::stoll("0" + st->columnText(0));
        }
        auto alerts =
            db_.prepare(std::string(kAlertSelect) + "WHERE a.rowid > ?1 ORDER BY a.rowid LIMIT ?2");
        if (!alerts) return alerts.error();
        alerts->bind(1, cursor).bind(2, limit);
        auto ins = db_.prepare(
            "INSERT INTO forward_queue(rule_id, message, created_at) VALUES(?1, ?2, ?3)");
        if (!ins) return ins.error();
        std::int64_t now = clock_();
        std::int64_t last = cursor;
        for (auto row = alerts->step();; row = alerts->step()) {
            if (!row) return row.error();
            if (!*row) break;
            ++looked;
            AlertRow a = alertFrom(*alerts);
            last = alerts->columnInt(24);
            for (const ForwardRule& rule : rules) {
                auto message = render(rule, a);
                if (!message) continue;
                if (auto r = ins->bind(1, rule.id).bind(2, *message).bind(3, now).run(); !r)
                    return r;
            }
        }
        alerts->reset();
        if (looked == 0) return {};
        auto up = db_.prepare(
            "INSERT INTO settings(key, value) VALUES(?1, ?2) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value");
        if (!up) return up.error();
        if (auto r = up->bind(1, kSettingForwardCursor).bind(2, std::to_string(last)).run(); !r)
            return r;
        // Cap each queue: a SIEM that is away for days must not fill the disk.
        for (const ForwardRule& rule : rules) {
            auto drop = db_.prepare(
                "DELETE FROM forward_queue WHERE rule_id = ?1 AND id <= (SELECT id FROM "
                "forward_queue WHERE rule_id = ?1 ORDER BY id DESC LIMIT 1 OFFSET ?2)");
            if (!drop) return drop.error();
            if (auto r = drop->bind(1, rule.id).bind(2, maxQueued).run(); !r) return r;
            if (int dropped = db_.changes(); dropped > 0) {
                auto note = db_.prepare("UPDATE forward_rules SET last_error = ?2 WHERE id = ?1");
                if (!note) return note.error();
                if (auto r = note->bind(1, rule.id)
                                 .bind(2, "queue full: dropped " + std::to_string(dropped) +
                                              " oldest message(s)")
                                 .run();
                    !r) {
                    return r;
                }
            }
        }
        return {};
    });
    if (!s) return s.error();
    return looked;
}

Result<std::vector<QueuedMessage>> ConsoleStore::forwardQueue(std::int64_t ruleId, int limit) {
    std::lock_guard lock(mutex_);
    auto st = db_.prepare(
        "SELECT id, message, attempts FROM forward_queue WHERE rule_id = ?1 ORDER BY id LIMIT ?2");
    if (!st) return st.error();
    st->bind(1, ruleId).bind(2, limit);
    std::vector<QueuedMessage> out;
    for (auto row = st->step(); row && *row; row = st->step()) {
        out.push_back({st->columnInt(0), st->columnText(1), st->columnInt(2)});
    }
    return out;
}

Status ConsoleStore::forwardDone(std::int64_t ruleId, const std::vector<std::int64_t>& sentIds,
                                 const std::string& error) {
    std::lock_guard lock(mutex_);
    return writeLocked([&]() -> Status {
        auto del = db_.prepare("DELETE FROM forward_queue WHERE id = ?1 AND rule_id = ?2");
        if (!del) return del.error();
        for (std::int64_t id : sentIds) {
            if (auto r = del->bind(1, id).bind(2, ruleId).run(); !r) return r;
        }
        auto up = db_.prepare(
            "UPDATE forward_rules SET sent = sent + ?2, last_sent_at = CASE WHEN ?2 > 0 THEN ?3 "
            "ELSE last_sent_at END, last_error = ?4 WHERE id = ?1");
        if (!up) return up.error();
        if (auto r = up->bind(1, ruleId)
                         .bind(2, static_cast<std::int64_t>(sentIds.size()))
                         .bind(3, clock_())
                         .bind(4, error)
                         .run();
            !r) {
            return r;
        }
        if (!error.empty()) {
            auto att = db_.prepare(
                "UPDATE forward_queue SET attempts = attempts + 1 WHERE id = (SELECT MIN(id) "
                "FROM forward_queue WHERE rule_id = ?1)");
            if (!att) return att.error();
            if (auto r = att->bind(1, ruleId).run(); !r) return r;
        }
        return {};
    });
}

Status ConsoleStore::storeCves(const std::vector<CveEntry>& entries, const std::string& source,
                               const AuditActor& by) {
    std::lock_guard lock(mutex_);
    std::int64_t cpes = 0;
    return writeLocked([&]() -> Status {
        auto cve = db_.prepare(
            "INSERT INTO cves(cve_id, description, cvss, severity, published, imported_at) "
            "VALUES(?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(cve_id) DO UPDATE SET "
            "description = excluded.description, cvss = excluded.cvss, "
            "severity = excluded.severity, published = excluded.published, "
            "imported_at = excluded.imported_at");
        auto clear = db_.prepare("DELETE FROM cve_cpes WHERE cve_id = ?1");
        auto cpe = db_.prepare(
            "INSERT INTO cve_cpes(cve_id, criteria, part, vendor, product, version, start_incl, "
            "start_excl, end_incl, end_excl) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
        if (!cve || !clear || !cpe) return makeError("cannot prepare the CVE statements");
        std::int64_t now = clock_();
        for (const CveEntry& e : entries) {
            if (auto r = cve->bind(1, e.id)
                             .bind(2, e.description)
                             .bind(3, e.cvss)
                             .bind(4, e.severity)
                             .bind(5, e.published)
                             .bind(6, now)
                             .run();
                !r) {
                return r;
            }
            if (auto r = clear->bind(1, e.id).run(); !r) return r;
            for (const CpeMatch& m : e.cpes) {
                if (auto r = cpe->bind(1, e.id)
                                 .bind(2, m.criteria)
                                 .bind(3, m.part)
                                 .bind(4, m.vendor)
                                 .bind(5, m.product)
                                 .bind(6, m.version)
                                 .bind(7, m.startIncl)
                                 .bind(8, m.startExcl)
                                 .bind(9, m.endIncl)
                                 .bind(10, m.endExcl)
                                 .run();
                    !r) {
                    return r;
                }
                ++cpes;
            }
        }
        return auditLocked(by.actor, "cve.import", source, by.source,
                           "ok: " + std::to_string(entries.size()) + " CVEs, " +
                               std::to_string(cpes) + " CPE criteria");
    });
}

Result<std::vector<std::string>> ConsoleStore::cveVendors() {
    std::lock_guard lock(mutex_);
    auto st = db_.prepare("SELECT DISTINCT vendor FROM cve_cpes ORDER BY vendor");
    if (!st) return st.error();
    std::vector<std::string> out;
    for (auto row = st->step(); row && *row; row = st->step()) out.push_back(st->columnText(0));
    return out;
}

std::int64_t ConsoleStore::cveCount() {
    std::lock_guard lock(mutex_);
    auto st = db_.prepare("SELECT COUNT(*) FROM cves");
    if (!st) return 0;
    auto row = st->step();
    return row && *row ? st->columnInt(0) : 0;
}

Result<std::vector<CveEntry>> ConsoleStore::cvesForVendors(
    const std::vector<std::string>& vendors) {
    std::lock_guard lock(mutex_);
    auto st = db_.prepare(
        "SELECT c.cve_id, c.description, c.cvss, c.severity, c.published, p.criteria, p.part, "
        "p.vendor, p.product, p.version, p.start_incl, p.start_excl, p.end_incl, p.end_excl "
        "FROM cves c JOIN cve_cpes p ON p.cve_id = c.cve_id "
        "WHERE ?1 = '[]' OR p.vendor IN (SELECT value FROM json_each(?1)) "
        "ORDER BY c.cve_id, p.rowid");
    if (!st) return st.error();
    st->bind(1, jsonArray(vendors));
    std::vector<CveEntry> out;
    for (auto row = st->step();; row = st->step()) {
        if (!row) return row.error();
        if (!*row) break;
        std::string id = st->columnText(0);
        if (out.empty() || out.back().id != id) {
            CveEntry e;
            e.id = id;
            e.description = st->columnText(1);
            e.cvss = st->columnDouble(2);
            e.severity = st->columnText(3);
            e.published = st->columnText(4);
            out.push_back(std::move(e));
        }
        out.back().cpes.push_back({st->columnText(5), st->columnText(6), st->columnText(7),
                                   st->columnText(8), st->columnText(9), st->columnText(10),
                                   st->columnText(11), st->columnText(12), st->columnText(13)});
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// Commands to sensors.

namespace {

constexpr const char* kCommandSelect = R"sql(
SELECT c.id, c.sensor_id, COALESCE(s.name, ''), c.kind, c.arguments, c.issued_by, c.issued_at,
       c.state, c.result, c.completed_at
FROM commands c LEFT JOIN sensors s ON s.id = c.sensor_id)sql";

CommandRow commandFrom(const sqlite::Stmt& st) {
    CommandRow r;
    r.id = st.columnText(0);
    r.sensorId = st.columnText(1);
    r.sensorName = st.columnText(2);
    r.kind = st.columnText(3);
    r.arguments = st.columnText(4);
    r.issuedBy = st.columnText(5);
    r.issuedAtMs = st.columnInt(6);
    r.state = st.columnText(7);
    r.result = st.columnText(8);
    r.completedAtMs = st.columnInt(9);
    return r;
}

}  // namespace

Result<CommandRow> ConsoleStore::addCommand(const std::string& sensorId, const std::string& kind,
                                            const std::string& arguments, const AuditActor& by) {
    std::lock_guard lock(mutex_);
    CommandRow row;
    Status s = writeLocked([&]() -> Status {
        auto sensor = db_.prepare("SELECT name, status FROM sensors WHERE id = ?1");
        if (!sensor) return sensor.error();
        sensor->bind(1, sensorId);
        auto found = sensor->step();
        if (!found) return found.error();
        if (!*found) return makeError("no sensor '" + sensorId + "'");
        row.sensorName = sensor->columnText(0);
        if (sensor->columnText(1) == "revoked") {
            return makeError("sensor '" + row.sensorName + "' is revoked; it takes no commands");
        }
        sensor->reset();
        row.id = crypto::newUuid();
        row.sensorId = sensorId;
        row.kind = kind;
        row.arguments = arguments;
        row.issuedBy = by.actor;
        row.issuedAtMs = clock_();
        row.state = "pending";
        auto ins = db_.prepare(
            "INSERT INTO commands(id, sensor_id, kind, arguments, issued_by, issued_at) "
            "VALUES(?1, ?2, ?3, ?4, ?5, ?6)");
        if (!ins) return ins.error();
        if (auto r = ins->bind(1, row.id)
                         .bind(2, sensorId)
                         .bind(3, kind)
                         .bind(4, arguments)
                         .bind(5, by.actor)
                         .bind(6, row.issuedAtMs)
                         .run();
            !r) {
            return dbError("cannot store the command", r.error());
        }
        return auditLocked(by.actor, "command.issue", sensorId, by.source,
                           "ok: " + kind + " " + arguments + " (command " + row.id + ")");
    });
    if (!s) return s.error();
    return row;
}

Result<std::vector<CommandRow>> ConsoleStore::listCommands(const std::string& sensor) {
    std::lock_guard lock(mutex_);
    auto st = db_.prepare(std::string(kCommandSelect) +
                          " WHERE ?1 = '' OR c.sensor_id = ?1 OR s.name = ?1"
                          " ORDER BY c.issued_at DESC, c.rowid DESC");
    if (!st) return st.error();
    st->bind(1, sensor);
    std::vector<CommandRow> out;
    for (auto row = st->step(); row && *row; row = st->step()) out.push_back(commandFrom(*st));
    return out;
}

Result<std::string> ConsoleStore::commandPayload(const std::string& commandId) {
    std::lock_guard lock(mutex_);
    auto st = db_.prepare("SELECT payload FROM command_payloads WHERE command_id = ?1");
    if (!st) return st.error();
    st->bind(1, commandId);
    auto row = st->step();
    if (!row) return row.error();
    if (!*row) return makeError("command " + commandId + " returned no data");
    const sqlite::Bytes bytes = st->columnBlob(0);
    return std::string(bytes.begin(), bytes.end());
}

Result<std::vector<CommandRow>> ConsoleStore::commandsToSend(const std::string& sensorId,
                                                             bool includeSent) {
    std::lock_guard lock(mutex_);
    auto st = db_.prepare(std::string(kCommandSelect) +
                          " WHERE c.sensor_id = ?1 AND (c.state = 'pending' OR"
                          " (?2 AND c.state = 'sent')) ORDER BY c.issued_at, c.rowid");
    if (!st) return st.error();
    st->bind(1, sensorId).bind(2, includeSent);
    std::vector<CommandRow> out;
    for (auto row = st->step(); row && *row; row = st->step()) out.push_back(commandFrom(*st));
    return out;
}

Status ConsoleStore::markCommandsSent(const std::vector<std::string>& ids) {
    if (ids.empty()) return {};
    std::lock_guard lock(mutex_);
    return writeLocked([&]() -> Status {
        auto up =
            db_.prepare("UPDATE commands SET state = 'sent' WHERE id = ?1 AND state = 'pending'");
        if (!up) return up.error();
        for (const auto& id : ids) {
            if (auto r = up->bind(1, id).run(); !r) return r;
        }
        return {};
    });
}

Status ConsoleStore::applyCommandResultLocked(const std::string& sensorId,
                                              const ironsight::v1::CommandResult& result) {
    // Only the sensor the command was issued to can complete it, and only once (a replayed
    // result after a lost ack changes nothing).
    auto up = db_.prepare(
        "UPDATE commands SET state = ?3, result = ?4, completed_at = ?5 "
        "WHERE id = ?1 AND sensor_id = ?2 AND state IN ('pending', 'sent') "
        "RETURNING kind, arguments");
    if (!up) return up.error();
    up->bind(1, result.command_id())
        .bind(2, sensorId)
        .bind(3, result.ok() ? "done" : "failed")
        .bind(4, result.message())
        .bind(5, clock_());
    auto row = up->step();
    if (!row) return row.error();
    if (!*row) {
        return auditLocked("sensor:" + sensorId, "command.result", sensorId, "link",
                           "ignored: no open command " + result.command_id() + " for this sensor");
    }
    const std::string kind = up->columnText(0);
    const std::string arguments = up->columnText(1);
    while (true) {  // finish the statement before the next one
        auto more = up->step();
        if (!more || !*more) break;
    }
    if (result.ok() && !result.payload().empty()) {
        auto put = db_.prepare(
            "INSERT OR REPLACE INTO command_payloads(command_id, payload) VALUES(?1, ?2)");
        if (!put) return put.error();
        const sqlite::Bytes bytes(result.payload().begin(), result.payload().end());
        if (auto r = put->bind(1, result.command_id()).bind(2, bytes).run(); !r) return r;
    }
    if (auto a =
            auditLocked("sensor:" + sensorId, "command.result", sensorId, "link",
                        std::string(result.ok() ? "ok: " : "failed: ") + kind + " " + arguments +
                            " (command " + result.command_id() + "): " + result.message());
        !a) {
        return a;
    }
    if (kind != "learn_alert" || !result.ok()) return {};
    // A learned alert is part of the baseline now: close it in the workflow (SPEC §3.5).
    json args = json::parse(arguments, nullptr, false);
    if (!args.is_object() || !args.contains("alert_id") || !args["alert_id"].is_string()) return {};
    AlertKey key{sensorId, args["alert_id"].get<std::string>()};
    auto from = alertStatusLocked(key);
    if (!from || *from == alertStatusName(AlertStatus::Closed)) return {};
    auto close = db_.prepare(
        "UPDATE alerts SET status = 'closed', status_changed_at = ?3 "
        "WHERE sensor_id = ?1 AND alert_id = ?2");
    if (!close) return close.error();
    if (auto r = close->bind(1, key.sensorId).bind(2, key.alertId).bind(3, clock_()).run(); !r) {
        return r;
    }
    return auditLocked("sensor:" + sensorId, "alert.close", alertTarget(key), "link",
                       "ok: " + *from + " -> closed (learned on the sensor)");
}

}  // namespace ironsight::console::core
