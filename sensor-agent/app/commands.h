// SPDX-License-Identifier: Apache-2.0
// Subcommands of ironsight-sensor (SPEC §6). Each lives in its own <name>_command.cpp compiled
// straight into the executable (no static library, so no whole-archive tricks) and registers
// itself with one line:
//     namespace { const CommandRegistration registration{20, &addRunCommand}; }
// The order number fixes the order in --help.
#pragma once

#include <CLI/CLI.hpp>

namespace ironsight::sensor::app {

using AddCommand = void (*)(CLI::App& app);

struct CommandRegistration {
    CommandRegistration(int order, AddCommand add);
};

/// The exit code the chosen subcommand wants main() to return (set from its callback).
int& exitCode();

}  // namespace ironsight::sensor::app
