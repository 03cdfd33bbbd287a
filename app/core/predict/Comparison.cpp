#include "predict/Comparison.h"

#include "predict/Predictor.h"

#include <algorithm>
#include <cmath>

namespace lockstep {

QJsonObject PredictionSummary::toJson() const
{
    QJsonObject o{{QStringLiteral("mitigation"), mitigation.key()}, {QStringLiteral("label"), mitigation.label()}};
    if (!planned) {
        o.insert(QStringLiteral("error"), error.message);
        return o;
    }
    o.insert(QStringLiteral("api"), apiName(api));
    o.insert(QStringLiteral("batchSize"), batchSize);
    o.insert(QStringLiteral("batches"), batches);
    o.insert(QStringLiteral("concurrency"), concurrency);
    o.insert(QStringLiteral("runs"), runs);
    o.insert(QStringLiteral("lockErrorRows"), lockErrorRows);
    o.insert(QStringLiteral("lockErrorRowsSd"), lockErrorRowsSd);
    o.insert(QStringLiteral("durationSeconds"), durationSeconds);
    o.insert(QStringLiteral("durationSd"), durationSd);
    o.insert(QStringLiteral("apiCalls"), apiCalls);
    o.insert(QStringLiteral("deadlocks"), deadlocks);
    o.insert(QStringLiteral("lockWaits"), lockWaits);
    o.insert(QStringLiteral("lowerBoundSeconds"), lowerBoundSeconds);
    o.insert(QStringLiteral("ratioToBound"), ratioToBound);
    o.insert(QStringLiteral("boundIsHotParent"), boundIsHotParent);
    return o;
}

PredictionSummary Comparison::summarize(const Plan &plan, const std::vector<Prediction> &runs)
{
    PredictionSummary s;
    s.mitigation = plan.mitigation;
    s.planned = true;
    s.api = plan.api;
    s.batchSize = plan.batchSize;
    s.batches = qint64(plan.batches.size());
    s.concurrency = plan.concurrency;
    s.lowerBoundSeconds = plan.lowerBoundSeconds;
    s.boundIsHotParent = plan.boundIsHotParent();
    s.runs = int(runs.size());
    if (runs.empty())
        return s;
    double e2 = 0, d2 = 0;
    for (const auto &r : runs) {
        s.lockErrorRows += double(r.lockErrorRows);
        e2 += double(r.lockErrorRows) * double(r.lockErrorRows);
        s.durationSeconds += r.durationSeconds;
        d2 += r.durationSeconds * r.durationSeconds;
        s.apiCalls += double(r.apiCalls);
        s.deadlocks += double(r.deadlocks);
        s.lockWaits += double(r.lockWaits);
        s.computeSeconds += r.computeSeconds;
    }
    const double n = double(runs.size());
    for (double *v : {&s.lockErrorRows, &s.durationSeconds, &s.apiCalls, &s.deadlocks, &s.lockWaits, &s.computeSeconds})
        *v /= n;
    s.lockErrorRowsSd = std::sqrt(std::max(0.0, e2 / n - s.lockErrorRows * s.lockErrorRows));
    s.durationSd = std::sqrt(std::max(0.0, d2 / n - s.durationSeconds * s.durationSeconds));
    s.ratioToBound = s.lowerBoundSeconds > 0 ? s.durationSeconds / s.lowerBoundSeconds : 0;
    return s;
}

Result<std::vector<PredictionSummary>> Comparison::run(const LockKeys &keys, const CompareOptions &options,
                                                       const Progress &progress)
{
    const Planner planner(keys, options.plan, progress.cancel);
    return run(planner, options, progress);
}

Result<std::vector<PredictionSummary>> Comparison::run(const Planner &planner, const CompareOptions &options,
                                                       const Progress &progress)
{
    if (options.seeds.empty())
        return fail(ErrorKind::Usage, QStringLiteral("a comparison needs at least one seed"));
    const OrgProfile &profile = options.plan.profile;
    const auto mitigations = options.mitigations.empty()
                                 ? Mitigation::comparisonSet(profile.hasDuplicateRules(options.plan.object))
                                 : options.mitigations;
    // Each prediction reports in rows; the comparison reports in predictions, so the inner runs
    // only share the cancel token.
    Progress inner;
    inner.cancel = progress.cancel;
    std::vector<PredictionSummary> rows;
    const qint64 total = qint64(mitigations.size() * options.seeds.size());
    qint64 done = 0;
    for (const auto &m : mitigations) {
        auto plan = planner.plan(m);
        if (!plan) {
            if (plan.error().kind == ErrorKind::Cancelled)
                return std::unexpected(plan.error());
            if (plan.error().kind != ErrorKind::Usage)
                return std::unexpected(plan.error());
            PredictionSummary s;
            s.mitigation = m;
            s.error = plan.error();
            rows.push_back(s);
            done += qint64(options.seeds.size());
            continue;
        }
        std::vector<Prediction> runs;
        for (const auto seed : options.seeds) {
            progress(done, total, QStringLiteral("Predicting %1").arg(m.label()));
            PredictOptions po;
            po.profile = profile;
            po.seed = seed;
            po.recordRows = false;
            po.recordTimeline = false;
            auto p = Predictor::predict(*plan, planner.keys(), po, inner);
            if (!p)
                return std::unexpected(p.error());
            // Keep the totals only: a comparison of 10 million rows must not hold 35 runs of rows.
            p->keyWaits.clear();
            p->keyWaits.shrink_to_fit();
            p->keyFailures.clear();
            p->keyFailures.shrink_to_fit();
            p->batches.clear();
            p->batches.shrink_to_fit();
            runs.push_back(std::move(*p));
            ++done;
        }
        rows.push_back(summarize(*plan, runs));
    }
    progress(total, total, QStringLiteral("Predicting"));
    // Options no mitigation can run with (a concurrency of 0, an empty file) are the caller's
    // error, not a table of refusals.
    if (std::none_of(rows.begin(), rows.end(), [](const PredictionSummary &r) { return r.planned; }) && !rows.empty())
        return std::unexpected(rows.front().error);
    return rows;
}

} // namespace lockstep
