#pragma once

#include "store/JobStore.h"

#include <vector>

namespace lockstep {

// The rows a results view lists, in order: all of a job's rows in file order — no query, a
// million rows cost nothing — or the numbers a filter or a sort found (8 bytes a row). Their
// records are read from the store a page at a time, so jumping to the end of a million rows
// reads one page, not a million.
class JobRowList {
public:
    static Result<JobRowList> open(JobStore &store, qint64 job, const RowFilter &filter = {}, RowOrder order = RowOrder::Row,
                                   bool descending = false);
    // A list already found (JobRowIndex::select), or every one of a job's `total` rows.
    static JobRowList ofRows(qint64 job, std::vector<qint64> rows);
    static JobRowList ofAll(qint64 job, qint64 total, bool descending = false);

    qint64 job() const { return m_job; }
    qint64 size() const { return m_all ? m_total : qint64(m_rows.size()); }
    // The file row (0-based) at `index` of the list.
    qint64 rowAt(qint64 index) const { return m_all ? (m_descending ? m_total - 1 - index : index) : m_rows[size_t(index)]; }
    // Where a file row sits in the list (-1: not in it).
    qint64 indexOf(qint64 row) const;
    // The records of entries [first, first + count) (clipped to the list), in list order.
    Result<std::vector<StoredRow>> fetch(JobStore &store, qint64 first, qint64 count) const;

private:
    qint64 m_job = 0;
    bool m_all = false;          // every row, by number: no list kept
    bool m_descending = false;
    qint64 m_total = 0;
    std::vector<qint64> m_rows;  // otherwise, the rows in order
};

} // namespace lockstep
