#pragma once

#include "common/Error.h"
#include "demoorg/Database.h"
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
};

// The records of the demo org in SQLite: a table per object, a column per field, Ids always
// 18 characters. It checks nothing about permissions or locks — WriteEngine does — but it
// keeps the data consistent: system fields, roll-up summaries on masters, cascade deletes.
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

    // Applies every write in one transaction and recomputes the roll-ups they touch.
    Result<void> apply(const std::vector<RowWrite> &writes, const QString &userId);

    // Raw read access for the query engine (a statement over the tables named after objects).
    Result<std::vector<std::vector<QVariant>>> select(const QString &sql, const std::vector<QVariant> &binds);

    static QString quoted(const QString &identifier) { return QLatin1Char('"') + identifier + QLatin1Char('"'); }

private:
    RecordStore(std::unique_ptr<Database> db, const Schema &schema) : m_db(std::move(db)), m_schema(schema) {}
    Result<void> createTables();
    Result<void> recomputeRollups(Connection &c, const std::map<const ObjectDef *, QSet<QString>> &touchedParents);

    std::unique_ptr<Database> m_db;
    Schema m_schema;
    std::mutex m_idMutex;
    QHash<QString, qint64> m_nextId;   // key prefix → next counter
};

} // namespace lockstep::demoorg
