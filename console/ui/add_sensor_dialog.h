// SPDX-License-Identifier: Apache-2.0
// "Add sensor…": site, zone and name, then the activation file is saved where the operator says.
#pragma once

#include <QDialog>
#include <optional>

#include "console/ui/ui_context.h"

class QComboBox;
class QLabel;
class QLineEdit;

namespace ironsight::console::ui {

/// Adds a pending sensor through the session (the core checks the role), then asks for the file
/// to save its activation to (QFileDialog, "<name>.activation", mode 0600). When the file cannot
/// be written the sensor is revoked again, as `admin sensor add` does. Accepted once saved.
class AddSensorDialog final : public QDialog {
    Q_OBJECT
public:
    explicit AddSensorDialog(UiContext context, QWidget* parent = nullptr);

    QString errorText() const;
    /// Where the activation file was saved (after acceptance).
    QString savedPath() const { return savedPath_; }
    /// The sensor that was added (after acceptance).
    const std::optional<core::SensorRow>& sensor() const { return sensor_; }

private:
    void fillZones();
    void submit();

    UiContext context_;
    QComboBox* site_ = nullptr;
    QComboBox* zone_ = nullptr;
    QLineEdit* name_ = nullptr;
    QLabel* error_ = nullptr;
    QString savedPath_;
    std::optional<core::SensorRow> sensor_;
};

}  // namespace ironsight::console::ui
