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

// A batch before its rows are laid out: how many rows, which chain, -1 for shared.
struct Draft {
    std::uint32_t rows;
    int lane;
};

// One serial lane's share of a big component: rows [offset, offset + rows) of its rows.
struct Chain {
    std::uint32_t component;
    std::uint32_t offset;
    std::uint32_t rows;
    int group;              // the component's group when it runs on several lanes, else -1
    int width;              // lanes the component runs on
    double secondsPerRow;   // work per row, the parent's extra hold spread over a transaction's rows
    double holdPerTransaction;
};

} // namespace

int LaneScheduler::safeWidth(double holdSeconds, double lockTimeoutSeconds)
{
    if (holdSeconds <= 0)
        return 1 << 20;
    // A wait is at most the holds of the k − 1 lanes ahead; 1.35 covers a hold's variation
    // (the 95th percentile of the lognormal at CV 0.2), 60 % of the timeout leaves the rest.
    return 1 + int(std::floor(0.6 * lockTimeoutSeconds / (1.35 * holdSeconds)));
}

double LaneScheduler::expectedFinish(const std::vector<double> &seconds, const std::vector<int> &lanes, int workers,
                                     double uploadGapSeconds)
{
    // The batches on expected times: W workers take from a BatchQueue as they free up.
    BatchQueue queue(0);
    for (std::uint32_t i = 0; i < seconds.size(); ++i)
        queue.push({double(i) * uploadGapSeconds, i, i, 0, 0, lanes[i]});
    using Busy = std::pair<double, int>;   // (free at, lane it releases)
    std::priority_queue<Busy, std::vector<Busy>, std::greater<>> running;
    int idle = std::max(1, workers);
    double now = 0, finish = 0;
    while (!queue.empty()) {
        // Start what can start now on the idle workers.
        while (idle > 0) {
            const auto e = queue.take(now);
            if (!e)
                break;
            --idle;
            const double end = now + seconds[e->batch];
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
    const int chunkRows = std::max(1, params.chunkRows);
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

    // Each big component on as many lanes as it needs to finish within the bound, as many as
    // its parent's hold allows (one parent only), one otherwise.
    std::vector<Chain> chains;
    auto holdOf = [&](std::uint32_t key) {
        return params.parentHold && key < params.parentHold->size() ? (*params.parentHold)[key] : 0.0;
    };
    // A star: every key but the parent is locked by one row only (a Contact locks its Account
    // and itself), so pieces on different lanes share the parent alone and can only queue.
    std::vector<std::uint32_t> uses(keys.keyCount(), 0);
    auto isStar = [&](std::uint32_t c) {
        if (components.keyCount(c) <= 1)
            return true;
        const std::uint32_t hub = components.mainKey(c);
        bool star = true;
        for (const auto r : components.rowsOf(c))
            for (const auto k : keys.keysOf(r))
                if (k != hub && ++uses[k] > 1)
                    star = false;
        for (const auto r : components.rowsOf(c))
            for (const auto k : keys.keysOf(r))
                uses[k] = 0;
        return star;
    };
    for (std::uint32_t c = 0; c < big; ++c) {
        const std::uint32_t rows = components.sizeOf(c);
        const double hold = holdOf(components.mainKey(c));
        const double perRow = params.rowSeconds + hold / chunkRows;
        int width = 1;
        if (params.targetSeconds > 0 && isStar(c)) {
            const double transactionHold = chunkRows * params.windowRowSeconds + hold;
            const int cap = std::min({safeWidth(transactionHold, params.lockTimeoutSeconds), workers,
                                      int((rows + chunkRows - 1) / chunkRows)});
            // Aim a little under the bound: the chain's pieces wait a little for each other.
            width = std::clamp(int(std::ceil(double(rows) * perRow / (0.9 * params.targetSeconds))), 1, std::max(1, cap));
        }
        for (int part = 0; part < width; ++part) {
            const auto from = std::uint32_t(qint64(rows) * part / width);
            const auto to = std::uint32_t(qint64(rows) * (part + 1) / width);
            chains.push_back({c, from, to - from, width > 1 ? int(c) : -1, width, perRow, hold});
        }
    }

    // One candidate layout: chain pieces of `piece` rows, uploaded round-robin over the chains
    // so each starts at once, longest chains first; then the shared queue: whole components,
    // largest first, each batch what is left divided by twice the workers, at least `tail`.
    auto build = [&](qint64 piece, qint64 tail) {
        std::vector<Draft> drafts;
        std::vector<std::uint32_t> left(chains.size());
        for (size_t l = 0; l < chains.size(); ++l)
            left[l] = chains[l].rows;
        for (bool any = !chains.empty(); any;) {
            any = false;
            for (size_t l = 0; l < chains.size(); ++l)
                if (left[l] > 0) {
                    const auto n = std::uint32_t(std::min<qint64>(piece, left[l]));
                    drafts.push_back({n, int(l)});
                    left[l] -= n;
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
    auto draftSeconds = [&](const Draft &d) {
        return double(d.rows) * (d.lane >= 0 ? chains[size_t(d.lane)].secondsPerRow : params.rowSeconds);
    };
    // Small pieces and a small tail even out the finish (chunk times vary) but each batch costs
    // an upload gap and API calls: play every candidate on the expected times and keep the one
    // that finishes first, adding half the longest of the last W batches for the variation.
    auto score = [&](const std::vector<Draft> &drafts) {
        std::vector<double> seconds(drafts.size());
        std::vector<int> lanes(drafts.size());
        double tail = 0;
        size_t sharedSeen = 0;
        for (size_t i = drafts.size(); i-- > 0;) {
            seconds[i] = draftSeconds(drafts[i]);
            lanes[i] = drafts[i].lane;
            // The last batches decide how evenly workers finish — except the largest chain's
            // pieces: when it is the critical path it runs its course whatever its pieces.
            const bool largestChain = drafts[i].lane >= 0 && chains[size_t(drafts[i].lane)].component == 0;
            if (!largestChain && sharedSeen++ < size_t(workers))
                tail = std::max(tail, seconds[i]);
        }
        return expectedFinish(seconds, lanes, workers, params.uploadGapSeconds) + tail / 2;
    };
    std::vector<Draft> best;
    double bestScore = 0;
    const qint64 smallestPiece = std::min<qint64>(batchRows, chunkRows);
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
    std::vector<std::uint32_t> taken(chains.size(), 0);
    std::uint32_t nextShared = big;
    for (const Draft &d : best) {
        PlanBatch b{qint64(plan.rows.size()), d.rows, d.lane, d.lane >= 0 ? params.laneApi : params.sharedApi,
                    double(d.rows) * params.rowSeconds};
        if (d.lane >= 0) {
            const Chain &chain = chains[size_t(d.lane)];
            const auto rows = components.rowsOf(chain.component).subspan(chain.offset + taken[size_t(d.lane)], d.rows);
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
    for (size_t l = 0; l < chains.size(); ++l) {
        const Chain &chain = chains[l];
        PlanLane lane;
        lane.index = int(l);
        lane.rows = chain.rows;
        lane.expectedSeconds = double(chain.rows) * chain.secondsPerRow;
        lane.mainKey = components.mainKey(chain.component);
        lane.group = chain.group;
        const QString parent = parentName(keys, lane.mainKey);
        const QString size = grouped(qint64(components.sizeOf(chain.component)));
        if (chain.width > 1)
            lane.reason = QStringLiteral("%1: %2 rows, one of %3 lanes side by side (its transactions only queue for it, "
                                         "about %4 s each)")
                              .arg(parent, size).arg(chain.width).arg(chain.holdPerTransaction + chunkRows * params.windowRowSeconds, 0, 'f', 1);
        else if (components.keyCount(chain.component) > 1 && !isStar(chain.component))
            lane.reason = QStringLiteral("%1 and %2 more parents: %3 rows that share parents, one piece after another "
                                         "(two pieces side by side could lock them in opposite orders)")
                              .arg(parent).arg(components.keyCount(chain.component) - 1).arg(size);
        else
            lane.reason = QStringLiteral("%1: %2 rows, more than a batch of this plan, one piece after another").arg(parent, size);
        plan.lanes.push_back(lane);
    }
    const int laneCount = int(chains.size());

    // In words.
    const bool sideBySide = std::any_of(chains.begin(), chains.end(), [](const Chain &c) { return c.width > 1; });
    plan.notes << QStringLiteral("%1 independent groups of rows (components: rows that share a parent, transitively). "
                                 "Any two batches in flight lock disjoint parents%2, so none can deadlock with another, "
                                 "whatever order the server picks.")
                      .arg(grouped(count), sideBySide ? QStringLiteral(" (except the lanes of one skewed parent, which "
                                                                       "only queue for it)")
                                                      : QString());
    if (laneCount > 0) {
        for (int l = 0; l < laneCount && l < 5; ++l)
            plan.notes << QStringLiteral("Serial lane %1 (%2): %3.").arg(l + 1).arg(seconds(plan.lanes[size_t(l)].expectedSeconds), plan.lanes[size_t(l)].reason);
        if (laneCount > 5)
            plan.notes << QStringLiteral("… and %1 more serial lanes.").arg(laneCount - 5);
        for (const Chain &chain : chains)
            if (chain.width > 1 && chain.offset == 0) {
                const double hold = chain.holdPerTransaction + chunkRows * params.windowRowSeconds;
                plan.notes << QStringLiteral("%1 is skewed: on one lane its %2 rows would take %3 alone. Its transactions "
                                             "share nothing else, so they cannot deadlock; %4 lanes run them side by side, "
                                             "each holding it about %5 s, so one waits at most about %6 s for it — far "
                                             "under the %7 s lock timeout (the model's hold for a parent this size is an "
                                             "assumption: see the profile).")
                                  .arg(parentName(keys, components.mainKey(chain.component)),
                                       grouped(qint64(components.sizeOf(chain.component))),
                                       seconds(double(components.sizeOf(chain.component)) * chain.secondsPerRow))
                                  .arg(chain.width)
                                  .arg(hold, 0, 'f', 1)
                                  .arg(hold * (chain.width - 1), 0, 'f', 1)
                                  .arg(params.lockTimeoutSeconds, 0, 'f', 0);
            }
        plan.notes << QStringLiteral("Other batches fill the remaining workers; no two batches of different lanes or of "
                                     "the shared queue share a parent.");
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
