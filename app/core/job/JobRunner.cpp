#include "job/JobRunner.h"

#include "job/DuplicateRuleSwitch.h"
#include "job/Reconciler.h"
#include "load/CsvWriter.h"
#include "plan/BatchQueue.h"
#include "plan/PollSchedule.h"

#include <QHash>
#include <QSet>

#include <condition_variable>
#include <ctime>
#include <future>
#include <thread>
#include <unistd.h>

namespace lockstep {

namespace {

using Clock = std::chrono::steady_clock;

// Sleeps until `until` in slices, so Cancel is honoured within ~50 ms; false when cancelled.
Clock::duration wallSeconds(double platformSeconds, double scale)
{
    return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(platformSeconds * scale));
}

bool sleepUntil(Clock::time_point until, const CancelToken &cancel)
{
    while (Clock::now() < until) {
        if (cancel.isCancelled())
            return false;
        std::this_thread::sleep_for(std::min<Clock::duration>(until - Clock::now(), std::chrono::milliseconds(50)));
    }
    return !cancel.isCancelled();
}

RowRecord recordOf(const RecordResult &r)
{
    RowRecord out;
    out.status = r.success ? RowStatus::Succeeded : RowStatus::Failed;
    out.recordId = r.id;
    out.created = r.created;
    if (!r.errors.empty()) {
        out.statusCode = r.errors.front().statusCode;
        out.message = r.errors.front().message;
        out.fields = r.errors.front().fields;
    }
    return out;
}

qint64 rowsIn(const std::vector<JobBatchSpec> &batches)
{
    qint64 n = 0;
    for (const auto &b : batches)
        n += qint64(b.rows.size());
    return n;
}

// A request that never reached the org (refused, bad URL) or was turned away before doing
// anything (limits, an expired session): its rows were not written and go back to pending.
bool neverDone(const OrgError &e)
{
    if (e.kind == OrgError::Kind::Transport)
        return !e.outcomeUnknown();
    return e.kind == OrgError::Kind::Limit || e.kind == OrgError::Kind::Session;
}

// A server error (5xx) says nothing reliable about what the org did before it: the rows are
// looked up like those of a lost answer.
bool outcomeUnknown(const OrgError &e)
{
    return e.outcomeUnknown() || (e.kind == OrgError::Kind::Api && e.status >= 500);
}

// Creating a Bulk job is asked again when its answer was lost (an empty job left behind is
// harmless; the org removes it).
template <class F>
auto createdAgain(F &&create) -> decltype(create())
{
    auto job = create();
    for (int attempt = 1; attempt < 4 && !job && (job.error().kind == OrgError::Kind::Transport || outcomeUnknown(job.error())); ++attempt)
        job = create();
    return job;
}

// Status polls in a row without any answer before a run gives up on the org (its rows stay
// sent, for a resume to look up).
constexpr int kSilentPollsLimit = 30;

// The CPU time of the calling thread: what it spent running, not waiting.
Clock::duration threadCpu()
{
    timespec t{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return std::chrono::seconds(t.tv_sec) + std::chrono::nanoseconds(t.tv_nsec);
}

// Time in Lockstep for one request, measured on the thread that sends it: the wall time from
// taking the request to recording its outcome, less the wall time of the call to the org, plus
// the CPU the thread spent inside that call (body serialized, answer parsed, curl) — so
// everything but waiting for the org counts, store writes and waits for the store included.
class RequestClock {
public:
    template <class F>
    auto orgCall(F &&call)
    {
        const auto wall = Clock::now();
        const auto cpu = threadCpu();
        auto answer = call();
        m_waited += (Clock::now() - wall) - (threadCpu() - cpu);
        return answer;
    }
    qint64 lockstepNs() const { return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - m_started - m_waited).count(); }
    // Of that, the time the thread was on a CPU (the rest: waiting for the store or for a CPU).
    qint64 cpuNs() const { return std::chrono::duration_cast<std::chrono::nanoseconds>(threadCpu() - m_startedCpu).count(); }

private:
    Clock::time_point m_started = Clock::now();
    Clock::duration m_startedCpu = threadCpu();
    Clock::duration m_waited{};
};

std::chrono::milliseconds wallMs(double platformSeconds, double scale)
{
    return std::chrono::milliseconds(std::max<qint64>(1, qint64(platformSeconds * scale * 1000)));
}

} // namespace

