// SPDX-License-Identifier: Apache-2.0
// Entry point of the desktop console (Qt Widgets), called by console/app for `ironsight-console`.
#pragma once

#include <filesystem>

namespace ironsight::console::ui {

/// Runs the desktop window on the console data dir; returns the process exit code.
/// Understands `--screenshots OUT_DIR` in argv: a PNG of every page, then exit (SPEC §6).
int runDesktop(int argc, char** argv, const std::filesystem::path& dataDir);

}  // namespace ironsight::console::ui
