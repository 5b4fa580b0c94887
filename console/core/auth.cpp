// SPDX-License-Identifier: Apache-2.0
// The role matrix, password policy and audit record hashing.
#include "console/core/auth.h"

#include <argon2.h>

#include <cctype>

#include "shared/crypto/crypto.h"

namespace ironsight::console::core {

const char* roleName(Role role) {
    switch (role) {
        case Role::Admin:
            return "admin";
        case Role::Analyst:
            return "analyst";
        case Role::Viewer:
            return "viewer";
    }
    return "viewer";
}

std::optional<Role> roleFromName(std::string_view name) {
    if (name == "admin") return Role::Admin;
    if (name == "analyst") return Role::Analyst;
    if (name == "viewer" || name == "readonly") return Role::Viewer;
    return std::nullopt;
}

const std::vector<ActionRule>& roleMatrix() {
    // clang-format off
    //                                                                       admin analyst viewer
    static const std::vector<ActionRule> matrix = {
        {Action::ChangeOwnPassword, "user.change_password", "change their own password",
                                                                               true,  true,  true},
        {Action::AddSite,          "site.add",            "add sites",         true,  false, false},
        {Action::AddZone,          "zone.add",            "add zones",         true,  false, false},
        {Action::AddSensor,        "sensor.add",          "add sensors or issue activations",
                                                                               true,  false, false},
        {Action::RevokeSensor,     "sensor.revoke",       "revoke sensors",    true,  false, false},
        {Action::AddUser,          "user.add",            "add users",         true,  false, false},
        {Action::ListUsers,        "user.list",           "list users",        true,  false, false},
        {Action::DisableUser,      "user.disable",        "disable users",     true,  false, false},
        {Action::EnableUser,       "user.enable",         "enable users",      true,  false, false},
        {Action::SetUserRole,      "user.set_role",       "change user roles", true,  false, false},
        {Action::ResetPassword,    "user.reset_password", "reset other users' passwords",
                                                                               true,  false, false},
        {Action::ChangeAuthPolicy, "settings.auth",       "change sign-in settings",
                                                                               true,  false, false},
        {Action::ExportData,       "export.data",         "export devices or alerts",
                                                                               true,  true,  false},
        {Action::ViewAudit,        "audit.view",          "view the audit log", true, true,  false},
        {Action::ExportAudit,      "audit.export",        "export the audit log",
                                                                               true,  false, false},
        {Action::TriageAlert,      "alert.triage",        "triage alerts",     true,  true,  false},
        {Action::CommentAlert,     "alert.comment",       "comment on alerts", true,  true,  false},
        {Action::RenameSite,       "site.rename",         "rename sites",      true,  false, false},
        {Action::DeleteSite,       "site.delete",         "delete sites",      true,  false, false},
        {Action::RenameZone,       "zone.rename",         "rename zones",      true,  false, false},
        {Action::MoveZone,         "zone.move",           "move zones",        true,  false, false},
        {Action::DeleteZone,       "zone.delete",         "delete zones",      true,  false, false},
        {Action::BackupData,       "backup.create",       "back up the console database",
                                                                               true,  false, false},
        {Action::ChangeRetention,  "retention.change",    "change or run data retention",
                                                                               true,  false, false},
        {Action::ManageForwarding, "forward.change",      "manage SIEM forwarding rules",
                                                                               true,  false, false},
        {Action::ImportVulnerabilities, "cve.import",     "import vulnerability feeds",
                                                                               true,  true,  false},
        {Action::CommandSensor,    "command.issue",       "send commands to sensors (learning, "
                                   "Learn, Mute, exclusions)",                 true,  true,  false},
        {Action::ManageCertificates, "cert.import",     "change the console certificate",
                                                                               true,  false, false},
        {Action::ManageDirectory,  "directory.change",    "change directory sign-in settings",
                                                                               true,  false, false},
        {Action::EditDevice,       "device.edit",         "edit, merge or split devices",
                                                                               true,  true,  false},
        {Action::ManageZoneRules,  "device.zone_rule",    "change VLAN and interface zone rules",
                                                                               true,  false, false},
    };
    // clang-format on
    return matrix;
}

const ActionRule& ruleFor(Action action) {
    for (const auto& rule : roleMatrix()) {
        if (rule.action == action) return rule;
    }
    return roleMatrix().front();  // unreachable: every Action has a row (tested)
}

bool allowed(Role role, Action action) {
    const ActionRule& rule = ruleFor(action);
    switch (role) {
        case Role::Admin:
            return rule.admin;
        case Role::Analyst:
            return rule.analyst;
        case Role::Viewer:
            return rule.viewer;
    }
    return false;
}

std::string permissionDenied(Role role, Action action) {
    return std::string("permission denied: ") + roleName(role) + " may not " +
           ruleFor(action).phrase;
}

Status checkPasswordPolicy(const std::string& user, const std::string& password) {
    if (password.size() < 12) return makeError("password must have at least 12 characters");
    if (password.size() > 1024) return makeError("password must have at most 1024 characters");
    auto lower = [](std::string s) {
        for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        return s;
    };
    if (lower(password) == lower(user)) return makeError("password must not be the user name");
    bool lowerCase = false, upperCase = false, digit = false, other = false;
    for (char ch : password) {
        auto c = static_cast<unsigned char>(ch);
        if (std::islower(c)) {
            lowerCase = true;
        } else if (std::isupper(c)) {
            upperCase = true;
        } else if (std::isdigit(c)) {
            digit = true;
        } else {
            other = true;
        }
    }
    int classes = int(lowerCase) + int(upperCase) + int(digit) + int(other);
    if (classes < 3) {
        return makeError(
            "password must mix at least 3 of: lower-case letters, upper-case letters, digits, "
            "symbols (it has " +
            std::to_string(classes) + ")");
    }
    return {};
}

namespace {
constexpr std::uint32_t kArgonTime = 3;
constexpr std::uint32_t kArgonMemoryKiB = 64 * 1024;
constexpr std::uint32_t kArgonLanes = 1;
constexpr std::size_t kArgonHashLen = 32;
constexpr std::size_t kArgonSaltLen = 16;
}  // namespace

Result<std::string> hashPassword(const std::string& password) {
    crypto::Bytes salt = crypto::randomBytes(kArgonSaltLen);
    std::size_t len = argon2_encodedlen(kArgonTime, kArgonMemoryKiB, kArgonLanes, kArgonSaltLen,
                                        kArgonHashLen, Argon2_id);
    std::string encoded(len, '\0');
    int rc = argon2id_hash_encoded(kArgonTime, kArgonMemoryKiB, kArgonLanes, password.data(),
                                   password.size(), salt.data(), salt.size(), kArgonHashLen,
                                   encoded.data(), encoded.size());
    if (rc != ARGON2_OK)
        return makeError(std::string("password hashing failed: ") + argon2_error_message(rc));
    encoded.resize(std::char_traits<char>::length(encoded.c_str()));
    return encoded;
}

bool verifyPassword(const std::string& encodedHash, const std::string& password) {
    return argon2id_verify(encodedHash.c_str(), password.data(), password.size()) == ARGON2_OK;
}

std::string auditRecordHash(const AuditRow& row) {
    // Length-prefixed fields: no two different records share a canonical form.
    std::string canonical = "ironsight-audit-v1\n";
    auto field = [&canonical](const std::string& v) {
        canonical += std::to_string(v.size()) + ":" + v + "\n";
    };
    field(row.prevHash);
    field(std::to_string(row.id));
    field(std::to_string(row.timeMs));
    field(row.actor);
    field(row.action);
    field(row.target);
    field(row.source);
    field(row.outcome);
    const auto* data = reinterpret_cast<const std::uint8_t*>(canonical.data());
    return crypto::toHex(crypto::sha256({data, canonical.size()}));
}

}  // namespace ironsight::console::core
