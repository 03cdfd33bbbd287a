#include "demoorg/ChildCounts.h"

namespace lockstep::demoorg {

QHash<QString, std::int64_t> ChildCounts::cached(const QString &child, const QStringList &parents, QStringList &missing, std::uint64_t &stamp) const
{
    QHash<QString, std::int64_t> out;
    std::lock_guard lock(m_mutex);
    stamp = m_clock;
    for (const QString &parent : parents) {
        if (out.contains(parent))
            continue;
        if (const auto it = m_counts.constFind(Key{child, parent}); it != m_counts.cend())
            out.insert(parent, *it);
        else if (!missing.contains(parent))
            missing << parent;
    }
    return out;
}

void ChildCounts::fill(const QString &child, const QHash<QString, std::int64_t> &counts, std::uint64_t stamp)
{
    std::lock_guard lock(m_mutex);
    for (auto it = counts.cbegin(); it != counts.cend(); ++it) {
        const Key key{child, it.key()};
        // A commit that began changing this parent after the read was planned may or may not be
        // in what the read saw: keep nothing, the next lookup reads again.
        if (m_pending.value(key) > 0 || m_changedAt.value(key) > stamp)
            continue;
        m_counts.insert(key, it.value());
    }
}

void ChildCounts::begin(const std::vector<Change> &changes)
{
    std::lock_guard lock(m_mutex);
    ++m_clock;
    for (const Change &c : changes) {
        ++m_pending[c.key];
        m_changedAt.insert(c.key, m_clock);
    }
}

void ChildCounts::end(const std::vector<Change> &changes, bool committed)
{
    std::lock_guard lock(m_mutex);
    ++m_clock;
    for (const Change &c : changes) {
        if (committed) {
            if (c.forget)
                m_counts.remove(c.key);
            else if (const auto it = m_counts.find(c.key); it != m_counts.end())
                *it += c.delta;
        }
        if (--m_pending[c.key] <= 0)
            m_pending.remove(c.key);
        m_changedAt.insert(c.key, m_clock);
    }
}

} // namespace lockstep::demoorg
