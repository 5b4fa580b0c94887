// SPDX-License-Identifier: Apache-2.0
// `ironsight-console admin ...`: init, sites, zones, sensors, users, audit log, exports (SPEC §6).
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <ctime>
#include <iomanip>
#include <iostream>
#include <map>
#include <sstream>
#include <stop_token>
#include <thread>
#include <tuple>

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include "console/app/app.h"
#include "console/app/doctor.h"
#include "console/app/report_command.h"
#include "console/core/console_service.h"
#include "shared/crypto/crypto.h"

namespace ironsight::console::app {
namespace fs = std::filesystem;

Result<std::unique_ptr<core::ConsoleService>> openExisting(const fs::path& dataDir) {
    if (!core::Pki::exists(dataDir / "pki") || !fs::exists(dataDir / "console.db")) {
        return makeError("no console in " + dataDir.string() +
                         " (run 'ironsight-console admin init' first)");
    }
    return core::ConsoleService::open(dataDir);
}

namespace {

int fail(const std::string& message) {
    std::cerr << "error: " << message << "\n";
    return 1;
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
void addAlertCommands(CLI::App& admin, const std::function<fs::path()>& dataDir, int& exitCode);
void addHierarchyCommands(CLI::App& site, CLI::App& zone, const std::function<fs::path()>& dataDir,
                          int& exitCode);
void addBackupCommands(CLI::App& admin, const std::function<fs::path()>& dataDir, int& exitCode);
void addForwardCommands(CLI::App& admin, const std::function<fs::path()>& dataDir, int& exitCode);
void addCveCommands(CLI::App& admin, const std::function<fs::path()>& dataDir, int& exitCode);
void addSensorCommandCommands(CLI::App& admin, CLI::App& sensor,
                              const std::function<fs::path()>& dataDir, int& exitCode);

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
    addAlertCommands(*admin, dataDir, exitCode);
    addBackupCommands(*admin, dataDir, exitCode);
    addForwardCommands(*admin, dataDir, exitCode);
    addCveCommands(*admin, dataDir, exitCode);
    addCertCommands(*admin, dataDir, exitCode);
    addDirectoryCommands(*admin, dataDir, exitCode);
    addDeviceCommands(*admin, dataDir, exitCode);
    addDoctorCommand(*admin, dataDir, exitCode);
    addReportCommand(*admin, dataDir, exitCode);

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
    addHierarchyCommands(*site, *zone, dataDir, exitCode);

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

    auto again = std::make_shared<SensorAddArgs>();
    CLI::App* sensorReactivate = sensor->add_subcommand(
        "reactivate",
        "Write a new activation file for an existing sensor (a rebuilt or re-keyed sensor); once "
        "it is used, the sensor's old certificate is refused");
    sensorReactivate->add_option("--out", again->out, "Activation file to write (mode 0600)")
        ->required();
    sensorReactivate->add_option("--valid-days", again->validityDays, "Activation validity (1-14 days)")
        ->capture_default_str()
        ->check(CLI::Range(1, 14));
    sensorReactivate->add_option("NAME", again->name, "Sensor name or id")->required();
    sensorReactivate->callback([again, dataDir, &exitCode] {
        auto console = openExisting(dataDir());
        if (!console) return void(exitCode = fail(console.error().message));
        if (fs::exists(again->out)) {
            return void(exitCode = fail(again->out + " already exists; choose another --out"));
        }
        auto issued = (*console)->reactivateSensor(again->name,
                                                   std::chrono::hours(24 * again->validityDays));
        if (!issued) return void(exitCode = fail(issued.error().message));
        if (auto s = crypto::writeFileAtomic(again->out, issued->activationText,
                                             fs::perms::owner_read | fs::perms::owner_write);
            !s) {
            return void(exitCode = fail(s.error().message));
        }
        std::cout << "sensor " << issued->sensor.name << " (id " << issued->sensor.id
                  << "): new activation file " << again->out << " (valid " << again->validityDays
                  << " days, single use); its current certificate keeps working until the sensor "
                     "activates with it\n"
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
        auto health = (*console)->sensorHealth();
        if (!health) return void(exitCode = fail(health.error().message));
        if (*listJson) {
            std::cout << core::ConsoleService::sensorsToJson(*sensors, *health);
        } else {
            // STATE: connected, or disconnected after 3 missed health reports (30 s). Health
            // columns: the latest report ("-" before the first one).
            std::cout << std::left << std::setw(20) << "NAME" << std::setw(16) << "SITE"
                      << std::setw(16) << "ZONE" << std::setw(16) << "STATE" << std::setw(25)
                      << "LAST SEEN" << std::setw(9) << "PKT/S" << std::setw(9) << "DROPS"
                      << std::setw(6) << "CPU%" << std::setw(8) << "MEM MB" << std::setw(8)
                      << "OUTBOX" << std::setw(8) << "SKEW S"
                      << "ID\n";
            const std::int64_t now = core::nowMs();
            for (const auto& s : *sensors) {
                std::cout << std::setw(20) << s.name << std::setw(16) << s.site << std::setw(16)
                          << s.zone << std::setw(16) << core::sensorState(s, now) << std::setw(25)
                          << formatTime(s.lastSeenMs);
                const core::SensorHealth* h = nullptr;
                for (const auto& r : *health) {
                    if (r.sensorId == s.id) h = &r;
                }
                const auto number = [](double v, int precision) {
                    std::ostringstream text;
                    const double scale = std::pow(10.0, precision);
                    // Rounded first, then "+ 0.0": a tiny negative value shows as 0, not -0.
                    text << std::fixed << std::setprecision(precision)
                         << std::round(v * scale) / scale + 0.0;
                    return text.str();
                };
                if (h) {
                    std::cout << std::setw(9) << number(h->packetsPerSecond, 0) << std::setw(9)
                              << h->kernelDrops << std::setw(6) << number(h->cpuPercent, 0)
                              << std::setw(8) << number(static_cast<double>(h->rssBytes) / 1048576.0, 0)
                              << std::setw(8) << h->outboxDepth << std::setw(8)
                              << (h->clockSkewMs
                                      ? number(static_cast<double>(*h->clockSkewMs) / 1000.0, 1)
                                      : std::string("-"));
                } else {
                    std::cout << std::setw(9) << "-" << std::setw(9) << "-" << std::setw(6) << "-"
                              << std::setw(8) << "-" << std::setw(8) << "-" << std::setw(8) << "-";
                }
                std::cout << s.id << "\n";
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

    addSensorCommandCommands(*admin, *sensor, dataDir, exitCode);

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

/// Resolves command-line alert ids (optionally narrowed by --sensor) to keys.
Result<std::vector<core::AlertKey>> resolveAlerts(core::ConsoleService& console,
                                                  const std::vector<std::string>& ids,
                                                  const std::string& sensor) {
    std::vector<core::AlertKey> keys;
    for (const auto& id : ids) {
        auto found = console.findAlerts(id, sensor);
        if (!found) return found.error();
        if (found->empty()) {
            return makeError("no alert '" + id + "'" +
                             (sensor.empty() ? std::string() : " from sensor '" + sensor + "'"));
        }
        if (found->size() > 1) {
            return makeError("alert id '" + id + "' is reported by " +
                             std::to_string(found->size()) +
                             " sensors; name one with --sensor NAME");
        }
        keys.push_back(found->front());
    }
    return keys;
}

std::string tallyText(const core::AlertTally& t) {
    return std::to_string(t.open) + " open / " + std::to_string(t.total);
}

void addAlertCommands(CLI::App& admin, const std::function<fs::path()>& dataDir, int& exitCode) {
    CLI::App* alert = admin.add_subcommand("alert", "Alert workflow: list, counts, triage");
    alert->require_subcommand(1);

    struct AlertArgs {
        std::vector<std::string> ids;
        std::string sensor, text, user, status, site, zone, severity;
        bool json = false, unassign = false;
    };
    auto args = std::make_shared<AlertArgs>();

    CLI::App* list = alert->add_subcommand("list", "List alerts, newest first");
    list->add_option("--status", args->status, "new, acknowledged or closed")
        ->check(CLI::IsMember({"new", "acknowledged", "closed"}));
    list->add_option("--severity", args->severity, "warning, minor, major or critical")
        ->check(CLI::IsMember({"warning", "minor", "major", "critical"}));
    list->add_option("--site", args->site, "Only this site");
    list->add_option("--zone", args->zone, "Only this zone");
    list->add_flag("--json", args->json, "JSON output (the export alerts shape)");
    list->callback([args, dataDir, &exitCode] {
        auto console = openExisting(dataDir());
        if (!console) return void(exitCode = fail(console.error().message));
        // Filtered in SQL (indexed): listing 1,000,000 alerts to keep a few is seconds.
        core::AlertQuery query;
        query.site = args->site;
        query.zone = args->zone;
        if (!args->severity.empty()) query.severities = {args->severity};
        if (!args->status.empty()) query.statuses = {args->status};
        query.limit = 0;
        auto alerts = (*console)->queryAlerts(query);
        if (!alerts) return void(exitCode = fail(alerts.error().message));
        nlohmann::json arr = nlohmann::json::array();
        bool header = false;
        for (const auto& a : *alerts) {
            if (args->json) {
                arr.push_back({{"id", a.alertId},
                               {"sensor", a.sensorName},
                               {"sensor_id", a.sensorId},
                               {"severity", a.severity},
                               {"status", a.status},
                               {"assignee", a.assignee},
                               {"comments", a.comments},
                               {"title", a.title},
                               {"engine", a.engine},
                               {"site", a.site},
                               {"zone", a.zone},
                               {"count", a.count},
                               {"last_seen_ms", a.lastSeenMs}});
                continue;
            }
            if (!header) {
                std::cout << std::left << std::setw(26) << "ID" << std::setw(10) << "SEVERITY"
                          << std::setw(14) << "STATUS" << std::setw(14) << "ASSIGNEE"
                          << std::setw(14) << "SENSOR" << std::setw(24) << "SITE/ZONE"
                          << "TITLE\n";
                header = true;
            }
            std::cout << std::setw(26) << a.alertId << std::setw(10) << a.severity << std::setw(14)
                      << a.status << std::setw(14) << (a.assignee.empty() ? "-" : a.assignee)
                      << std::setw(14) << a.sensorName << std::setw(24) << (a.site + "/" + a.zone)
                      << a.title << "\n";
        }
        if (args->json) std::cout << nlohmann::json{{"alerts", arr}}.dump(2) << "\n";
        exitCode = 0;
    });

    CLI::App* counts =
        alert->add_subcommand("counts", "Alert counts by severity, status, site and zone");
    counts->add_option("--site", args->site, "Only this site");
    counts->add_option("--zone", args->zone, "Only this zone (with --site)");
    counts->add_flag("--json", args->json, "JSON output");
    counts->callback([args, dataDir, &exitCode] {
        auto console = openExisting(dataDir());
        if (!console) return void(exitCode = fail(console.error().message));
        auto c = (*console)->alertCounts(args->site, args->zone);
        if (!c) return void(exitCode = fail(c.error().message));
        if (args->json) {
            auto group = [](const std::map<std::string, core::AlertTally>& m) {
                nlohmann::json o = nlohmann::json::object();
                for (const auto& [k, t] : m) o[k] = {{"total", t.total}, {"open", t.open}};
                return o;
            };
            nlohmann::json out = {{"total", c->all.total},
                                  {"open", c->all.open},
                                  {"severity", group(c->bySeverity)},
                                  {"status", group(c->byStatus)},
                                  {"site", group(c->bySite)},
                                  {"zone", group(c->byZone)}};
            std::cout << out.dump(2) << "\n";
            return void(exitCode = 0);
        }
        std::cout << "all: " << tallyText(c->all) << "\n";
        for (const auto& [title, m] :
             {std::pair{"severity", &c->bySeverity}, std::pair{"status", &c->byStatus},
              std::pair{"site", &c->bySite}, std::pair{"zone", &c->byZone}}) {
            for (const auto& [k, t] : *m) {
                std::cout << title << " " << k << ": " << tallyText(t) << "\n";
            }
        }
        exitCode = 0;
    });

    for (auto [name, status, verb, help] :
         {std::tuple{"ack", core::AlertStatus::Acknowledged, "acknowledged",
                     "Acknowledge alerts (New -> Acknowledged)"},
          std::tuple{"close", core::AlertStatus::Closed, "closed", "Close alerts"},
          std::tuple{"reopen", core::AlertStatus::New, "reopened",
                     "Reopen alerts (back to New)"}}) {
        CLI::App* cmd = alert->add_subcommand(name, help);
        cmd->add_option("ALERT_ID", args->ids, "One or more alert ids")->required();
        cmd->add_option("--sensor", args->sensor, "Sensor name or id (when ids are ambiguous)");
        cmd->callback([args, dataDir, &exitCode, status, verb] {
            auto console = openExisting(dataDir());
            if (!console) return void(exitCode = fail(console.error().message));
            auto keys = resolveAlerts(**console, args->ids, args->sensor);
            if (!keys) return void(exitCode = fail(keys.error().message));
            auto changed = (*console)->store().setAlertStatus(*keys, status);
            if (!changed) return void(exitCode = fail(changed.error().message));
            std::cout << *changed << " alert(s) " << verb;
            if (static_cast<std::size_t>(*changed) < keys->size()) {
                std::cout << " (" << keys->size() - static_cast<std::size_t>(*changed)
                          << " already " << core::alertStatusName(status) << ")";
            }
            std::cout << "\n";
            exitCode = 0;
        });
    }

    CLI::App* comment = alert->add_subcommand("comment", "Add a comment to an alert");
    comment->add_option("ALERT_ID", args->ids, "Alert id")->required()->expected(1);
    comment->add_option("--text", args->text, "Comment text")->required();
    comment->add_option("--sensor", args->sensor, "Sensor name or id (when ids are ambiguous)");
    comment->callback([args, dataDir, &exitCode] {
        auto console = openExisting(dataDir());
        if (!console) return void(exitCode = fail(console.error().message));
        auto keys = resolveAlerts(**console, args->ids, args->sensor);
        if (!keys) return void(exitCode = fail(keys.error().message));
        if (auto s = (*console)->addAlertComment(keys->front(), args->text); !s) {
            return void(exitCode = fail(s.error().message));
        }
        std::cout << "comment added to alert " << keys->front().alertId << "\n";
        exitCode = 0;
    });

    CLI::App* comments = alert->add_subcommand("comments", "Show the comments of an alert");
    comments->add_option("ALERT_ID", args->ids, "Alert id")->required()->expected(1);
    comments->add_option("--sensor", args->sensor, "Sensor name or id (when ids are ambiguous)");
    comments->add_flag("--json", args->json, "JSON output");
    comments->callback([args, dataDir, &exitCode] {
        auto console = openExisting(dataDir());
        if (!console) return void(exitCode = fail(console.error().message));
        auto keys = resolveAlerts(**console, args->ids, args->sensor);
        if (!keys) return void(exitCode = fail(keys.error().message));
        auto rows = (*console)->alertComments(keys->front());
        if (!rows) return void(exitCode = fail(rows.error().message));
        nlohmann::json arr = nlohmann::json::array();
        for (const auto& c : *rows) {
            if (args->json) {
                arr.push_back(
                    {{"id", c.id}, {"time_ms", c.timeMs}, {"author", c.author}, {"text", c.text}});
            } else {
                std::cout << formatTime(c.timeMs) << "  " << c.author << ": " << c.text << "\n";
            }
        }
        if (args->json) std::cout << nlohmann::json{{"comments", arr}}.dump(2) << "\n";
        exitCode = 0;
    });

    CLI::App* assign = alert->add_subcommand("assign", "Assign an alert to an admin or analyst");
    assign->add_option("ALERT_ID", args->ids, "Alert id")->required()->expected(1);
    auto* userOpt = assign->add_option("--user", args->user, "User name");
    auto* noneOpt = assign->add_flag("--none", args->unassign, "Remove the assignment");
    userOpt->excludes(noneOpt);
    assign->add_option("--sensor", args->sensor, "Sensor name or id (when ids are ambiguous)");
    assign->callback([args, dataDir, &exitCode] {
        if (args->user.empty() && !args->unassign) {
            return void(exitCode = fail("give --user NAME or --none"));
        }
        auto console = openExisting(dataDir());
        if (!console) return void(exitCode = fail(console.error().message));
        auto keys = resolveAlerts(**console, args->ids, args->sensor);
        if (!keys) return void(exitCode = fail(keys.error().message));
        if (auto s = (*console)->assignAlert(keys->front(), args->unassign ? "" : args->user); !s) {
            return void(exitCode = fail(s.error().message));
        }
        if (args->unassign) {
            std::cout << "alert " << keys->front().alertId << " unassigned\n";
        } else {
            std::cout << "alert " << keys->front().alertId << " assigned to " << args->user << "\n";
        }
        exitCode = 0;
    });
}

/// "queued" line for a command just issued.
void printQueued(const core::CommandRow& c) {
    std::cout << "command " << c.id << " (" << c.kind << ") queued for sensor " << c.sensorName
              << "; it is sent when the sensor is connected (see 'admin command list')\n";
}

/// Waits up to `seconds` for the sensor's answer to `command` (re-reading the commands table);
/// the row as it then stands (state "done" or "failed" once answered).
Result<core::CommandRow> waitForAnswer(core::ConsoleService& console, core::CommandRow command,
                                       int seconds) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    while (command.state != "done" && command.state != "failed" &&
           std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        auto rows = console.listCommands(command.sensorId);
        if (!rows) return rows.error();
        for (const auto& c : *rows) {
            if (c.id == command.id) command = c;
        }
    }
    return command;
}

/// Prints a command's outcome: the sensor's answer, or that it is still queued.
int reportAnswer(core::ConsoleService& console, const core::CommandRow& issued,
                         int waitSeconds) {
    if (waitSeconds == 0) {
        printQueued(issued);
        return 0;
    }
    auto answer = waitForAnswer(console, issued, waitSeconds);
    if (!answer) return fail(answer.error().message);
    if (answer->state == "failed") return fail("sensor " + answer->sensorName + ": " + answer->result);
    if (answer->state != "done") {
        std::cout << "no answer from sensor " << answer->sensorName << " within " << waitSeconds
                  << " s: command " << answer->id
                  << " stays queued and is sent when the sensor connects (see 'admin command "
                     "list')\n";
        return 0;
    }
    std::cout << "sensor " << answer->sensorName << ": " << answer->result << "\n";
    return 0;
}

void addSensorCommandCommands(CLI::App& admin, CLI::App& sensor,
                              const std::function<fs::path()>& dataDir, int& exitCode) {
    struct CommandArgs {
        std::string sensor, state, alert;
        core::ExclusionRule rule;
        bool off = false, json = false;
    };
    auto args = std::make_shared<CommandArgs>();

    // sensor learning NAME on|off
    CLI::App* learning =
        sensor.add_subcommand("learning", "Turn a sensor's learning mode on or off (a command)");
    learning->add_option("NAME", args->sensor, "Sensor name or id")->required();
    learning->add_option("STATE", args->state, "on or off")
        ->required()
        ->check(CLI::IsMember({"on", "off"}));
    learning->callback([args, dataDir, &exitCode] {
        auto console = openExisting(dataDir());
        if (!console) return void(exitCode = fail(console.error().message));
        auto c = (*console)->setSensorLearning(args->sensor, args->state == "on");
        if (!c) return void(exitCode = fail(c.error().message));
        printQueued(*c);
        exitCode = 0;
    });

    // sensor push-config NAME FILE|--clear [--wait S]; sensor reload NAME [--wait S]
    struct SettingsArgs {
        std::string sensor, file;
        bool clear = false;
        int waitSeconds = 10;
    };
    auto settings = std::make_shared<SettingsArgs>();
    CLI::App* push = sensor.add_subcommand(
        "push-config",
        "Push settings to a sensor: capture filter, port aliases, ICS subnets, VLAN names, DHCP "
        "ranges (a sensor.toml subset, docs/SENSOR_CONFIG.md). They replace the previous push "
        "and win over the sensor's own file");
    push->add_option("NAME", settings->sensor, "Sensor name or id")->required();
    auto* pushFile =
        push->add_option("FILE", settings->file, "TOML file with the settings to push")
            ->check(CLI::ExistingFile);
    push->add_flag("--clear", settings->clear,
                   "Withdraw the pushed settings: the sensor's own file applies again")
        ->excludes(pushFile);
    CLI::App* reloadCmd = sensor.add_subcommand(
        "reload", "Ask a sensor to read its config file again (like SIGHUP on the sensor)");
    reloadCmd->add_option("NAME", settings->sensor, "Sensor name or id")->required();
    CLI::App* renew = sensor.add_subcommand(
        "renew",
        "Renew a sensor's certificate now over its link (new key on the sensor; the old "
        "certificate is refused once the new one is used). Sensors also renew by themselves "
        "at two thirds of the certificate's lifetime");
    renew->add_option("NAME", settings->sensor, "Sensor name or id")->required();
    renew->callback([settings, dataDir, &exitCode] {
        auto console = openExisting(dataDir());
        if (!console) return void(exitCode = fail(console.error().message));
        auto c = (*console)->renewSensorCertificate(settings->sensor);
        if (!c) return void(exitCode = fail(c.error().message));
        exitCode = reportAnswer(**console, *c, settings->waitSeconds);
    });
    for (CLI::App* cmd : {push, reloadCmd, renew}) {
        cmd->add_option("--wait", settings->waitSeconds,
                        "Seconds to wait for the sensor's answer (0: queue and return)")
            ->default_val(10)
            ->check(CLI::Range(0, 3600));
    }
    push->callback([settings, dataDir, &exitCode] {
        if (settings->file.empty() && !settings->clear) {
            return void(exitCode = fail("give the settings FILE, or --clear to withdraw them"));
        }
        std::string text;
        if (!settings->clear) {
            auto read = crypto::readFile(settings->file, 64 * 1024 + 1);
            if (!read) return void(exitCode = fail(read.error().message));
            text = *read;
        }
        auto console = openExisting(dataDir());
        if (!console) return void(exitCode = fail(console.error().message));
        auto c = (*console)->pushSensorSettings(settings->sensor, text);
        if (!c) return void(exitCode = fail(c.error().message));
        exitCode = reportAnswer(**console, *c, settings->waitSeconds);
    });
    reloadCmd->callback([settings, dataDir, &exitCode] {
        auto console = openExisting(dataDir());
        if (!console) return void(exitCode = fail(console.error().message));
        auto c = (*console)->reloadSensorSettings(settings->sensor);
        if (!c) return void(exitCode = fail(c.error().message));
        exitCode = reportAnswer(**console, *c, settings->waitSeconds);
    });

    // alert learn|mute ALERT_ID [--sensor NAME] [--off]
    CLI::App* alert = admin.get_subcommand("alert");
    CLI::App* learn = alert->add_subcommand(
        "learn",
        "Learn an alert on the sensor that raised it: its pattern joins the baseline "
        "and the alert is closed once the sensor confirms");
    CLI::App* mute = alert->add_subcommand(
        "mute", "Mute an alert's type for its devices on the sensor that raised it");
    mute->add_flag("--off", args->off, "Unmute");
    for (CLI::App* cmd : {learn, mute}) {
        cmd->add_option("ALERT_ID", args->alert, "Alert id")->required();
        cmd->add_option("--sensor", args->sensor, "Sensor name or id (when ids are ambiguous)");
        const bool isLearn = cmd == learn;
        cmd->callback([args, dataDir, &exitCode, isLearn] {
            auto console = openExisting(dataDir());
            if (!console) return void(exitCode = fail(console.error().message));
            auto keys = resolveAlerts(**console, {args->alert}, args->sensor);
            if (!keys) return void(exitCode = fail(keys.error().message));
            auto c = isLearn ? (*console)->learnAlert(keys->front())
                             : (*console)->muteAlert(keys->front(), !args->off);
            if (!c) return void(exitCode = fail(c.error().message));
            printQueued(*c);
            exitCode = 0;
        });
    }

    // alert evidence ALERT_ID -o FILE [--sensor NAME] [--wait SECONDS]
    struct EvidenceArgs {
        std::string alert, sensor, out;
        int waitSeconds = 30;
    };
    auto ev = std::make_shared<EvidenceArgs>();
    CLI::App* evidence = alert->add_subcommand(
        "evidence", "Fetch the packets the alert's sensor kept around it, as a pcap file");
    evidence->add_option("ALERT_ID", ev->alert, "Alert id")->required();
    evidence->add_option("-o,--out", ev->out, "Output pcap file")->required();
    evidence->add_option("--sensor", ev->sensor, "Sensor name or id (when ids are ambiguous)");
    evidence->add_option("--wait", ev->waitSeconds, "Seconds to wait for the sensor's answer")
        ->default_val(30)
        ->check(CLI::Range(0, 3600));
    evidence->callback([ev, dataDir, &exitCode] {
        auto console = openExisting(dataDir());
        if (!console) return void(exitCode = fail(console.error().message));
        auto keys = resolveAlerts(**console, {ev->alert}, ev->sensor);
        if (!keys) return void(exitCode = fail(keys.error().message));
        const core::AlertKey key = keys->front();
        // Reuse an answered or still open request for this alert instead of asking again.
        auto findRequest = [&]() -> std::optional<core::CommandRow> {
            auto rows = (*console)->listCommands(key.sensorId);
            if (!rows) return std::nullopt;
            for (const auto& c : *rows) {  // newest first
                if (c.kind != "evidence_request" || c.state == "failed") continue;
                auto args = nlohmann::json::parse(c.arguments, nullptr, false);
                if (args.is_object() && args.value("alert_id", "") == key.alertId) return c;
            }
            return std::nullopt;
        };
        std::optional<core::CommandRow> request = findRequest();
        if (!request) {
            auto issued = (*console)->requestEvidence(key);
            if (!issued) return void(exitCode = fail(issued.error().message));
            request = *issued;
            std::cerr << "asked sensor " << request->sensorName << " for the evidence of alert "
                      << key.alertId << " (command " << request->id << ")\n";
        }
        auto answered = waitForAnswer(**console, *request, ev->waitSeconds);
        if (!answered) return void(exitCode = fail(answered.error().message));
        request = *answered;
        if (request->state == "failed") {
            return void(exitCode = fail("sensor " + request->sensorName + ": " + request->result));
        }
        if (request->state != "done") {
            return void(exitCode = fail(
                            "no answer from sensor " + request->sensorName + " within " +
                            std::to_string(ev->waitSeconds) +
                            " s; the request stays queued: run the same command again later"));
        }
        auto pcap = (*console)->commandPayload(request->id);
        if (!pcap) return void(exitCode = fail(pcap.error().message));
        auto perms = fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read;
        if (auto w = crypto::writeFileAtomic(ev->out, *pcap, perms); !w) {
            return void(exitCode = fail(w.error().message));
        }
        std::cout << "wrote " << ev->out << ": " << pcap->size() << " bytes of packets around alert "
                  << key.alertId << " from sensor " << request->sensorName
                  << " (a pcap file; tshark and Wireshark open it)\n";
        exitCode = 0;
    });

    // exclusion add --sensor NAME [--type T] [--device D] [--subnet CIDR] [--from HH:MM --to HH:MM]
    CLI::App* exclusion =
        admin.add_subcommand("exclusion", "Exclusion rules on a sensor's detector");
    exclusion->require_subcommand(1);
    CLI::App* add = exclusion->add_subcommand(
        "add", "Do not raise alerts matching every given field (a command to the sensor)");
    add->add_option("--sensor", args->sensor, "Sensor name or id")->required();
    add->add_option("--type", args->rule.type, "Alert type, e.g. port_scan");
    add->add_option("--device", args->rule.device, "Device id or address at either end");
    add->add_option("--subnet", args->rule.subnet, "CIDR containing either address");
    add->add_option("--from", args->rule.from, "Window start, HH:MM UTC");
    add->add_option("--to", args->rule.to, "Window end, HH:MM UTC (may wrap midnight)");
    add->callback([args, dataDir, &exitCode] {
        auto console = openExisting(dataDir());
        if (!console) return void(exitCode = fail(console.error().message));
        auto c = (*console)->addExclusion(args->sensor, args->rule);
        if (!c) return void(exitCode = fail(c.error().message));
        printQueued(*c);
        exitCode = 0;
    });

    // command list [--sensor NAME] [--json]
    CLI::App* command = admin.add_subcommand("command", "Commands sent to sensors");
    command->require_subcommand(1);
    CLI::App* list = command->add_subcommand("list", "List commands, newest first");
    list->add_option("--sensor", args->sensor, "Only this sensor (name or id)");
    list->add_flag("--json", args->json, "JSON output");
    list->callback([args, dataDir, &exitCode] {
        auto console = openExisting(dataDir());
        if (!console) return void(exitCode = fail(console.error().message));
        auto rows = (*console)->listCommands(args->sensor);
        if (!rows) return void(exitCode = fail(rows.error().message));
        if (args->json) {
            nlohmann::json arr = nlohmann::json::array();
            for (const auto& c : *rows) {
                arr.push_back({{"id", c.id},
                               {"sensor", c.sensorName},
                               {"sensor_id", c.sensorId},
                               {"kind", c.kind},
                               {"arguments", nlohmann::json::parse(c.arguments, nullptr, false)},
                               {"issued_by", c.issuedBy},
                               {"issued_at_ms", c.issuedAtMs},
                               {"state", c.state},
                               {"result", c.result},
                               {"completed_at_ms", c.completedAtMs}});
            }
            std::cout << nlohmann::json{{"commands", arr}}.dump(2) << "\n";
            return void(exitCode = 0);
        }
        std::cout << std::left << std::setw(25) << "ISSUED" << std::setw(16) << "SENSOR"
                  << std::setw(15) << "KIND" << std::setw(9) << "STATE" << std::setw(14) << "BY"
                  << "ARGUMENTS -> RESULT\n";
        for (const auto& c : *rows) {
            std::cout << std::setw(25) << formatTime(c.issuedAtMs) << std::setw(16) << c.sensorName
                      << std::setw(15) << c.kind << std::setw(9) << c.state << std::setw(14)
                      << c.issuedBy << c.arguments << (c.result.empty() ? "" : " -> " + c.result)
                      << "\n";
        }
        exitCode = 0;
    });
}

void addHierarchyCommands(CLI::App& site, CLI::App& zone, const std::function<fs::path()>& dataDir,
                          int& exitCode) {
    struct HierArgs {
        std::string site, zone, name, to;
    };
    auto args = std::make_shared<HierArgs>();
    auto run = [dataDir, &exitCode](const std::function<Status(core::ConsoleService&)>& call,
                                    const std::function<std::string()>& done) {
        auto console = openExisting(dataDir());
        if (!console) return void(exitCode = fail(console.error().message));
        if (auto s = call(**console); !s) return void(exitCode = fail(s.error().message));
        std::cout << done() << "\n";
        exitCode = 0;
    };

    CLI::App* siteRename = site.add_subcommand("rename", "Rename a site");
    siteRename->add_option("NAME", args->site, "Site")->required();
    siteRename->add_option("NEW_NAME", args->name, "New name")->required();
    siteRename->callback([args, run] {
        run([args](core::ConsoleService& c) { return c.renameSite(args->site, args->name); },
            [args] { return "site " + args->site + " renamed to " + args->name; });
    });

    CLI::App* siteDelete =
        site.add_subcommand("delete", "Delete an empty site (refused while it has zones)");
    siteDelete->add_option("NAME", args->site, "Site")->required();
    siteDelete->callback([args, run] {
        run([args](core::ConsoleService& c) { return c.deleteSite(args->site); },
            [args] { return "site " + args->site + " deleted"; });
    });

    CLI::App* zoneRename = zone.add_subcommand("rename", "Rename a zone");
    zoneRename->add_option("--site", args->site, "Site of the zone")->required();
    zoneRename->add_option("NAME", args->zone, "Zone")->required();
    zoneRename->add_option("NEW_NAME", args->name, "New name")->required();
    zoneRename->callback([args, run] {
        run(
            [args](core::ConsoleService& c) {
                return c.renameZone(args->site, args->zone, args->name);
            },
            [args] { return "zone " + args->zone + " renamed to " + args->name; });
    });

    CLI::App* zoneMove = zone.add_subcommand(
        "move", "Move a zone, with its sensors, devices and alerts, to another site");
    zoneMove->add_option("--site", args->site, "Site of the zone")->required();
    zoneMove->add_option("--to", args->to, "Destination site")->required();
    zoneMove->add_option("NAME", args->zone, "Zone")->required();
    zoneMove->callback([args, run] {
        run([args](
                core::ConsoleService& c) { return c.moveZone(args->site, args->zone, args->to); },
            [args] { return "zone " + args->zone + " moved to site " + args->to; });
    });

    CLI::App* zoneDelete =
        zone.add_subcommand("delete", "Delete an empty zone (refused while sensors belong to it)");
    zoneDelete->add_option("--site", args->site, "Site of the zone")->required();
    zoneDelete->add_option("NAME", args->zone, "Zone")->required();
    zoneDelete->callback([args, run] {
        run([args](core::ConsoleService& c) { return c.deleteZone(args->site, args->zone); },
            [args] { return "zone " + args->zone + " deleted from site " + args->site; });
    });
}

/// While it lives, SIGINT and SIGTERM request a stop (token()) instead of ending the process,
/// so a long sweep stops between two batches and still writes its audit record. Must be made
/// before other threads start: they inherit the blocked signals.
class InterruptStops {
public:
    InterruptStops() {
        sigemptyset(&signals_);
        sigaddset(&signals_, SIGINT);
        sigaddset(&signals_, SIGTERM);
        pthread_sigmask(SIG_BLOCK, &signals_, &previous_);
        watcher_ = std::thread([this] {
            int signal = 0;
            sigwait(&signals_, &signal);
            if (!finished_) stop_.request_stop();
        });
    }
    ~InterruptStops() {
        finished_ = true;
        pthread_kill(watcher_.native_handle(), SIGTERM);  // wakes its sigwait
        watcher_.join();
        pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
    }
    InterruptStops(const InterruptStops&) = delete;
    InterruptStops& operator=(const InterruptStops&) = delete;
    std::stop_token token() const { return stop_.get_token(); }

private:
    sigset_t signals_{}, previous_{};
    std::stop_source stop_;
    std::atomic<bool> finished_{false};
    std::thread watcher_;
};

void addBackupCommands(CLI::App& admin, const std::function<fs::path()>& dataDir, int& exitCode) {
    auto file = std::make_shared<std::string>();
    CLI::App* backup = admin.add_subcommand(
        "backup", "Online backup of console.db to FILE (integrity-checked; the console may run)");
    backup->add_option("FILE", *file, "Backup file to create (mode 0600)")->required();
    backup->callback([file, dataDir, &exitCode] {
        auto console = openExisting(dataDir());
        if (!console) return void(exitCode = fail(console.error().message));
        auto info = (*console)->backup(*file);
        if (!info) return void(exitCode = fail(info.error().message));
        std::cout << "backup written to " << *file << ": " << info->bytes << " bytes, schema v"
                  << info->schemaVersion << ", " << info->devices << " devices, " << info->alerts
                  << " alerts, " << info->auditRecords << " audit records; integrity check ok\n";
        exitCode = 0;
    });

    CLI::App* restore = admin.add_subcommand(
        "restore", "Replace console.db with a verified backup (the console must be stopped)");
    restore->add_option("FILE", *file, "Backup file")->required();
    restore->callback([file, dataDir, &exitCode] {
        fs::path dir = dataDir();
        if (!fs::exists(dir / "console.db")) {
            return void(exitCode = fail("no console in " + dir.string() +
                                        " (run 'ironsight-console admin init' first)"));
        }
        auto info = core::restoreDatabase(dir, *file);
        if (!info) return void(exitCode = fail(info.error().message));
        std::cout << "restored " << *file << " (schema v" << info->restored.schemaVersion << ", "
                  << info->restored.devices << " devices, " << info->restored.alerts
                  << " alerts) into " << (dir / "console.db").string() << "\n";
        if (!info->previous.empty()) {
            std::cout << "previous database kept as " << info->previous.string() << "\n";
        }
        exitCode = 0;
    });

    CLI::App* retention =
        admin.add_subcommand("retention", "Delete old closed alerts and long-unseen devices");
    retention->require_subcommand(1);
    struct RetentionArgs {
        int alertsDays = -1, devicesDays = -1;
    };
    auto args = std::make_shared<RetentionArgs>();
    CLI::App* set = retention->add_subcommand("set", "Set the retention periods (0 = keep)");
    set->add_option("--closed-alerts-days", args->alertsDays,
                    "Delete alerts closed more than N days ago")
        ->check(CLI::Range(0, 36500));
    set->add_option("--devices-days", args->devicesDays,
                    "Delete devices no sensor reported for more than N days")
        ->check(CLI::Range(0, 36500));
    set->callback([args, dataDir, &exitCode] {
        if (args->alertsDays < 0 && args->devicesDays < 0) {
            return void(exitCode = fail("give --closed-alerts-days N and/or --devices-days N"));
        }
        auto console = openExisting(dataDir());
        if (!console) return void(exitCode = fail(console.error().message));
        core::RetentionPolicy p = (*console)->retentionPolicy();
        if (args->alertsDays >= 0) p.closedAlertsDays = args->alertsDays;
        if (args->devicesDays >= 0) p.devicesDays = args->devicesDays;
        if (auto s = (*console)->setRetentionPolicy(p); !s) {
            return void(exitCode = fail(s.error().message));
        }
        std::cout << "retention: closed alerts " << p.closedAlertsDays << " days, devices "
                  << p.devicesDays << " days (0 = keep)\n";
        exitCode = 0;
    });
    retention->add_subcommand("show", "Show the retention periods")->callback([dataDir, &exitCode] {
        auto console = openExisting(dataDir());
        if (!console) return void(exitCode = fail(console.error().message));
        core::RetentionPolicy p = (*console)->retentionPolicy();
        std::cout << "retention: closed alerts " << p.closedAlertsDays << " days, devices "
                  << p.devicesDays << " days (0 = keep)\n";
        exitCode = 0;
    });
    retention
        ->add_subcommand(
            "run",
            "Apply the retention periods now: paced so ingest goes on (minutes on a large store; "
            "progress on a terminal). Ctrl-C stops between batches and keeps what was deleted "
            "(exit 130)")
        ->callback([dataDir, &exitCode] {
            // Before the console's threads exist: they inherit the blocked signals.
            InterruptStops interrupt;
            auto console = openExisting(dataDir());
            if (!console) return void(exitCode = fail(console.error().message));
            // A large sweep takes minutes (it leaves ingest half of the writer's time): on a
            // terminal, say how far it got.
            core::RetentionControl control;
            const bool tty = isatty(STDERR_FILENO) != 0;
            if (tty) {
                control.progress = [](const core::RetentionResult& soFar) {
                    std::cerr << "\rretention: deleted " << soFar.alertsDeleted
                              << " closed alerts, " << soFar.devicesDeleted << " devices so far"
                              << std::flush;
                };
            }
            control.stop = interrupt.token();
            auto r = (*console)->runRetention(control);
            if (tty) std::cerr << "\r\033[K" << std::flush;
            if (!r) return void(exitCode = fail(r.error().message));
            if (r->stopped) {
                std::cout << "retention interrupted: deleted " << r->alertsDeleted
                          << " closed alerts, " << r->devicesDeleted
                          << " devices; run it again to go on\n";
                return void(exitCode = 130);
            }
            std::cout << "retention: deleted " << r->alertsDeleted << " closed alerts, "
                      << r->devicesDeleted << " devices\n";
            exitCode = 0;
        });
}

void addForwardCommands(CLI::App& admin, const std::function<fs::path()>& dataDir, int& exitCode) {
    CLI::App* forward = admin.add_subcommand(
        "forward",
        "Forwarding rules: syslog RFC 5424 to a SIEM, or e-mail digests through the site's mail "
        "relay (sent by --headless)");
    forward->require_subcommand(1);
    struct ForwardArgs {
        std::string target, format, minSeverity = "warning", caFile;
        std::vector<std::string> engines, sites;
        std::string mailFrom, smtpUser, smtpPasswordFile;
        std::vector<std::string> mailTo;
        bool noStarttls = false;
        std::int64_t id = 0;
        bool json = false;
    };
    auto args = std::make_shared<ForwardArgs>();

    CLI::App* add = forward->add_subcommand(
        "add", "Forward new alerts to a SIEM (syslog) or to e-mail recipients (smtp://, smtps://)");
    add->add_option("--target", args->target,
                    "udp://HOST:PORT, tcp://HOST:PORT or tls://HOST:PORT (syslog); "
                    "smtp://RELAY:PORT (STARTTLS required, e.g. 587) or smtps://RELAY:PORT "
                    "(implicit TLS, e.g. 465) for e-mail")
        ->required();
    add->add_option("--format", args->format, "Syslog payload: cef, leef or json (not for e-mail)")
        ->check(CLI::IsMember({"cef", "leef", "json", "email"}));
    add->add_option("--min-severity", args->minSeverity, "warning, minor, major or critical")
        ->capture_default_str()
        ->check(CLI::IsMember({"warning", "minor", "major", "critical"}));
    add->add_option("--engine", args->engines, "Only alerts of this engine (repeatable)");
    add->add_option("--site", args->sites, "Only alerts of this site (repeatable)");
    add->add_option("--ca-file", args->caFile,
                    "PEM CA certificate(s) that must have signed the receiver's certificate "
                    "(required for tls://; for smtp:// and smtps:// the system's CAs otherwise)");
    add->add_option("--mail-from", args->mailFrom, "E-mail: sender address (envelope and From)");
    add->add_option("--mail-to", args->mailTo, "E-mail: recipient address (repeatable)");
    add->add_option("--smtp-user", args->smtpUser, "E-mail: relay user name for SMTP AUTH");
    add->add_option("--smtp-password-file", args->smtpPasswordFile,
                    "E-mail: file whose first line is the relay password (kept in the console "
                    "database, never shown)");
    add->add_flag("--no-starttls", args->noStarttls,
                  "E-mail: smtp:// without STARTTLS, for a local relay only (no credentials)");
    add->callback([args, dataDir, &exitCode] {
        auto console = openExisting(dataDir());
        if (!console) return void(exitCode = fail(console.error().message));
        core::ForwardRule rule;
        rule.target = args->target;
        rule.format = args->format;
        rule.minSeverity = core::severityRank(args->minSeverity);
        rule.engines = args->engines;
        rule.sites = args->sites;
        rule.caFile = args->caFile;
        rule.mailFrom = args->mailFrom;
        rule.mailTo = args->mailTo;
        rule.smtpUser = args->smtpUser;
        rule.starttls = !args->noStarttls;
        if (!args->smtpPasswordFile.empty()) {
            auto pw = readPasswordFile(args->smtpPasswordFile);
            if (!pw) return void(exitCode = fail(pw.error().message));
            rule.smtpPassword = *pw;
        }
        auto added = (*console)->addForwardRule(rule);
        if (!added) return void(exitCode = fail(added.error().message));
        std::cout << "forwarding rule " << added->id << " added: " << added->target << " "
                  << added->format << ", severity >= " << args->minSeverity;
        if (added->format == "email") {
            std::cout << ", to";
            for (const auto& to : added->mailTo) std::cout << " " << to;
        }
        std::cout << "\n";
        exitCode = 0;
    });

    CLI::App* creds = forward->add_subcommand(
        "set-password", "Replace an e-mail rule's relay user and password (e.g. after a change)");
    creds->add_option("ID", args->id, "Rule id (see forward list)")->required();
    creds->add_option("--smtp-user", args->smtpUser, "Relay user name")->required();
    creds->add_option("--smtp-password-file", args->smtpPasswordFile,
                      "File whose first line is the relay password")
        ->required();
    creds->callback([args, dataDir, &exitCode] {
        auto console = openExisting(dataDir());
        if (!console) return void(exitCode = fail(console.error().message));
        auto pw = readPasswordFile(args->smtpPasswordFile);
        if (!pw) return void(exitCode = fail(pw.error().message));
        if (auto s = (*console)->setForwardCredentials(args->id, args->smtpUser, *pw); !s) {
            return void(exitCode = fail(s.error().message));
        }
        std::cout << "forwarding rule " << args->id << ": relay password changed\n";
        exitCode = 0;
    });

    CLI::App* list = forward->add_subcommand("list", "List forwarding rules and their queues");
    list->add_flag("--json", args->json, "JSON output");
    list->callback([args, dataDir, &exitCode] {
        auto console = openExisting(dataDir());
        if (!console) return void(exitCode = fail(console.error().message));
        auto rules = (*console)->listForwardRules();
        if (!rules) return void(exitCode = fail(rules.error().message));
        if (args->json) {
            nlohmann::json arr = nlohmann::json::array();
            for (const auto& r : *rules) {
                arr.push_back({{"id", r.id},
                               {"target", r.target},
                               {"format", r.format},
                               {"min_severity", core::severityNameOf(r.minSeverity)},
                               {"engines", r.engines},
                               {"sites", r.sites},
                               {"ca_file", r.caFile},
                               {"mail_from", r.mailFrom},
                               {"mail_to", r.mailTo},
                               {"smtp_user", r.smtpUser},
                               // Masked: whether one is set, never the password itself.
                               {"smtp_password", r.hasSmtpPassword ? "********" : ""},
                               {"starttls", r.starttls},
                               {"sent", r.sent},
                               {"queued", r.queued},
                               {"last_sent_ms", r.lastSentMs},
                               {"last_error", r.lastError}});
            }
            std::cout << arr.dump(2) << "\n";
            return void(exitCode = 0);
        }
        std::cout << std::left << std::setw(5) << "ID" << std::setw(30) << "TARGET" << std::setw(7)
                  << "FORMAT" << std::setw(10) << "MIN SEV" << std::setw(8) << "SENT"
                  << std::setw(8) << "QUEUED"
                  << "LAST ERROR\n";
        for (const auto& r : *rules) {
            std::cout << std::setw(5) << r.id << std::setw(30) << r.target << std::setw(7)
                      << r.format << std::setw(10) << core::severityNameOf(r.minSeverity)
                      << std::setw(8) << r.sent << std::setw(8) << r.queued
                      << (r.lastError.empty() ? "-" : r.lastError) << "\n";
            if (r.format == "email") {
                std::cout << "     mail from " << r.mailFrom << " to";
                for (const auto& to : r.mailTo) std::cout << " " << to;
                if (!r.smtpUser.empty()) {
                    std::cout << ", user " << r.smtpUser
                              << (r.hasSmtpPassword ? " (password ********)" : "");
                }
                if (!r.starttls) std::cout << ", no STARTTLS";
                std::cout << "\n";
            }
        }
        exitCode = 0;
    });

    CLI::App* remove = forward->add_subcommand("remove", "Remove a rule and its queue");
    remove->add_option("ID", args->id, "Rule id (see forward list)")->required();
    remove->callback([args, dataDir, &exitCode] {
        auto console = openExisting(dataDir());
        if (!console) return void(exitCode = fail(console.error().message));
        if (auto s = (*console)->removeForwardRule(args->id); !s) {
            return void(exitCode = fail(s.error().message));
        }
        std::cout << "forwarding rule " << args->id << " removed\n";
        exitCode = 0;
    });
}

void addCveCommands(CLI::App& admin, const std::function<fs::path()>& dataDir, int& exitCode) {
    CLI::App* cve =
        admin.add_subcommand("cve", "Offline vulnerability data (NVD CVE JSON 2.0 feed files)");
    cve->require_subcommand(1);
    auto file = std::make_shared<std::string>();
    auto json = std::make_shared<bool>(false);
    CLI::App* import = cve->add_subcommand("import", "Import an NVD CVE JSON 2.0 feed file");
    import->add_option("FILE", *file, "Feed file (decompressed .json)")->required();
    import->callback([file, dataDir, &exitCode] {
        auto console = openExisting(dataDir());
    if (!console) return void(exitCode = fail(console.error().message));
    auto n = (*console)->importCveFeed(*file);
    if (!n) return void(exitCode = fail(n.error().message));
    std::cout << "imported " << *n << " CVE records from " << *file << " ("
              << (*console)->store().cveCount() << " in the console)\n";
    exitCode = 0;
});
CLI::App* devices =
    cve->add_subcommand("devices", "Devices with matching CVEs, highest risk first");
devices->add_flag("--json", *json, "JSON output");
devices->callback([json, dataDir, &exitCode] {
    auto console = openExisting(dataDir());
    if (!console) return void(exitCode = fail(console.error().message));
    auto found = (*console)->deviceVulnerabilities();
    if (!found) return void(exitCode = fail(found.error().message));
    if (*json) {
        nlohmann::json arr = nlohmann::json::array();
        for (const auto& d : *found) {
            nlohmann::json cves = nlohmann::json::array();
            for (const auto& c : d.cves) {
                cves.push_back({{"id", c.cveId},
                                {"cvss", c.cvss},
                                {"severity", c.severity},
                                {"confirmed", c.confirmed},
                                {"criteria", c.criteria},
                                {"description", c.description}});
            }
            arr.push_back({{"device", d.device.deviceId},
                           {"sensor", d.device.sensorName},
                           {"site", d.device.site},
                           {"zone", d.device.zone},
                           {"vendor", d.device.vendor},
                           {"model", d.device.model},
                           {"firmware", d.device.firmware},
                           {"risk", d.risk},
                           {"cves", cves}});
        }
        std::cout << nlohmann::json{{"devices", arr}}.dump(2) << "\n";
        return void(exitCode = 0);
    }
    std::cout << std::left << std::setw(24) << "DEVICE" << std::setw(6) << "RISK" << std::setw(40)
              << "VENDOR / MODEL / FIRMWARE"
              << "CVES (? = firmware unknown)\n";
    for (const auto& d : *found) {
        std::string cves;
        for (const auto& c : d.cves) {
            cves += (cves.empty() ? "" : " ") + c.cveId + (c.confirmed ? "" : "?");
        }
        char risk[16];
        std::snprintf(risk, sizeof risk, "%.1f", d.risk);
        std::cout << std::setw(24) << d.device.deviceId << std::setw(6) << risk << std::setw(40)
                  << (d.device.vendor + " / " + d.device.model + " / " +
                      (d.device.firmware.empty() ? "?" : d.device.firmware))
                  << cves << "\n";
    }
    exitCode = 0;
});
}  // namespace

}  // namespace ironsight::console::app

}  // namespace ironsight::console::app
