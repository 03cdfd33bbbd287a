#pragma once

#include "common/Progress.h"
#include "common/StringInterner.h"
#include "demoorg/ApiErrors.h"
#include "demoorg/DemoProfile.h"
#include "demoorg/DuplicateRules.h"
#include "demoorg/RecordStore.h"
#include "locks/Operation.h"
#include "sim/BlockingLockTable.h"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <vector>

namespace lockstep::demoorg {

// One row of a write as an API read it (JSON or CSV already converted to field values).
struct WriteRow {
    QString id;                          // the record's Id (update, delete, upsert on Id)
    QString externalValue;               // upsert: the external id value
    Values values;                       // fields to set; an invalid QVariant sets null
    std::optional<RecordError> error;    // a problem found while reading the row
};

struct WriteBatch {
    const ObjectDef *object = nullptr;
    Operation operation = Operation::Insert;
    QString externalIdField;             // upsert: canonical field name ("Id" allowed)
    bool allOrNone = false;
    bool allowDuplicates = false;        // Sforce-Duplicate-Rule-Header allowSave=true
    std::vector<WriteRow> rows;
};

struct RowOutcome {
    bool success = false;
    QString id;
    bool created = false;
    std::vector<RecordError> errors;
    bool lockFailed() const { return !errors.empty() && errors.front().statusCode == QLatin1String("UNABLE_TO_LOCK_ROW"); }
};

// Where a transaction's server time starts. The chunks of a Bulk batch follow one another on one
// worker, so in the model each starts the moment the previous one committed: whatever the demo
// org does in between (its turn to write, the SQLite write, reading the next chunk and checking
// it) is the next chunk's server time, spent before its first lock — never time on top of the
// model. `next` is that moment (empty: the transaction's own start); transaction() moves it to
// each attempt's end.
struct ServerTimeChain {
    std::optional<BlockingLockTable::Clock::time_point> next;
};

// Runs writes as Salesforce transactions in real (scaled) time. Validation and Id resolution
// happen here; the transaction itself — server time, the rows' lock keys requested late in row
// order, the scaled lock timeout, deadlock refusal, which rows a failure fails, partial-save
// retries — is the shared lock engine's (sim/ TransactionModel + RealTimeRunner + SavePolicy),
// the very code the predictor runs in virtual time. Shared by REST, sObject Collections and
// both Bulk APIs, so every path locks alike.
class WriteEngine {
public:
    WriteEngine(RecordStore &store, BlockingLockTable &locks, DuplicateRules &rules, const DemoProfile &profile, QString userId,
                std::uint64_t seed, CancelToken shutdown);

    // Splits into chunks of the profile's size, each chained to the previous; outcomes in input order.
    std::vector<RowOutcome> write(const WriteBatch &batch);
    // One transaction over rows [begin, end); `chain` (optional) links it to the previous one.
    std::vector<RowOutcome> transaction(const WriteBatch &batch, size_t begin, size_t end, ServerTimeChain *chain = nullptr);

    // Wall seconds the calling thread spent in transaction() since it last asked: what a REST
    // call's handler tells its own handling from its transactions with (SObjectApi::paced).
    static double takeThreadTransactionSeconds();

    // Holds locks on `ids` for `platformSeconds` (scaled), as a long Apex transaction would.
    // Returns the Id that could not be locked, or an empty string.
    QString hold(const QStringList &ids, double platformSeconds);

    int inFlight() const { return m_inFlight.load(); }
    quint64 committedTransactions() const { return m_committed.load(); }
    const DemoProfile &profile() const { return m_profile; }

    static RecordError lockError(const QString &key);

    std::size_t lockedKeys() const { return m_locks.lockedKeyCount(); }
    // Where the real time of transactions went (microseconds, summed over transactions):
    // checks before the script (counting the parents' children too), the script itself, waiting
    // for the commit turn, SQLite writes; `overrun`, the demo org's own work that did not fit in
    // the work before the first lock and so stretched a transaction past the model; `late`, how
    // far transactions that never waited for a lock committed after their schedule (the real
    // clock's own stretch: sleeps that wake late); `walkLate`, how far each lock walk fell behind
    // its schedule at most (a thread short of CPU). And what the lock table did, to set beside the
    // predictor's counts: requests that waited, deadlocks, timeouts.
    struct Timing {
        std::atomic<qint64> prepareUs{0}, childCountUs{0}, scriptUs{0}, commitWaitUs{0}, writeUs{0}, overrunUs{0}, lateUs{0}, walkLateUs{0};
        std::atomic<qint64> waits{0}, deadlocks{0}, timeouts{0};
    };
    const Timing &timing() const { return m_timing; }
    std::size_t openTransactions() const { return m_locks.activeTransactions(); }

private:
    LockKey keyFor(const QString &id);
    QString keyText(LockKey key);

    RecordStore &m_store;
    BlockingLockTable &m_locks;
    DuplicateRules &m_rules;
    const DemoProfile &m_profile;
    QString m_userId;
    std::uint64_t m_seed;
    CancelToken m_shutdown;
    std::mutex m_keyMutex;
    StringInterner m_keys;   // record Id → dense lock key of the engine
    std::atomic<quint64> m_transactions{0};
    // Commit order: a ticket is drawn while the locks are held, the rows are written after
    // they are released, in ticket order (see transaction()).
    Timing m_timing;
    std::atomic<qint64> m_writeEstimateUs{0};   // running mean of a chunk's SQLite write
    std::mutex m_commitMutex;
    std::condition_variable m_commitTurn;
    quint64 m_nextTicket = 0;
    quint64 m_nowServing = 0;
    std::atomic_int m_inFlight{0};
    std::atomic<quint64> m_committed{0};
};

} // namespace lockstep::demoorg