RunPlan RunPlan::of(const Plan &plan)
{
    RunPlan p;
    p.object = plan.object;
    p.operation = plan.operation;
    p.api = plan.api;
    p.concurrency = plan.concurrency;
    p.uploadGapSeconds = plan.uploadGapSeconds;
    p.disableBatchRetry = plan.disableBatchRetry;
    p.duplicateRulesOff = plan.duplicateRulesOff;
    p.jobPerBatch = plan.jobPerBatch;
    return p;
}

Result<RunPlan> RunPlan::fromJson(const QJsonObject &plan)
{
    RunPlan p;
    const auto api = parseApi(plan.value(QStringLiteral("api")).toString());
    const auto operation = parseOperation(plan.value(QStringLiteral("operation")).toString());
    p.object = plan.value(QStringLiteral("object")).toString();
    if (!api || !operation || p.object.isEmpty())
        return fail(ErrorKind::BadData, QStringLiteral("the job's plan in the store names no API, operation or object it can run"));
    p.api = *api;
    p.operation = *operation;
    p.concurrency = std::max(1, plan.value(QStringLiteral("concurrency")).toInt(1));
    p.uploadGapSeconds = plan.value(QStringLiteral("uploadGapSeconds")).toDouble(0);
    p.disableBatchRetry = plan.value(QStringLiteral("disableBatchRetry")).toBool();
    p.duplicateRulesOff = plan.value(QStringLiteral("duplicateRulesOff")).toBool();
    p.jobPerBatch = plan.value(QStringLiteral("jobPerBatch")).toBool();
    return p;
}

JobRunner::JobRunner(JobStore &store, const LoadFile &file, RunPlan plan, qint64 job, Connect connect, RunOptions options)
    : m_store(store), m_file(file), m_plan(std::move(plan)), m_job(job), m_connect(std::move(connect)), m_options(std::move(options))
{
    // A column named twice is sent once (its first cell that is not empty would be ambiguous);
    // an unnamed column is never sent. Both leave an empty name here.
    QSet<QString> seen;
    for (const QString &name : m_file.header()) {
        const QString key = name.trimmed().toLower();
        m_headerUtf8.push_back(key.isEmpty() || seen.contains(key) ? QByteArray() : name.toUtf8());
        seen.insert(key);
    }
    m_idColumn = m_file.columnIndex(QStringLiteral("Id"));
}

std::vector<JobBatchSpec> JobRunner::batchesOf(const Plan &plan)
{
    std::vector<JobBatchSpec> out;
    out.reserve(plan.batches.size());
    for (const PlanBatch &b : plan.batches) {
        const auto rows = plan.rowsOf(b);
        JobBatchSpec spec;
        spec.lane = b.lane;
        spec.rows.assign(rows.begin(), rows.end());
        spec.number = int(out.size());
        out.push_back(std::move(spec));
    }
    return out;
}

QByteArray JobRunner::bulkCsv(std::span<const qint64> rows) const
{
    QByteArray csv = CsvFormat::line(m_file.header());
    for (const qint64 r : rows) {
        // The record as the source has it, when it is plain comma-separated CSV; otherwise
        // (semicolons, tabs) re-written field by field.
        if (m_file.dialect().delimiter == ',') {
            const std::string_view raw = m_file.rawRecord(r);
            csv.append(raw.data(), qsizetype(raw.size()));
            csv += '\n';
        } else {
            csv += CsvFormat::line(m_file.fields(r));
        }
    }
    return csv;
}

CollectionBody JobRunner::restRecords(std::span<const qint64> rows) const
{
    CollectionBody body(m_plan.operation, m_plan.object);
    const auto columns = int(m_headerUtf8.size());
    for (const qint64 r : rows) {
        if (m_plan.operation == Operation::Delete) {
            bool found = false;
            m_file.forEachField(r, [&](int column, std::string_view value) {
                if (column == m_idColumn) {
                    body.addId(value);
                    found = true;
                }
            });
            if (!found)
                body.addId({});
            continue;
        }
        body.beginRecord();
        m_file.forEachField(r, [&](int column, std::string_view value) {
            if (column >= columns || value.empty())   // an empty cell leaves the field as it is
                return;
            if (const QByteArray &name = m_headerUtf8[size_t(column)]; !name.isEmpty())
                body.field(std::string_view(name.constData(), size_t(name.size())), value);
        });
        body.endRecord();
    }
    return body;
}

