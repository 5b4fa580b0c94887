// SPDX-License-Identifier: Apache-2.0
// ConsoleService's directory sign-in: stored settings, sign-in with lockout, the admin test.
#include <sstream>

#include "console/core/console_service.h"

namespace ironsight::console::core {
namespace {

/// A directory user's failed sign-ins, kept in the settings table as "<failures> <first> <until>"
/// under kSettingDirectoryLockoutPrefix + the normalized DN (no users row to hold them).
struct DirectoryLockout {
    std::int64_t failures = 0;
    std::int64_t firstFailureMs = 0;
    std::int64_t lockedUntilMs = 0;
};

DirectoryLockout parseLockout(const std::optional<std::string>& text) {
    DirectoryLockout l;
    if (!text || text->empty()) return l;
    std::istringstream in(*text);
    in >> l.failures >> l.firstFailureMs >> l.lockedUntilMs;
    return in ? l : DirectoryLockout{};
}

std::string formatLockout(const DirectoryLockout& l) {
    return std::to_string(l.failures) + " " + std::to_string(l.firstFailureMs) + " " +
           std::to_string(l.lockedUntilMs);
}

/// The audit text of a configuration: everything but the bind password.
std::string describe(const DirectoryConfig& c, bool passwordChanged) {
    std::string groups;
    for (const auto& g : c.groups) {
        groups += (groups.empty() ? "" : "; ") + std::string(roleName(g.role)) + "=" + g.dn;
    }
    return "url " + c.url + ", tls " + directoryTlsName(c.tls) + ", ca file " +
           (c.caFile.empty() ? "(system)" : c.caFile) + ", bind dn " +
           (c.bindDn.empty() ? "(anonymous)" : c.bindDn) + ", bind password " +
           (passwordChanged ? "changed" : "unchanged") + ", base " + c.base + ", filter " +
           c.filter + ", groups " + groups + ", timeout " + std::to_string(c.timeoutSeconds) + " s";
}

}  // namespace

Result<DirectoryConfig> ConsoleService::directoryConfig() {
    auto get = [this](const char* key) { return store_->setting(key).value_or(""); };
    DirectoryConfig c;
    c.url = get(kSettingDirectoryUrl);
    const std::string tls = get(kSettingDirectoryTls);
    // An unknown stored value reads as None, which checkDirectoryConfig refuses by name.
    c.tls = tls.empty() ? defaultDirectoryTls(c.url)
                        : directoryTlsFromName(tls).value_or(DirectoryTls::None);
    c.caFile = get(kSettingDirectoryCaFile);
    c.bindDn = get(kSettingDirectoryBindDn);
    c.bindPassword = get(kSettingDirectoryBindPassword);
    c.base = get(kSettingDirectoryBase);
    if (std::string filter = get(kSettingDirectoryFilter); !filter.empty()) c.filter = filter;
    auto groups = directoryGroupsFromJson(get(kSettingDirectoryGroups));
    if (!groups) return groups.error();
    c.groups = std::move(*groups);
    if (std::string t = get(kSettingDirectoryTimeout); !t.empty()) {
        try {
            c.timeoutSeconds = std::stoi(t);
        } catch (const std::exception&) {
            c.timeoutSeconds = 0;  // refused by checkDirectoryConfig
        }
    }
    return c;
}

Status ConsoleService::setDirectoryConfig(const Session& session, const DirectoryConfig& config) {
    auto by = authorize(&session, Action::ManageDirectory, "directory");
    if (!by) return by.error();
    return storeDirectoryConfig(*by, config);
}

Status ConsoleService::setDirectoryConfig(const DirectoryConfig& config) {
    return storeDirectoryConfig(AuditActor{}, config);
}

Status ConsoleService::storeDirectoryConfig(const AuditActor& by, const DirectoryConfig& config) {
    const char* code = ruleFor(Action::ManageDirectory).code;
    if (!config.enabled()) {
        if (auto s = store_->setSetting(kSettingDirectoryUrl, ""); !s) return s;
        return store_->audit(by.actor, code, "directory", by.source, "ok: directory sign-in off");
    }
    if (auto s = checkDirectoryConfig(config); !s) {
        (void)store_->audit(by.actor, code, "directory", by.source,
                            "failure: " + s.error().message);
        return s;
    }
    auto old = directoryConfig();
    const bool passwordChanged = !old || old->bindPassword != config.bindPassword;
    for (auto [key, value] :
         {std::pair{kSettingDirectoryUrl, config.url},
          std::pair{kSettingDirectoryTls, std::string(directoryTlsName(config.tls))},
          std::pair{kSettingDirectoryCaFile, config.caFile},
          std::pair{kSettingDirectoryBindDn, config.bindDn},
          std::pair{kSettingDirectoryBindPassword, config.bindPassword},
          std::pair{kSettingDirectoryBase, config.base},
          std::pair{kSettingDirectoryFilter, config.filter},
          std::pair{kSettingDirectoryGroups, directoryGroupsToJson(config.groups)},
          std::pair{kSettingDirectoryTimeout, std::to_string(config.timeoutSeconds)}}) {
        if (auto s = store_->setSetting(key, value); !s) return s;
    }
    return store_->audit(by.actor, code, "directory", by.source,
                         "ok: " + describe(config, passwordChanged));
}

DirectoryAuthResult ConsoleService::testDirectory(const std::string& user,
                                                  const std::string& password) {
    DirectoryAuthResult r;
    auto config = directoryConfig();
    if (!config) {
        r.failure = DirectoryFailure::Config;
        r.message = config.error().message;
    } else if (!config->enabled()) {
        r.failure = DirectoryFailure::Config;
        r.message = "directory sign-in is not configured ('admin directory set --url ...')";
    } else {
        r = authenticateDirectoryUser(*config, user, password);
    }
    (void)store_->audit(
        "local-admin", "directory.test", user, "local",
        r.ok() ? "ok: " + r.dn + ", role " + roleName(r.role) : "failure: " + r.message);
    return r;
}

Result<Session> ConsoleService::signInDirectory(const DirectoryConfig& config,
                                                const std::string& user,
                                                const std::string& password,
                                                const std::string& source) {
    const AuthPolicy policy = authPolicy();
    // Keyed by the entry's DN, so other spellings of the name ("Alice", "alice ") share it.
    std::string lockKey;
    auto gate = [&](const std::string& dn) -> std::string {
        lockKey = kSettingDirectoryLockoutPrefix + normalizeDirectoryDn(dn);
        DirectoryLockout l = parseLockout(store_->setting(lockKey));
        const std::int64_t now = clock_();
        if (l.lockedUntilMs <= now) return {};
        return "sign-in failed: account locked, try again in " +
               std::to_string((l.lockedUntilMs - now + 59'999) / 60'000) + " min";
    };
    DirectoryAuthResult r = authenticateDirectoryUser(config, user, password, gate);
    auto audit = [&](const std::string& outcome) {
        (void)store_->audit(user, "user.sign_in", user, source, outcome);
    };
    switch (r.failure) {
        case DirectoryFailure::None: {
            std::lock_guard lock(directoryLockoutMutex_);
            if (!lockKey.empty() && !store_->setting(lockKey).value_or("").empty()) {
                (void)store_->setSetting(lockKey, "");  // a success ends the failure window
            }
            audit("ok: directory " + r.dn + ", role " + roleName(r.role) + " from " + r.roleGroup);
            return newSession(user, r.role, source, false, true);
        }
        case DirectoryFailure::Locked:
            audit("refused: account locked (directory)");
            return makeError(r.message);
        case DirectoryFailure::WrongPassword: {
            std::lock_guard lock(directoryLockoutMutex_);
            const std::int64_t now = clock_();
            DirectoryLockout l = parseLockout(store_->setting(lockKey));
            const std::int64_t windowMs = std::int64_t{policy.lockoutWindowMinutes} * 60'000;
            if (l.failures == 0 || now - l.firstFailureMs > windowMs) {
                l.failures = 1;
                l.firstFailureMs = now;
            } else {
                ++l.failures;
            }
            const bool locked = l.failures >= policy.lockoutThreshold;
            if (locked) {
                l = {0, 0, now + std::int64_t{policy.lockoutMinutes} * 60'000};
            }
            if (auto s = store_->setSetting(lockKey, formatLockout(l)); !s) return s.error();
            audit("failure: wrong password (directory)");
            if (locked) {
                (void)store_->audit("console", "user.lockout", user, source,
                                    "locked for " + std::to_string(policy.lockoutMinutes) +
                                        " min after " + std::to_string(policy.lockoutThreshold) +
                                        " failed sign-ins (directory)");
            }
            return makeError(kSignInFailed);
        }
        case DirectoryFailure::UserNotFound:
            audit("failure: unknown user (directory: " + r.message + ")");
            return makeError(kSignInFailed);
        case DirectoryFailure::NoMappedGroup:
            audit("refused: directory: " + r.message);
            return makeError("sign-in refused: " + user +
                             " is in no directory group that grants a console role (ask an "
                             "administrator to map one of your groups)");
        case DirectoryFailure::Connect:
        case DirectoryFailure::Tls:
            audit("failure: directory: " + r.message);
            return makeError("sign-in failed: directory unavailable: " + r.message);
        case DirectoryFailure::Config:
        case DirectoryFailure::ServiceBind:
        case DirectoryFailure::Protocol:
            break;
    }
    audit("failure: directory: " + r.message);
    return makeError(
        "sign-in failed: directory sign-in is misconfigured (an administrator can run "
        "'ironsight-console admin directory test USER')");
}

}  // namespace ironsight::console::core
