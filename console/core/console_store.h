// SPDX-License-Identifier: Apache-2.0
// The console's SQLite store: schema, sites/zones/sensors, activations, ingest apply, queries.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <compare>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "console/core/auth.h"
#include "console/core/wal_checkpointer.h"
#include "ironsight/v1/link.pb.h"
#include "shared/base/result.h"
#include "shared/sqlite/sqlite.h"

namespace ironsight::console::core {

/// The system clock: milliseconds since the Unix epoch (UTC).
std::int64_t nowMs();

/// The schema, one migration step per element (PRAGMA user_version counts them).
const std::vector<std::string>& schemaSteps();

struct SiteRow {
    std::int64_t id = 0;
    std::string name;
};

struct ZoneRow {
    std::int64_t id = 0;
    std::string site;
    std::string name;
};

struct SensorRow {
    std::string id;
    std::string name;
    std::string site;
    std::string zone;
    std::string status;  ///< pending | active | revoked
    std::string certSerial;
    std::string nextCertSerial;  ///< renewed over the link, not used yet ("" when none)
    std::int64_t enrolledAtMs = 0;
    std::int64_t lastSeenMs = 0;
};

/// A sensor's latest health record (SPEC §4.3) and its clock skew at its latest stream start.
struct SensorHealth {
    std::string sensorId;
    std::int64_t timeMs = 0;  // the sensor's clock when it made the record
    std::uint64_t packets = 0, bytes = 0, kernelDrops = 0, malformed = 0;
    std::uint64_t outboxDepth = 0, outboxEvicted = 0;
    bool learning = false;
    std::string version, captureSource;
    double packetsPerSecond = 0, bytesPerSecond = 0, cpuPercent = 0;
    std::uint64_t rssBytes = 0;
    std::int64_t outboxOldestAgeMs = 0, uptimeS = 0;
    std::optional<std::int64_t> clockSkewMs;  // sensor clock - console clock, at its Hello
};

/// A sensor reports health every 10 s; missing 3 in a row shows it disconnected.
inline constexpr std::int64_t kHealthIntervalMs = 10'000;
inline constexpr int kMissedHealthIntervals = 3;

/// What to show for a sensor at `nowMs`: "pending" or "revoked" as stored; an active sensor is
/// "connected" when it reported within the last 3 health intervals, "disconnected" after that,
/// "never connected" before its first stream.
std::string sensorState(const SensorRow& sensor, std::int64_t nowMs);

/// One sensor's report of a device (a row of `devices`): a device (DeviceRow) has one or more.
struct DeviceObservation {
    std::string sensorId;
    std::string sensorName;
    std::string deviceId;  ///< the sensor's id: mac-<hex> or ip-<address> (docs/ANALYZE.md)
    std::int64_t lastSeenMs = 0;
    /// The sensor's capture interfaces it was seen on (live capture; none for a replay).
    std::vector<std::string> interfaces;
    bool operator==(const DeviceObservation&) const = default;
};

/// Operator edits of a device (docs/CONSOLE.md "Devices"). Unset fields are left as they are;
/// "" (or purdueLevel -1) clears an edit, so the sensor-reported value shows again.
struct DeviceEdit {
    std::optional<std::string> name;
    std::optional<std::string> type;         ///< plc, rtu, hmi, engineering_workstation, ...
    std::optional<int> purdueLevel;          ///< 0..5
    std::optional<std::string> criticality;  ///< low | medium | high | critical
    std::optional<std::string> authorized;   ///< yes | no
    std::optional<std::string> notes;
    std::optional<std::string> zone;         ///< a zone of the device's site (the override)
};

/// A device as the console shows it: the observations of one device group (the sensors of a
/// site that saw the same device, docs/CONSOLE.md "Devices") merged, with the operator's edits.
/// sensorId/sensorName/deviceId and the sensor-reported fields are those of the most recently
/// seen observation; macs/ips/vlans/protocols/evidence are the union of all observations.
struct DeviceRow {
    std::string sensorId;
    std::string sensorName;
    std::string site;
    std::string zone;  ///< effective: the override, a VLAN rule, an interface rule, the sensor's
    std::string deviceId;
    std::vector<std::string> macs;
    std::vector<std::string> ips;
    std::vector<std::uint32_t> vlans;
    std::map<std::uint32_t, std::string> vlanNames;  ///< the sensor site's names of `vlans`
    std::string vendor, model, firmware, serial, hostname, type;
    int purdueLevel = -1;
    std::vector<std::pair<std::string, std::string>> protocols;  ///< (name, role)
    std::string identityJson;
    std::vector<std::string> evidence;
    std::int64_t firstSeenMs = 0;
    std::int64_t lastSeenMs = 0;
    // The console-level identity and the operator's edits. `type` and `purdueLevel` above are
    // the effective values (the edit when set, else the reported one).
    std::int64_t groupId = 0;
    std::string name;         ///< operator-given name ("" when none)
    std::string criticality;  ///< low | medium | high | critical ("" when not set)
    std::optional<bool> authorized;  ///< not set: the operator has not decided
    std::string notes;
    std::string reportedType;      ///< what the sensor reported
    int reportedPurdueLevel = -1;  ///< what the sensor reported
    bool typeEdited = false;
    bool purdueEdited = false;
    std::string zoneSource;  ///< "override" | "vlan" | "interface" | "sensor": where `zone` is from
    std::string editedBy;    ///< who edited last ("" when never)
    std::int64_t editedAtMs = 0;
    std::vector<DeviceObservation> observations;  ///< every sensor's report, most recent first
};

/// Sensor VLAN -> zone: a device of `sensor` whose VLANs include `vlan` is in `zone` (same site);
/// or sensor capture interface -> zone (`interface` set, `vlan` 0): a device `sensor` saw on
/// `interface` is in `zone`.
struct ZoneRule {
    std::string sensorId;
    std::string sensorName;
    std::uint32_t vlan = 0;
    std::string site;
    std::string zone;
    std::string interface;  ///< "" for a VLAN rule
};

/// One connection a sensor reported: client device -> server device.
struct ConnectionRow {
    std::string sensorId;
    std::string src, dst;  ///< device ids (of that sensor)
    std::string srcIp, dstIp;
    std::string transport;
    std::uint32_t port = 0;
    std::string protocol;
    std::uint64_t packets = 0;
    std::uint64_t bytes = 0;
};

struct AlertRow {
    std::string sensorId;
    std::string sensorName;
    std::string site;
    std::string zone;
    std::string alertId;
    std::string engine, type;
    std::string severity;  ///< warning | minor | major | critical | unspecified
    std::string title, description, remediation;
    std::string src, dst, srcIp, dstIp, protocol;
    std::uint64_t count = 0;
    std::string mitre;
    std::string status;  ///< new | acknowledged | closed (alertStatusName)
    std::int64_t firstSeenMs = 0;
    std::int64_t lastSeenMs = 0;
    std::string assignee;              ///< user name, "" when unassigned
    std::int64_t statusChangedMs = 0;  ///< last workflow change (0: never changed)
    std::int64_t comments = 0;         ///< number of comments
};

/// The alert workflow: New -> Acknowledged -> Closed; Closed (or Acknowledged) -> New reopens.
enum class AlertStatus { New, Acknowledged, Closed };
/// "new" | "acknowledged" | "closed" (the alerts.status spelling).
const char* alertStatusName(AlertStatus status);
/// Also accepts "ack" and "open" (= new).
std::optional<AlertStatus> alertStatusFromName(std::string_view name);

/// Alerts are keyed by the reporting sensor and the sensor's alert id.
struct AlertKey {
    std::string sensorId;
    std::string alertId;
    auto operator<=>(const AlertKey&) const = default;
};

struct AlertComment {
    std::int64_t id = 0;
    AlertKey alert;
    std::int64_t timeMs = 0;
    std::string author;
    std::string text;
};

/// All alerts and the open ones (status != closed) of one group.
struct AlertTally {
    std::int64_t total = 0;
    std::int64_t open = 0;
    bool operator==(const AlertTally&) const = default;
};

/// One page of the alert list, filtered in SQL (the indexes of schema v3/v12 serve it).
/// Empty fields and lists do not filter.
struct AlertQuery {
    std::string site;
    std::string zone;                     ///< with `site`
    std::vector<std::string> severities;  ///< warning | minor | major | critical
    std::vector<std::string> statuses;    ///< new | acknowledged | closed
    std::string text;  ///< case-insensitive (ASCII) substring of the listed text fields
    std::int64_t lastSeenFromMs = 0;    ///< last seen at or after (0: no bound)
    std::int64_t lastSeenBeforeMs = 0;  ///< last seen before (0: no bound)
    int limit = 500;   ///< rows of the page (<= 0: no limit)
    int offset = 0;
    /// Set from another thread to stop queryAlerts/countAlerts early (the desktop's filter
    /// changed): the answer is then the error "query cancelled". Null: runs to the end.
    std::shared_ptr<const std::atomic<bool>> cancel;
};

/// Alert counts. Keys: severity names, status names, site names, "site/zone".
struct AlertCounts {
    AlertTally all;
    std::map<std::string, AlertTally> bySeverity;
    std::map<std::string, AlertTally> byStatus;
    std::map<std::string, AlertTally> bySite;
    std::map<std::string, AlertTally> byZone;
};

/// Severity levels as stored (proto Severity: 0 unspecified, 1 warning .. 4 critical).
constexpr int kSeverityLevels = 5;
/// Alerts per stored severity level (index = level).
using SeverityCounts = std::array<std::int64_t, kSeverityLevels>;

/// Oldest (> 0) and newest "last seen" of any alert; both 0 when there is none.
struct AlertTimeRange {
    std::int64_t firstMs = 0;
    std::int64_t lastMs = 0;
};

/// Open (not closed) alerts of one severity and title between the same two ends of one sensor.
struct OpenAlertGroup {
    std::string sensorId, src, dst, srcIp, dstIp;
    std::string severity;  // name
    std::string title;
    std::int64_t alerts = 0;
};

/// Data retention: closed alerts closed more than `closedAlertsDays` ago and devices no sensor
/// reported for more than `devicesDays` are deleted. 0 keeps them forever.
struct RetentionPolicy {
    int closedAlertsDays = 0;
    int devicesDays = 0;
};

struct RetentionResult {
    std::int64_t alertsDeleted = 0;
    std::int64_t devicesDeleted = 0;
    bool stopped = false;  ///< stopped on request before the end; what was deleted stays deleted
};

/// How a long retention run is watched and stopped (the admin command's progress, the
/// server's shutdown).
struct RetentionControl {
    std::stop_token stop;  ///< checked between batches
    /// Called every `progressEvery` with the counts so far (on the retention's thread).
    std::function<void(const RetentionResult& soFar)> progress;
    std::chrono::milliseconds progressEvery{1000};
};

inline constexpr const char* kSettingRetentionClosedAlertsDays = "retention.closed_alerts_days";
inline constexpr const char* kSettingRetentionDevicesDays = "retention.devices_days";

/// A forwarding rule (forward_rules). Alerts first seen after the rule exists and matching
/// it (severity >= minSeverity, engine in `engines` and site in `sites` when those are not empty)
/// are queued for `target`: a SIEM (syslog) or, for smtp:// and smtps://, e-mail recipients.
struct ForwardRule {
    std::int64_t id = 0;
    std::string target;   ///< udp:// | tcp:// | tls:// | smtp:// | smtps:// HOST:PORT
    std::string format;   ///< cef | leef | json; email for smtp:// and smtps://
    int minSeverity = 0;  ///< 0 unspecified .. 4 critical (the ironsight.v1 Severity values)
    std::vector<std::string> engines;
    std::vector<std::string> sites;
    std::string caFile;  ///< tls: CA certificate(s) (PEM) that verify the receiver (e-mail: optional)
    // E-mail rules only.
    std::string mailFrom;
    std::vector<std::string> mailTo;
    std::string smtpUser;
    /// Kept in the console database (the relay needs it in clear); never logged or audited.
    /// ConsoleService's listings return it empty, with hasSmtpPassword set.
    std::string smtpPassword;
    bool hasSmtpPassword = false;
    bool starttls = true;  ///< smtp://: STARTTLS required (false: a plain local relay, no AUTH)
    std::int64_t sent = 0;  ///< messages sent (e-mail: alerts delivered in digests)
    std::int64_t lastSentMs = 0;
    std::string lastError;    ///< "" after a successful send
    std::int64_t queued = 0;  ///< messages waiting (listForwardRules only)
};

struct QueuedMessage {
    std::int64_t id = 0;
    std::string message;
    std::int64_t attempts = 0;
};

/// The ironsight.v1 Severity value of "warning" | "minor" | "major" | "critical" (0 otherwise).
int severityRank(std::string_view name);
/// The store's severity names ("warning", ...; "unspecified" for 0).
const char* severityNameOf(int rank);

/// One cpeMatch criterion of an NVD CVE record (CPE 2.3 fields unescaped, lower case).
struct CpeMatch {
    std::string criteria;  ///< the CPE 2.3 string as in the feed
    std::string part, vendor, product, version;
    std::string startIncl, startExcl, endIncl, endExcl;  ///< version range ("" = open)
};

struct CveEntry {
    std::string id;
    std::string description;
    double cvss = 0;       ///< CVSS base score (v3.1, else v3.0, else v2), 0 when none
    std::string severity;  ///< the base severity word of that score ("CRITICAL", ...)
    std::string published;
    std::vector<CpeMatch> cpes;  ///< only the vulnerable ones
};

/// A console -> sensor command (the commands table, SPEC §4.3). `kind` and `arguments` (JSON):
/// set_learning {"enabled": bool}; learn_alert {"alert_id": ID}; mute_alert {"alert_id": ID,
/// "muted": bool}; add_exclusion {"type", "device", "subnet", "from", "to"} (sent as ConfigPush
/// TOML, docs/CONSOLE.md); evidence_request {"alert_id": ID} (the pcap lands in
/// command_payloads); push_settings {"toml": TEXT} (ConfigPush with `settings`);
/// reload_settings {}. `state`: pending (waiting for the sensor's stream) -> sent -> done |
/// failed (the sensor's CommandResult; `result` holds its message).
struct CommandRow {
    std::string id;  ///< UUID, the Command.command_id on the wire
    std::string sensorId;
    std::string sensorName;
    std::string kind;
    std::string arguments;
    std::string issuedBy;
    std::int64_t issuedAtMs = 0;
    std::string state;
    std::string result;
    std::int64_t completedAtMs = 0;
};

/// Who a store write is attributed to in the audit log (the local-administrator path by default).
struct AuditActor {
    std::string actor = "local-admin";
    std::string source = "local";
};

struct UserRow {
    std::string name;
    Role role = Role::Viewer;
    bool disabled = false;
    bool mustChangePassword = false;
    int failedSignIns = 0;            ///< consecutive failures in the current window
    std::int64_t firstFailureMs = 0;  ///< start of the current failure window
    std::int64_t lockedUntilMs = 0;
    std::int64_t lastSignInMs = 0;
    std::int64_t createdAtMs = 0;
    std::string passwordHash;  ///< Argon2id encoded hash (never printed)
};

/// What an Enroll request presents; the store checks it against the activations table.
struct EnrollAttempt {
    std::string sensorId;
    std::string tokenSha256Hex;
    std::string source;  ///< peer address, for the audit log
};

/// Why an enrollment was refused (`message` is the text sent to the sensor).
struct EnrollRefusal {
    std::string message;
};

struct Progress {
    std::uint64_t epoch = 0;
    std::uint64_t appliedThroughSeq = 0;
};

/// One sensor batch for ConsoleStore::applyBatches (`batch` must outlive the call).
struct IngestBatch {
    std::string sensorId;
    std::uint64_t epoch = 0;
    const ironsight::v1::Batch* batch = nullptr;
};

/// Thread-safe: writes go through one connection behind a mutex, each a short transaction; the
/// list, search and count queries use a second, read-only connection (WAL snapshot reads).
class ConsoleStore {
public:
    /// Opens or creates `dbFile` and migrates it to the current schema (synchronous=FULL).
    static Result<std::unique_ptr<ConsoleStore>> open(const std::filesystem::path& dbFile);

