#include "analysis/HeatmapGrid.h"

#include <algorithm>
#include <limits>
#include <numeric>
#include <unordered_map>

namespace lockstep {

HeatmapGrid HeatmapGrid::compute(const LockKeys &keys, const Distribution &distribution, const HeatmapOptions &options)
{
    HeatmapGrid g;
    g.m_order = options.order;
    g.m_batchSize = std::max(1, options.batchSize);
    const qint64 rowCount = options.sendOrder.empty() ? keys.rowCount() : qint64(options.sendOrder.size());
    g.m_batchStarts.assign(options.batchStarts.begin(), options.batchStarts.end());
    if (!g.m_batchStarts.empty()) {
        g.m_batches = qint64(g.m_batchStarts.size());
        qint64 largest = 0;
        for (qint64 b = 0; b < g.m_batches; ++b)
            largest = std::max(largest, g.batchBegin(b + 1) - g.batchBegin(b));
        g.m_batchSize = int(std::max<qint64>(1, largest));
    } else {
        g.m_batches = std::max<qint64>(1, (rowCount + g.m_batchSize - 1) / g.m_batchSize);
    }
    const qint64 maxColumns = std::max(1, options.maxColumns);
    g.m_batchesPerColumn = (g.m_batches + maxColumns - 1) / maxColumns;
    g.m_columns = int((g.m_batches + g.m_batchesPerColumn - 1) / g.m_batchesPerColumn);

    // Parent order.
    const auto &children = distribution.childrenPerKey();
    for (std::uint32_t k = 0; k < children.size(); ++k)
        if (children[k])
            g.m_parentAtRank.push_back(k);
    switch (options.order) {
    case ParentOrder::ById:
        std::sort(g.m_parentAtRank.begin(), g.m_parentAtRank.end(),
                  [&](std::uint32_t a, std::uint32_t b) { return keys.keyText(a) < keys.keyText(b); });
        break;
    case ParentOrder::ByChildren:
        // Ties by Id, not by first appearance: parents met late in the file would otherwise
        // gather at the end of every tie group and draw a false staircase.
        std::sort(g.m_parentAtRank.begin(), g.m_parentAtRank.end(), [&](std::uint32_t a, std::uint32_t b) {
            return children[a] != children[b] ? children[a] > children[b] : keys.keyText(a) < keys.keyText(b);
        });
        break;
    case ParentOrder::ByFirstRow:
        break;  // key ids are numbered in order of first appearance
    }
    g.m_rankOfKey.assign(children.size(), -1);
    for (size_t r = 0; r < g.m_parentAtRank.size(); ++r)
        g.m_rankOfKey[g.m_parentAtRank[r]] = std::int64_t(r);

    // With many parents a grid row holds `perRow` consecutive parents — except skewed parents,
    // which always get a row of their own, so a house account is never averaged into its
    // neighbours (unless there are so many that isolating them would swamp the grid).
    const qint64 maxRows = std::max(1, options.maxRows);
    const size_t parents = g.m_parentAtRank.size();
    const qint64 perRow = std::max<qint64>(1, (qint64(parents) + maxRows - 1) / maxRows);
    const qint64 skewThreshold = distribution.skewThreshold();
    const bool isolateSkewed = perRow > 1 && qint64(distribution.skewedParents().size()) * 4 <= maxRows;
    g.m_rowStart.clear();
    qint64 inRow = 0;
    bool previousSkewed = false;
    for (size_t r = 0; r < parents; ++r) {
        const bool skewed = isolateSkewed && children[g.m_parentAtRank[r]] > skewThreshold;
        if (r == 0 || inRow >= perRow || skewed || previousSkewed) {
            g.m_rowStart.push_back(std::uint32_t(r));
            inRow = 0;
        }
        ++inRow;
        previousSkewed = skewed;
    }
    if (g.m_rowStart.empty())
        g.m_rowStart.push_back(0);
    g.m_rowStart.push_back(std::uint32_t(parents));
    g.m_rows = int(g.m_rowStart.size() - 1);
    g.m_rowOfRank.assign(parents, 0);
    for (int row = 0; row < g.m_rows; ++row) {
        g.m_maxParentsPerRow = std::max<qint64>(g.m_maxParentsPerRow, g.m_rowStart[size_t(row) + 1] - g.m_rowStart[size_t(row)]);
        for (std::uint32_t r = g.m_rowStart[size_t(row)]; r < g.m_rowStart[size_t(row) + 1]; ++r)
            g.m_rowOfRank[r] = std::uint32_t(row);
    }

    g.m_cells.assign(size_t(g.m_columns) * size_t(g.m_rows), 0);
    g.m_sendOrder.assign(options.sendOrder.begin(), options.sendOrder.end());
    const bool lanes = !options.batchLanes.empty() && qint64(options.batchLanes.size()) >= g.m_batches;
    if (lanes)
        g.m_cellLanes.assign(g.m_cells.size(), kNoLane);
    qint64 batch = 0;
    qint64 nextBatchAt = g.batchBegin(1);
    for (qint64 i = 0; i < rowCount; ++i) {
        while (i >= nextBatchAt && batch + 1 < g.m_batches)
            nextBatchAt = g.batchBegin(++batch + 1);
        const qint64 row = g.m_sendOrder.empty() ? i : qint64(g.m_sendOrder[size_t(i)]);
        const int column = int(batch / g.m_batchesPerColumn);
        for (auto k : keys.keysOf(row)) {
            const int gridRow = int(g.m_rowOfRank[size_t(g.m_rankOfKey[k])]);
            const size_t cell = size_t(gridRow) * size_t(g.m_columns) + size_t(column);
            ++g.m_cells[cell];
            if (lanes) {
                int &lane = g.m_cellLanes[cell];
                const int batchLane = options.batchLanes[size_t(batch)];
                lane = lane == kNoLane || lane == batchLane ? batchLane : kMixedLanes;
            }
        }
    }
    g.m_maxCell = g.m_cells.empty() ? 0 : *std::max_element(g.m_cells.begin(), g.m_cells.end());
    return g;
}

qint64 HeatmapGrid::batchBegin(qint64 batch) const
{
    if (m_batchStarts.empty())
        return batch * m_batchSize;
    if (batch >= qint64(m_batchStarts.size()))
        return m_sendOrder.empty() ? std::numeric_limits<qint64>::max() : qint64(m_sendOrder.size());
    return qint64(m_batchStarts[size_t(batch)]);
}

qint64 HeatmapGrid::batchOfPosition(qint64 position) const
{
    if (m_batchStarts.empty())
        return position / m_batchSize;
    return qint64(std::upper_bound(m_batchStarts.begin(), m_batchStarts.end(), std::uint64_t(position)) - m_batchStarts.begin()) - 1;
}

qint64 HeatmapGrid::total() const
{
    return std::accumulate(m_cells.begin(), m_cells.end(), qint64(0));
}

std::pair<qint64, qint64> HeatmapGrid::batchRange(int column) const
{
    const qint64 first = qint64(column) * m_batchesPerColumn;
    return {first, std::min(m_batches - 1, first + m_batchesPerColumn - 1)};
}

std::pair<qint64, qint64> HeatmapGrid::rankRange(int row) const
{
    return {qint64(m_rowStart[size_t(row)]), qint64(m_rowStart[size_t(row) + 1]) - 1};
}

int HeatmapGrid::rowOfKey(std::uint32_t key) const
{
    if (key >= m_rankOfKey.size() || m_rankOfKey[key] < 0)
        return -1;
    return int(m_rowOfRank[size_t(m_rankOfKey[key])]);
}

HeatmapGrid::CellDetail HeatmapGrid::detail(const LockKeys &keys, int column, int row) const
{
    CellDetail d;
    if (column < 0 || column >= m_columns || row < 0 || row >= m_rows)
        return d;
    std::tie(d.firstBatch, d.lastBatch) = batchRange(column);
    std::tie(d.firstRank, d.lastRank) = rankRange(row);
    const qint64 positions = m_sendOrder.empty() ? keys.rowCount() : qint64(m_sendOrder.size());
    const qint64 begin = batchBegin(d.firstBatch);
    const qint64 end = std::min(positions, batchBegin(d.lastBatch + 1));
    std::unordered_map<std::uint32_t, qint64> perParent;
    for (qint64 i = begin; i < end; ++i) {
        const qint64 r = m_sendOrder.empty() ? i : qint64(m_sendOrder[size_t(i)]);
        for (auto k : keys.keysOf(r)) {
            const qint64 rank = m_rankOfKey[k];
            if (rank >= d.firstRank && rank <= d.lastRank) {
                ++perParent[k];
                ++d.rows;
            }
        }
    }
    d.distinctParents = qint64(perParent.size());
    for (const auto &[key, count] : perParent)
        if (count > d.topParentRows || (count == d.topParentRows && key < d.topParent)) {
            d.topParent = key;
            d.topParentRows = count;
        }
    return d;
}

} // namespace lockstep
