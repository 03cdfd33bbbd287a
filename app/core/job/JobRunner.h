#pragma once

#include "common/Error.h"
#include "common/Progress.h"
#include "load/LoadFile.h"
#include "org/CollectionBody.h"
#include "org/OrgClient.h"
#include "plan/Plan.h"
#include "plan/PollSchedule.h"
#include "store/JobStore.h"

#include <functional>
#include <map>

namespace lockstep {

// How a run is going: rows answered so far, errors by code, pace.
struct RunProgress {
    qint64 rows = 0;
    qint64 succeeded = 0, failed = 0, unknown = 0;
    std::map<QString, qint64> errorsByCode;   // UNABLE_TO_LOCK_ROW → 1,200
    double elapsedSeconds = 0;
    double rowsPerSecond = 0;
    double etaSeconds = -1;                   // -1: not known yet
    qint64 done() const { return succeeded + failed + unknown; }
};

struct RunReport : RunProgress {
    bool cancelled = false;
    qint64 apiCalls = 0;
    int passes = 0;                           // sends of pending rows (reconciled rows go again)
    qint64 reconciled = 0;                    // rows whose lost answer the org's records settled
    // Write requests sent (REST calls, Bulk 1.0 batch uploads) and the time Lockstep spent on
    // them: everything around a request — store writes, the body, the answer's parsing, the
    // outcome — but the wait for the org (tests/bench/runner holds it under 2 ms a request).
    qint64 requests = 0;
    double lockstepSeconds = 0;
    double lockstepCpuSeconds = 0;            // of which the sending threads were on a CPU
    QStringList warnings;                     // org changes that could not be undone, …
    qint64 lockErrors() const
    {
        const auto it = errorsByCode.find(QStringLiteral("UNABLE_TO_LOCK_ROW"));
        return it == errorsByCode.end() ? 0 : it->second;
    }
};

// What a run needs of a plan: the org object and operation, the API, the pace and the job's
// org changes. The batches come from the job store (a resumed run sends what is still pending).
struct RunPlan {
    QString object;
    Operation operation = Operation::Update;
    Api api = Api::Bulk1Parallel;
    int concurrency = 1;
    double uploadGapSeconds = 0;
    bool disableBatchRetry = false;
    bool duplicateRulesOff = false;
    bool jobPerBatch = false;            // Bulk 2.0: an ingest job per batch (Plan::jobPerBatch)

    static RunPlan of(const Plan &plan);
    // From a job's Plan::toJson (what the store keeps): a resumed run runs as the first did.
    static Result<RunPlan> fromJson(const QJsonObject &plan);
};

struct RunOptions {
    QString externalIdField;             // upsert
    // Bulk status polls start here and back off to the most while nothing changes (platform
    // seconds): PollSchedule, which the predictor plays too.
    double firstPollSeconds = PollSchedule::kFirstSeconds;
    double maxPollSeconds = 5.0;
    // Wall seconds per platform second: 1 for a real org; the demo org's scale for the demo
    // org, whose time runs faster — the plan's pace and the polls keep the same proportions.
    double timeScale = 1.0;
    std::function<void(const RunProgress &)> onProgress;   // from the runner's threads
    // Passes: after each, rows whose answer was lost are reconciled and what the org did not
    // write goes again, until nothing is pending or a pass made no progress.
    int maxPasses = 5;                   // 0: only settle what an earlier run left
    // How long a request the org may still be running is given before its rows are looked up
    // (platform seconds; twice the lock timeout covers a request that waited on a lock).
    double settleSeconds = 20;
};

// Runs a Plan against an org (lock-model.md §6, architecture.md "every row accounted for"):
//  - REST (sObject Collections): plan.concurrency threads, each with its own OrgClient, take
//    calls in plan order; a lane's calls one at a time;
//  - Bulk API 1.0: one Parallel job for the shared queue and one Serial job per lane; batches
//    uploaded in plan order at the plan's pace (plan.uploadGapSeconds); jobs polled with backoff
//    only while they have work; every finished batch's results read at once;
//  - Bulk API 2.0: one ingest job (parallel), or a job per batch with plan.concurrency open at
//    once and a lane's jobs one after another (serial, lanes, sort, small batches); each job
//    polled until done and its results read before its worker takes the next.
// Every request's rows are written "sent" in the JobStore before it goes out and their outcome
// after its answer; an answer that never came leaves them "unknown" (never resent blindly) until
// the Reconciler settles them from the org's records.
// A run (a first one or a resume) goes: reconcile what an earlier run left sent or unknown →
// switch the duplicate rules off when the plan says so (recorded first) → send the pending rows
// → reconcile → send what the org did not write … → restore the duplicate rules, whatever
// happened. Cancel (the token, or `lockstep-cli cancel` through the store) stops sending: Bulk
// jobs are aborted, what was already sent is drained and reconciled; the job can be resumed.
class JobRunner {
public:
    using Connect = std::function<Result<OrgClient>()>;

