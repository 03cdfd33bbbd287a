#include "demoorg/BulkProcessor.h"

#include "demoorg/FieldValue.h"
#include "load/SalesforceId.h"
#include "sim/SavePolicy.h"

#include <QElapsedTimer>

namespace lockstep::demoorg {

QString batchStateName(BulkBatch::State state)
{
    switch (state) {
    case BulkBatch::State::Queued: return QStringLiteral("Queued");
    case BulkBatch::State::InProgress: return QStringLiteral("InProgress");
    case BulkBatch::State::Completed: return QStringLiteral("Completed");
    case BulkBatch::State::Failed: return QStringLiteral("Failed");
    case BulkBatch::State::NotProcessed: return QStringLiteral("NotProcessed");
    }
    return {};
}

QString jobOperationName(const BulkJob &job)
{
    switch (job.query) {
    case BulkJob::Query::Query: return QStringLiteral("query");
    case BulkJob::Query::QueryAll: return QStringLiteral("queryAll");
    case BulkJob::Query::None: break;
    }
    return operationName(job.operation);
}

QJsonObject v2JobInfo(const BulkJob &job, const BulkJobCounts &counts, const QString &createdById)
{
    return QJsonObject{{QStringLiteral("id"), job.id},
                       {QStringLiteral("operation"), jobOperationName(job)},
                       {QStringLiteral("object"), job.object},
                       {QStringLiteral("createdById"), createdById},
                       {QStringLiteral("createdDate"), FieldValue::timestamp(job.created)},
                       {QStringLiteral("systemModstamp"), FieldValue::timestamp(job.modified)},
                       {QStringLiteral("state"), job.state},
                       {QStringLiteral("concurrencyMode"), QStringLiteral("Parallel")},
                       {QStringLiteral("contentType"), QStringLiteral("CSV")},
                       {QStringLiteral("apiVersion"), job.apiVersion.toDouble()},
                       {QStringLiteral("lineEnding"), job.lineEnding},
                       {QStringLiteral("columnDelimiter"), job.columnDelimiter},
                       {QStringLiteral("numberRecordsProcessed"), counts.recordsProcessed},
                       {QStringLiteral("retries"), job.retries},
                       {QStringLiteral("totalProcessingTime"), counts.processingMs}};
}

char columnDelimiterChar(const QString &name)
{
    static const QHash<QString, char> delimiters{{QStringLiteral("COMMA"), ','},    {QStringLiteral("TAB"), '\t'},  {QStringLiteral("PIPE"), '|'},
                                                 {QStringLiteral("SEMICOLON"), ';'}, {QStringLiteral("CARET"), '^'}, {QStringLiteral("BACKQUOTE"), '`'}};
    return delimiters.value(name, 0);
}

namespace {

bool finished(BulkBatch::State s)
{
    return s == BulkBatch::State::Completed || s == BulkBatch::State::Failed || s == BulkBatch::State::NotProcessed;
}

} // namespace

BulkProcessor::BulkProcessor(WriteEngine &writer, const Schema &schema, const DemoProfile &profile)
    : m_writer(writer), m_schema(schema), m_profile(profile)
{
    const int workers = std::max(1, profile.org.bulkConcurrency);
    for (int i = 0; i < workers; ++i)
        m_workers.emplace_back([this] { workerLoop(); });
}

BulkProcessor::~BulkProcessor()
{
    stop();
}

void BulkProcessor::stop()
{
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_all();
    for (auto &t : m_workers)
        if (t.joinable())
            t.join();
    m_workers.clear();
}

QString BulkProcessor::newId(const QString &prefix)
{
    static constexpr char kBase62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    qint64 n = m_nextId++;
    char digits[10];
    for (int i = 9; i >= 0; --i) {
        digits[i] = kBase62[n % 62];
        n /= 62;
    }
    return SalesforceId::to18((prefix + QStringLiteral("8d") + QString::fromLatin1(digits, 10)).toStdString());
}

std::shared_ptr<BulkJob> BulkProcessor::createJob(BulkJob job)
{
    std::lock_guard lock(m_mutex);
    job.id = newId(QStringLiteral("750"));
    job.created = job.modified = QDateTime::currentDateTimeUtc();
    auto shared = std::make_shared<BulkJob>(std::move(job));
    m_jobs.insert(shared->id, shared);
    return shared;
}

std::shared_ptr<BulkJob> BulkProcessor::job(const QString &id) const
{
    std::lock_guard lock(m_mutex);
    const QString canonical = FieldValue::canonicalId(id);
    return m_jobs.value(canonical.isEmpty() ? id : canonical);
}

std::vector<std::shared_ptr<BulkJob>> BulkProcessor::jobs(bool v2, bool queries) const
{
    std::lock_guard lock(m_mutex);
    std::vector<std::shared_ptr<BulkJob>> out;
    for (const auto &j : m_jobs)
        if (j->v2 == v2 && j->isQuery() == queries)
            out.push_back(j);
    std::sort(out.begin(), out.end(), [](const auto &a, const auto &b) { return a->id < b->id; });
    return out;
}

bool BulkProcessor::removeJob(const QString &id)
{
    std::lock_guard lock(m_mutex);
    return m_jobs.remove(id) > 0;
}

std::shared_ptr<BulkBatch> BulkProcessor::addQueryBatch(const std::shared_ptr<BulkJob> &job, const QByteArray &soql, const QString &failure)
{
    auto batch = std::make_shared<BulkBatch>();
    batch->jobId = job->id;
    batch->request = soql;
    batch->created = batch->modified = QDateTime::currentDateTimeUtc();
    if (!failure.isEmpty()) {
        batch->state = BulkBatch::State::Failed;
        batch->stateMessage = failure;
    }
    ++m_batchesCreated;
    std::lock_guard lock(m_mutex);
    batch->id = newId(QStringLiteral("751"));
    job->batches.push_back(batch);
    job->modified = batch->created;
    return batch;
}

std::optional<QString> BulkProcessor::validateHeader(const BulkJob &job, const QStringList &header) const
{
    const ObjectDef *object = m_schema.object(job.object);
    for (const QString &column : header) {
        const QString name = column.trimmed();
        const FieldDef *f = object->field(name);
        if (!f)
            return QStringLiteral("InvalidBatch : Field name not found : %1").arg(name);
    }
    if (job.operation == Operation::Upsert && !header.contains(job.externalIdField, Qt::CaseInsensitive))
        return QStringLiteral("InvalidBatch : Field name not found : %1").arg(job.externalIdField);
    if ((job.operation == Operation::Update || job.operation == Operation::Delete) && !header.contains(QStringLiteral("Id"), Qt::CaseInsensitive))
        return QStringLiteral("InvalidBatch : Field name not found : Id");
    return std::nullopt;
}

std::shared_ptr<BulkBatch> BulkProcessor::addBatch(const std::shared_ptr<BulkJob> &job, const QByteArray &csv)
{
    auto batch = std::make_shared<BulkBatch>();
    batch->jobId = job->id;
    batch->request = csv;
    batch->created = batch->modified = QDateTime::currentDateTimeUtc();
    auto table = CsvTable::parse(csv, job->v2 ? columnDelimiterChar(job->columnDelimiter) : ',');
    if (!table) {
        batch->state = BulkBatch::State::Failed;
        batch->stateMessage = table.error();
    } else if (auto problem = validateHeader(*job, table->header)) {
        batch->state = BulkBatch::State::Failed;
        batch->stateMessage = *problem;
    } else if (!job->v2 && table->rows.size() > size_t(m_profile.org.bulkMaxBatchRows)) {
        batch->state = BulkBatch::State::Failed;
        batch->stateMessage = QStringLiteral("InvalidBatch : Records in a single batch cannot exceed %1").arg(m_profile.org.bulkMaxBatchRows);
    } else {
        batch->table = std::move(*table);
        batch->results.resize(batch->table.rows.size());
        batch->processed.assign(batch->table.rows.size(), false);
    }
    ++m_batchesCreated;
    {
        std::lock_guard lock(m_mutex);
        batch->id = newId(QStringLiteral("751"));
        job->batches.push_back(batch);
        job->modified = QDateTime::currentDateTimeUtc();
        if (batch->state == BulkBatch::State::Queued)
            enqueue(batch, std::chrono::steady_clock::now());
    }
    m_wake.notify_one();
    return batch;
}

void BulkProcessor::appendUpload(const std::shared_ptr<BulkJob> &job, const QByteArray &data)
{
    std::lock_guard lock(m_mutex);
    job->upload += data;
    job->modified = QDateTime::currentDateTimeUtc();
}

void BulkProcessor::setState(const std::shared_ptr<BulkJob> &job, const QString &state)
{
    std::lock_guard lock(m_mutex);
    job->state = state;
    job->modified = QDateTime::currentDateTimeUtc();
    if (state == QLatin1String("Aborted")) {
        // Queued batches never run; a running one stops after its current transaction.
        for (auto &b : job->batches)
            if (b->state == BulkBatch::State::Queued) {
                b->state = BulkBatch::State::NotProcessed;
                b->modified = job->modified;
            }
        m_queue.erase(std::remove_if(m_queue.begin(), m_queue.end(), [&](const auto &b) { return b->jobId == job->id; }), m_queue.end());
    }
}

void BulkProcessor::uploadComplete(const std::shared_ptr<BulkJob> &job)
{
    QByteArray data;
    {
        std::lock_guard lock(m_mutex);
        data = std::move(job->upload);
        job->upload.clear();
        job->state = QStringLiteral("UploadComplete");
        job->modified = QDateTime::currentDateTimeUtc();
    }
    auto table = CsvTable::parse(data, columnDelimiterChar(job->columnDelimiter));
    std::optional<QString> problem;
    if (!table)
        problem = table.error();
    else if (table->rows.empty() && table->header.isEmpty())
        problem = QStringLiteral("InvalidBatch : no data uploaded");
    else
        problem = validateHeader(*job, table->header);
    if (problem) {
        std::lock_guard lock(m_mutex);
        job->state = QStringLiteral("Failed");
        job->errorMessage = *problem;
        return;
    }
    // Internal batches of bulk2BatchRows, processed like Bulk 1.0 batches.
    const size_t size = size_t(std::max(1, m_profile.org.bulk2BatchRows));
    std::vector<std::shared_ptr<BulkBatch>> batches;
    for (size_t begin = 0; begin < std::max<size_t>(1, table->rows.size()); begin += size) {
        auto batch = std::make_shared<BulkBatch>();
        batch->jobId = job->id;
        batch->created = batch->modified = QDateTime::currentDateTimeUtc();
        batch->table.header = table->header;
        const size_t end = std::min(table->rows.size(), begin + size);
        batch->table.rows.assign(table->rows.begin() + qsizetype(begin), table->rows.begin() + qsizetype(end));
        batch->results.resize(batch->table.rows.size());
        batch->processed.assign(batch->table.rows.size(), false);
        batches.push_back(batch);
    }
    {
        std::lock_guard lock(m_mutex);
        const auto now = std::chrono::steady_clock::now();
        // Aborted while its data was being read: its batches exist, and never run.
        const bool aborted = job->state == QLatin1String("Aborted");
        for (auto &b : batches) {
            b->id = newId(QStringLiteral("751"));
            job->batches.push_back(b);
            if (aborted)
                b->state = BulkBatch::State::NotProcessed;
            else
                enqueue(b, now);
        }
    }
    m_wake.notify_all();
}

void BulkProcessor::enqueue(const std::shared_ptr<BulkBatch> &batch, std::chrono::steady_clock::time_point at)
{
    batch->queuedAt = at;
    m_queue.push_back(batch);
}

std::shared_ptr<BulkBatch> BulkProcessor::nextBatch()
{
    for (auto it = m_queue.begin(); it != m_queue.end(); ++it) {
        const auto job = m_jobs.value((*it)->jobId);
        // A Serial job runs one batch at a time; others wait their turn without blocking the queue.
        if (job && job->serial && m_runningPerJob.value(job->id) > 0)
            continue;
        auto batch = *it;
        m_queue.erase(it);
        return batch;
    }
    return nullptr;
}

void BulkProcessor::workerLoop()
{
    // This worker's chain of server time: a batch's first chunk starts when the batch could
    // start in the model — when it was queued, when this worker's previous pass ended, and, in a
    // Serial job, when the job's previous batch ended, whichever is last — so the real work in
    // between (the last write of the previous pass, this bookkeeping, a wake-up) is not added.
    ServerTimeChain chain;
    for (;;) {
        std::shared_ptr<BulkBatch> batch;
        std::shared_ptr<BulkJob> job;
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait(lock, [&] { return m_stopping || (batch = nextBatch()) != nullptr; });
            if (m_stopping && !batch)
                return;
            if (m_stopping) {
                m_queue.push_front(batch);
                return;
            }
            job = m_jobs.value(batch->jobId);
            batch->state = BulkBatch::State::InProgress;
            batch->modified = QDateTime::currentDateTimeUtc();
            if (job->v2 && job->state == QLatin1String("UploadComplete"))
                job->state = QStringLiteral("InProgress");
            ++m_running;
            ++m_runningPerJob[job->id];
            auto start = batch->queuedAt;
            for (const auto &after : {chain.next, job->serial ? job->lastPassEnded : std::nullopt})
                if (after)
                    start = std::max(start, *after);
            chain.next = start;
        }
        process(job, batch, chain);
        {
            std::lock_guard lock(m_mutex);
            if (job->serial)
                job->lastPassEnded = chain.next;
            --m_running;
            --m_runningPerJob[job->id];
            finishJobIfDone(*job);
        }
        m_wake.notify_all();
    }
}

