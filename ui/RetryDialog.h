#pragma once

#include "AnalysisController.h"
#include "job/RetryPolicy.h"
#include "plan/Planner.h"
#include "store/JobStore.h"

#include <QDialog>

class QComboBox;
class QDialogButtonBox;
class QLabel;

namespace lockstep::ui {

class BackgroundTask;

// Before failed rows go again: which rows, with which mitigation, and what that retry is
// predicted to do (planRetry, off the GUI thread, again at every change of mitigation). Parent-
// aware lanes are chosen first: rows that collided once share parents and would collide again.
class RetryDialog : public QDialog {
    Q_OBJECT
public:
    RetryDialog(const QString &storePath, const JobSummary &job, AnalysisPtr source, const RetrySelection &selection,
                const QString &what, const PlanOptions &options, QWidget *parent = nullptr);
    ~RetryDialog() override;

    Mitigation mitigation() const;
    void setMitigation(const QString &key);
    const RetrySelection &selection() const { return m_selection; }
    QLabel *predictionLabel() const { return m_prediction; }
    QDialogButtonBox *buttons() const { return m_buttons; }
    bool isPredicted() const { return m_predicted; }

signals:
    void predicted();   // the prediction for the chosen mitigation is on screen

private:
    void predict();

    QString m_storePath;
    JobSummary m_job;
    AnalysisPtr m_source;
    RetrySelection m_selection;
    PlanOptions m_options;
    QComboBox *m_mitigation;
    QLabel *m_prediction;
    QDialogButtonBox *m_buttons;
    BackgroundTask *m_task;
    bool m_predicted = false;
};

} // namespace lockstep::ui