    // Settings (listen addresses and other key/value configuration).
    std::optional<std::string> setting(const std::string& key);
    Status setSetting(const std::string& key, const std::string& value);

    /// Time source for audit records and sign-in bookkeeping (default: the system clock).
    void setClock(Clock clock);
    std::int64_t now() const { return clock_(); }

    /// WAL checkpoints run by the store's checkpoint thread (not by committing writers).
    std::uint64_t walCheckpoints() const { return checkpointer_ ? checkpointer_->checkpoints() : 0; }
    /// Times the checkpointer copied a WAL over its bound in full (WalCheckpointer::catchUps).
    std::uint64_t walCatchUps() const { return checkpointer_ ? checkpointer_->catchUps() : 0; }

    // Users: Argon2id-hashed passwords that pass checkPasswordPolicy(). Role names: admin,
    // analyst, viewer. `mustChangePassword`: the user must set a new password at sign-in.
    Status addUser(const std::string& name, const std::string& password, const std::string& role,
                   const AuditActor& by = {}, bool mustChangePassword = true);
    Result<bool> checkPassword(const std::string& name, const std::string& password);
    std::int64_t userCount();
    Result<std::optional<UserRow>> findUser(const std::string& name);
    Result<std::vector<UserRow>> listUsers();
    /// Sets a new password (policy checked), clears any lockout; audited as `auditAction`.
    Status setPassword(const std::string& name, const std::string& password,
                       bool mustChangePassword, const AuditActor& by,
                       const std::string& auditAction);
    /// Refuses to disable or demote the last enabled admin.
    Status setUserDisabled(const std::string& name, bool disabled, const AuditActor& by);
    Status setUserRole(const std::string& name, Role role, const AuditActor& by);
    /// Counts a failed sign-in (audited); returns true when this failure locked the account.
    Result<bool> noteSignInFailure(const std::string& name, const AuthPolicy& policy,
                                   const std::string& source, const std::string& reason);
    Status noteSignInSuccess(const std::string& name, const std::string& source);

