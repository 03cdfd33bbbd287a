#include "predict/Recommendation.h"

#include "common/Format.h"

#include <algorithm>
#include <cmath>

namespace lockstep {

namespace {

QString errorsPhrase(double errors)
{
    const qint64 n = qRound64(errors);
    if (n == 0)
        return QStringLiteral("no lock errors");
    // "about 2,300": a prediction is a mean, not a count.
    const qint64 rounded = n >= 1000 ? (n + 50) / 100 * 100 : n >= 100 ? (n + 5) / 10 * 10 : n;
    return QStringLiteral("about %1 lock errors").arg(grouped(rounded));
}

const PredictionSummary *find(const std::vector<PredictionSummary> &all, Scheduling scheduling, bool sortByParent)
{
    for (const PredictionSummary &s : all)
        if (s.planned && s.mitigation.scheduling == scheduling && s.mitigation.sortByParent == sortByParent && s.mitigation.smallBatchRows == 0 &&
            !s.mitigation.duplicateRulesOff)
            return &s;
    return nullptr;
}

} // namespace

Recommendation recommend(const std::vector<PredictionSummary> &summaries, qint64 rows)
{
    Recommendation out;
    std::vector<const PredictionSummary *> planned;
    for (const PredictionSummary &s : summaries)
        if (s.planned)
            planned.push_back(&s);
    if (planned.empty()) {
        out.text = QStringLiteral("No mitigation could be planned for this file with these options.");
        return out;
    }
    const double fewest = (*std::min_element(planned.begin(), planned.end(), [](auto *a, auto *b) {
                              return a->lockErrorRows < b->lockErrorRows;
                          }))->lockErrorRows;
    const double margin = std::max(50.0, 0.01 * double(rows));
    const PredictionSummary *best = nullptr;
    for (const PredictionSummary *s : planned)
        if (s->lockErrorRows <= fewest + margin && (!best || s->durationSeconds < best->durationSeconds))
            best = s;
    out.best = *best;

    QStringList parts;
    const PredictionSummary *parallel = find(summaries, Scheduling::Parallel, false);
    const PredictionSummary *sorted = find(summaries, Scheduling::Parallel, true);
    for (const PredictionSummary *other : {parallel, sorted})
        if (other && !(other->mitigation == best->mitigation))
            parts << QStringLiteral("%1 leaves %2").arg(other->mitigation.label(), errorsPhrase(other->lockErrorRows));
    QString bestPart = QStringLiteral("%1: %2").arg(best->mitigation.label(), errorsPhrase(best->lockErrorRows));
    const PredictionSummary *reference = sorted && !(sorted->mitigation == best->mitigation) ? sorted : parallel;
    if (reference && !(reference->mitigation == best->mitigation) && reference->durationSeconds > 0) {
        const double change = best->durationSeconds / reference->durationSeconds - 1;
        bestPart += QStringLiteral(", %1%2 % time").arg(change >= 0 ? QStringLiteral("+") : QString()).arg(qRound(100 * change));
    } else {
        bestPart += QStringLiteral(" in %1").arg(durationText(best->durationSeconds));
    }
    parts << bestPart;
    out.text = QStringLiteral("Recommended: %1. %2.").arg(best->mitigation.label(), parts.join(QStringLiteral("; ")));
    return out;
}

} // namespace lockstep
