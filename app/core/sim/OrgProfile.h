#pragma once

#include "common/Error.h"
#include "locks/Operation.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <vector>

namespace lockstep {

// Server time per row for one object and operation, when it differs from the default.
struct RowCost {
    QString object;            // "Opportunity"; case-insensitive
    Operation operation = Operation::Update;
    double seconds = 0;

    friend bool operator==(const RowCost &, const RowCost &) = default;
};

// Every constant of the lock model (lock-model.md, calibration.md) in one place. The predictor
// plays plans against it in virtual time; the demo org runs it in real time scaled by a factor.
// The defaults are the model fitted to calibration case A (seed 000: 90,000 Opportunities over
// 5,000 Accounts); docs/lock-engine.md lists each constant, its source and its sensitivity.
struct OrgProfile {
    // ---- transactions -------------------------------------------------------------------------
    // An API write is cut into chunks of 200 records, each one database transaction
    // (lock-model.md §1; the Bulk API and sObject Collections documentation).
    int chunkRows = 200;
    // Server time per row, triggers and roll-ups included. Seed 000: the serial job took
    // "over 40 minutes" for 90,000 rows, ~5.4 s per 200-row chunk → 27 ms a row (40.5 min).
    double rowSeconds = 0.027;
    // Per object/operation overrides of rowSeconds (empty: every write costs rowSeconds).
    std::vector<RowCost> rowCosts;
    // Coefficient of variation of a transaction's duration (lognormal, mean 1). Calibration:
    // "some variation is needed: with none, staggered batches keep fixed phases and never meet";
    // 0.2 fits seed 000 and moves the results little (calibration.md sensitivities).
    double workCv = 0.2;
    // Share of the transaction at its end in which it locks the parents (the roll-up step of the
    // order of execution, where the parent is saved), walking its rows in row order. Fitted to
    // seed 000's ~12,000 parallel errors: 2.3 % (≈ 0.12 s of a 5.4 s chunk). Locks are held to
    // commit. Sensitivity: ±20 % moves errors −22/+16 %, not duration.
    double lockWindowShare = 0.023;
    // Multipliers for orgs whose automation differs from seed 000's (1 = as calibrated):
    // triggerFactor scales the work before the lock window (triggers, validation, flows),
    // rollUpFactor scales the lock window itself (more or heavier roll-up summaries).
    double triggerFactor = 1.0;
    double rollUpFactor = 1.0;
    // An active duplicate rule adds this much time per row *inside* the lock window (the
    // parent's save in the roll-up step). An assumption (calibration.md case B): a multiplier on
    // the whole transaction shows none of the field trend. 0.54 ms = 2 % of a 27 ms row, the
    // study's "×1.02" point (8 threads: 1,600 → 2,780 errors).
    double duplicateRuleRowSeconds = 0.00054;
    // A skewed parent is held longer: once a transaction has locked a parent with n children
    // (as the org has them), it spends parentHoldSecondsPerChild × max(0, n − parentHoldThreshold)
    // more seconds before it moves on — the roll-up summaries and sharing recalculation of the
    // parent's save work over its children. AN ASSUMPTION WITH NO FIELD CONSTANT (calibration.md
    // case D): every public source says skew past ~10,000 children makes parallel loads fail
    // "catastrophically", none says how long the lock is held. A hold that grows with every
    // parent's children breaks case A (each chunk touches ~190 parents); one that starts past a
    // threshold leaves case A alone (its largest parent has ~1,200 children) and reproduces
    // case D's direction. 0.1 ms a child past 2,000 = 1 s on a 12,000-child house account, so
    // six of its batches side by side queue ≈ 5.6 s, under the 10 s timeout: sort by parent
    // stays error-free on case D, a 4 s hold would not. Sensitivity: docs/lock-engine.md §6.
    int parentHoldThreshold = 2000;
    double parentHoldSecondsPerChild = 0.0001;
    // Objects with active duplicate rules. Salesforce ships active standard duplicate rules for
    // these three; nothing in seed 000 says its Opportunities had one.
    QStringList duplicateRuleObjects{QStringLiteral("Account"), QStringLiteral("Contact"), QStringLiteral("Lead")};

