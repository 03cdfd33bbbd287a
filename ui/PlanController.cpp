#include "PlanController.h"

#include <QPointer>
#include <QtConcurrent>

namespace lockstep::ui {

struct PlanController::Engine {
    AnalysisPtr analysis;
    std::unique_ptr<Planner> planner;
    std::unique_ptr<InstantEstimator> estimator;
};

PlanController::PlanController(QObject *parent) : QObject(parent)
{
    m_interactivePool.setMaxThreadCount(2);
    m_backgroundPool.setMaxThreadCount(1);
    qRegisterMetaType<PlanResult>();
    qRegisterMetaType<InstantEstimate>();
    qRegisterMetaType<std::vector<PredictionSummary>>();
}

PlanController::~PlanController()
{
    m_predictCancel.cancel();
    m_compareCancel.cancel();
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
    m_predictCancel.cancel();
    m_compareCancel.cancel();
    m_analysis = std::move(analysis);
    m_engine.reset();
    m_planner = nullptr;
    m_latest = {};
    m_comparison.clear();
    const quint64 generation = ++m_engineGeneration;
    ++m_predictGeneration;
    ++m_compareGeneration;
    if (!m_analysis)
        return;
    QPointer<PlanController> self(this);
    const AnalysisPtr analysisCopy = m_analysis;
    const PlanOptions options = m_haveRequest ? m_options : optionsFor(*m_analysis, OrgProfile{});
    (void)QtConcurrent::run(&m_interactivePool, [self, analysisCopy, options, generation] {
        auto engine = std::make_shared<Engine>();
        engine->analysis = analysisCopy;
        engine->planner = std::make_unique<Planner>(analysisCopy->keys, options);
        engine->estimator = std::make_unique<InstantEstimator>(analysisCopy->keys, engine->planner->components());
        QMetaObject::invokeMethod(
            self.data(),
            [self, engine, generation] {
                if (!self || generation != self->m_engineGeneration)
                    return;
                self->m_engine = engine;
                self->m_planner = engine->planner.get();
                if (self->m_haveRequest) {
                    self->estimateNow();
                    self->predictLater();
                }
                if (self->m_comparePending)
                    self->compare(self->m_compareOptions);
            },
            Qt::QueuedConnection);
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
    m_predictCancel.cancel();
    m_predictCancel = CancelToken();
    const quint64 generation = ++m_predictGeneration;
    emit predictionStarted();
    QPointer<PlanController> self(this);
    const auto engine = m_engine;
    const Mitigation mitigation = m_mitigation;
    const PlanOptions options = m_options;
    const qint64 budget = m_budget;
    const CancelToken cancel = m_predictCancel;
    (void)QtConcurrent::run(&m_interactivePool, [self, engine, mitigation, options, budget, cancel, generation] {
        Progress progress;
        progress.cancel = cancel;
        // The file's Planner was built with the options of the moment; a plan for other options
        // (batch size, API, profile) uses a Planner for those, reusing nothing but the keys.
        Result<Plan> plan = fail(ErrorKind::Internal, QString());
        if (mitigation.scheduling == Scheduling::Auto) {
            AutoOptions autoOptions;
            autoOptions.compare.plan = options;
            autoOptions.compare.seeds = SeedPolicy{};
            autoOptions.apiCallBudget = budget;
            auto choice = AutoPlanner::choose(engine->analysis->keys, autoOptions, progress);
            if (choice) {
                choice->plan.notes.prepend(choice->reason);
                plan = std::move(choice->plan);
            } else {
                plan = std::unexpected(choice.error());
            }
        } else {
            plan = Planner::plan(engine->analysis->keys, mitigation, options);
        }
        // The same seeds and the same means as the comparison: one number per plan.
        Result<StablePrediction> prediction = fail(ErrorKind::Internal, QString());
        if (plan)
            prediction = Comparison::predict(*plan, engine->analysis->keys, options.profile, SeedPolicy{}, progress);
        QMetaObject::invokeMethod(
            self.data(),
            [self, engine, generation, plan = std::move(plan), prediction = std::move(prediction)]() mutable {
                if (!self || generation != self->m_predictGeneration)
                    return;
                if (!plan) {
                    emit self->predictionFailed(plan.error().message);
                    return;
                }
                if (!prediction) {
                    if (prediction.error().kind != ErrorKind::Cancelled)
                        emit self->predictionFailed(prediction.error().message);
                    return;
                }
                PlanResult result;
                result.analysis = engine->analysis;
                auto sharedPlan = std::make_shared<Plan>(std::move(*plan));
                result.order = sendOrderOf(sharedPlan);
                result.plan = sharedPlan;
                result.summary = prediction->summary;
                result.prediction = std::make_shared<const Prediction>(std::move(prediction->representative));
                self->m_latest = result;
                emit self->predicted(result);
            },
            Qt::QueuedConnection);
    });
}

void PlanController::compare(const PlanOptions &options)
{
    m_compareOptions = options;
    if (!m_engine) {
        m_comparePending = true;
        return;
    }
    m_comparePending = false;
    m_compareCancel.cancel();
    m_compareCancel = CancelToken();
    const quint64 generation = ++m_compareGeneration;
    emit comparisonStarted();
    QPointer<PlanController> self(this);
    const auto engine = m_engine;
    const CancelToken cancel = m_compareCancel;
    auto lastPermille = std::make_shared<std::atomic<int>>(-1);
    (void)QtConcurrent::run(&m_backgroundPool, [self, engine, options, cancel, generation, lastPermille] {
        Progress progress;
        progress.cancel = cancel;
        progress.report = [self, generation, lastPermille](qint64 done, qint64 total, const QString &) {
            const int permille = total > 0 ? int(done * 1000 / total) : 0;
            if (lastPermille->exchange(permille) == permille)
                return;
            QMetaObject::invokeMethod(
                self.data(),
                [self, generation, permille] {
                    if (self && generation == self->m_compareGeneration)
                        emit self->comparisonProgress(permille);
                },
                Qt::QueuedConnection);
        };
        CompareOptions compareOptions;
        compareOptions.plan = options;
        compareOptions.mitigations = Mitigation::comparisonSet(options.profile.hasDuplicateRules(options.object));
        auto summaries = Comparison::run(engine->analysis->keys, compareOptions, progress);
        QMetaObject::invokeMethod(
            self.data(),
            [self, generation, summaries = std::move(summaries)]() mutable {
                if (!self || generation != self->m_compareGeneration)
                    return;
                if (!summaries) {
                    if (summaries.error().kind != ErrorKind::Cancelled)
                        emit self->comparisonFailed(summaries.error().message);
                    return;
                }
                self->m_comparison = std::move(*summaries);
                emit self->comparisonReady(self->m_comparison);
            },
            Qt::QueuedConnection);
    });
}

} // namespace lockstep::ui
