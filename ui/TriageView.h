#pragma once

#include "RunController.h"
#include "triage/Triage.h"

#include <QWidget>

class QLabel;
class QProgressBar;
class QPushButton;
class QTableWidget;
class QTextBrowser;

namespace lockstep::ui {

class BackgroundTask;

// What support hands Lockstep: a failed job's result files (Data Loader error/success, Bulk
// API 1.0 or 2.0 results, with the load file when known), a folder of a Bulk job's documents,
// or a Bulk job's id on the org.
struct TriageRequest {
    QStringList files;
    QString source;      // files: the job's load file ("" when unknown)
    QString folder;      // a Bulk job's documents
    QString jobId;       // a Bulk job on `target`'s org
    bool isJob() const { return !jobId.isEmpty(); }
};

// The "failed job" page of the Results step: why a job failed, from its files alone (triage):
// rows by outcome and error code, the parents its lock errors waited on and their skew, the
// failures of each batch with each lock error explained (which batch held the parent and when),
// and what to do with the failed rows — parent-aware lanes, predicted beside parallel.
class TriageView : public QWidget {
    Q_OBJECT
public:
    explicit TriageView(QWidget *parent = nullptr);
    ~TriageView() override;

    // Reads (or downloads) and triages off the GUI thread; shown() or failed() follows.
    void start(const TriageRequest &request, const RunTarget &target);
    void cancel();
    void showReport(const TriageReport &report);
    void showError(const QString &message);
    const std::optional<TriageReport> &report() const { return m_report; }

    QLabel *summary() const { return m_summary; }
    QTableWidget *codes() const { return m_codes; }
    QTableWidget *parents() const { return m_parents; }
    QTableWidget *batches() const { return m_batches; }
    QTextBrowser *explanations() const { return m_explanations; }

signals:
    void shown();
    void failed(const QString &message);

private:
    BackgroundTask *m_task;
    QLabel *m_summary;
    QProgressBar *m_progress;
    QPushButton *m_cancel;
    QTableWidget *m_codes;
    QTableWidget *m_parents;
    QTableWidget *m_batches;
    QTextBrowser *m_explanations;
    std::optional<TriageReport> m_report;
};

} // namespace lockstep::ui
