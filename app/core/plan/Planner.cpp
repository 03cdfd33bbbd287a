#include "plan/Planner.h"

#include "analysis/Distribution.h"
#include "common/Format.h"
#include "plan/LaneScheduler.h"
#include "sim/TransactionModel.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace lockstep {

namespace {

// Rows ordered by the text of their first lock key (what "sort by AccountId" in a spreadsheet
// does), file order within a parent, rows that lock nothing last.
std::vector<std::uint32_t> sortedByParent(const LockKeys &keys)
{
    const std::uint32_t keyCount = keys.keyCount();
    std::vector<std::uint32_t> byText(keyCount);
    std::iota(byText.begin(), byText.end(), 0u);
    std::sort(byText.begin(), byText.end(), [&](std::uint32_t a, std::uint32_t b) { return keys.keyText(a) < keys.keyText(b); });
    std::vector<std::uint32_t> rank(keyCount);
    for (std::uint32_t i = 0; i < keyCount; ++i)
        rank[byText[i]] = i;
    // Counting sort by rank; bucket keyCount holds the rows without a key.
    std::vector<std::uint32_t> start(size_t(keyCount) + 2, 0);
    const qint64 rows = keys.rowCount();
    auto bucketOf = [&](qint64 r) {
        const std::uint32_t k = keys.firstKey(r);
        return k == LockKeys::npos ? keyCount : rank[k];
    };
    for (qint64 r = 0; r < rows; ++r)
        ++start[size_t(bucketOf(r)) + 1];
    for (size_t i = 1; i < start.size(); ++i)
        start[i] += start[i - 1];
    std::vector<std::uint32_t> order(static_cast<size_t>(rows));
    for (qint64 r = 0; r < rows; ++r)
        order[start[bucketOf(r)]++] = std::uint32_t(r);
    return order;
}

std::vector<std::uint32_t> fileOrder(qint64 rows)
{
    std::vector<std::uint32_t> order(static_cast<size_t>(rows));
    std::iota(order.begin(), order.end(), 0u);
    return order;
}

void cutIntoBatches(Plan &plan, int batchRows, int lane, Api api)
{
    const qint64 n = plan.rowCount();
    plan.batches.reserve(size_t((n + batchRows - 1) / batchRows));
    for (qint64 first = 0; first < n; first += batchRows) {
        const auto rows = std::uint32_t(std::min<qint64>(batchRows, n - first));
        plan.batches.push_back({first, rows, lane, api, double(rows) * plan.rowSeconds});
    }
}

// Seed 000's external serializer: rows grouped by their first lock key (the BullMQ job key,
// AccountId || Id) in order of first appearance; each group's rows in calls of at most a batch;
// a group of several calls is a lane, so its calls never overlap (group concurrency 1).
void layoutParentQueue(const LockKeys &keys, Plan &plan)
{
    const qint64 rows = keys.rowCount();
    const std::uint32_t keyCount = keys.keyCount();
    constexpr std::uint32_t none = 0xFFFFFFFFu;
    std::vector<std::uint32_t> groupOfKey(keyCount, none);
    std::vector<std::uint32_t> groupSize;
    std::vector<std::uint32_t> groupKey;
    std::vector<std::uint32_t> groupOfRow(static_cast<size_t>(rows));
    for (qint64 r = 0; r < rows; ++r) {
        const std::uint32_t k = keys.firstKey(r);
        std::uint32_t g;
        if (k == LockKeys::npos) {
            g = std::uint32_t(groupSize.size());   // a row without a parent is a group of its own
            groupSize.push_back(0);
            groupKey.push_back(LockKeys::npos);
        } else {
            if (groupOfKey[k] == none) {
                groupOfKey[k] = std::uint32_t(groupSize.size());
                groupSize.push_back(0);
                groupKey.push_back(k);
            }
            g = groupOfKey[k];
        }
        groupOfRow[size_t(r)] = g;
        ++groupSize[g];
    }
    std::vector<std::uint32_t> start(groupSize.size() + 1, 0);
    for (size_t g = 0; g < groupSize.size(); ++g)
        start[g + 1] = start[g] + groupSize[g];
    plan.rows.assign(static_cast<size_t>(rows), 0);
    std::vector<std::uint32_t> fill(start.begin(), start.end() - 1);
    for (qint64 r = 0; r < rows; ++r)
        plan.rows[fill[groupOfRow[size_t(r)]]++] = std::uint32_t(r);
    const std::uint32_t callRows = std::uint32_t(std::max(1, plan.batchSize));
    for (size_t g = 0; g < groupSize.size(); ++g) {
        const bool chained = groupSize[g] > callRows;
        const int lane = chained ? int(plan.lanes.size()) : PlanBatch::kSharedQueue;
        if (chained)
            plan.lanes.push_back({lane, groupSize[g], double(groupSize[g]) * plan.rowSeconds, groupKey[g],
                                  QStringLiteral("one parent's calls, one at a time")});
        for (std::uint32_t first = 0; first < groupSize[g]; first += callRows) {
            const std::uint32_t n = std::min(callRows, groupSize[g] - first);
            plan.batches.push_back({qint64(start[g] + first), n, lane, plan.api, double(n) * plan.rowSeconds});
        }
    }
    plan.notes << QStringLiteral("%1 parent groups in %2 REST calls (a call holds one parent's rows), %3 workers; a "
                                 "parent's calls never overlap. Groups follow the first lock key only: rows that also "
                                 "lock a second parent can still collide.")
                      .arg(groupSize.size())
                      .arg(plan.batches.size())
                      .arg(plan.concurrency);
}

// The extra hold of each skewed key (0 for the rest), from the children it has in the org.
std::vector<double> holdPerKey(const TransactionModel &model, const std::vector<std::uint32_t> &children)
{
    std::vector<double> hold(children.size(), 0.0);
    for (size_t k = 0; k < children.size(); ++k)
        hold[k] = model.parentHoldSeconds(children[k]);
    return hold;
}

// Adds to each batch's expected work the skewed parents' extra hold: once per transaction
// (a Bulk chunk, a REST call) for each skewed key it locks.
void addHoldsToBatches(Plan &plan, const LockKeys &keys, const std::vector<double> &hold, int chunkRows)
{
    if (std::none_of(hold.begin(), hold.end(), [](double h) { return h > 0; }))
        return;
    std::vector<std::uint32_t> seen;   // skewed keys met in the current transaction
    for (PlanBatch &b : plan.batches) {
        const auto rows = plan.rowsOf(b);
        const std::uint32_t step = b.api == Api::RestCollections ? std::max<std::uint32_t>(1, b.rows) : std::uint32_t(chunkRows);
        for (std::uint32_t first = 0; first < b.rows; first += step) {
            seen.clear();
            for (std::uint32_t i = first; i < std::min(b.rows, first + step); ++i) {
                // The batch's rows are at random in the keys' arrays: fetch ahead.
                if (i + 16 < b.rows)
                    keys.prefetchOffsets(rows[i + 16]);
                if (i + 8 < b.rows)
                    keys.prefetchKeys(rows[i + 8]);
                for (const auto k : keys.keysOf(rows[i]))
                    if (hold[k] > 0 && std::find(seen.begin(), seen.end(), k) == seen.end()) {
                        seen.push_back(k);
                        b.expectedSeconds += hold[k];
                    }
            }
        }
    }
}

// The honest lower bound (Plan::lowerBoundSeconds): the least total work and the least time
// the hottest parent is held, whatever the plan's order and batches.
void computeBound(Plan &plan, const LockKeys &keys, const std::vector<std::uint32_t> &rowsOfKey, const TransactionModel &model,
                  const std::vector<double> &hold, int chunkRows)
{
    double extra = 0;
    for (std::uint32_t k = 0; k < keys.keyCount(); ++k) {
        const double transactions = std::ceil(double(rowsOfKey[k]) / std::max(1, chunkRows));
        extra += transactions * hold[k];
        const double held = double(rowsOfKey[k]) * model.windowRowSeconds() + transactions * hold[k];
        if (held > plan.hottestKeyHoldSeconds) {
            plan.hottestKeyHoldSeconds = held;
            plan.hottestKey = k;
        }
    }
    plan.totalWorkSeconds = double(keys.rowCount()) * plan.rowSeconds + extra;
    plan.lowerBoundSeconds = std::max(plan.totalWorkSeconds / std::max(1, plan.availableConcurrency), plan.hottestKeyHoldSeconds);
}

// A plan of Bulk 2.0 jobs: what each job costs, and the org's daily allocation of Bulk batches
// (shared by both Bulk APIs; a Bulk 2.0 job uses at least one).
Result<void> describeBulk2Jobs(Plan &plan, const OrgProfile &profile)
{
    const qint64 jobs = plan.jobCount();
    if (jobs > profile.bulkDailyBatches)
        return fail(ErrorKind::Usage, QStringLiteral("%1 Bulk API 2.0 jobs of up to %2 rows are over the org's %3 Bulk batches a "
                                                     "day (each job uses at least one); use larger batches, Bulk API 1.0 or REST")
                                          .arg(grouped(jobs), grouped(plan.batchSize), grouped(qint64(profile.bulkDailyBatches))));
    plan.notes << QStringLiteral("Bulk API 2.0 runs a job's internal batches side by side, so each batch goes as an ingest job of "
                                 "its own (%1 jobs, %2 at a time): the platform runs each as one batch, chunk after chunk in "
                                 "order. Every job costs %3 calls and status polls, and a lane's next job starts only once a "
                                 "poll has seen the last one finish.")
                      .arg(grouped(jobs))
                      .arg(plan.concurrency)
                      .arg(Plan::kBulk2CallsPerJob);
    if (jobs * 10 > profile.bulkDailyBatches)
        plan.notes << QStringLiteral("%1 jobs use %2 % of the org's %3 Bulk batches a day (shared with Bulk API 1.0 and every "
                                     "other integration). Salesforce advises REST for jobs under 2,000 records.")
                          .arg(grouped(jobs))
                          .arg(qRound(100.0 * double(jobs) / profile.bulkDailyBatches))
                          .arg(grouped(qint64(profile.bulkDailyBatches)));
    return {};
}

} // namespace

