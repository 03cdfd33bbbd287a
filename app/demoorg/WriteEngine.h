#pragma once

#include "common/Random.h"
#include "demoorg/ApiErrors.h"
#include "demoorg/DemoProfile.h"
#include "demoorg/DuplicateRules.h"
#include "demoorg/LockService.h"
#include "demoorg/RecordStore.h"
#include "locks/Operation.h"

#include <atomic>
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

// Runs writes as Salesforce transactions, in real (scaled) time: validation, then the row's own
// locks, server time, the parents' locks late in row order (the roll-up step), commit, release
// (calibration.md's fitted model). A lock that cannot be had within the scaled timeout, or a
// wait that would deadlock, fails the whole chunk with UNABLE_TO_LOCK_ROW. Shared by REST,
// sObject Collections and both Bulk APIs, so every path locks alike.
class WriteEngine {
public:
    WriteEngine(RecordStore &store, LockService &locks, DuplicateRules &rules, const DemoProfile &profile, QString userId, std::uint64_t seed);

    // Splits into chunks of the profile's size; outcomes in input order.
    std::vector<RowOutcome> write(const WriteBatch &batch);
    // One transaction over rows [begin, end).
    std::vector<RowOutcome> transaction(const WriteBatch &batch, size_t begin, size_t end);

    // Holds locks on `ids` for `platformMs` (scaled), as a long Apex transaction would.
    LockOutcome hold(const QStringList &ids, double platformMs);

    int inFlight() const { return m_inFlight.load(); }
    quint64 committedTransactions() const { return m_committed.load(); }
    const DemoProfile &profile() const { return m_profile; }

    static RecordError lockError(const QString &key);

private:
    double transactionMs(size_t rows);
    void sleepMs(double ms) const;
    std::chrono::microseconds lockTimeout() const;

    RecordStore &m_store;
    LockService &m_locks;
    DuplicateRules &m_rules;
    const DemoProfile &m_profile;
    QString m_userId;
    std::mutex m_randomMutex;
    Random m_random;
    std::atomic_int m_inFlight{0};
    std::atomic<quint64> m_committed{0};
};

} // namespace lockstep::demoorg
