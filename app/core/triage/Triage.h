#pragma once

#include "analysis/FileAnalysis.h"
#include "common/Error.h"
#include "common/Progress.h"
#include "job/LockExplainer.h"
#include "plan/Api.h"
#include "predict/Comparison.h"
#include "sim/OrgProfile.h"

#include <QJsonObject>
#include <QStringList>

#include <map>
#include <optional>
#include <vector>

namespace lockstep {

// A batch of a Bulk API 1.0 job whose results are triaged (BulkJobFolder): its rows in the
// source (firstRow, rows) and when the org processed it, for the explanations.
struct TriageBatch {
    QString id;
    QString state;
    qint64 firstRow = 0, rows = 0;
    qint64 startMs = 0, endMs = 0;      // ms since the epoch; 0: not known
};

struct TriageOptions {
    QStringList files;                       // result files of one job: error and success files
    // The job's load file, when known: Bulk API 1.0 results (no data columns) take their rows'
    // parents from it by row order, and every result row with a record Id must be one of its rows.
    QString source;
    QString object;                          // "" = from the columns
    std::optional<Operation> operation;      // default: from the columns
    std::optional<Api> api;                  // for the recommendation; default Bulk 1.0
    OrgProfile profile;
    int topParents = 20;
    // A Bulk API 1.0 job's batches, when the results came with their batch infos: failures are
    // grouped by batch and each lock error explained from the batches' timings and contents.
    std::vector<TriageBatch> batches;
    QString jobId;                           // the Bulk job, when known
    QStringList notes;                       // said in the report (batches left out, …)
};

struct TriageFile {
    QString path;
    FileKind kind = FileKind::LoadFile;
    qint64 rows = 0;
    qint64 failed = 0;                       // rows with an error
};

// A parent the locked rows waited on.
struct LockedParent {
    QString label;                           // the Id (or key) as keyLabel shows it
    QString object;
    qint64 lockedRows = 0;                   // failed rows with UNABLE_TO_LOCK_ROW that lock it
    qint64 children = 0;                     // rows of these files that lock it (succeeded and failed)
};

// What went wrong in a failed job, from its result files alone: rows by outcome, failures by
// code, the parents its lock errors waited on and their skew, and what to do with the failed
// rows — the plan Lockstep recommends for them, predicted beside the same rows in parallel.
struct TriageReport {
    std::vector<TriageFile> files;
    QString object;
    Operation operation = Operation::Update;
    qint64 succeeded = 0, failed = 0;
    std::map<QString, qint64> byCode;
    qint64 lockedRows = 0;
    qint64 lockedRowsWithoutParent = 0;      // Bulk 1.0 results carry no data columns
    std::vector<LockedParent> lockedParents; // most locked rows first
    qint64 lockedParentCount = 0;
    qint64 skewThreshold = 10000;
    qint64 skewedLockedParents = 0;          // of lockedParentCount, with more children than skewThreshold
    // The locked rows again: parent-aware lanes (recommended) and, for contrast, parallel.
    std::optional<PredictionSummary> recommended, parallel;
    qint64 recommendedRows = 0;
    double seconds = 0;
    // With TriageOptions::batches: failures per batch, and each lock error explained.
    struct BatchFailures {
        TriageBatch batch;
        qint64 failed = 0, lockErrors = 0;
    };
    std::vector<BatchFailures> byBatch;
    std::vector<LockExplanation> explanations;
    QString jobId;
    QStringList notes;

    QJsonObject toJson() const;
};

// Reads the files (each analysed as analyzeFile does: result files are recognised by their
// columns — Data Loader error/success, Bulk API 1.0 results, Bulk API 2.0 failed/successful —
// and their error column read per row) and makes the report. A file that is not a result file,
// or one that cannot be read, is an error naming it.
Result<TriageReport> triage(const TriageOptions &options, const Progress &progress = {});

} // namespace lockstep
