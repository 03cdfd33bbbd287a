#include "sim/BlockingLockTable.h"

#include <algorithm>

namespace lockstep {

namespace {
// Cancellation has no wake-up of its own (CancelToken is a flag), so waiters look at it this often.
constexpr auto kCancelPoll = std::chrono::milliseconds(20);
} // namespace

TxId BlockingLockTable::begin()
{
    std::lock_guard lock(m_mutex);
    return m_table.begin();
}

BlockingLockTable::Acquire BlockingLockTable::acquire(TxId tx, LockKey key, Clock::time_point deadline,
                                                      const CancelToken &cancel, bool *queued, Clock::time_point *grantedAt)
{
    std::unique_lock lock(m_mutex);
    if (queued)
        *queued = false;
    const auto requested = Clock::now();
    // A thread behind its schedule lets go of what it holds at its commit's due time first; so
    // does the key's holder (`|`, not `||`: both are looked at).
    if (releaseIfDue(tx, requested) | releaseIfDue(m_table.holder(key), requested))
        m_changed.notify_all();
    switch (m_table.request(tx, key)) {
    case LockTable::Request::Granted:
        if (grantedAt)
            *grantedAt = Clock::now();
        return Acquire::Granted;
    case LockTable::Request::Deadlock: return Acquire::Deadlock;
    case LockTable::Request::Queued: break;
    }
    if (queued)
        *queued = true;
    for (;;) {
        if (m_table.holds(tx, key)) {
            const auto it = m_grantedAt.find(tx);
            if (grantedAt)
                *grantedAt = it != m_grantedAt.end() ? it->second : Clock::now();
            if (it != m_grantedAt.end())
                m_grantedAt.erase(it);
            return Acquire::Granted;
        }
        if (cancel.isCancelled()) {
            m_table.abandonWait(tx);
            return Acquire::Cancelled;
        }
        const auto now = Clock::now();
        const TxId holder = m_table.holder(key);
        if (releaseIfDue(holder, now)) {
            m_changed.notify_all();
            continue;
        }
        if (now >= deadline) {
            m_table.abandonWait(tx);
            return Acquire::Timeout;
        }
        auto wake = std::min(deadline, now + kCancelPoll);
        if (const auto it = m_releaseAt.find(holder); it != m_releaseAt.end() && m_table.waitingFor(holder) == LockTable::noKey)
            wake = std::min(wake, it->second);
        m_changed.wait_until(lock, wake);
    }
}

void BlockingLockTable::releaseAt(TxId tx, Clock::time_point when)
{
    {
        std::lock_guard lock(m_mutex);
        m_releaseAt[tx] = when;
    }
    // Waiters behind `tx` sleep until its release rather than until their next poll.
    m_changed.notify_all();
}

bool BlockingLockTable::releaseIfDue(TxId holder, Clock::time_point now)
{
    const auto it = m_releaseAt.find(holder);
    // A waiting holder's commit is not known yet: its wait moves it.
    if (it == m_releaseAt.end() || it->second > now || m_table.waitingFor(holder) != LockTable::noKey)
        return false;
    const auto when = it->second;
    m_releaseAt.erase(it);
    m_grants.clear();
    m_table.releaseLocks(holder, &m_grants);
    for (const auto &g : m_grants)
        granted(g.tx, when);
    return true;
}

void BlockingLockTable::granted(TxId waiter, Clock::time_point when)
{
    m_grantedAt[waiter] = when;
    // Its wait moved its commit: until its thread wakes up and says when, it keeps its locks.
    m_releaseAt.erase(waiter);
}

void BlockingLockTable::end(TxId tx)
{
    {
        std::lock_guard lock(m_mutex);
        const auto now = Clock::now();
        m_grantedAt.erase(tx);   // its id may come back for another transaction
        m_releaseAt.erase(tx);
        m_grants.clear();
        m_table.end(tx, &m_grants);
        for (const auto &g : m_grants)
            granted(g.tx, now);
    }
    m_changed.notify_all();
}

std::size_t BlockingLockTable::lockedKeyCount() const
{
    std::lock_guard lock(m_mutex);
    return m_table.lockedKeyCount();
}

std::size_t BlockingLockTable::activeTransactions() const
{
    std::lock_guard lock(m_mutex);
    return m_table.activeTransactions();
}

TxId BlockingLockTable::holder(LockKey key) const
{
    std::lock_guard lock(m_mutex);
    return m_table.holder(key);
}

} // namespace lockstep
