#include "PredictionPanel.h"

#include "UiFormat.h"
#include "UiTime.h"

#include <QLabel>
#include <QVBoxLayout>

#include <cmath>

namespace lockstep::ui {

PredictionPanel::PredictionPanel(QWidget *parent)
    : QWidget(parent), m_estimate(new QLabel(this)), m_prediction(new QLabel(this)), m_notes(new QLabel(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    for (QLabel *label : {m_estimate, m_prediction, m_notes}) {
        label->setWordWrap(true);
        label->setTextFormat(Qt::RichText);
        label->setTextInteractionFlags(Qt::TextSelectableByMouse);
        label->setAlignment(Qt::AlignTop | Qt::AlignLeft);
        layout->addWidget(label);
    }
    m_estimate->setObjectName(QStringLiteral("instantEstimate"));
    m_prediction->setObjectName(QStringLiteral("prediction"));
    layout->addStretch();
    clear();
}

void PredictionPanel::clear()
{
    m_estimate->setText(tr("<i>Open a file to predict its load.</i>"));
    m_prediction->clear();
    m_notes->clear();
}

void PredictionPanel::showEstimate(const InstantEstimate &e)
{
    // A closed form for the slider, not the figure Lockstep commits to: say which it is.
    m_estimate->setText(tr("<b>Instant estimate</b> (closed form%5): ≈ %1 lock errors (P(collision) %2), ≈ %3, %4 API calls")
                            .arg(grouped(qint64(e.lockErrorRows + 0.5)), percent(e.collisionProbability, 0),
                                 duration(e.durationSeconds), grouped(e.apiCalls))
                            .arg(e.rough ? tr("; rough: a skewed parent's lock saturates — the prediction below is the number")
                                         : QString()));
}

void PredictionPanel::showEstimateUnavailable(const QString &why)
{
    m_estimate->setText(tr("<b>Instant estimate</b>: %1").arg(why.toHtmlEscaped()));
}

void PredictionPanel::showPredicting()
{
    m_prediction->setText(m_prediction->text().isEmpty() ? tr("<i>Predicting…</i>")
                                                          : m_prediction->text().replace(QStringLiteral("<b>Predicted</b>"),
                                                                                        QStringLiteral("<b>Predicted</b> (updating…)")));
}

namespace {
// The lower bound is what a collision-free plan cannot beat (lock-model.md §5.4); a plan that
// lets batches fight over parents can finish sooner by losing rows, which deserves words.
QString boundText(const Plan &plan, const PredictionSummary &p)
{
    const QString bound = duration(p.lowerBoundSeconds);
    const QString what = plan.boundIsHotParent() ? PredictionPanel::tr("how long the hottest parent must be held")
                                                 : PredictionPanel::tr("total work ÷ concurrency");
    if (std::llround(p.lockErrorRows) > 0 && p.ratioToBound < 1.0)
        return PredictionPanel::tr("faster than any collision-free plan can be (%1: %2) — by failing rows").arg(bound, what);
    return PredictionPanel::tr("%1× the lower bound of %2 (%3)").arg(p.ratioToBound, 0, 'f', 2).arg(bound, what);
}
} // namespace

void PredictionPanel::showPrediction(const PlanResult &result)
{
    const Plan &plan = *result.plan;
    const PredictionSummary &s = result.summary;
    const Prediction &p = *result.prediction;   // the run closest to the mean: its details
    const bool clean = std::llround(s.lockErrorRows) == 0 && p.notProcessedRows == 0;
    QString text = tr("<b>Predicted</b> for <i>%1</i>:<br>"
                      "<span style='font-size:large; color:%2'><b>%3 lock errors</b></span> of %4 rows%5<br>"
                      "<b>%6</b> · %7 API calls · %8 batches on %9 workers<br>"
                      "%10<br>"
                      "<span style='color:#555'>Means of %11 seeded runs (± one run's spread; standard error %12 rows, "
                      "%13)%14.</span>")
                       .arg(plan.mitigation.label().toHtmlEscaped(), clean ? QStringLiteral("#1a7f37") : QStringLiteral("#c8281e"))
                       .arg(errorsWithSpread(s.lockErrorRows, s.lockErrorRowsSd, s.runs), grouped(p.rows))
                       .arg(p.notProcessedRows ? tr(", %1 not processed").arg(grouped(p.notProcessedRows)) : QString())
                       .arg(s.runs > 1 && s.durationSd >= 0.5 ? duration(s.durationSeconds) + QStringLiteral(" ± ") + duration(s.durationSd)
                                                              : duration(s.durationSeconds),
                            grouped(qint64(std::llround(s.apiCalls))), grouped(qint64(plan.batches.size())))
                       .arg(plan.concurrency)
                       .arg(boundText(plan, s))
                       .arg(s.runs)
                       .arg(grouped(qint64(std::llround(s.lockErrorRowsSe))), duration(s.durationSe))
                       .arg(s.stable ? QString() : tr(" — not yet stable at the seed limit"));
    if (plan.api == Api::Bulk1Parallel || plan.api == Api::Bulk1Serial)
        text += tr("<br>Batches uploaded %1 s apart (the client's pace).").arg(plan.uploadGapSeconds);
    if (p.deadlocks || p.timeouts || p.lockWaits)
        text += tr("<br>Seed %1, the run closest to the mean: %2 lock errors, %3 deadlocks, %4 timeouts, %5 lock waits")
                    .arg(p.seed)
                    .arg(grouped(p.lockErrorRows), grouped(p.deadlocks), grouped(p.timeouts), grouped(p.lockWaits));
    const auto contended = p.mostContended(5);
    if (!contended.empty() && (p.lockErrorRows > 0 || p.lockWaits > 0)) {
        text += tr("<br><b>Most contended parents</b> (seed %1):").arg(p.seed);
        for (auto key : contended) {
            const std::uint32_t failures = key < p.keyFailures.size() ? p.keyFailures[key] : 0;
            const std::uint32_t waits = key < p.keyWaits.size() ? p.keyWaits[key] : 0;
            text += QStringLiteral("<br>&nbsp;&nbsp;%1 — %2 failed, %3 waited")
                        .arg(result.analysis->keys.keyLabel(key).toHtmlEscaped(), grouped(failures), grouped(waits));
        }
    }
    m_prediction->setText(text);
    QStringList notes;
    for (const QString &note : plan.notes)
        notes << QStringLiteral("• ") + note.toHtmlEscaped();
    m_notes->setText(notes.isEmpty() ? QString() : tr("<b>The plan</b><br>") + notes.join(QStringLiteral("<br>")));
}

void PredictionPanel::showFailure(const QString &message)
{
    m_prediction->setText(tr("<b style='color:#c8281e'>Cannot plan this</b>: %1").arg(message.toHtmlEscaped()));
    m_notes->clear();
}

QString PredictionPanel::estimateText() const
{
    return m_estimate->text();
}

QString PredictionPanel::predictionText() const
{
    return m_prediction->text();
}

} // namespace lockstep::ui
