// SPDX-License-Identifier: Apache-2.0
// `ironsight-console admin report`: inventory and alert reports as CSV or PDF.
#pragma once

#include <CLI/CLI.hpp>

#include <filesystem>
#include <functional>

namespace ironsight::console::app {

/// Adds `report` under `admin`. `exitCode` receives 0 on success, 1 on error.
void addReportCommand(CLI::App& admin, const std::function<std::filesystem::path()>& dataDir,
                      int& exitCode);

}  // namespace ironsight::console::app