    // Sites, zones, sensors, activations.
    Result<SiteRow> addSite(const std::string& name, const AuditActor& by = {});
    Result<ZoneRow> addZone(const std::string& site, const std::string& name,
                            const AuditActor& by = {});
    Result<std::vector<SiteRow>> listSites();
    Result<std::vector<ZoneRow>> listZones();
    /// Renames a site (names stay unique).
    Status renameSite(const std::string& site, const std::string& newName,
                      const AuditActor& by = {});
    /// Refused while the site has zones.
    Status deleteSite(const std::string& site, const AuditActor& by = {});
    Status renameZone(const std::string& site, const std::string& zone, const std::string& newName,
                      const AuditActor& by = {});
    /// Moves a zone (with its sensors, and so their devices and alerts) to another site.
    Status moveZone(const std::string& site, const std::string& zone, const std::string& toSite,
                    const AuditActor& by = {});
    /// Refused while sensors belong to the zone.
    Status deleteZone(const std::string& site, const std::string& zone, const AuditActor& by = {});
    /// A new pending sensor with a fresh UUID, plus its activation (token hash + expiry).
    Result<SensorRow> addSensor(const std::string& site, const std::string& zone,
                                const std::string& name, const std::string& tokenSha256Hex,
                                const std::string& bundleId, std::int64_t notAfterMs,
                                const AuditActor& by = {});
    /// A new activation for an existing, not revoked sensor (same id, site and zone): once it
    /// enrolls, the certificate it gets replaces the current one, which the link refuses from
    /// then on (SPEC §4.1: re-activation revokes the old certificate). Audited.
    Result<SensorRow> addReactivation(const std::string& idOrName, const std::string& tokenSha256Hex,
                                      const std::string& bundleId, std::int64_t notAfterMs,
                                      const AuditActor& by = {});
    Result<std::vector<SensorRow>> listSensors();
    /// Every sensor's latest health record (sensors that never reported have none).
    Result<std::vector<SensorHealth>> sensorHealth();
    /// The sensor's clock minus the console's, measured when its stream began (Hello).
    Status recordClockSkew(const std::string& sensorId, std::int64_t skewMs);
    Result<std::optional<SensorRow>> findSensor(const std::string& idOrName);
    Status revokeSensor(const std::string& idOrName, const std::string& actor,
                        const std::string& source = "local");
    /// Certificate renewal (link_server.h Renew): `serial` is the sensor's next certificate;
    /// the current one stays valid until the next one is first used. Audited (sensor.renew).
    Status setRenewedCertificate(const std::string& sensorId, const std::string& serial,
                                 std::int64_t notAfterMs, const std::string& source);
    /// A stream opened with the sensor's next certificate: it becomes the current one and the
    /// old serial is refused from now on (audited). False when `serial` is not the next one.
    Result<bool> promoteRenewedCertificate(const std::string& sensorId, const std::string& serial,
                                           const std::string& source);
    /// Activations not used and not expired at `nowMs`.
    std::int64_t pendingActivations(std::int64_t nowMs);

