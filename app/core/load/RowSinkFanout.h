#pragma once

#include "load/LoadFile.h"

namespace lockstep {

// Lets several consumers share one scan of a file: each gets its own columns, in its own sinks.
class RowSinkFanout : public RowSinkFactory {
public:
    void add(RowSinkFactory *factory) { m_factories.push_back(factory); }

    std::vector<int> columns() const override;
    std::unique_ptr<RowSink> createSink() override;
    void finish(std::vector<std::unique_ptr<RowSink>> sinks) override;

private:
    std::vector<RowSinkFactory *> m_factories;
};

} // namespace lockstep
