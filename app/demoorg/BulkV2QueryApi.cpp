#include "demoorg/BulkV2QueryApi.h"

#include "demoorg/ApiErrors.h"
#include "demoorg/BulkQueryRunner.h"
#include "demoorg/QueryEngine.h"
#include "demoorg/SessionStore.h"
#include "demoorg/Versioned.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace lockstep::demoorg {

namespace {

bool finished(const QString &state)
{
    return state == QLatin1String("JobComplete") || state == QLatin1String("Failed") || state == QLatin1String("Aborted");
}

// Locators are opaque to clients; Salesforce's look like base64 of the next record's offset
// ("MTAwMDA" = "10000"), and so do these.
QByteArray locatorFor(qsizetype offset)
{
    return QByteArray::number(offset).toBase64(QByteArray::Base64Encoding | QByteArray::OmitTrailingEquals);
}

std::optional<qsizetype> offsetOf(const QString &locator)
{
    const auto decoded = QByteArray::fromBase64Encoding(locator.toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
    bool ok = false;
    const qsizetype offset = decoded ? decoded.decoded.toLongLong(&ok) : -1;
    if (!ok || offset < 0)
        return std::nullopt;
    return offset;
}

} // namespace

void BulkV2QueryApi::registerRoutes(Router &router)
{
    const QString base = QStringLiteral("/services/data/{version}/jobs/query");
    router.add("POST", base, Access::Session, versioned([this](const ServerRequest &r, const RouteParams &, const QString &v) { return create(r, v); }));
    router.add("GET", base, Access::Session, versioned([this](const ServerRequest &r, const RouteParams &, const QString &) { return list(r); }));
    router.add("GET", base + QStringLiteral("/{id}"), Access::Session, versioned([this](const ServerRequest &, const RouteParams &p, const QString &) { return info(p.value(QStringLiteral("id"))); }));
    router.add("PATCH", base + QStringLiteral("/{id}"), Access::Session, versioned([this](const ServerRequest &r, const RouteParams &p, const QString &) { return patch(r, p.value(QStringLiteral("id"))); }));
    router.add("DELETE", base + QStringLiteral("/{id}"), Access::Session, versioned([this](const ServerRequest &, const RouteParams &p, const QString &) { return remove(p.value(QStringLiteral("id"))); }));
    router.add("GET", base + QStringLiteral("/{id}/results"), Access::Session, versioned([this](const ServerRequest &r, const RouteParams &p, const QString &) {
                   return results(r, p.value(QStringLiteral("id")));
               }));
}

std::shared_ptr<BulkJob> BulkV2QueryApi::find(const QString &id)
{
    auto job = m_org.bulk->job(id);
    return job && job->v2 && job->isQuery() ? job : nullptr;
}

QJsonObject BulkV2QueryApi::jobJson(const BulkJob &job)
{
    const BulkJobCounts c = m_org.bulk->counts(job);
    const QString userId = m_org.sessions->credentials().userId;
    return m_org.bulk->withLock([&] {
        QJsonObject o = v2JobInfo(job, c, userId);
        o.insert(QStringLiteral("jobType"), job.v2 ? QStringLiteral("V2Query") : QStringLiteral("Classic"));
        o.insert(QStringLiteral("isPkChunkingSupported"), true);
        return o;
    });
}

ServerResponse BulkV2QueryApi::create(const ServerRequest &request, const QString &version)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(request.body, &error);
    if (!doc.isObject())
        return ApiErrors::malformedJson(QStringLiteral("Unable to parse the job: %1").arg(error.errorString()));
    const QJsonObject o = doc.object();
    BulkJob job;
    job.v2 = true;
    const QString operation = o.value(QStringLiteral("operation")).toString(QStringLiteral("query"));
    if (operation == QLatin1String("query"))
        job.query = BulkJob::Query::Query;
    else if (operation == QLatin1String("queryAll"))
        job.query = BulkJob::Query::QueryAll;
    else
        return ApiErrors::rest(400, QStringLiteral("INVALIDJOB"), QStringLiteral("Invalid operation: %1 (query jobs run query or queryAll)").arg(operation));
    job.soql = o.value(QStringLiteral("query")).toString().trimmed();
    if (job.soql.isEmpty())
        return ApiErrors::rest(400, QStringLiteral("INVALIDJOB"), QStringLiteral("The query is missing"));
    job.apiVersion = version;
    job.lineEnding = o.value(QStringLiteral("lineEnding")).toString(QStringLiteral("LF"));
    job.columnDelimiter = o.value(QStringLiteral("columnDelimiter")).toString(QStringLiteral("COMMA"));
    if (job.lineEnding != QLatin1String("LF") && job.lineEnding != QLatin1String("CRLF"))
        return ApiErrors::rest(400, QStringLiteral("INVALIDJOB"), QStringLiteral("Invalid lineEnding: %1").arg(job.lineEnding));
    if (!columnDelimiterChar(job.columnDelimiter))
        return ApiErrors::rest(400, QStringLiteral("INVALIDJOB"), QStringLiteral("Invalid columnDelimiter: %1").arg(job.columnDelimiter));
    if (o.contains(QStringLiteral("contentType")) && o.value(QStringLiteral("contentType")).toString() != QLatin1String("CSV"))
        return ApiErrors::rest(400, QStringLiteral("INVALIDJOB"), QStringLiteral("Invalid contentType: %1").arg(o.value(QStringLiteral("contentType")).toString()));
    // The query is checked when the job is created: a bad one never becomes a job.
    auto compiled = m_org.queries->compile(job.soql);
    if (!compiled)
        return ApiErrors::rest(compiled.error().status, compiled.error().errorCode, compiled.error().message);
    if (compiled->countOnly)
        return ApiErrors::rest(400, QStringLiteral("API_ERROR"), QStringLiteral("Aggregate queries are not supported by Bulk API 2.0 query"));
    job.object = compiled->object->name;
    job.state = QStringLiteral("UploadComplete");
    const auto created = m_org.bulk->createJob(std::move(job));
    const auto batch = m_org.bulk->addQueryBatch(created, created->soql.toUtf8());
    m_org.bulkQueries->submit(created, batch);
    return ServerResponse::json(200, QJsonDocument(jobJson(*created)));
}

