// SPDX-License-Identifier: Apache-2.0
// The Alerts page (SPEC §5.1): table paged through the core, detail pane, workflow.
#include "console/ui/alerts_page.h"

#include <QDateTime>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMessageBox>
#include <QPointer>
#include <QPushButton>
#include <QSet>
#include <QSplitter>
#include <QTableView>
#include <QTextBrowser>
#include <QVBoxLayout>

#include "console/ui/evidence_export.h"
#include "console/ui/paged_model.h"

namespace ironsight::console::ui {

core::AlertKey alertKeyOf(const QString& rowKey) {
    const qsizetype cut = rowKey.indexOf(QLatin1Char('\n'));
    if (cut <= 0) return {};
    return {rowKey.left(cut).toStdString(), rowKey.mid(cut + 1).toStdString()};
}

AlertsPage::AlertsPage(UiContext context, PagedTableModel* model, QWidget* extraAction,
                       QWidget* parent)
    : QWidget(parent), context_(std::move(context)), model_(model) {
    auto* layout = new QVBoxLayout(this);
    auto* title = new QLabel(QStringLiteral("<h2>%1</h2>").arg(tr("Alerts").toHtmlEscaped()));
    counters_ = new QLabel;
    counters_->setTextFormat(Qt::RichText);
    filter_ = new QLineEdit;
    filter_->setObjectName(QStringLiteral("filter-alerts"));
    filter_->setPlaceholderText(tr("Filter… (Ctrl+F)"));
    filter_->setClearButtonEnabled(true);
    filter_->setMinimumWidth(220);
    auto* top = new QHBoxLayout;
    top->addWidget(title);
    top->addWidget(counters_);
    top->addStretch(1);
    if (extraAction) top->addWidget(extraAction);
    top->addWidget(filter_);
    layout->addLayout(top);

    // The store filters and pages (newest first); typing is debounced, queried off the GUI
    // thread, and pages load as the table scrolls (canFetchMore / fetchMore).
    // (A drill-down from the dashboard also calls setFilterNow: no pause to wait for.)
    connect(filter_, &QLineEdit::textChanged, model_, &PagedTableModel::setFilter);

    view_ = new QTableView;
    view_->setObjectName(QStringLiteral("table-alerts"));
    view_->setModel(model_);
    view_->setSortingEnabled(false);  // the store's order: newest first
    view_->setSelectionBehavior(QAbstractItemView::SelectRows);
    view_->setSelectionMode(QAbstractItemView::ExtendedSelection);  // bulk actions
    view_->setAlternatingRowColors(true);
    view_->horizontalHeader()->setStretchLastSection(true);
    view_->horizontalHeader()->setResizeContentsPrecision(200);
    view_->verticalHeader()->hide();
    view_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    view_->setWordWrap(false);
    matches_ = new QLabel;
    matches_->setObjectName(QStringLiteral("alertMatches"));
    auto showMatches = [this] {
        const std::int64_t total = model_->total();
        if (!model_->lastError().isEmpty()) {
            matches_->setText(tr("Cannot read alerts: %1").arg(model_->lastError()));
        } else if (total >= 0) {
            matches_->setText(tr("%n alert(s) match", nullptr, static_cast<int>(total)));
        } else if (model_->rowCount() > 0) {
            // The page is shown; the store is still counting (or could not).
            matches_->setText(model_->counting()
                                  ? tr("%1+ alerts match (counting…)").arg(model_->rowCount())
                                  : tr("%1+ alerts match").arg(model_->rowCount()));
        } else {
            matches_->setText(QString());
        }
    };
    connect(model_, &PagedTableModel::pageLoaded, this, showMatches);
    connect(model_, &PagedTableModel::moreLoaded, this, showMatches);
    connect(model_, &PagedTableModel::totalLoaded, this, showMatches);
    top->insertWidget(2, matches_);

    detail_ = new QTextBrowser;
    detail_->setObjectName(QStringLiteral("alertDetail"));
    detail_->setOpenLinks(false);
    detail_->setPlaceholderText(tr("Select a row to see its details."));

    auto* lower = new QWidget;
    auto* lowerLayout = new QVBoxLayout(lower);
    lowerLayout->setContentsMargins(0, 0, 0, 0);
    lowerLayout->addWidget(detail_, 1);
    auto* actions = new QHBoxLayout;
    selection_ = new QLabel;
    selection_->setObjectName(QStringLiteral("alertSelection"));
    acknowledge_ = new QPushButton(tr("Acknowledge"));
    acknowledge_->setObjectName(QStringLiteral("alertAcknowledge"));
    close_ = new QPushButton(tr("Close"));
    close_->setObjectName(QStringLiteral("alertClose"));
    reopen_ = new QPushButton(tr("Reopen"));
    reopen_->setObjectName(QStringLiteral("alertReopen"));
    learn_ = new QPushButton(tr("Learn"));
    learn_->setObjectName(QStringLiteral("alertLearn"));
    mute_ = new QPushButton(tr("Mute"));
    mute_->setObjectName(QStringLiteral("alertMute"));
    assign_ = new QPushButton(tr("Assign…"));
    assign_->setObjectName(QStringLiteral("alertAssign"));
    evidence_ = new QPushButton(tr("Export evidence…"));
    evidence_->setObjectName(QStringLiteral("alertEvidence"));
    commentText_ = new QLineEdit;
    commentText_->setObjectName(QStringLiteral("alertCommentText"));
    commentText_->setPlaceholderText(tr("Comment on the selected alert…"));
    comment_ = new QPushButton(tr("Add comment"));
    comment_->setObjectName(QStringLiteral("alertComment"));
    actions->addWidget(selection_);
    actions->addStretch(1);
    actions->addWidget(acknowledge_);
    actions->addWidget(close_);
    actions->addWidget(reopen_);
    actions->addWidget(assign_);
    actions->addWidget(learn_);
    actions->addWidget(mute_);
    actions->addWidget(evidence_);
    lowerLayout->addLayout(actions);
    auto* commentRow = new QHBoxLayout;  // its own row: the action row is full
    commentRow->addWidget(commentText_, 1);
    commentRow->addWidget(comment_);
    lowerLayout->addLayout(commentRow);
    if (!context_.service) {  // a read-only window over a loader: nothing to act through
        for (QWidget* w :
             std::initializer_list<QWidget*>{acknowledge_, close_, reopen_, learn_, mute_,
                                             commentText_, comment_, assign_, evidence_})
            w->hide();
    }

    auto* split = new QSplitter(Qt::Vertical);
    split->addWidget(view_);
    split->addWidget(lower);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    layout->addWidget(split, 1);

    connect(view_->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &AlertsPage::showCurrent);
    connect(view_->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &AlertsPage::updateButtons);
    // A refresh resets the model: keep the selected alerts selected.
    auto remembered = std::make_shared<QPair<QSet<QString>, QString>>();
    connect(model_, &QAbstractItemModel::modelAboutToBeReset, this, [this, remembered] {
        remembered->first.clear();
        for (const auto& row : view_->selectionModel()->selectedRows())
            remembered->first.insert(row.data(KeyRole).toString());
        remembered->second = view_->currentIndex().data(KeyRole).toString();
    });
    connect(model_, &QAbstractItemModel::modelReset, this, [this, remembered] {
        QItemSelection keep;
        QModelIndex current;
        for (int r = 0; r < model_->rowCount(); ++r) {
            const QModelIndex index = model_->index(r, 0);
            const QString key = index.data(KeyRole).toString();
            if (remembered->first.contains(key)) keep.select(index, index);
            if (key == remembered->second) current = index;
        }
        if (current.isValid())
            view_->selectionModel()->setCurrentIndex(current, QItemSelectionModel::NoUpdate);
        view_->selectionModel()->select(
            keep, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        showCurrent();
        updateButtons();
    });

    connect(acknowledge_, &QPushButton::clicked, this,
            [this] { act(core::AlertStatus::Acknowledged); });
    connect(close_, &QPushButton::clicked, this, [this] { act(core::AlertStatus::Closed); });
    connect(reopen_, &QPushButton::clicked, this, [this] { act(core::AlertStatus::New); });
    for (QPushButton* button : {learn_, mute_}) {
        const bool learn = button == learn_;
        connect(button, &QPushButton::clicked, this, [this, learn] {
            QString error;
            if (!commandCurrent(learn, &error)) QMessageBox::warning(this, tr("Alerts"), error);
        });
    }
    auto addComment = [this] {
        QString error;
        if (!commentOnCurrent(commentText_->text(), &error)) {
            QMessageBox::warning(this, tr("Comment"), error);
            return;
        }
        commentText_->clear();
    };
    connect(assign_, &QPushButton::clicked, this, &AlertsPage::askAssign);
    connect(evidence_, &QPushButton::clicked, this, &AlertsPage::askEvidence);
    if (context_.service) {
        view_->setContextMenuPolicy(Qt::CustomContextMenu);
        connect(view_, &QWidget::customContextMenuRequested, this, [this](const QPoint& at) {
            contextMenu()->popup(view_->viewport()->mapToGlobal(at));
        });
    }
    connect(comment_, &QPushButton::clicked, this, addComment);
    connect(commentText_, &QLineEdit::returnPressed, this, addComment);
    connect(commentText_, &QLineEdit::textChanged, this, &AlertsPage::updateButtons);
    updateButtons();
}

std::vector<core::AlertKey> AlertsPage::selectedAlerts() const {
    std::vector<core::AlertKey> keys;
    for (const auto& row : view_->selectionModel()->selectedRows()) {
        core::AlertKey key = alertKeyOf(row.data(KeyRole).toString());
        if (!key.alertId.empty()) keys.push_back(std::move(key));
    }
    std::sort(keys.begin(), keys.end());
    return keys;
}

void AlertsPage::updateButtons() {
    const int selected = static_cast<int>(selectedAlerts().size());
    selection_->setText(selected > 1 ? tr("%1 alerts selected").arg(selected) : QString());
    const bool triage = context_.may(core::Action::TriageAlert);
    const bool comment = context_.may(core::Action::CommentAlert);
    for (QPushButton* button : {acknowledge_, close_, reopen_}) {
        button->setEnabled(triage && selected > 0);
        button->setToolTip(
            triage
                ? (selected > 1 ? tr("Applies to all %1 selected alerts").arg(selected) : QString())
                : tr("Read-only users cannot change the status of alerts."));
    }
    const bool oneAlert = view_->currentIndex().isValid();
    const bool command = context_.may(core::Action::CommandSensor);
    for (QPushButton* button : {learn_, mute_}) {
        button->setEnabled(command && oneAlert);
        button->setToolTip(command ? (button == learn_
                                          ? tr("Learn on the sensor that raised it: the pattern "
                                               "joins its baseline; closed once it confirms")
                                          : tr("Mute this alert type for these devices on the "
                                               "sensor that raised it"))
                                   : tr("Read-only users cannot send commands to sensors."));
    }
    assign_->setEnabled(triage && selected > 0);
    assign_->setToolTip(
        triage ? (selected > 1 ? tr("Applies to all %1 selected alerts").arg(selected) : QString())
               : tr("Read-only users cannot assign alerts."));
    evidence_->setEnabled(command && oneAlert);
    evidence_->setToolTip(command ? tr("Ask the sensor that raised it for the packets it kept "
                                       "around the alert and save them as a pcap file")
                                  : tr("Read-only users cannot send commands to sensors."));
    commentText_->setEnabled(comment);
    comment_->setEnabled(comment && oneAlert && !commentText_->text().trimmed().isEmpty());
    comment_->setToolTip(comment ? QString() : tr("Read-only users cannot comment on alerts."));
    if (!comment) commentText_->setToolTip(comment_->toolTip());
}

void AlertsPage::showCurrent() {
    const QModelIndex current = view_->currentIndex();
    if (!current.isValid()) {
        detail_->clear();
        return;
    }
    QString html = current.data(DetailRole).toString();
    const core::AlertKey key = alertKeyOf(current.data(KeyRole).toString());
    if (context_.service && !key.alertId.empty()) {
        auto comments = context_.alertComments(key);  // one indexed query for one alert
        if (!comments) {
            html += QStringLiteral("<p><i>%1</i></p>")
                        .arg(tr("Comments unavailable: %1")
                                 .arg(QString::fromStdString(comments.error().message))
                                 .toHtmlEscaped());
        } else if (!comments->empty()) {
            html += QStringLiteral("<p><b>%1</b></p><ul>").arg(tr("Comments"));
            for (const auto& c : *comments) {
                html += QStringLiteral("<li><b>%1</b> · %2<br>%3</li>")
                            .arg(QString::fromStdString(c.author).toHtmlEscaped(),
                                 QDateTime::fromMSecsSinceEpoch(c.timeMs).toString(
                                     QStringLiteral("yyyy-MM-dd HH:mm")),
                                 QString::fromStdString(c.text).toHtmlEscaped());
            }
            html += QStringLiteral("</ul>");
        }
    }
    detail_->setHtml(html);
}

bool AlertsPage::setSelectedStatus(core::AlertStatus status, QString* error) {
    if (!context_.service) {
        *error = tr("this window is read-only");
        return false;
    }
    const auto keys = selectedAlerts();
    if (keys.empty()) {
        *error = tr("select one or more alerts first");
        return false;
    }
    const Status done = context_.setAlertStatus(keys, status);
    if (!done) {
        *error = QString::fromStdString(done.error().message);
        return false;
    }
    const QString what = status == core::AlertStatus::Acknowledged ? tr("acknowledged")
                         : status == core::AlertStatus::Closed     ? tr("closed")
                                                                   : tr("reopened");
    selection_->setText(tr("%n alert(s) %1", nullptr, static_cast<int>(keys.size())).arg(what));
    emit changed();
    return true;
}

bool AlertsPage::commentOnCurrent(const QString& text, QString* error) {
    const core::AlertKey key = alertKeyOf(view_->currentIndex().data(KeyRole).toString());
    if (!context_.service || key.alertId.empty()) {
        *error = tr("select an alert first");
        return false;
    }
    if (text.trimmed().isEmpty()) {
        *error = tr("the comment is empty");
        return false;
    }
    const Status done = context_.addAlertComment(key, text.trimmed().toStdString());
    if (!done) {
        *error = QString::fromStdString(done.error().message);
        return false;
    }
    showCurrent();
    emit changed();
    return true;
}

bool AlertsPage::commandCurrent(bool learn, QString* error) {
    const core::AlertKey key = alertKeyOf(view_->currentIndex().data(KeyRole).toString());
    if (!context_.service || key.alertId.empty()) {
        *error = tr("select an alert first");
        return false;
    }
    auto sent = learn ? context_.learnAlert(key) : context_.muteAlert(key, true);
    if (!sent) {
        *error = QString::fromStdString(sent.error().message);
        return false;
    }
    const QString sensor = QString::fromStdString(sent->sensorName);
    selection_->setText(learn ? tr("Learn sent to sensor %1").arg(sensor)
                              : tr("Mute sent to sensor %1").arg(sensor));
    emit changed();
    return true;
}

void AlertsPage::act(core::AlertStatus status) {
    QString error;
    if (!setSelectedStatus(status, &error)) QMessageBox::warning(this, tr("Alerts"), error);
}

QMenu* AlertsPage::contextMenu() {
    if (!menu_) menu_ = new QMenu(this);
    menu_->clear();
    for (QPushButton* button : {acknowledge_, close_, reopen_, assign_, learn_, mute_, evidence_}) {
        QAction* action = menu_->addAction(button->text(), button, &QPushButton::click);
        action->setEnabled(button->isEnabled());
        action->setToolTip(button->toolTip());
    }
    return menu_;
}

EvidenceExport* AlertsPage::exportEvidenceTo(const QString& path, QString* error, int waitMs) {
    const core::AlertKey key = alertKeyOf(view_->currentIndex().data(KeyRole).toString());
    if (!context_.service || key.alertId.empty()) {
        *error = tr("select an alert first");
        return nullptr;
    }
    auto* job = EvidenceExport::start(this, context_, key, path, waitMs);
    // A rebuilt or closed page stops the wait (the request stays queued in the core).
    connect(this, &QObject::destroyed, job, &EvidenceExport::cancel);
    connect(job, &EvidenceExport::finished, this,
            [this](EvidenceExport::Outcome outcome, const QString& message) {
                if (outcome != EvidenceExport::Outcome::Cancelled) selection_->setText(message);
                emit changed();  // the command list changed
            });
    return job;
}

void AlertsPage::askEvidence() {
    const core::AlertKey key = alertKeyOf(view_->currentIndex().data(KeyRole).toString());
    if (key.alertId.empty()) return;
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export evidence"), QString::fromStdString(key.alertId) + QStringLiteral(".pcap"),
        tr("Packet capture (*.pcap)"));
    if (path.isEmpty()) return;
    QString error;
    EvidenceExport* job = exportEvidenceTo(path, &error);
    if (!job) {
        QMessageBox::warning(this, tr("Export evidence"), error);
        return;
    }
    QPointer<AlertsPage> self(this);
    connect(job, &EvidenceExport::finished, this,
            [self](EvidenceExport::Outcome outcome, const QString& message) {
                if (!self) return;
                if (outcome == EvidenceExport::Outcome::Written)
                    QMessageBox::information(self, tr("Export evidence"), message);
                else if (outcome != EvidenceExport::Outcome::Cancelled)
                    QMessageBox::warning(self, tr("Export evidence"), message);
            });
}

QStringList AlertsPage::assignCandidates() const {
    QStringList names;
    if (!context_.service) return names;
    if (context_.may(core::Action::ListUsers)) {
        if (auto users = context_.listUsers()) {
            for (const auto& u : *users) {
                if (!u.disabled && u.role != core::Role::Viewer)
                    names << QString::fromStdString(u.name);
            }
        }
    } else {
        // Analysts may not list users: offer themselves and whoever already holds alerts.
        names << QString::fromStdString(context_.userName());
        for (int r = 0; r < model_->rowCount(); ++r) {
            const QString who = model_->index(r, kAlertAssigneeColumn).data().toString();
            if (!who.isEmpty()) names << who;
        }
    }
    names.removeDuplicates();
    names.sort();
    return names;
}

bool AlertsPage::assignSelected(const QString& user, QString* error) {
    if (!context_.service) {
        *error = tr("this window is read-only");
        return false;
    }
    const auto keys = selectedAlerts();
    if (keys.empty()) {
        *error = tr("select one or more alerts first");
        return false;
    }
    for (const auto& key : keys) {
        const Status done = context_.assignAlert(key, user.trimmed().toStdString());
        if (!done) {
            *error = QString::fromStdString(done.error().message);
            emit changed();  // earlier ones may have been assigned
            return false;
        }
    }
    const int n = static_cast<int>(keys.size());
    selection_->setText(user.trimmed().isEmpty()
                            ? tr("%n alert(s) unassigned", nullptr, n)
                            : tr("%n alert(s) assigned to %1", nullptr, n).arg(user.trimmed()));
    emit changed();
    return true;
}

void AlertsPage::askAssign() {
    const QString nobody = tr("(nobody: unassign)");
    QStringList items = assignCandidates();
    items.prepend(nobody);
    bool ok = false;
    const int n = static_cast<int>(selectedAlerts().size());
    const QString chosen = QInputDialog::getItem(
        this, tr("Assign"), tr("Assign %n alert(s) to (an admin or analyst):", nullptr, n), items,
        items.size() > 1 ? 1 : 0, /*editable=*/true, &ok);
    if (!ok) return;
    QString error;
    if (!assignSelected(chosen == nobody ? QString() : chosen, &error))
        QMessageBox::warning(this, tr("Assign"), error);
}

}  // namespace ironsight::console::ui
