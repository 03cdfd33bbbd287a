#include "predict/Predictor.h"

#include "common/Hash.h"
#include "common/Random.h"
#include "plan/BatchQueue.h"
#include "plan/Planner.h"
#include "plan/PollSchedule.h"
#include "sim/LockTable.h"
#include "sim/SavePolicy.h"
#include "sim/TransactionModel.h"

#include <QElapsedTimer>

#include <algorithm>
#include <queue>

namespace lockstep {

namespace {

// A Bulk 2.0 job's calls, each one round trip: create, upload and close before the platform
// runs it; the successful and failed results after it is seen done.
constexpr int kBulk2CallsBeforeRun = 3;
constexpr int kBulk2ResultCalls = 2;

enum class EventKind : std::uint8_t {
    Step,          // the worker's transaction reaches its next lock request, or its commit
    Timeout,       // the worker's wait for a lock runs out (stale unless gen matches)
    Wake,          // the worker looks for work
    CallArrives,   // a REST call reaches the server: its transaction starts
};

struct Event {
    double time;
    std::uint64_t seq;
    std::uint32_t worker;
    std::uint32_t gen;
    EventKind kind;

    bool operator>(const Event &o) const { return time != o.time ? time > o.time : seq > o.seq; }
};

struct Worker {
    // The batch pass it runs.
    std::int64_t batch = -1;
    std::uint32_t cursor = 0;          // next unprocessed row of the batch (offset)
    std::int64_t passFailed = 0;       // lock-failed rows in this pass
    int requeues = 0;
    int pass = 0;
    // The chunk and its current attempt.
    std::vector<std::uint32_t> chunk;  // file rows still in play
    std::uint32_t chunkStart = 0;
    int attempt = 0;
    int chunkWaits = 0;
    TransactionScript script;
    std::size_t step = 0;
    TxId tx = LockTable::noTx;
    bool waiting = false;
    double waitStart = 0;
    std::uint32_t gen = 0;
    bool idle = false;
    int releaseLane = -1;              // REST, Bulk 2.0 jobs: the lane to free when the client knows
    double closedAt = 0;               // Bulk 2.0 jobs: when the client closed the job it waits on
};

class Simulation {
public:
    Simulation(const Plan &plan, const LockKeys &keys, const PredictOptions &options, const Progress &progress)
        : m_plan(plan), m_keys(keys), m_options(options), m_profile(options.profile), m_progress(progress),
          m_model(options.profile, {plan.object, plan.operation, plan.duplicateRulesActive}), m_policy(m_profile),
          m_poll(PollSchedule::of(options.profile))
    {
    }

    Result<Prediction> run();

private:
    std::span<const LockKey> keysOf(std::uint32_t row) const { return m_keys.keysOf(row); }
    bool isRest() const { return m_plan.api == Api::RestCollections; }
    // Bulk 2.0, a job per batch: a worker is one of the client's open jobs, which the platform
    // runs as one internal batch on a server worker of its own (no more jobs are open than W).
    bool jobPerBatch() const { return m_plan.api == Api::Bulk2 && m_plan.jobPerBatch; }
    double roundTrip() const { return m_profile.restRoundTripSeconds; }

    void schedule(std::uint32_t w, double time, EventKind kind)
    {
        m_events.push({time, m_seq++, w, m_workers[w].gen, kind});
    }
    void pickWork(std::uint32_t w, double now);
    void startPass(std::uint32_t w, const BatchQueue::Entry &p, double now);
    void startChunk(std::uint32_t w, double now);
    void startAttempt(std::uint32_t w, double now);
    void onStep(std::uint32_t w, double now);
    void advance(std::uint32_t w, double now);
    void onTimeout(std::uint32_t w, double now);
    void endTransaction(std::uint32_t w, double now);
    void attemptFailed(std::uint32_t w, double now, LockKey key);
    void chunkDone(std::uint32_t w, double now);
    void batchDone(std::uint32_t w, double now);
    void wakeIdle(double now);
    void mark(std::uint32_t row, RowOutcome outcome, int waits);
    void note(TimelineEvent::Kind kind, std::uint32_t w, double time, double seconds, LockKey key)
    {
        if (!m_options.recordTimeline)
            return;
        if (m_result.timeline.size() >= m_options.maxTimelineEvents) {
            m_result.timelineTruncated = true;
            return;
        }
        m_result.timeline.push_back({kind, int(w), time, seconds, key, m_workers[w].batch});
    }

