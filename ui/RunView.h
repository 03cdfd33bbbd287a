#pragma once

#include "RunController.h"
#include "analysis/HeatmapGrid.h"

#include <QWidget>

class QLabel;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QTableWidget;

namespace lockstep::ui {

class LiveLockMap;

// The Run step: a job as it runs — overall and per-lane progress (rows, rows/s, ETA), lock
// errors as they happen on a live parents map, the prediction beside what has happened so far,
// Pause / Resume and Cancel, and a log. It only shows what the RunController reports and asks
// it to act; the run itself never touches the GUI thread.
class RunView : public QWidget {
    Q_OBJECT
public:
    explicit RunView(RunController *controller, QWidget *parent = nullptr);

    // Lays out the live map's parents as `grid` does (the analysis heatmap's grid).
    void prepare(AnalysisPtr analysis, std::shared_ptr<const HeatmapGrid> grid, const QString &title);

    QLabel *titleLabel() const { return m_title; }
    QLabel *progressLabel() const { return m_progressText; }
    QLabel *comparisonLabel() const { return m_comparison; }
    QTableWidget *lanes() const { return m_lanes; }
    LiveLockMap *lockMap() const { return m_map; }
    QPlainTextEdit *log() const { return m_log; }
    QPushButton *pauseButton() const { return m_pause; }
    QPushButton *cancelButton() const { return m_cancel; }
    QPushButton *resultsButton() const { return m_results; }

    // "so far: 0 lock errors in 45 s (38 % of the rows) — predicted 0 ± 0 in 2.1 min"
    static QString comparisonText(const RunProgress &progress, double observedSeconds, const std::optional<PredictionSummary> &predicted);

signals:
    void resumeRequested();       // Resume on a paused job
    void showResultsRequested();

private:
    void onState(RunController::State state);
    void onProgress(const RunProgress &progress);
    void onLanes(const std::vector<LaneProgress> &lanes);
    void onFinished(const RunOutcome &outcome);

    RunController *m_controller;
    QLabel *m_title;
    QProgressBar *m_bar;
    QLabel *m_progressText;
    QLabel *m_comparison;
    QTableWidget *m_lanes;
    LiveLockMap *m_map;
    QPlainTextEdit *m_log;
    QPushButton *m_pause;
    QPushButton *m_cancel;
    QPushButton *m_results;
};

} // namespace lockstep::ui
