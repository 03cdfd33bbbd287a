#include "HeatmapBuilder.h"

#include "BackgroundTask.h"

namespace lockstep::ui {

HeatmapBuilder::HeatmapBuilder(QObject *parent) : QObject(parent), m_task(new BackgroundTask(this))
{
    qRegisterMetaType<HeatmapResult>();
}

bool HeatmapBuilder::isBusy() const
{
    return m_task->isBusy();
}

void HeatmapBuilder::request(AnalysisPtr analysis, HeatmapOptions options, SendOrder order)
{
    if (!analysis)
        return;
    options.sendOrder = order.rows ? std::span<const std::uint32_t>(*order.rows) : std::span<const std::uint32_t>();
    options.batchStarts = order.batchStarts ? std::span<const std::uint64_t>(*order.batchStarts) : std::span<const std::uint64_t>();
    options.batchLanes = order.batchLanes ? std::span<const int>(*order.batchLanes) : std::span<const int>();
    m_task->start(
        [analysis, options, order](const BackgroundRun &) {
            HeatmapResult result;
            result.analysis = analysis;
            result.order = order;
            result.grid = std::make_shared<const HeatmapGrid>(HeatmapGrid::compute(analysis->keys, analysis->distribution, options));
            result.spread = BatchSpread::compute(analysis->keys, options.batchSize, options.sendOrder, options.batchStarts);
            return result;
        },
        [this](HeatmapResult result) {
            m_latest = std::move(result);
            emit ready(m_latest);
        });
}

} // namespace lockstep::ui
