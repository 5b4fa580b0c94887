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

QVariant TableModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= rows_.size()) return {};
    const TableRow& row = rows_[index.row()];
    const QString cell = index.column() < row.cells.size() ? row.cells[index.column()] : QString();
    switch (role) {
        case Qt::DisplayRole:
            if (index.column() == 0 && !row.accentIcon.isEmpty()) {
                return row.accentIcon + QLatin1Char(' ') + cell;
            }
            return cell;
        case Qt::ForegroundRole:
            if (index.column() == 0 && row.accent.isValid()) return row.accent;
            return {};
        case Qt::ToolTipRole:
            return cell;
        case SortKeyRole:
            if (index.column() < row.sortKeys.size() && row.sortKeys[index.column()].isValid()) {
                return row.sortKeys[index.column()];
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

QVariant TableModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation == Qt::Horizontal && role == Qt::DisplayRole && section < headers_.size()) {
        return headers_[section];
    }
    return QAbstractTableModel::headerData(section, orientation, role);
}

void TableModel::setRows(QVector<TableRow> rows) {
    beginResetModel();
    rows_ = std::move(rows);
    endResetModel();
}

}  // namespace ironsight::console::ui
