#include "RunView.h"

#include "LiveLockMap.h"
#include "UiFormat.h"
#include "UiTime.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>

namespace lockstep::ui {

namespace {
double platformSeconds(const RunController *controller)
{
    const double scale = controller->target().timeScale;
    const double wall = controller->elapsedSeconds();
    return scale > 0 && scale < 1 ? wall / scale : wall;
}
} // namespace

RunView::RunView(RunController *controller, QWidget *parent)
    : QWidget(parent), m_controller(controller), m_title(new QLabel), m_bar(new QProgressBar), m_progressText(new QLabel),
      m_comparison(new QLabel), m_lanes(new QTableWidget(0, 7)), m_map(new LiveLockMap), m_log(new QPlainTextEdit),
      m_pause(new QPushButton(tr("Pause"))), m_cancel(new QPushButton(tr("Cancel Job"))), m_results(new QPushButton(tr("Show Results")))
{
    setObjectName(QStringLiteral("RunView"));
    m_title->setTextFormat(Qt::RichText);
    m_title->setText(tr("<b>No job running.</b> Choose a plan and press Run (Ctrl+R)."));
    m_pause->setToolTip(tr("Stop sending: requests already out are answered and recorded, and the job can be resumed"));
    m_cancel->setToolTip(tr("Stop sending and leave the job cancelled; its rows stay in the job store"));
    m_results->setToolTip(tr("Every row of this job, filtered, explained and retried (Ctrl+5)"));
    m_bar->setRange(0, 1000);
    m_bar->setFormat(QStringLiteral("%p%"));
    // A plain chunk: Fusion's animated stripes cost ~100 ms a repaint on a busy 2-core machine,
    // and the bar repaints with every answer.
    m_bar->setStyleSheet(QStringLiteral("QProgressBar { border: 1px solid palette(mid); border-radius: 3px; text-align: center; }"
                                        "QProgressBar::chunk { background-color: palette(highlight); }"));
    m_comparison->setWordWrap(true);
    m_comparison->setTextFormat(Qt::RichText);
    m_progressText->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_lanes->setHorizontalHeaderLabels({tr("Lane"), tr("Rows"), tr("Done"), tr("Batches"), tr("Lock errors"), tr("Rows/s"), tr("ETA")});
    m_lanes->verticalHeader()->hide();
    m_lanes->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_lanes->setSelectionMode(QAbstractItemView::NoSelection);
    m_lanes->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_lanes->horizontalHeader()->setStretchLastSection(true);
    m_lanes->setToolTip(tr("The shared queue runs batches that share no parent side by side; each serial lane runs its "
                           "batches one after another (they share a parent)."));
    m_log->setReadOnly(true);
    m_log->setMaximumBlockCount(5000);
    m_log->setPlaceholderText(tr("What the job does shows here: batches that hit locks, pauses, the end."));

    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_title, 1);
    buttons->addWidget(m_pause);
    buttons->addWidget(m_cancel);
    buttons->addWidget(m_results);
    auto *top = new QVBoxLayout;
    top->addLayout(buttons);
    auto *progressRow = new QHBoxLayout;
    progressRow->addWidget(m_bar, 1);
    progressRow->addWidget(m_progressText, 2);
    top->addLayout(progressRow);
    top->addWidget(m_comparison);

