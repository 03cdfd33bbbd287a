#include "demoorg/QueryEngine.h"

#include "demoorg/ApiErrors.h"
#include "demoorg/FieldValue.h"

#include <QDate>
#include <QTimeZone>

#include <algorithm>

namespace lockstep::demoorg {

namespace {

QueryError framed(const QString &code, const QString &soql, int column, const QString &message)
{
    // Salesforce echoes the query, points at the column and names the row and column.
    const QString pointer = QString(std::max(0, column - 1), QLatin1Char(' ')) + QLatin1Char('^');
    return QueryError{400, code, QStringLiteral("\n%1\n%2\nERROR at Row:1:Column:%3\n%4").arg(soql, pointer).arg(column).arg(message)};
}

QString sqlCompare(const QString &op)
{
    return op == QLatin1String("!=") ? QStringLiteral("IS NOT") : op == QLatin1String("=") ? QStringLiteral("IS") : op;
}

QString alias(int join)
{
    return QStringLiteral("t%1").arg(join);
}

// A field of a (joined) object as SQL, and what it is.
struct Resolved {
    QString sql;                 // t1."Name"
    const FieldDef *field = nullptr;
    QStringList path;            // canonical names
    std::vector<int> joins;      // the join of each relationship on the path
};

// Builds the LEFT JOINs a query's relationship paths need, one per distinct path prefix.
class PathResolver {
public:
    PathResolver(const Schema &schema, CompiledQuery &query, const QString &soql) : m_schema(schema), m_q(query), m_soql(soql) {}

    std::expected<Resolved, QueryError> resolve(const QString &written, int column)
    {
        const QStringList segments = written.split(QLatin1Char('.'));
        Resolved r;
        int join = 0;
        for (qsizetype i = 0; i + 1 < segments.size(); ++i) {
            const ObjectDef &at = *m_q.joins[size_t(join)].object;
            const FieldDef *lookup = nullptr;
            for (const auto &f : at.fields)
                if (f.type == FieldType::Reference && f.referenceTo.size() == 1 &&
                    f.relationshipName.compare(segments[i], Qt::CaseInsensitive) == 0)
                    lookup = &f;
            const ObjectDef *target = lookup ? m_schema.object(lookup->referenceTo.front()) : nullptr;
            if (!target)
                return std::unexpected(framed(QStringLiteral("INVALID_FIELD"), m_soql, column,
                                              QStringLiteral("Didn't understand relationship '%1' in field path. If you are attempting to use a custom "
                                                             "relationship, be sure to append the '__r' after the custom relationship name. Please "
                                                             "reference your WSDL or the describe call for the appropriate names.")
                                                  .arg(segments[i])));
            r.path << lookup->relationshipName;
            join = joinFor(join, *lookup, *target);
            r.joins.push_back(join);
        }
        const ObjectDef &owner = *m_q.joins[size_t(join)].object;
        r.field = owner.field(segments.back());
        if (!r.field)
            return std::unexpected(framed(QStringLiteral("INVALID_FIELD"), m_soql, column,
                                          QStringLiteral("No such column '%1' on entity '%2'. If you are attempting to use a custom field, be sure to append the '__c' "
                                                         "after the custom field name. Please reference your WSDL or the describe call for the appropriate names.")
                                              .arg(segments.back(), owner.name)));
        r.path << r.field->name;
        r.sql = alias(join) + QLatin1Char('.') + RecordStore::quoted(r.field->name);
        return r;
    }

    QString fromClause() const
    {
        QString from = RecordStore::quoted(m_q.object->name) + QLatin1Char(' ') + alias(0);
        for (const auto &j : m_joinSql)
            from += j;
        return from;
    }

private:
    int joinFor(int parent, const FieldDef &lookup, const ObjectDef &target)
    {
        const auto key = std::pair{parent, lookup.name};
        if (const auto it = m_known.find(key); it != m_known.end())
            return it->second;
        const int join = int(m_q.joins.size());
        m_q.joins.push_back({&target, -1});
        m_joinSql.push_back(QStringLiteral(" LEFT JOIN %1 %2 ON %2.\"Id\"=%3.%4")
                                .arg(RecordStore::quoted(target.name), alias(join), alias(parent), RecordStore::quoted(lookup.name)));
        m_known.emplace(key, join);
        return join;
    }

