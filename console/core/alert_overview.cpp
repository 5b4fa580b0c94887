// SPDX-License-Identifier: Apache-2.0
// Alert aggregates for the dashboard and the device map: answered from indexes and GROUP BY, so
// a window never reads a million alert rows to draw a chart (docs/CONSOLE.md "Dashboard").
#include <algorithm>

#include "console/core/console_store.h"

namespace ironsight::console::core {

Result<AlertTimeRange> ConsoleStore::alertTimeRange() {
    std::lock_guard lock(readMutex_);  // the read-only connection: never waits for ingest
    // MIN and MAX alone in a query are answered from the alerts_last_seen index's two ends.
    auto st = readDb_.prepare(
        "SELECT (SELECT MIN(last_seen) FROM alerts WHERE last_seen > 0), "
        "(SELECT MAX(last_seen) FROM alerts)");
    if (!st) return st.error();
    auto row = st->step();
    if (!row) return row.error();
    AlertTimeRange range;
    if (*row && !st->columnIsNull(0)) {
        range.firstMs = st->columnInt(0);
        range.lastMs = st->columnInt(1);
    }
    return range;
}

Result<std::vector<SeverityCounts>> ConsoleStore::alertCountsOverTime(
    const std::vector<std::int64_t>& boundariesMs) {
    if (boundariesMs.size() < 2) return std::vector<SeverityCounts>{};
    if (!std::is_sorted(boundariesMs.begin(), boundariesMs.end())) {
        return makeError("time bucket boundaries must be in ascending order");
    }
    std::lock_guard lock(readMutex_);  // the read-only connection: never waits for ingest
    // (severity, last_seen) is an index: each count is an index-only range walk, no table rows.
    auto st = readDb_.prepare(
        "SELECT COUNT(*) FROM alerts INDEXED BY alerts_severity "
        "WHERE severity = ?1 AND last_seen >= ?2 AND last_seen < ?3");
    if (!st) return st.error();
    std::vector<SeverityCounts> out(boundariesMs.size() - 1);
    for (std::size_t i = 0; i + 1 < boundariesMs.size(); ++i) {
        for (int severity = 0; severity < kSeverityLevels; ++severity) {
            st->reset();
            st->bind(1, static_cast<std::int64_t>(severity))
                .bind(2, boundariesMs[i])
                .bind(3, boundariesMs[i + 1]);
            auto row = st->step();
            if (!row) return row.error();
            out[i][static_cast<std::size_t>(severity)] = *row ? st->columnInt(0) : 0;
        }
    }
    return out;
}

Result<std::vector<OpenAlertGroup>> ConsoleStore::openAlertGroups() {
    std::lock_guard lock(readMutex_);  // the read-only connection: never waits for ingest
    // Alerts of one kind between the same ends collapse into one row with their count. GROUP
    // BY and ORDER BY list the columns in one order (the same groups as any order), so a
    // partial index on exactly these columns of the open alerts, e.g. alerts_open_groups
    // (severity DESC, sensor_id, src, dst, title, src_ip, dst_ip) WHERE status <> 'closed',
    // answers it in one index-only walk without a sort (docs/BENCHMARKS.md, session 6).
    // Without that index SQLite reads every open alert's row and sorts, as before.
    auto st = readDb_.prepare(R"sql(
SELECT sensor_id, src, dst, src_ip, dst_ip, severity, title, COUNT(*) FROM alerts
WHERE status <> 'closed'
GROUP BY severity, sensor_id, src, dst, title, src_ip, dst_ip
ORDER BY severity DESC, sensor_id, src, dst, title, src_ip, dst_ip)sql");
    if (!st) return st.error();
    std::vector<OpenAlertGroup> out;
    for (auto row = st->step();; row = st->step()) {
        if (!row) return row.error();
        if (!*row) break;
        OpenAlertGroup g;
        g.sensorId = st->columnText(0);
        g.src = st->columnText(1);
        g.dst = st->columnText(2);
        g.srcIp = st->columnText(3);
        g.dstIp = st->columnText(4);
        g.severity = severityNameOf(static_cast<int>(st->columnInt(5)));
        g.title = st->columnText(6);
        g.alerts = st->columnInt(7);
        out.push_back(std::move(g));
    }
    return out;
}

}  // namespace ironsight::console::core
