#pragma once

#include "common/Progress.h"
#include "store/JobStore.h"

#include <QByteArray>
#include <QStringList>

#include <cstdint>
#include <memory>
#include <vector>

namespace lockstep {

// Every row of a job in memory, column by column — status, batch, attempts, code, message,
// record Id and parents, texts interned (a million rows in about 40 MB) — so that a results
// view filters and sorts in milliseconds instead of scanning the store's table (0.5–1.2 s for a
// million rows) on every change. Read once, in one pass over the table; immutable after.
// The rows of one parent, counted by outcome (a results view's group-by-parent table).
struct ParentGroup {
    QString parent;                 // as the job store keeps it (an Id, or a key label)
    qint64 rows = 0, succeeded = 0, failed = 0, lockErrors = 0, unknown = 0, pending = 0;
};

class JobRowIndex {
public:
    static Result<std::shared_ptr<const JobRowIndex>> build(JobStore &store, qint64 job, const CancelToken &cancel = {});

    qint64 job() const { return m_job; }
    qint64 rows() const { return qint64(m_status.size()); }
    // The rows that pass `filter`, in `order` — the same rows, in the same order, as
    // JobStore::rowNumbers finds in the table.
    std::vector<qint64> select(const RowFilter &filter, RowOrder order = RowOrder::Row, bool descending = false) const;
    std::size_t memoryBytes() const;
    // The rows that pass `filter`, grouped by the parents they lock (a row with two parents
    // counts in both), most failed rows first, then most rows.
    std::vector<ParentGroup> groupByParent(const RowFilter &filter = {}) const;

private:
    static constexpr int kIdBytes = 18;
    qint64 m_job = 0;
    std::vector<std::uint8_t> m_status;      // by row: RowStatus
    std::vector<std::int32_t> m_batch;
    std::vector<std::uint16_t> m_attempts;   // at most 65,535 counted
    std::vector<std::uint32_t> m_code;       // index into m_codes (0: none)
    std::vector<std::uint32_t> m_message;    // index into m_messages (0: none)
    std::vector<std::uint32_t> m_keyOffsets; // rows + 1
    std::vector<std::uint32_t> m_keys;       // indexes into m_keyTexts
    QByteArray m_recordIds;                  // kIdBytes a row, lower case, zero-padded
    QStringList m_codes, m_messages, m_keyTexts;
};

} // namespace lockstep