    JobRunner(JobStore &store, const LoadFile &file, RunPlan plan, qint64 job, Connect connect, RunOptions options = {});
    JobRunner(JobStore &store, const LoadFile &file, const Plan &plan, qint64 job, Connect connect, RunOptions options = {})
        : JobRunner(store, file, RunPlan::of(plan), job, std::move(connect), std::move(options))
    {
    }

    Result<RunReport> run(const CancelToken &cancel = {});
    // Cancels a job whose runner is gone (killed, crashed): its Bulk jobs still open at the org
    // are aborted (what they had not started will not run), what they did is read, rows sent
    // by REST are looked up and the duplicate rules come back. The job can be resumed later.
    Result<RunReport> cancelAbandoned();

    // The plan's batches as the job store records them (lane and file rows, in send order).
    static std::vector<JobBatchSpec> batchesOf(const Plan &plan);

    // The body of one REST call or Bulk batch: the file's columns for `rows`, as the API wants
    // them (a Bulk CSV keeps the source's text; REST sends strings, empty cells left out).
    QByteArray bulkCsv(std::span<const qint64> rows) const;
    CollectionBody restRecords(std::span<const qint64> rows) const;

private:
    // The store's batches cut down to their pending rows (empty batches left out).
    Result<std::vector<JobBatchSpec>> pendingBatches();
    Result<void> send(const std::vector<JobBatchSpec> &batches, const CancelToken &cancel);
    // W threads, each with its own client, take the next ready batch (a lane's in order, never
    // two of one lane at once) and send it with `sendBatch`. On a cancel no batch is taken;
    // a call out is stopped (Stop: its rows are looked up later) or left to finish (Finish).
    enum class CallsOnCancel { Stop, Finish };
    using SendBatch = std::function<Result<void>(OrgClient &, const JobBatchSpec &)>;
    Result<void> runLanes(const std::vector<JobBatchSpec> &batches, const CancelToken &cancel, CallsOnCancel onCancel,
                          const SendBatch &sendBatch);
    Result<void> runRest(const std::vector<JobBatchSpec> &batches, const CancelToken &cancel);
    Result<void> runBulk1(const std::vector<JobBatchSpec> &batches, const CancelToken &cancel);
    Result<void> runBulk2(const std::vector<JobBatchSpec> &batches, const CancelToken &cancel);
    // Bulk 2.0, a job per batch (RunPlan::jobPerBatch): `concurrency` jobs open, lanes in order.
    Result<void> runBulk2Jobs(const std::vector<JobBatchSpec> &batches, const CancelToken &cancel);
    // One ingest job carrying these batches: created, recorded on them, rows sent, uploaded,
    // closed, polled until done (even after a cancel) and its results recorded.
    Result<void> sendIngestJob(OrgClient &client, const std::vector<const JobBatchSpec *> &carried);
    Result<void> reconcile(OrgClient &client, const CancelToken &cancel);
    Result<void> record(std::span<const qint64> rows, std::span<const RowRecord> outcomes);
    Result<void> recordFailure(std::span<const qint64> rows, const OrgError &error);
    // Counts from the store (a resumed job starts where the last run left it).
    Result<void> reloadCounts();
    void report();

    JobStore &m_store;
    const LoadFile &m_file;
    std::vector<QByteArray> m_headerUtf8;   // the file's column names, as request bodies name fields
    int m_idColumn = -1;
    RunPlan m_plan;
    qint64 m_job;
    Connect m_connect;
    RunOptions m_options;
    std::mutex m_mutex;                             // guards m_report
    RunReport m_report;
    qint64 m_doneAtStart = 0;                       // rows already answered when this run began
    std::chrono::steady_clock::time_point m_started;
    std::atomic<qint64> m_apiCalls{0};
    std::atomic<qint64> m_requests{0};
    std::atomic<qint64> m_lockstepNs{0};
    std::atomic<qint64> m_lockstepCpuNs{0};
};

} // namespace lockstep
