#pragma once

#include <QHash>
#include <QString>
#include <QStringList>

#include <cstdint>
#include <mutex>
#include <vector>

namespace lockstep::demoorg {

// How many records of a child object point at a parent through the child's locking fields
// (Opportunities whose AccountId is that Account): "children as the org has them", which sets
// how long a transaction holds a skewed parent (OrgProfile::parentHoldSecondsPerChild).
//
// A cache in front of the database. A parent's count is read once (RecordStore counts the
// missing ones in one grouped query) and kept current by every commit that changes it: the
// record store reports each commit's changes before it commits (begin) and after (end). A
// count read from the database is only kept when no commit changing that parent began since
// the read was planned, so a read racing a commit can never store a count that the commit's
// change is then applied to twice, or not at all. Thread-safe.
class ChildCounts {
public:
    // A parent as a child object sees it: (child object name, parent Id).
    struct Key {
        QString child;
        QString parent;
        bool operator==(const Key &o) const { return child == o.child && parent == o.parent; }
    };
    struct Change {
        Key key;
        std::int64_t delta = 0;   // children added (negative: removed)
        bool forget = false;      // the parent itself was deleted: count it again if asked
    };

    // The cached counts of `parents` (children of `child`); `missing` gets the others and
    // `stamp` what fill() needs to know whether a commit changed them meanwhile.
    QHash<QString, std::int64_t> cached(const QString &child, const QStringList &parents, QStringList &missing, std::uint64_t &stamp) const;
    // Keeps counts read from the database after cached() returned `stamp`, except for parents
    // a commit has changed (or is changing) since.
    void fill(const QString &child, const QHash<QString, std::int64_t> &counts, std::uint64_t stamp);

    // A commit that changes these counts is about to commit (call before COMMIT) ...
    void begin(const std::vector<Change> &changes);
    // ... and did, or rolled back (call after).
    void end(const std::vector<Change> &changes, bool committed);

private:
    mutable std::mutex m_mutex;
    QHash<Key, std::int64_t> m_counts;
    QHash<Key, std::uint64_t> m_changedAt;   // the clock when a commit last began or ended changing the key
    QHash<Key, int> m_pending;               // commits under way that change the key
    std::uint64_t m_clock = 0;
};

inline size_t qHash(const ChildCounts::Key &k, size_t seed = 0)
{
    return qHashMulti(seed, k.child, k.parent);
}

} // namespace lockstep::demoorg
