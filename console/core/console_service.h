// SPDX-License-Identifier: Apache-2.0
// The console core's service interface: what the desktop UI, the admin CLI and exports use.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "console/core/auth.h"
#include "console/core/backup.h"
#include "console/core/cert_import.h"
#include "console/core/console_store.h"
#include "console/core/report.h"
#include "console/core/cve.h"
#include "console/core/directory.h"
#include "console/core/pki.h"
#include "shared/base/result.h"

namespace ironsight::console::core {

inline constexpr const char* kDefaultLinkListen = "127.0.0.1:50051";
inline constexpr const char* kDefaultEnrollListen = "127.0.0.1:50052";
inline constexpr const char* kSettingLinkListen = "link_listen";
inline constexpr const char* kSettingEnrollListen = "enroll_listen";

/// A sensor just added: its row and the text of its activation file.
struct NewSensor {
    SensorRow sensor;
    std::string activationText;
};

enum class ExportFormat { Csv, Json };

/// An exclusion rule for a sensor's detector: alerts matching every given field are not raised.
/// "" = any. `device`: a device id or address at either end; `subnet`: a CIDR containing either
/// address; `from`/`to`: a UTC time-of-day window "HH:MM" (both or neither; may wrap midnight).
struct ExclusionRule {
    std::string type, device, subnet, from, to;
};

/// Checks `rule` and renders the ConfigPush TOML that carries it to the sensor:
///   [[exclusion]]
///   type = "modbus_write"   # keys given only when set
///   device = "10.0.0.5"
///   subnet = "10.0.0.0/24"
///   from = "22:00"
///   to = "06:00"
Result<std::string> exclusionToml(const ExclusionRule& rule);


/// The core API. Calls taking a Session run on behalf of a signed-in user: the session must be
/// live (idle timeout), the user enabled, the initial/reset password changed, and the user's
/// role must allow the action (roleMatrix()); refusals are audited. Calls without a Session are
/// the local-administrator path (`ironsight-console admin` on the data directory, which needs
/// file-system access to it): they act as admin and are audited as "local-admin" from "local".
class ConsoleService {
public:
    /// $IRONSIGHT_DATA_DIR, else ~/.local/share/ironsight/console.
    static std::filesystem::path defaultDataDir();

    /// Opens `dataDir` (console.db, pki/). Creates the directory, database and PKI when missing;
    /// `hosts` are extra names/IPs for a newly created server certificate.
    static Result<std::unique_ptr<ConsoleService>> open(const std::filesystem::path& dataDir,
                                                        const std::vector<std::string>& hosts = {});

    const std::filesystem::path& dataDir() const { return dataDir_; }
    ConsoleStore& store() { return *store_; }
    const Pki& pki() const { return pki_; }
    const std::string& caFingerprint() const { return pki_.caFingerprint(); }

    /// Replaces the clock used for sessions, lockout and audit times (tests).
    void setClock(Clock clock);

    /// First-run setup: the admin account and the listen addresses. The admin must change the
    /// password at first sign-in, except when `mustChangePassword` is false (the desktop's
    /// setup wizard, where the admin chose the password themselves).
    Status init(const std::string& adminUser, const std::string& adminPassword,
                const std::string& linkListen, const std::string& enrollListen,
                bool mustChangePassword = true);
    bool initialized() { return store_->userCount() > 0; }
    std::string linkListen();
    std::string enrollListen();

    // Sign-in and sessions.
    /// Verifies the Argon2id hash. Unknown user, wrong password and disabled account all fail
    /// with kSignInFailed; a locked account with "sign-in failed: account locked ...".
    /// A name that is no local user goes to the directory when one is configured
    /// (directory_service.cpp): the session gets the role of the user's mapped groups.
    Result<Session> signIn(const std::string& user, const std::string& password,
                           const std::string& source);
    void signOut(const Session& session);
    /// Checks that the session is live and refreshes its idle timer; the current role and
    /// forced-change flag are written back to `session`.
    Status refreshSession(Session& session);
    /// The only call allowed while a password change is required.
    Status changePassword(const Session& session, const std::string& oldPassword,
                          const std::string& newPassword);
    AuthPolicy authPolicy();
    Status setAuthPolicy(const Session& session, const AuthPolicy& policy);
    Status setAuthPolicy(const AuthPolicy& policy);

