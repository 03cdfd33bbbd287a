#pragma once

#include "AnalysisController.h"
#include "HeatmapBuilder.h"
#include "PlanController.h"
#include "sample/SampleGenerator.h"
#include "sim/OrgProfile.h"

#include <QMainWindow>

class QLabel;
class QProgressBar;
class QPushButton;
class QMenu;
class QDockWidget;
class QTabWidget;
class QTimer;

namespace lockstep::ui {

class BackgroundTask;
class ComparisonView;
class DemoOrgController;
class HeatmapView;
class HistogramView;
class LockRulesPanel;
class MitigationPanel;
class PredictionPanel;
class ProblemsPanel;
class RecentFiles;
class SkewPanel;
class SummaryPanel;
class TimelineView;

// The main window: open a load file, see how its rows spread over parents, choose a
// mitigation and see its predicted errors, duration and timeline beside every other one. It
// only wires widgets to the controllers that do the work (AnalysisController, PlanController,
// HeatmapBuilder).
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
    // Off for --screenshot runs: a file that cannot be read is reported in the problems panel
    // and the status bar only, never in a modal dialog nobody is there to close.
    void setDialogsEnabled(bool enabled) { m_dialogsEnabled = enabled; }
    void showComparisonTab();
    // Starts the built-in demo org (the org when none is configured) as a child process and
    // returns at once (DemoOrgController::started follows); `scale` wall seconds per platform
    // second, 0 = the remembered speed (default 20× faster). An error when it cannot be started.
    Result<void> startDemoOrg(double scale = 0, const QString &dataDir = {});
    DemoOrgController *demoOrg() const { return m_demoOrg; }

    AnalysisController *analysis() const { return m_analysis; }
    PlanController *planner() const { return m_planner; }
    HeatmapBuilder *heatmapBuilder() const { return m_heatmapBuilder; }
    HeatmapView *heatmap() const { return m_heatmap; }
    HistogramView *histogram() const { return m_histogram; }
    SkewPanel *skewPanel() const { return m_skew; }
    ProblemsPanel *problemsPanel() const { return m_problems; }
    SummaryPanel *summary() const { return m_summary; }
    LockRulesPanel *lockRules() const { return m_lockRules; }
    MitigationPanel *mitigationPanel() const { return m_mitigation; }
    PredictionPanel *predictionPanel() const { return m_prediction; }
    ComparisonView *comparison() const { return m_comparison; }
    TimelineView *timeline() const { return m_timeline; }
    QProgressBar *progressBar() const { return m_progress; }
    QPushButton *cancelButton() const { return m_cancel; }
    RecentFiles *recentFiles() const { return m_recent; }
    const OrgProfile &profile() const { return m_profile; }

signals:
    void heatmapShown();   // the heatmap shows the current file or plan (tests and screenshots wait on it)

protected:
    void closeEvent(QCloseEvent *event) override;
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;

private:
    void buildLayout();
    void buildMenus();
    void connectControllers();
    void restoreWindowState();
    void saveWindowState() const;
    void onStarted(const QString &path);
    void onFinished(const AnalysisPtr &analysis);
    void onFailed(const QString &message, const QString &path, qint64 line);
    void onCancelled();
    void onMitigationChanged();
    void requestPlan();
    void requestComparison();
    void requestHeatmap();
    void chooseFile();
    void chooseProfile();
    void buildOrgMenu();
    void showOrgStatus();
    void showSampleDialog();
    void setBusy(bool busy);
    AnalyzeOptions analyzeOptions() const;
    PlanOptions planOptions() const;

    AnalysisController *m_analysis;
    PlanController *m_planner;
    HeatmapBuilder *m_heatmapBuilder;
    RecentFiles *m_recent;
    SummaryPanel *m_summary;
    HeatmapView *m_heatmap;
    TimelineView *m_timeline;
    HistogramView *m_histogram;
    SkewPanel *m_skew;
    ProblemsPanel *m_problems;
    LockRulesPanel *m_lockRules;
    MitigationPanel *m_mitigation;
    PredictionPanel *m_prediction;
    ComparisonView *m_comparison;
    QTabWidget *m_sideTabs = nullptr;
    QDockWidget *m_problemsDock = nullptr;
    QDockWidget *m_lockRulesDock = nullptr;
    QDockWidget *m_mitigationDock = nullptr;
    QProgressBar *m_progress;
    QPushButton *m_cancel;
    QLabel *m_status;
    QLabel *m_orgStatus;
    DemoOrgController *m_demoOrg;
    BackgroundTask *m_sampleTask;
    QString m_orgSeeded;     // what seeding the open file did, for the org status's tooltip
    QString m_orgActivity;   // what the org says it has done
    QMenu *m_recentMenu = nullptr;
    QTimer *m_compareDebounce;
    OrgProfile m_profile;
    QString m_comparedOptionsKey;   // what the comparison on screen was computed for
    bool m_dialogsEnabled = true;
};

} // namespace lockstep::ui
