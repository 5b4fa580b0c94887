// SPDX-License-Identifier: Apache-2.0
// The Inventory page's device actions (see device_dialogs.h).
#include "console/ui/device_dialogs.h"

#include <QApplication>
#include <QComboBox>
#include <QDateTime>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPointer>
#include <QPushButton>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include "console/ui/device_map_page.h"
#include "console/ui/event_wait.h"

namespace ironsight::console::ui {

namespace {
QString q(const std::string& s) {
    return QString::fromStdString(s);
}

/// The types `admin device edit --type` takes (the core checks them again).
const QStringList& deviceTypes() {
    static const QStringList types = {
        QStringLiteral("plc"),       QStringLiteral("rtu"),
        QStringLiteral("hmi"),       QStringLiteral("engineering_workstation"),
        QStringLiteral("historian"), QStringLiteral("scada_server"),
        QStringLiteral("switch"),    QStringLiteral("router"),
        QStringLiteral("printer"),   QStringLiteral("camera"),
        QStringLiteral("it_host"),   QStringLiteral("external"),
        QStringLiteral("unknown")};
    return types;
}

QString purdueName(int level) {
    switch (level) {
        case 5:
            return DeviceMapPage::tr("Level 5 · Enterprise");
        case 4:
            return DeviceMapPage::tr("Level 4 · Business IT");
        case 3:
            return DeviceMapPage::tr("Level 3 · Operations");
        case 2:
            return DeviceMapPage::tr("Level 2 · Supervisory");
        case 1:
            return DeviceMapPage::tr("Level 1 · Control");
        case 0:
            return DeviceMapPage::tr("Level 0 · Process");
        default:
            return DeviceMapPage::tr("Level unknown");
    }
}

/// Selects the item whose data is `value` (the first one when none is).
void selectData(QComboBox* combo, const QVariant& value) {
    const int index = combo->findData(value);
    combo->setCurrentIndex(index >= 0 ? index : 0);
}

QLabel* errorLabel() {
    auto* error = new QLabel;
    error->setObjectName(QStringLiteral("error"));
    error->setWordWrap(true);
    error->setStyleSheet(QStringLiteral("color: #c0392b"));
    error->hide();
    return error;
}

QString observationText(const core::DeviceObservation& o) {
    return QStringLiteral("%1 / %2 · %3")
        .arg(q(o.sensorName), q(o.deviceId),
             o.lastSeenMs > 0 ? QDateTime::fromMSecsSinceEpoch(o.lastSeenMs)
                                    .toString(QStringLiteral("yyyy-MM-dd HH:mm"))
                              : QStringLiteral("—"));
}
}  // namespace

QString deviceLabel(const core::DeviceRow& d) {
    return !d.name.empty()       ? q(d.name)
           : !d.hostname.empty() ? q(d.hostname)
           : !d.ips.empty()      ? q(d.ips.front())
           : !d.macs.empty()     ? q(d.macs.front())
                                 : q(d.deviceId);
}

DeviceDialog::DeviceDialog(UiContext context, core::DeviceRow device, QWidget* parent)
    : QDialog(parent), context_(std::move(context)), device_(std::move(device)) {
    error_ = errorLabel();
    saving_ = new QLabel(tr("Saving…"));
    saving_->setObjectName(QStringLiteral("saving"));
    saving_->hide();
}

void DeviceDialog::setParts(QWidget* inputs, QWidget* buttons) {
    inputs_ = inputs;
    buttons_ = buttons;
}

QString DeviceDialog::errorText() const {
    return error_->isHidden() ? QString() : error_->text();
}

void DeviceDialog::showError(const std::string& message) {
    // One line, the core's words (they never hold a newline; a long one wraps in the label).
    error_->setText(q(message).section(QLatin1Char('\n'), 0, 0));
    error_->show();
}

void DeviceDialog::setWriting(bool writing) {
    writing_ = writing;
    if (inputs_) inputs_->setEnabled(!writing);
    if (buttons_) buttons_->setEnabled(!writing);
    saving_->setVisible(writing);
    if (writing) error_->hide();
}

void DeviceDialog::reject() {
    if (writing_) return;  // the write's answer decides: it cannot be taken back halfway
    QDialog::reject();
}

template <class R, class Work, class Done>
void DeviceDialog::run(bool write, Work work, Done done) {
    ++running_;
    if (write) setWriting(true);
    QPointer<DeviceDialog> self(this);
    // The pool is the window's (its destructor waits for it), so the service outlives the call.
    (void)QtConcurrent::run(context_.workPool(), [self, write, work, done] {
        const R result = work();
        QMetaObject::invokeMethod(
            qApp,
            [self, write, done, result] {
                if (!self) return;  // the dialog is gone: nobody to tell
                --self->running_;
                if (write) self->setWriting(false);
                done(result);
                emit self->answered();
            },
            Qt::QueuedConnection);
    });
}


bool DeviceDialog::waitIdle(int timeoutMs) {
    return processEventsWhile([this] { return busy(); }, timeoutMs);
}

DeviceEditDialog::DeviceEditDialog(UiContext context, core::DeviceRow device, QStringList siteZones,
                                   QWidget* parent)
    : DeviceDialog(std::move(context), std::move(device), parent) {
    setWindowTitle(tr("Edit device"));
    setObjectName(QStringLiteral("editDeviceDialog"));
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(new QLabel(
        tr("Device %1: %2 · %3").arg(device_.groupId).arg(deviceLabel(device_), q(device_.site))));
    auto* inputs = new QWidget;
    auto* form = new QFormLayout(inputs);
    form->setContentsMargins(0, 0, 0, 0);

    name_ = new QLineEdit(q(device_.name));
    name_->setObjectName(QStringLiteral("name"));
    name_->setPlaceholderText(device_.hostname.empty() ? tr("No name") : q(device_.hostname));
    name_->setMaxLength(128);
    form->addRow(tr("Name"), name_);

    // The first entry of each choice clears the edit, so the sensor's value shows again.
    type_ = new QComboBox;
    type_->setObjectName(QStringLiteral("type"));
    type_->addItem(tr("As reported (%1)")
                       .arg(device_.reportedType.empty() ? tr("none") : q(device_.reportedType)),
                   QString());
    for (const QString& t : deviceTypes()) type_->addItem(t, t);
    selectData(type_, device_.typeEdited ? q(device_.type) : QString());
    form->addRow(tr("Type"), type_);

    purdue_ = new QComboBox;
    purdue_->setObjectName(QStringLiteral("purdue"));
    purdue_->addItem(tr("As reported (%1)").arg(purdueName(device_.reportedPurdueLevel)), -1);
    for (int level = 0; level <= 5; ++level) purdue_->addItem(purdueName(level), level);
    selectData(purdue_, device_.purdueEdited ? device_.purdueLevel : -1);
    form->addRow(tr("Purdue level"), purdue_);

    criticality_ = new QComboBox;
    criticality_->setObjectName(QStringLiteral("criticality"));
    criticality_->addItem(tr("Not set"), QString());
    criticality_->addItem(tr("Low"), QStringLiteral("low"));
    criticality_->addItem(tr("Medium"), QStringLiteral("medium"));
    criticality_->addItem(tr("High"), QStringLiteral("high"));
    criticality_->addItem(tr("Critical"), QStringLiteral("critical"));
    selectData(criticality_, q(device_.criticality));
    form->addRow(tr("Criticality"), criticality_);

    authorized_ = new QComboBox;
    authorized_->setObjectName(QStringLiteral("authorized"));
    authorized_->addItem(tr("Not decided"), QString());
    authorized_->addItem(tr("Authorized"), QStringLiteral("yes"));
    authorized_->addItem(tr("Not authorized"), QStringLiteral("no"));
    selectData(authorized_, device_.authorized ? QString(*device_.authorized ? QStringLiteral("yes")
                                                                             : QStringLiteral("no"))
                                               : QString());
    form->addRow(tr("Authorized"), authorized_);

    zone_ = new QComboBox;
    zone_->setObjectName(QStringLiteral("zone"));
    zone_->addItem(device_.zoneSource == "override"
                       ? tr("From the sensor or a zone rule")
                       : tr("From the sensor or a zone rule (%1)").arg(q(device_.zone)),
                   QString());
    for (const QString& z : siteZones) zone_->addItem(z, z);
    selectData(zone_, device_.zoneSource == "override" ? q(device_.zone) : QString());
    form->addRow(tr("Zone"), zone_);

    notes_ = new QPlainTextEdit(q(device_.notes));
    notes_->setObjectName(QStringLiteral("notes"));
    notes_->setTabChangesFocus(true);
    notes_->setMaximumHeight(90);
    form->addRow(tr("Notes"), notes_);
    layout->addWidget(inputs);

    layout->addWidget(error_);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel);
    connect(buttons, &QDialogButtonBox::accepted, this, &DeviceEditDialog::submit);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* bottom = new QHBoxLayout;
    bottom->addWidget(saving_);
    bottom->addWidget(buttons, 1);
    layout->addLayout(bottom);
    setParts(inputs, buttons);
    resize(480, sizeHint().height());
}

