#pragma once

#include "AnalysisController.h"
#include "analysis/HeatmapGrid.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QSpinBox;
class QTimer;

namespace lockstep::ui {

// The strip above the heatmap: what the file is (rows, object, operation, what it locks), the
// order the heatmap lists parents in, and the skew threshold.
class SummaryPanel : public QWidget {
    Q_OBJECT
public:
    explicit SummaryPanel(QWidget *parent = nullptr);

    void setAnalysis(AnalysisPtr analysis);
    void setParentOrder(ParentOrder order);
    ParentOrder parentOrder() const;
    qint64 skewThreshold() const;
    void setSkewThreshold(qint64 threshold);
    QString text() const;
    QComboBox *orderBox() const { return m_order; }
    QSpinBox *skewThresholdBox() const { return m_skewThreshold; }

signals:
    // Emitted once the user has stopped changing a knob for a moment (no recompute per keystroke).
    void heatmapOptionsChanged();
    void skewThresholdChanged();

private:
    QLabel *m_text;
    QComboBox *m_order;
    QSpinBox *m_skewThreshold;
    QTimer *m_debounce;
    QTimer *m_skewDebounce;
};

} // namespace lockstep::ui
