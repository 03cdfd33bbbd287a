#include "predict/AutoPlanner.h"

#include "common/Format.h"
#include "sim/TransactionModel.h"

#include <cmath>

namespace lockstep {

namespace {

const PredictionSummary *find(const std::vector<PredictionSummary> &rows, const Mitigation &m)
{
    for (const auto &r : rows)
        if (r.planned && r.mitigation == m)
            return &r;
    return nullptr;
}

QString outcome(const PredictionSummary &s, qint64 rows)
{
    if (std::round(s.lockErrorRows) == 0)
        return QStringLiteral("no lock error in %1 s").arg(s.durationSeconds, 0, 'f', 0);
    return QStringLiteral("%1 rows fail (%2 %) in %3 s")
        .arg(grouped(qint64(std::llround(s.lockErrorRows))))
        .arg(100.0 * s.lockErrorRows / double(std::max<qint64>(1, rows)), 0, 'f', 0)
        .arg(s.durationSeconds, 0, 'f', 0);
}

// When the file has a parent past the profile's hold threshold, the choice is about it: say
// which parent, how much longer it is held, and what the other ways of loading it cost.
QString skewReason(const Plan &plan, const PredictionSummary &chosen, const std::vector<PredictionSummary> &candidates,
                   const Planner &planner)
{
    if (plan.hottestKey == LockKeys::npos || !plan.parentChildren)
        return {};
    const OrgProfile &profile = planner.options().profile;
    const TransactionModel model(profile, {plan.object, plan.operation, plan.duplicateRulesActive});
    const qint64 children = (*plan.parentChildren)[plan.hottestKey];
    const double hold = model.parentHoldSeconds(children);
    if (hold <= 0)
        return {};
    const LockKeys &keys = planner.keys();
    const QString object = keys.keyObject(plan.hottestKey);
    const QString parent = (object.isEmpty() ? QString() : object + QLatin1Char(' ')) + keys.keyLabel(plan.hottestKey);
    QStringList alternatives;
    for (const auto &[m, name] : {std::pair{Mitigation{}, QStringLiteral("as is")},
                                  std::pair{Mitigation{Scheduling::Parallel, true}, QStringLiteral("sorted by parent")},
                                  std::pair{Mitigation{Scheduling::ParentQueue}, QStringLiteral("a per-parent queue")}})
        if (const auto *r = find(candidates, m); r && !(m == chosen.mitigation))
            alternatives << QStringLiteral("%1, %2").arg(name, outcome(*r, plan.rowCount()));
    return QStringLiteral("The choice is forced by %1: %2 children, so every transaction that locks it holds it about "
                          "%3 s longer (an assumption of the profile with no field constant). %4. %5: %6, %7× the "
                          "lower bound of %8 s.")
        .arg(parent, grouped(children))
        .arg(hold, 0, 'f', 1)
        .arg(alternatives.isEmpty() ? QStringLiteral("No other plan was weighed")
                                    : QStringLiteral("Loaded ") + alternatives.join(QStringLiteral("; ")))
        .arg(chosen.mitigation.label(), outcome(chosen, plan.rowCount()))
        .arg(chosen.ratioToBound, 0, 'f', 2)
        .arg(chosen.lowerBoundSeconds, 0, 'f', 0);
}

} // namespace

Result<AutoChoice> AutoPlanner::choose(const LockKeys &keys, const AutoOptions &options, const Progress &progress)
{
    const Planner planner(keys, options.compare.plan, progress.cancel);
    return choose(planner, options, progress);
}

Result<AutoChoice> AutoPlanner::choose(const Planner &planner, const AutoOptions &options, const Progress &progress)
{
    if (options.apiCallBudget < 0)
        return fail(ErrorKind::Usage, QStringLiteral("the API-call budget must not be negative (got %1)").arg(options.apiCallBudget));
    CompareOptions compare = options.compare;
    if (compare.mitigations.empty()) {
        const bool duplicates = compare.plan.profile.hasDuplicateRules(compare.plan.object);
        compare.mitigations = Mitigation::comparisonSet(duplicates);
        if (duplicates)
            compare.mitigations.push_back({Scheduling::Lanes, false, 0, true});
    }
    std::erase_if(compare.mitigations, [](const Mitigation &m) { return m.scheduling == Scheduling::Auto; });
    auto rows = Comparison::run(planner, compare, progress);
    if (!rows)
        return std::unexpected(rows.error());

    const PredictionSummary *best = nullptr;
    const PredictionSummary *cheapest = nullptr;
    for (const auto &r : *rows) {
        if (!r.planned)
            continue;
        if (!cheapest || r.apiCalls < cheapest->apiCalls)
            cheapest = &r;
        if (options.apiCallBudget > 0 && r.apiCalls > double(options.apiCallBudget))
            continue;
        auto better = [](const PredictionSummary &a, const PredictionSummary &b) {
            // Whole rows: means over seeds differ in fractions that mean nothing.
            const double ea = std::round(a.lockErrorRows), eb = std::round(b.lockErrorRows);
            if (ea != eb)
                return ea < eb;
            if (a.durationSeconds != b.durationSeconds)
                return a.durationSeconds < b.durationSeconds;
            return a.apiCalls < b.apiCalls;
        };
        if (!best || better(r, *best))
            best = &r;
    }
    if (!best) {
        if (!cheapest)
            return fail(ErrorKind::Usage, QStringLiteral("no mitigation can run with these options"));
        return fail(ErrorKind::Usage, QStringLiteral("no mitigation fits in %1 API calls; the fewest is %2 (%3)")
                                          .arg(options.apiCallBudget)
                                          .arg(std::ceil(cheapest->apiCalls))
                                          .arg(cheapest->mitigation.label()));
    }
    auto plan = planner.plan(best->mitigation);
    if (!plan)
        return std::unexpected(plan.error());
    AutoChoice choice;
    choice.chosen = *best;
    choice.candidates = std::move(*rows);
    plan->notes.prepend(QStringLiteral("Auto chose %1: %2 predicted lock errors in %3 s (%4 API calls)%5.")
                            .arg(best->mitigation.label())
                            .arg(std::round(best->lockErrorRows))
                            .arg(best->durationSeconds, 0, 'f', 0)
                            .arg(std::ceil(best->apiCalls))
                            .arg(options.apiCallBudget > 0 ? QStringLiteral(", within the budget of %1").arg(options.apiCallBudget)
                                                           : QString()));
    // A skewed parent is what makes the choice: name it, and what the alternatives cost.
    if (const QString why = skewReason(*plan, *best, choice.candidates, planner); !why.isEmpty())
        plan->notes.insert(1, why);
    choice.reason = plan->notes.front();
    choice.plan = std::move(*plan);
    return choice;
}

} // namespace lockstep
