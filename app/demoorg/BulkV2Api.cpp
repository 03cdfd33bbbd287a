#include "demoorg/BulkV2Api.h"

#include "demoorg/ApiErrors.h"
#include "demoorg/RecordStore.h"
#include "demoorg/SessionStore.h"
#include "demoorg/Versioned.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace lockstep::demoorg {

namespace {

ServerResponse invalidState(const QString &message)
{
    return ApiErrors::rest(400, QStringLiteral("INVALIDJOBSTATE"), message);
}

} // namespace

void BulkV2Api::registerRoutes(Router &router)
{
    const QString base = QStringLiteral("/services/data/{version}/jobs/ingest");
    router.add("POST", base, Access::Session, versioned([this](const ServerRequest &r, const RouteParams &, const QString &v) { return create(r, v); }));
    router.add("GET", base, Access::Session, versioned([this](const ServerRequest &, const RouteParams &, const QString &v) { return list(v); }));
    router.add("GET", base + QStringLiteral("/{id}"), Access::Session, versioned([this](const ServerRequest &, const RouteParams &p, const QString &) { return info(p.value(QStringLiteral("id"))); }));
    router.add("PATCH", base + QStringLiteral("/{id}"), Access::Session, versioned([this](const ServerRequest &r, const RouteParams &p, const QString &) { return patch(r, p.value(QStringLiteral("id"))); }));
    router.add("DELETE", base + QStringLiteral("/{id}"), Access::Session, versioned([this](const ServerRequest &, const RouteParams &p, const QString &) { return remove(p.value(QStringLiteral("id"))); }));
    router.add("PUT", base + QStringLiteral("/{id}/batches"), Access::Session, versioned([this](const ServerRequest &r, const RouteParams &p, const QString &) { return upload(r, p.value(QStringLiteral("id"))); }));
    router.add("GET", base + QStringLiteral("/{id}/successfulResults"), Access::Session, versioned([this](const ServerRequest &, const RouteParams &p, const QString &) {
                   return results(p.value(QStringLiteral("id")), Results::Successful);
               }));
    router.add("GET", base + QStringLiteral("/{id}/failedResults"), Access::Session, versioned([this](const ServerRequest &, const RouteParams &p, const QString &) {
                   return results(p.value(QStringLiteral("id")), Results::Failed);
               }));
    router.add("GET", base + QStringLiteral("/{id}/unprocessedrecords"), Access::Session, versioned([this](const ServerRequest &, const RouteParams &p, const QString &) {
                   return results(p.value(QStringLiteral("id")), Results::Unprocessed);
               }));
}

QJsonObject BulkV2Api::jobJson(const BulkJob &job)
{
    const BulkJobCounts c = m_org.bulk->counts(job);
    const QString userId = m_org.sessions->credentials().userId;
    return m_org.bulk->withLock([&] {
        QJsonObject o = v2JobInfo(job, c, userId);
        o.insert(QStringLiteral("jobType"), QStringLiteral("V2Ingest"));
        o.insert(QStringLiteral("contentUrl"), QStringLiteral("services/data/v%1/jobs/ingest/%2/batches").arg(job.apiVersion, job.id));
        o.insert(QStringLiteral("numberRecordsFailed"), c.recordsFailed);
        o.insert(QStringLiteral("apiActiveProcessingTime"), c.processingMs);
        o.insert(QStringLiteral("apexProcessingTime"), 0);
        if (!job.externalIdField.isEmpty())
            o.insert(QStringLiteral("externalIdFieldName"), job.externalIdField);
        if (!job.errorMessage.isEmpty())
            o.insert(QStringLiteral("errorMessage"), job.errorMessage);
        return o;
    });
}

