#pragma once

#include "common/Error.h"
#include "common/Progress.h"
#include "triage/Triage.h"

#include <QString>
#include <QStringList>

#include <vector>

namespace lockstep {

class OrgClient;

// One Bulk API 1.0 batch of a saved job: its batchInfo and the files of its rows.
struct BulkJobBatch {
    QString id;
    QString state, stateMessage;
    qint64 createdMs = 0, modifiedMs = 0, processingMs = 0;
    qint64 recordsProcessed = 0, recordsFailed = 0;
    QString requestFile, resultFile;   // in the folder; "" when absent
};

// A Bulk job's documents as the org sent them, in a folder — what `triage --org A --job ID`
// saves, and what support can be handed instead of the org:
//   Bulk API 1.0: job.xml (jobInfo), batches.xml (batchInfoList), and for each batch
//                 <batchId>-request.csv|.xml (the rows sent) and <batchId>-result.csv|.xml;
//   Bulk API 2.0: job.json (the ingest job's info), successfulResults.csv, failedResults.csv,
//                 unprocessedrecords.csv.
struct BulkJobFolder {
    QString dir;
    QString api;                        // "bulk1" or "bulk2"
    QString jobId, object, operation, contentType, state;
    std::vector<BulkJobBatch> batches;  // Bulk 1.0, in the order they were added
    QStringList resultFiles;            // Bulk 2.0: those of the three present

    static bool isOne(const QString &dir);   // holds job.xml or job.json
    // Reads the folder; a missing or unreadable document is an error naming it.
    static Result<BulkJobFolder> read(const QString &dir);
};

// Downloads a Bulk job's documents from the org into `dir` (made if missing) and reads them back.
// The job is looked up as a Bulk API 1.0 job first, then as a Bulk API 2.0 ingest job.
Result<BulkJobFolder> downloadBulkJob(OrgClient &client, const QString &jobId, const QString &dir, const Progress &progress = {});

// A Bulk API 1.0 job's batches as one load file and one results file, in batch order (results
// match their rows by order within a batch, as the API guarantees), written into `workDir`; with
// each batch's rows and timings for triage's explanations. XML requests and results are turned
// into CSV; batches whose request or result is missing are left out and said so in `notes`.
struct AssembledBulkJob {
    QString source, results;
    std::vector<TriageBatch> batches;
    QStringList notes;
};
Result<AssembledBulkJob> assembleBulkJob(const BulkJobFolder &folder, const QString &workDir);

// `options` made ready to triage a Bulk job's folder: its job id, object, operation and API
// (each only where `options` leaves it unset), its result files — Bulk API 1.0 batches
// assembled into one source and one results file in `workDir` — and notes on what cannot be
// said. What `triage FOLDER`, `triage --org --job` and the window's Open Failed Job share.
Result<TriageOptions> triageOptionsFor(const BulkJobFolder &folder, TriageOptions options, const QString &workDir);

} // namespace lockstep
