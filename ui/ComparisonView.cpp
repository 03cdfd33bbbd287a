#include "ComparisonView.h"

#include "PlotTheme.h"
#include "UiFormat.h"
#include "UiTime.h"

#include <QHeaderView>
#include <QLabel>
#include <QProgressBar>
#include <QTableWidget>
#include <QVBoxLayout>
#include <qcustomplot.h>

#include <cmath>

namespace lockstep::ui {

namespace {
enum Column { Number, Name, Errors, Duration, Calls, Ratio, ColumnCount };

QColor colourFor(const PredictionSummary &s)
{
    if (s.mitigation.scheduling == Scheduling::Lanes)
        return QColor(26, 127, 55);      // Lockstep's own
    if (s.lockErrorRows < 0.5)
        return QColor(70, 130, 180);
    return QColor(200, 60, 40);
}
} // namespace

ComparisonView::ComparisonView(QWidget *parent)
    : QWidget(parent), m_caption(new QLabel(this)), m_progress(new QProgressBar(this)), m_plot(new QCustomPlot(this)),
      m_table(new QTableWidget(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    m_caption->setWordWrap(true);
    m_caption->setTextFormat(Qt::RichText);
    layout->addWidget(m_caption);
    m_progress->setRange(0, 1000);
    m_progress->setMaximumHeight(12);
    m_progress->setTextVisible(false);
    layout->addWidget(m_progress);
    layout->addWidget(m_plot, 3);
    layout->addWidget(m_table, 2);

    m_plot->xAxis->setLabel(tr("predicted duration (minutes)"));
    m_plot->yAxis->setLabel(tr("predicted lock errors (rows)"));
    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);

    m_table->setColumnCount(ColumnCount);
    m_table->setHorizontalHeaderLabels({tr("#"), tr("Mitigation"), tr("Lock errors"), tr("Duration"), tr("API calls"), tr("× bound")});
    m_table->verticalHeader()->hide();
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->horizontalHeader()->setSectionResizeMode(Name, QHeaderView::Stretch);
    connect(m_table, &QTableWidget::cellDoubleClicked, this, [this](int row, int) {
        if (row >= 0 && row < int(m_summaries.size()) && m_summaries[size_t(row)].planned)
            emit mitigationChosen(m_summaries[size_t(row)].mitigation);
    });
    clear();
    PlotTheme::follow(m_plot);   // the desktop's light or dark palette
}

void ComparisonView::clear()
{
    m_summaries.clear();
    m_caption->setText(tr("<b>Compare mitigations</b>: open a file."));
    m_progress->hide();
    m_table->setRowCount(0);
    m_plot->clearPlottables();
    m_plot->clearItems();
    m_plot->replot();
}

void ComparisonView::showRunning()
{
    m_progress->setValue(0);
    m_progress->show();
    if (m_summaries.empty())
        m_caption->setText(tr("<b>Compare mitigations</b>: predicting every mitigation on 5 seeds…"));
}

void ComparisonView::showProgress(int permille)
{
    m_progress->setValue(permille);
}

void ComparisonView::showFailure(const QString &message)
{
    m_progress->hide();
    m_caption->setText(tr("<b>Compare mitigations</b>: %1").arg(message.toHtmlEscaped()));
}

void ComparisonView::showSummaries(const std::vector<PredictionSummary> &summaries)
{
    m_summaries = summaries;
    m_progress->hide();
    int fewest = 0, most = 0;
    for (const auto &s : summaries)
        if (s.planned) {
            fewest = fewest == 0 ? s.runs : std::min(fewest, s.runs);
            most = std::max(most, s.runs);
        }
    m_caption->setText(tr("<b>Compare mitigations</b> — means of %1 seeded runs each (until the standard error is under "
                          "5 %), ± one run's spread; down and left is better. Double-click a row to choose it.")
                           .arg(fewest == most ? QString::number(most) : QStringLiteral("%1–%2").arg(fewest).arg(most)));
    m_table->setRowCount(int(summaries.size()));
    for (int r = 0; r < int(summaries.size()); ++r) {
        const auto &s = summaries[size_t(r)];
        auto set = [&](int column, const QString &text, bool right = true) {
            auto *item = new QTableWidgetItem(text);
            if (right)
                item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            item->setForeground(s.planned ? colourFor(s) : QColor(Qt::gray));
            m_table->setItem(r, column, item);
        };
        set(Number, QString::number(r + 1));
        set(Name, s.mitigation.label(), false);
        if (!s.planned) {
            set(Errors, tr("cannot run"));
            m_table->item(r, Errors)->setToolTip(s.error.message);
            continue;
        }
        set(Errors, errorsWithSpread(s.lockErrorRows, s.lockErrorRowsSd, s.runs));
        set(Duration, duration(s.durationSeconds));
        set(Calls, grouped(qint64(std::llround(s.apiCalls))));
        set(Ratio, QString::number(s.ratioToBound, 'f', 2));
    }
    m_table->resizeColumnsToContents();
    m_table->horizontalHeader()->setSectionResizeMode(Name, QHeaderView::Stretch);
    redraw();
}

void ComparisonView::markCurrent(const Mitigation &mitigation)
{
    m_current = mitigation;
    for (int r = 0; r < int(m_summaries.size()); ++r)
        if (m_summaries[size_t(r)].mitigation == mitigation)
            m_table->selectRow(r);
    redraw();
}

void ComparisonView::redraw()
{
    m_plot->clearPlottables();
    m_plot->clearItems();
    double maxX = 0.1, maxY = 10;
    for (size_t i = 0; i < m_summaries.size(); ++i) {
        const auto &s = m_summaries[i];
        if (!s.planned)
            continue;
        const double x = s.durationSeconds / 60.0;
        const double y = s.lockErrorRows;
        maxX = std::max(maxX, x);
        maxY = std::max(maxY, y);
        auto *point = new QCPGraph(m_plot->xAxis, m_plot->yAxis);
        point->setLineStyle(QCPGraph::lsNone);
        const bool current = s.mitigation == m_current;
        point->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, colourFor(s), colourFor(s), current ? 14 : 9));
        point->addData(x, y);
        // Error bars: one standard deviation over the seeds.
        if (s.lockErrorRowsSd > 0 || s.durationSd > 0) {
            auto *bars = new QCPErrorBars(m_plot->xAxis, m_plot->yAxis);
            bars->setDataPlottable(point);
            bars->setData(QVector<double>{s.lockErrorRowsSd});
            bars->setPen(QPen(colourFor(s)));
        }
        auto *label = new QCPItemText(m_plot);
        label->position->setCoords(x, y);
        label->setPositionAlignment(Qt::AlignLeft | Qt::AlignBottom);
        label->setPadding(QMargins(6, 0, 0, 2));
        // The table's row number, not the name: a dozen names near (3 min, 0) would overlap.
        label->setText(current ? QStringLiteral("%1 %2").arg(i + 1).arg(s.mitigation.label()) : QString::number(i + 1));
        label->setColor(colourFor(s));
        QFont font = label->font();
        font.setBold(current);
        label->setFont(font);
    }
    m_plot->xAxis->setRange(0, maxX * 1.35);
    m_plot->yAxis->setRange(-maxY * 0.05, maxY * 1.15);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

} // namespace lockstep::ui
