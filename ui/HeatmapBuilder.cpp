#include "HeatmapBuilder.h"

#include <QPointer>
#include <QtConcurrent>

namespace lockstep::ui {

HeatmapBuilder::HeatmapBuilder(QObject *parent) : QObject(parent)
{
    qRegisterMetaType<HeatmapResult>();
}

void HeatmapBuilder::request(AnalysisPtr analysis, HeatmapOptions options,
                             std::shared_ptr<const std::vector<std::uint32_t>> sendOrder)
{
    if (!analysis)
        return;
    const quint64 generation = ++m_generation;
    m_busy = true;
    QPointer<HeatmapBuilder> self(this);
    options.sendOrder = sendOrder ? std::span<const std::uint32_t>(*sendOrder) : std::span<const std::uint32_t>();
    (void)QtConcurrent::run([self, analysis, options, sendOrder, generation] {
        HeatmapResult result;
        result.analysis = analysis;
        result.sendOrder = sendOrder;
        result.grid = std::make_shared<const HeatmapGrid>(
            HeatmapGrid::compute(analysis->keys, analysis->distribution, options));
        result.spread = BatchSpread::compute(analysis->keys, options.batchSize, options.sendOrder);
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
