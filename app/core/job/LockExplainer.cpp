#include "job/LockExplainer.h"

#include "common/Format.h"
#include "load/SalesforceId.h"
#include "store/JobStore.h"

#include <QDateTime>
#include <QJsonArray>
#include <QRegularExpression>

#include <algorithm>
#include <map>

namespace lockstep {

namespace {

QString clock(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms).toLocalTime().toString(QStringLiteral("HH:mm:ss.zzz"));
}

QString isoUtc(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs);
}

bool looksLikeId(const QString &s)
{
    if (s.size() != 15 && s.size() != 18)
        return false;
    return std::all_of(s.begin(), s.end(), [](QChar c) { return c.isLetterOrNumber() && c.unicode() < 128; });
}

// "Account 0015g00000ABCDEAA4" (the object from the Id's prefix), or the parent as the row names it.
QString parentLabel(const QString &key)
{
    if (looksLikeId(key)) {
        const QByteArray prefix = key.left(3).toLatin1();
        const QString object = KeyPrefixes::objectFor(std::string_view(prefix.constData(), size_t(prefix.size())));
        if (!object.isEmpty())
            return object + QLatin1Char(' ') + key;
    }
    return key;
}

} // namespace

QString LockExplanation::verdictName(Verdict v)
{
    switch (v) {
    case Verdict::Held: return QStringLiteral("held");
    case Verdict::SameIngestJob: return QStringLiteral("sameIngestJob");
    case Verdict::Outside: return QStringLiteral("outside");
    case Verdict::NoTimings: return QStringLiteral("noTimings");
    }
    return {};
}

bool LockExplanation::sameAs(const LockExplanation &o) const
{
    return job == o.job && batch == o.batch && key == o.key && verdict == o.verdict && holder == o.holder && otherHolders == o.otherHolders &&
           ingestJob == o.ingestJob;
}

std::vector<ExplanationRun> explanationRuns(const std::vector<LockExplanation> &rows)
{
    std::vector<ExplanationRun> out;
    for (const LockExplanation &e : rows) {
        if (!out.empty() && out.back().lastRow + 1 == e.row && out.back().first->sameAs(e))
            out.back().lastRow = e.row;
        else
            out.push_back({&e, e.row});
    }
    return out;
}

QString LockExplanation::text(qint64 lastRow) const
{
    const bool run = lastRow > row;
    const QString who = run ? QStringLiteral("rows %1–%2").arg(grouped(row + 1), grouped(lastRow + 1)) : QStringLiteral("row %1").arg(grouped(row + 1));
    const QString head =
        QStringLiteral("%1: %2%3 on %4%5")
            .arg(who, retryOf > 0 ? QStringLiteral("in retry job %1, ").arg(job) : QString(),
                 run ? QStringLiteral("their transaction waited") : parentOfRow ? QStringLiteral("waited") : QStringLiteral("its transaction waited"),
                 parentLabel(key),
                 run || parentOfRow ? QString() : QStringLiteral(" (another row's parent: the rest of the transaction failed with it)"));
    const QString mine = QStringLiteral("batch %1%2 ran from %3 to %4")
                             .arg(batch)
                             .arg(batchRemote.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(batchRemote), clock(startMs), clock(endMs));
    switch (verdict) {
    case Verdict::Held: {
        QString s = QStringLiteral("%1, held by batch %2%3 from %4 to %5, while its %6")
                        .arg(head)
                        .arg(holder)
                        .arg(holderRemote.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(holderRemote))
                        .arg(clock(holderStartMs), clock(holderEndMs), mine);
        if (otherHolders > 0)
            s += QStringLiteral("; %1 other batch%2 had it then too").arg(otherHolders).arg(otherHolders == 1 ? "" : "es");
        return s;
    }
    case Verdict::SameIngestJob:
        return QStringLiteral("%1, held by another part of Bulk API 2.0 job %2, which carried it more than once: Salesforce runs a "
                              "job's internal batches side by side and does not time them, so which one held it cannot be said "
                              "(its %3)")
            .arg(head, ingestJob, mine);
    case Verdict::Outside:
        return QStringLiteral("%1: no other batch of this job had it while its %2 — the lock was held outside this job (another load, "
                              "a flow or trigger, a user) or through a relationship Lockstep does not model")
            .arg(head, mine);
    case Verdict::NoTimings:
        return QStringLiteral("%1: batch %2 has no recorded times (its answer never came, or the job ran before Lockstep kept them) — "
                              "too thin to say who held it")
            .arg(head)
            .arg(batch);
    }
    return head;
}

