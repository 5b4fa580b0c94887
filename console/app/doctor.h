// SPDX-License-Identifier: Apache-2.0
// `ironsight-console admin doctor`: post-install checks of a console data directory.
#pragma once

#include <CLI/CLI.hpp>

#include <filesystem>
#include <functional>

namespace ironsight::console::app {

/// Adds `doctor` under `admin`. `exitCode` receives 1 when a check fails, else 0.
void addDoctorCommand(CLI::App& admin, const std::function<std::filesystem::path()>& dataDir,
                      int& exitCode);

}  // namespace ironsight::console::app
