#pragma once

#include "AnalysisController.h"
#include "HeatmapBuilder.h"
#include "plan/Planner.h"
#include "predict/Comparison.h"
#include "predict/AutoPlanner.h"
#include "predict/InstantEstimate.h"
#include "predict/Prediction.h"
#include "predict/Predictor.h"

#include <QObject>
#include <QThreadPool>

#include <memory>

namespace lockstep::ui {

class BackgroundTask;

// A plan and what it is predicted to do, for one mitigation.
struct PlanResult {
    AnalysisPtr analysis;                      // keeps the keys the plan refers to alive
    std::shared_ptr<const Plan> plan;
    // The plan's figure: means over seeds until stable (the same the comparison shows) ...
    PredictionSummary summary;
    // ... and the run closest to them, whose details (timeline, parents) the views show.
    std::shared_ptr<const Prediction> prediction;
    SendOrder order;                           // the plan's rows and batches, for the heatmap
};

// Turns the user's choice of mitigation into numbers, without ever blocking the window:
//  - the instant estimate (closed form, microseconds) at once, on every change;
//  - the full prediction (planner + discrete-event predictor) on a worker, stale ones dropped;
//  - the comparison of every mitigation (several seeds each) on a worker, in the background.
class PlanController : public QObject {
    Q_OBJECT
public:
    explicit PlanController(QObject *parent = nullptr);
    ~PlanController() override;

    // A new file: components (union-find) are computed once, on a worker.
    void setAnalysis(AnalysisPtr analysis);
    void setRequest(const Mitigation &mitigation, const PlanOptions &options, qint64 apiCallBudget = 0);
    void compare(const PlanOptions &options);   // every mitigation of the comparison set

    bool isReady() const { return bool(m_planner); }
    const PlanResult &latest() const { return m_latest; }
    const std::vector<PredictionSummary> &comparison() const { return m_comparison; }
    Mitigation mitigation() const { return m_mitigation; }
    PlanOptions options() const { return m_options; }

    // Options for this file: its object and operation on the given profile.
    static PlanOptions optionsFor(const FileAnalysis &analysis, const OrgProfile &profile);
    // The plan's send order and batches as the heatmap takes them (lanes plans: with lanes).
    static SendOrder sendOrderOf(const std::shared_ptr<const Plan> &plan);

signals:
    void instantEstimate(const lockstep::InstantEstimate &estimate);
    void instantEstimateFailed(const QString &message);
    void predictionStarted();
    void predicted(const lockstep::ui::PlanResult &result);
    void predictionFailed(const QString &message);
    void comparisonStarted();
    void comparisonProgress(int permille);
    void comparisonReady(const std::vector<lockstep::PredictionSummary> &summaries);
    void comparisonFailed(const QString &message);

private:
    struct Engine;   // the file's Planner and InstantEstimator, shared with workers
    using PredictOutcome = std::pair<Result<Plan>, Result<StablePrediction>>;
    void estimateNow();
    void predictLater();
    // On a worker: the plan for the mitigation and its prediction (the same seeds as the comparison).
    static PredictOutcome predict(const Engine &engine, const Mitigation &mitigation, const PlanOptions &options, qint64 budget,
                                  const Progress &progress);

    AnalysisPtr m_analysis;
    std::shared_ptr<Engine> m_engine;
    const Planner *m_planner = nullptr;
    Mitigation m_mitigation;
    PlanOptions m_options;
    qint64 m_budget = 0;
    bool m_haveRequest = false;
    PlanResult m_latest;
    std::vector<PredictionSummary> m_comparison;
    bool m_comparePending = false;
    PlanOptions m_compareOptions;
    // Interactive work (components, the prediction the user waits for) never queues behind the
    // background comparison: each has a pool of its own. Declared before the tasks that use them.
    QThreadPool m_interactivePool;
    QThreadPool m_backgroundPool;
    BackgroundTask *m_engineTask;    // the file's components (union-find), once per file
    BackgroundTask *m_predictTask;   // the prediction the user waits for; stale ones dropped
    BackgroundTask *m_compareTask;   // every mitigation, in the background
};

} // namespace lockstep::ui

Q_DECLARE_METATYPE(lockstep::ui::PlanResult)
Q_DECLARE_METATYPE(lockstep::InstantEstimate)
