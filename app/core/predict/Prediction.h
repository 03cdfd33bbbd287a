#pragma once

#include "locks/LockKeys.h"
#include "sim/LockTable.h"

#include <QJsonObject>

#include <cstdint>
#include <vector>

namespace lockstep {

enum class RowOutcome : std::uint8_t {
    Ok,             // committed
    LockError,      // UNABLE_TO_LOCK_ROW (deadlock, or a wait that timed out)
    NotProcessed,   // its Bulk batch used up its re-queues and was marked failed
};

// One batch of the plan as the predictor ran it.
struct BatchRun {
    double uploaded = 0;         // available to the server
    double start = -1;           // first pass started
    double end = -1;             // last pass ended (REST: response back at the client)
    int worker = -1;             // the worker that ran its last pass (the timeline's lane)
    int passes = 0;              // 1 + Bulk re-queues
    std::uint32_t lockErrors = 0;
    std::uint32_t waits = 0;
};

// Something the timeline of a run marks.
struct TimelineEvent {
    enum class Kind : std::uint8_t { Wait, Deadlock, Timeout, Requeue };
    Kind kind = Kind::Wait;
    int worker = 0;
    double time = 0;             // when it started (a wait) or happened
    double seconds = 0;          // how long (waits)
    LockKey key = LockTable::noKey;
    qint64 batch = 0;
};

// What a plan is predicted to do, from one virtual-time run (one seed).
struct Prediction {
    std::uint64_t seed = 0;
    double durationSeconds = 0;
    qint64 rows = 0;
    qint64 okRows = 0;
    qint64 lockErrorRows = 0;
    qint64 notProcessedRows = 0;
    qint64 deadlocks = 0;        // refused requests (each fails its transaction)
    qint64 timeouts = 0;         // waits that ran out
    qint64 lockWaits = 0;        // requests that queued
    qint64 transactions = 0;     // attempts, retries included
    qint64 requeues = 0;         // Bulk batch rests put back on the queue
    qint64 apiCalls = 0;
    double lowerBoundSeconds = 0;
    double ratioToBound = 0;     // duration / lower bound
    double computeSeconds = 0;   // how long the prediction itself took

    // Per file row (empty unless recorded).
    std::vector<RowOutcome> rowOutcome;
    std::vector<std::uint8_t> rowWaits;      // lock waits of the row's transaction(s), saturating at 255
    // Per lock key: requests that queued, requests that failed (deadlock or timeout).
    std::vector<std::uint32_t> keyWaits;
    std::vector<std::uint32_t> keyFailures;
    std::vector<BatchRun> batches;
    std::vector<TimelineEvent> timeline;
    bool timelineTruncated = false;

    // The parents with the most failed lock requests (then waits), at most `count`.
    std::vector<LockKey> mostContended(int count) const;
    QJsonObject toJson(const LockKeys *keys = nullptr, int topParents = 10) const;
};

} // namespace lockstep
