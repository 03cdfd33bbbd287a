#pragma once

#include "job/ResultFiles.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QPushButton;

namespace lockstep::ui {

class BackgroundTask;
class ResultsView;

// A window on the jobs of a job store: pick a job, see every row (ResultsView), export its
// result files in any format. File → Open Job Results… in the main window; what `lockstep-cli
// jobs`, `show` and `export` do, in a table.
class JobResultsWindow : public QWidget {
    Q_OBJECT
public:
    explicit JobResultsWindow(QWidget *parent = nullptr);
    ~JobResultsWindow() override;

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

signals:
    void exported(const QStringList &paths);
    void failed(const QString &message);

private:
    void chooseExport(ResultFormat format);

    QComboBox *m_jobs;
    QPushButton *m_export;
    QLabel *m_status;
    ResultsView *m_results;
    BackgroundTask *m_task;
    QString m_storePath;
};

} // namespace lockstep::ui
