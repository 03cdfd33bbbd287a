#pragma once

#include "AnalysisController.h"

#include <QAbstractTableModel>

namespace lockstep::ui {

// The heaviest parents of a file (all skewed ones, then the top of the rest).
class ParentTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Rank, Parent, Object, Children, Share, ColumnCount };
    using QAbstractTableModel::QAbstractTableModel;

    void setAnalysis(AnalysisPtr analysis);
    std::uint32_t keyAt(int row) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    AnalysisPtr m_analysis;
    std::vector<ParentCount> m_rows;
};

} // namespace lockstep::ui
