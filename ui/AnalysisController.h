#pragma once

#include "analysis/FileAnalysis.h"
#include "common/Progress.h"

#include <QObject>

#include <memory>

namespace lockstep::ui {

using AnalysisPtr = std::shared_ptr<const FileAnalysis>;

// Runs analyzeFile on a worker thread. Each request gets a generation number; a result or
// progress report from an older generation is dropped, so the window only ever shows the file
// the user asked for last. Never blocks the GUI thread.
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
    quint64 generation() const { return m_generation; }
    // Workers still reading (a cancelled one stops at its next check, within a few MB).
    int activeWorkers() const { return m_activeWorkers->load(); }

signals:
    void started(const QString &path);
    void progressChanged(int permille, const QString &phase);
    void finished(lockstep::ui::AnalysisPtr analysis);
    void failed(const QString &message, const QString &path, qint64 line);
    void cancelled(const QString &path);

private:
    void deliver(quint64 generation, Result<std::shared_ptr<FileAnalysis>> result);

    AnalysisPtr m_analysis;
    CancelToken m_cancel;
    QString m_path;
    quint64 m_generation = 0;
    bool m_running = false;
    std::shared_ptr<std::atomic<int>> m_lastPermille = std::make_shared<std::atomic<int>>(-1);
    std::shared_ptr<std::atomic<int>> m_activeWorkers = std::make_shared<std::atomic<int>>(0);
};

} // namespace lockstep::ui

Q_DECLARE_METATYPE(lockstep::ui::AnalysisPtr)
