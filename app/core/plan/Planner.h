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
    std::optional<int> batchSize;             // default: the API's (Bulk: profile.bulkBatchRows)
    std::optional<int> concurrency;           // W; default: profile.bulkConcurrency
    bool disableBatchRetry = false;           // send Sforce-Disable-Batch-Retry (Bulk 1.0)
    // The client's pace between batch uploads (Bulk 1.0); default: profile.bulkUploadGapSeconds.
    std::optional<double> uploadGapSeconds;
    // Per lock key: children the record has in the org (a count query), when an org is
    // connected. The file's own count is the floor either way.
    std::shared_ptr<const std::vector<std::uint32_t>> orgChildren;
};

// The API, batch size and concurrency a mitigation resolves to under the options (defaults
// filled in, limits checked). Shared by the Planner and the instant estimate, so a slider
// shows the numbers of the plan it would build.
struct PlanSettings {
    Api api = Api::Bulk1Parallel;
    int batchRows = 0;            // rows per batch (Bulk 2.0, one job: the platform's internal batch)
    bool batchRowsGiven = false;  // chosen by the user or the mitigation, not a default
    bool jobPerBatch = false;     // Bulk 2.0: each batch an ingest job of its own (Plan::jobPerBatch)
    int availableConcurrency = 1; // W
    int concurrency = 1;          // what the plan uses (serial: 1)
    bool duplicateRulesActive = false;

    static Result<PlanSettings> resolve(const Mitigation &mitigation, const PlanOptions &options);
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
    const LockKeys &keys() const { return m_keys; }
    const PlanOptions &options() const { return m_options; }
    // Per key: children in the org (the file's count, or the org's when it says more).
    const std::shared_ptr<const std::vector<std::uint32_t>> &parentChildren() const { return m_children; }

    // Children per key as the file has them: rows that lock it.
    static std::vector<std::uint32_t> childrenInFile(const LockKeys &keys);

private:
    const LockKeys &m_keys;
    PlanOptions m_options;
    Components m_components;
    std::vector<std::uint32_t> m_fileChildren;                      // rows per key in the file
    std::shared_ptr<const std::vector<std::uint32_t>> m_children;   // the same, or the org's count when larger
    CancelToken m_cancel;
};

} // namespace lockstep
