#include "AnalysisController.h"

#include <QPointer>
#include <QThreadPool>
#include <QtConcurrent>

namespace lockstep::ui {

AnalysisController::AnalysisController(QObject *parent) : QObject(parent)
{
    qRegisterMetaType<AnalysisPtr>();
}

AnalysisController::~AnalysisController()
{
    m_cancel.cancel();
}

void AnalysisController::open(const QString &path, const AnalyzeOptions &options)
{
    m_cancel.cancel();   // the previous run stops at its next check; its result is dropped anyway
    m_cancel = CancelToken();
    const quint64 generation = ++m_generation;
    m_path = path;
    m_running = true;
    m_lastPermille = std::make_shared<std::atomic<int>>(-1);
    emit started(path);

    Progress progress;
    progress.cancel = m_cancel;
    QPointer<AnalysisController> self(this);
    auto lastPermille = m_lastPermille;
    // Called on worker threads: forward at most once per 0.1 % step, queued to the GUI thread.
    progress.report = [self, generation, lastPermille](qint64 done, qint64 total, const QString &phase) {
        const int permille = total > 0 ? int(done * 1000 / total) : -1;
        if (permille >= 0 && lastPermille->exchange(permille) == permille)
            return;
        QMetaObject::invokeMethod(
            self.data(),
            [self, generation, permille, phase] {
                if (self && self->m_generation == generation && self->m_running)
                    emit self->progressChanged(permille, phase);
            },
            Qt::QueuedConnection);
    };
    auto active = m_activeWorkers;
    active->fetch_add(1);
    (void)QtConcurrent::run(QThreadPool::globalInstance(), [self, path, options, progress, generation, active] {
        auto result = analyzeFile(path, options, progress);
        active->fetch_sub(1);
        QMetaObject::invokeMethod(
            self.data(),
            [self, generation, result = std::move(result)]() mutable {
                if (self)
                    self->deliver(generation, std::move(result));
            },
            Qt::QueuedConnection);
    });
}

void AnalysisController::cancel()
{
    if (!m_running)
        return;
    m_cancel.cancel();
    m_running = false;
    ++m_generation;   // whatever the worker still sends is stale now
    emit cancelled(m_path);
}

void AnalysisController::deliver(quint64 generation, Result<std::shared_ptr<FileAnalysis>> result)
{
    if (generation != m_generation)
        return;
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
