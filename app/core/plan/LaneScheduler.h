#pragma once

#include "locks/LockKeys.h"
#include "plan/Components.h"
#include "plan/Plan.h"

namespace lockstep {

// Parent-aware lanes (lock-model.md §5): lays out a plan in which no two batches in flight
// share a lock key.
//  1. Components (union-find over lock keys) never contend with each other.
//  2. A component larger than one batch is a chain: its batches run one after another on a
//     dedicated lane (the safe default — calibration.md: nothing calibrates how long a roll-up
//     over thousands of children holds its parent). Chains go to lanes longest first, each to
//     the least loaded lane.
//  3. Every other component is packed whole into shared-queue batches, largest components
//     first, with batch sizes shrinking as the queue drains (guided self-scheduling: the
//     target is what is left divided by twice the workers), so whichever worker frees up
//     takes the next batch and the last batches are small: the run ends close to the bound
//     max(total work / W, largest component) instead of one straggler batch late. The
//     smallest batch is a quarter of a transaction, doubled while the uploads (one gap each)
//     would not be done by half-time — tiny files get fewer, larger batches.
class LaneScheduler {
public:
    struct Params {
        int batchRows = 2000;         // the largest batch (the API's batch size)
        int concurrency = 15;         // W: workers in flight
        int minBatchRows = 50;        // the smallest tail batch (a quarter of a 200-row transaction)
        double uploadGapSeconds = 0.3;   // per batch upload (Bulk 1.0); 0 for REST
        double rowSeconds = 0.027;    // expected work per row
        Api sharedApi = Api::Bulk1Parallel;
        Api laneApi = Api::Bulk1Serial;
    };

    // Fills plan.rows, plan.batches, plan.lanes and appends to plan.notes.
    static void layout(const Components &components, const LockKeys &keys, const Params &params, Plan &plan);
};

} // namespace lockstep