QJsonObject LockExplanation::toJson() const
{
    QJsonObject o{{QStringLiteral("job"), job},
                  {QStringLiteral("batchRemote"), batchRemote},
                  {QStringLiteral("row"), row + 1},
                  {QStringLiteral("batch"), batch},
                  {QStringLiteral("parent"), key},
                  {QStringLiteral("parentFromMessage"), keyFromMessage},
                  {QStringLiteral("parentOfRow"), parentOfRow},
                  {QStringLiteral("verdict"), verdictName(verdict)},
                  {QStringLiteral("text"), text()}};
    if (startMs > 0)
        o.insert(QStringLiteral("window"), QJsonObject{{QStringLiteral("startMs"), startMs},
                                                       {QStringLiteral("endMs"), endMs},
                                                       {QStringLiteral("start"), isoUtc(startMs)},
                                                       {QStringLiteral("end"), isoUtc(endMs)}});
    if (verdict == Verdict::Held) {
        o.insert(QStringLiteral("holder"), QJsonObject{{QStringLiteral("batch"), holder},
                                                       {QStringLiteral("remote"), holderRemote},
                                                       {QStringLiteral("startMs"), holderStartMs},
                                                       {QStringLiteral("endMs"), holderEndMs},
                                                       {QStringLiteral("start"), isoUtc(holderStartMs)},
                                                       {QStringLiteral("end"), isoUtc(holderEndMs)}});
        o.insert(QStringLiteral("otherHolders"), otherHolders);
    }
    if (verdict == Verdict::SameIngestJob)
        o.insert(QStringLiteral("ingestJob"), ingestJob);
    return o;
}

QString LockExplainer::keyOf(const QString &parent)
{
    return parent.size() == 18 && looksLikeId(parent) ? parent.left(15) : parent;
}

QStringList LockExplainer::parentsInMessage(const QString &message)
{
    // "unable to obtain exclusive access to this record or 3 records: 001…, 001…, 001…"
    const qsizetype at = message.lastIndexOf(QLatin1String("records:"));
    if (at < 0)
        return {};
    static const QRegularExpression separators(QStringLiteral("[\\s,;:]+"));
    QStringList out;
    for (const QString &token : message.mid(at + 8).split(separators, Qt::SkipEmptyParts))
        if (looksLikeId(token))
            out << token;
    return out;
}

void LockExplainer::addBatch(const ExplainBatch &batch)
{
    if (batch.batch < 0)
        return;
    if (size_t(batch.batch) >= m_batches.size())
        m_batches.resize(size_t(batch.batch) + 1);
    m_batches[size_t(batch.batch)] = batch;
}

const ExplainBatch *LockExplainer::batchAt(int batch) const
{
    return batch >= 0 && size_t(batch) < m_batches.size() && m_batches[size_t(batch)].batch == batch ? &m_batches[size_t(batch)] : nullptr;
}

void LockExplainer::addRow(qint64, int batch, const QStringList &parents)
{
    // How many rows of a batch carry a parent is kept: a Bulk API 2.0 job's rows can collide
    // among themselves. Rows come batch by batch, so a batch's rows add up in the last entry.
    for (const QString &p : parents) {
        auto &entries = m_batchesByKey[keyOf(p)];
        if (!entries.empty() && entries.back().first == batch)
            ++entries.back().second;
        else
            entries.emplace_back(batch, 1);
    }
}

void LockExplainer::addLockError(qint64 row, int batch, const QStringList &parents, const QString &message)
{
    m_failures.push_back({row, batch, parents, message});
}