WriteRow BulkProcessor::rowFromCsv(const ObjectDef &object, const BulkJob &job, const QStringList &header, const QStringList &cells) const
{
    WriteRow row;
    for (qsizetype c = 0; c < header.size(); ++c) {
        const FieldDef *f = object.field(header[c].trimmed());
        const QString &cell = cells[c];
        if (f->name == QLatin1String("Id")) {
            row.id = cell.trimmed();
            continue;
        }
        if (job.operation == Operation::Upsert && f->name.compare(job.externalIdField, Qt::CaseInsensitive) == 0) {
            row.externalValue = cell;
            continue;
        }
        if (job.operation == Operation::Delete || cell.isEmpty())
            continue;   // an empty cell leaves the field as it is (Bulk API rule)
        if (cell == QLatin1String("#N/A")) {
            row.values.insert(f->name, QVariant());
            continue;
        }
        auto value = FieldValue::fromText(*f, cell);
        if (!value) {
            if (!row.error)
                row.error = RecordError{f->type == FieldType::Reference || f->type == FieldType::Id ? QStringLiteral("MALFORMED_ID")
                                                                                                    : QStringLiteral("INVALID_TYPE_ON_FIELD_IN_RECORD"),
                                        value.error(), {f->name}, {}};
            continue;
        }
        row.values.insert(f->name, *value);
    }
    return row;
}

