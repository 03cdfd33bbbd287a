#pragma once

#include "PlanController.h"

#include <QWidget>

class QLabel;

namespace lockstep::ui {

// What the chosen plan will do: the instant estimate while controls move, then the predictor's
// numbers (lock errors, duration, API calls, ratio to the lower bound), the plan in words and
// the parents that will hurt most.
class PredictionPanel : public QWidget {
    Q_OBJECT
public:
    explicit PredictionPanel(QWidget *parent = nullptr);

    void showEstimate(const InstantEstimate &estimate);
    void showEstimateUnavailable(const QString &why);
    void showPredicting();
    void showPrediction(const PlanResult &result);
    void showFailure(const QString &message);
    void clear();

    QString estimateText() const;
    QString predictionText() const;

private:
    QLabel *m_estimate;
    QLabel *m_prediction;
    QLabel *m_notes;
};

} // namespace lockstep::ui
