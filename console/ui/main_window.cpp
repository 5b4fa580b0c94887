// SPDX-License-Identifier: Apache-2.0
// The console's main window (SPEC §5.1): Dashboard, Sites & Zones, Sensors, Inventory, Alerts,
// Settings.
#include "console/ui/main_window.h"

#include <QAction>
#include <QApplication>
#include <QDateTime>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeySequence>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QPalette>
#include <QPlainTextEdit>
#include <QPointer>
#include <QProgressDialog>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStackedWidget>
#include <QStatusBar>
#include <QStyle>
#include <QTableView>
#include <QTextBrowser>
#include <QThreadPool>
#include <QTimer>
#include <QVBoxLayout>
#include <algorithm>
#include <mutex>

#include "console/ui/add_sensor_dialog.h"
#include "console/ui/alerts_page.h"
#include "console/ui/dashboard_page.h"
#include "console/ui/device_dialogs.h"
#include "console/ui/device_map_page.h"
#include "console/ui/language.h"
#include "console/ui/paged_model.h"
#include "console/ui/report_export.h"
#include "console/ui/restore_job.h"
#include "console/ui/settings_page.h"
#include "console/ui/table_model.h"

namespace ironsight::console::ui {

struct MainWindow::SharedNames {
    std::mutex mutex;
    std::shared_ptr<const QHash<QString, QString>> names;
    std::shared_ptr<const QHash<QString, QString>> get() {
        std::lock_guard lock(mutex);
        return names;
    }
    void set(std::shared_ptr<const QHash<QString, QString>> next) {
        std::lock_guard lock(mutex);
        names = std::move(next);
    }
};

namespace {
constexpr int kSensorIdColumn = 5;
constexpr int kSensorNameColumn = 0;

QString navStyle() {
    return QStringLiteral(
        "QListWidget { font-size: 11pt; border: none; background: transparent; }"
        "QListWidget::item { padding: 8px 6px; }");
}

QPalette darkPalette() {
    QPalette p;
    const QColor window(0x2b, 0x2d, 0x30), base(0x1e, 0x1f, 0x22), text(0xe6, 0xe6, 0xe6);
    const QColor disabled(0x80, 0x80, 0x80), highlight(0x2f, 0x65, 0xca);
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, base);
    p.setColor(QPalette::AlternateBase, QColor(0x26, 0x28, 0x2b));
    p.setColor(QPalette::ToolTipBase, window);
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::PlaceholderText, disabled);
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, QColor(0x3c, 0x3f, 0x41));
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::BrightText, Qt::red);
    p.setColor(QPalette::Link, QColor(0x6c, 0xa8, 0xff));
    p.setColor(QPalette::Highlight, highlight);
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::Mid, QColor(0x45, 0x47, 0x4a));
    p.setColor(QPalette::Dark, QColor(0x18, 0x19, 0x1b));
    for (auto role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText}) {
        p.setColor(QPalette::Disabled, role, disabled);
    }
    return p;
}
}  // namespace

MainWindow::MainWindow(Loader loader, QString title, QWidget* parent)
    : MainWindow(std::move(loader), std::move(title), UiContext{}, parent) {}

MainWindow::MainWindow(Loader loader, QString title, UiContext context, QWidget* parent)
    : QMainWindow(parent),
      loader_(std::move(loader)),
      title_(std::move(title)),
      context_(std::move(context)) {
    qRegisterMetaType<ironsight::console::ui::Snapshot>();
    pool_ = new QThreadPool(this);
    context_.pool = pool_;
    resize(1280, 800);
    buildUi();
    timer_ = new QTimer(this);
    timer_->setInterval(2000);
    connect(timer_, &QTimer::timeout, this, &MainWindow::tick);
    timer_->start();
    QTimer::singleShot(0, this, &MainWindow::refreshAsync);
}