std::vector<LockExplanation> LockExplainer::explain() const
{
    std::vector<LockExplanation> out;
    out.reserve(m_failures.size());
    for (const Failure &f : m_failures) {
        LockExplanation e;
        e.row = f.row;
        e.batch = f.batch;
        // The parent waited on: the one the org's message names, if the row locks it.
        // A transaction that times out on one parent fails rows that do not lock it too (the
        // rest of its chunk, once partial-save retries run out): the message names the parent
        // the transaction waited on, whoever's it was.
        QStringList keys = parentsInMessage(f.message);
        e.keyFromMessage = !keys.isEmpty();
        if (keys.isEmpty())
            keys = f.parents;
        for (QString &k : keys)   // as the row spells it, where it locks it
            for (const QString &p : f.parents)
                if (keyOf(p) == keyOf(k))
                    k = p;
        e.key = keys.value(0);
        const ExplainBatch *own = batchAt(f.batch);
        if (!own || !own->timed()) {
            e.verdict = LockExplanation::Verdict::NoTimings;
            out.push_back(std::move(e));
            continue;
        }
        e.startMs = own->startMs;
        e.endMs = own->endMs;
        e.batchRemote = own->remoteBatch;
        // Every other batch that carried one of the keys in a window overlapping this batch's;
        // the one that covers most of it held the lock (ties: the one that started first).
        struct Candidate {
            QString key;
            const ExplainBatch *batch;
            qint64 overlap;
        };
        std::vector<Candidate> candidates;
        bool sameJobTwice = false;
        for (const QString &k : keys) {
            const auto it = m_batchesByKey.constFind(keyOf(k));
            if (it == m_batchesByKey.constEnd())
                continue;
            int ownCount = 0;
            for (const auto &[b, count] : *it) {
                const ExplainBatch *other = batchAt(b);
                if (b == f.batch) {
                    ownCount += count;
                    continue;
                }
                if (!other || !other->timed())
                    continue;
                if (own->partOfIngestJob && other->partOfIngestJob && other->remoteJob == own->remoteJob && !own->remoteJob.isEmpty()) {
                    sameJobTwice = true;
                    continue;
                }
                const qint64 overlap = std::min(own->endMs, other->endMs) - std::max(own->startMs, other->startMs);
                if (overlap > 0 && std::none_of(candidates.begin(), candidates.end(), [&](const Candidate &c) { return c.batch == other; }))
                    candidates.push_back({k, other, overlap});
            }
            if (own->partOfIngestJob && ownCount > 1)
                sameJobTwice = true;
        }
        if (!candidates.empty()) {
            const auto best = std::max_element(candidates.begin(), candidates.end(), [](const Candidate &a, const Candidate &b) {
                return a.overlap != b.overlap ? a.overlap < b.overlap : a.batch->startMs > b.batch->startMs;
            });
            e.verdict = LockExplanation::Verdict::Held;
            e.key = best->key;
            e.parentOfRow = std::any_of(f.parents.begin(), f.parents.end(), [&](const QString &p) { return keyOf(p) == keyOf(e.key); });
            e.holder = best->batch->batch;
            e.holderStartMs = best->batch->startMs;
            e.holderEndMs = best->batch->endMs;
            e.holderRemote = best->batch->remoteBatch.isEmpty() ? best->batch->remoteJob : best->batch->remoteBatch;
            e.otherHolders = int(candidates.size()) - 1;
        } else if (sameJobTwice) {
            e.verdict = LockExplanation::Verdict::SameIngestJob;
            e.ingestJob = own->remoteJob;
        } else {
            e.verdict = LockExplanation::Verdict::Outside;
        }
        if (e.verdict != LockExplanation::Verdict::Held)
            e.parentOfRow = std::any_of(f.parents.begin(), f.parents.end(), [&](const QString &p) { return keyOf(p) == keyOf(e.key); });
        out.push_back(std::move(e));
    }
    return out;
}

QJsonObject JobExplanation::toJson() const
{
    std::map<QString, qint64> byVerdict;
    std::map<int, qint64> byHolder;
    QJsonArray list;
    for (const LockExplanation &e : rows) {
        ++byVerdict[LockExplanation::verdictName(e.verdict)];
        if (e.verdict == LockExplanation::Verdict::Held)
            ++byHolder[e.holder];
        list.append(e.toJson());
    }
    QJsonObject verdicts;
    for (const auto v : {LockExplanation::Verdict::Held, LockExplanation::Verdict::SameIngestJob, LockExplanation::Verdict::Outside,
                         LockExplanation::Verdict::NoTimings})
        verdicts.insert(LockExplanation::verdictName(v), byVerdict[LockExplanation::verdictName(v)]);
    std::vector<std::pair<int, qint64>> holders(byHolder.begin(), byHolder.end());
    std::stable_sort(holders.begin(), holders.end(), [](const auto &a, const auto &b) { return a.second > b.second; });
    QJsonArray top;
    for (size_t i = 0; i < holders.size() && i < 10; ++i)
        top.append(QJsonObject{{QStringLiteral("batch"), holders[i].first}, {QStringLiteral("rowsWaiting"), holders[i].second}});
    return QJsonObject{{QStringLiteral("job"), job},
                       {QStringLiteral("lockErrors"), lockErrors},
                       {QStringLiteral("explained"), qint64(rows.size())},
                       {QStringLiteral("verdicts"), verdicts},
                       {QStringLiteral("topHolders"), top},
                       {QStringLiteral("rows"), list}};
}

