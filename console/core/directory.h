// SPDX-License-Identifier: Apache-2.0
// Directory sign-in: LDAP / Active Directory over LDAPS or StartTLS (OpenLDAP's libldap), with
// directory groups mapped to console roles (docs/CONSOLE.md "Directory sign-in").
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "console/core/auth.h"
#include "shared/base/result.h"

namespace ironsight::console::core {

// Settings keys (settings table). directory.url empty or absent = directory sign-in off.
inline constexpr const char* kSettingDirectoryUrl = "directory.url";
inline constexpr const char* kSettingDirectoryTls = "directory.tls";  ///< ldaps | starttls
inline constexpr const char* kSettingDirectoryCaFile = "directory.ca_file";
inline constexpr const char* kSettingDirectoryBindDn = "directory.bind_dn";
inline constexpr const char* kSettingDirectoryBindPassword = "directory.bind_password";
inline constexpr const char* kSettingDirectoryBase = "directory.base";
inline constexpr const char* kSettingDirectoryFilter = "directory.filter";
inline constexpr const char* kSettingDirectoryGroups = "directory.groups";  ///< JSON [{dn, role}]
inline constexpr const char* kSettingDirectoryTimeout = "directory.timeout_seconds";
/// Prefix of the per-user lockout records of directory users ("<failures> <first> <until>").
inline constexpr const char* kSettingDirectoryLockoutPrefix = "directory.lockout.";

inline constexpr const char* kDefaultDirectoryFilter = "(uid=%s)";

/// How the connection is protected. None exists only so that a request for plain LDAP can be
/// refused by name: passwords never cross the network without TLS.
enum class DirectoryTls { Ldaps, StartTls, None };
const char* directoryTlsName(DirectoryTls tls);
std::optional<DirectoryTls> directoryTlsFromName(std::string_view name);
/// ldaps:// -> Ldaps, anything else -> StartTls.
DirectoryTls defaultDirectoryTls(const std::string& url);

/// A directory group whose members get `role`.
struct DirectoryGroup {
    std::string dn;
    Role role = Role::Viewer;
};

struct DirectoryConfig {
    std::string url;  ///< ldaps://host:636 or ldap://host:389; empty = off
    DirectoryTls tls = DirectoryTls::StartTls;
    std::string caFile;  ///< PEM CA certificates; empty = the system trust store
    std::string bindDn;  ///< service account for the user search; empty = anonymous search
    std::string bindPassword;
    std::string base;                              ///< user search base (subtree)
    std::string filter = kDefaultDirectoryFilter;  ///< %s = the escaped user name
    std::vector<DirectoryGroup> groups;
    int timeoutSeconds = 5;  ///< network connect and each operation
    bool enabled() const { return !url.empty(); }
};

/// Checks a configuration before it is stored or used; the error names the field at fault.
Status checkDirectoryConfig(const DirectoryConfig& config);

/// JSON text of the group mapping ([{"dn": ..., "role": "admin"}]) and back.
std::string directoryGroupsToJson(const std::vector<DirectoryGroup>& groups);
Result<std::vector<DirectoryGroup>> directoryGroupsFromJson(const std::string& text);

/// RFC 4515 escaping of an assertion value: NUL ( ) * \ become \00 \28 \29 \2a \5c.
std::string escapeLdapFilterValue(std::string_view value);
/// `pattern` with every %s replaced by the escaped user name.
std::string directoryUserFilter(const std::string& pattern, std::string_view user);

/// Why a directory sign-in did not succeed.
enum class DirectoryFailure {
    None,
    Config,         ///< the stored configuration is unusable
    Connect,        ///< cannot reach the server, or it did not answer in time
    Tls,            ///< TLS handshake failed (certificate not trusted, wrong name, ...)
    ServiceBind,    ///< the service account's bind was refused
    UserNotFound,   ///< no entry (or more than one) matches the user filter
    WrongPassword,  ///< the user's bind was refused (or the password was empty)
    NoMappedGroup,  ///< the user is in no group mapped to a console role
    Locked,         ///< the gate refused before the password was tried (console lockout)
    Protocol,       ///< any other LDAP error
};

struct DirectoryAuthResult {
    DirectoryFailure failure = DirectoryFailure::None;
    std::string message;              ///< one line naming the cause (never contains a password)
    std::string dn;                   ///< the user's entry, once found
    std::vector<std::string> groups;  ///< memberOf values and mapped groups listing the user
    std::vector<std::string> missingGroups;  ///< mapped group DNs the directory does not have
    Role role = Role::Viewer;                ///< the highest mapped role (when failure is None)
    std::string roleGroup;                   ///< the mapped group that gave `role`
    bool ok() const { return failure == DirectoryFailure::None; }
};

/// Canonical LDAPv3 form of a DN, lower-cased: one spelling per entry (lockout records).
std::string normalizeDirectoryDn(const std::string& dn);

/// Called with the user's DN once found, before the password is tried; a non-empty answer ends
/// the attempt with DirectoryFailure::Locked and that message.
using DirectoryGate = std::function<std::string(const std::string& dn)>;

/// Finds `user` with the service account (or anonymously), collects its groups (the entry's
/// memberOf and a base-scope check of each mapped group for member/uniqueMember), then binds as
/// the user with `password` on the same TLS connection. Blocks for at most a few multiples of
/// config.timeoutSeconds.
DirectoryAuthResult authenticateDirectoryUser(const DirectoryConfig& config,
                                              const std::string& user, const std::string& password,
                                              const DirectoryGate& gate = {});

}  // namespace ironsight::console::core
