#pragma once

#include "AnalysisController.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QPushButton;
class QTableWidget;
class QToolButton;

namespace lockstep::ui {

class MappingEditor;

// The open file's mapping, as detected and as the user corrects it: the object it loads into,
// the operation, the field an upsert matches on, and per column its role (data, record Id, a
// lookup and to what) with the lock rule it makes and why (lock-model.md §2). Every edit goes
// through the MappingEditor — one undoable step each — and the file is read again with it.
class MappingPanel : public QWidget {
    Q_OBJECT
public:
    explicit MappingPanel(MappingEditor *editor, QWidget *parent = nullptr);

    void setAnalysis(AnalysisPtr analysis);

    // What a user does with the controls, callable from tests and menus alike.
    void setObject(const QString &object);
    void setOperation(Operation operation);
    void setExternalId(const QString &field);
    void setColumnRole(const QString &column, ColumnRole role, const QStringList &targets = {});
    void setColumnLocks(const QString &column, bool locks);
    void resetToDetected();

    QComboBox *objectBox() const { return m_object; }
    QComboBox *operationBox() const { return m_operation; }
    QComboBox *externalIdBox() const { return m_externalId; }
    QTableWidget *table() const { return m_table; }
    QString summaryText() const;

private:
    void rebuild();
    void fillColumns();

    MappingEditor *m_editor;
    AnalysisPtr m_analysis;
    QLabel *m_summary;
    QComboBox *m_object;
    QComboBox *m_operation;
    QComboBox *m_externalId;
    QToolButton *m_undo;
    QToolButton *m_redo;
    QPushButton *m_reset;
    QTableWidget *m_table;
    bool m_updating = false;
};

} // namespace lockstep::ui