    // ---- locks --------------------------------------------------------------------------------
    // A request for a held row waits at most this long, then fails UNABLE_TO_LOCK_ROW.
    // Not configurable on the platform (seed 004; Apex FOR UPDATE documentation).
    double lockTimeoutSeconds = 10.0;
    // A failed lock fails the transaction's whole statement: every row of the chunk reports
    // UNABLE_TO_LOCK_ROW (calibration rule 3; seed 000's errors come in 200-row lumps). false =
    // only the rows that needed the contended key fail, the rest are retried (partial save),
    // which calibration.md found not to fit (7,300 errors at 281 s).
    bool lockFailureFailsChunk = true;
    // Partial save (allOrNone=false, every Bulk load): failed rows are removed and the chunk
    // retried, up to this many attempts in total (Bulk API / sObject Collections documentation).
    int partialSaveAttempts = 3;

    // ---- Bulk API 1.0 -------------------------------------------------------------------------
    // Batches of a parallel job in flight at once. Undocumented; seed 000's 13× speed-up of
    // parallel over serial needs ≥ 13, and 15 reproduces its ~3 min (sensitivity: ±20 % moves
    // duration +23/−15 % and errors ∓19/+22 %).
    int bulkConcurrency = 15;
    // Rows per batch when the user does not choose: Data Loader's Bulk API default.
    int bulkBatchRows = 2000;
    // The Bulk API's limit on records per batch (documentation: 10,000 records / 10 MB).
    int bulkMaxBatchRows = 10000;
    // Time between two batch uploads by the client (Data Loader sends them one after another);
    // fitted, moves little.
    double bulkUploadGapSeconds = 0.3;
    // A batch with more than this many lock-failed rows in one pass puts the unprocessed rest
    // of the batch back on the queue (Bulk API documentation, quoted second-hand)...
    int bulkRequeueThreshold = 100;
    // ...up to this many times, then the batch is marked failed (documentation: 10; newer
    // documentation says 20 attempts or 5 minutes).
    int bulkMaxRequeues = 10;
    // Bulk API 2.0 cuts the upload into internal batches of this size, processed like 1.0.
    int bulk2BatchRows = 10000;
    // Bulk batches an org may submit per rolling 24 hours, Bulk API 1.0 and 2.0 together
    // (documentation: 15,000; a Bulk 2.0 ingest job uses one per internal batch). A plan that
    // sends a job per batch must stay under it.
    int bulkDailyBatches = 15000;

    // ---- REST (sObject Collections) -----------------------------------------------------------
    // Records per collections call (documentation; jsforce's MAX_DML_COUNT).
    int restMaxBatchRows = 200;
    // Client ↔ server time per call outside the transaction; calibration.md's per-parent
    // serializer study used 0.14 s.
    double restRoundTripSeconds = 0.14;
    // Concurrent long-running API requests an org accepts (Salesforce's limit is 25 for
    // production orgs); caps REST client threads.
    int restConcurrentRequests = 25;

    // ---- the instant estimate (lock-model.md §3) -----------------------------------------------
    // κ of "lock-error rows ≈ N · κ · (W − 1) · w" for files whose chunks share many parents in
    // random order: 0.43 fits calibration.md's study of case A (and this engine's runs of it).
    // The estimator scales it by the chance that two chunks share at least two keys.
    double estimateKappa = 0.43;

    // ---- API calls ----------------------------------------------------------------------------
    // How often a Bulk client asks for job status (the Salesforce CLI polls every 5 s); each
    // poll is one API call.
    double statusPollSeconds = 5.0;

    // Server time per row for an object and operation, before variation.
    double rowSecondsFor(const QString &object, Operation operation) const;
    bool hasDuplicateRules(const QString &object) const;

    // Every value in range; the error names the field (and `source`, the file it came from).
    Result<void> validate(const QString &source = {}) const;

    QJsonObject toJson() const;
    // Every field is required (a profile is a complete description of an org); unknown fields
    // are rejected, so a typo never silently falls back to a default.
    static Result<OrgProfile> fromJson(const QJsonObject &json, const QString &source = {});
    static Result<OrgProfile> load(const QString &path);
    Result<void> save(const QString &path) const;

    friend bool operator==(const OrgProfile &, const OrgProfile &) = default;
};

} // namespace lockstep
