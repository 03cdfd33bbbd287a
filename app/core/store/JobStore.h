#pragma once

#include "common/Error.h"
#include "job/RowRecord.h"
#include "locks/Operation.h"
#include "store/Database.h"

#include <QJsonObject>
#include <QString>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <span>
#include <utility>
#include <vector>

namespace lockstep {

// What a job is: everything needed to run it again or to explain it later. No secret: the org
// is named by its URL, never by its token.
struct JobSpec {
    QString object;
    Operation operation = Operation::Update;
    QString externalIdField;
    QString api;                    // "bulk1", "bulk2", "rest"
    QString mitigation;             // the mitigation's key ("lanes", "sort+small:10")
    QString orgUrl;
    QString sourcePath;
    qint64 sourceSize = 0;
    QByteArray sourceSha256;        // hex
    QJsonObject plan;               // Plan::toJson
    QJsonObject profile;            // OrgProfile::toJson
    // How it runs, beyond the plan: {"timeScale": 0.01, "demoDataDir": "…"} (what `resume` needs
    // to run it the same way; never a secret).
    QJsonObject run;
};

// One planned request: the rows of the file it carries, in order, and where it runs.
struct JobBatchSpec {
    int lane = -1;                  // -1: the shared queue
    std::vector<qint64> rows;       // 0-based file rows
    // Read back from the store: the batch's number and, once sent through a Bulk API, the
    // remote job and batch that carry it (the batch is empty until the org named it).
    int number = -1;
    QString remoteJob, remoteBatch;
};

// Which rows of a job a results view shows: every condition given must hold.
struct RowFilter {
    std::optional<RowStatus> status;
    QStringList codes;              // failed with any of these codes
    QString parent;                 // rows that lock this parent (15- or 18-character Id, or label)
    std::optional<int> batch;
    int minAttempts = 0;            // sent at least this often
    QString search;                 // in the record Id, the message or the parents (any case)
    bool empty() const { return !status && codes.isEmpty() && parent.isEmpty() && !batch && minAttempts <= 0 && search.isEmpty(); }
};
enum class RowOrder { Row, Status, Code, Batch, Attempts };

// One row as a results view shows it.
struct StoredRow {
    qint64 row = 0;                 // 0-based file row
    int batch = -1;
    RowRecord record;
    QString lockKeys;               // "001…;001…"
};

// When one batch's request went out and was answered (ms since the epoch, UTC; 0: not yet), and
// when the org says it processed it (Bulk batch info; 0: the org did not say). What `explain`
// reads to say which batch held which parent when.
struct BatchWindow {
    int batch = -1;
    qint64 sentMs = 0, answeredMs = 0;
    qint64 orgStartedMs = 0, orgEndedMs = 0;
};

// One batch's counts as a run fills it in (what a run view draws per lane).
struct BatchProgress {
    int batch = -1;
    int lane = -1;                  // -1: the shared queue
    qint64 size = 0;
    qint64 pending = 0, sent = 0, succeeded = 0, failed = 0, unknown = 0, lockErrors = 0;
    qint64 answered() const { return succeeded + failed + unknown; }
};

// A row the org refused because a parent was locked, and the batch that carried it.
struct LockErrorRow {
    qint64 row = 0;
    int batch = -1;
};

enum class JobState { Created, Running, Paused, Cancelled, Finished, Failed };
QString jobStateName(JobState state);
std::optional<JobState> parseJobState(const QString &text);

struct JobSummary {
    qint64 id = 0;
    JobSpec spec;
    JobState state = JobState::Created;
    QString createdAt, updatedAt;   // ISO 8601, UTC
    qint64 rows = 0;
    qint64 pending = 0, sent = 0, succeeded = 0, failed = 0, unknown = 0;
    qint64 lockErrors = 0;          // failed rows with UNABLE_TO_LOCK_ROW
    qint64 runnerPid = 0;           // the process running it (0: none recorded)
    bool cancelRequested = false;   // `lockstep-cli cancel` asked the runner to stop
};

// A change the job made to the org, recorded before it is made so that it is undone when the
// job ends — or at the next start after a crash (architecture.md: org changes are undone).
struct OrgChange {
    enum class State { Recorded, Applied, Restored };
    qint64 id = 0;
    qint64 jobId = 0;
    QString kind;                   // "duplicateRule"
    QString target;                 // "Account.Standard_Account_Duplicate_Rule"
    QString before, after;          // "active", "inactive"
    State state = State::Recorded;
};

// Every row's outcome, every attempt and every org change, in SQLite (WAL): status is written
// before a request goes out (sent) and after its answer (succeeded / failed / unknown), each in
// a transaction, so a process killed at any moment leaves a store that says exactly what was
// sent and what was answered. One JobStore per thread (it owns its connections).
class JobStore {
public:
    static Result<std::unique_ptr<JobStore>> open(const QString &path);
    // The store of this user: $XDG_DATA_HOME/lockstep/jobs.sqlite (QStandardPaths).
    static QString defaultPath();

