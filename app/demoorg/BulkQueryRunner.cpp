#include "demoorg/BulkQueryRunner.h"

#include "demoorg/QueryEngine.h"

namespace lockstep::demoorg {

BulkQueryRunner::BulkQueryRunner(BulkProcessor &bulk, QueryEngine &queries, const DemoProfile &profile)
    : m_bulk(bulk), m_queries(queries), m_profile(profile)
{
    m_thread = std::thread([this] { loop(); });
}

BulkQueryRunner::~BulkQueryRunner()
{
    stop();
}

void BulkQueryRunner::stop()
{
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_all();
    if (m_thread.joinable())
        m_thread.join();
}

BulkQueryRunner::Clock::duration BulkQueryRunner::platform(double seconds) const
{
    return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(std::max(0.0, seconds) * m_profile.scale));
}

void BulkQueryRunner::submit(const std::shared_ptr<BulkJob> &job, const std::shared_ptr<BulkBatch> &batch)
{
    {
        std::lock_guard lock(m_mutex);
        m_due.emplace(Clock::now() + platform(m_profile.bulkQueryStartSeconds), Step{job, batch, false, {}, {}, {}});
    }
    m_wake.notify_all();
}

void BulkQueryRunner::loop()
{
    std::unique_lock lock(m_mutex);
    while (!m_stopping) {
        if (m_due.empty()) {
            m_wake.wait(lock);
            continue;
        }
        if (m_due.begin()->first > Clock::now()) {
            m_wake.wait_until(lock, m_due.begin()->first);
            continue;
        }
        Step step = std::move(m_due.begin()->second);
        m_due.erase(m_due.begin());
        lock.unlock();
        if (step.finish)
            finish(step);
        else
            start(std::move(step));
        lock.lock();
    }
}

void BulkQueryRunner::start(Step step)
{
    const bool run = m_bulk.withLock([&] {
        if (step.job->state == QLatin1String("Aborted") || step.batch->state != BulkBatch::State::Queued)
            return false;
        step.batch->state = BulkBatch::State::InProgress;
        step.batch->modified = QDateTime::currentDateTimeUtc();
        if (step.job->v2)
            step.job->state = QStringLiteral("InProgress");
        return true;
    });
    if (!run)
        return;
    step.started = Clock::now();
    // The records are read when the batch starts, as Salesforce's query sees the data then.
    auto result = m_queries.run(QString::fromUtf8(step.batch->request));
    qsizetype records = 0;
    if (result) {
        step.result = *result;
        records = step.result->size();
    } else {
        step.failure = QStringLiteral("InvalidBatch : Failed to process query: %1: %2").arg(result.error().errorCode, result.error().message.trimmed());
    }
    step.finish = true;
    const auto due = step.started + platform(double(records) / std::max(1.0, m_profile.bulkQueryRowsPerSecond));
    {
        std::lock_guard lock(m_mutex);
        m_due.emplace(due, std::move(step));
    }
    m_wake.notify_all();
}

void BulkQueryRunner::finish(const Step &step)
{
    m_bulk.withLock([&] {
        BulkJob &job = *step.job;
        BulkBatch &batch = *step.batch;
        batch.modified = job.modified = QDateTime::currentDateTimeUtc();
        batch.processingMs = qint64(std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - step.started).count());
        if (job.state == QLatin1String("Aborted")) {
            batch.state = BulkBatch::State::NotProcessed;
            batch.stateMessage = QStringLiteral("Job aborted");
            return;
        }
        if (!step.result) {
            batch.state = BulkBatch::State::Failed;
            batch.stateMessage = step.failure;
            if (job.v2) {
                job.state = QStringLiteral("Failed");
                job.errorMessage = step.failure;
            }
            return;
        }
        batch.queryResult = step.result;
        batch.cursor = size_t(step.result->size());
        const qsizetype perFile = std::max(1, m_profile.bulkQueryPageRows);
        for (qsizetype begin = 0; begin == 0 || begin < step.result->size(); begin += perFile)
            batch.resultIds << m_bulk.newIdLocked(QStringLiteral("752"));
        batch.state = BulkBatch::State::Completed;
        if (job.v2)
            job.state = QStringLiteral("JobComplete");
    });
}

} // namespace lockstep::demoorg
