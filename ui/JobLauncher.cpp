#include "JobLauncher.h"

#include "DemoOrgController.h"
#include "OrgPicker.h"

#include <QLabel>

namespace lockstep::ui {

JobLauncher::JobLauncher(RunController *run, DemoOrgController *demoOrg, OrgPicker *orgPicker, QObject *parent)
    : QObject(parent), m_run(run), m_demoOrg(demoOrg), m_orgPicker(orgPicker)
{
    connect(m_demoOrg, &DemoOrgController::seeded, this, [this](const QString &path) {
        if (!m_pending || !m_demoOrg->isSeeded(m_pending->analysis->file.path()) || !m_demoOrg->isSeeded(path))
            return;
        PendingRun pending = std::move(*m_pending);
        m_pending.reset();
        if (auto started = this->run(pending.analysis, pending.plan, pending.profile, pending.grid); !started)
            emit refused(started.error().message);
    });
    connect(m_demoOrg, &DemoOrgController::failed, this, [this](const QString &message) {
        if (!m_pending)
            return;
        // The run waited for the file's records; without them it cannot start.
        m_pending.reset();
        emit refused(tr("the demo org could not take the file's records: %1").arg(message));
    });
    connect(m_demoOrg, &DemoOrgController::seedStopped, this, [this] {
        if (!m_pending)
            return;
        m_pending.reset();
        emit refused(tr("the demo org's seeding was stopped, so it does not hold the file's records: Run ▶ again seeds it anew"));
    });
}

Result<RunTarget> JobLauncher::connectedTarget() const
{
    const RunTarget target = m_orgPicker->target();
    if (target.isValid())
        return target;
    return fail(ErrorKind::Usage, m_orgPicker->isDemoChosen() ? tr("the demo org is not running (Org → Demo Org Speed starts it)")
                                                              : tr("the chosen org is not connected: %1").arg(m_orgPicker->status()->text()));
}

Result<void> JobLauncher::run(const AnalysisPtr &analysis, const PlanResult &plan, const OrgProfile &profile,
                              std::shared_ptr<const HeatmapGrid> grid)
{
    if (!analysis || plan.analysis != analysis || !plan.plan)
        return fail(ErrorKind::Usage, tr("there is no plan to run yet: open a file and wait for its prediction"));
    if (m_run->isActive())
        return fail(ErrorKind::Usage, tr("job %1 is still running: pause or cancel it first").arg(m_run->job()));
    // The demo org must be up and hold the file's records before a job of it runs: a run asked
    // for while it starts or seeds waits for it.
    const bool demoNotReady = m_orgPicker->isDemoChosen() && (m_demoOrg->isStarting() || !m_demoOrg->isSeeded(analysis->file.path()));
    const auto target = connectedTarget();
    if (!target && !(demoNotReady && m_demoOrg->isStarting()))
        return std::unexpected(target.error());
    if (demoNotReady) {
        m_pending = PendingRun{analysis, plan, profile, std::move(grid)};
        if (!m_demoOrg->isSeeding(analysis->file.path()))
            m_demoOrg->seedFrom(analysis->file.path());
        emit waiting(tr("Waiting for the demo org to hold the file's records; the job starts then"));
        return {};
    }
    emit starting(tr("%1 over %2 into %3").arg(plan.plan->mitigation.label(), apiLabel(plan.plan->api), target->label), analysis, grid);
    m_run->start(analysis, plan.plan, profile, plan.summary, *target);
    return {};
}

Result<void> JobLauncher::retry(qint64 job, const AnalysisPtr &source, const RetrySelection &selection, const Mitigation &mitigation,
                                const PlanOptions &options, std::shared_ptr<const HeatmapGrid> grid)
{
    if (m_run->isActive())
        return fail(ErrorKind::Usage, tr("job %1 is still running: pause or cancel it first").arg(m_run->job()));
    const auto target = connectedTarget();
    if (!target)
        return std::unexpected(target.error());
    emit starting(tr("retry of job %1 as %2 into %3").arg(job).arg(mitigation.label(), target->label), source, std::move(grid));
    m_run->retry(job, source, selection, mitigation, options, *target);
    return {};
}

Result<void> JobLauncher::resume(const JobSummary &job)
{
    if (m_run->isActive())
        return fail(ErrorKind::Usage, tr("job %1 is still running: pause or cancel it first").arg(m_run->job()));
    const auto target = connectedTarget();
    if (!target)
        return std::unexpected(target.error());
    emit starting(tr("resuming job %1 (%2 %3) into %4").arg(job.id).arg(job.spec.object, operationName(job.spec.operation), target->label),
                  nullptr, nullptr);
    m_run->resume(job.id, nullptr, *target);
    return {};
}

Result<void> JobLauncher::resumeCurrent()
{
    const auto target = connectedTarget();
    if (!target)
        return std::unexpected(target.error());
    m_run->resume(m_run->job(), m_run->analysis(), *target);
    return {};
}

} // namespace lockstep::ui