    Result<qint64> createJob(const JobSpec &spec, const std::vector<JobBatchSpec> &batches,
                             const std::function<QString(qint64 row)> &lockKeysOfRow = {});
    // A retry of some of `parent`'s rows, as a job of its own (RetryPolicy): its spec's run JSON
    // says "retryOf": parent, and its rows start with the attempts they had in the parent.
    Result<qint64> createRetryJob(qint64 parent, JobSpec spec, const std::vector<JobBatchSpec> &batches,
                                  const std::function<QString(qint64 row)> &lockKeysOfRow = {});
    // The retry's answered rows (succeeded, failed, unknown) replace the parent's records of them,
    // attempts included; rows it has not answered keep the parent's. The same however often it
    // runs (after each run or resume of the retry). Returns the rows folded.
    Result<qint64> foldRetry(qint64 child);
    Result<void> setJobState(qint64 job, JobState state);
    Result<JobSummary> job(qint64 job);
    Result<std::vector<JobSummary>> jobs();
    Result<std::vector<JobBatchSpec>> batches(qint64 job);
    // The same, each batch holding only its rows in `status` (one pass over the rows).
    Result<std::vector<JobBatchSpec>> batches(qint64 job, RowStatus status);

    // A request is about to carry `rows`: they become sent, their attempts grow by one.
    Result<void> markSent(qint64 job, std::span<const qint64> rows);
    // Its answer: one record per row (status, Id, error). Also records the attempt.
    Result<void> recordOutcomes(qint64 job, std::span<const qint64> rows, std::span<const RowRecord> outcomes);
    // Rows back to pending (a cancel before a request went out, a retry pass).
    Result<void> markPending(qint64 job, std::span<const qint64> rows);

    Result<RowRecord> row(qint64 job, qint64 row);
    // Every row's record, in file order (for result files and reconciliation).
    Result<std::vector<RowRecord>> rows(qint64 job);
    Result<std::vector<qint64>> rowsWithStatus(qint64 job, RowStatus status);
    // Every row of a job with where it went and what it locks, in send order, one at a time
    // (explain reads a million rows' keys without holding them all).
    struct RowScan {
        qint64 row = 0;
        int batch = -1;
        RowStatus status = RowStatus::Pending;
        QString code, message;   // failed rows only (empty otherwise)
        QString lockKeys;        // "001…;001…": the parents the row locks, as the plan named them
        QString recordId;
        int attempts = 0;
    };
    Result<void> scanRows(qint64 job, const std::function<void(const RowScan &)> &visit);
    // The numbers of the rows that pass `filter`, in `order` (ties by row number): one query, 8
    // bytes a row, for a view that fetches the rows themselves a page at a time (rowsAt).
    Result<std::vector<qint64>> rowNumbers(qint64 job, const RowFilter &filter, RowOrder order = RowOrder::Row, bool descending = false);
    // These rows' records, in the order given (a row the job does not have is left out).
    Result<std::vector<StoredRow>> rowsAt(qint64 job, std::span<const qint64> rows);

