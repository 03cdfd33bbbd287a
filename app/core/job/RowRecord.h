#pragma once

#include <QString>
#include <QStringList>

#include <cstdint>

namespace lockstep {

// Where a row of a job stands (architecture.md, "every row accounted for"): pending until a
// request carries it, sent while the request is out, then succeeded or failed — or unknown when
// the answer was lost and nothing could yet tell whether the org wrote it.
enum class RowStatus : std::uint8_t { Pending, Sent, Succeeded, Failed, Unknown };

QString rowStatusName(RowStatus status);   // "pending", "sent", "succeeded", "failed", "unknown"

// One row's outcome as the job store keeps it and the result files write it.
struct RowRecord {
    RowStatus status = RowStatus::Pending;
    QString recordId;          // the record the row wrote (inserts: the new Id)
    bool created = false;      // insert, or an upsert that inserted
    QString statusCode;        // UNABLE_TO_LOCK_ROW, DUPLICATES_DETECTED, … (failed rows)
    QString message;
    QStringList fields;        // the fields the error names
    int attempts = 0;          // requests that carried the row
};

} // namespace lockstep
