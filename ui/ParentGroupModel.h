#pragma once

#include "store/JobRowIndex.h"

#include <QAbstractTableModel>

#include <memory>
#include <vector>

namespace lockstep::ui {

// A job's rows grouped by the parents they lock (JobRowIndex::groupByParent): one line per
// parent with its rows by outcome, most failures first — where the lock errors piled up.
class ParentGroupModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { ParentColumn, RowsColumn, SucceededColumn, FailedColumn, LockErrorsColumn, UnknownColumn, ColumnCount };
    using Groups = std::shared_ptr<const std::vector<ParentGroup>>;

    explicit ParentGroupModel(QObject *parent = nullptr);
    void setGroups(Groups groups);
    const ParentGroup *group(int row) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    Groups m_groups;
};

} // namespace lockstep::ui
