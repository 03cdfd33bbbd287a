#pragma once

#include "AnalysisController.h"

#include <QAbstractTableModel>

namespace lockstep::ui {

// Every problem the reader found (up to its message limit), in file order.
class ProblemTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { SeverityColumn, Line, Row, Field, Message, ColumnCount };
    using QAbstractTableModel::QAbstractTableModel;

    void setAnalysis(AnalysisPtr analysis);
    const Problem *problemAt(int row) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    AnalysisPtr m_analysis;
};

} // namespace lockstep::ui
