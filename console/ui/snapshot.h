// SPDX-License-Identifier: Apache-2.0
// What the main window shows, read from the console core in one go (off the GUI thread).
#pragma once

#include <QString>
#include <QVector>
#include <filesystem>

#include "console/ui/table_model.h"

namespace ironsight::console::ui {

struct Snapshot {
    QVector<TableRow> sites;    // site / zone, sensors, devices, open alerts
    QVector<TableRow> sensors;  // name, site, zone, status, last seen, id
    QVector<TableRow> devices;  // name/ip, mac, vendor, type, protocols, site, zone, sensor, last seen
    QVector<TableRow> alerts;   // severity, status, title, source, destination, protocol, count, last seen
    int sensorsTotal = 0;
    int sensorsActive = 0;
    int deviceCount = 0;
    int openAlerts = 0;
    int bySeverity[5] = {0, 0, 0, 0, 0};  // index: 1 warning .. 4 critical
    QString error;  // non-empty when the store could not be read
};

/// Reads the whole snapshot through the console core's service interface.
Snapshot loadSnapshot(const std::filesystem::path& dataDir);

}  // namespace ironsight::console::ui
