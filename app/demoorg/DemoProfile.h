#pragma once

#include "common/Error.h"
#include "demoorg/Schema.h"

#include <QJsonObject>

namespace lockstep::demoorg {

// The demo org's timing and limits. The numbers are calibration.md's fitted model (case A):
// until app/core/sim's OrgProfile is available, the demo org keeps its own copy here, one
// place, every constant named; `--profile P.json` overrides any of them by key.
struct DemoProfile {
    double scale = 1.0;               // real seconds per platform second (0.01: 10 s → 100 ms)
    double lockTimeoutMs = 10000;     // platform lock wait before UNABLE_TO_LOCK_ROW (fixed on the platform)
    int chunkSize = 200;              // rows per transaction
    double rowMs = 27.0;              // server time per row: 5.4 s a chunk, 40.5 min serial for 90k rows
    double rowTimeCv = 0.2;           // lognormal variation per transaction (without it staggered batches never meet)
    double lockWindowShare = 0.023;   // parents are locked only in the last 2.3 % (the roll-up step)
    double duplicateRuleRowMs = 0.54; // an active duplicate rule adds this per row inside the lock window (case B)
    bool rollups = true;              // recompute roll-up summaries on commit
    int bulkParallelBatches = 15;     // Bulk batches in flight (parallel jobs)
    int bulkRequeueThreshold = 100;   // lock-failed rows in a pass above which the rest is re-queued
    int bulkMaxRetries = 10;
    int bulkV1MaxRecords = 10000;
    qint64 bulkV1MaxBytes = 10 * 1000 * 1000;
    int bulkV2BatchSize = 10000;
    int bulkUploadGapMs = 0;          // not used by the server; clients pace their uploads
    int sessionSeconds = 7200;        // access token lifetime
    qint64 dailyApiRequests = 1000000;
    int queryBatchSize = 2000;
    CustomObjectConfig customObjects;

    static Result<DemoProfile> fromJson(const QJsonObject &json, const QString &source);
    static Result<DemoProfile> load(const QString &path);
    QJsonObject toJson() const;

    // Real time for a platform duration in milliseconds.
    double scaledMs(double platformMs) const { return platformMs * scale; }
};

} // namespace lockstep::demoorg