std::vector<std::uint32_t> Planner::childrenInFile(const LockKeys &keys)
{
    std::vector<std::uint32_t> children(keys.keyCount(), 0);
    for (const auto k : keys.keys())
        ++children[k];
    return children;
}

Result<PlanSettings> PlanSettings::resolve(const Mitigation &m, const PlanOptions &options)
{
    const OrgProfile &profile = options.profile;
    // The API: what the user chose, else Bulk 1.0 — except small batches of a call's size, which
    // people send through REST collections (seed 001: "reduced the batch size from 200 to 10").
    Api api = options.api.value_or((m.smallBatchRows > 0 && m.smallBatchRows <= profile.restMaxBatchRows) ||
                                           m.scheduling == Scheduling::ParentQueue
                                       ? Api::RestCollections
                                       : Api::Bulk1Parallel);
    if (m.scheduling == Scheduling::ParentQueue && api != Api::RestCollections)
        return fail(ErrorKind::Usage, QStringLiteral("the per-parent queue sends one parent's rows per REST call; it cannot "
                                                     "use %1").arg(apiLabel(api)));
    if (m.scheduling == Scheduling::Serial && api == Api::Bulk1Parallel)
        api = Api::Bulk1Serial;
    if (api == Api::Bulk1Serial && m.scheduling == Scheduling::Parallel)
        return fail(ErrorKind::Usage, QStringLiteral("Bulk API 1.0 serial runs one batch at a time: that is the 'serial' "
                                                     "mitigation, not parallel"));
    // Bulk API 2.0 cuts one job into internal batches and runs them side by side in no order the
    // client controls. A mitigation that orders batches (serial, lanes, sort, small batches)
    // therefore sends each batch as a job of its own, no larger than one internal batch.
    const bool jobPerBatch = api == Api::Bulk2 && (m.scheduling != Scheduling::Parallel || m.sortByParent || m.smallBatchRows > 0);

    // Batch size: small batches, else the user's, else the API's default. A Bulk-sized batch
    // size the user gave with the API left to us does not apply where the mitigation itself
    // picked REST (the per-parent queue): a window's one batch-size box must not make the
    // queue "impossible" in a comparison.
    const bool bulkSizeForImpliedRest = !options.api && api == Api::RestCollections && m.smallBatchRows == 0 &&
                                        options.batchSize && *options.batchSize > profile.restMaxBatchRows;
    const bool batchGiven = m.smallBatchRows > 0 || (options.batchSize.has_value() && !bulkSizeForImpliedRest);
    int batchRows = m.smallBatchRows > 0 ? m.smallBatchRows : bulkSizeForImpliedRest ? 0 : options.batchSize.value_or(0);
    // Bulk 2.0 jobs default to Bulk 1.0's batch: 10,000-row jobs would leave a 90,000-row file
    // as 9 jobs, fewer than the W the org runs at once.
    if (!batchGiven)
        batchRows = api == Api::RestCollections      ? profile.restMaxBatchRows
                    : api == Api::Bulk2 && !jobPerBatch ? profile.bulk2BatchRows
                                                        : profile.bulkBatchRows;
    if (batchRows < 1)
        return fail(ErrorKind::Usage, QStringLiteral("the batch size must be at least 1 row (got %1)").arg(batchRows));
    if (batchRows > maxBatchRows(api, profile))
        return fail(ErrorKind::Usage, QStringLiteral("a batch of %1 rows is over the %2 limit of %3 rows a %4")
                                          .arg(grouped(batchRows), apiLabel(api), grouped(maxBatchRows(api, profile)),
                                               api == Api::RestCollections ? QStringLiteral("call") : QStringLiteral("batch")));
    // A larger job would be cut into several internal batches, run side by side: the order the
    // mitigation is for would be lost.
    if (jobPerBatch && batchRows > profile.bulk2BatchRows)
        return fail(ErrorKind::Usage, QStringLiteral("a Bulk API 2.0 job of %1 rows is over one internal batch (%2 rows): the "
                                                     "platform would run its batches side by side, out of the plan's order")
                                          .arg(grouped(batchRows), grouped(profile.bulk2BatchRows)));

    // Concurrency W: what the org runs at once (Bulk), or client threads capped by the org's
    // concurrent-request limit (REST).
    const int concurrencyLimit = api == Api::RestCollections ? profile.restConcurrentRequests
                                                             : std::max(25, profile.bulkConcurrency);
    const int workers = options.concurrency.value_or(std::min(profile.bulkConcurrency, concurrencyLimit));
    if (workers < 1)
        return fail(ErrorKind::Usage, QStringLiteral("the concurrency must be at least 1 (got %1)").arg(workers));
    if (workers > concurrencyLimit)
        return fail(ErrorKind::Usage, QStringLiteral("a concurrency of %1 is over the limit of %2 for %3")
                                          .arg(workers).arg(concurrencyLimit).arg(apiLabel(api)));

    PlanSettings s;
    s.api = api;
    s.batchRows = api == Api::Bulk2 && !jobPerBatch ? profile.bulk2BatchRows : batchRows;
    s.batchRowsGiven = batchGiven;
    s.jobPerBatch = jobPerBatch;
    s.availableConcurrency = workers;
    s.concurrency = m.scheduling == Scheduling::Serial ? 1 : workers;
    s.duplicateRulesActive = profile.hasDuplicateRules(options.object) && !m.duplicateRulesOff;
    return s;
}