    // Users.
    Status addUser(const Session& session, const std::string& name, const std::string& password,
                   Role role);
    Status addUser(const std::string& name, const std::string& password, Role role);
    Result<std::vector<UserRow>> listUsers(const Session& session);
    Result<std::vector<UserRow>> listUsers() { return store_->listUsers(); }
    Status disableUser(const Session& session, const std::string& name);
    Status disableUser(const std::string& name);
    Status enableUser(const Session& session, const std::string& name);
    Status enableUser(const std::string& name);
    Status setUserRole(const Session& session, const std::string& name, Role role);
    Status setUserRole(const std::string& name, Role role);
    /// Another user's password; that user must change it at next sign-in.
    Status resetPassword(const Session& session, const std::string& name,
                         const std::string& newPassword);
    Status resetPassword(const std::string& name, const std::string& newPassword);

    // Sites, zones, sensors.
    Result<SiteRow> addSite(const Session& session, const std::string& name);
    Result<SiteRow> addSite(const std::string& name) { return store_->addSite(name); }
    Result<ZoneRow> addZone(const Session& session, const std::string& site,
                            const std::string& name);
    Result<ZoneRow> addZone(const std::string& site, const std::string& name) {
        return store_->addZone(site, name);
    }
    /// Adds a pending sensor and builds its signed activation file (token stored hashed only).
    Result<NewSensor> addSensor(const Session& session, const std::string& site,
                                const std::string& zone, const std::string& name,
                                std::chrono::milliseconds validity = std::chrono::hours(24 * 7));
    Result<NewSensor> addSensor(const std::string& site, const std::string& zone,
                                const std::string& name,
                                std::chrono::milliseconds validity = std::chrono::hours(24 * 7));
    /// Marks the sensor revoked; a running LinkServer cancels its stream within 2 s.
    Status revokeSensor(const Session& session, const std::string& idOrName);
    /// A new activation file for an existing sensor (Admin, like adding one): when the sensor
    /// activates with it, its new certificate replaces the old one, which is refused from then
    /// on and whose live streams end within 2 s.
    Result<NewSensor> reactivateSensor(const Session& session, const std::string& idOrName,
                                       std::chrono::milliseconds validity = std::chrono::hours(24 * 7));
    Result<NewSensor> reactivateSensor(const std::string& idOrName,
                                       std::chrono::milliseconds validity = std::chrono::hours(24 * 7));
    Status revokeSensor(const std::string& idOrName, const std::string& actor = "local-admin") {
        Status s = store_->revokeSensor(idOrName, actor);
        notifyLink();  // its unused activation is withdrawn
        return s;
    }

    // Site -> zone hierarchy. Deleting refuses a site with zones or a zone with sensors.
    Status renameSite(const Session& session, const std::string& site, const std::string& newName);
    Status renameSite(const std::string& site, const std::string& newName) {
        return store_->renameSite(site, newName);
    }
    Status deleteSite(const Session& session, const std::string& site);
    Status deleteSite(const std::string& site) { return store_->deleteSite(site); }
    Status renameZone(const Session& session, const std::string& site, const std::string& zone,
                      const std::string& newName);
    Status renameZone(const std::string& site, const std::string& zone,
                      const std::string& newName) {
        return store_->renameZone(site, zone, newName);
    }
    Status moveZone(const Session& session, const std::string& site, const std::string& zone,
                    const std::string& toSite);
    Status moveZone(const std::string& site, const std::string& zone, const std::string& toSite) {
        return store_->moveZone(site, zone, toSite);
    }
    Status deleteZone(const Session& session, const std::string& site, const std::string& zone);
    Status deleteZone(const std::string& site, const std::string& zone) {
        return store_->deleteZone(site, zone);
    }

