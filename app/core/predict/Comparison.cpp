#include "predict/Comparison.h"

#include "predict/Predictor.h"

#include <algorithm>
#include <cmath>
#include <atomic>
#include <functional>
#include <optional>
#include <thread>

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
    o.insert(QStringLiteral("firstSeed"), qint64(firstSeed));
    o.insert(QStringLiteral("stable"), stable);
    o.insert(QStringLiteral("lockErrorRows"), lockErrorRows);
    o.insert(QStringLiteral("lockErrorRowsSd"), lockErrorRowsSd);
    o.insert(QStringLiteral("lockErrorRowsSe"), lockErrorRowsSe);
    o.insert(QStringLiteral("durationSeconds"), durationSeconds);
    o.insert(QStringLiteral("durationSd"), durationSd);
    o.insert(QStringLiteral("durationSe"), durationSe);
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
    // Sample standard deviations (n − 1): a handful of seeds would understate the spread.
    const double dof = std::max(1.0, n - 1);
    s.lockErrorRowsSd = std::sqrt(std::max(0.0, (e2 - n * s.lockErrorRows * s.lockErrorRows) / dof));
    s.durationSd = std::sqrt(std::max(0.0, (d2 - n * s.durationSeconds * s.durationSeconds) / dof));
    s.lockErrorRowsSe = s.lockErrorRowsSd / std::sqrt(n);
    s.durationSe = s.durationSd / std::sqrt(n);
    s.firstSeed = runs.front().seed;
    s.ratioToBound = s.lowerBoundSeconds > 0 ? s.durationSeconds / s.lowerBoundSeconds : 0;
    return s;
}

namespace {

// σ's 90 % upper confidence bound over the sample standard deviation, for n runs: √((n−1)/χ²₀.₁₀(n−1)),
// with χ² by the Wilson–Hilferty approximation (within 1 % of the table from 4 degrees of freedom).
double spreadUpperBoundFactor(int runs)
{
    const double k = std::max(1, runs - 1);
    const double z = -1.2815515655;   // the normal distribution's 10 % quantile
    const double base = 1.0 - 2.0 / (9.0 * k) + z * std::sqrt(2.0 / (9.0 * k));
    const double chi2 = k * std::pow(std::max(base, 1e-3), 3);
    return std::sqrt(k / chi2);
}

} // namespace

bool SeedPolicy::precise(const PredictionSummary &s) const
{
    const double target = targetRelativeError > 0 ? targetRelativeError : 0.05;
    const double bound = spreadUpperBoundFactor(s.runs);
    const double errorsSe = bound * s.lockErrorRowsSe;
    const bool errors = s.lockErrorRows < 500 ? errorsSe <= 25 : errorsSe <= target * s.lockErrorRows;
    const bool duration = bound * s.durationSe <= target * s.durationSeconds;
    return s.runs >= 2 && errors && duration;
}

bool SeedPolicy::enough(const PredictionSummary &s) const
{
    return s.runs >= minSeeds && (s.runs >= maxSeeds || precise(s));
}

namespace {

// Keep the totals only: a comparison of 10 million rows must not hold 40 runs of rows.
void dropDetails(Prediction &p)
{
    for (auto *v : {&p.keyWaits, &p.keyFailures}) {
        v->clear();
        v->shrink_to_fit();
    }
    p.batches.clear();
    p.batches.shrink_to_fit();
    p.rowOutcome.clear();
    p.rowOutcome.shrink_to_fit();
    p.rowWaits.clear();
    p.rowWaits.shrink_to_fit();
    p.timeline.clear();
    p.timeline.shrink_to_fit();
}

// Runs seeds in order until the policy has enough. Seeds are independent runs of a pure
// function, so a round of them runs on several threads; results are taken in seed order and
// the first seed at which the policy has enough ends it, so the figure is the same whatever
// the number of threads (extra seeds of the last round are dropped).
Result<std::vector<Prediction>> runSeeds(const Plan &plan, const LockKeys &keys, const OrgProfile &profile,
                                         const SeedPolicy &seeds, const Progress &progress, const std::function<void(int)> &onRun)
{
    Progress inner;
    inner.cancel = progress.cancel;
    const int limit = std::max(1, seeds.maxSeeds);
    const int threads = int(std::clamp<unsigned>(std::thread::hardware_concurrency(), 1u, 4u));
    std::vector<Prediction> runs;
    while (int(runs.size()) < limit) {
        // The first round fills up to minSeeds at once; later rounds add a thread's worth.
        const int first = int(runs.size());
        const int want = first < seeds.minSeeds ? seeds.minSeeds - first : threads;
        const int count = std::min(limit - first, std::max(1, want));
        std::vector<std::optional<Result<Prediction>>> results(static_cast<size_t>(count));
        auto work = [&](int i) {
            PredictOptions po;
            po.profile = profile;
            po.seed = seeds.firstSeed + std::uint64_t(first + i);
            po.recordRows = false;
            po.recordTimeline = false;
            results[size_t(i)] = Predictor::predict(plan, keys, po, inner);
        };
        {
            std::vector<std::jthread> pool;
            std::atomic<int> next{0};
            for (int t = 0; t < std::min(threads, count); ++t)
                pool.emplace_back([&] {
                    for (int i = next++; i < count; i = next++)
                        work(i);
                });
        }
        for (auto &r : results) {
            if (!*r)
                return std::unexpected(r->error());
            Prediction p = std::move(**r);
            dropDetails(p);
            runs.push_back(std::move(p));
            if (onRun)
                onRun(int(runs.size()));
            if (seeds.enough(Comparison::summarize(plan, runs)))
                return runs;
        }
    }
    return runs;
}

} // namespace

