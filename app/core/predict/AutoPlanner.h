#pragma once

#include "predict/Comparison.h"

namespace lockstep {

struct AutoOptions {
    CompareOptions compare;          // mitigations empty: the comparison set plus lanes without duplicate rules
    qint64 apiCallBudget = 0;        // the most API calls the job may spend; 0 = no limit
};

struct AutoChoice {
    Plan plan;                                  // the chosen plan
    PredictionSummary chosen;
    std::vector<PredictionSummary> candidates;  // everything weighed, in the order tried
    QString reason;                             // one sentence for the user
};

// Mitigation "auto": predicts every candidate and takes the fewest lock errors, then the
// shortest duration, then the fewest API calls, among those within the API-call budget.
// It lives in predict/ because choosing needs the predictor; the Planner builds the plan.
class AutoPlanner {
public:
    static Result<AutoChoice> choose(const LockKeys &keys, const AutoOptions &options, const Progress &progress = {});
    static Result<AutoChoice> choose(const Planner &planner, const AutoOptions &options, const Progress &progress = {});
};

} // namespace lockstep
