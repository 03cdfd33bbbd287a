#include "demoorg/BulkV1Api.h"

#include "demoorg/ApiErrors.h"
#include "demoorg/BulkQueryRunner.h"
#include "demoorg/DemoProfile.h"
#include "demoorg/FieldValue.h"
#include "demoorg/QueryEngine.h"
#include "demoorg/RecordStore.h"
#include "demoorg/SessionStore.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QXmlStreamReader>

namespace lockstep::demoorg {

namespace {

const QString kNamespace = QStringLiteral("http://www.force.com/2009/06/asyncapi/dataload");

QString isoDate(const QDateTime &t)
{
    return t.toUTC().toString(QStringLiteral("yyyy-MM-ddTHH:mm:ss.zzz'Z'"));
}

bool wantsJson(const ServerRequest &request)
{
    return request.header("content-type").toLower().contains("json");
}

// Reads <jobInfo> children (or a JSON object) into a flat map.
std::expected<QHash<QString, QString>, QString> readJobInfo(const ServerRequest &request)
{
    QHash<QString, QString> fields;
    if (wantsJson(request)) {
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(request.body, &error);
        if (!doc.isObject())
            return std::unexpected(QStringLiteral("Unable to parse the JSON body: %1").arg(error.errorString()));
        const QJsonObject o = doc.object();
        for (auto it = o.begin(); it != o.end(); ++it)
            fields.insert(it.key(), it->toVariant().toString());
        return fields;
    }
    QXmlStreamReader xml(request.body);
    if (!xml.readNextStartElement() || xml.name() != QLatin1String("jobInfo"))
        return std::unexpected(xml.hasError() ? xml.errorString() : QStringLiteral("Expected a jobInfo element"));
    while (xml.readNextStartElement())
        fields.insert(xml.name().toString(), xml.readElementText());
    if (xml.hasError())
        return std::unexpected(xml.errorString());
    return fields;
}

QString element(const QString &name, const QString &value)
{
    return QStringLiteral("<%1>%2</%1>").arg(name, ApiErrors::xmlEscape(value));
}

} // namespace

void BulkV1Api::registerRoutes(Router &router)
{
    const QString base = QStringLiteral("/services/async/{version}/job");
    auto withVersion = [](auto f) {
        return [f](const ServerRequest &r, const RouteParams &p) -> ServerResponse {
            const QString v = p.value(QStringLiteral("version"));
            bool ok = false;
            const double n = v.toDouble(&ok);
            if (!ok || n < kMinApiVersion || n > kMaxApiVersion)
                return ApiErrors::bulkV1(400, QStringLiteral("InvalidVersion"), QStringLiteral("Invalid api version specified on URL"), wantsJson(r));
            return f(r, p, v);
        };
    };
    router.add("POST", base, Access::Session, withVersion([this](const ServerRequest &r, const RouteParams &, const QString &v) { return createJob(r, v); }));
    router.add("GET", base + QStringLiteral("/{job}"), Access::Session, withVersion([this](const ServerRequest &, const RouteParams &p, const QString &) { return jobInfo(p.value(QStringLiteral("job"))); }));
    router.add("POST", base + QStringLiteral("/{job}"), Access::Session, withVersion([this](const ServerRequest &r, const RouteParams &p, const QString &) { return updateJob(r, p.value(QStringLiteral("job"))); }));
    router.add("POST", base + QStringLiteral("/{job}/batch"), Access::Session, withVersion([this](const ServerRequest &r, const RouteParams &p, const QString &) { return addBatch(r, p.value(QStringLiteral("job"))); }));
    router.add("GET", base + QStringLiteral("/{job}/batch"), Access::Session, withVersion([this](const ServerRequest &, const RouteParams &p, const QString &) { return batchList(p.value(QStringLiteral("job"))); }));
    router.add("GET", base + QStringLiteral("/{job}/batch/{batch}"), Access::Session, withVersion([this](const ServerRequest &, const RouteParams &p, const QString &) {
                   return batchInfo(p.value(QStringLiteral("job")), p.value(QStringLiteral("batch")));
               }));
    router.add("GET", base + QStringLiteral("/{job}/batch/{batch}/result"), Access::Session, withVersion([this](const ServerRequest &, const RouteParams &p, const QString &) {
                   return batchResult(p.value(QStringLiteral("job")), p.value(QStringLiteral("batch")));
               }));
    router.add("GET", base + QStringLiteral("/{job}/batch/{batch}/result/{result}"), Access::Session, withVersion([this](const ServerRequest &, const RouteParams &p, const QString &) {
                   return queryResult(p.value(QStringLiteral("job")), p.value(QStringLiteral("batch")), p.value(QStringLiteral("result")));
               }));
    router.add("GET", base + QStringLiteral("/{job}/batch/{batch}/request"), Access::Session, withVersion([this](const ServerRequest &, const RouteParams &p, const QString &) {
                   return batchRequest(p.value(QStringLiteral("job")), p.value(QStringLiteral("batch")));
               }));
}

ServerResponse BulkV1Api::jobResponse(const BulkJob &job, int status)
{
    const BulkJobCounts c = m_org.bulk->counts(job);
    const QString userId = m_org.sessions->credentials().userId;
    return m_org.bulk->withLock([&] {
        const QString mode = job.serial ? QStringLiteral("Serial") : QStringLiteral("Parallel");
        if (job.jsonInfo) {
            QJsonObject o{{QStringLiteral("apexProcessingTime"), 0},
                          {QStringLiteral("apiActiveProcessingTime"), c.processingMs},
                          {QStringLiteral("apiVersion"), job.apiVersion.toDouble()},
                          {QStringLiteral("concurrencyMode"), mode},
                          {QStringLiteral("contentType"), job.contentType},
                          {QStringLiteral("createdById"), userId},
                          {QStringLiteral("createdDate"), isoDate(job.created)},
                          {QStringLiteral("id"), job.id},
                          {QStringLiteral("numberBatchesCompleted"), c.completed},
                          {QStringLiteral("numberBatchesFailed"), c.failed},
                          {QStringLiteral("numberBatchesInProgress"), c.inProgress},
                          {QStringLiteral("numberBatchesQueued"), c.queued},
                          {QStringLiteral("numberBatchesTotal"), c.total},
                          {QStringLiteral("numberRecordsFailed"), c.recordsFailed},
                          {QStringLiteral("numberRecordsProcessed"), c.recordsProcessed},
                          {QStringLiteral("numberRetries"), job.retries},
                          {QStringLiteral("object"), job.object},
                          {QStringLiteral("operation"), jobOperationName(job)},
                          {QStringLiteral("state"), job.state},
                          {QStringLiteral("systemModstamp"), isoDate(job.modified)},
                          {QStringLiteral("totalProcessingTime"), c.processingMs}};
            if (!job.externalIdField.isEmpty())
                o.insert(QStringLiteral("externalIdFieldName"), job.externalIdField);
            return ServerResponse::json(status, QJsonDocument(o));
        }
        // WSC reads these elements in exactly this order (JobInfo.loadFields).
        QString xml = QStringLiteral("<?xml version=\"1.0\" encoding=\"UTF-8\"?><jobInfo xmlns=\"%1\">").arg(kNamespace);
        xml += element(QStringLiteral("id"), job.id) + element(QStringLiteral("operation"), jobOperationName(job)) +
               element(QStringLiteral("object"), job.object) + element(QStringLiteral("createdById"), userId) +
               element(QStringLiteral("createdDate"), isoDate(job.created)) + element(QStringLiteral("systemModstamp"), isoDate(job.modified)) +
               element(QStringLiteral("state"), job.state);
        if (!job.externalIdField.isEmpty())
            xml += element(QStringLiteral("externalIdFieldName"), job.externalIdField);
        xml += element(QStringLiteral("concurrencyMode"), mode) + element(QStringLiteral("fastPathEnabled"), QStringLiteral("false")) +
               element(QStringLiteral("numberBatchesQueued"), QString::number(c.queued)) +
               element(QStringLiteral("numberBatchesInProgress"), QString::number(c.inProgress)) +
               element(QStringLiteral("numberBatchesCompleted"), QString::number(c.completed)) +
               element(QStringLiteral("numberBatchesFailed"), QString::number(c.failed)) +
               element(QStringLiteral("numberBatchesTotal"), QString::number(c.total)) +
               element(QStringLiteral("numberRecordsProcessed"), QString::number(c.recordsProcessed)) +
               element(QStringLiteral("numberRetries"), QString::number(job.retries)) + element(QStringLiteral("contentType"), job.contentType) +
               element(QStringLiteral("apiVersion"), job.apiVersion) + element(QStringLiteral("numberRecordsFailed"), QString::number(c.recordsFailed)) +
               element(QStringLiteral("totalProcessingTime"), QString::number(c.processingMs)) +
               element(QStringLiteral("apiActiveProcessingTime"), QString::number(c.processingMs)) + element(QStringLiteral("apexProcessingTime"), QStringLiteral("0"));
        xml += QStringLiteral("</jobInfo>");
        return ServerResponse::bytes(status, xml.toUtf8(), "application/xml");
    });
}

namespace {

QString batchXml(const BulkBatch &b)
{
    QString xml = element(QStringLiteral("id"), b.id) + element(QStringLiteral("jobId"), b.jobId) + element(QStringLiteral("state"), batchStateName(b.state));
    if (!b.stateMessage.isEmpty())
        xml += element(QStringLiteral("stateMessage"), b.stateMessage);
    xml += element(QStringLiteral("createdDate"), isoDate(b.created)) + element(QStringLiteral("systemModstamp"), isoDate(b.modified)) +
           element(QStringLiteral("numberRecordsProcessed"), QString::number(b.cursor)) +
           element(QStringLiteral("numberRecordsFailed"), QString::number(b.failedRows)) +
           element(QStringLiteral("totalProcessingTime"), QString::number(b.processingMs)) +
           element(QStringLiteral("apiActiveProcessingTime"), QString::number(b.processingMs)) + element(QStringLiteral("apexProcessingTime"), QStringLiteral("0"));
    return xml;
}

QJsonObject batchJson(const BulkBatch &b)
{
    QJsonObject o{{QStringLiteral("apexProcessingTime"), 0},
                  {QStringLiteral("apiActiveProcessingTime"), b.processingMs},
                  {QStringLiteral("createdDate"), isoDate(b.created)},
                  {QStringLiteral("id"), b.id},
                  {QStringLiteral("jobId"), b.jobId},
                  {QStringLiteral("numberRecordsFailed"), b.failedRows},
                  {QStringLiteral("numberRecordsProcessed"), qint64(b.cursor)},
                  {QStringLiteral("state"), batchStateName(b.state)},
                  {QStringLiteral("systemModstamp"), isoDate(b.modified)},
                  {QStringLiteral("totalProcessingTime"), b.processingMs}};
    if (!b.stateMessage.isEmpty())
        o.insert(QStringLiteral("stateMessage"), b.stateMessage);
    return o;
}

} // namespace

ServerResponse BulkV1Api::createJob(const ServerRequest &request, const QString &version)
{
    const bool json = wantsJson(request);
    auto fields = readJobInfo(request);
    if (!fields)
        return ApiErrors::bulkV1(400, json ? QStringLiteral("ClientInputError") : QStringLiteral("InvalidXML"), fields.error(), json);
    const QString objectName = fields->value(QStringLiteral("object"));
    const QString operationText = fields->value(QStringLiteral("operation"));
    BulkJob job;
    if (operationText == QLatin1String("query"))
        job.query = BulkJob::Query::Query;
    else if (operationText.compare(QLatin1String("queryAll"), Qt::CaseInsensitive) == 0)
        job.query = BulkJob::Query::QueryAll;
    const ObjectDef *object = m_org.store->schema().object(objectName);
    if (!object || (!object->createable && !job.isQuery()))
        return ApiErrors::bulkV1(400, QStringLiteral("InvalidEntity"), QStringLiteral("Entity '%1' is not supported by the Bulk API.").arg(objectName), json);
    const auto operation = parseOperation(operationText);
    if (!operation && !job.isQuery())
        return ApiErrors::bulkV1(400, QStringLiteral("InvalidJob"), QStringLiteral("Invalid operation: %1").arg(operationText), json);
    job.operation = operation.value_or(Operation::Insert);
    job.object = object->name;
    job.apiVersion = version;
    job.jsonInfo = json;
    job.retryDisabled = request.header("sforce-disable-batch-retry").toLower() == "true";
    const QString mode = fields->value(QStringLiteral("concurrencyMode"), QStringLiteral("Parallel"));
    if (mode != QLatin1String("Parallel") && mode != QLatin1String("Serial"))
        return ApiErrors::bulkV1(400, QStringLiteral("InvalidJob"), QStringLiteral("Invalid concurrency mode: %1").arg(mode), json);
    job.serial = mode == QLatin1String("Serial");
    job.contentType = fields->value(QStringLiteral("contentType"), QStringLiteral("CSV"));
    // Query results come as CSV, JSON or XML; ingest batches are CSV only here.
    static const QStringList queryTypes{QStringLiteral("CSV"), QStringLiteral("JSON"), QStringLiteral("XML")};
    if (job.isQuery() ? !queryTypes.contains(job.contentType) : job.contentType != QLatin1String("CSV"))
        return ApiErrors::bulkV1(400, QStringLiteral("InvalidJob"), QStringLiteral("The demo org accepts %1 batches only, not %2")
                                                                         .arg(job.isQuery() ? QStringLiteral("CSV, JSON or XML") : QStringLiteral("CSV"), job.contentType), json);
    if (job.operation == Operation::Upsert) {
        const FieldDef *ext = object->field(fields->value(QStringLiteral("externalIdFieldName")));
        if (!ext || !(ext->externalId || ext->name == QLatin1String("Id")))
            return ApiErrors::bulkV1(400, QStringLiteral("InvalidJob"), QStringLiteral("Field name provided, %1 is not an External ID or indexed field for %2")
                                                                             .arg(fields->value(QStringLiteral("externalIdFieldName")), object->name), json);
        job.externalIdField = ext->name;
    }
    const auto created = m_org.bulk->createJob(std::move(job));
    return jobResponse(*created, 201);
}

ServerResponse BulkV1Api::jobInfo(const QString &jobId)
{
    const auto found = findJob(jobId);
    if (!found)
        return found.error();
    const auto &job = *found;
    return jobResponse(*job, 200);
}

ServerResponse BulkV1Api::updateJob(const ServerRequest &request, const QString &jobId)
{
    const bool json = wantsJson(request);
    const auto found = findJob(jobId, json);
    if (!found)
        return found.error();
    const auto &job = *found;
    auto fields = readJobInfo(request);
    if (!fields)
        return ApiErrors::bulkV1(400, json ? QStringLiteral("ClientInputError") : QStringLiteral("InvalidXML"), fields.error(), json);
    const QString state = fields->value(QStringLiteral("state"));
    if (state != QLatin1String("Closed") && state != QLatin1String("Aborted"))
        return ApiErrors::bulkV1(400, QStringLiteral("InvalidJobState"), QStringLiteral("Invalid job state: %1").arg(state), json);
    const QString current = m_org.bulk->withLock([&] { return job->state; });
    if (current != QLatin1String("Open") && current != state)
        return ApiErrors::bulkV1(400, QStringLiteral("InvalidJobState"), QStringLiteral("Job is not open: %1").arg(current), json);
    m_org.bulk->setState(job, state);
    return jobResponse(*job, 200);
}

ServerResponse BulkV1Api::addBatch(const ServerRequest &request, const QString &jobId)
{
    const auto found = findJob(jobId);
    if (!found)
        return found.error();
    const auto &job = *found;
    const bool json = job->jsonInfo;
    if (m_org.bulk->withLock([&] { return job->state; }) != QLatin1String("Open"))
        return ApiErrors::bulkV1(400, QStringLiteral("InvalidJobState"), QStringLiteral("Job is not open for adding batches: %1").arg(job->id), json);
    const QByteArray type = request.header("content-type").toLower();
    if (job->isQuery())
        return addQueryBatch(request, job);
    if (!type.startsWith("text/csv"))
        return ApiErrors::bulkV1(400, QStringLiteral("InvalidBatch"), QStringLiteral("Unsupported content type: %1").arg(QString::fromLatin1(type)), json);
    if (request.body.size() > m_org.profile->bulkV1MaxBytes)
        return ApiErrors::bulkV1(400, QStringLiteral("InvalidBatch"), QStringLiteral("Exceeded max size limit of %1").arg(m_org.profile->bulkV1MaxBytes), json);
    const auto batch = m_org.bulk->addBatch(job, request.body);
    return batchResponse(*job, *batch, 201);
}

ServerResponse BulkV1Api::batchResponse(const BulkJob &job, const BulkBatch &batch, int status)
{
    const BulkBatch b = m_org.bulk->snapshot(batch);
    if (job.jsonInfo)
        return ServerResponse::json(status, QJsonDocument(batchJson(b)));
    return ServerResponse::bytes(status, QStringLiteral("<?xml version=\"1.0\" encoding=\"UTF-8\"?><batchInfo xmlns=\"%1\">%2</batchInfo>").arg(kNamespace, batchXml(b)).toUtf8(),
                                 "application/xml");
}

ServerResponse BulkV1Api::addQueryBatch(const ServerRequest &request, const std::shared_ptr<BulkJob> &job)
{
    // The batch body is the SOQL itself, sent as the job's content type (text/csv for CSV).
    const QString soql = QString::fromUtf8(request.body).trimmed();
    QString failure;
    if (auto compiled = m_org.queries->compile(soql); !compiled) {
        failure = QStringLiteral("InvalidBatch : Failed to process query: %1: %2").arg(compiled.error().errorCode, compiled.error().message.trimmed());
    } else if (compiled->object->name != job->object) {
        failure = QStringLiteral("InvalidBatch : Failed to process query: INVALID_TYPE_FOR_OPERATION: The root entity of the requested query (%1) does "
                                 "not match the entity of the requested Bulk API Job (%2).")
                      .arg(compiled->object->name, job->object);
    } else if (compiled->countOnly) {
        failure = QStringLiteral("InvalidBatch : Failed to process query: FUNCTIONALITY_NOT_ENABLED: Aggregate queries are not supported by Bulk API query");
    }
    const auto batch = m_org.bulk->addQueryBatch(job, soql.toUtf8(), failure);
    if (failure.isEmpty())
        m_org.bulkQueries->submit(job, batch);
    return batchResponse(*job, *batch, 201);
}

std::expected<std::shared_ptr<BulkJob>, ServerResponse> BulkV1Api::findJob(const QString &jobId, bool json)
{
    auto job = m_org.bulk->job(jobId);
    if (!job || job->v2)
        return std::unexpected(ApiErrors::bulkV1(400, QStringLiteral("InvalidJob"), QStringLiteral("Unable to find job: %1").arg(jobId), json));
    return job;
}

std::expected<std::pair<std::shared_ptr<BulkJob>, std::shared_ptr<BulkBatch>>, ServerResponse>
BulkV1Api::findJobBatch(const QString &jobId, const QString &batchId)
{
    auto job = findJob(jobId);
    if (!job)
        return std::unexpected(job.error());
    auto batch = findBatch(**job, batchId);
    if (!batch)
        return std::unexpected(ApiErrors::bulkV1(400, QStringLiteral("InvalidBatch"), QStringLiteral("Unable to find batch: %1").arg(batchId),
                                                 (*job)->jsonInfo));
    return std::pair{*job, batch};
}

std::shared_ptr<BulkBatch> BulkV1Api::findBatch(const BulkJob &job, const QString &batchId)
{
    const QString id = FieldValue::canonicalId(batchId);
    return m_org.bulk->withLock([&]() -> std::shared_ptr<BulkBatch> {
        for (const auto &b : job.batches)
            if (b->id == id || b->id == batchId)
                return b;
        return nullptr;
    });
}

ServerResponse BulkV1Api::batchList(const QString &jobId)
{
    const auto found = findJob(jobId);
    if (!found)
        return found.error();
    const auto &job = *found;
    return m_org.bulk->withLock([&] {
        if (job->jsonInfo) {
            QJsonArray list;
            for (const auto &b : job->batches)
                list.append(batchJson(*b));
            return ServerResponse::json(200, QJsonDocument(QJsonObject{{QStringLiteral("batchInfo"), list}}));
        }
        QString xml = QStringLiteral("<?xml version=\"1.0\" encoding=\"UTF-8\"?><batchInfoList xmlns=\"%1\">").arg(kNamespace);
        for (const auto &b : job->batches)
            xml += QStringLiteral("<batchInfo>") + batchXml(*b) + QStringLiteral("</batchInfo>");
        xml += QStringLiteral("</batchInfoList>");
        return ServerResponse::bytes(200, xml.toUtf8(), "application/xml");
    });
}

ServerResponse BulkV1Api::batchInfo(const QString &jobId, const QString &batchId)
{
    const auto found = findJobBatch(jobId, batchId);
    if (!found)
        return found.error();
    const auto &[job, batch] = *found;
    return batchResponse(*job, *batch, 200);
}

ServerResponse BulkV1Api::batchResult(const QString &jobId, const QString &batchId)
{
    const auto found = findJobBatch(jobId, batchId);
    if (!found)
        return found.error();
    const auto &[job, batch] = *found;
    const BulkBatch b = m_org.bulk->snapshot(*batch);
    if (b.state == BulkBatch::State::Failed)
        return ApiErrors::bulkV1(400, QStringLiteral("InvalidBatch"), QStringLiteral("Batch failed: %1").arg(b.stateMessage), job->jsonInfo);
    if (b.state != BulkBatch::State::Completed && b.state != BulkBatch::State::NotProcessed)
        return ApiErrors::bulkV1(400, QStringLiteral("InvalidBatch"), QStringLiteral("Batch not completed"), job->jsonInfo);
    if (job->isQuery()) {
        // A query batch lists its result files; each is fetched by its id.
        if (job->jsonInfo || job->contentType == QLatin1String("JSON"))
            return ServerResponse::json(200, QJsonDocument(QJsonArray::fromStringList(b.resultIds)));
        QString xml = QStringLiteral("<?xml version=\"1.0\" encoding=\"UTF-8\"?><result-list xmlns=\"%1\">").arg(kNamespace);
        for (const QString &id : b.resultIds)
            xml += element(QStringLiteral("result"), id);
        return ServerResponse::bytes(200, (xml + QStringLiteral("</result-list>")).toUtf8(), "application/xml");
    }
    QByteArray csv = "\"Id\",\"Success\",\"Created\",\"Error\"\n";
    const int idColumn = int(b.table.header.indexOf(QStringLiteral("Id")));
    for (size_t i = 0; i < b.table.rows.size(); ++i) {
        if (!b.processed[i])
            continue;
        const RowOutcome &o = b.results[i];
        QString id = o.id;
        if (id.isEmpty() && idColumn >= 0 && job->operation != Operation::Insert)
            id = FieldValue::canonicalId(b.table.rows[i][idColumn]);
        csv += CsvTable::line({id, o.success ? QStringLiteral("true") : QStringLiteral("false"), o.created ? QStringLiteral("true") : QStringLiteral("false"),
                               o.errors.empty() ? QString() : o.errors.front().toBulkText()});
    }
    return ServerResponse::bytes(200, csv, "text/csv");
}

ServerResponse BulkV1Api::queryResult(const QString &jobId, const QString &batchId, const QString &resultId)
{
    const auto found = findJobBatch(jobId, batchId);
    if (!found)
        return found.error();
    const auto &[job, batch] = *found;
    const BulkBatch b = m_org.bulk->snapshot(*batch);
    const qsizetype file = b.resultIds.indexOf(FieldValue::canonicalId(resultId).isEmpty() ? resultId : FieldValue::canonicalId(resultId));
    if (!job->isQuery() || !b.queryResult || file < 0)
        return ApiErrors::bulkV1(400, QStringLiteral("InvalidBatch"), QStringLiteral("Unable to find result: %1").arg(resultId), job->jsonInfo);
    const QueryResult &result = *b.queryResult;
    const qsizetype perFile = std::max(1, m_org.profile->bulkQueryPageRows);
    const qsizetype begin = file * perFile;
    const qsizetype end = std::min(result.size(), begin + perFile);
    if (job->contentType == QLatin1String("JSON"))
        return ServerResponse::json(200, QJsonDocument(result.json(begin, end, job->apiVersion, DateStyle::EpochMillis)));
    if (job->contentType == QLatin1String("XML"))
        return ServerResponse::bytes(200,
                                     "<?xml version=\"1.0\" encoding=\"UTF-8\"?><queryResult xmlns=\"" + kNamespace.toUtf8() +
                                         "\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">" + result.xml(begin, end) + "</queryResult>",
                                     "application/xml");
    // Salesforce answers an empty CSV result with this sentence instead of a header.
    if (result.size() == 0)
        return ServerResponse::bytes(200, "Records not found for this query", "text/csv");
    return ServerResponse::bytes(200, result.csv(begin, end, CsvStyle{',', true, "\n"}), "text/csv");
}

ServerResponse BulkV1Api::batchRequest(const QString &jobId, const QString &batchId)
{
    const auto found = findJobBatch(jobId, batchId);
    if (!found)
        return found.error();
    const auto &[job, batch] = *found;
    return ServerResponse::bytes(200, batch->request, "text/csv");
}

} // namespace lockstep::demoorg
