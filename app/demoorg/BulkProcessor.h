#pragma once

#include "demoorg/CsvTable.h"
#include "demoorg/WriteEngine.h"

#include <QDateTime>
#include <QJsonObject>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>

namespace lockstep::demoorg {

class QueryResult;

struct BulkBatch {
    enum class State { Queued, InProgress, Completed, Failed, NotProcessed };
    QString id;
    QString jobId;
    State state = State::Queued;
    QString stateMessage;
    QDateTime created;
    QDateTime modified;
    QByteArray request;                 // the uploaded body (Bulk 1.0 "…/request")
    CsvTable table;
    std::vector<RowOutcome> results;    // per row, valid where processed[i]
    std::vector<bool> processed;
    size_t cursor = 0;                  // next unprocessed row
    // When it (or its re-queued rest) became available to the workers: its first chunk's server
    // time starts no earlier (see ServerTimeChain).
    std::chrono::steady_clock::time_point queuedAt;
    int requeues = 0;
    qint64 processingMs = 0;
    qint64 failedRows = 0;
    // A query batch (its body is SOQL): the records read when it ran, and the ids of its result
    // files (Bulk 1.0: each up to bulkQueryPageRows records). Its `cursor` counts the records.
    std::shared_ptr<const QueryResult> queryResult;
    QStringList resultIds;
};

QString batchStateName(BulkBatch::State state);

struct BulkJob {
    enum class Query { None, Query, QueryAll };
    QString id;
    bool v2 = false;
    Operation operation = Operation::Insert;   // an ingest job's
    Query query = Query::None;                 // a query job's (then `operation` means nothing)
    QString soql;                              // 2.0 query: the query of the job
    QString object;
    QString externalIdField;
    bool serial = false;
    QString contentType = QStringLiteral("CSV");
    bool jsonInfo = false;              // Bulk 1.0: the job was created in JSON; answer in JSON
    QString state = QStringLiteral("Open");   // 1.0: Open/Closed/Aborted/Failed; 2.0: Open/UploadComplete/InProgress/JobComplete/Failed/Aborted
    QString apiVersion;
    QString lineEnding = QStringLiteral("LF");
    QString columnDelimiter = QStringLiteral("COMMA");
    QString errorMessage;
    bool retryDisabled = false;         // Sforce-Disable-Batch-Retry
    // A Serial job's previous batch pass ended (its last chunk's commit point): the next batch
    // of the job cannot start before it.
    std::optional<std::chrono::steady_clock::time_point> lastPassEnded;
    bool allowDuplicates = false;
    QDateTime created;
    QDateTime modified;
    QByteArray upload;                  // 2.0: the data uploaded so far
    std::vector<std::shared_ptr<BulkBatch>> batches;
    int retries = 0;

    bool isQuery() const { return query != Query::None; }
};

// "insert", "upsert", …, or "query" / "queryAll".
QString jobOperationName(const BulkJob &job);
struct BulkJobCounts;
// What a Bulk 2.0 job's info says of any job, ingest or query (with the processor's lock held).
QJsonObject v2JobInfo(const BulkJob &job, const BulkJobCounts &counts, const QString &createdById);
// A Bulk 2.0 columnDelimiter (COMMA, TAB, PIPE, SEMICOLON, CARET, BACKQUOTE) as a character; 0
// for any other name.
char columnDelimiterChar(const QString &name);

struct BulkJobCounts {
    int queued = 0, inProgress = 0, completed = 0, failed = 0, notProcessed = 0, total = 0;
    qint64 recordsProcessed = 0, recordsFailed = 0, processingMs = 0;
};

// The Bulk job queue both Bulk APIs share: batches wait FIFO, up to the profile's concurrency
// run at once (one at a time for a Serial job), each as consecutive 200-row transactions on
// WriteEngine; a pass with too many lock failures puts the rest of its batch back on the queue
// (SavePolicy, the engine's rule). Job and batch state live in memory.
class BulkProcessor {
public:
    BulkProcessor(WriteEngine &writer, const Schema &schema, const DemoProfile &profile);
    ~BulkProcessor();
    void stop();

    std::shared_ptr<BulkJob> createJob(BulkJob job);
    std::shared_ptr<BulkJob> job(const QString &id) const;
    // Ingest jobs, or query jobs, of one API.
    std::vector<std::shared_ptr<BulkJob>> jobs(bool v2, bool queries = false) const;
    // Forgets a job (Bulk 2.0 DELETE); false when unknown.
    bool removeJob(const QString &id);

    // Bulk 1.0: parses and queues a batch (a parse or header problem fails it at once).
    std::shared_ptr<BulkBatch> addBatch(const std::shared_ptr<BulkJob> &job, const QByteArray &csv);
    // A query job's batch: SOQL to run (BulkQueryRunner runs it). A problem with the query
    // (`failure`: the batch's stateMessage) fails the batch at once.
    std::shared_ptr<BulkBatch> addQueryBatch(const std::shared_ptr<BulkJob> &job, const QByteArray &soql, const QString &failure = {});
    // Bulk 2.0: cut the upload into internal batches and queue them.
    void uploadComplete(const std::shared_ptr<BulkJob> &job);
    // Job state changes under the processor's lock (Closed, Aborted, UploadComplete...).
    void setState(const std::shared_ptr<BulkJob> &job, const QString &state);
    void appendUpload(const std::shared_ptr<BulkJob> &job, const QByteArray &data);

    BulkJobCounts counts(const BulkJob &job) const;
    // A consistent copy of a batch's state (workers change batches while they run).
    BulkBatch snapshot(const BulkBatch &batch) const;
    template <class F>
    auto withLock(F &&f) const
    {
        std::lock_guard lock(m_mutex);
        return f();
    }

    int queuedBatches() const;
    int runningBatches() const;
    qint64 batchesToday() const { return m_batchesCreated.load(); }

    // A fresh job (750), batch (751) or query result (752) Id; with the processor's lock held.
    QString newIdLocked(const QString &prefix) { return newId(prefix); }

private:
    void workerLoop();
    std::shared_ptr<BulkBatch> nextBatch();   // with m_mutex held
    void process(const std::shared_ptr<BulkJob> &job, const std::shared_ptr<BulkBatch> &batch, ServerTimeChain &chain);
    void enqueue(const std::shared_ptr<BulkBatch> &batch, std::chrono::steady_clock::time_point at);   // with m_mutex held
    std::optional<QString> validateHeader(const BulkJob &job, const QStringList &header) const;
    WriteRow rowFromCsv(const ObjectDef &object, const BulkJob &job, const QStringList &header, const QStringList &cells) const;
    void finishJobIfDone(BulkJob &job);   // with m_mutex held
    QString newId(const QString &prefix);

    WriteEngine &m_writer;
    const Schema &m_schema;
    const DemoProfile &m_profile;
    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    std::deque<std::shared_ptr<BulkBatch>> m_queue;
    QHash<QString, std::shared_ptr<BulkJob>> m_jobs;
    QHash<QString, int> m_runningPerJob;
    int m_running = 0;
    bool m_stopping = false;
    std::vector<std::thread> m_workers;
    std::atomic<qint64> m_batchesCreated{0};
    qint64 m_nextId = 1;
};

} // namespace lockstep::demoorg
