#pragma once

#include "load/LoadFile.h"

#include <QMap>
#include <QStringList>

#include <cstdint>
#include <vector>

namespace lockstep {

// Counts the Salesforce status codes in the error column of a result file
// ("UNABLE_TO_LOCK_ROW:unable to obtain exclusive access..." → UNABLE_TO_LOCK_ROW), so support
// sees at once whether a failed job failed on locks or on something else.
class ErrorCodeCounter : public RowSinkFactory {
public:
    explicit ErrorCodeCounter(int errorColumn) : m_column(errorColumn) {}

    std::vector<int> columns() const override { return {m_column}; }
    std::unique_ptr<RowSink> createSink() override;
    void finish(std::vector<std::unique_ptr<RowSink>> sinks) override;

    const QMap<QString, qint64> &counts() const { return m_counts; }
    // Per row, in file order: an index into codes(), or kNoError when its error cell is empty
    // (a succeeded row of a result file that has both).
    static constexpr std::uint16_t kNoError = 0xFFFF;
    const std::vector<std::uint16_t> &rowCodes() const { return m_rowCodes; }
    const QStringList &codes() const { return m_codeNames; }
    static QString codeOf(std::string_view errorText);

private:
    int m_column;
    QMap<QString, qint64> m_counts;
    std::vector<std::uint16_t> m_rowCodes;
    QStringList m_codeNames;
};

} // namespace lockstep
