#pragma once

#include <QString>

#include <atomic>
#include <functional>
#include <memory>

namespace lockstep {

// Shared between the one who asks for work and the worker doing it. Copies share the flag,
// so a GUI can keep one and hand another to a worker thread.
class CancelToken {
public:
    CancelToken() : m_flag(std::make_shared<std::atomic_bool>(false)) {}
    void cancel() const { m_flag->store(true, std::memory_order_relaxed); }
    bool isCancelled() const { return m_flag->load(std::memory_order_relaxed); }

private:
    std::shared_ptr<std::atomic_bool> m_flag;
};

// How long work reports on itself: "done of total" in units the phase names (bytes, rows),
// plus the token to stop it. The callback may be called from worker threads and must be
// thread-safe; it is called at most every few megabytes, never per row.
struct Progress {
    std::function<void(qint64 done, qint64 total, const QString &phase)> report;
    CancelToken cancel;

    bool cancelled() const { return cancel.isCancelled(); }
    void operator()(qint64 done, qint64 total, const QString &phase) const
    {
        if (report)
            report(done, total, phase);
    }
};

} // namespace lockstep
