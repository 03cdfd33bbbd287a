#pragma once

#include <QString>

#include <atomic>

namespace lockstep::demoorg {

class RecordStore;
class WriteEngine;
class SessionStore;
class DuplicateRules;
class QueryEngine;
class BulkProcessor;
class BulkQueryRunner;
struct DemoProfile;

// What the API handlers share: the org's parts, owned by DemoOrg, alive as long as it is.
struct OrgServices {
    RecordStore *store = nullptr;
    WriteEngine *writer = nullptr;
    SessionStore *sessions = nullptr;
    DuplicateRules *duplicateRules = nullptr;
    QueryEngine *queries = nullptr;
    BulkProcessor *bulk = nullptr;
    BulkQueryRunner *bulkQueries = nullptr;
    const DemoProfile *profile = nullptr;
    QString instanceUrl;                       // "http://127.0.0.1:PORT"
    std::atomic<qint64> *apiRequests = nullptr;   // counted for /limits
};

// API versions the org answers to (the Salesforce CLI takes the largest by string compare).
constexpr double kMinApiVersion = 20.0;
constexpr double kMaxApiVersion = 62.0;

// "v62.0" → "62.0"; empty when the segment is not a supported version.
QString apiVersionFromSegment(const QString &segment);

} // namespace lockstep::demoorg
