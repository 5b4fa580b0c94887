// SPDX-License-Identifier: Apache-2.0
// `ironsight-console admin device ...`: the console's devices (one per device group), operator
// edits, merge, split and VLAN and capture interface zone rules (docs/CONSOLE.md "Devices").
#include <nlohmann/json.hpp>

#include <iomanip>
#include <iostream>

#include "console/app/app.h"

namespace ironsight::console::app {
namespace fs = std::filesystem;
namespace {

int fail(const std::string& message) {
    std::cerr << "error: " << message << "\n";
    return 1;
}

std::string authorizedText(const std::optional<bool>& a) {
    return a ? (*a ? "yes" : "no") : "-";
}

nlohmann::json toJson(const core::DeviceRow& d) {
    nlohmann::json observations = nlohmann::json::array();
    for (const auto& o : d.observations) {
        observations.push_back({{"sensor", o.sensorName},
                                {"id", o.deviceId},
                                {"last_seen_ms", o.lastSeenMs},
                                {"interfaces", o.interfaces}});
    }
    return {{"device", d.groupId},
            {"id", d.deviceId},
            {"name", d.name},
            {"site", d.site},
            {"zone", d.zone},
            {"zone_source", d.zoneSource},
            {"macs", d.macs},
            {"ips", d.ips},
            {"vlans", d.vlans},
            {"vendor", d.vendor},
            {"model", d.model},
            {"firmware", d.firmware},
            {"hostname", d.hostname},
            {"type", d.type},
            {"type_reported", d.reportedType},
            {"purdue_level", d.purdueLevel},
            {"purdue_level_reported", d.reportedPurdueLevel},
            {"criticality", d.criticality},
            {"authorized", d.authorized ? nlohmann::json(*d.authorized) : nlohmann::json()},
            {"notes", d.notes},
            {"edited_by", d.editedBy},
            {"edited_at_ms", d.editedAtMs},
            {"first_seen_ms", d.firstSeenMs},
            {"last_seen_ms", d.lastSeenMs},
            {"observations", observations}};
}

std::string joined(const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v) out += (out.empty() ? "" : ",") + s;
    return out.empty() ? "-" : out;
}

void printTable(const std::vector<core::DeviceRow>& devices) {
    std::cout << std::left << std::setw(8) << "DEVICE" << std::setw(22) << "NAME" << std::setw(20)
              << "ID" << std::setw(18) << "IP" << std::setw(24) << "TYPE" << std::setw(10) << "CRIT"
              << std::setw(6) << "AUTH" << std::setw(14) << "SITE" << std::setw(14) << "ZONE"
              << "SENSORS\n";
    for (const auto& d : devices) {
        std::vector<std::string> sensors;
        for (const auto& o : d.observations) sensors.push_back(o.sensorName);
        std::cout << std::setw(8) << d.groupId << std::setw(22) << (d.name.empty() ? "-" : d.name)
                  << std::setw(20) << d.deviceId << std::setw(18)
                  << (d.ips.empty() ? "-" : d.ips.front()) << std::setw(24)
                  << (d.type.empty() ? "-" : d.type + (d.typeEdited ? " (edited)" : ""))
                  << std::setw(10) << (d.criticality.empty() ? "-" : d.criticality) << std::setw(6)
                  << authorizedText(d.authorized) << std::setw(14) << d.site << std::setw(14)
                  << d.zone << joined(sensors) << "\n";
    }
}

void printDevice(const core::DeviceRow& d) {
    auto orDash = [](const std::string& s) { return s.empty() ? std::string("-") : s; };
    std::cout << "device " << d.groupId << ": " << orDash(d.name) << "\n"
              << "  site/zone:    " << d.site << " / " << d.zone << " (" << d.zoneSource << ")\n"
              << "  type:         " << orDash(d.type)
              << (d.typeEdited ? " (edited; reported " + orDash(d.reportedType) + ")" : "") << "\n"
              << "  Purdue level: " << d.purdueLevel
              << (d.purdueEdited
                      ? " (edited; reported " + std::to_string(d.reportedPurdueLevel) + ")"
                      : "")
              << "\n"
              << "  criticality:  " << orDash(d.criticality) << "\n"
              << "  authorized:   " << authorizedText(d.authorized) << "\n"
              << "  notes:        " << orDash(d.notes) << "\n"
              << "  MACs:         " << joined(d.macs) << "\n"
              << "  IPs:          " << joined(d.ips) << "\n"
              << "  vendor/model: " << orDash(d.vendor) << " / " << orDash(d.model) << "\n"
              << "  hostname:     " << orDash(d.hostname) << "\n";
    if (!d.editedBy.empty()) {
        std::cout << "  edited by:    " << d.editedBy << " at " << core::formatUtc(d.editedAtMs)
                  << "\n";
    }
    std::cout << "  observations:\n";
    for (const auto& o : d.observations) {
        std::cout << "    " << o.sensorName << "/" << o.deviceId << " (last seen "
                  << core::formatUtc(o.lastSeenMs)
                  << (o.interfaces.empty() ? "" : ", on " + joined(o.interfaces)) << ")\n";
    }
}

/// A device argument -> its number: the number itself, or SENSOR/DEVICE_ID (an observation).
Result<std::int64_t> deviceRef(core::ConsoleService& console, const std::string& ref) {
    if (!ref.empty() && ref.find_first_not_of("0123456789") == std::string::npos) {
        try {
            return static_cast<std::int64_t>(std::stoll(ref));
        } catch (const std::exception&) {
            return makeError("invalid device number '" + ref + "'");
        }
    }
    auto slash = ref.find('/');
    if (slash == std::string::npos) {
        return makeError("'" + ref +
                         "' is no device: give its number (admin device list) or "
                         "SENSOR/DEVICE_ID");
    }
    return console.deviceGroupOf(ref.substr(0, slash), ref.substr(slash + 1));
}

/// Every device command's frame: open the data dir, run `action`, and turn its outcome into the
/// exit code (an error is one line on stderr; the action prints its own success output).
void runOnConsole(const fs::path& dataDir, int& exitCode,
                  const std::function<Status(core::ConsoleService&)>& action) {
    auto console = openExisting(dataDir);
    if (!console) return void(exitCode = fail(console.error().message));
    if (auto s = action(**console); !s) return void(exitCode = fail(s.error().message));
    exitCode = 0;
}

}  // namespace

