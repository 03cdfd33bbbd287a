#include "predict/InstantEstimate.h"

#include "sim/TransactionModel.h"

#include <cmath>

namespace lockstep {

InstantEstimator::InstantEstimator(const LockKeys &keys, const Components &components)
    : m_rows(keys.rowCount()), m_largestComponent(components.largestSize())
{
    std::vector<std::uint32_t> children(keys.keyCount(), 0);
    for (const auto k : keys.keys())
        ++children[k];
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
        for (const auto c : children) {
            const double a = double(c) / double(m_rows);
            m_mu += a * a;
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

    const double work = double(m_rows) * model.expectedSeconds(1);
    // A per-parent queue makes at least a call per parent.
    const double calls = std::max(std::ceil(double(m_rows) / settings->batchRows),
                                  concrete.scheduling == Scheduling::ParentQueue ? double(m_parents) : 0.0);
    const double overhead = calls * perCall;
    const double largest = double(m_largestComponent) * model.expectedSeconds(1);
    const double uploads = isBulk(settings->api) && settings->api != Api::Bulk2 ? calls * p.bulkUploadGapSeconds : 0.0;
    e.durationSeconds = std::max({(work + overhead) / e.concurrency, uploads,
                                  concrete.scheduling == Scheduling::Lanes ? largest : 0.0});
    if (rest) {
        e.apiCalls = qint64(calls);
    } else {
        const qint64 polls = qint64(std::ceil(e.durationSeconds / p.statusPollSeconds));
        e.apiCalls = settings->api == Api::Bulk2 ? 6 + polls : 2 + polls + 2 * qint64(calls);
    }
    return e;
}

} // namespace lockstep