    const Schema &m_schema;
    CompiledQuery &m_q;
    const QString &m_soql;
    std::map<std::pair<int, QString>, int> m_known;
    QStringList m_joinSql;
};

QString formatDate(const FieldDef &field, const QVariant &value, DateStyle dates)
{
    const QString text = value.toString();
    if (field.type == FieldType::DateTime && dates == DateStyle::BulkCsv && text.endsWith(QLatin1String("+0000")))
        return text.chopped(5) + QLatin1Char('Z');
    return text;
}

QJsonValue jsonValue(const FieldDef &field, const QVariant &value, DateStyle dates)
{
    if (!value.isValid() || value.isNull())
        return QJsonValue::Null;
    if (dates == DateStyle::EpochMillis && (field.type == FieldType::DateTime || field.type == FieldType::Date)) {
        // Bulk 1.0 JSON query results carry dates as milliseconds since the epoch.
        QDateTime t = field.type == FieldType::Date ? QDate::fromString(value.toString(), Qt::ISODate).startOfDay(Qt::UTC)
                                                    : QDateTime::fromString(value.toString().replace(QLatin1String("+0000"), QLatin1String("Z")), Qt::ISODateWithMs);
        if (t.isValid())
            return double(t.toMSecsSinceEpoch());
    }
    return FieldValue::toJson(field, value);
}

QString textValue(const FieldDef &field, const QVariant &value, DateStyle dates)
{
    if (value.isValid() && !value.isNull() && (field.type == FieldType::DateTime || field.type == FieldType::Date))
        return formatDate(field, value, dates);
    return FieldValue::toText(field, value);
}

// The columns of one record level, in query order, grouped by their next relationship.
template <class Leaf, class Relationship>
void walkLevel(const std::vector<const CompiledQuery::Column *> &columns, size_t depth, Leaf &&leaf, Relationship &&relationship)
{
    std::vector<bool> done(columns.size(), false);
    for (size_t i = 0; i < columns.size(); ++i) {
        if (done[i])
            continue;
        const CompiledQuery::Column *c = columns[i];
        if (size_t(c->path.size()) == depth + 1) {
            leaf(*c);
            continue;
        }
        std::vector<const CompiledQuery::Column *> group;
        for (size_t k = i; k < columns.size(); ++k)
            if (!done[k] && size_t(columns[k]->path.size()) > depth + 1 && columns[k]->joins[depth] == c->joins[depth]) {
                group.push_back(columns[k]);
                done[k] = true;
            }
        relationship(c->path[qsizetype(depth)], c->joins[depth], group);
    }
}

} // namespace

QStringList QueryResult::header() const
{
    QStringList h;
    for (const auto &c : m_query.columns)
        h << c.written;
    return h;
}

QByteArray QueryResult::csv(qsizetype begin, qsizetype end, const CsvStyle &style) const
{
    QByteArray out = CsvFormat::line(header(), style);
    QStringList cells;
    for (qsizetype r = begin; r < end; ++r) {
        cells.clear();
        for (const auto &c : m_query.columns)
            cells << textValue(*c.field, m_rows[size_t(r)][size_t(c.sqlColumn)], DateStyle::BulkCsv);
        out += CsvFormat::line(cells, style);
    }
    return out;
}

QJsonObject QueryResult::record(const std::vector<QVariant> &row, const std::vector<const CompiledQuery::Column *> &columns, size_t depth,
                                int join, const QString &version, DateStyle dates) const
{
    const CompiledQuery::Join &j = m_query.joins[size_t(join)];
    QJsonObject attributes{{QStringLiteral("type"), j.object->name}};
    const QString id = row[size_t(j.idColumn)].toString();
    if (!id.isEmpty())
        attributes.insert(QStringLiteral("url"), QStringLiteral("/services/data/v%1/sobjects/%2/%3").arg(version, j.object->name, id));
    QJsonObject o{{QStringLiteral("attributes"), attributes}};
    walkLevel(
        columns, depth, [&](const CompiledQuery::Column &c) { o.insert(c.field->name, jsonValue(*c.field, row[size_t(c.sqlColumn)], dates)); },
        [&](const QString &name, int child, const std::vector<const CompiledQuery::Column *> &group) {
            const bool present = row[size_t(m_query.joins[size_t(child)].idColumn)].isValid() &&
                                 !row[size_t(m_query.joins[size_t(child)].idColumn)].isNull();
            o.insert(name, present ? QJsonValue(record(row, group, depth + 1, child, version, dates)) : QJsonValue(QJsonValue::Null));
        });
    return o;
}

QJsonArray QueryResult::json(qsizetype begin, qsizetype end, const QString &version, DateStyle dates) const
{
    std::vector<const CompiledQuery::Column *> columns;
    for (const auto &c : m_query.columns)
        columns.push_back(&c);
    QJsonArray records;
    for (qsizetype r = begin; r < end; ++r)
        records.append(record(m_rows[size_t(r)], columns, 0, 0, version, dates));
    return records;
}

void QueryResult::xmlRecord(QByteArray &out, const std::vector<QVariant> &row, const std::vector<const CompiledQuery::Column *> &columns,
                            size_t depth, int join) const
{
    const CompiledQuery::Join &j = m_query.joins[size_t(join)];
    out += "<type>" + j.object->name.toUtf8() + "</type>";
    walkLevel(
        columns, depth,
        [&](const CompiledQuery::Column &c) {
            const QVariant &v = row[size_t(c.sqlColumn)];
            const QByteArray name = c.field->name.toUtf8();
            if (!v.isValid() || v.isNull())
                out += '<' + name + " xsi:nil=\"true\"/>";
            else
                out += '<' + name + '>' + ApiErrors::xmlEscape(textValue(*c.field, v, DateStyle::BulkCsv)).toUtf8() + "</" + name + '>';
        },
        [&](const QString &name, int child, const std::vector<const CompiledQuery::Column *> &group) {
            const QVariant &id = row[size_t(m_query.joins[size_t(child)].idColumn)];
            const QByteArray tag = name.toUtf8();
            if (!id.isValid() || id.isNull()) {
                out += '<' + tag + " xsi:nil=\"true\"/>";
                return;
            }
            out += '<' + tag + " xsi:type=\"sObject\">";
            xmlRecord(out, row, group, depth + 1, child);
            out += "</" + tag + '>';
        });
}

QByteArray QueryResult::xml(qsizetype begin, qsizetype end) const
{
    std::vector<const CompiledQuery::Column *> columns;
    for (const auto &c : m_query.columns)
        columns.push_back(&c);
    QByteArray out;
    for (qsizetype r = begin; r < end; ++r) {
        out += "<records xsi:type=\"sObject\">";
        xmlRecord(out, m_rows[size_t(r)], columns, 0, 0);
        out += "</records>";
    }
    return out;
}

std::expected<CompiledQuery, QueryError> QueryEngine::compile(const QString &soql)
{
    auto parsed = parseSoql(soql);
    if (!parsed)
        return std::unexpected(framed(QStringLiteral("MALFORMED_QUERY"), soql, parsed.error().column,
                                      parsed.error().message));
    const SoqlQuery &q = *parsed;
    CompiledQuery c;
    c.object = m_store.schema().object(q.object);
    if (!c.object)
        return std::unexpected(framed(QStringLiteral("INVALID_TYPE"), soql, q.objectColumn,
                                      QStringLiteral("sObject type '%1' is not supported. If you are attempting to use a custom object, be sure to append the '__c' "
                                                     "after the entity name. Please reference your WSDL or the describe call for the appropriate names.")
                                          .arg(q.object)));
    c.joins.push_back({c.object, -1});
    c.countOnly = q.countOnly;
    PathResolver resolver(m_store.schema(), c, soql);
    QStringList selected;
    for (qsizetype i = 0; i < q.fields.size(); ++i) {
        auto r = resolver.resolve(q.fields[i], q.fieldColumns[size_t(i)]);
        if (!r)
            return std::unexpected(r.error());
        for (const auto &seen : c.columns)
            if (seen.path.join(QLatin1Char('.')).compare(r->path.join(QLatin1Char('.')), Qt::CaseInsensitive) == 0)
                return std::unexpected(framed(QStringLiteral("INVALID_FIELD"), soql, q.fieldColumns[size_t(i)],
                                              QStringLiteral("duplicate field selected: %1").arg(r->path.join(QLatin1Char('.')))));
        c.columns.push_back({q.fields[i], r->path, r->joins, r->field, int(selected.size())});
        selected << r->sql;
    }

    std::function<std::expected<QString, QueryError>(const SoqlCondition &)> where = [&](const SoqlCondition &cond) -> std::expected<QString, QueryError> {
        if (cond.kind == SoqlCondition::Kind::And || cond.kind == SoqlCondition::Kind::Or) {
            QStringList parts;
            for (const auto &child : cond.children) {
                auto p = where(child);
                if (!p)
                    return p;
                parts << QLatin1Char('(') + *p + QLatin1Char(')');
            }
            return parts.join(cond.kind == SoqlCondition::Kind::And ? QStringLiteral(" AND ") : QStringLiteral(" OR "));
        }
        if (cond.kind == SoqlCondition::Kind::Not) {
            auto p = where(cond.children.front());
            if (!p)
                return p;
            return QStringLiteral("NOT (%1)").arg(*p);
        }
        auto r = resolver.resolve(cond.field, cond.fieldColumn);
        if (!r)
            return std::unexpected(r.error());
        const FieldDef *f = r->field;
        // Ids are compared as the canonical 18 characters they are stored as (bindValue makes a
        // 15-character Id canonical), so the primary key and the reference indexes answer
        // `Id IN (…)` — NOCASE would scan the whole table for every query. A value that is no
        // valid Id keeps the case-blind comparison.
        const bool idField = f->type == FieldType::Id || f->type == FieldType::Reference;
        const bool canonical = idField && std::all_of(cond.values.begin(), cond.values.end(), [](const SoqlValue &v) {
                                   return v.kind == SoqlValue::Kind::Null || !FieldValue::canonicalId(v.text).isEmpty();
                               });
        const bool text = !f->isNumeric() && f->type != FieldType::Boolean && !canonical;
        auto bindValue = [&](const SoqlValue &v) -> QVariant {
            switch (v.kind) {
            case SoqlValue::Kind::Null: return {};
            case SoqlValue::Kind::Boolean: return v.boolean ? 1 : 0;
            case SoqlValue::Kind::Number: return f->isNumeric() ? QVariant(v.number) : QVariant(v.text);
            default:
                if (f->type == FieldType::Id || f->type == FieldType::Reference) {
                    const QString id = FieldValue::canonicalId(v.text);
                    return id.isEmpty() ? QVariant(v.text) : QVariant(id);
                }
                return v.text;
            }
        };
        const QString column = r->sql + (text ? QStringLiteral(" COLLATE NOCASE") : QString());
        if (cond.kind == SoqlCondition::Kind::In) {
            QStringList marks;
            for (const auto &v : cond.values) {
                marks << QStringLiteral("?");
                c.binds.push_back(bindValue(v));
            }
            return QStringLiteral("%1 %2IN (%3)").arg(column, cond.negated ? QStringLiteral("NOT ") : QString(), marks.join(QLatin1Char(',')));
        }
        const SoqlValue &v = cond.values.front();
        if (cond.op == QLatin1String("LIKE")) {
            c.binds.push_back(v.text);
            return QStringLiteral("%1 LIKE ?").arg(r->sql);
        }
        c.binds.push_back(bindValue(v));
        return QStringLiteral("%1 %2 ?").arg(column, sqlCompare(cond.op));
    };

    QString whereSql;
    if (q.where) {
        auto w = where(*q.where);
        if (!w)
            return std::unexpected(w.error());
        whereSql = QStringLiteral(" WHERE ") + *w;
    }
    QString orderSql;
    if (!q.orderBy.empty() && !c.countOnly) {
        QStringList parts;
        for (const auto &ob : q.orderBy) {
            auto r = resolver.resolve(ob.field, 1);
            if (!r)
                return std::unexpected(r.error());
            // SOQL sorts nulls first unless told otherwise, in both directions.
            parts << QStringLiteral("%1 %2 NULLS %3")
                         .arg(r->sql, ob.descending ? QStringLiteral("DESC") : QStringLiteral("ASC"),
                              ob.nullsFirst.value_or(true) ? QStringLiteral("FIRST") : QStringLiteral("LAST"));
        }
        orderSql = QStringLiteral(" ORDER BY ") + parts.join(QLatin1Char(','));
    }
    // Every level's Id after the selected columns: a record's url, and whether a parent exists.
    for (size_t j = 0; j < c.joins.size(); ++j) {
        c.joins[j].idColumn = int(selected.size());
        selected << alias(int(j)) + QStringLiteral(".\"Id\"");
    }
    QString sql = QStringLiteral("SELECT %1 FROM %2").arg(c.countOnly ? QStringLiteral("COUNT(*)") : selected.join(QLatin1Char(',')), resolver.fromClause());
    sql += whereSql + orderSql;
    if (!c.countOnly && (q.limit || q.offset)) {
        sql += QStringLiteral(" LIMIT ? OFFSET ?");
        c.binds.push_back(q.limit.value_or(-1));
        c.binds.push_back(q.offset.value_or(0));
    }
    c.sql = sql;
    return c;
}

std::expected<std::shared_ptr<const QueryResult>, QueryError> QueryEngine::run(const QString &soql)
{
    auto c = compile(soql);
    if (!c)
        return std::unexpected(c.error());
    auto rows = m_store.select(c->sql, c->binds);
    if (!rows) {
        // The database's own words (and the SQL they quote) stay in the org's log, never in an
        // answer. A filter too large for it is what Salesforce calls too complicated.
        const QString internal = rows.error().message;
        qWarning("demo-org: query failed: %s", qPrintable(internal));
        if (internal.contains(QLatin1String("too large"), Qt::CaseInsensitive) || internal.contains(QLatin1String("too many"), Qt::CaseInsensitive))
            return std::unexpected(QueryError{400, QStringLiteral("QUERY_TOO_COMPLICATED"),
                                              QStringLiteral("Query is either selecting too many fields or the filter conditions are too complicated.")});
        return std::unexpected(QueryError{500, QStringLiteral("UNKNOWN_EXCEPTION"),
                                          QStringLiteral("An unexpected error occurred while running the query (the demo org's log has the cause).")});
    }
    return std::make_shared<const QueryResult>(std::move(*c), std::move(*rows));
}

std::expected<QJsonObject, QueryError> QueryEngine::query(const QString &soql, const QString &version, int batchSize, bool)
{
    auto result = run(soql);
    if (!result)
        return std::unexpected(result.error());
    const QueryResult &r = **result;
    if (r.query().countOnly)
        return QJsonObject{{QStringLiteral("totalSize"), r.count()},
                           {QStringLiteral("done"), true},
                           {QStringLiteral("records"), QJsonArray()}};
    const QJsonArray records = r.json(0, r.size(), version, DateStyle::Rest);
    QString locator;
    {
        QMutexLocker lock(&m_mutex);
        // Drop expired cursors; a long-running org does not keep every query forever.
        const QDateTime now = QDateTime::currentDateTimeUtc();
        for (auto it = m_cursors.begin(); it != m_cursors.end();)
            it = it->expires < now ? m_cursors.erase(it) : std::next(it);
        locator = QStringLiteral("01g8d%1").arg(m_nextCursor++, 10, 10, QLatin1Char('0'));
        m_cursors.insert(locator, Cursor{r.query().object->name, records, 0, std::clamp(batchSize, 200, 2000), now.addSecs(900)});
    }
    return page(locator, version);
}

std::expected<QJsonObject, QueryError> QueryEngine::page(const QString &locator, const QString &version)
{
    QMutexLocker lock(&m_mutex);
    auto it = m_cursors.find(locator);
    if (it == m_cursors.end())
        return std::unexpected(QueryError{400, QStringLiteral("INVALID_QUERY_LOCATOR"), QStringLiteral("invalid query locator")});
    Cursor &cur = *it;
    QJsonArray records;
    const qsizetype end = std::min(cur.records.size(), cur.position + cur.batchSize);
    for (qsizetype i = cur.position; i < end; ++i)
        records.append(cur.records.at(i));
    QJsonObject result{{QStringLiteral("totalSize"), cur.records.size()}, {QStringLiteral("done"), end >= cur.records.size()}};
    cur.position = end;
    if (end < cur.records.size())
        result.insert(QStringLiteral("nextRecordsUrl"), QStringLiteral("/services/data/v%1/query/%2-%3").arg(version, locator).arg(end));
    else
        m_cursors.erase(it);
    result.insert(QStringLiteral("records"), records);
    return result;
}

std::expected<QJsonObject, QueryError> QueryEngine::more(const QString &locatorWithPosition, const QString &version)
{
    const auto dash = locatorWithPosition.lastIndexOf(QLatin1Char('-'));
    const QString locator = dash < 0 ? locatorWithPosition : locatorWithPosition.left(dash);
    {
        QMutexLocker lock(&m_mutex);
        auto it = m_cursors.find(locator);
        if (it != m_cursors.end() && dash >= 0) {
            // The position in the locator wins: a client may re-fetch a page it lost.
            bool ok = false;
            const qsizetype position = locatorWithPosition.mid(dash + 1).toLongLong(&ok);
            if (ok && position >= 0 && position <= it->records.size())
                it->position = position;
        }
    }
    return page(locator, version);
}

std::expected<QJsonObject, QueryError> QueryEngine::columns(const QString &soql)
{
    auto c = compile(soql);
    if (!c)
        return std::unexpected(c.error());
    auto leafMeta = [](const FieldDef &f, const QString &displayName) {
        return QJsonObject{{QStringLiteral("aggregate"), false},
                           {QStringLiteral("apexType"), QJsonValue()},
                           {QStringLiteral("booleanType"), f.type == FieldType::Boolean},
                           {QStringLiteral("columnName"), f.name},
                           {QStringLiteral("custom"), f.name.endsWith(QLatin1String("__c"))},
                           {QStringLiteral("displayName"), displayName},
                           {QStringLiteral("foreignKeyName"), QJsonValue()},
                           {QStringLiteral("insertable"), f.createable},
                           {QStringLiteral("joinColumns"), QJsonArray()},
                           {QStringLiteral("numberType"), f.isNumeric()},
                           {QStringLiteral("textType"), !f.isNumeric() && f.type != FieldType::Boolean},
                           {QStringLiteral("updatable"), f.updateable}};
    };
    // A relationship is one column whose joinColumns are its fields (the CLI's table nests them).
    std::function<QJsonArray(const std::vector<const CompiledQuery::Column *> &, size_t, const QString &)> level =
        [&](const std::vector<const CompiledQuery::Column *> &columns, size_t depth, const QString &prefix) {
            QJsonArray meta;
            walkLevel(
                columns, depth, [&](const CompiledQuery::Column &col) { meta.append(leafMeta(*col.field, prefix + col.field->name)); },
                [&](const QString &name, int, const std::vector<const CompiledQuery::Column *> &group) {
                    meta.append(QJsonObject{{QStringLiteral("aggregate"), false},
                                            {QStringLiteral("apexType"), QJsonValue()},
                                            {QStringLiteral("booleanType"), false},
                                            {QStringLiteral("columnName"), name},
                                            {QStringLiteral("custom"), name.endsWith(QLatin1String("__r"))},
                                            {QStringLiteral("displayName"), prefix + name},
                                            {QStringLiteral("foreignKeyName"), QJsonValue()},
                                            {QStringLiteral("insertable"), false},
                                            {QStringLiteral("joinColumns"), level(group, depth + 1, prefix + name + QLatin1Char('.'))},
                                            {QStringLiteral("numberType"), false},
                                            {QStringLiteral("textType"), false},
                                            {QStringLiteral("updatable"), false}});
                });
            return meta;
        };
    std::vector<const CompiledQuery::Column *> all;
    for (const auto &col : c->columns)
        all.push_back(&col);
    return QJsonObject{{QStringLiteral("columnMetadata"), level(all, 0, QString())}, {QStringLiteral("entityName"), c->object->name},
                       {QStringLiteral("groupBy"), false}, {QStringLiteral("idSelected"), true}, {QStringLiteral("keyPrefix"), c->object->keyPrefix}};
}

} // namespace lockstep::demoorg
