#pragma once

#include "common/Error.h"
#include "common/Progress.h"
#include "locks/LockKeys.h"
#include "plan/Plan.h"
#include "predict/Prediction.h"
#include "sim/OrgProfile.h"

namespace lockstep {

struct PredictOptions {
    OrgProfile profile;
    std::uint64_t seed = 1;
    bool recordRows = true;          // per-row outcomes (2 bytes a row)
    bool recordTimeline = true;      // waits, deadlocks, timeouts, re-queues for the timeline
    std::size_t maxTimelineEvents = 200000;
};

// Plays a Plan against the lock engine in virtual time (a discrete-event simulation): the
// same TransactionModel, LockTable and SavePolicy the demo org runs on real threads.
//  - plan.concurrency workers; a worker runs its lane's batches in order, else takes the
//    oldest available batch of the shared queue (a parallel job's FIFO queue);
//  - Bulk 1.0 batches become available one upload gap apart; Bulk 2.0 all at once; a REST
//    call pays half the round trip each way around its transaction;
//  - a Bulk batch runs as consecutive chunks of chunkRows, each one transaction; a REST call
//    is one transaction;
//  - lock failures fail rows per SavePolicy (partial save), Bulk batch passes re-queue their
//    rest per SavePolicy (unless plan.disableBatchRetry on Bulk 1.0).
// Deterministic for a seed; every transaction draws from its own stream (seed, batch, chunk,
// attempt), so plans of one file are compared on common random numbers. Cancellable.
class Predictor {
public:
    static Result<Prediction> predict(const Plan &plan, const LockKeys &keys, const PredictOptions &options,
                                      const Progress &progress = {});
};

} // namespace lockstep