    // Alert workflow (Action::TriageAlert / Action::CommentAlert: admin and analyst).
    /// Bulk status change, all-or-nothing; alerts already in `status` are left alone. Every
    /// changed alert is audited (alert.acknowledge | alert.close | alert.reopen).
    Status setAlertStatus(const Session& session, const std::vector<AlertKey>& alerts,
                          AlertStatus status);
    Status setAlertStatus(const std::vector<AlertKey>& alerts, AlertStatus status);
    /// Assigns to an enabled admin or analyst; "" unassigns.
    Status assignAlert(const Session& session, const AlertKey& alert, const std::string& user);
    Status assignAlert(const AlertKey& alert, const std::string& user);
    Status addAlertComment(const Session& session, const AlertKey& alert, const std::string& text);
    Status addAlertComment(const AlertKey& alert, const std::string& text);
    /// Comments of one alert, oldest first (readable by every role).
    Result<std::vector<AlertComment>> alertComments(const AlertKey& alert) {
        return store_->alertComments(alert);
    }
    /// Counts by severity, status, site and "site/zone" (total and open = not closed).
    Result<AlertCounts> alertCounts(const std::string& site = "", const std::string& zone = "") {
        return store_->alertCounts(site, zone);
    }
    /// Resolves an alert id (and optional sensor name or id) to keys.
    Result<std::vector<AlertKey>> findAlerts(const std::string& alertId,
                                             const std::string& sensor = "") {
        return store_->findAlerts(alertId, sensor);
    }

    // Commands to sensors (Action::CommandSensor: admin and analyst). Each is stored in the
    // commands table and audited (command.issue); a running LinkServer sends it on the sensor's
    // stream (within ~1 s when connected, else when it connects) and records the sensor's
    // answer (command.result). `sensor` is a name or id.
    Result<CommandRow> setSensorLearning(const Session& session, const std::string& sensor,
                                         bool on);
    Result<CommandRow> setSensorLearning(const std::string& sensor, bool on);
    /// Learn, routed to the sensor that raised the alert: its pattern joins that sensor's
    /// baseline and stops firing; when the sensor confirms, the alert is closed.
    Result<CommandRow> learnAlert(const Session& session, const AlertKey& alert);
    Result<CommandRow> learnAlert(const AlertKey& alert);
    /// Asks the alert's sensor for the packets it kept around the alert (a pcap); the answer's
    /// payload is read with commandPayload(). Needs CommandSensor.
    Result<CommandRow> requestEvidence(const Session& session, const AlertKey& alert);
    Result<CommandRow> requestEvidence(const AlertKey& alert);
    Result<std::string> commandPayload(const std::string& commandId) {
        return store_->commandPayload(commandId);
    }
    /// Mute (or unmute) the alert's type for its devices on the sensor that raised it.
    Result<CommandRow> muteAlert(const Session& session, const AlertKey& alert, bool muted = true);
    Result<CommandRow> muteAlert(const AlertKey& alert, bool muted = true);
    Result<CommandRow> addExclusion(const Session& session, const std::string& sensor,
                                    const ExclusionRule& rule);
    Result<CommandRow> addExclusion(const std::string& sensor, const ExclusionRule& rule);
    /// Pushes settings to a sensor (docs/SENSOR_CONFIG.md, "console push": capture filter, port
    /// aliases, ICS subnets, VLAN names, DHCP ranges) as a ConfigPush with `settings`. The
    /// sensor checks them as a whole, keeps them in its state dir and applies them at once, and
    /// answers what changed or why it refused. A push replaces the sensor's previous one; an
    /// empty `toml` hands the settings back to the sensor's own file. Checked here for TOML
    /// syntax and size (64 KiB) only: the sensor is the authority on its settings.
    Result<CommandRow> pushSensorSettings(const Session& session, const std::string& sensor,
                                          const std::string& toml);
    Result<CommandRow> pushSensorSettings(const std::string& sensor, const std::string& toml);
    /// The settings of the sensor's newest accepted push ("" when none, or withdrawn).
    Result<std::string> lastPushedSettings(const std::string& sensor);
    /// Asks a sensor to read its config file again (as SIGHUP does) and answer what changed.
    Result<CommandRow> reloadSensorSettings(const Session& session, const std::string& sensor);
    Result<CommandRow> reloadSensorSettings(const std::string& sensor);
    /// Asks a sensor to renew its client certificate now over the authenticated link (kind
    /// renew_certificate): it makes a new key, the console issues a certificate for the same
    /// identity, the old one is refused once the new one is used. The link server also asks by
    /// itself when a sensor's certificate is past two thirds of its lifetime (actor "console").
    Result<CommandRow> renewSensorCertificate(const Session& session, const std::string& sensor);
    Result<CommandRow> renewSensorCertificate(const std::string& sensor,
                                              const AuditActor& by = AuditActor{});
    /// Newest first (every role may read them).
    Result<std::vector<CommandRow>> listCommands(const std::string& sensor = "") {
        return store_->listCommands(sensor);
    }
    /// Called after a command is issued or an activation is created or withdrawn in this
    /// process, so a LinkServer reacts at once (it also polls for other processes' changes).
    void setLinkListener(std::function<void()> listener);

