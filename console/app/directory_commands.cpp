// SPDX-License-Identifier: Apache-2.0
// `ironsight-console admin directory ...`: directory (LDAP / AD) sign-in settings and a test
// sign-in (docs/CONSOLE.md "Directory sign-in").
#include <termios.h>
#include <unistd.h>
#include <nlohmann/json.hpp>

#include <iostream>
#include <map>

#include "console/app/app.h"
#include "console/core/directory.h"
#include "shared/crypto/crypto.h"

namespace ironsight::console::app {
namespace fs = std::filesystem;
namespace {

int fail(const std::string& message) {
    std::cerr << "error: " << message << "\n";
    return 1;
}

std::string firstLine(std::string text) {
    if (auto nl = text.find('\n'); nl != std::string::npos) text.resize(nl);
    while (!text.empty() && text.back() == '\r') text.pop_back();
    return text;
}

/// The first line of `file`, or of stdin (asked for without echo on a terminal).
Result<std::string> readSecret(const std::string& file, const std::string& prompt) {
    if (!file.empty()) {
        auto text = crypto::readFile(file, 4096);
        if (!text) return text.error();
        std::string line = firstLine(*text);
        if (line.empty()) return makeError(file + ": the first line (the password) is empty");
        return line;
    }
    const bool tty = ::isatty(STDIN_FILENO) != 0;
    termios saved{};
    if (tty) {
        std::cerr << prompt << std::flush;
        ::tcgetattr(STDIN_FILENO, &saved);
        termios quiet = saved;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    std::string line;
    std::getline(std::cin, line);
    if (tty) {
        ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
        std::cerr << "\n";
    }
    line = firstLine(line);
    if (line.empty()) return makeError("no password given (on stdin or with --password-file)");
    return line;
}

const char* tlsLabel(core::DirectoryTls tls) {
    switch (tls) {
        case core::DirectoryTls::Ldaps:
            return "LDAPS";
        case core::DirectoryTls::StartTls:
            return "StartTLS";
        case core::DirectoryTls::None:
            return "no TLS (refused)";
    }
    return "";
}

void printConfig(const core::DirectoryConfig& c) {
    std::cout << "directory sign-in: " << (c.enabled() ? "on" : "off") << "\n";
    if (c.url.empty() && c.base.empty()) return;
    std::cout << "  url:            "
              << (c.url.empty() ? std::string("(none)") : c.url + " (" + tlsLabel(c.tls) + ")")
              << "\n"
              << "  CA file:        " << (c.caFile.empty() ? "(system trust store)" : c.caFile)
              << "\n"
              << "  bind DN:        " << (c.bindDn.empty() ? "(anonymous search)" : c.bindDn)
              << "\n"
              << "  bind password:  " << (c.bindPassword.empty() ? "(none)" : "(set)") << "\n"
              << "  search base:    " << c.base << "\n"
              << "  user filter:    " << c.filter << "\n"
              << "  timeout:        " << c.timeoutSeconds << " s\n";
    for (std::size_t i = 0; i < c.groups.size(); ++i) {
        std::cout << (i == 0 ? "  groups:         " : "                  ")
                  << core::roleName(c.groups[i].role) << " = " << c.groups[i].dn << "\n";
    }
}

nlohmann::json configJson(const core::DirectoryConfig& c) {
    nlohmann::json groups = nlohmann::json::array();
    for (const auto& g : c.groups)
        groups.push_back({{"dn", g.dn}, {"role", core::roleName(g.role)}});
    return {{"enabled", c.enabled()},
            {"url", c.url},
            {"tls", core::directoryTlsName(c.tls)},
            {"ca_file", c.caFile},
            {"bind_dn", c.bindDn},
            {"bind_password_set", !c.bindPassword.empty()},
            {"base", c.base},
            {"filter", c.filter},
            {"groups", groups},
            {"timeout_seconds", c.timeoutSeconds}};
}

}  // namespace

void addDirectoryCommands(CLI::App& admin, const std::function<fs::path()>& dataDir,
                          int& exitCode) {
    CLI::App* directory = admin.add_subcommand(
        "directory", "Directory sign-in: LDAP / Active Directory over LDAPS or StartTLS");
    directory->require_subcommand(1);

    // directory show [--json]
    auto json = std::make_shared<bool>(false);
    CLI::App* show =
        directory->add_subcommand("show", "Show the directory settings (never the password)");
    show->add_flag("--json", *json, "JSON output");
    show->callback([json, dataDir, &exitCode] {
        auto console = openExisting(dataDir());
        if (!console) return void(exitCode = fail(console.error().message));
        auto c = (*console)->directoryConfig();
        if (!c) return void(exitCode = fail(c.error().message));
        if (*json) {
            std::cout << configJson(*c).dump(2) << "\n";
        } else {
            printConfig(*c);
        }
        exitCode = 0;
    });

    // directory set [--url URL] [--tls MODE] [--ca-file F] [--bind-dn DN]
    //               [--bind-password-file F] [--base DN] [--filter F] [--group ROLE=DN]...
    // Plain values plus their CLI::Option: an option given as "" (clear) differs from absent.
    struct SetArgs {
        std::string url, tls, caFile, bindDn, passwordFile, base, filter;
        std::vector<std::string> groups;
        int timeout = 5;
        std::map<std::string, CLI::Option*> given;
        bool has(const char* name) const { return given.at(name)->count() > 0; }
    };
    auto args = std::make_shared<SetArgs>();
    CLI::App* set = directory->add_subcommand(
        "set",
        "Change the directory settings (options not given keep their value) and turn "
        "directory sign-in on");
    args->given["url"] = set->add_option(
        "--url", args->url, "ldaps://HOST:636, or ldap://HOST:389 (always with StartTLS)");
    args->given["tls"] =
        set->add_option("--tls", args->tls,
                        "ldaps or starttls (default: from the URL); none is refused")
            ->check(CLI::IsMember({"ldaps", "starttls", "none"}));
    args->given["ca-file"] =
        set->add_option("--ca-file", args->caFile,
                        "PEM CA certificate(s) the server's certificate must chain to (\"\": the "
                        "system trust store)");
    args->given["bind-dn"] =
        set->add_option("--bind-dn", args->bindDn,
                        "Service account that searches for users (\"\": anonymous search)");
    args->given["bind-password-file"] =
        set->add_option("--bind-password-file", args->passwordFile,
                        "File whose first line is the service account's password (stored in the "
                        "console database, never shown)");
    args->given["base"] = set->add_option("--base", args->base, "Subtree where users are searched");
    args->given["filter"] =
        set->add_option("--filter", args->filter,
                        "User filter, %s = the escaped user name (default (uid=%s); Active "
                        "Directory: (sAMAccountName=%s))");
    set->add_option("--group", args->groups,
                    "ROLE=GROUP_DN with ROLE admin, analyst or viewer; repeat for each group "
                    "(replaces the mapping). The highest mapped role wins");
    args->given["timeout"] =
        set->add_option("--timeout", args->timeout,
                        "Seconds for connecting and for each directory operation (1-120)")
            ->check(CLI::Range(1, 120));
    set->callback([args, dataDir, &exitCode] {
        auto console = openExisting(dataDir());
        if (!console) return void(exitCode = fail(console.error().message));
        auto stored = (*console)->directoryConfig();
        if (!stored) return void(exitCode = fail(stored.error().message));
        core::DirectoryConfig c = *stored;
        if (args->has("url")) {
            c.url = args->url;
            c.tls = core::defaultDirectoryTls(c.url);
        }
        if (args->has("tls")) c.tls = *core::directoryTlsFromName(args->tls);
        if (args->has("ca-file")) c.caFile = args->caFile;
        if (args->has("bind-dn")) {
            c.bindDn = args->bindDn;
            if (c.bindDn.empty()) c.bindPassword.clear();
        }
        if (args->has("bind-password-file")) {
            if (args->passwordFile.empty()) {
                return void(exitCode = fail("--bind-password-file needs a file name"));
            }
            auto pw = readSecret(args->passwordFile, "");
            if (!pw) return void(exitCode = fail(pw.error().message));
            c.bindPassword = *pw;
        }
        if (args->has("base")) c.base = args->base;
        if (args->has("filter")) c.filter = args->filter;
        if (args->has("timeout")) c.timeoutSeconds = args->timeout;
        if (!args->groups.empty()) {
            c.groups.clear();
            for (const auto& g : args->groups) {
                auto eq = g.find('=');
                auto role = eq == std::string::npos
                                ? std::nullopt
                                : core::roleFromName(std::string_view(g).substr(0, eq));
                if (!role || eq + 1 >= g.size()) {
                    return void(exitCode = fail("--group '" + g +
                                                "': give ROLE=GROUP_DN with ROLE admin, analyst "
                                                "or viewer"));
                }
                c.groups.push_back({g.substr(eq + 1), *role});
            }
        }
        if (c.url.empty()) {
            return void(exitCode = fail("give the directory --url (ldaps://HOST:636 or "
                                        "ldap://HOST:389)"));
        }
        if (auto s = (*console)->setDirectoryConfig(c); !s) {
            return void(exitCode = fail(s.error().message));
        }
        printConfig(c);
        std::cout << "check it with: ironsight-console admin directory test USER\n";
        exitCode = 0;
    });

    // directory off
    directory
        ->add_subcommand("off",
                         "Turn directory sign-in off (local accounts only); the other settings are "
                         "kept, set --url turns it on again")
        ->callback([dataDir, &exitCode] {
            auto console = openExisting(dataDir());
            if (!console) return void(exitCode = fail(console.error().message));
            if (auto s = (*console)->setDirectoryConfig(core::DirectoryConfig{}); !s) {
                return void(exitCode = fail(s.error().message));
            }
            std::cout << "directory sign-in off\n";
            exitCode = 0;
        });

    // directory test USER [--password-file F]
    struct TestArgs {
        std::string user, passwordFile;
    };
    auto test = std::make_shared<TestArgs>();
    CLI::App* testCmd = directory->add_subcommand(
        "test",
        "Look a user up and try the password with the stored settings: prints the DN, the "
        "groups and the resulting role (no sign-in, no lockout count)");
    testCmd->add_option("USER", test->user, "User name as typed at sign-in")->required();
    testCmd->add_option("--password-file", test->passwordFile,
                        "File whose first line is the user's password (default: stdin)");
    testCmd->callback([test, dataDir, &exitCode] {
        auto console = openExisting(dataDir());
        if (!console) return void(exitCode = fail(console.error().message));
        auto password = readSecret(test->passwordFile, "password for " + test->user + ": ");
        if (!password) return void(exitCode = fail(password.error().message));
        if (auto c = (*console)->directoryConfig(); c && c->enabled()) {
            std::cout << "directory:  " << c->url << " (" << tlsLabel(c->tls) << ")\n";
        }
        core::DirectoryAuthResult r = (*console)->testDirectory(test->user, *password);
        if (!r.dn.empty()) std::cout << "user DN:    " << r.dn << "\n";
        if (!r.dn.empty()) {
            std::cout << "groups:     " << (r.groups.empty() ? "(none found)" : "");
            for (std::size_t i = 0; i < r.groups.size(); ++i) {
                std::cout << (i == 0 ? "" : "            ") << r.groups[i] << "\n";
            }
            if (r.groups.empty()) std::cout << "\n";
        }
        for (const auto& missing : r.missingGroups) {
            std::cerr << "warning: mapped group " << missing
                      << " does not exist in the directory\n";
        }
        if (!r.ok()) return void(exitCode = fail(r.message));
        std::cout << "role:       " << core::roleName(r.role) << " (from " << r.roleGroup << ")\n";
        exitCode = 0;
    });
}

}  // namespace ironsight::console::app
