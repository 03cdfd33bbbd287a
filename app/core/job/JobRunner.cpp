#include "job/JobRunner.h"

#include "load/CsvWriter.h"
#include "plan/BatchQueue.h"

#include <QHash>

#include <condition_variable>
#include <thread>

namespace lockstep {

namespace {

using Clock = std::chrono::steady_clock;

// Sleeps until `until` in slices, so Cancel is honoured within ~50 ms; false when cancelled.
Clock::duration wallSeconds(double platformSeconds, double scale)
{
    return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(platformSeconds * scale));
}

bool sleepUntil(Clock::time_point until, const CancelToken &cancel)
{
    while (Clock::now() < until) {
        if (cancel.isCancelled())
            return false;
        std::this_thread::sleep_for(std::min<Clock::duration>(until - Clock::now(), std::chrono::milliseconds(50)));
    }
    return !cancel.isCancelled();
}

RowRecord recordOf(const RecordResult &r)
{
    RowRecord out;
    out.status = r.success ? RowStatus::Succeeded : RowStatus::Failed;
    out.recordId = r.id;
    out.created = r.created;
    if (!r.errors.empty()) {
        out.statusCode = r.errors.front().statusCode;
        out.message = r.errors.front().message;
        out.fields = r.errors.front().fields;
    }
    return out;
}

// A request that never reached the org (refused, bad URL) or was turned away before doing
// anything (limits, an expired session): its rows were not written and go back to pending.
bool neverDone(const OrgError &e)
{
    if (e.kind == OrgError::Kind::Transport)
        return !e.outcomeUnknown();
    return e.kind == OrgError::Kind::Limit || e.kind == OrgError::Kind::Session;
}

} // namespace

JobRunner::JobRunner(JobStore &store, const LoadFile &file, const Plan &plan, qint64 job, Connect connect, RunOptions options)
    : m_store(store), m_file(file), m_plan(plan), m_job(job), m_connect(std::move(connect)), m_options(std::move(options))
{
    m_batchRows.reserve(plan.batches.size());
    for (const PlanBatch &b : plan.batches) {
        const auto rows = plan.rowsOf(b);
        m_batchRows.emplace_back(rows.begin(), rows.end());
    }
    m_report.rows = plan.rowCount();
}

std::vector<JobBatchSpec> JobRunner::batchesOf(const Plan &plan)
{
    std::vector<JobBatchSpec> out;
    out.reserve(plan.batches.size());
    for (const PlanBatch &b : plan.batches) {
        const auto rows = plan.rowsOf(b);
        out.push_back({b.lane, std::vector<qint64>(rows.begin(), rows.end())});
    }
    return out;
}

QByteArray JobRunner::bulkCsv(std::span<const qint64> rows) const
{
    QByteArray csv = CsvFormat::line(m_file.header());
    for (const qint64 r : rows) {
        // The record as the source has it, when it is plain comma-separated CSV; otherwise
        // (semicolons, tabs) re-written field by field.
        if (m_file.dialect().delimiter == ',') {
            const std::string_view raw = m_file.rawRecord(r);
            csv.append(raw.data(), qsizetype(raw.size()));
            csv += '\n';
        } else {
            csv += CsvFormat::line(m_file.fields(r));
        }
    }
    return csv;
}

QJsonArray JobRunner::restRecords(std::span<const qint64> rows) const
{
    const QStringList header = m_file.header();
    QJsonArray records;
    for (const qint64 r : rows) {
        const QStringList values = m_file.fields(r);
        if (m_plan.operation == Operation::Delete) {
            const int id = m_file.columnIndex(QStringLiteral("Id"));
            records.append(id >= 0 && id < values.size() ? values[id] : QString());
            continue;
        }
        QJsonObject o;
        for (qsizetype c = 0; c < header.size() && c < values.size(); ++c)
            if (!values[c].isEmpty() && !header[c].isEmpty())   // an empty cell leaves the field as it is
                o.insert(header[c], values[c]);
        records.append(o);
    }
    return records;
}