void DeviceEditDialog::submit() {
    // Only what changed: the audit record lists exactly the fields the operator touched.
    core::DeviceEdit edit;
    auto changed = [](auto& field, const auto& before, const auto& now) {
        if (now != before) field = now;
    };
    changed(edit.name, device_.name, name_->text().trimmed().toStdString());
    changed(edit.type, device_.typeEdited ? device_.type : std::string(),
            type_->currentData().toString().toStdString());
    changed(edit.purdueLevel, device_.purdueEdited ? device_.purdueLevel : -1,
            purdue_->currentData().toInt());
    changed(edit.criticality, device_.criticality,
            criticality_->currentData().toString().toStdString());
    changed(edit.authorized,
            device_.authorized ? std::string(*device_.authorized ? "yes" : "no") : std::string(),
            authorized_->currentData().toString().toStdString());
    changed(edit.notes, device_.notes, notes_->toPlainText().toStdString());
    changed(edit.zone, device_.zoneSource == "override" ? device_.zone : std::string(),
            zone_->currentData().toString().toStdString());
    edit_ = edit;
    if (!edit.name && !edit.type && !edit.purdueLevel && !edit.criticality && !edit.authorized &&
        !edit.notes && !edit.zone) {
        accept();  // nothing changed: nothing to write or audit
        return;
    }
    const UiContext context = context_;
    const std::int64_t group = device_.groupId;
    run<Status>(
        true, [context, group, edit] { return context.editDevice(group, edit); },
        [this](const Status& s) {
            if (!s) return showError(s.error().message);
            accept();
        });
}

