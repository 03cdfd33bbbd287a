#include "ProblemTableModel.h"

#include "UiFormat.h"

#include <QApplication>
#include <QStyle>

namespace lockstep::ui {

void ProblemTableModel::setAnalysis(AnalysisPtr analysis)
{
    beginResetModel();
    m_analysis = std::move(analysis);
    endResetModel();
}

const Problem *ProblemTableModel::problemAt(int row) const
{
    if (!m_analysis || row < 0 || row >= int(m_analysis->file.problems().items().size()))
        return nullptr;
    return &m_analysis->file.problems().items()[size_t(row)];
}

int ProblemTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() || !m_analysis ? 0 : int(m_analysis->file.problems().items().size());
}

int ProblemTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ProblemTableModel::data(const QModelIndex &index, int role) const
{
    const Problem *p = problemAt(index.row());
    if (!p)
        return {};
    const LoadFile &file = m_analysis->file;
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case SeverityColumn: return severityName(p->severity);
        case Line: return p->line > 0 ? QVariant(p->line) : QVariant();
        case Row: return p->row > 0 ? QVariant(p->row) : QVariant();
        case Field: return p->column >= 0 && p->column < file.columnCount() ? file.header()[p->column] : QString();
        case Message: return p->message;
        }
    } else if (role == Qt::DecorationRole && index.column() == SeverityColumn) {
        const auto icon = p->severity == Severity::Error     ? QStyle::SP_MessageBoxCritical
                          : p->severity == Severity::Warning ? QStyle::SP_MessageBoxWarning
                                                             : QStyle::SP_MessageBoxInformation;
        return QApplication::style()->standardIcon(icon);
    } else if (role == Qt::ToolTipRole) {
        QString tip = p->toString(file.path());
        if (p->row > 0 && p->row <= file.rowCount()) {
            const QStringList fields = file.fields(p->row - 1);
            tip += QStringLiteral("\n\n");
            for (int i = 0; i < fields.size(); ++i)
                tip += QStringLiteral("%1: %2\n").arg(i < file.columnCount() ? file.header()[i] : tr("(extra field %1)").arg(i + 1),
                                                     fields[i].left(80));
        }
        return tip;
    }
    return {};
}

QVariant ProblemTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case SeverityColumn: return tr("Severity");
    case Line: return tr("Line");
    case Row: return tr("Row");
    case Field: return tr("Column");
    case Message: return tr("Problem");
    }
    return {};
}

} // namespace lockstep::ui
