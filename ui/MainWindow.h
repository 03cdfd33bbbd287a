#pragma once

#include "AnalysisController.h"
#include "HeatmapBuilder.h"
#include "sample/SampleGenerator.h"

#include <QMainWindow>

class QLabel;
class QProgressBar;
class QPushButton;
class QMenu;
class QDockWidget;

namespace lockstep::ui {

class HeatmapView;
class HistogramView;
class LockRulesPanel;
class ProblemsPanel;
class RecentFiles;
class SkewPanel;
class SummaryPanel;

// The first window: open a load file, see how its rows spread over parents. It only wires
// widgets to the controllers that do the work (AnalysisController, HeatmapBuilder).
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    void openFile(const QString &path);
    // Re-reads the open file with the current lock rules and skew threshold.
    void reanalyze();
    // Off for --screenshot runs: a file that cannot be read is reported in the problems panel
    // and the status bar only, never in a modal dialog nobody is there to close.
    void setDialogsEnabled(bool enabled) { m_dialogsEnabled = enabled; }
    void generateSample(const SampleOptions &options, const QString &path);   // on a worker, then opens it

    AnalysisController *analysis() const { return m_analysis; }
    HeatmapBuilder *heatmapBuilder() const { return m_heatmapBuilder; }
    HeatmapView *heatmap() const { return m_heatmap; }
    HistogramView *histogram() const { return m_histogram; }
    SkewPanel *skewPanel() const { return m_skew; }
    ProblemsPanel *problemsPanel() const { return m_problems; }
    SummaryPanel *summary() const { return m_summary; }
    LockRulesPanel *lockRules() const { return m_lockRules; }
    QProgressBar *progressBar() const { return m_progress; }
    QPushButton *cancelButton() const { return m_cancel; }
    RecentFiles *recentFiles() const { return m_recent; }

signals:
    void heatmapShown();   // the heatmap shows the current file (tests and screenshots wait on it)

protected:
    void closeEvent(QCloseEvent *event) override;
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;

private:
    void buildMenus();
    void restoreWindowState();
    void saveWindowState() const;
    void onStarted(const QString &path);
    void onFinished(const AnalysisPtr &analysis);
    void onFailed(const QString &message, const QString &path, qint64 line);
    void onCancelled();
    void requestHeatmap();
    void chooseFile();
    void showSampleDialog();
    void setBusy(bool busy);
    AnalyzeOptions analyzeOptions() const;

    AnalysisController *m_analysis;
    HeatmapBuilder *m_heatmapBuilder;
    RecentFiles *m_recent;
    SummaryPanel *m_summary;
    HeatmapView *m_heatmap;
    HistogramView *m_histogram;
    SkewPanel *m_skew;
    ProblemsPanel *m_problems;
    LockRulesPanel *m_lockRules;
    QDockWidget *m_problemsDock;
    QDockWidget *m_lockRulesDock;
    QProgressBar *m_progress;
    QPushButton *m_cancel;
    QLabel *m_status;
    QMenu *m_recentMenu = nullptr;
    bool m_dialogsEnabled = true;
};

} // namespace lockstep::ui