    Result<std::vector<SiteRow>> listSites() { return store_->listSites(); }
    Result<std::vector<ZoneRow>> listZones() { return store_->listZones(); }
    Result<std::vector<SensorRow>> listSensors() { return store_->listSensors(); }
    Result<std::vector<SensorHealth>> sensorHealth() { return store_->sensorHealth(); }
    Result<std::vector<DeviceRow>> listDevices() { return store_->listDevices(); }
    Result<std::vector<AlertRow>> listAlerts() { return store_->listAlerts(); }
    Result<AlertTimeRange> alertTimeRange() { return store_->alertTimeRange(); }
    Result<std::vector<SeverityCounts>> alertCountsOverTime(
        const std::vector<std::int64_t>& boundariesMs) {
        return store_->alertCountsOverTime(boundariesMs);
    }
    Result<std::vector<OpenAlertGroup>> openAlertGroups() { return store_->openAlertGroups(); }
    /// Filtered and paged in SQL: what a list view at 1,000,000 alerts should ask for.
    Result<std::vector<AlertRow>> queryAlerts(const AlertQuery& q) {
        return store_->queryAlerts(q);
    }
    Result<std::int64_t> countAlerts(const AlertQuery& q) { return store_->countAlerts(q); }
    Result<std::vector<DeviceRow>> searchDevices(const std::string& term, int limit = 500,
                                                 int offset = 0) {
        return store_->searchDevices(term, limit, offset);
    }
    Result<std::vector<ConnectionRow>> listConnections() { return store_->listConnections(); }

