#pragma once

#include "demoorg/RecordStore.h"
#include "demoorg/Soql.h"
#include "load/CsvWriter.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QMutex>

#include <expected>
#include <memory>

namespace lockstep::demoorg {

// A query failure in Salesforce's terms: MALFORMED_QUERY, INVALID_FIELD, INVALID_TYPE,
// INVALID_QUERY_LOCATOR; the message carries the "ERROR at Row:1:Column:n" framing.
struct QueryError {
    int status = 400;
    QString errorCode;
    QString message;
};

// A SOQL query compiled to SQL over the record store. A selected field is a path: "Name" on
// the queried object, or "Account.Name" / "Account.Owner.Name" through lookups, each
// relationship a LEFT JOIN (a record whose lookup is empty or dangling has no parent: null).
struct CompiledQuery {
    struct Join {
        const ObjectDef *object = nullptr;
        int idColumn = 0;              // SQL column of the joined record's Id (null: no parent)
    };
    struct Column {
        QString written;               // as the query wrote it ("account.name")
        QStringList path;              // canonical: {"Account", "Name"}
        std::vector<int> joins;        // the join of each relationship on the path (indexes into joins)
        const FieldDef *field = nullptr;
        int sqlColumn = 0;
    };
    const ObjectDef *object = nullptr;
    std::vector<Column> columns;
    std::vector<Join> joins;           // [0] is the queried object itself (alias t0)
    bool countOnly = false;
    QString sql;
    std::vector<QVariant> binds;
};

// How a value is written where the wire has no types of its own.
enum class DateStyle {
    Rest,        // "2024-05-01T12:00:00.000+0000" (REST JSON)
    BulkCsv,     // "2024-05-01T12:00:00.000Z" (Bulk query CSV)
    EpochMillis, // 1714564800000 (Bulk 1.0 JSON query results)
};

// A query's records, read once: what a Bulk query job keeps and serves page by page, as CSV
// (Bulk 2.0, Bulk 1.0 CSV jobs), JSON records with attributes (REST, Bulk 1.0 JSON jobs) or
// XML (Bulk 1.0 XML jobs).
class QueryResult {
public:
    QueryResult(CompiledQuery query, std::vector<std::vector<QVariant>> rows) : m_query(std::move(query)), m_rows(std::move(rows)) {}

    qsizetype size() const { return qsizetype(m_rows.size()); }
    // SELECT COUNT(): the count; otherwise the number of records.
    qint64 count() const { return m_query.countOnly ? (m_rows.empty() ? 0 : m_rows.front().front().toLongLong()) : qint64(m_rows.size()); }
    const CompiledQuery &query() const { return m_query; }
    // The field names as the query selected them, in its order.
    QStringList header() const;
    // Records [begin, end) with a header line; every value quoted, null as "" (Salesforce's form).
    QByteArray csv(qsizetype begin, qsizetype end, const CsvStyle &style) const;
    QJsonArray json(qsizetype begin, qsizetype end, const QString &version, DateStyle dates) const;
    // <records xsi:type="sObject">…</records> elements.
    QByteArray xml(qsizetype begin, qsizetype end) const;

private:
    QJsonObject record(const std::vector<QVariant> &row, const std::vector<const CompiledQuery::Column *> &columns, size_t depth,
                       int join, const QString &version, DateStyle dates) const;
    void xmlRecord(QByteArray &out, const std::vector<QVariant> &row, const std::vector<const CompiledQuery::Column *> &columns,
                   size_t depth, int join) const;

    CompiledQuery m_query;
    std::vector<std::vector<QVariant>> m_rows;
};

// Runs SOQL over the record store and pages the answer: the first page comes back at once,
// the rest waits under a locator ("01g…-2000") for /query/{locator}, 15 minutes at most.
class QueryEngine {
public:
    explicit QueryEngine(RecordStore &store) : m_store(store) {}

    std::expected<QJsonObject, QueryError> query(const QString &soql, const QString &version, int batchSize, bool includeDeleted);
    std::expected<QJsonObject, QueryError> more(const QString &locator, const QString &version);
    // `columns=true`: what the Salesforce CLI asks before a query (column metadata only).
    std::expected<QJsonObject, QueryError> columns(const QString &soql);
    // Compiles only: the errors a query would have, and what it reads (the Bulk APIs check a
    // query when its job or batch is created, and run it later).
    std::expected<CompiledQuery, QueryError> compile(const QString &soql);
    // Runs the query and keeps every record (the Bulk query APIs).
    std::expected<std::shared_ptr<const QueryResult>, QueryError> run(const QString &soql);

private:
    std::expected<QJsonObject, QueryError> page(const QString &locator, const QString &version);

    struct Cursor {
        QString object;
        QJsonArray records;
        qsizetype position = 0;
        int batchSize = 2000;
        QDateTime expires;
    };
    RecordStore &m_store;
    QMutex m_mutex;
    QHash<QString, Cursor> m_cursors;
    quint64 m_nextCursor = 1;
};

} // namespace lockstep::demoorg
