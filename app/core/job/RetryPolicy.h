#pragma once

#include "common/Error.h"
#include "common/Random.h"
#include "locks/LockKeys.h"
#include "plan/Planner.h"
#include "store/JobStore.h"

#include <QStringList>

#include <span>
#include <vector>

namespace lockstep {

// Which failed rows of a job go again. Every condition given must hold; none given: every
// failed row.
struct RetrySelection {
    QStringList codes;              // status codes (UNABLE_TO_LOCK_ROW, …); empty: any
    QStringList parents;            // lock keys, as Ids or as keyLabel() shows them; a row matches one it locks
    std::vector<int> batches;       // the job's batch numbers (as `show` lists them)
    int minAttempts = 0;            // carried at least this many times
    std::vector<qint64> rows;       // explicit 0-based file rows; empty: any

    // The lock-only retry: rows the org refused because a parent was locked.
    static RetrySelection lockErrors() { return RetrySelection{{QStringLiteral("UNABLE_TO_LOCK_ROW")}, {}, {}, 0, {}}; }
};

// A plan of some rows of a file. The predictor works on rows 0…n−1 of the keys it is given, so
// the plan is kept on the retried rows' own keys; the job runs it mapped back to file rows.
struct RetryPlan {
    LockKeys keys;                  // the retried rows' keys: row i here is fileRows[i] of the file
    Plan plan;                      // over `keys` (what Comparison::predict takes)
    std::vector<qint64> fileRows;

    Plan forFile() const;           // Plan::rows as file rows (what JobRunner::batchesOf takes)
};

// What goes again after a load, and how (lock-model.md §6): only rows the org did not write —
// failed rows; never a succeeded row, and never an unknown one, whose write may have committed
// (the Reconciler settles those first) — planned afresh on their own lock keys, so rows that
// share a parent run in one lane instead of colliding again. Each retry is a job of its own,
// child of the job it retries (JobStore::createRetryJob), its outcomes folded back into the
// original's rows (JobStore::foldRetry).
class RetryPolicy {
public:
    // The job's failed rows that match, in file order. Names that match no lock key of the file
    // and batch numbers the job does not have are errors (Usage), so a typo retries nothing.
    static Result<std::vector<qint64>> select(JobStore &store, qint64 job, const RetrySelection &selection, const LockKeys &keys);

    // The plan a mitigation makes of these rows alone: the planner on their lock keys, with each
    // parent's children counted over the whole file (the org has them all, and a skewed
    // parent's lock is held as long as its children make it).
    static Result<RetryPlan> plan(const LockKeys &keys, std::span<const qint64> rows, const Mitigation &mitigation, PlanOptions options);

    // Full-jitter backoff before retry pass `pass` (1, 2, …): uniform in [0, min(cap, base·2^(pass−1))],
    // so retries of many clients spread out instead of arriving together (the retry storm).
    static double backoffSeconds(int pass, Random &random, double baseSeconds = 2, double capSeconds = 60);
};

} // namespace lockstep
