#pragma once

#include "analysis/Distribution.h"
#include "common/Error.h"
#include "common/Progress.h"
#include "load/LoadFile.h"
#include "locks/LockKeys.h"
#include "locks/LockRules.h"

#include <QMap>

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

namespace lockstep {

struct AnalyzeOptions {
    QString object;                         // "" = infer from the file
    std::optional<Operation> operation;     // infer: Id column → update, only Id → delete, else insert
    QString externalIdField;                // upsert: the field rows match on ("" or Id: the record Id)
    std::vector<ColumnRoleChange> columnRoles;   // the user's column mapping over the detected roles
    int batchSize = 2000;                   // Data Loader's Bulk API default
    DistributionOptions distribution;
    std::optional<CsvDialect> dialect;
    std::optional<LockRules> rules;         // replaces the built-in rules (a rules file)
    std::vector<LockRule> addRules;         // user additions (--lock COLUMN[=Target])
    QStringList removeRules;                // user removals (--no-lock COLUMN)
    int threads = 0;
    qsizetype problemLimit = 10000;
    // Only what a plan needs: rows, column roles and lock keys. No Id checks, no search for
    // duplicate Ids, no distribution or batch spread — for work that copies rows as they are
    // (export-plan), where those cost time and memory and change nothing.
    bool planningOnly = false;
};

// Everything Lockstep knows about a load file before anything is sent.
struct FileAnalysis {
    LoadFile file;
    ColumnRoles roles;
    Operation operation = Operation::Update;
    QString operationReason;
    QString externalIdField;   // upsert by this column of the file; "" = by record Id
    LockRules rules;
    LockKeys keys;
    Distribution distribution;
    BatchSpread spread;
    QMap<QString, qint64> errorCodes;   // result/error files: status code → rows
    double seconds = 0;
    // Result/error files: per row (file order) an index into errorCodeNames, or
    // ErrorCodeCounter::kNoError for a row without an error.
    std::vector<std::uint16_t> errorRowCodes;
    QStringList errorCodeNames;

    qint64 rowsWithProblems() const;
};

// open → column roles → lock rules → one parallel scan (validation + lock keys) → distribution.
Result<std::shared_ptr<FileAnalysis>> analyzeFile(const QString &path, const AnalyzeOptions &options,
                                                  const Progress &progress = {});

// The checks LoadFile makes on Id-valued columns for this operation.
std::vector<IdColumnCheck> idChecksFor(const ColumnRoles &roles, Operation operation);

} // namespace lockstep
