#pragma once

#include "common/Error.h"
#include "job/RowRecord.h"
#include "load/LoadFile.h"
#include "locks/LockKeys.h"
#include "locks/Operation.h"

#include <functional>

namespace lockstep {

// The result files users already know (salesforce-api.md §7), chosen by the user:
//  - DataLoader: success = ID, the original columns, STATUS ("Item Created", …); error = the
//    original columns, ERROR;
//  - DataLoaderBulkV2: Data Loader's Bulk API 2.0 flavour: success = ID, sf__Created, columns;
//    error = ID, ERROR, columns;
//  - BulkV2: the Bulk API 2.0 / Salesforce CLI shape: success = sf__Id, sf__Created, columns;
//    failed = sf__Id, sf__Error, columns; unprocessed = columns;
//  - Full: Lockstep's report, every row: ROW, STATUS, STATUS_CODE, MESSAGE, ID, CREATED,
//    PARENTS (the lock keys), ATTEMPTS, then the columns.
// Rows whose outcome is unknown, or that were never sent, are never silently dropped: they go
// to the error file with a message that says so (BulkV2: never-sent rows are "unprocessed").
// Every file is written atomically.
enum class ResultFormat { DataLoader, DataLoaderBulkV2, BulkV2, Full };

std::optional<ResultFormat> parseResultFormat(const QString &text);   // dataloader, dataloader-bulkv2, bulkv2, full

struct ResultFilesOptions {
    ResultFormat format = ResultFormat::DataLoader;
    QString directory;
    QString baseName = QStringLiteral("job");
    Operation operation = Operation::Update;
    const LockKeys *keys = nullptr;   // for the Full report's PARENTS column
};

struct ResultFileSet {
    QStringList paths;                // written, in the order the format names them
    qint64 succeeded = 0;
    qint64 failed = 0;                // failed, unknown and never-sent rows together
    qint64 unknown = 0;
    qint64 unprocessed = 0;
};

using RowRecordSource = std::function<RowRecord(qint64 row)>;

Result<ResultFileSet> writeResultFiles(const LoadFile &file, const RowRecordSource &rows, const ResultFilesOptions &options,
                                       const Progress &progress = {});

// The text of an error cell: "CODE:message:fields --", as Bulk result files write it.
QString errorCell(const RowRecord &record);

} // namespace lockstep
