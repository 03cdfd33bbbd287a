#pragma once

#include "AnalysisController.h"
#include "job/ResultFiles.h"
#include "job/RetryPolicy.h"
#include "plan/Planner.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QPushButton;

namespace lockstep::ui {

class BackgroundTask;
class ResultsView;
class RetryDialog;

// The Results step: pick a job of the job store, see every row (ResultsView), retry the locked
// rows or the selected ones (RetryDialog: mitigation and prediction first), copy rows, export
// its result files in any format. What `lockstep-cli jobs`, `show`, `retry` and `export` do.
class JobResultsPanel : public QWidget {
    Q_OBJECT
public:
    explicit JobResultsPanel(QWidget *parent = nullptr);
    ~JobResultsPanel() override;

    // Lists the store's jobs and shows the newest (or `job`); false with the reason shown when
    // the store cannot be read.
    bool openStore(const QString &storePath, qint64 job = 0);
    bool showJob(qint64 job);
    // Writes the shown job's result files into `directory` off the GUI thread; exported() or
    // failed() follows.
    void exportResults(ResultFormat format, const QString &directory);

    ResultsView *results() const { return m_results; }
    QComboBox *jobs() const { return m_jobs; }
    QLabel *status() const { return m_status; }

    // The analysis of a file the window has open: a job whose source it is retries from it
    // without reading the file again.
    void setSourceHint(AnalysisPtr analysis) { m_sourceHint = std::move(analysis); }
    // Opens the retry dialog for the job's UNABLE_TO_LOCK_ROW rows, or for the selected rows
    // (the job's source is read first when it is not the open file).
    void retryAllLocked();
    void retrySelected();
    RetryDialog *retryDialog() const { return m_retryDialog; }
    // The selected rows as tab-separated text (with a header), as Copy puts them on the clipboard.
    QString selectedRowsText() const;
    void copySelectedRows();
    QPushButton *retryLockedButton() const { return m_retryLocked; }
    QPushButton *retrySelectedButton() const { return m_retrySelected; }
    QPushButton *exportButton() const { return m_export; }
    qint64 currentJob() const;

signals:
    void exported(const QStringList &paths);
    void failed(const QString &message);
    // The user confirmed a retry in the dialog: the window runs it (RunController::retry).
    void retryRequested(qint64 job, lockstep::ui::AnalysisPtr source, const lockstep::RetrySelection &selection,
                        const lockstep::Mitigation &mitigation, const lockstep::PlanOptions &options);
    void retryDialogShown();

private:
    void chooseExport(ResultFormat format);
    void openRetry(const RetrySelection &selection, const QString &what);
    void updateButtons();

    QComboBox *m_jobs;
    QPushButton *m_retryLocked;
    QPushButton *m_retrySelected;
    QPushButton *m_copy;
    QPushButton *m_export;
    QLabel *m_status;
    ResultsView *m_results;
    BackgroundTask *m_task;
    BackgroundTask *m_sourceTask;
    QString m_storePath;
    AnalysisPtr m_sourceHint;
    RetryDialog *m_retryDialog = nullptr;
};

} // namespace lockstep::ui
