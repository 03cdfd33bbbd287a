#pragma once

#include "job/JobExport.h"

#include "analysis/FileAnalysis.h"
#include "cli/OrgConnection.h"
#include "job/JobLaunch.h"
#include "job/JobRunner.h"
#include "job/RetryPolicy.h"
#include "job/ResultFiles.h"
#include "predict/Comparison.h"

#include <QJsonObject>
#include <QTextStream>

#include <functional>
#include <optional>

namespace lockstep::cli {

// How run / resume / cancel print what a run did.
struct ExecutionOutput {
    bool json = false;
    bool quiet = false;
    QString resultsDir;                 // empty: no result files
    ResultFormat format = ResultFormat::DataLoader;
    QString verb = QStringLiteral("run");   // for messages: run, resume, cancel
};

// Exit status when the load ran but some rows failed, are unknown or were not sent: scripts
// must notice.
constexpr int kRowsFailed = 3;

// What one run (or resume, or cancel) of a job did, as run / resume / retry report it.
struct JobRun {
    qint64 job = 0;
    RunReport report;
    double wallSeconds = 0;
    double observedSeconds = 0;                 // platform seconds (a demo org's time is scaled)
    std::optional<PredictionSummary> predicted;
    QString agreement;                          // a warning when observed and predicted disagree
    std::optional<JobSummary> original;         // a retry: the job it retried, its outcomes folded in
    QStringList resultPaths;

    qint64 pending() const { return report.rows - report.done(); }
    QJsonObject toJson() const;
    void print(QTextStream &out) const;
    int exitCode() const;
};

// Runs job `job` (see executeJob) and returns what it did, printing only progress.
Result<JobRun> performJob(JobStore &store, qint64 job, const FileAnalysis &source, const RunPlan &plan, OrgConnection &org, RunOptions options,
                          const ExecutionOutput &output, const std::optional<PredictionSummary> &predicted = std::nullopt,
                          bool cancelAbandoned = false);
// A job's counts as JSON (rows, succeeded, failed, unknown, pending, lockErrors).
QJsonObject jobSummaryJson(const JobSummary &job);

// Runs (or, with `cancelAbandoned`, settles and cancels) job `job` through `org`, with progress on
// stderr, Ctrl-C cancelling, the report on stdout (text or JSON) and result files when asked;
// `predicted` (run only) stands beside what happened. Returns the exit status.
int executeJob(JobStore &store, qint64 job, const FileAnalysis &source, const RunPlan &plan, OrgConnection &org, RunOptions options,
               const ExecutionOutput &output, const std::optional<PredictionSummary> &predicted = std::nullopt,
               bool cancelAbandoned = false);

// Runs `first` as a retry of `job` (a child job, folded back), then — up to `passes` in all —
// the rows that hit a lock again, each pass after a full-jitter backoff. Each pass's report is
// printed as text unless output.json; the runs are returned for the caller's JSON.
Result<std::vector<JobRun>> runRetries(JobStore &store, const JobSummary &job, const FileAnalysis &source, PlannedRetry first,
                                       const Mitigation &mitigation, const PlanOptions &options, OrgConnection &org, int passes,
                                       const ExecutionOutput &output);

} // namespace lockstep::cli