    const Plan &m_plan;
    const LockKeys &m_keys;
    const PredictOptions &m_options;
    const OrgProfile &m_profile;
    const Progress &m_progress;
    const TransactionModel m_model;
    const SavePolicy m_policy;
    const PollSchedule m_poll;

    LockTable m_table;
    std::vector<Worker> m_workers;
    std::vector<std::uint32_t> m_workerOfTx;
    BatchQueue m_queue;
    std::priority_queue<Event, std::vector<Event>, std::greater<>> m_events;
    std::uint64_t m_seq = 0;
    std::uint64_t m_pendingSeq = 0;
    std::vector<LockTable::Grant> m_grants;
    std::vector<std::uint64_t> m_seen;
    std::vector<bool> m_failed;
    std::vector<std::uint32_t> m_children;   // per key: children in the org (the plan's, else the file's)
    Prediction m_result;
    qint64 m_polls = 0;                     // Bulk 2.0: status calls until each job was seen done
    qint64 m_rowsDone = 0;
    double m_end = 0;
};

void Simulation::mark(std::uint32_t row, RowOutcome outcome, int waits)
{
    ++m_rowsDone;
    switch (outcome) {
    case RowOutcome::Ok: ++m_result.okRows; break;
    case RowOutcome::LockError: ++m_result.lockErrorRows; break;
    case RowOutcome::NotProcessed: ++m_result.notProcessedRows; break;
    }
    if (m_options.recordRows) {
        m_result.rowOutcome[row] = outcome;
        m_result.rowWaits[row] = std::uint8_t(std::min(waits, 255));
    }
}

void Simulation::wakeIdle(double now)
{
    for (std::uint32_t w = 0; w < m_workers.size(); ++w)
        if (m_workers[w].idle) {
            m_workers[w].idle = false;
            schedule(w, now, EventKind::Wake);
        }
}

void Simulation::pickWork(std::uint32_t w, double now)
{
    if (const auto entry = m_queue.take(now)) {
        startPass(w, *entry, now);
        return;
    }
    const double next = m_queue.nextAvailable();
    if (next != BatchQueue::never)
        schedule(w, next, EventKind::Wake);
    else
        m_workers[w].idle = true;   // a lane freeing up or a re-queue brings work back
}

void Simulation::startPass(std::uint32_t w, const BatchQueue::Entry &p, double now)
{
    Worker &worker = m_workers[w];
    worker.batch = p.batch;
    worker.cursor = p.offset;
    worker.requeues = p.requeues;
    worker.passFailed = 0;
    worker.pass = p.requeues;
    BatchRun &run = m_result.batches[p.batch];
    ++run.passes;
    if (run.start < 0)
        run.start = now;
    if (isRest()) {
        schedule(w, now + roundTrip() / 2, EventKind::CallArrives);
    } else if (jobPerBatch()) {
        // Create, upload, close: the platform queues the job's one batch when the close lands.
        worker.closedAt = now + kBulk2CallsBeforeRun * roundTrip();
        run.uploaded = worker.closedAt;
        schedule(w, worker.closedAt, EventKind::CallArrives);
    } else {
        startChunk(w, now);
    }
}

void Simulation::startChunk(std::uint32_t w, double now)
{
    Worker &worker = m_workers[w];
    const PlanBatch &batch = m_plan.batches[size_t(worker.batch)];
    // A REST call is one transaction; a Bulk batch is processed chunk by chunk.
    const std::uint32_t left = batch.rows - worker.cursor;
    const std::uint32_t n = isRest() ? left : std::min<std::uint32_t>(left, std::uint32_t(m_profile.chunkRows));
    const auto rows = m_plan.rowsOf(batch);
    worker.chunk.assign(rows.begin() + worker.cursor, rows.begin() + worker.cursor + n);
    worker.chunkStart = worker.cursor;
    worker.cursor += n;
    worker.attempt = 0;
    worker.chunkWaits = 0;
    startAttempt(w, now);
}

void Simulation::startAttempt(std::uint32_t w, double now)
{
    Worker &worker = m_workers[w];
    ++worker.attempt;
    // Its own stream: (seed, batch, chunk, pass, attempt).
    const std::uint64_t stream = mix64(m_options.seed * 0x9E3779B97F4A7C15ULL ^
                                       mix64((std::uint64_t(worker.batch) << 32) ^ (std::uint64_t(worker.chunkStart) << 8) ^
                                             (std::uint64_t(worker.pass) << 4) ^ std::uint64_t(worker.attempt)));
    Random random(stream);
    const auto &chunk = worker.chunk;
    m_model.scriptInto(
        std::uint32_t(chunk.size()), [&](std::uint32_t i) { return keysOf(chunk[i]); },
        [&](LockKey key) { return key < m_children.size() ? std::int64_t(m_children[key]) : std::int64_t(0); }, random,
        worker.script, m_seen);
    worker.tx = m_table.begin();
    if (worker.tx >= m_workerOfTx.size())
        m_workerOfTx.resize(size_t(worker.tx) + 1);
    m_workerOfTx[worker.tx] = w;
    worker.step = 0;
    ++m_result.transactions;
    const double first = worker.script.locks.empty() ? worker.script.workAfterLocks : worker.script.locks[0].workBefore;
    schedule(w, now + first, EventKind::Step);
}

void Simulation::advance(std::uint32_t w, double now)
{
    Worker &worker = m_workers[w];
    ++worker.step;
    const auto &locks = worker.script.locks;
    schedule(w, now + (worker.step < locks.size() ? locks[worker.step].workBefore : worker.script.workAfterLocks),
             EventKind::Step);
}

void Simulation::onStep(std::uint32_t w, double now)
{
    Worker &worker = m_workers[w];
    const auto &locks = worker.script.locks;
    if (worker.step >= locks.size()) {   // commit
        endTransaction(w, now);
        for (const auto row : worker.chunk)
            mark(row, RowOutcome::Ok, worker.chunkWaits);
        chunkDone(w, now);
        return;
    }
    const LockKey key = locks[worker.step].key;
    switch (m_table.request(worker.tx, key)) {
    case LockTable::Request::Granted:
        advance(w, now);
        break;
    case LockTable::Request::Queued:
        worker.waiting = true;
        worker.waitStart = now;
        ++worker.gen;
        ++worker.chunkWaits;
        ++m_result.lockWaits;
        ++m_result.keyWaits[key];
        ++m_result.batches[size_t(worker.batch)].waits;
        schedule(w, now + m_profile.lockTimeoutSeconds, EventKind::Timeout);
        break;
    case LockTable::Request::Deadlock:
        ++m_result.deadlocks;
        ++m_result.keyFailures[key];
        note(TimelineEvent::Kind::Deadlock, w, now, 0, key);
        attemptFailed(w, now, key);
        break;
    }
}

void Simulation::onTimeout(std::uint32_t w, double now)
{
    Worker &worker = m_workers[w];
    const LockKey key = worker.script.locks[worker.step].key;
    worker.waiting = false;
    ++worker.gen;
    m_table.abandonWait(worker.tx);
    ++m_result.timeouts;
    ++m_result.keyFailures[key];
    note(TimelineEvent::Kind::Timeout, w, worker.waitStart, now - worker.waitStart, key);
    attemptFailed(w, now, key);
}

void Simulation::endTransaction(std::uint32_t w, double now)
{
    m_grants.clear();
    m_table.end(m_workers[w].tx, &m_grants);
    m_workers[w].tx = LockTable::noTx;
    for (const auto &g : m_grants) {
        const std::uint32_t other = m_workerOfTx[g.tx];
        Worker &o = m_workers[other];
        o.waiting = false;
        ++o.gen;   // its timeout is stale now
        note(TimelineEvent::Kind::Wait, other, o.waitStart, now - o.waitStart, g.key);
        advance(other, now);
    }
}

void Simulation::attemptFailed(std::uint32_t w, double now, LockKey key)
{
    Worker &worker = m_workers[w];
    endTransaction(w, now);   // rollback
    const auto &chunk = worker.chunk;
    const std::uint32_t n = std::uint32_t(chunk.size());
    const std::uint32_t failedCount =
        m_policy.failedRows(n, [&](std::uint32_t i) { return keysOf(chunk[i]); }, key, m_failed);
    std::vector<std::uint32_t> rest;
    rest.reserve(n - failedCount);
    for (std::uint32_t i = 0; i < n; ++i) {
        if (m_failed[i])
            mark(chunk[i], RowOutcome::LockError, worker.chunkWaits);
        else
            rest.push_back(chunk[i]);
    }
    worker.passFailed += failedCount;
    m_result.batches[size_t(worker.batch)].lockErrors += failedCount;
    if (m_policy.retryRest(worker.attempt, std::uint32_t(rest.size()))) {
        worker.chunk = std::move(rest);
        startAttempt(w, now);
        return;
    }
    // Out of attempts: the statement never committed, so its remaining rows fail too.
    for (const auto row : rest)
        mark(row, RowOutcome::LockError, worker.chunkWaits);
    worker.passFailed += std::int64_t(rest.size());
    m_result.batches[size_t(worker.batch)].lockErrors += std::uint32_t(rest.size());
    chunkDone(w, now);
}

void Simulation::chunkDone(std::uint32_t w, double now)
{
    Worker &worker = m_workers[w];
    if (isRest()) {   // one transaction per call; the response travels back
        const double back = now + m_profile.restRoundTripSeconds / 2;
        m_result.batches[size_t(worker.batch)].end = back;
        m_result.batches[size_t(worker.batch)].worker = int(w);
        m_end = std::max(m_end, back);
        // The client sends a lane's next call only once this one's response is back.
        worker.releaseLane = m_plan.batches[size_t(worker.batch)].lane;
        worker.batch = -1;
        schedule(w, back, EventKind::Wake);
        return;
    }
    const PlanBatch &batch = m_plan.batches[size_t(worker.batch)];
    const bool retryDisabled = m_plan.disableBatchRetry && m_plan.api != Api::Bulk2;
    switch (m_policy.afterBulkChunk(worker.passFailed, worker.requeues, retryDisabled)) {
    case SavePolicy::BulkNext::Continue:
        if (worker.cursor < batch.rows) {
            startChunk(w, now);
            return;
        }
        break;
    case SavePolicy::BulkNext::Requeue:
        if (worker.cursor < batch.rows && jobPerBatch()) {
            // The job's only batch goes back on the org's queue, where a server worker is free
            // (no more jobs are open than workers): its next pass starts at once.
            ++worker.requeues;
            worker.pass = worker.requeues;
            worker.passFailed = 0;
            ++m_result.batches[size_t(worker.batch)].passes;
            ++m_result.requeues;
            note(TimelineEvent::Kind::Requeue, w, now, 0, LockTable::noKey);
            startChunk(w, now);
            return;
        }
        if (worker.cursor < batch.rows) {
            m_queue.push({now, m_pendingSeq++, std::uint32_t(worker.batch), worker.cursor, worker.requeues + 1, batch.lane});
            ++m_result.requeues;
            note(TimelineEvent::Kind::Requeue, w, now, 0, LockTable::noKey);
        }
        break;
    case SavePolicy::BulkNext::FailRest: {
        const auto rows = m_plan.rowsOf(batch);
        for (std::uint32_t i = worker.cursor; i < batch.rows; ++i)
            mark(rows[i], RowOutcome::NotProcessed, 0);
        worker.cursor = batch.rows;
        break;
    }
    }
    batchDone(w, now);
}

void Simulation::batchDone(std::uint32_t w, double now)
{
    Worker &worker = m_workers[w];
    BatchRun &run = m_result.batches[size_t(worker.batch)];
    run.end = now;
    run.worker = int(w);
    if (jobPerBatch()) {
        // The client sees the job done at its next poll, reads the two result files, and only
        // then sends the lane's next job.
        const PollSchedule::Seen seen = m_poll.seen(worker.closedAt, now);
        m_polls += seen.polls;
        const double known = seen.at + kBulk2ResultCalls * roundTrip();
        m_end = std::max(m_end, known);
        worker.releaseLane = m_plan.batches[size_t(worker.batch)].lane;
        worker.batch = -1;
        schedule(w, known, EventKind::Wake);
        return;
    }
    m_end = std::max(m_end, now);
    m_queue.release(m_plan.batches[size_t(worker.batch)].lane);
    worker.batch = -1;
    wakeIdle(now);
    pickWork(w, now);
}

Result<Prediction> Simulation::run()
{
    QElapsedTimer timer;
    timer.start();
    const qint64 rowCount = m_keys.rowCount();
    if (m_plan.rowCount() != rowCount)
        return fail(ErrorKind::Usage, QStringLiteral("the plan has %1 rows but the file has %2: plan this file first")
                                          .arg(m_plan.rowCount()).arg(rowCount));
    if (m_plan.concurrency < 1)
        return fail(ErrorKind::Usage, QStringLiteral("the plan's concurrency must be at least 1 (got %1)").arg(m_plan.concurrency));
    // A plan of other rows (a retry's, mapped to file rows, given with the retried rows' keys).
    if (std::any_of(m_plan.rows.begin(), m_plan.rows.end(), [&](std::uint32_t r) { return qint64(r) >= rowCount; }))
        return fail(ErrorKind::Usage, QStringLiteral("the plan names rows the file does not have: plan this file first"));
    if (auto valid = m_profile.validate(); !valid)
        return std::unexpected(valid.error());

    m_result.seed = m_options.seed;
    m_result.rows = rowCount;
    m_result.batches.assign(m_plan.batches.size(), {});
    m_result.keyWaits.assign(m_keys.keyCount(), 0);
    m_result.keyFailures.assign(m_keys.keyCount(), 0);
    if (m_options.recordRows) {
        m_result.rowOutcome.assign(size_t(rowCount), RowOutcome::NotProcessed);
        m_result.rowWaits.assign(size_t(rowCount), 0);
    }
    m_table.reserveKeys(m_keys.keyCount());
    m_workers.resize(size_t(m_plan.concurrency));

    m_children = m_plan.parentChildren ? *m_plan.parentChildren : Planner::childrenInFile(m_keys);
    // Uploads: Bulk 1.0 batches one gap apart (the client's pace) in plan order; REST and Bulk
    // 2.0 jobs as workers take them; one Bulk 2.0 job's internal batches all at once, when the
    // client has created the job, uploaded its rows and closed it.
    const double gap = (m_plan.api == Api::Bulk1Parallel || m_plan.api == Api::Bulk1Serial) ? m_plan.uploadGapSeconds : 0.0;
    const bool oneBulk2Job = m_plan.api == Api::Bulk2 && !m_plan.jobPerBatch;
    const double closed = oneBulk2Job ? kBulk2CallsBeforeRun * roundTrip() : 0.0;
    for (std::uint32_t i = 0; i < m_plan.batches.size(); ++i) {
        const double at = oneBulk2Job ? closed : gap * i;
        m_result.batches[i].uploaded = at;
        m_queue.push({at, m_pendingSeq++, i, 0, 0, m_plan.batches[i].lane});
    }
    for (std::uint32_t w = 0; w < m_workers.size(); ++w)
        schedule(w, 0, EventKind::Wake);

    std::uint64_t processed = 0;
    while (!m_events.empty()) {
        const Event e = m_events.top();
        m_events.pop();
        Worker &worker = m_workers[e.worker];
        switch (e.kind) {
        case EventKind::Wake:
            if (worker.releaseLane >= 0) {   // a REST response is back
                m_queue.release(worker.releaseLane);
                worker.releaseLane = -1;
                wakeIdle(e.time);
            }
            if (worker.batch < 0 && !worker.idle)
                pickWork(e.worker, e.time);
            break;
        case EventKind::CallArrives:
            startChunk(e.worker, e.time);
            break;
        case EventKind::Step:
            if (!worker.waiting)
                onStep(e.worker, e.time);
            break;
        case EventKind::Timeout:
            if (worker.waiting && e.gen == worker.gen)
                onTimeout(e.worker, e.time);
            break;
        }
        if ((++processed & 0xFFFF) == 0) {
            if (m_progress.cancelled())
                return fail(ErrorKind::Cancelled, QStringLiteral("prediction cancelled"));
            m_progress(m_rowsDone, rowCount, QStringLiteral("Predicting"));
        }
    }
    if (m_table.activeTransactions() != 0 || m_rowsDone != rowCount)
        return fail(ErrorKind::Internal, QStringLiteral("the prediction ended with %1 of %2 rows decided and %3 open "
                                                        "transactions (a bug)")
                                             .arg(m_rowsDone).arg(rowCount).arg(m_table.activeTransactions()));

    if (oneBulk2Job) {
        // The job is seen done at a poll after its last batch, then its results are read.
        const PollSchedule::Seen seen = m_poll.seen(closed, m_end);
        m_polls += seen.polls;
        m_end = seen.at + kBulk2ResultCalls * roundTrip();
    }
    m_result.durationSeconds = m_end;
    m_result.lowerBoundSeconds = m_plan.lowerBoundSeconds;
    m_result.ratioToBound = m_plan.lowerBoundSeconds > 0 ? m_end / m_plan.lowerBoundSeconds : 0;
    // A Bulk job is polled while it has work: from its first upload to its last batch's end.
    int lanes = 0;
    bool shared = false;
    for (const auto &b : m_plan.batches) {
        lanes = std::max(lanes, b.lane + 1);
        shared |= b.lane < 0;
    }
    std::vector<double> first(size_t(lanes) + 1, BatchQueue::never), last(size_t(lanes) + 1, 0.0);
    for (size_t i = 0; i < m_plan.batches.size(); ++i) {
        const int lane = m_plan.batches[i].lane;
        const size_t job = lane >= 0 ? size_t(lane) : size_t(lanes);
        first[job] = std::min(first[job], m_result.batches[i].uploaded);
        last[job] = std::max(last[job], m_result.batches[i].end);
    }
    std::vector<double> active;
    for (size_t j = 0; j < first.size(); ++j)
        if (j < size_t(lanes) || shared)
            active.push_back(first[j] == BatchQueue::never ? 0.0 : last[j] - first[j]);
    switch (m_plan.api) {
    case Api::Bulk2: m_result.apiCalls = Plan::kBulk2CallsPerJob * qint64(m_plan.jobCount()) + m_polls; break;
    case Api::Bulk1Parallel:
    case Api::Bulk1Serial: {
        // Create and close each job, upload each batch and read its results, and the status
        // calls of the runner's polling over the predicted upload and finish times.
        std::vector<PollSchedule::Batch> polled;
        polled.reserve(m_plan.batches.size());
        for (size_t i = 0; i < m_plan.batches.size(); ++i) {
            const int lane = m_plan.batches[i].lane;
            polled.push_back({lane >= 0 ? lane : lanes, m_result.batches[i].uploaded, m_result.batches[i].end});
        }
        std::stable_sort(polled.begin(), polled.end(), [](const auto &a, const auto &b) { return a.uploaded < b.uploaded; });
        m_result.apiCalls = 2 * qint64(m_plan.jobCount()) + 2 * qint64(m_plan.batches.size()) + m_poll.bulk1StatusCalls(polled);
        break;
    }
    case Api::RestCollections: m_result.apiCalls = m_plan.apiCalls(active, m_profile); break;
    }
    m_result.computeSeconds = double(timer.nsecsElapsed()) / 1e9;
    m_progress(rowCount, rowCount, QStringLiteral("Predicting"));
    return std::move(m_result);
}

} // namespace

Result<Prediction> Predictor::predict(const Plan &plan, const LockKeys &keys, const PredictOptions &options,
                                      const Progress &progress)
{
    Simulation simulation(plan, keys, options, progress);
    return simulation.run();
}

} // namespace lockstep