    /// One transaction: checks the token (exists, unused, unexpired, for this sensor, sensor not
    /// revoked), calls `issue` (which signs the CSR), marks the token used and stores the serial.
    /// `issue` returns the certificate serial (hex) or an error that refuses the enrollment.
    template <class Issue>
    Result<std::string> enroll(const EnrollAttempt& attempt, std::int64_t nowMs, Issue&& issue);

    // Ingest.
    Result<Progress> progress(const std::string& sensorId);
    /// Hello: returns what is applied for `epoch` (a new epoch starts from 0 and is recorded).
    Result<Progress> beginStream(const std::string& sensorId, std::uint64_t epoch,
                                 std::int64_t nowMs);
    /// Applies a batch idempotently in one transaction; returns applied_through_seq.
    Result<std::uint64_t> applyBatch(const std::string& sensorId, std::uint64_t epoch,
                                     const ironsight::v1::Batch& batch, std::int64_t nowMs);
    /// Group commit: several batches (of one or many sensors) in one transaction; a batch that
    /// fails changes nothing and fails alone (without savepoints while none fails after a
    /// change; then the group is rolled back and applied again with a savepoint per batch).
    /// One result per batch, in order (applied_through_seq or the error); a failed commit fails
    /// them all.
    std::vector<Result<std::uint64_t>> applyBatches(const std::vector<IngestBatch>& batches,
                                                    std::int64_t nowMs);

