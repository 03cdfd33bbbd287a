#include "plan/LaneScheduler.h"

#include "common/Format.h"
#include "plan/BatchQueue.h"

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

namespace {

// A batch before its rows are laid out: how many rows, which lane (chain), -1 for shared.
struct Draft {
    std::uint32_t rows;
    int lane;
};

} // namespace

double LaneScheduler::expectedFinish(const std::vector<std::uint32_t> &rows, const std::vector<int> &lanes, int workers,
                                     double rowSeconds, double uploadGapSeconds)
{
    // The batches on expected times: W workers take from a BatchQueue as they free up.
    BatchQueue queue(0);
    for (std::uint32_t i = 0; i < rows.size(); ++i)
        queue.push({double(i) * uploadGapSeconds, i, i, 0, 0, lanes[i]});
    using Busy = std::pair<double, int>;   // (free at, lane it releases)
    std::priority_queue<Busy, std::vector<Busy>, std::greater<>> running;
    std::vector<double> idleSince(size_t(std::max(1, workers)), 0.0);
    int idle = int(idleSince.size());
    double now = 0, finish = 0;
    while (!queue.empty()) {
        // Start what can start now on the idle workers.
        while (idle > 0) {
            const auto e = queue.take(now);
            if (!e)
                break;
            --idle;
            const double end = now + double(rows[e->batch]) * rowSeconds;
            running.push({end, e->lane});
            finish = std::max(finish, end);
        }
        // Then advance to the next moment something changes: a batch ends or one is uploaded.
        const double upload = idle > 0 ? queue.nextAvailable() : BatchQueue::never;
        const double end = running.empty() ? BatchQueue::never : running.top().first;
        if (upload == BatchQueue::never && end == BatchQueue::never)
            break;   // cannot happen: a queued batch waits for a lane that is running
        if (end <= upload) {
            now = end;
            queue.release(running.top().second);
            running.pop();
            ++idle;
        } else {
            now = upload;
        }
    }
    return finish;
}

