#pragma once

#include <QString>
#include <QStringList>
#include <QVariant>

#include <expected>
#include <memory>
#include <optional>
#include <vector>

namespace lockstep::demoorg {

// The subset of SOQL a data loader and the Salesforce CLI send: field lists (and COUNT()),
// WHERE with = != <> < <= > >= LIKE, IN / NOT IN lists, AND / OR / NOT and parentheses,
// ORDER BY (ASC/DESC, NULLS FIRST/LAST), LIMIT and OFFSET.
struct SoqlValue {
    enum class Kind { String, Number, Boolean, Null, Date } kind = Kind::Null;
    QString text;   // String/Date: the literal; Number: as written
    double number = 0;
    bool boolean = false;
};

struct SoqlCondition {
    enum class Kind { And, Or, Not, Compare, In } kind = Kind::Compare;
    std::vector<SoqlCondition> children;   // And/Or/Not
    QString field;                          // Compare/In
    int fieldColumn = 0;                    // 1-based column in the query text (for errors)
    QString op;                             // "=", "!=", "<", "<=", ">", ">=", "LIKE"
    bool negated = false;                   // NOT IN
    std::vector<SoqlValue> values;          // one for Compare, many for In
};

struct SoqlOrder {
    QString field;
    bool descending = false;
    std::optional<bool> nullsFirst;
};

struct SoqlQuery {
    QStringList fields;                 // as written
    std::vector<int> fieldColumns;      // where each field starts (1-based)
    bool countOnly = false;             // SELECT COUNT() FROM ...
    QString object;
    int objectColumn = 0;
    std::optional<SoqlCondition> where;
    std::vector<SoqlOrder> orderBy;
    std::optional<qint64> limit;
    std::optional<qint64> offset;
};

struct SoqlError {
    int column = 1;
    QString message;   // without the "ERROR at Row:1:Column:n" framing
};

std::expected<SoqlQuery, SoqlError> parseSoql(const QString &text);

} // namespace lockstep::demoorg
