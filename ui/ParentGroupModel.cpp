#include "ParentGroupModel.h"

#include "UiFormat.h"

#include <QColor>

namespace lockstep::ui {

ParentGroupModel::ParentGroupModel(QObject *parent) : QAbstractTableModel(parent) {}

void ParentGroupModel::setGroups(Groups groups)
{
    beginResetModel();
    m_groups = std::move(groups);
    endResetModel();
}

const ParentGroup *ParentGroupModel::group(int row) const
{
    return m_groups && row >= 0 && row < int(m_groups->size()) ? &(*m_groups)[size_t(row)] : nullptr;
}

int ParentGroupModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() || !m_groups ? 0 : int(m_groups->size());
}

int ParentGroupModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ParentGroupModel::data(const QModelIndex &index, int role) const
{
    const ParentGroup *g = group(index.row());
    if (!g)
        return {};
    if (role == Qt::TextAlignmentRole)
        return index.column() == ParentColumn ? QVariant(Qt::AlignLeft | Qt::AlignVCenter) : QVariant(Qt::AlignRight | Qt::AlignVCenter);
    if (role == Qt::ForegroundRole && (index.column() == FailedColumn || index.column() == LockErrorsColumn) &&
        (index.column() == FailedColumn ? g->failed : g->lockErrors) > 0)
        return QColor(176, 0, 32);
    if (role == Qt::ToolTipRole && index.column() == ParentColumn)
        return tr("Double-click to see this parent's rows");
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case ParentColumn: return g->parent;
    case RowsColumn: return grouped(g->rows);
    case SucceededColumn: return grouped(g->succeeded);
    case FailedColumn: return grouped(g->failed);
    case LockErrorsColumn: return grouped(g->lockErrors);
    case UnknownColumn: return grouped(g->unknown + g->pending);
    default: return {};
    }
}

QVariant ParentGroupModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case ParentColumn: return tr("Parent");
    case RowsColumn: return tr("Rows");
    case SucceededColumn: return tr("Succeeded");
    case FailedColumn: return tr("Failed");
    case LockErrorsColumn: return tr("Lock errors");
    case UnknownColumn: return tr("Unknown or not sent");
    default: return {};
    }
}

} // namespace lockstep::ui
