#pragma once

#include "AnalysisController.h"

#include <QWidget>

class QLabel;
class QTableView;

namespace lockstep::ui {

class ParentTableModel;

// Skew warnings and the heaviest parents; selecting one highlights it in the heatmap.
class SkewPanel : public QWidget {
    Q_OBJECT
public:
    explicit SkewPanel(QWidget *parent = nullptr);

    void setAnalysis(AnalysisPtr analysis);
    QString summaryText() const;
    QTableView *table() const { return m_table; }
    ParentTableModel *model() const { return m_model; }

signals:
    void parentSelected(std::uint32_t key);

private:
    QLabel *m_summary;
    QTableView *m_table;
    ParentTableModel *m_model;
};

} // namespace lockstep::ui
