// SPDX-License-Identifier: Apache-2.0
// Console roles, the role x action matrix, password policy, sessions and the audit hash chain.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shared/base/result.h"

namespace ironsight::console::core {

/// Admin, Security Analyst, Read-only (stored as "admin", "analyst", "viewer").
enum class Role { Admin, Analyst, Viewer };

const char* roleName(Role role);
/// "admin" | "analyst" | "viewer" (and the schema-v1 spelling "readonly").
std::optional<Role> roleFromName(std::string_view name);

/// Every mutating (or sensitive) operation of the core API; each has one row in roleMatrix().
enum class Action {
    ChangeOwnPassword,
    AddSite,
    AddZone,
    AddSensor,
    RevokeSensor,
    AddUser,
    ListUsers,
    DisableUser,
    EnableUser,
    SetUserRole,
    ResetPassword,
    ChangeAuthPolicy,
    ExportData,
    ViewAudit,
    ExportAudit,
    TriageAlert,  ///< acknowledge, close, reopen, assign (also in bulk)
    CommentAlert,
    RenameSite,
    DeleteSite,
    RenameZone,
    MoveZone,
    DeleteZone,
    BackupData,
    ChangeRetention,
    ManageForwarding,
    ImportVulnerabilities,
    CommandSensor,  ///< learning mode, Learn / Mute an alert, exclusions (commands to a sensor)
    ManageCertificates,  ///< import the console's server certificate or go back to the generated
    ManageDirectory,     ///< directory (LDAP / AD) sign-in settings
    EditDevice,          ///< a device's name, type, Purdue level, criticality, ...; merge, split
    ManageZoneRules,     ///< sensor VLAN / capture interface -> zone rules
};

/// The last Action (tests iterate 0..kLastAction).
inline constexpr Action kLastAction = Action::ManageZoneRules;

/// One row of the role matrix: the audit code, the phrase used in refusals, who may do it.
struct ActionRule {
    Action action;
    const char* code;    ///< audit "what", e.g. "site.add"
    const char* phrase;  ///< "permission denied: viewer may not <phrase>"
    bool admin, analyst, viewer;
};

/// The role matrix, the single place where permissions are decided.
const std::vector<ActionRule>& roleMatrix();
const ActionRule& ruleFor(Action action);
bool allowed(Role role, Action action);
/// "permission denied: <role> may not <phrase>".
std::string permissionDenied(Role role, Action action);

inline constexpr const char* kSignInFailed = "sign-in failed: wrong user name or password";
inline constexpr const char* kSessionExpired = "session expired, sign in again";
inline constexpr const char* kMustChangePassword =
    "password change required: set a new password before any other action";

// Settings keys (settings table) of the sign-in policy; values are decimal integers.
inline constexpr const char* kSettingLockoutThreshold = "auth.lockout_threshold";
inline constexpr const char* kSettingLockoutWindowMinutes = "auth.lockout_window_minutes";
inline constexpr const char* kSettingLockoutMinutes = "auth.lockout_minutes";
inline constexpr const char* kSettingSessionIdleMinutes = "auth.session_idle_minutes";

/// Lockout and session timeout; defaults per SPEC (5 failures in 15 min lock for 15 min; 30 min).
struct AuthPolicy {
    int lockoutThreshold = 5;
    int lockoutWindowMinutes = 15;
    int lockoutMinutes = 15;
    int sessionIdleMinutes = 30;
};

/// Min 12 characters, not the user name, at least 3 of 4 character classes. The error names
/// the rule that failed.
Status checkPasswordPolicy(const std::string& user, const std::string& password);

/// Argon2id (t=3, m=64 MiB, p=1, 16-byte salt, 32-byte hash) in the PHC encoded form.
Result<std::string> hashPassword(const std::string& password);
/// True when `password` matches the encoded Argon2id hash.
bool verifyPassword(const std::string& encodedHash, const std::string& password);

/// A signed-in user as returned by signIn(); pass it to every call made on the user's behalf.
/// The core keeps the authoritative state (idle time, role, forced change) keyed by `token`.
struct Session {
    std::string token;
    std::string user;
    Role role = Role::Viewer;
    std::string source;  ///< where the user signs in from ("desktop", peer address, ...)
    bool mustChangePassword = false;
    std::int64_t signedInMs = 0;
    bool directory = false;  ///< signed in through the directory (role from its groups)
};

/// Milliseconds since the Unix epoch (UTC); injectable for tests of lockout and timeouts.
using Clock = std::function<std::int64_t()>;

/// One audit_log record (IEC 62443-3-3 SR 2.8: who, what, when, source, outcome).
struct AuditRow {
    std::int64_t timeMs = 0;
    std::string actor, action, target, source, outcome;
    std::int64_t id = 0;
    std::string prevHash;  ///< hash of the previous record ("" for the first)
    std::string hash;      ///< SHA-256 hex of prevHash + this record's canonical fields
};

/// The chain hash of `row` (uses id, timeMs, actor, action, target, source, outcome, prevHash).
std::string auditRecordHash(const AuditRow& row);

/// Result of walking the chain. `brokenAt` is the 1-based position (in id order) of the first
/// record that is altered or missing, 0 when the log is intact.
struct AuditVerification {
    std::int64_t records = 0;
    std::int64_t brokenAt = 0;
    std::string reason;
    std::string headHash;
    bool intact() const { return brokenAt == 0; }
};

}  // namespace ironsight::console::core