void JobRunner::report()
{
    RunProgress snapshot;
    {
        std::lock_guard lock(m_mutex);
        m_report.elapsedSeconds = std::chrono::duration<double>(Clock::now() - m_started).count();
        const qint64 done = m_report.done();
        m_report.rowsPerSecond = m_report.elapsedSeconds > 0 ? double(done - m_doneAtStart) / m_report.elapsedSeconds : 0;
        m_report.etaSeconds = m_report.rowsPerSecond > 0 ? double(m_report.rows - done) / m_report.rowsPerSecond : -1;
        snapshot = m_report;
    }
    if (m_options.onProgress)
        m_options.onProgress(snapshot);
}

Result<void> JobRunner::record(std::span<const qint64> rows, std::span<const RowRecord> outcomes)
{
    if (auto r = m_store.recordOutcomes(m_job, rows, outcomes); !r)
        return r;
    {
        std::lock_guard lock(m_mutex);
        for (const RowRecord &o : outcomes) {
            switch (o.status) {
            case RowStatus::Succeeded: ++m_report.succeeded; break;
            case RowStatus::Failed:
                ++m_report.failed;
                ++m_report.errorsByCode[o.statusCode.isEmpty() ? QStringLiteral("UNKNOWN_ERROR") : o.statusCode];
                break;
            case RowStatus::Unknown: ++m_report.unknown; break;
            default: break;
            }
        }
    }
    report();
    return {};
}

Result<void> JobRunner::recordFailure(std::span<const qint64> rows, const OrgError &error)
{
    if (neverDone(error)) {
        if (auto r = m_store.markPending(m_job, rows); !r)
            return r;
        return std::unexpected(error.toError());   // the run cannot go on: limits, session, no org
    }
    std::vector<RowRecord> outcomes(rows.size());
    for (auto &o : outcomes) {
        if (outcomeUnknown(error)) {
            o.status = RowStatus::Unknown;
            o.message = error.message;
        } else {
            o.status = RowStatus::Failed;
            o.statusCode = error.code.isEmpty() ? QStringLiteral("HTTP_%1").arg(error.status) : error.code;
            o.message = error.message;
        }
    }
    return record(rows, outcomes);
}


Result<void> JobRunner::reloadCounts()
{
    auto job = m_store.job(m_job);
    if (!job)
        return std::unexpected(job.error());
    auto errors = m_store.errorCounts(m_job);
    if (!errors)
        return std::unexpected(errors.error());
    std::lock_guard lock(m_mutex);
    m_report.rows = job->rows;
    m_report.succeeded = job->succeeded;
    m_report.failed = job->failed;
    m_report.unknown = job->unknown + job->sent;
    m_report.errorsByCode = std::move(*errors);
    return {};
}

Result<std::vector<JobBatchSpec>> JobRunner::pendingBatches()
{
    auto batches = m_store.batches(m_job, RowStatus::Pending);
    if (!batches)
        return std::unexpected(batches.error());
    std::vector<JobBatchSpec> out;
    for (JobBatchSpec &b : *batches) {
        if (b.rows.empty())
            continue;
        b.remoteJob.clear();
        b.remoteBatch.clear();
        out.push_back(std::move(b));
    }
    return out;
}

