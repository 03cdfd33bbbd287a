#pragma once

#include "PlanController.h"
#include "RunController.h"
#include "sim/OrgProfile.h"

#include <QWidget>

class QLabel;
class QSplitter;
class QPushButton;
class QTimer;

namespace lockstep::ui {
class BackgroundTask;
}

namespace lockstep::ui {

class ComparisonView;
class MitigationPanel;
class PredictionPanel;
class TimelineView;

// The Plan step: the mitigation (MitigationPanel), what it is predicted to do (PredictionPanel,
// the timeline of every batch), every mitigation side by side (ComparisonView), the plain-words
// recommendation, and Run. It turns the panel's choices into requests to the PlanController
// (the prediction at once, the comparison once the user stops turning a knob).
class PlanView : public QWidget {
    Q_OBJECT
public:
    explicit PlanView(QWidget *parent = nullptr);

    void setAnalysis(AnalysisPtr analysis);
    void setProfile(const OrgProfile &profile);
    const OrgProfile &profile() const { return m_profile; }
    // Where Run sends the job; invalid: no org to run against. The object's duplicate rules
    // are read from it (off the GUI thread) for the duplicate-rules mitigation.
    void setTarget(const RunTarget &target);
    QLabel *duplicateRules() const { return m_duplicateRules; }
    PlanOptions planOptions() const;
    void requestPlan();
    void requestComparison();

    PlanController *planner() const { return m_planner; }
    MitigationPanel *mitigationPanel() const { return m_mitigation; }
    PredictionPanel *predictionPanel() const { return m_prediction; }
    ComparisonView *comparison() const { return m_comparison; }
    TimelineView *timeline() const { return m_timeline; }
    QLabel *recommendation() const { return m_recommendation; }
    QPushButton *runButton() const { return m_run; }

signals:
    void runRequested();
    void planShown(const lockstep::ui::PlanResult &result);   // a prediction of the current file is on screen

protected:
    void showEvent(QShowEvent *event) override;

private:
    void onMitigationChanged();
    QString comparisonKey(const PlanOptions &options) const;
    void updateRunButton();
    void readDuplicateRules();

    AnalysisPtr m_analysis;
    PlanController *m_planner;
    MitigationPanel *m_mitigation;
    PredictionPanel *m_prediction;
    ComparisonView *m_comparison;
    TimelineView *m_timeline;
    QLabel *m_recommendation;
    QLabel *m_target;
    QLabel *m_duplicateRules;
    QSplitter *m_split = nullptr;
    bool m_splitChecked = false;
    BackgroundTask *m_rulesTask;
    RunTarget m_runTarget;
    QPushButton *m_run;
    QTimer *m_compareDebounce;
    OrgProfile m_profile;
    QString m_targetLabel;
    QString m_comparedKey;   // what the comparison on screen was computed for
};

} // namespace lockstep::ui
