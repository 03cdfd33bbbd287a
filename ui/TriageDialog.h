#pragma once

#include "TriageView.h"

#include <QDialog>

class QDialogButtonBox;
class QLineEdit;
class QListWidget;
class QTabWidget;

namespace lockstep::ui {

// File → Open Failed Job…: the job's result files (and its load file, when known), a folder of a
// Bulk job's documents, or a Bulk job's id on the org chosen in the File step.
class TriageDialog : public QDialog {
    Q_OBJECT
public:
    TriageDialog(const QString &orgLabel, QWidget *parent = nullptr);

    TriageRequest request() const;
    void setFiles(const QStringList &files, const QString &source = {});
    void setFolder(const QString &folder);
    void setJobId(const QString &jobId);
    QDialogButtonBox *buttons() const { return m_buttons; }

private:
    void updateOk();

    QTabWidget *m_tabs;
    QListWidget *m_files;
    QLineEdit *m_source;
    QLineEdit *m_folder;
    QLineEdit *m_jobId;
    QDialogButtonBox *m_buttons;
};

} // namespace lockstep::ui
