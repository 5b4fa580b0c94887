// SPDX-License-Identifier: Apache-2.0
// ConsoleStore, devices: one console device per device group (the observations of the sensors
// of a site that saw the same device), operator edits, merge and split, VLAN and capture
// interface zone rules (docs/CONSOLE.md "Devices").
#include <nlohmann/json.hpp>

#include <algorithm>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

#include "console/core/console_store.h"
#include "console/core/search_text.h"

namespace ironsight::console::core {
namespace {

using nlohmann::json;

/// Identity keys of an observation. `mac:<hex>` (a mac- id) and `macip:<ip>` (the addresses of
/// a mac- observation) are what a routed ip- observation joins; `ip:<ip>` (an ip- id) is what a
/// later observation of that address joins. A router's MAC is never a key of the hosts behind
/// it: ip- observations are keyed by their address only.
bool isMacId(const std::string& id) {
    return id.rfind("mac-", 0) == 0;
}
bool isIpId(const std::string& id) {
    return id.rfind("ip-", 0) == 0;
}

constexpr const char* kSensorSite =
    "SELECT z.site_id FROM sensors s JOIN zones z ON z.id = s.zone_id WHERE s.id = ?1";
constexpr const char* kFindKey = "SELECT group_id FROM device_keys WHERE site_id = ?1 AND key = ?2";
constexpr const char* kOtherMac =
    "SELECT 1 FROM devices WHERE group_id = ?1 AND substr(device_id, 1, 4) = 'mac-' AND "
    "device_id <> ?2 LIMIT 1";
constexpr const char* kNewGroup = "INSERT INTO device_groups(site_id, created_at) VALUES(?1, ?2)";
constexpr const char* kSetGroup =
    "UPDATE devices SET group_id = ?3 WHERE sensor_id = ?1 AND device_id = ?2";
constexpr const char* kAddKey =
    "INSERT OR IGNORE INTO device_keys(site_id, key, group_id) VALUES(?1, ?2, ?3)";

/// The keys of a group, from its observations (?1 = group id).
constexpr const char* kGroupKeys[] = {
    R"sql(INSERT OR IGNORE INTO device_keys(site_id, key, group_id)
SELECT g.site_id, 'mac:' || substr(d.device_id, 5), g.id FROM devices d
JOIN device_groups g ON g.id = d.group_id
WHERE g.id = ?1 AND substr(d.device_id, 1, 4) = 'mac-')sql",
    R"sql(INSERT OR IGNORE INTO device_keys(site_id, key, group_id)
SELECT g.site_id, 'macip:' || j.value, g.id FROM devices d
JOIN device_groups g ON g.id = d.group_id, json_each(d.ips) j
WHERE g.id = ?1 AND substr(d.device_id, 1, 4) = 'mac-')sql",
    R"sql(INSERT OR IGNORE INTO device_keys(site_id, key, group_id)
SELECT g.site_id, 'ip:' || substr(d.device_id, 4), g.id FROM devices d
JOIN device_groups g ON g.id = d.group_id
WHERE g.id = ?1 AND substr(d.device_id, 1, 3) = 'ip-')sql",
};

std::vector<std::string> stringsOf(const std::string& text) {
    std::vector<std::string> out;
    json j = json::parse(text, nullptr, false);
    if (!j.is_array()) return out;
    for (const auto& v : j) {
        if (v.is_string()) out.push_back(v.get<std::string>());
    }
    return out;
}

template <class T>
void addUnique(std::vector<T>& to, const T& v) {
    if (std::find(to.begin(), to.end(), v) == to.end()) to.push_back(v);
}

/// "%text%" for LIKE ... ESCAPE '\': the text's own % and _ match literally.
std::string likeOf(const std::string& text) {
    std::string out = "%";
    for (char c : text) {
        if (c == '%' || c == '_' || c == '\\') out += '\\';
        out += c;
    }
    return out + "%";
}

/// Every observation of the selected groups, grouped, most recently seen first.
constexpr const char* kObservationSelect = R"sql(
SELECT d.group_id, d.sensor_id, s.name, si.name, z.name, d.device_id, d.macs, d.ips, d.vlans,
       COALESCE(d.vendor, ''), COALESCE(d.model, ''), COALESCE(d.firmware, ''),
       COALESCE(d.serial, ''), COALESCE(d.hostname, ''), COALESCE(d.type, ''), d.purdue_level,
       d.protocols, COALESCE(d.identity_json, ''), d.evidence, COALESCE(d.first_seen, 0),
       COALESCE(d.last_seen, 0), COALESCE(g.name, ''), g.type, g.purdue_level,
       COALESCE(g.criticality, ''), g.authorized, COALESCE(g.notes, ''), oz.name, g.edited_by,
       g.edited_at, d.interfaces
FROM devices d JOIN device_groups g ON g.id = d.group_id JOIN sensors s ON s.id = d.sensor_id
JOIN zones z ON z.id = s.zone_id JOIN sites si ON si.id = z.site_id
LEFT JOIN zones oz ON oz.id = g.zone_id )sql";

/// The device search (schema v14): groups with the term in the indexed text of one of their
/// observations (device_text: every reported field) or of their edits (group_text), or in the
/// name of an observation's sensor, its site or zone, or of the group's override zone (small
/// tables, matched with LIKE). ?1: the LIKE pattern; ?2: the FTS5 trigram phrase. A term of 3+
/// characters is looked up in the trigram indexes; a shorter one (no trigram to look up)
/// scans the indexed text, one column per observation instead of ~20 joined fields (in the
/// FTS5 tables' content tables, `<name>_content(id, c0)`: a plain table scan, about twice as
/// fast as the same LIKE through the virtual table).
constexpr const char* kSearchIndexed = R"sql(
WHERE d.group_id IN (
  SELECT d2.group_id FROM devices d2
  WHERE d2.rowid IN (SELECT rowid FROM device_text WHERE device_text MATCH ?2)
  UNION SELECT rowid FROM group_text WHERE group_text MATCH ?2 )sql";
