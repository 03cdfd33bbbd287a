#include "sim/LockTable.h"

namespace lockstep {

TxId LockTable::begin()
{
    TxId tx;
    if (!m_free.empty()) {
        tx = m_free.back();
        m_free.pop_back();
    } else {
        tx = TxId(m_txs.size());
        m_txs.emplace_back();
    }
    TxState &t = m_txs[tx];
    t.active = true;
    t.waiting = noKey;
    t.prev = t.next = noTx;
    t.held.clear();
    ++m_active;
    return tx;
}

void LockTable::reserveKeys(std::size_t keyCount)
{
    if (keyCount > m_keys.size())
        m_keys.resize(keyCount);
}

LockTable::KeyState &LockTable::keyState(LockKey key)
{
    if (key >= m_keys.size())
        m_keys.resize(std::size_t(key) + 1 + m_keys.size() / 2);
    return m_keys[key];
}

bool LockTable::wouldDeadlock(TxId tx, LockKey key) const
{
    // Follow "waits for the holder of" edges from the key's holder. Each transaction waits for
    // at most one key and each key has one holder, so the walk is a path; it closes a cycle
    // exactly when it comes back to the requester. FIFO order does not add edges that matter:
    // a waiter queued behind another waits, transitively, for the same holder.
    TxId h = m_keys[key].holder;
    for (std::size_t steps = 0; h != noTx && steps <= m_txs.size(); ++steps) {
        if (h == tx)
            return true;
        const LockKey next = m_txs[h].waiting;
        if (next == noKey)
            return false;
        h = m_keys[next].holder;
    }
    return false;
}

LockTable::Request LockTable::request(TxId tx, LockKey key)
{
    TxState &t = m_txs[tx];
    KeyState &k = keyState(key);
    if (k.holder == tx)
        return Request::Granted;
    if (k.holder == noTx) {
        k.holder = tx;
        t.held.push_back(key);
        ++m_locked;
        return Request::Granted;
    }
    if (wouldDeadlock(tx, key))
        return Request::Deadlock;
    t.waiting = key;
    t.next = noTx;
    t.prev = k.tail;
    if (k.tail != noTx)
        m_txs[k.tail].next = tx;
    else
        k.head = tx;
    k.tail = tx;
    return Request::Queued;
}

void LockTable::unlinkWaiter(TxId tx)
{
    TxState &t = m_txs[tx];
    KeyState &k = m_keys[t.waiting];
    if (t.prev != noTx)
        m_txs[t.prev].next = t.next;
    else
        k.head = t.next;
    if (t.next != noTx)
        m_txs[t.next].prev = t.prev;
    else
        k.tail = t.prev;
    t.prev = t.next = noTx;
    t.waiting = noKey;
}

void LockTable::abandonWait(TxId tx)
{
    if (tx < m_txs.size() && m_txs[tx].waiting != noKey)
        unlinkWaiter(tx);
}

void LockTable::end(TxId tx, std::vector<Grant> *granted)
{
    TxState &t = m_txs[tx];
    if (!t.active)
        return;
    releaseLocks(tx, granted);
    t.active = false;
    --m_active;
    m_free.push_back(tx);
}

void LockTable::releaseLocks(TxId tx, std::vector<Grant> *granted)
{
    TxState &t = m_txs[tx];
    if (!t.active)
        return;
    abandonWait(tx);
    for (const LockKey key : t.held) {
        KeyState &k = m_keys[key];
        const TxId next = k.head;
        if (next == noTx) {
            k.holder = noTx;
            --m_locked;
            continue;
        }
        unlinkWaiter(next);
        k.holder = next;
        m_txs[next].held.push_back(key);
        if (granted)
            granted->push_back({next, key});
    }
    t.held.clear();
}

std::size_t LockTable::waiterCount(LockKey key) const
{
    if (key >= m_keys.size())
        return 0;
    std::size_t n = 0;
    for (TxId w = m_keys[key].head; w != noTx; w = m_txs[w].next)
        ++n;
    return n;
}

} // namespace lockstep
