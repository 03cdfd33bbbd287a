#pragma once

#include "common/Error.h"
#include "common/Progress.h"
#include "load/LoadFile.h"
#include "org/OrgClient.h"
#include "plan/Plan.h"
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
    qint64 lockErrors() const
    {
        const auto it = errorsByCode.find(QStringLiteral("UNABLE_TO_LOCK_ROW"));
        return it == errorsByCode.end() ? 0 : it->second;
    }
};

struct RunOptions {
    QString externalIdField;             // upsert
    double firstPollSeconds = 0.5;       // Bulk status polls start here and back off ...
    double maxPollSeconds = 5.0;         // ... to this while nothing changes (platform seconds)
    // Wall seconds per platform second: 1 for a real org; the demo org's scale for the demo
    // org, whose time runs faster — the plan's pace and the polls keep the same proportions.
    double timeScale = 1.0;
    std::function<void(const RunProgress &)> onProgress;   // from the runner's threads
};

// Runs a Plan against an org (lock-model.md §6, architecture.md "every row accounted for"):
//  - REST (sObject Collections): plan.concurrency threads, each with its own OrgClient, take
//    calls in plan order; a lane's calls one at a time;
//  - Bulk API 1.0: one Parallel job for the shared queue and one Serial job per lane; batches
//    uploaded in plan order at the plan's pace (plan.uploadGapSeconds); jobs polled with backoff
//    only while they have work; every finished batch's results read at once;
//  - Bulk API 2.0: one ingest job.
// Every request's rows are written "sent" in the JobStore before it goes out and their outcome
// after its answer; an answer that never came leaves them "unknown" (never resent blindly).
// Cancel stops sending: Bulk jobs are aborted and what was already sent is drained and recorded.
class JobRunner {
public:
    using Connect = std::function<Result<OrgClient>()>;

    JobRunner(JobStore &store, const LoadFile &file, const Plan &plan, qint64 job, Connect connect, RunOptions options = {});

    Result<RunReport> run(const CancelToken &cancel = {});

    // The plan's batches as the job store records them (lane and file rows, in send order).
    static std::vector<JobBatchSpec> batchesOf(const Plan &plan);

    // The body of one REST call or Bulk batch: the file's columns for `rows`, as the API wants
    // them (a Bulk CSV keeps the source's text; REST sends strings, empty cells left out).
    QByteArray bulkCsv(std::span<const qint64> rows) const;
    QJsonArray restRecords(std::span<const qint64> rows) const;

private:
    Result<void> runRest(const CancelToken &cancel);
    Result<void> runBulk1(const CancelToken &cancel);
    Result<void> runBulk2(const CancelToken &cancel);
    Result<void> record(std::span<const qint64> rows, std::span<const RowRecord> outcomes);
    Result<void> recordFailure(std::span<const qint64> rows, const OrgError &error);
    void report();

    JobStore &m_store;
    const LoadFile &m_file;
    const Plan &m_plan;
    qint64 m_job;
    Connect m_connect;
    RunOptions m_options;
    std::vector<std::vector<qint64>> m_batchRows;   // per plan batch: its file rows
    std::mutex m_mutex;                             // guards m_report
    RunReport m_report;
    std::chrono::steady_clock::time_point m_started;
    std::atomic<qint64> m_apiCalls{0};
};

} // namespace lockstep
