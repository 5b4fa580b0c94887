// SPDX-License-Identifier: Apache-2.0
// Directory sign-in over LDAPS or StartTLS with OpenLDAP's libldap.
#include "console/core/directory.h"

#include <ldap.h>
#include <pthread.h>
#include <signal.h>
#include <sys/time.h>
#include <nlohmann/json.hpp>

#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <fstream>
#include <memory>
#include <mutex>
#include <thread>

#include "shared/base/sigpipe_guard.h"

namespace ironsight::console::core {
namespace {

/// Ends a hung exchange: once armed, shuts the connection's socket down when the deadline
/// passes. libldap alone does not bound everything: a server that accepts TCP and then stays
/// silent hangs the LDAPS handshake (GnuTLS busy-loops) and StartTLS.
class Watchdog {
public:
    Watchdog() : thread_([this] { run(); }) {}
    ~Watchdog() {
        {
            std::lock_guard lock(mutex_);
            stop_ = true;
        }
        wake_.notify_all();
        thread_.join();
    }
    Watchdog(const Watchdog&) = delete;
    Watchdog& operator=(const Watchdog&) = delete;

    /// The socket to shut down; -1 once libldap is about to close it (never a reused number).
    void setFd(int fd) {
        std::lock_guard lock(mutex_);
        fd_ = fd;
    }
    void arm(std::chrono::seconds timeout) {
        {
            std::lock_guard lock(mutex_);
            deadline_ = std::chrono::steady_clock::now() + timeout;
            armed_ = true;
        }
        wake_.notify_all();
    }
    void disarm() {
        std::lock_guard lock(mutex_);
        armed_ = false;
    }
    bool fired() {
        std::lock_guard lock(mutex_);
        return fired_;
    }

private:
    void run() {
        std::unique_lock lock(mutex_);
        while (!stop_) {
            if (!armed_) {
                wake_.wait(lock);
            } else if (wake_.wait_until(lock, deadline_) == std::cv_status::timeout && armed_ &&
                       std::chrono::steady_clock::now() >= deadline_) {
                fired_ = true;
                armed_ = false;
                if (fd_ >= 0) ::shutdown(fd_, SHUT_RDWR);  // the blocked call fails at once
            }
        }
    }

    std::mutex mutex_;
    std::condition_variable wake_;
    bool stop_ = false, armed_ = false, fired_ = false;
    int fd_ = -1;
    std::chrono::steady_clock::time_point deadline_;
    std::thread thread_;  // last: starts once the state above exists
};

/// One LDAP connection handle; unbinds (and closes the socket) when it goes away. Notes whether
/// the TCP connection came up, so a failure after it can be told apart as a TLS failure.
class LdapConnection {
public:
    LdapConnection() = default;
    ~LdapConnection() {
        if (ld_ != nullptr) ldap_unbind_ext_s(ld_, nullptr, nullptr);
    }
    LdapConnection(const LdapConnection&) = delete;
    LdapConnection& operator=(const LdapConnection&) = delete;

    /// ldap_initialize plus the connection callback; returns the LDAP result code.
    int initialize(const std::string& url) {
        int rc = ldap_initialize(&ld_, url.c_str());
        if (rc != LDAP_SUCCESS) return rc;
        callbacks_.lc_add = &LdapConnection::connected;
        callbacks_.lc_del = &LdapConnection::closed;
        callbacks_.lc_arg = this;
        return ldap_set_option(ld_, LDAP_OPT_CONNECT_CB, &callbacks_);
    }
    LDAP* get() const { return ld_; }
    bool tcpConnected() const { return tcpConnected_; }
    Watchdog& watchdog() { return watchdog_; }

private:
    static int connected(LDAP*, Sockbuf* sb, LDAPURLDesc*, sockaddr*, ldap_conncb* ctx) {
        auto* self = static_cast<LdapConnection*>(ctx->lc_arg);
        self->tcpConnected_ = true;
        int fd = -1;
        if (ber_sockbuf_ctrl(sb, LBER_SB_OPT_GET_FD, &fd) == 1) self->watchdog_.setFd(fd);
        return 0;
    }
    static void closed(LDAP*, Sockbuf*, ldap_conncb* ctx) {
        static_cast<LdapConnection*>(ctx->lc_arg)->watchdog_.setFd(-1);
    }

