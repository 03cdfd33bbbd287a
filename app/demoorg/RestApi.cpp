#include "demoorg/Versioned.h"
#include "demoorg/RestApi.h"

#include "demoorg/ApiErrors.h"
#include "demoorg/BulkProcessor.h"
#include "demoorg/DemoProfile.h"
#include "demoorg/FieldValue.h"
#include "demoorg/QueryEngine.h"
#include "demoorg/RecordStore.h"
#include "demoorg/WriteEngine.h"

#include <memory>
#include <QJsonArray>
#include <QJsonDocument>

namespace lockstep::demoorg {

namespace {


} // namespace

void RestApi::registerRoutes(Router &router)
{
    router.add("GET", QStringLiteral("/services/data"), Access::Public, [this](const ServerRequest &, const RouteParams &) { return versions(); });
    router.add("GET", QStringLiteral("/services/data/{version}"), Access::Session,
               versioned([this](const ServerRequest &, const RouteParams &, const QString &v) { return resources(v); }));
    router.add("GET", QStringLiteral("/services/data/{version}/limits"), Access::Session,
               versioned([this](const ServerRequest &, const RouteParams &, const QString &) { return limits(); }));
    router.add("GET", QStringLiteral("/services/data/{version}/sobjects"), Access::Session,
               versioned([this](const ServerRequest &, const RouteParams &, const QString &v) { return describeGlobal(v); }));
    router.add("GET", QStringLiteral("/services/data/{version}/sobjects/{object}/describe"), Access::Session,
               versioned([this](const ServerRequest &, const RouteParams &p, const QString &v) { return describe(v, p.value(QStringLiteral("object")), false); }));
    router.add("GET", QStringLiteral("/services/data/{version}/sobjects/{object}"), Access::Session,
               versioned([this](const ServerRequest &, const RouteParams &p, const QString &v) { return describe(v, p.value(QStringLiteral("object")), true); }));
    for (const char *kind : {"query", "queryAll"}) {
        router.add("GET", QStringLiteral("/services/data/{version}/%1").arg(QLatin1String(kind)), Access::Session,
                   versioned([this](const ServerRequest &r, const RouteParams &, const QString &v) { return query(r, v, false); }));
        router.add("GET", QStringLiteral("/services/data/{version}/%1/{locator}").arg(QLatin1String(kind)), Access::Session,
                   versioned([this](const ServerRequest &, const RouteParams &p, const QString &v) { return queryMore(v, p.value(QStringLiteral("locator"))); }));
    }
    router.add("GET", QStringLiteral("/services/data/{version}/tooling/query"), Access::Session,
               versioned([this](const ServerRequest &r, const RouteParams &, const QString &v) { return query(r, v, true); }));
    // A built-in Apex REST class: holds record locks for a while, like a long transaction
    // that selected the records FOR UPDATE. It is how case C and the GUI show a lock wait.
    router.add("POST", QStringLiteral("/services/apexrest/lockstep/holdLocks"), Access::Session,
               [this](const ServerRequest &r, const RouteParams &) { return holdLocks(r); });
    router.add("GET", QStringLiteral("/lockstep/status"), Access::Session, [this](const ServerRequest &, const RouteParams &) { return status(); });
    router.add("GET", QStringLiteral("/lockstep/writes"), Access::Session, [this](const ServerRequest &r, const RouteParams &) { return writes(r, false); });
    router.add("DELETE", QStringLiteral("/lockstep/writes"), Access::Session, [this](const ServerRequest &r, const RouteParams &) { return writes(r, true); });
}

ServerResponse RestApi::versions()
{
    QJsonArray list;
    for (int v = int(kMinApiVersion); v <= int(kMaxApiVersion); ++v) {
        const QString version = QStringLiteral("%1.0").arg(v);
        list.append(QJsonObject{{QStringLiteral("label"), QStringLiteral("Lockstep demo org %1").arg(version)},
                                {QStringLiteral("url"), QStringLiteral("/services/data/v") + version},
                                {QStringLiteral("version"), version}});
    }
    return ServerResponse::json(200, QJsonDocument(list));
}

ServerResponse RestApi::resources(const QString &version)
{
    const QString base = QStringLiteral("/services/data/v") + version;
    QJsonObject o;
    for (const char *name : {"sobjects", "query", "queryAll", "limits", "composite", "jobs", "tooling"})
        o.insert(QLatin1String(name), base + QLatin1Char('/') + QLatin1String(name));
    return ServerResponse::json(200, QJsonDocument(o));
}

ServerResponse RestApi::limits()
{
    const qint64 max = m_org.profile->dailyApiRequests;
    const qint64 used = m_org.apiRequests ? m_org.apiRequests->load() : 0;
    auto limit = [](qint64 m, qint64 remaining) { return QJsonObject{{QStringLiteral("Max"), m}, {QStringLiteral("Remaining"), std::max<qint64>(0, remaining)}}; };
    return ServerResponse::json(200, QJsonDocument(QJsonObject{
                                         {QStringLiteral("DailyApiRequests"), limit(max, max - used)},
                                         {QStringLiteral("DailyBulkApiBatches"), limit(15000, 15000 - m_org.bulk->batchesToday())},
                                         {QStringLiteral("DailyBulkV2QueryJobs"), limit(10000, 10000)},
                                         {QStringLiteral("ConcurrentAsyncGetReportInstances"), limit(200, 200)},
                                         {QStringLiteral("DataStorageMB"), limit(1024, 1024)},
                                     }));
}

ServerResponse RestApi::describeGlobal(const QString &version)
{
    QJsonArray list;
    const Schema &schema = m_org.store->schema();
    for (const auto &o : schema.objects())
        list.append(schema.describeGlobalEntry(o, version));
    return ServerResponse::json(200, QJsonDocument(QJsonObject{{QStringLiteral("encoding"), QStringLiteral("UTF-8")},
                                                               {QStringLiteral("maxBatchSize"), 200},
                                                               {QStringLiteral("sobjects"), list}}));
}

ServerResponse RestApi::describe(const QString &version, const QString &name, bool wrapped)
{
    const Schema &schema = m_org.store->schema();
    const ObjectDef *o = schema.object(name);
    if (!o)
        return ApiErrors::rest(404, QStringLiteral("NOT_FOUND"), QStringLiteral("The requested resource does not exist"));
    if (!wrapped)
        return ServerResponse::json(200, QJsonDocument(schema.describe(*o, version)));
    return ServerResponse::json(200, QJsonDocument(QJsonObject{{QStringLiteral("objectDescribe"), schema.describeGlobalEntry(*o, version)},
                                                               {QStringLiteral("recentItems"), QJsonArray()}}));
}

ServerResponse RestApi::query(const ServerRequest &request, const QString &version, bool tooling)
{
    const QString soql = request.queryValue(QStringLiteral("q"));
    if (soql.trimmed().isEmpty())
        return ApiErrors::rest(400, QStringLiteral("MALFORMED_QUERY"), QStringLiteral("A query string has to be specified"));
    if (tooling) {
        // The Tooling API's objects are not modelled; the CLI's login probe only needs an
        // answer (an empty SandboxProcess list).
        auto parsed = parseSoql(soql);
        if (!parsed)
            return ApiErrors::rest(400, QStringLiteral("MALFORMED_QUERY"), parsed.error().message);
        if (!m_org.store->schema().object(parsed->object))
            return ServerResponse::json(200, QJsonDocument(QJsonObject{{QStringLiteral("size"), 0}, {QStringLiteral("totalSize"), 0}, {QStringLiteral("done"), true},
                                                                       {QStringLiteral("queryLocator"), QJsonValue()}, {QStringLiteral("entityTypeName"), parsed->object},
                                                                       {QStringLiteral("records"), QJsonArray()}}));
    }
    if (request.queryValue(QStringLiteral("columns")) == QLatin1String("true")) {
        auto columns = m_org.queries->columns(soql);
        if (!columns)
            return ApiErrors::rest(columns.error().status, columns.error().errorCode, columns.error().message);
        return ServerResponse::json(200, QJsonDocument(*columns));
    }
    int batchSize = m_org.profile->queryBatchSize;
    const QByteArray options = request.header("sforce-query-options");
    if (const auto at = options.indexOf("batchSize="); at >= 0)
        batchSize = std::clamp(options.mid(at + 10).split(',').front().trimmed().toInt(), 200, 2000);
    auto result = m_org.queries->query(soql, version, batchSize, request.path.endsWith(QLatin1String("queryAll")));
    if (!result)
        return ApiErrors::rest(result.error().status, result.error().errorCode, result.error().message);
    return ServerResponse::json(200, QJsonDocument(*result));
}

ServerResponse RestApi::queryMore(const QString &version, const QString &locator)
{
    auto result = m_org.queries->more(locator, version);
    if (!result)
        return ApiErrors::rest(result.error().status, result.error().errorCode, result.error().message);
    return ServerResponse::json(200, QJsonDocument(*result));
}

ServerResponse RestApi::holdLocks(const ServerRequest &request)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(request.body, &error);
    if (!doc.isObject())
        return ApiErrors::malformedJson(error.errorString());
    QStringList ids;
    for (const auto &v : doc.object().value(QStringLiteral("ids")).toArray()) {
        const QString id = FieldValue::canonicalId(v.toString());
        if (id.isEmpty())
            return ApiErrors::rest(400, QStringLiteral("MALFORMED_ID"), QStringLiteral("malformed id %1").arg(v.toString()));
        ids << id;
    }
    const double seconds = doc.object().value(QStringLiteral("seconds")).toDouble(-1);
    if (ids.isEmpty() || seconds < 0 || seconds > 600)
        return ApiErrors::rest(400, QStringLiteral("INVALID_INPUT"), QStringLiteral("expected {\"ids\":[...], \"seconds\": 0..600}"));
    // Each hold keeps a server thread for its whole time: a cap leaves the rest for the APIs
    // (100 holds at once took every worker, and every client waited).
    if (m_holds.fetch_add(1) >= kMaxHolds) {
        --m_holds;
        return ApiErrors::rest(503, QStringLiteral("SERVER_UNAVAILABLE"),
                               QStringLiteral("at most %1 lock holds run at once; try again when one has ended").arg(kMaxHolds));
    }
    const std::unique_ptr<std::atomic<int>, void (*)(std::atomic<int> *)> release(&m_holds, [](std::atomic<int> *n) { --*n; });
    const QString blocked = m_org.writer->hold(ids, seconds);
    if (!blocked.isEmpty()) {
        return ServerResponse::bytes(400, ApiErrors::restErrorArray({WriteEngine::lockError(blocked)}), "application/json;charset=UTF-8");
    }
    return ServerResponse::json(200, QJsonDocument(QJsonObject{{QStringLiteral("held"), QJsonArray::fromStringList(ids)}, {QStringLiteral("seconds"), seconds}}));
}

