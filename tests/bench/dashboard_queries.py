#!/usr/bin/env python3
"""Times the dashboard's and the map's alert reads on a console store, before and after they
became aggregates (console/core/alert_overview.cpp; docs/BENCHMARKS.md "Dashboard and map").

Usage: tests/bench/dashboard_queries.py DATA_DIR/console.db   (opened read-only)
"""
import sqlite3
import sys
import time


def timed(db, label, run, runs=3):
    best, result = float("inf"), None
    for _ in range(runs):
        start = time.perf_counter()
        result = run(db)
        best = min(best, time.perf_counter() - start)
    print(f"{label:58s} {best * 1000:10.1f} ms  {result}")


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__.strip())
    db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
    print("alerts:", db.execute("SELECT COUNT(*) FROM alerts").fetchone()[0])
    timed(db, "before: every alert row, newest first",
          lambda d: len(d.execute("SELECT * FROM alerts ORDER BY last_seen DESC, alert_id")
                        .fetchall()), runs=1)
    span = ("SELECT (SELECT MIN(last_seen) FROM alerts WHERE last_seen > 0), "
            "(SELECT MAX(last_seen) FROM alerts)")
    timed(db, "after: alertTimeRange", lambda d: d.execute(span).fetchone())
    first, last = db.execute(span).fetchone()
    if first is None:
        return
    step = (last - first) // 30 + 1
    bounds = [first + i * step for i in range(31)]
    count = ("SELECT COUNT(*) FROM alerts INDEXED BY alerts_severity "
             "WHERE severity = ? AND last_seen >= ? AND last_seen < ?")

    def histogram(d):
        return sum(d.execute(count, (severity, bounds[i], bounds[i + 1])).fetchone()[0]
                   for i in range(30) for severity in range(5))

    timed(db, "after: alertCountsOverTime, 30 buckets x 5 severities", histogram)
    groups = ("SELECT sensor_id, src, dst, src_ip, dst_ip, severity, title, COUNT(*) FROM alerts "
              "WHERE status <> 'closed' GROUP BY sensor_id, src, dst, src_ip, dst_ip, severity, "
              "title ORDER BY severity DESC, sensor_id, src, dst, title")
    timed(db, "after: openAlertGroups", lambda d: len(d.execute(groups).fetchall()), runs=1)


if __name__ == "__main__":
    main()
