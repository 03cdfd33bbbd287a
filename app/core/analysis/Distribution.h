#pragma once

#include "locks/LockKeys.h"

#include <cstdint>
#include <vector>

namespace lockstep {

struct DistributionOptions {
    qint64 skewThreshold = 10000;  // Salesforce's own definition of data skew: > 10,000 children
    int topCount = 20;
};

struct ParentCount {
    std::uint32_t key = 0;
    qint64 children = 0;
};

// One bin of the children-per-parent histogram: parents with [low, high] children.
struct HistogramBin {
    qint64 low = 0;
    qint64 high = 0;
    qint64 parents = 0;
    qint64 rows = 0;
};

// How rows spread over the records they lock: children per parent, the heaviest parents, skew.
class Distribution {
public:
    static Distribution compute(const LockKeys &keys, const DistributionOptions &options = {});

    qint64 rows() const { return m_rows; }
    qint64 rowsWithoutParent() const { return m_rowsWithoutParent; }
    qint64 parents() const { return m_parents; }             // keys with at least one child
    qint64 skewThreshold() const { return m_skewThreshold; }
    qint64 childrenOf(std::uint32_t key) const { return key < m_children.size() ? m_children[key] : 0; }
    const std::vector<std::uint32_t> &childrenPerKey() const { return m_children; }

    const std::vector<ParentCount> &topParents() const { return m_top; }
    const std::vector<ParentCount> &skewedParents() const { return m_skewed; }  // > threshold, largest first
    qint64 rowsOnSkewedParents() const;
    const std::vector<HistogramBin> &histogram() const { return m_histogram; } // log2 bins

    qint64 maxChildren() const { return m_max; }
    double meanChildren() const { return m_parents ? double(m_keyRefs) / double(m_parents) : 0.0; }
    qint64 medianChildren() const { return m_median; }
    qint64 p99Children() const { return m_p99; }

private:
    qint64 m_rows = 0;
    qint64 m_rowsWithoutParent = 0;
    qint64 m_parents = 0;
    qint64 m_keyRefs = 0;
    qint64 m_skewThreshold = 10000;
    qint64 m_max = 0;
    qint64 m_median = 0;
    qint64 m_p99 = 0;
    std::vector<std::uint32_t> m_children;
    std::vector<ParentCount> m_top;
    std::vector<ParentCount> m_skewed;
    std::vector<HistogramBin> m_histogram;
};

// How a batch size cuts the file: how many parents have children in more than one batch —
// exactly the parents that parallel batches can fight over.
struct BatchSpread {
    int batchSize = 0;
    qint64 batches = 0;
    qint64 parentsInSeveralBatches = 0;
    qint64 rowsOnSharedParents = 0;     // rows whose parent spans several batches
    qint64 maxBatchesPerParent = 0;

    // `order` (optional) is the send order of rows; empty = file order. `batchStarts`
    // (optional): a plan's own batches, where each starts in that order; empty = batchSize each.
    static BatchSpread compute(const LockKeys &keys, int batchSize, std::span<const std::uint32_t> order = {},
                               std::span<const std::uint64_t> batchStarts = {});
};

} // namespace lockstep
