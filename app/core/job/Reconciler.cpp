#include "job/Reconciler.h"

#include <QDateTime>
#include <QHash>
#include <QJsonArray>
#include <QSet>

#include <atomic>
#include <optional>
#include <thread>

namespace lockstep {

Reconciler::Outcome &operator+=(Reconciler::Outcome &a, const Reconciler::Outcome &b)
{
    a.written += b.written;
    a.notWritten += b.notWritten;
    a.unsettled += b.unsettled;
    return a;
}

namespace {

using Clock = std::chrono::steady_clock;

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

// A GET (or an idempotent state change) whose answer was lost or that met a passing server
// error is simply asked again.
bool worthAgain(const OrgError &e)
{
    return e.kind == OrgError::Kind::Transport || (e.kind == OrgError::Kind::Api && e.status >= 500);
}

// Rows of a CSV text (RFC 4180), for Bulk API 2.0 result files.
std::vector<QStringList> csvTable(const QByteArray &csv)
{
    std::vector<QStringList> out;
    QStringList current;
    QString field;
    bool quoted = false;
    bool any = false;
    const QString text = QString::fromUtf8(csv);
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
            continue;
        }
        any = true;
        if (c == QLatin1Char('"')) {
            quoted = true;
        } else if (c == QLatin1Char(',')) {
            current << field;
            field.clear();
        } else if (c == QLatin1Char('\n')) {
            current << field;
            field.clear();
            out.push_back(current);
            current.clear();
            any = false;
        } else if (c != QLatin1Char('\r')) {
            field += c;
        }
    }
    if (any || !field.isEmpty() || !current.isEmpty()) {
        current << field;
        out.push_back(current);
    }
    return out;
}

QString soqlQuoted(const QString &value)
{
    QString v = value;
    v.replace(QLatin1Char('\\'), QStringLiteral("\\\\"));
    v.replace(QLatin1Char('\''), QStringLiteral("\\'"));
    return QLatin1Char('\'') + v + QLatin1Char('\'');
}

bool truthy(const QString &text)
{
    const QString t = text.trimmed().toLower();
    return t == QLatin1String("true") || t == QLatin1String("1") || t == QLatin1String("yes") || t == QLatin1String("y");
}

QDateTime parseDateTime(QString text)
{
    text = text.trimmed();
    // Salesforce writes "+0000"; Qt's ISO reader wants "+00:00".
    if (text.size() > 5 && (text[text.size() - 5] == QLatin1Char('+') || text[text.size() - 5] == QLatin1Char('-')) &&
        text.right(4).toInt() >= 0 && !text.right(4).contains(QLatin1Char(':')))
        text.insert(text.size() - 2, QLatin1Char(':'));
    QDateTime t = QDateTime::fromString(text, Qt::ISODateWithMs);
    if (!t.isValid())
        t = QDateTime::fromString(text, Qt::ISODate);
    return t;
}

// Whether the value the org holds is the one the row sent, for the field's type (describe):
// Salesforce answers numbers as numbers, booleans as booleans, Ids in 18 characters and
// datetimes with milliseconds and "+0000", whatever the file had.
bool sameValue(const QString &sent, const QJsonValue &held, const QString &type)
{
    if (held.isNull() || held.isUndefined())
        return sent.trimmed().isEmpty() || sent == QLatin1String("#N/A");
    if (type == QLatin1String("boolean") || held.isBool())
        return truthy(sent) == (held.isBool() ? held.toBool() : truthy(held.toString()));
    if (held.isDouble() || type == QLatin1String("double") || type == QLatin1String("currency") || type == QLatin1String("percent") ||
        type == QLatin1String("int") || type == QLatin1String("long")) {
        bool ok = false;
        const double a = sent.trimmed().toDouble(&ok);
        const double b = held.isDouble() ? held.toDouble() : held.toString().toDouble();
        return ok && std::abs(a - b) <= 1e-9 * std::max(1.0, std::abs(a));
    }
    const QString h = held.toString();
    if (type == QLatin1String("reference") || type == QLatin1String("id"))
        return sent.trimmed().left(15) == h.left(15);
    if (type == QLatin1String("date"))
        return sent.trimmed().left(10) == h.left(10);
    if (type == QLatin1String("datetime")) {
        const QDateTime a = parseDateTime(sent), b = parseDateTime(h);
        return a.isValid() && b.isValid() ? a.toMSecsSinceEpoch() == b.toMSecsSinceEpoch() : sent.trimmed() == h;
    }
    return sent == h;
}

} // namespace

