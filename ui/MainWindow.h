#pragma once

#include "AnalysisController.h"
#include "StepBar.h"
#include "common/Error.h"
#include "sample/SampleGenerator.h"
#include "sim/OrgProfile.h"

#include <QMainWindow>

class QLabel;
class QProgressBar;
class QPushButton;
class QMenu;
class QStackedWidget;
class QTabWidget;

namespace lockstep::ui {

class AnalyseView;
class BackgroundTask;
class ComparisonView;
class DemoOrgController;
class DemoSkewTour;
class DemoSummaryDialog;
class FileView;
class HeatmapBuilder;
class HeatmapView;
class HistogramView;
class JobLauncher;
class JobResultsPanel;
class MappingEditor;
class MappingPanel;
class MitigationPanel;
class OrgMenu;
class OrgPicker;
class PlanController;
class PlanView;
class PredictionPanel;
class ProblemsPanel;
class RecentFiles;
class RunController;
class RunView;
class SkewPanel;
class SummaryPanel;
class TimelineView;
class TriageView;
struct TriageRequest;

// The main window: the steps of a load left to right — File, Analyse, Plan, Run, Results —
// each a view of its own (FileView, AnalyseView, PlanView, RunView, JobResultsPanel) under a
// StepBar. It wires the views to the controllers that do the work (AnalysisController,
// PlanController, RunController, DemoOrgController) and moves between steps; it holds no logic
// of its own.
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    void openFile(const QString &path);
    // Re-reads the open file with the current lock rules and skew threshold.
    void reanalyze();
    void generateSample(const SampleOptions &options, const QString &path);   // on a worker, then opens it
    Result<void> loadProfile(const QString &path);
    // Off for --screenshot runs and tests: errors go to the status bar and the views, never to
    // a modal dialog nobody is there to close.
    void setDialogsEnabled(bool enabled) { m_dialogsEnabled = enabled; }
    void showComparisonTab();
    // Starts the built-in demo org as a child process and returns at once (DemoOrgController::
    // started follows); `scale` wall seconds per platform second, 0 = the remembered speed.
    Result<void> startDemoOrg(double scale = 0, const QString &dataDir = {});

    void goTo(Step step);
    Step currentStep() const;
    // Records the plan on screen as a job and runs it against the chosen org (once the demo org
    // holds the file's records); the Run step shows it. An error when it cannot start.
    Result<void> runPlan();
    // The Results step on `job` (0: the newest) of the job store.
    void showResults(qint64 job = 0);
    // Jobs a killed app left running: offers (or, without dialogs, starts) resuming the first.
    void offerResume();
    // Help → Demo Skew: parallel, sort by parent and lanes on a generated house-account load,
    // one after another on the demo org, then DemoSummaryDialog.
    void startDemoSkew(const QString &folder = {});
    DemoSkewTour *demoTour() const { return m_tour; }
    DemoSummaryDialog *demoSummary() const { return m_demoSummary; }
    // File → Open Failed Job…: the dialog, then triageFailedJob().
    void chooseFailedJob();
    // Triages a failed job's files, folder or id (on the chosen org) and shows why it failed in
    // the Results step.
    void triageFailedJob(const TriageRequest &request);

    AnalysisController *analysis() const { return m_analysis; }
    PlanController *planner() const;
    HeatmapBuilder *heatmapBuilder() const;
    HeatmapView *heatmap() const;
    HistogramView *histogram() const;
    SkewPanel *skewPanel() const;
    ProblemsPanel *problemsPanel() const;
    SummaryPanel *summary() const;
    MappingPanel *mappingPanel() const { return m_mappingPanel; }
    MappingEditor *mappingEditor() const { return m_mappingEditor; }
    MitigationPanel *mitigationPanel() const;
    PredictionPanel *predictionPanel() const;
    ComparisonView *comparison() const;
    TimelineView *timeline() const;
    QProgressBar *progressBar() const { return m_progress; }
    QPushButton *cancelButton() const { return m_cancel; }
    QLabel *statusLabel() const { return m_status; }
    RecentFiles *recentFiles() const { return m_recent; }
    const OrgProfile &profile() const;
    DemoOrgController *demoOrg() const { return m_demoOrg; }
    RunController *runController() const { return m_run; }
    StepBar *steps() const { return m_steps; }
    FileView *fileView() const { return m_fileView; }
    AnalyseView *analyseView() const { return m_analyse; }
    PlanView *planView() const { return m_plan; }
    RunView *runView() const { return m_runView; }
    JobResultsPanel *resultsPanel() const { return m_results; }
    OrgPicker *orgPicker() const { return m_orgPicker; }
    TriageView *triageView() const { return m_triage; }

signals:
    void heatmapShown();   // the heatmap shows the current file or plan (tests and screenshots wait on it)
    void demoSummaryShown();

protected:
    void closeEvent(QCloseEvent *event) override;
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;

private:
    void buildMenus();
    void connectViews();
    void onFinished(const AnalysisPtr &analysis);
    void onFailed(const QString &message, const QString &path, qint64 line);
    void requestHeatmap();
    void chooseFile();
    void chooseProfile();
    void showSampleDialog();
    void setBusy(bool busy);
    void updateReachableSteps();
    void warn(const QString &title, const QString &message);

    AnalysisController *m_analysis;
    RecentFiles *m_recent;
    DemoOrgController *m_demoOrg;
    RunController *m_run;
    OrgPicker *m_orgPicker;
    StepBar *m_steps;
    QStackedWidget *m_stack;
    MappingEditor *m_mappingEditor;
    MappingPanel *m_mappingPanel;
    FileView *m_fileView;
    AnalyseView *m_analyse;
    PlanView *m_plan;
    RunView *m_runView;
    JobResultsPanel *m_results;
    TriageView *m_triage;
    QTabWidget *m_resultsTabs;
    DemoSkewTour *m_tour;
    DemoSummaryDialog *m_demoSummary = nullptr;
    JobLauncher *m_launcher;
    OrgMenu *m_orgMenu = nullptr;
    BackgroundTask *m_sampleTask;
    QProgressBar *m_progress;
    QPushButton *m_cancel;
    QLabel *m_status;
    QMenu *m_recentMenu = nullptr;
    bool m_closeWhenStopped = false;
    bool m_dialogsEnabled = true;
};

} // namespace lockstep::ui
