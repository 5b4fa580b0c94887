// SPDX-License-Identifier: Apache-2.0
// The Alerts page: severity counters, filter, multi-select table, detail pane with comments, and
// the workflow (Acknowledge / Close / Reopen, Assign, comments, Learn / Mute, evidence export)
// with role checks.
#pragma once

#include <QWidget>
#include <vector>

#include "console/ui/ui_context.h"

class QLabel;
class QMenu;
class QLineEdit;
class QPushButton;
class QTableView;
class QTextBrowser;

namespace ironsight::console::ui {

class PagedTableModel;
class EvidenceExport;

/// Column of the window's alerts model that holds the assignee (main_window.cpp, snapshot.cpp).
inline constexpr int kAlertAssigneeColumn = 9;

class AlertsPage final : public QWidget {
    Q_OBJECT
public:
    /// Shows `model` (rows with KeyRole = sensor id + "\n" + alert id), which pages through
    /// the core and takes the filter box's text. Without a service in `context` the page is
    /// read-only (no workflow buttons). `extraAction` (may be null) sits left of the filter,
    /// e.g. the report button.
    AlertsPage(UiContext context, PagedTableModel* model, QWidget* extraAction = nullptr,
               QWidget* parent = nullptr);

    QTableView* table() const { return view_; }
    QLineEdit* filter() const { return filter_; }
    QLabel* counters() const { return counters_; }
    /// "N alerts match" for the current filter (the table holds the loaded pages of them).
    QLabel* matches() const { return matches_; }
    PagedTableModel* model() const { return model_; }
    QTextBrowser* detail() const { return detail_; }
    QPushButton* acknowledgeButton() const { return acknowledge_; }
    QPushButton* closeButton() const { return close_; }
    QPushButton* reopenButton() const { return reopen_; }
    QPushButton* commentButton() const { return comment_; }
    QPushButton* learnButton() const { return learn_; }
    QPushButton* muteButton() const { return mute_; }
    QPushButton* evidenceButton() const { return evidence_; }
    QPushButton* assignButton() const { return assign_; }
    /// The table's context menu for the current selection (the same actions as the buttons).
    QMenu* contextMenu();
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
    /// Starts writing the current alert's evidence pcap to `path` (EvidenceExport); null with
    /// the reason in `error` when there is no alert or this window is read-only.
    EvidenceExport* exportEvidenceTo(const QString& path, QString* error, int waitMs = 60'000);
    /// Assigns every selected alert to `user` ("" unassigns); stops at the core's first refusal.
    bool assignSelected(const QString& user, QString* error);
    /// Who alerts can be assigned to: enabled admins and analysts when this user may list
    /// users, else the signed-in user and the assignees already in the table.
    QStringList assignCandidates() const;

signals:
    /// Something was written: the window reloads its data.
    void changed();

private:
    void showCurrent();
    void updateButtons();
    void act(core::AlertStatus status);
    void askEvidence();
    void askAssign();

    UiContext context_;
    PagedTableModel* model_;
    QTableView* view_ = nullptr;
    QLineEdit* filter_ = nullptr;
    QLabel* counters_ = nullptr;
    QLabel* selection_ = nullptr;
    QLabel* matches_ = nullptr;
    QTextBrowser* detail_ = nullptr;
    QPushButton* acknowledge_ = nullptr;
    QPushButton* close_ = nullptr;
    QPushButton* reopen_ = nullptr;
    QPushButton* comment_ = nullptr;
    QPushButton* learn_ = nullptr;
    QPushButton* mute_ = nullptr;
    QPushButton* evidence_ = nullptr;
    QPushButton* assign_ = nullptr;
    QMenu* menu_ = nullptr;
    QLineEdit* commentText_ = nullptr;
};

/// "sensor\nalert" -> key (empty key when malformed).
core::AlertKey alertKeyOf(const QString& rowKey);

}  // namespace ironsight::console::ui