    auto *split = new QSplitter(Qt::Horizontal);
    split->setObjectName(QStringLiteral("runSplitter"));
    split->addWidget(m_lanes);
    split->addWidget(m_map);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 3);
    // Every column of the lanes table in view (Lane … ETA), the map takes the rest.
    m_lanes->setMinimumWidth(m_lanes->fontMetrics().horizontalAdvance(QStringLiteral("Serial lane 12 78,000 100% 151 of 151 88,600 18,446 12 min 30 s")) + 90);
    auto *vertical = new QSplitter(Qt::Vertical);
    vertical->setObjectName(QStringLiteral("runLogSplitter"));
    vertical->addWidget(split);
    vertical->addWidget(m_log);
    vertical->setStretchFactor(0, 4);
    vertical->setStretchFactor(1, 1);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(vertical, 1);

    connect(m_pause, &QPushButton::clicked, this, [this] {
        if (m_controller->state() == RunController::State::Paused)
            emit resumeRequested();
        else
            m_controller->pause();
    });
    connect(m_cancel, &QPushButton::clicked, m_controller, &RunController::cancel);
    connect(m_results, &QPushButton::clicked, this, &RunView::showResultsRequested);
    connect(m_controller, &RunController::stateChanged, this, &RunView::onState);
    connect(m_controller, &RunController::progress, this, &RunView::onProgress);
    connect(m_controller, &RunController::lanesUpdated, this, [this](const std::vector<LaneProgress> &lanes) { onLanes(lanes); });
    connect(m_controller, &RunController::lockErrorsUpdated, this,
            [this](const std::vector<LockErrorRow> &rows) { m_map->addSample(platformSeconds(m_controller), rows); });
    connect(m_controller, &RunController::logLine, m_log, &QPlainTextEdit::appendPlainText);
    connect(m_controller, &RunController::finished, this, &RunView::onFinished);
    connect(m_controller, &RunController::failed, this, [this](const QString &message) {
        m_comparison->setText(tr("<b style='color:#b00020'>The job stopped: %1</b><br>Every row sent so far is recorded; rows "
                                 "whose answer was lost are looked up in the org before anything goes again. Fix the cause and "
                                 "press Resume, or see the rows in Results.")
                                  .arg(message.toHtmlEscaped()));
    });
    connect(m_controller, &RunController::jobRecorded, this, [this](qint64 job, qint64 rows) {
        m_title->setText(m_title->text().replace(QStringLiteral("<b>Job …</b>"), tr("<b>Job %1</b>").arg(job)));
        m_progressText->setText(tr("0 of %1 rows").arg(grouped(rows)));
    });
    onState(m_controller->state());
}

void RunView::prepare(AnalysisPtr analysis, std::shared_ptr<const HeatmapGrid> grid, const QString &title)
{
    m_title->setText(tr("<b>Job …</b> %1").arg(title.toHtmlEscaped()));
    m_lanes->setRowCount(0);
    m_bar->setValue(0);
    m_progressText->clear();
    m_comparison->setText(m_controller->predicted() ? comparisonText(RunProgress{}, 0, m_controller->predicted()) : QString());
    m_map->reset(std::move(analysis), std::move(grid));
}

QString RunView::comparisonText(const RunProgress &p, double observedSeconds, const std::optional<PredictionSummary> &predicted)
{
    QString text = tr("<b>So far:</b> %1 lock errors in %2").arg(grouped(p.errorsByCode.count(QStringLiteral("UNABLE_TO_LOCK_ROW"))
                                                                            ? p.errorsByCode.at(QStringLiteral("UNABLE_TO_LOCK_ROW"))
                                                                            : 0),
                                                                   duration(observedSeconds));
    if (p.rows > 0)
        text += tr(" (%1 of the rows)").arg(percent(double(p.done()) / double(p.rows), 0));
    if (predicted)
        text += tr(" &nbsp;·&nbsp; <b>predicted</b> for the whole job: %1 ± %2 lock errors in %3")
                    .arg(grouped(qRound64(predicted->lockErrorRows)), grouped(qRound64(predicted->lockErrorRowsSd)),
                         duration(predicted->durationSeconds));
    return text;
}

void RunView::onState(RunController::State state)
{
    using S = RunController::State;
    m_pause->setEnabled(state == S::Running || state == S::Paused);
    m_pause->setText(state == S::Paused ? tr("Resume") : tr("Pause"));
    m_cancel->setEnabled(state == S::Running || state == S::Stopping || state == S::Paused);
    m_results->setEnabled(m_controller->job() > 0 && state != S::Running && state != S::Stopping);
    if (state == S::Stopping)
        m_progressText->setText(m_progressText->text() + tr(" — stopping: waiting for the answers already on their way"));
}

