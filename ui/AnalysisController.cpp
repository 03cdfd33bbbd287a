#include "AnalysisController.h"

#include "BackgroundTask.h"

namespace lockstep::ui {

AnalysisController::AnalysisController(QObject *parent) : QObject(parent), m_task(new BackgroundTask(this))
{
    qRegisterMetaType<AnalysisPtr>();
}

AnalysisController::~AnalysisController() = default;

quint64 AnalysisController::generation() const
{
    return m_task->generation();
}

int AnalysisController::activeWorkers() const
{
    return m_task->runningWorks();
}

void AnalysisController::open(const QString &path, const AnalyzeOptions &options)
{
    m_path = path;
    m_running = true;
    emit started(path);
    m_task->start(
        [this, path, options](const BackgroundRun &run) {
            // `this` only inside the progress callback, which runs on the GUI thread.
            return analyzeFile(path, options, run.progress([this](int permille, const QString &phase) { emit progressChanged(permille, phase); }));
        },
        [this](Result<std::shared_ptr<FileAnalysis>> result) { deliver(std::move(result)); });
}

void AnalysisController::cancel()
{
    if (!m_running)
        return;
    m_task->cancel();   // the worker stops at its next check; whatever it still sends is dropped
    m_running = false;
    emit cancelled(m_path);
}

void AnalysisController::deliver(Result<std::shared_ptr<FileAnalysis>> result)
{
    m_running = false;
    if (!result) {
        if (result.error().kind == ErrorKind::Cancelled) {
            emit cancelled(m_path);
            return;
        }
        emit failed(result.error().message, result.error().file.isEmpty() ? m_path : result.error().file,
                    result.error().line);
        return;
    }
    m_analysis = std::move(*result);
    emit finished(m_analysis);
}

} // namespace lockstep::ui
