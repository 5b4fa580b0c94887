// SPDX-License-Identifier: Apache-2.0
// The Alerts page: severity counters, filter, multi-select table, detail pane with comments, and
// the workflow (Acknowledge / Close / Reopen, comments) with role checks.
#pragma once

#include <QWidget>
#include <vector>

#include "console/ui/ui_context.h"

class QLabel;
class QLineEdit;
class QPushButton;
class QSortFilterProxyModel;
class QTableView;
class QTextBrowser;

namespace ironsight::console::ui {

class TableModel;

class AlertsPage final : public QWidget {
    Q_OBJECT
public:
    /// Shows `model` (rows with KeyRole = sensor id + "\n" + alert id). Without a service in
    /// `context` the page is read-only (no workflow buttons).
    /// `extraAction` (may be null) sits left of the filter, e.g. the report button.
    AlertsPage(UiContext context, TableModel* model, QWidget* extraAction = nullptr,
               QWidget* parent = nullptr);

    QTableView* table() const { return view_; }
    QLineEdit* filter() const { return filter_; }
    QLabel* counters() const { return counters_; }
    QTextBrowser* detail() const { return detail_; }
    QPushButton* acknowledgeButton() const { return acknowledge_; }
    QPushButton* closeButton() const { return close_; }
    QPushButton* reopenButton() const { return reopen_; }
    QPushButton* commentButton() const { return comment_; }
    QPushButton* learnButton() const { return learn_; }
    QPushButton* muteButton() const { return mute_; }
    QLineEdit* commentBox() const { return commentText_; }

    /// Keys of the selected rows (all of them: the workflow acts on the whole selection).
    std::vector<core::AlertKey> selectedAlerts() const;
    /// Acts on the selection as the buttons do; false (and the core's message in `error`) when
    /// the core refused.
    bool setSelectedStatus(core::AlertStatus status, QString* error);
    bool commentOnCurrent(const QString& text, QString* error);
    /// Sends Learn (or Mute) for the current alert to the sensor that raised it (a command the
    /// link delivers); false with the core's message in `error` when refused.
    bool commandCurrent(bool learn, QString* error);

signals:
    /// Something was written: the window reloads its data.
    void changed();

private:
    void showCurrent();
    void updateButtons();
    void act(core::AlertStatus status);

    UiContext context_;
    TableModel* model_;
    QSortFilterProxyModel* proxy_ = nullptr;
    QTableView* view_ = nullptr;
    QLineEdit* filter_ = nullptr;
    QLabel* counters_ = nullptr;
    QLabel* selection_ = nullptr;
    QTextBrowser* detail_ = nullptr;
    QPushButton* acknowledge_ = nullptr;
    QPushButton* close_ = nullptr;
    QPushButton* reopen_ = nullptr;
    QPushButton* comment_ = nullptr;
    QPushButton* learn_ = nullptr;
    QPushButton* mute_ = nullptr;
    QLineEdit* commentText_ = nullptr;
};

/// "sensor\nalert" -> key (empty key when malformed).
core::AlertKey alertKeyOf(const QString& rowKey);

}  // namespace ironsight::console::ui
