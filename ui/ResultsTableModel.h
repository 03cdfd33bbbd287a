#pragma once

#include "store/JobRowIndex.h"
#include "store/JobRowList.h"

#include <QFuture>

#include <QAbstractTableModel>

#include <list>
#include <memory>
#include <optional>
#include <unordered_map>

namespace lockstep::ui {

class BackgroundTask;

// Every row of a job, over the job store, for the results table: the list of rows in view
// (JobRowList: all of them by number, or what a filter or sort found, found off the GUI thread)
// and their records read a page at a time as the table asks for them, the most recent pages
// kept. A million-row job costs a page to show, wherever the user scrolls.
class ResultsTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { RowColumn, StatusColumn, CodeColumn, MessageColumn, RecordColumn, ParentsColumn, BatchColumn, AttemptsColumn, ColumnCount };
    static constexpr int kPageRows = 256;
    static constexpr int kPagesKept = 64;

    explicit ResultsTableModel(QObject *parent = nullptr);
    ~ResultsTableModel() override;

    // Shows `job` of the store at `storePath` (all its rows, file order). Errors: lastError().
    bool openJob(const QString &storePath, qint64 job);
    // Rows that pass `filter`, in `order` (a header click sorts too). Found on a worker thread in
    // the job's row index (JobRowIndex, read once when the job is opened: a million rows filter
    // in milliseconds); the table keeps showing the old list until the new one is there
    // (filterApplied).
    void setFilter(const RowFilter &filter, RowOrder order = RowOrder::Row, bool descending = false);
    const RowFilter &filter() const { return m_filter; }
    bool isFiltering() const;
    // The row index filters use has been read (filters wait for it otherwise).
    bool indexReady() const { return m_index.isFinished(); }

    // The rows that pass `filter`, grouped by parent, off the GUI thread: parentGroupsReady() follows.
    void groupByParent(const RowFilter &filter);
    // The record behind a table row (read from the store if its page is not kept).
    std::optional<StoredRow> storedRow(int tableRow) const;
    qint64 job() const { return m_list.job(); }
    const QString &lastError() const { return m_error; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    void sort(int column, Qt::SortOrder order) override;

signals:
    void filterApplied(qint64 rows);
    void failed(const QString &message);
    void parentGroupsReady(std::shared_ptr<const std::vector<lockstep::ParentGroup>> groups);

private:
    const StoredRow *rowAt(int tableRow) const;
    QString m_storePath;
    std::unique_ptr<JobStore> m_store;   // the GUI thread's own connection (one store per thread)
    JobRowList m_list;
    qint64 m_totalRows = 0;
    RowFilter m_filter;
    BackgroundTask *m_task;
    BackgroundTask *m_groupTask;
    // The row index, being read from the first moment the job is shown (the unfiltered table
    // does not need it): a filter's work waits for it on its worker thread.
    QFuture<Result<std::shared_ptr<const JobRowIndex>>> m_index;
    QString m_error;
    // Pages of records by page number, most recently used first.
    mutable std::list<std::pair<qint64, std::vector<StoredRow>>> m_pages;
    mutable std::unordered_map<qint64, decltype(m_pages)::iterator> m_pageIndex;
};

} // namespace lockstep::ui
