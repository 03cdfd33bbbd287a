#include "RunController.h"

#include "BackgroundTask.h"
#include "UiTime.h"
#include "common/Format.h"
#include "job/JobExport.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QFileInfo>
#include <QTimer>

namespace lockstep::ui {

struct RunController::Work {
    QString storePath;
    RunTarget target;
    CancelToken cancel;
    std::shared_ptr<std::atomic_bool> pauseOnly;   // a stop that leaves the job paused, not cancelled
    BackgroundRun run;
    RunController *controller = nullptr;           // only for posting back to the GUI thread
};

namespace {

// Runs `job` to the end (or to a stop) and says what it did.
Result<RunOutcome> runJobOn(JobStore &store, qint64 job, const FileAnalysis &source, const RunPlan &plan, const QString &externalId,
                            const std::optional<PredictionSummary> &predicted, const RunTarget &target, const CancelToken &cancel,
                            const std::atomic_bool &pauseOnly, std::function<void(const RunProgress &)> onProgress)
{
    RunOptions options;
    options.externalIdField = externalId;
    options.onProgress = std::move(onProgress);
    options.timeScale = target.timeScale > 0 ? target.timeScale : 1e-3;   // 0: as fast as the org answers
    JobRunner runner(store, source.file, plan, job, OrgClient::sharingRenewals(target.session, target.renew), options);
    QElapsedTimer wall;
    wall.start();
    auto report = runner.run(cancel);
    const bool stopped = report && report->cancelled;
    auto concluded = concludeRun(store, job, std::move(report), double(wall.nsecsElapsed()) / 1e9, target.timeScale, predicted);
    if (!concluded)
        return std::unexpected(concluded.error());
    RunOutcome outcome;
    outcome.job = job;
    outcome.report = concluded->report;
    outcome.wallSeconds = concluded->wallSeconds;
    outcome.observedSeconds = concluded->observedSeconds;
    outcome.predicted = predicted;
    outcome.agreement = concluded->agreement;
    if (stopped && pauseOnly.load())
        (void)store.setJobState(job, JobState::Paused);
    if (concluded->original) {
        outcome.retryOf = concluded->original->id;
        outcome.summary = concluded->original;
    } else {
        auto self = store.job(job);
        if (!self)
            return std::unexpected(self.error());
        outcome.summary = *self;
    }
    return outcome;
}

// The store and the job, on a worker: a job goes only to the org it was recorded for.
Result<std::pair<std::unique_ptr<JobStore>, JobSummary>> openJobOnItsOrg(const QString &storePath, qint64 job, const RunTarget &target,
                                                                          const QString &verb)
{
    auto store = JobStore::open(storePath);
    if (!store)
        return std::unexpected(store.error());
    auto summary = (*store)->job(job);
    if (!summary)
        return std::unexpected(summary.error());
    if (summary->spec.orgUrl != target.orgName)
        return fail(ErrorKind::Usage, QCoreApplication::translate("RunController", "job %1 loads into %2, not %3: connect that org to %4 it")
                                          .arg(job)
                                          .arg(summary->spec.orgUrl, target.orgName, verb));
    return std::pair{std::move(*store), std::move(*summary)};
}

// A run stopped before it sent anything (paused while its source was still being read): the
// job as it stands, paused or cancelled as asked.
Result<RunOutcome> stoppedBeforeSending(JobStore &store, const JobSummary &job, bool pauseOnly)
{
    if (auto set = store.setJobState(job.id, pauseOnly ? JobState::Paused : JobState::Cancelled); !set)
        return std::unexpected(set.error());
    RunOutcome outcome;
    outcome.job = job.id;
    outcome.report.cancelled = true;
    outcome.report.rows = job.rows;
    outcome.report.succeeded = job.succeeded;
    outcome.report.failed = job.failed;
    outcome.report.unknown = job.unknown;
    outcome.summary = job;
    return outcome;
}

QString stamp()
{
    return QDateTime::currentDateTime().toString(QStringLiteral("HH:mm:ss"));
}

} // namespace

RunController::RunController(QObject *parent)
    : QObject(parent), m_storePath(JobStore::defaultPath()), m_runTask(new BackgroundTask(this, &m_runPool)), m_sampleTask(new BackgroundTask(this)),
      m_sampleTimer(new QTimer(this))
{
    qRegisterMetaType<RunOutcome>();
    qRegisterMetaType<RunProgress>();
    m_sampleTimer->setInterval(400);
    connect(m_sampleTimer, &QTimer::timeout, this, &RunController::sampleStore);
}

RunController::~RunController()
{
    // A run still going stops sending; its worker finishes what is out and records it.
    m_cancel.cancel();
}

void RunController::setState(State state)
{
    if (m_state == state)
        return;
    m_state = state;
    emit stateChanged(state);
}

void RunController::begin(qint64 job, const QString &what)
{
    m_job = job;
    m_cancel = CancelToken();
    m_cancelNotPause = false;
    m_lanes.reset();
    m_lastBatches.clear();
    m_lastLockErrors = 0;
    m_clock.start();
    setState(State::Running);
    emit logLine(QStringLiteral("%1  %2").arg(stamp(), what));
}

void RunController::launch(std::function<Result<RunOutcome>(const Work &)> body)
{
    m_pauseOnly = std::make_shared<std::atomic_bool>(true);
    auto pauseOnly = m_pauseOnly;
    const CancelToken cancel = m_cancel;
    const QString path = m_storePath;
    const RunTarget target = m_target;
    m_sampleTimer->start();
    m_runTask->start(
        [=, this](const BackgroundRun &run) {
            Work work{path, target, cancel, pauseOnly, run, this};
            return body(work);
        },
        [this](const Result<RunOutcome> &outcome) {
            m_sampleTimer->stop();
            sampleStore();
            if (!outcome) {
                // A job that stopped on an error (the org went away, the store could not be
                // written) keeps what it did; Resume goes on from there once the cause is fixed.
                setState(m_job > 0 ? State::Paused : State::Finished);
                emit logLine(QStringLiteral("%1  %2").arg(stamp(), outcome.error().toString()));
                emit failed(outcome.error().toString());
                return;
            }
            m_job = outcome->job;
            const RunReport &r = outcome->report;
            emit logLine(QStringLiteral("%1  job %2 %3: %4 of %5 rows succeeded, %6 failed%7, %8 unknown, %9 not sent")
                             .arg(stamp())
                             .arg(outcome->job)
                             .arg(r.cancelled ? (m_cancelNotPause ? tr("cancelled") : tr("paused")) : tr("finished"))
                             .arg(grouped(r.succeeded), grouped(r.rows), grouped(r.failed),
                                  r.errorsByCode.empty() ? QString() : QStringLiteral(" (%1)").arg(errorsText(r.errorsByCode)),
                                  grouped(r.unknown), grouped(r.rows - r.done())));
            if (!outcome->agreement.isEmpty())
                emit logLine(QStringLiteral("%1  %2").arg(stamp(), outcome->agreement));
            for (const QString &w : r.warnings)
                emit logLine(QStringLiteral("%1  warning: %2").arg(stamp(), w));
            setState(r.cancelled && !m_cancelNotPause ? State::Paused : State::Finished);
            emit finished(*outcome);
        });
}

void RunController::start(AnalysisPtr analysis, std::shared_ptr<const Plan> plan, const OrgProfile &profile,
                          std::optional<PredictionSummary> predicted, const RunTarget &target)
{
    if (isActive() || !analysis || !plan)
        return;
    m_analysis = analysis;
    m_target = target;
    m_predicted = predicted;
    begin(0, tr("%1 rows, %2 over %3 to %4").arg(grouped(plan->rowCount()), plan->mitigation.label(), apiLabel(plan->api), target.label));
    launch([analysis, plan, profile, predicted, this](const Work &w) -> Result<RunOutcome> {
        auto store = JobStore::open(w.storePath);
        if (!store)
            return std::unexpected(store.error());
        // An upsert matches rows on the field the File step's mapping names (record Id when none).
        const auto job = recordJob(**store, *analysis, *plan, profile, JobTarget{w.target.orgName, w.target.timeScale, analysis->externalIdField});
        if (!job)
            return std::unexpected(job.error());
        const qint64 id = *job;
        const qint64 rows = plan->rowCount();
        w.run.post([this, id, rows] { m_job = id; emit jobRecorded(id, rows); });
        return runJobOn(**store, id, *analysis, RunPlan::of(*plan), analysis->externalIdField, predicted, w.target, w.cancel, *w.pauseOnly,
                        [run = w.run, this](const RunProgress &p) { run.post([this, p] { emit progress(p); }); });
    });
}

void RunController::resume(qint64 job, AnalysisPtr analysis, const RunTarget &target)
{
    if (isActive())
        return;
    m_target = target;
    m_analysis = analysis;
    begin(job, tr("resuming job %1 on %2").arg(job).arg(target.label));
    launch([job, analysis, this](const Work &w) -> Result<RunOutcome> {
        auto opened = openJobOnItsOrg(w.storePath, job, w.target, tr("resume"));
        if (!opened)
            return std::unexpected(opened.error());
        auto &[store, summary] = *opened;
        AnalysisPtr source = analysis;
        if (!source) {
            auto loaded = loadJobSource(summary, Progress{{}, w.cancel});
            if (!loaded && w.cancel.isCancelled())
                return stoppedBeforeSending(*store, summary, w.pauseOnly->load());
            if (!loaded)
                return std::unexpected(loaded.error());
            source = *loaded;
            w.run.post([this, source] { m_analysis = source; });
        }
        auto plan = RunPlan::fromJson(summary.spec.plan);
        if (!plan)
            return std::unexpected(plan.error());
        w.run.post([this, job, rows = summary.rows] { emit jobRecorded(job, rows); });
        return runJobOn(*store, job, *source, *plan, summary.spec.externalIdField, std::nullopt, w.target, w.cancel, *w.pauseOnly,
                        [run = w.run, this](const RunProgress &p) { run.post([this, p] { emit progress(p); }); });
    });
}

void RunController::retry(qint64 job, AnalysisPtr analysis, const RetrySelection &selection, const Mitigation &mitigation,
                          const PlanOptions &options, const RunTarget &target)
{
    if (isActive() || !analysis)
        return;
    m_analysis = analysis;
    m_target = target;
    m_predicted.reset();
    begin(0, tr("retrying failed rows of job %1 as %2").arg(job).arg(mitigation.label()));
    launch([job, analysis, selection, mitigation, options, this](const Work &w) -> Result<RunOutcome> {
        auto opened = openJobOnItsOrg(w.storePath, job, w.target, tr("retry"));
        if (!opened)
            return std::unexpected(opened.error());
        auto &[store, summary] = *opened;
        auto planned = planRetry(*store, job, *analysis, selection, mitigation, options);
        if (!planned)
            return std::unexpected(planned.error());
        if (!*planned)
            return fail(ErrorKind::Usage, tr("no failed row of job %1 matches: nothing to retry").arg(job));
        const PlannedRetry &retry = **planned;
        const auto child = recordRetryJob(*store, summary, *analysis, retry);
        if (!child)
            return std::unexpected(child.error());
        const qint64 id = *child;
        const QString described = retry.describe(job, 1);
        w.run.post([this, id, rows = qint64(retry.rows.size()), described, predicted = retry.predicted] {
            m_job = id;
            m_predicted = predicted;
            emit logLine(QStringLiteral("%1  job %2: %3").arg(stamp()).arg(id).arg(described));
            emit jobRecorded(id, rows);
        });
        return runJobOn(*store, id, *analysis, RunPlan::of(retry.plan), summary.spec.externalIdField, retry.predicted, w.target, w.cancel,
                        *w.pauseOnly, [run = w.run, this](const RunProgress &p) { run.post([this, p] { emit progress(p); }); });
    });
}

void RunController::pause()
{
    if (m_state != State::Running)
        return;
    m_cancelNotPause = false;
    m_cancel.cancel();
    setState(State::Stopping);
    emit logLine(QStringLiteral("%1  %2").arg(stamp(), tr("pausing: no new request goes out; those out are answered and recorded")));
}

void RunController::cancel()
{
    if (m_state == State::Paused) {
        // A paused job is cancelled in the store at once: nothing is running.
        if (auto store = JobStore::open(m_storePath); store)
            (void)(*store)->setJobState(m_job, JobState::Cancelled);
        setState(State::Finished);
        emit logLine(QStringLiteral("%1  %2").arg(stamp(), tr("job %1 cancelled").arg(m_job)));
        return;
    }
    if (m_state != State::Running && m_state != State::Stopping)
        return;
    m_cancelNotPause = true;
    if (m_pauseOnly)
        m_pauseOnly->store(false);
    m_cancel.cancel();
    setState(State::Stopping);
    emit logLine(QStringLiteral("%1  %2").arg(stamp(), tr("cancelling: no new request goes out; those out are answered and recorded")));
}

void RunController::sampleStore()
{
    if (m_job <= 0)
        return;
    const qint64 job = m_job;
    const QString path = m_storePath;
    using Sample = std::pair<std::vector<BatchProgress>, std::vector<LockErrorRow>>;
    m_sampleTask->start(
        [job, path](const BackgroundRun &) -> Result<Sample> {
            auto store = JobStore::open(path);
            if (!store)
                return std::unexpected(store.error());
            auto batches = (*store)->batchProgress(job);
            if (!batches)
                return std::unexpected(batches.error());
            auto errors = (*store)->lockErrorRows(job);
            if (!errors)
                return std::unexpected(errors.error());
            return Sample{std::move(*batches), std::move(*errors)};
        },
        [this, job](const Result<Sample> &sample) {
            if (sample && job == m_job)
                onSample(sample->first, sample->second);
        });
}

void RunController::onSample(const std::vector<BatchProgress> &batches, const std::vector<LockErrorRow> &lockErrors)
{
    // The log names each batch as it finishes with lock errors: what the user watches for.
    if (m_lastBatches.size() == batches.size())
        for (size_t i = 0; i < batches.size(); ++i) {
            const BatchProgress &now = batches[i];
            if (now.lockErrors > m_lastBatches[i].lockErrors)
                emit logLine(QStringLiteral("%1  batch %2%3: %4 rows failed on a locked parent (UNABLE_TO_LOCK_ROW)")
                                 .arg(stamp())
                                 .arg(now.batch + 1)
                                 .arg(now.lane >= 0 ? tr(" (lane %1)").arg(now.lane + 1) : QString())
                                 .arg(grouped(now.lockErrors - m_lastBatches[i].lockErrors)));
        }
    m_lastBatches = batches;
    m_lastLockErrors = qint64(lockErrors.size());
    emit lanesUpdated(m_lanes.update(batches, elapsedSeconds()), batches);
    emit lockErrorsUpdated(lockErrors);
}

std::vector<JobSummary> RunController::interruptedJobs(const QString &storePath)
{
    std::vector<JobSummary> out;
    if (!QFileInfo::exists(storePath))
        return out;
    auto store = JobStore::open(storePath);
    if (!store)
        return out;
    auto jobs = (*store)->jobs();
    if (!jobs)
        return out;
    for (const JobSummary &j : *jobs)
        if ((j.state == JobState::Running && !JobStore::runnerAlive(j)) || j.state == JobState::Paused)
            out.push_back(j);
    return out;
}

} // namespace lockstep::ui
