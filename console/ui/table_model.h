// SPDX-License-Identifier: Apache-2.0
// A flat, read-only table model over rows of display strings, replaced in one batch per refresh.
#pragma once

#include <QAbstractTableModel>
#include <QColor>
#include <QStringList>
#include <QVariantList>
#include <QVector>

namespace ironsight::console::ui {

struct TableRow {
    QStringList cells;
    QColor accent;       // optional colour for the first column (severity, status)
    QString accentIcon;  // optional text glyph shown before the first cell (shape, not only colour)
    QVariantList sortKeys;  // optional per-column sort keys (severity rank, counts, times)
    QString detailHtml;     // optional detail shown in the page's detail pane
    QString key;            // optional identity of the row (alerts: sensor id + "\n" + alert id)
};

/// Roles beyond Qt's: the sort key of a cell, and the row's detail text.
enum TableRole {
    SortKeyRole = Qt::UserRole,
    DetailRole = Qt::UserRole + 1,
    KeyRole = Qt::UserRole + 2
};

/// What a view sees of one cell of `row` for `role` (TableModel and PagedTableModel show their
/// rows the same way).
QVariant tableRowData(const TableRow& row, int column, int role);
/// A model's horizontal header for `section` from `headers`; {} when it has none for the role.
QVariant tableHeaderData(const QStringList& headers, int section, Qt::Orientation orientation,
                         int role);

class TableModel final : public QAbstractTableModel {
    Q_OBJECT
public:
    explicit TableModel(QStringList headers, QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    /// Replaces all rows (one reset per batch; the views keep their sort settings).
    void setRows(QVector<TableRow> rows);

private:
    QStringList headers_;
    QVector<TableRow> rows_;
};

}  // namespace ironsight::console::ui
