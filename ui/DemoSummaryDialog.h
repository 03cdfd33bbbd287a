#pragma once

#include "DemoSkewTour.h"

#include <QDialog>

class QCustomPlot;
class QLabel;

namespace lockstep::ui {

// The end of Demo Skew: the three runs side by side — lock errors and duration of each, observed
// on the demo org beside what was predicted — as a chart that exports as PNG and PDF for the
// slide deck.
class DemoSummaryDialog : public QDialog {
    Q_OBJECT
public:
    explicit DemoSummaryDialog(const std::vector<DemoRun> &runs, QWidget *parent = nullptr);

    // Writes the chart; false when it could not be written.
    bool exportPng(const QString &path) const;
    bool exportPdf(const QString &path) const;
    QCustomPlot *chart() const { return m_plot; }
    QLabel *table() const { return m_table; }

private:
    void chooseExport(const QString &suffix);

    QCustomPlot *m_plot;
    QLabel *m_table;
};

} // namespace lockstep::ui
