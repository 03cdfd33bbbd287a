#include "demoorg/LockService.h"

#include <algorithm>

namespace lockstep::demoorg {

TxnId FifoLockTable::begin()
{
    std::lock_guard lock(m_mutex);
    const TxnId id = m_next++;
    m_held[id];
    return id;
}

bool FifoLockTable::closesCycle(TxnId requester, TxnId holder) const
{
    // Follow "waits for the holder of" edges from the holder; reaching the requester means
    // granting the wait would deadlock. Chains are short (a transaction waits for one key).
    TxnId current = holder;
    for (std::size_t steps = 0; steps <= m_waitingFor.size(); ++steps) {
        if (current == requester)
            return true;
        const auto w = m_waitingFor.find(current);
        if (w == m_waitingFor.end())
            return false;
        const auto k = m_keys.constFind(w->second);
        if (k == m_keys.cend() || k->holder == 0)
            return false;
        current = k->holder;
    }
    return false;
}

LockOutcome FifoLockTable::acquire(TxnId txn, const QString &key, std::chrono::microseconds timeout)
{
    std::unique_lock lock(m_mutex);
    KeyState &state = m_keys[key];
    if (state.holder == 0 || state.holder == txn) {
        if (state.holder == 0) {
            state.holder = txn;
            m_held[txn].push_back(key);
        }
        return {};
    }
    if (closesCycle(txn, state.holder)) {
        ++m_deadlocks;
        return {LockOutcome::Kind::Deadlock, key};
    }
    if (timeout.count() <= 0) {
        ++m_timeouts;
        return {LockOutcome::Kind::Timeout, key};
    }
    Waiter waiter;
    waiter.txn = txn;
    state.queue.push_back(&waiter);
    m_waitingFor[txn] = key;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    waiter.cv.wait_until(lock, deadline, [&] { return waiter.granted; });
    if (waiter.granted)
        return {};
    // Timed out: leave the queue (the key's state may have moved in the hash; look it up again).
    KeyState &now = m_keys[key];
    now.queue.erase(std::remove(now.queue.begin(), now.queue.end(), &waiter), now.queue.end());
    m_waitingFor.erase(txn);
    if (now.holder == 0 && now.queue.empty())
        m_keys.remove(key);
    ++m_timeouts;
    return {LockOutcome::Kind::Timeout, key};
}

void FifoLockTable::releaseAll(TxnId txn)
{
    std::lock_guard lock(m_mutex);
    const auto held = m_held.find(txn);
    if (held == m_held.end())
        return;
    for (const QString &key : held->second) {
        auto it = m_keys.find(key);
        if (it == m_keys.end() || it->holder != txn)
            continue;
        if (it->queue.empty()) {
            m_keys.erase(it);
            continue;
        }
        // Hand the key to the first waiter (FIFO), so nobody barges past the queue.
        Waiter *next = it->queue.front();
        it->queue.pop_front();
        it->holder = next->txn;
        m_held[next->txn].push_back(key);
        m_waitingFor.erase(next->txn);
        next->granted = true;
        next->cv.notify_one();
    }
    m_held.erase(held);
}

LockStats FifoLockTable::stats() const
{
    std::lock_guard lock(m_mutex);
    LockStats s;
    for (const auto &k : m_keys)
        if (k.holder)
            ++s.heldKeys;
    s.waiting = qsizetype(m_waitingFor.size());
    s.transactions = qsizetype(m_held.size());
    s.timeouts = m_timeouts;
    s.deadlocks = m_deadlocks;
    return s;
}

} // namespace lockstep::demoorg