void JobRunner::report()
{
    RunProgress snapshot;
    {
        std::lock_guard lock(m_mutex);
        m_report.elapsedSeconds = std::chrono::duration<double>(Clock::now() - m_started).count();
        const qint64 done = m_report.done();
        m_report.rowsPerSecond = m_report.elapsedSeconds > 0 ? double(done) / m_report.elapsedSeconds : 0;
        m_report.etaSeconds = m_report.rowsPerSecond > 0 ? double(m_report.rows - done) / m_report.rowsPerSecond : -1;
        snapshot = m_report;
    }
    if (m_options.onProgress)
        m_options.onProgress(snapshot);
}

Result<void> JobRunner::record(std::span<const qint64> rows, std::span<const RowRecord> outcomes)
{
    if (auto r = m_store.recordOutcomes(m_job, rows, outcomes); !r)
        return r;
    {
        std::lock_guard lock(m_mutex);
        for (const RowRecord &o : outcomes) {
            switch (o.status) {
            case RowStatus::Succeeded: ++m_report.succeeded; break;
            case RowStatus::Failed:
                ++m_report.failed;
                ++m_report.errorsByCode[o.statusCode.isEmpty() ? QStringLiteral("UNKNOWN_ERROR") : o.statusCode];
                break;
            case RowStatus::Unknown: ++m_report.unknown; break;
            default: break;
            }
        }
    }
    report();
    return {};
}

Result<void> JobRunner::recordFailure(std::span<const qint64> rows, const OrgError &error)
{
    if (neverDone(error)) {
        if (auto r = m_store.markPending(m_job, rows); !r)
            return r;
        return std::unexpected(error.toError());   // the run cannot go on: limits, session, no org
    }
    std::vector<RowRecord> outcomes(rows.size());
    for (auto &o : outcomes) {
        if (error.outcomeUnknown()) {
            o.status = RowStatus::Unknown;
            o.message = error.message;
        } else {
            o.status = RowStatus::Failed;
            o.statusCode = error.code.isEmpty() ? QStringLiteral("HTTP_%1").arg(error.status) : error.code;
            o.message = error.message;
        }
    }
    return record(rows, outcomes);
}

Result<RunReport> JobRunner::run(const CancelToken &cancel)
{
    m_started = Clock::now();
    if (auto r = m_store.setJobState(m_job, JobState::Running); !r)
        return std::unexpected(r.error());
    report();
    Result<void> ran;
    switch (m_plan.api) {
    case Api::RestCollections: ran = runRest(cancel); break;
    case Api::Bulk1Parallel:
    case Api::Bulk1Serial: ran = runBulk1(cancel); break;
    case Api::Bulk2: ran = runBulk2(cancel); break;
    }
    const bool cancelled = cancel.isCancelled();
    (void)m_store.setJobState(m_job, !ran ? JobState::Failed : cancelled ? JobState::Cancelled : JobState::Finished);
    if (!ran)
        return std::unexpected(ran.error());
    report();
    std::lock_guard lock(m_mutex);
    RunReport out = m_report;
    out.cancelled = cancelled;
    out.apiCalls = m_apiCalls.load();
    return out;
}

