// SPDX-License-Identifier: Apache-2.0
// `ironsight-sensor config check [FILE]` validates sensor.toml without starting the sensor;
// `ironsight-sensor config reference` prints the settings reference (docs/SENSOR_CONFIG.md).
#include <iostream>
#include <memory>
#include <string>

#include "sensor-agent/app/commands.h"
#include "sensor-agent/config/sensor_config.h"
#include "sensor-agent/engine/engine.h"

namespace ironsight::sensor::app {
namespace {

constexpr const char* kDefaultConfig = "/etc/ironsight/sensor.toml";

int check(const std::string& path) {
    auto loaded = config::load(path);
    if (!loaded) {
        std::cerr << loaded.error().message << "\n";
        return 1;
    }
    // Protocol names of port aliases: the built-in dissectors; with plugins configured, a name
    // they lack may be a plugin's and is only checked when `run` has loaded them.
    int problems = 0;
    for (const auto& spec : loaded->portAliases) {
        auto alias = parsePortAlias(spec);
        if (alias) continue;
        if (loaded->pluginDir) {
            std::cout << path << ": note: port alias '" << spec
                      << "' names no built-in dissector; run checks it against the plugins in "
                      << *loaded->pluginDir << "\n";
        } else {
            std::cerr << path << ": " << alias.error().message << "\n";
            ++problems;
        }
    }
    if (problems > 0) return 1;
    std::cout << path << ": ok\n";
    return 0;
}

void addConfigCommand(CLI::App& app) {
    auto* cmd = app.add_subcommand(
        "config", "Check a sensor configuration file, or print the reference of its settings");
    cmd->require_subcommand(1);
    auto path = std::make_shared<std::string>(kDefaultConfig);
    auto* checkCmd = cmd->add_subcommand(
        "check", "Validate a sensor.toml: every problem on one line (FILE:LINE:COL: ...); exit 1 "
                 "when there is any");
    checkCmd->add_option("FILE", *path, "The file")->capture_default_str();
    checkCmd->callback([path] { exitCode() = check(*path); });
    auto* referenceCmd = cmd->add_subcommand(
        "reference", "Print every setting of sensor.toml as Markdown (docs/SENSOR_CONFIG.md)");
    referenceCmd->callback([] {
        std::cout << config::referenceMarkdown();
        exitCode() = 0;
    });
}

const CommandRegistration registration{55, &addConfigCommand};

}  // namespace
}  // namespace ironsight::sensor::app
