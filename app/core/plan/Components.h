#pragma once

#include "common/Progress.h"
#include "locks/LockKeys.h"

#include <cstdint>
#include <span>
#include <vector>

namespace lockstep {

// Rows that share any lock key, transitively, form one component (union-find over keys,
// lock-model.md §5.1): two components never contend, whatever runs when. A row that locks
// nothing is a component of its own.
class Components {
public:
    static Components compute(const LockKeys &keys, const CancelToken &cancel = {});

    std::uint32_t count() const { return std::uint32_t(m_offsets.size()) - 1; }
    qint64 rowCount() const { return qint64(m_rows.size()); }
    // Components are numbered largest first; a component's rows are in file order.
    std::span<const std::uint32_t> rowsOf(std::uint32_t component) const
    {
        return {m_rows.data() + m_offsets[component], m_offsets[component + 1] - m_offsets[component]};
    }
    std::uint32_t sizeOf(std::uint32_t component) const { return m_offsets[component + 1] - m_offsets[component]; }
    std::uint32_t largestSize() const { return count() ? sizeOf(0) : 0; }
    std::uint32_t componentOfRow(qint64 row) const { return m_componentOfRow[size_t(row)]; }
    // The key most of the component's rows lock (its "parent", for messages); npos when none.
    std::uint32_t mainKey(std::uint32_t component) const { return m_mainKey[component]; }
    // How many distinct keys the component spans.
    std::uint32_t keyCount(std::uint32_t component) const { return m_keyCount[component]; }
    bool cancelled() const { return m_cancelled; }

private:
    std::vector<std::uint32_t> m_rows;          // rows grouped by component
    std::vector<std::uint32_t> m_offsets{0};    // component c: m_rows[m_offsets[c] .. m_offsets[c+1])
    std::vector<std::uint32_t> m_componentOfRow;
    std::vector<std::uint32_t> m_mainKey;
    std::vector<std::uint32_t> m_keyCount;
    bool m_cancelled = false;
};

} // namespace lockstep
