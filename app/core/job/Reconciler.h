#pragma once

#include "common/Error.h"
#include "common/Progress.h"
#include "load/LoadFile.h"
#include "locks/Operation.h"
#include "org/OrgClient.h"
#include "plan/Api.h"
#include "store/JobStore.h"

#include <QByteArray>
#include <QHash>
#include <QSet>

#include <chrono>
#include <functional>
#include <span>
#include <vector>

namespace lockstep {

// Settles rows whose answer never came — "sent" when a run was killed, "unknown" when a
// connection dropped or the org answered 5xx — from what the org itself says, so that no row is
// written twice and none is lost (architecture.md, "every row accounted for"):
//  - rows of a Bulk API 1.0 batch: the batch's results (a batch the org took but never named to
//    us is found in its job's batch list, in upload order);
//  - rows of a Bulk API 2.0 job (the one recorded on their batch: a pass's one job, or a job
//    per batch): the job's results, matched back by their columns (a job still Open never ran:
//    it is aborted and its rows go again);
//  - rows of a REST call: the records themselves — by Id (update, delete) or by external id
//    (upsert); a record that holds every value the row sent was written by it.
// A row the org did not write goes back to pending (the next pass sends it); one nothing can
// settle (a REST insert without an external id) stays unknown and is shown as such.
class Reconciler {
public:
    struct Job {
        qint64 id = 0;
        QString object;
        Operation operation = Operation::Update;
        Api api = Api::RestCollections;
        QString externalIdField;
    };
    struct Outcome {
        qint64 written = 0;      // the org has them: succeeded (or failed, per its results)
        qint64 notWritten = 0;   // back to pending
        qint64 unsettled = 0;    // still unknown
    };

    // Where settled outcomes go (default: the store); the runner counts them on their way.
    using Sink = std::function<Result<void>(std::span<const qint64> rows, std::span<const RowRecord> outcomes)>;

    Reconciler(JobStore &store, const LoadFile &file, Job job, OrgClient &client);
    // Bulk jobs still running are polled from `first`, backing off to `most` (wall time).
    void setPolling(std::chrono::milliseconds first, std::chrono::milliseconds most);
    void setSink(Sink sink);
    // Rows whose REST answer was lost are read back 200 a query; with this, up to `most`
    // queries at once, each on a client of its own (the first on the reconciler's).
    void setLookupClients(std::function<Result<OrgClient>()> connect, int most);

    // `settle`: wall time a REST request the org may still be running gets before its records
    // are read (the lock timeout it may wait on, and its work).
    Result<Outcome> reconcile(std::chrono::milliseconds settle, const CancelToken &cancel = {});

    // A finished Bulk API 1.0 batch's results for `rows` (in upload order); a lost answer is
    // asked again, and after that the rows stay as they are.
    Result<Outcome> recordBulkBatch(const QString &remoteJob, const BulkBatchInfo &info, std::span<const qint64> rows);
    // Bulk API 2.0 results carry no row numbers: they are matched back to rows by their original
    // columns (identical rows taken in file order). The index of `rows` by those values; a
    // runner builds it while the job runs, off the path from "done" to recorded.
    using IngestRowIndex = QHash<QByteArray, std::vector<qint64>>;
    static IngestRowIndex indexIngestRows(const LoadFile &file, std::span<const qint64> rows);
    // A finished Bulk API 2.0 ingest job's results for `rows`; rows it does not name are pending.
    // `index`: indexIngestRows(rows) when the caller has it (else it is built here).
    Result<Outcome> recordIngestJob(const QString &remoteJob, std::span<const qint64> rows, IngestRowIndex index = {});

private:
    Result<Outcome> reconcileBulk1(const std::vector<JobBatchSpec> &batches, const QSet<qint64> &open, const CancelToken &cancel);
    Result<Outcome> reconcileBulk2(const std::vector<JobBatchSpec> &batches, const QSet<qint64> &open, const CancelToken &cancel);
    Result<Outcome> reconcileIngestJob(const QString &jobId, const std::vector<qint64> &rows, const CancelToken &cancel);
    Result<Outcome> reconcileRecords(std::vector<qint64> rows);
    template <class F>
    auto retried(F &&call) -> decltype(call());
    Result<void> store(std::span<const qint64> rows, std::span<const RowRecord> outcomes);

    JobStore &m_store;
    const LoadFile &m_file;
    Job m_job;
    OrgClient &m_client;
    Sink m_sink;
    std::function<Result<OrgClient>()> m_connectLookup;
    int m_mostLookups = 1;
    std::chrono::milliseconds m_firstPoll{500}, m_maxPoll{5000};
};

Reconciler::Outcome &operator+=(Reconciler::Outcome &a, const Reconciler::Outcome &b);

} // namespace lockstep
