#include "PlanController.h"

#include "BackgroundTask.h"

namespace lockstep::ui {

struct PlanController::Engine {
    AnalysisPtr analysis;
    std::unique_ptr<Planner> planner;
    std::unique_ptr<InstantEstimator> estimator;
};

PlanController::PlanController(QObject *parent)
    : QObject(parent), m_engineTask(new BackgroundTask(this, &m_interactivePool)), m_predictTask(new BackgroundTask(this, &m_interactivePool)),
      m_compareTask(new BackgroundTask(this, &m_backgroundPool))
{
    m_interactivePool.setMaxThreadCount(2);
    m_backgroundPool.setMaxThreadCount(1);
    qRegisterMetaType<PlanResult>();
    qRegisterMetaType<InstantEstimate>();
    qRegisterMetaType<std::vector<PredictionSummary>>();
}

PlanController::~PlanController()
{
    m_predictTask->cancel();
    m_compareTask->cancel();
    m_interactivePool.waitForDone();
    m_backgroundPool.waitForDone();
}

SendOrder PlanController::sendOrderOf(const std::shared_ptr<const Plan> &plan)
{
    SendOrder order;
    order.rows = std::shared_ptr<const std::vector<std::uint32_t>>(plan, &plan->rows);
    auto starts = std::make_shared<std::vector<std::uint64_t>>();
    starts->reserve(plan->batches.size());
    for (const PlanBatch &b : plan->batches)
        starts->push_back(std::uint64_t(b.begin));
    order.batchStarts = starts;
    if (plan->mitigation.scheduling == Scheduling::Lanes && !plan->lanes.empty()) {
        auto lanes = std::make_shared<std::vector<int>>();
        lanes->reserve(plan->batches.size());
        for (const PlanBatch &b : plan->batches)
            lanes->push_back(b.lane);
        order.batchLanes = lanes;
    }
    order.label = plan->mitigation.label();
    return order;
}

PlanOptions PlanController::optionsFor(const FileAnalysis &analysis, const OrgProfile &profile)
{
    PlanOptions options;
    options.profile = profile;
    if (!analysis.roles.object.isEmpty())
        options.object = analysis.roles.object;
    options.operation = analysis.operation;
    return options;
}

void PlanController::setAnalysis(AnalysisPtr analysis)
{
    m_predictTask->cancel();
    m_compareTask->cancel();
    m_analysis = std::move(analysis);
    m_engine.reset();
    m_planner = nullptr;
    m_latest = {};
    m_comparison.clear();
    if (!m_analysis) {
        m_engineTask->cancel();
        return;
    }
    const AnalysisPtr analysisCopy = m_analysis;
    const PlanOptions options = m_haveRequest ? m_options : optionsFor(*m_analysis, OrgProfile{});
    m_engineTask->start(
        [analysisCopy, options](const BackgroundRun &) {
            auto engine = std::make_shared<Engine>();
            engine->analysis = analysisCopy;
            engine->planner = std::make_unique<Planner>(analysisCopy->keys, options);
            engine->estimator = std::make_unique<InstantEstimator>(analysisCopy->keys, engine->planner->components());
            return engine;
        },
        [this](std::shared_ptr<Engine> engine) {
            m_engine = std::move(engine);
            m_planner = m_engine->planner.get();
            if (m_haveRequest) {
                estimateNow();
                predictLater();
            }
            if (m_comparePending)
                compare(m_compareOptions);
        });
}

void PlanController::setRequest(const Mitigation &mitigation, const PlanOptions &options, qint64 apiCallBudget)
{
    m_mitigation = mitigation;
    m_options = options;
    m_budget = apiCallBudget;
    m_haveRequest = true;
    if (!m_engine)
        return;   // estimated and predicted as soon as the file's components are known
    estimateNow();
    predictLater();
}

void PlanController::estimateNow()
{
    if (m_mitigation.scheduling == Scheduling::Auto) {
        emit instantEstimateFailed(tr("Auto picks a plan by running the predictor on every mitigation."));
        return;
    }
    auto estimate = m_engine->estimator->estimate(m_mitigation, m_options);
    if (estimate)
        emit instantEstimate(*estimate);
    else
        emit instantEstimateFailed(estimate.error().message);
}

void PlanController::predictLater()
{
    emit predictionStarted();
    const auto engine = m_engine;
    const Mitigation mitigation = m_mitigation;
    const PlanOptions options = m_options;
    const qint64 budget = m_budget;
    m_predictTask->start(
        [engine, mitigation, options, budget](const BackgroundRun &run) {
            Progress progress;
            progress.cancel = run.cancelToken();
            return predict(*engine, mitigation, options, budget, progress);
        },
        [this, engine](PredictOutcome outcome) {
            auto &[plan, prediction] = outcome;
            if (!plan) {
                emit predictionFailed(plan.error().message);
                return;
            }
            if (!prediction) {
                if (prediction.error().kind != ErrorKind::Cancelled)
                    emit predictionFailed(prediction.error().message);
                return;
            }
            PlanResult result;
            result.analysis = engine->analysis;
            auto sharedPlan = std::make_shared<Plan>(std::move(*plan));
            result.order = sendOrderOf(sharedPlan);
            result.plan = sharedPlan;
            result.summary = prediction->summary;
            result.prediction = std::make_shared<const Prediction>(std::move(prediction->representative));
            m_latest = result;
            emit predicted(result);
        });
}

PlanController::PredictOutcome PlanController::predict(const Engine &engine, const Mitigation &mitigation, const PlanOptions &options,
                                                       qint64 budget, const Progress &progress)
{
    // The file's Planner was built with the options of the moment; a plan for other options
    // (batch size, API, profile) uses a Planner for those, reusing nothing but the keys.
    Result<Plan> plan = fail(ErrorKind::Internal, QString());
    if (mitigation.scheduling == Scheduling::Auto) {
        AutoOptions autoOptions;
        autoOptions.compare.plan = options;
        autoOptions.compare.seeds = SeedPolicy{};
        autoOptions.apiCallBudget = budget;
        auto choice = AutoPlanner::choose(engine.analysis->keys, autoOptions, progress);
        if (choice) {
            choice->plan.notes.prepend(choice->reason);
            plan = std::move(choice->plan);
        } else {
            plan = std::unexpected(choice.error());
        }
    } else {
        plan = Planner::plan(engine.analysis->keys, mitigation, options);
    }
    // The same seeds and the same means as the comparison: one number per plan.
    Result<StablePrediction> prediction = fail(ErrorKind::Internal, QString());
    if (plan)
        prediction = Comparison::predict(*plan, engine.analysis->keys, options.profile, SeedPolicy{}, progress);
    return {std::move(plan), std::move(prediction)};
}

void PlanController::compare(const PlanOptions &options)
{
    m_compareOptions = options;
    if (!m_engine) {
        m_comparePending = true;
        return;
    }
    m_comparePending = false;
    emit comparisonStarted();
    const auto engine = m_engine;
    m_compareTask->start(
        [this, engine, options](const BackgroundRun &run) {
            // `this` only inside the progress callback, which runs on the GUI thread.
            const Progress progress = run.progress([this](int permille, const QString &) { emit comparisonProgress(std::max(0, permille)); });
            CompareOptions compareOptions;
            compareOptions.plan = options;
            compareOptions.mitigations = Mitigation::comparisonSet(options.profile.hasDuplicateRules(options.object));
            return Comparison::run(engine->analysis->keys, compareOptions, progress);
        },
        [this](Result<std::vector<PredictionSummary>> summaries) {
            if (!summaries) {
                if (summaries.error().kind != ErrorKind::Cancelled)
                    emit comparisonFailed(summaries.error().message);
                return;
            }
            m_comparison = std::move(*summaries);
            emit comparisonReady(m_comparison);
        });
}

} // namespace lockstep::ui
