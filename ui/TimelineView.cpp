#include "TimelineView.h"

#include "PlotTheme.h"
#include "UiFormat.h"
#include "UiTime.h"

#include <QLabel>
#include <QVBoxLayout>
#include <qcustomplot.h>

#include <cmath>
#include <limits>
#include <map>

namespace lockstep::ui {

namespace {
const QColor kClean(70, 150, 90);
const QColor kFailed(210, 60, 40);
QColor laneColour(int lane)
{
    static const QColor palette[] = {QColor(31, 119, 180), QColor(148, 103, 189), QColor(23, 190, 207),
                                     QColor(140, 86, 75), QColor(227, 119, 194), QColor(188, 189, 34)};
    return palette[size_t(lane) % std::size(palette)];
}
} // namespace

TimelineView::TimelineView(QWidget *parent) : QWidget(parent), m_caption(new QLabel(this)), m_plot(new QCustomPlot(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_caption->setWordWrap(true);
    m_caption->setTextFormat(Qt::RichText);
    layout->addWidget(m_caption);
    layout->addWidget(m_plot, 1);
    m_plot->xAxis->setLabel(tr("time (s)"));
    m_plot->yAxis->setLabel(tr("worker"));
    m_plot->yAxis->setRangeReversed(true);
    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    m_plot->axisRect()->setRangeZoom(Qt::Horizontal);
    m_plot->axisRect()->setRangeDrag(Qt::Horizontal);
    // The legend in one row above the plot, where it hides no batch.
    m_plot->legend->setVisible(true);
    m_plot->legend->setFont(QFont(font().family(), 8));
    m_plot->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    m_plot->legend->setBorderPen(Qt::NoPen);
    auto *legendRow = new QCPLayoutGrid;
    m_plot->plotLayout()->insertRow(0);
    m_plot->plotLayout()->addElement(0, 0, legendRow);
    legendRow->addElement(0, 0, m_plot->legend);
    legendRow->setMargins(QMargins(0, 0, 0, 0));
    m_plot->plotLayout()->setRowStretchFactor(0, 0.001);
    clear();
    PlotTheme::follow(m_plot);   // the desktop's light or dark palette
}

QString TimelineView::captionText() const
{
    return m_caption->text();
}

void TimelineView::clear()
{
    m_plot->clearPlottables();
    m_plot->clearItems();
    m_drawnBatches = m_drawnEvents = 0;
    m_caption->setText(tr("<b>Timeline</b> of the predicted run: choose a mitigation."));
    m_plot->replot();
}

void TimelineView::showResult(const PlanResult &result)
{
    m_plot->clearPlottables();
    m_plot->clearItems();
    m_drawnBatches = m_drawnEvents = 0;
    const Plan &plan = *result.plan;
    const Prediction &p = *result.prediction;
    const double nan = std::numeric_limits<double>::quiet_NaN();

    // Batches: thick segments per colour in a QCPCurve (it keeps insertion order, unlike a
    // graph, and breaks at NaN), so thousands of batches stay a handful of plottables.
    struct Series {
        QCPCurve *curve = nullptr;
        double t = 0;
    };
    std::map<QString, Series> series;
    auto seriesFor = [&](const QString &name, const QColor &colour) -> Series & {
        Series &s = series[name];
        if (!s.curve) {
            s.curve = new QCPCurve(m_plot->xAxis, m_plot->yAxis);
            s.curve->setName(name);
            s.curve->setPen(QPen(colour, 9, Qt::SolidLine, Qt::FlatCap));
            s.curve->setLineStyle(QCPCurve::lsLine);
        }
        return s;
    };
    const bool lanes = !plan.lanes.empty() && plan.mitigation.scheduling == Scheduling::Lanes;
    int workers = std::max(1, plan.concurrency);
    for (size_t b = 0; b < p.batches.size() && b < plan.batches.size(); ++b) {
        const BatchRun &run = p.batches[b];
        if (run.start < 0 || run.end < 0)
            continue;
        workers = std::max(workers, run.worker + 1);
        const int lane = plan.batches[b].lane;
        Series &s = run.lockErrors > 0 ? seriesFor(tr("batch with lock errors"), kFailed)
                    : lanes && lane >= 0 ? seriesFor(tr("serial lane %1").arg(lane + 1), laneColour(lane))
                                         : seriesFor(tr("clean batch"), kClean);
        // A hair of space at the end keeps back-to-back batches apart.
        const double gap = std::min(0.15, (run.end - run.start) * 0.04);
        s.curve->addData(s.t++, run.start, run.worker);
        s.curve->addData(s.t++, std::max(run.start, run.end - gap), run.worker);
        s.curve->addData(s.t++, nan, nan);
        ++m_drawnBatches;
    }

    // Events: waits, deadlocks, timeouts, re-queues.
    auto eventSeries = [&](const QString &name, QCPScatterStyle::ScatterShape shape, const QColor &colour, double size) {
        auto *graph = new QCPGraph(m_plot->xAxis, m_plot->yAxis);
        graph->setName(name);
        graph->setLineStyle(QCPGraph::lsNone);
        graph->setScatterStyle(QCPScatterStyle(shape, colour, size));
        return graph;
    };
    QCPGraph *waits = eventSeries(tr("lock wait"), QCPScatterStyle::ssDot, QColor(240, 180, 0), 4);
    QCPGraph *deadlocks = eventSeries(tr("deadlock"), QCPScatterStyle::ssCross, kFailed, 7);
    QCPGraph *timeouts = eventSeries(tr("10 s timeout"), QCPScatterStyle::ssDiamond, kFailed, 7);
    QCPGraph *requeues = eventSeries(tr("batch re-queued"), QCPScatterStyle::ssTriangle, QColor(230, 120, 0), 7);
    for (const TimelineEvent &e : p.timeline) {
        const double y = e.worker - 0.32;
        switch (e.kind) {
        case TimelineEvent::Kind::Wait: waits->addData(e.time, y); break;
        case TimelineEvent::Kind::Deadlock: deadlocks->addData(e.time, y); break;
        case TimelineEvent::Kind::Timeout: timeouts->addData(e.time, y); break;
        case TimelineEvent::Kind::Requeue: requeues->addData(e.time, y); break;
        }
        ++m_drawnEvents;
    }
    for (QCPGraph *g : {waits, deadlocks, timeouts, requeues})
        if (g->dataCount() == 0)
            m_plot->removeGraph(g);

    QSharedPointer<QCPAxisTickerFixed> ticker(new QCPAxisTickerFixed);
    ticker->setTickStep(workers > 30 ? 5 : 1);
    ticker->setScaleStrategy(QCPAxisTickerFixed::ssNone);
    m_plot->yAxis->setTicker(ticker);
    m_plot->yAxis->setRange(-0.8, workers - 0.2);
    m_plot->xAxis->setRange(0, std::max(1.0, p.durationSeconds * 1.02));
    // One run of several: say which, and that the plan's figure is the mean.
    m_caption->setText(tr("<b>Timeline</b> of seed %5, the run closest to the mean (%6 lock errors, %3; the plan's "
                          "figure: %7 in %8): %1 batches on %2 workers%4")
                           .arg(grouped(m_drawnBatches))
                           .arg(workers)
                           .arg(duration(p.durationSeconds))
                           .arg(p.timelineTruncated ? tr(" (events truncated)") : QString())
                           .arg(p.seed)
                           .arg(grouped(p.lockErrorRows))
                           .arg(errorsWithSpread(result.summary.lockErrorRows, result.summary.lockErrorRowsSd, result.summary.runs),
                                duration(result.summary.durationSeconds)));
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

} // namespace lockstep::ui
