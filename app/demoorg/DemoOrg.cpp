#include "demoorg/DemoOrg.h"

#include "demoorg/ApiErrors.h"
#include "demoorg/BulkProcessor.h"
#include "demoorg/BulkQueryRunner.h"
#include "demoorg/BulkV1Api.h"
#include "demoorg/BulkV2Api.h"
#include "demoorg/BulkV2QueryApi.h"
#include "demoorg/DuplicateRules.h"
#include "demoorg/HttpServer.h"
#include "demoorg/MetadataApi.h"
#include "demoorg/OAuthApi.h"
#include "demoorg/QueryEngine.h"
#include "demoorg/RecordStore.h"
#include "demoorg/RestApi.h"
#include "demoorg/SObjectApi.h"
#include "demoorg/SeedApi.h"
#include "demoorg/WriteEngine.h"
#include "sim/BlockingLockTable.h"

#include <QDir>
#include <QRandomGenerator>

namespace lockstep::demoorg {

namespace {

QString randomSecret(int length)
{
    static constexpr char kAlphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    QString s;
    for (int i = 0; i < length; ++i)
        s += QLatin1Char(kAlphabet[QRandomGenerator::system()->bounded(62)]);
    return s;
}

bool isBulkV1(const QString &path)
{
    return path.startsWith(QLatin1String("/services/async/"), Qt::CaseInsensitive);
}

} // namespace

DemoOrg::DemoOrg(const DemoOrgOptions &options) : m_options(options) {}

DemoOrg::~DemoOrg()
{
    stop();
}

quint16 DemoOrg::port() const
{
    return m_http ? m_http->port() : 0;
}

Result<std::unique_ptr<DemoOrg>> DemoOrg::start(const DemoOrgOptions &options, const Progress &progress)
{
    std::unique_ptr<DemoOrg> org(new DemoOrg(options));
    if (auto r = org->init(progress); !r)
        return std::unexpected(r.error());
    return org;
}

Result<Credentials> DemoOrg::loadOrCreateIdentity()
{
    // The org, its user and the connected app's secrets live in the database, so a restart on
    // the same --data keeps them (and every record the user created).
    Database &db = m_store->database();
    auto r = db.write([&](Connection &c) -> Result<Credentials> {
        if (auto t = c.exec(QStringLiteral("CREATE TABLE IF NOT EXISTS org_settings(key TEXT PRIMARY KEY, value TEXT NOT NULL)")); !t)
            return std::unexpected(t.error());
        auto get = [&](const QString &key) -> QString {
            auto st = c.prepare(QStringLiteral("SELECT value FROM org_settings WHERE key=?"));
            if (!st)
                return {};
            st->bind(1, key);
            auto row = st->step();
            return row && *row ? st->column(0).toString() : QString();
        };
        auto put = [&](const QString &key, const QString &value) -> Result<void> {
            auto st = c.prepare(QStringLiteral("INSERT OR REPLACE INTO org_settings(key,value) VALUES(?,?)"));
            if (!st)
                return std::unexpected(st.error());
            st->bind(1, key);
            st->bind(2, value);
            return st->run();
        };
        Credentials cr;
        cr.orgId = get(QStringLiteral("orgId"));
        if (cr.orgId.isEmpty()) {
            cr.orgId = m_store->newId(*m_store->schema().object(QStringLiteral("Organization")));
            cr.userId = m_store->newId(*m_store->schema().object(QStringLiteral("User")));
            cr.username = QStringLiteral("demo@lockstep.demo-org");
            cr.password = randomSecret(20);
            cr.clientId = QStringLiteral("3MVG9lockstepDemoOrg.") + randomSecret(40);
            cr.clientSecret = randomSecret(64);
            for (const auto &[k, v] : {std::pair{QStringLiteral("orgId"), cr.orgId}, std::pair{QStringLiteral("userId"), cr.userId},
                                       std::pair{QStringLiteral("username"), cr.username}, std::pair{QStringLiteral("password"), cr.password},
                                       std::pair{QStringLiteral("clientId"), cr.clientId}, std::pair{QStringLiteral("clientSecret"), cr.clientSecret}})
                if (auto w = put(k, v); !w)
                    return std::unexpected(w.error());
        } else {
            cr.userId = get(QStringLiteral("userId"));
            cr.username = get(QStringLiteral("username"));
            cr.password = get(QStringLiteral("password"));
            cr.clientId = get(QStringLiteral("clientId"));
            cr.clientSecret = get(QStringLiteral("clientSecret"));
        }
        return cr;
    });
    if (!r)
        return r;
    const Schema &schema = m_store->schema();
    const ObjectDef *orgObject = schema.object(QStringLiteral("Organization"));
    const ObjectDef *userObject = schema.object(QStringLiteral("User"));
    std::vector<RowWrite> writes;
    if (auto have = m_store->existing(*orgObject, {r->orgId}); have && have->isEmpty())
        writes.push_back(RowWrite{RowWrite::Kind::Insert, orgObject, r->orgId,
                                  Values{{QStringLiteral("Name"), QStringLiteral("Lockstep Demo Org")}, {QStringLiteral("InstanceName"), QStringLiteral("DEMO1")},
                                         {QStringLiteral("IsSandbox"), false}, {QStringLiteral("OrganizationType"), QStringLiteral("Developer Edition")}}});
    if (auto have = m_store->existing(*userObject, {r->userId}); have && have->isEmpty())
        writes.push_back(RowWrite{RowWrite::Kind::Insert, userObject, r->userId,
                                  Values{{QStringLiteral("Username"), r->username}, {QStringLiteral("Name"), QStringLiteral("Demo Integration User")},
                                         {QStringLiteral("FirstName"), QStringLiteral("Demo")}, {QStringLiteral("LastName"), QStringLiteral("Integration User")},
                                         {QStringLiteral("Email"), r->username}, {QStringLiteral("IsActive"), true}, {QStringLiteral("TimeZoneSidKey"), QStringLiteral("GMT")}}});
    if (auto w = m_store->apply(writes, r->userId); !w)
        return std::unexpected(w.error());
    return r;
}

Result<SeedSummary> DemoOrg::seed(const QStringList &files, const Progress &progress)
{
    if (m_stopped)
        return fail(ErrorKind::Usage, QStringLiteral("the demo org is stopped"));
    return Seeder(*m_store, credentials().userId).seed(files, progress);
}

Result<void> DemoOrg::init(const Progress &progress)
{
    QString dir = m_options.dataDir;
    if (dir.isEmpty()) {
        m_tempDir = std::make_unique<QTemporaryDir>();
        if (!m_tempDir->isValid())
            return fail(ErrorKind::Io, QStringLiteral("cannot create a temporary directory for the demo org"));
        dir = m_tempDir->path();
    } else if (!QDir().mkpath(dir)) {
        return fail(ErrorKind::Io, QStringLiteral("cannot create the data directory"), dir);
    }
    const Schema schema = Schema::standard(m_options.profile.customObjects);
    auto store = RecordStore::open(QDir(dir).filePath(QStringLiteral("demo-org.sqlite")), schema);
    if (!store)
        return std::unexpected(store.error());
    m_store = std::move(*store);
    auto identity = loadOrCreateIdentity();
    if (!identity)
        return std::unexpected(identity.error());
    auto rules = DuplicateRules::load(*m_store);
    if (!rules)
        return std::unexpected(rules.error());
    m_duplicateRules = std::move(*rules);
    if (!m_options.seedFrom.isEmpty()) {
        auto seeded = Seeder(*m_store, identity->userId).seed(m_options.seedFrom, progress);
        if (!seeded)
            return std::unexpected(seeded.error());
        m_seeded = *seeded;
    }
    m_locks = std::make_unique<BlockingLockTable>();
    identity->jwtCertificate = m_options.jwtCertificate;
    m_sessions = std::make_unique<SessionStore>(*identity, m_options.profile.sessionSeconds, m_options.seed);
    if (!m_options.issuedSecretsFile.isEmpty())
        if (auto recording = m_sessions->recordIssuedSecretsTo(m_options.issuedSecretsFile); !recording)
            return std::unexpected(recording.error());
    m_writer = std::make_unique<WriteEngine>(*m_store, *m_locks, *m_duplicateRules, m_options.profile, identity->userId, m_options.seed, m_shutdown);
    m_queries = std::make_unique<QueryEngine>(*m_store);
    m_bulk = std::make_unique<BulkProcessor>(*m_writer, m_store->schema(), m_options.profile);
    m_bulkQueries = std::make_unique<BulkQueryRunner>(*m_bulk, *m_queries, m_options.profile);
    if (m_options.faults.any())
        m_faults = std::make_unique<FaultInjector>(m_options.faults, m_options.seed);

    m_services.store = m_store.get();
    m_services.writer = m_writer.get();
    m_services.sessions = m_sessions.get();
    m_services.duplicateRules = m_duplicateRules.get();
    m_services.queries = m_queries.get();
    m_services.bulk = m_bulk.get();
    m_services.bulkQueries = m_bulkQueries.get();
    m_services.profile = &m_options.profile;
    m_services.apiRequests = &m_apiRequests;
    m_services.seeding = &m_seeding;

    m_oauth = std::make_unique<OAuthApi>(m_services);
    m_rest = std::make_unique<RestApi>(m_services);
    m_sobjects = std::make_unique<SObjectApi>(m_services);
    m_bulkV1 = std::make_unique<BulkV1Api>(m_services);
    m_bulkV2 = std::make_unique<BulkV2Api>(m_services);
    m_bulkV2Query = std::make_unique<BulkV2QueryApi>(m_services);
    m_metadata = std::make_unique<MetadataApi>(m_services);
    m_oauth->registerRoutes(m_router);
    m_rest->registerRoutes(m_router);
    m_bulkV2->registerRoutes(m_router);   // before sObjects: /jobs/ingest is not an sObject
    m_bulkV2Query->registerRoutes(m_router);
    m_sobjects->registerRoutes(m_router);
    m_bulkV1->registerRoutes(m_router);
    m_metadata->registerRoutes(m_router);
    SeedApi::registerRoutes(m_router, m_services);   // Lockstep's own: the window seeds the file it opens

    m_http = std::make_unique<HttpServer>([this](const ServerRequest &r) { return handle(r); });
    auto port = m_http->listen(m_options.port);
    if (!port)
        return std::unexpected(port.error());
    m_services.instanceUrl = QStringLiteral("http://127.0.0.1:%1").arg(*port);
    return {};
}

QJsonObject DemoOrg::connectionJson()
{
    const Credentials &c = credentials();
    return QJsonObject{{QStringLiteral("instance_url"), instanceUrl()},
                       {QStringLiteral("client_id"), c.clientId},
                       {QStringLiteral("client_secret"), c.clientSecret},
                       {QStringLiteral("username"), c.username},
                       {QStringLiteral("password"), c.password},
                       {QStringLiteral("access_token"), issueAccessToken()}};
}

std::optional<QString> DemoOrg::sessionToken(const ServerRequest &request) const
{
    // Data Loader sends both headers; WSC sends X-SFDC-Session without "Bearer".
    for (const QByteArray &name : {QByteArray("authorization"), QByteArray("x-sfdc-session")}) {
        QByteArray value = request.header(name).trimmed();
        if (value.isEmpty())
            continue;
        for (const char *scheme : {"Bearer ", "OAuth "})
            if (value.startsWith(scheme))
                value = value.mid(qsizetype(std::strlen(scheme))).trimmed();
        return QString::fromLatin1(value);
    }
    return std::nullopt;
}

ServerResponse DemoOrg::handle(const ServerRequest &request)
{
    ++m_apiRequests;
    const Router::Match match = m_router.match(request.method, request.path);
    if (!match.handler) {
        if (!match.allowedMethods.isEmpty())
            return ApiErrors::methodNotAllowed(request.method, match.allowedMethods);
        if (isBulkV1(request.path))
            return ApiErrors::bulkV1(404, QStringLiteral("InvalidUrl"), QStringLiteral("Destination URL not reset. The URL returned from login must be set"), false);
        return ApiErrors::notFound();
    }
    // The demo org's own endpoints (/lockstep/status, /lockstep/writes) are how a test looks at
    // the org: never faulted, never counted against the allowance.
    const bool counted = match.access != Access::Public && !request.path.startsWith(QLatin1String("/lockstep/"));
    const std::optional<QString> token = sessionToken(request);
    if (m_faults && counted) {
        switch (m_faults->before(request.sequence)) {
        case FaultInjector::Before::ServerError:
            return ApiErrors::rest(500, QStringLiteral("UNKNOWN_EXCEPTION"), QStringLiteral("An unexpected error occurred. Please include this ErrorId if you contact support: 1234567890-%1 (-1)").arg(request.sequence));
        case FaultInjector::Before::Unavailable:
            return ApiErrors::rest(503, QStringLiteral("SERVER_UNAVAILABLE"), QStringLiteral("Server temporarily unavailable; try again later"));
        case FaultInjector::Before::Limit:
            return ApiErrors::requestLimitExceeded();
        case FaultInjector::Before::Expire:
            if (token)
                m_sessions->expire(*token);
            break;
        case FaultInjector::Before::None: break;
        }
    }
    // The org's daily allowance, as /limits reports it (raise it with demoOrg.dailyApiRequests).
    if (counted && m_apiRequests.load() > m_options.profile.dailyApiRequests)
        return ApiErrors::requestLimitExceeded();
    if (match.access == Access::Session) {
        if (!token || !m_sessions->validate(*token)) {
            if (isBulkV1(request.path))   // jsforce reads 400 + InvalidSessionId as an expired session
                return ApiErrors::bulkV1(400, QStringLiteral("InvalidSessionId"), QStringLiteral("Invalid session id"), request.header("content-type").contains("json"));
            return ApiErrors::invalidSession();
        }
    }
    ServerResponse response = (*match.handler)(request, match.params);
    if (counted)
        response.header("Sforce-Limit-Info", QStringLiteral("api-usage=%1/%2").arg(m_apiRequests.load()).arg(m_options.profile.dailyApiRequests).toLatin1());
    if (m_faults && counted) {
        switch (m_faults->after(request.sequence)) {
        case FaultInjector::After::Drop: response.dropConnection = true; break;
        case FaultInjector::After::Slow: response.delay = m_faults->spec().slowBy; break;
        case FaultInjector::After::None: break;
        }
    }
    return response;
}

void DemoOrg::stop()
{
    if (m_stopped)
        return;
    m_stopped = true;
    m_shutdown.cancel();   // sleeping transactions wake, roll back and release their locks
    if (m_http)
        m_http->close();
    if (m_bulkQueries)
        m_bulkQueries->stop();
    if (m_bulk)
        m_bulk->stop();
}

} // namespace lockstep::demoorg
