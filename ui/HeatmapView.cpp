#include "HeatmapView.h"

#include "PlotTheme.h"
#include "UiFormat.h"

#include <QLabel>
#include <QMouseEvent>
#include <QToolTip>
#include <QVBoxLayout>
#include <qcustomplot.h>

#include <cmath>
#include <limits>

namespace lockstep::ui {

namespace {
QString orderName(ParentOrder order)
{
    switch (order) {
    case ParentOrder::ById: return QStringLiteral("parents sorted by Id");
    case ParentOrder::ByChildren: return QStringLiteral("parents, most children first");
    case ParentOrder::ByFirstRow: return QStringLiteral("parents in order of first appearance");
    }
    return {};
}
} // namespace

HeatmapView::HeatmapView(QWidget *parent)
    : QWidget(parent), m_plot(new QCustomPlot(this)), m_caption(new QLabel(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_caption->setWordWrap(true);
    layout->addWidget(m_caption);
    layout->addWidget(m_plot, 1);

    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    m_plot->axisRect()->setupFullAxesBox(true);
    m_plot->xAxis->setLabel(QStringLiteral("batch (send order)"));
    m_plot->yAxis->setLabel(QStringLiteral("parent"));
    m_plot->yAxis->setRangeReversed(true);   // first parents at the top, like a table
    m_map = new QCPColorMap(m_plot->xAxis, m_plot->yAxis);
    m_map->setInterpolate(false);
    m_map->setTightBoundary(true);
    m_scale = new QCPColorScale(m_plot);
    m_plot->plotLayout()->addElement(0, 1, m_scale);
    m_scale->setType(QCPAxis::atRight);
    m_scale->axis()->setLabel(QStringLiteral("rows in cell"));
    m_map->setColorScale(m_scale);
    // Log colours: one house account cell of 300 rows and a thousand cells of 1 row both readable.
    m_scale->setDataScaleType(QCPAxis::stLogarithmic);
    m_scale->axis()->setTicker(QSharedPointer<QCPAxisTickerLog>(new QCPAxisTickerLog));
    QCPColorGradient gradient(QCPColorGradient::gpThermal);
    gradient.setNanHandling(QCPColorGradient::nhTransparent);
    m_map->setGradient(gradient);
    auto *margins = new QCPMarginGroup(m_plot);
    m_plot->axisRect()->setMarginGroup(QCP::msBottom | QCP::msTop, margins);
    m_scale->setMarginGroup(QCP::msBottom | QCP::msTop, margins);

    m_plot->setMouseTracking(true);
    m_plot->installEventFilter(this);
    clear();
    PlotTheme::follow(m_plot);   // the desktop's light or dark palette
}

void HeatmapView::clear()
{
    m_result = {};
    m_map->data()->setSize(1, 1);
    m_map->data()->setCell(0, 0, std::numeric_limits<double>::quiet_NaN());
    m_caption->setText(tr("Open a CSV file (File → Open, or drop it here) to see how its rows spread over parent records."));
    m_plot->replot();
}

void HeatmapView::showResult(const HeatmapResult &result)
{
    m_result = result;
    const HeatmapGrid &grid = *result.grid;
    auto *data = m_map->data();
    data->setSize(grid.columns(), grid.rows());
    data->setRange(QCPRange(0, std::max(1, grid.columns() - 1)), QCPRange(0, std::max(1, grid.rows() - 1)));
    const double nan = std::numeric_limits<double>::quiet_NaN();
    m_laneColours = grid.hasLanes();
    int lanes = 0;
    if (m_laneColours)
        for (int y = 0; y < grid.rows(); ++y)
            for (int x = 0; x < grid.columns(); ++x)
                lanes = std::max(lanes, grid.cellLane(x, y) + 1);
    for (int y = 0; y < grid.rows(); ++y)
        for (int x = 0; x < grid.columns(); ++x) {
            const auto v = grid.cell(x, y);
            if (!v) {
                data->setCell(x, y, nan);
            } else if (m_laneColours) {
                // 1 = the shared queue of key-disjoint batches, 2.. = serial lane 1, 2, …
                const int lane = grid.cellLane(x, y);
                data->setCell(x, y, lane >= 0 ? double(lane + 2) : 1.0);
            } else {
                data->setCell(x, y, double(v));
            }
        }
    if (m_laneColours) {
        QCPColorGradient gradient;
        gradient.clearColorStops();
        static const QColor palette[] = {QColor(70, 130, 180), QColor(31, 119, 180), QColor(148, 103, 189),
                                         QColor(23, 190, 207), QColor(140, 86, 75), QColor(227, 119, 194)};
        const int levels = lanes + 1;
        gradient.setColorStopAt(0, palette[0]);
        for (int i = 1; i < levels; ++i)
            gradient.setColorStopAt(double(i) / std::max(1, levels - 1), i == 1 ? QColor(214, 39, 40) : palette[size_t(i) % std::size(palette)]);
        gradient.setLevelCount(std::max(2, levels));
        gradient.setNanHandling(QCPColorGradient::nhTransparent);
        m_map->setGradient(gradient);
        m_scale->setDataScaleType(QCPAxis::stLinear);
        m_scale->axis()->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
        m_scale->axis()->setLabel(tr("1 = shared queue, 2… = serial lanes"));
        m_map->setDataRange(QCPRange(1, std::max(2, levels)));
    } else {
        QCPColorGradient gradient(QCPColorGradient::gpThermal);
        gradient.setNanHandling(QCPColorGradient::nhTransparent);
        m_map->setGradient(gradient);
        m_scale->setDataScaleType(QCPAxis::stLogarithmic);
        m_scale->axis()->setTicker(QSharedPointer<QCPAxisTickerLog>(new QCPAxisTickerLog));
        m_scale->axis()->setLabel(tr("rows in cell"));
        m_map->setDataRange(QCPRange(1, std::max<double>(2, grid.maxCell())));
    }
    const QString sendOrder = result.order.label.isEmpty() ? tr("file order") : result.order.label;
    m_plot->xAxis->setLabel(grid.batchesPerColumn() > 1
                                ? tr("batch, as sent (%1; each column = %2 batches)").arg(sendOrder).arg(grid.batchesPerColumn())
                                : result.order.batchStarts ? tr("batch, as sent (%1)").arg(sendOrder)
                                                           : tr("batch, as sent (%1; %2 rows each)").arg(sendOrder, grouped(grid.batchSize())));
    m_plot->yAxis->setLabel(grid.maxParentsPerRow() > 1
                                ? tr("%1 (each row = %2 parents; skewed ones alone)").arg(orderName(grid.order())).arg(grid.maxParentsPerRow())
                                : orderName(grid.order()));
    QString caption = tr("<b>%1 parents × %2 batches</b> (%3). ").arg(grouped(grid.parents()), grouped(grid.batches()), sendOrder.toHtmlEscaped());
    if (m_laneColours)
        caption += tr("Colour = lane: blue batches share no parent with each other, so any of them may run side by "
                      "side; each skewed parent's rows run one batch at a time on a serial lane of their own.");
    else
        caption += tr("A parent lit in several columns has children in several batches: parallel batches can lock it "
                      "at the same time. %1 parents span more than one batch.")
                       .arg(grouped(result.spread.parentsInSeveralBatches));
    m_caption->setText(caption);
    m_highlightRow = -1;
    m_plot->clearItems();
    annotateSkewedParents();
    resetView();
}

void HeatmapView::annotateSkewedParents()
{
    // Name the skewed parents on their rows: a 2-pixel line is easy to miss, a label is not.
    const HeatmapGrid &grid = *m_result.grid;
    const auto &skewed = m_result.analysis->distribution.skewedParents();
    for (size_t i = 0; i < std::min<size_t>(skewed.size(), 3); ++i) {
        const int row = grid.rowOfKey(skewed[i].key);
        if (row < 0)
            continue;
        auto *label = new QCPItemText(m_plot);
        label->position->setTypeX(QCPItemPosition::ptAxisRectRatio);
        label->position->setTypeY(QCPItemPosition::ptPlotCoords);
        // Hang the label just below the row (above it in the lower half), never over it.
        const bool upperHalf = row < grid.rows() / 2;
        label->position->setCoords(0.01, upperHalf ? row + 0.5 : row - 0.5);
        label->setPositionAlignment(Qt::AlignLeft | (upperHalf ? Qt::AlignTop : Qt::AlignBottom));
        label->setText(tr("skewed: %1 (%2 children)").arg(m_result.analysis->keys.keyLabel(skewed[i].key), grouped(skewed[i].children)));
        label->setColor(Qt::white);
        label->setBrush(QColor(150, 20, 20, 200));
        label->setPadding(QMargins(4, 1, 4, 1));
        label->setClipToAxisRect(true);
    }
}

void HeatmapView::resetView()
{
    if (!m_result.grid) {
        m_plot->replot();
        return;
    }
    m_plot->xAxis->setRange(-0.5, m_result.grid->columns() - 0.5);
    m_plot->yAxis->setRange(-0.5, m_result.grid->rows() - 0.5);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void HeatmapView::highlightParent(std::uint32_t key)
{
    if (!m_result.grid)
        return;
    m_plot->clearItems();
    annotateSkewedParents();
    m_highlightRow = m_result.grid->rowOfKey(key);
    if (m_highlightRow >= 0) {
        auto *band = new QCPItemRect(m_plot);
        band->topLeft->setCoords(-0.5, m_highlightRow - 0.5);
        band->bottomRight->setCoords(m_result.grid->columns() - 0.5, m_highlightRow + 0.5);
        band->setPen(QPen(QColor(0, 160, 255), 1.5));
        band->setBrush(Qt::NoBrush);
    }
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

double HeatmapView::cellValue(int column, int row) const
{
    const double v = m_map->data()->cell(column, row);
    return std::isnan(v) ? 0.0 : v;
}

bool HeatmapView::cellAtPixel(const QPoint &pixel, int &column, int &row) const
{
    if (!m_result.grid || !m_plot->axisRect()->rect().contains(pixel))
        return false;
    const double x = m_plot->xAxis->pixelToCoord(pixel.x());
    const double y = m_plot->yAxis->pixelToCoord(pixel.y());
    column = int(std::lround(x));
    row = int(std::lround(y));
    return column >= 0 && row >= 0 && column < m_result.grid->columns() && row < m_result.grid->rows();
}

QString HeatmapView::describeCell(int column, int row) const
{
    if (!m_result.grid || !m_result.analysis)
        return {};
    const HeatmapGrid &grid = *m_result.grid;
    const LockKeys &keys = m_result.analysis->keys;
    const auto d = grid.detail(keys, column, row);
    QString text = d.firstBatch == d.lastBatch ? tr("Batch %1").arg(d.firstBatch + 1)
                                               : tr("Batches %1–%2").arg(d.firstBatch + 1).arg(d.lastBatch + 1);
    if (!m_result.order.rows) {
        const qint64 firstRow = d.firstBatch * grid.batchSize() + 1;
        const qint64 lastRow = std::min(keys.rowCount(), (d.lastBatch + 1) * qint64(grid.batchSize()));
        text += tr(" (file rows %1–%2)").arg(grouped(firstRow), grouped(lastRow));
    }
    if (m_laneColours) {
        const int lane = grid.cellLane(column, row);
        text += lane >= 0 ? tr(", serial lane %1").arg(lane + 1) : tr(", shared queue");
    }
    const QString firstParent = keys.keyLabel(grid.parentAtRank(d.firstRank));
    if (d.firstRank == d.lastRank)
        text += tr("\nParent %1 %2").arg(keys.keyObject(grid.parentAtRank(d.firstRank)), firstParent);
    else
        text += tr("\nParents %1–%2 (%3 parents)").arg(shortId(firstParent), shortId(keys.keyLabel(grid.parentAtRank(d.lastRank))))
                    .arg(d.lastRank - d.firstRank + 1);
    text += tr("\n%1 rows").arg(grouped(d.rows));
    if (d.topParent != LockKeys::npos && d.firstRank != d.lastRank)
        text += tr("; heaviest parent %1 with %2").arg(keys.keyLabel(d.topParent), grouped(d.topParentRows));
    return text;
}

bool HeatmapView::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_plot) {
        if (event->type() == QEvent::MouseMove) {
            const auto *mouse = static_cast<QMouseEvent *>(event);
            int column = 0, row = 0;
            if (cellAtPixel(mouse->position().toPoint(), column, row)) {
                const QString text = describeCell(column, row);
                QToolTip::showText(mouse->globalPosition().toPoint(), text, m_plot);
                emit hovered(text);
            } else {
                QToolTip::hideText();
            }
        } else if (event->type() == QEvent::MouseButtonDblClick) {
            resetView();
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

} // namespace lockstep::ui
