#pragma once

#include "AnalysisController.h"
#include "analysis/HeatmapGrid.h"

#include <QObject>

#include <memory>

namespace lockstep::ui {

class BackgroundTask;

// The order rows are sent in, and a plan's own batches: null pointers mean file order and
// batches of HeatmapOptions::batchSize. Shared, so workers can read them while the plan lives.
struct SendOrder {
    std::shared_ptr<const std::vector<std::uint32_t>> rows;
    std::shared_ptr<const std::vector<std::uint64_t>> batchStarts;
    std::shared_ptr<const std::vector<int>> batchLanes;   // colour by lane (lanes plans)
    QString label;                                         // "Parent-aware lanes", for captions
};

struct HeatmapResult {
    AnalysisPtr analysis;                 // keeps the keys the grid refers to alive
    std::shared_ptr<const HeatmapGrid> grid;
    SendOrder order;
    BatchSpread spread;
};

// Computes the heatmap grid and batch spread for (analysis, batch size, parent order) on a
// worker (a BackgroundTask); a newer request makes an older result stale.
class HeatmapBuilder : public QObject {
    Q_OBJECT
public:
    explicit HeatmapBuilder(QObject *parent = nullptr);

    // `order` (a plan's send order and batches) is kept alive for the worker; its pointers
    // replace the spans of `options`.
    void request(AnalysisPtr analysis, HeatmapOptions options, SendOrder order = {});
    bool isBusy() const;
    const HeatmapResult &latest() const { return m_latest; }

signals:
    void ready(const lockstep::ui::HeatmapResult &result);

private:
    BackgroundTask *m_task;
    HeatmapResult m_latest;
};

} // namespace lockstep::ui

Q_DECLARE_METATYPE(lockstep::ui::HeatmapResult)