Planner::Planner(const LockKeys &keys, PlanOptions options, const CancelToken &cancel)
    : m_keys(keys), m_options(std::move(options)), m_components(Components::compute(keys, cancel)), m_cancel(cancel)
{
    m_fileChildren = childrenInFile(keys);
    auto children = m_fileChildren;
    if (const auto &org = m_options.orgChildren)
        for (size_t k = 0; k < std::min(children.size(), org->size()); ++k)
            children[k] = std::max(children[k], (*org)[k]);
    m_children = std::make_shared<const std::vector<std::uint32_t>>(std::move(children));
}

Result<Plan> Planner::plan(const LockKeys &keys, const Mitigation &mitigation, const PlanOptions &options)
{
    return Planner(keys, options).plan(mitigation);
}

Result<Plan> Planner::plan(const Mitigation &m) const
{
    const OrgProfile &profile = m_options.profile;
    if (auto valid = profile.validate(); !valid)
        return std::unexpected(valid.error());
    if (m_keys.rowCount() == 0)
        return fail(ErrorKind::Usage, QStringLiteral("the file has no data rows: there is nothing to plan"));
    if (m.scheduling == Scheduling::Auto)
        return fail(ErrorKind::Usage, QStringLiteral("'auto' is chosen by predicting every mitigation; use AutoPlanner "
                                                     "(lockstep-cli plan --mitigation auto does)"));
    if (m_components.cancelled() || m_cancel.isCancelled())
        return fail(ErrorKind::Cancelled, QStringLiteral("cancelled"));

    const auto settings = PlanSettings::resolve(m, m_options);
    if (!settings)
        return std::unexpected(settings.error());
    const Api api = settings->api;
    const int workers = settings->availableConcurrency;
    const bool batchGiven = settings->batchRowsGiven;

    Plan plan;
    plan.mitigation = m;
    plan.api = api;
    plan.object = m_options.object;
    plan.operation = m_options.operation;
    plan.batchSize = settings->batchRows;
    plan.availableConcurrency = workers;
    plan.concurrency = settings->concurrency;
    plan.duplicateRulesOff = m.duplicateRulesOff;
    plan.duplicateRulesActive = settings->duplicateRulesActive;
    plan.disableBatchRetry = m_options.disableBatchRetry;
    plan.jobPerBatch = settings->jobPerBatch;

    const TransactionModel model(profile, {plan.object, plan.operation, plan.duplicateRulesActive});
    plan.rowSeconds = model.expectedSeconds(1);
    plan.parentChildren = m_children;
    plan.uploadGapSeconds = api == Api::Bulk1Parallel || api == Api::Bulk1Serial
                                ? m_options.uploadGapSeconds.value_or(profile.bulkUploadGapSeconds)
                                : 0.0;
    const std::vector<double> hold = holdPerKey(model, *m_children);
    computeBound(plan, m_keys, m_fileChildren, model, hold, profile.chunkRows);
    plan.componentCount = m_components.count();
    plan.largestComponentRows = m_components.largestSize();
    plan.largestComponentKey = m_components.count() ? m_components.mainKey(0) : LockKeys::npos;
    plan.largestComponentSeconds = double(plan.largestComponentRows) * plan.rowSeconds;

    if (api == Api::Bulk2 && !plan.jobPerBatch && batchGiven)
        plan.notes << QStringLiteral("Bulk API 2.0 cuts the upload into batches of %1 rows itself; the batch size is ignored.")
                          .arg(grouped(profile.bulk2BatchRows));
    if (m.duplicateRulesOff) {
        plan.notes << (profile.hasDuplicateRules(plan.object)
                           ? QStringLiteral("Duplicate rules of %1 are switched off for the job and restored after it: "
                                            "their time inside the parents' lock window goes away.").arg(plan.object)
                           : QStringLiteral("%1 has no active duplicate rules in this org profile: switching them off "
                                            "changes nothing.").arg(plan.object));
    }

    switch (m.scheduling) {
    case Scheduling::Parallel:
    case Scheduling::Serial: {
        plan.rows = m.sortByParent ? sortedByParent(m_keys) : fileOrder(m_keys.rowCount());
        const bool serial = m.scheduling == Scheduling::Serial;
        cutIntoBatches(plan, plan.batchSize, serial ? 0 : PlanBatch::kSharedQueue, api);
        if (serial)
            plan.lanes.push_back({0, plan.rowCount(), plan.totalWorkSeconds, LockKeys::npos,
                                  QStringLiteral("serial: one batch at a time")});
        const BatchSpread spread = BatchSpread::compute(m_keys, plan.batchSize, plan.rows);
        plan.notes << QStringLiteral("%1 %2 of up to %3 rows%4, %5 at a time.")
                          .arg(grouped(qint64(plan.batches.size())),
                               api == Api::RestCollections ? QStringLiteral("calls") : QStringLiteral("batches"),
                               grouped(plan.batchSize),
                               m.sortByParent ? QStringLiteral(" sorted by parent") : QStringLiteral(" in file order"))
                          .arg(plan.concurrency);
        if (!serial)
            plan.notes << QStringLiteral("%1 parents have rows in more than one batch (%2 rows): parallel batches can "
                                         "wait for them or deadlock on them.")
                              .arg(grouped(spread.parentsInSeveralBatches), grouped(spread.rowsOnSharedParents));
        else
            plan.notes << QStringLiteral("One batch at a time cannot collide with itself: no lock errors, but about "
                                         "%1× slower than %2 in flight.").arg(workers).arg(workers);
        break;
    }
    case Scheduling::Lanes: {
        LaneScheduler::Params params;
        params.batchRows = plan.batchSize;
        params.concurrency = workers;
        params.minBatchRows = std::max(1, profile.chunkRows / 4);
        params.chunkRows = profile.chunkRows;
        params.uploadGapSeconds = plan.uploadGapSeconds;
        params.rowSeconds = plan.rowSeconds;
        params.windowRowSeconds = model.windowRowSeconds();
        params.lockTimeoutSeconds = profile.lockTimeoutSeconds;
        params.parentHold = &hold;
        params.targetSeconds = plan.lowerBoundSeconds;
        params.sharedApi = api;
        params.laneApi = api == Api::Bulk1Parallel ? Api::Bulk1Serial : api;
        // Each Bulk 2.0 batch is a job with calls and a poll around it: no tail job smaller
        // than one transaction.
        if (plan.jobPerBatch)
            params.minBatchRows = profile.chunkRows;
        LaneScheduler::layout(m_components, m_keys, params, plan);
        if (m.sortByParent)
            plan.notes << QStringLiteral("Lanes group rows by parent already; sorting adds nothing.");
        break;
    }
    case Scheduling::ParentQueue:
        layoutParentQueue(m_keys, plan);
        break;
    case Scheduling::Auto: break;
    }
    addHoldsToBatches(plan, m_keys, hold, profile.chunkRows);
    if (plan.jobPerBatch)
        if (auto r = describeBulk2Jobs(plan, profile); !r)
            return std::unexpected(r.error());
    if (plan.hottestKey != LockKeys::npos && hold[plan.hottestKey] > 0)
        plan.notes << QStringLiteral("%1 has %2 children: every transaction that locks it holds it about %3 s longer "
                                     "while its roll-ups work over them (an assumption with no field constant: nothing public measures how long). "
                                     "Its holds add up to at least %4 s, one after another.")
                          .arg(m_keys.keyObject(plan.hottestKey).isEmpty()
                                   ? m_keys.keyLabel(plan.hottestKey)
                                   : m_keys.keyObject(plan.hottestKey) + QLatin1Char(' ') + m_keys.keyLabel(plan.hottestKey),
                               grouped(qint64((*m_children)[plan.hottestKey])))
                          .arg(hold[plan.hottestKey], 0, 'f', 1)
                          .arg(plan.hottestKeyHoldSeconds, 0, 'f', 0);
    if (plan.boundIsHotParent())
        plan.notes << QStringLiteral("No plan without lock errors can finish before %1 s: that is how long the hottest "
                                     "parent must be held, more than the parallel share of %2 s (total work / %3).")
                          .arg(plan.hottestKeyHoldSeconds, 0, 'f', 0)
                          .arg(plan.totalWorkSeconds / workers, 0, 'f', 0)
                          .arg(workers);
    return plan;
}

} // namespace lockstep
