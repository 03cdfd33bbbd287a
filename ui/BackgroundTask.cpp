#include "BackgroundTask.h"

#include <QThread>

#include <algorithm>

#include <QMutex>

#include <algorithm>

namespace lockstep::ui {

// Where a run's answers go. Workers post under the mutex; the task's destructor clears `owner`
// under it, so nothing is posted to a task that is being destroyed (and ~QObject removes what
// was posted before).
struct BackgroundRun::Channel {
    QMutex mutex;
    BackgroundTask *owner = nullptr;
};

void BackgroundRun::post(std::function<void()> onGuiThread) const
{
    send(std::move(onGuiThread), false);
}

void BackgroundRun::finish(std::function<void()> deliver) const
{
    send(std::move(deliver), true);
}

void BackgroundRun::send(std::function<void()> onGuiThread, bool last) const
{
    QMutexLocker lock(&m_channel->mutex);
    BackgroundTask *owner = m_channel->owner;
    if (!owner)
        return;
    QMetaObject::invokeMethod(
        owner,
        [owner, generation = m_generation, last, f = std::move(onGuiThread)] {
            if (owner->m_generation != generation)
                return;
            if (last)
                owner->m_busy = false;
            f();
        },
        Qt::QueuedConnection);
}

Progress BackgroundRun::progress(std::function<void(int permille, const QString &phase)> onProgress) const
{
    Progress progress;
    progress.cancel = m_cancel;
    auto last = std::make_shared<std::atomic<int>>(-2);
    progress.report = [run = *this, last, onProgress = std::move(onProgress)](qint64 done, qint64 total, const QString &phase) {
        const int permille = total > 0 ? int(std::clamp<qint64>(done * 1000 / total, 0, 1000)) : -1;
        if (permille >= 0 && last->exchange(permille) == permille)
            return;
        run.post([onProgress, permille, phase] { onProgress(permille, phase); });
    };
    return progress;
}

QThreadPool *BackgroundTask::sharedPool()
{
    // Not Qt's global pool: the raster paint engine fills large areas on it and waits, so a
    // window whose work held the global pool's threads (two, on a 2-core machine) would paint
    // only when that work ended.
    static QThreadPool pool;
    static const bool sized = [] {
        pool.setMaxThreadCount(std::max(4, QThread::idealThreadCount()));
        return true;
    }();
    (void)sized;
    return &pool;
}

BackgroundTask::BackgroundTask(QObject *parent, QThreadPool *pool)
    : QObject(parent), m_pool(pool ? pool : sharedPool()), m_channel(std::make_shared<BackgroundRun::Channel>())
{
    m_channel->owner = this;
}

BackgroundTask::~BackgroundTask()
{
    m_cancel.cancel();
    QMutexLocker lock(&m_channel->mutex);
    m_channel->owner = nullptr;
}

BackgroundRun BackgroundTask::begin()
{
    m_cancel.cancel();   // the previous run stops at its next check; its answer is stale anyway
    m_cancel = CancelToken();
    m_busy = true;
    m_running->fetch_add(1);
    BackgroundRun run;
    run.m_channel = m_channel;
    run.m_generation = ++m_generation;
    run.m_cancel = m_cancel;
    return run;
}

void BackgroundTask::cancel()
{
    m_cancel.cancel();
    ++m_generation;
    m_busy = false;
}

} // namespace lockstep::ui