Result<void> JobRunner::reconcile(OrgClient &client, const CancelToken &cancel)
{
    const double scale = m_options.timeScale > 0 ? m_options.timeScale : 1.0;
    Reconciler reconciler(m_store, m_file, {m_job, m_plan.object, m_plan.operation, m_plan.api, m_options.externalIdField}, client);
    reconciler.setPolling(wallMs(m_options.firstPollSeconds, scale), wallMs(m_options.maxPollSeconds, scale));
    reconciler.setLookupClients(m_connect, m_plan.concurrency);   // as many connections as the plan sends on
    auto settled = reconciler.reconcile(wallMs(m_options.settleSeconds, scale), cancel);
    if (!settled)
        return std::unexpected(settled.error());
    {
        std::lock_guard lock(m_mutex);
        m_report.reconciled += settled->written + settled->notWritten;
    }
    if (auto r = reloadCounts(); !r)
        return r;
    report();
    return {};
}

Result<RunReport> JobRunner::run(const CancelToken &cancel)
{
    m_started = Clock::now();
    if (auto r = m_store.setRunner(m_job, qint64(::getpid())); !r)
        return std::unexpected(r.error());
    if (auto r = m_store.setJobState(m_job, JobState::Running); !r)
        return std::unexpected(r.error());
    if (auto r = reloadCounts(); !r)
        return std::unexpected(r.error());
    {
        std::lock_guard lock(m_mutex);
        m_doneAtStart = m_report.done();
    }
    report();

    // One token for both ways to stop: the caller's, and `lockstep-cli cancel` from another
    // process, which asks through the store.
    CancelToken stop;
    std::jthread watcher([&](std::stop_token stopWatching) {
        while (!stopWatching.stop_requested()) {
            if (cancel.isCancelled() || m_store.cancelRequested(m_job).value_or(false)) {
                stop.cancel();
                return;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
    });

    QStringList warnings;
    Result<void> ran;
    auto control = m_connect();   // duplicate rules and reconciliation
    int passes = 0;
    if (!control) {
        ran = std::unexpected(control.error());
    } else {
        control->setCancelToken({});
        // What an earlier run left sent or unknown is settled before anything goes again.
        ran = reconcile(*control, stop);
        if (ran && m_plan.duplicateRulesOff && !stop.isCancelled())
            if (auto off = DuplicateRuleSwitch::switchOff(m_store, m_job, *control, m_plan.object); !off)
                ran = std::unexpected(off.error());
        qint64 pendingBefore = -1;
        while (ran && !stop.isCancelled() && passes < m_options.maxPasses) {
            auto batches = pendingBatches();
            if (!batches) {
                ran = std::unexpected(batches.error());
                break;
            }
            const qint64 pending = rowsIn(*batches);
            if (pending == 0 || (pendingBefore >= 0 && pending >= pendingBefore))
                break;   // done, or the last pass moved nothing forward
            pendingBefore = pending;
            ++passes;
            ran = send(*batches, stop);
            // Nothing stays sent: what the pass left without an answer is looked up now, even
            // after a cancel (an uncancellable token: the org finishes what it took).
            if (auto settled = reconcile(*control, {}); !settled && ran)
                ran = settled;
        }
        // The org as it was, whatever happened above.
        if (auto restored = DuplicateRuleSwitch::restore(m_store, m_job, *control); !restored)
            warnings << restored.error().message;
    }
    watcher.request_stop();
    watcher.join();
    const bool cancelled = stop.isCancelled();
    (void)m_store.setJobState(m_job, !ran ? JobState::Failed : cancelled ? JobState::Cancelled : JobState::Finished);
    (void)m_store.setRunner(m_job, 0);
    if (!ran) {
        Error e = ran.error();
        for (const QString &w : warnings)
            e.message += QStringLiteral("; ") + w;
        return std::unexpected(e);
    }
    (void)reloadCounts();
    report();
    std::lock_guard lock(m_mutex);
    RunReport out = m_report;
    out.cancelled = cancelled;
    out.apiCalls = m_apiCalls.load();
    out.passes = passes;
    out.warnings = warnings;
    out.requests = m_requests.load();
    out.lockstepSeconds = double(m_lockstepNs.load()) / 1e9;
    out.lockstepCpuSeconds = double(m_lockstepCpuNs.load()) / 1e9;
    return out;
}

Result<RunReport> JobRunner::cancelAbandoned()
{
    m_started = Clock::now();
    if (auto r = reloadCounts(); !r)
        return std::unexpected(r.error());
    auto control = m_connect();
    if (!control)
        return std::unexpected(control.error());
    control->setCancelToken({});
    auto batches = m_store.batches(m_job);
    if (!batches)
        return std::unexpected(batches.error());
    QSet<qint64> open;
    for (const RowStatus status : {RowStatus::Sent, RowStatus::Unknown})
        if (auto rows = m_store.rowsWithStatus(m_job, status); rows)
            for (const qint64 r : *rows)
                open.insert(r);
    QSet<QString> remoteJobs;
    for (const JobBatchSpec &b : *batches)
        if (!b.remoteJob.isEmpty() && std::any_of(b.rows.begin(), b.rows.end(), [&](qint64 r) { return open.contains(r); }))
            remoteJobs.insert(b.remoteJob);
    for (const QString &job : std::as_const(remoteJobs)) {
        ++m_apiCalls;
        if (m_plan.api == Api::Bulk2)
            (void)control->setIngestState(job, QStringLiteral("Aborted"));
        else
            (void)control->closeBulkJob(job, true);
    }
    Result<void> settled = reconcile(*control, {});
    QStringList warnings;
    if (auto restored = DuplicateRuleSwitch::restore(m_store, m_job, *control); !restored)
        warnings << restored.error().message;
    (void)m_store.setJobState(m_job, settled ? JobState::Cancelled : JobState::Failed);
    (void)m_store.setRunner(m_job, 0);
    if (!settled)
        return std::unexpected(settled.error());
    std::lock_guard lock(m_mutex);
    RunReport out = m_report;
    out.cancelled = true;
    out.apiCalls = m_apiCalls.load();
    out.warnings = warnings;
    return out;
}

Result<void> JobRunner::send(const std::vector<JobBatchSpec> &batches, const CancelToken &cancel)
{
    switch (m_plan.api) {
    case Api::RestCollections: return runRest(batches, cancel);
    case Api::Bulk1Parallel:
    case Api::Bulk1Serial: return runBulk1(batches, cancel);
    case Api::Bulk2: return runBulk2(batches, cancel);
    }
    return {};
}

Result<void> JobRunner::runLanes(const std::vector<JobBatchSpec> &batches, const CancelToken &cancel, CallsOnCancel onCancel,
                                 const SendBatch &sendBatch)
{
    BatchQueue queue;
    for (std::uint32_t i = 0; i < batches.size(); ++i)
        queue.push({0, i, i, 0, 0, batches[i].lane});
    std::mutex mutex;
    std::condition_variable changed;
    std::optional<Error> fatal;
    auto worker = [&] {
        auto client = m_connect();
        if (!client) {
            std::lock_guard lock(mutex);
            fatal = client.error();
            changed.notify_all();
            return;
        }
        if (onCancel == CallsOnCancel::Stop)
            client->setCancelToken(cancel);
        for (;;) {
            std::optional<BatchQueue::Entry> entry;
            {
                std::unique_lock lock(mutex);
                // A cancel stops taking batches at once; what is out finishes (or is stopped, by
                // the client's token) and is recorded.
                changed.wait(lock, [&] {
                    return fatal || cancel.isCancelled() || queue.empty() || (entry = queue.take(0)).has_value();
                });
                if (!entry)
                    return;   // done, cancelled or failed elsewhere
            }
            const Result<void> outcome = sendBatch(*client, batches[entry->batch]);
            std::lock_guard lock(mutex);
            queue.release(entry->lane);
            if (!outcome && !fatal)
                fatal = outcome.error();
            changed.notify_all();
        }
    };
    std::vector<std::jthread> threads;
    for (int t = 0; t < std::max(1, std::min<int>(m_plan.concurrency, int(batches.size()))); ++t)
        threads.emplace_back(worker);
    threads.clear();   // joins
    if (fatal)
        return std::unexpected(*fatal);
    return {};
}

Result<void> JobRunner::runRest(const std::vector<JobBatchSpec> &batches, const CancelToken &cancel)
{
    return runLanes(batches, cancel, CallsOnCancel::Stop, [this](OrgClient &client, const JobBatchSpec &batch) -> Result<void> {
        const auto &rows = batch.rows;
        RequestClock clock;
        Result<void> outcome = m_store.markSent(m_job, rows);
        if (outcome) {
            ++m_apiCalls;
            ++m_requests;
            const CollectionBody records = restRecords(rows);
            auto answer = clock.orgCall([&] { return client.collections(m_plan.object, records, m_options.externalIdField); });
            if (answer && answer->size() == rows.size()) {
                std::vector<RowRecord> outcomes;
                outcomes.reserve(answer->size());
                for (const auto &r : *answer)
                    outcomes.push_back(recordOf(r));
                outcome = record(rows, outcomes);
            } else if (answer) {
                OrgError unreadable;
                unreadable.kind = OrgError::Kind::Transport;
                unreadable.transport = TransportError::ConnectionLost;
                unreadable.message = QStringLiteral("the org answered %1 results for %2 records").arg(answer->size()).arg(rows.size());
                outcome = recordFailure(rows, unreadable);
            } else if (answer.error().transport == TransportError::Cancelled) {
                // Stopped mid-call: the org may have taken it — looked up afterwards.
                OrgError lost = answer.error();
                lost.transport = TransportError::ConnectionLost;
                outcome = recordFailure(rows, lost);
            } else {
                outcome = recordFailure(rows, answer.error());
            }
        }
        m_lockstepNs += clock.lockstepNs();
        m_lockstepCpuNs += clock.cpuNs();
        return outcome;
    });
}

Result<void> JobRunner::runBulk1(const std::vector<JobBatchSpec> &batches, const CancelToken &cancel)
{
    auto client = m_connect();
    if (!client)
        return std::unexpected(client.error());
    client->setCancelToken({});   // drain and close even after a cancel: the token only stops uploads
    auto call = [&](auto &&f) {
        ++m_apiCalls;
        return f();
    };
    const double scale = m_options.timeScale > 0 ? m_options.timeScale : 1.0;
    Reconciler results(m_store, m_file, {m_job, m_plan.object, m_plan.operation, m_plan.api, m_options.externalIdField}, *client);
    results.setPolling(wallMs(m_options.firstPollSeconds, scale), wallMs(m_options.maxPollSeconds, scale));
    results.setSink([this](std::span<const qint64> rows, std::span<const RowRecord> outcomes) { return record(rows, outcomes); });

    QHash<int, QString> jobs;   // lane (-1: the shared queue) → Bulk job id
    struct Sent {
        size_t batch;
        QString job;
    };
    QHash<QString, Sent> open;   // remote batch id → what it carries, until its results are read
    // Polls no closer than 2 ms of wall time, whatever the scale.
    const double minPoll = 0.002 / scale;
    double interval = std::max(minPoll, m_options.firstPollSeconds);
    auto lastPoll = Clock::now();
    int silentPolls = 0;   // polls in a row that got no answer at all
    auto poll = [&]() -> Result<void> {
        lastPoll = Clock::now();
        bool progressed = false;
        bool answered = false;
        QSet<QString> polledJobs;
        for (const Sent &s : std::as_const(open))
            polledJobs.insert(s.job);
        for (const QString &job : std::as_const(polledJobs)) {
            auto infos = call([&] { return client->bulkBatches(job); });
            if (!infos) {
                if (neverDone(infos.error()) && infos.error().kind != OrgError::Kind::Transport)
                    return std::unexpected(infos.error().toError());
                continue;   // a lost status answer changes nothing: ask again next time
            }
            answered = true;
            for (const BulkBatchInfo &info : *infos) {
                const auto it = open.find(info.id);
                if (it == open.end() || !info.finished())
                    continue;
                const Sent sent = *it;
                open.erase(it);
                // When the org processed it, for `explain`: it ended at its last change, after
                // its processing time (every pass of it, when the platform re-queued it).
                if (info.modifiedMs > 0)
                    if (auto w = m_store.recordOrgWindow(m_job, batches[sent.batch].number,
                                                         info.processingMs > 0 ? info.modifiedMs - info.processingMs : 0, info.modifiedMs);
                        !w)
                        return std::unexpected(w.error());
                ++m_apiCalls;   // the result download
                if (auto r = results.recordBulkBatch(sent.job, info, batches[sent.batch].rows); !r)
                    return std::unexpected(r.error());
                report();
                progressed = true;
            }
        }
        interval = progressed ? std::max(minPoll, m_options.firstPollSeconds) : std::min(std::max(minPoll, m_options.maxPollSeconds), interval * 1.5);
        silentPolls = answered ? 0 : silentPolls + 1;
        if (silentPolls >= kSilentPollsLimit)
            return fail(ErrorKind::Network, QStringLiteral("the org stopped answering status requests (%1 in a row); the job's rows "
                                                           "stay sent until 'lockstep-cli resume' looks them up").arg(silentPolls));
        return {};
    };

    const bool serialPlan = m_plan.api == Api::Bulk1Serial;
    const auto started = Clock::now();
    std::optional<Error> fatal;
    for (size_t i = 0; i < batches.size() && !fatal; ++i) {
        // The plan's pace: batch i goes out i upload gaps after the first.
        const auto due = started + wallSeconds(double(i) * m_plan.uploadGapSeconds, scale);
        while (Clock::now() < due && !cancel.isCancelled()) {
            if (!open.isEmpty() && Clock::now() - lastPoll >= wallSeconds(interval, scale))
                if (auto p = poll(); !p) {
                    fatal = p.error();
                    break;
                }
            sleepUntil(std::min(due, lastPoll + wallSeconds(interval, scale)), cancel);
        }
        if (cancel.isCancelled() || fatal)
            break;
        const JobBatchSpec &batch = batches[i];
        const int lane = batch.lane;
        if (!jobs.contains(lane)) {
            auto job = createdAgain([&] {
                return call([&] { return client->createBulkJob(m_plan.object, m_plan.operation, serialPlan || lane >= 0, m_options.externalIdField); });
            });
            if (!job) {
                fatal = job.error().toError();
                break;
            }
            jobs.insert(lane, job->id);
        }
        const QString jobId = jobs.value(lane);
        RequestClock clock;
        // The job is written before the rows go: a batch whose answer is lost is found in it.
        if (auto r = m_store.setBatchRemote(m_job, batch.number, jobId, {}); !r) {
            fatal = r.error();
            break;
        }
        if (auto r = m_store.markSent(m_job, batch.rows); !r) {
            fatal = r.error();
            break;
        }
        const QByteArray csv = bulkCsv(batch.rows);
        ++m_requests;
        auto added = clock.orgCall([&] { return call([&] { return client->addBulkBatch(jobId, csv, m_plan.disableBatchRetry); }); });
        if (!added) {
            if (auto r = recordFailure(batch.rows, added.error()); !r)
                fatal = r.error();
            m_lockstepNs += clock.lockstepNs();
            m_lockstepCpuNs += clock.cpuNs();
            continue;
        }
        (void)m_store.setBatchRemote(m_job, batch.number, jobId, added->id);
        open.insert(added->id, {i, jobId});
        m_lockstepNs += clock.lockstepNs();   // the upload's side; results are read as they finish
        m_lockstepCpuNs += clock.cpuNs();
    }
    // Cancelled: what is queued will not run; what runs finishes, and is recorded.
    if (cancel.isCancelled())
        for (const QString &job : std::as_const(jobs))
            (void)call([&] { return client->closeBulkJob(job, true); });
    while (!open.isEmpty() && !fatal) {
        sleepUntil(lastPoll + wallSeconds(interval, scale), {});
        if (auto p = poll(); !p)
            fatal = p.error();
    }
    if (!cancel.isCancelled())
        for (const QString &job : std::as_const(jobs))
            (void)call([&] { return client->closeBulkJob(job); });
    if (fatal)
        return std::unexpected(*fatal);
    return {};
}

Result<void> JobRunner::runBulk2(const std::vector<JobBatchSpec> &batches, const CancelToken &cancel)
{
    if (m_plan.jobPerBatch)
        return runBulk2Jobs(batches, cancel);
    if (cancel.isCancelled() || rowsIn(batches) == 0)
        return {};
    auto client = m_connect();
    if (!client)
        return std::unexpected(client.error());
    // One ingest job for every pending row: the platform cuts it into internal batches and runs
    // them side by side (parallel).
    std::vector<const JobBatchSpec *> carried;
    for (const auto &b : batches)
        carried.push_back(&b);
    return sendIngestJob(*client, carried);
}

Result<void> JobRunner::runBulk2Jobs(const std::vector<JobBatchSpec> &batches, const CancelToken &cancel)
{
    // A job per batch, at most `concurrency` open at once, a lane's jobs one after another: the
    // next goes out once the last is seen done, so the platform never runs two of a lane
    // together. A job out when the user cancels is polled until done and recorded.
    return runLanes(batches, cancel, CallsOnCancel::Finish,
                    [this](OrgClient &client, const JobBatchSpec &batch) { return sendIngestJob(client, {&batch}); });
}

Result<void> JobRunner::sendIngestJob(OrgClient &client, const std::vector<const JobBatchSpec *> &carried)
{
    std::vector<qint64> rows;
    for (const JobBatchSpec *b : carried)
        rows.insert(rows.end(), b->rows.begin(), b->rows.end());
    if (rows.empty())
        return {};
    const double scale = m_options.timeScale > 0 ? m_options.timeScale : 1.0;
    auto job = createdAgain([&] {
        ++m_apiCalls;
        return client.createIngestJob(m_plan.object, m_plan.operation, m_options.externalIdField);
    });
    if (!job)
        return std::unexpected(job.error().toError());
    // The job is written on every batch it carries before any row goes: rows whose answer is
    // lost are looked up in it (Reconciler).
    for (const JobBatchSpec *b : carried)
        if (auto r = m_store.setBatchRemote(m_job, b->number, job->id, {}); !r)
            return r;
    if (auto r = m_store.markSent(m_job, rows); !r)
        return r;
    {
        const QByteArray csv = bulkCsv(rows);
        ++m_apiCalls;
        if (auto up = client.uploadIngestData(job->id, csv); !up)
            return recordFailure(rows, up.error());
    }
    ++m_apiCalls;
    if (auto done = client.setIngestState(job->id, QStringLiteral("UploadComplete")); !done)
        return recordFailure(rows, done.error());
    // The results are matched to rows by their values: the index is built while the job runs,
    // not after it is seen done.
    auto index = std::async(std::launch::async, [&] { return Reconciler::indexIngestRows(m_file, rows); });
    // Polled until done, even after a cancel: the platform finishes what it took.
    const double minPoll = 0.002 / scale;   // no closer than 2 ms of wall time
    const PollSchedule schedule{std::max(minPoll, m_options.firstPollSeconds), std::max(minPoll, m_options.maxPollSeconds)};
    double interval = schedule.first;
    for (int silent = 0;;) {
        sleepUntil(Clock::now() + wallSeconds(interval, scale), {});
        ++m_apiCalls;
        auto info = client.ingestJob(job->id);
        if (info && info->finished()) {
            // The job's end, for `explain` (its internal batches' own times are not reported).
            if (info->modifiedMs > 0)
                for (const JobBatchSpec *b : carried)
                    if (auto w = m_store.recordOrgWindow(m_job, b->number, 0, info->modifiedMs); !w)
                        return w;
            break;
        }
        if (!info && neverDone(info.error()) && info.error().kind != OrgError::Kind::Transport)
            return std::unexpected(info.error().toError());
        silent = info ? 0 : silent + 1;
        if (silent >= kSilentPollsLimit)
            return fail(ErrorKind::Network, QStringLiteral("the org stopped answering about ingest job %1; its rows stay sent until "
                                                           "'lockstep-cli resume' looks them up").arg(job->id));
        interval = schedule.next(interval);
    }
    Reconciler results(m_store, m_file, {m_job, m_plan.object, m_plan.operation, m_plan.api, m_options.externalIdField}, client);
    results.setPolling(wallMs(m_options.firstPollSeconds, scale), wallMs(m_options.maxPollSeconds, scale));
    results.setSink([this](std::span<const qint64> r, std::span<const RowRecord> outcomes) { return record(r, outcomes); });
    m_apiCalls += 2;   // successful and failed records
    if (auto recorded = results.recordIngestJob(job->id, rows, index.get()); !recorded)
        return std::unexpected(recorded.error());
    return {};
}

} // namespace lockstep