Result<StablePrediction> Comparison::predict(const Plan &plan, const LockKeys &keys, const OrgProfile &profile,
                                             const SeedPolicy &seeds, const Progress &progress)
{
    auto runs = runSeeds(plan, keys, profile, seeds, progress, [&](int n) {
        progress(n, std::max(n, seeds.minSeeds), QStringLiteral("Predicting (seed %1)").arg(n));
    });
    if (!runs)
        return std::unexpected(runs.error());
    StablePrediction out;
    out.summary = summarize(plan, *runs);
    out.summary.stable = seeds.precise(out.summary);
    // The run that stands for the mean: closest in errors and duration, each relative to its spread.
    const auto &s = out.summary;
    auto distance = [&](const Prediction &p) {
        const double e = s.lockErrorRowsSd > 0 ? (double(p.lockErrorRows) - s.lockErrorRows) / s.lockErrorRowsSd : 0;
        const double d = s.durationSd > 0 ? (p.durationSeconds - s.durationSeconds) / s.durationSd : 0;
        return e * e + d * d;
    };
    const auto closest = std::min_element(runs->begin(), runs->end(),
                                          [&](const Prediction &a, const Prediction &b) { return distance(a) < distance(b); });
    PredictOptions po;
    po.profile = profile;
    po.seed = closest->seed;
    auto detailed = Predictor::predict(plan, keys, po, Progress{{}, progress.cancel});
    if (!detailed)
        return std::unexpected(detailed.error());
    out.representative = std::move(*detailed);
    return out;
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
    if (options.seeds.maxSeeds < 1 || options.seeds.minSeeds < 1 || options.seeds.minSeeds > options.seeds.maxSeeds)
        return fail(ErrorKind::Usage, QStringLiteral("a comparison needs at least one seed"));
    const OrgProfile &profile = options.plan.profile;
    const auto mitigations = options.mitigations.empty()
                                 ? Mitigation::comparisonSet(profile.hasDuplicateRules(options.plan.object))
                                 : options.mitigations;
    // Each prediction reports in rows; the comparison reports in mitigations (a seed's run is a
    // fraction of one), so the inner runs only share the cancel token.
    std::vector<PredictionSummary> rows;
    const qint64 total = qint64(mitigations.size()) * 1000;
    qint64 done = 0;
    for (const auto &m : mitigations) {
        auto plan = planner.plan(m);
        if (!plan) {
            if (plan.error().kind != ErrorKind::Usage)
                return std::unexpected(plan.error());
            PredictionSummary s;
            s.mitigation = m;
            s.error = plan.error();
            rows.push_back(s);
            done += 1000;
            continue;
        }
        auto runs = runSeeds(*plan, planner.keys(), profile, options.seeds, progress, [&](int n) {
            progress(done + std::min<qint64>(999, 1000 * n / std::max(1, options.seeds.minSeeds + 2)), total,
                     QStringLiteral("Predicting %1").arg(m.label()));
        });
        if (!runs)
            return std::unexpected(runs.error());
        PredictionSummary s = summarize(*plan, *runs);
        s.stable = options.seeds.precise(s);
        rows.push_back(s);
        done += 1000;
    }
    progress(total, total, QStringLiteral("Predicting"));
    // Options no mitigation can run with (a concurrency of 0, an empty file) are the caller's
    // error, not a table of refusals.
    if (std::none_of(rows.begin(), rows.end(), [](const PredictionSummary &r) { return r.planned; }) && !rows.empty())
        return std::unexpected(rows.front().error);
    return rows;
}

} // namespace lockstep
