#pragma once

#include "AnalysisController.h"
#include "HeatmapBuilder.h"

#include <QWidget>

class QTabWidget;

namespace lockstep::ui {

class HeatmapView;
class HistogramView;
class ProblemsPanel;
class SkewPanel;
class SummaryPanel;

// The Analyse step: what the file is (summary), how its rows spread over parents (the heatmap,
// in the plan's send order once there is one), the children-per-parent histogram and skewed
// parents, and the bad rows. (Which columns lock what is the File step's mapping.)
class AnalyseView : public QWidget {
    Q_OBJECT
public:
    explicit AnalyseView(QWidget *parent = nullptr);

    void setAnalysis(AnalysisPtr analysis);
    void showFatal(const QString &message, const QString &path, qint64 line);
    // What reading the file again takes from this view: the skew threshold.
    void fillOptions(AnalyzeOptions &options) const;
    // Redraws the heatmap for this batch size, in `order` (a plan's send order) when given.
    void requestHeatmap(int batchSize, const SendOrder &order = {});

    SummaryPanel *summary() const { return m_summary; }
    HeatmapView *heatmap() const { return m_heatmap; }
    HistogramView *histogram() const { return m_histogram; }
    SkewPanel *skewPanel() const { return m_skew; }
    ProblemsPanel *problemsPanel() const { return m_problems; }
    HeatmapBuilder *heatmapBuilder() const { return m_builder; }
    QTabWidget *sideTabs() const { return m_tabs; }

signals:
    void heatmapShown();
    void reanalyzeRequested();       // the skew threshold changed
    void heatmapOptionsChanged();    // the parent order changed
    void hovered(const QString &text);

private:
    AnalysisPtr m_analysis;
    SummaryPanel *m_summary;
    HeatmapView *m_heatmap;
    HistogramView *m_histogram;
    SkewPanel *m_skew;
    ProblemsPanel *m_problems;
    HeatmapBuilder *m_builder;
    QTabWidget *m_tabs;
};

} // namespace lockstep::ui