ServerResponse BulkV2Api::create(const ServerRequest &request, const QString &version)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(request.body, &error);
    if (!doc.isObject())
        return ApiErrors::malformedJson(QStringLiteral("Unable to parse the job: %1").arg(error.errorString()));
    const QJsonObject o = doc.object();
    const ObjectDef *object = m_org.store->schema().object(o.value(QStringLiteral("object")).toString());
    if (!object || !object->createable)
        return ApiErrors::rest(400, QStringLiteral("INVALIDENTITY"), QStringLiteral("Entity type '%1' is not supported").arg(o.value(QStringLiteral("object")).toString()));
    const auto operation = parseOperation(o.value(QStringLiteral("operation")).toString());
    if (!operation)
        return ApiErrors::rest(400, QStringLiteral("INVALIDJOB"), QStringLiteral("Invalid operation: %1").arg(o.value(QStringLiteral("operation")).toString()));
    BulkJob job;
    job.v2 = true;
    job.operation = *operation;
    job.object = object->name;
    job.apiVersion = version;
    job.lineEnding = o.value(QStringLiteral("lineEnding")).toString(QStringLiteral("LF"));
    job.columnDelimiter = o.value(QStringLiteral("columnDelimiter")).toString(QStringLiteral("COMMA"));
    if (job.lineEnding != QLatin1String("LF") && job.lineEnding != QLatin1String("CRLF"))
        return ApiErrors::rest(400, QStringLiteral("INVALIDJOB"), QStringLiteral("Invalid lineEnding: %1").arg(job.lineEnding));
    static const QStringList delimiters{QStringLiteral("COMMA"), QStringLiteral("TAB"), QStringLiteral("PIPE"), QStringLiteral("SEMICOLON"), QStringLiteral("CARET"), QStringLiteral("BACKQUOTE")};
    if (!delimiters.contains(job.columnDelimiter))
        return ApiErrors::rest(400, QStringLiteral("INVALIDJOB"), QStringLiteral("Invalid columnDelimiter: %1").arg(job.columnDelimiter));
    if (o.contains(QStringLiteral("contentType")) && o.value(QStringLiteral("contentType")).toString() != QLatin1String("CSV"))
        return ApiErrors::rest(400, QStringLiteral("INVALIDJOB"), QStringLiteral("Invalid contentType: %1").arg(o.value(QStringLiteral("contentType")).toString()));
    if (job.operation == Operation::Upsert) {
        const FieldDef *ext = object->field(o.value(QStringLiteral("externalIdFieldName")).toString());
        if (!ext || !(ext->externalId || ext->name == QLatin1String("Id")))
            return ApiErrors::rest(400, QStringLiteral("INVALIDJOB"), QStringLiteral("The externalIdFieldName %1 is not an external id field of %2")
                                                                          .arg(o.value(QStringLiteral("externalIdFieldName")).toString(), object->name));
        job.externalIdField = ext->name;
    }
    job.allowDuplicates = request.header("sforce-duplicate-rule-header").toLower().contains("allowsave=true");
    const auto created = m_org.bulk->createJob(std::move(job));
    return ServerResponse::json(200, QJsonDocument(jobJson(*created)));
}

ServerResponse BulkV2Api::list(const QString &)
{
    QJsonArray records;
    for (const auto &job : m_org.bulk->jobs(true))
        records.append(jobJson(*job));
    return ServerResponse::json(200, QJsonDocument(QJsonObject{{QStringLiteral("done"), true}, {QStringLiteral("records"), records}, {QStringLiteral("nextRecordsUrl"), QJsonValue()}}));
}

ServerResponse BulkV2Api::info(const QString &id)
{
    const auto job = m_org.bulk->job(id);
    if (!job || !job->v2 || job->isQuery())
        return ApiErrors::notFound();
    return ServerResponse::json(200, QJsonDocument(jobJson(*job)));
}

ServerResponse BulkV2Api::patch(const ServerRequest &request, const QString &id)
{
    const auto job = m_org.bulk->job(id);
    if (!job || !job->v2 || job->isQuery())
        return ApiErrors::notFound();
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(request.body, &error);
    if (!doc.isObject())
        return ApiErrors::malformedJson(QStringLiteral("Unable to parse the request: %1").arg(error.errorString()));
    const QString state = doc.object().value(QStringLiteral("state")).toString();
    const QString current = m_org.bulk->withLock([&] { return job->state; });
    if (state == QLatin1String("UploadComplete")) {
        if (current != QLatin1String("Open"))
            return invalidState(QStringLiteral("Job %1 is in state %2, not Open").arg(job->id, current));
        m_org.bulk->uploadComplete(job);
    } else if (state == QLatin1String("Aborted")) {
        if (current == QLatin1String("JobComplete") || current == QLatin1String("Failed") || current == QLatin1String("Aborted"))
            return invalidState(QStringLiteral("Job %1 is already %2").arg(job->id, current));
        m_org.bulk->setState(job, state);
    } else {
        return invalidState(QStringLiteral("Invalid state: %1").arg(state));
    }
    return ServerResponse::json(200, QJsonDocument(jobJson(*job)));
}

