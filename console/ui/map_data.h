// SPDX-License-Identifier: Apache-2.0
// The device map's graph, built from the console core's devices, connections and alerts.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "console/core/console_store.h"
#include "console/ui/map_layout.h"
#include "shared/base/result.h"

namespace ironsight::console::ui {

using ConnectionRecord = core::ConnectionRow;

/// One node per device (keyed by sensor and device id), one edge per connection whose two
/// devices are known; open alerts (ConsoleStore::openAlertGroups) counted on the devices they
/// name.
MapGraph buildMapGraph(const std::vector<core::DeviceRow>& devices,
                       const std::vector<ConnectionRecord>& connections,
                       const std::vector<core::OpenAlertGroup>& openAlerts);

/// "10.10.1.0/24" for an IPv4 address, "" otherwise.
QString subnetOf(const QString& ip);

}  // namespace ironsight::console::ui