DeviceMergeDialog::DeviceMergeDialog(UiContext context, core::DeviceRow device, QWidget* parent)
    : DeviceDialog(std::move(context), std::move(device), parent) {
    setWindowTitle(tr("Merge device"));
    setObjectName(QStringLiteral("mergeDeviceDialog"));
    auto* layout = new QVBoxLayout(this);
    auto* help = new QLabel(
        tr("Merge %1 into the device chosen below (same site: %2). Its observations move to "
           "that device, which keeps its own edits; %1 is then gone. Split undoes it.")
            .arg(deviceLabel(device_), q(device_.site)));
    help->setWordWrap(true);
    layout->addWidget(help);
    auto* inputs = new QWidget;
    auto* column = new QVBoxLayout(inputs);
    column->setContentsMargins(0, 0, 0, 0);
    search_ = new QLineEdit;
    search_->setObjectName(QStringLiteral("search"));
    search_->setPlaceholderText(tr("Search devices of %1…").arg(q(device_.site)));
    search_->setClearButtonEnabled(true);
    column->addWidget(search_);
    targets_ = new QListWidget;
    targets_->setObjectName(QStringLiteral("targets"));
    column->addWidget(targets_, 1);
    layout->addWidget(inputs, 1);
    layout->addWidget(error_);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Cancel);
    QPushButton* merge = buttons->addButton(tr("Merge"), QDialogButtonBox::AcceptRole);
    merge->setObjectName(QStringLiteral("merge"));
    merge->setEnabled(false);
    connect(targets_, &QListWidget::currentRowChanged, merge,
            [merge](int row) { merge->setEnabled(row >= 0); });
    connect(buttons, &QDialogButtonBox::accepted, this, &DeviceMergeDialog::submit);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(targets_, &QListWidget::itemDoubleClicked, this, &DeviceMergeDialog::submit);
    connect(search_, &QLineEdit::textChanged, this, &DeviceMergeDialog::search);
    auto* bottom = new QHBoxLayout;
    bottom->addWidget(saving_);
    bottom->addWidget(buttons, 1);
    layout->addLayout(bottom);
    setParts(inputs, buttons);
    resize(520, 420);
    search(QString());
}

