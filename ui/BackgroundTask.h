#pragma once

#include "common/Progress.h"

#include <QObject>
#include <QThreadPool>
#include <QtConcurrent>

#include <atomic>
#include <functional>
#include <memory>
#include <type_traits>

namespace lockstep::ui {

class BackgroundTask;

// One run of a BackgroundTask, as the work sees it on its worker thread: the token that says
// stop, and a way to send something back to the GUI thread that is dropped once the run is
// stale (a newer run started, or it was cancelled) or the task is gone.
class BackgroundRun {
public:
    const CancelToken &cancelToken() const { return m_cancel; }
    bool isCancelled() const { return m_cancel.isCancelled(); }
    // Runs `onGuiThread` on the task's thread, if this run is still the latest when it gets there.
    void post(std::function<void()> onGuiThread) const;
    // A Progress for core functions: its token is this run's, and its reports reach
    // `onProgress(permille, phase)` on the GUI thread — at most once per 0.1 % step (permille
    // -1 when the total is unknown), and only while the run is current.
    Progress progress(std::function<void(int permille, const QString &phase)> onProgress) const;

private:
    friend class BackgroundTask;
    struct Channel;
    void finish(std::function<void()> deliver) const;   // the result: the run is no longer busy
    void send(std::function<void()> onGuiThread, bool last) const;

    std::shared_ptr<Channel> m_channel;
    quint64 m_generation = 0;
    CancelToken m_cancel;
};

// Runs GUI work off the GUI thread, the one way the window does it (DB Browser for SQLite's
// RowLoader, generalised): work runs on a thread pool with a cancel token; every run gets a
// generation number and only the latest one's result is delivered — on the GUI thread, and
// never after the task (or the object owning it) is destroyed. Starting a run cancels the
// previous one; its late answer is dropped.
//
//     m_task->start([file](const BackgroundRun &run) { return analyze(file, run.progress(...)); },
//                   [this](Result<Analysis> result) { show(result); });
class BackgroundTask : public QObject {
    Q_OBJECT
public:
    // `pool` is not owned; null means sharedPool().
    explicit BackgroundTask(QObject *parent = nullptr, QThreadPool *pool = nullptr);
    // The window's pool for short work (at least 4 threads). Work that lasts minutes (a job's
    // run, seeding the demo org) gets a pool of its own, so it never holds up a filter or a heatmap.
    static QThreadPool *sharedPool();
    // Cancels the current run and drops whatever any run still sends. It does not wait: the
    // work must hold (by value or shared pointer) everything it reads.
    ~BackgroundTask() override;

    // `work(const BackgroundRun &)` runs on the pool; `deliver(result)` (or `deliver()` for
    // void work) runs on this object's thread if the run is still the latest when it ends.
    template <class Work, class Deliver>
    void start(Work work, Deliver deliver)
    {
        using R = std::invoke_result_t<Work &, const BackgroundRun &>;
        const BackgroundRun run = begin();
        auto running = m_running;
        (void)QtConcurrent::run(m_pool, [run, running, work = std::move(work), deliver = std::move(deliver)]() mutable {
            if constexpr (std::is_void_v<R>) {
                work(run);
                running->fetch_sub(1);
                run.finish([deliver]() mutable { deliver(); });
            } else {
                auto result = std::make_shared<R>(work(run));
                running->fetch_sub(1);
                run.finish([deliver, result]() mutable { deliver(std::move(*result)); });
            }
        });
    }

    // Cancels the current run's token and drops its result (and its progress) from now on.
    void cancel();
    // A run was started and neither delivered nor cancelled yet.
    bool isBusy() const { return m_busy; }
    quint64 generation() const { return m_generation; }
    // Works still running on the pool, stale ones included (a cancelled one ends at its next check).
    int runningWorks() const { return m_running->load(); }

private:
    friend class BackgroundRun;
    BackgroundRun begin();

    QThreadPool *m_pool;
    std::shared_ptr<BackgroundRun::Channel> m_channel;
    std::shared_ptr<std::atomic<int>> m_running = std::make_shared<std::atomic<int>>(0);
    CancelToken m_cancel;
    quint64 m_generation = 0;
    bool m_busy = false;
};

} // namespace lockstep::ui
