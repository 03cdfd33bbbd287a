#pragma once

#include <QMutex>
#include <QString>

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
// What POST /lockstep/seed is doing, for GET /lockstep/status: a seed of millions of rows takes
// minutes, and whoever asked for it shows its progress.
class SeedProgress {
public:
    struct Snapshot {
        bool active = false;
        QString file;
        qint64 done = 0, total = 0;
        QString phase;
    };
    void begin(const QString &file)
    {
        QMutexLocker lock(&m_mutex);
        m_now = {true, file, 0, 0, QStringLiteral("Reading the file")};
    }
    void report(qint64 done, qint64 total, const QString &phase)
    {
        QMutexLocker lock(&m_mutex);
        m_now.done = done;
        m_now.total = total;
        if (!phase.isEmpty())
            m_now.phase = phase;
    }
    void end()
    {
        QMutexLocker lock(&m_mutex);
        m_now = {};
    }
    Snapshot now() const
    {
        QMutexLocker lock(&m_mutex);
        return m_now;
    }

private:
    mutable QMutex m_mutex;
    Snapshot m_now;
};

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
    SeedProgress *seeding = nullptr;
};

// API versions the org answers to (the Salesforce CLI takes the largest by string compare).
constexpr double kMinApiVersion = 20.0;
constexpr double kMaxApiVersion = 62.0;

// "v62.0" → "62.0"; empty when the segment is not a supported version.
QString apiVersionFromSegment(const QString &segment);

} // namespace lockstep::demoorg
