// SPDX-License-Identifier: Apache-2.0
// `ironsight-console admin ...`: init, sites, zones, sensors, exports (SPEC §6).
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
        auto password = crypto::readFile(init->passwordFile, 4096);
        if (!password) return void(exitCode = fail(password.error().message));
        std::string pw = *password;
        while (!pw.empty() && (pw.back() == '\n' || pw.back() == '\r')) pw.pop_back();
        if (auto nl = pw.find('\n'); nl != std::string::npos) pw.resize(nl);
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
                  << "CA fingerprint: " << (*console)->caFingerprint() << "\n";
        exitCode = 0;
    });

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
        (void)(*console)->store().audit("cli", "export." + exp->what, exp->out, "local", "ok");
        exitCode = 0;
    });
}

}  // namespace ironsight::console::app
