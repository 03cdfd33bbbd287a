#include "PlotTheme.h"

#include <QEvent>
#include <QPalette>
#include <qcustomplot.h>

namespace lockstep::ui::PlotTheme {

namespace {

// Re-colours its plot when the palette changes (the desktop switched theme, or the app did).
class PaletteFollower : public QObject {
public:
    explicit PaletteFollower(QCustomPlot *plot) : QObject(plot), m_plot(plot) { m_plot->installEventFilter(this); }

protected:
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (watched == m_plot && event->type() == QEvent::PaletteChange) {
            apply(m_plot, m_plot->palette());
            m_plot->replot(QCustomPlot::rpQueuedReplot);
        }
        return false;
    }

private:
    QCustomPlot *m_plot;
};

} // namespace

void apply(QCustomPlot *plot, const QPalette &palette)
{
    const QColor base = palette.color(QPalette::Base);
    const QColor text = palette.color(QPalette::Text);
    QColor grid = text;
    grid.setAlpha(40);
    QColor subGrid = text;
    subGrid.setAlpha(18);
    auto colourAxis = [&](QCPAxis *axis) {
        axis->setBasePen(QPen(text, 1));
        axis->setTickPen(QPen(text, 1));
        axis->setSubTickPen(QPen(text, 1));
        axis->setLabelColor(text);
        axis->setTickLabelColor(text);
        axis->grid()->setPen(QPen(grid, 1, Qt::DotLine));
        axis->grid()->setSubGridPen(QPen(subGrid, 1, Qt::DotLine));
        axis->grid()->setZeroLinePen(QPen(grid, 1));
    };
    plot->setBackground(base);
    for (QCPAxisRect *rect : plot->axisRects()) {
        rect->setBackground(base);
        for (QCPAxis *axis : rect->axes())
            colourAxis(axis);
    }
    // Titles, colour scales (the heatmap's) and legends may sit in nested layouts.
    for (QCPLayoutElement *element : plot->plotLayout()->elements(true)) {
        if (auto *title = qobject_cast<QCPTextElement *>(element))
            title->setTextColor(text);
        else if (auto *scale = qobject_cast<QCPColorScale *>(element))
            colourAxis(scale->axis());
        else if (auto *legend = qobject_cast<QCPLegend *>(element)) {
            legend->setBrush(base);
            legend->setTextColor(text);
        }
    }
    if (plot->legend) {
        plot->legend->setBrush(base);
        plot->legend->setTextColor(text);
    }
}

void follow(QCustomPlot *plot)
{
    apply(plot, plot->palette());
    new PaletteFollower(plot);
}

} // namespace lockstep::ui::PlotTheme