void MainWindow::buildUi() {
    const int previousPage = nav_ ? nav_->currentRow() : 0;
    views_.clear();
    filters_.clear();
    keys_.clear();
    sensorsView_ = nullptr;
    revokeButton_ = nullptr;
    inventoryView_ = nullptr;
    settings_ = nullptr;
    if (QWidget* old = takeCentralWidget()) old->deleteLater();
    for (QAbstractItemModel* model : std::initializer_list<QAbstractItemModel*>{
             sitesModel_, sensorsModel_, devicesModel_, alertsModel_}) {
        if (model) model->deleteLater();
    }
    setWindowTitle(title_);

    sitesModel_ =
        new TableModel({tr("Site / Zone"), tr("Sensors"), tr("Devices"), tr("Open alerts")}, this);
    sensorsModel_ = new TableModel(
        {tr("Sensor"), tr("Site"), tr("Zone"), tr("Status"), tr("Last seen"), tr("Sensor id"),
         tr("Packets/s"), tr("Drops"), tr("CPU"), tr("Memory"), tr("Outbox"), tr("Learning"),
         tr("Version"), tr("Uptime"), tr("Clock skew")},
        this);
    // Inventory and Alerts page through the core (a window without a service: through the
    // snapshot's rows, set in apply()).
    if (!deviceNames_) deviceNames_ = std::make_shared<SharedNames>();
    core::ConsoleService* service = context_.service;
    const auto empty = std::make_shared<const QVector<TableRow>>();
    StampFetcher stamp;
    if (service) stamp = [service] { return service->changeStamp(); };
    devicesModel_ = new PagedTableModel(
        {tr("Device"), tr("IP addresses"), tr("MAC"), tr("Vendor"), tr("Type"), tr("Purdue"),
         tr("Protocols"), tr("Site"), tr("Zone"), tr("Sensor"), tr("Last seen")},
        service ? devicePageFetcher(service) : memoryPageFetcher(empty), stamp, this);
    devicesModel_->setCountable(service == nullptr);  // the store's search has no count
    auto names = deviceNames_;
    alertsModel_ = new PagedTableModel(
        {tr("Severity"), tr("Status"), tr("Title"), tr("Source"), tr("Destination"), tr("Protocol"),
         tr("Count"), tr("Sensor"), tr("Last seen"), tr("Assigned to")},  // kAlertAssigneeColumn
        service ? alertPageFetcher(service, [names] { return names->get(); })
                : memoryPageFetcher(empty),
        stamp, this);

    nav_ = new QListWidget;
    nav_->setObjectName(QStringLiteral("navigation"));
    nav_->setFixedWidth(180);
    pages_ = new QStackedWidget;
    if (!mapCache_) mapCache_ = std::make_shared<MapLayoutCache>();
    map_ = new DeviceMapPage(mapCache_);
    map_->setDark(dark_);
    filters_[QStringLiteral("map")] = map_->searchBox();
    alertsPage_ = new AlertsPage(context_, alertsModel_,
                                 context_.service ? makeReportButton(QStringLiteral("alerts"))
                                                  : nullptr);
    alertCounters_ = alertsPage_->counters();
    filters_[QStringLiteral("alerts")] = alertsPage_->filter();
    views_ << alertsPage_->table();
    connect(alertsPage_, &AlertsPage::changed, this, &MainWindow::refreshAsync);
    connect(alertsPage_, &AlertsPage::changed, alertsModel_, &PagedTableModel::reload);
    dashboard_ = new DashboardPage;
    dashboard_->setDark(dark_);
    connect(dashboard_, &DashboardPage::drillDown, this, &MainWindow::showFiltered);

    struct Page {
        QString key;
        QString name;
        QWidget* page;
    };
    QVector<Page> pages = {
        {QStringLiteral("dashboard"), tr("Dashboard"), dashboard_},
        {QStringLiteral("sites"), tr("Sites & Zones"),
         makeTablePage(QStringLiteral("sites"), tr("Sites & Zones"), sitesModel_)},
        {QStringLiteral("sensors"), tr("Sensors"),
         makeTablePage(QStringLiteral("sensors"), tr("Sensors"), sensorsModel_, nullptr, false,
                       context_.service ? makeSensorActions() : nullptr)},
        {QStringLiteral("inventory"), tr("Inventory"),
         makeTablePage(QStringLiteral("inventory"), tr("Device inventory"), devicesModel_, nullptr,
                       true, context_.service ? makeInventoryActions() : nullptr)},
        {QStringLiteral("map"), tr("Map"), map_},
        {QStringLiteral("alerts"), tr("Alerts"), alertsPage_},
    };
    if (context_.service) {
        auto* settings = new SettingsPage(context_, dark_);
        settings_ = settings;
        settings->setRestoreAvailable(static_cast<bool>(owner_.close));
        connect(settings, &SettingsPage::restoreRequested, this, [this](const QString& file) {
            // The page that asked is deleted by the restore: start once its signal returned.
            QTimer::singleShot(0, this, [this, file] { restoreFrom(file); });
        });
        connect(settings, &SettingsPage::darkChanged, this, [this](bool dark) {
            setDark(dark);
            emit darkChanged(dark);
        });
        connect(settings, &SettingsPage::languageChanged, this, [this](const QString& code) {
            // The page that asked is rebuilt too: switch once its signal has returned.
            QTimer::singleShot(0, this, [this, code] {
                if (setLanguage(code)) emit languageChanged(code);
            });
        });
        pages.push_back({QStringLiteral("settings"), tr("Settings"), settings});
    }
    for (const auto& p : pages) {
        keys_ << p.key;
        nav_->addItem(p.name);
        pages_->addWidget(p.page);
    }
    connect(nav_, &QListWidget::currentRowChanged, pages_, &QStackedWidget::setCurrentIndex);
    // Keep a row selected so the detail pane is never empty when there is something to show.
    for (QTableView* view : std::as_const(views_)) {
        auto* paged = qobject_cast<PagedTableModel*>(view->model());
        if (!paged) continue;
        connect(paged, &PagedTableModel::pageLoaded, view, [view] {
            if (view->model()->rowCount() > 0 && !view->property("sized").toBool()) {
                view->resizeColumnsToContents();  // once, on the first rows (as apply() does)
                view->setProperty("sized", true);
            }
            if (!view->currentIndex().isValid() && view->model()->rowCount() > 0)
                view->setCurrentIndex(view->model()->index(0, 0));
        });
    }
    nav_->setCurrentRow(std::clamp(previousPage, 0, nav_->count() - 1));

    nav_->setStyleSheet(navStyle());
    auto* brand = new QLabel(QStringLiteral("<b style='font-size:14pt'>Ironsight</b>"));
    brand->setContentsMargins(6, 4, 6, 8);
    auto* user = new QLabel(tr("Signed in: %1").arg(QString::fromStdString(context_.userName())));
    user->setContentsMargins(6, 0, 6, 4);
    user->setVisible(context_.service != nullptr);
    auto* navColumn = new QVBoxLayout;
    navColumn->addWidget(brand);
    navColumn->addWidget(nav_, 1);
    navColumn->addWidget(user);

    auto* central = new QWidget;
    auto* layout = new QHBoxLayout(central);
    layout->addLayout(navColumn);
    layout->addWidget(pages_, 1);
    setCentralWidget(central);

    // Menus and keyboard shortcuts: Ctrl+1..N pages, Ctrl+F filter, Ctrl+Shift+D palette.
    menuBar()->clear();
    QMenu* view = menuBar()->addMenu(tr("&View"));
    for (int i = 0; i < pages.size(); ++i) {
        QAction* go = view->addAction(pages[i].name);
        go->setObjectName(QStringLiteral("go-%1").arg(pages[i].key));
        go->setShortcut(QKeySequence(QStringLiteral("Ctrl+%1").arg(i + 1)));
        connect(go, &QAction::triggered, this, [this, i] { showPage(i); });
    }
    view->addSeparator();
    QAction* find = view->addAction(tr("Find in page"));
    find->setObjectName(QStringLiteral("find"));
    find->setShortcut(QKeySequence::Find);
    connect(find, &QAction::triggered, this, [this] {
        if (QLineEdit* filter = filterOf(currentPage())) {
            filter->setFocus(Qt::ShortcutFocusReason);
            filter->selectAll();
        }
    });
    QAction* darkAction = view->addAction(tr("Dark palette"));
    darkAction->setObjectName(QStringLiteral("darkPalette"));
    darkAction->setCheckable(true);
    darkAction->setChecked(dark_);
    darkAction->setShortcut(QKeySequence(QStringLiteral("Ctrl+Shift+D")));
    connect(darkAction, &QAction::toggled, this, [this](bool dark) {
        setDark(dark);
        emit darkChanged(dark);
    });
    view->addSeparator();
    QAction* quit = view->addAction(tr("Quit"));
    quit->setShortcut(QKeySequence::Quit);
    connect(quit, &QAction::triggered, this, &QWidget::close);

    if (statusLabel_) {
        statusBar()->removeWidget(statusLabel_);
        statusLabel_->deleteLater();
    }
    statusLabel_ = new QLabel(tr("Loading…"));
    statusBar()->addWidget(statusLabel_, 1);
    if (last_) {
        // Same data in the new language; a load in flight stays in flight.
        const bool loading = loading_;
        const Snapshot again = *last_;
        apply(again);
        loading_ = loading;
    }
}

