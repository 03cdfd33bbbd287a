#include "analysis/ErrorCodeCounter.h"

#include <algorithm>
#include <map>
#include <string>

namespace lockstep {

namespace {
class CounterSink : public RowSink {
public:
    void row(std::span<const std::string_view> values) override
    {
        const std::string_view text = values.empty() ? std::string_view() : values[0];
        if (text.empty()) {
            rowCodes.push_back(ErrorCodeCounter::kNoError);
            return;
        }
        // The code is the leading upper-case token: "CODE:message" (Bulk, Data Loader).
        size_t n = 0;
        while (n < text.size() && n < 64 && ((text[n] >= 'A' && text[n] <= 'Z') || text[n] == '_' ||
                                             (text[n] >= '0' && text[n] <= '9')))
            ++n;
        const std::string code = n >= 3 ? std::string(text.substr(0, n)) : std::string("OTHER");
        ++counts[code];
        // A chunk's own numbering of its codes; finish() maps it to the file's.
        auto [it, added] = local.try_emplace(code, std::uint16_t(local.size()));
        if (added)
            localNames.push_back(code);
        rowCodes.push_back(it->second);
    }
    std::map<std::string, qint64> counts;
    std::map<std::string, std::uint16_t> local;
    std::vector<std::string> localNames;
    std::vector<std::uint16_t> rowCodes;
};
} // namespace

std::unique_ptr<RowSink> ErrorCodeCounter::createSink()
{
    return std::make_unique<CounterSink>();
}

void ErrorCodeCounter::finish(std::vector<std::unique_ptr<RowSink>> sinks)
{
    for (const auto &s : sinks) {
        const auto &sink = static_cast<const CounterSink &>(*s);
        for (const auto &[code, n] : sink.counts)
            m_counts[QString::fromStdString(code)] += n;
        std::vector<std::uint16_t> toFile(sink.localNames.size());
        for (size_t i = 0; i < sink.localNames.size(); ++i) {
            const QString name = QString::fromStdString(sink.localNames[i]);
            qsizetype at = m_codeNames.indexOf(name);
            if (at < 0) {
                at = m_codeNames.size();
                m_codeNames << name;
            }
            toFile[i] = std::uint16_t(std::min<qsizetype>(at, kNoError - 1));
        }
        for (const std::uint16_t c : sink.rowCodes)
            m_rowCodes.push_back(c == kNoError ? kNoError : toFile[c]);
    }
}

QString ErrorCodeCounter::codeOf(std::string_view errorText)
{
    CounterSink sink;
    const std::string_view values[] = {errorText};
    sink.row(values);
    return sink.counts.empty() ? QString() : QString::fromStdString(sink.counts.begin()->first);
}

} // namespace lockstep
