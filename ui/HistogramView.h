#pragma once

#include "AnalysisController.h"

#include <QWidget>

class QCustomPlot;
class QCPBars;

namespace lockstep::ui {

// Children per parent on log2 bins (1, 2–3, 4–7 …): how many parents have how many children,
// with the skew threshold drawn where Salesforce says trouble starts.
class HistogramView : public QWidget {
    Q_OBJECT
public:
    explicit HistogramView(QWidget *parent = nullptr);

    void showDistribution(const Distribution &distribution);
    void clear();
    QCustomPlot *plot() const { return m_plot; }
    double thresholdPosition() const { return m_thresholdX; }

private:
    QCustomPlot *m_plot;
    QCPBars *m_bars;
    QCPBars *m_skewedBars;
    double m_thresholdX = 0;
};

} // namespace lockstep::ui
