#include "demoorg/RecordStore.h"

#include "demoorg/FieldValue.h"
#include "load/SalesforceId.h"

namespace lockstep::demoorg {

namespace {

constexpr char kBase62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
// Ids the org allocates: prefix + "8d" + a 10-digit base-62 counter. Base-62 digits sort in
// ASCII order, so the largest Id is the largest counter.
constexpr QLatin1StringView kPod("8d");

QString sqlType(FieldType type)
{
    switch (type) {
    case FieldType::Double:
    case FieldType::Currency: return QStringLiteral("REAL");
    case FieldType::Int:
    case FieldType::Boolean: return QStringLiteral("INTEGER");
    default: return QStringLiteral("TEXT");
    }
}

QString bindMarkers(qsizetype n)
{
    QString s;
    for (qsizetype i = 0; i < n; ++i)
        s += i ? QStringLiteral(",?") : QStringLiteral("?");
    return s;
}

// Runs a SELECT whose WHERE ends in "IN (…)" over `values`, 100 at a time (SQLite's bound-
// parameter limit is far away, but statements stay small), calling onRow for every row.
// `sqlFor(bindMarkers)` builds the statement for one chunk.
template <class SqlFor, class OnRow>
Result<void> selectIn(Connection &c, const QStringList &values, SqlFor &&sqlFor, OnRow &&onRow)
{
    for (qsizetype i = 0; i < values.size(); i += 100) {
        const QStringList part = values.mid(i, 100);
        auto st = c.prepare(sqlFor(bindMarkers(part.size())));
        if (!st)
            return std::unexpected(st.error());
        for (int k = 0; k < part.size(); ++k)
            st->bind(k + 1, part[k]);
        for (;;) {
            auto row = st->step();
            if (!row)
                return std::unexpected(row.error());
            if (!*row)
                break;
            onRow(*st);
        }
    }
    return {};
}

qint64 decodeCounter(QStringView digits)
{
    qint64 v = 0;
    for (QChar c : digits) {
        const char *p = std::strchr(kBase62, c.toLatin1());
        if (!p || !*p)
            return -1;
        v = v * 62 + (p - kBase62);
    }
    return v;
}

} // namespace

Result<std::unique_ptr<RecordStore>> RecordStore::open(const QString &databasePath, const Schema &schema)
{
    auto db = Database::open(databasePath);
    if (!db)
        return std::unexpected(db.error());
    std::unique_ptr<RecordStore> store(new RecordStore(std::move(*db), schema));
    if (auto r = store->createTables(); !r)
        return std::unexpected(r.error());
    return store;
}

Result<void> RecordStore::createTables()
{
    return m_db->write([&](Connection &c) -> Result<void> {
        if (auto r = c.exec(QStringLiteral("CREATE TABLE IF NOT EXISTS id_counters(prefix TEXT PRIMARY KEY, next INTEGER NOT NULL)")); !r)
            return r;
        for (const auto &o : m_schema.objects()) {
            QStringList columns;
            for (const auto &f : o.fields)
                columns << quoted(f.name) + QLatin1Char(' ') + sqlType(f.type) + (f.name == QLatin1String("Id") ? QStringLiteral(" PRIMARY KEY") : QString());
            if (auto r = c.exec(QStringLiteral("CREATE TABLE IF NOT EXISTS %1(%2)").arg(quoted(o.name), columns.join(QLatin1Char(',')))); !r)
                return r;
            // A profile may add fields to an existing database: add the missing columns.
            QSet<QString> present;
            auto info = c.prepare(QStringLiteral("SELECT name FROM pragma_table_info(%1)").arg(QLatin1Char('\'') + o.name + QLatin1Char('\'')));
            if (!info)
                return std::unexpected(info.error());
            for (;;) {
                auto row = info->step();
                if (!row)
                    return std::unexpected(row.error());
                if (!*row)
                    break;
                present.insert(info->column(0).toString().toLower());
            }
            for (const auto &f : o.fields)
                if (!present.contains(f.name.toLower()))
                    if (auto r = c.exec(QStringLiteral("ALTER TABLE %1 ADD COLUMN %2 %3").arg(quoted(o.name), quoted(f.name), sqlType(f.type))); !r)
                        return r;
            for (const auto &f : o.fields) {
                if (f.type == FieldType::Reference && !f.system) {
                    if (auto r = c.exec(QStringLiteral("CREATE INDEX IF NOT EXISTS %1 ON %2(%3)")
                                            .arg(quoted(o.name + QLatin1Char('_') + f.name), quoted(o.name), quoted(f.name)));
                        !r)
                        return r;
                }
                if (f.externalId || f.name == QLatin1String("Name") || f.name == QLatin1String("Email"))
                    if (auto r = c.exec(QStringLiteral("CREATE INDEX IF NOT EXISTS %1 ON %2(%3 COLLATE NOCASE)")
                                            .arg(quoted(o.name + QLatin1Char('_') + f.name), quoted(o.name), quoted(f.name)));
                        !r)
                        return r;
            }
            // The next counter: the stored one, or past the largest Id of this pod.
            qint64 next = 1;
            auto stored = c.prepare(QStringLiteral("SELECT next FROM id_counters WHERE prefix=?"));
            stored->bind(1, o.keyPrefix);
            if (auto row = stored->step(); row && *row)
                next = std::max(next, stored->column(0).toLongLong());
            auto maxId = c.prepare(QStringLiteral("SELECT MAX(Id) FROM %1 WHERE Id LIKE ?").arg(quoted(o.name)));
            maxId->bind(1, o.keyPrefix + kPod + QLatin1Char('%'));
            if (auto row = maxId->step(); row && *row && maxId->column(0).isValid())
                next = std::max(next, decodeCounter(QStringView(maxId->column(0).toString()).mid(5, 10)) + 1);
            m_nextId.insert(o.keyPrefix, next);
        }
        return {};
    });
}

QString RecordStore::newId(const ObjectDef &object)
{
    qint64 n;
    {
        std::lock_guard lock(m_idMutex);
        n = m_nextId.value(object.keyPrefix, 1);
        m_nextId.insert(object.keyPrefix, n + 1);
    }
    char digits[10];
    for (int i = 9; i >= 0; --i) {
        digits[i] = kBase62[n % 62];
        n /= 62;
    }
    const QString id15 = object.keyPrefix + kPod + QString::fromLatin1(digits, 10);
    return SalesforceId::to18(id15.toStdString());
}

Result<std::optional<Values>> RecordStore::get(const ObjectDef &object, const QString &id, const QStringList &fields)
{
    QStringList names = fields;
    if (names.isEmpty())
        for (const auto &f : object.fields)
            names << f.name;
    QStringList cols;
    for (const auto &n : names)
        cols << quoted(n);
    return m_db->read([&](Connection &c) -> Result<std::optional<Values>> {
        auto st = c.prepare(QStringLiteral("SELECT %1 FROM %2 WHERE Id=?").arg(cols.join(QLatin1Char(',')), quoted(object.name)));
        if (!st)
            return std::unexpected(st.error());
        st->bind(1, id);
        auto row = st->step();
        if (!row)
            return std::unexpected(row.error());
        if (!*row)
            return std::optional<Values>();
        Values v;
        for (int i = 0; i < names.size(); ++i)
            v.insert(names[i], st->column(i));
        return std::optional<Values>(std::move(v));
    });
}

Result<QSet<QString>> RecordStore::existing(const ObjectDef &object, const QStringList &ids)
{
    return m_db->read([&](Connection &c) -> Result<QSet<QString>> {
        QSet<QString> found;
        auto done = selectIn(
            c, ids,
            [&](const QString &in) { return QStringLiteral("SELECT Id FROM %1 WHERE Id IN (%2)").arg(quoted(object.name), in); },
            [&](auto &st) { found.insert(st.column(0).toString()); });
        if (!done)
            return std::unexpected(done.error());
        return found;
    });
}

Result<QHash<QString, QString>> RecordStore::idsByValue(const ObjectDef &object, const QString &field, const QStringList &values)
{
    return m_db->read([&](Connection &c) -> Result<QHash<QString, QString>> {
        QHash<QString, QString> found;
        auto done = selectIn(
            c, values,
            [&](const QString &in) {
                return QStringLiteral("SELECT %1, Id FROM %2 WHERE %1 COLLATE NOCASE IN (%3)").arg(quoted(field), quoted(object.name), in);
            },
            [&](auto &st) { found.insert(st.column(0).toString().toLower(), st.column(1).toString()); });
        if (!done)
            return std::unexpected(done.error());
        return found;
    });
}

Result<QHash<QString, QVariant>> RecordStore::fieldOf(const ObjectDef &object, const QString &field, const QStringList &ids)
{
    return m_db->read([&](Connection &c) -> Result<QHash<QString, QVariant>> {
        QHash<QString, QVariant> found;
        auto done = selectIn(
            c, ids,
            [&](const QString &in) {
                return QStringLiteral("SELECT Id, %1 FROM %2 WHERE Id IN (%3)").arg(quoted(field), quoted(object.name), in);
            },
            [&](auto &st) { found.insert(st.column(0).toString(), st.column(1)); });
        if (!done)
            return std::unexpected(done.error());
        return found;
    });
}

Result<qint64> RecordStore::count(const ObjectDef &object)
{
    auto rows = select(QStringLiteral("SELECT COUNT(*) FROM %1").arg(quoted(object.name)), {});
    if (!rows)
        return std::unexpected(rows.error());
    return rows->front().front().toLongLong();
}

Result<std::vector<std::vector<QVariant>>> RecordStore::select(const QString &sql, const std::vector<QVariant> &binds)
{
    return m_db->read([&](Connection &c) -> Result<std::vector<std::vector<QVariant>>> {
        auto st = c.prepareOnce(sql);
        if (!st)
            return std::unexpected(st.error());
        st->bindAll(binds);
        std::vector<std::vector<QVariant>> rows;
        const int n = st->columnCount();
        for (;;) {
            auto row = st->step();
            if (!row)
                return std::unexpected(row.error());
            if (!*row)
                break;
            std::vector<QVariant> r;
            r.resize(size_t(n));
            for (int i = 0; i < n; ++i)
                r[size_t(i)] = st->column(i);
            rows.push_back(std::move(r));
        }
        return rows;
    });
}

Result<void> RecordStore::apply(const std::vector<RowWrite> &writes, const QString &userId)
{
    if (writes.empty())
        return {};
    const QString now = FieldValue::nowTimestamp();
    // Roll-ups that a write of each child object can change: (parent object, its rollup field).
    std::map<const ObjectDef *, QSet<QString>> touched;
    auto noteParents = [&](Connection &c, const RowWrite &w) -> Result<void> {
        for (const auto &parent : m_schema.objects())
            for (const auto &f : parent.fields) {
                if (!f.isRollup() || f.rollupChild.compare(w.object->name, Qt::CaseInsensitive) != 0)
                    continue;
                // An update that touches neither the relationship nor the summed field leaves
                // the roll-up as it was: skip the work (it runs once per row of every chunk).
                if (w.kind == RowWrite::Kind::Update && !w.values.contains(f.rollupField) && (f.rollupSum.isEmpty() || !w.values.contains(f.rollupSum)))
                    continue;
                if (w.kind != RowWrite::Kind::Insert) {
                    auto st = c.prepare(QStringLiteral("SELECT %1 FROM %2 WHERE Id=?").arg(quoted(f.rollupField), quoted(w.object->name)));
                    if (!st)
                        return std::unexpected(st.error());
                    st->bind(1, w.id);
                    if (auto row = st->step(); row && *row && st->column(0).isValid())
                        touched[&parent].insert(st->column(0).toString());
                }
                if (const auto it = w.values.find(f.rollupField); it != w.values.end() && it->isValid())
                    touched[&parent].insert(it->toString());
            }
        return {};
    };

    return m_db->write([&](Connection &c) -> Result<void> {
        QHash<QString, qint64> highest;
        for (const RowWrite &w : writes) {
            const ObjectDef &o = *w.object;
            if (auto r = noteParents(c, w); !r)
                return r;
            if (w.kind == RowWrite::Kind::Delete) {
                for (const auto &child : o.children) {
                    if (!child.cascadeDelete)
                        continue;
                    auto st = c.prepare(QStringLiteral("DELETE FROM %1 WHERE %2=?").arg(quoted(child.childObject), quoted(child.field)));
                    if (!st)
                        return std::unexpected(st.error());
                    st->bind(1, w.id);
                    if (auto r = st->run(); !r)
                        return r;
                }
                auto st = c.prepare(QStringLiteral("DELETE FROM %1 WHERE Id=?").arg(quoted(o.name)));
                if (!st)
                    return std::unexpected(st.error());
                st->bind(1, w.id);
                if (auto r = st->run(); !r)
                    return r;
                continue;
            }
            QStringList names;
            std::vector<QVariant> binds;
            for (auto it = w.values.cbegin(); it != w.values.cend(); ++it) {
                if (it.key() == QLatin1String("Id"))
                    continue;
                names << it.key();
                binds.push_back(it.value());
            }
            if (w.kind == RowWrite::Kind::Insert) {
                auto add = [&](const QString &name, const QVariant &value) {
                    if (o.field(name) && !names.contains(name)) {
                        names << name;
                        binds.push_back(value);
                    }
                };
                add(QStringLiteral("CreatedDate"), now);
                add(QStringLiteral("LastModifiedDate"), now);
                add(QStringLiteral("SystemModstamp"), now);
                add(QStringLiteral("CreatedById"), userId);
                add(QStringLiteral("LastModifiedById"), userId);
                add(QStringLiteral("IsDeleted"), false);
                add(QStringLiteral("OwnerId"), userId);
                for (const auto &f : o.fields)
                    if (!f.defaultValue.isEmpty())
                        add(f.name, f.defaultValue);
                names.prepend(QStringLiteral("Id"));
                binds.insert(binds.begin(), w.id);
                QStringList cols;
                for (const auto &n : names)
                    cols << quoted(n);
                auto st = c.prepare(QStringLiteral("INSERT INTO %1(%2) VALUES(%3)").arg(quoted(o.name), cols.join(QLatin1Char(',')), bindMarkers(names.size())));
                if (!st)
                    return std::unexpected(st.error());
                st->bindAll(binds);
                if (auto r = st->run(); !r)
                    return r;
                if (w.id.mid(3, 2) == kPod)
                    highest[o.keyPrefix] = std::max(highest.value(o.keyPrefix), decodeCounter(QStringView(w.id).mid(5, 10)));
            } else {
                names << QStringLiteral("LastModifiedDate") << QStringLiteral("SystemModstamp") << QStringLiteral("LastModifiedById");
                binds.push_back(now);
                binds.push_back(now);
                binds.push_back(userId);
                QStringList sets;
                for (const auto &n : names)
                    sets << quoted(n) + QStringLiteral("=?");
                auto st = c.prepare(QStringLiteral("UPDATE %1 SET %2 WHERE Id=?").arg(quoted(o.name), sets.join(QLatin1Char(','))));
                if (!st)
                    return std::unexpected(st.error());
                binds.push_back(w.id);
                st->bindAll(binds);
                if (auto r = st->run(); !r)
                    return r;
            }
        }
        for (auto it = highest.cbegin(); it != highest.cend(); ++it) {
            auto st = c.prepare(QStringLiteral("INSERT INTO id_counters(prefix,next) VALUES(?,?) ON CONFLICT(prefix) DO UPDATE SET next=MAX(next,excluded.next)"));
            if (!st)
                return std::unexpected(st.error());
            st->bind(1, it.key());
            st->bind(2, it.value() + 1);
            if (auto r = st->run(); !r)
                return r;
        }
        return recomputeRollups(c, touched);
    });
}

Result<void> RecordStore::recomputeRollups(Connection &c, const std::map<const ObjectDef *, QSet<QString>> &touchedParents)
{
    for (const auto &[parent, ids] : touchedParents) {
        for (const auto &f : parent->fields) {
            if (!f.isRollup())
                continue;
            const QString aggregate = f.rollupSum.isEmpty() ? QStringLiteral("COUNT(*)") : QStringLiteral("TOTAL(%1)").arg(quoted(f.rollupSum));
            auto st = c.prepare(QStringLiteral("UPDATE %1 SET %2=(SELECT %3 FROM %4 WHERE %5=?) WHERE Id=?")
                                    .arg(quoted(parent->name), quoted(f.name), aggregate, quoted(f.rollupChild), quoted(f.rollupField)));
            if (!st)
                return std::unexpected(st.error());
            for (const QString &id : ids) {
                st->bind(1, id);
                st->bind(2, id);
                if (auto r = st->run(); !r)
                    return r;
            }
        }
    }
    return {};
}

} // namespace lockstep::demoorg
