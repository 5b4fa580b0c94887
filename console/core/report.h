// SPDX-License-Identifier: Apache-2.0
// Inventory and alert reports (SPEC §5): the same rows the UI shows, filtered by site, zone,
// time range, severity, status and free text, as a table that becomes CSV here or PDF in
// console/report (which needs QtGui; the core stays free of it).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "console/core/console_store.h"
#include "shared/base/result.h"

namespace ironsight::console::core {

enum class ReportKind { Devices, Alerts };

/// What to include. Empty fields do not filter.
struct ReportFilter {
    std::string site;
    std::string zone;
    std::int64_t fromMs = 0;  ///< last seen at or after (0: no lower bound)
    std::int64_t toMs = 0;    ///< last seen before (0: no upper bound)
    std::vector<std::string> severities;  ///< alerts only: critical, major, minor, warning
    std::vector<std::string> statuses;    ///< alerts only: new, acknowledged, closed
    std::string text;  ///< case-insensitive substring of any shown column, like the UI filters

    /// "site Plant A · zone Line 1 · 2026-01-01 to 2026-02-01 · text "plc"", or "all".
    std::string describe() const;
};

/// A report as a table of display strings; the first row of `rows` is data, not a header.
struct ReportTable {
    std::string title;                ///< "Device inventory" / "Alerts"
    std::string filterDescription;    ///< ReportFilter::describe()
    std::int64_t generatedMs = 0;
    std::vector<std::string> columns;
    std::vector<double> columnWeights;  ///< relative widths for the PDF layout
    std::vector<std::vector<std::string>> rows;
};

ReportTable deviceReport(const std::vector<DeviceRow>& devices, const ReportFilter& filter,
                         std::int64_t nowMs);
ReportTable alertReport(const std::vector<AlertRow>& alerts, const ReportFilter& filter,
                        std::int64_t nowMs);

/// RFC 4180 CSV with a header line. Cells that a spreadsheet would run as a formula
/// (=, +, -, @, tab, CR at the start) get a leading apostrophe: device names and alert text
/// come from the network, so an exported report must not become an attack on the analyst.
std::string reportToCsv(const ReportTable& table);

/// "2026-01-01T10:03:31Z" (UTC) or "" for 0.
std::string isoUtc(std::int64_t ms);

/// Parses "2026-01-01", "2026-01-01T10:00", "2026-01-01T10:00:00Z" (UTC) into ms.
Result<std::int64_t> parseIsoUtc(const std::string& text);

}  // namespace ironsight::console::core
