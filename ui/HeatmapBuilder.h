#pragma once

#include "AnalysisController.h"
#include "analysis/HeatmapGrid.h"

#include <QObject>

#include <memory>

namespace lockstep::ui {

struct HeatmapResult {
    AnalysisPtr analysis;                 // keeps the keys the grid refers to alive
    std::shared_ptr<const HeatmapGrid> grid;
    std::shared_ptr<const std::vector<std::uint32_t>> sendOrder;
    BatchSpread spread;
};

// Computes the heatmap grid and batch spread for (analysis, batch size, parent order) on a
// worker; newer requests make older results stale (generation token).
class HeatmapBuilder : public QObject {
    Q_OBJECT
public:
    explicit HeatmapBuilder(QObject *parent = nullptr);

    // `sendOrder` (rows in the order a plan sends them) is kept alive for the worker; empty =
    // file order. options.sendOrder is ignored in favour of it.
    void request(AnalysisPtr analysis, HeatmapOptions options,
                 std::shared_ptr<const std::vector<std::uint32_t>> sendOrder = {});
    bool isBusy() const { return m_busy; }
    const HeatmapResult &latest() const { return m_latest; }

signals:
    void ready(const lockstep::ui::HeatmapResult &result);

private:
    quint64 m_generation = 0;
    bool m_busy = false;
    HeatmapResult m_latest;
};

} // namespace lockstep::ui

Q_DECLARE_METATYPE(lockstep::ui::HeatmapResult)
