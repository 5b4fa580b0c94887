// SPDX-License-Identifier: Apache-2.0
// The add-sensor dialog: ConsoleService::addSensor on the session, activation file via QFileDialog.
#include "console/ui/add_sensor_dialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

#include "shared/crypto/crypto.h"

namespace ironsight::console::ui {

namespace {
QString q(const std::string& s) {
    return QString::fromStdString(s);
}
}  // namespace

AddSensorDialog::AddSensorDialog(UiContext context, QWidget* parent)
    : QDialog(parent), context_(std::move(context)) {
    setWindowTitle(tr("Add sensor — Ironsight"));
    auto* intro = new QLabel(
        tr("The sensor is added as pending. Its activation file (valid 7 days, single "
           "use) is what you copy to the sensor and run: ironsight-sensor activate FILE"));
    intro->setWordWrap(true);
    site_ = new QComboBox;
    site_->setObjectName(QStringLiteral("site"));
    zone_ = new QComboBox;
    zone_->setObjectName(QStringLiteral("zone"));
    name_ = new QLineEdit;
    name_->setObjectName(QStringLiteral("name"));
    name_->setPlaceholderText(tr("e.g. line1-sensor"));
    error_ = new QLabel;
    error_->setObjectName(QStringLiteral("errorLabel"));
    error_->setWordWrap(true);
    error_->setStyleSheet(QStringLiteral("color: #b00020;"));
    error_->hide();
    if (auto sites = context_.service->listSites()) {
        for (const auto& s : *sites) site_->addItem(q(s.name));
    }
    connect(site_, &QComboBox::currentIndexChanged, this, &AddSensorDialog::fillZones);
    fillZones();

    auto* form = new QFormLayout;
    form->addRow(tr("Site"), site_);
    form->addRow(tr("Zone"), zone_);
    form->addRow(tr("Sensor name"), name_);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Cancel);
    QPushButton* add =
        buttons->addButton(tr("Add and save activation file…"), QDialogButtonBox::AcceptRole);
    connect(buttons, &QDialogButtonBox::accepted, this, &AddSensorDialog::submit);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addLayout(form);
    layout->addWidget(error_);
    layout->addWidget(buttons);
    add->setDefault(true);  // Return adds (only works once the button is in the dialog)
    setMinimumWidth(440);
    if (site_->count() == 0) {
        error_->setText(tr("There is no site yet: add a site and a zone first."));
        error_->show();
    }
}

QString AddSensorDialog::errorText() const {
    return error_->isHidden() ? QString() : error_->text();
}

void AddSensorDialog::fillZones() {
    zone_->clear();
    auto zones = context_.service->listZones();
    if (!zones) return;
    for (const auto& z : *zones) {
        if (q(z.site) == site_->currentText()) zone_->addItem(q(z.name));
    }
}

void AddSensorDialog::submit() {
    auto fail = [this](const QString& text) {
        error_->setText(text);
        error_->show();
    };
    const QString name = name_->text().trimmed();
    if (site_->currentText().isEmpty() || zone_->currentText().isEmpty()) {
        return fail(tr("Choose a site and a zone."));
    }
    if (name.isEmpty()) return fail(tr("Enter a name for the sensor."));
    auto added = context_.addSensor(site_->currentText().toStdString(),
                                    zone_->currentText().toStdString(), name.toStdString());
    if (!added) return fail(q(added.error().message));

    QFileDialog files(this, tr("Save activation file"),
                      QDir::home().filePath(name + QStringLiteral(".activation")),
                      tr("Activation files (*.activation)"));
    files.setAcceptMode(QFileDialog::AcceptSave);
    files.setDefaultSuffix(QStringLiteral("activation"));
    files.setOption(QFileDialog::DontUseNativeDialog);  // same dialog everywhere (and in tests)
    if (files.exec() != QDialog::Accepted || files.selectedFiles().isEmpty()) {
        (void)context_.revokeSensor(added->sensor.id);
        return fail(
            tr("No file chosen: sensor %1 was withdrawn (revoked). Add it again to get a new file.")
                .arg(name));
    }
    const QString path = files.selectedFiles().front();
    const Status written = crypto::writeFileAtomic(
        path.toStdString(), added->activationText,
        std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    if (!written) {
        (void)context_.revokeSensor(added->sensor.id);
        return fail(tr("%1 (sensor withdrawn)").arg(q(written.error().message)));
    }
    savedPath_ = path;
    sensor_ = added->sensor;
    accept();
}

}  // namespace ironsight::console::ui
