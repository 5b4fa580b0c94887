// SPDX-License-Identifier: Apache-2.0
// The Inventory page's device actions (docs/CONSOLE.md "Devices"): "Edit device…", "Merge
// into…" and "Split observation…", each through the session (Action::EditDevice: admin and
// analyst; the core checks the role again and audits device.edit / device.merge / device.split).
#pragma once

#include <QDialog>
#include <cstdint>
#include <functional>
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

/// What the three dialogs share: every core call (the write, the merge dialog's search) runs on
/// the context's pool, never on the GUI thread. While a write runs the dialog stays responsive
/// but its inputs and buttons are disabled, it says "Saving…" and Cancel/Escape/close wait for
/// the answer (the write cannot be taken back halfway). A refusal shows the core's one-line
/// error in the dialog, which stays open; success accepts it.
class DeviceDialog : public QDialog {
    Q_OBJECT
public:
    /// The core's last error ("" when none).
    QString errorText() const;
    /// True while a core call of this dialog runs (a write or a search).
    bool busy() const { return running_ > 0; }
    /// True while a write runs (the dialog does not close meanwhile).
    bool writing() const { return writing_; }
    /// Processes events until no core call of this dialog runs (for tests; false on timeout).
    bool waitIdle(int timeoutMs = 30000);
    void reject() override;

signals:
    /// A core call came back (its outcome is already shown).
    void answered();

protected:
    DeviceDialog(UiContext context, core::DeviceRow device, QWidget* parent);
    /// Runs `work` on the pool; `done` gets its result on the GUI thread unless the dialog is
    /// gone by then. A write (`write` true) disables the inputs until it is back.
    /// (Work and Done as template parameters: Qt 6.4's lupdate loses the namespace of the
    /// next class after `std::function<R()>` in a member template, and its strings with it.)
    template <class R, class Work = std::function<R()>,
              class Done = std::function<void(const R&)>>
    void run(bool write, Work work, Done done);
    /// The widgets a write disables (the inputs' container and the button box); subclasses
    /// set them in their constructors.
    void setParts(QWidget* inputs, QWidget* buttons);
    void showError(const std::string& message);

    UiContext context_;
    core::DeviceRow device_;
    QLabel* error_ = nullptr;   // the core's one-line error
    QLabel* saving_ = nullptr;  // "Saving…" next to the buttons while a write runs

private:
    void setWriting(bool writing);

    QWidget* inputs_ = nullptr;
    QWidget* buttons_ = nullptr;
    int running_ = 0;
    bool writing_ = false;
};

/// Name, type, Purdue level, criticality, authorized, notes and zone (of the device's site).
/// "As reported" / "Not set" clears an edit. Only changed fields are sent (editDevice); the
/// core's one-line error keeps the dialog open. Accepted once the core took the edit.
class DeviceEditDialog final : public DeviceDialog {
    Q_OBJECT
public:
    DeviceEditDialog(UiContext context, core::DeviceRow device, QStringList siteZones,
                     QWidget* parent = nullptr);
    /// The fields that changed, as sent (valid after acceptance).
    const core::DeviceEdit& edit() const { return edit_; }

private:
    void submit();

    QLineEdit* name_ = nullptr;
    QComboBox* type_ = nullptr;
    QComboBox* purdue_ = nullptr;
    QComboBox* criticality_ = nullptr;
    QComboBox* authorized_ = nullptr;
    QPlainTextEdit* notes_ = nullptr;
    QComboBox* zone_ = nullptr;
    core::DeviceEdit edit_;
};

/// "Merge into…": the selected device (FROM) joins a device of the same site picked from a
/// searchable list (INTO keeps its edits; mergeDevices(into, from)).
class DeviceMergeDialog final : public DeviceDialog {
    Q_OBJECT
public:
    DeviceMergeDialog(UiContext context, core::DeviceRow device, QWidget* parent = nullptr);
    /// The device merged into (valid after acceptance).
    std::int64_t target() const { return target_; }

private:
    /// Asks the core for the devices matching `text` (off the GUI thread); an answer for an
    /// older text is dropped.
    void search(const QString& text);
    void showTargets(const std::vector<core::DeviceRow>& found);
    void submit();

    QLineEdit* search_ = nullptr;
    QListWidget* targets_ = nullptr;
    quint64 searchGeneration_ = 0;
    std::int64_t target_ = 0;
};

/// "Split observation…": one sensor's observation of a device seen by several sensors becomes
/// a device of its own, without edits (splitDevice(sensor, device id)).
class DeviceSplitDialog final : public DeviceDialog {
    Q_OBJECT
public:
    DeviceSplitDialog(UiContext context, core::DeviceRow device, QWidget* parent = nullptr);
    /// The new device's number (valid after acceptance).
    std::int64_t newDevice() const { return newDevice_; }

private:
    void submit();

    QListWidget* observations_ = nullptr;
    std::int64_t newDevice_ = 0;
};

}  // namespace ironsight::console::ui
