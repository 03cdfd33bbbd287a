#pragma once

#include "demoorg/BulkProcessor.h"

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

namespace lockstep::demoorg {

class QueryEngine;

// Runs the query batches of both Bulk APIs in the org's time: a batch waits
// `bulkQueryStartSeconds` (Queued; a 2.0 job UploadComplete), then reads its records at once
// (InProgress: what it returns is the data at that moment) and takes `records /
// bulkQueryRowsPerSecond` before it is Completed (a 2.0 job JobComplete) — platform seconds,
// scaled. One thread keeps every job's schedule, so a thousand open jobs cost no threads.
class BulkQueryRunner {
public:
    BulkQueryRunner(BulkProcessor &bulk, QueryEngine &queries, const DemoProfile &profile);
    ~BulkQueryRunner();
    void stop();

    void submit(const std::shared_ptr<BulkJob> &job, const std::shared_ptr<BulkBatch> &batch);

private:
    using Clock = std::chrono::steady_clock;
    struct Step {
        std::shared_ptr<BulkJob> job;
        std::shared_ptr<BulkBatch> batch;
        bool finish = false;                 // false: start it; true: hand out its records
        std::shared_ptr<const QueryResult> result;
        QString failure;
        Clock::time_point started;
    };
    void loop();
    void start(Step step);
    void finish(const Step &step);
    Clock::duration platform(double seconds) const;

    BulkProcessor &m_bulk;
    QueryEngine &m_queries;
    const DemoProfile &m_profile;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::multimap<Clock::time_point, Step> m_due;
    bool m_stopping = false;
    std::thread m_thread;
};

} // namespace lockstep::demoorg
