#include "demoorg/RecordStore.h"

#include "demoorg/FieldValue.h"
#include "load/SalesforceId.h"

#include <algorithm>

namespace lockstep::demoorg {

namespace {

constexpr char kBase62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
// Ids the org allocates: prefix + "8d" + a 10-digit base-62 counter. Base-62 digits sort in
// ASCII order, so the largest Id is the largest counter.
constexpr QLatin1StringView kPod("8d");
// The write log's column in every object's table: not a field (describe and SOQL never see it).
const QString kWrites = QStringLiteral("\"lockstep_writes\"");

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

RecordStore::RecordStore(std::unique_ptr<Database> db, const Schema &schema) : m_db(std::move(db)), m_schema(schema)
{
    // Pointers into m_schema, which never changes after this.
    for (const auto &child : m_schema.objects()) {
        ChildLinks links;
        for (const auto &parent : m_schema.objects())
            for (const auto &f : parent.fields)
                if (f.isRollup() && f.rollupChild.compare(child.name, Qt::CaseInsensitive) == 0) {
                    links.rollups.push_back({&parent, &f});
                    for (const QString &name : {f.rollupField, f.rollupSum})
                        if (const FieldDef *own = child.field(name); own && !links.fields.contains(own->name))
                            links.fields << own->name;
                }
        for (const QString &name : child.lockingFields) {
            links.lockingFields << name;
            if (!links.fields.contains(name))
                links.fields << name;
        }
        m_links.insert(child.name, links);
    }
}

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
        if (auto r = c.exec(QStringLiteral("CREATE TABLE IF NOT EXISTS lockstep_deleted(id TEXT PRIMARY KEY, object TEXT NOT NULL, external_id TEXT, "
                                           "writes INTEGER NOT NULL)"));
            !r)
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
            if (!present.contains(QStringLiteral("lockstep_writes")))
                if (auto r = c.exec(QStringLiteral("ALTER TABLE %1 ADD COLUMN %2 INTEGER").arg(quoted(o.name), kWrites)); !r)
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

Result<QHash<QString, std::int64_t>> RecordStore::childCounts(const ObjectDef &child, const QStringList &parents)
{
    QStringList missing;
    std::uint64_t stamp = 0;
    QHash<QString, std::int64_t> counts = m_children.cached(child.name, parents, missing, stamp);
    if (missing.isEmpty())
        return counts;
    QHash<QString, std::int64_t> read;
    for (const QString &p : std::as_const(missing))
        read.insert(p, 0);
    auto done = m_db->read([&](Connection &c) -> Result<void> {
        // One grouped count per locking field (an index on each), 100 parents a statement.
        for (const QString &field : linksOf(child).lockingFields) {
            auto r = selectIn(
                c, missing,
                [&](const QString &in) {
                    return QStringLiteral("SELECT %1, COUNT(*) FROM %2 WHERE %1 IN (%3) GROUP BY %1").arg(quoted(field), quoted(child.name), in);
                },
                [&](auto &st) { read[st.column(0).toString()] += st.column(1).toLongLong(); });
            if (!r)
                return r;
        }
        return {};
    });
    if (!done)
        return std::unexpected(done.error());
    m_children.fill(child.name, read, stamp);
    counts.insert(read);
    return counts;
}

const RecordStore::ChildLinks &RecordStore::linksOf(const ObjectDef &object) const
{
    static const ChildLinks none;
    const auto it = m_links.constFind(object.name);
    return it == m_links.cend() ? none : *it;
}

Result<QHash<QString, Values>> RecordStore::storedBefore(Connection &c, const std::vector<RowWrite> &writes) const
{
    // Per object, one IN query over the records updated or deleted, for the fields the updates
    // set and the links (lookups, summed fields) a write can change.
    struct Wanted {
        QStringList ids;
        QStringList fields;
    };
    std::map<const ObjectDef *, Wanted> wanted;
    for (const RowWrite &w : writes) {
        if (w.kind == RowWrite::Kind::Insert)
            continue;
        Wanted &x = wanted[w.object];
        x.ids << w.id;
        const ChildLinks &links = linksOf(*w.object);
        bool touchesLinks = w.kind == RowWrite::Kind::Delete;
        for (auto it = w.values.cbegin(); it != w.values.cend(); ++it) {
            touchesLinks |= links.fields.contains(it.key());
            if (it.key() != QLatin1String("Id") && w.object->field(it.key()) && !x.fields.contains(it.key()))
                x.fields << it.key();
        }
        if (touchesLinks)
            for (const QString &f : links.fields)
                if (!x.fields.contains(f))
                    x.fields << f;
    }
    QHash<QString, Values> stored;
    for (const auto &[object, x] : wanted) {
        QStringList columns{QStringLiteral("Id")};
        for (const QString &f : x.fields)
            columns << quoted(f);
        auto done = selectIn(
            c, x.ids,
            [&](const QString &in) {
                return QStringLiteral("SELECT %1 FROM %2 WHERE Id IN (%3)").arg(columns.join(QLatin1Char(',')), quoted(object->name), in);
            },
            [&](auto &st) {
                Values v;
                for (int i = 0; i < x.fields.size(); ++i)
                    v.insert(x.fields[i], st.column(i + 1));
                stored.insert(st.column(0).toString(), v);
            });
        if (!done)
            return std::unexpected(done.error());
    }
    return stored;
}

bool RecordStore::sameValue(const FieldDef *field, const QVariant &stored, const QVariant &given)
{
    if (!stored.isValid() || !given.isValid())
        return stored.isValid() == given.isValid();
    if (!field)
        return false;
    if (field->type == FieldType::Boolean)
        return stored.toBool() == given.toBool();
    if (field->isNumeric())
        return stored.toDouble() == given.toDouble();
    return stored.toString() == given.toString();
}

void RecordStore::noteChanges(const std::vector<RowWrite> &writes, QHash<QString, Values> current, RollupDeltas &rollups,
                              std::vector<ChildCounts::Change> &counts) const
{
    QHash<ChildCounts::Key, std::int64_t> countDeltas;
    QSet<ChildCounts::Key> forgotten;
    for (const RowWrite &w : writes) {
        // A deleted record is nobody's parent any more: its counts are read again if asked.
        if (w.kind == RowWrite::Kind::Delete)
            for (const auto &child : w.object->children)
                forgotten.insert({child.childObject, w.id});
        const ChildLinks &links = linksOf(*w.object);
        if (!links.any())
            continue;
        // The record's links before and after this write; writes of one record later in the
        // same call see this one's result (`current` follows the writes in order).
        if (w.kind == RowWrite::Kind::Update &&
            std::none_of(links.fields.cbegin(), links.fields.cend(), [&](const QString &f) { return w.values.contains(f); }))
            continue;   // an update that changes no link
        std::optional<Values> before;
        if (w.kind != RowWrite::Kind::Insert) {
            const auto it = current.constFind(w.id);
            if (it == current.cend())
                continue;   // a record that does not exist
            before = *it;
        }
        std::optional<Values> after;
        if (w.kind != RowWrite::Kind::Delete) {
            Values v = before.value_or(Values{});
            for (const QString &f : links.fields) {
                if (const auto given = w.values.constFind(f); given != w.values.cend())
                    v.insert(f, *given);
                else if (const FieldDef *def = w.object->field(f); !before && def && !def->defaultValue.isEmpty())
                    v.insert(f, def->defaultValue);
            }
            after = std::move(v);
        }
        for (const Rollup &r : links.rollups) {
            auto amount = [&](const Values &v) { return r.field->rollupSum.isEmpty() ? 1.0 : v.value(r.field->rollupSum).toDouble(); };
            auto move = [&](const Values &v, double sign) {
                const QVariant parent = v.value(r.field->rollupField);
                if (!parent.isValid() || parent.toString().isEmpty())
                    return;
                auto &slot = rollups[{r.field, parent.toString()}];
                slot.first = r.parent;
                slot.second += sign * amount(v);
            };
            if (before)
                move(*before, -1);
            if (after)
                move(*after, +1);
        }
        for (const QString &f : links.lockingFields) {
            for (const auto &[v, sign] : {std::pair{&before, -1}, std::pair{&after, +1}}) {
                if (!*v)
                    continue;
                const QString parent = (**v).value(f).toString();
                if (!parent.isEmpty())
                    countDeltas[{w.object->name, parent}] += sign;
            }
        }
        if (after)
            current.insert(w.id, *after);
        else
            current.remove(w.id);
    }
    for (auto it = countDeltas.cbegin(); it != countDeltas.cend(); ++it)
        if (it.value() != 0 && !forgotten.contains(it.key()))
            counts.push_back({it.key(), it.value(), false});
    for (const auto &key : std::as_const(forgotten))
        counts.push_back({key, 0, true});
}

Result<void> RecordStore::moveRollups(Connection &c, const RollupDeltas &deltas)
{
    for (const auto &[target, change] : deltas) {
        const auto &[field, parentId] = target;
        const auto &[parent, delta] = change;
        if (delta == 0)
            continue;
        // A summary that was never computed (NULL: a parent stored before it had the field) is
        // computed once from its children, after this call's writes; every other is moved by the
        // delta. Currency sums round to cents, as Salesforce keeps them, so adding and removing
        // amounts never leaves a float residue.
        const QString aggregate = field->rollupSum.isEmpty() ? QStringLiteral("COUNT(*)") : QStringLiteral("TOTAL(%1)").arg(quoted(field->rollupSum));
        QString value = QStringLiteral("COALESCE(%1+?,(SELECT %2 FROM %3 WHERE %4=?))")
                            .arg(quoted(field->name), aggregate, quoted(field->rollupChild), quoted(field->rollupField));
        if (field->type == FieldType::Currency)
            value = QStringLiteral("ROUND(%1,2)").arg(value);
        auto st = c.prepare(QStringLiteral("UPDATE %1 SET %2=%3 WHERE Id=?").arg(quoted(parent->name), quoted(field->name), value));
        if (!st)
            return std::unexpected(st.error());
        st->bind(1, delta);
        st->bind(2, parentId);
        st->bind(3, parentId);
        if (auto r = st->run(); !r)
            return r;
    }
    return {};
}

Result<void> RecordStore::apply(const std::vector<RowWrite> &writes, const QString &userId)
{
    if (writes.empty())
        return {};
    const QString now = FieldValue::nowTimestamp();
    std::vector<ChildCounts::Change> counts;
    bool countsBegun = false;
    auto done = m_db->write([&](Connection &c) -> Result<void> {
        // What the writes change elsewhere, from the links the records have before them (one
        // IN query per object, inside this transaction).
        auto stored = storedBefore(c, writes);
        if (!stored)
            return std::unexpected(stored.error());
        RollupDeltas rollups;
        noteChanges(writes, *stored, rollups, counts);
        m_children.begin(counts);
        countsBegun = true;

        QHash<QString, qint64> highest;
        for (const RowWrite &w : writes) {
            const ObjectDef &o = *w.object;
            if (w.kind == RowWrite::Kind::Delete) {
                if (auto r = logDeletes(c, o, QStringLiteral("Id"), w.id, w.counted); !r)
                    return r;
                // Cascade-deleted children leave with their master, and so do the master's
                // roll-ups over them (the schema's master-detail children have no other master).
                for (const auto &child : o.children) {
                    if (!child.cascadeDelete)
                        continue;
                    // Their log stays (not a write of theirs: they go with the master).
                    if (const ObjectDef *childObject = m_schema.object(child.childObject))
                        if (auto r = logDeletes(c, *childObject, child.field, w.id, false); !r)
                            return r;
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
                stored->remove(w.id);
                continue;
            }
            // An update sets only what it changes: Data Loader sends every column of a file, and
            // rewriting unchanged indexed values (the lookup, the name) is real work for nothing.
            const auto before = w.kind == RowWrite::Kind::Update ? stored->find(w.id) : stored->end();
            QStringList names;
            std::vector<QVariant> binds;
            for (auto it = w.values.cbegin(); it != w.values.cend(); ++it) {
                if (it.key() == QLatin1String("Id"))
                    continue;
                if (before != stored->end()) {
                    const auto was = before->find(it.key());
                    if (was != before->end() && sameValue(o.field(it.key()), *was, it.value()))
                        continue;
                    before->insert(it.key(), it.value());   // a later write of the record in this call compares with this
                }
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
                if (w.counted) {
                    cols << kWrites;
                    binds.push_back(1);
                }
                auto st = c.prepare(QStringLiteral("INSERT INTO %1(%2) VALUES(%3)").arg(quoted(o.name), cols.join(QLatin1Char(',')), bindMarkers(cols.size())));
                if (!st)
                    return std::unexpected(st.error());
                st->bindAll(binds);
                if (auto r = st->run(); !r)
                    return r;
                if (w.id.mid(3, 2) == kPod)
                    highest[o.keyPrefix] = std::max(highest.value(o.keyPrefix), decodeCounter(QStringView(w.id).mid(5, 10)));
                stored->insert(w.id, w.values);
            } else {
                names << QStringLiteral("LastModifiedDate") << QStringLiteral("SystemModstamp") << QStringLiteral("LastModifiedById");
                binds.push_back(now);
                binds.push_back(now);
                binds.push_back(userId);
                QStringList sets;
                for (const auto &n : names)
                    sets << quoted(n) + QStringLiteral("=?");
                if (w.counted)
                    sets << kWrites + QStringLiteral("=COALESCE(") + kWrites + QStringLiteral(",0)+1");
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
        return moveRollups(c, rollups);
    });
    if (countsBegun)
        m_children.end(counts, done.has_value());
    return done;
}

Result<void> RecordStore::logDeletes(Connection &c, const ObjectDef &object, const QString &field, const QString &value, bool counted)
{
    // Only records that have a log entry, or get one now, are kept: a cascade over never-written
    // children writes nothing.
    const QString external = object.field(QStringLiteral("External_Id__c")) ? QStringLiteral("\"External_Id__c\"") : QStringLiteral("NULL");
    auto st = c.prepare(QStringLiteral("INSERT OR REPLACE INTO lockstep_deleted(id,object,external_id,writes) SELECT Id,?,%1,COALESCE(%2,0)+%3 FROM %4 "
                                       "WHERE %5=? AND (%3=1 OR %2>0)")
                            .arg(external, kWrites, counted ? QStringLiteral("1") : QStringLiteral("0"), quoted(object.name), quoted(field)));
    if (!st)
        return std::unexpected(st.error());
    st->bind(1, object.name);
    st->bind(2, value);
    return st->run();
}

Result<std::vector<WriteCount>> RecordStore::writeCounts(const ObjectDef &object)
{
    const QString external = object.field(QStringLiteral("External_Id__c")) ? QStringLiteral("\"External_Id__c\"") : QStringLiteral("NULL");
    auto rows = select(QStringLiteral("SELECT Id,%1,%2,0 FROM %3 WHERE %2>0 UNION ALL SELECT id,external_id,writes,1 FROM lockstep_deleted WHERE object=? "
                                      "ORDER BY 1")
                           .arg(external, kWrites, quoted(object.name)),
                       {object.name});
    if (!rows)
        return std::unexpected(rows.error());
    std::vector<WriteCount> out;
    out.reserve(rows->size());
    for (const auto &r : *rows)
        out.push_back({r[0].toString(), r[1].toString(), r[2].toLongLong(), r[3].toInt() != 0});
    return out;
}

Result<void> RecordStore::resetWriteCounts(const ObjectDef &object)
{
    return m_db->write([&](Connection &c) -> Result<void> {
        if (auto r = c.exec(QStringLiteral("UPDATE %1 SET %2=NULL WHERE %2 IS NOT NULL").arg(quoted(object.name), kWrites)); !r)
            return r;
        auto st = c.prepare(QStringLiteral("DELETE FROM lockstep_deleted WHERE object=?"));
        if (!st)
            return std::unexpected(st.error());
        st->bind(1, object.name);
        return st->run();
    });
}

} // namespace lockstep::demoorg