    // Commands to sensors (delivered by LinkServer on the sensor's stream).
    /// Queues a command for an enrolled or pending sensor (refused for a revoked one); audited
    /// as command.issue. `kind`/`arguments` as documented at CommandRow.
    Result<CommandRow> addCommand(const std::string& sensorId, const std::string& kind,
                                  const std::string& arguments, const AuditActor& by = {});
    /// Newest first; `sensor` (id or name, "" = all) narrows them.
    Result<std::vector<CommandRow>> listCommands(const std::string& sensor = "");
    /// The payload a command's result carried (an evidence pcap); error when none.
    Result<std::string> commandPayload(const std::string& commandId);
    /// A sensor's undelivered commands, oldest first: pending ones, and with `includeSent` also
    /// those sent on an earlier stream that never answered (the sensor applies them idempotently).
    Result<std::vector<CommandRow>> commandsToSend(const std::string& sensorId, bool includeSent);
    /// pending -> sent.
    Status markCommandsSent(const std::vector<std::string>& ids);

    // Queries for the UI and exports.
    /// One row per device (group), ordered by site, zone, device id, group id.
    Result<std::vector<DeviceRow>> listDevices();
    Result<std::vector<AlertRow>> listAlerts();
    Result<std::vector<ConnectionRow>> listConnections();
    /// The alerts matching `query`, newest first (last seen, then alert id), one page.
    Result<std::vector<AlertRow>> queryAlerts(const AlertQuery& query);
    /// How many alerts match `query` (its limit and offset are ignored).
    Result<std::int64_t> countAlerts(const AlertQuery& query);
    /// Devices with `term` (case-insensitive) in any field of any of their observations:
    /// ids, addresses, VLANs, vendor, model, firmware, serial, hostname, type, protocols,
    /// identity, evidence, capture interfaces, sensor, site, zone (the sensor's, a VLAN or
    /// interface rule's, the override), and the operator's name, type, criticality and notes.
    /// In listDevices() order, at most `limit`
    /// (<= 0: all) after `offset`. Terms of 3+ characters use the FTS5 trigram indexes (schema
    /// v14); shorter ones scan the indexed text (docs/CONSOLE.md "Search").
    Result<std::vector<DeviceRow>> searchDevices(const std::string& term, int limit = 500,
                                                 int offset = 0);

