#include "store/JobStore.h"

#include <algorithm>
#include <cerrno>
#include <csignal>

#include <QDateTime>
#include <QDir>
#include <QJsonDocument>
#include <QStandardPaths>

namespace lockstep {

namespace {

// Bumped when the schema changes; migrate() brings older stores up.
constexpr int kSchemaVersion = 5;

// rows is kept in send order (batch, position in it), not file order: a request's rows sit side
// by side in one or two pages, so marking them sent and recording their outcomes writes those
// pages only — in file order they are scattered over the table and every request would rewrite
// ~200 pages (a 1,000,000-row job: gigabytes of WAL). rows_by_row finds a row by its number;
// no status write touches it (its columns never change).
//
// batches keeps what the runner needs without reading rows, which a resume would otherwise scan
// whole (a 1,000,000-row job: ~100 MB, 0.3 s a pass, five passes before the first request):
// row_list, the batch's row numbers in send order (int32, little-endian; they never change),
// and how many of its rows stand in each status, rewritten from the batch's rows by every
// status write in the same transaction — the counts can never disagree with the rows.
//
// batch_windows (schema 5) is when each batch's request went out and was answered, and when the
// org says it processed it (Bulk batch info), in ms since the epoch: which batch held which
// parent when, for `explain`. Written in the same transactions as the status writes.
const char *const kSchema = R"(
CREATE TABLE IF NOT EXISTS jobs(
  id INTEGER PRIMARY KEY,
  created_at TEXT NOT NULL, updated_at TEXT NOT NULL, state TEXT NOT NULL,
  object TEXT NOT NULL, operation TEXT NOT NULL, external_id_field TEXT, api TEXT, mitigation TEXT,
  org_url TEXT, source_path TEXT, source_size INTEGER, source_sha256 TEXT,
  plan_json TEXT, profile_json TEXT, row_count INTEGER NOT NULL,
  run_json TEXT, runner_pid INTEGER, cancel_requested INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS batches(
  job_id INTEGER NOT NULL, batch_no INTEGER NOT NULL, lane INTEGER NOT NULL,
  remote_job TEXT, remote_batch TEXT,
  row_list BLOB, size INTEGER NOT NULL DEFAULT 0,
  pending INTEGER NOT NULL DEFAULT 0, sent INTEGER NOT NULL DEFAULT 0, succeeded INTEGER NOT NULL DEFAULT 0,
  failed INTEGER NOT NULL DEFAULT 0, unknown INTEGER NOT NULL DEFAULT 0, lock_errors INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY(job_id, batch_no)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS rows(
  job_id INTEGER NOT NULL, batch_no INTEGER NOT NULL, seq INTEGER NOT NULL, row_no INTEGER NOT NULL,
  status INTEGER NOT NULL DEFAULT 0, attempts INTEGER NOT NULL DEFAULT 0, created INTEGER NOT NULL DEFAULT 0,
  record_id TEXT, code TEXT, message TEXT, fields TEXT, lock_keys TEXT,
  PRIMARY KEY(job_id, batch_no, seq)) WITHOUT ROWID;
CREATE UNIQUE INDEX IF NOT EXISTS rows_by_row ON rows(job_id, row_no);
CREATE TABLE IF NOT EXISTS attempts(
  id INTEGER PRIMARY KEY, job_id INTEGER NOT NULL, at TEXT NOT NULL,
  rows INTEGER NOT NULL, succeeded INTEGER NOT NULL, failed INTEGER NOT NULL, unknown INTEGER NOT NULL,
  lock_errors INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS batch_windows(
  job_id INTEGER NOT NULL, batch_no INTEGER NOT NULL,
  sent_ms INTEGER, answered_ms INTEGER, org_started_ms INTEGER, org_ended_ms INTEGER,
  PRIMARY KEY(job_id, batch_no)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS org_changes(
  id INTEGER PRIMARY KEY, job_id INTEGER NOT NULL, kind TEXT NOT NULL, target TEXT NOT NULL,
  before TEXT, after TEXT, state INTEGER NOT NULL);
)";
QString now()
{
    return QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
}

QString joinedFields(const QStringList &fields)
{
    return fields.join(QLatin1Char(','));
}

// The batches column that counts a batch's rows in `status`.
QLatin1String countColumn(RowStatus status)
{
    switch (status) {
    case RowStatus::Pending: return QLatin1String("pending");
    case RowStatus::Sent: return QLatin1String("sent");
    case RowStatus::Succeeded: return QLatin1String("succeeded");
    case RowStatus::Failed: return QLatin1String("failed");
    case RowStatus::Unknown: return QLatin1String("unknown");
    }
    return QLatin1String("pending");
}

QByteArray rowListOf(const std::vector<qint64> &rows)
{
    QByteArray out(qsizetype(rows.size() * 4), Qt::Uninitialized);
    auto *p = reinterpret_cast<unsigned char *>(out.data());
    for (const qint64 r : rows) {
        const auto v = std::uint32_t(r);
        *p++ = std::uint8_t(v);
        *p++ = std::uint8_t(v >> 8);
        *p++ = std::uint8_t(v >> 16);
        *p++ = std::uint8_t(v >> 24);
    }
    return out;
}

template <class F>
void forEachListed(QByteArrayView list, F &&f)   // f(seq, row)
{
    const auto *p = reinterpret_cast<const unsigned char *>(list.data());
    for (qsizetype seq = 0; seq < list.size() / 4; ++seq, p += 4)
        f(qint64(seq), qint64(std::uint32_t(p[0]) | std::uint32_t(p[1]) << 8 | std::uint32_t(p[2]) << 16 | std::uint32_t(p[3]) << 24));
}

// Rewrites the counts of the batches in `touched` from their rows (a few pages each, which the
// status write just before has in the cache).
Result<void> refreshCounts(Connection &c, qint64 job, std::vector<qint64> &touched)
{
    std::sort(touched.begin(), touched.end());
    touched.erase(std::unique(touched.begin(), touched.end()), touched.end());
    auto st = c.prepare(QStringLiteral(
        "UPDATE batches SET (pending, sent, succeeded, failed, unknown, lock_errors) = (SELECT COUNT(*) FILTER (WHERE status=0), "
        "COUNT(*) FILTER (WHERE status=1), COUNT(*) FILTER (WHERE status=2), COUNT(*) FILTER (WHERE status=3), "
        "COUNT(*) FILTER (WHERE status=4), COUNT(*) FILTER (WHERE status=3 AND code='UNABLE_TO_LOCK_ROW') "
        "FROM rows WHERE job_id=?1 AND batch_no=?2) WHERE job_id=?1 AND batch_no=?2"));
    if (!st)
        return std::unexpected(st.error());
    for (const qint64 b : touched) {
        st->bindInt(1, job);
        st->bindInt(2, b);
        if (auto r = st->run(); !r)
            return r;
    }
    return {};
}

} // namespace

QString jobStateName(JobState state)
{
    switch (state) {
    case JobState::Created: return QStringLiteral("created");
    case JobState::Running: return QStringLiteral("running");
    case JobState::Paused: return QStringLiteral("paused");
    case JobState::Cancelled: return QStringLiteral("cancelled");
    case JobState::Finished: return QStringLiteral("finished");
    case JobState::Failed: return QStringLiteral("failed");
    }
    return {};
}

std::optional<JobState> parseJobState(const QString &text)
{
    for (const JobState s : {JobState::Created, JobState::Running, JobState::Paused, JobState::Cancelled, JobState::Finished, JobState::Failed})
        if (jobStateName(s) == text)
            return s;
    return std::nullopt;
}

QString JobStore::defaultPath()
{
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation);
    return QDir(dir.isEmpty() ? QDir::homePath() + QStringLiteral("/.local/share/lockstep") : dir).filePath(QStringLiteral("jobs.sqlite"));
}

Result<std::unique_ptr<JobStore>> JobStore::open(const QString &path)
{
    if (const QFileInfo info(path); !info.dir().exists() && !QDir().mkpath(info.absolutePath()))
        return fail(ErrorKind::Io, QStringLiteral("cannot create the folder of the job store %1").arg(path), path);
    auto db = Database::open(path);
    if (!db)
        return std::unexpected(db.error());
    std::unique_ptr<JobStore> store(new JobStore(std::move(*db)));
    if (auto m = store->migrate(); !m)
        return std::unexpected(m.error());
    return store;
}

namespace {

// Schema 1–3 → 4: the row list and counts of every batch, from its rows.
Result<void> addBatchSummaries(Connection &c)
{
    for (const char *column : {"row_list BLOB", "size INTEGER NOT NULL DEFAULT 0", "pending INTEGER NOT NULL DEFAULT 0",
                               "sent INTEGER NOT NULL DEFAULT 0", "succeeded INTEGER NOT NULL DEFAULT 0", "failed INTEGER NOT NULL DEFAULT 0",
                               "unknown INTEGER NOT NULL DEFAULT 0", "lock_errors INTEGER NOT NULL DEFAULT 0"})
        if (auto r = c.exec(QStringLiteral("ALTER TABLE batches ADD COLUMN %1").arg(QLatin1String(column))); !r)
            return r;
    auto rows = c.prepareOnce(QStringLiteral("SELECT job_id, batch_no, row_no FROM rows ORDER BY job_id, batch_no, seq"));
    auto list = c.prepare(QStringLiteral("UPDATE batches SET row_list=?, size=? WHERE job_id=? AND batch_no=?"));
    if (!rows)
        return std::unexpected(rows.error());
    if (!list)
        return std::unexpected(list.error());
    std::map<qint64, std::vector<qint64>> touched;   // job → its batches
    qint64 job = -1, batch = -1;
    std::vector<qint64> members;
    auto flush = [&]() -> Result<void> {
        if (job < 0)
            return {};
        const QByteArray blob = rowListOf(members);
        list->bindBlob(1, blob.constData(), blob.size());
        list->bindInt(2, qint64(members.size()));
        list->bindInt(3, job);
        list->bindInt(4, batch);
        touched[job].push_back(batch);
        return list->run();
    };
    Result<void> written;
    if (auto read = rows->forEachRow([&](Statement &st) {
        if (!written)
            return;
        if (st.columnInt(0) != job || st.columnInt(1) != batch) {
            written = flush();
            job = st.columnInt(0);
            batch = st.columnInt(1);
            members.clear();
        }
        members.push_back(st.columnInt(2));
        }); !read)
        return read;
    if (!written)
        return written;
    if (auto r = flush(); !r)
        return r;
    for (auto &[j, batches] : touched)
        if (auto r = refreshCounts(c, j, batches); !r)
            return r;
    return {};
}

} // namespace

Result<void> JobStore::migrate()
{
    return m_db->write([&](Connection &c) -> Result<void> {
        auto version = c.prepareOnce(QStringLiteral("PRAGMA user_version"));
        if (!version)
            return std::unexpected(version.error());
        const auto has = version->step();
        if (!has)
            return std::unexpected(has.error());
        const int current = *has ? int(version->column(0).toLongLong()) : 0;
        if (current > kSchemaVersion)
            return fail(ErrorKind::BadData, QStringLiteral("the job store %1 was written by a newer Lockstep (schema %2, this one "
                                                           "reads up to %3)").arg(m_db->path()).arg(current).arg(kSchemaVersion),
                        m_db->path());
        // Schema 1, 2 → 3: rows in send order (see kSchema); the old table is copied over.
        if (current >= 1 && current < 3)
            for (const char *step : {"ALTER TABLE rows RENAME TO rows_v2", "DROP INDEX IF EXISTS rows_by_batch"})
                if (auto r = c.exec(QString::fromLatin1(step)); !r)
                    return r;
        for (const QString &statement : QString::fromLatin1(kSchema).split(QLatin1Char(';'), Qt::SkipEmptyParts))
            if (!statement.trimmed().isEmpty())
                if (auto r = c.exec(statement); !r)
                    return r;
        // Schema 1 → 2: how the job runs (time scale, demo org folder), who runs it, cancel.
        if (current == 1)
            for (const char *column : {"run_json TEXT", "runner_pid INTEGER", "cancel_requested INTEGER NOT NULL DEFAULT 0"})
                if (auto r = c.exec(QStringLiteral("ALTER TABLE jobs ADD COLUMN %1").arg(QLatin1String(column))); !r)
                    return r;
        if (current >= 1 && current < 3)
            for (const char *step : {"INSERT INTO rows(job_id, batch_no, seq, row_no, status, attempts, created, record_id, code, message, "
                                     "fields, lock_keys) SELECT job_id, batch_no, seq, row_no, status, attempts, created, record_id, code, "
                                     "message, fields, lock_keys FROM rows_v2",
                                     "DROP TABLE rows_v2"})
                if (auto r = c.exec(QString::fromLatin1(step)); !r)
                    return r;
        // Schema 1–3 → 4: each batch's row list and counts (see kSchema), from its rows.
        if (current >= 1 && current < 4)
            if (auto r = addBatchSummaries(c); !r)
                return r;
        return c.exec(QStringLiteral("PRAGMA user_version=%1").arg(kSchemaVersion));
    });
}

Result<qint64> JobStore::createJob(const JobSpec &spec, const std::vector<JobBatchSpec> &batches,
                                   const std::function<QString(qint64 row)> &lockKeysOfRow)
{
    auto created = m_db->write([&](Connection &c) { return insertJob(c, spec, batches, lockKeysOfRow); });
    if (created)
        rememberPlaces(*created, batches);
    return created;
}

Result<qint64> JobStore::createRetryJob(qint64 parent, JobSpec spec, const std::vector<JobBatchSpec> &batches,
                                        const std::function<QString(qint64 row)> &lockKeysOfRow)
{
    spec.run.insert(QStringLiteral("retryOf"), parent);
    auto created = m_db->write([&](Connection &c) -> Result<qint64> {
        auto child = insertJob(c, spec, batches, lockKeysOfRow);
        if (!child)
            return child;
        // The rows start with the attempts they had: the child's count is the row's whole count,
        // and folding it back is the same however often it is done.
        auto st = c.prepare(QStringLiteral("UPDATE rows SET attempts=(SELECT p.attempts FROM rows p WHERE p.job_id=?1 AND p.row_no=rows.row_no) "
                                           "WHERE job_id=?2"));
        if (!st)
            return std::unexpected(st.error());
        st->bindInt(1, parent);
        st->bindInt(2, *child);
        if (auto r = st->run(); !r)
            return std::unexpected(r.error());
        return child;
    });
    if (created)
        rememberPlaces(*created, batches);
    return created;
}

Result<qint64> JobStore::foldRetry(qint64 child)
{
    auto summary = job(child);
    if (!summary)
        return std::unexpected(summary.error());
    const qint64 parent = summary->spec.run.value(QStringLiteral("retryOf")).toInteger();
    if (parent <= 0)
        return fail(ErrorKind::Usage, QStringLiteral("job %1 is not a retry of another job").arg(child));
    return m_db->write([&](Connection &c) -> Result<qint64> {
        // Answered rows only: a row the retry has not sent (or whose answer is still out) keeps
        // the original's record of it.
        auto st = c.prepare(QStringLiteral(
            "UPDATE rows SET status=c.status, record_id=c.record_id, created=c.created, code=c.code, message=c.message, fields=c.fields, "
            "attempts=c.attempts FROM (SELECT row_no, status, record_id, created, code, message, fields, attempts FROM rows "
            "WHERE job_id=?2 AND status IN (?3, ?4, ?5)) AS c WHERE rows.job_id=?1 AND rows.row_no=c.row_no RETURNING batch_no"));
        if (!st)
            return std::unexpected(st.error());
        st->bindInt(1, parent);
        st->bindInt(2, child);
        st->bindInt(3, int(RowStatus::Succeeded));
        st->bindInt(4, int(RowStatus::Failed));
        st->bindInt(5, int(RowStatus::Unknown));
        std::vector<qint64> touched;
        qint64 folded = 0;
        if (auto done = st->forEachRow([&](Statement &s) {
                touched.push_back(s.columnInt(0));
                ++folded;
            });
            !done)
            return std::unexpected(done.error());
        auto stamp = c.prepare(QStringLiteral("UPDATE jobs SET updated_at=? WHERE id=?"));
        if (!stamp)
            return std::unexpected(stamp.error());
        stamp->bindAll({now(), parent});
        if (auto r = stamp->run(); !r)
            return std::unexpected(r.error());
        if (auto r = refreshCounts(c, parent, touched); !r)
            return std::unexpected(r.error());
        return folded;
    });
}

void JobStore::rememberPlaces(qint64 job, const std::vector<JobBatchSpec> &batches)
{
    std::unique_lock lock(m_places.mutex);
    qint64 rows = 0;
    for (const JobBatchSpec &b : batches)
        for (const qint64 r : b.rows)
            rows = std::max(rows, r + 1);
    m_places.reset(job, rows);
    for (size_t b = 0; b < batches.size(); ++b)
        for (size_t seq = 0; seq < batches[b].rows.size(); ++seq)
            m_places.set(batches[b].rows[seq], qint64(b), qint64(seq));
}

Result<qint64> JobStore::insertJob(Connection &c, const JobSpec &spec, const std::vector<JobBatchSpec> &batches,
                                   const std::function<QString(qint64 row)> &lockKeysOfRow)
{
    qint64 rowCount = 0;
    for (const auto &b : batches)
        rowCount += qint64(b.rows.size());
    {
        auto job = c.prepare(QStringLiteral(
            "INSERT INTO jobs(created_at, updated_at, state, object, operation, external_id_field, api, mitigation, org_url, "
            "source_path, source_size, source_sha256, plan_json, profile_json, row_count, run_json) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"));
        if (!job)
            return std::unexpected(job.error());
        const QString at = now();
        job->bindAll({at, at, jobStateName(JobState::Created), spec.object, operationName(spec.operation), spec.externalIdField,
                      spec.api, spec.mitigation, spec.orgUrl, spec.sourcePath, spec.sourceSize, QString::fromLatin1(spec.sourceSha256),
                      QString::fromUtf8(QJsonDocument(spec.plan).toJson(QJsonDocument::Compact)),
                      QString::fromUtf8(QJsonDocument(spec.profile).toJson(QJsonDocument::Compact)), rowCount,
                      QString::fromUtf8(QJsonDocument(spec.run).toJson(QJsonDocument::Compact))});
        if (auto r = job->run(); !r)
            return std::unexpected(r.error());
        auto id = c.prepare(QStringLiteral("SELECT last_insert_rowid()"));
        if (!id || !id->step())
            return fail(ErrorKind::Io, QStringLiteral("the job store did not return the new job's id"));
        const qint64 jobId = id->column(0).toLongLong();
        auto batch = c.prepare(QStringLiteral("INSERT INTO batches(job_id, batch_no, lane, row_list, size, pending) VALUES(?,?,?,?,?,?)"));
        auto row = c.prepare(QStringLiteral("INSERT INTO rows(job_id, batch_no, seq, row_no, lock_keys) VALUES(?,?,?,?,?)"));
        if (!batch)
            return std::unexpected(batch.error());
        if (!row)
            return std::unexpected(row.error());
        for (size_t b = 0; b < batches.size(); ++b) {
            const QByteArray list = rowListOf(batches[b].rows);
            batch->bindInt(1, jobId);
            batch->bindInt(2, qint64(b));
            batch->bindInt(3, batches[b].lane);
            batch->bindBlob(4, list.constData(), list.size());
            batch->bindInt(5, qint64(batches[b].rows.size()));
            batch->bindInt(6, qint64(batches[b].rows.size()));
            if (auto r = batch->run(); !r)
                return std::unexpected(r.error());
            for (size_t s = 0; s < batches[b].rows.size(); ++s) {
                const qint64 r = batches[b].rows[s];
                row->bindInt(1, jobId);
                row->bindInt(2, qint64(b));
                row->bindInt(3, qint64(s));
                row->bindInt(4, r);
                row->bindText(5, lockKeysOfRow ? lockKeysOfRow(r) : QString());
                if (auto done = row->run(); !done)
                    return fail(ErrorKind::BadData, QStringLiteral("row %1 is in the plan twice (%2)").arg(r + 1).arg(done.error().message));
            }
        }
        return jobId;
    }
}

Result<void> JobStore::setJobState(qint64 job, JobState state)
{
    return m_db->write([&](Connection &c) -> Result<void> {
        auto st = c.prepare(QStringLiteral("UPDATE jobs SET state=?, updated_at=? WHERE id=?"));
        if (!st)
            return std::unexpected(st.error());
        st->bindAll({jobStateName(state), now(), job});
        return st->run();
    });
}

Result<void> JobStore::setStatus(qint64 job, std::span<const qint64> rows, RowStatus status, bool countAttempt)
{
    std::shared_lock places(m_places.mutex);
    auto placeOf = [&](qint64 r) { return m_places.find(job, r); };
    return m_db->write([&](Connection &c) -> Result<void> {
        const QString set = countAttempt ? QStringLiteral("UPDATE rows SET status=?, attempts=attempts+1 ") : QStringLiteral("UPDATE rows SET status=? ");
        // A request carries a batch's rows in order: one range of the key, one statement.
        auto byRange = c.prepare(set + QStringLiteral("WHERE job_id=? AND batch_no=? AND seq BETWEEN ? AND ?"));
        auto byRow = c.prepare(set + QStringLiteral("WHERE job_id=? AND row_no=? RETURNING batch_no"));
        if (!byRange)
            return std::unexpected(byRange.error());
        if (!byRow)
            return std::unexpected(byRow.error());
        std::vector<qint64> touched;
        for (size_t i = 0; i < rows.size();) {
            const auto first = placeOf(rows[i]);
            if (!first) {
                byRow->bindInt(1, qint64(status));
                byRow->bindInt(2, job);
                byRow->bindInt(3, rows[i]);
                if (auto done = byRow->forEachRow([&](Statement &st) { touched.push_back(st.columnInt(0)); }); !done)
                    return done;
                ++i;
                continue;
            }
            touched.push_back(first->first);
            size_t end = i + 1;
            for (qint64 next = first->second + 1; end < rows.size(); ++end, ++next) {
                const auto p = placeOf(rows[end]);
                if (!p || p->first != first->first || p->second != next)
                    break;
            }
            byRange->bindInt(1, qint64(status));
            byRange->bindInt(2, job);
            byRange->bindInt(3, first->first);
            byRange->bindInt(4, first->second);
            byRange->bindInt(5, first->second + qint64(end - i) - 1);
            if (auto done = byRange->run(); !done)
                return done;
            i = end;
        }
        if (status == RowStatus::Sent)
            if (auto r = recordWindows(c, job, touched, WindowMark::Sent); !r)
                return r;
        return refreshCounts(c, job, touched);
    });
}

void JobStore::RowPlaces::reset(qint64 forJob, qint64 rows)
{
    job = forJob;
    batch.assign(size_t(std::max<qint64>(0, rows)), -1);
    seq.assign(size_t(std::max<qint64>(0, rows)), -1);
}

std::optional<std::pair<qint64, qint64>> JobStore::RowPlaces::find(qint64 forJob, qint64 row) const
{
    if (forJob != job || row < 0 || row >= qint64(batch.size()) || batch[size_t(row)] < 0)
        return std::nullopt;
    return std::pair<qint64, qint64>{batch[size_t(row)], seq[size_t(row)]};
}

void JobStore::RowPlaces::set(qint64 row, qint64 b, qint64 s)
{
    if (row < 0)
        return;
    if (row >= qint64(batch.size())) {
        batch.resize(size_t(row) + 1, -1);
        seq.resize(size_t(row) + 1, -1);
    }
    batch[size_t(row)] = std::int32_t(b);
    seq[size_t(row)] = std::int32_t(s);
}

Result<void> JobStore::markSent(qint64 job, std::span<const qint64> rows)
{
    return setStatus(job, rows, RowStatus::Sent, true);
}

Result<void> JobStore::markPending(qint64 job, std::span<const qint64> rows)
{
    return setStatus(job, rows, RowStatus::Pending, false);
}

Result<void> JobStore::recordOutcomes(qint64 job, std::span<const qint64> rows, std::span<const RowRecord> outcomes)
{
    if (rows.size() != outcomes.size())
        return fail(ErrorKind::Internal, QStringLiteral("%1 outcomes for %2 rows").arg(outcomes.size()).arg(rows.size()));
    std::shared_lock places(m_places.mutex);
    return m_db->write([&](Connection &c) -> Result<void> {
        const QString set = QStringLiteral("UPDATE rows SET status=?, record_id=?, created=?, code=?, message=?, fields=? ");
        auto byKey = c.prepare(set + QStringLiteral("WHERE job_id=? AND batch_no=? AND seq=?"));
        auto byRow = c.prepare(set + QStringLiteral("WHERE job_id=? AND row_no=? RETURNING batch_no"));
        if (!byKey)
            return std::unexpected(byKey.error());
        if (!byRow)
            return std::unexpected(byRow.error());
        std::vector<qint64> touched;
        qint64 ok = 0, failed = 0, unknown = 0, lock = 0;
        for (size_t i = 0; i < rows.size(); ++i) {
            const RowRecord &o = outcomes[i];
            const qint64 r = rows[i];
            const auto place = m_places.find(job, r);
            Statement &st = place ? *byKey : *byRow;
            st.bindInt(1, int(o.status));
            st.bindText(2, o.recordId);
            st.bindInt(3, o.created ? 1 : 0);
            st.bindText(4, o.statusCode);
            st.bindText(5, o.message);
            st.bindText(6, o.fields.isEmpty() ? QString() : joinedFields(o.fields));
            st.bindInt(7, job);
            if (place) {
                st.bindInt(8, place->first);
                st.bindInt(9, place->second);
                if (touched.empty() || touched.back() != place->first)
                    touched.push_back(place->first);
                if (auto done = st.run(); !done)
                    return done;
            } else {
                st.bindInt(8, r);
                if (auto done = st.forEachRow([&](Statement &s) { touched.push_back(s.columnInt(0)); }); !done)
                    return done;
            }
            ok += o.status == RowStatus::Succeeded;
            failed += o.status == RowStatus::Failed;
            unknown += o.status == RowStatus::Unknown;
            lock += o.statusCode == QLatin1String("UNABLE_TO_LOCK_ROW");
        }
        auto attempt = c.prepare(QStringLiteral("INSERT INTO attempts(job_id, at, rows, succeeded, failed, unknown, lock_errors) "
                                                "VALUES(?,?,?,?,?,?,?)"));
        if (!attempt)
            return std::unexpected(attempt.error());
        attempt->bindAll({job, now(), qint64(rows.size()), ok, failed, unknown, lock});
        if (auto r = attempt->run(); !r)
            return r;
        if (auto r = recordWindows(c, job, touched, WindowMark::Answered); !r)
            return r;
        return refreshCounts(c, job, touched);
    });
}

Result<JobSummary> JobStore::job(qint64 job)
{
    auto one = loadJobs(job);
    if (!one)
        return std::unexpected(one.error());
    if (one->empty())
        return fail(ErrorKind::NotFound, QStringLiteral("no job %1 in %2").arg(job).arg(m_db->path()));
    return std::move(one->front());
}

Result<std::vector<JobSummary>> JobStore::jobs()
{
    return loadJobs(0);
}

Result<std::vector<JobSummary>> JobStore::loadJobs(qint64 only)
{
    return m_db->read([&](Connection &c) -> Result<std::vector<JobSummary>> {
        auto st = c.prepare(QStringLiteral(
            "SELECT id, created_at, updated_at, state, object, operation, external_id_field, api, mitigation, org_url, source_path, "
            "source_size, source_sha256, plan_json, profile_json, row_count, run_json, runner_pid, cancel_requested FROM jobs "
            "WHERE ?=0 OR id=? ORDER BY id"));
        if (!st)
            return std::unexpected(st.error());
        st->bindAll({only, only});
        std::vector<JobSummary> out;
        if (auto read = st->forEachRow([&](Statement &) {
            JobSummary j;
            j.id = st->column(0).toLongLong();
            j.createdAt = st->column(1).toString();
            j.updatedAt = st->column(2).toString();
            j.state = parseJobState(st->column(3).toString()).value_or(JobState::Failed);
            j.spec.object = st->column(4).toString();
            j.spec.operation = parseOperation(st->column(5).toString()).value_or(Operation::Update);
            j.spec.externalIdField = st->column(6).toString();
            j.spec.api = st->column(7).toString();
            j.spec.mitigation = st->column(8).toString();
            j.spec.orgUrl = st->column(9).toString();
            j.spec.sourcePath = st->column(10).toString();
            j.spec.sourceSize = st->column(11).toLongLong();
            j.spec.sourceSha256 = st->column(12).toString().toLatin1();
            j.spec.plan = QJsonDocument::fromJson(st->column(13).toString().toUtf8()).object();
            j.spec.profile = QJsonDocument::fromJson(st->column(14).toString().toUtf8()).object();
            j.rows = st->column(15).toLongLong();
            j.spec.run = QJsonDocument::fromJson(st->column(16).toString().toUtf8()).object();
            j.runnerPid = st->column(17).toLongLong();
            j.cancelRequested = st->column(18).toLongLong() != 0;
            out.push_back(std::move(j));
            }); !read)
            return std::unexpected(read.error());
        for (auto &j : out) {
            auto counts = c.prepare(QStringLiteral("SELECT IFNULL(SUM(pending),0), IFNULL(SUM(sent),0), IFNULL(SUM(succeeded),0), "
                                                   "IFNULL(SUM(failed),0), IFNULL(SUM(unknown),0), IFNULL(SUM(lock_errors),0) FROM batches WHERE job_id=?"));
            if (!counts)
                return std::unexpected(counts.error());
            counts->bindInt(1, j.id);
            auto has = counts->step();
            if (!has)
                return std::unexpected(has.error());
            if (*has) {
                j.pending = counts->columnInt(0);
                j.sent = counts->columnInt(1);
                j.succeeded = counts->columnInt(2);
                j.failed = counts->columnInt(3);
                j.unknown = counts->columnInt(4);
                j.lockErrors = counts->columnInt(5);
            }
        }
        return out;
    });
}

Result<std::vector<JobBatchSpec>> JobStore::batches(qint64 job)
{
    return readBatches(job, std::nullopt);
}

Result<std::vector<JobBatchSpec>> JobStore::batches(qint64 job, RowStatus status)
{
    return readBatches(job, status);
}

Result<std::vector<JobBatchSpec>> JobStore::readBatches(qint64 job, std::optional<RowStatus> only)
{
    RowPlaces places;
    places.reset(job, 0);
    auto result = m_db->read([&](Connection &c) -> Result<std::vector<JobBatchSpec>> {
        // Each batch's rows come from its row list; the rows table is read only for a batch
        // whose rows stand in several statuses when one status is asked for (a batch a killed
        // run left half answered, a batch with some failures).
        auto list = c.prepare(QStringLiteral("SELECT batch_no, lane, remote_job, remote_batch, row_list, size, %1 FROM batches "
                                             "WHERE job_id=? ORDER BY batch_no")
                                  .arg(only ? countColumn(*only) : QLatin1String("size")));
        if (!list)
            return std::unexpected(list.error());
        list->bindInt(1, job);
        std::vector<JobBatchSpec> out;
        std::vector<size_t> mixed;   // batches to read row by row
        if (auto read = list->forEachRow([&](Statement &st) {
            JobBatchSpec b;
            b.number = int(st.columnInt(0));
            b.lane = int(st.columnInt(1));
            b.remoteJob = st.column(2).toString();
            b.remoteBatch = st.column(3).toString();
            const qint64 size = st.columnInt(5), inStatus = st.columnInt(6);
            const QByteArrayView rows = st.columnBlob(4);
            if (rows.size() != size * 4) {
                mixed.push_back(out.size());   // no list (cannot happen after migrate): read its rows
            } else {
                forEachListed(rows, [&](qint64 seq, qint64 row) { places.set(row, b.number, seq); });
                if (inStatus == size)
                    forEachListed(rows, [&](qint64, qint64 row) { b.rows.push_back(row); });
                else if (inStatus > 0)
                    mixed.push_back(out.size());
            }
            out.push_back(std::move(b));
            }); !read)
            return std::unexpected(read.error());
        auto rows = c.prepare(QStringLiteral("SELECT seq, row_no, status FROM rows WHERE job_id=? AND batch_no=? ORDER BY seq"));
        if (!rows)
            return std::unexpected(rows.error());
        for (const size_t i : mixed) {
            JobBatchSpec &b = out[i];
            rows->bindInt(1, job);
            rows->bindInt(2, b.number);
            if (auto read = rows->forEachRow([&](Statement &st) {
                const qint64 row = st.columnInt(1);
                places.set(row, b.number, st.columnInt(0));
                if (!only || st.columnInt(2) == qint64(*only))
                    b.rows.push_back(row);
                }); !read)
                return std::unexpected(read.error());
        }
        return out;
    });
    if (result) {
        std::unique_lock lock(m_places.mutex);
        std::swap(m_places.job, places.job);
        std::swap(m_places.batch, places.batch);
        std::swap(m_places.seq, places.seq);
    }
    return result;
}

Result<RowRecord> JobStore::row(qint64 job, qint64 row)
{
    return m_db->read([&](Connection &c) -> Result<RowRecord> {
        auto st = c.prepare(QStringLiteral("SELECT status, record_id, created, code, message, fields, attempts FROM rows "
                                           "WHERE job_id=? AND row_no=?"));
        if (!st)
            return std::unexpected(st.error());
        st->bindAll({job, row});
        auto has = st->step();
        if (!has)
            return std::unexpected(has.error());
        if (!*has)
            return fail(ErrorKind::NotFound, QStringLiteral("job %1 has no row %2").arg(job).arg(row + 1));
        RowRecord r;
        r.status = RowStatus(st->column(0).toLongLong());
        r.recordId = st->column(1).toString();
        r.created = st->column(2).toLongLong() != 0;
        r.statusCode = st->column(3).toString();
        r.message = st->column(4).toString();
        r.fields = st->column(5).toString().split(QLatin1Char(','), Qt::SkipEmptyParts);
        r.attempts = int(st->column(6).toLongLong());
        return r;
    });
}

Result<std::vector<RowRecord>> JobStore::rows(qint64 job)
{
    return m_db->read([&](Connection &c) -> Result<std::vector<RowRecord>> {
        // In the table's order (send order): each row lands at its number; no sort needed.
        auto st = c.prepare(QStringLiteral("SELECT row_no, status, record_id, created, code, message, fields, attempts FROM rows "
                                           "WHERE job_id=?"));
        if (!st)
            return std::unexpected(st.error());
        st->bindAll({job});
        std::vector<RowRecord> out;
        if (auto read = st->forEachRow([&](Statement &) {
            const qint64 n = st->column(0).toLongLong();
            if (n >= qint64(out.size()))
                out.resize(size_t(n) + 1);
            RowRecord &r = out[size_t(n)];
            r.status = RowStatus(st->column(1).toLongLong());
            r.recordId = st->column(2).toString();
            r.created = st->column(3).toLongLong() != 0;
            r.statusCode = st->column(4).toString();
            r.message = st->column(5).toString();
            r.fields = st->column(6).toString().split(QLatin1Char(','), Qt::SkipEmptyParts);
            r.attempts = int(st->column(7).toLongLong());
            }); !read)
            return std::unexpected(read.error());
        return out;
    });
}

Result<void> JobStore::scanRows(qint64 job, const std::function<void(const RowScan &)> &visit)
{
    return m_db->read([&](Connection &c) -> Result<void> {
        auto st = c.prepare(QStringLiteral("SELECT row_no, batch_no, status, code, message, lock_keys, record_id, attempts FROM rows WHERE job_id=?"));
        if (!st)
            return std::unexpected(st.error());
        st->bindAll({job});
        RowScan scan;
        return st->forEachRow([&](Statement &row) {
            scan.row = row.columnInt(0);
            scan.batch = int(row.columnInt(1));
            scan.status = RowStatus(row.columnInt(2));
            const bool failed = scan.status == RowStatus::Failed;
            scan.code = failed ? row.column(3).toString() : QString();
            scan.message = failed ? row.column(4).toString() : QString();
            scan.lockKeys = row.column(5).toString();
            scan.recordId = row.column(6).toString();
            scan.attempts = int(row.columnInt(7));
            visit(scan);
        });
    });
}

Result<std::vector<qint64>> JobStore::rowNumbers(qint64 job, const RowFilter &filter, RowOrder order, bool descending)
{
    return m_db->read([&](Connection &c) -> Result<std::vector<qint64>> {
        QString sql = QStringLiteral("SELECT row_no FROM rows WHERE job_id=?");
        std::vector<QVariant> values{job};
        if (filter.status) {
            sql += QStringLiteral(" AND status=?");
            values.emplace_back(qint64(*filter.status));
        }
        if (!filter.codes.isEmpty()) {
            QStringList marks;
            for (const QString &code : filter.codes) {
                marks << QStringLiteral("?");
                values.emplace_back(code);
            }
            sql += QStringLiteral(" AND status=%1 AND code IN (%2)").arg(int(RowStatus::Failed)).arg(marks.join(QLatin1Char(',')));
        }
        if (!filter.parent.isEmpty()) {
            // An 18-character Id is found by its first 15: the plan may have named it either way.
            const QString parent = filter.parent.size() == 18 ? filter.parent.left(15) : filter.parent;
            sql += QStringLiteral(" AND instr(lock_keys, ?) > 0");
            values.emplace_back(parent);
        }
        if (filter.batch) {
            sql += QStringLiteral(" AND batch_no=?");
            values.emplace_back(qint64(*filter.batch));
        }
        if (filter.minAttempts > 0) {
            sql += QStringLiteral(" AND attempts>=?");
            values.emplace_back(qint64(filter.minAttempts));
        }
        if (!filter.search.isEmpty()) {
            sql += QStringLiteral(" AND (instr(lower(ifnull(record_id,'')), ?1x) > 0 OR instr(lower(ifnull(message,'')), ?1x) > 0 OR "
                                  "instr(lower(ifnull(lock_keys,'')), ?1x) > 0 OR instr(lower(ifnull(code,'')), ?1x) > 0)");
            const int n = int(values.size()) + 1;
            sql.replace(QStringLiteral("?1x"), QStringLiteral("?%1").arg(n));
            values.emplace_back(filter.search.toLower());
        }
        const QString direction = descending ? QStringLiteral(" DESC") : QString();
        switch (order) {
        case RowOrder::Row: sql += QStringLiteral(" ORDER BY row_no") + direction; break;
        case RowOrder::Status: sql += QStringLiteral(" ORDER BY status%1, row_no").arg(direction); break;
        case RowOrder::Code: sql += QStringLiteral(" ORDER BY ifnull(code,'')%1, row_no").arg(direction); break;
        case RowOrder::Batch: sql += QStringLiteral(" ORDER BY batch_no%1, row_no").arg(direction); break;
        case RowOrder::Attempts: sql += QStringLiteral(" ORDER BY attempts%1, row_no").arg(direction); break;
        }
        auto st = c.prepare(sql);
        if (!st)
            return std::unexpected(st.error());
        for (size_t i = 0; i < values.size(); ++i)
            st->bind(int(i) + 1, values[i]);
        std::vector<qint64> out;
        if (auto r = st->forEachRow([&](Statement &row) { out.push_back(row.columnInt(0)); }); !r)
            return std::unexpected(r.error());
        return out;
    });
}

Result<std::vector<StoredRow>> JobStore::rowsAt(qint64 job, std::span<const qint64> rows)
{
    return m_db->read([&](Connection &c) -> Result<std::vector<StoredRow>> {
        auto st = c.prepare(QStringLiteral("SELECT batch_no, status, record_id, created, code, message, fields, attempts, lock_keys FROM rows "
                                           "WHERE job_id=? AND row_no=?"));
        if (!st)
            return std::unexpected(st.error());
        std::vector<StoredRow> out;
        out.reserve(rows.size());
        for (const qint64 r : rows) {
            st->bindInt(1, job);
            st->bindInt(2, r);
            if (auto read = st->forEachRow([&](Statement &row) {
                    StoredRow s;
                    s.row = r;
                    s.batch = int(row.columnInt(0));
                    s.record.status = RowStatus(row.columnInt(1));
                    s.record.recordId = row.column(2).toString();
                    s.record.created = row.columnInt(3) != 0;
                    s.record.statusCode = row.column(4).toString();
                    s.record.message = row.column(5).toString();
                    s.record.fields = row.column(6).toString().split(QLatin1Char(','), Qt::SkipEmptyParts);
                    s.record.attempts = int(row.columnInt(7));
                    s.lockKeys = row.column(8).toString();
                    out.push_back(std::move(s));
                });
                !read)
                return std::unexpected(read.error());
        }
        return out;
    });
}

Result<std::vector<qint64>> JobStore::rowsWithStatus(qint64 job, RowStatus status)
{
    return m_db->read([&](Connection &c) -> Result<std::vector<qint64>> {
        // Only the batches that have such rows (their counts say so) are read.
        auto st = c.prepare(QStringLiteral("SELECT row_no FROM rows WHERE job_id=?1 AND batch_no IN (SELECT batch_no FROM batches "
                                           "WHERE job_id=?1 AND %1>0) AND status=?2").arg(countColumn(status)));
        if (!st)
            return std::unexpected(st.error());
        st->bindInt(1, job);
        st->bindInt(2, int(status));
        std::vector<qint64> out;
        if (auto read = st->forEachRow([&](Statement &) {
            out.push_back(st->column(0).toLongLong());
            }); !read)
            return std::unexpected(read.error());
        std::sort(out.begin(), out.end());   // file order (the table is in send order)
        return out;
    });
}

Result<void> JobStore::setBatchRemote(qint64 job, int batch, const QString &remoteJob, const QString &remoteBatch)
{
    return m_db->write([&](Connection &c) -> Result<void> {
        auto st = c.prepare(QStringLiteral("UPDATE batches SET remote_job=?, remote_batch=? WHERE job_id=? AND batch_no=?"));
        if (!st)
            return std::unexpected(st.error());
        st->bindAll({remoteJob, remoteBatch, job, batch});
        return st->run();
    });
}

Result<void> JobStore::recordWindows(Connection &c, qint64 job, std::vector<qint64> batches, WindowMark mark)
{
    std::sort(batches.begin(), batches.end());
    batches.erase(std::unique(batches.begin(), batches.end()), batches.end());
    // A new send starts a new window: what the org said about an earlier one no longer applies.
    auto st = c.prepare(mark == WindowMark::Sent
                            ? QStringLiteral("INSERT INTO batch_windows(job_id, batch_no, sent_ms) VALUES(?,?,?) ON CONFLICT DO UPDATE SET "
                                             "sent_ms=excluded.sent_ms, answered_ms=NULL, org_started_ms=NULL, org_ended_ms=NULL")
                            : QStringLiteral("INSERT INTO batch_windows(job_id, batch_no, answered_ms) VALUES(?,?,?) ON CONFLICT DO UPDATE SET "
                                             "answered_ms=excluded.answered_ms"));
    if (!st)
        return std::unexpected(st.error());
    const qint64 at = QDateTime::currentMSecsSinceEpoch();
    for (const qint64 b : batches) {
        st->bindAll({job, b, at});
        if (auto r = st->run(); !r)
            return r;
    }
    return {};
}

Result<void> JobStore::recordOrgWindow(qint64 job, int batch, qint64 startedMs, qint64 endedMs)
{
    return m_db->write([&](Connection &c) -> Result<void> {
        auto st = c.prepare(QStringLiteral("INSERT INTO batch_windows(job_id, batch_no, org_started_ms, org_ended_ms) VALUES(?,?,?,?) "
                                           "ON CONFLICT DO UPDATE SET org_started_ms=excluded.org_started_ms, org_ended_ms=excluded.org_ended_ms"));
        if (!st)
            return std::unexpected(st.error());
        st->bindAll({job, batch, startedMs > 0 ? QVariant(startedMs) : QVariant(), endedMs > 0 ? QVariant(endedMs) : QVariant()});
        return st->run();
    });
}

Result<std::vector<BatchWindow>> JobStore::batchWindows(qint64 job)
{
    return m_db->read([&](Connection &c) -> Result<std::vector<BatchWindow>> {
        auto st = c.prepare(QStringLiteral("SELECT batch_no, sent_ms, answered_ms, org_started_ms, org_ended_ms FROM batch_windows "
                                           "WHERE job_id=? ORDER BY batch_no"));
        if (!st)
            return std::unexpected(st.error());
        st->bindInt(1, job);
        std::vector<BatchWindow> out;
        if (auto r = st->forEachRow([&](Statement &row) {
                out.push_back({int(row.columnInt(0)), row.columnInt(1), row.columnInt(2), row.columnInt(3), row.columnInt(4)});
            });
            !r)
            return std::unexpected(r.error());
        return out;
    });
}

Result<void> JobStore::setRunner(qint64 job, qint64 pid)
{
    return m_db->write([&](Connection &c) -> Result<void> {
        auto st = c.prepare(QStringLiteral("UPDATE jobs SET runner_pid=?, cancel_requested=0, updated_at=? WHERE id=?"));
        if (!st)
            return std::unexpected(st.error());
        st->bindAll({pid > 0 ? QVariant(pid) : QVariant(), now(), job});
        return st->run();
    });
}

bool JobStore::runnerAlive(const JobSummary &job)
{
    if (job.runnerPid <= 0)
        return false;
    // Signal 0 checks that the process exists; EPERM: it does, under another user.
    return ::kill(pid_t(job.runnerPid), 0) == 0 || errno == EPERM;
}

Result<void> JobStore::requestCancel(qint64 job)
{
    return m_db->write([&](Connection &c) -> Result<void> {
        auto st = c.prepare(QStringLiteral("UPDATE jobs SET cancel_requested=1, updated_at=? WHERE id=?"));
        if (!st)
            return std::unexpected(st.error());
        st->bindAll({now(), job});
        return st->run();
    });
}

Result<bool> JobStore::cancelRequested(qint64 job)
{
    return m_db->read([&](Connection &c) -> Result<bool> {
        auto st = c.prepare(QStringLiteral("SELECT cancel_requested FROM jobs WHERE id=?"));
        if (!st)
            return std::unexpected(st.error());
        st->bindAll({job});
        auto has = st->step();
        if (!has)
            return std::unexpected(has.error());
        return *has && st->column(0).toLongLong() != 0;
    });
}

Result<std::map<QString, qint64>> JobStore::errorCounts(qint64 job)
{
    return m_db->read([&](Connection &c) -> Result<std::map<QString, qint64>> {
        auto st = c.prepare(QStringLiteral("SELECT code, COUNT(*) FROM rows WHERE job_id=?1 AND batch_no IN (SELECT batch_no FROM "
                                           "batches WHERE job_id=?1 AND failed>0) AND status=?2 GROUP BY code"));
        if (!st)
            return std::unexpected(st.error());
        st->bindInt(1, job);
        st->bindInt(2, int(RowStatus::Failed));
        std::map<QString, qint64> out;
        if (auto read = st->forEachRow([&](Statement &) {
            const QString code = st->column(0).toString();
            out[code.isEmpty() ? QStringLiteral("UNKNOWN_ERROR") : code] += st->column(1).toLongLong();
            }); !read)
            return std::unexpected(read.error());
        return out;
    });
}

Result<std::vector<BatchProgress>> JobStore::batchProgress(qint64 job)
{
    return m_db->read([&](Connection &c) -> Result<std::vector<BatchProgress>> {
        auto st = c.prepare(QStringLiteral("SELECT batch_no, lane, size, pending, sent, succeeded, failed, unknown, lock_errors "
                                           "FROM batches WHERE job_id=? ORDER BY batch_no"));
        if (!st)
            return std::unexpected(st.error());
        st->bindInt(1, job);
        std::vector<BatchProgress> out;
        if (auto read = st->forEachRow([&](Statement &row) {
                BatchProgress b;
                b.batch = row.column(0).toInt();
                b.lane = row.column(1).toInt();
                b.size = row.column(2).toLongLong();
                b.pending = row.column(3).toLongLong();
                b.sent = row.column(4).toLongLong();
                b.succeeded = row.column(5).toLongLong();
                b.failed = row.column(6).toLongLong();
                b.unknown = row.column(7).toLongLong();
                b.lockErrors = row.column(8).toLongLong();
                out.push_back(b);
            });
            !read)
            return std::unexpected(read.error());
        return out;
    });
}

Result<std::vector<LockErrorRow>> JobStore::lockErrorRows(qint64 job)
{
    return m_db->read([&](Connection &c) -> Result<std::vector<LockErrorRow>> {
        auto st = c.prepare(QStringLiteral("SELECT row_no, batch_no FROM rows WHERE job_id=?1 AND batch_no IN (SELECT batch_no FROM "
                                           "batches WHERE job_id=?1 AND lock_errors>0) AND status=?2 AND code='UNABLE_TO_LOCK_ROW' "
                                           "ORDER BY row_no"));
        if (!st)
            return std::unexpected(st.error());
        st->bindInt(1, job);
        st->bindInt(2, int(RowStatus::Failed));
        std::vector<LockErrorRow> out;
        if (auto read = st->forEachRow([&](Statement &row) { out.push_back({row.column(0).toLongLong(), row.column(1).toInt()}); }); !read)
            return std::unexpected(read.error());
        return out;
    });
}

Result<std::pair<QString, QString>> JobStore::batchRemote(qint64 job, int batch)
{
    return m_db->read([&](Connection &c) -> Result<std::pair<QString, QString>> {
        auto st = c.prepare(QStringLiteral("SELECT remote_job, remote_batch FROM batches WHERE job_id=? AND batch_no=?"));
        if (!st)
            return std::unexpected(st.error());
        st->bindAll({job, batch});
        auto has = st->step();
        if (!has)
            return std::unexpected(has.error());
        if (!*has)
            return fail(ErrorKind::NotFound, QStringLiteral("job %1 has no batch %2").arg(job).arg(batch));
        return std::pair{st->column(0).toString(), st->column(1).toString()};
    });
}

Result<qint64> JobStore::recordOrgChange(const OrgChange &change)
{
    return m_db->write([&](Connection &c) -> Result<qint64> {
        auto st = c.prepare(QStringLiteral("INSERT INTO org_changes(job_id, kind, target, before, after, state) VALUES(?,?,?,?,?,?)"));
        if (!st)
            return std::unexpected(st.error());
        st->bindAll({change.jobId, change.kind, change.target, change.before, change.after, int(change.state)});
        if (auto r = st->run(); !r)
            return std::unexpected(r.error());
        auto id = c.prepare(QStringLiteral("SELECT last_insert_rowid()"));
        if (!id || !id->step())
            return fail(ErrorKind::Io, QStringLiteral("the job store did not return the change's id"));
        return id->column(0).toLongLong();
    });
}

Result<void> JobStore::setOrgChangeState(qint64 change, OrgChange::State state)
{
    return m_db->write([&](Connection &c) -> Result<void> {
        auto st = c.prepare(QStringLiteral("UPDATE org_changes SET state=? WHERE id=?"));
        if (!st)
            return std::unexpected(st.error());
        st->bindAll({int(state), change});
        return st->run();
    });
}

Result<std::vector<OrgChange>> JobStore::openOrgChanges(qint64 job)
{
    return m_db->read([&](Connection &c) -> Result<std::vector<OrgChange>> {
        // Recorded counts as open too: the change may have been made just before a crash.
        auto st = c.prepare(QStringLiteral("SELECT id, job_id, kind, target, before, after, state FROM org_changes "
                                           "WHERE state<>? AND (?=0 OR job_id=?) ORDER BY id"));
        if (!st)
            return std::unexpected(st.error());
        st->bindAll({int(OrgChange::State::Restored), job, job});
        std::vector<OrgChange> out;
        if (auto read = st->forEachRow([&](Statement &) {
            out.push_back({st->column(0).toLongLong(), st->column(1).toLongLong(), st->column(2).toString(), st->column(3).toString(),
                           st->column(4).toString(), st->column(5).toString(), OrgChange::State(st->column(6).toLongLong())});
            }); !read)
            return std::unexpected(read.error());
        return out;
    });
}

} // namespace lockstep
