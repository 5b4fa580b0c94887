// SPDX-License-Identifier: Apache-2.0
// The Dashboard page: four charts over the snapshot; each bar or slice drills into its page.
#include "console/ui/dashboard_page.h"

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHorizontalBarSeries>
#include <QLabel>
#include <QPieSeries>
#include <QPieSlice>
#include <QStackedBarSeries>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>
#include <functional>

namespace ironsight::console::ui {

namespace {

/// The `limit` largest entries of `counts`, largest first (ties alphabetical).
QVector<QPair<QString, int>> top(const QMap<QString, int>& counts, int limit) {
    QVector<QPair<QString, int>> items;
    for (auto it = counts.begin(); it != counts.end(); ++it)
        items.push_back({it.key(), it.value()});
    std::stable_sort(items.begin(), items.end(),
                     [](const auto& a, const auto& b) { return a.second > b.second; });
    if (items.size() > limit) items.resize(limit);
    return items;
}

void resetChart(QChart* chart, const QString& title) {
    chart->removeAllSeries();
    for (auto* axis : chart->axes()) {
        chart->removeAxis(axis);
        delete axis;
    }
    chart->setTitle(title);
}

/// Count axis with whole numbers only.
QValueAxis* countAxis(int max) {
    auto* axis = new QValueAxis;
    axis->setLabelFormat(QStringLiteral("%d"));
    // Whole-number ticks: 0..max rounded up to a multiple of the step (at most 6 ticks).
    const int step = std::max(1, (max + 4) / 5);
    const int top = std::max(1, (max + step - 1) / step) * step;
    axis->setRange(0, top);
    axis->setTickCount(top / step + 1);
    return axis;
}

/// A horizontal bar chart of `items` (top entry at the top) that reports clicks by label.
void fillHorizontalBars(QChart* chart, const QVector<QPair<QString, int>>& items,
                        const QColor& colour, const std::function<void(const QString&)>& onClick) {
    auto* set = new QBarSet(QString());
    set->setColor(colour);
    QStringList categories;
    int max = 0;
    for (auto it = items.rbegin(); it != items.rend(); ++it) {
        *set << it->second;
        categories << it->first;
        max = std::max(max, it->second);
    }
    auto* series = new QHorizontalBarSeries;
    series->append(set);
    series->setLabelsVisible(true);
    chart->addSeries(series);
    auto* y = new QBarCategoryAxis;
    y->append(categories);
    chart->addAxis(y, Qt::AlignLeft);
    series->attachAxis(y);
    auto* x = countAxis(max);
    chart->addAxis(x, Qt::AlignBottom);
    series->attachAxis(x);
    chart->legend()->hide();
    QObject::connect(set, &QBarSet::clicked, chart, [categories, onClick](int index) {
        if (index >= 0 && index < categories.size()) onClick(categories[index]);
    });
}

/// Axis text of a time bucket: "10:03", "10:00", "01-31", "2026-01" (the title has the dates).
QString bucketLabel(const QString& bucket) {
    switch (bucket.size()) {
        case 16:
            return bucket.mid(11);
        case 15:
            return bucket.mid(11) + QLatin1Char('0');
        case 13:
            return bucket.mid(11) + QStringLiteral(":00");
        case 10:
            return bucket.mid(5);
        default:
            return bucket;
    }
}

}  // namespace

DashboardPage::DashboardPage(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    auto* title = new QLabel(QStringLiteral("<h2>%1</h2>").arg(tr("Dashboard").toHtmlEscaped()));
    summary_ = new QLabel;
    summary_->setObjectName(QStringLiteral("dashboardSummary"));
    auto* top = new QHBoxLayout;
    top->addWidget(title);
    top->addStretch(1);
    top->addWidget(summary_);
    layout->addLayout(top);
    auto* grid = new QGridLayout;
    timeline_ = makeView(QStringLiteral("alertsOverTime"));
    severity_ = makeView(QStringLiteral("alertsBySeverity"));
    types_ = makeView(QStringLiteral("devicesByType"));
    protocols_ = makeView(QStringLiteral("devicesByProtocol"));
    sensors_ = makeView(QStringLiteral("sensorsByStatus"));
    grid->addWidget(timeline_, 0, 0, 1, 2);
    grid->addWidget(severity_, 0, 2);
    grid->addWidget(types_, 1, 0);
    grid->addWidget(protocols_, 1, 1);
    grid->addWidget(sensors_, 1, 2);
    layout->addLayout(grid, 1);
    rebuild();
}

QChartView* DashboardPage::makeView(const QString& objectName) {
    auto* chart = new QChart;
    chart->setObjectName(objectName);
    chart->setAnimationOptions(QChart::NoAnimation);
    chart->setMargins(QMargins(4, 4, 4, 4));
    auto* view = new QChartView(chart);
    view->setObjectName(objectName + QStringLiteral("View"));
    view->setRenderHint(QPainter::Antialiasing);
    view->setMinimumSize(320, 220);
    return view;
}

void DashboardPage::setSnapshot(const Snapshot& snapshot) {
    snapshot_ = snapshot;
    rebuild();
}

void DashboardPage::setDark(bool dark) {
    if (dark == dark_) return;
    dark_ = dark;
    rebuild();
}

void DashboardPage::rebuild() {
    const auto theme = dark_ ? QChart::ChartThemeDark : QChart::ChartThemeLight;
    for (auto* view : {timeline_, severity_, types_, protocols_, sensors_})
        view->chart()->setTheme(theme);
    summary_->setText(tr("%1 open alerts · %2 devices · %3 of %4 sensors connected")
                          .arg(snapshot_.openAlerts)
                          .arg(snapshot_.deviceCount)
                          .arg(snapshot_.sensorsConnected)
                          .arg(snapshot_.sensorsTotal));

    // Open alerts by severity: one coloured bar per severity, the legend carries shape and count.
    QChart* chart = severity_->chart();
    resetChart(chart, tr("Open alerts by severity"));
    const struct {
        int rank;
        QString name;
        QString key;  // the severity as stored, used as the Alerts page filter
        QColor colour;
        QString shape;
    } severities[] = {
        {4, tr("Critical"), QStringLiteral("critical"), QColor(0xb0, 0x00, 0x20),
         QStringLiteral("▲")},
        {3, tr("Major"), QStringLiteral("major"), QColor(0xd3, 0x54, 0x00), QStringLiteral("■")},
        {2, tr("Minor"), QStringLiteral("minor"), QColor(0xb7, 0x95, 0x0b), QStringLiteral("●")},
        {1, tr("Warning"), QStringLiteral("warning"), QColor(0x24, 0x71, 0xa3),
         QStringLiteral("○")},
    };
    auto* bars = new QBarSeries;
    int max = 0;
    for (const auto& s : severities) {
        const int count = snapshot_.bySeverity[s.rank];
        auto* set = new QBarSet(QStringLiteral("%1 %2 (%3)").arg(s.shape, s.name).arg(count));
        set->setColor(s.colour);
        *set << count;
        max = std::max(max, count);
        bars->append(set);
        const QString key = s.key;
        connect(set, &QBarSet::clicked, this,
                [this, key](int) { emit drillDown(QStringLiteral("alerts"), key); });
    }
    bars->setLabelsVisible(true);
    chart->addSeries(bars);
    // Alerts over time: stacked by severity; a click opens the alerts of that time bucket.
    {
        QChart* time = timeline_->chart();
        resetChart(time,
                   snapshot_.timeBuckets.isEmpty()
                       ? tr("Alerts over time (none yet)")
                       : tr("Alerts over time by severity (last seen, %1 – %2)")
                             .arg(snapshot_.timeBuckets.front(), snapshot_.timeBuckets.back()));
        auto* stacked = new QStackedBarSeries;
        int highest = 0;
        QVector<int> totals(snapshot_.timeBuckets.size(), 0);
        for (const auto& s : severities) {
            auto* set = new QBarSet(QStringLiteral("%1 %2").arg(s.shape, s.name));
            set->setColor(s.colour);
            for (int i = 0; i < snapshot_.timeBuckets.size(); ++i) {
                const int count = snapshot_.timeCounts[i][s.rank];
                *set << count;
                totals[i] += count;
            }
            stacked->append(set);
            connect(set, &QBarSet::clicked, this, [this](int index) {
                if (index >= 0 && index < snapshot_.timeBuckets.size())
                    emit drillDown(QStringLiteral("alerts"), snapshot_.timeBuckets[index]);
            });
        }
        for (int t : totals) highest = std::max(highest, t);
        time->addSeries(stacked);
        auto* when = new QBarCategoryAxis;
        for (const auto& bucket : snapshot_.timeBuckets) when->append(bucketLabel(bucket));
        time->addAxis(when, Qt::AlignBottom);
        stacked->attachAxis(when);
        auto* howMany = countAxis(highest);
        time->addAxis(howMany, Qt::AlignLeft);
        stacked->attachAxis(howMany);
        time->legend()->setVisible(true);
        time->legend()->setAlignment(Qt::AlignRight);
    }
    auto* categories = new QBarCategoryAxis;
    categories->append(tr("Open alerts"));
    chart->addAxis(categories, Qt::AlignBottom);
    bars->attachAxis(categories);
    auto* counts = countAxis(max);
    chart->addAxis(counts, Qt::AlignLeft);
    bars->attachAxis(counts);
    chart->legend()->setVisible(true);
    chart->legend()->setAlignment(Qt::AlignRight);

    auto toInventory = [this](const QString& filter) {
        emit drillDown(QStringLiteral("inventory"), filter);
    };
    resetChart(types_->chart(), tr("Devices by type"));
    fillHorizontalBars(types_->chart(), top(snapshot_.devicesByType, 10), QColor(0x2e, 0x86, 0xc1),
                       toInventory);
    resetChart(protocols_->chart(), tr("Top protocols (devices)"));
    fillHorizontalBars(protocols_->chart(), top(snapshot_.devicesByProtocol, 8),
                       QColor(0x17, 0xa5, 0x89), toInventory);

    // Sensor health: one slice per status.
    chart = sensors_->chart();
    resetChart(chart, tr("Sensors by status"));
    auto* pie = new QPieSeries;
    const struct {
        QString key;
        QString name;
        QColor colour;
    } statuses[] = {
        {QStringLiteral("active"), tr("Active"), QColor(0x1e, 0x84, 0x49)},
        {QStringLiteral("pending"), tr("Pending"), QColor(0xb7, 0x95, 0x0b)},
        {QStringLiteral("revoked"), tr("Revoked"), QColor(0xb0, 0x00, 0x20)},
    };
    for (const auto& s : statuses) {
        const int count = snapshot_.sensorsByStatus.value(s.key);
        if (count == 0) continue;
        auto* slice = pie->append(QStringLiteral("%1 (%2)").arg(s.name).arg(count), count);
        slice->setColor(s.colour);
        const QString key = s.key;
        connect(slice, &QPieSlice::clicked, this,
                [this, key] { emit drillDown(QStringLiteral("sensors"), key); });
    }
    pie->setHoleSize(0.35);
    chart->addSeries(pie);
    chart->legend()->setAlignment(Qt::AlignRight);
    if (pie->count() == 0) chart->setTitle(tr("Sensors by status (no sensors yet)"));
}

}  // namespace ironsight::console::ui
