#pragma once

#include "analysis/FileAnalysis.h"
#include "common/Progress.h"

#include <QObject>

#include <memory>

namespace lockstep::ui {

class BackgroundTask;

using AnalysisPtr = std::shared_ptr<const FileAnalysis>;

// Runs analyzeFile on a worker thread (a BackgroundTask): a result or progress report of an
// older request is dropped, so the window only ever shows the file the user asked for last.
// Never blocks the GUI thread.
class AnalysisController : public QObject {
    Q_OBJECT
public:
    explicit AnalysisController(QObject *parent = nullptr);
    ~AnalysisController() override;

    void open(const QString &path, const AnalyzeOptions &options = {});
    void cancel();
    bool isRunning() const { return m_running; }
    AnalysisPtr analysis() const { return m_analysis; }
    QString currentPath() const { return m_path; }
    quint64 generation() const;
    // Workers still reading (a cancelled one stops at its next check, within a few MB).
    int activeWorkers() const;

signals:
    void started(const QString &path);
    void progressChanged(int permille, const QString &phase);
    void finished(lockstep::ui::AnalysisPtr analysis);
    void failed(const QString &message, const QString &path, qint64 line);
    void cancelled(const QString &path);

private:
    void deliver(Result<std::shared_ptr<FileAnalysis>> result);

    BackgroundTask *m_task;
    AnalysisPtr m_analysis;
    QString m_path;
    bool m_running = false;
};

} // namespace lockstep::ui

Q_DECLARE_METATYPE(lockstep::ui::AnalysisPtr)
