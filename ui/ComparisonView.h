#pragma once

#include "predict/Comparison.h"

#include <QWidget>

class QCustomPlot;
class QLabel;
class QProgressBar;
class QTableWidget;

namespace lockstep::ui {

// Every mitigation side by side: lock errors against duration (a chart where down-left is
// better) and the same numbers in a table — means over several seeds. Picking a row asks for
// that mitigation.
class ComparisonView : public QWidget {
    Q_OBJECT
public:
    explicit ComparisonView(QWidget *parent = nullptr);

    void showRunning();
    void showProgress(int permille);
    void showSummaries(const std::vector<PredictionSummary> &summaries);
    void showFailure(const QString &message);
    void markCurrent(const Mitigation &mitigation);
    void clear();

    QCustomPlot *plot() const { return m_plot; }
    QTableWidget *table() const { return m_table; }
    const std::vector<PredictionSummary> &summaries() const { return m_summaries; }

signals:
    void mitigationChosen(const lockstep::Mitigation &mitigation);

private:
    void redraw();

    QLabel *m_caption;
    QProgressBar *m_progress;
    QCustomPlot *m_plot;
    QTableWidget *m_table;
    std::vector<PredictionSummary> m_summaries;
    Mitigation m_current;
};

} // namespace lockstep::ui