Reconciler::Reconciler(JobStore &store, const LoadFile &file, Job job, OrgClient &client)
    : m_store(store), m_file(file), m_job(std::move(job)), m_client(client)
{
}

void Reconciler::setPolling(std::chrono::milliseconds first, std::chrono::milliseconds most)
{
    m_firstPoll = std::max(first, std::chrono::milliseconds(1));
    m_maxPoll = std::max(most, m_firstPoll);
}

void Reconciler::setSink(Sink sink)
{
    m_sink = std::move(sink);
}

void Reconciler::setLookupClients(std::function<Result<OrgClient>()> connect, int most)
{
    m_connectLookup = std::move(connect);
    m_mostLookups = std::max(1, most);
}

Result<void> Reconciler::store(std::span<const qint64> rows, std::span<const RowRecord> outcomes)
{
    return m_sink ? m_sink(rows, outcomes) : m_store.recordOutcomes(m_job.id, rows, outcomes);
}

template <class F>
auto Reconciler::retried(F &&call) -> decltype(call())
{
    auto result = call();
    for (int attempt = 1; attempt < 4 && !result && worthAgain(result.error()); ++attempt) {
        std::this_thread::sleep_for(m_firstPoll * attempt);
        result = call();
    }
    return result;
}

Result<Reconciler::Outcome> Reconciler::reconcile(std::chrono::milliseconds settle, const CancelToken &cancel)
{
    QSet<qint64> open;
    for (const RowStatus status : {RowStatus::Sent, RowStatus::Unknown}) {
        auto rows = m_store.rowsWithStatus(m_job.id, status);
        if (!rows)
            return std::unexpected(rows.error());
        for (const qint64 r : *rows)
            open.insert(r);
    }
    if (open.isEmpty())
        return Outcome{};
    auto batches = m_store.batches(m_job.id);
    if (!batches)
        return std::unexpected(batches.error());
    switch (m_job.api) {
    case Api::Bulk1Parallel:
    case Api::Bulk1Serial: return reconcileBulk1(*batches, open, cancel);
    case Api::Bulk2: return reconcileBulk2(*batches, open, cancel);
    case Api::RestCollections: break;
    }
    std::vector<qint64> rows(open.begin(), open.end());
    std::sort(rows.begin(), rows.end());
    // A request the org may still be running (its client went away mid-wait) gets its time.
    std::this_thread::sleep_for(settle);
    return reconcileRecords(std::move(rows));
}