void DeviceMergeDialog::search(const QString& text) {
    // One page of the store's search (an indexed query) on the pool; the list keeps the last
    // answer until the new one is back, and only the newest text's answer is shown.
    const quint64 generation = ++searchGeneration_;
    core::ConsoleService* service = context_.service;
    const std::string term = text.trimmed().toStdString();
    using Found = Result<std::vector<core::DeviceRow>>;
    run<Found>(
        false, [service, term] { return service->searchDevices(term, 1000); },
        [this, generation](const Found& found) {
            if (generation != searchGeneration_) return;  // typed on meanwhile
            if (!found) return showError(found.error().message);
            error_->hide();
            showTargets(*found);
        });
}

void DeviceMergeDialog::showTargets(const std::vector<core::DeviceRow>& found) {
    // The site's devices but this one.
    constexpr int kShown = 200;
    targets_->clear();
    for (const auto& d : found) {
        if (d.site != device_.site || d.groupId == device_.groupId) continue;
        if (targets_->count() >= kShown) break;
        auto* item = new QListWidgetItem(
            tr("%1 · %2 · %3 (device %4)")
                .arg(deviceLabel(d), d.type.empty() ? tr("unknown type") : q(d.type), q(d.zone))
                .arg(d.groupId));
        item->setData(Qt::UserRole, QVariant::fromValue<qint64>(d.groupId));
        targets_->addItem(item);
    }
}

void DeviceMergeDialog::submit() {
    QListWidgetItem* item = targets_->currentItem();
    if (!item) return;
    const std::int64_t into = item->data(Qt::UserRole).toLongLong();
    const UiContext context = context_;
    const std::int64_t from = device_.groupId;
    run<Status>(
        true, [context, into, from] { return context.mergeDevices(into, from); },
        [this, into](const Status& s) {
            if (!s) return showError(s.error().message);
            target_ = into;
            accept();
        });
}

DeviceSplitDialog::DeviceSplitDialog(UiContext context, core::DeviceRow device, QWidget* parent)
    : DeviceDialog(std::move(context), std::move(device), parent) {
    setWindowTitle(tr("Split observation"));
    setObjectName(QStringLiteral("splitDeviceDialog"));
    auto* layout = new QVBoxLayout(this);
    auto* help = new QLabel(
        tr("%1 is seen by these sensors. The observation chosen below becomes a device of its "
           "own, without edits; %1 keeps its edits.")
            .arg(deviceLabel(device_)));
    help->setWordWrap(true);
    layout->addWidget(help);
    observations_ = new QListWidget;
    observations_->setObjectName(QStringLiteral("observations"));
    for (const auto& o : device_.observations) {
        auto* item = new QListWidgetItem(observationText(o));
        item->setData(Qt::UserRole, q(o.sensorId));
        item->setData(Qt::UserRole + 1, q(o.deviceId));
        observations_->addItem(item);
    }
    layout->addWidget(observations_, 1);
    layout->addWidget(error_);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Cancel);
    QPushButton* split = buttons->addButton(tr("Split"), QDialogButtonBox::AcceptRole);
    split->setObjectName(QStringLiteral("split"));
    split->setEnabled(false);
    connect(observations_, &QListWidget::currentRowChanged, split,
            [split](int row) { split->setEnabled(row >= 0); });
    connect(buttons, &QDialogButtonBox::accepted, this, &DeviceSplitDialog::submit);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* bottom = new QHBoxLayout;
    bottom->addWidget(saving_);
    bottom->addWidget(buttons, 1);
    layout->addLayout(bottom);
    setParts(observations_, buttons);
    resize(480, 320);
}

void DeviceSplitDialog::submit() {
    QListWidgetItem* item = observations_->currentItem();
    if (!item) return;
    const UiContext context = context_;
    const std::string sensor = item->data(Qt::UserRole).toString().toStdString();
    const std::string id = item->data(Qt::UserRole + 1).toString().toStdString();
    using Split = Result<std::int64_t>;
    run<Split>(
        true, [context, sensor, id] { return context.splitDevice(sensor, id); },
        [this](const Split& split) {
            if (!split) return showError(split.error().message);
            newDevice_ = *split;
            accept();
        });
}

}  // namespace ironsight::console::ui
