#include "plan/LaneScheduler.h"

#include <algorithm>
#include <cmath>

namespace lockstep {

namespace {

QString seconds(double s)
{
    return s >= 120 ? QStringLiteral("%1 min").arg(s / 60, 0, 'f', 1) : QStringLiteral("%1 s").arg(s, 0, 'f', 0);
}

QString parentName(const LockKeys &keys, std::uint32_t key)
{
    if (key == LockKeys::npos)
        return QStringLiteral("rows without a parent");
    const QString object = keys.keyObject(key);
    return object.isEmpty() ? keys.keyLabel(key) : object + QLatin1Char(' ') + keys.keyLabel(key);
}

} // namespace

void LaneScheduler::layout(const Components &components, const LockKeys &keys, const Params &params, Plan &plan)
{
    const int batchRows = std::max(1, params.batchRows);
    const int workers = std::max(1, params.concurrency);
    const std::uint32_t count = components.count();
    plan.rows.clear();
    plan.rows.reserve(size_t(components.rowCount()));
    plan.batches.clear();
    plan.lanes.clear();

    // Chains: components larger than one batch (components are numbered largest first).
    std::uint32_t chains = 0;
    while (chains < count && components.sizeOf(chains) > std::uint32_t(batchRows))
        ++chains;
    const int laneCount = int(std::min<std::uint32_t>(chains, std::uint32_t(workers)));
    std::vector<std::vector<std::uint32_t>> laneChains(static_cast<size_t>(laneCount));
    for (int l = 0; l < laneCount; ++l) {
        plan.lanes.push_back({l, 0, 0, LockKeys::npos, {}});
    }
    for (std::uint32_t c = 0; c < chains; ++c) {
        // Longest first onto the least loaded lane.
        int best = 0;
        for (int l = 1; l < laneCount; ++l)
            if (plan.lanes[size_t(l)].rows < plan.lanes[size_t(best)].rows)
                best = l;
        PlanLane &lane = plan.lanes[size_t(best)];
        if (lane.mainKey == LockKeys::npos)
            lane.mainKey = components.mainKey(c);
        lane.rows += components.sizeOf(c);
        laneChains[size_t(best)].push_back(c);
    }

    // Each lane's batches, cut per chain; uploaded round-robin so every lane starts at once.
    std::vector<std::vector<PlanBatch>> placed(static_cast<size_t>(laneCount));
    for (int l = 0; l < laneCount; ++l) {
        PlanLane &lane = plan.lanes[size_t(l)];
        lane.expectedSeconds = double(lane.rows) * params.rowSeconds;
        QStringList names;
        for (const auto c : laneChains[size_t(l)]) {
            names << QStringLiteral("%1 (%2 rows)").arg(parentName(keys, components.mainKey(c))).arg(components.sizeOf(c));
            const auto rows = components.rowsOf(c);
            for (size_t first = 0; first < rows.size(); first += size_t(batchRows)) {
                const auto n = std::uint32_t(std::min(rows.size() - first, size_t(batchRows)));
                placed[size_t(l)].push_back({qint64(plan.rows.size()), n, l, params.laneApi, double(n) * params.rowSeconds});
                plan.rows.insert(plan.rows.end(), rows.begin() + qptrdiff(first), rows.begin() + qptrdiff(first + n));
            }
        }
        lane.reason = QStringLiteral("more than one batch of %1 rows: %2, one batch after another")
                          .arg(batchRows)
                          .arg(names.join(QStringLiteral(", ")));
    }
    for (size_t round = 0;; ++round) {
        bool any = false;
        for (int l = 0; l < laneCount; ++l)
            if (round < placed[size_t(l)].size()) {
                plan.batches.push_back(placed[size_t(l)][round]);
                any = true;
            }
        if (!any)
            break;
    }

    // The shared queue: whole components, largest first, guided batch sizes.
    qint64 poolRows = 0;
    for (std::uint32_t c = chains; c < count; ++c)
        poolRows += components.sizeOf(c);
    const qint64 sharedWorkers = std::max(1, workers - laneCount);
    // Batch sizes for the shared queue: what is left divided by twice the workers, between
    // `smallest` and batchRows. Returns the number of rows of each batch, in order.
    auto pack = [&](qint64 smallest) {
        std::vector<std::uint32_t> sizes;
        qint64 remaining = poolRows;
        std::uint32_t c = chains;
        while (c < count) {
            const qint64 target = std::clamp<qint64>((remaining + 2 * sharedWorkers - 1) / (2 * sharedWorkers), smallest, batchRows);
            std::uint32_t rows = 0;
            while (c < count && (rows == 0 || qint64(rows) + components.sizeOf(c) <= target))
                rows += components.sizeOf(c++);
            sizes.push_back(rows);
            remaining -= rows;
        }
        return sizes;
    };
    // Small tail batches even out the finish (chunk times vary), but each costs an upload gap:
    // too many and the tail waits for its own uploads. Play each candidate smallest size on the
    // expected times (greedy: the next uploaded batch to the first free worker) and keep the one
    // that finishes first, counting half the longest of the last W batches for the variation.
    const qint64 uploadedBefore = qint64(plan.batches.size());
    auto expectedFinish = [&](const std::vector<std::uint32_t> &rows) {
        std::vector<double> freeAt(size_t(workers), 0.0);
        for (int l = 0; l < laneCount; ++l)
            freeAt[size_t(l)] = plan.lanes[size_t(l)].expectedSeconds;
        double finish = 0, tail = 0;
        for (size_t i = 0; i < rows.size(); ++i) {
            auto first = std::min_element(freeAt.begin(), freeAt.end());
            const double start = std::max(*first, double(uploadedBefore + qint64(i)) * params.uploadGapSeconds);
            *first = start + double(rows[i]) * params.rowSeconds;
            finish = std::max(finish, *first);
            if (rows.size() - i <= size_t(workers))
                tail = std::max(tail, double(rows[i]) * params.rowSeconds);
        }
        for (const double f : freeAt)
            finish = std::max(finish, f);
        return finish + tail / 2;
    };
    std::vector<std::uint32_t> sizes;
    double best = 0;
    for (qint64 smallest = std::min<qint64>(batchRows, std::max(1, params.minBatchRows));; smallest *= 2) {
        auto candidate = pack(std::min<qint64>(smallest, batchRows));
        const double finish = expectedFinish(candidate);
        if (sizes.empty() || finish < best) {
            sizes = std::move(candidate);
            best = finish;
        }
        if (smallest >= batchRows)
            break;
    }
    std::uint32_t next = chains;
    for (const auto rows : sizes) {
        PlanBatch b{qint64(plan.rows.size()), rows, PlanBatch::kSharedQueue, params.sharedApi, double(rows) * params.rowSeconds};
        for (std::uint32_t taken = 0; taken < rows; ++next) {
            const auto r = components.rowsOf(next);
            plan.rows.insert(plan.rows.end(), r.begin(), r.end());
            taken += std::uint32_t(r.size());
        }
        plan.batches.push_back(b);
    }

    // In words.
    plan.notes << QStringLiteral("%1 independent groups of rows (components: rows that share a parent, transitively). "
                                 "Any two batches in flight lock disjoint parents, so none can wait for or deadlock "
                                 "with another, whatever order the server picks.")
                      .arg(count);
    if (laneCount > 0) {
        for (int l = 0; l < laneCount && l < 5; ++l)
            plan.notes << QStringLiteral("Lane %1 (serial, %2): %3.").arg(l + 1).arg(seconds(plan.lanes[size_t(l)].expectedSeconds), plan.lanes[size_t(l)].reason);
        if (laneCount > 5)
            plan.notes << QStringLiteral("… and %1 more serial lanes.").arg(laneCount - 5);
        plan.notes << QStringLiteral("A skewed parent stays on its own serial lane: nothing calibrates how long a roll-up "
                                     "over thousands of children holds its parent, so its batches are never run side by side.");
    }
    if (chains > std::uint32_t(workers))
        plan.notes << QStringLiteral("%1 components are larger than a batch but only %2 can run at once: lanes take "
                                     "several, longest first.").arg(chains).arg(workers);
    const std::uint32_t sharingKey = keys.findKey(LockKeyCollector::kSharingGroupKey);
    if (sharingKey != LockKeys::npos && count > 0) {
        qint64 rowsWithSharing = 0;
        std::uint32_t sharingComponent = 0;
        for (qint64 r = 0; r < keys.rowCount(); ++r) {
            const auto k = keys.keysOf(r);
            if (std::find(k.begin(), k.end(), sharingKey) != k.end()) {
                if (rowsWithSharing++ == 0)
                    sharingComponent = components.componentOfRow(r);
            }
        }
        plan.notes << QStringLiteral("%1 rows change an owner: each takes the org-wide sharing-group lock, so all of them "
                                     "(and every row that shares a parent with them) form one component of %2 rows that "
                                     "runs one batch at a time. Lanes cannot make them parallel; load owner changes in a "
                                     "separate job to keep the rest fast.")
                          .arg(rowsWithSharing)
                          .arg(components.sizeOf(sharingComponent));
    }
}

} // namespace lockstep
