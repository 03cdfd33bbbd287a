#include "PlanView.h"

#include "ComparisonView.h"
#include "MitigationPanel.h"
#include "PredictionPanel.h"
#include "TimelineView.h"
#include "BackgroundTask.h"
#include "predict/Recommendation.h"

#include <QHBoxLayout>
#include <QJsonDocument>
#include <QLabel>
#include <QPushButton>
#include <QScrollArea>
#include <QSplitter>
#include <QTimer>
#include <QVBoxLayout>

namespace lockstep::ui {

PlanView::PlanView(QWidget *parent)
    : QWidget(parent), m_planner(new PlanController(this)), m_mitigation(new MitigationPanel), m_prediction(new PredictionPanel),
      m_comparison(new ComparisonView), m_timeline(new TimelineView), m_recommendation(new QLabel), m_target(new QLabel),
      m_duplicateRules(new QLabel), m_rulesTask(new BackgroundTask(this)),
      m_run(new QPushButton(tr("Run ▶"))), m_compareDebounce(new QTimer(this))
{
    setObjectName(QStringLiteral("PlanView"));
    m_recommendation->setObjectName(QStringLiteral("recommendation"));
    m_recommendation->setWordWrap(true);
    m_recommendation->setTextFormat(Qt::RichText);
    m_recommendation->setText(tr("Every mitigation is being compared; the recommendation shows here."));
    m_run->setObjectName(QStringLiteral("runButton"));
    m_run->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    QFont bold = m_run->font();
    bold.setBold(true);
    m_run->setFont(bold);
    m_run->setMinimumWidth(120);
    m_target->setWordWrap(true);

    auto *left = new QWidget;
    auto *leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->addWidget(m_mitigation);
    m_duplicateRules->setObjectName(QStringLiteral("duplicateRules"));
    m_duplicateRules->setWordWrap(true);
    m_duplicateRules->setTextFormat(Qt::RichText);
    leftLayout->addWidget(m_duplicateRules);
    leftLayout->addWidget(m_prediction, 1);
    auto *scroll = new QScrollArea;
    scroll->setWidget(left);
    scroll->setWidgetResizable(true);
    scroll->setMinimumWidth(360);

    auto *runRow = new QHBoxLayout;
    runRow->addWidget(m_recommendation, 1);
    auto *runColumn = new QVBoxLayout;
    runColumn->addWidget(m_run);
    runColumn->addWidget(m_target);
    runRow->addLayout(runColumn);

    auto *right = new QSplitter(Qt::Vertical);
    right->setObjectName(QStringLiteral("planRightSplitter"));
    right->addWidget(m_comparison);
    right->addWidget(m_timeline);
    m_split = new QSplitter(Qt::Horizontal);
    QSplitter *split = m_split;
    split->setObjectName(QStringLiteral("planSplitter"));
    split->addWidget(scroll);
    split->addWidget(right);
    split->setStretchFactor(0, 2);
    split->setStretchFactor(1, 5);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(runRow);
    layout->addWidget(split, 1);

    connect(m_mitigation, &MitigationPanel::changed, this, &PlanView::onMitigationChanged);
    connect(m_planner, &PlanController::instantEstimate, m_prediction, &PredictionPanel::showEstimate);
    connect(m_planner, &PlanController::instantEstimateFailed, m_prediction, &PredictionPanel::showEstimateUnavailable);
    connect(m_planner, &PlanController::predictionStarted, m_prediction, &PredictionPanel::showPredicting);
    connect(m_planner, &PlanController::predictionFailed, m_prediction, &PredictionPanel::showFailure);
    connect(m_planner, &PlanController::predicted, this, [this](const PlanResult &result) {
        if (result.analysis != m_analysis)
            return;
        m_prediction->showPrediction(result);
        m_timeline->showResult(result);
        updateRunButton();
        emit planShown(result);
    });
    connect(m_planner, &PlanController::comparisonStarted, m_comparison, &ComparisonView::showRunning);
    connect(m_planner, &PlanController::comparisonProgress, m_comparison, &ComparisonView::showProgress);
    connect(m_planner, &PlanController::comparisonFailed, m_comparison, &ComparisonView::showFailure);
    connect(m_planner, &PlanController::comparisonReady, this, [this](const std::vector<PredictionSummary> &summaries) {
        m_comparison->showSummaries(summaries);
        m_comparison->markCurrent(m_mitigation->mitigation());
        const Recommendation r = recommend(summaries, m_analysis ? m_analysis->file.rowCount() : 0);
        m_recommendation->setText(QStringLiteral("<b>%1</b>").arg(r.text.toHtmlEscaped()));
    });
    connect(m_comparison, &ComparisonView::mitigationChosen, m_mitigation, &MitigationPanel::setMitigation);
    connect(m_run, &QPushButton::clicked, this, &PlanView::runRequested);
    // The comparison reruns only when what it depends on (batch size, API, concurrency, org)
    // changes, and only once the user stops turning the knob.
    m_compareDebounce->setSingleShot(true);
    m_compareDebounce->setInterval(400);
    connect(m_compareDebounce, &QTimer::timeout, this, &PlanView::requestComparison);
    updateRunButton();
}

void PlanView::setAnalysis(AnalysisPtr analysis)
{
    m_analysis = analysis;
    m_timeline->clear();
    m_comparison->clear();
    m_comparedKey.clear();
    m_recommendation->setText(tr("Every mitigation is being compared; the recommendation shows here."));
    m_planner->setAnalysis(analysis);
    requestPlan();
    requestComparison();
    updateRunButton();
    readDuplicateRules();
}

void PlanView::setProfile(const OrgProfile &profile)
{
    m_profile = profile;
    requestPlan();
    m_compareDebounce->start();
}

void PlanView::setTarget(const RunTarget &target)
{
    m_runTarget = target;
    m_targetLabel = target.isValid() ? target.label : QString();
    updateRunButton();
    readDuplicateRules();
}

void PlanView::readDuplicateRules()
{
    if (!m_analysis || !m_runTarget.isValid()) {
        m_duplicateRules->clear();
        return;
    }
    const QString object = PlanController::optionsFor(*m_analysis, m_profile).object;
    if (object.isEmpty())
        return m_duplicateRules->clear();
    m_rulesTask->start(
        [target = m_runTarget, object](const BackgroundRun &) -> Result<std::vector<DuplicateRuleState>> {
            auto client = OrgClient::create(target.session, target.renew);
            if (!client)
                return std::unexpected(client.error());
            auto rules = client->duplicateRules(object);
            if (!rules)
                return std::unexpected(rules.error().toError());
            return *rules;
        },
        [this, object, label = m_runTarget.label](const Result<std::vector<DuplicateRuleState>> &rules) {
            if (!rules) {
                m_duplicateRules->setText(tr("<i>The duplicate rules of %1 could not be read from %2: %3</i>")
                                              .arg(object, label, rules.error().message.toHtmlEscaped()));
                return;
            }
            QStringList active;
            for (const DuplicateRuleState &r : *rules)
                if (r.active)
                    active << r.developerName;
            // A fact about the org, so the prediction takes it as the org says (their time is spent
            // inside the lock window: more lock errors).
            m_mitigation->setDuplicateRulesActiveInOrg(!active.isEmpty());
            if (active.isEmpty()) {
                m_duplicateRules->setText(tr("No active duplicate rule on %1 in %2.").arg(object, label));
                return;
            }
            m_duplicateRules->setText(tr("<b>Active duplicate rules on %1 in %2:</b> %3 (the prediction counts the time they take).<br>"
                                         "With \"Deactivate duplicate rules\" they are off while the job runs, and switched back on "
                                         "when it ends, fails or is cancelled (or at the next start, after a crash).")
                                          .arg(object, label.toHtmlEscaped(), active.join(QStringLiteral(", ")).toHtmlEscaped()));
        });
}

void PlanView::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    // The charts are what this step is for. A long line in the settings column (or a state saved
    // while the step was hidden) could give that column most of the width: at first sight it
    // gets at most two fifths; the user's own dragging afterwards is kept.
    if (m_splitChecked)
        return;
    m_splitChecked = true;
    const QList<int> sizes = m_split->sizes();
    const int total = sizes.value(0) + sizes.value(1);
    if (total > 0 && sizes.value(0) > total * 2 / 5)
        m_split->setSizes({total * 2 / 5, total - total * 2 / 5});
}

