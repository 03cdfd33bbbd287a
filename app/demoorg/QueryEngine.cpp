#include "demoorg/QueryEngine.h"

#include "demoorg/FieldValue.h"

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

} // namespace

std::expected<QueryEngine::Compiled, QueryError> QueryEngine::compile(const QString &soql)
{
    auto parsed = parseSoql(soql);
    if (!parsed)
        return std::unexpected(framed(QStringLiteral("MALFORMED_QUERY"), soql, parsed.error().column,
                                      parsed.error().message));
    const SoqlQuery &q = *parsed;
    Compiled c;
    c.object = m_store.schema().object(q.object);
    if (!c.object)
        return std::unexpected(framed(QStringLiteral("INVALID_TYPE"), soql, q.objectColumn,
                                      QStringLiteral("sObject type '%1' is not supported. If you are attempting to use a custom object, be sure to append the '__c' "
                                                     "after the entity name. Please reference your WSDL or the describe call for the appropriate names.")
                                          .arg(q.object)));
    const ObjectDef &o = *c.object;
    auto fieldError = [&](const QString &name, int column) {
        return std::unexpected(framed(QStringLiteral("INVALID_FIELD"), soql, column,
                                      QStringLiteral("No such column '%1' on entity '%2'. If you are attempting to use a custom field, be sure to append the '__c' "
                                                     "after the custom field name. Please reference your WSDL or the describe call for the appropriate names.")
                                          .arg(name, o.name)));
    };
    QStringList columns;
    for (qsizetype i = 0; i < q.fields.size(); ++i) {
        const FieldDef *f = o.field(q.fields[i]);
        if (!f)
            return fieldError(q.fields[i], q.fieldColumns[size_t(i)]);
        bool duplicate = false;
        for (const FieldDef *seen : c.fields)
            duplicate |= seen == f;
        if (duplicate)
            return std::unexpected(framed(QStringLiteral("INVALID_FIELD"), soql, q.fieldColumns[size_t(i)], QStringLiteral("duplicate field selected: %1").arg(f->name)));
        c.fields.push_back(f);
        columns << RecordStore::quoted(f->name);
    }
    c.countOnly = q.countOnly;

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
        const FieldDef *f = o.field(cond.field);
        if (!f)
            return fieldError(cond.field, cond.fieldColumn);
        const bool text = !f->isNumeric() && f->type != FieldType::Boolean;
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
        const QString column = RecordStore::quoted(f->name) + (text ? QStringLiteral(" COLLATE NOCASE") : QString());
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
            return QStringLiteral("%1 LIKE ?").arg(RecordStore::quoted(f->name));
        }
        c.binds.push_back(bindValue(v));
        return QStringLiteral("%1 %2 ?").arg(column, sqlCompare(cond.op));
    };

    QString sql = QStringLiteral("SELECT %1 FROM %2").arg(c.countOnly ? QStringLiteral("COUNT(*)") : columns.join(QLatin1Char(',')), RecordStore::quoted(o.name));
    if (q.where) {
        auto w = where(*q.where);
        if (!w)
            return std::unexpected(w.error());
        sql += QStringLiteral(" WHERE ") + *w;
    }
    if (!q.orderBy.empty() && !c.countOnly) {
        QStringList parts;
        for (const auto &ob : q.orderBy) {
            const FieldDef *f = o.field(ob.field);
            if (!f)
                return fieldError(ob.field, 1);
            // SOQL sorts nulls first unless told otherwise, in both directions.
            parts << QStringLiteral("%1 %2 NULLS %3")
                         .arg(RecordStore::quoted(f->name), ob.descending ? QStringLiteral("DESC") : QStringLiteral("ASC"),
                              ob.nullsFirst.value_or(true) ? QStringLiteral("FIRST") : QStringLiteral("LAST"));
        }
        sql += QStringLiteral(" ORDER BY ") + parts.join(QLatin1Char(','));
    }
    if (!c.countOnly && (q.limit || q.offset)) {
        sql += QStringLiteral(" LIMIT ? OFFSET ?");
        c.binds.push_back(q.limit.value_or(-1));
        c.binds.push_back(q.offset.value_or(0));
    }
    c.sql = sql;
    return c;
}

