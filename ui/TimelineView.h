#pragma once

#include "PlanController.h"

#include <QWidget>

class QCustomPlot;
class QLabel;

namespace lockstep::ui {

// The predicted run: workers × time, one bar per batch (green: clean, red: lock errors, lane
// colours for a lanes plan's serial lanes), lock waits, deadlocks, timeouts and re-queues marked.
class TimelineView : public QWidget {
    Q_OBJECT
public:
    explicit TimelineView(QWidget *parent = nullptr);

    void showResult(const PlanResult &result);
    void clear();
    QCustomPlot *plot() const { return m_plot; }
    int drawnBatches() const { return m_drawnBatches; }
    int drawnEvents() const { return m_drawnEvents; }
    QString captionText() const;

private:
    QLabel *m_caption;
    QCustomPlot *m_plot;
    int m_drawnBatches = 0;
    int m_drawnEvents = 0;
};

} // namespace lockstep::ui
