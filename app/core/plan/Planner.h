#pragma once

#include "common/Error.h"
#include "common/Progress.h"
#include "locks/LockKeys.h"
#include "plan/Components.h"
#include "plan/Plan.h"
#include "sim/OrgProfile.h"

#include <optional>

namespace lockstep {

struct PlanOptions {
    OrgProfile profile;                       // limits, defaults, the work per row
    QString object = QStringLiteral("Opportunity");
    Operation operation = Operation::Update;
    std::optional<Api> api;                   // default: Bulk 1.0 (REST for small batches ≤ 200)
    int batchSize = 0;                        // 0 = the API's default (Bulk: profile.bulkBatchRows)
    int concurrency = 0;                      // W; 0 = profile.bulkConcurrency
    bool disableBatchRetry = false;           // send Sforce-Disable-Batch-Retry (Bulk 1.0)
};

// Builds the plan a mitigation stands for (lock-model.md §4, §5). Value types in and out;
// the components of the file are computed once per Planner, so planning every mitigation of a
// comparison costs one union-find. Keeps a reference to `keys`: it must outlive the Planner.
class Planner {
public:
    Planner(const LockKeys &keys, PlanOptions options, const CancelToken &cancel = {});

    // Errors (ErrorKind::Usage) for an empty file, a batch size of 0 or over the API's limit, a
    // concurrency of 0 or over the limit, and combinations the API cannot run. `auto` is chosen
    // by prediction: see AutoPlanner (predict/).
    Result<Plan> plan(const Mitigation &mitigation) const;

    static Result<Plan> plan(const LockKeys &keys, const Mitigation &mitigation, const PlanOptions &options);

    const Components &components() const { return m_components; }
    const PlanOptions &options() const { return m_options; }

private:
    const LockKeys &m_keys;
    PlanOptions m_options;
    Components m_components;
    CancelToken m_cancel;
};

} // namespace lockstep