Result<void> JobRunner::runRest(const CancelToken &cancel)
{
    BatchQueue queue;
    for (std::uint32_t i = 0; i < m_plan.batches.size(); ++i)
        queue.push({0, i, i, 0, 0, m_plan.batches[i].lane});
    std::mutex mutex;
    std::condition_variable changed;
    std::optional<Error> fatal;
    auto worker = [&] {
        auto client = m_connect();
        if (!client) {
            std::lock_guard lock(mutex);
            fatal = client.error();
            changed.notify_all();
            return;
        }
        client->setCancelToken(cancel);
        for (;;) {
            std::optional<BatchQueue::Entry> entry;
            {
                std::unique_lock lock(mutex);
                changed.wait(lock, [&] {
                    return fatal || cancel.isCancelled() || queue.empty() || (entry = queue.take(0)).has_value();
                });
                if (!entry)
                    return;   // done, cancelled or failed elsewhere
            }
            const auto &rows = m_batchRows[entry->batch];
            Result<void> outcome = m_store.markSent(m_job, rows);
            if (outcome) {
                ++m_apiCalls;
                auto answer = client->collections(m_plan.operation, m_plan.object, restRecords(rows), false, m_options.externalIdField);
                if (answer) {
                    std::vector<RowRecord> outcomes;
                    outcomes.reserve(answer->size());
                    for (const auto &r : *answer)
                        outcomes.push_back(recordOf(r));
                    outcome = record(rows, outcomes);
                } else {
                    outcome = recordFailure(rows, answer.error());
                }
            }
            std::lock_guard lock(mutex);
            queue.release(entry->lane);
            if (!outcome && !fatal)
                fatal = outcome.error();
            changed.notify_all();
        }
    };
    std::vector<std::jthread> threads;
    for (int t = 0; t < std::max(1, m_plan.concurrency); ++t)
        threads.emplace_back(worker);
    threads.clear();   // joins
    if (fatal)
        return std::unexpected(*fatal);
    return {};
}

