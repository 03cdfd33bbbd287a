#pragma once

#include "plan/Planner.h"

#include <QWidget>

class QButtonGroup;
class QCheckBox;
class QComboBox;
class QSpinBox;
class QTimer;

namespace lockstep::ui {

// The mitigation and the knobs that shape the plan: scheduling (parallel as is, serial,
// parent-aware lanes, per-parent queue, auto), sort by parent, small batches, duplicate rules
// off; the API, batch size and concurrency; the client whose upload pace the prediction uses. Changes are announced at once (for the instant
// estimate) — the controller decides what runs where.
class MitigationPanel : public QWidget {
    Q_OBJECT
public:
    explicit MitigationPanel(QWidget *parent = nullptr);

    Mitigation mitigation() const;
    void setMitigation(const Mitigation &mitigation);
    // Fills api, batch size and concurrency of `base` (object, operation and profile stay).
    PlanOptions planOptions(PlanOptions base) const;
    int batchSize() const;                  // the batch size the heatmap uses in file order
    void setBatchSize(int rows);
    bool duplicateRulesActiveInOrg() const;
    // What the org says (its active duplicate rules were read): the prediction counts their time
    // and "Deactivate duplicate rules" becomes a choice. Changes the plan only when it differs.
    void setDuplicateRulesActiveInOrg(bool active);
    QCheckBox *duplicateRulesActiveBox() const { return m_duplicateActive; }
    qint64 apiCallBudget() const;

    QSpinBox *batchSizeBox() const { return m_batchSize; }
    QSpinBox *concurrencyBox() const { return m_concurrency; }
    QSpinBox *smallBatchBox() const { return m_smallRows; }
    QCheckBox *sortBox() const { return m_sort; }
    QCheckBox *smallBatchesBox() const { return m_small; }
    QCheckBox *duplicateRulesOffBox() const { return m_duplicateOff; }
    QComboBox *clientBox() const { return m_client; }
    QButtonGroup *schedulingGroup() const { return m_scheduling; }

signals:
    void changed();

private:
    void updateEnabled();

    QButtonGroup *m_scheduling;
    QCheckBox *m_sort;
    QCheckBox *m_small;
    QSpinBox *m_smallRows;
    QCheckBox *m_duplicateOff;
    QCheckBox *m_duplicateActive;
    QComboBox *m_api;
    QComboBox *m_client;   // who uploads the batches: their pace is an input of the prediction
    QSpinBox *m_batchSize;
    QSpinBox *m_concurrency;
    QSpinBox *m_budget;
    bool m_updating = false;
};

} // namespace lockstep::ui