    // Who runs the job (its pid; 0 when it stops), and a cancel asked from another process,
    // which the runner watches.
    Result<void> setRunner(qint64 job, qint64 pid);
    Result<void> requestCancel(qint64 job);
    Result<bool> cancelRequested(qint64 job);
    // Whether the process that runs the job is still there (on this machine).
    static bool runnerAlive(const JobSummary &job);
    // Failed rows by status code (UNABLE_TO_LOCK_ROW → 1,200).
    Result<std::map<QString, qint64>> errorCounts(qint64 job);
    // Every batch's counts, in batch order (cheap: the batches table keeps them).
    Result<std::vector<BatchProgress>> batchProgress(qint64 job);
    // The job's rows that failed with UNABLE_TO_LOCK_ROW, in row order.
    Result<std::vector<LockErrorRow>> lockErrorRows(qint64 job);

    // Remote ids of a batch (Bulk job and batch), so a resumed run can read its results.
    Result<void> setBatchRemote(qint64 job, int batch, const QString &remoteJob, const QString &remoteBatch);
    Result<std::pair<QString, QString>> batchRemote(qint64 job, int batch);
    // Send and answer times are written by markSent and recordOutcomes themselves (for every
    // batch the rows belong to); the org's own processing window, where it reports one, here.
    Result<void> recordOrgWindow(qint64 job, int batch, qint64 startedMs, qint64 endedMs);
    Result<std::vector<BatchWindow>> batchWindows(qint64 job);

    Result<qint64> recordOrgChange(const OrgChange &change);
    Result<void> setOrgChangeState(qint64 change, OrgChange::State state);
    // Changes applied and not yet restored, of every job (for the start after a crash) or one.
    Result<std::vector<OrgChange>> openOrgChanges(qint64 job = 0);

    const QString &path() const { return m_db->path(); }

private:
    explicit JobStore(std::unique_ptr<Database> db) : m_db(std::move(db)) {}
    Result<void> migrate();
    Result<qint64> insertJob(Connection &c, const JobSpec &spec, const std::vector<JobBatchSpec> &batches,
                             const std::function<QString(qint64 row)> &lockKeysOfRow);
    void rememberPlaces(qint64 job, const std::vector<JobBatchSpec> &batches);
    Result<std::vector<JobSummary>> loadJobs(qint64 only);   // 0: all
    Result<void> setStatus(qint64 job, std::span<const qint64> rows, RowStatus status, bool countAttempt);
    Result<std::vector<JobBatchSpec>> readBatches(qint64 job, std::optional<RowStatus> only);
    enum class WindowMark { Sent, Answered };
    static Result<void> recordWindows(Connection &c, qint64 job, std::vector<qint64> batches, WindowMark mark);

    // Where each row of one job sits in the rows table: (batch_no, seq), its primary key. A
    // status write by key goes straight to the row; by row_no it would look the key up in
    // rows_by_row first — twice the B-tree work, on every request's two writes. Filled when
    // the job is created or its batches are read; a row not known here is written by row_no.
    struct RowPlaces {
        std::shared_mutex mutex;
        qint64 job = 0;
        std::vector<std::int32_t> batch, seq;   // by row_no; -1: not known
        void reset(qint64 job, qint64 rows);
        void set(qint64 row, qint64 batch, qint64 seq);
        // (batch_no, seq) of `row` of `forJob`, when known (the caller holds `mutex`).
        std::optional<std::pair<qint64, qint64>> find(qint64 forJob, qint64 row) const;
    };
    RowPlaces m_places;

    std::unique_ptr<Database> m_db;
};

} // namespace lockstep