ServerResponse BulkV2Api::remove(const QString &id)
{
    const auto job = m_org.bulk->job(id);
    if (!job || !job->v2 || job->isQuery())
        return ApiErrors::notFound();
    const QString current = m_org.bulk->withLock([&] { return job->state; });
    if (current != QLatin1String("JobComplete") && current != QLatin1String("Failed") && current != QLatin1String("Aborted") &&
        current != QLatin1String("UploadComplete") && current != QLatin1String("Open"))
        return invalidState(QStringLiteral("Job %1 is still running").arg(job->id));
    // Gone for good: its upload and results are freed (a long-lived org would otherwise keep
    // every upload it was ever sent), and the job id answers 404 from now on.
    m_org.bulk->removeJob(job->id);
    return ServerResponse::empty(204);
}

ServerResponse BulkV2Api::upload(const ServerRequest &request, const QString &id)
{
    const auto job = m_org.bulk->job(id);
    if (!job || !job->v2 || job->isQuery())
        return ApiErrors::notFound();
    if (m_org.bulk->withLock([&] { return job->state; }) != QLatin1String("Open"))
        return invalidState(QStringLiteral("Job %1 is not Open for uploads").arg(job->id));
    if (!request.header("content-type").toLower().startsWith("text/csv"))
        return ApiErrors::rest(400, QStringLiteral("INVALIDCONTENTTYPE"), QStringLiteral("Content type must be text/csv"));
    m_org.bulk->appendUpload(job, request.body);
    return ServerResponse::empty(201);
}

ServerResponse BulkV2Api::results(const QString &id, Results which)
{
    const auto job = m_org.bulk->job(id);
    if (!job || !job->v2 || job->isQuery())
        return ApiErrors::notFound();
    return m_org.bulk->withLock([&] {
        const QString state = job->state;
        if (state != QLatin1String("JobComplete") && state != QLatin1String("Failed") && state != QLatin1String("Aborted"))
            return invalidState(QStringLiteral("Job %1 is %2; results are available once it is complete").arg(job->id, state));
        QByteArray csv;
        bool headerWritten = false;
        for (const auto &b : job->batches) {
            if (!headerWritten) {
                QStringList header = b->table.header;
                if (which == Results::Successful)
                    header = QStringList{QStringLiteral("sf__Id"), QStringLiteral("sf__Created")} + header;
                else if (which == Results::Failed)
                    header = QStringList{QStringLiteral("sf__Id"), QStringLiteral("sf__Error")} + header;
                csv += CsvTable::line(header);
                headerWritten = true;
            }
            for (size_t i = 0; i < b->table.rows.size(); ++i) {
                const QStringList &cells = b->table.rows[i];
                const bool done = i < b->processed.size() && b->processed[i];
                if (which == Results::Unprocessed) {
                    if (!done)
                        csv += CsvTable::line(cells);
                    continue;
                }
                if (!done)
                    continue;
                const RowOutcome &o = b->results[i];
                if (which == Results::Successful && o.success)
                    csv += CsvTable::line(QStringList{o.id, o.created ? QStringLiteral("true") : QStringLiteral("false")} + cells);
                else if (which == Results::Failed && !o.success)
                    csv += CsvTable::line(QStringList{o.id, o.errors.empty() ? QString() : o.errors.front().toBulkText()} + cells);
            }
        }
        if (!headerWritten)
            csv = which == Results::Successful ? "\"sf__Id\",\"sf__Created\"\n" : which == Results::Failed ? "\"sf__Id\",\"sf__Error\"\n" : "";
        return ServerResponse::bytes(200, csv, "text/csv");
    });
}

} // namespace lockstep::demoorg
