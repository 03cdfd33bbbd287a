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
        if (now >= deadline) {
            m_table.abandonWait(tx);
            return Acquire::Timeout;
        }
        m_changed.wait_until(lock, std::min(deadline, now + kCancelPoll));
    }
}

void BlockingLockTable::end(TxId tx)
{
    {
        std::lock_guard lock(m_mutex);
        const auto now = Clock::now();
        m_grantedAt.erase(tx);   // its id may come back for another transaction
        m_grants.clear();
        m_table.end(tx, &m_grants);
        for (const auto &g : m_grants)
            m_grantedAt[g.tx] = now;
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
