// SPDX-License-Identifier: Apache-2.0
// The Dashboard page (Qt Charts): open alerts by severity, devices by type, protocols, sensor
// health.
#pragma once

#include <QWidget>

#include "console/ui/snapshot.h"

class QChart;
class QChartView;
class QLabel;

namespace ironsight::console::ui {

class DashboardPage final : public QWidget {
    Q_OBJECT
public:
    explicit DashboardPage(QWidget* parent = nullptr);

    /// Redraws every chart from `snapshot`.
    void setSnapshot(const Snapshot& snapshot);
    /// Switches the charts between the light and the dark theme.
    void setDark(bool dark);

signals:
    /// A bar or slice was clicked: show `page` ("alerts", "inventory", "sensors") filtered by
    /// `filter` (a severity, a type, a protocol, a status, or a time bucket such as
    /// "2026-01-01 10" from the alerts-over-time chart).
    void drillDown(const QString& page, const QString& filter);

private:
    void rebuild();
    QChartView* makeView(const QString& objectName);

    Snapshot snapshot_;
    bool dark_ = false;
    QLabel* summary_ = nullptr;
    QChartView* timeline_ = nullptr;
    QChartView* severity_ = nullptr;
    QChartView* types_ = nullptr;
    QChartView* protocols_ = nullptr;
    QChartView* sensors_ = nullptr;
};

}  // namespace ironsight::console::ui