Result<void> JobRunner::runBulk1(const CancelToken &cancel)
{
    auto client = m_connect();
    if (!client)
        return std::unexpected(client.error());
    client->setCancelToken({});   // drain and close even after a cancel: the token only stops uploads
    auto call = [&](auto &&f) {
        ++m_apiCalls;
        return f();
    };

    QHash<int, QString> jobs;   // lane (-1: the shared queue) → Bulk job id
    struct Sent {
        std::uint32_t batch;
        QString job;
    };
    QHash<QString, Sent> open;   // remote batch id → what it carries, until its results are read
    auto finish = [&](const BulkBatchInfo &info, const Sent &sent) -> Result<void> {
        const auto &rows = m_batchRows[sent.batch];
        if (info.state == QLatin1String("NotProcessed")) {
            // Never run (the job was aborted before it): nothing was written.
            auto r = m_store.markPending(m_job, rows);
            report();
            return r;
        }
        auto results = call([&] { return client->bulkBatchResult(sent.job, info.id); });
        std::vector<RowRecord> outcomes(rows.size());
        for (size_t i = 0; i < rows.size(); ++i) {
            if (results && i < results->size()) {
                outcomes[i] = recordOf((*results)[i]);
            } else {
                outcomes[i].status = RowStatus::Failed;
                outcomes[i].statusCode = info.stateMessage.section(QLatin1Char(':'), 0, 0).trimmed();
                if (outcomes[i].statusCode.isEmpty())
                    outcomes[i].statusCode = QStringLiteral("BATCH_FAILED");
                outcomes[i].message = info.stateMessage;
            }
        }
        return record(rows, outcomes);
    };
    const double scale = m_options.timeScale > 0 ? m_options.timeScale : 1.0;
    // Polls no closer than 2 ms of wall time, whatever the scale.
    const double minPoll = 0.002 / scale;
    double interval = std::max(minPoll, m_options.firstPollSeconds);
    auto lastPoll = Clock::now();
    auto poll = [&]() -> Result<void> {
        lastPoll = Clock::now();
        bool progressed = false;
        QSet<QString> polledJobs;
        for (const Sent &s : std::as_const(open))
            polledJobs.insert(s.job);
        for (const QString &job : std::as_const(polledJobs)) {
            auto infos = call([&] { return client->bulkBatches(job); });
            if (!infos) {
                if (neverDone(infos.error()) && infos.error().kind != OrgError::Kind::Transport)
                    return std::unexpected(infos.error().toError());
                continue;   // a lost status answer changes nothing: ask again next time
            }
            for (const BulkBatchInfo &info : *infos) {
                const auto it = open.find(info.id);
                if (it == open.end() || !info.finished())
                    continue;
                const Sent sent = *it;
                open.erase(it);
                if (auto r = finish(info, sent); !r)
                    return r;
                progressed = true;
            }
        }
        interval = progressed ? std::max(minPoll, m_options.firstPollSeconds) : std::min(std::max(minPoll, m_options.maxPollSeconds), interval * 1.5);
        return {};
    };

    const bool serialPlan = m_plan.api == Api::Bulk1Serial;
    const auto started = Clock::now();
    std::optional<Error> fatal;
    for (std::uint32_t i = 0; i < m_plan.batches.size() && !fatal; ++i) {
        // The plan's pace: batch i goes out i upload gaps after the first.
        const auto due = started + wallSeconds(i * m_plan.uploadGapSeconds, scale);
        while (Clock::now() < due && !cancel.isCancelled()) {
            if (!open.isEmpty() && Clock::now() - lastPoll >= wallSeconds(interval, scale))
                if (auto p = poll(); !p) {
                    fatal = p.error();
                    break;
                }
            sleepUntil(std::min(due, lastPoll + wallSeconds(interval, scale)), cancel);
        }
        if (cancel.isCancelled() || fatal)
            break;
        const int lane = m_plan.batches[i].lane;
        if (!jobs.contains(lane)) {
            auto job = call([&] {
                return client->createBulkJob(m_plan.object, m_plan.operation, serialPlan || lane >= 0, m_options.externalIdField);
            });
            if (!job) {
                fatal = job.error().toError();
                break;
            }
            jobs.insert(lane, job->id);
        }
        const auto &rows = m_batchRows[i];
        if (auto r = m_store.markSent(m_job, rows); !r) {
            fatal = r.error();
            break;
        }
        auto batch = call([&] { return client->addBulkBatch(jobs.value(lane), bulkCsv(rows), m_plan.disableBatchRetry); });
        if (!batch) {
            if (auto r = recordFailure(rows, batch.error()); !r)
                fatal = r.error();
            continue;
        }
        (void)m_store.setBatchRemote(m_job, int(i), jobs.value(lane), batch->id);
        open.insert(batch->id, {i, jobs.value(lane)});
    }
    // Cancelled: what is queued will not run; what runs finishes, and is recorded.
    if (cancel.isCancelled())
        for (const QString &job : std::as_const(jobs))
            (void)call([&] { return client->closeBulkJob(job, true); });
    while (!open.isEmpty() && !fatal) {
        sleepUntil(lastPoll + wallSeconds(interval, scale), {});
        if (auto p = poll(); !p)
            fatal = p.error();
    }
    if (!cancel.isCancelled())
        for (const QString &job : std::as_const(jobs))
            (void)call([&] { return client->closeBulkJob(job); });
    if (fatal)
        return std::unexpected(*fatal);
    return {};
}

