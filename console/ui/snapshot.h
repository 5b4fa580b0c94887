// SPDX-License-Identifier: Apache-2.0
// What the main window shows, read from the console core in one go (off the GUI thread).
#pragma once

#include <QHash>
#include <QMap>
#include <QString>
#include <QVector>
#include <cstdint>
#include <memory>

#include "console/ui/map_layout.h"
#include "console/ui/table_model.h"

namespace ironsight::console::core {
class ConsoleService;
struct AlertRow;
struct DeviceRow;
}  // namespace ironsight::console::core

namespace ironsight::console::ui {

struct Snapshot {
    QVector<TableRow> sites;    // site / zone, sensors, devices, open alerts
    QVector<TableRow> sensors;  // name, site, zone, status, last seen, id
    // Only with SnapshotParts::tables (the read-only window); the window with a service pages
    // through the core instead (paged_model.h).
    QVector<TableRow>
        devices;  // name, ips, mac, vendor, type, purdue, protocols, site, zone, sensor, last seen
    QVector<TableRow>
        alerts;  // severity, status, title, source, destination, protocol, count, sensor, last seen
    /// "sensor id/device id" -> "name (type, addresses)": names alerts' devices in their detail.
    std::shared_ptr<const QHash<QString, QString>> deviceNames;
    int sensorsTotal = 0;
    int sensorsActive = 0;
    int sensorsConnected = 0;  ///< streaming now (not 3 missed health reports)
    int deviceCount = 0;
    int openAlerts = 0;
    int bySeverity[5] = {0, 0, 0, 0, 0};   // index: 1 warning .. 4 critical
    QMap<QString, int> devicesByType;      // device type ("unknown" when unset) -> devices
    QMap<QString, int> devicesByProtocol;  // protocol name -> devices speaking it
    QMap<QString, int> sensorsByStatus;    // pending | active | revoked -> sensors
    // Alerts over time by severity: continuous buckets of the "Last seen" column's local time,
    // each named by the text prefix its alerts' "Last seen" starts with ("2026-01-01 10" = that
    // hour), so a bucket is also the Alerts page filter that shows its alerts.
    QStringList timeBuckets;
    QVector<QVector<int>> timeCounts;  // [bucket][severity rank 0..4]
    MapGraph map;                      // the device map: devices, connections, open alerts
    QString mapError;                  // non-empty when the connections could not be read
    QString error;                     // non-empty when the store could not be read
    bool unchanged = false;  // nothing committed since the previous snapshot: keep the views
};

/// Reads the whole snapshot through the console core's service interface. With `tables` false
/// the device and alert rows are not built (a window with a service pages through the core).
/// Not thread-safe for one service: callers run one load at a time.
Snapshot loadSnapshot(core::ConsoleService& service, bool tables = true);

/// Like loadSnapshot, but answers `unchanged` without querying when the store's change stamp
/// equals `*lastStamp` (updated on every real load). Keeps idle refreshes cheap.
Snapshot loadSnapshotIfChanged(core::ConsoleService& service, std::uint64_t* lastStamp,
                               bool tables = true);

/// One row of the Alerts table (KeyRole, detail, severity accent); `names` may be null.
TableRow alertTableRow(const core::AlertRow& alert, const QHash<QString, QString>* names);
/// One row of the inventory table (with its detail).
TableRow deviceTableRow(const core::DeviceRow& device);

}  // namespace ironsight::console::ui