    // Devices: identity across sensors and operator edits (docs/CONSOLE.md "Devices"). Every
    // change is audited (device.edit, device.merge, device.split, device.zone_rule).
    /// The device with group id `groupId`, or an error naming it.
    Result<DeviceRow> findDevice(std::int64_t groupId);
    /// The group of a sensor's observation (`sensor`: name or id).
    Result<std::int64_t> deviceGroupOf(const std::string& sensor, const std::string& deviceId);
    Status editDevice(std::int64_t groupId, const DeviceEdit& edit, const AuditActor& by = {});
    /// Moves every observation of `from` into `into` (same site only); `into` keeps its edits,
    /// `from`'s fill the fields `into` has not set; `from` is deleted.
    Status mergeDevices(std::int64_t into, std::int64_t from, const AuditActor& by = {});
    /// Moves one observation out of its group into a new group (no edits); returns its id.
    /// Refused when it is the group's only observation.
    Result<std::int64_t> splitDevice(const std::string& sensor, const std::string& deviceId,
                                     const AuditActor& by = {});
    /// Adds or replaces the rule for (sensor, vlan); `zone` must be in the sensor's site.
    Status setZoneRule(const std::string& sensor, std::uint32_t vlan, const std::string& zone,
                       const AuditActor& by = {});
    Status removeZoneRule(const std::string& sensor, std::uint32_t vlan,
                          const AuditActor& by = {});
    /// Adds or replaces the rule for (sensor, capture interface); `zone` must be in the
    /// sensor's site. Precedence: override, VLAN rule, interface rule, sensor zone.
    Status setInterfaceZoneRule(const std::string& sensor, const std::string& interface,
                                const std::string& zone, const AuditActor& by = {});
    Status removeInterfaceZoneRule(const std::string& sensor, const std::string& interface,
                                   const AuditActor& by = {});
    /// Every rule: by sensor name, VLAN rules (by VLAN) before interface rules (by name).
    Result<std::vector<ZoneRule>> listZoneRules();

    /// Deletes what `policy` no longer keeps, 25 rows per short transaction, paced so ingest
    /// keeps at least half of the writer's time and the WAL stays bounded (docs/CONSOLE.md
    /// "Retention"); audited as retention.run (also when nothing was deleted or it was stopped).
    Result<RetentionResult> applyRetention(const RetentionPolicy& policy, const AuditActor& by = {},
                                           const RetentionControl& control = {});

