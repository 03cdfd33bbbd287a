#pragma once

#include "locks/LockKeys.h"
#include "plan/Components.h"
#include "plan/Plan.h"

namespace lockstep {

// Parent-aware lanes (lock-model.md §5): lays out a plan in which no two batches in flight
// share a lock key.
//  1. Components (union-find over lock keys) never contend with each other.
//  2. A component larger than a batch of the shared queue is a chain on serial lanes of its
//     own (Bulk API serial jobs), on whichever worker is free, so a few large chains never pin
//     workers idle. A chain of one parent (a skewed Account) runs on k lanes side by side when
//     one lane would be the critical path: k transactions that only lock that parent cannot
//     deadlock, they only queue for it, and k is capped so that k − 1 holds of it (with margin
//     for their variation) stay well under the lock timeout. A chain over several parents
//     stays on one lane: two of its transactions could take two parents in opposite orders.
//  3. Every other component is packed whole into shared-queue batches, largest first, with
//     batch sizes shrinking as the queue drains (guided self-scheduling: what is left divided
//     by twice the workers): whichever worker frees up takes the next batch and the last
//     batches are small, so the run ends close to max(total work / W, largest component).
//  Piece and tail sizes trade evenness against upload gaps and API calls: each candidate is
//  played on the expected times and the fastest kept.
class LaneScheduler {
public:
    struct Params {
        int batchRows = 2000;         // the largest batch (the API's batch size)
        int concurrency = 15;         // W: workers in flight
        int minBatchRows = 50;        // the smallest tail batch (a quarter of a 200-row transaction)
        int chunkRows = 200;          // the smallest chain piece (one transaction)
        double uploadGapSeconds = 0.3;   // per batch upload (Bulk 1.0); 0 for REST
        double rowSeconds = 0.027;    // expected work per row
        double windowRowSeconds = 0.000621;   // per row, inside the lock window
        double lockTimeoutSeconds = 10;
        const std::vector<double> *parentHold = nullptr;   // per key: extra hold per transaction
        double targetSeconds = 0;     // the plan's lower bound: a chain should finish within it
        Api sharedApi = Api::Bulk1Parallel;
        Api laneApi = Api::Bulk1Serial;
    };

    // Fills plan.rows, plan.batches, plan.lanes and appends to plan.notes.
    static void layout(const Components &components, const LockKeys &keys, const Params &params, Plan &plan);

    // When batches of this much work and these lanes (-1: none), uploaded one gap apart in this
    // order, finish on `workers` workers with no variation and no waits.
    static double expectedFinish(const std::vector<double> &seconds, const std::vector<int> &lanes, int workers,
                                 double uploadGapSeconds);

    // How many lanes may carry a one-parent chain side by side: waits behind k − 1 holds of
    // `holdSeconds` (one transaction's hold of the parent), × 1.35 for their variation, stay
    // under 60 % of the lock timeout.
    static int safeWidth(double holdSeconds, double lockTimeoutSeconds);
};

} // namespace lockstep