void BulkProcessor::process(const std::shared_ptr<BulkJob> &job, const std::shared_ptr<BulkBatch> &batch, ServerTimeChain &chain)
{
    QElapsedTimer timer;
    timer.start();
    const ObjectDef *object = m_schema.object(job->object);
    const SavePolicy policy(m_profile.org);
    const size_t chunk = size_t(std::max(1, m_profile.org.chunkRows));
    // Transactions go chunk by chunk from the cursor, each chunk's rows read just before it:
    // reading a whole 10,000-row Bulk 2.0 batch up front would hold every row at once and spend
    // more real time before the first chunk than its server time allows (the model's chunk
    // would start late).
    WriteBatch write{object, job->operation, job->externalIdField, false, job->allowDuplicates, {}};
    const size_t total = batch->table.rows.size();
    const size_t start = batch->cursor;
    std::int64_t lockFailedThisPass = 0;
    bool requeue = false;
    bool failRest = false;
    RecordError restError;
    size_t next = start;
    while (next < total) {
        {
            std::lock_guard lock(m_mutex);
            if (job->state == QLatin1String("Aborted") || m_stopping)
                break;
        }
        const size_t end = std::min(total, next + chunk);
        if (failRest) {
            for (size_t i = next; i < end; ++i)
                batch->results[i] = RowOutcome{false, {}, false, {restError}};
        } else {
            write.rows.clear();
            for (size_t i = next; i < end; ++i)
                write.rows.push_back(rowFromCsv(*object, *job, batch->table.header, batch->table.rows[i]));
            auto outcomes = m_writer.transaction(write, 0, end - next, &chain);
            for (size_t i = next; i < end; ++i) {
                batch->results[i] = std::move(outcomes[i - next]);
                if (batch->results[i].lockFailed()) {
                    ++lockFailedThisPass;
                    restError = batch->results[i].errors.front();
                }
            }
        }
        {
            std::lock_guard lock(m_mutex);
            for (size_t i = next; i < end; ++i) {
                batch->processed[i] = true;
                if (!batch->results[i].success)
                    ++batch->failedRows;
            }
            batch->cursor = end;
        }
        next = end;
        if (failRest || next >= total)
            continue;
        switch (policy.afterBulkChunk(lockFailedThisPass, batch->requeues, job->retryDisabled)) {
        case SavePolicy::BulkNext::Continue: break;
        case SavePolicy::BulkNext::Requeue: requeue = true; break;
        case SavePolicy::BulkNext::FailRest: failRest = true; break;
        }
        if (requeue)
            break;
    }
    std::lock_guard lock(m_mutex);
    batch->processingMs += timer.elapsed();
    batch->modified = QDateTime::currentDateTimeUtc();
    if (requeue && job->state != QLatin1String("Aborted")) {
        ++batch->requeues;
        ++job->retries;
        batch->state = BulkBatch::State::Queued;
        // Back on the queue when its pass ended in the model: at the last chunk's end.
        enqueue(batch, chain.next.value_or(std::chrono::steady_clock::now()));
        return;
    }
    if (batch->cursor < total) {
        batch->state = BulkBatch::State::NotProcessed;
        batch->stateMessage = QStringLiteral("Job aborted");
        return;
    }
    batch->state = BulkBatch::State::Completed;
}