Result<Reconciler::Outcome> Reconciler::reconcileBulk1(const std::vector<JobBatchSpec> &batches, const QSet<qint64> &open,
                                                       const CancelToken &cancel)
{
    Outcome total;
    // Per remote job: its batches that still have rows to settle, and every batch id it names.
    QHash<QString, std::vector<const JobBatchSpec *>> byJob;
    QHash<QString, QSet<QString>> known;
    std::vector<qint64> neverSent;
    for (const JobBatchSpec &b : batches) {
        if (!b.remoteJob.isEmpty() && !b.remoteBatch.isEmpty())
            known[b.remoteJob].insert(b.remoteBatch);
        const bool hasOpen = std::any_of(b.rows.begin(), b.rows.end(), [&](qint64 r) { return open.contains(r); });
        if (!hasOpen)
            continue;
        if (b.remoteJob.isEmpty()) {
            // No job was ever created for it: the rows never left.
            for (const qint64 r : b.rows)
                if (open.contains(r))
                    neverSent.push_back(r);
        } else {
            byJob[b.remoteJob].push_back(&b);
        }
    }
    if (!neverSent.empty()) {
        if (auto r = m_store.markPending(m_job.id, neverSent); !r)
            return std::unexpected(r.error());
        total.notWritten += qint64(neverSent.size());
    }
    auto openRowsOf = [&](const JobBatchSpec &b) {
        std::vector<qint64> rows;
        for (const qint64 r : b.rows)
            if (open.contains(r))
                rows.push_back(r);
        return rows;
    };
    std::vector<qint64> lookUp;   // rows whose batch the org cannot say anything about
    for (auto it = byJob.begin(); it != byJob.end(); ++it) {
        const QString &jobId = it.key();
        std::vector<const JobBatchSpec *> &waiting = it.value();
        QHash<int, QString> named;   // store batch number → remote batch id
        auto poll = m_firstPoll;
        bool matched = false;
        for (;;) {
            auto infos = retried([&] { return m_client.bulkBatches(jobId); });
            if (!infos) {
                // The org no longer has the job (an org that lost it, or a job deleted after its
                // 7 days): its rows are looked up in the records they would have written.
                for (const JobBatchSpec *b : waiting) {
                    const auto rows = openRowsOf(*b);
                    lookUp.insert(lookUp.end(), rows.begin(), rows.end());
                }
                break;
            }
            if (!matched) {
                // A batch the org took whose answer we lost: the job's batches we never
                // recorded, in upload order, are those of our unnamed batches, in plan order.
                std::vector<QString> unrecorded;
                for (const BulkBatchInfo &info : *infos)
                    if (!known.value(jobId).contains(info.id))
                        unrecorded.push_back(info.id);
                std::vector<const JobBatchSpec *> unnamed;
                for (const JobBatchSpec *b : waiting) {
                    if (!b->remoteBatch.isEmpty())
                        named.insert(b->number, b->remoteBatch);
                    else
                        unnamed.push_back(b);
                }
                // Match the latest ones: an earlier pass's batches come before them.
                const size_t n = std::min(unrecorded.size(), unnamed.size());
                for (size_t i = 0; i < n; ++i) {
                    const JobBatchSpec *b = unnamed[unnamed.size() - n + i];
                    const QString &id = unrecorded[unrecorded.size() - n + i];
                    named.insert(b->number, id);
                    (void)m_store.setBatchRemote(m_job.id, b->number, jobId, id);
                }
                // Unnamed batches the org does not have: their upload never arrived.
                std::vector<qint64> lost;
                for (size_t i = 0; i + n < unnamed.size(); ++i) {
                    const auto rows = openRowsOf(*unnamed[i]);
                    lost.insert(lost.end(), rows.begin(), rows.end());
                }
                if (!lost.empty()) {
                    if (auto r = m_store.markPending(m_job.id, lost); !r)
                        return std::unexpected(r.error());
                    total.notWritten += qint64(lost.size());
                }
                std::erase_if(waiting, [&](const JobBatchSpec *b) { return !named.contains(b->number); });
                matched = true;
            }
            std::vector<const JobBatchSpec *> still;
            for (const JobBatchSpec *b : waiting) {
                const QString id = named.value(b->number);
                const auto info = std::find_if(infos->begin(), infos->end(), [&](const BulkBatchInfo &i) { return i.id == id; });
                const auto rows = openRowsOf(*b);
                if (info == infos->end()) {
                    lookUp.insert(lookUp.end(), rows.begin(), rows.end());   // the org does not list it: the records tell
                } else if (!info->finished()) {
                    still.push_back(b);
                } else {
                    auto recorded = recordBulkBatch(jobId, *info, rows);
                    if (!recorded)
                        return std::unexpected(recorded.error());
                    total += *recorded;
                }
            }
            waiting = std::move(still);
            if (waiting.empty())
                break;
            if (cancel.isCancelled()) {
                for (const JobBatchSpec *b : waiting)
                    total.unsettled += qint64(openRowsOf(*b).size());
                break;
            }
            std::this_thread::sleep_for(poll);
            poll = std::min(m_maxPoll, poll * 3 / 2);
        }
    }
    if (!lookUp.empty()) {
        std::sort(lookUp.begin(), lookUp.end());
        auto looked = reconcileRecords(std::move(lookUp));
        if (!looked)
            return std::unexpected(looked.error());
        total += *looked;
    }
    return total;
}

