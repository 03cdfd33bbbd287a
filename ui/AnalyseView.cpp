#include "AnalyseView.h"

#include "HeatmapView.h"
#include "HistogramView.h"
#include "ProblemsPanel.h"
#include "SkewPanel.h"
#include "SummaryPanel.h"
#include "UiFormat.h"

#include <QSplitter>
#include <QTabWidget>
#include <QVBoxLayout>

namespace lockstep::ui {

AnalyseView::AnalyseView(QWidget *parent)
    : QWidget(parent), m_summary(new SummaryPanel), m_heatmap(new HeatmapView), m_histogram(new HistogramView), m_skew(new SkewPanel),
      m_problems(new ProblemsPanel), m_builder(new HeatmapBuilder(this)), m_tabs(new QTabWidget)
{
    setObjectName(QStringLiteral("AnalyseView"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_summary);
    auto *split = new QSplitter(Qt::Horizontal);
    split->setObjectName(QStringLiteral("analyseSplitter"));
    split->addWidget(m_heatmap);
    auto *distribution = new QSplitter(Qt::Vertical);
    distribution->setObjectName(QStringLiteral("distributionSplitter"));
    distribution->addWidget(m_histogram);
    distribution->addWidget(m_skew);
    m_tabs->setObjectName(QStringLiteral("analyseTabs"));
    m_tabs->addTab(distribution, tr("Parents and skew"));
    m_tabs->addTab(m_problems, tr("Problems"));
    split->addWidget(m_tabs);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    layout->addWidget(split, 1);

    connect(m_builder, &HeatmapBuilder::ready, this, [this](const HeatmapResult &result) {
        if (result.analysis != m_analysis)
            return;
        m_heatmap->showResult(result);
        emit heatmapShown();
    });
    connect(m_summary, &SummaryPanel::heatmapOptionsChanged, this, &AnalyseView::heatmapOptionsChanged);
    connect(m_summary, &SummaryPanel::skewThresholdChanged, this, &AnalyseView::reanalyzeRequested);
    connect(m_skew, &SkewPanel::parentSelected, m_heatmap, &HeatmapView::highlightParent);
    connect(m_heatmap, &HeatmapView::hovered, this, &AnalyseView::hovered);
}

void AnalyseView::setAnalysis(AnalysisPtr analysis)
{
    m_analysis = analysis;
    m_summary->setAnalysis(analysis);
    m_histogram->showDistribution(analysis->distribution);
    m_skew->setAnalysis(analysis);
    m_problems->setAnalysis(analysis);
    const qint64 errors = analysis->file.problems().errors();
    m_tabs->setTabText(1, errors > 0 ? tr("Problems (%1)").arg(grouped(errors)) : tr("Problems"));
    if (errors > 0)
        m_tabs->setCurrentWidget(m_problems);
}

void AnalyseView::showFatal(const QString &message, const QString &path, qint64 line)
{
    m_problems->showFatal(message, path, line);
    m_tabs->setTabText(1, tr("Problems (file not read)"));
    m_tabs->setCurrentWidget(m_problems);
}

void AnalyseView::fillOptions(AnalyzeOptions &options) const
{
    options.distribution.skewThreshold = m_summary->skewThreshold();
}

void AnalyseView::requestHeatmap(int batchSize, const SendOrder &order)
{
    if (!m_analysis)
        return;
    HeatmapOptions options;
    options.batchSize = batchSize;
    options.order = m_summary->parentOrder();
    // About 3 pixels per parent bin and 2 per batch bin: every cell visible, none sub-pixel.
    const QSize area = m_heatmap->size();
    options.maxRows = std::clamp(area.height() / 3, 50, 300);
    options.maxColumns = std::clamp(area.width() / 2, 50, 1000);
    m_builder->request(m_analysis, options, order);
}

} // namespace lockstep::ui