void PlanView::updateRunButton()
{
    const bool planned = m_analysis && m_planner->latest().analysis == m_analysis && m_planner->latest().plan;
    m_run->setEnabled(planned && !m_targetLabel.isEmpty());
    m_target->setText(m_targetLabel.isEmpty() ? tr("No org to run against (File step: choose one)") : tr("into %1").arg(m_targetLabel));
    m_run->setToolTip(!planned ? tr("Waiting for the plan's prediction")
                               : tr("Record this plan as a job and send it to %1 (Ctrl+R)").arg(m_targetLabel));
}

PlanOptions PlanView::planOptions() const
{
    PlanOptions base = m_analysis ? PlanController::optionsFor(*m_analysis, m_profile) : PlanOptions{m_profile};
    return m_mitigation->planOptions(base);
}

QString PlanView::comparisonKey(const PlanOptions &options) const
{
    return QString::fromUtf8(QJsonDocument(options.profile.toJson()).toJson(QJsonDocument::Compact)) +
           QStringLiteral("|%1|%2|%3").arg(options.batchSize.value_or(0)).arg(options.concurrency.value_or(0))
               .arg(options.api ? apiName(*options.api) : QString());
}

void PlanView::onMitigationChanged()
{
    requestPlan();
    m_comparison->markCurrent(m_mitigation->mitigation());
    if (comparisonKey(planOptions()) != m_comparedKey)
        m_compareDebounce->start();
}

void PlanView::requestPlan()
{
    if (!m_analysis)
        return;
    m_planner->setRequest(m_mitigation->mitigation(), planOptions(), m_mitigation->apiCallBudget());
    updateRunButton();
}

void PlanView::requestComparison()
{
    if (!m_analysis)
        return;
    const PlanOptions options = planOptions();
    m_comparedKey = comparisonKey(options);
    m_planner->compare(options);
}

} // namespace lockstep::ui
