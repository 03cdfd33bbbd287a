#include "LiveLockMap.h"

#include "PlotTheme.h"
#include "UiFormat.h"
#include "UiTime.h"

#include <QLabel>
#include <QMouseEvent>
#include <QToolTip>
#include <QVBoxLayout>
#include <qcustomplot.h>

#include <cmath>
#include <limits>

namespace lockstep::ui {

namespace {
// More columns than this and two neighbouring moments merge into one (the map stays readable
// over a run of hours).
constexpr int kMaxColumns = 240;
} // namespace

LiveLockMap::LiveLockMap(QWidget *parent)
    : QWidget(parent), m_plot(new QCustomPlot(this)), m_caption(new QLabel(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_caption->setWordWrap(true);
    layout->addWidget(m_caption);
    layout->addWidget(m_plot, 1);
    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    m_plot->axisRect()->setupFullAxesBox(true);
    m_plot->xAxis->setLabel(tr("seconds since the run began (the org's time)"));
    m_plot->yAxis->setLabel(tr("parent"));
    m_plot->yAxis->setRangeReversed(true);
    m_plot->yAxis->setTickLabels(false);
    m_map = new QCPColorMap(m_plot->xAxis, m_plot->yAxis);
    m_map->setInterpolate(false);
    m_map->setTightBoundary(false);
    m_scale = new QCPColorScale(m_plot);
    m_plot->plotLayout()->addElement(0, 1, m_scale);
    m_scale->setType(QCPAxis::atRight);
    m_scale->axis()->setLabel(tr("lock errors"));
    m_map->setColorScale(m_scale);
    QCPColorGradient gradient;
    gradient.clearColorStops();
    gradient.setColorStopAt(0, QColor(255, 200, 120));
    gradient.setColorStopAt(0.5, QColor(230, 80, 40));
    gradient.setColorStopAt(1, QColor(140, 0, 20));
    gradient.setNanHandling(QCPColorGradient::nhTransparent);
    m_map->setGradient(gradient);
    m_scale->setDataScaleType(QCPAxis::stLogarithmic);
    m_scale->axis()->setTicker(QSharedPointer<QCPAxisTickerLog>(new QCPAxisTickerLog));
    m_plot->setMouseTracking(true);
    m_plot->installEventFilter(this);
    setToolTip(tr("Each row is a parent (skewed parents alone); each column a moment of the run. Red: rows the org "
                  "refused because another transaction held that parent's lock."));
    reset(nullptr, nullptr);
    PlotTheme::follow(m_plot);   // the desktop's light or dark palette
}

void LiveLockMap::reset(AnalysisPtr analysis, std::shared_ptr<const HeatmapGrid> grid)
{
    m_analysis = std::move(analysis);
    m_grid = std::move(grid);
    m_columns.clear();
    m_rowTotals.assign(m_grid ? size_t(m_grid->rows()) : 0, 0);
    m_secondsPerColumn = 1;
    m_seen.clear();
    m_total = 0;
    m_seconds = 0;
    redraw();
}

void LiveLockMap::addSample(double seconds, const std::vector<LockErrorRow> &lockErrors)
{
    if (!m_grid || !m_analysis)
        return;
    const LockKeys &keys = m_analysis->keys;
    const size_t columnsBefore = m_columns.size();
    const double widthBefore = m_secondsPerColumn;
    while (seconds / m_secondsPerColumn >= kMaxColumns) {
        // Merge neighbours: the column width doubles.
        std::vector<std::vector<std::uint32_t>> merged((m_columns.size() + 1) / 2, std::vector<std::uint32_t>(size_t(m_grid->rows()), 0));
        for (size_t c = 0; c < m_columns.size(); ++c)
            for (size_t r = 0; r < m_columns[c].size(); ++r)
                merged[c / 2][r] += m_columns[c][r];
        m_columns = std::move(merged);
        m_secondsPerColumn *= 2;
    }
    const size_t column = size_t(std::max(0.0, seconds) / m_secondsPerColumn);
    qint64 added = 0;
    for (const LockErrorRow &e : lockErrors) {
        if (e.row < 0 || e.row >= keys.rowCount() || !m_seen.insert(e.row).second)
            continue;
        if (m_columns.size() <= column)
            m_columns.resize(column + 1, std::vector<std::uint32_t>(size_t(m_grid->rows()), 0));
        ++m_total;
        ++added;
        // A row that locks several parents counts on each of them: any could have been the one held.
        for (const auto key : keys.keysOf(e.row))
            if (const int r = m_grid->rowOfKey(key); r >= 0) {
                ++m_columns[column][size_t(r)];
                ++m_rowTotals[size_t(r)];
            }
    }
    m_seconds = std::max(m_seconds, seconds);
    // Redrawing the map is the costly part of a sample: only when it changed. Otherwise time
    // just moves on along the axis.
    if (added > 0 || m_columns.size() != columnsBefore || m_secondsPerColumn != widthBefore) {
        redraw();
    } else {
        m_plot->xAxis->setRange(0, std::max(10.0, m_seconds));
        m_plot->replot(QCustomPlot::rpQueuedReplot);
    }
}

int LiveLockMap::parentRowsHit() const
{
    return int(std::count_if(m_rowTotals.begin(), m_rowTotals.end(), [](qint64 n) { return n > 0; }));
}

double LiveLockMap::cellValue(int column, int row) const
{
    if (column < 0 || row < 0 || size_t(column) >= m_columns.size() || size_t(row) >= m_columns[size_t(column)].size())
        return 0;
    return m_columns[size_t(column)][size_t(row)];
}

void LiveLockMap::redraw()
{
    const int rows = m_grid ? m_grid->rows() : 1;
    const int cols = std::max(1, int(m_columns.size()));
    auto *data = m_map->data();
    data->setSize(cols, rows);
    data->setRange(QCPRange(0.5 * m_secondsPerColumn, (cols - 0.5) * m_secondsPerColumn), QCPRange(0, std::max(1, rows - 1)));
    const double nan = std::numeric_limits<double>::quiet_NaN();
    std::uint32_t maxCell = 1;
    for (int x = 0; x < cols; ++x)
        for (int y = 0; y < rows; ++y) {
            const double v = cellValue(x, y);
            data->setCell(x, y, v > 0 ? v : nan);
            maxCell = std::max(maxCell, std::uint32_t(v));
        }
    m_map->setDataRange(QCPRange(1, std::max<double>(2, maxCell)));
    m_plot->xAxis->setRange(0, std::max({10.0, cols * m_secondsPerColumn, m_seconds}));
    m_plot->yAxis->setRange(-0.5, rows - 0.5);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
    updateCaption();
}

void LiveLockMap::updateCaption()
{
    if (!m_grid) {
        m_caption->setText(tr("Lock errors show here as they happen, on the parent whose lock was held."));
        return;
    }
    if (m_total == 0) {
        m_caption->setText(tr("<b>No lock error so far.</b> Rows the org refuses because a parent was locked appear here, on "
                              "that parent's row, at the moment they failed."));
        return;
    }
    // The parent row with most errors, named: usually the skewed parent everyone expected.
    const auto top = std::max_element(m_rowTotals.begin(), m_rowTotals.end());
    const int row = int(top - m_rowTotals.begin());
    const auto [first, last] = m_grid->rankRange(row);
    const LockKeys &keys = m_analysis->keys;
    const QString who = first == last ? keys.keyLabel(m_grid->parentAtRank(first))
                                      : tr("parents %1–%2").arg(shortId(keys.keyLabel(m_grid->parentAtRank(first))),
                                                                 shortId(keys.keyLabel(m_grid->parentAtRank(last))));
    m_caption->setText(tr("<b>%1 lock errors so far</b> on %2 parent rows; most on %3 (%4).")
                           .arg(grouped(m_total))
                           .arg(parentRowsHit())
                           .arg(who.toHtmlEscaped(), grouped(*top)));
}

QString LiveLockMap::describeCell(int column, int row) const
{
    if (!m_grid || !m_analysis || row < 0 || row >= m_grid->rows())
        return {};
    const auto [first, last] = m_grid->rankRange(row);
    const LockKeys &keys = m_analysis->keys;
    const QString who = first == last ? tr("Parent %1").arg(keys.keyLabel(m_grid->parentAtRank(first)))
                                      : tr("Parents %1–%2 (%3)").arg(shortId(keys.keyLabel(m_grid->parentAtRank(first))),
                                                                     shortId(keys.keyLabel(m_grid->parentAtRank(last))))
                                            .arg(last - first + 1);
    return tr("%1\n%2–%3 into the run: %4 lock errors (%5 in the whole run)")
        .arg(who, duration(column * m_secondsPerColumn), duration((column + 1) * m_secondsPerColumn))
        .arg(grouped(qint64(cellValue(column, row))), grouped(m_rowTotals[size_t(row)]));
}

bool LiveLockMap::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_plot && event->type() == QEvent::MouseMove && m_grid) {
        const auto *mouse = static_cast<QMouseEvent *>(event);
        const QPoint p = mouse->position().toPoint();
        if (m_plot->axisRect()->rect().contains(p)) {
            const int column = int(std::floor(m_plot->xAxis->pixelToCoord(p.x()) / m_secondsPerColumn));
            const int row = int(std::lround(m_plot->yAxis->pixelToCoord(p.y())));
            const QString text = describeCell(column, row);
            if (!text.isEmpty()) {
                QToolTip::showText(mouse->globalPosition().toPoint(), text, m_plot);
                emit hovered(text);
            }
        }
    }
    return QWidget::eventFilter(watched, event);
}

} // namespace lockstep::ui
