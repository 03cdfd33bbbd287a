#pragma once

#include <QByteArray>
#include <QStringList>

#include <expected>
#include <vector>

namespace lockstep::demoorg {

// A Bulk batch body in memory: RFC 4180 with a chosen delimiter, CRLF or LF, quoted fields
// with doubled quotes. Batches are at most 10 MB (1.0) / cut from 150 MB (2.0), so a simple
// in-memory parse fits; load files on disk go through LoadFile instead.
struct CsvTable {
    QStringList header;
    std::vector<QStringList> rows;

    // Fails with Salesforce's wording for the batch's stateMessage.
    static std::expected<CsvTable, QString> parse(const QByteArray &text, char delimiter = ',');
    static QByteArray quote(const QString &field);   // always quoted, as Salesforce writes results
    static QByteArray line(const QStringList &fields, const QByteArray &eol = "\n");
};

} // namespace lockstep::demoorg