Result<Reconciler::Outcome> Reconciler::recordBulkBatch(const QString &remoteJob, const BulkBatchInfo &info, std::span<const qint64> rows)
{
    Outcome out;
    if (rows.empty())
        return out;
    if (info.state == QLatin1String("NotProcessed")) {
        // Never run (its job was aborted first): nothing was written.
        if (auto r = m_store.markPending(m_job.id, rows); !r)
            return std::unexpected(r.error());
        out.notWritten = qint64(rows.size());
        return out;
    }
    auto results = retried([&] { return m_client.bulkBatchResult(remoteJob, info.id); });
    std::vector<RowRecord> outcomes(rows.size());
    if (results && results->size() == rows.size()) {
        for (size_t i = 0; i < rows.size(); ++i)
            outcomes[i] = recordOf((*results)[i]);
    } else if (info.state == QLatin1String("Failed") && (!results || results->empty())) {
        // The whole batch was refused (InvalidBatch, a timeout of the batch): no row written.
        QString code = info.stateMessage.section(QLatin1Char(':'), 0, 0).trimmed();
        if (code.isEmpty() || code.contains(QLatin1Char(' ')))
            code = QStringLiteral("BATCH_FAILED");
        for (auto &o : outcomes) {
            o.status = RowStatus::Failed;
            o.statusCode = code;
            o.message = info.stateMessage;
        }
    } else {
        // Results that cannot be read, or that do not fit the rows: the rows stay unknown.
        std::vector<RowRecord> unknown(rows.size());
        for (auto &o : unknown) {
            o.status = RowStatus::Unknown;
            o.message = results ? QStringLiteral("batch %1 answered %2 results for %3 rows").arg(info.id).arg(results->size()).arg(rows.size())
                                : QStringLiteral("the results of batch %1 could not be read: %2").arg(info.id, results.error().message);
        }
        if (auto r = store(rows, unknown); !r)
            return std::unexpected(r.error());
        out.unsettled = qint64(rows.size());
        return out;
    }
    if (auto r = store(rows, outcomes); !r)
        return std::unexpected(r.error());
    out.written = qint64(rows.size());
    return out;
}

Result<Reconciler::Outcome> Reconciler::reconcileBulk2(const std::vector<JobBatchSpec> &batches, const QSet<qint64> &open,
                                                       const CancelToken &cancel)
{
    // The ingest job of each open row is the one recorded on its batch before the row was sent
    // (one job for a whole pass, or one per batch). Stores written before jobs were recorded
    // per batch kept a pass's one job on the first batch only: a batch without a job belongs
    // to it.
    const QString firstJob = batches.empty() ? QString() : batches.front().remoteJob;
    QHash<QString, std::vector<qint64>> byJob;
    for (const JobBatchSpec &b : batches) {
        const QString &job = b.remoteJob.isEmpty() ? firstJob : b.remoteJob;
        for (const qint64 r : b.rows)
            if (open.contains(r))
                byJob[job].push_back(r);
    }
    Outcome total;
    for (auto it = byJob.begin(); it != byJob.end(); ++it) {
        std::sort(it->begin(), it->end());
        auto settled = reconcileIngestJob(it.key(), *it, cancel);
        if (!settled)
            return std::unexpected(settled.error());
        total += *settled;
    }
    return total;
}

