#include "HeatmapBuilder.h"

#include <QPointer>
#include <QtConcurrent>

namespace lockstep::ui {

HeatmapBuilder::HeatmapBuilder(QObject *parent) : QObject(parent)
{
    qRegisterMetaType<HeatmapResult>();
}

void HeatmapBuilder::request(AnalysisPtr analysis, HeatmapOptions options, SendOrder order)
{
    if (!analysis)
        return;
    const quint64 generation = ++m_generation;
    m_busy = true;
    QPointer<HeatmapBuilder> self(this);
    options.sendOrder = order.rows ? std::span<const std::uint32_t>(*order.rows) : std::span<const std::uint32_t>();
    options.batchStarts = order.batchStarts ? std::span<const std::uint64_t>(*order.batchStarts) : std::span<const std::uint64_t>();
    options.batchLanes = order.batchLanes ? std::span<const int>(*order.batchLanes) : std::span<const int>();
    (void)QtConcurrent::run([self, analysis, options, order, generation] {
        HeatmapResult result;
        result.analysis = analysis;
        result.order = order;
        result.grid = std::make_shared<const HeatmapGrid>(
            HeatmapGrid::compute(analysis->keys, analysis->distribution, options));
        result.spread = BatchSpread::compute(analysis->keys, options.batchSize, options.sendOrder, options.batchStarts);
        QMetaObject::invokeMethod(
            self.data(),
            [self, generation, result] {
                if (!self || generation != self->m_generation)
                    return;
                self->m_busy = false;
                self->m_latest = result;
                emit self->ready(result);
            },
            Qt::QueuedConnection);
    });
}

} // namespace lockstep::ui