constexpr const char* kSearchScanned = R"sql(
WHERE d.group_id IN (
  SELECT d2.group_id FROM devices d2
  WHERE d2.rowid IN (SELECT id FROM device_text_content WHERE c0 LIKE ?1 ESCAPE '\')
  UNION SELECT id FROM group_text_content WHERE c0 LIKE ?1 ESCAPE '\' )sql";
constexpr const char* kSearchNames = R"sql(
  UNION SELECT d3.group_id FROM devices d3 WHERE d3.sensor_id IN (
    SELECT s3.id FROM sensors s3 JOIN zones z3 ON z3.id = s3.zone_id
    JOIN sites si3 ON si3.id = z3.site_id
    WHERE s3.name LIKE ?1 ESCAPE '\' OR si3.name LIKE ?1 ESCAPE '\' OR z3.name LIKE ?1 ESCAPE '\')
  UNION SELECT g4.id FROM device_groups g4
  WHERE g4.zone_id IN (SELECT id FROM zones WHERE name LIKE ?1 ESCAPE '\') )sql";
/// Appended (before kSearchEnd) when VLAN zone rules exist: the zone of a sensor's rule for
/// one of the observation's VLANs.
constexpr const char* kSearchRuleZones = R"sql(
  UNION SELECT d5.group_id FROM devices d5
  WHERE d5.sensor_id IN (SELECT r0.sensor_id FROM sensor_zone_rules r0
                         JOIN zones rz0 ON rz0.id = r0.zone_id WHERE rz0.name LIKE ?1 ESCAPE '\')
    AND EXISTS(SELECT 1 FROM sensor_zone_rules r JOIN zones rz ON rz.id = r.zone_id,
                             json_each(d5.vlans) j
               WHERE r.sensor_id = d5.sensor_id AND rz.name LIKE ?1 ESCAPE '\'
                 AND r.vlan = COALESCE(json_extract(j.value, '$.id'), j.value)) )sql";
/// The same for capture interface rules (schema v17): the zone of a sensor's rule for one of
/// the observation's interfaces.
constexpr const char* kSearchInterfaceRuleZones = R"sql(
  UNION SELECT d6.group_id FROM devices d6
  WHERE d6.sensor_id IN (SELECT r1.sensor_id FROM sensor_interface_rules r1
                         JOIN zones rz1 ON rz1.id = r1.zone_id WHERE rz1.name LIKE ?1 ESCAPE '\')
    AND EXISTS(SELECT 1 FROM sensor_interface_rules r JOIN zones rz ON rz.id = r.zone_id,
                             json_each(d6.interfaces) j
               WHERE r.sensor_id = d6.sensor_id AND rz.name LIKE ?1 ESCAPE '\'
                 AND r.interface = j.value) )sql";
constexpr const char* kSearchEnd = ") ";

/// The FTS5 query matching `term` as a substring: one quoted phrase (" doubled inside).
std::string trigramPhrase(const std::string& term) {
    std::string out = "\"";
    for (char c : term) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

/// Zone rules: (sensor id, vlan) -> zone name, (sensor id, capture interface) -> zone name.
struct ZoneRules {
    std::map<std::pair<std::string, std::uint32_t>, std::string> vlans;
    std::map<std::pair<std::string, std::string>, std::string> interfaces;
    bool empty() const { return vlans.empty() && interfaces.empty(); }
};

/// The search's WHERE clause for `term` ("" for none).
std::string searchWhere(const std::string& term, const ZoneRules& rules) {
    if (term.empty()) return "";
    return std::string(trigramSearchable(term) ? kSearchIndexed : kSearchScanned) + kSearchNames +
           (rules.vlans.empty() ? "" : kSearchRuleZones) +
           (rules.interfaces.empty() ? "" : kSearchInterfaceRuleZones) + kSearchEnd;
}

/// Binds what searchWhere(term) uses.
void bindSearch(sqlite::Stmt& st, const std::string& term) {
    if (term.empty()) return;
    st.bind(1, likeOf(term));
    if (trigramSearchable(term)) st.bind(2, trigramPhrase(term));
}

constexpr const char* kObservationOrder =
    " ORDER BY d.group_id, COALESCE(d.last_seen, 0) DESC, d.sensor_id, d.device_id";

/// The zone of the first of an observation's VLANs (its vlans column) that has a rule.
std::optional<std::string> vlanZone(const ZoneRules& all, const std::string& sensorId,
                                    const std::string& vlansText) {
    const auto& rules = all.vlans;
    auto any = rules.lower_bound({sensorId, 0});
    if (any == rules.end() || any->first.first != sensorId) return std::nullopt;
    json vlans = json::parse(vlansText, nullptr, false);
    if (!vlans.is_array()) return std::nullopt;
    for (const auto& v : vlans) {
        std::uint32_t id = 0;
        if (v.is_number_unsigned()) {
            id = v.get<std::uint32_t>();
        } else if (v.is_object() && v.contains("id") && v["id"].is_number_unsigned()) {
            id = v["id"].get<std::uint32_t>();
        } else {
            continue;
        }
        auto rule = rules.find({sensorId, id});
        if (rule != rules.end()) return rule->second;
    }
    return std::nullopt;
}

/// The zone of the first of an observation's capture interfaces (its interfaces column, in the
/// sensor's order) that has a rule.
std::optional<std::string> interfaceZone(const ZoneRules& all, const std::string& sensorId,
                                         const std::string& interfacesText) {
    const auto& rules = all.interfaces;
    auto any = rules.lower_bound({sensorId, std::string()});
    if (any == rules.end() || any->first.first != sensorId) return std::nullopt;
    for (const auto& name : stringsOf(interfacesText)) {
        auto rule = rules.find({sensorId, name});
        if (rule != rules.end()) return rule->second;
    }
    return std::nullopt;
}

/// A rule's zone for an observation and which kind of rule: a VLAN rule before an interface
/// rule (a VLAN is the narrower fact: one interface, a trunk, carries several VLANs).
std::optional<std::pair<std::string, const char*>> ruleZone(const ZoneRules& rules,
                                                            const std::string& sensorId,
                                                            const std::string& vlansText,
                                                            const std::string& interfacesText) {
    if (auto z = vlanZone(rules, sensorId, vlansText)) return std::make_pair(*z, "vlan");
    if (auto z = interfaceZone(rules, sensorId, interfacesText)) {
        return std::make_pair(*z, "interface");
    }
    return std::nullopt;
}

/// The effective zone of a device from its primary observation: override, VLAN rule, interface
/// rule, sensor.
std::pair<std::string, const char*> effectiveZone(const ZoneRules& rules, const sqlite::Stmt& st,
                                                  int sensorColumn, int zoneColumn, int vlansColumn,
                                                  int interfacesColumn, int overrideColumn) {
    if (!st.columnIsNull(overrideColumn)) return {st.columnText(overrideColumn), "override"};
    if (auto z = ruleZone(rules, st.columnText(sensorColumn), st.columnText(vlansColumn),
                          st.columnText(interfacesColumn))) {
        return *z;
    }
    return {st.columnText(zoneColumn), "sensor"};
}

/// Appends one observation row to `d` (the first one of a group fills everything).
void addObservation(DeviceRow& d, const sqlite::Stmt& st, bool first, const ZoneRules& rules) {
    DeviceObservation o;
    o.sensorId = st.columnText(1);
    o.sensorName = st.columnText(2);
    o.deviceId = st.columnText(5);
    o.lastSeenMs = st.columnInt(20);
    o.interfaces = stringsOf(st.columnText(30));
    auto fill = [&](std::string& field, int column) {
        if (field.empty()) field = st.columnText(column);
    };
    if (first) {
        d.groupId = st.columnInt(0);
        d.sensorId = o.sensorId;
        d.sensorName = o.sensorName;
        d.site = st.columnText(3);
        auto [zone, source] = effectiveZone(rules, st, 1, 4, 8, 30, 27);
        d.zone = std::move(zone);
        d.zoneSource = source;
        d.deviceId = o.deviceId;
        d.reportedPurdueLevel = static_cast<int>(st.columnInt(15));
        d.firstSeenMs = st.columnInt(19);
        d.lastSeenMs = o.lastSeenMs;
        d.name = st.columnText(21);
        d.typeEdited = !st.columnIsNull(22);
        if (d.typeEdited) d.type = st.columnText(22);
        d.purdueEdited = !st.columnIsNull(23);
        if (d.purdueEdited) d.purdueLevel = static_cast<int>(st.columnInt(23));
        d.criticality = st.columnText(24);
        if (!st.columnIsNull(25)) d.authorized = st.columnInt(25) != 0;
        d.notes = st.columnText(26);
        d.editedBy = st.columnText(28);
        d.editedAtMs = st.columnInt(29);
    } else {
        if (o.lastSeenMs > d.lastSeenMs) d.lastSeenMs = o.lastSeenMs;
        const std::int64_t firstSeen = st.columnInt(19);
        if (firstSeen > 0 && (d.firstSeenMs <= 0 || firstSeen < d.firstSeenMs)) {
            d.firstSeenMs = firstSeen;
        }
        if (d.reportedPurdueLevel < 0) d.reportedPurdueLevel = static_cast<int>(st.columnInt(15));
    }
    // Reported fields: the most recent observation's, gaps filled from the others.
    fill(d.vendor, 9);
    fill(d.model, 10);
    fill(d.firmware, 11);
    fill(d.serial, 12);
    fill(d.hostname, 13);
    fill(d.reportedType, 14);
    fill(d.identityJson, 17);
    for (const auto& m : stringsOf(st.columnText(6))) addUnique(d.macs, m);
    for (const auto& ip : stringsOf(st.columnText(7))) addUnique(d.ips, ip);
    json vlans = json::parse(st.columnText(8), nullptr, false);
    if (vlans.is_array()) {
        for (const auto& v : vlans) {
            if (v.is_number_unsigned()) addUnique(d.vlans, v.get<std::uint32_t>());
            if (v.is_object() && v.contains("id") && v["id"].is_number_unsigned()) {
                const auto id = v["id"].get<std::uint32_t>();
                addUnique(d.vlans, id);
                if (v.contains("name") && v["name"].is_string() && !d.vlanNames.count(id)) {
                    d.vlanNames[id] = v["name"];
                }
            }
        }
    }
    json protocols = json::parse(st.columnText(16), nullptr, false);
    if (protocols.is_array()) {
        for (const auto& p : protocols) {
            if (p.is_object()) {
                addUnique(d.protocols, std::pair<std::string, std::string>(p.value("name", ""),
                                                                           p.value("role", "")));
            }
        }
    }
    for (const auto& e : stringsOf(st.columnText(18))) addUnique(d.evidence, e);
    d.observations.push_back(std::move(o));
}

Result<ZoneRules> zoneRulesLocked(sqlite::Db& db) {
    ZoneRules rules;
    auto st = db.prepare(
        "SELECT r.sensor_id, r.vlan, z.name FROM sensor_zone_rules r "
        "JOIN zones z ON z.id = r.zone_id");
    if (!st) return st.error();
    for (auto row = st->step();; row = st->step()) {
        if (!row) return row.error();
        if (!*row) break;
        rules.vlans[{st->columnText(0), static_cast<std::uint32_t>(st->columnInt(1))}] =
            st->columnText(2);
    }
    auto in = db.prepare(
        "SELECT r.sensor_id, r.interface, z.name FROM sensor_interface_rules r "
        "JOIN zones z ON z.id = r.zone_id");
    if (!in) return in.error();
    for (auto row = in->step();; row = in->step()) {
        if (!row) return row.error();
        if (!*row) break;
        rules.interfaces[{in->columnText(0), in->columnText(1)}] = in->columnText(2);
    }
    return rules;
}

/// The sort key columns of every observation (a page is chosen before the full rows load):
/// no join, the names of sensors, zones and sites come from small maps (placesLocked).
constexpr const char* kOrderSelect =
    "SELECT d.group_id, d.sensor_id, d.device_id, COALESCE(d.last_seen, 0), d.vlans, "
    "d.interfaces FROM devices d ";

/// Where each sensor is (site and zone names), the zone names, and the groups whose zone the
/// operator overrode: the few rows a page's sort keys need besides the observations.
struct Places {
    std::unordered_map<std::string, std::pair<std::string, std::string>> sensors;
    std::unordered_map<std::int64_t, std::string> zones;
    std::unordered_map<std::int64_t, std::int64_t> overrides;  // group -> zone
};

Result<Places> placesLocked(sqlite::Db& db) {
    Places p;
    auto sensors = db.prepare(
        "SELECT s.id, si.name, z.name FROM sensors s JOIN zones z ON z.id = s.zone_id "
        "JOIN sites si ON si.id = z.site_id");
    if (!sensors) return sensors.error();
    for (auto row = sensors->step();; row = sensors->step()) {
        if (!row) return row.error();
        if (!*row) break;
        p.sensors.emplace(sensors->columnText(0),
                          std::make_pair(sensors->columnText(1), sensors->columnText(2)));
    }
    auto zones = db.prepare("SELECT id, name FROM zones");
    if (!zones) return zones.error();
    for (auto row = zones->step();; row = zones->step()) {
        if (!row) return row.error();
        if (!*row) break;
        p.zones.emplace(zones->columnInt(0), zones->columnText(1));
    }
    auto overrides = db.prepare("SELECT id, zone_id FROM device_groups WHERE zone_id IS NOT NULL");
    if (!overrides) return overrides.error();
    for (auto row = overrides->step();; row = overrides->step()) {
        if (!row) return row.error();
        if (!*row) break;
        p.overrides.emplace(overrides->columnInt(0), overrides->columnInt(1));
    }
    return p;
}

/// Sorted like listDevices(): site, zone, device id, group id.
bool deviceOrder(const DeviceRow& a, const DeviceRow& b) {
    return std::tie(a.site, a.zone, a.deviceId, a.groupId) <
           std::tie(b.site, b.zone, b.deviceId, b.groupId);
}

/// Schema v16: the stored inventory order (device_groups.order_zone, order_device; see the
/// migration in console_store.cpp). flushDeviceOrderLocked computes it for the groups the
/// triggers marked: a group of one observation whose zone is its override (in the sensor's
/// site) or its sensor's zone when that sensor has no VLAN or interface rules (v17); every
/// other group stays NULL.
/// CROSS JOIN: driven by the marked groups (else SQLite scans every group per transaction).
constexpr const char* kOrderAnyDirty = "SELECT EXISTS(SELECT 1 FROM device_order_dirty)";
constexpr const char* kOrderClear =
    "UPDATE device_groups SET order_zone = NULL, order_device = NULL "
    "WHERE order_zone IS NOT NULL AND id IN (SELECT gid FROM device_order_dirty)";
constexpr const char* kOrderFill = R"sql(
UPDATE device_groups SET order_zone = k.zone, order_device = k.device
FROM (SELECT x.gid AS gid, COALESCE(g.zone_id, s.zone_id) AS zone, MIN(d.device_id) AS device,
             COUNT(*) AS n, MIN(d.sensor_id) AS sensor, MIN(s.zone_id) AS szone, g.zone_id AS ozone
      FROM device_order_dirty x CROSS JOIN device_groups g ON g.id = x.gid
      CROSS JOIN devices d ON d.group_id = g.id LEFT JOIN sensors s ON s.id = d.sensor_id
      GROUP BY x.gid) k
WHERE device_groups.id = k.gid AND k.n = 1 AND k.zone IS NOT NULL
  AND CASE WHEN k.ozone IS NULL
           THEN NOT EXISTS(SELECT 1 FROM sensor_zone_rules r WHERE r.sensor_id = k.sensor)
                AND NOT EXISTS(SELECT 1 FROM sensor_interface_rules r
                               WHERE r.sensor_id = k.sensor)
           ELSE (SELECT site_id FROM zones WHERE id = k.ozone) =
                (SELECT site_id FROM zones WHERE id = k.szone) END)sql";
constexpr const char* kOrderDone = "DELETE FROM device_order_dirty";

/// The groups with a stored order, one zone at a time, in list order (index
/// device_groups_order), with their observation's rowid; ?2 (short terms only): whether the
/// observation's indexed text contains the term.
constexpr const char* kOrderWalk =
    "SELECT g.id, g.order_device, d.rowid FROM device_groups g "
    "JOIN devices d ON d.group_id = g.id WHERE g.order_zone = ?1 ORDER BY g.order_device, g.id";
constexpr const char* kOrderWalkText =
    "SELECT g.id, g.order_device, d.rowid, c.c0 LIKE ?2 ESCAPE '\\' FROM device_groups g "
    "JOIN devices d ON d.group_id = g.id LEFT JOIN device_text_content c ON c.id = d.rowid "
    "WHERE g.order_zone = ?1 ORDER BY g.order_device, g.id";
/// The observations of the groups without a stored order (their sort keys are computed). CROSS
/// JOIN keeps the groups outside (their partial index holds only those): without statistics
/// SQLite would scan every observation instead.
constexpr const char* kUnordered =
    "SELECT d.group_id, d.sensor_id, d.device_id, COALESCE(d.last_seen, 0), d.vlans, d.rowid, "
    "d.interfaces FROM device_groups g INDEXED BY device_groups_unordered CROSS JOIN devices d "
    "ON d.group_id = g.id WHERE g.order_zone IS NULL";
constexpr const char* kUnorderedText =
    "SELECT d.group_id, d.sensor_id, d.device_id, COALESCE(d.last_seen, 0), d.vlans, d.rowid, "
    "d.interfaces, c.c0 LIKE ?1 ESCAPE '\\' FROM device_groups g "
    "INDEXED BY device_groups_unordered CROSS JOIN devices d ON d.group_id = g.id "
    "LEFT JOIN device_text_content c ON c.id = d.rowid WHERE g.order_zone IS NULL";

/// Collects column 0 of `sql` (binding ?1 = LIKE pattern, ?2 = trigram phrase when used).
Status collectIds(sqlite::Db& db, const std::string& sql, const std::string& term,
                  std::unordered_set<std::int64_t>& into) {
    auto st = db.prepare(sql);
    if (!st) return st.error();
    if (sql.find("?1") != std::string::npos) st->bind(1, likeOf(term));
    if (sql.find("?2") != std::string::npos) st->bind(2, trigramPhrase(term));
    for (auto row = st->step();; row = st->step()) {
        if (!row) return row.error();
        if (!*row) break;
        into.insert(st->columnInt(0));
    }
    return {};
}

/// A search page's group ids in list order, walking the stored order (schema v16) and stopping
/// once `offset + limit` matches are known; nullopt when reading every match and sorting them
/// (the caller's way) costs less: few matches, or a short term whose matches are too sparse for
/// the walk's budget. Groups without a stored order are matched and keyed like the caller does,
/// then merged into the walk.
Result<std::optional<std::vector<std::int64_t>>> pageInStoredOrder(
    sqlite::Db& db, const std::string& term, const ZoneRules& rules, const Places& places,
    std::size_t offset, std::size_t limit) {
    using Page = std::optional<std::vector<std::int64_t>>;
    const std::size_t need = offset + limit;
    const bool all = term.empty();  // the unfiltered inventory: every device matches
    const bool indexed = all || trigramSearchable(term);
    // Matches by group (edits, override zone, VLAN rule zone) and by observation rowid
    // (indexed text, sensor/site/zone names). A short term's text is tested during the walk.
    std::unordered_set<std::int64_t> groups, rows;
    std::size_t budget = std::numeric_limits<std::size_t>::max();  // observations walked
    if (!all) {
        if (auto s = collectIds(db,
                                indexed ? "SELECT rowid FROM group_text WHERE group_text MATCH ?2"
                                        : "SELECT id FROM group_text_content WHERE c0 LIKE ?1 ESCAPE '\\'",
                                term, groups);
            !s) {
            return s.error();
        }
        if (auto s = collectIds(db,
                                "SELECT id FROM device_groups WHERE zone_id IN "
                                "(SELECT id FROM zones WHERE name LIKE ?1 ESCAPE '\\')",
                                term, groups);
            !s) {
            return s.error();
        }
        for (const char* sql : {rules.vlans.empty() ? nullptr : kSearchRuleZones,
                                rules.interfaces.empty() ? nullptr : kSearchInterfaceRuleZones}) {
            if (!sql) continue;
            std::string ruleZones = sql;
            ruleZones.erase(0, ruleZones.find("SELECT"));
            if (auto s = collectIds(db, ruleZones, term, groups); !s) return s.error();
        }
        if (auto s = collectIds(db,
                                "SELECT d.rowid FROM devices d WHERE d.sensor_id IN ("
                                "SELECT s.id FROM sensors s JOIN zones z ON z.id = s.zone_id "
                                "JOIN sites si ON si.id = z.site_id WHERE s.name LIKE ?1 ESCAPE '\\' "
                                "OR si.name LIKE ?1 ESCAPE '\\' OR z.name LIKE ?1 ESCAPE '\\')",
                                term, rows);
            !s) {
            return s.error();
        }
        if (indexed) {
            if (auto s = collectIds(db, "SELECT rowid FROM device_text WHERE device_text MATCH ?2",
                                    term, rows);
                !s) {
                return s.error();
            }
            const std::size_t matches = rows.size() + groups.size();
            if (matches == 0) return Page(std::vector<std::int64_t>{});
            auto total = db.prepare("SELECT COALESCE(MAX(id), 0) FROM device_groups");
            if (!total) return total.error();
            auto row = total->step();
            if (!row) return row.error();
            const auto n = static_cast<double>(*row ? total->columnInt(0) : 0);
            // The walk reads ~need * n / matches entries (~1 us each), the caller's way reads every
            // match's observations and sorts them (~4 us each).
            if (static_cast<double>(need) * n > 4.0 * static_cast<double>(matches) *
                                                    static_cast<double>(matches)) {
                return Page(std::nullopt);
            }
        } else {
            // A short term (no trigram): its matches are unknown until read. Walk at most this many
            // observations (~25 ms); sparser matches are read and sorted by the caller.
            budget = 20000;
        }
    }
    const std::string like = likeOf(term);
    auto matched = [&](std::int64_t group, std::int64_t rowid, bool text) {
        return all || text || rows.count(rowid) != 0 || groups.count(group) != 0;
    };

    // Groups without a stored order: their matches, keyed like the caller's sort.
    using Key = std::tuple<std::string, std::string, std::string, std::int64_t>;
    std::vector<Key> pending;
    {
        auto st = db.prepare(indexed ? kUnordered : kUnorderedText);
        if (!st) return st.error();
        if (!indexed) st->bind(1, like);
        struct Primary {
            std::int64_t lastSeen = 0;
            std::string sensorId, deviceId, vlans, interfaces;
            bool match = false;
        };
        std::unordered_map<std::int64_t, Primary> primaries;
        for (auto row = st->step();; row = st->step()) {
            if (!row) return row.error();
            if (!*row) break;
            const std::int64_t group = st->columnInt(0);
            const bool match =
                matched(group, st->columnInt(5), !indexed && st->columnInt(7) != 0);
            Primary candidate{st->columnInt(3), st->columnText(1), st->columnText(2),
                              rules.vlans.empty() ? std::string() : st->columnText(4),
                              rules.interfaces.empty() ? std::string() : st->columnText(6),
                              match};
            auto [it, added] = primaries.try_emplace(group, candidate);
            Primary& p = it->second;
            if (added) continue;
            candidate.match = candidate.match || p.match;
            if (std::tie(p.lastSeen, candidate.sensorId, candidate.deviceId) <
                std::tie(candidate.lastSeen, p.sensorId, p.deviceId)) {
                p = std::move(candidate);
            } else {
                p.match = candidate.match;
            }
        }
        for (auto& [group, p] : primaries) {
            if (!p.match) continue;
            auto place = places.sensors.find(p.sensorId);
            if (place == places.sensors.end()) continue;
            std::string zone = place->second.second;
            if (auto o = places.overrides.find(group); o != places.overrides.end()) {
                auto z = places.zones.find(o->second);
                zone = z == places.zones.end() ? std::string() : z->second;
            } else if (auto z = ruleZone(rules, p.sensorId, p.vlans, p.interfaces)) {
                zone = std::move(z->first);
            }
            pending.emplace_back(place->second.first, std::move(zone), std::move(p.deviceId), group);
        }
        std::sort(pending.begin(), pending.end());
    }

    // Zones in list order (site name, zone name).
    std::vector<std::tuple<std::string, std::string, std::int64_t>> zones;
    {
        auto st = db.prepare("SELECT si.name, z.name, z.id FROM zones z JOIN sites si ON si.id = z.site_id");
        if (!st) return st.error();
        for (auto row = st->step();; row = st->step()) {
            if (!row) return row.error();
            if (!*row) break;
            zones.emplace_back(st->columnText(0), st->columnText(1), st->columnInt(2));
        }
        std::sort(zones.begin(), zones.end());
    }

    std::vector<std::int64_t> out;
    std::size_t next = 0;  // first pending key not yet emitted
    std::size_t walked = 0;
    auto walk = db.prepare(indexed ? kOrderWalk : kOrderWalkText);
    if (!walk) return walk.error();
    for (const auto& [site, zone, zoneId] : zones) {
        if (out.size() >= need) break;
        walk->reset();
        walk->bind(1, zoneId);
        if (!indexed) walk->bind(2, like);
        std::int64_t last = 0;
        for (auto row = walk->step();; row = walk->step()) {
            if (!row) return row.error();
            if (!*row || out.size() >= need) break;
            if (++walked > budget) return Page(std::nullopt);
            const std::int64_t group = walk->columnInt(0);
            if (group == last ||
                !matched(group, walk->columnInt(2), !indexed && walk->columnInt(3) != 0)) {
                continue;
            }
            last = group;
            const std::string device = walk->columnText(1);
            while (next < pending.size() && out.size() < need &&
                   std::tie(std::get<0>(pending[next]), std::get<1>(pending[next]),
                            std::get<2>(pending[next]), std::get<3>(pending[next])) <
                       std::tie(site, zone, device, group)) {
                out.push_back(std::get<3>(pending[next++]));
            }
            if (out.size() < need) out.push_back(group);
        }
    }
    while (next < pending.size() && out.size() < need) out.push_back(std::get<3>(pending[next++]));
    if (offset >= out.size()) return Page(std::vector<std::int64_t>{});
    return Page(std::vector<std::int64_t>(out.begin() + static_cast<std::ptrdiff_t>(offset),
                                          out.end()));
}

const std::set<std::string>& criticalities() {
    static const std::set<std::string> names = {"low", "medium", "high", "critical"};
    return names;
}

/// Device types: the sensor's (docs/ANALYZE.md) and plugins' (lower case, digits, '_').
Status checkType(const std::string& type) {
    if (type.size() > 40 ||
        type.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") != std::string::npos) {
        return makeError("invalid device type '" + type +
                         "': use lower-case words joined by '_' (plc, rtu, hmi, "
                         "engineering_workstation, historian, scada_server, switch, router, "
                         "printer, camera, it_host, external, unknown)");
    }
    return {};
}

/// Runs `body` in one transaction (bumping `ownWrites` on commit).
template <class Body>
Status inTransaction(sqlite::Db& db, std::uint64_t& ownWrites, Body&& body) {
    sqlite::Transaction tx(db);
    if (!tx.began()) return makeError("console store busy: " + tx.beginStatus().error().message);
    if (Status s = body(); !s) return s;
    if (Status s = tx.commit(); !s) return s;
    ++ownWrites;
    return {};
}

std::string deviceTarget(std::int64_t groupId) {
    return "device " + std::to_string(groupId);
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Ingest: assigning a new observation to a device group (inside applyBatch's transaction).

Status ConsoleStore::assignDeviceGroupLocked(const std::string& sensorId,
                                             const ironsight::v1::Device& d) {
    auto site = cachedLocked(kSensorSite);
    if (!site) return site.error();
    (*site)->bind(1, sensorId);
    auto row = (*site)->step();
    if (!row) return row.error();
    if (!*row) return makeError("unknown sensor " + sensorId);
    const std::int64_t siteId = (*site)->columnInt(0);
    (*site)->reset();

    // Lookup order: the same MAC, then (mac- ids) an ip- observation of one of its addresses or
    // (ip- ids) a mac- observation carrying the address, then an ip- observation of it.
    const std::string& id = d.id();
    std::vector<std::string> lookups;
    std::vector<std::string> own;  // the keys this observation registers
    if (isMacId(id)) {
        lookups.push_back("mac:" + id.substr(4));
        own.push_back(lookups.back());
        for (const auto& ip : d.ips()) {
            lookups.push_back("ip:" + ip);
            own.push_back("macip:" + ip);
        }
    } else if (isIpId(id)) {
        lookups.push_back("macip:" + id.substr(3));
        lookups.push_back("ip:" + id.substr(3));
        own.push_back(lookups.back());
    }
    std::int64_t groupId = 0;
    auto find = cachedLocked(kFindKey);
    if (!find) return find.error();
    for (const auto& key : lookups) {
        (*find)->bind(1, siteId).bind(2, key);
        auto hit = (*find)->step();
        if (!hit) return hit.error();
        std::int64_t candidate = *hit ? (*find)->columnInt(0) : 0;
        (*find)->reset();
        if (candidate == 0) continue;
        if (isMacId(id) && key.rfind("ip:", 0) == 0) {
            // Another MAC already in that group: two MACs never merge by an address.
            auto other = cachedLocked(kOtherMac);
            if (!other) return other.error();
            (*other)->bind(1, candidate).bind(2, id);
            auto taken = (*other)->step();
            if (!taken) return taken.error();
            (*other)->reset();
            if (*taken) continue;
        }
        groupId = candidate;
        break;
    }
    if (groupId == 0) {
        auto add = cachedLocked(kNewGroup);
        if (!add) return add.error();
        if (auto s = (*add)->bind(1, siteId).bind(2, clock_()).run(); !s) return s;
        groupId = db_.lastInsertRowid();
    }
    auto set = cachedLocked(kSetGroup);
    if (!set) return set.error();
    if (auto s = (*set)->bind(1, sensorId).bind(2, id).bind(3, groupId).run(); !s) return s;
    auto key = cachedLocked(kAddKey);
    if (!key) return key.error();
    for (const auto& k : own) {
        if (auto s = (*key)->bind(1, siteId).bind(2, k).bind(3, groupId).run(); !s) return s;
    }
    return {};
}

Status ConsoleStore::rebuildGroupKeysLocked(std::int64_t groupId) {
    auto del = db_.prepare("DELETE FROM device_keys WHERE group_id = ?1");
    if (!del) return del.error();
    if (auto s = del->bind(1, groupId).run(); !s) return s;
    for (const char* sql : kGroupKeys) {
        auto st = db_.prepare(sql);
        if (!st) return st.error();
        if (auto s = st->bind(1, groupId).run(); !s) return s;
    }
    return {};
}

// ---------------------------------------------------------------------------------------------
// Queries.

Result<std::vector<DeviceRow>> ConsoleStore::loadDevicesLocked(sqlite::Db& db,
                                                               const std::string& where,
                                                               const std::string& term) {
    auto rules = zoneRulesLocked(db);
    if (!rules) return rules.error();
    auto st = db.prepare(std::string(kObservationSelect) + where + kObservationOrder);
    if (!st) return st.error();
    bindSearch(*st, term);
    std::vector<DeviceRow> out;
    std::int64_t current = 0;
    for (auto row = st->step();; row = st->step()) {
        if (!row) return row.error();
        if (!*row) break;
        const std::int64_t groupId = st->columnInt(0);
        const bool first = out.empty() || groupId != current;
        if (first) {
            out.emplace_back();
            current = groupId;
        }
        addObservation(out.back(), *st, first, *rules);
    }
    for (auto& d : out) {
        if (!d.typeEdited) d.type = d.reportedType;
        if (!d.purdueEdited) d.purdueLevel = d.reportedPurdueLevel;
    }
    std::sort(out.begin(), out.end(), deviceOrder);
    return out;
}

Result<std::vector<DeviceRow>> ConsoleStore::listDevices() {
    std::lock_guard lock(readMutex_);
    return loadDevicesLocked(readDb_, "", "");
}

Result<std::vector<DeviceRow>> ConsoleStore::searchDevices(const std::string& term, int limit,
                                                           int offset) {
    std::lock_guard lock(readMutex_);
    // One read transaction: the sort keys and the page's rows come from the same snapshot.
    if (auto s = readDb_.exec("BEGIN"); !s) return s.error();
    struct EndRead {
        sqlite::Db& db;
        ~EndRead() { (void)db.exec("COMMIT"); }
    } endRead{readDb_};
    auto rules = zoneRulesLocked(readDb_);
    if (!rules) return rules.error();
    const std::string where = searchWhere(term, *rules);
    if (limit <= 0 && offset <= 0) return loadDevicesLocked(readDb_, where, term);
    // A page: sort keys of every matching device first, then the full rows of the page's
    // devices only. The keys are read without joins and without sorting in SQL (a 10,000-match
    // search spent most of its time there): each group's primary observation (last seen
    // first, then sensor and device id, like kObservationOrder) is picked here, and its site
    // and zone names come from small maps (no JSON but the VLANs of sensors with rules).
    auto places = placesLocked(readDb_);
    if (!places) return places.error();
    if (limit > 0) {
        // A broad term or none: walk the stored order (schema v16) and stop after the page.
        auto page = pageInStoredOrder(readDb_, term, *rules, *places,
                                      static_cast<std::size_t>(std::max(offset, 0)),
                                      static_cast<std::size_t>(limit));
        if (!page) return page.error();
        if (*page) {
            if ((*page)->empty()) return std::vector<DeviceRow>{};
            std::string ids;
            for (std::int64_t g : **page) ids += (ids.empty() ? "" : ",") + std::to_string(g);
            return loadDevicesLocked(readDb_, "WHERE d.group_id IN (" + ids + ")", "");
        }
    }
    auto st = readDb_.prepare(std::string(kOrderSelect) + where);
    if (!st) return st.error();
    bindSearch(*st, term);
    struct Primary {
        std::int64_t lastSeen = 0;
        std::string sensorId, deviceId, vlans, interfaces;
    };
    std::unordered_map<std::int64_t, Primary> primaries;
    for (auto row = st->step();; row = st->step()) {
        if (!row) return row.error();
        if (!*row) break;
        Primary candidate{st->columnInt(3), st->columnText(1), st->columnText(2),
                          rules->vlans.empty() ? std::string() : st->columnText(4),
                          rules->interfaces.empty() ? std::string() : st->columnText(5)};
        auto [it, added] = primaries.try_emplace(st->columnInt(0), candidate);
        const Primary& p = it->second;
        if (!added && std::tie(p.lastSeen, candidate.sensorId, candidate.deviceId) <
                          std::tie(candidate.lastSeen, p.sensorId, p.deviceId)) {
            it->second = std::move(candidate);
        }
    }
    using Key = std::tuple<std::string, std::string, std::string, std::int64_t>;
    std::vector<Key> keys;
    keys.reserve(primaries.size());
    for (auto& [groupId, p] : primaries) {
        auto place = places->sensors.find(p.sensorId);
        if (place == places->sensors.end()) continue;  // the join of listDevices() drops it too
        std::string zone = place->second.second;
        if (auto o = places->overrides.find(groupId); o != places->overrides.end()) {
            zone = places->zones[o->second];
        } else if (auto z = ruleZone(*rules, p.sensorId, p.vlans, p.interfaces)) {
            zone = std::move(z->first);
        }
        keys.emplace_back(place->second.first, std::move(zone), std::move(p.deviceId), groupId);
    }
    std::sort(keys.begin(), keys.end());
    const auto from = std::min(static_cast<std::size_t>(std::max(offset, 0)), keys.size());
    const auto to =
        limit > 0 ? std::min(keys.size(), from + static_cast<std::size_t>(limit)) : keys.size();
    if (from == to) return std::vector<DeviceRow>{};
    std::string ids;
    for (auto k = from; k < to; ++k) {
        ids += (ids.empty() ? "" : ",") + std::to_string(std::get<3>(keys[k]));
    }
    return loadDevicesLocked(readDb_, "WHERE d.group_id IN (" + ids + ")", "");
}

Result<DeviceRow> ConsoleStore::findDevice(std::int64_t groupId) {
    std::lock_guard lock(mutex_);
    auto rows = loadDevicesLocked(db_, "WHERE d.group_id = " + std::to_string(groupId), "");
    if (!rows) return rows.error();
    if (rows->empty()) return makeError("no device " + std::to_string(groupId));
    return std::move(rows->front());
}

Result<std::int64_t> ConsoleStore::deviceGroupOf(const std::string& sensor,
                                                 const std::string& deviceId) {
    std::lock_guard lock(mutex_);
    auto st = db_.prepare(
        "SELECT d.group_id FROM devices d JOIN sensors s ON s.id = d.sensor_id "
        "WHERE (s.id = ?1 OR s.name = ?1) AND d.device_id = ?2");
    if (!st) return st.error();
    st->bind(1, sensor).bind(2, deviceId);
    auto row = st->step();
    if (!row) return row.error();
    if (!*row) return makeError("sensor '" + sensor + "' reported no device '" + deviceId + "'");
    return st->columnInt(0);
}

// ---------------------------------------------------------------------------------------------
// Operator changes. Each runs in one transaction with its audit record; refusals are audited
// outside it.

namespace {

struct GroupInfo {
    std::int64_t siteId = 0;
    std::string site;
};

Result<GroupInfo> groupInfo(sqlite::Db& db, std::int64_t groupId) {
    auto st = db.prepare(
        "SELECT g.site_id, s.name FROM device_groups g JOIN sites s ON s.id = g.site_id "
        "WHERE g.id = ?1 AND EXISTS(SELECT 1 FROM devices d WHERE d.group_id = g.id)");
    if (!st) return st.error();
    st->bind(1, groupId);
    auto row = st->step();
    if (!row) return row.error();
    if (!*row) return makeError("no device " + std::to_string(groupId));
    return GroupInfo{st->columnInt(0), st->columnText(1)};
}

}  // namespace

Status ConsoleStore::editDevice(std::int64_t groupId, const DeviceEdit& edit,
                                const AuditActor& by) {
    std::lock_guard lock(mutex_);
    std::vector<std::string> changes;
    auto body = [&]() -> Status {
        auto info = groupInfo(db_, groupId);
        if (!info) return info.error();
        // column, value (nullopt = clear the edit), audit text
        std::vector<
            std::tuple<std::string, std::optional<std::string>, std::optional<std::int64_t>>>
            sets;
        auto text = [&](const char* column, const std::optional<std::string>& v,
                        std::size_t max) -> Status {
            if (!v) return {};
            if (v->size() > max) {
                return makeError(std::string(column) + " is too long (at most " +
                                 std::to_string(max) + " characters)");
            }
            sets.emplace_back(column, v->empty() ? std::nullopt : v, std::nullopt);
            changes.push_back(std::string(column) + "=" + (v->empty() ? "(reported)" : *v));
            return {};
        };
        if (auto s = text("name", edit.name, 128); !s) return s;
        if (edit.type && !edit.type->empty()) {
            if (auto s = checkType(*edit.type); !s) return s;
        }
        if (auto s = text("type", edit.type, 40); !s) return s;
        if (edit.criticality && !edit.criticality->empty() &&
            !criticalities().count(*edit.criticality)) {
            return makeError("invalid criticality '" + *edit.criticality +
                             "': use low, medium, high or critical");
        }
        if (auto s = text("criticality", edit.criticality, 16); !s) return s;
        if (auto s = text("notes", edit.notes, 4096); !s) return s;
        if (edit.purdueLevel) {
            const int level = *edit.purdueLevel;
            if (level < -1 || level > 5) {
                return makeError("invalid Purdue level " + std::to_string(level) + ": use 0 to 5");
            }
            sets.emplace_back("purdue_level", std::nullopt,
                              level < 0 ? std::nullopt : std::optional<std::int64_t>(level));
            changes.push_back("purdue_level=" +
                              (level < 0 ? std::string("(reported)") : std::to_string(level)));
        }
        if (edit.authorized) {
            const std::string& a = *edit.authorized;
            if (!a.empty() && a != "yes" && a != "no") {
                return makeError("invalid authorized value '" + a + "': use yes or no");
            }
            sets.emplace_back(
                "authorized", std::nullopt,
                a.empty() ? std::nullopt : std::optional<std::int64_t>(a == "yes" ? 1 : 0));
            changes.push_back("authorized=" + (a.empty() ? std::string("(unset)") : a));
        }
        if (edit.zone) {
            std::optional<std::int64_t> zoneId;
            if (!edit.zone->empty()) {
                auto z = db_.prepare("SELECT id FROM zones WHERE site_id = ?1 AND name = ?2");
                if (!z) return z.error();
                z->bind(1, info->siteId).bind(2, *edit.zone);
                auto row = z->step();
                if (!row) return row.error();
                if (!*row) {
                    return makeError("no zone '" + *edit.zone + "' in site '" + info->site +
                                     "' (the device's site)");
                }
                zoneId = z->columnInt(0);
            }
            sets.emplace_back("zone_id", std::nullopt, zoneId);
            changes.push_back("zone=" +
                              (edit.zone->empty() ? std::string("(sensor)") : *edit.zone));
        }
        if (sets.empty()) return makeError("nothing to change: give at least one field");
        for (const auto& [column, textValue, intValue] : sets) {
            auto up = db_.prepare("UPDATE device_groups SET " + column + " = ?2 WHERE id = ?1");
            if (!up) return up.error();
            up->bind(1, groupId);
            if (textValue) {
                up->bind(2, *textValue);
            } else if (intValue) {
                up->bind(2, *intValue);
            } else {
                up->bind(2, nullptr);
            }
            if (auto s = up->run(); !s) return s;
        }
        auto who =
            db_.prepare("UPDATE device_groups SET edited_by = ?2, edited_at = ?3 WHERE id = ?1");
        if (!who) return who.error();
        if (auto s = who->bind(1, groupId).bind(2, by.actor).bind(3, clock_()).run(); !s) return s;
        std::string what;
        for (const auto& c : changes) what += (what.empty() ? "" : ", ") + c;
        return auditLocked(by.actor, "device.edit", deviceTarget(groupId), by.source,
                           "ok: " + what);
    };
    return changeLocked(body, "device.edit", deviceTarget(groupId), by);
}

Status ConsoleStore::flushDeviceOrderLocked() {
    auto any = cachedLocked(kOrderAnyDirty);
    if (!any) return any.error();
    auto row = (*any)->step();
    if (!row) return row.error();
    const bool marked = *row && (*any)->columnInt(0) != 0;
    (*any)->reset();
    if (!marked) return {};
    for (const char* sql : {kOrderClear, kOrderFill, kOrderDone}) {
        auto st = cachedLocked(sql);
        if (!st) return makeError("cannot update the device order: " + st.error().message);
        if (auto s = (*st)->run(); !s) {
            return makeError("cannot update the device order: " + s.error().message);
        }
    }
    return {};
}

Status ConsoleStore::changeLocked(const std::function<Status()>& body, const std::string& action,
                                  const std::string& target, const AuditActor& by) {
    Status s = inTransaction(db_, ownWrites_, [&]() -> Status {
        if (Status done = body(); !done) return done;
        return flushDeviceOrderLocked();  // merges, splits, overrides, VLAN rules (schema v16)
    });
    if (!s) (void)auditLocked(by.actor, action, target, by.source, "failed: " + s.error().message);
    return s;
}

Status ConsoleStore::mergeDevices(std::int64_t into, std::int64_t from, const AuditActor& by) {
    std::lock_guard lock(mutex_);
    auto body = [&]() -> Status {
        if (into == from)
            return makeError("cannot merge device " + std::to_string(into) + " into itself");
        auto a = groupInfo(db_, into);
        if (!a) return a.error();
        auto b = groupInfo(db_, from);
        if (!b) return b.error();
        if (a->siteId != b->siteId) {
            return makeError("cannot merge devices of different sites (device " +
                             std::to_string(into) + " is in '" + a->site + "', device " +
                             std::to_string(from) + " in '" + b->site + "')");
        }
        // `into` keeps its edits; `from`'s fill the fields `into` has not set.
        auto fill = db_.prepare(R"sql(
UPDATE device_groups SET
  name = COALESCE(name, (SELECT name FROM device_groups WHERE id = ?2)),
  type = COALESCE(type, (SELECT type FROM device_groups WHERE id = ?2)),
  purdue_level = COALESCE(purdue_level, (SELECT purdue_level FROM device_groups WHERE id = ?2)),
  criticality = COALESCE(criticality, (SELECT criticality FROM device_groups WHERE id = ?2)),
  authorized = COALESCE(authorized, (SELECT authorized FROM device_groups WHERE id = ?2)),
  notes = COALESCE(notes, (SELECT notes FROM device_groups WHERE id = ?2)),
  zone_id = COALESCE(zone_id, (SELECT zone_id FROM device_groups WHERE id = ?2)),
  edited_by = ?3, edited_at = ?4
WHERE id = ?1)sql");
        if (!fill) return fill.error();
        if (auto s = fill->bind(1, into).bind(2, from).bind(3, by.actor).bind(4, clock_()).run();
            !s) {
            return s;
        }
        auto move = db_.prepare("UPDATE devices SET group_id = ?1 WHERE group_id = ?2");
        if (!move) return move.error();
        if (auto s = move->bind(1, into).bind(2, from).run(); !s) return s;
        const int moved = db_.changes();
        auto keys = db_.prepare("UPDATE device_keys SET group_id = ?1 WHERE group_id = ?2");
        if (!keys) return keys.error();
        if (auto s = keys->bind(1, into).bind(2, from).run(); !s) return s;
        auto del = db_.prepare("DELETE FROM device_groups WHERE id = ?1");
        if (!del) return del.error();
        if (auto s = del->bind(1, from).run(); !s) return s;
        return auditLocked(by.actor, "device.merge", deviceTarget(into), by.source,
                           "ok: device " + std::to_string(from) + " merged in (" +
                               std::to_string(moved) + " observation(s))");
    };
    return changeLocked(body, "device.merge", deviceTarget(into), by);
}

Result<std::int64_t> ConsoleStore::splitDevice(const std::string& sensor,
                                               const std::string& deviceId, const AuditActor& by) {
    std::lock_guard lock(mutex_);
    std::int64_t created = 0;
    const std::string target = sensor + "/" + deviceId;
    auto body = [&]() -> Status {
        auto st = db_.prepare(
            "SELECT d.sensor_id, d.group_id, g.site_id, "
            "(SELECT COUNT(*) FROM devices o WHERE o.group_id = d.group_id) "
            "FROM devices d JOIN sensors s ON s.id = d.sensor_id "
            "JOIN device_groups g ON g.id = d.group_id "
            "WHERE (s.id = ?1 OR s.name = ?1) AND d.device_id = ?2");
        if (!st) return st.error();
        st->bind(1, sensor).bind(2, deviceId);
        auto row = st->step();
        if (!row) return row.error();
        if (!*row)
            return makeError("sensor '" + sensor + "' reported no device '" + deviceId + "'");
        const std::string sensorId = st->columnText(0);
        const std::int64_t old = st->columnInt(1);
        const std::int64_t siteId = st->columnInt(2);
        const std::int64_t count = st->columnInt(3);
        st->reset();
        if (count < 2) {
            return makeError("device " + std::to_string(old) +
                             " has no other observation: nothing to split");
        }
        auto add = db_.prepare("INSERT INTO device_groups(site_id, created_at) VALUES(?1, ?2)");
        if (!add) return add.error();
        if (auto s = add->bind(1, siteId).bind(2, clock_()).run(); !s) return s;
        created = db_.lastInsertRowid();
        auto set =
            db_.prepare("UPDATE devices SET group_id = ?3 WHERE sensor_id = ?1 AND device_id = ?2");
        if (!set) return set.error();
        if (auto s = set->bind(1, sensorId).bind(2, deviceId).bind(3, created).run(); !s) return s;
        // Keys both keep stay with the old device; the rest follow the observation.
        if (auto s = rebuildGroupKeysLocked(old); !s) return s;
        if (auto s = rebuildGroupKeysLocked(created); !s) return s;
        return auditLocked(by.actor, "device.split", deviceTarget(old), by.source,
                           "ok: " + target + " is now device " + std::to_string(created));
    };
    if (auto s = changeLocked(body, "device.split", target, by); !s) return s.error();
    return created;
}

namespace {

/// A zone rule's sensor (name or id) and zone (in the sensor's site): their ids, or the error.
Result<std::pair<std::string, std::int64_t>> ruleTarget(sqlite::Db& db, const std::string& sensor,
                                                        const std::string& zone) {
    auto st = db.prepare(
        "SELECT s.id, z.site_id, si.name FROM sensors s JOIN zones z ON z.id = s.zone_id "
        "JOIN sites si ON si.id = z.site_id WHERE s.id = ?1 OR s.name = ?1");
    if (!st) return st.error();
    st->bind(1, sensor);
    auto row = st->step();
    if (!row) return row.error();
    if (!*row) return makeError("no sensor named '" + sensor + "'");
    const std::string sensorId = st->columnText(0);
    const std::int64_t siteId = st->columnInt(1);
    const std::string site = st->columnText(2);
    st->reset();
    auto z = db.prepare("SELECT id FROM zones WHERE site_id = ?1 AND name = ?2");
    if (!z) return z.error();
    z->bind(1, siteId).bind(2, zone);
    auto found = z->step();
    if (!found) return found.error();
    if (!*found) {
        return makeError("no zone '" + zone + "' in site '" + site + "' (the sensor's site)");
    }
    return std::make_pair(sensorId, z->columnInt(0));
}

/// A capture interface name as sensors report it (`ironsight-sensor interfaces`).
Status checkInterfaceName(const std::string& name) {
    const bool printable = std::all_of(name.begin(), name.end(), [](char c) {
        return static_cast<unsigned char>(c) > 0x20 && c != 0x7f;
    });
    if (name.empty() || name.size() > 64 || !printable) {
        return makeError("invalid interface name '" + name +
                         "': 1 to 64 characters without spaces (as `ironsight-sensor "
                         "interfaces` lists them)");
    }
    return {};
}

}  // namespace

Status ConsoleStore::setZoneRule(const std::string& sensor, std::uint32_t vlan,
                                 const std::string& zone, const AuditActor& by) {
    std::lock_guard lock(mutex_);
    const std::string target = sensor + "/vlan " + std::to_string(vlan);
    auto body = [&]() -> Status {
        if (vlan < 1 || vlan > 4094) {
            return makeError("invalid VLAN " + std::to_string(vlan) + ": use 1 to 4094");
        }
        auto ids = ruleTarget(db_, sensor, zone);
        if (!ids) return ids.error();
        auto put = db_.prepare(
            "INSERT INTO sensor_zone_rules(sensor_id, vlan, zone_id) VALUES(?1, ?2, ?3) "
            "ON CONFLICT(sensor_id, vlan) DO UPDATE SET zone_id = excluded.zone_id");
        if (!put) return put.error();
        if (auto s = put->bind(1, ids->first).bind(2, vlan).bind(3, ids->second).run(); !s) {
            return s;
        }
        return auditLocked(by.actor, "device.zone_rule", target, by.source, "ok: zone " + zone);
    };
    return changeLocked(body, "device.zone_rule", target, by);
}

Status ConsoleStore::setInterfaceZoneRule(const std::string& sensor, const std::string& interface,
                                          const std::string& zone, const AuditActor& by) {
    std::lock_guard lock(mutex_);
    const std::string target = sensor + "/interface " + interface;
    auto body = [&]() -> Status {
        if (auto s = checkInterfaceName(interface); !s) return s;
        auto ids = ruleTarget(db_, sensor, zone);
        if (!ids) return ids.error();
        // A replaced rule's zone changes nothing stored: the sensor's devices are already keyed
        // at search time (its first rule's insert trigger cleared their stored order).
        auto put = db_.prepare(
            "INSERT INTO sensor_interface_rules(sensor_id, interface, zone_id) VALUES(?1, ?2, ?3) "
            "ON CONFLICT(sensor_id, interface) DO UPDATE SET zone_id = excluded.zone_id");
        if (!put) return put.error();
        if (auto s = put->bind(1, ids->first).bind(2, interface).bind(3, ids->second).run(); !s) {
            return s;
        }
        return auditLocked(by.actor, "device.zone_rule", target, by.source, "ok: zone " + zone);
    };
    return changeLocked(body, "device.zone_rule", target, by);
}

Status ConsoleStore::removeInterfaceZoneRule(const std::string& sensor,
                                             const std::string& interface, const AuditActor& by) {
    std::lock_guard lock(mutex_);
    const std::string target = sensor + "/interface " + interface;
    auto body = [&]() -> Status {
        auto del = db_.prepare(
            "DELETE FROM sensor_interface_rules WHERE interface = ?2 AND sensor_id IN "
            "(SELECT id FROM sensors WHERE id = ?1 OR name = ?1)");
        if (!del) return del.error();
        if (auto s = del->bind(1, sensor).bind(2, interface).run(); !s) return s;
        if (db_.changes() == 0) {
            return makeError("no zone rule for interface '" + interface + "' of sensor '" +
                             sensor + "'");
        }
        return auditLocked(by.actor, "device.zone_rule", target, by.source, "ok: removed");
    };
    return changeLocked(body, "device.zone_rule", target, by);
}

Status ConsoleStore::removeZoneRule(const std::string& sensor, std::uint32_t vlan,
                                    const AuditActor& by) {
    std::lock_guard lock(mutex_);
    const std::string target = sensor + "/vlan " + std::to_string(vlan);
    auto body = [&]() -> Status {
        auto del = db_.prepare(
            "DELETE FROM sensor_zone_rules WHERE vlan = ?2 AND sensor_id IN "
            "(SELECT id FROM sensors WHERE id = ?1 OR name = ?1)");
        if (!del) return del.error();
        if (auto s = del->bind(1, sensor).bind(2, vlan).run(); !s) return s;
        if (db_.changes() == 0) {
            return makeError("no zone rule for VLAN " + std::to_string(vlan) + " of sensor '" +
                             sensor + "'");
        }
        return auditLocked(by.actor, "device.zone_rule", target, by.source, "ok: removed");
    };
    return changeLocked(body, "device.zone_rule", target, by);
}

Result<std::vector<ZoneRule>> ConsoleStore::listZoneRules() {
    std::lock_guard lock(mutex_);
    auto st = db_.prepare(
        "SELECT r.sensor_id, s.name, r.vlan, si.name, z.name, '' FROM sensor_zone_rules r "
        "JOIN sensors s ON s.id = r.sensor_id JOIN zones z ON z.id = r.zone_id "
        "JOIN sites si ON si.id = z.site_id "
        "UNION ALL SELECT r.sensor_id, s.name, 0, si.name, z.name, r.interface "
        "FROM sensor_interface_rules r JOIN sensors s ON s.id = r.sensor_id "
        "JOIN zones z ON z.id = r.zone_id JOIN sites si ON si.id = z.site_id "
        "ORDER BY 2, 6, 3");
    if (!st) return st.error();
    std::vector<ZoneRule> out;
    for (auto row = st->step();; row = st->step()) {
        if (!row) return row.error();
        if (!*row) break;
        out.push_back(ZoneRule{st->columnText(0), st->columnText(1),
                               static_cast<std::uint32_t>(st->columnInt(2)), st->columnText(3),
                               st->columnText(4), st->columnText(5)});
    }
    return out;
}

Status ConsoleStore::regroupMovedZoneLocked(std::int64_t zoneId, std::int64_t toSiteId) {
    // The groups of the zone's observations that are still recorded in another site.
    std::vector<std::int64_t> groups;
    {
        auto st = db_.prepare(
            "SELECT DISTINCT d.group_id FROM devices d JOIN sensors s ON s.id = d.sensor_id "
            "JOIN device_groups g ON g.id = d.group_id WHERE s.zone_id = ?1 AND g.site_id <> ?2");
        if (!st) return st.error();
        st->bind(1, zoneId).bind(2, toSiteId);
        for (auto row = st->step();; row = st->step()) {
            if (!row) return row.error();
            if (!*row) break;
            groups.push_back(st->columnInt(0));
        }
    }
    for (std::int64_t g : groups) {
        auto rest = db_.prepare(
            "SELECT COUNT(*) FROM devices d JOIN sensors s ON s.id = d.sensor_id "
            "WHERE d.group_id = ?1 AND s.zone_id <> ?2");
        if (!rest) return rest.error();
        rest->bind(1, g).bind(2, zoneId);
        auto row = rest->step();
        if (!row) return row.error();
        const std::int64_t others = *row ? rest->columnInt(0) : 0;
        rest->reset();
        if (others == 0) {
            // Every observation moved: the device moves with its edits.
            auto up = db_.prepare("UPDATE device_groups SET site_id = ?2 WHERE id = ?1");
            if (!up) return up.error();
            if (auto s = up->bind(1, g).bind(2, toSiteId).run(); !s) return s;
            if (auto s = rebuildGroupKeysLocked(g); !s) return s;
            continue;
        }
        // Observations in both sites: the moved ones become a device of the new site with a
        // copy of the edits.
        auto copy = db_.prepare(
            "INSERT INTO device_groups(site_id, name, type, purdue_level, criticality, "
            "authorized, notes, zone_id, edited_by, edited_at, created_at) "
            "SELECT ?2, name, type, purdue_level, criticality, authorized, notes, zone_id, "
            "edited_by, edited_at, created_at FROM device_groups WHERE id = ?1");
        if (!copy) return copy.error();
        if (auto s = copy->bind(1, g).bind(2, toSiteId).run(); !s) return s;
        const std::int64_t created = db_.lastInsertRowid();
        auto move = db_.prepare(
            "UPDATE devices SET group_id = ?3 WHERE group_id = ?1 AND sensor_id IN "
            "(SELECT id FROM sensors WHERE zone_id = ?2)");
        if (!move) return move.error();
        if (auto s = move->bind(1, g).bind(2, zoneId).bind(3, created).run(); !s) return s;
        if (auto s = rebuildGroupKeysLocked(g); !s) return s;
        if (auto s = rebuildGroupKeysLocked(created); !s) return s;
    }
    // Overrides and VLAN and interface rules that now point into another site are dropped.
    if (auto s = db_.exec(
            "UPDATE device_groups SET zone_id = NULL WHERE zone_id IS NOT NULL AND "
            "(SELECT site_id FROM zones WHERE id = device_groups.zone_id) <> site_id;"
            "DELETE FROM sensor_zone_rules WHERE (SELECT site_id FROM zones WHERE id = "
            "sensor_zone_rules.zone_id) <> (SELECT z.site_id FROM sensors s JOIN zones z ON "
            "z.id = s.zone_id WHERE s.id = sensor_zone_rules.sensor_id);"
            "DELETE FROM sensor_interface_rules WHERE (SELECT site_id FROM zones WHERE id = "
            "sensor_interface_rules.zone_id) <> (SELECT z.site_id FROM sensors s JOIN zones z "
            "ON z.id = s.zone_id WHERE s.id = sensor_interface_rules.sensor_id)");
        !s) {
        return s;
    }
    return {};
}

}  // namespace ironsight::console::core
