#pragma once

#include "AnalysisController.h"

#include <QWidget>

class QLabel;
class QTableWidget;

namespace lockstep::ui {

// Which columns lock which records, for the open file: the built-in rules (lock-model.md §2)
// plus the user's changes. Ticking or unticking a column re-runs the analysis with the change.
class LockRulesPanel : public QWidget {
    Q_OBJECT
public:
    explicit LockRulesPanel(QWidget *parent = nullptr);

    void setAnalysis(AnalysisPtr analysis);
    // The user's changes relative to the built-in rules, for AnalyzeOptions.
    std::vector<LockRule> addedRules() const { return m_added; }
    QStringList removedColumns() const { return m_removed; }
    void resetOverrides();
    // Same as ticking/unticking the column's box.
    void setColumnLocks(const QString &column, bool locks);
    QTableWidget *table() const { return m_table; }

signals:
    void rulesChanged();

private:
    void rebuild();

    AnalysisPtr m_analysis;
    QLabel *m_header;
    QTableWidget *m_table;
    std::vector<LockRule> m_added;
    QStringList m_removed;
    bool m_updating = false;
};

} // namespace lockstep::ui
