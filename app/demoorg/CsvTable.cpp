#include "demoorg/CsvTable.h"

#include "load/CsvWriter.h"

namespace lockstep::demoorg {

std::expected<CsvTable, QString> CsvTable::parse(const QByteArray &text, char delimiter)
{
    CsvTable t;
    QStringList row;
    QByteArray field;
    bool quoted = false;     // inside quotes
    bool wasQuoted = false;  // the field began with a quote
    qsizetype line = 1;
    qsizetype i = text.startsWith("\xEF\xBB\xBF") ? 3 : 0;
    const qsizetype n = text.size();
    auto endRow = [&]() -> std::expected<void, QString> {
        row << QString::fromUtf8(field);
        field.clear();
        wasQuoted = false;
        if (row.size() == 1 && row.front().isEmpty()) {   // a blank line
            row.clear();
            return {};
        }
        if (t.header.isEmpty()) {
            t.header = row;
        } else if (row.size() != t.header.size()) {
            return std::unexpected(QStringLiteral("InvalidBatch : Failed to parse CSV. Found %1 fields on line %2, expected %3").arg(row.size()).arg(line).arg(t.header.size()));
        } else {
            t.rows.push_back(row);
        }
        row.clear();
        return {};
    };
    for (; i < n; ++i) {
        const char c = text[i];
        if (quoted) {
            if (c == '"') {
                if (i + 1 < n && text[i + 1] == '"') {
                    field += '"';
                    ++i;
                } else {
                    quoted = false;
                }
            } else {
                if (c == '\n')
                    ++line;
                field += c;
            }
            continue;
        }
        if (c == '"') {
            if (!field.isEmpty() || wasQuoted)
                return std::unexpected(QStringLiteral("InvalidBatch : Failed to parse CSV. Found unescaped quote on line %1").arg(line));
            quoted = wasQuoted = true;
        } else if (c == delimiter) {
            row << QString::fromUtf8(field);
            field.clear();
            wasQuoted = false;
        } else if (c == '\n' || c == '\r') {
            if (c == '\r' && i + 1 < n && text[i + 1] == '\n')
                ++i;
            if (auto r = endRow(); !r)
                return std::unexpected(r.error());
            ++line;
        } else {
            if (wasQuoted)
                return std::unexpected(QStringLiteral("InvalidBatch : Failed to parse CSV. Found text after a closing quote on line %1").arg(line));
            field += c;
        }
    }
    if (quoted)
        return std::unexpected(QStringLiteral("InvalidBatch : Failed to parse CSV. EOF reached before closing quote"));
    if (!field.isEmpty() || !row.isEmpty() || wasQuoted)
        if (auto r = endRow(); !r)
            return std::unexpected(r.error());
    if (t.header.isEmpty())
        return std::unexpected(QStringLiteral("InvalidBatch : Failed to parse CSV header"));
    return t;
}

QByteArray CsvTable::quote(const QString &field)
{
    return CsvFormat::field(field, {',', true, "\n"});
}

QByteArray CsvTable::line(const QStringList &fields, const QByteArray &eol)
{
    return CsvFormat::line(fields, {',', true, eol});
}

} // namespace lockstep::demoorg