    Watchdog watchdog_;  // outlives the handle (members go after the destructor's unbind)
    LDAP* ld_ = nullptr;
    ldap_conncb callbacks_{};  // libldap keeps a pointer to it until the handle is freed
    bool tcpConnected_ = false;
};

struct MessageFree {
    void operator()(LDAPMessage* m) const { ldap_msgfree(m); }
};
using MessagePtr = std::unique_ptr<LDAPMessage, MessageFree>;
struct MemFree {
    void operator()(char* p) const { ldap_memfree(p); }
};
using LdapString = std::unique_ptr<char, MemFree>;
struct ValuesFree {
    void operator()(berval** v) const { ldap_value_free_len(v); }
};
using ValuesPtr = std::unique_ptr<berval*, ValuesFree>;
struct UrlFree {
    void operator()(LDAPURLDesc* u) const { ldap_free_urldesc(u); }
};
using UrlPtr = std::unique_ptr<LDAPURLDesc, UrlFree>;

std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

bool validDn(const std::string& dn) {
    LDAPDN parsed = nullptr;
    if (ldap_str2dn(dn.c_str(), &parsed, LDAP_DN_FORMAT_LDAP) != LDAP_SUCCESS) return false;
    ldap_dnfree(parsed);
    return true;
}

/// The server's diagnostic text, when it says more than the result code.
std::string diagnostic(LDAP* ld) {
    char* msg = nullptr;
    if (ldap_get_option(ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &msg) != LDAP_OPT_SUCCESS) return {};
    LdapString guard(msg);
    std::string text = msg != nullptr ? msg : "";
    // GnuTLS certificate failures surface as this placeholder; it helps nobody.
    if (text == "(unknown error code)") text.clear();
    return text;
}

std::string ldapError(LDAP* ld, int rc) {
    std::string text = ldap_err2string(rc);
    std::string diag = diagnostic(ld);
    if (!diag.empty() && diag != text) text += " (" + diag + ")";
    return text;
}

int simpleBind(LDAP* ld, const std::string& dn, const std::string& password) {
    berval cred{};
    cred.bv_val = const_cast<char*>(password.data());  // libldap does not write through it
    cred.bv_len = password.size();
    return ldap_sasl_bind_s(ld, dn.c_str(), LDAP_SASL_SIMPLE, &cred, nullptr, nullptr, nullptr);
}

int rank(Role role) {
    switch (role) {
        case Role::Admin:
            return 3;
        case Role::Analyst:
            return 2;
        case Role::Viewer:
            return 1;
    }
    return 0;
}

bool balancedFilter(const std::string& filter) {
    if (filter.size() < 2 || filter.front() != '(' || filter.back() != ')') return false;
    int depth = 0;
    for (std::size_t i = 0; i < filter.size(); ++i) {
        if (filter[i] == '(') ++depth;
        if (filter[i] == ')' && --depth < 0) return false;
        if (depth == 0 && i + 1 != filter.size()) return false;  // one filter, not a list
    }
    return depth == 0;
}

}  // namespace

std::string normalizeDirectoryDn(const std::string& dn) {
    char* out = nullptr;
    if (ldap_dn_normalize(dn.c_str(), LDAP_DN_FORMAT_LDAP, &out, LDAP_DN_FORMAT_LDAPV3) ==
            LDAP_SUCCESS &&
        out != nullptr) {
        LdapString guard(out);
        return lower(out);
    }
    return lower(dn);
}

const char* directoryTlsName(DirectoryTls tls) {
    switch (tls) {
        case DirectoryTls::Ldaps:
            return "ldaps";
        case DirectoryTls::StartTls:
            return "starttls";
        case DirectoryTls::None:
            return "none";
    }
    return "none";
}

std::optional<DirectoryTls> directoryTlsFromName(std::string_view name) {
    if (name == "ldaps") return DirectoryTls::Ldaps;
    if (name == "starttls") return DirectoryTls::StartTls;
    if (name == "none") return DirectoryTls::None;
    return std::nullopt;
}

DirectoryTls defaultDirectoryTls(const std::string& url) {
    return lower(url).rfind("ldaps://", 0) == 0 ? DirectoryTls::Ldaps : DirectoryTls::StartTls;
}

Status checkDirectoryConfig(const DirectoryConfig& c) {
    if (c.url.empty())
        return makeError("the directory URL is empty (ldaps://HOST:636 or ldap://HOST:389)");
    LDAPURLDesc* parsed = nullptr;
    if (ldap_url_parse(c.url.c_str(), &parsed) != LDAP_URL_SUCCESS || parsed == nullptr) {
        return makeError("directory URL '" + c.url +
                         "' is not an LDAP URL (ldaps://HOST:636 or ldap://HOST:389)");
    }
    UrlPtr url(parsed);
    std::string scheme = lower(url->lud_scheme != nullptr ? url->lud_scheme : "");
    if (scheme != "ldap" && scheme != "ldaps") {
        return makeError("directory URL '" + c.url +
                         "': only ldaps:// and ldap:// (with StartTLS) "
                         "are supported");
    }
    if (url->lud_host == nullptr || *url->lud_host == '\0') {
        return makeError("directory URL '" + c.url + "' names no host");
    }
    if (c.tls == DirectoryTls::None) {
        return makeError(
            "plain LDAP without TLS is refused (passwords would cross the network in "
            "clear): use an ldaps:// URL, or StartTLS with ldap://");
    }
    if (scheme == "ldaps" && c.tls != DirectoryTls::Ldaps) {
        return makeError("directory URL '" + c.url +
                         "' is LDAPS: StartTLS applies to ldap:// only");
    }
    if (scheme == "ldap" && c.tls != DirectoryTls::StartTls) {
        return makeError("directory URL '" + c.url +
                         "' is ldap://: it needs StartTLS (for LDAPS "
                         "use an ldaps:// URL)");
    }
    if (!c.caFile.empty() && !std::ifstream(c.caFile).good()) {
        return makeError("directory CA file " + c.caFile + " cannot be read");
    }
    if (!c.bindDn.empty() && !validDn(c.bindDn)) {
        return makeError("bind DN '" + c.bindDn + "' is not a valid DN");
    }
    if (!c.bindDn.empty() && c.bindPassword.empty()) {
        return makeError("bind DN '" + c.bindDn + "' has no bind password");
    }
    if (c.bindDn.empty() && !c.bindPassword.empty()) {
        return makeError("a bind password is set but no bind DN");
    }
    if (c.base.empty()) return makeError("the user search base is empty");
    if (!validDn(c.base)) return makeError("search base '" + c.base + "' is not a valid DN");
    if (c.filter.find("%s") == std::string::npos) {
        return makeError("user filter '" + c.filter + "' has no %s for the user name");
    }
    if (!balancedFilter(c.filter)) {
        return makeError("user filter '" + c.filter + "' is not one parenthesized LDAP filter");
    }
    if (c.groups.empty()) {
        return makeError(
            "no directory group is mapped to a console role (add one, e.g. "
            "admin=cn=console-admins,ou=groups,dc=example,dc=com)");
    }
    for (const auto& g : c.groups) {
        if (g.dn.empty() || !validDn(g.dn)) {
            return makeError("group '" + g.dn + "' (" + roleName(g.role) + ") is not a valid DN");
        }
    }
    if (c.timeoutSeconds < 1 || c.timeoutSeconds > 120) {
        return makeError("directory timeout must be 1-120 seconds");
    }
    return {};
}

std::string directoryGroupsToJson(const std::vector<DirectoryGroup>& groups) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& g : groups) out.push_back({{"dn", g.dn}, {"role", roleName(g.role)}});
    return out.dump();
}

