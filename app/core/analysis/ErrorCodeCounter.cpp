#include "analysis/ErrorCodeCounter.h"

#include <map>
#include <string>

namespace lockstep {

namespace {
class CounterSink : public RowSink {
public:
    void row(std::span<const std::string_view> values) override
    {
        const std::string_view text = values.empty() ? std::string_view() : values[0];
        if (text.empty())
            return;
        // The code is the leading upper-case token: "CODE:message" (Bulk, Data Loader).
        size_t n = 0;
        while (n < text.size() && n < 64 && ((text[n] >= 'A' && text[n] <= 'Z') || text[n] == '_' ||
                                             (text[n] >= '0' && text[n] <= '9')))
            ++n;
        const std::string code = n >= 3 ? std::string(text.substr(0, n)) : std::string("OTHER");
        ++counts[code];
    }
    std::map<std::string, qint64> counts;
};
} // namespace

std::unique_ptr<RowSink> ErrorCodeCounter::createSink()
{
    return std::make_unique<CounterSink>();
}

void ErrorCodeCounter::finish(std::vector<std::unique_ptr<RowSink>> sinks)
{
    for (const auto &s : sinks)
        for (const auto &[code, n] : static_cast<const CounterSink &>(*s).counts)
            m_counts[QString::fromStdString(code)] += n;
}

QString ErrorCodeCounter::codeOf(std::string_view errorText)
{
    CounterSink sink;
    const std::string_view values[] = {errorText};
    sink.row(values);
    return sink.counts.empty() ? QString() : QString::fromStdString(sink.counts.begin()->first);
}

} // namespace lockstep
