#include "store/JobRowList.h"

#include <algorithm>

namespace lockstep {

Result<JobRowList> JobRowList::open(JobStore &store, qint64 job, const RowFilter &filter, RowOrder order, bool descending)
{
    JobRowList list;
    list.m_job = job;
    list.m_descending = descending;
    if (filter.empty() && order == RowOrder::Row) {
        auto summary = store.job(job);
        if (!summary)
            return std::unexpected(summary.error());
        list.m_all = true;
        list.m_total = summary->rows;
        return list;
    }
    auto rows = store.rowNumbers(job, filter, order, descending);
    if (!rows)
        return std::unexpected(rows.error());
    list.m_rows = std::move(*rows);
    return list;
}

JobRowList JobRowList::ofRows(qint64 job, std::vector<qint64> rows)
{
    JobRowList list;
    list.m_job = job;
    list.m_rows = std::move(rows);
    return list;
}

JobRowList JobRowList::ofAll(qint64 job, qint64 total, bool descending)
{
    JobRowList list;
    list.m_job = job;
    list.m_all = true;
    list.m_total = total;
    list.m_descending = descending;
    return list;
}

qint64 JobRowList::indexOf(qint64 row) const
{
    if (m_all)
        return row < 0 || row >= m_total ? -1 : (m_descending ? m_total - 1 - row : row);
    const auto it = std::find(m_rows.begin(), m_rows.end(), row);
    return it == m_rows.end() ? -1 : qint64(it - m_rows.begin());
}

Result<std::vector<StoredRow>> JobRowList::fetch(JobStore &store, qint64 first, qint64 count) const
{
    first = std::clamp<qint64>(first, 0, size());
    const qint64 end = std::clamp<qint64>(first + std::max<qint64>(0, count), first, size());
    std::vector<qint64> rows;
    rows.reserve(size_t(end - first));
    for (qint64 i = first; i < end; ++i)
        rows.push_back(rowAt(i));
    return store.rowsAt(m_job, rows);
}

} // namespace lockstep