    // Devices (docs/CONSOLE.md "Devices"): one device per group of observations; every role
    // reads them, Action::EditDevice (admin, analyst) edits, merges and splits them,
    // Action::ManageZoneRules (admin) sets VLAN and capture interface zone rules. Changes are
    // audited (device.*).
    Result<DeviceRow> findDevice(std::int64_t groupId) { return store_->findDevice(groupId); }
    /// The device holding a sensor's observation (`sensor`: name or id).
    Result<std::int64_t> deviceGroupOf(const std::string& sensor, const std::string& deviceId) {
        return store_->deviceGroupOf(sensor, deviceId);
    }
    Status editDevice(const Session& session, std::int64_t groupId, const DeviceEdit& edit);
    Status editDevice(std::int64_t groupId, const DeviceEdit& edit) {
        return store_->editDevice(groupId, edit);
    }
    Status mergeDevices(const Session& session, std::int64_t into, std::int64_t from);
    Status mergeDevices(std::int64_t into, std::int64_t from) {
        return store_->mergeDevices(into, from);
    }
    Result<std::int64_t> splitDevice(const Session& session, const std::string& sensor,
                                     const std::string& deviceId);
    Result<std::int64_t> splitDevice(const std::string& sensor, const std::string& deviceId) {
        return store_->splitDevice(sensor, deviceId);
    }
    Status setZoneRule(const Session& session, const std::string& sensor, std::uint32_t vlan,
                       const std::string& zone);
    Status setZoneRule(const std::string& sensor, std::uint32_t vlan, const std::string& zone) {
        return store_->setZoneRule(sensor, vlan, zone);
    }
    Status removeZoneRule(const Session& session, const std::string& sensor, std::uint32_t vlan);
    Status removeZoneRule(const std::string& sensor, std::uint32_t vlan) {
        return store_->removeZoneRule(sensor, vlan);
    }
    Status setInterfaceZoneRule(const Session& session, const std::string& sensor,
                                const std::string& interface, const std::string& zone);
    Status setInterfaceZoneRule(const std::string& sensor, const std::string& interface,
                                const std::string& zone) {
        return store_->setInterfaceZoneRule(sensor, interface, zone);
    }
    Status removeInterfaceZoneRule(const Session& session, const std::string& sensor,
                                   const std::string& interface);
    Status removeInterfaceZoneRule(const std::string& sensor, const std::string& interface) {
        return store_->removeInterfaceZoneRule(sensor, interface);
    }
    Result<std::vector<ZoneRule>> listZoneRules() { return store_->listZoneRules(); }
    Result<std::vector<AuditRow>> listAudit() { return store_->listAudit(); }
    Result<std::vector<AuditRow>> listAudit(const Session& session);
    /// Differs from the previous value when anything was committed since (any process).
    std::uint64_t changeStamp() { return store_->changeStamp(); }

    /// Devices in the `analyze --json` device shape plus site, zone, sensors (JSON), or CSV.
    Result<std::string> exportDevices(ExportFormat format);
    Result<std::string> exportDevices(const Session& session, ExportFormat format);
    /// Alerts in the `analyze --json` alert shape plus status, site, zone, sensor, or CSV.
    Result<std::string> exportAlerts(ExportFormat format);
    Result<std::string> exportAlerts(const Session& session, ExportFormat format);
    /// `sensor list --json` text.
    /// `health`: the sensors' latest health records (docs/CONSOLE.md "Sensors"); a sensor without
    /// one gets "health": null.
    static std::string sensorsToJson(const std::vector<SensorRow>& sensors,
                                     const std::vector<SensorHealth>& health = {});
    /// `user list --json` text (no password hashes).
    static std::string usersToJson(const std::vector<UserRow>& users);

    // Backup and retention (restoreDatabase() in backup.h restores: no console may be open).
    /// Online backup of console.db to `dest` (refuses an existing file), integrity-checked.
    /// `progress` (may be empty) sees the copy advance and may cancel (backupDatabase()).
    Result<BackupInfo> backup(const Session& session, const std::filesystem::path& dest,
                              const BackupProgress& progress = {});
    Result<BackupInfo> backup(const std::filesystem::path& dest,
                              const BackupProgress& progress = {});
    /// The stored retention policy (settings retention.*; 0 = keep forever).
    RetentionPolicy retentionPolicy();
    Status setRetentionPolicy(const Session& session, const RetentionPolicy& policy);
    Status setRetentionPolicy(const RetentionPolicy& policy);
    /// Applies the stored policy now (ConsoleStore::applyRetention).
    Result<RetentionResult> runRetention(const Session& session,
                                         const RetentionControl& control = {});
    Result<RetentionResult> runRetention(const RetentionControl& control = {});