void LaneScheduler::layout(const Components &components, const LockKeys &keys, const Params &params, Plan &plan)
{
    const int batchRows = std::max(1, params.batchRows);
    const int workers = std::max(1, params.concurrency);
    const std::uint32_t count = components.count();
    const qint64 total = components.rowCount();
    plan.rows.clear();
    plan.rows.reserve(size_t(total));
    plan.batches.clear();
    plan.lanes.clear();

    // Big components: larger than the first batch of the shared queue would be. They become
    // chains: pieces that run one after another (a serial job each), on whichever worker is free.
    const qint64 smallest = std::min<qint64>(batchRows, std::max(1, params.minBatchRows));
    const qint64 firstTarget = std::clamp<qint64>((total + 2 * workers - 1) / (2 * workers), smallest, batchRows);
    std::uint32_t big = 0;
    while (big < count && components.sizeOf(big) > firstTarget)
        ++big;
    qint64 sharedRows = total;
    for (std::uint32_t c = 0; c < big; ++c)
        sharedRows -= components.sizeOf(c);

    // One candidate layout: chain pieces of `piece` rows, uploaded round-robin over the chains
    // so each starts at once, longest chains first; then the shared queue: whole components,
    // largest first, each batch what is left divided by twice the workers, at least `tail`.
    auto build = [&](qint64 piece, qint64 tail) {
        std::vector<Draft> drafts;
        std::vector<std::uint32_t> left(big);
        for (std::uint32_t c = 0; c < big; ++c)
            left[c] = components.sizeOf(c);
        for (bool any = big > 0; any;) {
            any = false;
            for (std::uint32_t c = 0; c < big; ++c)
                if (left[c] > 0) {
                    const auto n = std::uint32_t(std::min<qint64>(piece, left[c]));
                    drafts.push_back({n, int(c)});
                    left[c] -= n;
                    any = true;
                }
        }
        qint64 remaining = sharedRows;
        std::uint32_t c = big;
        while (c < count) {
            const qint64 target = std::clamp<qint64>((remaining + 2 * workers - 1) / (2 * workers), tail, batchRows);
            std::uint32_t rows = 0;
            while (c < count && (rows == 0 || qint64(rows) + components.sizeOf(c) <= target))
                rows += components.sizeOf(c++);
            drafts.push_back({rows, -1});
            remaining -= rows;
        }
        return drafts;
    };
    // Small pieces and a small tail even out the finish (chunk times vary) but each batch costs
    // an upload gap and API calls: play every candidate on the expected times and keep the one
    // that finishes first, adding half the longest of the last W batches for the variation.
    auto score = [&](const std::vector<Draft> &drafts) {
        std::vector<std::uint32_t> rows(drafts.size());
        std::vector<int> lanes(drafts.size());
        double tail = 0;
        size_t sharedSeen = 0;
        for (size_t i = drafts.size(); i-- > 0;) {
            rows[i] = drafts[i].rows;
            lanes[i] = drafts[i].lane;
            // The last batches decide how evenly workers finish — except the longest chain's
            // pieces: when it is the critical path it runs its course whatever its pieces.
            if (drafts[i].lane != 0 && sharedSeen++ < size_t(workers))
                tail = std::max(tail, double(rows[i]) * params.rowSeconds);
        }
        return expectedFinish(rows, lanes, workers, params.rowSeconds, params.uploadGapSeconds) + tail / 2;
    };
    std::vector<Draft> best;
    double bestScore = 0;
    const qint64 smallestPiece = std::min<qint64>(batchRows, std::max(1, params.chunkRows));
    for (qint64 piece = batchRows;; piece = std::max(smallestPiece, piece / 2)) {
        for (qint64 tail = smallest;; tail = std::min<qint64>(batchRows, tail * 2)) {
            auto drafts = build(piece, tail);
            const double s = score(drafts);
            // Within 0.1 % is a tie (sums of float times differ in the last bits): fewer batches win.
            const bool clearlyBetter = s < bestScore * (1 - 1e-3);
            const bool tieButFewer = std::abs(s - bestScore) <= bestScore * 1e-3 && drafts.size() < best.size();
            if (best.empty() || clearlyBetter || tieButFewer) {
                best = std::move(drafts);
                bestScore = s;
            }
            if (tail >= batchRows || sharedRows == 0)
                break;
        }
        if (piece <= smallestPiece || big == 0)
            break;
    }

    // Lay the rows out in batch order.
    std::vector<std::uint32_t> taken(big, 0);
    std::uint32_t nextShared = big;
    for (const Draft &d : best) {
        PlanBatch b{qint64(plan.rows.size()), d.rows, d.lane, d.lane >= 0 ? params.laneApi : params.sharedApi,
                    double(d.rows) * params.rowSeconds};
        if (d.lane >= 0) {
            const auto rows = components.rowsOf(std::uint32_t(d.lane)).subspan(taken[size_t(d.lane)], d.rows);
            plan.rows.insert(plan.rows.end(), rows.begin(), rows.end());
            taken[size_t(d.lane)] += d.rows;
        } else {
            for (std::uint32_t n = 0; n < d.rows; ++nextShared) {
                const auto rows = components.rowsOf(nextShared);
                plan.rows.insert(plan.rows.end(), rows.begin(), rows.end());
                n += std::uint32_t(rows.size());
            }
        }
        plan.batches.push_back(b);
    }
    for (std::uint32_t c = 0; c < big; ++c) {
        PlanLane lane;
        lane.index = int(c);
        lane.rows = components.sizeOf(c);
        lane.expectedSeconds = double(lane.rows) * params.rowSeconds;
        lane.mainKey = components.mainKey(c);
        lane.reason = QStringLiteral("%1: %2 rows, more than a batch of this plan, one piece after another")
                          .arg(parentName(keys, lane.mainKey), grouped(lane.rows));
        plan.lanes.push_back(lane);
    }
    const int laneCount = int(big);

    // In words.
    plan.notes << QStringLiteral("%1 independent groups of rows (components: rows that share a parent, transitively). "
                                 "Any two batches in flight lock disjoint parents, so none can wait for or deadlock "
                                 "with another, whatever order the server picks.")
                      .arg(grouped(count));
    if (laneCount > 0) {
        for (int l = 0; l < laneCount && l < 5; ++l)
            plan.notes << QStringLiteral("Serial lane %1 (%2): %3.").arg(l + 1).arg(seconds(plan.lanes[size_t(l)].expectedSeconds), plan.lanes[size_t(l)].reason);
        if (laneCount > 5)
            plan.notes << QStringLiteral("… and %1 more serial lanes.").arg(laneCount - 5);
        plan.notes << QStringLiteral("A skewed parent stays on its own serial lane: nothing calibrates how long a roll-up "
                                     "over thousands of children holds its parent, so two of its batches never run side "
                                     "by side; other batches fill the remaining workers.");
    }
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
                          .arg(grouped(rowsWithSharing), grouped(components.sizeOf(sharingComponent)));
    }
}

} // namespace lockstep
