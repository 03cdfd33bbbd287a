#pragma once

#include "common/Error.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <functional>
#include <vector>

namespace lockstep {

class JobStore;

// A batch as the explainer sees it: when it held its locks, and what carried it.
struct ExplainBatch {
    int batch = -1;
    qint64 startMs = 0, endMs = 0;   // ms since the epoch; 0: no time recorded
    bool orgTimed = false;           // the org's processing times (Bulk batch info), not the request's
    QString remoteJob, remoteBatch;  // the Bulk job and batch that carried it, if any
    // A part of a Bulk API 2.0 ingest job: Salesforce cuts the job into internal batches of its
    // own, runs them side by side and does not time them.
    bool partOfIngestJob = false;
    bool timed() const { return startMs > 0 && endMs >= startMs; }
};

// Why one row failed with UNABLE_TO_LOCK_ROW, from the batches' windows and contents.
struct LockExplanation {
    // Held: another batch had the parent in a window that overlaps this row's batch's.
    // SameIngestJob: the rows that had it went in the same Bulk API 2.0 job (untimed parts).
    // Outside: no other batch of the job had the parent then — something outside the job held it.
    // NoTimings: this row's batch has no recorded window: too thin to say.
    enum class Verdict { Held, SameIngestJob, Outside, NoTimings };

    qint64 job = 0;                  // the job whose run it failed in (a retry's, for folded rows)
    qint64 row = 0;                  // 0-based file row
    int batch = -1;                  // that job's batch
    QString batchRemote;             // its Bulk batch id, if any
    QString key;                     // the parent waited on (as the row names it)
    bool keyFromMessage = false;     // the org's message named it (else: the row's parents)
    bool parentOfRow = true;         // the row locks it itself (else its transaction waited on another row's)
    Verdict verdict = Verdict::NoTimings;
    qint64 startMs = 0, endMs = 0;   // the row's batch's window
    int holder = -1;                 // the batch that held the key (Held)
    qint64 holderStartMs = 0, holderEndMs = 0;
    QString holderRemote;            // its Bulk batch (or job) id
    int otherHolders = 0;            // further batches that had the key in the window
    QString ingestJob;               // SameIngestJob: the job
    qint64 retryOf = 0;              // folded from a retry of this job

    static QString verdictName(Verdict v);   // "held", "sameIngestJob", "outside", "noTimings"
    // "row 1,235: waited on Account 0015… held by batch 7 from 12:03:10.204 to 12:03:21.007 …";
    // with lastRow, for rows row…lastRow that share this explanation ("rows 801–1,000: their
    // transaction waited on …").
    QString text(qint64 lastRow = -1) const;
    // The same explanation, but for the row (a run of rows failed by one transaction shares it).
    bool sameAs(const LockExplanation &other) const;
    QJsonObject toJson() const;
};

// Names, for each lock error of a job, the batch that held the parent it waited on and when —
// from the runner's record of which batch carried which parents and when each batch ran
// (JobStore::batchWindows), or from a Bulk job's batch infos. Where the record is too thin to
// name a holder, the explanation says so instead of guessing.
class LockExplainer {
public:
    void addBatch(const ExplainBatch &batch);
    // Every row of the job (not only failed ones): its batch and the parents it locks.
    void addRow(qint64 row, int batch, const QStringList &parents);
    // A row that failed with UNABLE_TO_LOCK_ROW, with the org's message (which names the record).
    void addLockError(qint64 row, int batch, const QStringList &parents, const QString &message);

    std::vector<LockExplanation> explain() const;

    // The parents an UNABLE_TO_LOCK_ROW message names ("… or 1 records: 001…").
    static QStringList parentsInMessage(const QString &message);

private:
    struct Failure {
        qint64 row;
        int batch;
        QStringList parents;
        QString message;
    };
    static QString keyOf(const QString &parent);   // an 18-character Id as its 15-character form
    const ExplainBatch *batchAt(int batch) const;
    std::vector<ExplainBatch> m_batches;             // by batch number
    // parent → (batch, rows of it carrying the parent), a batch once: a house account's
    // 12,000 rows are a few hundred entries, not 12,000 to walk for each of its lock errors.
    QHash<QString, std::vector<std::pair<int, int>>> m_batchesByKey;
    std::vector<Failure> m_failures;
};

// Consecutive rows with the same explanation — the rows one transaction failed — as one line each.
struct ExplanationRun {
    const LockExplanation *first = nullptr;
    qint64 lastRow = 0;   // 0-based
    QString text() const { return first->text(lastRow); }
};
std::vector<ExplanationRun> explanationRuns(const std::vector<LockExplanation> &rows);

// Explains a job of the store: `rows` (0-based) only, or every lock error when empty. A row whose
// outcome a retry folded back is explained from the retry's own run.
struct JobExplanation {
    qint64 job = 0;
    qint64 lockErrors = 0;           // the job's lock-error rows
    std::vector<LockExplanation> rows;
    QJsonObject toJson() const;      // counts by verdict, the batches that held most, every row
};
Result<JobExplanation> explainJob(JobStore &store, qint64 job, const std::vector<qint64> &rows = {});

} // namespace lockstep
