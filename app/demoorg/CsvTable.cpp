#include "demoorg/CsvTable.h"

#include "load/CsvWriter.h"

namespace lockstep::demoorg {

std::expected<CsvTable, QString> CsvTable::parse(const QByteArray &text, char delimiter)
{
    // Field by field rather than byte by byte: a plain field is one run of bytes converted at
    // once, so a 90,000-row Bulk 2.0 upload is cut in a fraction of the time the platform's
    // split takes (the demo org's own work counts as server time, scaled).
    CsvTable t;
    QStringList row;
    qsizetype line = 1;
    qsizetype i = text.startsWith("\xEF\xBB\xBF") ? 3 : 0;
    const qsizetype n = text.size();
    const char *data = text.constData();
    auto endRow = [&]() -> std::expected<void, QString> {
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
    auto special = [delimiter](char c) { return c == delimiter || c == '\n' || c == '\r' || c == '"'; };
    while (i < n) {
        // At the start of a field.
        if (data[i] == '"') {
            QByteArray field;
            const qsizetype firstLine = line;
            for (++i;; ++i) {
                if (i >= n)
                    return std::unexpected(QStringLiteral("InvalidBatch : Failed to parse CSV. EOF reached before closing quote"));
                const qsizetype run = i;
                while (i < n && data[i] != '"') {
                    line += data[i] == '\n';
                    ++i;
                }
                field.append(data + run, i - run);
                if (i >= n)
                    return std::unexpected(QStringLiteral("InvalidBatch : Failed to parse CSV. EOF reached before closing quote"));
                if (i + 1 < n && data[i + 1] == '"') {
                    field += '"';
                    ++i;
                    continue;
                }
                ++i;   // past the closing quote
                break;
            }
            if (i < n && !special(data[i]))
                return std::unexpected(QStringLiteral("InvalidBatch : Failed to parse CSV. Found text after a closing quote on line %1").arg(line));
            if (i < n && data[i] == '"')
                return std::unexpected(QStringLiteral("InvalidBatch : Failed to parse CSV. Found unescaped quote on line %1").arg(firstLine));
            row << QString::fromUtf8(field);
        } else {
            const qsizetype run = i;
            while (i < n && !special(data[i]))
                ++i;
            if (i < n && data[i] == '"')
                return std::unexpected(QStringLiteral("InvalidBatch : Failed to parse CSV. Found unescaped quote on line %1").arg(line));
            row << QString::fromUtf8(data + run, i - run);
        }
        if (i >= n)
            break;
        const char c = data[i++];
        if (c == delimiter) {
            if (i >= n)
                row << QString();   // "a,b," ends with an empty field
            continue;
        }
        if (c == '\r' && i < n && data[i] == '\n')
            ++i;
        if (auto r = endRow(); !r)
            return std::unexpected(r.error());
        ++line;
    }
    if (!row.isEmpty())
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
