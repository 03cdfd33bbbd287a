#pragma once

#include "RunController.h"

#include <QObject>

namespace lockstep::ui {

class BackgroundTask;
class MainWindow;

// One run of the Demo Skew tour: the mitigation, what was predicted and what happened.
struct DemoRun {
    Mitigation mitigation;
    qint64 job = 0;
    qint64 rows = 0, lockErrors = 0, failed = 0;
    double observedSeconds = 0;
    std::optional<PredictionSummary> predicted;
};

// Help → Demo Skew, for consultants: a generated load with a house account (90,000
// Opportunities over 5,000 Accounts, one Account with 12,000 of them) run on the demo org three
// times, one after another — parallel as is (the disaster), sorted by parent (better), and
// Lockstep's parent-aware lanes (the fix) — then a summary chart of the three runs
// (DemoSummaryDialog). It drives the window's own steps, so the audience sees each run live.
class DemoSkewTour : public QObject {
    Q_OBJECT
public:
    explicit DemoSkewTour(MainWindow *window);
    ~DemoSkewTour() override;

    // Writes the sample into `folder` (default: a folder of the app's data) and starts.
    void start(const QString &folder = {});
    void cancel();
    bool isRunning() const { return m_stage >= 0; }
    const std::vector<DemoRun> &runs() const { return m_runs; }
    // The three mitigations, in the order the tour runs them.
    static std::vector<Mitigation> mitigations();

signals:
    void stageChanged(const QString &what);
    void finished(const std::vector<lockstep::ui::DemoRun> &runs);
    void failed(const QString &message);

private:
    void onPlanReady();
    void onRunFinished(const RunOutcome &outcome);
    void nextRun();
    void stop(const QString &error);

    MainWindow *m_window;
    BackgroundTask *m_sampleTask;
    QString m_path;
    int m_stage = -1;              // -1: idle; 0…2: the run of mitigations()[stage]
    bool m_waitingForPlan = false;
    bool m_waitingForRun = false;
    std::vector<DemoRun> m_runs;
    std::vector<QMetaObject::Connection> m_connections;
};

} // namespace lockstep::ui

Q_DECLARE_METATYPE(std::vector<lockstep::ui::DemoRun>)