void BulkProcessor::finishJobIfDone(BulkJob &job)
{
    if (!job.v2 || (job.state != QLatin1String("InProgress") && job.state != QLatin1String("UploadComplete")))
        return;
    for (const auto &b : job.batches)
        if (!finished(b->state))
            return;
    job.state = QStringLiteral("JobComplete");
    job.modified = QDateTime::currentDateTimeUtc();
}

BulkJobCounts BulkProcessor::counts(const BulkJob &job) const
{
    std::lock_guard lock(m_mutex);
    BulkJobCounts c;
    for (const auto &b : job.batches) {
        ++c.total;
        switch (b->state) {
        case BulkBatch::State::Queued: ++c.queued; break;
        case BulkBatch::State::InProgress: ++c.inProgress; break;
        case BulkBatch::State::Completed: ++c.completed; break;
        case BulkBatch::State::Failed: ++c.failed; break;
        case BulkBatch::State::NotProcessed: ++c.notProcessed; break;
        }
        c.recordsProcessed += qint64(b->cursor);
        c.recordsFailed += b->failedRows;
        c.processingMs += b->processingMs;
    }
    return c;
}

BulkBatch BulkProcessor::snapshot(const BulkBatch &batch) const
{
    std::lock_guard lock(m_mutex);
    return batch;
}

int BulkProcessor::queuedBatches() const
{
    std::lock_guard lock(m_mutex);
    return int(m_queue.size());
}

int BulkProcessor::runningBatches() const
{
    std::lock_guard lock(m_mutex);
    return m_running;
}

} // namespace lockstep::demoorg