QWidget* MainWindow::makeSensorActions() {
    auto* box = new QWidget;
    auto* row = new QHBoxLayout(box);
    row->setContentsMargins(0, 0, 0, 0);
    auto* add = new QPushButton(tr("Add sensor…"));
    add->setObjectName(QStringLiteral("addSensor"));
    revokeButton_ = new QPushButton(tr("Revoke…"));
    revokeButton_->setObjectName(QStringLiteral("revokeSensor"));
    // The core refuses these for other roles anyway; the buttons say so up front.
    add->setEnabled(context_.may(core::Action::AddSensor));
    revokeButton_->setEnabled(context_.may(core::Action::RevokeSensor));
    if (!add->isEnabled()) add->setToolTip(tr("Only administrators can add sensors."));
    if (!revokeButton_->isEnabled())
        revokeButton_->setToolTip(tr("Only administrators can revoke sensors."));
    connect(add, &QPushButton::clicked, this, &MainWindow::addSensor);
    connect(revokeButton_, &QPushButton::clicked, this, &MainWindow::revokeSelectedSensor);
    row->addWidget(add);
    row->addWidget(revokeButton_);
    // Learning mode is a command to the sensor (Admin and Security Analyst).
    for (const bool on : {true, false}) {
        auto* learning = new QPushButton(on ? tr("Learning on") : tr("Learning off"));
        learning->setObjectName(on ? QStringLiteral("learningOn") : QStringLiteral("learningOff"));
        learning->setEnabled(context_.may(core::Action::CommandSensor));
        learning->setToolTip(learning->isEnabled()
                                 ? tr("Switch the selected sensor's learning mode (sent when it "
                                      "is connected)")
                                 : tr("Read-only users cannot send commands to sensors."));
        connect(learning, &QPushButton::clicked, this,
                [this, on] { setSelectedSensorLearning(on); });
        row->addWidget(learning);
    }
    const bool mayCommand = context_.may(core::Action::CommandSensor);
    auto* push = new QPushButton(tr("Push settings…"));
    push->setObjectName(QStringLiteral("pushSettings"));
    push->setToolTip(mayCommand ? tr("Capture filter, port aliases, ICS subnets, VLAN names and "
                                     "DHCP ranges for the selected sensor")
                                : tr("Read-only users cannot send commands to sensors."));
    auto* renew = new QPushButton(tr("Renew certificate"));
    renew->setObjectName(QStringLiteral("renewCertificate"));
    renew->setToolTip(mayCommand ? tr("The selected sensor makes a new key and gets a new "
                                      "certificate over its link")
                                 : tr("Read-only users cannot send commands to sensors."));
    for (auto* b : {push, renew}) {
        b->setEnabled(mayCommand);
        row->addWidget(b);
    }
    connect(push, &QPushButton::clicked, this, &MainWindow::pushSelectedSensorSettings);
    connect(renew, &QPushButton::clicked, this, &MainWindow::renewSelectedSensorCertificate);
    return box;
}

void MainWindow::pushSelectedSensorSettings() {
    if (!context_.service || !sensorsView_) return;
    const QModelIndex current = sensorsView_->currentIndex();
    if (!current.isValid()) {
        QMessageBox::information(this, tr("Push settings"), tr("Select a sensor first."));
        return;
    }
    const QString id = current.siblingAtColumn(kSensorIdColumn).data().toString();
    const QString name = current.siblingAtColumn(kSensorNameColumn).data().toString();
    // Prefilled with the sensor's last accepted push (a push replaces the previous one).
    QString text = tr("# Settings for sensor %1 (docs/SENSOR_CONFIG.md, \"console push\").\n"
                      "# [network]\n# ics_subnets = [\"10.20.0.0/16\"]\n"
                      "# vlan_names = [\"20=PLC floor\"]\n"
                      "# dhcp_ranges = [\"10.1.2.100-10.1.2.199\"]\n")
                       .arg(name);
    if (auto last = context_.service->lastPushedSettings(id.toStdString()); last && !last->empty()) {
        text = QString::fromStdString(*last);
    }
    QDialog dialog(this);
    dialog.setObjectName(QStringLiteral("pushSettingsDialog"));
    dialog.setWindowTitle(tr("Push settings to %1").arg(name));
    auto* layout = new QVBoxLayout(&dialog);
    auto* help = new QLabel(tr("These settings replace the ones pushed before and win over the "
                               "sensor's own file. Leave only comments to withdraw them."));
    help->setWordWrap(true);
    auto* editor = new QPlainTextEdit(text);
    editor->setObjectName(QStringLiteral("settingsText"));
    editor->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    editor->setMinimumSize(520, 240);
    auto* error = new QLabel;
    error->setObjectName(QStringLiteral("settingsError"));
    error->setWordWrap(true);
    error->setStyleSheet(QStringLiteral("color: #b00020"));
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Cancel);
    buttons->addButton(tr("Push"), QDialogButtonBox::AcceptRole);
    layout->addWidget(help);
    layout->addWidget(editor);
    layout->addWidget(error);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    connect(buttons, &QDialogButtonBox::accepted, &dialog, [&] {
        // Nothing but comments and blank lines withdraws the pushed settings.
        std::string toml = editor->toPlainText().toStdString();
        bool onlyComments = true;
        for (const QString& line : editor->toPlainText().split(QLatin1Char('\n'))) {
            const QString t = line.trimmed();
            if (!t.isEmpty() && !t.startsWith(QLatin1Char('#'))) onlyComments = false;
        }
        if (onlyComments) toml.clear();
        auto sent = context_.pushSensorSettings(id.toStdString(), toml);
        if (!sent) {
            error->setText(QString::fromStdString(sent.error().message));
            return;
        }
        dialog.accept();
    });
    if (dialog.exec() == QDialog::Accepted) {
        statusBar()->showMessage(tr("Settings sent to sensor %1; it answers what it applied "
                                    "(admin command list)")
                                     .arg(name),
                                 15000);
    }
}

