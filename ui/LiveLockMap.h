#pragma once

#include "AnalysisController.h"
#include "analysis/HeatmapGrid.h"
#include "store/JobStore.h"

#include <QWidget>

#include <memory>
#include <unordered_set>
#include <vector>

class QCustomPlot;
class QCPColorMap;
class QCPColorScale;
class QLabel;

namespace lockstep::ui {

// Lock errors as they happen: parents (the rows of the analysis heatmap, skewed parents alone)
// × seconds since the run began, colour = rows refused with UNABLE_TO_LOCK_ROW in that moment.
// A parallel load on a house account lights its row red from the first seconds; a lanes run
// stays dark. Fed with the job store's lock errors as the run controller samples them.
class LiveLockMap : public QWidget {
    Q_OBJECT
public:
    explicit LiveLockMap(QWidget *parent = nullptr);

    // A new run: parents laid out as `grid` lays them out (any grid of `analysis`).
    void reset(AnalysisPtr analysis, std::shared_ptr<const HeatmapGrid> grid);
    // The job's lock errors so far (every one, as the store lists them) at `seconds` into the run
    // (the org's seconds: a demo org's time runs faster):
    // those not seen before are added to that moment's column.
    void addSample(double seconds, const std::vector<LockErrorRow> &lockErrors);

    qint64 totalErrors() const { return m_total; }
    int parentRowsHit() const;
    double cellValue(int column, int row) const;   // lock errors drawn in a cell
    int columns() const { return int(m_columns.size()); }
    double secondsPerColumn() const { return m_secondsPerColumn; }
    QString describeCell(int column, int row) const;
    QCustomPlot *plot() const { return m_plot; }

signals:
    void hovered(const QString &description);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void redraw();
    void updateCaption();

    QCustomPlot *m_plot;
    QCPColorMap *m_map;
    QCPColorScale *m_scale;
    QLabel *m_caption;
    AnalysisPtr m_analysis;
    std::shared_ptr<const HeatmapGrid> m_grid;
    std::vector<std::vector<std::uint32_t>> m_columns;   // per time column, lock errors per grid row
    std::vector<qint64> m_rowTotals;
    double m_secondsPerColumn = 1;
    std::unordered_set<qint64> m_seen;                   // file rows already counted
    qint64 m_total = 0;
    double m_seconds = 0;   // the latest sample's time
};

} // namespace lockstep::ui
