#pragma once

#include "analysis/FileAnalysis.h"
#include "common/Error.h"
#include "job/JobRunner.h"
#include "job/RetryPolicy.h"
#include "plan/Plan.h"
#include "predict/Comparison.h"
#include "sim/OrgProfile.h"
#include "store/JobStore.h"

#include <functional>
#include <map>
#include <optional>

namespace lockstep {

// What turns a plan into a job and a job's failures into a retry — the steps the CLI (run,
// retry) and the window's Run and Results views share, with no printing and no widgets.

// What the job store keeps for each row: the parents it locks, as labels ("001…;001…").
std::function<QString(qint64)> parentLabelsOf(const LockKeys &keys);

// Where a job goes and how: the org as the store names it, its time scale, the upsert field.
struct JobTarget {
    QString orgName;          // the instance URL, or "demo:<folder>"
    double timeScale = 1;     // wall seconds per platform second (a demo org's scale)
    QString externalIdField;  // upsert
};

// Records `plan` of `source` as a new job (every row pending), with the source's size and
// hash, the plan and the profile it was predicted on. Returns the job's id.
Result<qint64> recordJob(JobStore &store, const FileAnalysis &source, const Plan &plan, const OrgProfile &profile, const JobTarget &target);

// Failed rows of a job to send again, their plan (on file rows) and its prediction.
struct PlannedRetry {
    std::vector<qint64> rows;
    Plan plan;
    std::optional<PredictionSummary> predicted;
    // "retry of job 3, pass 1: 2,345 failed rows as … — predicted 0 lock errors in 3.0 min"
    QString describe(qint64 job, int pass) const;
};
// The job's failed rows the selection names, planned with the mitigation (RetryPolicy) and
// predicted; no value when no row matches.
Result<std::optional<PlannedRetry>> planRetry(JobStore &store, qint64 job, const FileAnalysis &source, const RetrySelection &selection,
                                              const Mitigation &mitigation, const PlanOptions &options);
// Records `retry` as a child job of `original` (its outcomes fold back into the original's rows
// after each run: JobStore::foldRetry). Returns the child's id.
Result<qint64> recordRetryJob(JobStore &store, const JobSummary &original, const FileAnalysis &source, const PlannedRetry &retry);

// What one run (a first run, a resume, a retry, or the settling of an abandoned job) did.
struct JobRunResult {
    RunReport report;
    double wallSeconds = 0;
    double observedSeconds = 0;              // the org's seconds (a demo org's time is scaled)
    QString agreement;                       // predictionAgreement(): empty when none or they agree
    std::optional<JobSummary> original;      // a retry: the job it retried, its outcomes folded in
};
// What a JobRunner's `report`, after `wallSeconds`, comes to: the org's time (wall seconds /
// `timeScale` for a faster demo org; 0: as fast as it answers, not timed), the prediction beside
// it, and for a retry its answers folded into the job it retried (JobStore::foldRetry).
Result<JobRunResult> concludeRun(JobStore &store, qint64 job, Result<RunReport> report, double wallSeconds, double timeScale,
                                 const std::optional<PredictionSummary> &predicted);

// A warning when what a run did differs from its prediction beyond calibration.md's tolerance
// (±15 %) and two runs' spread, whichever is wider; empty when they agree. `timed`: the
// duration is comparable (a demo org running as fast as it can is not).
QString predictionAgreement(const PredictionSummary &predicted, const RunReport &report, double observedSeconds, bool timed);

// "UNABLE_TO_LOCK_ROW 1,200, DUPLICATES_DETECTED 3"
QString errorsText(const std::map<QString, qint64> &errors);

} // namespace lockstep