ServerResponse BulkV2QueryApi::list(const ServerRequest &request)
{
    // Bulk API 1.0 jobs are listed too when asked for (jobType=Classic), as Salesforce does.
    const bool classic = request.queryValue(QStringLiteral("jobType")) == QLatin1String("Classic");
    QJsonArray records;
    for (const auto &job : classic ? m_org.bulk->jobs(false) : m_org.bulk->jobs(true, true))
        records.append(jobJson(*job));
    return ServerResponse::json(200, QJsonDocument(QJsonObject{{QStringLiteral("done"), true}, {QStringLiteral("records"), records}, {QStringLiteral("nextRecordsUrl"), QJsonValue()}}));
}

ServerResponse BulkV2QueryApi::info(const QString &id)
{
    const auto job = find(id);
    if (!job)
        return ApiErrors::notFound();
    return ServerResponse::json(200, QJsonDocument(jobJson(*job)));
}

ServerResponse BulkV2QueryApi::patch(const ServerRequest &request, const QString &id)
{
    const auto job = find(id);
    if (!job)
        return ApiErrors::notFound();
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(request.body, &error);
    if (!doc.isObject())
        return ApiErrors::malformedJson(QStringLiteral("Unable to parse the request: %1").arg(error.errorString()));
    const QString state = doc.object().value(QStringLiteral("state")).toString();
    if (state != QLatin1String("Aborted"))
        return ApiErrors::rest(400, QStringLiteral("INVALIDJOBSTATE"), QStringLiteral("Invalid state: %1 (a query job can only be Aborted)").arg(state));
    const QString current = m_org.bulk->withLock([&] { return job->state; });
    if (finished(current))
        return ApiErrors::rest(400, QStringLiteral("INVALIDJOBSTATE"), QStringLiteral("Job %1 is already %2").arg(job->id, current));
    m_org.bulk->setState(job, state);
    return ServerResponse::json(200, QJsonDocument(jobJson(*job)));
}

ServerResponse BulkV2QueryApi::remove(const QString &id)
{
    const auto job = find(id);
    if (!job)
        return ApiErrors::notFound();
    const QString current = m_org.bulk->withLock([&] { return job->state; });
    if (!finished(current))
        return ApiErrors::rest(400, QStringLiteral("INVALIDJOBSTATE"), QStringLiteral("Job %1 is %2; abort it before deleting it").arg(job->id, current));
    m_org.bulk->removeJob(job->id);
    return ServerResponse::empty(204);
}

ServerResponse BulkV2QueryApi::results(const ServerRequest &request, const QString &id)
{
    const auto job = find(id);
    if (!job)
        return ApiErrors::notFound();
    auto [state, result] = m_org.bulk->withLock([&] {
        return std::pair{job->state, job->batches.empty() ? nullptr : job->batches.front()->queryResult};
    });
    if (state != QLatin1String("JobComplete") || !result)
        return ApiErrors::rest(412, QStringLiteral("JOB_NOT_COMPLETE"),
                               QStringLiteral("can only download query results of successfully completed bulk job with status: JOB_COMPLETE. Current status: %1").arg(state));
    qsizetype begin = 0;
    if (request.hasQuery(QStringLiteral("locator"))) {
        const auto offset = offsetOf(request.queryValue(QStringLiteral("locator")));
        if (!offset || *offset > result->size())
            return ApiErrors::rest(400, QStringLiteral("INVALID_LOCATOR"), QStringLiteral("Invalid locator: %1").arg(request.queryValue(QStringLiteral("locator"))));
        begin = *offset;
    }
    qsizetype pageRows = m_org.profile->bulkQueryPageRows;
    if (request.hasQuery(QStringLiteral("maxRecords"))) {
        bool ok = false;
        pageRows = request.queryValue(QStringLiteral("maxRecords")).toLongLong(&ok);
        if (!ok || pageRows < 1)
            return ApiErrors::rest(400, QStringLiteral("INVALIDPARAMETER"), QStringLiteral("maxRecords must be a positive integer"));
    }
    const qsizetype end = std::min(result->size(), begin + pageRows);
    const CsvStyle style{columnDelimiterChar(job->columnDelimiter), true, job->lineEnding == QLatin1String("CRLF") ? QByteArray("\r\n") : QByteArray("\n")};
    ServerResponse response = ServerResponse::bytes(200, result->csv(begin, end, style), "text/csv");
    // Every page has the header line; the last one's locator is the string "null".
    response.header("Sforce-Locator", end < result->size() ? locatorFor(end) : QByteArray("null"));
    response.header("Sforce-NumberOfRecords", QByteArray::number(end - begin));
    return response;
}

} // namespace lockstep::demoorg
