#pragma once

#include "common/Error.h"
#include "common/Progress.h"
#include "plan/Planner.h"
#include "predict/Prediction.h"

#include <vector>

namespace lockstep {

// One mitigation predicted on several seeds: means (and spreads) of the totals. Lock errors come
// in 200-row lumps, so a single seed is too noisy to compare plans on (calibration.md).
struct PredictionSummary {
    Mitigation mitigation;
    bool planned = false;          // false: the mitigation cannot run with these options (see error)
    Error error;
    Api api = Api::Bulk1Parallel;
    int batchSize = 0;
    qint64 batches = 0;
    int concurrency = 1;
    int runs = 0;
    double lockErrorRows = 0;      // mean over seeds
    double lockErrorRowsSd = 0;
    double durationSeconds = 0;
    double durationSd = 0;
    double apiCalls = 0;
    double deadlocks = 0;
    double lockWaits = 0;
    double lowerBoundSeconds = 0;
    double ratioToBound = 0;       // mean duration / lower bound
    bool boundIsHotParent = false;     // the bound is the hottest parent's holds, not total work / W
    double computeSeconds = 0;     // mean time of one prediction

    QJsonObject toJson() const;
};

struct CompareOptions {
    PlanOptions plan;
    std::vector<Mitigation> mitigations;                  // empty: Mitigation::comparisonSet
    std::vector<std::uint64_t> seeds{1, 2, 3, 4, 5};
};

// Plans and predicts every mitigation on every seed (components computed once), for
// `predict --compare`, the comparison chart and auto. Cancellable; progress per prediction.
class Comparison {
public:
    static Result<std::vector<PredictionSummary>> run(const LockKeys &keys, const CompareOptions &options,
                                                      const Progress &progress = {});
    static Result<std::vector<PredictionSummary>> run(const Planner &planner, const CompareOptions &options,
                                                      const Progress &progress = {});
    static PredictionSummary summarize(const Plan &plan, const std::vector<Prediction> &runs);
};

} // namespace lockstep
