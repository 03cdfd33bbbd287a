#include "analysis/Distribution.h"

#include <algorithm>
#include <bit>

namespace lockstep {

Distribution Distribution::compute(const LockKeys &keys, const DistributionOptions &options)
{
    Distribution d;
    d.m_rows = keys.rowCount();
    d.m_skewThreshold = options.skewThreshold;
    d.m_children.assign(keys.keyCount(), 0);
    for (auto k : keys.keys())
        ++d.m_children[k];
    const auto &offsets = keys.offsets();
    for (qint64 r = 0; r < d.m_rows; ++r)
        d.m_rowsWithoutParent += offsets[size_t(r) + 1] == offsets[size_t(r)];
    d.m_keyRefs = qint64(keys.keys().size());

    std::vector<ParentCount> all;
    all.reserve(d.m_children.size());
    for (std::uint32_t k = 0; k < d.m_children.size(); ++k)
        if (d.m_children[k])
            all.push_back({k, d.m_children[k]});
    d.m_parents = qint64(all.size());

    auto larger = [](const ParentCount &a, const ParentCount &b) {
        return a.children != b.children ? a.children > b.children : a.key < b.key;
    };
    const size_t top = std::min(all.size(), size_t(std::max(0, options.topCount)));
    std::partial_sort(all.begin(), all.begin() + qsizetype(top), all.end(), larger);
    d.m_top.assign(all.begin(), all.begin() + qsizetype(top));
    for (const auto &p : all)
        if (p.children > options.skewThreshold)
            d.m_skewed.push_back(p);
    std::sort(d.m_skewed.begin(), d.m_skewed.end(), larger);

    if (!all.empty()) {
        std::vector<std::uint32_t> counts;
        counts.reserve(all.size());
        for (const auto &p : all)
            counts.push_back(std::uint32_t(p.children));
        auto nth = [&](double q) {
            const size_t i = std::min(counts.size() - 1, size_t(q * double(counts.size() - 1) + 0.5));
            std::nth_element(counts.begin(), counts.begin() + qsizetype(i), counts.end());
            return qint64(counts[i]);
        };
        d.m_median = nth(0.5);
        d.m_p99 = nth(0.99);
        d.m_max = d.m_top.empty() ? 0 : d.m_top.front().children;
    }

    // Log2 bins: 1, 2-3, 4-7, ... so a 12,000-child house account and 5,000 parents with a
    // dozen children each show on one axis.
    int bins = 0;
    for (const auto &p : all)
        bins = std::max(bins, int(std::bit_width(std::uint64_t(p.children))));
    d.m_histogram.resize(size_t(bins));
    for (int b = 0; b < bins; ++b) {
        d.m_histogram[size_t(b)].low = qint64(1) << b;
        d.m_histogram[size_t(b)].high = (qint64(1) << (b + 1)) - 1;
    }
    for (const auto &p : all) {
        auto &bin = d.m_histogram[size_t(std::bit_width(std::uint64_t(p.children)) - 1)];
        ++bin.parents;
        bin.rows += p.children;
    }
    return d;
}

qint64 Distribution::rowsOnSkewedParents() const
{
    qint64 n = 0;
    for (const auto &p : m_skewed)
        n += p.children;
    return n;
}

BatchSpread BatchSpread::compute(const LockKeys &keys, int batchSize, std::span<const std::uint32_t> order,
                                 std::span<const std::uint64_t> batchStarts)
{
    BatchSpread s;
    s.batchSize = std::max(1, batchSize);
    const qint64 rows = order.empty() ? keys.rowCount() : qint64(order.size());
    s.batches = batchStarts.empty() ? (rows + s.batchSize - 1) / s.batchSize : qint64(batchStarts.size());
    std::vector<std::int64_t> lastBatch(keys.keyCount(), -1);
    std::vector<std::uint32_t> batchesOf(keys.keyCount(), 0);
    std::int64_t explicitBatch = 0;
    for (qint64 i = 0; i < rows; ++i) {
        const qint64 row = order.empty() ? i : qint64(order[size_t(i)]);
        if (!order.empty()) {   // in plan order the rows' keys are read at random: fetch ahead
            if (i + 16 < rows)
                keys.prefetchOffsets(order[size_t(i + 16)]);
            if (i + 8 < rows)
                keys.prefetchKeys(order[size_t(i + 8)]);
        }
        while (!batchStarts.empty() && size_t(explicitBatch) + 1 < batchStarts.size() &&
               std::uint64_t(i) >= batchStarts[size_t(explicitBatch) + 1])
            ++explicitBatch;
        const std::int64_t batch = batchStarts.empty() ? i / s.batchSize : explicitBatch;
        for (auto k : keys.keysOf(row)) {
            if (lastBatch[k] != batch) {
                lastBatch[k] = batch;
                ++batchesOf[k];
            }
        }
    }
    std::vector<bool> shared(keys.keyCount(), false);
    for (std::uint32_t k = 0; k < keys.keyCount(); ++k) {
        s.maxBatchesPerParent = std::max<qint64>(s.maxBatchesPerParent, batchesOf[k]);
        if (batchesOf[k] > 1) {
            shared[k] = true;
            ++s.parentsInSeveralBatches;
        }
    }
    for (qint64 row = 0; row < keys.rowCount(); ++row) {
        for (auto k : keys.keysOf(row))
            if (shared[k]) {
                ++s.rowsOnSharedParents;
                break;
            }
    }
    return s;
}

} // namespace lockstep
