// SPDX-License-Identifier: Apache-2.0
// `ironsight-sensor version`: prints the version.
#include <iostream>

#include "sensor-agent/app/commands.h"
#include "shared/base/version.h"

namespace ironsight::sensor::app {
namespace {

void addVersionCommand(CLI::App& app) {
    auto* cmd = app.add_subcommand("version", "Print the sensor version and exit");
    cmd->callback([] { std::cout << "ironsight-sensor " << ironsight::kVersion << "\n"; });
}

const CommandRegistration registration{90, &addVersionCommand};

}  // namespace
}  // namespace ironsight::sensor::app
