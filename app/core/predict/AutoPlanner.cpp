#include "predict/AutoPlanner.h"

#include "common/Format.h"

#include <cmath>

namespace lockstep {

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
    // The model lets sorted batches share a skewed parent without deadlocks (single-key chunks
    // lock in one order), but nothing calibrates how long a roll-up over thousands of children
    // holds its parent: say so when the choice runs such a parent's batches side by side.
    if (best->mitigation.scheduling == Scheduling::Parallel && plan->largestComponentRows > plan->batchSize) {
        for (const auto &r : choice.candidates)
            if (r.planned && r.mitigation.scheduling == Scheduling::Lanes && !r.mitigation.duplicateRulesOff)
                plan->notes.insert(1, QStringLiteral("Caution: the largest component (%1 rows) spans several batches that run "
                                                     "side by side. The model predicts no deadlock for it, but nothing "
                                                     "calibrates how long a roll-up over that many children holds its "
                                                     "parent; parent-aware lanes (%2 s, %3 predicted lock errors) keep it "
                                                     "on one serial lane.")
                                          .arg(grouped(plan->largestComponentRows))
                                          .arg(r.durationSeconds, 0, 'f', 0)
                                          .arg(std::round(r.lockErrorRows)));
    }
    choice.reason = plan->notes.front();
    choice.plan = std::move(*plan);
    return choice;
}

} // namespace lockstep
