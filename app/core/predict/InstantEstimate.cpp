#include "predict/InstantEstimate.h"

#include "plan/PollSchedule.h"
#include "sim/TransactionModel.h"

#include <cmath>

namespace lockstep {

InstantEstimator::InstantEstimator(const LockKeys &keys, const Components &components)
    : m_rows(keys.rowCount()), m_largestComponent(components.largestSize())
{
    const std::vector<std::uint32_t> children = Planner::childrenInFile(keys);
    for (qint64 r = 0; r < m_rows; ++r)
        m_parents += keys.keysOf(r).empty() ? 1 : 0;
    std::vector<std::uint8_t> first(keys.keyCount(), 0);
    for (qint64 r = 0; r < m_rows; ++r) {
        const auto k = keys.firstKey(r);
        if (k != LockKeys::npos && !first[k]) {
            first[k] = 1;
            ++m_parents;
        }
    }
    if (m_rows > 0)
        for (std::uint32_t k = 0; k < children.size(); ++k) {
            const double a = double(children[k]) / double(m_rows);
            m_mu += a * a;
            // Candidates for a skewed parent's hold: a few hundred children is far from any
            // threshold worth modelling, and keeps this list short on any file.
            if (children[k] >= 500)
                m_skewed.push_back({k, a, children[k]});
        }
}

Result<InstantEstimate> InstantEstimator::estimate(const Mitigation &m, const PlanOptions &options) const
{
    if (m_rows == 0)
        return fail(ErrorKind::Usage, QStringLiteral("the file has no data rows: there is nothing to estimate"));
    Mitigation concrete = m;
    if (concrete.scheduling == Scheduling::Auto)
        concrete.scheduling = Scheduling::Lanes;   // what auto picks whenever lanes fit the budget
    const auto settings = PlanSettings::resolve(concrete, options);
    if (!settings)
        return std::unexpected(settings.error());
    const OrgProfile &p = options.profile;
    const TransactionModel model(p, {options.object, options.operation, settings->duplicateRulesActive});

    InstantEstimate e;
    const bool rest = settings->api == Api::RestCollections;
    e.transactionRows = rest ? settings->batchRows : std::min(settings->batchRows, p.chunkRows);
    e.concurrency = settings->concurrency;
    const double r = e.transactionRows;
    const double perCall = rest ? p.restRoundTripSeconds : 0.0;
    const double transaction = model.expectedSeconds(r);
    e.windowShare = model.expectedWindowSeconds(r) / (transaction + perCall);
    e.sharedKeys = m_mu * r * r;
    // P(a transaction meets a held key) ≈ 1 − e^{−(W−1)·μ·r²} — none for plans whose
    // transactions in flight never share a key (lanes; a per-parent queue's one call a parent).
    const bool keyDisjoint = concrete.scheduling == Scheduling::Lanes || concrete.scheduling == Scheduling::ParentQueue;
    e.collisionProbability = keyDisjoint ? 0.0 : 1.0 - std::exp(-(e.concurrency - 1) * e.sharedKeys);
    // A deadlock needs two shared keys taken in opposite orders: κ scales with the chance of
    // at least two (Poisson), and vanishes when every transaction locks in one global order
    // (sorted rows), when transactions never share keys (lanes) or never overlap (serial).
    // (A per-parent queue's calls hold one parent each: single-key transactions.)
    const bool globalOrder = concrete.sortByParent || concrete.scheduling == Scheduling::Lanes ||
                             concrete.scheduling == Scheduling::ParentQueue;
    const double atLeastTwo = 1.0 - std::exp(-e.sharedKeys) * (1.0 + e.sharedKeys);
    e.kappa = globalOrder ? 0.0 : p.estimateKappa * atLeastTwo;
    e.lockErrorRows = std::min(double(m_rows), double(m_rows) * e.kappa * (e.concurrency - 1) * e.windowShare);

    // Skewed parents (calibration.md case D): a transaction that touches one holds it
    // parentHoldSeconds longer. With ρ = W · p · hold / T (p the chance a transaction touches
    // it, T a transaction's time) the lock is asked for ρ seconds a second. Transactions of a
    // Bulk chunk wait for it while holding ~r other parents, so a saturated parent (ρ ≥ 1)
    // closes waits-for cycles for every one that queues: ≈ N · p · min(1, ρ)² rows fail.
    // Plans that lock in one global order (sorted, lanes) only queue: they fail when the queue
    // ahead of a transaction exceeds the lock timeout.
    const bool serial = e.concurrency <= 1;
    for (const Skewed &k : m_skewed) {
        std::uint32_t children = k.children;
        if (options.orgChildren && k.key < options.orgChildren->size())
            children = std::max(children, (*options.orgChildren)[k.key]);
        const double hold = model.parentHoldSeconds(children);
        if (hold <= 0 || serial)
            continue;
        const double touch = 1.0 - std::pow(1.0 - k.share, r);
        const double held = hold + model.expectedWindowSeconds(r) / 2;
        const double time = transaction + perCall + touch * hold;
        double rho = e.concurrency * touch * held / time;
        double failing = 0;
        if (globalOrder) {
            // Its transactions in flight at once: sorted, its batches (all of them at most W).
            const double side = concrete.scheduling == Scheduling::Lanes || concrete.scheduling == Scheduling::ParentQueue
                                    ? 1.0
                                    : std::min<double>(e.concurrency, std::ceil(k.share * double(m_rows) / settings->batchRows));
            rho = side * held / (transaction + hold);
            const double queued = (side - 1) * held * 1.35;   // the 95th percentile of the holds ahead
            failing = queued > p.lockTimeoutSeconds ? touch * (1 - p.lockTimeoutSeconds / queued) : 0.0;
            e.rough |= failing > 0;
        } else if (r >= 50) {
            failing = touch * std::pow(std::min(1.0, rho), 2);
            e.rough |= rho >= 1;   // the errors fit case D; the re-queued passes' time is not in the closed form
        } else {
            const double queued = e.concurrency * touch * held;
            failing = queued > p.lockTimeoutSeconds ? touch * (1 - p.lockTimeoutSeconds / queued) : 0.0;
            e.rough |= rho >= 1;
        }
        e.hottestUtilisation = std::max(e.hottestUtilisation, rho);
        e.skewedErrorRows = std::max(e.skewedErrorRows, double(m_rows) * failing);
    }
    e.lockErrorRows = std::min(double(m_rows), std::max(e.lockErrorRows, e.skewedErrorRows));

    double skewedHold = 0;   // the least extra work of the skewed parents' holds
    double hottestHeld = 0;  // the least time the hottest parent is held
    for (const Skewed &k : m_skewed) {
        std::uint32_t children = k.children;
        if (options.orgChildren && k.key < options.orgChildren->size())
            children = std::max(children, (*options.orgChildren)[k.key]);
        const double rowsOfKey = k.share * double(m_rows);
        const double transactions = std::ceil(rowsOfKey / std::max(1, p.chunkRows));
        skewedHold += transactions * model.parentHoldSeconds(children);
        hottestHeld = std::max(hottestHeld, rowsOfKey * model.windowRowSeconds() + transactions * model.parentHoldSeconds(children));
    }
    const double work = double(m_rows) * model.expectedSeconds(1) + skewedHold;
    // A per-parent queue makes at least a call per parent.
    const double calls = std::max(std::ceil(double(m_rows) / settings->batchRows),
                                  concrete.scheduling == Scheduling::ParentQueue ? double(m_parents) : 0.0);
    // A Bulk 2.0 job per batch pays its calls and the wait for the poll that sees it done
    // (PollSchedule) before its worker sends the next.
    double perJob = 0;
    if (settings->jobPerBatch) {
        const double jobSeconds = model.expectedSeconds(settings->batchRows);
        perJob = Plan::kBulk2CallsPerJob * p.restRoundTripSeconds + PollSchedule::of(p).seen(0, jobSeconds).at - jobSeconds;
    }
    const double overhead = calls * (perCall + perJob);
    const double largest = double(m_largestComponent) * model.expectedSeconds(1);
    const double gap = options.uploadGapSeconds.value_or(p.bulkUploadGapSeconds);
    const double uploads = isBulk(settings->api) && settings->api != Api::Bulk2 ? calls * gap : 0.0;
    // Lanes reach the bound where a skewed parent may run on several lanes; a component over
    // several parents (or a parent with no hold) still runs as one serial lane. Without the
    // components' shapes here, take the larger of the two views for files whose largest
    // component is not a skewed parent.
    const bool largestIsSkewed = !m_skewed.empty() && qint64(m_skewed.front().share * double(m_rows)) >= m_largestComponent;
    const double lanes = largestIsSkewed ? hottestHeld : largest;
    e.durationSeconds = std::max({(work + overhead) / e.concurrency, uploads,
                                  concrete.scheduling == Scheduling::Lanes ? lanes : 0.0});
    if (rest) {
        e.apiCalls = qint64(calls);
    } else {
        const qint64 polls = qint64(std::ceil(e.durationSeconds / p.statusPollSeconds));
        if (settings->jobPerBatch)
            e.apiCalls = qint64(calls) * (Plan::kBulk2CallsPerJob +
                                          PollSchedule::of(p).seen(0, model.expectedSeconds(settings->batchRows)).polls);
        else
            e.apiCalls = settings->api == Api::Bulk2 ? Plan::kBulk2CallsPerJob + polls : 2 + polls + 2 * qint64(calls);
    }
    return e;
}

} // namespace lockstep