ServerResponse RestApi::writes(const ServerRequest &request, bool reset)
{
    const QString name = request.queryValue(QStringLiteral("sobject"));
    const ObjectDef *object = m_org.store->schema().object(name);
    if (!object)
        return ApiErrors::rest(400, QStringLiteral("INVALID_TYPE"), QStringLiteral("?sobject= names no object of the demo org: '%1'").arg(name));
    if (reset) {
        if (auto r = m_org.store->resetWriteCounts(*object); !r)
            return ApiErrors::rest(500, QStringLiteral("UNKNOWN_EXCEPTION"), r.error().message);
        return ServerResponse::empty(204);
    }
    auto counts = m_org.store->writeCounts(*object);
    if (!counts)
        return ApiErrors::rest(500, QStringLiteral("UNKNOWN_EXCEPTION"), counts.error().message);
    QJsonObject byId;
    QJsonObject externalIds;
    QJsonArray deleted;
    qint64 total = 0;
    for (const WriteCount &w : *counts) {
        byId.insert(w.id, w.writes);
        if (!w.externalId.isEmpty())
            externalIds.insert(w.id, w.externalId);
        if (w.deleted)
            deleted.append(w.id);
        total += w.writes;
    }
    return ServerResponse::json(200, QJsonDocument(QJsonObject{{QStringLiteral("sobject"), object->name},
                                                               {QStringLiteral("records"), qint64(counts->size())},
                                                               {QStringLiteral("totalWrites"), total},
                                                               {QStringLiteral("writes"), byId},
                                                               {QStringLiteral("externalIds"), externalIds},
                                                               {QStringLiteral("deleted"), deleted}}));
}

