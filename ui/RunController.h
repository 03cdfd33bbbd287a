#pragma once

#include "AnalysisController.h"
#include "job/JobLaunch.h"
#include "job/LaneProgress.h"
#include "org/OrgClient.h"

#include <QElapsedTimer>
#include <QObject>
#include <QThreadPool>

#include <optional>

class QTimer;

namespace lockstep::ui {

class BackgroundTask;

// The org a job runs against, connected: how the job store names it, a session and how to renew
// it, and its time scale.
struct RunTarget {
    QString orgName;              // "demo:<folder>" or the instance URL (what the job store keeps)
    QString label;                // "the demo org", an alias: for messages
    OrgSession session;
    OrgClient::Renewer renew;
    double timeScale = 1;         // wall seconds per platform second (the demo org runs faster)
    bool isValid() const { return !session.instanceUrl.isEmpty(); }
};

// What one run (a first run, a resume, or a retry) of a job did.
struct RunOutcome {
    qint64 job = 0;
    qint64 retryOf = 0;           // a retry: the job whose failed rows it sent again
    RunReport report;
    double wallSeconds = 0;
    double observedSeconds = 0;   // platform seconds (a demo org's time is scaled)
    std::optional<PredictionSummary> predicted;
    QString agreement;            // predictionAgreement(): empty when they agree
    std::optional<JobSummary> summary;   // the job (for a retry: the original) as it now stands
};

// Runs jobs for the window, never on the GUI thread: records a plan as a job in the job store,
// runs it (JobRunner), pauses (stops sending; the job can be resumed), resumes, cancels, and
// retries a job's failed rows as a child job folded back into it. While a job runs it samples
// the store (a connection of its own, off the GUI thread) for per-lane progress and the lock
// errors so far. Every step is a public function, so tests drive it without widgets.
class RunController : public QObject {
    Q_OBJECT
public:
    enum class State { Idle, Running, Stopping, Paused, Finished };
    Q_ENUM(State)

    explicit RunController(QObject *parent = nullptr);
    ~RunController() override;

    void setStorePath(const QString &path) { m_storePath = path; }
    QString storePath() const { return m_storePath; }

    // Records `plan` of `analysis` as a job and runs it against `target`; `predicted` stands
    // beside what happens. jobRecorded() then progress…, finished() or failed() follow.
    void start(AnalysisPtr analysis, std::shared_ptr<const Plan> plan, const OrgProfile &profile,
               std::optional<PredictionSummary> predicted, const RunTarget &target);
    // Runs `job` again from the store (its pending rows; what an earlier run left unanswered is
    // looked up first). `analysis` is the job's source, or null to read it (checked) from the store.
    void resume(qint64 job, AnalysisPtr analysis, const RunTarget &target);
    // Sends again the failed rows of `job` that `selection` names, planned with `mitigation`.
    void retry(qint64 job, AnalysisPtr analysis, const RetrySelection &selection, const Mitigation &mitigation,
               const PlanOptions &options, const RunTarget &target);
    // Stops sending; what was sent is answered and recorded; the job can be resumed.
    void pause();
    // Stops sending, like pause, and leaves the job cancelled.
    void cancel();

    State state() const { return m_state; }
    bool isActive() const { return m_state == State::Running || m_state == State::Stopping; }
    qint64 job() const { return m_job; }
    AnalysisPtr analysis() const { return m_analysis; }
    const RunTarget &target() const { return m_target; }
    const std::optional<PredictionSummary> &predicted() const { return m_predicted; }
    // Wall seconds since the current run began.
    double elapsedSeconds() const { return m_clock.isValid() ? double(m_clock.nsecsElapsed()) / 1e9 : 0; }
    // Samples the store now (also done every 400 ms while running): lanesUpdated() follows.
    void sampleStore();

    // Jobs to offer resuming at start: those a killed or crashed app left running (no live
    // runner), and those paused when the window closed.
    static std::vector<JobSummary> interruptedJobs(const QString &storePath);

signals:
    void stateChanged(lockstep::ui::RunController::State state);
    void jobRecorded(qint64 job, qint64 rows);
    void progress(const lockstep::RunProgress &progress);
    void lanesUpdated(const std::vector<lockstep::LaneProgress> &lanes, const std::vector<lockstep::BatchProgress> &batches);
    void lockErrorsUpdated(const std::vector<lockstep::LockErrorRow> &rows);
    void logLine(const QString &line);
    void finished(const lockstep::ui::RunOutcome &outcome);
    void failed(const QString &message);

private:
    struct Work;   // what a run's worker holds: the analysis, the target, the token
    void begin(qint64 job, const QString &what);
    void launch(std::function<Result<RunOutcome>(const Work &)> body);
    void setState(State state);
    void onSample(const std::vector<BatchProgress> &batches, const std::vector<LockErrorRow> &lockErrors);

    QString m_storePath;
    QThreadPool m_runPool;   // a run lasts minutes: a thread of its own (declared before the tasks)
    BackgroundTask *m_runTask;
    BackgroundTask *m_sampleTask;
    QTimer *m_sampleTimer;
    State m_state = State::Idle;
    qint64 m_job = 0;
    AnalysisPtr m_analysis;
    RunTarget m_target;
    std::optional<PredictionSummary> m_predicted;
    CancelToken m_cancel;
    bool m_cancelNotPause = false;
    std::shared_ptr<std::atomic_bool> m_pauseOnly;   // read by the worker when its run stops
    QElapsedTimer m_clock;
    LaneProgressTracker m_lanes;
    std::vector<BatchProgress> m_lastBatches;
    qint64 m_lastLockErrors = 0;
};

} // namespace lockstep::ui

Q_DECLARE_METATYPE(lockstep::ui::RunOutcome)
Q_DECLARE_METATYPE(lockstep::RunProgress)
