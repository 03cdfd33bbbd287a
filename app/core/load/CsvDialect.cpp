#include "load/CsvDialect.h"

#include <array>
#include <optional>
#include <vector>

namespace lockstep {

QString CsvDialect::delimiterName() const
{
    switch (delimiter) {
    case ',': return QStringLiteral("comma");
    case ';': return QStringLiteral("semicolon");
    case '\t': return QStringLiteral("tab");
    case '|': return QStringLiteral("pipe");
    default: return QString(QLatin1Char(delimiter));
    }
}

std::optional<char> parseDelimiter(const QString &text)
{
    const QString t = text.trimmed().toLower();
    if (t == QLatin1String(",") || t == QLatin1String("comma")) return ',';
    if (t == QLatin1String(";") || t == QLatin1String("semicolon")) return ';';
    if (t == QLatin1String("\\t") || t == QLatin1String("tab") || text == QLatin1String("\t")) return '\t';
    if (t == QLatin1String("|") || t == QLatin1String("pipe")) return '|';
    if (t == QLatin1String("^") || t == QLatin1String("caret")) return '^';
    if (t == QLatin1String("`") || t == QLatin1String("backquote")) return '`';
    return std::nullopt;
}

namespace {

// Counts delimiter occurrences outside quotes on each of the first lines.
std::vector<int> countsPerLine(std::string_view text, char delimiter, char newline, int maxLines)
{
    std::vector<int> counts;
    int current = 0;
    bool inQuotes = false;
    for (char c : text) {
        if (c == '"') {
            inQuotes = !inQuotes;
        } else if (!inQuotes) {
            if (c == delimiter) {
                ++current;
            } else if (c == newline) {
                counts.push_back(current);
                current = 0;
                if (int(counts.size()) >= maxLines)
                    return counts;
            }
        }
    }
    // A last line without newline counts only if the head is the whole file; callers pass a
    // head cut at a line end or the full file, so include it when non-empty.
    if (current > 0)
        counts.push_back(current);
    return counts;
}

} // namespace

Result<CsvDialect> sniffDialect(std::string_view head, const QString &fileName)
{
    CsvDialect dialect;
    auto bytes = [&](std::initializer_list<unsigned char> prefix) {
        if (head.size() < prefix.size())
            return false;
        size_t i = 0;
        for (unsigned char b : prefix)
            if (static_cast<unsigned char>(head[i++]) != b)
                return false;
        return true;
    };
    if (bytes({0xFF, 0xFE, 0x00, 0x00}) || bytes({0x00, 0x00, 0xFE, 0xFF}))
        return fail(ErrorKind::BadData,
                    QStringLiteral("the file is UTF-32 encoded; save it as UTF-8 (CSV UTF-8 in Excel)"), fileName, 1);
    if (bytes({0xFF, 0xFE}) || bytes({0xFE, 0xFF}))
        return fail(ErrorKind::BadData,
                    QStringLiteral("the file is UTF-16 encoded; save it as UTF-8 (CSV UTF-8 in Excel)"), fileName, 1);
    if (bytes({0xEF, 0xBB, 0xBF})) {
        dialect.bomLength = 3;
        head.remove_prefix(3);
    }

    // Binary content: a known file signature, or NUL/control bytes in numbers no text has. A
    // single stray NUL in a text file is reported on its row instead of rejecting the file.
    static const std::pair<const char *, const char *> signatures[] = {
        {"PK\x03\x04", "a zip archive (an .xlsx workbook?)"}, {"\xD0\xCF\x11\xE0", "an old Excel .xls workbook"},
        {"\x89PNG", "a PNG image"},      {"%PDF", "a PDF document"},         {"\x1F\x8B", "a gzip archive"},
        {"\xFF\xD8\xFF", "a JPEG image"}, {"GIF8", "a GIF image"},         {"SQLite format 3", "an SQLite database"},
    };
    for (const auto &[magic, what] : signatures)
        if (head.starts_with(magic))
            return fail(ErrorKind::BadData,
                        QStringLiteral("this is not a text file: it is %1. Export the data as CSV (UTF-8) first")
                            .arg(QLatin1String(what)),
                        fileName, 1);
    int controls = 0, nuls = 0;
    const size_t probe = std::min<size_t>(head.size(), 8192);
    for (size_t i = 0; i < probe; ++i) {
        const auto c = static_cast<unsigned char>(head[i]);
        nuls += c == 0;
        if (c != 0 && c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f')
            ++controls;
    }
    if (probe > 0 && (nuls >= 8 || nuls * 10 > int(probe) || controls * 20 > int(probe)))
        return fail(ErrorKind::BadData,
                    QStringLiteral("this is not a text file (%1 NUL and control bytes in its first %2 bytes). Is it "
                                   "a spreadsheet or archive renamed to .csv?")
                        .arg(nuls + controls)
                        .arg(probe),
                    fileName, 1);

    // Newline: LF (with or without CR before it), or bare CR for old Mac exports.
    const auto lf = head.find('\n');
    if (lf == std::string_view::npos && head.find('\r') != std::string_view::npos) {
        dialect.newline = '\r';
    } else if (lf != std::string_view::npos && lf > 0 && head[lf - 1] == '\r') {
        dialect.crlf = true;
    }

    // Delimiter: the candidate whose count on the header line is non-zero and repeats on the
    // most following lines. Ties go to the earlier candidate (comma first: Salesforce's own).
    constexpr std::array<char, 4> candidates{',', ';', '\t', '|'};
    int bestScore = -1;
    char best = ',';
    for (char candidate : candidates) {
        const auto counts = countsPerLine(head, candidate, dialect.newline, 50);
        if (counts.empty() || counts.front() == 0)
            continue;
        int score = 1;
        for (size_t i = 1; i < counts.size(); ++i)
            score += counts[i] == counts.front();
        // Weight by consistency first, then by how many fields the delimiter yields.
        const int weighted = score * 1000 + std::min(counts.front(), 999);
        if (weighted > bestScore) {
            bestScore = weighted;
            best = candidate;
        }
    }
    dialect.delimiter = best;
    return dialect;
}

} // namespace lockstep