Result<void> JobRunner::runBulk2(const CancelToken &cancel)
{
    auto client = m_connect();
    if (!client)
        return std::unexpected(client.error());
    std::vector<qint64> rows;
    for (const auto &b : m_batchRows)
        rows.insert(rows.end(), b.begin(), b.end());
    if (cancel.isCancelled())
        return {};
    ++m_apiCalls;
    auto job = client->createIngestJob(m_plan.object, m_plan.operation, m_options.externalIdField);
    if (!job)
        return std::unexpected(job.error().toError());
    if (auto r = m_store.setBatchRemote(m_job, 0, job->id, {}); !r)
        return r;
    if (auto r = m_store.markSent(m_job, rows); !r)
        return r;
    ++m_apiCalls;
    if (auto up = client->uploadIngestData(job->id, bulkCsv(rows)); !up)
        return recordFailure(rows, up.error());
    ++m_apiCalls;
    if (auto done = client->setIngestState(job->id, QStringLiteral("UploadComplete")); !done)
        return recordFailure(rows, done.error());
    const double scale = m_options.timeScale > 0 ? m_options.timeScale : 1.0;
    const double minPoll = 0.002 / scale;
    double interval = std::max(minPoll, m_options.firstPollSeconds);
    for (;;) {
        sleepUntil(Clock::now() + wallSeconds(interval, scale), {});
        ++m_apiCalls;
        auto info = client->ingestJob(job->id);
        if (info && info->finished())
            break;
        if (!info && neverDone(info.error()) && info.error().kind != OrgError::Kind::Transport)
            return std::unexpected(info.error().toError());
        interval = std::min(std::max(minPoll, m_options.maxPollSeconds), interval * 1.5);
    }
    // Bulk API 2.0 results carry no row numbers: match them back by their original columns
    // (identical rows are taken in file order).
    QHash<QByteArray, std::vector<qint64>> byValues;
    const qsizetype columns = m_file.header().size();
    auto keyOf = [](const QStringList &values) { return values.join(QChar(0x1f)).toUtf8(); };
    for (auto it = rows.rbegin(); it != rows.rend(); ++it)
        byValues[keyOf(m_file.fields(*it))].push_back(*it);
    std::vector<qint64> answeredRows;
    std::vector<RowRecord> outcomes;
    for (const QString &which : {QStringLiteral("successfulResults"), QStringLiteral("failedResults")}) {
        ++m_apiCalls;
        auto csv = client->ingestResults(job->id, which);
        if (!csv)
            continue;
        const auto table = [&] {
            std::vector<QStringList> out;
            QStringList current;
            QString field;
            bool quoted = false;
            const QString text = QString::fromUtf8(*csv);
            for (qsizetype i = 0; i < text.size(); ++i) {
                const QChar c = text[i];
                if (quoted) {
                    if (c == QLatin1Char('"') && i + 1 < text.size() && text[i + 1] == QLatin1Char('"')) {
                        field += c;
                        ++i;
                    } else if (c == QLatin1Char('"')) {
                        quoted = false;
                    } else {
                        field += c;
                    }
                } else if (c == QLatin1Char('"')) {
                    quoted = true;
                } else if (c == QLatin1Char(',')) {
                    current << field;
                    field.clear();
                } else if (c == QLatin1Char('\n')) {
                    current << field;
                    field.clear();
                    out.push_back(current);
                    current.clear();
                } else if (c != QLatin1Char('\r')) {
                    field += c;
                }
            }
            return out;
        }();
        for (size_t i = 1; i < table.size(); ++i) {
            const QStringList &line = table[i];
            if (line.size() < 2 + columns)
                continue;
            auto match = byValues.find(keyOf(line.mid(2, columns)));
            if (match == byValues.end() || match->empty())
                continue;
            const qint64 row = match->back();
            match->pop_back();
            RowRecord o;
            o.recordId = line[0];
            if (which == QLatin1String("successfulResults")) {
                o.status = RowStatus::Succeeded;
                o.created = line[1].compare(QLatin1String("true"), Qt::CaseInsensitive) == 0;
            } else {
                const RecordError e = OrgClient::parseBulkError(line[1]);
                o.status = RowStatus::Failed;
                o.statusCode = e.statusCode;
                o.message = e.message;
                o.fields = e.fields;
            }
            answeredRows.push_back(row);
            outcomes.push_back(std::move(o));
        }
    }
    if (auto r = record(answeredRows, outcomes); !r)
        return r;
    // What the results did not name was not processed: back to pending.
    std::vector<qint64> left;
    for (const auto &[key, remaining] : byValues.asKeyValueRange())
        left.insert(left.end(), remaining.begin(), remaining.end());
    std::sort(left.begin(), left.end());
    return left.empty() ? Result<void>{} : m_store.markPending(m_job, left);
}

} // namespace lockstep