Result<JobExplanation> explainJob(JobStore &store, qint64 job, const std::vector<qint64> &rows)
{
    auto summary = store.job(job);
    if (!summary)
        return std::unexpected(summary.error());
    auto batches = store.batches(job);
    if (!batches)
        return std::unexpected(batches.error());
    auto windows = store.batchWindows(job);
    if (!windows)
        return std::unexpected(windows.error());
    const bool ingest = summary->spec.api.startsWith(QLatin1String("bulk2"));
    std::map<int, BatchWindow> windowOf;
    for (const BatchWindow &w : *windows)
        windowOf[w.batch] = w;
    LockExplainer explainer;
    for (const JobBatchSpec &b : *batches) {
        ExplainBatch e;
        e.batch = b.number;
        e.remoteJob = b.remoteJob;
        e.remoteBatch = b.remoteBatch;
        e.partOfIngestJob = ingest;
        if (const auto it = windowOf.find(b.number); it != windowOf.end()) {
            const BatchWindow &w = it->second;
            // The org's processing window where it gave one; else the request's, ended no later
            // than the org says it finished.
            e.orgTimed = w.orgStartedMs > 0 && w.orgEndedMs > 0;
            e.startMs = e.orgTimed ? w.orgStartedMs : w.sentMs;
            e.endMs = e.orgTimed ? w.orgEndedMs : (w.orgEndedMs > 0 && w.answeredMs > 0 ? std::min(w.orgEndedMs, w.answeredMs) : w.answeredMs);
        }
        explainer.addBatch(e);
    }
    std::vector<bool> wanted;
    for (const qint64 r : rows) {
        if (r < 0 || r >= summary->rows)
            return fail(ErrorKind::Usage, QStringLiteral("job %1 has rows 1 to %2, not %3").arg(job).arg(summary->rows).arg(r + 1));
        if (size_t(r) >= wanted.size())
            wanted.resize(size_t(r) + 1);
        wanted[size_t(r)] = true;
    }
    JobExplanation out;
    out.job = job;
    auto scanned = store.scanRows(job, [&](const JobStore::RowScan &s) {
        const QStringList parents = s.lockKeys.split(QLatin1Char(';'), Qt::SkipEmptyParts);
        explainer.addRow(s.row, s.batch, parents);
        if (s.status != RowStatus::Failed || s.code != QLatin1String("UNABLE_TO_LOCK_ROW"))
            return;
        ++out.lockErrors;
        if (rows.empty() || (size_t(s.row) < wanted.size() && wanted[size_t(s.row)]))
            explainer.addLockError(s.row, s.batch, parents, s.message);
    });
    if (!scanned)
        return std::unexpected(scanned.error());
    out.rows = explainer.explain();
    for (LockExplanation &e : out.rows)
        e.job = job;
    // Rows a retry carried got their outcome in the retry's run: its batches, its windows (the
    // latest retry last, so its word stands).
    auto all = store.jobs();
    if (!all)
        return std::unexpected(all.error());
    std::map<qint64, size_t> at;
    for (size_t i = 0; i < out.rows.size(); ++i)
        at[out.rows[i].row] = i;
    for (const JobSummary &child : *all) {
        if (child.spec.run.value(QStringLiteral("retryOf")).toInteger() != job)
            continue;
        if (at.empty())
            break;
        auto inner = explainJob(store, child.id, {});
        if (!inner)
            return std::unexpected(inner.error());
        for (LockExplanation &e : inner->rows) {
            const auto it = at.find(e.row);
            if (it == at.end())
                continue;
            e.retryOf = job;
            out.rows[it->second] = std::move(e);
        }
    }
    std::sort(out.rows.begin(), out.rows.end(), [](const LockExplanation &a, const LockExplanation &b) { return a.row < b.row; });
    return out;
}

} // namespace lockstep
