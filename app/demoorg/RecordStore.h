#pragma once

#include "common/Error.h"
#include "demoorg/ChildCounts.h"
#include "store/Database.h"
#include "demoorg/Schema.h"

#include <QHash>
#include <QSet>
#include <QVariant>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>

namespace lockstep::demoorg {

using Values = QHash<QString, QVariant>;   // canonical field name → value (invalid = null)

// One change to one record, applied with others in a single database transaction.
struct RowWrite {
    enum class Kind { Insert, Update, Delete } kind = Kind::Insert;
    const ObjectDef *object = nullptr;
    QString id;        // 18 characters; allocated by the caller for inserts (newId)
    Values values;     // the fields to set (Insert/Update)
    // A client's write through an API, counted in the write log (seeding, the org's own
    // records and duplicate-rule switches are not).
    bool counted = false;
};

// How many committed writes a record has had through the APIs (the write log).
struct WriteCount {
    QString id;
    QString externalId;   // its External_Id__c, when it has one
    qint64 writes = 0;
    bool deleted = false;
};

// The records of the demo org in SQLite: a table per object, a column per field, Ids always
// 18 characters. It checks nothing about permissions or locks — WriteEngine does — but it
// keeps the data consistent: system fields, roll-up summaries on masters, cascade deletes, and
// how many children each parent has (for the skewed-parent hold of the lock model).
class RecordStore {
public:
    static Result<std::unique_ptr<RecordStore>> open(const QString &databasePath, const Schema &schema);

    const Schema &schema() const { return m_schema; }
    Database &database() { return *m_db; }

    // A fresh, never-used 18-character Id with the object's key prefix.
    QString newId(const ObjectDef &object);

    Result<std::optional<Values>> get(const ObjectDef &object, const QString &id, const QStringList &fields = {});
    // Which of `ids` exist (any object whose prefix they carry).
    Result<QSet<QString>> existing(const ObjectDef &object, const QStringList &ids);
    // value → Id of the records whose `field` equals one of `values` (case-insensitive, like
    // Salesforce's external ids and duplicate matching).
    Result<QHash<QString, QString>> idsByValue(const ObjectDef &object, const QString &field, const QStringList &values);
    // Reads one field of records by Id (the old parent of an updated child, ...).
    Result<QHash<QString, QVariant>> fieldOf(const ObjectDef &object, const QString &field, const QStringList &ids);
    Result<qint64> count(const ObjectDef &object);
    // parent Id → how many records of `child` point at it through the child's locking fields
    // (every Id of `parents` is in the answer, 0 when none does). Cached; see ChildCounts.
    Result<QHash<QString, std::int64_t>> childCounts(const ObjectDef &child, const QStringList &parents);

    // Applies every write in one transaction and moves the roll-ups they touch by what the writes
    // change (insert +, delete −, update old → new): never an aggregate over a parent's children,
    // which on a skewed parent is real time the model does not have.
    Result<void> apply(const std::vector<RowWrite> &writes, const QString &userId);

    // The write log of one object: every record with at least one counted write, deleted ones
    // included. Kept in the record's own row (and, once deleted, in lockstep_deleted), in the
    // transaction of the write itself, so it can never disagree with the records.
    Result<std::vector<WriteCount>> writeCounts(const ObjectDef &object);
    // Starts the object's log afresh (a test that seeds through the API, then loads).
    Result<void> resetWriteCounts(const ObjectDef &object);

    // Raw read access for the query engine (a statement over the tables named after objects).
    Result<std::vector<std::vector<QVariant>>> select(const QString &sql, const std::vector<QVariant> &binds);

    static QString quoted(const QString &identifier) { return QLatin1Char('"') + identifier + QLatin1Char('"'); }

private:
    // What a write of one (child) object changes elsewhere.
    struct Rollup {
        const ObjectDef *parent = nullptr;
        const FieldDef *field = nullptr;   // the roll-up summary on the parent
    };
    struct ChildLinks {
        std::vector<Rollup> rollups;       // summaries of this object's records
        QStringList lockingFields;         // parents whose children it counts
        QStringList fields;                // both the above read: lookups and summed fields
        bool any() const { return !fields.isEmpty(); }
    };
    // (roll-up, parent Id) → how much the writes move it
    using RollupDeltas = std::map<std::pair<const FieldDef *, QString>, std::pair<const ObjectDef *, double>>;

    RecordStore(std::unique_ptr<Database> db, const Schema &schema);
    Result<void> createTables();
    const ChildLinks &linksOf(const ObjectDef &object) const;
    Result<QHash<QString, Values>> storedBefore(Connection &c, const std::vector<RowWrite> &writes) const;
    void noteChanges(const std::vector<RowWrite> &writes, QHash<QString, Values> current, RollupDeltas &rollups,
                     std::vector<ChildCounts::Change> &counts) const;
    static bool sameValue(const FieldDef *field, const QVariant &stored, const QVariant &given);
    Result<void> moveRollups(Connection &c, const RollupDeltas &deltas);
    // Moves the log entries of the records of `object` whose `field` is `value` (about to be
    // deleted) to lockstep_deleted, one more write each when the delete is counted.
    Result<void> logDeletes(Connection &c, const ObjectDef &object, const QString &field, const QString &value, bool counted);

    std::unique_ptr<Database> m_db;
    Schema m_schema;
    QHash<QString, ChildLinks> m_links;   // by object name
    ChildCounts m_children;
    std::mutex m_idMutex;
    QHash<QString, qint64> m_nextId;   // key prefix → next counter
};

} // namespace lockstep::demoorg
