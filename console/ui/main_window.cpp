// SPDX-License-Identifier: Apache-2.0
// The console's main window (SPEC §5.1): pages Sites & Zones, Sensors, Inventory, Alerts.
#include "console/ui/main_window.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QPointer>
#include <QSortFilterProxyModel>
#include <QLineEdit>
#include <QSplitter>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTableView>
#include <QTextBrowser>
#include <QThreadPool>
#include <QTimer>
#include <QVBoxLayout>

#include "console/ui/table_model.h"

namespace ironsight::console::ui {

MainWindow::MainWindow(Loader loader, QString title, QWidget* parent)
    : QMainWindow(parent), loader_(std::move(loader)) {
    qRegisterMetaType<ironsight::console::ui::Snapshot>();
    setWindowTitle(title);
    resize(1280, 800);

    sitesModel_ = new TableModel({tr("Site / Zone"), tr("Sensors"), tr("Devices"), tr("Open alerts")}, this);
    sensorsModel_ = new TableModel(
        {tr("Sensor"), tr("Site"), tr("Zone"), tr("Status"), tr("Last seen"), tr("Sensor id")}, this);
    devicesModel_ = new TableModel({tr("Device"), tr("IP addresses"), tr("MAC"), tr("Vendor"),
                                    tr("Type"), tr("Purdue"), tr("Protocols"), tr("Site"),
                                    tr("Zone"), tr("Sensor"), tr("Last seen")},
                                   this);
    alertsModel_ = new TableModel({tr("Severity"), tr("Status"), tr("Title"), tr("Source"),
                                   tr("Destination"), tr("Protocol"), tr("Count"), tr("Sensor"),
                                   tr("Last seen")},
                                  this);

    nav_ = new QListWidget;
    nav_->setFixedWidth(170);
    pages_ = new QStackedWidget;
    alertCounters_ = new QLabel;
    alertCounters_->setTextFormat(Qt::RichText);

    const struct {
        QString name;
        QWidget* page;
    } pages[] = {
        {tr("Sites & Zones"), makeTablePage(tr("Sites & Zones"), sitesModel_)},
        {tr("Sensors"), makeTablePage(tr("Sensors"), sensorsModel_)},
        {tr("Inventory"), makeTablePage(tr("Device inventory"), devicesModel_, nullptr, true)},
        {tr("Alerts"), makeTablePage(tr("Alerts"), alertsModel_, alertCounters_, true)},
    };
    for (const auto& p : pages) {
        nav_->addItem(p.name);
        pages_->addWidget(p.page);
    }
    connect(nav_, &QListWidget::currentRowChanged, pages_, &QStackedWidget::setCurrentIndex);
    nav_->setCurrentRow(0);

    nav_->setStyleSheet(QStringLiteral("QListWidget { font-size: 11pt; border: none; }"
                                       "QListWidget::item { padding: 8px 6px; }"));
    auto* brand = new QLabel(QStringLiteral("<b style='font-size:14pt'>Ironsight</b>"));
    brand->setContentsMargins(6, 4, 6, 8);
    auto* navColumn = new QVBoxLayout;
    navColumn->addWidget(brand);
    navColumn->addWidget(nav_, 1);

    auto* central = new QWidget;
    auto* layout = new QHBoxLayout(central);
    layout->addLayout(navColumn);
    layout->addWidget(pages_, 1);
    setCentralWidget(central);

    statusLabel_ = new QLabel(tr("Loading…"));
    statusBar()->addWidget(statusLabel_, 1);

    connect(this, &MainWindow::snapshotLoaded, this, &MainWindow::apply, Qt::QueuedConnection);
    timer_ = new QTimer(this);
    timer_->setInterval(2000);
    connect(timer_, &QTimer::timeout, this, &MainWindow::refreshAsync);
    timer_->start();
    QTimer::singleShot(0, this, &MainWindow::refreshAsync);
}

QWidget* MainWindow::makeTablePage(const QString& heading, TableModel* model, QLabel* headerLabel,
                                   bool withDetail) {
    auto* page = new QWidget;
    auto* layout = new QVBoxLayout(page);
    auto* title = new QLabel(QStringLiteral("<h2>%1</h2>").arg(heading.toHtmlEscaped()));
    auto* filter = new QLineEdit;
    filter->setPlaceholderText(tr("Filter…"));
    filter->setClearButtonEnabled(true);
    auto* top = new QHBoxLayout;
    top->addWidget(title);
    if (headerLabel) top->addWidget(headerLabel);
    top->addStretch(1);
    top->addWidget(filter);
    layout->addLayout(top);

    // Filtering over every column; sorting by any column.
    auto* proxy = new QSortFilterProxyModel(page);
    proxy->setSourceModel(model);
    proxy->setFilterKeyColumn(-1);
    proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    proxy->setSortRole(SortKeyRole);
    connect(filter, &QLineEdit::textChanged, proxy, &QSortFilterProxyModel::setFilterFixedString);

    auto* view = new QTableView;
    view->setModel(proxy);
    view->setSortingEnabled(true);
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->setAlternatingRowColors(true);
    view->horizontalHeader()->setStretchLastSection(true);
    view->verticalHeader()->hide();
    view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    view->setWordWrap(false);
    view->horizontalHeader()->setResizeContentsPrecision(200);  // sample, never scan 100k rows
    // Alerts: most severe first; everything else alphabetical.
    view->sortByColumn(0, model == alertsModel_ ? Qt::DescendingOrder : Qt::AscendingOrder);
    views_ << view;
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
    connect(proxy, &QAbstractItemModel::modelReset, detail, showDetail);
    return page;
}

QStringList MainWindow::pageNames() const {
    QStringList names;
    for (int i = 0; i < nav_->count(); ++i) names << nav_->item(i)->text();
    return names;
}

void MainWindow::showPage(int index) { nav_->setCurrentRow(index); }

void MainWindow::refreshNow() { apply(loader_()); }

void MainWindow::refreshAsync() {
    if (loading_) return;  // one query in flight at a time
    loading_ = true;
    QPointer<MainWindow> self(this);
    Loader loader = loader_;
    // Store queries run on the thread pool, never on the GUI thread.
    QThreadPool::globalInstance()->start([self, loader] {
        Snapshot snapshot = loader();
        if (self) emit self->snapshotLoaded(snapshot);
    });
}

void MainWindow::apply(const Snapshot& snapshot) {
    loading_ = false;
    if (snapshot.unchanged) return;
    if (!snapshot.error.isEmpty()) {
        statusLabel_->setText(tr("Cannot read the console store: %1").arg(snapshot.error));
        return;
    }
    const bool firstData = sitesModel_->rowCount() + sensorsModel_->rowCount() +
                               devicesModel_->rowCount() + alertsModel_->rowCount() == 0;
    sitesModel_->setRows(snapshot.sites);
    sensorsModel_->setRows(snapshot.sensors);
    devicesModel_->setRows(snapshot.devices);
    alertsModel_->setRows(snapshot.alerts);
    for (auto* view : views_) {
        if (firstData) view->resizeColumnsToContents();
        // Keep a row selected so the detail pane is never empty when there is something to show.
        if (!view->currentIndex().isValid() && view->model()->rowCount() > 0) {
            view->setCurrentIndex(view->model()->index(0, 0));
        }
    }
    alertCounters_->setText(
        tr("<span style='color:#b00020'>▲ Critical %1</span> &nbsp; "
           "<span style='color:#d35400'>■ Major %2</span> &nbsp; "
           "<span style='color:#b7950b'>● Minor %3</span> &nbsp; "
           "<span style='color:#2471a3'>○ Warning %4</span>")
            .arg(snapshot.bySeverity[4])
            .arg(snapshot.bySeverity[3])
            .arg(snapshot.bySeverity[2])
            .arg(snapshot.bySeverity[1]));
    nav_->item(1)->setText(tr("Sensors (%1)").arg(snapshot.sensorsTotal));
    nav_->item(2)->setText(tr("Inventory (%1)").arg(snapshot.deviceCount));
    nav_->item(3)->setText(tr("Alerts (%1)").arg(snapshot.openAlerts));
    statusLabel_->setText(tr("%1 of %2 sensors active · %3 devices · %4 open alerts")
                              .arg(snapshot.sensorsActive)
                              .arg(snapshot.sensorsTotal)
                              .arg(snapshot.deviceCount)
                              .arg(snapshot.openAlerts));
}

}  // namespace ironsight::console::ui
