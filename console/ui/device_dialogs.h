// SPDX-License-Identifier: Apache-2.0
// The Inventory page's device actions (docs/CONSOLE.md "Devices"): "Edit device…", "Merge
// into…" and "Split observation…", each through the session (Action::EditDevice: admin and
// analyst; the core checks the role again and audits device.edit / device.merge / device.split).
#pragma once

#include <QDialog>
#include <cstdint>
#include <optional>

#include "console/ui/ui_context.h"

class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPlainTextEdit;

namespace ironsight::console::ui {

/// The label a device goes by in the UI: its operator name, else hostname, IP, MAC or id.
QString deviceLabel(const core::DeviceRow& device);

/// Name, type, Purdue level, criticality, authorized, notes and zone (of the device's site).
/// "As reported" / "Not set" clears an edit. Only changed fields are sent (editDevice); the
/// core's one-line error keeps the dialog open. Accepted once the core took the edit.
class DeviceEditDialog final : public QDialog {
    Q_OBJECT
public:
    DeviceEditDialog(UiContext context, core::DeviceRow device, QStringList siteZones,
                     QWidget* parent = nullptr);
    QString errorText() const;
    /// The fields that changed, as sent (valid after acceptance).
    const core::DeviceEdit& edit() const { return edit_; }

private:
    void submit();

    UiContext context_;
    core::DeviceRow device_;
    QLineEdit* name_ = nullptr;
    QComboBox* type_ = nullptr;
    QComboBox* purdue_ = nullptr;
    QComboBox* criticality_ = nullptr;
    QComboBox* authorized_ = nullptr;
    QPlainTextEdit* notes_ = nullptr;
    QComboBox* zone_ = nullptr;
    QLabel* error_ = nullptr;
    core::DeviceEdit edit_;
};

/// "Merge into…": the selected device (FROM) joins a device of the same site picked from a
/// searchable list (INTO keeps its edits; mergeDevices(into, from)).
class DeviceMergeDialog final : public QDialog {
    Q_OBJECT
public:
    DeviceMergeDialog(UiContext context, core::DeviceRow device, QWidget* parent = nullptr);
    QString errorText() const;
    /// The device merged into (valid after acceptance).
    std::int64_t target() const { return target_; }

private:
    void search(const QString& text);
    void submit();

    UiContext context_;
    core::DeviceRow device_;
    QLineEdit* search_ = nullptr;
    QListWidget* targets_ = nullptr;
    QLabel* error_ = nullptr;
    std::int64_t target_ = 0;
};

/// "Split observation…": one sensor's observation of a device seen by several sensors becomes
/// a device of its own, without edits (splitDevice(sensor, device id)).
class DeviceSplitDialog final : public QDialog {
    Q_OBJECT
public:
    DeviceSplitDialog(UiContext context, core::DeviceRow device, QWidget* parent = nullptr);
    QString errorText() const;
    /// The new device's number (valid after acceptance).
    std::int64_t newDevice() const { return newDevice_; }

private:
    void submit();

    UiContext context_;
    core::DeviceRow device_;
    QListWidget* observations_ = nullptr;
    QLabel* error_ = nullptr;
    std::int64_t newDevice_ = 0;
};

}  // namespace ironsight::console::ui