    // SIEM forwarding rules (sent by the Forwarder in forwarding.h, run by --headless).
    /// Checks the rule (checkForwardRule) and stores it; alerts first seen from now on that
    /// match it are forwarded.
    Result<ForwardRule> addForwardRule(const Session& session, const ForwardRule& rule);
    Result<ForwardRule> addForwardRule(const ForwardRule& rule);
    Result<std::vector<ForwardRule>> listForwardRules(const Session& session);
    /// The rules without their SMTP passwords (hasSmtpPassword tells whether one is set).
    Result<std::vector<ForwardRule>> listForwardRules();
    Status removeForwardRule(const Session& session, std::int64_t id);
    Status removeForwardRule(std::int64_t id) { return store_->removeForwardRule(id); }
    /// An e-mail rule's SMTP user and password (both, or both empty for no AUTH); audited as
    /// forward.credentials without the password.
    Status setForwardCredentials(const Session& session, std::int64_t id, const std::string& user,
                                 const std::string& password);
    Status setForwardCredentials(std::int64_t id, const std::string& user,
                                 const std::string& password);

    // Offline vulnerability data (cve.h).
    /// Imports an NVD CVE JSON 2.0 feed file; returns how many CVE records it held.
    Result<std::size_t> importCveFeed(const Session& session, const std::filesystem::path& file);
    Result<std::size_t> importCveFeed(const std::filesystem::path& file) {
        return importNvdFeedFile(*store_, file);
    }
    /// Devices with matching CVEs and their risk score, highest risk first (every role).
    Result<std::vector<DeviceVulnerabilities>> deviceVulnerabilities() {
        return matchDevices(*store_);
    }

    // Console certificate: the link listener's server identity (cert_import.h). A running
    // LinkServer (in any process) presents a new identity to new connections within ~1 s.
    // Enrollment keeps the console-CA certificate; sensor certificates stay with the console CA.
    /// Checks (checkServerIdentity) and installs a CA-signed server certificate. Sensors enrolled
    /// before trust only the console CA (and an earlier import's root): when the root CA changes
    /// and enrolled sensors exist, refuses unless `force` (they need re-activation). Admin only
    /// (Action::ManageCertificates); audited, failures too.
    Result<CheckedIdentity> importServerCertificate(const Session& session,
                                                    const CertificateImport& files,
                                                    bool force = false);
    Result<CheckedIdentity> importServerCertificate(const CertificateImport& files,
                                                    bool force = false);
    /// Goes back to the server certificate issued by the console CA (every sensor trusts it).
    Status useGeneratedCertificate(const Session& session);
    Status useGeneratedCertificate();
    /// The identity in force, read from disk (another process may have changed it).
    Result<LinkIdentityInfo> linkIdentity() { return readLinkIdentity(dataDir_ / "pki"); }
    /// The CA bundle handed to an enrolling sensor: the console CA plus an imported root CA.
    std::string sensorTrustPem() const {
        return core::sensorTrustPem(dataDir_ / "pki", pki_.caCertPem());
    }

    // Directory sign-in (directory.h, directory_service.cpp; docs/CONSOLE.md).
    /// The stored settings (url empty = off), bind password included: never print it.
    Result<DirectoryConfig> directoryConfig();
    /// Checks (checkDirectoryConfig) and stores; an empty url turns directory sign-in off.
    /// Audited as directory.change, the bind password only as changed or unchanged. Admin only
    /// (Action::ManageDirectory).
    Status setDirectoryConfig(const Session& session, const DirectoryConfig& config);
    Status setDirectoryConfig(const DirectoryConfig& config);
    /// `admin directory test`: looks the user up and tries the password with the stored
    /// settings, without signing in or counting towards lockout; audited as directory.test.
    DirectoryAuthResult testDirectory(const std::string& user, const std::string& password);

