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

class QDialog;
class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;
class QStackedWidget;
class QTableView;
class QThreadPool;
class QTimer;

namespace ironsight::console::ui {

class AlertsPage;
class DashboardPage;
class DeviceMapPage;
class MapLayoutCache;
class PagedTableModel;
class SettingsPage;
class TableModel;

class MainWindow final : public QMainWindow {
    Q_OBJECT
public:
    using Loader = std::function<Snapshot()>;
    /// Read-only window over `loader` (no Settings page, no sensor actions).
    explicit MainWindow(Loader loader, QString title, QWidget* parent = nullptr);
    /// Window that also acts through `context` (Settings page, add / revoke sensors).
    MainWindow(Loader loader, QString title, UiContext context, QWidget* parent = nullptr);
    /// Waits for the window's own work still running on its thread pool (snapshot loads,
    /// backups, exports: they refer to the console service, which the owner may destroy right
    /// after the window); other work on Qt's global pool is not waited for.
    ~MainWindow() override;

    /// What the window gets back after a restore: the reopened service's context and loader.
    struct Reopened {
        UiContext context;
        Loader loader;
    };
    /// The owner of the window's service, for Settings' Restore… (a restore needs every console
    /// of the data directory closed, this one included). `close` destroys the service (the
    /// window refers to it no more); `reopen` opens the data directory again and signs in
    /// (nullopt: it failed or the user gave up; the window then closes). Without an owner
    /// Restore… is disabled.
    struct ServiceOwner {
        std::function<void()> close;
        std::function<std::optional<Reopened>()> reopen;
    };
    void setServiceOwner(ServiceOwner owner);
    /// Restore… with `file` chosen (admin only): checks the file off the GUI thread (a bad file
    /// is refused with the core's one-line error and nothing else happens), asks for
    /// confirmation, closes the service, restores off the GUI thread, reopens (sign in again)
    /// and reloads every page. Asynchronous: restoreFinished() tells the outcome.
    void restoreFrom(const QString& file);
    bool restoring() const { return restoring_; }
    SettingsPage* settingsPage() const { return settings_; }

    /// Inventory actions on the selected device (behind its buttons; admin and analyst).
    void editSelectedDevice();
    void mergeSelectedDevice();
    void splitSelectedDevice();

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
    /// A restore ended (also when it was refused or cancelled; `message` is what the window
    /// showed). ok: the data directory now holds the backup and the pages show it.
    void restoreFinished(bool ok, const QString& message);
    /// An inventory device action (edit, merge, split) ended: `changed` when the core took it;
    /// `message` is what the status bar or a box said ("" when the dialog was cancelled).
    void deviceActionDone(bool changed, const QString& message);

private:
    void buildUi();
    void refreshAsync();
    /// The 2 s timer: polls the paged tables; reloads the snapshot unless the last load was
    /// slow (then it waits 3 times as long as that load took, so a 1,000,000-alert snapshot
    /// does not hold the store's lock most of the time).
    void tick();
    void loaded(quint64 generation, const Snapshot& snapshot);
    void apply(const Snapshot& snapshot);
    /// Deletes the pages and models now (their workers finished) and waits for the window's
    /// pool: afterwards nothing of the window refers to the service.
    void dropPages();
    void confirmRestore(const QString& file, const core::BackupInfo& info);
    void runRestore(const QString& file);
    /// Shows the outcome (next to the buttons, in the status bar and, unless `quiet`, a box).
    void endRestore(bool ok, const QString& message, bool quiet = false);
    /// Reads the selected inventory row's device (and, with `zones`, its site's zone names)
    /// from the core on the window's pool, then calls `act` on the GUI thread. Nothing is
    /// selected, a lookup failed (one-line message shown) or the data was replaced meanwhile:
    /// no `act`, deviceActionDone(false, …).
    void withSelectedDevice(const QString& title, bool zones,
                            std::function<void(const core::DeviceRow&, const QStringList&)> act);
    /// Runs a device dialog; on Cancel reports deviceActionDone(false) and returns false.
    bool acceptedOrCancelled(QDialog& dialog);
    void deviceChanged(const QString& message);
    void showFiltered(const QString& key, const QString& filter);
    /// "Export report…" for the page `key` (inventory or alerts), using that page's filter.
    QWidget* makeReportButton(const QString& key);
    QWidget* makeTablePage(const QString& key, const QString& heading, QAbstractItemModel* model,
                           QLabel* headerLabel = nullptr, bool withDetail = false,
                           QWidget* actions = nullptr);
    QWidget* makeSensorActions();
    QWidget* makeInventoryActions();

    Loader loader_;
    QThreadPool* pool_ = nullptr;  // the window's own work (see ~MainWindow)
    quint64 loadGeneration_ = 0;   // a load started before a restore is dropped
    ServiceOwner owner_;
    bool restoring_ = false;
    bool deviceAction_ = false;  // a device action is loading its device or shows its dialog
    SettingsPage* settings_ = nullptr;
    QTableView* inventoryView_ = nullptr;
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
