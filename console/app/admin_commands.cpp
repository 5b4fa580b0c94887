// SPDX-License-Identifier: Apache-2.0
// `ironsight-console admin ...`: init, sites, zones, sensors, users, audit log, exports (SPEC §6).
#include <nlohmann/json.hpp>

#include <algorithm>
#include <ctime>
#include <iomanip>
#include <iostream>

#include "console/app/app.h"
#include "console/core/console_service.h"
#include "shared/crypto/crypto.h"

namespace ironsight::console::app {
namespace fs = std::filesystem;
namespace {

int fail(const std::string& message) {
    std::cerr << "error: " << message << "\n";
    return 1;
}

/// Opens an existing console; refuses a data dir that `admin init` or `--headless` never set up.
Result<std::unique_ptr<core::ConsoleService>> openExisting(const fs::path& dataDir) {
    if (!core::Pki::exists(dataDir / "pki") || !fs::exists(dataDir / "console.db")) {
        return makeError("no console in " + dataDir.string() +
                         " (run 'ironsight-console admin init' first)");
    }
    return core::ConsoleService::open(dataDir);
}

std::string formatTime(std::int64_t ms) {
    if (ms <= 0) return "never";
    std::time_t t = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[40];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
    return buf;
}

/// The first line of a password file (trailing CR/LF removed).
Result<std::string> readPasswordFile(const std::string& file) {
    auto password = crypto::readFile(file, 4096);
    if (!password) return password.error();
    std::string pw = *password;
    if (auto nl = pw.find('\n'); nl != std::string::npos) pw.resize(nl);
    while (!pw.empty() && pw.back() == '\r') pw.pop_back();
    if (pw.empty()) return makeError(file + ": the first line (the password) is empty");
    return pw;
}

void addUserCommands(CLI::App& admin, const std::function<fs::path()>& dataDir, int& exitCode);
void addAuditCommands(CLI::App& admin, const std::function<fs::path()>& dataDir, int& exitCode);

}  // namespace

void addAdminCommands(CLI::App& app, std::function<fs::path()> dataDir, int& exitCode) {
    CLI::App* admin = app.add_subcommand("admin", "Administer the console data directory");
    admin->require_subcommand(1);

    // init
    struct InitArgs {
        std::string user, passwordFile;
        std::string listen = core::kDefaultLinkListen;
        std::string enrollListen = core::kDefaultEnrollListen;
    };
    auto init = std::make_shared<InitArgs>();
    CLI::App* initCmd = admin->add_subcommand("init", "Create the console: PKI, admin account");
    initCmd->add_option("--admin-user", init->user, "Name of the first admin")->required();
    initCmd
        ->add_option("--admin-password-file", init->passwordFile,
                     "File whose first line is the admin password")
        ->required();
    initCmd->add_option("--listen", init->listen, "Link listener HOST:PORT")->capture_default_str();
    initCmd->add_option("--enroll-listen", init->enrollListen, "Enrollment listener HOST:PORT")
        ->capture_default_str();
    initCmd->callback([init, dataDir, &exitCode] {
        fs::path dir = dataDir();
        auto password = readPasswordFile(init->passwordFile);
        if (!password) return void(exitCode = fail(password.error().message));
        const std::string& pw = *password;
        if (core::Pki::exists(dir / "pki") && fs::exists(dir / "console.db")) {
            auto existing = core::ConsoleService::open(dir);
            if (existing && (*existing)->initialized()) {
                return void(exitCode = fail("console in " + dir.string() + " is already set up"));
            }
        }
        auto console = core::ConsoleService::open(
            dir, {core::hostOf(init->listen), core::hostOf(init->enrollListen)});
        if (!console) return void(exitCode = fail(console.error().message));
        if (auto s = (*console)->init(init->user, pw, init->listen, init->enrollListen); !s) {
            return void(exitCode = fail(s.error().message));
        }
        std::cout << "console initialized in " << dir.string() << "\n"
                  << "link listen " << init->listen << ", enrollment listen " << init->enrollListen
                  << "\n"
                  << "CA fingerprint: " << (*console)->caFingerprint() << "\n"
                  << "admin " << init->user << " must change the password at first sign-in\n";
        exitCode = 0;
    });

    addUserCommands(*admin, dataDir, exitCode);
    addAuditCommands(*admin, dataDir, exitCode);

    // site add NAME
    CLI::App* site = admin->add_subcommand("site", "Sites")->require_subcommand(1);
    auto siteName = std::make_shared<std::string>();
    site->add_subcommand("add", "Add a site")
        ->callback([siteName, dataDir, &exitCode] {
            auto console = openExisting(dataDir());
            if (!console) return void(exitCode = fail(console.error().message));
            if (auto r = (*console)->addSite(*siteName); !r) {
                return void(exitCode = fail(r.error().message));
            }
            std::cout << "site " << *siteName << " added\n";
            exitCode = 0;
        })
        ->add_option("NAME", *siteName, "Site name")
        ->required();

    // zone add --site SITE NAME
    CLI::App* zone = admin->add_subcommand("zone", "Zones")->require_subcommand(1);
    auto zoneSite = std::make_shared<std::string>();
    auto zoneName = std::make_shared<std::string>();
    CLI::App* zoneAdd = zone->add_subcommand("add", "Add a zone to a site");
    zoneAdd->add_option("--site", *zoneSite, "Site the zone belongs to")->required();
    zoneAdd->add_option("NAME", *zoneName, "Zone name")->required();
    zoneAdd->callback([zoneSite, zoneName, dataDir, &exitCode] {
        auto console = openExisting(dataDir());
        if (!console) return void(exitCode = fail(console.error().message));
        if (auto r = (*console)->addZone(*zoneSite, *zoneName); !r) {
            return void(exitCode = fail(r.error().message));
        }
        std::cout << "zone " << *zoneName << " added to site " << *zoneSite << "\n";
        exitCode = 0;
    });

    // sensor add|list|revoke
    CLI::App* sensor = admin->add_subcommand("sensor", "Sensors")->require_subcommand(1);
    struct SensorAddArgs {
        std::string site, zone, name, out;
        int validityDays = 7;
    };
    auto add = std::make_shared<SensorAddArgs>();
    CLI::App* sensorAdd =
        sensor->add_subcommand("add", "Add a sensor and write its activation file");
    sensorAdd->add_option("--site", add->site, "Site")->required();
    sensorAdd->add_option("--zone", add->zone, "Zone")->required();
    sensorAdd->add_option("--out", add->out, "Activation file to write (mode 0600)")->required();
    sensorAdd->add_option("--valid-days", add->validityDays, "Activation validity (1-14 days)")
        ->capture_default_str()
        ->check(CLI::Range(1, 14));
    sensorAdd->add_option("NAME", add->name, "Sensor name")->required();
    sensorAdd->callback([add, dataDir, &exitCode] {
        auto console = openExisting(dataDir());
        if (!console) return void(exitCode = fail(console.error().message));
        if (fs::exists(add->out)) {
            return void(exitCode = fail(add->out + " already exists; choose another --out"));
        }
        auto added = (*console)->addSensor(add->site, add->zone, add->name,
                                           std::chrono::hours(24 * add->validityDays));
        if (!added) return void(exitCode = fail(added.error().message));
        if (auto s = crypto::writeFileAtomic(add->out, added->activationText,
                                             fs::perms::owner_read | fs::perms::owner_write);
            !s) {
            (void)(*console)->revokeSensor(added->sensor.id);
            return void(exitCode = fail(s.error().message + " (sensor withdrawn)"));
        }
        std::cout << "sensor " << add->name << " added: id " << added->sensor.id << "\n"
                  << "activation file: " << add->out << " (valid " << add->validityDays
                  << " days, single use)\n"
                  << "CA fingerprint: " << (*console)->caFingerprint() << "\n";
        exitCode = 0;
    });

    auto listJson = std::make_shared<bool>(false);
    CLI::App* sensorList = sensor->add_subcommand("list", "List sensors");
    sensorList->add_flag("--json", *listJson, "JSON output");
    sensorList->callback([listJson, dataDir, &exitCode] {
        auto console = openExisting(dataDir());
        if (!console) return void(exitCode = fail(console.error().message));
        auto sensors = (*console)->listSensors();
        if (!sensors) return void(exitCode = fail(sensors.error().message));
        if (*listJson) {
            std::cout << core::ConsoleService::sensorsToJson(*sensors);
        } else {
            std::cout << std::left << std::setw(20) << "NAME" << std::setw(16) << "SITE"
                      << std::setw(16) << "ZONE" << std::setw(9) << "STATUS" << std::setw(25)
                      << "LAST SEEN"
                      << "ID\n";
            for (const auto& s : *sensors) {
                std::cout << std::setw(20) << s.name << std::setw(16) << s.site << std::setw(16)
                          << s.zone << std::setw(9) << s.status << std::setw(25)
                          << formatTime(s.lastSeenMs) << s.id << "\n";
            }
        }
        exitCode = 0;
    });

    auto revokeName = std::make_shared<std::string>();
    CLI::App* sensorRevoke =
        sensor->add_subcommand("revoke", "Revoke a sensor (its live stream ends within 2 s)");
    sensorRevoke->add_option("NAME", *revokeName, "Sensor name or id")->required();
    sensorRevoke->callback([revokeName, dataDir, &exitCode] {
        auto console = openExisting(dataDir());
        if (!console) return void(exitCode = fail(console.error().message));
        if (auto s = (*console)->revokeSensor(*revokeName); !s) {
            return void(exitCode = fail(s.error().message));
        }
        std::cout << "sensor " << *revokeName << " revoked\n";
        exitCode = 0;
    });

    // export devices|alerts --format csv|json [--out FILE]
    struct ExportArgs {
        std::string what, format, out;
    };
    auto exp = std::make_shared<ExportArgs>();
    CLI::App* exportCmd = admin->add_subcommand("export", "Export devices or alerts");
    exportCmd->add_option("WHAT", exp->what, "devices or alerts")
        ->required()
        ->check(CLI::IsMember({"devices", "alerts"}));
    exportCmd->add_option("--format", exp->format, "csv or json")
        ->required()
        ->check(CLI::IsMember({"csv", "json"}));
    exportCmd->add_option("--out", exp->out, "Output file (default: standard output)");
    exportCmd->callback([exp, dataDir, &exitCode] {
        auto console = openExisting(dataDir());
        if (!console) return void(exitCode = fail(console.error().message));
        auto format = exp->format == "csv" ? core::ExportFormat::Csv : core::ExportFormat::Json;
        auto text = exp->what == "devices" ? (*console)->exportDevices(format)
                                           : (*console)->exportAlerts(format);
        if (!text) return void(exitCode = fail(text.error().message));
        if (exp->out.empty()) {
            std::cout << *text;
        } else {
            auto perms = fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read;
            if (auto s = crypto::writeFileAtomic(exp->out, *text, perms); !s) {
                return void(exitCode = fail(s.error().message));
            }
            std::cerr << "wrote " << exp->out << "\n";
        }
        (void)(*console)->store().audit("local-admin", "export." + exp->what, exp->out, "local",
                                        "ok");
        exitCode = 0;
    });
}

namespace {

void addUserCommands(CLI::App& admin, const std::function<fs::path()>& dataDir, int& exitCode) {
    CLI::App* user = admin.add_subcommand(
        "user", "Console users (local administrator path: needs access to the data directory)");
    user->require_subcommand(1);

    struct UserArgs {
        std::string name, role, passwordFile;
        bool json = false;
    };
    auto args = std::make_shared<UserArgs>();
    const std::vector<std::string> roles = {"admin", "analyst", "viewer"};

    CLI::App* add =
        user->add_subcommand("add", "Add a user; the password must be changed at first sign-in");
    add->add_option("NAME", args->name, "User name")->required();
    add->add_option("--role", args->role, "admin, analyst or viewer")
        ->required()
        ->check(CLI::IsMember(roles));
    add->add_option("--password-file", args->passwordFile,
                    "File whose first line is the initial password")
        ->required();
    add->callback([args, dataDir, &exitCode] {
        auto console = openExisting(dataDir());
        if (!console) return void(exitCode = fail(console.error().message));
        auto pw = readPasswordFile(args->passwordFile);
        if (!pw) return void(exitCode = fail(pw.error().message));
        auto role = *core::roleFromName(args->role);
        if (auto s = (*console)->addUser(args->name, *pw, role); !s) {
            return void(exitCode = fail(s.error().message));
        }
        std::cout << "user " << args->name << " added (role " << core::roleName(role)
                  << "); the password must be changed at first sign-in\n";
        exitCode = 0;
    });

    CLI::App* list = user->add_subcommand("list", "List users");
    list->add_flag("--json", args->json, "JSON output");
    list->callback([args, dataDir, &exitCode] {
        auto console = openExisting(dataDir());
        if (!console) return void(exitCode = fail(console.error().message));
        auto users = (*console)->listUsers();
        if (!users) return void(exitCode = fail(users.error().message));
        if (args->json) {
            std::cout << core::ConsoleService::usersToJson(*users);
            return void(exitCode = 0);
        }
        std::int64_t now = core::nowMs();
        std::cout << std::left << std::setw(20) << "NAME" << std::setw(9) << "ROLE" << std::setw(10)
                  << "STATUS" << std::setw(13) << "MUST CHANGE"
                  << "LAST SIGN-IN\n";
        for (const auto& u : *users) {
            std::string status = u.disabled              ? "disabled"
                                 : u.lockedUntilMs > now ? "locked"
                                                         : "active";
            std::cout << std::setw(20) << u.name << std::setw(9) << core::roleName(u.role)
                      << std::setw(10) << status << std::setw(13)
                      << (u.mustChangePassword ? "yes" : "no") << formatTime(u.lastSignInMs)
                      << "\n";
        }
        exitCode = 0;
    });

    CLI::App* reset = user->add_subcommand(
        "reset-password", "Set a user's password; it must be changed at next sign-in");
    reset->add_option("NAME", args->name, "User name")->required();
    reset
        ->add_option("--password-file", args->passwordFile,
                     "File whose first line is the new password")
        ->required();
    reset->callback([args, dataDir, &exitCode] {
        auto console = openExisting(dataDir());
        if (!console) return void(exitCode = fail(console.error().message));
        auto pw = readPasswordFile(args->passwordFile);
        if (!pw) return void(exitCode = fail(pw.error().message));
        if (auto s = (*console)->resetPassword(args->name, *pw); !s) {
            return void(exitCode = fail(s.error().message));
        }
        std::cout << "password of " << args->name << " reset; it must be changed at next sign-in\n";
        exitCode = 0;
    });

    CLI::App* disable = user->add_subcommand("disable", "Disable a user (ends its sessions)");
    disable->add_option("NAME", args->name, "User name")->required();
    disable->callback([args, dataDir, &exitCode] {
        auto console = openExisting(dataDir());
        if (!console) return void(exitCode = fail(console.error().message));
        if (auto s = (*console)->disableUser(args->name); !s) {
            return void(exitCode = fail(s.error().message));
        }
        std::cout << "user " << args->name << " disabled\n";
        exitCode = 0;
    });

    CLI::App* enable = user->add_subcommand("enable", "Enable a disabled user");
    enable->add_option("NAME", args->name, "User name")->required();
    enable->callback([args, dataDir, &exitCode] {
        auto console = openExisting(dataDir());
        if (!console) return void(exitCode = fail(console.error().message));
        if (auto s = (*console)->enableUser(args->name); !s) {
            return void(exitCode = fail(s.error().message));
        }
        std::cout << "user " << args->name << " enabled\n";
        exitCode = 0;
    });

    CLI::App* setRole = user->add_subcommand("set-role", "Change a user's role");
    setRole->add_option("NAME", args->name, "User name")->required();
    setRole->add_option("--role", args->role, "admin, analyst or viewer")
        ->required()
        ->check(CLI::IsMember(roles));
    setRole->callback([args, dataDir, &exitCode] {
        auto console = openExisting(dataDir());
        if (!console) return void(exitCode = fail(console.error().message));
        auto role = *core::roleFromName(args->role);
        if (auto s = (*console)->setUserRole(args->name, role); !s) {
            return void(exitCode = fail(s.error().message));
        }
        std::cout << "user " << args->name << " is now " << core::roleName(role) << "\n";
        exitCode = 0;
    });
}

void addAuditCommands(CLI::App& admin, const std::function<fs::path()>& dataDir, int& exitCode) {
    CLI::App* audit = admin.add_subcommand("audit", "The tamper-evident audit log");
    audit->require_subcommand(1);

    struct AuditArgs {
        bool json = false;
        std::size_t limit = 50;
        std::string out, format;
    };
    auto args = std::make_shared<AuditArgs>();

    CLI::App* list = audit->add_subcommand("list", "Show the newest audit records, oldest first");
    list->add_flag("--json", args->json, "JSON output");
    list->add_option("--limit", args->limit, "How many records (0: all)")->capture_default_str();
    list->callback([args, dataDir, &exitCode] {
        auto console = openExisting(dataDir());
        if (!console) return void(exitCode = fail(console.error().message));
        auto rows = (*console)->listAudit();
        if (!rows) return void(exitCode = fail(rows.error().message));
        std::vector<core::AuditRow> shown = *rows;
        if (args->limit > 0 && shown.size() > args->limit) {
            shown.erase(shown.begin(), shown.end() - static_cast<std::ptrdiff_t>(args->limit));
        }
        if (args->json) {
            std::cout << core::ConsoleService::auditToText(shown, core::ExportFormat::Json);
            return void(exitCode = 0);
        }
        std::cout << std::left << std::setw(7) << "ID" << std::setw(25) << "TIME" << std::setw(16)
                  << "WHO" << std::setw(22) << "WHAT" << std::setw(24) << "TARGET" << std::setw(10)
                  << "SOURCE"
                  << "OUTCOME\n";
        for (const auto& r : shown) {
            std::cout << std::setw(7) << r.id << std::setw(25) << formatTime(r.timeMs)
                      << std::setw(16) << r.actor << std::setw(22) << r.action << std::setw(24)
                      << r.target << std::setw(10) << r.source << r.outcome << "\n";
        }
        exitCode = 0;
    });

    audit->add_subcommand("verify", "Check the hash chain; exit 1 at the first broken record")
        ->callback([dataDir, &exitCode] {
            auto console = openExisting(dataDir());
            if (!console) return void(exitCode = fail(console.error().message));
            auto v = (*console)->verifyAudit();
            if (!v) return void(exitCode = fail(v.error().message));
            if (v->intact()) {
                std::cout << "audit log intact: " << v->records << " records\n"
                          << "head hash: " << (v->headHash.empty() ? "-" : v->headHash) << "\n";
                return void(exitCode = 0);
            }
            std::cout << "audit log broken at record " << v->brokenAt << "\n" << v->reason << "\n";
            exitCode = 1;
        });

    CLI::App* exportCmd =
        audit->add_subcommand("export", "Write the whole log with its chain hashes");
    exportCmd->add_option("--out", args->out, "Output file")->required();
    exportCmd->add_option("--format", args->format, "csv or json")
        ->required()
        ->check(CLI::IsMember({"csv", "json"}));
    exportCmd->callback([args, dataDir, &exitCode] {
        auto console = openExisting(dataDir());
        if (!console) return void(exitCode = fail(console.error().message));
        auto format = args->format == "csv" ? core::ExportFormat::Csv : core::ExportFormat::Json;
        auto text = (*console)->exportAudit(format);
        if (!text) return void(exitCode = fail(text.error().message));
        if (auto s = crypto::writeFileAtomic(args->out, *text,
                                             fs::perms::owner_read | fs::perms::owner_write);
            !s) {
            return void(exitCode = fail(s.error().message));
        }
        (void)(*console)->store().audit("local-admin", "audit.export", args->out, "local", "ok");
        std::cout << "wrote " << args->out << "\n";
        exitCode = 0;
    });
}

}  // namespace

}  // namespace ironsight::console::app
