#pragma once

#include <QHash>
#include <QString>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace lockstep::demoorg {

using TxnId = std::uint64_t;

struct LockOutcome {
    enum class Kind { Acquired, Timeout, Deadlock } kind = Kind::Acquired;
    QString key;   // the key that could not be had
    bool ok() const { return kind == Kind::Acquired; }
};

struct LockStats {
    qsizetype heldKeys = 0;
    qsizetype waiting = 0;
    qsizetype transactions = 0;
    quint64 timeouts = 0;
    quint64 deadlocks = 0;
};

// The one seam between the demo org and the lock engine: a transaction takes keys (record
// Ids) one by one, waiting FIFO up to a timeout; a wait that would close a waits-for cycle
// fails at once; everything is released together at commit or rollback. Real threads block
// here (they sleep, they do not spin).
class LockService {
public:
    virtual ~LockService() = default;
    virtual TxnId begin() = 0;
    virtual LockOutcome acquire(TxnId txn, const QString &key, std::chrono::microseconds timeout) = 0;
    virtual void releaseAll(TxnId txn) = 0;
    virtual LockStats stats() const = 0;
};

// The demo org's own lock table, used until app/core/sim's thread-safe LockTable wrapper can
// stand behind LockService (same semantics: lock-model.md §1, calibration.md model step 3).
class FifoLockTable final : public LockService {
public:
    TxnId begin() override;
    LockOutcome acquire(TxnId txn, const QString &key, std::chrono::microseconds timeout) override;
    void releaseAll(TxnId txn) override;
    LockStats stats() const override;

private:
    struct Waiter {
        TxnId txn = 0;
        bool granted = false;
        std::condition_variable cv;
    };
    struct KeyState {
        TxnId holder = 0;
        std::deque<Waiter *> queue;
    };
    bool closesCycle(TxnId requester, TxnId holder) const;

    mutable std::mutex m_mutex;
    TxnId m_next = 1;
    QHash<QString, KeyState> m_keys;
    std::unordered_map<TxnId, std::vector<QString>> m_held;
    std::unordered_map<TxnId, QString> m_waitingFor;
    quint64 m_timeouts = 0;
    quint64 m_deadlocks = 0;
};

} // namespace lockstep::demoorg
