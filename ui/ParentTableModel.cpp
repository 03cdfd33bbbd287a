#include "ParentTableModel.h"

#include "UiFormat.h"

#include <QBrush>
#include <QColor>

#include <unordered_set>

namespace lockstep::ui {

void ParentTableModel::setAnalysis(AnalysisPtr analysis)
{
    beginResetModel();
    m_analysis = std::move(analysis);
    m_rows.clear();
    if (m_analysis) {
        const auto &d = m_analysis->distribution;
        std::unordered_set<std::uint32_t> seen;
        for (const auto &p : d.skewedParents())
            if (seen.insert(p.key).second)
                m_rows.push_back(p);
        for (const auto &p : d.topParents())
            if (seen.insert(p.key).second)
                m_rows.push_back(p);
    }
    endResetModel();
}

std::uint32_t ParentTableModel::keyAt(int row) const
{
    return row >= 0 && row < int(m_rows.size()) ? m_rows[size_t(row)].key : LockKeys::npos;
}

int ParentTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int ParentTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ParentTableModel::data(const QModelIndex &index, int role) const
{
    if (!m_analysis || !index.isValid() || index.row() >= int(m_rows.size()))
        return {};
    const ParentCount &p = m_rows[size_t(index.row())];
    const auto &d = m_analysis->distribution;
    const bool skewed = p.children > d.skewThreshold();
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case Rank: return index.row() + 1;
        case Parent: return m_analysis->keys.keyLabel(p.key);
        case Object: return m_analysis->keys.keyObject(p.key);
        case Children: return grouped(p.children);
        case Share: return percent(double(p.children) / double(std::max<qint64>(1, d.rows())));
        }
    } else if (role == Qt::TextAlignmentRole) {
        if (index.column() == Children || index.column() == Share || index.column() == Rank)
            return int(Qt::AlignRight | Qt::AlignVCenter);
    } else if (role == Qt::ForegroundRole && skewed) {
        return QBrush(QColor(200, 40, 30));
    } else if (role == Qt::ToolTipRole && skewed) {
        return tr("Skewed: more than %1 children. Every batch that holds its children queues on this one lock; "
                  "parent-aware lanes give it a serial lane of its own.").arg(grouped(d.skewThreshold()));
    } else if (role == Qt::UserRole) {
        return qint64(p.key);
    }
    return {};
}

QVariant ParentTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Rank: return tr("#");
    case Parent: return tr("Parent");
    case Object: return tr("Object");
    case Children: return tr("Children");
    case Share: return tr("Share");
    }
    return {};
}

} // namespace lockstep::ui