std::expected<std::pair<QueryEngine::Compiled, std::vector<std::vector<QVariant>>>, QueryError>
QueryEngine::execute(const QString &soql)
{
    auto c = compile(soql);
    if (!c)
        return std::unexpected(c.error());
    auto rows = m_store.select(c->sql, c->binds);
    if (!rows)
        return std::unexpected(QueryError{500, QStringLiteral("UNKNOWN_EXCEPTION"), rows.error().message});
    return std::pair{std::move(*c), std::move(*rows)};
}

std::expected<QJsonObject, QueryError> QueryEngine::query(const QString &soql, const QString &version, int batchSize, bool)
{
    auto executed = execute(soql);
    if (!executed)
        return std::unexpected(executed.error());
    const Compiled *c = &executed->first;
    auto *rows = &executed->second;
    if (c->countOnly)
        return QJsonObject{{QStringLiteral("totalSize"), rows->front().front().toLongLong()},
                           {QStringLiteral("done"), true},
                           {QStringLiteral("records"), QJsonArray()}};
    QJsonArray records;
    const qsizetype idColumn = [&] {
        for (size_t i = 0; i < c->fields.size(); ++i)
            if (c->fields[i]->name == QLatin1String("Id"))
                return qsizetype(i);
        return qsizetype(-1);
    }();
    for (const auto &row : *rows) {
        QJsonObject attributes{{QStringLiteral("type"), c->object->name}};
        if (idColumn >= 0)
            attributes.insert(QStringLiteral("url"), QStringLiteral("/services/data/v%1/sobjects/%2/%3").arg(version, c->object->name, row[size_t(idColumn)].toString()));
        QJsonObject record{{QStringLiteral("attributes"), attributes}};
        for (size_t i = 0; i < c->fields.size(); ++i)
            record.insert(c->fields[i]->name, FieldValue::toJson(*c->fields[i], row[i]));
        records.append(record);
    }
    QString locator;
    {
        QMutexLocker lock(&m_mutex);
        // Drop expired cursors; a long-running org does not keep every query forever.
        const QDateTime now = QDateTime::currentDateTimeUtc();
        for (auto it = m_cursors.begin(); it != m_cursors.end();)
            it = it->expires < now ? m_cursors.erase(it) : std::next(it);
        locator = QStringLiteral("01g8d%1").arg(m_nextCursor++, 10, 10, QLatin1Char('0'));
        m_cursors.insert(locator, Cursor{c->object->name, records, 0, std::clamp(batchSize, 200, 2000), now.addSecs(900)});
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
    QJsonArray meta;
    for (const FieldDef *f : c->fields)
        meta.append(QJsonObject{{QStringLiteral("aggregate"), false},
                                {QStringLiteral("apexType"), QJsonValue()},
                                {QStringLiteral("booleanType"), f->type == FieldType::Boolean},
                                {QStringLiteral("columnName"), f->name},
                                {QStringLiteral("custom"), f->name.endsWith(QLatin1String("__c"))},
                                {QStringLiteral("displayName"), f->name},
                                {QStringLiteral("foreignKeyName"), QJsonValue()},
                                {QStringLiteral("insertable"), f->createable},
                                {QStringLiteral("joinColumns"), QJsonArray()},
                                {QStringLiteral("numberType"), f->isNumeric()},
                                {QStringLiteral("textType"), !f->isNumeric() && f->type != FieldType::Boolean},
                                {QStringLiteral("updatable"), f->updateable}});
    return QJsonObject{{QStringLiteral("columnMetadata"), meta}, {QStringLiteral("entityName"), c->object->name},
                       {QStringLiteral("groupBy"), false}, {QStringLiteral("idSelected"), true}, {QStringLiteral("keyPrefix"), c->object->keyPrefix}};
}

std::expected<std::pair<QStringList, std::vector<QStringList>>, QueryError> QueryEngine::rows(const QString &soql)
{
    auto executed = execute(soql);
    if (!executed)
        return std::unexpected(executed.error());
    const Compiled *c = &executed->first;
    auto *rows = &executed->second;
    QStringList header;
    for (const FieldDef *f : c->fields)
        header << f->name;
    std::vector<QStringList> out;
    out.reserve(rows->size());
    for (const auto &row : *rows) {
        QStringList r;
        for (size_t i = 0; i < c->fields.size(); ++i)
            r << FieldValue::toText(*c->fields[i], row[i]);
        out.push_back(r);
    }
    return std::make_pair(header, out);
}

} // namespace lockstep::demoorg
