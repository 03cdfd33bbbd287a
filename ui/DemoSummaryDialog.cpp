#include "DemoSummaryDialog.h"

#include "UiFormat.h"
#include "UiTime.h"

#include <QDialogButtonBox>
#include <QFileDialog>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>
#include <qcustomplot.h>

namespace lockstep::ui {

DemoSummaryDialog::DemoSummaryDialog(const std::vector<DemoRun> &runs, QWidget *parent)
    : QDialog(parent), m_plot(new QCustomPlot), m_table(new QLabel)
{
    setObjectName(QStringLiteral("DemoSummaryDialog"));
    setWindowTitle(tr("Demo Skew — the three runs"));
    resize(980, 640);

    // Lock errors (left axis, red) and minutes (right axis, blue), one pair of bars per run.
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    QVector<double> at, errors, minutes;
    double maxErrors = 1, maxMinutes = 1;
    for (int i = 0; i < int(runs.size()); ++i) {
        const DemoRun &r = runs[size_t(i)];
        ticker->addTick(i + 1, r.mitigation.label());
        at << i + 1;
        errors << double(r.lockErrors);
        minutes << r.observedSeconds / 60;
        maxErrors = std::max(maxErrors, double(r.lockErrors));
        maxMinutes = std::max(maxMinutes, r.observedSeconds / 60);
    }
    m_plot->plotLayout()->insertRow(0);
    auto *title = new QCPTextElement(m_plot, tr("90,000 Opportunities, a 12,000-child house account, on the demo org"),
                                     QFont(font().family(), int(font().pointSize() * 1.3), QFont::Bold));
    m_plot->plotLayout()->addElement(0, 0, title);
    m_plot->xAxis->setTicker(ticker);
    m_plot->xAxis->setRange(0.4, runs.size() + 0.6);
    m_plot->yAxis->setLabel(tr("lock errors (UNABLE_TO_LOCK_ROW rows)"));
    m_plot->yAxis->setRange(0, maxErrors * 1.15);
    m_plot->yAxis2->setVisible(true);
    m_plot->yAxis2->setLabel(tr("duration (minutes, the org's time)"));
    m_plot->yAxis2->setRange(0, maxMinutes * 1.15);
    auto *errorBars = new QCPBars(m_plot->xAxis, m_plot->yAxis);
    errorBars->setName(tr("lock errors"));
    errorBars->setBrush(QColor(214, 39, 40));
    errorBars->setPen(Qt::NoPen);
    errorBars->setWidth(0.3);
    auto *timeBars = new QCPBars(m_plot->xAxis, m_plot->yAxis2);
    timeBars->setName(tr("duration"));
    timeBars->setBrush(QColor(31, 119, 180));
    timeBars->setPen(Qt::NoPen);
    timeBars->setWidth(0.3);
    QVector<double> left, right;
    for (double x : at) {
        left << x - 0.16;
        right << x + 0.16;
    }
    errorBars->setData(left, errors);
    timeBars->setData(right, minutes);
    for (int i = 0; i < int(runs.size()); ++i) {
        auto *label = new QCPItemText(m_plot);
        label->position->setCoords(left[i], errors[i]);
        label->setPositionAlignment(Qt::AlignHCenter | Qt::AlignBottom);
        label->setText(grouped(runs[size_t(i)].lockErrors));
        auto *timeLabel = new QCPItemText(m_plot);
        timeLabel->position->setAxes(m_plot->xAxis, m_plot->yAxis2);
        timeLabel->position->setCoords(right[i], minutes[i]);
        timeLabel->setPositionAlignment(Qt::AlignHCenter | Qt::AlignBottom);
        timeLabel->setText(duration(runs[size_t(i)].observedSeconds));
    }
    m_plot->legend->setVisible(true);
    m_plot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);

    QString html = tr("<table cellspacing=8><tr><th align=left>Run</th><th align=right>Lock errors</th><th align=right>Predicted</th>"
                      "<th align=right>Duration</th><th align=right>Predicted</th></tr>");
    for (const DemoRun &r : runs)
        html += QStringLiteral("<tr><td>%1</td><td align=right>%2</td><td align=right>%3</td><td align=right>%4</td><td align=right>%5</td></tr>")
                    .arg(r.mitigation.label().toHtmlEscaped(), grouped(r.lockErrors),
                         r.predicted ? grouped(qRound64(r.predicted->lockErrorRows)) : QStringLiteral("—"), duration(r.observedSeconds),
                         r.predicted ? duration(r.predicted->durationSeconds) : QStringLiteral("—"));
    html += QStringLiteral("</table>");
    m_table->setText(html);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    auto *png = buttons->addButton(tr("Export PNG…"), QDialogButtonBox::ActionRole);
    auto *pdf = buttons->addButton(tr("Export PDF…"), QDialogButtonBox::ActionRole);
    connect(png, &QPushButton::clicked, this, [this] { chooseExport(QStringLiteral("png")); });
    connect(pdf, &QPushButton::clicked, this, [this] { chooseExport(QStringLiteral("pdf")); });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_plot, 1);
    layout->addWidget(m_table);
    layout->addWidget(buttons);
    m_plot->replot();
}

bool DemoSummaryDialog::exportPng(const QString &path) const
{
    return m_plot->savePng(path, 1600, 900, 1.0);
}

bool DemoSummaryDialog::exportPdf(const QString &path) const
{
    return m_plot->savePdf(path, 1600, 900);
}

void DemoSummaryDialog::chooseExport(const QString &suffix)
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Export the chart"), QStringLiteral("demo-skew.%1").arg(suffix),
                                                      suffix == QLatin1String("png") ? tr("PNG images (*.png)") : tr("PDF documents (*.pdf)"));
    if (path.isEmpty())
        return;
    const bool ok = suffix == QLatin1String("png") ? exportPng(path) : exportPdf(path);
    setWindowTitle(ok ? tr("Demo Skew — saved %1").arg(QFileInfo(path).fileName()) : tr("Demo Skew — %1 could not be written").arg(path));
}

} // namespace lockstep::ui
