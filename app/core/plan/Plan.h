#pragma once

#include "locks/LockKeys.h"
#include "locks/Operation.h"
#include "plan/Api.h"
#include "plan/Mitigation.h"

#include <QJsonObject>
#include <QStringList>

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace lockstep {

// One batch of a plan: a run of Plan::rows sent as one API batch (Bulk) or call (REST).
struct PlanBatch {
    static constexpr int kSharedQueue = -1;

    qint64 begin = 0;             // first index into Plan::rows
    std::uint32_t rows = 0;
    // kSharedQueue: any free worker takes it, oldest first (a parallel job's queue). A lane
    // index: batches of one lane run one at a time, in order (a serial job), each on whichever
    // worker is free.
    int lane = kSharedQueue;
    Api api = Api::Bulk1Parallel;
    double expectedSeconds = 0;   // server work, without waits or variation
};

// A serial lane (a serial job): one component whose batches must not run side by side
// (lanes plans), or the whole load (serial plans).
struct PlanLane {
    int index = 0;
    qint64 rows = 0;
    double expectedSeconds = 0;
    std::uint32_t mainKey = LockKeys::npos;   // the (largest) skewed parent it serialises
    QString reason;
    // Lanes of one group carry pieces of one skewed parent side by side (k at a time, where the
    // model keeps every wait for it well under the lock timeout); lanes of different groups
    // never share a key. -1: a lane of its own.
    int group = -1;
};

// What the Planner produces and the Predictor (and later the JobRunner) executes: rows in
// send order, cut into batches (Plan::rows is laid out in batch order); up to `concurrency`
// batches in flight, taken oldest first by whichever worker is free; batches of a lane one
// after another.
struct Plan {
    Mitigation mitigation;
    Api api = Api::Bulk1Parallel;
    QString object;
    Operation operation = Operation::Update;
    int batchSize = 0;
    int concurrency = 1;              // workers (batches in flight) this plan uses
    int availableConcurrency = 1;     // W the org offers; the lower bound divides by it
    bool duplicateRulesActive = false;   // on the object in the org, and left on by this plan
    bool duplicateRulesOff = false;      // the plan switches them off for the job
    bool disableBatchRetry = false;      // Sforce-Disable-Batch-Retry: true
    // Bulk API 2.0 has no serial mode and cuts a job into internal batches itself, so a plan
    // that must order its batches (serial, lanes, sort, small batches) sends every batch as an
    // ingest job of its own, no larger than one internal batch: the platform runs it as one
    // batch, chunk after chunk in order, and the client keeps `concurrency` jobs open at once
    // (a lane's jobs one after another). false: one job for every row (parallel).
    bool jobPerBatch = false;

    std::vector<std::uint32_t> rows;     // file row indices (0-based) in send order
    std::vector<PlanBatch> batches;      // in upload / send order
    std::vector<PlanLane> lanes;         // dedicated serial lanes (lanes plans only)

    // Per lock key: how many children the record has in the org (the file's count as a floor,
    // a count query's when an org is connected). A skewed parent's lock is held longer
    // (OrgProfile::parentHoldSecondsPerChild); the predictor and the bound read it here.
    std::shared_ptr<const std::vector<std::uint32_t>> parentChildren;
    // The client's pace: seconds between two batch uploads (Bulk 1.0); see ClientPace.
    double uploadGapSeconds = 0.3;

    // The lower bound for every plan that fails no row under the model: it can finish no sooner
    // than max(total work / W, the time its hottest parent must be held), where
    //  - total work is every row's work plus the skewed parents' extra hold, once per
    //    transaction that must touch them (at least ⌈rows / chunk⌉ each);
    //  - a parent's holds cannot overlap: every row that locks it spends its lock-window slice
    //    under it, and each transaction that takes it adds its extra hold.
    double rowSeconds = 0;               // expected server time per row
    double totalWorkSeconds = 0;         // with the skewed parents' least extra hold
    qint64 componentCount = 0;
    qint64 largestComponentRows = 0;
    std::uint32_t largestComponentKey = LockKeys::npos;
    double largestComponentSeconds = 0;  // its rows' work (one after another: what a serial lane takes)
    std::uint32_t hottestKey = LockKeys::npos;
    double hottestKeyHoldSeconds = 0;    // the least time that parent is held, all transactions together
    double lowerBoundSeconds = 0;
    bool boundIsHotParent() const { return hottestKeyHoldSeconds > totalWorkSeconds / std::max(1, availableConcurrency); }

    QStringList notes;                   // what the plan does and why, in words

    qint64 rowCount() const { return qint64(rows.size()); }
    std::span<const std::uint32_t> rowsOf(const PlanBatch &b) const { return {rows.data() + b.begin, b.rows}; }
    // Bulk jobs the plan opens: one per dedicated lane plus one for the shared queue (REST: 0);
    // a job per batch (jobPerBatch).
    int jobCount() const;
    // Calls a Bulk API 2.0 job costs besides its polls: create, upload, close, two result files.
    static constexpr int kBulk2CallsPerJob = 5;
    // API calls of a run: REST one per call; Bulk 1.0 per job create + close + a status poll
    // every statusPollSeconds while the job is active, per batch upload + result download;
    // Bulk 2.0 per job create, upload, close, two result downloads (successful and failed
    // records: together they name every processed row) and the polls.
    // `jobActiveSeconds[j]`: how long job j (lane j; the last one is the shared queue's) had
    // batches queued or running — the predictor measures it.
    qint64 apiCalls(const std::vector<double> &jobActiveSeconds, const OrgProfile &profile) const;
    // The same with every job active for the whole `durationSeconds` (an upper bound).
    qint64 apiCalls(double durationSeconds, const OrgProfile &profile) const;

    // `keys` names the parents; `withRows` adds each batch's 1-based file rows (a complete plan
    // for --out; large).
    QJsonObject toJson(const LockKeys *keys = nullptr, bool withRows = false) const;
};

} // namespace lockstep