void MainWindow::renewSelectedSensorCertificate() {
    if (!context_.service || !sensorsView_) return;
    const QModelIndex current = sensorsView_->currentIndex();
    if (!current.isValid()) {
        QMessageBox::information(this, tr("Renew certificate"), tr("Select a sensor first."));
        return;
    }
    const QString id = current.siblingAtColumn(kSensorIdColumn).data().toString();
    const QString name = current.siblingAtColumn(kSensorNameColumn).data().toString();
    auto sent = context_.renewSensorCertificate(id.toStdString());
    if (!sent) {
        QMessageBox::warning(this, tr("Renew certificate"),
                             QString::fromStdString(sent.error().message));
        return;
    }
    statusBar()->showMessage(tr("Certificate renewal sent to sensor %1").arg(name), 15000);
}

void MainWindow::setSelectedSensorLearning(bool on) {
    if (!context_.service || !sensorsView_) return;
    const QModelIndex current = sensorsView_->currentIndex();
    if (!current.isValid()) {
        QMessageBox::information(this, tr("Learning mode"), tr("Select a sensor first."));
        return;
    }
    const QString id = current.siblingAtColumn(kSensorIdColumn).data().toString();
    const QString name = current.siblingAtColumn(kSensorNameColumn).data().toString();
    auto sent = context_.setSensorLearning(id.toStdString(), on);
    if (!sent) {
        QMessageBox::warning(this, tr("Learning mode"),
                             QString::fromStdString(sent.error().message));
        return;
    }
    statusBar()->showMessage(on ? tr("Learning on sent to sensor %1").arg(name)
                                : tr("Learning off sent to sensor %1").arg(name),
                             15000);
}

QWidget* MainWindow::makeReportButton(const QString& key) {
    auto* button = new QPushButton(tr("Export report…"));
    button->setObjectName(QStringLiteral("report-%1").arg(key));
    button->setToolTip(tr("Write the rows that match the filter as a PDF or CSV report"));
    button->setEnabled(context_.may(core::Action::ExportData));
    connect(button, &QPushButton::clicked, this, [this, key] {
        QLineEdit* filter = filters_.value(key);
        ReportExport::askAndStart(this, context_,
                                  key == QStringLiteral("alerts") ? core::ReportKind::Alerts
                                                                  : core::ReportKind::Devices,
                                  filter ? filter->text() : QString());
    });
    return button;
}

QWidget* MainWindow::makeTablePage(const QString& key, const QString& heading,
                                   QAbstractItemModel* model,
                                   QLabel* headerLabel, bool withDetail, QWidget* actions) {
    auto* page = new QWidget;
    auto* layout = new QVBoxLayout(page);
    auto* title = new QLabel(QStringLiteral("<h2>%1</h2>").arg(heading.toHtmlEscaped()));
    auto* filter = new QLineEdit;
    filter->setObjectName(QStringLiteral("filter-%1").arg(key));
    filter->setPlaceholderText(tr("Filter… (Ctrl+F)"));
    filter->setClearButtonEnabled(true);
    filter->setMinimumWidth(220);
    filters_[key] = filter;
    auto* top = new QHBoxLayout;
    top->addWidget(title);
    if (headerLabel) top->addWidget(headerLabel);
    top->addStretch(1);
    if (actions) top->addWidget(actions);
    top->addWidget(filter);
    layout->addLayout(top);

    auto* view = new QTableView;
    view->setObjectName(QStringLiteral("table-%1").arg(key));
    QAbstractItemModel* shown = model;
    if (auto* paged = qobject_cast<PagedTableModel*>(model)) {
        // The store filters and pages (debounced, off the GUI thread); rows keep its order.
        connect(filter, &QLineEdit::textChanged, paged, &PagedTableModel::setFilter);
        auto* matches = new QLabel;
        matches->setObjectName(QStringLiteral("matches-%1").arg(key));
        auto showMatches = [paged, matches] {
            if (!paged->lastError().isEmpty()) {
                matches->setText(tr("Cannot read: %1").arg(paged->lastError()));
            } else if (paged->total() >= 0) {
                matches->setText(tr("%n match(es)", nullptr, static_cast<int>(paged->total())));
            } else {
                matches->setText(tr("%1+ matches").arg(paged->rowCount()));
            }
        };
        connect(paged, &PagedTableModel::pageLoaded, matches, showMatches);
        connect(paged, &PagedTableModel::moreLoaded, matches, showMatches);
        connect(paged, &PagedTableModel::totalLoaded, matches, showMatches);
        top->insertWidget(headerLabel ? 2 : 1, matches);
    } else {
        // Filtering over every column; sorting by any column.
        auto* proxy = new QSortFilterProxyModel(page);
        proxy->setSourceModel(model);
        proxy->setFilterKeyColumn(-1);
        proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
        proxy->setSortRole(SortKeyRole);
        connect(filter, &QLineEdit::textChanged, proxy,
                &QSortFilterProxyModel::setFilterFixedString);
        shown = proxy;
    }
    view->setModel(shown);
    view->setSortingEnabled(shown != model);
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->setSelectionMode(QAbstractItemView::SingleSelection);
    view->setAlternatingRowColors(true);
    view->horizontalHeader()->setStretchLastSection(true);
    view->verticalHeader()->hide();
    view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    view->setWordWrap(false);
    view->horizontalHeader()->setResizeContentsPrecision(200);  // sample, never scan 100k rows
    if (shown != model) view->sortByColumn(0, Qt::AscendingOrder);
    views_ << view;
    if (model == sensorsModel_) sensorsView_ = view;
    if (model == devicesModel_) inventoryView_ = view;
    if (!withDetail) {
        layout->addWidget(view, 1);
        return page;
    }
    // A detail pane under the table shows the selected row (SPEC §5.1).
    auto* detail = new QTextBrowser;
    detail->setOpenLinks(false);
    detail->setPlaceholderText(tr("Select a row to see its details."));
    auto* split = new QSplitter(Qt::Vertical);
    split->addWidget(view);
    split->addWidget(detail);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    layout->addWidget(split, 1);
    auto showDetail = [view, detail] {
        const QModelIndex current = view->currentIndex();
        detail->setHtml(current.isValid() ? current.data(DetailRole).toString() : QString());
    };
    connect(view->selectionModel(), &QItemSelectionModel::currentRowChanged, detail, showDetail);
    connect(shown, &QAbstractItemModel::modelReset, detail, showDetail);
    return page;
}