void RunView::onProgress(const RunProgress &p)
{
    if (p.rows > 0)
        m_bar->setValue(int(1000 * p.done() / p.rows));
    m_progressText->setText(tr("%1 of %2 rows · %3 failed · %4 rows/s · ETA %5")
                                .arg(grouped(p.done()), grouped(p.rows), grouped(p.failed + p.unknown))
                                .arg(grouped(qRound64(p.rowsPerSecond)))
                                .arg(p.etaSeconds < 0 ? tr("—") : duration(p.etaSeconds)));
    m_comparison->setText(comparisonText(p, platformSeconds(m_controller), m_controller->predicted()));
}

void RunView::onLanes(const std::vector<LaneProgress> &lanes)
{
    m_lanes->setRowCount(int(lanes.size()));
    for (int i = 0; i < int(lanes.size()); ++i) {
        const LaneProgress &l = lanes[size_t(i)];
        const QStringList cells{l.lane < 0 ? tr("Shared queue") : tr("Serial lane %1").arg(l.lane + 1),
                                grouped(l.rows),
                                percent(l.rows > 0 ? double(l.answered) / double(l.rows) : 0, 0),
                                tr("%1 of %2").arg(l.batchesDone).arg(l.batches),
                                grouped(l.lockErrors),
                                l.rowsPerSecond > 0 ? grouped(qRound64(l.rowsPerSecond)) : tr("—"),
                                l.done() ? tr("done") : l.etaSeconds < 0 ? tr("—") : duration(l.etaSeconds)};
        for (int c = 0; c < cells.size(); ++c) {
            auto *item = m_lanes->item(i, c);
            if (!item) {
                item = new QTableWidgetItem;
                item->setTextAlignment(c == 0 ? Qt::AlignLeft | Qt::AlignVCenter : Qt::AlignRight | Qt::AlignVCenter);
                m_lanes->setItem(i, c, item);
            }
            item->setText(cells[c]);
            if (c == 4)
                item->setForeground(l.lockErrors > 0 ? QColor(176, 0, 32) : palette().color(QPalette::Text));
        }
    }
}

void RunView::onFinished(const RunOutcome &o)
{
    const RunReport &r = o.report;
    if (r.rows > 0)
        m_bar->setValue(int(1000 * r.done() / r.rows));
    QString text = tr("<b>Observed:</b> %1 lock errors in %2, %3 API calls").arg(grouped(r.lockErrors()), duration(o.observedSeconds),
                                                                                grouped(r.apiCalls));
    if (o.predicted)
        text += tr(" &nbsp;·&nbsp; <b>predicted:</b> %1 ± %2 in %3, %4 API calls")
                    .arg(grouped(qRound64(o.predicted->lockErrorRows)), grouped(qRound64(o.predicted->lockErrorRowsSd)),
                         duration(o.predicted->durationSeconds), grouped(qRound64(o.predicted->apiCalls)));
    if (r.cancelled)
        text += tr("<br>Stopped with %1 rows not sent: Resume goes on where it stopped.").arg(grouped(r.rows - r.done()));
    else if (!o.agreement.isEmpty())
        text += QStringLiteral("<br><span style='color:#b00020'>%1</span>").arg(o.agreement.toHtmlEscaped());
    else if (o.predicted)
        text += tr("<br>What happened agrees with the prediction (within ±15 % and two runs' spread).");
    if (r.lockErrors() > 0 && !r.cancelled)
        text += tr("<br>%1 rows failed on a locked parent: Show Results → Retry All Locked sends them again in parent-aware lanes.")
                    .arg(grouped(r.lockErrors()));
    m_comparison->setText(text);
    m_results->setEnabled(true);
}

} // namespace lockstep::ui
