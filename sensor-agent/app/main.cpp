// SPDX-License-Identifier: Apache-2.0
// ironsight-sensor: the sensor agent's command line (SPEC §6).
#include <algorithm>
#include <iostream>
#include <utility>
#include <vector>

#include "sensor-agent/app/commands.h"
#include "shared/base/version.h"

namespace ironsight::sensor::app {
namespace {
std::vector<std::pair<int, AddCommand>>& registry() {
    static std::vector<std::pair<int, AddCommand>> commands;
    return commands;
}
}  // namespace

CommandRegistration::CommandRegistration(int order, AddCommand add) {
    registry().emplace_back(order, add);
}

int& exitCode() {
    static int code = 0;
    return code;
}

}  // namespace ironsight::sensor::app

int main(int argc, char** argv) {
    using namespace ironsight::sensor::app;
    CLI::App app{
        "Ironsight sensor agent: passive OT/ICS network monitoring.\n"
        "Analyses capture files offline (analyze), or captures live on network interfaces\n"
        "(run --interface, see `interfaces`) or replays captures (run --replay), and streams\n"
        "devices, connections and alerts to an Ironsight console over mutual TLS.",
        "ironsight-sensor"};
    app.set_version_flag("--version", std::string("ironsight-sensor ") + ironsight::kVersion);
    app.require_subcommand(1);
    auto commands = registry();
    std::sort(commands.begin(), commands.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    for (const auto& [order, add] : commands) add(app);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    }
    return exitCode();
}
