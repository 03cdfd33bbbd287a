#include "DemoSkewTour.h"

#include "BackgroundTask.h"
#include "DemoOrgController.h"
#include "MainWindow.h"
#include "MitigationPanel.h"
#include "PlanController.h"
#include "RunController.h"
#include "sample/SampleGenerator.h"

#include <QDir>
#include <QStandardPaths>

namespace lockstep::ui {

DemoSkewTour::DemoSkewTour(MainWindow *window) : QObject(window), m_window(window), m_sampleTask(new BackgroundTask(this))
{
    qRegisterMetaType<std::vector<DemoRun>>();
}

DemoSkewTour::~DemoSkewTour() = default;

std::vector<Mitigation> DemoSkewTour::mitigations()
{
    std::vector<Mitigation> out;
    for (const char *key : {"parallel", "sort", "lanes"})
        out.push_back(*Mitigation::parse(QString::fromLatin1(key)));
    return out;
}

void DemoSkewTour::start(const QString &folder)
{
    if (isRunning())
        return;
    m_runs.clear();
    const QString dir = folder.isEmpty() ? QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) : folder;
    QDir().mkpath(dir);
    m_path = QDir(dir).filePath(QStringLiteral("demo-skew-opportunities.csv"));
    m_stage = 0;
    emit stageChanged(tr("Demo Skew: writing 90,000 Opportunities over 5,000 Accounts, 12,000 of them on one house account…"));
    const SampleOptions options = SampleOptions::caseA(12000);
    m_sampleTask->start(
        [path = m_path, options](const BackgroundRun &run) {
            Progress progress;
            progress.cancel = run.cancelToken();
            return writeSample(path, options, progress);
        },
        [this](const Result<SampleSummary> &written) {
            if (!written)
                return stop(written.error().toString());
            // Every run of the tour starts when the plan of its mitigation is on screen.
            m_connections.push_back(connect(m_window->planner(), &PlanController::predicted, this, [this] { onPlanReady(); }));
            m_connections.push_back(connect(m_window->runController(), &RunController::finished, this, &DemoSkewTour::onRunFinished));
            m_connections.push_back(connect(m_window->runController(), &RunController::failed, this, [this](const QString &m) { stop(m); }));
            m_connections.push_back(connect(m_window->analysis(), &AnalysisController::failed, this, [this](const QString &m) { stop(m); }));
            // The demo org refusing the file's records (while a run waits for them) ends the tour with its reason.
            m_connections.push_back(connect(m_window->demoOrg(), &DemoOrgController::failed, this, [this](const QString &m) {
                if (m_waitingForRun && m_window->runController()->state() != RunController::State::Running)
                    stop(m);
            }));
            m_window->openFile(m_path);
            nextRun();
        });
}

void DemoSkewTour::nextRun()
{
    const Mitigation m = mitigations()[size_t(m_stage)];
    static const char *const acts[] = {QT_TR_NOOP("the disaster"), QT_TR_NOOP("the usual advice"), QT_TR_NOOP("the fix")};
    emit stageChanged(tr("Demo Skew %1 of 3: %2 — %3").arg(m_stage + 1).arg(m.label(), tr(acts[m_stage])));
    m_waitingForPlan = true;
    m_window->mitigationPanel()->setMitigation(m);
    // The plan may be on screen already (the same mitigation as before).
    const PlanResult &latest = m_window->planner()->latest();
    if (latest.plan && latest.analysis == m_window->analysis()->analysis() && latest.plan->mitigation == m)
        onPlanReady();
}

void DemoSkewTour::onPlanReady()
{
    if (!m_waitingForPlan || m_stage < 0)
        return;
    const PlanResult &latest = m_window->planner()->latest();
    if (!latest.plan || latest.analysis != m_window->analysis()->analysis() || !(latest.plan->mitigation == mitigations()[size_t(m_stage)]))
        return;
    m_waitingForPlan = false;
    m_waitingForRun = true;
    if (auto started = m_window->runPlan(); !started)
        stop(started.error().toString());
}

void DemoSkewTour::onRunFinished(const RunOutcome &outcome)
{
    if (!m_waitingForRun || m_stage < 0 || outcome.retryOf > 0)
        return;
    m_waitingForRun = false;
    DemoRun run;
    run.mitigation = mitigations()[size_t(m_stage)];
    run.job = outcome.job;
    run.rows = outcome.report.rows;
    run.lockErrors = outcome.report.lockErrors();
    run.failed = outcome.report.failed + outcome.report.unknown;
    run.observedSeconds = outcome.observedSeconds;
    run.predicted = outcome.predicted;
    m_runs.push_back(run);
    if (outcome.report.cancelled)
        return stop(tr("the run was stopped"));
    if (++m_stage < 3)
        return nextRun();
    m_stage = -1;
    for (const auto &c : m_connections)
        disconnect(c);
    m_connections.clear();
    emit stageChanged(tr("Demo Skew: done — the three runs side by side"));
    emit finished(m_runs);
}

void DemoSkewTour::cancel()
{
    if (!isRunning())
        return;
    m_sampleTask->cancel();
    m_window->runController()->cancel();
    stop(tr("cancelled"));
}

void DemoSkewTour::stop(const QString &error)
{
    if (m_stage < 0)
        return;
    m_stage = -1;
    m_waitingForPlan = m_waitingForRun = false;
    for (const auto &c : m_connections)
        disconnect(c);
    m_connections.clear();
    emit stageChanged(tr("Demo Skew stopped: %1").arg(error));
    emit failed(error);
}

} // namespace lockstep::ui
