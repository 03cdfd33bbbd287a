#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace lockstep {

using LockKey = std::uint32_t;   // a lock-key id (LockKeys), or any dense id the caller interns
using TxId = std::uint32_t;      // a transaction, from LockTable::begin()

// Exclusive row locks as a pure state machine: no clock, no threads. The predictor drives it
// from a discrete-event loop in virtual time; BlockingLockTable wraps it for real threads.
//
// Semantics (lock-model.md §1, calibration.md rule 3):
// - a transaction holds every lock it was granted until end() (commit or rollback);
// - a request for a key held by another transaction queues, first come first served;
// - a request whose wait would close a waits-for cycle is refused at once (Deadlock) and is
//   not queued; the caller rolls the transaction back with end();
// - timeouts are the caller's: when its clock says the wait is over, it calls abandonWait().
// A transaction waits for at most one key at a time; re-requesting a held key is granted.
class LockTable {
public:
    static constexpr TxId noTx = 0xFFFFFFFFu;
    static constexpr LockKey noKey = 0xFFFFFFFFu;

    enum class Request { Granted, Queued, Deadlock };
    struct Grant {
        TxId tx;
        LockKey key;
    };

    // A new transaction id (ids of ended transactions are reused).
    TxId begin();
    Request request(TxId tx, LockKey key);
    // Leaves the wait queue (timeout, cancel); the transaction keeps the locks it holds.
    void abandonWait(TxId tx);
    // Commit or rollback: abandons any wait, releases every lock and hands each key to its
    // next waiter. Appends those grants, in release order, to `granted` when given.
    void end(TxId tx, std::vector<Grant> *granted = nullptr);
    // Releases every lock of `tx` as end() does, but the transaction stays active (holding
    // nothing) until end(): its id is not reused while its thread may still name it.
    void releaseLocks(TxId tx, std::vector<Grant> *granted = nullptr);

    TxId holder(LockKey key) const { return key < m_keys.size() ? m_keys[key].holder : noTx; }
    LockKey waitingFor(TxId tx) const { return tx < m_txs.size() ? m_txs[tx].waiting : noKey; }
    bool holds(TxId tx, LockKey key) const { return holder(key) == tx && tx != noTx; }
    const std::vector<LockKey> &heldBy(TxId tx) const { return m_txs[tx].held; }
    std::size_t waiterCount(LockKey key) const;
    std::size_t lockedKeyCount() const { return m_locked; }
    std::size_t activeTransactions() const { return m_active; }

    // Sizes the key table up front (optional; it grows on demand).
    void reserveKeys(std::size_t keyCount);

private:
    struct KeyState {
        TxId holder = noTx;
        TxId head = noTx;   // FIFO of waiters, linked through TxState::next/prev
        TxId tail = noTx;
    };
    struct TxState {
        LockKey waiting = noKey;
        TxId prev = noTx;
        TxId next = noTx;
        bool active = false;
        std::vector<LockKey> held;
    };

    KeyState &keyState(LockKey key);
    bool wouldDeadlock(TxId tx, LockKey key) const;
    void unlinkWaiter(TxId tx);

    std::vector<KeyState> m_keys;
    std::vector<TxState> m_txs;
    std::vector<TxId> m_free;
    std::size_t m_locked = 0;
    std::size_t m_active = 0;
};

} // namespace lockstep
