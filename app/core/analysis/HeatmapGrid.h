#pragma once

#include "analysis/Distribution.h"
#include "locks/LockKeys.h"

#include <cstdint>
#include <span>
#include <vector>

namespace lockstep {

enum class ParentOrder {
    ById,          // the order sort-by-parent sends them in: a sorted file becomes a diagonal band
    ByChildren,    // largest first: skewed parents on top
    ByFirstRow,    // as they first appear in the file
};

struct HeatmapOptions {
    int batchSize = 2000;
    int maxColumns = 800;        // batches are binned beyond this
    int maxRows = 400;           // parents are binned beyond this
    ParentOrder order = ParentOrder::ById;
    std::span<const std::uint32_t> sendOrder;   // rows in the order they are sent; empty = file order
    // A plan's own batches: where each starts in the send order (ascending, first 0). Empty =
    // batches of batchSize. With it, batchLanes (optional) colours each batch by its lane.
    std::span<const std::uint64_t> batchStarts;
    std::span<const int> batchLanes;
};

// Parents × batches: how many rows of each parent (bin) each batch (bin) carries. A parent
// lit in many columns is one that parallel batches will contend for. With many parents a grid
// row holds several consecutive parents, but a skewed parent always has a row of its own.
class HeatmapGrid {
public:
    static HeatmapGrid compute(const LockKeys &keys, const Distribution &distribution, const HeatmapOptions &options);

    int columns() const { return m_columns; }
    int rows() const { return m_rows; }
    qint64 batches() const { return m_batches; }
    int batchSize() const { return m_batchSize; }
    qint64 batchesPerColumn() const { return m_batchesPerColumn; }
    qint64 maxParentsPerRow() const { return m_maxParentsPerRow; }
    qint64 parents() const { return qint64(m_parentAtRank.size()); }
    ParentOrder order() const { return m_order; }

    std::uint32_t cell(int column, int row) const { return m_cells[size_t(row) * size_t(m_columns) + size_t(column)]; }
    // The lane of the batches in a cell: kNoLane when empty, kMixedLanes when a binned column
    // holds batches of several lanes. Only meaningful when the grid was built with batchLanes.
    static constexpr int kNoLane = -1000;
    static constexpr int kMixedLanes = -1001;
    int cellLane(int column, int row) const
    {
        return m_cellLanes.empty() ? kNoLane : m_cellLanes[size_t(row) * size_t(m_columns) + size_t(column)];
    }
    bool hasLanes() const { return !m_cellLanes.empty(); }
    std::uint32_t maxCell() const { return m_maxCell; }
    qint64 total() const;   // sum of all cells = row-to-parent references

    // Batches [first, last] (0-based) of a column; parents (by rank) of a grid row.
    std::pair<qint64, qint64> batchRange(int column) const;
    int columnOfBatch(qint64 batch) const { return int(batch / m_batchesPerColumn); }
    std::pair<qint64, qint64> rankRange(int row) const;
    std::uint32_t parentAtRank(qint64 rank) const { return m_parentAtRank[size_t(rank)]; }
    qint64 rankOf(std::uint32_t key) const { return m_rankOfKey[key]; }
    int rowOfKey(std::uint32_t key) const;        // grid row of a parent, -1 if it has no children

    // What hovering a cell shows: the rows it holds and its heaviest parent.
    struct CellDetail {
        qint64 rows = 0;
        qint64 firstBatch = 0, lastBatch = 0;
        qint64 firstRank = 0, lastRank = 0;
        std::uint32_t topParent = LockKeys::npos;
        qint64 topParentRows = 0;
        qint64 distinctParents = 0;
    };
    CellDetail detail(const LockKeys &keys, int column, int row) const;

private:
    int m_columns = 0;
    int m_rows = 0;
    int m_batchSize = 1;
    qint64 m_batches = 0;
    qint64 m_batchesPerColumn = 1;
    qint64 m_maxParentsPerRow = 1;
    std::vector<std::uint32_t> m_rowStart;   // first rank of each grid row, plus the end
    std::vector<std::uint32_t> m_rowOfRank;
    ParentOrder m_order = ParentOrder::ById;
    std::uint32_t m_maxCell = 0;
    std::vector<std::uint32_t> m_cells;
    std::vector<std::uint32_t> m_parentAtRank;
    std::vector<std::int64_t> m_rankOfKey;   // -1 for keys without children
    std::vector<std::uint32_t> m_sendOrder;  // copy of options.sendOrder (empty = file order)
    std::vector<std::uint64_t> m_batchStarts;   // explicit batches (empty = uniform batchSize)
    std::vector<int> m_cellLanes;
    qint64 batchOfPosition(qint64 position) const;
    qint64 batchBegin(qint64 batch) const;
};

} // namespace lockstep