Result<std::vector<DirectoryGroup>> directoryGroupsFromJson(const std::string& text) {
    std::vector<DirectoryGroup> groups;
    if (text.empty()) return groups;
    try {
        for (const auto& item : nlohmann::json::parse(text)) {
            auto role = roleFromName(item.at("role").get<std::string>());
            if (!role) return makeError("stored directory group mapping has an unknown role");
            groups.push_back({item.at("dn").get<std::string>(), *role});
        }
    } catch (const nlohmann::json::exception&) {
        return makeError("stored directory group mapping is not valid JSON");
    }
    return groups;
}

std::string escapeLdapFilterValue(std::string_view value) {
    static const char* hex = "0123456789abcdef";
    std::string out;
    out.reserve(value.size());
    for (char ch : value) {
        auto c = static_cast<unsigned char>(ch);
        if (c == '\0' || c == '(' || c == ')' || c == '*' || c == '\\') {
            out += '\\';
            out += hex[c >> 4];
            out += hex[c & 0xf];
        } else {
            out += ch;
        }
    }
    return out;
}

std::string directoryUserFilter(const std::string& pattern, std::string_view user) {
    const std::string escaped = escapeLdapFilterValue(user);
    std::string out;
    for (std::size_t i = 0; i < pattern.size(); ++i) {
        if (pattern[i] == '%' && i + 1 < pattern.size() && pattern[i + 1] == 's') {
            out += escaped;
            ++i;
        } else {
            out += pattern[i];
        }
    }
    return out;
}

