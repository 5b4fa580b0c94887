// SPDX-License-Identifier: Apache-2.0
// `ironsight-sensor interfaces [--json]` (SPEC §3.1): the capture interfaces with addresses,
// flags and kernel counters, marking the ones that look like monitor (SPAN/TAP) ports.
#include <iomanip>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "sensor-agent/app/commands.h"
#include "sensor-agent/capture/interface_list.h"

namespace ironsight::sensor::app {
namespace {

nlohmann::json toJson(const std::vector<InterfaceInfo>& interfaces) {
    using nlohmann::json;
    json out = json::array();
    for (const auto& i : interfaces) {
        json addresses = json::array();
        for (const auto& a : i.addresses) {
            addresses.push_back(
                {{"family", a.family}, {"address", a.address}, {"netmask", a.netmask}});
        }
        json entry = {{"name", i.name},
                      {"description", i.description},
                      {"mac", i.mac},
                      {"addresses", addresses},
                      {"flags",
                       {{"up", i.up},
                        {"running", i.running},
                        {"loopback", i.loopback},
                        {"wireless", i.wireless}}},
                      {"likely_monitor_port", i.likelyMonitorPort}};
        if (i.hasCounters) {
            entry["counters"] = {{"rx_packets", i.rxPackets},
                                 {"rx_bytes", i.rxBytes},
                                 {"rx_dropped", i.rxDropped},
                                 {"tx_packets", i.txPackets},
                                 {"tx_bytes", i.txBytes}};
        } else {
            entry["counters"] = nullptr;  // not a kernel network device (any, nflog, ...)
        }
        out.push_back(entry);
    }
    return out;
}

void printTable(const std::vector<InterfaceInfo>& interfaces, std::ostream& out) {
    out << std::left << std::setw(18) << "INTERFACE" << std::setw(22) << "STATE" << std::setw(14)
        << "RX PACKETS" << std::setw(14) << "TX PACKETS" << std::setw(12) << "RX DROPPED"
        << "ADDRESSES\n";
    for (const auto& i : interfaces) {
        std::string state = i.up ? (i.running ? "up" : "up,no-carrier") : "down";
        if (i.loopback) state += ",loopback";
        if (i.wireless) state += ",wireless";
        if (i.likelyMonitorPort) state += ",MONITOR?";
        std::string addresses;
        for (const auto& a : i.addresses) addresses += (addresses.empty() ? "" : " ") + a.address;
        if (addresses.empty()) addresses = "-";
        const auto counter = [&](std::uint64_t v) {
            return i.hasCounters ? std::to_string(v) : std::string("-");
        };
        out << std::setw(18) << i.name << std::setw(22) << state << std::setw(14)
            << counter(i.rxPackets) << std::setw(14) << counter(i.txPackets) << std::setw(12)
            << counter(i.rxDropped) << addresses << "\n";
    }
    out << "\nMONITOR? = up, no IPv4 address, receiving but (almost) not sending: likely a SPAN or "
           "TAP port to capture on (run --interface NAME).\n";
}

int runInterfaces(bool json) {
    auto interfaces = listInterfaces();
    if (!interfaces) {
        std::cerr << "ironsight-sensor interfaces: " << interfaces.error().message << "\n";
        return 1;
    }
    if (json) {
        std::cout << toJson(*interfaces).dump(2) << "\n";
    } else {
        printTable(*interfaces, std::cout);
    }
    return 0;
}

void addInterfacesCommand(CLI::App& app) {
    auto json = std::make_shared<bool>(false);
    auto* cmd = app.add_subcommand(
        "interfaces",
        "List capture interfaces with addresses and packet counters; marks likely monitor ports");
    cmd->add_flag("--json", *json, "Print a JSON array");
    cmd->callback([json] { exitCode() = runInterfaces(*json); });
}

const CommandRegistration registration{35, &addInterfacesCommand};

}  // namespace
}  // namespace ironsight::sensor::app
