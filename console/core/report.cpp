// SPDX-License-Identifier: Apache-2.0
#include "console/core/report.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <ctime>

#include "console/core/console_service.h"

namespace ironsight::console::core {
namespace {

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

std::string joined(const std::vector<std::string>& v, const char* sep = ", ") {
    std::string out;
    for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
    return out;
}

bool contains(const std::vector<std::string>& allowed, const std::string& value) {
    return allowed.empty() || std::find(allowed.begin(), allowed.end(), value) != allowed.end();
}

/// Seen during [from, to): the device or alert was active at some point of the range.
bool inRange(const ReportFilter& f, std::int64_t firstMs, std::int64_t lastMs) {
    if (f.fromMs && lastMs < f.fromMs) return false;
    if (f.toMs && (firstMs ? firstMs : lastMs) >= f.toMs) return false;
    return true;
}

bool matchesText(const std::string& needleLower, const std::vector<std::string>& row) {
    if (needleLower.empty()) return true;
    return std::any_of(row.begin(), row.end(), [&](const std::string& cell) {
        return lower(cell).find(needleLower) != std::string::npos;
    });
}

std::string csvCell(const std::string& v) {
    std::string cell = v;
    if (!cell.empty() && std::string_view("=+-@\t\r").find(cell.front()) != std::string::npos) {
        cell.insert(cell.begin(), '\'');
    }
    if (cell.find_first_of(",\"\n\r") == std::string::npos) return cell;
    std::string out = "\"";
    for (char c : cell) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

}  // namespace

std::string isoUtc(std::int64_t ms) {
    if (ms <= 0) return {};
    std::time_t t = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

Result<std::int64_t> parseIsoUtc(const std::string& text) {
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
    char tail[8] = {};
    const int n = std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%7s", &y, &mo, &d, &h, &mi, &s,
                              tail);
    const bool tailOk = n < 7 || std::string(tail) == "Z";
    if ((n != 3 && n != 5 && n != 6 && n != 7) || !tailOk || mo < 1 || mo > 12 || d < 1 ||
        d > 31 || h > 23 || mi > 59 || s > 60) {
        return makeError("'" + text + "' is not a UTC date: use 2026-01-31 or 2026-01-31T08:00:00Z");
    }
    if (n == 3 && text.size() != 10) {
        return makeError("'" + text + "' is not a UTC date: use 2026-01-31 or 2026-01-31T08:00:00Z");
    }
    std::tm tm{};
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = s;
    return static_cast<std::int64_t>(timegm(&tm)) * 1000;
}

std::string ReportFilter::describe() const {
    std::vector<std::string> parts;
    if (!site.empty()) parts.push_back("site " + site);
    if (!zone.empty()) parts.push_back("zone " + zone);
    if (fromMs || toMs) {
        parts.push_back((fromMs ? isoUtc(fromMs) : std::string("start")) + " to " +
                        (toMs ? isoUtc(toMs) : std::string("now")));
    }
    if (!severities.empty()) parts.push_back("severity " + joined(severities, "/"));
    if (!statuses.empty()) parts.push_back("status " + joined(statuses, "/"));
    if (!text.empty()) parts.push_back("text \"" + text + "\"");
    return parts.empty() ? "all" : joined(parts, " · ");
}

ReportTable deviceReport(const std::vector<DeviceRow>& devices, const ReportFilter& filter,
                         std::int64_t nowMs) {
    ReportTable t;
    t.title = "Device inventory";
    t.filterDescription = filter.describe();
    t.generatedMs = nowMs;
    t.columns = {"Name",  "IP",       "MAC",  "Vendor", "Model", "Firmware", "Type",
                 "Level", "Protocols", "Site", "Zone",   "Sensor", "Last seen"};
    t.columnWeights = {1.4, 1.1, 1.3, 1.2, 1.1, 0.9, 1.1, 0.5, 1.3, 0.9, 0.9, 1.0, 1.5};
    const std::string needle = lower(filter.text);
    for (const auto& d : devices) {
        if (!filter.site.empty() && d.site != filter.site) continue;
        if (!filter.zone.empty() && d.zone != filter.zone) continue;
        if (!inRange(filter, d.firstSeenMs, d.lastSeenMs)) continue;
        std::vector<std::string> protocols;
        for (const auto& [name, role] : d.protocols) protocols.push_back(name + " " + role);
        std::vector<std::string> row = {
            d.hostname.empty() ? d.deviceId : d.hostname,
            joined(d.ips),
            joined(d.macs),
            d.vendor,
            d.model,
            d.firmware,
            d.type,
            d.purdueLevel < 0 ? std::string() : std::to_string(d.purdueLevel),
            joined(protocols),
            d.site,
            d.zone,
            d.sensorName,
            isoUtc(d.lastSeenMs)};
        if (!matchesText(needle, row)) continue;
        t.rows.push_back(std::move(row));
    }
    return t;
}

ReportTable alertReport(const std::vector<AlertRow>& alerts, const ReportFilter& filter,
                        std::int64_t nowMs) {
    ReportTable t;
    t.title = "Alerts";
    t.filterDescription = filter.describe();
    t.generatedMs = nowMs;
    t.columns = {"Severity", "Status", "Title", "Source",   "Destination", "Protocol", "Count",
                 "Site",     "Zone",   "Sensor", "Assignee", "First seen",  "Last seen"};
    t.columnWeights = {0.8, 1.0, 2.4, 1.0, 1.0, 0.9, 0.6, 0.9, 0.9, 1.0, 0.9, 1.5, 1.5};
    const std::string needle = lower(filter.text);
    for (const auto& a : alerts) {
        if (!filter.site.empty() && a.site != filter.site) continue;
        if (!filter.zone.empty() && a.zone != filter.zone) continue;
        if (!contains(filter.severities, a.severity) || !contains(filter.statuses, a.status)) {
            continue;
        }
        if (!inRange(filter, a.firstSeenMs, a.lastSeenMs)) continue;
        std::vector<std::string> row = {a.severity,
                                        a.status,
                                        a.title,
                                        a.srcIp.empty() ? a.src : a.srcIp,
                                        a.dstIp.empty() ? a.dst : a.dstIp,
                                        a.protocol,
                                        std::to_string(a.count),
                                        a.site,
                                        a.zone,
                                        a.sensorName,
                                        a.assignee,
                                        isoUtc(a.firstSeenMs),
                                        isoUtc(a.lastSeenMs)};
        if (!matchesText(needle, row)) continue;
        t.rows.push_back(std::move(row));
    }
    return t;
}

std::string reportToCsv(const ReportTable& table) {
    std::string out;
    auto line = [&out](const std::vector<std::string>& cells) {
        for (std::size_t i = 0; i < cells.size(); ++i) {
            if (i) out += ',';
            out += csvCell(cells[i]);
        }
        out += "\r\n";
    };
    line(table.columns);
    for (const auto& row : table.rows) line(row);
    return out;
}

Result<ReportTable> ConsoleService::report(const Session* session, ReportKind kind,
                                           const ReportFilter& filter) {
    const std::string what = kind == ReportKind::Devices ? "devices" : "alerts";
    auto by = authorize(session, Action::ExportData, what);
    if (!by) return by.error();
    Result<ReportTable> table = makeError("no data");
    const std::int64_t now = nowMs();
    if (kind == ReportKind::Devices) {
        auto devices = listDevices();
        table = devices ? Result<ReportTable>(deviceReport(*devices, filter, now))
                        : Result<ReportTable>(devices.error());
    } else {
        auto alerts = listAlerts();
        table = alerts ? Result<ReportTable>(alertReport(*alerts, filter, now))
                       : Result<ReportTable>(alerts.error());
    }
    (void)store_->audit(by->actor, "report." + what, filter.describe(), by->source,
                        table ? "ok: " + std::to_string(table->rows.size()) + " rows"
                              : "failed: " + table.error().message);
    return table;
}

}  // namespace ironsight::console::core
