// SPDX-License-Identifier: Apache-2.0
// ConsoleService: data dir, first-run setup, activation files, read API and exports.
#include "console/core/console_service.h"

#include <toml++/toml.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <ctime>
#include <sstream>

#include "console/core/forwarding.h"
#include "shared/activation/activation.h"
#include "shared/crypto/crypto.h"

namespace ironsight::console::core {
namespace fs = std::filesystem;
using nlohmann::json;
namespace {

std::string csvField(const std::string& v) {
    if (v.find_first_of(",\"\n\r") == std::string::npos) return v;
    std::string out = "\"";
    for (char c : v) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

std::string csvLine(const std::vector<std::string>& fields) {
    std::string line;
    for (std::size_t i = 0; i < fields.size(); ++i) {
        if (i) line += ',';
        line += csvField(fields[i]);
    }
    return line + "\n";
}

template <class T>
Status statusOf(const Result<T>& r) {
    if (r) return {};
    return r.error();
}

std::string joined(const std::vector<std::string>& v, const char* sep = ";") {
    std::string out;
    for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
    return out;
}

}  // namespace

std::string hostOf(const std::string& hostPort) {
    if (!hostPort.empty() && hostPort.front() == '[') {
        auto close = hostPort.find(']');
        return close == std::string::npos ? std::string() : hostPort.substr(1, close - 1);
    }
    auto colon = hostPort.rfind(':');
    return colon == std::string::npos ? std::string() : hostPort.substr(0, colon);
}

fs::path ConsoleService::defaultDataDir() {
    if (const char* env = std::getenv("IRONSIGHT_DATA_DIR"); env != nullptr && *env != '\0') {
        return env;
    }
    const char* home = std::getenv("HOME");
    return fs::path(home != nullptr ? home : ".") / ".local/share/ironsight/console";
}

Result<std::unique_ptr<ConsoleService>> ConsoleService::open(
    const fs::path& dataDir, const std::vector<std::string>& hosts) {
    std::error_code ec;
    bool created = fs::create_directories(dataDir, ec);
    // The database holds password and token hashes: keep the directory private.
    if (created) fs::permissions(dataDir, fs::perms::owner_all, fs::perm_options::replace, ec);
    if (ec)
        return makeError("cannot create data directory " + dataDir.string() + ": " + ec.message());
    auto lock = DataDirLock::acquire(dataDir, DataDirLock::Mode::Shared);
    if (!lock) return lock.error();
    auto store = ConsoleStore::open(dataDir / "console.db");
    if (!store) return store.error();
    std::vector<std::string> allHosts = hosts;
    for (const char* key : {kSettingLinkListen, kSettingEnrollListen}) {
        if (auto v = (*store)->setting(key)) allHosts.push_back(hostOf(*v));
    }
    auto pki = Pki::loadOrCreate(dataDir / "pki", allHosts);
    if (!pki) return pki.error();
    if (auto s = ensureLinkIdentity(dataDir / "pki"); !s) return s.error();
    return std::unique_ptr<ConsoleService>(
        new ConsoleService(dataDir, std::move(*store), std::move(*pki), std::move(*lock)));
}

void ConsoleService::setClock(Clock clock) {
    clock_ = clock ? clock : Clock(&nowMs);
    store_->setClock(clock_);
}

AuthPolicy ConsoleService::authPolicy() {
    AuthPolicy p;
    auto read = [this](const char* key, int& value) {
        if (auto v = store_->setting(key)) {
            try {
                int parsed = std::stoi(*v);
                if (parsed > 0) value = parsed;
            } catch (const std::exception&) {
                // keep the default
            }
        }
    };
    read(kSettingLockoutThreshold, p.lockoutThreshold);
    read(kSettingLockoutWindowMinutes, p.lockoutWindowMinutes);
    read(kSettingLockoutMinutes, p.lockoutMinutes);
    read(kSettingSessionIdleMinutes, p.sessionIdleMinutes);
    return p;
}

Status ConsoleService::setAuthPolicy(const Session& session, const AuthPolicy& policy) {
    auto by = authorize(&session, Action::ChangeAuthPolicy, "auth");
    if (!by) return by.error();
    return storeAuthPolicy(*by, policy);
}

Status ConsoleService::setAuthPolicy(const AuthPolicy& policy) {
    return storeAuthPolicy(AuditActor{}, policy);
}

Status ConsoleService::storeAuthPolicy(const AuditActor& by, const AuthPolicy& policy) {
    if (policy.lockoutThreshold < 1 || policy.lockoutThreshold > 100)
        return makeError("lockout threshold must be 1-100 failed sign-ins");
    for (int minutes :
         {policy.lockoutWindowMinutes, policy.lockoutMinutes, policy.sessionIdleMinutes}) {
        if (minutes < 1 || minutes > 24 * 60) return makeError("minutes must be 1-1440");
    }
    for (auto [key, value] : {std::pair{kSettingLockoutThreshold, policy.lockoutThreshold},
                              std::pair{kSettingLockoutWindowMinutes, policy.lockoutWindowMinutes},
                              std::pair{kSettingLockoutMinutes, policy.lockoutMinutes},
                              std::pair{kSettingSessionIdleMinutes, policy.sessionIdleMinutes}}) {
        if (auto s = store_->setSetting(key, std::to_string(value)); !s) return s;
    }
    return store_->audit(by.actor, "settings.auth", "auth", by.source,
                         "ok: lockout after " + std::to_string(policy.lockoutThreshold) +
                             " failures in " + std::to_string(policy.lockoutWindowMinutes) +
                             " min for " + std::to_string(policy.lockoutMinutes) +
                             " min, session idle " + std::to_string(policy.sessionIdleMinutes) +
                             " min");
}

Result<AuditActor> ConsoleService::authorize(const Session* session, Action action,
                                             const std::string& target) {
    if (session == nullptr) return AuditActor{};
    const ActionRule& rule = ruleFor(action);
    std::int64_t now = clock_();
    std::string who = session->user.empty() ? std::string("unknown") : session->user;
    auto deny = [&](const std::string& message, const std::string& source) -> Error {
        (void)store_->audit(who, rule.code, target, source, "denied: " + message);
        return makeError(message);
    };
    std::int64_t idleMs = std::int64_t{authPolicy().sessionIdleMinutes} * 60'000;
    SessionState state;
    {
        std::lock_guard lock(sessionsMutex_);
        auto it = sessions_.find(session->token);
        if (it == sessions_.end() || session->token.empty()) {
            return deny(kSessionExpired, session->source);
        }
        if (now - it->second.lastActiveMs > idleMs) {
            sessions_.erase(it);
            return deny(kSessionExpired, session->source);
        }
        state = it->second;
    }
    who = state.user;
    if (state.directory) {
        // No users row: the role granted at sign-in holds for the session.
        {
            std::lock_guard lock(sessionsMutex_);
            if (auto it = sessions_.find(session->token); it != sessions_.end()) {
                it->second.lastActiveMs = now;
            }
        }
        if (!allowed(state.role, action)) {
            return deny(permissionDenied(state.role, action), state.source);
        }
        return AuditActor{state.user, state.source};
    }
    auto user = store_->findUser(state.user);
    if (!user) return user.error();
    if (!*user || (*user)->disabled) {
        std::lock_guard lock(sessionsMutex_);
        sessions_.erase(session->token);
        return deny("session ended: the account is disabled", state.source);
    }
    {
        std::lock_guard lock(sessionsMutex_);
        if (auto it = sessions_.find(session->token); it != sessions_.end()) {
            it->second.lastActiveMs = now;
        }
    }
    if ((*user)->mustChangePassword && action != Action::ChangeOwnPassword) {
        return deny(kMustChangePassword, state.source);
    }
    if (!allowed((*user)->role, action)) {
        return deny(permissionDenied((*user)->role, action), state.source);
    }
    return AuditActor{state.user, state.source};
}

Result<Session> ConsoleService::signIn(const std::string& user, const std::string& password,
                                       const std::string& source) {
    std::int64_t now = clock_();
    AuthPolicy policy = authPolicy();
    auto found = store_->findUser(user);
    if (!found) return found.error();
    if (!*found) {
        auto directory = directoryConfig();
        if (directory && directory->enabled()) {
            return signInDirectory(*directory, user, password, source);
        }
        // Same work and answer as a wrong password: user names cannot be probed.
        static const std::string dummy = hashPassword("not a real password, only timing").value();
        (void)verifyPassword(dummy, password);
        (void)store_->audit(user, "user.sign_in", user, source, "failure: unknown user");
        return makeError(kSignInFailed);
    }
    const UserRow& u = **found;
    if (u.lockedUntilMs > now) {
        std::int64_t minutes = (u.lockedUntilMs - now + 59'999) / 60'000;
        (void)store_->audit(user, "user.sign_in", user, source, "refused: account locked");
        return makeError("sign-in failed: account locked, try again in " + std::to_string(minutes) +
                         " min");
    }
    if (!verifyPassword(u.passwordHash, password)) {
        auto locked = store_->noteSignInFailure(user, policy, source, "wrong password");
        if (!locked) return locked.error();
        return makeError(kSignInFailed);
    }
    if (u.disabled) {
        (void)store_->audit(user, "user.sign_in", user, source, "failure: account disabled");
        return makeError(kSignInFailed);
    }
    if (auto s = store_->noteSignInSuccess(user, source); !s) return s.error();
    return newSession(u.name, u.role, source, u.mustChangePassword, false);
}

Session ConsoleService::newSession(const std::string& user, Role role, const std::string& source,
                                   bool mustChangePassword, bool directory) {
    std::int64_t now = clock_();
    crypto::Bytes token = crypto::randomBytes(32);
    Session session{crypto::toHex(token), user, role, source, mustChangePassword, now, directory};
    std::lock_guard lock(sessionsMutex_);
    sessions_[session.token] = SessionState{user, source, now, directory, role};
    return session;
}

void ConsoleService::signOut(const Session& session) {
    bool known = false;
    {
        std::lock_guard lock(sessionsMutex_);
        known = sessions_.erase(session.token) > 0;
    }
    if (known)
        (void)store_->audit(session.user, "user.sign_out", session.user, session.source, "ok");
}

Status ConsoleService::refreshSession(Session& session) {
    // ChangeOwnPassword is allowed for every live session, so this only checks liveness.
    auto by = authorize(&session, Action::ChangeOwnPassword, session.user);
    if (!by) return by.error();
    {
        std::lock_guard lock(sessionsMutex_);
        if (auto it = sessions_.find(session.token);
            it != sessions_.end() && it->second.directory) {
            session.role = it->second.role;
            session.mustChangePassword = false;
            return {};
        }
    }
    auto user = store_->findUser(session.user);
    if (!user) return user.error();
    if (*user) {
        session.role = (*user)->role;
        session.mustChangePassword = (*user)->mustChangePassword;
    }
    return {};
}

Status ConsoleService::changePassword(const Session& session, const std::string& oldPassword,
                                      const std::string& newPassword) {
    auto by = authorize(&session, Action::ChangeOwnPassword, session.user);
    if (!by) return by.error();
    bool directory = false;
    {
        std::lock_guard lock(sessionsMutex_);
        auto it = sessions_.find(session.token);
        directory = it != sessions_.end() && it->second.directory;
    }
    if (directory) {
        (void)store_->audit(by->actor, "user.change_password", by->actor, by->source,
                            "refused: directory user");
        return makeError("password not changed: " + by->actor +
                         " signs in through the directory; change the password there");
    }
    auto user = store_->findUser(by->actor);
    if (!user) return user.error();
    if (!*user) return makeError("no user '" + by->actor + "'");
    if (!verifyPassword((*user)->passwordHash, oldPassword)) {
        (void)store_->audit(by->actor, "user.change_password", by->actor, by->source,
                            "failure: wrong current password");
        return makeError("password not changed: the current password is wrong");
    }
    if (oldPassword == newPassword) {
        return makeError("password not changed: the new password must differ from the current one");
    }
    return store_->setPassword(by->actor, newPassword, false, *by, "user.change_password");
}

Status ConsoleService::addUser(const Session& session, const std::string& name,
                               const std::string& password, Role role) {
    auto by = authorize(&session, Action::AddUser, name);
    if (!by) return by.error();
    return store_->addUser(name, password, roleName(role), *by, true);
}

Status ConsoleService::addUser(const std::string& name, const std::string& password, Role role) {
    return store_->addUser(name, password, roleName(role), AuditActor{}, true);
}

Result<std::vector<UserRow>> ConsoleService::listUsers(const Session& session) {
    auto by = authorize(&session, Action::ListUsers, "users");
    if (!by) return by.error();
    return store_->listUsers();
}

Status ConsoleService::checkTargetUser(const Session* session, const std::string& name,
                                       Action action) {
    if (session == nullptr || name != session->user) return {};
    switch (action) {
        case Action::DisableUser:
            return makeError("you cannot disable your own account");
        case Action::ResetPassword:
            return makeError("use change password for your own account");
        default:
            return {};
    }
}

Status ConsoleService::disableUser(const Session& session, const std::string& name) {
    auto by = authorize(&session, Action::DisableUser, name);
    if (!by) return by.error();
    if (auto s = checkTargetUser(&session, name, Action::DisableUser); !s) return s;
    return store_->setUserDisabled(name, true, *by);
}

Status ConsoleService::disableUser(const std::string& name) {
    return store_->setUserDisabled(name, true, AuditActor{});
}

Status ConsoleService::enableUser(const Session& session, const std::string& name) {
    auto by = authorize(&session, Action::EnableUser, name);
    if (!by) return by.error();
    return store_->setUserDisabled(name, false, *by);
}

Status ConsoleService::enableUser(const std::string& name) {
    return store_->setUserDisabled(name, false, AuditActor{});
}

Status ConsoleService::setUserRole(const Session& session, const std::string& name, Role role) {
    auto by = authorize(&session, Action::SetUserRole, name);
    if (!by) return by.error();
    return store_->setUserRole(name, role, *by);
}

Status ConsoleService::setUserRole(const std::string& name, Role role) {
    return store_->setUserRole(name, role, AuditActor{});
}

Status ConsoleService::resetPassword(const Session& session, const std::string& name,
                                     const std::string& newPassword) {
    auto by = authorize(&session, Action::ResetPassword, name);
    if (!by) return by.error();
    if (auto s = checkTargetUser(&session, name, Action::ResetPassword); !s) return s;
    return store_->setPassword(name, newPassword, true, *by, "user.reset_password");
}

Status ConsoleService::resetPassword(const std::string& name, const std::string& newPassword) {
    return store_->setPassword(name, newPassword, true, AuditActor{}, "user.reset_password");
}

Result<SiteRow> ConsoleService::addSite(const Session& session, const std::string& name) {
    auto by = authorize(&session, Action::AddSite, name);
    if (!by) return by.error();
    return store_->addSite(name, *by);
}

Result<ZoneRow> ConsoleService::addZone(const Session& session, const std::string& site,
                                        const std::string& name) {
    auto by = authorize(&session, Action::AddZone, site + "/" + name);
    if (!by) return by.error();
    return store_->addZone(site, name, *by);
}

Status ConsoleService::renameSite(const Session& session, const std::string& site,
                                  const std::string& newName) {
    auto by = authorize(&session, Action::RenameSite, site);
    if (!by) return by.error();
    return store_->renameSite(site, newName, *by);
}

Status ConsoleService::editDevice(const Session& session, std::int64_t groupId,
                                  const DeviceEdit& edit) {
    auto by = authorize(&session, Action::EditDevice, "device " + std::to_string(groupId));
    if (!by) return by.error();
    return store_->editDevice(groupId, edit, *by);
}

Status ConsoleService::mergeDevices(const Session& session, std::int64_t into, std::int64_t from) {
    auto by = authorize(&session, Action::EditDevice, "device " + std::to_string(into));
    if (!by) return by.error();
    return store_->mergeDevices(into, from, *by);
}

Result<std::int64_t> ConsoleService::splitDevice(const Session& session, const std::string& sensor,
                                                 const std::string& deviceId) {
    auto by = authorize(&session, Action::EditDevice, sensor + "/" + deviceId);
    if (!by) return by.error();
    return store_->splitDevice(sensor, deviceId, *by);
}

Status ConsoleService::setZoneRule(const Session& session, const std::string& sensor,
                                   std::uint32_t vlan, const std::string& zone) {
    auto by =
        authorize(&session, Action::ManageZoneRules, sensor + "/vlan " + std::to_string(vlan));
    if (!by) return by.error();
    return store_->setZoneRule(sensor, vlan, zone, *by);
}

Status ConsoleService::removeZoneRule(const Session& session, const std::string& sensor,
                                      std::uint32_t vlan) {
    auto by =
        authorize(&session, Action::ManageZoneRules, sensor + "/vlan " + std::to_string(vlan));
    if (!by) return by.error();
    return store_->removeZoneRule(sensor, vlan, *by);
}

Status ConsoleService::setInterfaceZoneRule(const Session& session, const std::string& sensor,
                                            const std::string& interface,
                                            const std::string& zone) {
    auto by = authorize(&session, Action::ManageZoneRules, sensor + "/interface " + interface);
    if (!by) return by.error();
    return store_->setInterfaceZoneRule(sensor, interface, zone, *by);
}

Status ConsoleService::removeInterfaceZoneRule(const Session& session, const std::string& sensor,
                                               const std::string& interface) {
    auto by = authorize(&session, Action::ManageZoneRules, sensor + "/interface " + interface);
    if (!by) return by.error();
    return store_->removeInterfaceZoneRule(sensor, interface, *by);
}

Status ConsoleService::deleteSite(const Session& session, const std::string& site) {
    auto by = authorize(&session, Action::DeleteSite, site);
    if (!by) return by.error();
    return store_->deleteSite(site, *by);
}

Status ConsoleService::renameZone(const Session& session, const std::string& site,
                                  const std::string& zone, const std::string& newName) {
    auto by = authorize(&session, Action::RenameZone, site + "/" + zone);
    if (!by) return by.error();
    return store_->renameZone(site, zone, newName, *by);
}

Status ConsoleService::moveZone(const Session& session, const std::string& site,
                                const std::string& zone, const std::string& toSite) {
    auto by = authorize(&session, Action::MoveZone, site + "/" + zone);
    if (!by) return by.error();
    return store_->moveZone(site, zone, toSite, *by);
}

Status ConsoleService::deleteZone(const Session& session, const std::string& site,
                                  const std::string& zone) {
    auto by = authorize(&session, Action::DeleteZone, site + "/" + zone);
    if (!by) return by.error();
    return store_->deleteZone(site, zone, *by);
}

namespace {

std::string alertsTarget(const std::vector<AlertKey>& alerts) {
    if (alerts.size() == 1) return alerts[0].sensorId + "/" + alerts[0].alertId;
    return std::to_string(alerts.size()) + " alerts";
}

}  // namespace

Status ConsoleService::setAlertStatus(const Session& session, const std::vector<AlertKey>& alerts,
                                      AlertStatus status) {
    auto by = authorize(&session, Action::TriageAlert, alertsTarget(alerts));
    if (!by) return by.error();
    return statusOf(store_->setAlertStatus(alerts, status, *by));
}

Status ConsoleService::setAlertStatus(const std::vector<AlertKey>& alerts, AlertStatus status) {
    return statusOf(store_->setAlertStatus(alerts, status));
}

Status ConsoleService::assignAlert(const Session& session, const AlertKey& alert,
                                   const std::string& user) {
    auto by = authorize(&session, Action::TriageAlert, alertsTarget({alert}));
    if (!by) return by.error();
    return store_->assignAlert(alert, user, *by);
}

Status ConsoleService::assignAlert(const AlertKey& alert, const std::string& user) {
    return store_->assignAlert(alert, user);
}

Status ConsoleService::addAlertComment(const Session& session, const AlertKey& alert,
                                       const std::string& text) {
    auto by = authorize(&session, Action::CommentAlert, alertsTarget({alert}));
    if (!by) return by.error();
    return statusOf(store_->addAlertComment(alert, text, *by));
}

Status ConsoleService::addAlertComment(const AlertKey& alert, const std::string& text) {
    return statusOf(store_->addAlertComment(alert, text));
}

Result<NewSensor> ConsoleService::addSensor(const Session& session, const std::string& site,
                                            const std::string& zone, const std::string& name,
                                            std::chrono::milliseconds validity) {
    auto by = authorize(&session, Action::AddSensor, name);
    if (!by) return by.error();
    return addSensorAs(*by, site, zone, name, validity);
}

Result<NewSensor> ConsoleService::addSensor(const std::string& site, const std::string& zone,
                                            const std::string& name,
                                            std::chrono::milliseconds validity) {
    return addSensorAs(AuditActor{}, site, zone, name, validity);
}

Status ConsoleService::revokeSensor(const Session& session, const std::string& idOrName) {
    auto by = authorize(&session, Action::RevokeSensor, idOrName);
    if (!by) return by.error();
    Status s = store_->revokeSensor(idOrName, by->actor, by->source);
    notifyLink();
    return s;
}

// ---------------------------------------------------------------------------------------------
// Commands to sensors.

namespace {

bool isHhMm(const std::string& t) {
    return t.size() == 5 && std::isdigit(static_cast<unsigned char>(t[0])) &&
           std::isdigit(static_cast<unsigned char>(t[1])) && t[2] == ':' &&
           std::isdigit(static_cast<unsigned char>(t[3])) &&
           std::isdigit(static_cast<unsigned char>(t[4])) && std::stoi(t.substr(0, 2)) < 24 &&
           std::stoi(t.substr(3, 2)) < 60;
}

/// A field the sensor reads as one word of its rule: no blanks, quotes, backslashes, controls.
bool isWord(const std::string& v) {
    return std::none_of(v.begin(), v.end(), [](char c) {
        return std::isspace(static_cast<unsigned char>(c)) ||
               std::iscntrl(static_cast<unsigned char>(c)) || c == '"' || c == '\\' || c == '*';
    });
}

}  // namespace

Result<std::string> exclusionToml(const ExclusionRule& rule) {
    if (rule.type.empty() && rule.device.empty() && rule.subnet.empty() && rule.from.empty() &&
        rule.to.empty()) {
        return makeError(
            "an exclusion needs at least one of type, device, subnet or a time window");
    }
    if (rule.from.empty() != rule.to.empty()) {
        return makeError("an exclusion time window needs both from and to (HH:MM, UTC)");
    }
    if (!rule.from.empty() && (!isHhMm(rule.from) || !isHhMm(rule.to))) {
        return makeError("exclusion window times must be HH:MM (UTC), e.g. 22:00");
    }
    std::string toml = "[[exclusion]]\n";
    for (const auto& [key, value] : {std::pair{"type", &rule.type},
                                     {"device", &rule.device},
                                     {"subnet", &rule.subnet},
                                     {"from", &rule.from},
                                     {"to", &rule.to}}) {
        if (value->empty()) continue;
        if (!isWord(*value)) {
            return makeError(std::string("exclusion ") + key + " '" + *value +
                             "' must be one word (no blanks, quotes or '*')");
        }
        toml += std::string(key) + " = \"" + *value + "\"\n";
    }
    return toml;
}

void ConsoleService::setLinkListener(std::function<void()> listener) {
    std::lock_guard lock(listenerMutex_);
    linkListener_ = std::move(listener);
}

void ConsoleService::notifyLink() {
    // Called under the lock so setLinkListener({}) in LinkServer::stop() waits for a running call.
    std::lock_guard lock(listenerMutex_);
    if (linkListener_) linkListener_();
}

Result<CommandRow> ConsoleService::issueCommand(const AuditActor& by, const std::string& sensor,
                                                const std::string& kind,
                                                const std::string& arguments) {
    auto found = store_->findSensor(sensor);
    if (!found) return found.error();
    if (!found->has_value()) return makeError("no sensor '" + sensor + "'");
    auto row = store_->addCommand((*found)->id, kind, arguments, by);
    if (row) notifyLink();
    return row;
}

Result<CommandRow> ConsoleService::setSensorLearning(const Session& session,
                                                     const std::string& sensor, bool on) {
    auto by = authorize(&session, Action::CommandSensor, sensor);
    if (!by) return by.error();
    return issueCommand(*by, sensor, "set_learning", json{{"enabled", on}}.dump());
}

Result<CommandRow> ConsoleService::setSensorLearning(const std::string& sensor, bool on) {
    return issueCommand(AuditActor{}, sensor, "set_learning", json{{"enabled", on}}.dump());
}

Result<CommandRow> ConsoleService::alertCommand(const Session* session, const AlertKey& alert,
                                                const std::string& kind,
                                                const std::string& arguments) {
    auto by = authorize(session, Action::CommandSensor, alert.sensorId + "/" + alert.alertId);
    if (!by) return by.error();
    // Routed to the sensor that raised the alert (the key's sensor), never to another.
    auto found = store_->findAlerts(alert.alertId, alert.sensorId);
    if (!found) return found.error();
    if (found->empty()) {
        return makeError("no alert '" + alert.alertId + "' from sensor '" + alert.sensorId + "'");
    }
    return issueCommand(*by, alert.sensorId, kind, arguments);
}

Result<CommandRow> ConsoleService::learnAlert(const Session& session, const AlertKey& alert) {
    return alertCommand(&session, alert, "learn_alert", json{{"alert_id", alert.alertId}}.dump());
}

Result<CommandRow> ConsoleService::learnAlert(const AlertKey& alert) {
    return alertCommand(nullptr, alert, "learn_alert", json{{"alert_id", alert.alertId}}.dump());
}

Result<CommandRow> ConsoleService::requestEvidence(const Session& session, const AlertKey& alert) {
    return alertCommand(&session, alert, "evidence_request",
                        json{{"alert_id", alert.alertId}}.dump());
}

Result<CommandRow> ConsoleService::requestEvidence(const AlertKey& alert) {
    return alertCommand(nullptr, alert, "evidence_request", json{{"alert_id", alert.alertId}}.dump());
}

Result<CommandRow> ConsoleService::muteAlert(const Session& session, const AlertKey& alert,
                                             bool muted) {
    return alertCommand(&session, alert, "mute_alert",
                        json{{"alert_id", alert.alertId}, {"muted", muted}}.dump());
}

Result<CommandRow> ConsoleService::muteAlert(const AlertKey& alert, bool muted) {
    return alertCommand(nullptr, alert, "mute_alert",
                        json{{"alert_id", alert.alertId}, {"muted", muted}}.dump());
}

namespace {

std::string exclusionJson(const ExclusionRule& r) {
    return json{{"type", r.type},
                {"device", r.device},
                {"subnet", r.subnet},
                {"from", r.from},
                {"to", r.to}}
        .dump();
}

}  // namespace

Result<CommandRow> ConsoleService::addExclusion(const Session& session, const std::string& sensor,
                                                const ExclusionRule& rule) {
    auto by = authorize(&session, Action::CommandSensor, sensor);
    if (!by) return by.error();
    if (auto toml = exclusionToml(rule); !toml) return toml.error();
    return issueCommand(*by, sensor, "add_exclusion", exclusionJson(rule));
}

Result<CommandRow> ConsoleService::addExclusion(const std::string& sensor,
                                                const ExclusionRule& rule) {
    if (auto toml = exclusionToml(rule); !toml) return toml.error();
    return issueCommand(AuditActor{}, sensor, "add_exclusion", exclusionJson(rule));
}

namespace {

/// The console's check of a settings push: size and TOML syntax; exclusions have their own
/// command (admin exclusion add), which keeps them apart from the replaceable settings.
Status checkSettingsPush(const std::string& text) {
    if (text.size() > 64 * 1024) return makeError("settings file is larger than 64 KiB");
    try {
        const toml::table doc = toml::parse(std::string_view(text), std::string_view("settings"));
        if (doc.contains("exclusion")) {
            return makeError("settings: [[exclusion]] tables are not settings; add exclusions "
                             "with `admin exclusion add`");
        }
    } catch (const toml::parse_error& e) {
        std::ostringstream where;
        where << "settings:" << e.source().begin.line << ":" << e.source().begin.column;
        return makeError(where.str() + ": " + std::string(e.description()));
    }
    return {};
}

}  // namespace

Result<CommandRow> ConsoleService::pushSensorSettings(const Session& session,
                                                      const std::string& sensor,
                                                      const std::string& toml) {
    auto by = authorize(&session, Action::CommandSensor, sensor);
    if (!by) return by.error();
    if (auto st = checkSettingsPush(toml); !st) return st.error();
    return issueCommand(*by, sensor, "push_settings", json{{"toml", toml}}.dump());
}

Result<CommandRow> ConsoleService::pushSensorSettings(const std::string& sensor,
                                                      const std::string& toml) {
    if (auto st = checkSettingsPush(toml); !st) return st.error();
    return issueCommand(AuditActor{}, sensor, "push_settings", json{{"toml", toml}}.dump());
}

Result<std::string> ConsoleService::lastPushedSettings(const std::string& sensor) {
    auto commands = store_->listCommands(sensor);
    if (!commands) return commands.error();
    for (const auto& c : *commands) {  // newest first
        if (c.kind != "push_settings" || c.state != "done") continue;
        auto args = json::parse(c.arguments, nullptr, false);
        if (args.is_object() && args.contains("toml") && args["toml"].is_string()) {
            return args["toml"].get<std::string>();
        }
        break;
    }
    return std::string();
}

Result<CommandRow> ConsoleService::reloadSensorSettings(const Session& session,
                                                        const std::string& sensor) {
    auto by = authorize(&session, Action::CommandSensor, sensor);
    if (!by) return by.error();
    return issueCommand(*by, sensor, "reload_settings", "{}");
}

Result<CommandRow> ConsoleService::reloadSensorSettings(const std::string& sensor) {
    return issueCommand(AuditActor{}, sensor, "reload_settings", "{}");
}

Result<CommandRow> ConsoleService::renewSensorCertificate(const Session& session,
                                                          const std::string& sensor) {
    auto by = authorize(&session, Action::CommandSensor, sensor);
    if (!by) return by.error();
    return issueCommand(*by, sensor, "renew_certificate", "{}");
}

Result<CommandRow> ConsoleService::renewSensorCertificate(const std::string& sensor,
                                                          const AuditActor& by) {
    return issueCommand(by, sensor, "renew_certificate", "{}");
}

Result<std::vector<AuditRow>> ConsoleService::listAudit(const Session& session) {
    auto by = authorize(&session, Action::ViewAudit, "audit");
    if (!by) return by.error();
    return store_->listAudit();
}

Result<std::string> ConsoleService::exportDevices(const Session& session, ExportFormat format) {
    auto by = authorize(&session, Action::ExportData, "devices");
    if (!by) return by.error();
    auto text = exportDevices(format);
    (void)store_->audit(by->actor, "export.devices", "", by->source,
                        text ? "ok" : "failed: " + text.error().message);
    return text;
}

Result<std::string> ConsoleService::exportAlerts(const Session& session, ExportFormat format) {
    auto by = authorize(&session, Action::ExportData, "alerts");
    if (!by) return by.error();
    auto text = exportAlerts(format);
    (void)store_->audit(by->actor, "export.alerts", "", by->source,
                        text ? "ok" : "failed: " + text.error().message);
    return text;
}

Result<std::string> ConsoleService::exportAudit(ExportFormat format) {
    auto rows = store_->listAudit();
    if (!rows) return rows.error();
    return auditToText(*rows, format);
}

Result<std::string> ConsoleService::exportAudit(const Session& session, ExportFormat format) {
    auto by = authorize(&session, Action::ExportAudit, "audit");
    if (!by) return by.error();
    auto text = exportAudit(format);
    (void)store_->audit(by->actor, "audit.export", "", by->source,
                        text ? "ok" : "failed: " + text.error().message);
    return text;
}

std::string ConsoleService::auditToText(const std::vector<AuditRow>& rows, ExportFormat format) {
    auto iso = [](std::int64_t ms) {
        std::time_t t = static_cast<std::time_t>(ms / 1000);
        std::tm tm{};
        gmtime_r(&t, &tm);
        char buf[40];
        std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
        char frac[8];
        std::snprintf(frac, sizeof frac, ".%03dZ", static_cast<int>(ms % 1000));
        return std::string(buf) + frac;
    };
    if (format == ExportFormat::Csv) {
        std::string out = csvLine({"id", "time_utc", "time_ms", "actor", "action", "target",
                                   "source", "outcome", "prev_hash", "hash"});
        for (const auto& r : rows) {
            out += csvLine({std::to_string(r.id), iso(r.timeMs), std::to_string(r.timeMs), r.actor,
                            r.action, r.target, r.source, r.outcome, r.prevHash, r.hash});
        }
        return out;
    }
    json arr = json::array();
    for (const auto& r : rows) {
        arr.push_back({{"id", r.id},
                       {"time_utc", iso(r.timeMs)},
                       {"time_ms", r.timeMs},
                       {"actor", r.actor},
                       {"action", r.action},
                       {"target", r.target},
                       {"source", r.source},
                       {"outcome", r.outcome},
                       {"prev_hash", r.prevHash},
                       {"hash", r.hash}});
    }
    return json{{"audit", arr}}.dump(2) + "\n";
}

std::string ConsoleService::usersToJson(const std::vector<UserRow>& users) {
    json out = json::array();
    for (const auto& u : users) {
        out.push_back({{"name", u.name},
                       {"role", roleName(u.role)},
                       {"disabled", u.disabled},
                       {"must_change_password", u.mustChangePassword},
                       {"failed_sign_ins", u.failedSignIns},
                       {"locked_until_ms", u.lockedUntilMs},
                       {"last_sign_in_ms", u.lastSignInMs},
                       {"created_at_ms", u.createdAtMs}});
    }
    return out.dump(2) + "\n";
}

Status ConsoleService::init(const std::string& adminUser, const std::string& adminPassword,
                            const std::string& linkListen, const std::string& enrollListen,
                            bool mustChangePassword) {
    if (initialized()) return makeError("console in " + dataDir_.string() + " is already set up");
    if (hostOf(linkListen).empty() || hostOf(enrollListen).empty()) {
        return makeError("listen addresses must be HOST:PORT");
    }
    if (auto s = store_->addUser(adminUser, adminPassword, "admin", AuditActor{},
                                 mustChangePassword);
        !s)
        return s;
    if (auto s = store_->setSetting(kSettingLinkListen, linkListen); !s) return s;
    return store_->setSetting(kSettingEnrollListen, enrollListen);
}

std::string ConsoleService::linkListen() {
    return store_->setting(kSettingLinkListen).value_or(kDefaultLinkListen);
}

std::string ConsoleService::enrollListen() {
    return store_->setting(kSettingEnrollListen).value_or(kDefaultEnrollListen);
}

Result<NewSensor> ConsoleService::addSensorAs(const AuditActor& by, const std::string& site,
                                              const std::string& zone, const std::string& name,
                                              std::chrono::milliseconds validity) {
    crypto::Bytes token = crypto::randomBytes(32);
    std::string tokenHash = crypto::toHex(crypto::sha256(token));
    std::string bundleId = crypto::newUuid();
    std::int64_t now = clock_();
    std::int64_t notAfter = now + validity.count();
    auto sensor = store_->addSensor(site, zone, name, tokenHash, bundleId, notAfter, by);
    if (!sensor) return sensor.error();
    notifyLink();  // a pending activation: the enrollment listener opens
    auto text = activationText(*sensor, token, bundleId, now, notAfter);
    if (!text) return text.error();
    return NewSensor{std::move(*sensor), std::move(*text)};
}

Result<std::string> ConsoleService::activationText(const SensorRow& sensor,
                                                   const crypto::Bytes& token,
                                                   const std::string& bundleId, std::int64_t now,
                                                   std::int64_t notAfter) {
    ironsight::v1::ActivationPayload payload;
    payload.set_format_version(1);
    payload.set_bundle_id(bundleId);
    payload.set_sensor_id(sensor.id);
    payload.set_sensor_name(sensor.name);
    payload.set_site(sensor.site);
    payload.set_zone(sensor.zone);
    payload.add_stream_endpoints(linkListen());
    payload.set_enroll_endpoint(enrollListen());
    payload.set_console_tls_name(kConsoleTlsName);
    payload.set_console_ca_pem(pki_.caCertPem());
    payload.set_enrollment_token(token.data(), token.size());
    payload.set_not_before_ms(now - 5 * 60 * 1000);  // tolerate a sensor clock 5 min behind
    payload.set_not_after_ms(notAfter);
    return activation::encode(payload, pki_.caKey());
}

Result<NewSensor> ConsoleService::reactivateSensor(const Session& session,
                                                   const std::string& idOrName,
                                                   std::chrono::milliseconds validity) {
    auto by = authorize(&session, Action::AddSensor, idOrName);
    if (!by) return by.error();
    return reactivateSensorAs(*by, idOrName, validity);
}

Result<NewSensor> ConsoleService::reactivateSensor(const std::string& idOrName,
                                                   std::chrono::milliseconds validity) {
    return reactivateSensorAs(AuditActor{}, idOrName, validity);
}

Result<NewSensor> ConsoleService::reactivateSensorAs(const AuditActor& by,
                                                     const std::string& idOrName,
                                                     std::chrono::milliseconds validity) {
    crypto::Bytes token = crypto::randomBytes(32);
    std::string tokenHash = crypto::toHex(crypto::sha256(token));
    std::string bundleId = crypto::newUuid();
    std::int64_t now = clock_();
    std::int64_t notAfter = now + validity.count();
    auto sensor = store_->addReactivation(idOrName, tokenHash, bundleId, notAfter, by);
    if (!sensor) return sensor.error();
    notifyLink();  // a pending activation: the enrollment listener opens
    auto text = activationText(*sensor, token, bundleId, now, notAfter);
    if (!text) return text.error();
    return NewSensor{std::move(*sensor), std::move(*text)};
}

std::string ConsoleService::sensorsToJson(const std::vector<SensorRow>& sensors,
                                          const std::vector<SensorHealth>& health) {
    json out = json::array();
    for (const auto& s : sensors) {
        json h = nullptr;
        for (const auto& r : health) {
            if (r.sensorId != s.id) continue;
            h = {{"time_ms", r.timeMs},
                 {"packets", r.packets},
                 {"bytes", r.bytes},
                 {"kernel_drops", r.kernelDrops},
                 {"malformed", r.malformed},
                 {"packets_per_second", r.packetsPerSecond},
                 {"bytes_per_second", r.bytesPerSecond},
                 {"cpu_percent", r.cpuPercent},
                 {"rss_bytes", r.rssBytes},
                 {"outbox_depth", r.outboxDepth},
                 {"outbox_oldest_age_ms", r.outboxOldestAgeMs},
                 {"outbox_evicted", r.outboxEvicted},
                 {"learning", r.learning},
                 {"version", r.version},
                 {"capture_source", r.captureSource},
                 {"uptime_s", r.uptimeS},
                 {"clock_skew_ms", r.clockSkewMs ? json(*r.clockSkewMs) : json(nullptr)}};
        }
        out.push_back({{"id", s.id},
                       {"name", s.name},
                       {"site", s.site},
                       {"zone", s.zone},
                       {"status", s.status},
                       {"state", sensorState(s, nowMs())},
                       {"cert_serial", s.certSerial},
                       {"enrolled_at_ms", s.enrolledAtMs},
                       {"last_seen_ms", s.lastSeenMs},
                       {"health", h}});
    }
    return out.dump(2) + "\n";
}

namespace {

/// The sensors that reported a device, most recent first, each once.
std::vector<std::string> sensorNames(const DeviceRow& d) {
    std::vector<std::string> out;
    for (const auto& o : d.observations) {
        if (std::find(out.begin(), out.end(), o.sensorName) == out.end()) {
            out.push_back(o.sensorName);
        }
    }
    if (out.empty()) out.push_back(d.sensorName);
    return out;
}

json observationsJson(const DeviceRow& d) {
    json out = json::array();
    for (const auto& o : d.observations) {
        out.push_back({{"sensor", o.sensorName},
                       {"id", o.deviceId},
                       {"last_seen_ms", o.lastSeenMs},
                       {"interfaces", o.interfaces}});
    }
    return out;
}

}  // namespace

Result<std::string> ConsoleService::exportDevices(ExportFormat format) {
    auto devices = listDevices();
    if (!devices) return devices.error();
    if (format == ExportFormat::Csv) {
        std::string out =
            csvLine({"id", "ips", "macs", "vendor", "model", "firmware", "hostname", "type",
                     "purdue_level", "protocols", "site", "zone", "sensor", "last_seen_ms",
                     "device", "name", "criticality", "authorized", "notes", "sensors"});
        for (const auto& d : *devices) {
            std::vector<std::string> protocols;
            for (const auto& [n, r] : d.protocols) protocols.push_back(n + "/" + r);
            out +=
                csvLine({d.deviceId, joined(d.ips), joined(d.macs), d.vendor, d.model, d.firmware,
                         d.hostname, d.type, std::to_string(d.purdueLevel), joined(protocols),
                         d.site, d.zone, d.sensorName, std::to_string(d.lastSeenMs),
                         std::to_string(d.groupId), d.name, d.criticality,
                         d.authorized ? (*d.authorized ? "yes" : "no") : "", d.notes,
                         joined(sensorNames(d))});
        }
        return out;
    }
    json arr = json::array();
    for (const auto& d : *devices) {
        json protocols = json::array();
        for (const auto& [n, r] : d.protocols) protocols.push_back({{"name", n}, {"role", r}});
        json identity =
            d.identityJson.empty() ? json::object() : json::parse(d.identityJson, nullptr, false);
        if (identity.is_discarded()) identity = json::object();
        json vlanNames = json::object();
        for (const auto& [id, name] : d.vlanNames) vlanNames[std::to_string(id)] = name;
        arr.push_back({{"id", d.deviceId},
                       {"macs", d.macs},
                       {"ips", d.ips},
                       {"vlans", d.vlans},
                       {"vlan_names", vlanNames},
                       {"vendor", d.vendor},
                       {"model", d.model},
                       {"firmware", d.firmware},
                       {"serial", d.serial},
                       {"hostname", d.hostname},
                       {"type", d.type},
                       {"purdue_level", d.purdueLevel},
                       {"protocols", protocols},
                       {"identity", identity},
                       {"evidence", d.evidence},
                       {"site", d.site},
                       {"zone", d.zone},
                       {"sensors", sensorNames(d)},
                       {"device", d.groupId},
                       {"name", d.name},
                       {"criticality", d.criticality},
                       {"authorized", d.authorized ? json(*d.authorized) : json(nullptr)},
                       {"notes", d.notes},
                       {"type_reported", d.reportedType},
                       {"zone_source", d.zoneSource},
                       {"observations", observationsJson(d)}});
    }
    return json{{"devices", arr}}.dump(2) + "\n";
}

Result<std::string> ConsoleService::exportAlerts(ExportFormat format) {
    auto alerts = listAlerts();
    if (!alerts) return alerts.error();
    if (format == ExportFormat::Csv) {
        std::string out = csvLine({"id", "severity", "status", "title", "engine", "type", "src",
                                   "dst", "src_ip", "dst_ip", "protocol", "count", "mitre", "site",
                                   "zone", "sensor", "last_seen_ms"});
        for (const auto& a : *alerts) {
            out += csvLine({a.alertId, a.severity, a.status, a.title, a.engine, a.type, a.src,
                            a.dst, a.srcIp, a.dstIp, a.protocol, std::to_string(a.count), a.mitre,
                            a.site, a.zone, a.sensorName, std::to_string(a.lastSeenMs)});
        }
        return out;
    }
    json arr = json::array();
    for (const auto& a : *alerts) {
        arr.push_back({{"id", a.alertId},
                       {"engine", a.engine},
                       {"type", a.type},
                       {"severity", a.severity},
                       {"title", a.title},
                       {"src", a.src},
                       {"dst", a.dst},
                       {"src_ip", a.srcIp},
                       {"dst_ip", a.dstIp},
                       {"protocol", a.protocol},
                       {"count", a.count},
                       {"mitre", a.mitre},
                       {"status", a.status},
                       {"site", a.site},
                       {"zone", a.zone},
                       {"sensor", a.sensorName},
                       {"last_seen_ms", a.lastSeenMs}});
    }
    return json{{"alerts", arr}}.dump(2) + "\n";
}

Result<BackupInfo> ConsoleService::backupAs(const AuditActor& by, const fs::path& dest,
                                            const BackupProgress& progress) {
    auto info = backupDatabase(dataDir_ / "console.db", dest, progress);
    (void)store_->audit(by.actor, "backup.create", dest.string(), by.source,
                        info ? "ok: " + std::to_string(info->bytes) + " bytes, schema v" +
                                   std::to_string(info->schemaVersion)
                             : "failed: " + info.error().message);
    return info;
}

Result<BackupInfo> ConsoleService::backup(const Session& session, const fs::path& dest,
                                          const BackupProgress& progress) {
    auto by = authorize(&session, Action::BackupData, dest.string());
    if (!by) return by.error();
    return backupAs(*by, dest, progress);
}

Result<BackupInfo> ConsoleService::backup(const fs::path& dest, const BackupProgress& progress) {
    return backupAs(AuditActor{}, dest, progress);
}

RetentionPolicy ConsoleService::retentionPolicy() {
    RetentionPolicy p;
    auto read = [this](const char* key, int& value) {
        if (auto v = store_->setting(key)) {
            try {
                value = std::max(0, std::stoi(*v));
            } catch (const std::exception&) {
                // keep the default
            }
        }
    };
    read(kSettingRetentionClosedAlertsDays, p.closedAlertsDays);
    read(kSettingRetentionDevicesDays, p.devicesDays);
    return p;
}

Status ConsoleService::storeRetentionPolicy(const AuditActor& by, const RetentionPolicy& policy) {
    for (int days : {policy.closedAlertsDays, policy.devicesDays}) {
        if (days < 0 || days > 36500) return makeError("retention days must be 0-36500 (0 = keep)");
    }
    if (auto s = store_->setSetting(kSettingRetentionClosedAlertsDays,
                                    std::to_string(policy.closedAlertsDays));
        !s) {
        return s;
    }
    if (auto s =
            store_->setSetting(kSettingRetentionDevicesDays, std::to_string(policy.devicesDays));
        !s) {
        return s;
    }
    return store_->audit(by.actor, "retention.set", "store", by.source,
                         "ok: closed alerts " + std::to_string(policy.closedAlertsDays) +
                             " d, devices " + std::to_string(policy.devicesDays) + " d");
}

Status ConsoleService::setRetentionPolicy(const Session& session, const RetentionPolicy& policy) {
    auto by = authorize(&session, Action::ChangeRetention, "retention");
    if (!by) return by.error();
    return storeRetentionPolicy(*by, policy);
}

Status ConsoleService::setRetentionPolicy(const RetentionPolicy& policy) {
    return storeRetentionPolicy(AuditActor{}, policy);
}

Result<RetentionResult> ConsoleService::runRetention(const Session& session,
                                                     const RetentionControl& control) {
    auto by = authorize(&session, Action::ChangeRetention, "retention");
    if (!by) return by.error();
    return store_->applyRetention(retentionPolicy(), *by, control);
}

Result<RetentionResult> ConsoleService::runRetention(const RetentionControl& control) {
    return store_->applyRetention(retentionPolicy(), AuditActor{}, control);
}

namespace {

/// What the service hands out: the SMTP password stays in the store (hasSmtpPassword says
/// whether there is one).
Result<ForwardRule> withoutSecret(Result<ForwardRule> rule) {
    if (rule) {
        rule->hasSmtpPassword = !rule->smtpPassword.empty();
        rule->smtpPassword.clear();
    }
    return rule;
}

Result<std::vector<ForwardRule>> withoutSecrets(Result<std::vector<ForwardRule>> rules) {
    if (rules) {
        for (auto& r : *rules) r.smtpPassword.clear();
    }
    return rules;
}

}  // namespace

Result<ForwardRule> ConsoleService::addForwardRule(const Session& session,
                                                   const ForwardRule& rule) {
    auto by = authorize(&session, Action::ManageForwarding, rule.target);
    if (!by) return by.error();
    auto checked = checkForwardRule(rule);
    if (!checked) return checked.error();
    return withoutSecret(store_->addForwardRule(*checked, *by));
}

Result<ForwardRule> ConsoleService::addForwardRule(const ForwardRule& rule) {
    auto checked = checkForwardRule(rule);
    if (!checked) return checked.error();
    return withoutSecret(store_->addForwardRule(*checked));
}

Result<std::vector<ForwardRule>> ConsoleService::listForwardRules(const Session& session) {
    auto by = authorize(&session, Action::ManageForwarding, "forwarding");
    if (!by) return by.error();
    return withoutSecrets(store_->listForwardRules());
}

Result<std::vector<ForwardRule>> ConsoleService::listForwardRules() {
    return withoutSecrets(store_->listForwardRules());
}

Status ConsoleService::setForwardCredentials(const Session& session, std::int64_t id,
                                             const std::string& user,
                                             const std::string& password) {
    auto by = authorize(&session, Action::ManageForwarding, std::to_string(id));
    if (!by) return by.error();
    if (user.empty() != password.empty()) return makeError("give both the SMTP user and password");
    return store_->setForwardCredentials(id, user, password, *by);
}

Status ConsoleService::setForwardCredentials(std::int64_t id, const std::string& user,
                                             const std::string& password) {
    if (user.empty() != password.empty()) return makeError("give both the SMTP user and password");
    return store_->setForwardCredentials(id, user, password);
}

Status ConsoleService::removeForwardRule(const Session& session, std::int64_t id) {
    auto by = authorize(&session, Action::ManageForwarding, std::to_string(id));
    if (!by) return by.error();
    return store_->removeForwardRule(id, *by);
}

Result<std::size_t> ConsoleService::importCveFeed(const Session& session, const fs::path& file) {
    auto by = authorize(&session, Action::ImportVulnerabilities, file.string());
    if (!by) return by.error();
    return importNvdFeedFile(*store_, file, *by);
}

}  // namespace ironsight::console::core