    // Audit log.
    Result<AuditVerification> verifyAudit() { return store_->verifyAudit(); }
    /// The whole log with its chain fields: CSV with a header line, or {"audit": [...]}.
    Result<std::string> exportAudit(ExportFormat format);
    Result<std::string> exportAudit(const Session& session, ExportFormat format);
    static std::string auditToText(const std::vector<AuditRow>& rows, ExportFormat format);

    /// Inventory or alert report for CSV/PDF (report.h); needs ExportData, audited with the
    /// filter. `session` nullptr = local administrator. Defined in report.cpp.
    Result<ReportTable> report(const Session* session, ReportKind kind, const ReportFilter& filter);

private:
    ConsoleService(std::filesystem::path dataDir, std::unique_ptr<ConsoleStore> store, Pki pki,
                   DataDirLock lock)
        : dataDir_(std::move(dataDir)),
          store_(std::move(store)),
          pki_(std::move(pki)),
          lock_(std::move(lock)) {}

    /// Server-side state of a session.
    struct SessionState {
        std::string user;
        std::string source;
        std::int64_t lastActiveMs = 0;
        bool directory = false;     ///< no users row: the role below is the one granted
        Role role = Role::Viewer;  ///< directory sessions only
    };

    /// Checks `session` (nullptr = local administrator) for `action`; audits refusals.
    Result<AuditActor> authorize(const Session* session, Action action, const std::string& target);
    Result<NewSensor> addSensorAs(const AuditActor& by, const std::string& site,
                                  const std::string& zone, const std::string& name,
                                  std::chrono::milliseconds validity);
    Result<NewSensor> reactivateSensorAs(const AuditActor& by, const std::string& idOrName,
                                         std::chrono::milliseconds validity);
    /// The activation file's payload, signed (addSensorAs, reactivateSensor).
    Result<std::string> activationText(const SensorRow& sensor, const crypto::Bytes& token,
                                       const std::string& bundleId, std::int64_t now,
                                       std::int64_t notAfter);
    Status storeAuthPolicy(const AuditActor& by, const AuthPolicy& policy);
    Status checkTargetUser(const Session* session, const std::string& name, Action action);
    Result<BackupInfo> backupAs(const AuditActor& by, const std::filesystem::path& dest,
                                const BackupProgress& progress);
    Status storeRetentionPolicy(const AuditActor& by, const RetentionPolicy& policy);
    Result<CommandRow> issueCommand(const AuditActor& by, const std::string& sensor,
                                    const std::string& kind, const std::string& arguments);
    Result<CommandRow> alertCommand(const Session* session, const AlertKey& alert,
                                    const std::string& kind, const std::string& arguments);
    void notifyLink();
    Result<CheckedIdentity> importCertificateAs(const AuditActor& by,
                                                const CertificateImport& files, bool force);
    Status useGeneratedAs(const AuditActor& by);
    Result<Session> signInDirectory(const DirectoryConfig& config, const std::string& user,
                                    const std::string& password, const std::string& source);
    Status storeDirectoryConfig(const AuditActor& by, const DirectoryConfig& config);
    Session newSession(const std::string& user, Role role, const std::string& source,
                       bool mustChangePassword, bool directory);

    std::filesystem::path dataDir_;
    std::unique_ptr<ConsoleStore> store_;
    Pki pki_;
    Clock clock_ = &nowMs;
    std::mutex sessionsMutex_;
    std::map<std::string, SessionState> sessions_;  // by token
    std::mutex listenerMutex_;
    std::function<void()> linkListener_;
    std::mutex directoryLockoutMutex_;  // read-modify-write of directory.lockout.* settings
    DataDirLock lock_;  // shared: a restore refuses while any console has the directory open
};

/// "host:port" -> host (brackets of an IPv6 literal removed); empty when malformed.
std::string hostOf(const std::string& hostPort);

}  // namespace ironsight::console::core
