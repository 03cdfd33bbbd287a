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
    int runs = 0;                  // seeds predicted
    std::uint64_t firstSeed = 1;   // seeds firstSeed, firstSeed + 1, …
    double lockErrorRows = 0;      // mean over seeds
    double lockErrorRowsSd = 0;    // spread of one run
    double lockErrorRowsSe = 0;    // standard error of the mean: sd / √runs
    double durationSeconds = 0;
    double durationSd = 0;
    double durationSe = 0;
    double apiCalls = 0;
    double deadlocks = 0;
    double lockWaits = 0;
    double lowerBoundSeconds = 0;
    double ratioToBound = 0;       // mean duration / lower bound
    bool boundIsHotParent = false;     // the bound is the hottest parent's holds, not total work / W
    double computeSeconds = 0;     // mean time of one prediction

    // Stable enough to show: the standard errors are under the policy's target.
    bool stable = false;

    QJsonObject toJson() const;
};

// How many seeds a shown figure needs. Lock errors come in 200-row lumps and a skewed file's
// mean moves by 20 % between 5 and 20 seeds: run at least minSeeds, then more until the
// standard error of the mean lock errors and duration is under targetRelativeError of the mean
// (an error mean under 500 rows needs a standard error under 25 rows: an eighth of a lump),
// at most maxSeeds. Seeds are firstSeed, firstSeed + 1, …, so every view of a plan (the
// prediction panel, the comparison, the CLI) computes exactly the same figure.
struct SeedPolicy {
    std::uint64_t firstSeed = 1;
    int minSeeds = 5;
    int maxSeeds = 40;
    double targetRelativeError = 0.05;

    // Fixed seeds (calibration tests): exactly `count` of them.
    static SeedPolicy fixed(int count, std::uint64_t first = 1) { return {first, count, count, 0.0}; }
    // The standard errors are under the target (needs 2 seeds at least), each judged with the
    // 90 % upper confidence bound of the spread: a handful of seeds understates a lumpy spread
    // (case A, Bulk 2.0 small:500: five seeds said ±934 rows where two hundred say ±1,507, and
    // the five-seed mean stopped 3.5 % above the 200-seed one — a third of calibration.md's
    // 15 % tolerance gone before the run said anything). Now that case runs ~15 seeds.
    bool precise(const PredictionSummary &s) const;
    // Stop adding seeds: at least minSeeds, and precise or at maxSeeds.
    bool enough(const PredictionSummary &s) const;
};

struct CompareOptions {
    PlanOptions plan;
    std::vector<Mitigation> mitigations;                  // empty: Mitigation::comparisonSet
    SeedPolicy seeds;
};

// One plan's figure: the means over seeds, and the run that stands for them (closest to the
// mean errors and duration), with every detail (timeline, rows, parents) for the views.
struct StablePrediction {
    PredictionSummary summary;
    Prediction representative;
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

    // One plan, seeds as the policy says; details are kept for the representative run only.
    static Result<StablePrediction> predict(const Plan &plan, const LockKeys &keys, const OrgProfile &profile,
                                            const SeedPolicy &seeds, const Progress &progress = {});
};

} // namespace lockstep
