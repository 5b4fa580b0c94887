// SPDX-License-Identifier: Apache-2.0
// The console's main window: navigation on the left, one page per area, live status bar.
#pragma once

#include <QMainWindow>
#include <QMap>
#include <functional>
#include <memory>
#include <optional>

#include "console/ui/snapshot.h"
#include "console/ui/ui_context.h"

class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;
class QStackedWidget;
class QTableView;
class QTimer;

namespace ironsight::console::ui {

class AlertsPage;
class DashboardPage;
class DeviceMapPage;
class MapLayoutCache;
class PagedTableModel;
class TableModel;

class MainWindow final : public QMainWindow {
    Q_OBJECT
public:
    using Loader = std::function<Snapshot()>;
    /// Read-only window over `loader` (no Settings page, no sensor actions).
    explicit MainWindow(Loader loader, QString title, QWidget* parent = nullptr);
    /// Window that also acts through `context` (Settings page, add / revoke sensors).
    MainWindow(Loader loader, QString title, UiContext context, QWidget* parent = nullptr);
    /// Waits for a snapshot load still running on the thread pool: the loader refers to the
    /// console service, which the owner may destroy right after the window.
    ~MainWindow() override;

    /// Loads once, synchronously (used by --screenshots so every page has data).
    void refreshNow();
    /// Names of the pages, in navigation order.
    QStringList pageNames() const;
    void showPage(int index);
    int currentPage() const;
    /// Index of a page by key: "dashboard", "sites", "sensors", "inventory", "map", "alerts",
    /// "settings";
    /// -1 when the window has no such page.
    int pageIndex(const QString& key) const;
    /// The filter box of a page (nullptr for pages without one; the map's search box).
    QLineEdit* filterOf(int page) const;
    DeviceMapPage* mapPage() const { return map_; }
    /// The inventory's and the Alerts page's models: they page through the core (paged_model.h).
    PagedTableModel* devicesModel() const { return devicesModel_; }
    PagedTableModel* alertsModel() const { return alertsModel_; }
    AlertsPage* alertsPage() const { return alertsPage_; }

    /// Light or dark palette for the whole application (charts included).
    void setDark(bool dark);
    bool isDark() const { return dark_; }
    /// Switches the UI language at run time ("en", "de", "ja") and rebuilds the pages.
    bool setLanguage(const QString& code);

    /// Sensors page actions (also behind its buttons); each runs the dialogs it needs.
    void addSensor();
    void revokeSelectedSensor();
    /// Sends learning mode on/off to the selected sensor (a command; see docs/CONSOLE.md).
    void setSelectedSensorLearning(bool on);
    /// Edits and pushes the selected sensor's settings (a sensor.toml subset; prefilled with
    /// its last accepted push). Modal; empty text withdraws the pushed settings.
    void pushSelectedSensorSettings();
    /// Asks the selected sensor to renew its certificate over its link.
    void renewSelectedSensorCertificate();

signals:
    void snapshotLoaded(const ironsight::console::ui::Snapshot& snapshot);
    /// The palette or language was changed by the user (desktop.cpp remembers it).
    void darkChanged(bool dark);
    void languageChanged(const QString& code);

private:
    void buildUi();
    void refreshAsync();
    /// The 2 s timer: polls the paged tables; reloads the snapshot unless the last load was
    /// slow (then it waits 3 times as long as that load took, so a 1,000,000-alert snapshot
    /// does not hold the store's lock most of the time).
    void tick();
    void apply(const Snapshot& snapshot);
    void showFiltered(const QString& key, const QString& filter);
    /// "Export report…" for the page `key` (inventory or alerts), using that page's filter.
    QWidget* makeReportButton(const QString& key);
    QWidget* makeTablePage(const QString& key, const QString& heading, QAbstractItemModel* model,
                           QLabel* headerLabel = nullptr, bool withDetail = false,
                           QWidget* actions = nullptr);
    QWidget* makeSensorActions();

    Loader loader_;
    QString title_;
    UiContext context_;
    bool loading_ = false;
    bool refreshAgain_ = false;  // a refresh was asked for while one was in flight
    bool dark_ = false;
    std::optional<Snapshot> last_;  // the last applied data, re-applied after a language switch
    QStringList keys_;              // page keys in navigation order
    QListWidget* nav_ = nullptr;
    QStackedWidget* pages_ = nullptr;
    DashboardPage* dashboard_ = nullptr;
    DeviceMapPage* map_ = nullptr;
    AlertsPage* alertsPage_ = nullptr;
    std::shared_ptr<MapLayoutCache> mapCache_;  // survives page rebuilds (language switch)
    TableModel* sitesModel_ = nullptr;
    TableModel* sensorsModel_ = nullptr;
    PagedTableModel* devicesModel_ = nullptr;
    PagedTableModel* alertsModel_ = nullptr;
    // The snapshot's device names for the alert detail, read by the alerts fetcher's thread.
    struct SharedNames;
    std::shared_ptr<SharedNames> deviceNames_;
    qint64 loadStartedMs_ = 0;
    qint64 nextTimedLoadMs_ = 0;
    QTableView* sensorsView_ = nullptr;
    QPushButton* revokeButton_ = nullptr;
    QLabel* alertCounters_ = nullptr;
    QLabel* statusLabel_ = nullptr;
    QTimer* timer_ = nullptr;
    QList<QTableView*> views_;
    QMap<QString, QLineEdit*> filters_;  // by page key
};

}  // namespace ironsight::console::ui