QStringList MainWindow::pageNames() const {
    QStringList names;
    for (int i = 0; i < nav_->count(); ++i) names << nav_->item(i)->text();
    return names;
}

void MainWindow::showPage(int index) {
    if (nav_) nav_->setCurrentRow(index);  // none while a restore runs
}

int MainWindow::currentPage() const {
    return nav_ ? nav_->currentRow() : -1;
}

int MainWindow::pageIndex(const QString& key) const {
    return static_cast<int>(keys_.indexOf(key));
}

QLineEdit* MainWindow::filterOf(int page) const {
    return page >= 0 && page < keys_.size() ? filters_.value(keys_[page]) : nullptr;
}

void MainWindow::showFiltered(const QString& key, const QString& filter) {
    const int index = pageIndex(key);
    if (index < 0) return;
    showPage(index);
    if (QLineEdit* edit = filterOf(index)) edit->setText(filter);
    // A click is not typing: query at once instead of after the typing pause.
    if (key == QStringLiteral("alerts")) alertsModel_->setFilterNow(filter);
    if (key == QStringLiteral("inventory")) devicesModel_->setFilterNow(filter);
}

void MainWindow::setDark(bool dark) {
    dark_ = dark;
    QApplication::setPalette(dark ? darkPalette() : QApplication::style()->standardPalette());
    if (dashboard_) dashboard_->setDark(dark);
    if (map_) map_->setDark(dark);
    if (nav_) {  // a style-sheeted widget keeps its old palette until it is polished again
        nav_->setStyleSheet(QString());
        nav_->setStyleSheet(navStyle());
    }
    for (auto* action : menuBar()->findChildren<QAction*>(QStringLiteral("darkPalette"))) {
        const QSignalBlocker block(action);
        action->setChecked(dark);
    }
    for (auto* combo : findChildren<QWidget*>(QStringLiteral("theme"))) {
        const QSignalBlocker block(combo);
        combo->setProperty("currentIndex", dark ? 1 : 0);
    }
}

bool MainWindow::setLanguage(const QString& code) {
    if (!applyLanguage(code)) return false;
    buildUi();
    return true;
}

void MainWindow::addSensor() {
    if (!context_.service) return;
    AddSensorDialog dialog(context_, this);
    if (dialog.exec() != QDialog::Accepted || !dialog.sensor()) return;
    statusBar()->showMessage(
        tr("Sensor %1 added; activation file saved to %2")
            .arg(QString::fromStdString(dialog.sensor()->name), dialog.savedPath()),
        15000);
    refreshAsync();
}

void MainWindow::revokeSelectedSensor() {
    if (!context_.service || !sensorsView_) return;
    const QModelIndex current = sensorsView_->currentIndex();
    if (!current.isValid()) {
        QMessageBox::information(this, tr("Revoke sensor"),
                                 tr("Select the sensor to revoke first."));
        return;
    }
    const QString id = current.siblingAtColumn(kSensorIdColumn).data().toString();
    const QString name = current.siblingAtColumn(kSensorNameColumn).data().toString();
    QMessageBox confirm(QMessageBox::Warning, tr("Revoke sensor"),
                        tr("Revoke sensor %1?").arg(name), QMessageBox::NoButton, this);
    confirm.setInformativeText(
        tr("Its certificate is refused from now on and a live connection is cut "
           "within 2 seconds. This cannot be undone: to bring the sensor back, "
           "add it again and activate it with a new file."));
    QPushButton* revoke = confirm.addButton(tr("Revoke"), QMessageBox::DestructiveRole);
    confirm.addButton(QMessageBox::Cancel);
    confirm.setDefaultButton(QMessageBox::Cancel);
    confirm.exec();
    if (confirm.clickedButton() != revoke) return;
    const Status revoked = context_.revokeSensor(id.toStdString());
    if (!revoked) {
        QMessageBox::warning(this, tr("Revoke sensor"),
                             QString::fromStdString(revoked.error().message));
        return;
    }
    statusBar()->showMessage(tr("Sensor %1 revoked").arg(name), 15000);
    refreshAsync();
}

MainWindow::~MainWindow() {
    pool_->waitForDone();
}

void MainWindow::refreshNow() {
    if (!loader_ || !devicesModel_) return;  // a restore is running
    apply(loader_());
    devicesModel_->loadNow();
    alertsModel_->loadNow();
}

