#pragma once

#include "common/Error.h"
#include "demoorg/Schema.h"
#include "sim/OrgProfile.h"

#include <QJsonObject>

namespace lockstep::demoorg {

// Everything that shapes a demo org: the lock engine's OrgProfile (shared with the predictor,
// so both run the same constants), the time scale, and the few settings only a server has.
struct DemoProfile {
    OrgProfile org;                   // chunk size, row time, lock window, timeout, Bulk rules
    double scale = 1.0;               // wall seconds per platform second (0.01: 10 s → 100 ms)
    CustomObjectConfig customObjects; // the custom master-detail pair
    int sessionSeconds = 7200;        // access token lifetime
    qint64 dailyApiRequests = 1000000;
    int queryBatchSize = 2000;        // records per query page (Sforce-Query-Options may lower it)
    qint64 bulkV1MaxBytes = 10 * 1000 * 1000;   // Bulk 1.0 batch size limit (10 MB)
    // Bulk query jobs (platform seconds, scaled like everything else): a job waits this long
    // before it runs, then reads this many records a second; results come in pages (Bulk 2.0,
    // without maxRecords) or result files (Bulk 1.0) of at most bulkQueryPageRows records.
    double bulkQueryStartSeconds = 2.0;
    double bulkQueryRowsPerSecond = 20000;
    int bulkQueryPageRows = 50000;

    // A file holds either a plain OrgProfile (the predictor's format) or
    // {"orgProfile": {...}, "demoOrg": {"customObjects": {...}, "sessionSeconds": ...}}.
    static Result<DemoProfile> load(const QString &path);
    static Result<DemoProfile> fromJson(const QJsonObject &json, const QString &source);
    QJsonObject demoOrgJson() const;
};

} // namespace lockstep::demoorg