void addDeviceCommands(CLI::App& admin, const std::function<fs::path()>& dataDir, int& exitCode) {
    CLI::App* device =
        admin.add_subcommand("device", "Devices: list, show, edit, merge, split, zone rules");
    device->require_subcommand(1);

    // device list [--search TERM] [--json]
    struct ListArgs {
        std::string search;
        bool json = false;
    };
    auto list = std::make_shared<ListArgs>();
    CLI::App* listCmd = device->add_subcommand(
        "list", "List devices (one per device, however many sensors see it)");
    listCmd->add_option("--search", list->search,
                        "Only devices with TEXT in any field (case-insensitive)");
    listCmd->add_flag("--json", list->json, "JSON output");
    listCmd->callback([list, dataDir, &exitCode] {
        runOnConsole(dataDir(), exitCode, [&](core::ConsoleService& console) -> Status {
            auto devices = console.searchDevices(list->search, 0);
            if (!devices) return devices.error();
            if (list->json) {
                nlohmann::json arr = nlohmann::json::array();
                for (const auto& d : *devices) arr.push_back(toJson(d));
                std::cout << nlohmann::json{{"devices", arr}}.dump(2) << "\n";
            } else {
                printTable(*devices);
            }
            return {};
        });
    });

    // device show DEVICE [--json]
    struct ShowArgs {
        std::string ref;
        bool json = false;
    };
    auto show = std::make_shared<ShowArgs>();
    CLI::App* showCmd = device->add_subcommand("show", "Show one device and its observations");
    showCmd->add_option("DEVICE", show->ref, "Device number, or SENSOR/DEVICE_ID")->required();
    showCmd->add_flag("--json", show->json, "JSON output");
    showCmd->callback([show, dataDir, &exitCode] {
        runOnConsole(dataDir(), exitCode, [&](core::ConsoleService& console) -> Status {
            auto id = deviceRef(console, show->ref);
            if (!id) return id.error();
            auto d = console.findDevice(*id);
            if (!d) return d.error();
            if (show->json) {
                std::cout << toJson(*d).dump(2) << "\n";
            } else {
                printDevice(*d);
            }
            return {};
        });
    });

    // device edit DEVICE [--name ...] ...
    struct EditArgs {
        std::string ref;
        core::DeviceEdit edit;
    };
    auto edit = std::make_shared<EditArgs>();
    CLI::App* editCmd = device->add_subcommand(
        "edit", "Edit a device; later sensor reports never overwrite an edit ('' clears one)");
    editCmd->add_option("DEVICE", edit->ref, "Device number, or SENSOR/DEVICE_ID")->required();
    editCmd->add_option("--name", edit->edit.name, "Name");
    editCmd->add_option("--type", edit->edit.type,
                        "Type: plc, rtu, hmi, engineering_workstation, historian, scada_server, "
                        "switch, router, printer, camera, it_host, external, unknown");
    editCmd->add_option("--purdue", edit->edit.purdueLevel, "Purdue level 0-5 (-1 clears)");
    editCmd->add_option("--criticality", edit->edit.criticality, "low, medium, high or critical");
    editCmd->add_option("--authorized", edit->edit.authorized, "yes or no");
    editCmd->add_option("--notes", edit->edit.notes, "Free text");
    editCmd->add_option("--zone", edit->edit.zone,
                        "Zone of the device's site (overrides the sensor's zone and zone rules)");
    editCmd->callback([edit, dataDir, &exitCode] {
        runOnConsole(dataDir(), exitCode, [&](core::ConsoleService& console) -> Status {
            auto id = deviceRef(console, edit->ref);
            if (!id) return id.error();
            if (auto s = console.editDevice(*id, edit->edit); !s) return s;
            std::cout << "device " << *id << " edited\n";
            return {};
        });
    });

    // device merge INTO FROM
    struct MergeArgs {
        std::string into, from;
    };
    auto merge = std::make_shared<MergeArgs>();
    CLI::App* mergeCmd = device->add_subcommand(
        "merge", "Merge device FROM into device INTO (same site): INTO keeps its edits");
    mergeCmd->add_option("INTO", merge->into, "Device number, or SENSOR/DEVICE_ID")->required();
    mergeCmd->add_option("FROM", merge->from, "Device number, or SENSOR/DEVICE_ID")->required();
    mergeCmd->callback([merge, dataDir, &exitCode] {
        runOnConsole(dataDir(), exitCode, [&](core::ConsoleService& console) -> Status {
            auto into = deviceRef(console, merge->into);
            if (!into) return into.error();
            auto from = deviceRef(console, merge->from);
            if (!from) return from.error();
            if (auto s = console.mergeDevices(*into, *from); !s) return s;
            std::cout << "device " << *from << " merged into device " << *into << "\n";
            return {};
        });
    });

    // device split SENSOR DEVICE_ID
    struct SplitArgs {
        std::string sensor, deviceId;
    };
    auto split = std::make_shared<SplitArgs>();
    CLI::App* splitCmd = device->add_subcommand(
        "split", "Move one sensor's observation out of its device into a new device");
    splitCmd->add_option("SENSOR", split->sensor, "Sensor name or id")->required();
    splitCmd->add_option("DEVICE_ID", split->deviceId, "The sensor's device id (mac-..., ip-...)")
        ->required();
    splitCmd->callback([split, dataDir, &exitCode] {
        runOnConsole(dataDir(), exitCode, [&](core::ConsoleService& console) -> Status {
            auto created = console.splitDevice(split->sensor, split->deviceId);
            if (!created) return created.error();
            std::cout << split->sensor << "/" << split->deviceId << " is now device " << *created
                      << "\n";
            return {};
        });
    });

    // device zone-rule add|remove|list
    CLI::App* rule = device->add_subcommand(
        "zone-rule",
        "Zone rules: devices a sensor sees on VLAN N, or on capture interface IF, are in zone Z");
    rule->require_subcommand(1);
    struct RuleArgs {
        std::string sensor, zone, interface;
        std::uint32_t vlan = 0;
        bool json = false;
    };
    auto args = std::make_shared<RuleArgs>();
    // --vlan N or --interface IF: exactly one, the rule's key.
    auto addKey = [args](CLI::App* cmd) {
        auto* vlan = cmd->add_option("--vlan", args->vlan, "VLAN id (1-4094)");
        auto* iface = cmd->add_option("--interface", args->interface,
                                      "Capture interface of the sensor (as `ironsight-sensor "
                                      "interfaces` names it, e.g. eth1)");
        vlan->excludes(iface);
    };
    // Neither key given: one clear line (CLI11 cannot require one of two options).
    auto checkKey = [](const CLI::App* cmd) -> Status {
        if (cmd->count("--vlan") == 0 && cmd->count("--interface") == 0) {
            return makeError("give --vlan N or --interface IF");
        }
        return {};
    };
    auto keyText = [args] {
        return args->interface.empty() ? "VLAN " + std::to_string(args->vlan)
                                       : "interface " + args->interface;
    };
    CLI::App* ruleAdd = rule->add_subcommand(
        "add", "Add or replace the rule of SENSOR's VLAN or capture interface (a VLAN rule wins "
               "over an interface rule, a device's own zone over both)");
    ruleAdd->add_option("--sensor", args->sensor, "Sensor name or id")->required();
    ruleAdd->add_option("--zone", args->zone, "Zone of the sensor's site")->required();
    addKey(ruleAdd);
    ruleAdd->callback([args, keyText, checkKey, ruleAdd, dataDir, &exitCode] {
        runOnConsole(dataDir(), exitCode, [&](core::ConsoleService& console) -> Status {
            if (auto s = checkKey(ruleAdd); !s) return s;
            if (auto s = args->interface.empty()
                             ? console.setZoneRule(args->sensor, args->vlan, args->zone)
                             : console.setInterfaceZoneRule(args->sensor, args->interface,
                                                            args->zone);
                !s) {
                return s;
            }
            std::cout << keyText() << " of sensor " << args->sensor << " is zone " << args->zone
                      << "\n";
            return {};
        });
    });
    CLI::App* ruleRemove =
        rule->add_subcommand("remove", "Remove the rule of SENSOR's VLAN or capture interface");
    ruleRemove->add_option("--sensor", args->sensor, "Sensor name or id")->required();
    addKey(ruleRemove);
    ruleRemove->callback([args, keyText, checkKey, ruleRemove, dataDir, &exitCode] {
        runOnConsole(dataDir(), exitCode, [&](core::ConsoleService& console) -> Status {
            if (auto s = checkKey(ruleRemove); !s) return s;
            if (auto s = args->interface.empty()
                             ? console.removeZoneRule(args->sensor, args->vlan)
                             : console.removeInterfaceZoneRule(args->sensor, args->interface);
                !s) {
                return s;
            }
            std::cout << "rule for " << keyText() << " of sensor " << args->sensor
                      << " removed\n";
            return {};
        });
    });
    CLI::App* ruleList = rule->add_subcommand("list", "List the rules");
    ruleList->add_flag("--json", args->json, "JSON output");
    ruleList->callback([args, dataDir, &exitCode] {
        runOnConsole(dataDir(), exitCode, [&](core::ConsoleService& console) -> Status {
            auto rules = console.listZoneRules();
            if (!rules) return rules.error();
            if (args->json) {
                nlohmann::json arr = nlohmann::json::array();
                for (const auto& r : *rules) {
                    nlohmann::json j = {{"sensor", r.sensorName},
                                        {"sensor_id", r.sensorId},
                                        {"site", r.site},
                                        {"zone", r.zone}};
                    if (r.interface.empty()) {
                        j["vlan"] = r.vlan;
                    } else {
                        j["interface"] = r.interface;
                    }
                    arr.push_back(std::move(j));
                }
                std::cout << arr.dump(2) << "\n";
                return {};
            }
            std::cout << std::left << std::setw(20) << "SENSOR" << std::setw(24) << "RULE"
                      << std::setw(16) << "SITE"
                      << "ZONE\n";
            for (const auto& r : *rules) {
                std::cout << std::setw(20) << r.sensorName << std::setw(24)
                          << (r.interface.empty() ? "VLAN " + std::to_string(r.vlan)
                                                  : "interface " + r.interface)
                          << std::setw(16) << r.site << r.zone << "\n";
            }
            return {};
        });
    });
}

}  // namespace ironsight::console::app
