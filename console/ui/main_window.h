// SPDX-License-Identifier: Apache-2.0
// The console's main window: navigation on the left, one page per area, live status bar.
#pragma once

#include <QMainWindow>
#include <functional>

#include "console/ui/snapshot.h"

class QLabel;
class QListWidget;
class QStackedWidget;
class QTableView;
class QTimer;

namespace ironsight::console::ui {

class TableModel;

class MainWindow final : public QMainWindow {
    Q_OBJECT
public:
    using Loader = std::function<Snapshot()>;
    explicit MainWindow(Loader loader, QString title, QWidget* parent = nullptr);

    /// Loads once, synchronously (used by --screenshots so every page has data).
    void refreshNow();
    /// Names of the pages, in navigation order.
    QStringList pageNames() const;
    void showPage(int index);

signals:
    void snapshotLoaded(const ironsight::console::ui::Snapshot& snapshot);

private:
    void refreshAsync();
    void apply(const Snapshot& snapshot);
    QWidget* makeTablePage(const QString& heading, TableModel* model, QLabel* headerLabel = nullptr,
                           bool withDetail = false);

    Loader loader_;
    bool loading_ = false;
    QListWidget* nav_ = nullptr;
    QStackedWidget* pages_ = nullptr;
    TableModel* sitesModel_ = nullptr;
    TableModel* sensorsModel_ = nullptr;
    TableModel* devicesModel_ = nullptr;
    TableModel* alertsModel_ = nullptr;
    QLabel* alertCounters_ = nullptr;
    QLabel* statusLabel_ = nullptr;
    QTimer* timer_ = nullptr;
    QList<QTableView*> views_;
};

}  // namespace ironsight::console::ui
