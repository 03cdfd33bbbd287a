#include "load/CsvText.h"

namespace lockstep {

std::vector<QStringList> parseCsvText(const QByteArray &text)
{
    std::vector<QStringList> rows;
    QStringList row;
    QByteArray field;
    bool quoted = false, any = false;
    auto endField = [&] {
        row << QString::fromUtf8(field);
        field.clear();
        any = true;
    };
    for (qsizetype i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (quoted) {
            if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
                field += '"';
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                field += c;
            }
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            endField();
        } else if (c == '\n' || c == '\r') {
            if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n')
                ++i;
            endField();
            rows.push_back(std::move(row));
            row.clear();
            any = false;
        } else {
            field += c;
        }
    }
    if (any || !field.isEmpty()) {
        endField();
        rows.push_back(std::move(row));
    }
    return rows;
}

} // namespace lockstep