Result<Reconciler::Outcome> Reconciler::reconcileIngestJob(const QString &jobId, const std::vector<qint64> &rows, const CancelToken &cancel)
{
    Outcome out;
    auto pending = [&]() -> Result<Outcome> {
        if (auto r = m_store.markPending(m_job.id, rows); !r)
            return std::unexpected(r.error());
        out.notWritten += qint64(rows.size());
        return out;
    };
    if (jobId.isEmpty())
        return pending();   // no ingest job was created: nothing left
    auto poll = m_firstPoll;
    int refusedAborts = 0;
    for (;;) {
        auto info = retried([&] { return m_client.ingestJob(jobId); });
        if (!info) {
            out.unsettled = qint64(rows.size());
            return out;
        }
        if (info->state == QLatin1String("Open")) {
            // Its upload was never completed: abort it so that it never runs. An abort also
            // stops a job that moved on meanwhile (the killed run's UploadComplete reaching the
            // org after the look above) — and that job may have written rows by then. So the
            // job is read again, finished (Aborted), and its results say which rows it wrote;
            // only the rest go back to pending.
            auto aborted = retried([&] { return m_client.setIngestState(jobId, QStringLiteral("Aborted")); });
            if (!aborted && (worthAgain(aborted.error()) || ++refusedAborts > 3)) {
                // Unknown whether it was aborted (or it keeps refusing): the rows stay as they
                // are for the next look.
                out.unsettled = qint64(rows.size());
                return out;
            }
            continue;   // aborted, or refused because it moved on: look again
        }
        if (info->finished())
            break;
        if (cancel.isCancelled()) {
            out.unsettled = qint64(rows.size());
            return out;
        }
        std::this_thread::sleep_for(poll);
        poll = std::min(m_maxPoll, poll * 3 / 2);
    }
    return recordIngestJob(jobId, rows);
}

namespace {
QByteArray ingestKeyOf(const QStringList &values)
{
    return values.join(QChar(0x1f)).toUtf8();
}
} // namespace

Reconciler::IngestRowIndex Reconciler::indexIngestRows(const LoadFile &file, std::span<const qint64> rows)
{
    IngestRowIndex byValues;
    byValues.reserve(qsizetype(rows.size()));
    // Backwards: each key's rows are taken from the back, so the first in the file goes first.
    for (auto it = rows.rbegin(); it != rows.rend(); ++it)
        byValues[ingestKeyOf(file.fields(*it))].push_back(*it);
    return byValues;
}

