#pragma once

#include "common/Error.h"
#include "locks/LockKeys.h"
#include "plan/Components.h"
#include "plan/Planner.h"

namespace lockstep {

// The closed-form numbers of lock-model.md §3, for a slider: microseconds per call once the
// file's statistics are known. The predictor's numbers are the ones Lockstep commits to.
struct InstantEstimate {
    double collisionProbability = 0;   // a transaction meets a key another in-flight one holds
    double lockErrorRows = 0;          // N · κ · (W − 1) · w
    double kappa = 0;                  // κ for this file, order and transaction size
    double windowShare = 0;            // w: share of a worker's time spent holding parent locks
    double sharedKeys = 0;             // λ = μ · r²: keys two transactions have in common
    double durationSeconds = 0;        // rough: work / W plus call overhead, or the serial lane
    qint64 apiCalls = 0;
    int transactionRows = 0;           // r
    int concurrency = 1;               // W
    // A skewed parent's lock saturates (more hold asked of it than time passes): the errors
    // on it come from the saturation term below, not from κ.
    double skewedErrorRows = 0;
    double hottestUtilisation = 0;     // ρ of the hottest skewed parent
    // A skewed parent saturates: the closed form's duration leaves out the re-queued passes and
    // its errors are rough for small transactions (timeouts, not deadlocks) — say "rough".
    bool rough = false;
};

// Computes a file's statistics once (μ = Σ a_j², a_j the share of rows locking key j; the
// largest component), then estimates any mitigation in O(1).
class InstantEstimator {
public:
    InstantEstimator(const LockKeys &keys, const Components &components);

    Result<InstantEstimate> estimate(const Mitigation &mitigation, const PlanOptions &options) const;

    double mu() const { return m_mu; }

private:
    // A parent with more children than the profile's hold threshold could ever be, kept with
    // its share of the file's rows and its children (the file's count; the org's when known).
    struct Skewed {
        std::uint32_t key;
        double share;
        std::uint32_t children;
    };
    std::vector<Skewed> m_skewed;
    qint64 m_rows = 0;
    double m_mu = 0;
    qint64 m_largestComponent = 0;
    qint64 m_parents = 0;   // groups of a per-parent queue: first keys, plus rows without one
};

} // namespace lockstep
