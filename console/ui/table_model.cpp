// SPDX-License-Identifier: Apache-2.0
// A flat, read-only table model over rows of display strings.
#include "console/ui/table_model.h"

namespace ironsight::console::ui {

TableModel::TableModel(QStringList headers, QObject* parent)
    : QAbstractTableModel(parent), headers_(std::move(headers)) {}

int TableModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}

int TableModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(headers_.size());
}

QVariant tableRowData(const TableRow& row, int column, int role) {
    const QString cell = column >= 0 && column < row.cells.size() ? row.cells[column] : QString();
    switch (role) {
        case Qt::DisplayRole:
            if (column == 0 && !row.accentIcon.isEmpty()) {
                return row.accentIcon + QLatin1Char(' ') + cell;
            }
            return cell;
        case Qt::ForegroundRole:
            if (column == 0 && row.accent.isValid()) return row.accent;
            return {};
        case Qt::ToolTipRole:
            return cell;
        case SortKeyRole:
            if (column >= 0 && column < row.sortKeys.size() && row.sortKeys[column].isValid()) {
                return row.sortKeys[column];
            }
            return cell;
        case DetailRole:
            return row.detailHtml;
        case KeyRole:
            return row.key;
        default:
            return {};
    }
}

QVariant tableHeaderData(const QStringList& headers, int section, Qt::Orientation orientation,
                         int role) {
    if (orientation == Qt::Horizontal && role == Qt::DisplayRole && section >= 0 &&
        section < headers.size()) {
        return headers[section];
    }
    return {};
}

QVariant TableModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= rows_.size()) return {};
    return tableRowData(rows_[index.row()], index.column(), role);
}

QVariant TableModel::headerData(int section, Qt::Orientation orientation, int role) const {
    QVariant header = tableHeaderData(headers_, section, orientation, role);
    return header.isValid() ? header
                            : QAbstractTableModel::headerData(section, orientation, role);
}

void TableModel::setRows(QVector<TableRow> rows) {
    beginResetModel();
    rows_ = std::move(rows);
    endResetModel();
}

}  // namespace ironsight::console::ui