ServerResponse RestApi::status()
{
    QJsonObject seeding;
    if (m_org.seeding)
        if (const SeedProgress::Snapshot s = m_org.seeding->now(); s.active)
            seeding = {{QStringLiteral("files"), s.file}, {QStringLiteral("done"), s.done}, {QStringLiteral("total"), s.total},
                       {QStringLiteral("phase"), s.phase}};
    return ServerResponse::json(200, QJsonDocument(QJsonObject{
                                         {QStringLiteral("seeding"), seeding.isEmpty() ? QJsonValue() : QJsonValue(seeding)},
                                         {QStringLiteral("lockedKeys"), qint64(m_org.writer->lockedKeys())},
                                         {QStringLiteral("openTransactions"), qint64(m_org.writer->openTransactions())},
                                         {QStringLiteral("transactionsInFlight"), m_org.writer->inFlight()},
                                         {QStringLiteral("committedTransactions"), qint64(m_org.writer->committedTransactions())},
                                         {QStringLiteral("bulkBatchesQueued"), m_org.bulk->queuedBatches()},
                                         {QStringLiteral("bulkBatchesInProgress"), m_org.bulk->runningBatches()},
                                         {QStringLiteral("scale"), m_org.profile->scale},
                                         {QStringLiteral("apiRequests"), m_org.apiRequests ? m_org.apiRequests->load() : 0},
                                         {QStringLiteral("transactionMs"), QJsonObject{{QStringLiteral("prepare"), double(m_org.writer->timing().prepareUs.load()) / 1000},
                                                                                       {QStringLiteral("childCount"), double(m_org.writer->timing().childCountUs.load()) / 1000},
                                                                                       {QStringLiteral("script"), double(m_org.writer->timing().scriptUs.load()) / 1000},
                                                                                       {QStringLiteral("commitWait"), double(m_org.writer->timing().commitWaitUs.load()) / 1000},
                                                                                       {QStringLiteral("write"), double(m_org.writer->timing().writeUs.load()) / 1000},
                                                                                       {QStringLiteral("overrun"), double(m_org.writer->timing().overrunUs.load()) / 1000},
                                                                                       {QStringLiteral("late"), double(m_org.writer->timing().lateUs.load()) / 1000},
                                                                                       {QStringLiteral("walkLate"), double(m_org.writer->timing().walkLateUs.load()) / 1000}}},
                                         {QStringLiteral("lockRequests"), QJsonObject{{QStringLiteral("waited"), m_org.writer->timing().waits.load()},
                                                                                      {QStringLiteral("deadlocks"), m_org.writer->timing().deadlocks.load()},
                                                                                      {QStringLiteral("timeouts"), m_org.writer->timing().timeouts.load()}}},
                                     }));
}

} // namespace lockstep::demoorg
