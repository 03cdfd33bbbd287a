#include "plan/Components.h"

#include <algorithm>
#include <numeric>

namespace lockstep {

namespace {

// Union-find with path halving and union by size.
class DisjointSets {
public:
    explicit DisjointSets(std::uint32_t n) : m_parent(n), m_size(n, 1) { std::iota(m_parent.begin(), m_parent.end(), 0u); }
    std::uint32_t find(std::uint32_t x)
    {
        while (m_parent[x] != x) {
            m_parent[x] = m_parent[m_parent[x]];
            x = m_parent[x];
        }
        return x;
    }
    void unite(std::uint32_t a, std::uint32_t b)
    {
        a = find(a);
        b = find(b);
        if (a == b)
            return;
        if (m_size[a] < m_size[b])
            std::swap(a, b);
        m_parent[b] = a;
        m_size[a] += m_size[b];
    }

private:
    std::vector<std::uint32_t> m_parent;
    std::vector<std::uint32_t> m_size;
};

} // namespace

Components Components::compute(const LockKeys &keys, const CancelToken &cancel)
{
    Components c;
    const qint64 rows = keys.rowCount();
    const std::uint32_t keyCount = keys.keyCount();
    DisjointSets sets(keyCount);
    for (qint64 r = 0; r < rows; ++r) {
        const auto k = keys.keysOf(r);
        for (size_t i = 1; i < k.size(); ++i)
            sets.unite(k[0], k[i]);
        if ((r & 0xFFFFF) == 0 && cancel.isCancelled()) {
            c.m_cancelled = true;
            return c;
        }
    }

    // Dense component ids: one per root key, then one per key-less row.
    constexpr std::uint32_t none = 0xFFFFFFFFu;
    std::vector<std::uint32_t> idOfRoot(keyCount, none);
    std::uint32_t next = 0;
    c.m_componentOfRow.resize(size_t(rows));
    for (qint64 r = 0; r < rows; ++r) {
        const std::uint32_t first = keys.firstKey(r);
        std::uint32_t id;
        if (first == LockKeys::npos) {
            id = next++;
        } else {
            const std::uint32_t root = sets.find(first);
            if (idOfRoot[root] == none)
                idOfRoot[root] = next++;
            id = idOfRoot[root];
        }
        c.m_componentOfRow[size_t(r)] = id;
    }
    std::vector<std::uint32_t> size(next, 0);
    for (const auto id : c.m_componentOfRow)
        ++size[id];

    // Largest first (ties: first seen first, so the order is deterministic).
    std::vector<std::uint32_t> order(next);
    std::iota(order.begin(), order.end(), 0u);
    std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) { return size[a] > size[b]; });
    std::vector<std::uint32_t> rank(next);
    for (std::uint32_t i = 0; i < next; ++i)
        rank[order[i]] = i;
    for (auto &id : c.m_componentOfRow)
        id = rank[id];

    c.m_offsets.assign(size_t(next) + 1, 0);
    for (const auto id : c.m_componentOfRow)
        ++c.m_offsets[id + 1];
    for (std::uint32_t i = 0; i < next; ++i)
        c.m_offsets[i + 1] += c.m_offsets[i];
    c.m_rows.resize(size_t(rows));
    std::vector<std::uint32_t> fill(c.m_offsets.begin(), c.m_offsets.end() - 1);
    for (qint64 r = 0; r < rows; ++r)
        c.m_rows[fill[c.m_componentOfRow[size_t(r)]]++] = std::uint32_t(r);

    // Main key and key count per component, from rows per key.
    std::vector<std::uint32_t> children(keyCount, 0);
    for (const auto k : keys.keys())
        ++children[k];
    c.m_mainKey.assign(next, LockKeys::npos);
    c.m_keyCount.assign(next, 0);
    std::vector<std::uint8_t> counted(keyCount, 0);
    for (qint64 r = 0; r < rows; ++r) {
        const std::uint32_t id = c.m_componentOfRow[size_t(r)];
        for (const auto k : keys.keysOf(r)) {
            if (!counted[k]) {
                counted[k] = 1;
                ++c.m_keyCount[id];
            }
            std::uint32_t &main = c.m_mainKey[id];
            if (main == LockKeys::npos || children[k] > children[main])
                main = k;
        }
    }
    return c;
}

} // namespace lockstep
