// SPDX-License-Identifier: Apache-2.0
// Writes a ReportTable (console/core/report.h) as a paginated A4 landscape PDF.
#pragma once

#include <filesystem>
#include <functional>

#include "console/core/report.h"
#include "shared/base/result.h"

namespace ironsight::console::report {

/// Called after each page with (rows written, total rows); return false to cancel.
using Progress = std::function<bool(std::size_t done, std::size_t total)>;

/// Writes `table` to `path` through a temporary file renamed into place, so a cancelled or
/// failed report never leaves a half-written PDF behind. Needs a QGuiApplication (fonts);
/// the admin CLI creates an offscreen one. Error "cancelled" when `progress` returned false.
Status writePdfReport(const core::ReportTable& table, const std::filesystem::path& path,
                      const Progress& progress = {});

/// Rows that fit on one page at the layout writePdfReport uses (for tests and progress).
std::size_t pdfRowsPerPage();

}  // namespace ironsight::console::report
