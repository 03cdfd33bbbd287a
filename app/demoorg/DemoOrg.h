#pragma once

#include "common/Error.h"
#include "common/Progress.h"
#include "demoorg/DemoProfile.h"
#include "demoorg/FaultInjector.h"
#include "demoorg/OrgServices.h"
#include "demoorg/Router.h"
#include "demoorg/Seeder.h"
#include "demoorg/SessionStore.h"

#include <QJsonObject>
#include <QObject>
#include <QTemporaryDir>

#include <memory>

namespace lockstep {
class BlockingLockTable;
}

namespace lockstep::demoorg {

class HttpServer;
class BulkV1Api;
class BulkV2Api;
class BulkV2QueryApi;
class BulkQueryRunner;
class MetadataApi;
class OAuthApi;
class RestApi;
class SObjectApi;

struct DemoOrgOptions {
    quint16 port = 0;            // 0: any free port
    QString dataDir;             // "" = a temporary directory, gone when the org stops
    DemoProfile profile;
    std::uint64_t seed = 1;
    FaultSpec faults;
    QStringList seedFrom;        // load files whose records must exist
    QByteArray jwtCertificate;   // the connected app's certificate (PEM): enables JWT bearer logins
    QString issuedSecretsFile;   // "" = none; else every token and code issued is appended here
};

// The demo org: a Salesforce-compatible server on 127.0.0.1 over SQLite and the shared lock
// engine. It owns the parts and is the front controller of every request: route, inject
// faults, check the session, run the API handler. The GUI starts one in-process; the CLI's
// `demo-org serve` runs one until SIGINT/SIGTERM.
class DemoOrg {
public:
    static Result<std::unique_ptr<DemoOrg>> start(const DemoOrgOptions &options, const Progress &progress = {});
    ~DemoOrg();

    QString instanceUrl() const { return m_services.instanceUrl; }
    quint16 port() const;
    const Credentials &credentials() const { return m_sessions->credentials(); }
    // A fresh access token (the one the JSON line prints).
    QString issueAccessToken() { return m_sessions->issueAccessToken(); }
    // {"instance_url","client_id","client_secret","username","password","access_token"}
    QJsonObject connectionJson();
    const SeedSummary &seedSummary() const { return m_seeded; }
    // Makes every record the files refer to exist (what --seed-from does at start), while the
    // org runs; thread-safe, so the GUI seeds the file a user opened on a worker.
    Result<SeedSummary> seed(const QStringList &files, const Progress &progress = {});

    // Stops accepting requests, cancels running transactions (they roll back), waits for the
    // workers and closes the database. Safe to call twice.
    void stop();

private:
    explicit DemoOrg(const DemoOrgOptions &options);
    Result<void> init(const Progress &progress);
    Result<Credentials> loadOrCreateIdentity();
    ServerResponse handle(const ServerRequest &request);
    std::optional<QString> sessionToken(const ServerRequest &request) const;

    DemoOrgOptions m_options;
    std::unique_ptr<QTemporaryDir> m_tempDir;
    CancelToken m_shutdown;
    std::unique_ptr<RecordStore> m_store;
    std::unique_ptr<BlockingLockTable> m_locks;
    std::unique_ptr<DuplicateRules> m_duplicateRules;
    std::unique_ptr<SessionStore> m_sessions;
    std::unique_ptr<WriteEngine> m_writer;
    std::unique_ptr<QueryEngine> m_queries;
    std::unique_ptr<BulkProcessor> m_bulk;
    std::unique_ptr<BulkQueryRunner> m_bulkQueries;
    std::unique_ptr<FaultInjector> m_faults;
    std::atomic<qint64> m_apiRequests{0};
    SeedProgress m_seeding;
    OrgServices m_services;
    Router m_router;
    std::unique_ptr<OAuthApi> m_oauth;
    std::unique_ptr<RestApi> m_rest;
    std::unique_ptr<SObjectApi> m_sobjects;
    std::unique_ptr<BulkV1Api> m_bulkV1;
    std::unique_ptr<BulkV2Api> m_bulkV2;
    std::unique_ptr<BulkV2QueryApi> m_bulkV2Query;
    std::unique_ptr<MetadataApi> m_metadata;
    std::unique_ptr<HttpServer> m_http;
    SeedSummary m_seeded;
    bool m_stopped = false;
};

} // namespace lockstep::demoorg