void MainWindow::tick() {
    if (!devicesModel_) return;  // a restore is running
    devicesModel_->poll();
    alertsModel_->poll();
    if (QDateTime::currentMSecsSinceEpoch() < nextTimedLoadMs_) return;
    refreshAsync();
}

void MainWindow::refreshAsync() {
    if (!loader_ || restoring_) return;
    if (loading_) {  // one query in flight at a time; a request meanwhile runs after it
        refreshAgain_ = true;
        return;
    }
    loading_ = true;
    loadStartedMs_ = QDateTime::currentMSecsSinceEpoch();
    QPointer<MainWindow> self(this);
    Loader loader = loader_;
    const quint64 generation = loadGeneration_;
    // Store queries run on the window's pool, never on the GUI thread. The window waits for
    // its pool before it goes away, so `self` is alive while the task runs; the queued call is
    // dropped if the window is deleted before it is delivered.
    pool_->start([self, loader, generation] {
        Snapshot snapshot = loader();
        QMetaObject::invokeMethod(
            self.data(),
            [self, generation, snapshot] {
                if (self) self->loaded(generation, snapshot);
            },
            Qt::QueuedConnection);
    });
}

void MainWindow::loaded(quint64 generation, const Snapshot& snapshot) {
    if (generation != loadGeneration_) return;  // read before a restore replaced the data
    emit snapshotLoaded(snapshot);
    apply(snapshot);
}

void MainWindow::apply(const Snapshot& snapshot) {
    if (loading_) {
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        nextTimedLoadMs_ = now + 3 * (now - loadStartedMs_);
    }
    loading_ = false;
    if (refreshAgain_) {
        refreshAgain_ = false;
        QTimer::singleShot(0, this, &MainWindow::refreshAsync);
    }
    if (snapshot.unchanged) return;
    if (!snapshot.error.isEmpty()) {
        statusLabel_->setText(tr("Cannot read the console store: %1").arg(snapshot.error));
        return;
    }
    last_ = snapshot;
    const bool firstData = sitesModel_->rowCount() + sensorsModel_->rowCount() +
                               devicesModel_->rowCount() + alertsModel_->rowCount() ==
                           0;
    sitesModel_->setRows(snapshot.sites);
    sensorsModel_->setRows(snapshot.sensors);
    if (snapshot.deviceNames) deviceNames_->set(snapshot.deviceNames);
    if (!context_.service) {  // the read-only window pages through the snapshot's rows
        devicesModel_->setFetcher(
            memoryPageFetcher(std::make_shared<const QVector<TableRow>>(snapshot.devices)));
        alertsModel_->setFetcher(
            memoryPageFetcher(std::make_shared<const QVector<TableRow>>(snapshot.alerts)));
    }
    dashboard_->setSnapshot(snapshot);
    map_->setGraph(snapshot.map);  // lays out off the GUI thread when the graph changed
    for (auto* view : views_) {
        if (firstData) view->resizeColumnsToContents();
        // Keep a row selected so the detail pane is never empty when there is something to show.
        if (!view->currentIndex().isValid() && view->model()->rowCount() > 0) {
            view->setCurrentIndex(view->model()->index(0, 0));
        }
    }
    alertCounters_->setText(QStringLiteral("<span style='color:#b00020'>▲ %1 %2</span> &nbsp; "
                                           "<span style='color:#d35400'>■ %3 %4</span> &nbsp; "
                                           "<span style='color:#b7950b'>● %5 %6</span> &nbsp; "
                                           "<span style='color:#2471a3'>○ %7 %8</span>")
                                .arg(tr("Critical"))
                                .arg(snapshot.bySeverity[4])
                                .arg(tr("Major"))
                                .arg(snapshot.bySeverity[3])
                                .arg(tr("Minor"))
                                .arg(snapshot.bySeverity[2])
                                .arg(tr("Warning"))
                                .arg(snapshot.bySeverity[1]));
    nav_->item(pageIndex(QStringLiteral("sensors")))
        ->setText(tr("Sensors (%1)").arg(snapshot.sensorsTotal));
    nav_->item(pageIndex(QStringLiteral("inventory")))
        ->setText(tr("Inventory (%1)").arg(snapshot.deviceCount));
    nav_->item(pageIndex(QStringLiteral("alerts")))
        ->setText(tr("Alerts (%1)").arg(snapshot.openAlerts));
    statusLabel_->setText(tr("%1 of %2 sensors connected · %3 devices · %4 open alerts")
                              .arg(snapshot.sensorsConnected)
                              .arg(snapshot.sensorsTotal)
                              .arg(snapshot.deviceCount)
                              .arg(snapshot.openAlerts));
}

QWidget* MainWindow::makeInventoryActions() {
    auto* box = new QWidget;
    auto* row = new QHBoxLayout(box);
    row->setContentsMargins(0, 0, 0, 0);
    // Admin and Security Analyst (Action::EditDevice); the core checks again and audits.
    const bool mayEdit = context_.may(core::Action::EditDevice);
    struct Button {
        const char* name;
        QString text;
        QString tip;
        void (MainWindow::*act)();
    };
    const Button buttons[] = {
        {"editDevice", tr("Edit device…"),
         tr("Name, type, Purdue level, criticality, authorized, notes and zone of the selected "
            "device"),
         &MainWindow::editSelectedDevice},
        {"mergeDevice", tr("Merge into…"),
         tr("Merge the selected device into another device of its site"),
         &MainWindow::mergeSelectedDevice},
        {"splitDevice", tr("Split observation…"),
         tr("Make one sensor's observation of the selected device a device of its own"),
         &MainWindow::splitSelectedDevice},
    };
    for (const Button& b : buttons) {
        auto* button = new QPushButton(b.text);
        button->setObjectName(QLatin1String(b.name));
        button->setEnabled(mayEdit);
        button->setToolTip(mayEdit ? b.tip : tr("Read-only users cannot edit devices."));
        connect(button, &QPushButton::clicked, this, b.act);
        row->addWidget(button);
    }
    row->addWidget(makeReportButton(QStringLiteral("inventory")));
    return box;
}

