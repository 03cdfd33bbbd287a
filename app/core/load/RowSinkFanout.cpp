#include "load/RowSinkFanout.h"

namespace lockstep {

namespace {
class FanoutSink : public RowSink {
public:
    void row(std::span<const std::string_view> values) override
    {
        size_t offset = 0;
        for (size_t i = 0; i < parts.size(); ++i) {
            parts[i]->row(values.subspan(offset, widths[i]));
            offset += widths[i];
        }
    }
    std::vector<std::unique_ptr<RowSink>> parts;
    std::vector<size_t> widths;
};
} // namespace

std::vector<int> RowSinkFanout::columns() const
{
    std::vector<int> all;
    for (auto *f : m_factories) {
        const auto c = f->columns();
        all.insert(all.end(), c.begin(), c.end());
    }
    return all;
}

std::unique_ptr<RowSink> RowSinkFanout::createSink()
{
    auto sink = std::make_unique<FanoutSink>();
    for (auto *f : m_factories) {
        sink->parts.push_back(f->createSink());
        sink->widths.push_back(f->columns().size());
    }
    return sink;
}

void RowSinkFanout::finish(std::vector<std::unique_ptr<RowSink>> sinks)
{
    for (size_t i = 0; i < m_factories.size(); ++i) {
        std::vector<std::unique_ptr<RowSink>> mine;
        for (auto &s : sinks)
            mine.push_back(std::move(static_cast<FanoutSink &>(*s).parts[i]));
        m_factories[i]->finish(std::move(mine));
    }
}

} // namespace lockstep
