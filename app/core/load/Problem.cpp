#include "load/Problem.h"

#include <algorithm>

namespace lockstep {

QString problemCodeName(ProblemCode code)
{
    switch (code) {
    case ProblemCode::UnterminatedQuote: return QStringLiteral("unterminated quote");
    case ProblemCode::MalformedQuote: return QStringLiteral("malformed quoting");
    case ProblemCode::RaggedRow: return QStringLiteral("wrong number of fields");
    case ProblemCode::InvalidUtf8: return QStringLiteral("invalid UTF-8");
    case ProblemCode::NulByte: return QStringLiteral("NUL byte");
    case ProblemCode::BadId: return QStringLiteral("invalid Salesforce Id");
    case ProblemCode::WrongIdPrefix: return QStringLiteral("Id of the wrong object");
    case ProblemCode::MissingId: return QStringLiteral("missing Id");
    case ProblemCode::DuplicateId: return QStringLiteral("duplicate Id");
    case ProblemCode::DuplicateColumn: return QStringLiteral("duplicate column");
    case ProblemCode::EmptyColumnName: return QStringLiteral("empty column name");
    case ProblemCode::BlankLines: return QStringLiteral("blank lines");
    case ProblemCode::Note: return QStringLiteral("note");
    case ProblemCode::Count_: break;
    }
    return {};
}

QString problemCodeKey(ProblemCode code)
{
    return problemCodeName(code).replace(QLatin1Char(' '), QLatin1Char('_')).replace(QLatin1Char('-'), QLatin1Char('_')).toLower();
}

Severity defaultSeverity(ProblemCode code)
{
    switch (code) {
    case ProblemCode::EmptyColumnName:
    case ProblemCode::BlankLines:
        return Severity::Warning;
    case ProblemCode::Note:
        return Severity::Info;
    default:
        return Severity::Error;
    }
}

QString severityName(Severity severity)
{
    switch (severity) {
    case Severity::Error: return QStringLiteral("error");
    case Severity::Warning: return QStringLiteral("warning");
    case Severity::Info: return QStringLiteral("note");
    }
    return {};
}

QString Problem::toString(const QString &fileName) const
{
    QString out = fileName;
    if (line > 0)
        out += QLatin1Char(':') + QString::number(line);
    out += QLatin1String(": ") + severityName(severity) + QLatin1String(": ");
    if (row > 0)
        out += QStringLiteral("row %1: ").arg(row);
    return out + message;
}

void ProblemList::add(Problem problem, qint64 occurrences)
{
    m_counts[size_t(problem.code)] += occurrences;
    if (qsizetype(m_items.size()) < m_limit)
        m_items.push_back(std::move(problem));
}

void ProblemList::append(const ProblemList &other, qint64 rowOffset, qint64 lineOffset)
{
    for (size_t i = 0; i < m_counts.size(); ++i)
        m_counts[i] += other.m_counts[i];
    for (const auto &p : other.m_items) {
        if (qsizetype(m_items.size()) >= m_limit)
            break;
        Problem shifted = p;
        if (shifted.row > 0)
            shifted.row += rowOffset;
        if (shifted.line > 0)
            shifted.line += lineOffset;
        m_items.push_back(std::move(shifted));
    }
}

void ProblemList::sortByLine()
{
    std::stable_sort(m_items.begin(), m_items.end(),
                     [](const Problem &a, const Problem &b) { return a.line < b.line; });
}

qint64 ProblemList::total() const
{
    qint64 n = 0;
    for (auto c : m_counts)
        n += c;
    return n;
}

qint64 ProblemList::errors() const
{
    qint64 n = 0;
    for (size_t i = 0; i < m_counts.size(); ++i)
        if (defaultSeverity(ProblemCode(i)) == Severity::Error)
            n += m_counts[i];
    return n;
}

} // namespace lockstep
