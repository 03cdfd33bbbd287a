#include "HistogramView.h"

#include "PlotTheme.h"
#include "UiFormat.h"

#include <QVBoxLayout>
#include <qcustomplot.h>

#include <cmath>

namespace lockstep::ui {

namespace {
QString powerLabel(int exponent)
{
    // Powers of two in binary units: 1k = 1,024 children, 16k = 16,384.
    const qint64 v = qint64(1) << exponent;
    if (v >= (qint64(1) << 20)) return QStringLiteral("%1M").arg(v >> 20);
    if (v >= 1024) return QStringLiteral("%1k").arg(v >> 10);
    return QString::number(v);
}
} // namespace

HistogramView::HistogramView(QWidget *parent) : QWidget(parent), m_plot(new QCustomPlot(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_plot);
    m_plot->plotLayout()->insertRow(0);
    m_plot->plotLayout()->addElement(0, 0, new QCPTextElement(m_plot, tr("Children per parent"), QFont(font().family(), 10, QFont::Bold)));
    // x: log2 of the children count, so bar i covers [2^i, 2^(i+1)) — a log axis with exact bins.
    m_plot->xAxis->setLabel(tr("children per parent (log scale)"));
    m_plot->yAxis->setLabel(tr("parents"));
    m_plot->yAxis->setScaleType(QCPAxis::stLogarithmic);
    m_plot->yAxis->setTicker(QSharedPointer<QCPAxisTickerLog>(new QCPAxisTickerLog));
    m_bars = new QCPBars(m_plot->xAxis, m_plot->yAxis);
    m_bars->setWidth(0.9);
    m_bars->setBaseValue(0.7);   // bars on a log axis need a base above zero
    m_bars->setPen(Qt::NoPen);
    m_bars->setBrush(QColor(70, 130, 180));
    m_skewedBars = new QCPBars(m_plot->xAxis, m_plot->yAxis);
    m_skewedBars->setWidth(0.9);
    m_skewedBars->setBaseValue(0.7);
    m_skewedBars->setPen(Qt::NoPen);
    m_skewedBars->setBrush(QColor(220, 60, 40));
    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    m_plot->axisRect()->setRangeDrag(Qt::Horizontal);
    m_plot->axisRect()->setRangeZoom(Qt::Horizontal);
    clear();
    PlotTheme::follow(m_plot);   // the desktop's light or dark palette
}

void HistogramView::clear()
{
    m_bars->data()->clear();
    m_skewedBars->data()->clear();
    m_plot->clearItems();
    m_plot->replot();
}

void HistogramView::showDistribution(const Distribution &distribution)
{
    clear();
    const auto &bins = distribution.histogram();
    const double threshold = double(distribution.skewThreshold());
    m_thresholdX = std::log2(threshold + 1.0);
    QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
    double maxParents = 1;
    const int binCount = std::max<int>(int(bins.size()), int(std::ceil(m_thresholdX)) + 1);
    for (int i = 0; i < binCount; ++i) {
        if (i % 2 == 0 || binCount < 12)
            ticker->addTick(i, powerLabel(i));
        if (i >= int(bins.size()))
            continue;
        const auto &bin = bins[size_t(i)];
        if (!bin.parents)
            continue;
        maxParents = std::max(maxParents, double(bin.parents));
        // A bin holding parents above the threshold is drawn red.
        (bin.high > distribution.skewThreshold() ? m_skewedBars : m_bars)->addData(i + 0.5, double(bin.parents));
    }
    m_plot->xAxis->setTicker(ticker);
    m_plot->xAxis->setRange(0, binCount + 0.5);
    m_plot->yAxis->setRange(0.7, maxParents * 2);

    auto *line = new QCPItemStraightLine(m_plot);
    line->point1->setCoords(m_thresholdX, 1);
    line->point2->setCoords(m_thresholdX, 2);
    line->setPen(QPen(QColor(220, 60, 40), 1.5, Qt::DashLine));
    auto *label = new QCPItemText(m_plot);
    label->position->setType(QCPItemPosition::ptPlotCoords);
    label->position->setCoords(m_thresholdX, maxParents * 1.6);
    label->setPositionAlignment(Qt::AlignRight | Qt::AlignTop);
    label->setText(tr("skew: > %1 ").arg(grouped(distribution.skewThreshold())));
    label->setColor(QColor(220, 60, 40));
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

} // namespace lockstep::ui