DirectoryAuthResult authenticateDirectoryUser(const DirectoryConfig& config,
                                              const std::string& user, const std::string& password,
                                              const DirectoryGate& gate) {
    DirectoryAuthResult r;
    auto fail = [&r](DirectoryFailure failure, std::string message) {
        r.failure = failure;
        r.message = std::move(message);
        return r;
    };
    if (auto s = checkDirectoryConfig(config); !s) {
        return fail(DirectoryFailure::Config, "directory settings: " + s.error().message);
    }
    if (user.empty()) return fail(DirectoryFailure::UserNotFound, "the user name is empty");

    SigpipeGuard noSigpipe;  // outlives the connection: unbinding writes too
    LdapConnection conn;
    if (int rc = conn.initialize(config.url); rc != LDAP_SUCCESS) {
        return fail(DirectoryFailure::Config,
                    "directory URL '" + config.url + "': " + ldap_err2string(rc));
    }
    LDAP* ld = conn.get();
    const std::string where = "the directory at " + config.url;
    timeval timeout{config.timeoutSeconds, 0};
    const int version = LDAP_VERSION3;
    const int demand = LDAP_OPT_X_TLS_DEMAND;
    const int tls12 = LDAP_OPT_X_TLS_PROTOCOL_TLS1_2;
    const int isServer = 0;
    // Per-connection TLS context: the CA file and DEMAND must be set before NEWCTX builds it.
    bool options = ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &version) == LDAP_OPT_SUCCESS &&
                   ldap_set_option(ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF) == LDAP_OPT_SUCCESS &&
                   ldap_set_option(ld, LDAP_OPT_NETWORK_TIMEOUT, &timeout) == LDAP_OPT_SUCCESS &&
                   ldap_set_option(ld, LDAP_OPT_TIMEOUT, &timeout) == LDAP_OPT_SUCCESS &&
                   ldap_set_option(ld, LDAP_OPT_X_TLS_REQUIRE_CERT, &demand) == LDAP_OPT_SUCCESS &&
                   ldap_set_option(ld, LDAP_OPT_X_TLS_PROTOCOL_MIN, &tls12) == LDAP_OPT_SUCCESS;
    if (options && !config.caFile.empty()) {
        options = ldap_set_option(ld, LDAP_OPT_X_TLS_CACERTFILE, config.caFile.c_str()) ==
                  LDAP_OPT_SUCCESS;
    }
    if (options)
        options = ldap_set_option(ld, LDAP_OPT_X_TLS_NEWCTX, &isServer) == LDAP_OPT_SUCCESS;
    if (!options) {
        return fail(DirectoryFailure::Config,
                    "cannot set up TLS for " + where + ": " + ldapError(ld, LDAP_OTHER) +
                        (config.caFile.empty() ? "" : " (CA file " + config.caFile + ")"));
    }

    const std::string trust =
        config.caFile.empty() ? "the system trust store" : "the CA file " + config.caFile;
    // Every blocking call runs under the watchdog, with the same timeout.
    auto guarded = [&](auto call) {
        conn.watchdog().arm(std::chrono::seconds(config.timeoutSeconds));
        int rc = call();
        conn.watchdog().disarm();
        return rc;
    };
    // Errors while the connection is being set up: can't connect, timeout, or TLS.
    auto connectFailure = [&](int rc, bool tlsStep) {
        if (rc == LDAP_TIMEOUT || conn.watchdog().fired()) {
            return fail(
                DirectoryFailure::Connect,
                where + " did not answer within " + std::to_string(config.timeoutSeconds) + " s");
        }
        if (tlsStep && conn.tcpConnected()) {
            return fail(DirectoryFailure::Tls,
                        "TLS with " + where + " failed: its certificate is not trusted by " +
                            trust + " or does not name the URL's host (" + ldapError(ld, rc) + ")");
        }
        return fail(DirectoryFailure::Connect,
                    "cannot connect to " + where + ": " + ldapError(ld, rc));
    };
    // Errors of the operations that follow.
    auto operationFailure = [&](int rc, const std::string& what) {
        if (rc == LDAP_TIMEOUT || rc == LDAP_SERVER_DOWN || rc == LDAP_CONNECT_ERROR) {
            return connectFailure(rc, false);
        }
        return fail(DirectoryFailure::Protocol, what + " failed: " + ldapError(ld, rc));
    };

    if (int rc = guarded([&] { return ldap_connect(ld); }); rc != LDAP_SUCCESS) {
        return connectFailure(rc, config.tls == DirectoryTls::Ldaps);
    }
    if (config.tls == DirectoryTls::StartTls) {
        int rc = guarded([&] { return ldap_start_tls_s(ld, nullptr, nullptr); });
        if (rc == LDAP_PROTOCOL_ERROR || rc == LDAP_UNAVAILABLE || rc == LDAP_OPERATIONS_ERROR ||
            rc == LDAP_UNWILLING_TO_PERFORM) {
            return fail(DirectoryFailure::Tls, where + " refused StartTLS: " + ldapError(ld, rc));
        }
        if (rc != LDAP_SUCCESS) return connectFailure(rc, true);
    }

    if (!config.bindDn.empty()) {
        int rc = guarded([&] { return simpleBind(ld, config.bindDn, config.bindPassword); });
        if (rc == LDAP_INVALID_CREDENTIALS || rc == LDAP_INVALID_DN_SYNTAX ||
            rc == LDAP_UNWILLING_TO_PERFORM || rc == LDAP_INAPPROPRIATE_AUTH) {
            return fail(
                DirectoryFailure::ServiceBind,
                where + " refused the service account " + config.bindDn + ": " + ldapError(ld, rc));
        }
        if (rc != LDAP_SUCCESS) return operationFailure(rc, "the service account's bind");
    }

    const std::string filter = directoryUserFilter(config.filter, user);
    char memberOf[] = "memberOf";
    char* userAttrs[] = {memberOf, nullptr};
    LDAPMessage* found = nullptr;
    int rc = guarded([&] {
        return ldap_search_ext_s(ld, config.base.c_str(), LDAP_SCOPE_SUBTREE, filter.c_str(),
                                 userAttrs, 0, nullptr, nullptr, &timeout, 2, &found);
    });
    MessagePtr foundGuard(found);
    if (rc == LDAP_SIZELIMIT_EXCEEDED) {
        return fail(DirectoryFailure::UserNotFound,
                    "more than one directory entry under " + config.base + " matches " + filter);
    }
    if (rc == LDAP_NO_SUCH_OBJECT) {
        return fail(DirectoryFailure::Config,
                    "the user search base " + config.base + " does not exist in " + where +
                        (config.bindDn.empty() ? " or anonymous clients may not read it"
                                               : " or " + config.bindDn + " may not read it"));
    }
    if (rc != LDAP_SUCCESS) return operationFailure(rc, "the user search " + filter);
    int count = ldap_count_entries(ld, found);
    if (count == 0) {
        return fail(
            DirectoryFailure::UserNotFound,
            "user '" + user + "' not found: no entry under " + config.base + " matches " + filter);
    }
    if (count > 1) {
        return fail(DirectoryFailure::UserNotFound,
                    "more than one directory entry under " + config.base + " matches " + filter);
    }
    LDAPMessage* entry = ldap_first_entry(ld, found);
    {
        LdapString dn(ldap_get_dn(ld, entry));
        if (!dn) return operationFailure(LDAP_OTHER, "reading the user's DN");
        r.dn = dn.get();
    }
    std::vector<std::string> memberOfNormalized;
    if (ValuesPtr values(ldap_get_values_len(ld, entry, memberOf)); values) {
        for (berval** v = values.get(); *v != nullptr; ++v) {
            r.groups.emplace_back((*v)->bv_val, (*v)->bv_len);
            memberOfNormalized.push_back(normalizeDirectoryDn(r.groups.back()));
        }
    }

    // Mapped groups: the entry's memberOf (AD, OpenLDAP's memberof overlay), else ask the group
    // itself whether it lists the user (groupOfNames / groupOfUniqueNames).
    const std::string dnValue = escapeLdapFilterValue(r.dn);
    const std::string memberFilter = "(|(member=" + dnValue + ")(uniqueMember=" + dnValue + "))";
    char noAttrs[] = "1.1";
    char* groupAttrs[] = {noAttrs, nullptr};
    const Role* best = nullptr;
    for (const auto& group : config.groups) {
        const std::string normalized = normalizeDirectoryDn(group.dn);
        bool member = std::find(memberOfNormalized.begin(), memberOfNormalized.end(), normalized) !=
                      memberOfNormalized.end();
        if (!member) {
            LDAPMessage* res = nullptr;
            int grc = guarded([&] {
                return ldap_search_ext_s(ld, group.dn.c_str(), LDAP_SCOPE_BASE,
                                         memberFilter.c_str(), groupAttrs, 0, nullptr, nullptr,
                                         &timeout, 1, &res);
            });
            MessagePtr resGuard(res);
            if (grc == LDAP_NO_SUCH_OBJECT) {
                r.missingGroups.push_back(group.dn);
                continue;
            }
            if (grc != LDAP_SUCCESS) {
                return operationFailure(grc, "the membership check of group " + group.dn);
            }
            member = ldap_count_entries(ld, res) > 0;
            if (member) r.groups.push_back(group.dn);
        }
        if (member && (best == nullptr || rank(group.role) > rank(*best))) {
            best = &group.role;
            r.roleGroup = group.dn;
        }
    }

    // An LDAP simple bind with a DN and no password is an unauthenticated (anonymous) bind
    // that servers accept (RFC 4513 5.1.2): never let it count as a sign-in.
    if (gate) {
        if (std::string refused = gate(r.dn); !refused.empty()) {
            return fail(DirectoryFailure::Locked, refused);
        }
    }
    if (password.empty()) {
        return fail(DirectoryFailure::WrongPassword, "the password is empty");
    }
    rc = guarded([&] { return simpleBind(ld, r.dn, password); });
    if (rc == LDAP_INVALID_CREDENTIALS) {
        return fail(DirectoryFailure::WrongPassword,
                    where + " refused the password of " + r.dn + ": " + ldapError(ld, rc));
    }
    if (rc != LDAP_SUCCESS) return operationFailure(rc, "the bind as " + r.dn);
    if (best == nullptr) {
        return fail(DirectoryFailure::NoMappedGroup,
                    r.dn + " is in no directory group mapped to a console role");
    }
    r.role = *best;
    return r;
}

}  // namespace ironsight::console::core
