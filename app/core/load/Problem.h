#pragma once

#include <QString>

#include <array>
#include <vector>

namespace lockstep {

enum class Severity { Error, Warning, Info };

// Each kind of thing that can be wrong with a load file. Counted separately so a file with a
// million bad rows reports "1,000,000 bad AccountId values" without a million messages.
enum class ProblemCode {
    UnterminatedQuote,
    MalformedQuote,
    RaggedRow,
    InvalidUtf8,
    NulByte,
    BadId,
    WrongIdPrefix,
    MissingId,
    DuplicateId,
    DuplicateColumn,
    EmptyColumnName,
    BlankLines,
    Note,
    Count_
};

QString problemCodeName(ProblemCode code);   // "ragged row"
QString problemCodeKey(ProblemCode code);    // "ragged_row" (JSON)
Severity defaultSeverity(ProblemCode code);
QString severityName(Severity severity);

struct Problem {
    Severity severity = Severity::Error;
    ProblemCode code = ProblemCode::Note;
    qint64 line = 0;    // 1-based physical line, 0 = whole file
    qint64 row = 0;     // 1-based data row, 0 = not about a row (header, whole file)
    int column = -1;    // 0-based column, -1 = whole row
    QString message;

    // "opps.csv:17: error: row 16: AccountId '001x' must be 15 or 18 characters"
    QString toString(const QString &fileName) const;
};

// Problems in file order, keeping at most `limit` messages but counting every occurrence.
class ProblemList {
public:
    explicit ProblemList(qsizetype limit = 10000) : m_limit(limit) {}

    void add(Problem problem, qint64 occurrences = 1);   // one message standing for `occurrences`
    void count(ProblemCode code, qint64 n = 1) { m_counts[size_t(code)] += n; }  // without a message
    // Appends `other`, shifting its rows and lines (for merging per-chunk lists).
    void append(const ProblemList &other, qint64 rowOffset, qint64 lineOffset);
    void sortByLine();

    const std::vector<Problem> &items() const { return m_items; }
    qint64 countOf(ProblemCode code) const { return m_counts[size_t(code)]; }
    qint64 total() const;
    qint64 errors() const;     // occurrences whose code is an error
    qint64 dropped() const { return total() - qint64(m_items.size()); }
    bool limitReached() const { return qsizetype(m_items.size()) >= m_limit; }

private:
    std::vector<Problem> m_items;
    std::array<qint64, size_t(ProblemCode::Count_)> m_counts{};
    qsizetype m_limit;
};

} // namespace lockstep
