#pragma once

#include "HeatmapBuilder.h"

#include <QWidget>

class QCustomPlot;
class QCPColorMap;
class QCPColorScale;
class QLabel;

namespace lockstep::ui {

// Parents × batches as a QCPColorMap: a parent lit across many batches is one that parallel
// batches will fight over. Hover names the cell's batches, parents and heaviest parent; the
// wheel zooms, dragging pans, a double click shows everything again.
class HeatmapView : public QWidget {
    Q_OBJECT
public:
    explicit HeatmapView(QWidget *parent = nullptr);

    void showResult(const HeatmapResult &result);
    void clear();
    void highlightParent(std::uint32_t key);   // draws a marker on the parent's grid row

    // For tests and the status line: the number of rows in a cell as drawn, and the text a hover shows.
    double cellValue(int column, int row) const;
    QString describeCell(int column, int row) const;
    bool cellAtPixel(const QPoint &pixel, int &column, int &row) const;
    QCustomPlot *plot() const { return m_plot; }
    const HeatmapResult &result() const { return m_result; }

signals:
    void hovered(const QString &description);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void resetView();
    void annotateSkewedParents();

    QCustomPlot *m_plot;
    QCPColorMap *m_map;
    QCPColorScale *m_scale;
    QLabel *m_caption;
    HeatmapResult m_result;
    int m_highlightRow = -1;
    bool m_laneColours = false;
};

} // namespace lockstep::ui