void MainWindow::withSelectedDevice(
    const QString& title, bool zones,
    std::function<void(const core::DeviceRow&, const QStringList&)> act) {
    if (!context_.service || !inventoryView_ || restoring_ || deviceAction_) return;
    const QModelIndex current = inventoryView_->currentIndex();
    if (!current.isValid()) {
        QMessageBox::information(this, title, tr("Select a device first."));
        emit deviceActionDone(false, tr("Select a device first."));
        return;
    }
    deviceAction_ = true;
    // The row's key is "sensor id \n device id" of its newest observation.
    const QStringList key = current.data(KeyRole).toString().split(QLatin1Char('\n'));
    const std::string sensor = key.value(0).toStdString();
    const std::string id = key.value(1).toStdString();
    core::ConsoleService* service = context_.service;
    struct Loaded {
        Result<core::DeviceRow> device = makeError("not read");
        QStringList zones;
    };
    QPointer<MainWindow> self(this);
    const quint64 generation = loadGeneration_;
    // On the window's pool (its destructor and a restore wait for it): the service is alive.
    pool_->start([self, service, sensor, id, zones, generation, title, act] {
        Loaded loaded;
        auto group = service->deviceGroupOf(sensor, id);
        loaded.device =
            group ? service->findDevice(*group) : Result<core::DeviceRow>(group.error());
        if (loaded.device && zones) {
            if (auto all = service->listZones()) {
                for (const auto& z : *all) {
                    if (z.site == loaded.device->site)
                        loaded.zones << QString::fromStdString(z.name);
                }
            }
        }
        QMetaObject::invokeMethod(
            self.data(),
            [self, loaded, generation, title, act] {
                if (!self) return;
                self->deviceAction_ = false;
                if (generation != self->loadGeneration_ || !self->context_.service) {
                    emit self->deviceActionDone(false, QString());  // the data was replaced
                    return;
                }
                if (!loaded.device) {
                    const QString message = QString::fromStdString(loaded.device.error().message);
                    QMessageBox::warning(self, title, message);
                    emit self->deviceActionDone(false, message);
                    return;
                }
                self->deviceAction_ = true;  // until the dialog is closed
                act(*loaded.device, loaded.zones);
                if (self) self->deviceAction_ = false;
            },
            Qt::QueuedConnection);
    });
}

void MainWindow::deviceChanged(const QString& message) {
    statusBar()->showMessage(message, 15000);
    devicesModel_->reload();
    refreshAsync();  // counts, map, dashboard
    emit deviceActionDone(true, message);
}

bool MainWindow::acceptedOrCancelled(QDialog& dialog) {
    if (dialog.exec() == QDialog::Accepted) return true;
    emit deviceActionDone(false, QString());  // cancelled: nothing changed
    return false;
}

void MainWindow::editSelectedDevice() {
    withSelectedDevice(tr("Edit device"), /*zones=*/true,
                       [this](const core::DeviceRow& device, const QStringList& zones) {
                           DeviceEditDialog dialog(context_, device, zones, this);
                           if (!acceptedOrCancelled(dialog)) return;
                           deviceChanged(tr("Device %1 (%2) saved")
                                             .arg(device.groupId)
                                             .arg(deviceLabel(device)));
                       });
}

void MainWindow::mergeSelectedDevice() {
    withSelectedDevice(tr("Merge device"), /*zones=*/false,
                       [this](const core::DeviceRow& device, const QStringList&) {
                           DeviceMergeDialog dialog(context_, device, this);
                           if (!acceptedOrCancelled(dialog)) return;
                           deviceChanged(tr("Device %1 (%2) merged into device %3")
                                             .arg(device.groupId)
                                             .arg(deviceLabel(device))
                                             .arg(dialog.target()));
                       });
}

void MainWindow::splitSelectedDevice() {
    withSelectedDevice(
        tr("Split observation"), /*zones=*/false,
        [this](const core::DeviceRow& device, const QStringList&) {
            if (device.observations.size() < 2) {
                const QString message =
                    tr("%1 is seen by one sensor only: there is no observation to split off.")
                        .arg(deviceLabel(device));
                QMessageBox::information(this, tr("Split observation"), message);
                emit deviceActionDone(false, message);
                return;
            }
            DeviceSplitDialog dialog(context_, device, this);
            if (!acceptedOrCancelled(dialog)) return;
            deviceChanged(tr("An observation of device %1 is now device %2")
                              .arg(device.groupId)
                              .arg(dialog.newDevice()));
        });
}

void MainWindow::setServiceOwner(ServiceOwner owner) {
    owner_ = std::move(owner);
    if (settings_) settings_->setRestoreAvailable(static_cast<bool>(owner_.close));
}

void MainWindow::restoreFrom(const QString& file) {
    if (restoring_ || !context_.service || !owner_.close || !owner_.reopen) return;
    // Admin only, like the backup (the button is disabled for the other roles). The core's
    // restore has no session check of its own (it audits whoever it is told), so the session
    // is checked here.
    if (!context_.may(core::Action::BackupData)) return;
    if (context_.session) {
        core::Session check = *context_.session;
        if (Status live = context_.service->refreshSession(check); !live) {
            endRestore(false, tr("Not restored: %1").arg(QString::fromStdString(
                                  live.error().message)));
            return;
        }
    }
    restoring_ = true;
    if (settings_) settings_->restoreButton()->setEnabled(false);
    // Checking only reads the file: Cancel abandons the answer.
    auto* progress = new QProgressDialog(tr("Checking the backup %1…").arg(file), tr("Cancel"),
                                         0, 0, this);
    progress->setObjectName(QStringLiteral("restore-check"));
    progress->setWindowTitle(tr("Restore"));
    progress->setWindowModality(Qt::WindowModal);
    progress->setMinimumDuration(300);
    progress->setAutoClose(false);
    progress->setAutoReset(false);
    RestoreJob* job = RestoreJob::verify(pool_, file);
    QPointer<QProgressDialog> dialog(progress);
    connect(progress, &QProgressDialog::canceled, this, [this, job, dialog] {
        job->disconnect(this);
        if (dialog) dialog->deleteLater();
        endRestore(false, tr("Restore cancelled; nothing was changed."), /*quiet=*/true);
    });
    connect(job, &RestoreJob::finished, this, [this, job, file, dialog](bool ok,
                                                                       const QString& message) {
        if (dialog) {
            dialog->disconnect(this);
            dialog->deleteLater();
        }
        if (!ok) {
            endRestore(false, tr("Not restored: %1").arg(message));
            return;
        }
        confirmRestore(file, job->info());
    });
}