    // SIEM forwarding (the Forwarder in forwarding.h drives the queue).
    Result<ForwardRule> addForwardRule(const ForwardRule& rule, const AuditActor& by = {});
    Result<std::vector<ForwardRule>> listForwardRules();
    /// Deletes the rule and its queued messages.
    Status removeForwardRule(std::int64_t id, const AuditActor& by = {});
    /// Replaces an e-mail rule's SMTP user and password (audited without the password).
    Status setForwardCredentials(std::int64_t id, const std::string& user,
                                 const std::string& password, const AuditActor& by = {});
    /// Queues, for every rule, the alerts first stored since the last call (a cursor over alert
    /// rowids kept in settings). `render` returns the message for a rule, or nullopt when the
    /// alert does not match it. At most `limit` alerts per call; returns how many were looked
    /// at. Each rule's queue is capped at `maxQueued` (the oldest are dropped and counted in
    /// last_error).
    Result<int> enqueueNewAlerts(
        const std::function<std::optional<std::string>(const ForwardRule&, const AlertRow&)>&
            render,
        int limit = 500, std::int64_t maxQueued = 100'000);
    /// The oldest `limit` queued messages of a rule.
    Result<std::vector<QueuedMessage>> forwardQueue(std::int64_t ruleId, int limit);
    /// Removes the messages that were sent; records `error` ("" = the last attempt succeeded)
    /// and counts an attempt on the first unsent message.
    Status forwardDone(std::int64_t ruleId, const std::vector<std::int64_t>& sentIds,
                       const std::string& error);

    // Offline vulnerability data (cve.h parses feeds and matches devices).
    /// Inserts or replaces the CVEs (and their CPE criteria) in one transaction; audited as
    /// cve.import with `source`.
    Status storeCves(const std::vector<CveEntry>& entries, const std::string& source,
                     const AuditActor& by = {});
    /// CVEs with at least one CPE criterion whose vendor is in `vendors` (all when empty).
    Result<std::vector<CveEntry>> cvesForVendors(const std::vector<std::string>& vendors);
    /// Distinct CPE vendors in the store.
    Result<std::vector<std::string>> cveVendors();
    std::int64_t cveCount();

    // Alert workflow. Every change is audited per alert; bulk calls are all-or-nothing (an
    // unknown key changes nothing).
    /// Alerts whose alert id is `alertId`, optionally only from sensor `sensor` (id or name).
    Result<std::vector<AlertKey>> findAlerts(const std::string& alertId,
                                             const std::string& sensor = "");
    /// Sets the status; alerts already in `status` are left alone. Returns how many changed.
    Result<int> setAlertStatus(const std::vector<AlertKey>& alerts, AlertStatus status,
                               const AuditActor& by = {});
    /// `user` must be an enabled admin or analyst; "" removes the assignment.
    Status assignAlert(const AlertKey& alert, const std::string& user, const AuditActor& by = {});
    Result<AlertComment> addAlertComment(const AlertKey& alert, const std::string& text,
                                         const AuditActor& by = {});
    /// Oldest first.
    Result<std::vector<AlertComment>> alertComments(const AlertKey& alert);
    /// Counts over every alert; `site`/`zone` ("" = all) narrow them.
    Result<AlertCounts> alertCounts(const std::string& site = "", const std::string& zone = "");
    // Dashboard and map aggregates (alert_overview.cpp): indexes and GROUP BY, no alert rows.
    Result<AlertTimeRange> alertTimeRange();
    /// Alerts whose last seen is in [boundariesMs[i], boundariesMs[i+1]), per severity level;
    /// one entry per bucket (boundaries ascending).
    Result<std::vector<SeverityCounts>> alertCountsOverTime(
        const std::vector<std::int64_t>& boundariesMs);
    /// Every open alert, grouped; most severe first.
    Result<std::vector<OpenAlertGroup>> openAlertGroups();
    Result<std::vector<AuditRow>> listAudit();
    /// Changes whenever this store or another connection/process committed a write; poll it
    /// (e.g. every 200 ms) to know when to re-query. Not a count, only compare for inequality.
    std::uint64_t changeStamp();

    /// Appends a hash-chained audit record (time = the store clock, UTC ms).
    Status audit(const std::string& actor, const std::string& action, const std::string& target,
                 const std::string& source, const std::string& outcome);
    /// Walks the chain: each record's prev_hash must equal the previous record's hash, each hash
    /// must match the record's fields, and the chain head (count, last hash) must match.
    Result<AuditVerification> verifyAudit();

private:
    ConsoleStore(sqlite::Db db, sqlite::Db readDb)
        : db_(std::move(db)), readDb_(std::move(readDb)) {}

    /// Chains records written before the audit chain existed (schema v1), once.
    Status sealAuditChain();

    // Unlocked helpers (caller holds mutex_).
    Status auditLocked(const std::string& actor, const std::string& action,
                       const std::string& target, const std::string& source,
                       const std::string& outcome);
    Result<std::optional<EnrollRefusal>> checkActivationLocked(const EnrollAttempt& attempt,
                                                               std::int64_t nowMs);
    Status markEnrolledLocked(const EnrollAttempt& attempt, const std::string& serial,
                              std::int64_t nowMs);
    /// The current status of an alert, or an error naming the unknown alert.
    Result<std::string> alertStatusLocked(const AlertKey& alert);
    Result<std::int64_t> zoneIdLocked(const std::string& site, const std::string& zone);
    /// A new observation (inside applyBatch's transaction): joins the group of its site that
    /// shares its MAC (mac- ids) or IP, else a new group; registers its identity keys.
    Status assignDeviceGroupLocked(const std::string& sensorId, const ironsight::v1::Device& d);
    /// Merged devices of the groups selected by `where` (SQL over d, g; `term` binds ?1).
    Result<std::vector<DeviceRow>> loadDevicesLocked(sqlite::Db& db, const std::string& where,
                                                     const std::string& term);
    /// Runs `body` (which audits its success) in one transaction; a failure is audited as
    /// `action` on `target` with outcome "failed: <why>" after the rollback.
    Status changeLocked(const std::function<Status()>& body, const std::string& action,
                        const std::string& target, const AuditActor& by);
    /// Re-registers the identity keys of `groupId` from its observations.
    Status rebuildGroupKeysLocked(std::int64_t groupId);
    /// After a zone moved to another site: its devices' groups follow (splitting mixed ones).
    Status regroupMovedZoneLocked(std::int64_t zoneId, std::int64_t toSiteId);
    /// A sensor's CommandResult (inside applyBatch's transaction): completes the command once.
    Status applyCommandResultLocked(const std::string& sensorId,
                                    const ironsight::v1::CommandResult& result);
    /// applyBatch without the transaction (applyBatches holds it, and a savepoint per batch only
    /// on its careful path).
    Result<std::uint64_t> applyBatchLocked(const std::string& sensorId, std::uint64_t epoch,
                                           const ironsight::v1::Batch& batch, std::int64_t nowMs);
    /// A statement prepared once per connection and kept (reset, bindings to be replaced) for
    /// the hot paths; keyed by the address of the SQL text constant.
    /// `borrowText`: text binds are not copied (sqlite::Stmt::borrowTextBinds).
    Result<sqlite::Stmt*> cachedLocked(const char* sql, bool borrowText = false);
    /// Runs `body` in a write transaction that also audits; bumps ownWrites_ on commit.
    template <class Body>
    Status writeLocked(Body&& body);
    /// Before a write transaction commits: rewrites the device_text rows of the devices the
    /// triggers marked (device_text_dirty) and of the new rows ingest queued (newDeviceRows_),
    /// so FTS5 is written once per transaction, not per row (schema v15); alert_text the same
    /// way (schema v18, newAlertRows_).
    Status flushSearchTextLocked();
    /// One FTS5 index kept that way: its statements (cached by address) and its name for errors.
    struct TextIndex {
        const char* anyDirty;
        const char* dropDirty;
        const char* write;  // ?1: JSON array of the rowids in `added`
        const char* clearDirty;
        const char* name;
    };
    /// Rewrites the marked rows and the `added` rows of `index`, then empties `added`.
    Status flushTextIndexLocked(const TextIndex& index, std::vector<std::int64_t>& added);
    /// Before a write transaction commits: computes the stored inventory order (schema v16) of
    /// the device groups the triggers marked in device_order_dirty.
    Status flushDeviceOrderLocked();

    std::mutex mutex_;
    sqlite::Db db_;
    // The UI's and reports' queries (lists, search, counts) run on their own read-only
    // connection behind their own mutex: in WAL mode they read the last committed snapshot,
    // so they neither wait for nor block ingest's write transactions on db_.
    std::mutex readMutex_;
    sqlite::Db readDb_;
    std::uint64_t ownWrites_ = 0;  // bumped on every commit through this connection
    // Declared after both connections: stopped before they close.
    std::unique_ptr<WalCheckpointer> checkpointer_;
    std::map<const char*, std::unique_ptr<sqlite::Stmt>> statements_;  // cachedLocked()
    // Rowids of devices inserted by the open write transaction (only ingest inserts devices).
    std::vector<std::int64_t> newDeviceRows_;
    // Rowids of alerts inserted by the open write transaction (schema v18's alert_text).
    std::vector<std::int64_t> newAlertRows_;
    Clock clock_ = &nowMs;
};

template <class Issue>
Result<std::string> ConsoleStore::enroll(const EnrollAttempt& attempt, std::int64_t now,
                                         Issue&& issue) {
    std::lock_guard lock(mutex_);
    Result<std::string> outcome = makeError("enrollment failed");
    {
        sqlite::Transaction tx(db_);
        if (!tx.began())
            return makeError("console store busy: " + tx.beginStatus().error().message);
        auto refusal = checkActivationLocked(attempt, now);
        if (!refusal) return refusal.error();
        if (refusal->has_value()) {
            outcome = makeError((*refusal)->message);
        } else {
            Result<std::string> serial = issue();
            if (!serial) {
                outcome = serial.error();
            } else {
                if (auto s = markEnrolledLocked(attempt, *serial, now); !s) return s.error();
                if (auto s = tx.commit(); !s) return s.error();
                outcome = std::move(serial);
            }
        }
    }
    // Refusals are audited outside the rolled-back transaction.
    if (!outcome) {
        (void)auditLocked("sensor:" + attempt.sensorId, "enroll", attempt.sensorId, attempt.source,
                          "refused: " + outcome.error().message);
    }
    return outcome;
}

}  // namespace ironsight::console::core
