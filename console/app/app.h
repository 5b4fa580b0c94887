// SPDX-License-Identifier: Apache-2.0
// Entry points of ironsight-console's modes (SPEC §6), shared by main.cpp and its parts.
#pragma once

#include <CLI/CLI.hpp>

#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "console/core/console_service.h"
#include "shared/base/result.h"

namespace ironsight::console::app {

/// Options of `--headless`.
struct HeadlessOptions {
    std::string listen;        ///< empty: the stored setting, else the default
    std::string enrollListen;  ///< empty: the stored setting, else the default
};

/// Runs the ingest server until SIGINT/SIGTERM; returns the exit code.
int runHeadless(const std::filesystem::path& dataDir, const HeadlessOptions& options);

/// Opens an existing console; refuses a data dir that `admin init` or `--headless` never set up
/// ("no console in DIR (run 'ironsight-console admin init' first)").
Result<std::unique_ptr<core::ConsoleService>> openExisting(const std::filesystem::path& dataDir);

/// Adds `admin` and its subcommands to `app`. `dataDir` resolves the data directory once the
/// command line is parsed; `exitCode` receives the result of the command that ran.
void addAdminCommands(CLI::App& app, std::function<std::filesystem::path()> dataDir, int& exitCode);

/// `admin cert import|show|use-generated` (cert_commands.cpp).
void addCertCommands(CLI::App& admin, const std::function<std::filesystem::path()>& dataDir,
                     int& exitCode);

/// `admin directory show|set|off|test` (directory_commands.cpp).
void addDirectoryCommands(CLI::App& admin, const std::function<std::filesystem::path()>& dataDir,
                          int& exitCode);

/// `admin device list|show|edit|merge|split|zone-rule` (device_commands.cpp).
void addDeviceCommands(CLI::App& admin, const std::function<std::filesystem::path()>& dataDir,
                       int& exitCode);

}  // namespace ironsight::console::app
