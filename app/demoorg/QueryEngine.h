#pragma once

#include "demoorg/RecordStore.h"
#include "demoorg/Soql.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QMutex>

#include <expected>

namespace lockstep::demoorg {

// A query failure in Salesforce's terms: MALFORMED_QUERY, INVALID_FIELD, INVALID_TYPE,
// INVALID_QUERY_LOCATOR; the message carries the "ERROR at Row:1:Column:n" framing.
struct QueryError {
    int status = 400;
    QString errorCode;
    QString message;
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
    // The records of a query as rows of text (Bulk 2.0 query results, and tests).
    std::expected<std::pair<QStringList, std::vector<QStringList>>, QueryError> rows(const QString &soql);

private:
    struct Compiled {
        const ObjectDef *object = nullptr;
        std::vector<const FieldDef *> fields;
        QString sql;
        std::vector<QVariant> binds;
        bool countOnly = false;
    };
    std::expected<Compiled, QueryError> compile(const QString &soql);
    // Compiles and runs: the compiled query with the rows SQLite returned.
    std::expected<std::pair<Compiled, std::vector<std::vector<QVariant>>>, QueryError> execute(const QString &soql);
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