Result<Reconciler::Outcome> Reconciler::recordIngestJob(const QString &remoteJob, std::span<const qint64> rows, IngestRowIndex index)
{
    Outcome out;
    IngestRowIndex byValues = index.isEmpty() && !rows.empty() ? indexIngestRows(m_file, rows) : std::move(index);
    const qsizetype columns = m_file.header().size();
    std::vector<qint64> answeredRows;
    std::vector<RowRecord> outcomes;
    for (const QString &which : {QStringLiteral("successfulResults"), QStringLiteral("failedResults")}) {
        auto csv = retried([&] { return m_client.ingestResults(remoteJob, which); });
        if (!csv) {
            // Without both result files no row can be told apart from the others.
            std::vector<RowRecord> unknown(rows.size());
            for (auto &o : unknown) {
                o.status = RowStatus::Unknown;
                o.message = QStringLiteral("the results of job %1 could not be read: %2").arg(remoteJob, csv.error().message);
            }
            if (auto r = store(rows, unknown); !r)
                return std::unexpected(r.error());
            out.unsettled = qint64(rows.size());
            return out;
        }
        const auto table = csvTable(*csv);
        for (size_t i = 1; i < table.size(); ++i) {
            const QStringList &line = table[i];
            if (line.size() < 2 + columns)
                continue;
            auto match = byValues.find(ingestKeyOf(line.mid(2, columns)));
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
    if (auto r = store(answeredRows, outcomes); !r)
        return std::unexpected(r.error());
    out.written = qint64(answeredRows.size());
    // What the results do not name was not processed: back to pending.
    std::vector<qint64> left;
    for (const auto &[key, remaining] : byValues.asKeyValueRange())
        left.insert(left.end(), remaining.begin(), remaining.end());
    std::sort(left.begin(), left.end());
    if (!left.empty())
        if (auto r = m_store.markPending(m_job.id, left); !r)
            return std::unexpected(r.error());
    out.notWritten = qint64(left.size());
    return out;
}

Result<Reconciler::Outcome> Reconciler::reconcileRecords(std::vector<qint64> rows)
{
    Outcome out;
    // One row's fields, read once per row (a row is looked at for its key and every column).
    QHash<qint64, QStringList> cache;
    auto fieldOf = [&](qint64 row, int column) -> QString {
        auto it = cache.find(row);
        if (it == cache.end())
            it = cache.insert(row, m_file.fields(row));
        return it->value(column);
    };
    const Operation op = m_job.operation;
    const QString keyField = op == Operation::Upsert && !m_job.externalIdField.isEmpty() ? m_job.externalIdField : QStringLiteral("Id");
    const int keyColumn = m_file.columnIndex(keyField);
    auto unsettled = [&](std::span<const qint64> which, const QString &why) -> Result<void> {
        std::vector<RowRecord> unknown(which.size());
        for (auto &o : unknown) {
            o.status = RowStatus::Unknown;
            o.message = why;
        }
        out.unsettled += qint64(which.size());
        return store(which, unknown);
    };
    if (op == Operation::Insert || keyColumn < 0) {
        if (auto r = unsettled(rows, QStringLiteral("the answer was lost and an insert without an external id cannot be looked up: "
                                                    "check the org before loading this row again"));
            !r)
            return std::unexpected(r.error());
        return out;
    }
    // The fields to compare: the file's columns the object has (describe gives their types).
    const QStringList header = m_file.header();
    QHash<QString, QString> typeOf;   // lower-case name → describe type
    QHash<QString, QString> nameOf;   // lower-case name → the org's spelling
    if (auto described = retried([&] { return m_client.describe(m_job.object); }); described) {
        for (const QJsonValue &f : described->value(QStringLiteral("fields")).toArray()) {
            const QString name = f.toObject().value(QStringLiteral("name")).toString();
            typeOf.insert(name.toLower(), f.toObject().value(QStringLiteral("type")).toString());
            nameOf.insert(name.toLower(), name);
        }
    } else {
        if (auto r = unsettled(rows, QStringLiteral("the answer was lost and the org could not be asked what it wrote: %1")
                                         .arg(described.error().message));
            !r)
            return std::unexpected(r.error());
        return out;
    }
    std::vector<std::pair<int, QString>> compared;   // column → field
    if (op != Operation::Delete)
        for (int c = 0; c < header.size(); ++c) {
            const QString lower = header[c].trimmed().toLower();
            if (c != keyColumn && lower != QLatin1String("id") && nameOf.contains(lower))
                compared.emplace_back(c, nameOf.value(lower));
        }
    QStringList select{QStringLiteral("Id"), QStringLiteral("CreatedDate"), QStringLiteral("LastModifiedDate")};
    if (keyField != QLatin1String("Id"))
        select << nameOf.value(keyField.toLower(), keyField);
    for (const auto &[c, name] : compared)
        if (!select.contains(name, Qt::CaseInsensitive))
            select << name;
    const bool byId = keyField == QLatin1String("Id");
    auto normalKey = [&](const QString &k) { return byId ? k.trimmed().left(15) : k.trimmed(); };

    // Every chunk's query first, asked at once where there are clients for it (a real org
    // answers each in a fraction of a second: a killed run's 3,000 lost rows would otherwise
    // hold a resume back for seconds); then each chunk's rows settled in order.
    constexpr size_t kChunk = 200;
    std::vector<QString> queries;
    for (size_t begin = 0; begin < rows.size(); begin += kChunk) {
        QStringList keys;
        for (size_t i = begin; i < std::min(rows.size(), begin + kChunk); ++i) {
            const QString k = fieldOf(rows[i], keyColumn).trimmed();
            if (!k.isEmpty())
                keys << soqlQuoted(k);
        }
        queries.push_back(keys.isEmpty() ? QString()
                                         : QStringLiteral("SELECT %1 FROM %2 WHERE %3 IN (%4)")
                                               .arg(select.join(QStringLiteral(", ")), m_job.object, nameOf.value(keyField.toLower(), keyField),
                                                    keys.join(QLatin1Char(','))));
    }
    std::vector<std::optional<OrgResult<std::vector<QJsonObject>>>> answers(queries.size());
    {
        std::atomic<size_t> next{0};
        auto ask = [&](OrgClient &client) {
            for (size_t q; (q = next++) < queries.size();)
                if (!queries[q].isEmpty())
                    answers[q] = retried([&] { return client.query(queries[q]); });
        };
        std::vector<std::jthread> helpers;
        const int extra = m_connectLookup ? std::min<int>(m_mostLookups, int(queries.size())) - 1 : 0;
        for (int h = 0; h < extra; ++h)
            helpers.emplace_back([&] {
                if (auto client = m_connectLookup(); client)
                    ask(*client);
            });
        ask(m_client);
    }
    for (size_t begin = 0, q = 0; begin < rows.size(); begin += kChunk, ++q) {
        const std::span<const qint64> chunk(rows.data() + begin, std::min(kChunk, rows.size() - begin));
        QHash<QString, QJsonObject> held;
        if (answers[q]) {
            auto &found = *answers[q];
            if (!found) {
                if (auto r = unsettled(chunk, QStringLiteral("the answer was lost and the records could not be read: %1")
                                                  .arg(found.error().message));
                    !r)
                    return std::unexpected(r.error());
                continue;
            }
            for (const QJsonObject &record : *found)
                held.insert(normalKey(record.value(byId ? QStringLiteral("Id") : nameOf.value(keyField.toLower(), keyField)).toString()),
                            record);
        }
        std::vector<qint64> writtenRows, againRows;
        std::vector<RowRecord> written;
        for (const qint64 r : chunk) {
            const auto it = held.constFind(normalKey(fieldOf(r, keyColumn)));
            bool wrote = false;
            if (op == Operation::Delete) {
                wrote = it == held.constEnd() && !fieldOf(r, keyColumn).trimmed().isEmpty();
            } else if (it != held.constEnd()) {
                wrote = std::all_of(compared.begin(), compared.end(), [&](const auto &cf) {
                    const QString sent = fieldOf(r, cf.first);
                    // An empty cell leaves the field as it is: nothing to compare.
                    return sent.isEmpty() || sameValue(sent, it->value(cf.second), typeOf.value(cf.second.toLower()));
                });
            }
            if (!wrote) {
                againRows.push_back(r);
                continue;
            }
            RowRecord o;
            o.status = RowStatus::Succeeded;
            o.recordId = op == Operation::Delete ? fieldOf(r, keyColumn).trimmed() : it->value(QStringLiteral("Id")).toString();
            // An upsert that inserted: a record never modified since it was created.
            o.created = op == Operation::Upsert && it != held.constEnd() &&
                        it->value(QStringLiteral("CreatedDate")) == it->value(QStringLiteral("LastModifiedDate"));
            o.message = QStringLiteral("reconciled: the org holds what this row sent");
            writtenRows.push_back(r);
            written.push_back(std::move(o));
        }
        if (auto s = store(writtenRows, written); !s)
            return std::unexpected(s.error());
        if (!againRows.empty())
            if (auto s = m_store.markPending(m_job.id, againRows); !s)
                return std::unexpected(s.error());
        out.written += qint64(writtenRows.size());
        out.notWritten += qint64(againRows.size());
    }
    return out;
}

} // namespace lockstep