void MainWindow::confirmRestore(const QString& file, const core::BackupInfo& info) {
    QMessageBox confirm(QMessageBox::Warning, tr("Restore"),
                        tr("Replace the console's data with the backup %1?").arg(file),
                        QMessageBox::NoButton, this);
    confirm.setObjectName(QStringLiteral("restore-confirm"));
    confirm.setInformativeText(
        tr("The backup holds %1 devices, %2 alerts and %3 audit records (schema v%4). "
           "Everything the console recorded since it was made is replaced: devices, alerts, "
           "users and the audit log. The current database is kept as console.db.bak. The "
           "console closes its data while it restores; sign in again afterwards.")
            .arg(info.devices)
            .arg(info.alerts)
            .arg(info.auditRecords)
            .arg(info.schemaVersion));
    QPushButton* restore = confirm.addButton(tr("Restore"), QMessageBox::DestructiveRole);
    confirm.addButton(QMessageBox::Cancel);
    confirm.setDefaultButton(QMessageBox::Cancel);
    confirm.exec();
    if (confirm.clickedButton() != restore) {
        endRestore(false, tr("Restore cancelled; nothing was changed."), /*quiet=*/true);
        return;
    }
    runRestore(file);
}

void MainWindow::dropPages() {
    timer_->stop();
    ++loadGeneration_;  // a load in flight is for the old data
    loading_ = false;
    refreshAgain_ = false;
    last_.reset();
    // Synchronously: the models' destructors wait for their queries, which use the service.
    delete takeCentralWidget();
    delete sitesModel_;
    delete sensorsModel_;
    delete devicesModel_;
    delete alertsModel_;
    sitesModel_ = sensorsModel_ = nullptr;
    devicesModel_ = alertsModel_ = nullptr;
    nav_ = nullptr;
    pages_ = nullptr;
    dashboard_ = nullptr;
    map_ = nullptr;
    alertsPage_ = nullptr;
    alertCounters_ = nullptr;
    settings_ = nullptr;
    sensorsView_ = nullptr;
    inventoryView_ = nullptr;
    revokeButton_ = nullptr;
    views_.clear();
    filters_.clear();
    keys_.clear();
    pool_->waitForDone();
    auto* placeholder = new QLabel(tr("Restoring the console database…"));
    placeholder->setAlignment(Qt::AlignCenter);
    setCentralWidget(placeholder);
}

void MainWindow::runRestore(const QString& file) {
    auto* progress = new QProgressDialog(tr("Restoring the console database from %1…").arg(file),
                                         QString(), 0, 0, this);
    progress->setObjectName(QStringLiteral("restore-progress"));
    progress->setWindowTitle(tr("Restore"));
    progress->setWindowModality(Qt::WindowModal);
    progress->setCancelButton(nullptr);  // the core cannot stop a restore halfway
    progress->setMinimumDuration(0);
    progress->setAutoClose(false);
    progress->setAutoReset(false);
    progress->show();
    statusLabel_->setText(tr("Restoring…"));

    const std::filesystem::path dataDir = context_.service->dataDir();
    // Audited as the signed-in admin (taken before the sign-out below); local-admin without a
    // session, as `admin restore`.
    const core::AuditActor by =
        context_.session ? core::AuditActor{context_.session->user, context_.session->source}
                         : core::AuditActor{};
    if (context_.session) context_.service->signOut(*context_.session);
    dropPages();
    loader_ = {};
    context_.service = nullptr;
    context_.session.reset();
    owner_.close();  // the data directory's lock is free now (unless another console holds it)

    QPointer<QProgressDialog> dialog(progress);
    RestoreJob* job = RestoreJob::restore(pool_, dataDir, file, by);
    connect(job, &RestoreJob::finished, this, [this, job, file, dialog](bool ok,
                                                                       const QString& message) {
        if (dialog) dialog->deleteLater();
        const QString outcome =
            ok ? tr("Restored %1: %2 devices, %3 alerts (schema v%4).")
                         .arg(file)
                         .arg(job->info().devices)
                         .arg(job->info().alerts)
                         .arg(job->info().schemaVersion) +
                     (job->previous().isEmpty()
                          ? QString()
                          : QLatin1Char(' ') + tr("The previous database is kept as %1.")
                                                   .arg(job->previous()))
               : tr("Not restored: %1").arg(message);
        // Reopen whatever the directory holds now (the backup, or the old data on failure).
        std::optional<Reopened> reopened = owner_.reopen();
        if (!reopened) {
            restoring_ = false;
            emit restoreFinished(false, outcome);
            close();
            return;
        }
        context_ = reopened->context;
        context_.pool = pool_;
        loader_ = reopened->loader;
        buildUi();
        showPage(pageIndex(QStringLiteral("settings")));
        timer_->start();
        refreshAsync();
        endRestore(ok, outcome);
    });
}

void MainWindow::endRestore(bool ok, const QString& message, bool quiet) {
    restoring_ = false;
    if (settings_) {
        settings_->setRestoreAvailable(static_cast<bool>(owner_.close));
        settings_->setBackupNote(message);
    }
    statusBar()->showMessage(message, 15000);
    emit restoreFinished(ok, message);
    if (quiet) return;
    if (ok)
        QMessageBox::information(this, tr("Restore"), message);
    else
        QMessageBox::warning(this, tr("Restore"), message);
}

}  // namespace ironsight::console::ui
