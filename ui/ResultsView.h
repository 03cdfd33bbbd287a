#pragma once

#include "store/JobStore.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QStackedWidget;
class QLabel;
class QLineEdit;
class QSpinBox;
class QTableView;
class QTextBrowser;
class QTimer;

namespace lockstep::ui {

class BackgroundTask;
class ParentGroupModel;
class ResultsTableModel;

// The Results step: every row of a job in a table over the job store (ResultsTableModel),
// filtered by status, error code, parent, batch, attempts and text, sorted by a header click,
// and the selected row's record with why it failed — its lock error explained (explainJob,
// off the GUI thread). What the filters find is counted above the table.
class ResultsView : public QWidget {
    Q_OBJECT
public:
    explicit ResultsView(QWidget *parent = nullptr);
    ~ResultsView() override;

    // Shows `job` of the store at `storePath`; false (and the reason in the view) when it cannot.
    bool showJob(const QString &storePath, qint64 job);
    // The filter bar's state as a filter (what the table shows once the search has run).
    RowFilter filterFromBar() const;
    void setFilter(const RowFilter &filter);   // fills the bar and applies it

    ResultsTableModel *model() const { return m_model; }
    QTableView *table() const { return m_table; }
    // Group by parent: the rows the filters pass, one line per parent (ParentGroupModel).
    void setGroupedByParent(bool grouped);
    bool isGroupedByParent() const;
    QTableView *groupTable() const { return m_groupTable; }
    ParentGroupModel *groupModel() const { return m_groups; }
    QTextBrowser *detail() const { return m_detail; }
    QLabel *countLabel() const { return m_count; }

signals:
    void filterApplied(qint64 rows);
    void detailShown(qint64 row);
    void parentGroupsShown(int parents);   // the selected row's record and explanation are in the detail

private:
    void applyBar();
    void showDetail(int tableRow);
    void updateCount(qint64 shown);

    ResultsTableModel *m_model;
    QComboBox *m_status;
    QComboBox *m_code;
    QLineEdit *m_parent;
    QSpinBox *m_batch;
    QSpinBox *m_attempts;
    QLineEdit *m_search;
    QLabel *m_count;
    QTableView *m_table;
    QCheckBox *m_groupBox;
    ParentGroupModel *m_groups;
    QTableView *m_groupTable;
    QStackedWidget *m_tables;
    QTextBrowser *m_detail;
    QTimer *m_debounce;
    BackgroundTask *m_explain;
    QString m_storePath;
    qint64 m_total = 0;
    bool m_filling = false;
};

} // namespace lockstep::ui
