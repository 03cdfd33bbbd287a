#pragma once

#include "PlanController.h"
#include "RunController.h"
#include "analysis/HeatmapGrid.h"

#include <QObject>

namespace lockstep::ui {

class DemoOrgController;
class OrgPicker;

// Starts jobs for the window on the org the user chose: the plan on screen (once the demo org
// holds the file's records — it waits for them if it must), a retry of failed rows, or the resume
// of a job a closed or killed session left. It checks what would make the start fail (no plan,
// a job still running, no org connected) and says so in words; the RunController does the run.
class JobLauncher : public QObject {
    Q_OBJECT
public:
    JobLauncher(RunController *run, DemoOrgController *demoOrg, OrgPicker *orgPicker, QObject *parent = nullptr);

    // `grid`: the analysis heatmap's grid (the live map lays its parents out the same way).
    Result<void> run(const AnalysisPtr &analysis, const PlanResult &plan, const OrgProfile &profile, std::shared_ptr<const HeatmapGrid> grid);
    Result<void> retry(qint64 job, const AnalysisPtr &source, const RetrySelection &selection, const Mitigation &mitigation,
                       const PlanOptions &options, std::shared_ptr<const HeatmapGrid> grid);
    Result<void> resume(const JobSummary &job);
    // Resume of the paused job on screen (the Run view's Resume).
    Result<void> resumeCurrent();
    bool isWaitingForRecords() const { return m_pending.has_value(); }

signals:
    // A run is about to start: the Run view shows `title` and lays out its map.
    void starting(const QString &title, const lockstep::ui::AnalysisPtr &analysis, std::shared_ptr<const lockstep::HeatmapGrid> grid);
    void waiting(const QString &message);   // for the demo org to hold the file's records
    void refused(const QString &message);   // a start that waited could not happen

private:
    struct PendingRun {
        AnalysisPtr analysis;
        PlanResult plan;
        OrgProfile profile;
        std::shared_ptr<const HeatmapGrid> grid;
    };
    Result<RunTarget> connectedTarget() const;

    RunController *m_run;
    DemoOrgController *m_demoOrg;
    OrgPicker *m_orgPicker;
    std::optional<PendingRun> m_pending;
};

} // namespace lockstep::ui
