#pragma once

#include "AnalysisController.h"

#include <QWidget>

class QLabel;
class QTableView;

namespace lockstep::ui {

class ProblemTableModel;

// Rows with problems: file:line, what is wrong, and the row's values on hover.
class ProblemsPanel : public QWidget {
    Q_OBJECT
public:
    explicit ProblemsPanel(QWidget *parent = nullptr);

    void setAnalysis(AnalysisPtr analysis);
    void showFatal(const QString &message, const QString &path, qint64 line);   // a file that could not be read
    QTableView *table() const { return m_table; }
    ProblemTableModel *model() const { return m_model; }
    QString summaryText() const;

private:
    QLabel *m_summary;
    QTableView *m_table;
    ProblemTableModel *m_model;
};

} // namespace lockstep::ui
