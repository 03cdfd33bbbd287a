#include "triage/BulkJobFolder.h"

#include "load/CsvText.h"
#include "load/CsvWriter.h"
#include "org/OrgClient.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>
#include <QXmlStreamReader>

#include <algorithm>
#include <map>

namespace lockstep {

namespace {

const QString kJobXml = QStringLiteral("job.xml");
const QString kBatchesXml = QStringLiteral("batches.xml");
const QString kJobJson = QStringLiteral("job.json");
const QStringList kIngestResults{QStringLiteral("successfulResults.csv"), QStringLiteral("failedResults.csv"), QStringLiteral("unprocessedrecords.csv")};

Result<QByteArray> readAll(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return fail(ErrorKind::NotFound, QStringLiteral("cannot read it: %1").arg(f.errorString()), path);
    return f.readAll();
}

Result<void> writeAll(const QString &path, const QByteArray &bytes)
{
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size() || !f.commit())
        return fail(ErrorKind::Io, QStringLiteral("cannot write it: %1").arg(f.errorString()), path);
    return {};
}

// The text of the first <tag> of a small XML document ("" when absent).
QString xmlValue(const QByteArray &xml, const QString &tag)
{
    QXmlStreamReader reader(xml);
    while (!reader.atEnd()) {
        if (reader.readNext() == QXmlStreamReader::StartElement && reader.name() == tag)
            return reader.readElementText().trimmed();
    }
    return {};
}

// A Bulk API 1.0 XML request (<sObjects><sObject><Field>value</Field>…) as CSV rows: the
// fields in the order first seen (a field a record leaves out is empty in its row).
Result<std::vector<QStringList>> xmlRequestRows(const QByteArray &xml, const QString &path)
{
    QXmlStreamReader reader(xml);
    QStringList header;
    std::vector<std::map<QString, QString>> records;
    while (!reader.atEnd()) {
        reader.readNext();
        if (reader.isStartElement() && reader.name() == QLatin1String("sObject")) {
            std::map<QString, QString> record;
            while (reader.readNextStartElement()) {
                const QString field = reader.name().toString();
                const QString value = reader.readElementText(QXmlStreamReader::IncludeChildElements);
                if (!header.contains(field))
                    header << field;
                record[field] = value;
            }
            records.push_back(std::move(record));
        }
    }
    if (reader.hasError())
        return fail(ErrorKind::BadData, QStringLiteral("not a Bulk API 1.0 XML request: %1").arg(reader.errorString()), path, int(reader.lineNumber()));
    std::vector<QStringList> rows{header};
    for (const auto &record : records) {
        QStringList row;
        for (const QString &field : std::as_const(header)) {
            const auto it = record.find(field);
            row << (it == record.end() ? QString() : it->second);
        }
        rows.push_back(std::move(row));
    }
    return rows;
}

// Bulk API 1.0 XML results (<results><result><id/><success/><created/><errors>…) as the CSV
// results the API writes for CSV jobs: "Id","Success","Created","Error" ("CODE:message:fields --").
Result<std::vector<QStringList>> xmlResultRows(const QByteArray &xml, const QString &path)
{
    QXmlStreamReader reader(xml);
    std::vector<QStringList> rows{{QStringLiteral("Id"), QStringLiteral("Success"), QStringLiteral("Created"), QStringLiteral("Error")}};
    while (!reader.atEnd()) {
        reader.readNext();
        if (!reader.isStartElement() || reader.name() != QLatin1String("result"))
            continue;
        QString id, success, created, error;
        while (reader.readNextStartElement()) {
            const QString name = reader.name().toString();
            if (name == QLatin1String("errors")) {
                QString code, message;
                QStringList fields;
                while (reader.readNextStartElement()) {
                    const QString part = reader.name().toString();
                    const QString text = reader.readElementText(QXmlStreamReader::IncludeChildElements).trimmed();
                    if (part == QLatin1String("statusCode"))
                        code = text;
                    else if (part == QLatin1String("message"))
                        message = text;
                    else if (part == QLatin1String("fields"))
                        fields << text;
                }
                if (error.isEmpty())
                    error = QStringLiteral("%1:%2:%3 --").arg(code, message, fields.join(QLatin1Char(',')));
                continue;
            }
            const QString text = reader.readElementText(QXmlStreamReader::IncludeChildElements).trimmed();
            if (name == QLatin1String("id"))
                id = text;
            else if (name == QLatin1String("success"))
                success = text;
            else if (name == QLatin1String("created"))
                created = text;
        }
        rows.push_back({id, success, created, error});
    }
    if (reader.hasError())
        return fail(ErrorKind::BadData, QStringLiteral("not Bulk API 1.0 XML results: %1").arg(reader.errorString()), path, int(reader.lineNumber()));
    return rows;
}

// A batch file's rows (CSV, or XML turned into them), header first.
Result<std::vector<QStringList>> batchRows(const QString &path, bool request)
{
    auto bytes = readAll(path);
    if (!bytes)
        return std::unexpected(bytes.error());
    if (path.endsWith(QLatin1String(".xml"), Qt::CaseInsensitive))
        return request ? xmlRequestRows(*bytes, path) : xmlResultRows(*bytes, path);
    std::vector<QStringList> rows = parseCsvText(*bytes);
    while (!rows.empty() && rows.back().size() == 1 && rows.back().front().isEmpty())
        rows.pop_back();
    if (rows.empty())
        return fail(ErrorKind::BadData, QStringLiteral("empty: not a batch's %1").arg(request ? QStringLiteral("request") : QStringLiteral("result")), path, 1);
    return rows;
}

// A Salesforce Id (15 or 18 letters and digits): what a job or batch id must be before it goes
// into a URL or a file name — an org's answer naming "../x" must not write outside the folder.
bool isSalesforceId(const QString &id)
{
    return (id.size() == 15 || id.size() == 18) &&
           std::all_of(id.begin(), id.end(), [](QChar c) { return c.unicode() < 128 && c.isLetterOrNumber(); });
}

QString existing(const QDir &dir, const QString &stem)
{
    for (const char *ext : {".csv", ".xml"})
        if (const QString p = dir.filePath(stem + QLatin1String(ext)); QFileInfo(p).isFile())
            return p;
    return {};
}

} // namespace

bool BulkJobFolder::isOne(const QString &dir)
{
    const QDir d(dir);
    return QFileInfo(dir).isDir() && (QFileInfo(d.filePath(kJobXml)).isFile() || QFileInfo(d.filePath(kJobJson)).isFile());
}

Result<BulkJobFolder> BulkJobFolder::read(const QString &dir)
{
    const QDir d(dir);
    BulkJobFolder f;
    f.dir = dir;
    if (QFileInfo(d.filePath(kJobJson)).isFile()) {
        auto bytes = readAll(d.filePath(kJobJson));
        if (!bytes)
            return std::unexpected(bytes.error());
        QJsonParseError error{};
        const QJsonObject job = QJsonDocument::fromJson(*bytes, &error).object();
        if (error.error != QJsonParseError::NoError || job.isEmpty())
            return fail(ErrorKind::BadData, QStringLiteral("not a Bulk API 2.0 job's info: %1").arg(error.errorString()), d.filePath(kJobJson), 1);
        f.api = QStringLiteral("bulk2");
        f.jobId = job.value(QStringLiteral("id")).toString();
        f.object = job.value(QStringLiteral("object")).toString();
        f.operation = job.value(QStringLiteral("operation")).toString();
        f.contentType = job.value(QStringLiteral("contentType")).toString();
        f.state = job.value(QStringLiteral("state")).toString();
        for (const QString &name : kIngestResults)
            if (QFileInfo(d.filePath(name)).isFile())
                f.resultFiles << d.filePath(name);
        if (f.resultFiles.isEmpty())
            return fail(ErrorKind::NotFound, QStringLiteral("no result file of the job (%1)").arg(kIngestResults.join(QStringLiteral(", "))), dir);
        return f;
    }
    auto job = readAll(d.filePath(kJobXml));
    if (!job)
        return std::unexpected(job.error());
    f.api = QStringLiteral("bulk1");
    f.jobId = xmlValue(*job, QStringLiteral("id"));
    f.object = xmlValue(*job, QStringLiteral("object"));
    f.operation = xmlValue(*job, QStringLiteral("operation"));
    f.contentType = xmlValue(*job, QStringLiteral("contentType"));
    f.state = xmlValue(*job, QStringLiteral("state"));
    if (f.jobId.isEmpty())
        return fail(ErrorKind::BadData, QStringLiteral("not a Bulk API 1.0 jobInfo (no <id>)"), d.filePath(kJobXml), 1);
    auto list = readAll(d.filePath(kBatchesXml));
    if (!list)
        return std::unexpected(list.error());
    std::vector<BulkBatchInfo> infos = parseBulkBatchInfos(*list);
    if (infos.empty())
        return fail(ErrorKind::BadData, QStringLiteral("no <batchInfo> in it: not the job's batch list"), d.filePath(kBatchesXml), 1);
    // The order the batches were added: the list's, by creation time.
    std::stable_sort(infos.begin(), infos.end(), [](const BulkBatchInfo &a, const BulkBatchInfo &b) { return a.createdMs < b.createdMs; });
    for (const BulkBatchInfo &info : infos) {
        if (!isSalesforceId(info.id))
            return fail(ErrorKind::BadData, QStringLiteral("a batch id '%1' that is not a Salesforce Id").arg(info.id.left(40)), d.filePath(kBatchesXml), 1);
        BulkJobBatch b;
        b.id = info.id;
        b.state = info.state;
        b.stateMessage = info.stateMessage;
        b.createdMs = info.createdMs;
        b.modifiedMs = info.modifiedMs;
        b.processingMs = info.processingMs;
        b.recordsProcessed = info.recordsProcessed;
        b.recordsFailed = info.recordsFailed;
        b.requestFile = existing(d, info.id + QStringLiteral("-request"));
        b.resultFile = existing(d, info.id + QStringLiteral("-result"));
        f.batches.push_back(std::move(b));
    }
    return f;
}

Result<BulkJobFolder> downloadBulkJob(OrgClient &client, const QString &jobId, const QString &dir, const Progress &progress)
{
    if (!isSalesforceId(jobId))
        return fail(ErrorKind::Usage, QStringLiteral("'%1' is not a Bulk job id (15 or 18 letters and digits, 750…)").arg(jobId));
    if (!QDir().mkpath(dir))
        return fail(ErrorKind::Io, QStringLiteral("cannot make the folder"), dir);
    const QDir d(dir);
    progress(0, 0, QStringLiteral("Reading job %1").arg(jobId));
    auto job = client.bulkDocument(QStringLiteral("/job/%1").arg(jobId));
    if (!job) {
        // Not a Bulk API 1.0 job: a Bulk API 2.0 ingest job, or none.
        auto ingest = client.restDocument(QStringLiteral("/jobs/ingest/%1").arg(jobId));
        if (!ingest)
            return fail(ErrorKind::NotFound,
                        QStringLiteral("the org has no Bulk job %1 (Bulk API 1.0: %2; Bulk API 2.0: %3)").arg(jobId, job.error().message, ingest.error().message));
        if (auto w = writeAll(d.filePath(kJobJson), *ingest); !w)
            return std::unexpected(w.error());
        for (const QString &name : kIngestResults) {
            const QString which = name.section(QLatin1Char('.'), 0, 0);
            progress(0, 0, QStringLiteral("Downloading %1").arg(which));
            auto body = client.ingestResults(jobId, which);
            if (!body)
                return fail(ErrorKind::Network, QStringLiteral("the %1 of job %2: %3").arg(which, jobId, body.error().message));
            if (auto w = writeAll(d.filePath(name), *body); !w)
                return std::unexpected(w.error());
        }
        return BulkJobFolder::read(dir);
    }
    if (auto w = writeAll(d.filePath(kJobXml), *job); !w)
        return std::unexpected(w.error());
    auto list = client.bulkDocument(QStringLiteral("/job/%1/batch").arg(jobId));
    if (!list)
        return fail(ErrorKind::Network, QStringLiteral("the batches of job %1: %2").arg(jobId, list.error().message));
    if (auto w = writeAll(d.filePath(kBatchesXml), *list); !w)
        return std::unexpected(w.error());
    const QString ext = xmlValue(*job, QStringLiteral("contentType")) == QLatin1String("XML") ? QStringLiteral(".xml") : QStringLiteral(".csv");
    const std::vector<BulkBatchInfo> infos = parseBulkBatchInfos(*list);
    qint64 done = 0;
    for (const BulkBatchInfo &info : infos) {
        if (!isSalesforceId(info.id))
            return fail(ErrorKind::Server, QStringLiteral("the org named a batch of job %1 '%2', which is not a Salesforce Id").arg(jobId, info.id.left(40)));
        if (progress.cancel.isCancelled())
            return fail(ErrorKind::Cancelled, QStringLiteral("cancelled"));
        progress(done++, qint64(infos.size()), QStringLiteral("Downloading batch %1").arg(info.id));
        auto request = client.bulkDocument(QStringLiteral("/job/%1/batch/%2/request").arg(jobId, info.id));
        if (!request)
            return fail(ErrorKind::Network, QStringLiteral("the request of batch %1: %2").arg(info.id, request.error().message));
        if (auto w = writeAll(d.filePath(info.id + QStringLiteral("-request") + ext), *request); !w)
            return std::unexpected(w.error());
        // A batch that has not finished, or failed whole (its stateMessage says why), has no results.
        if (!info.finished() || info.state == QLatin1String("Failed") || info.state == QLatin1String("NotProcessed"))
            continue;
        auto result = client.bulkDocument(QStringLiteral("/job/%1/batch/%2/result").arg(jobId, info.id));
        if (!result)
            return fail(ErrorKind::Network, QStringLiteral("the result of batch %1: %2").arg(info.id, result.error().message));
        if (auto w = writeAll(d.filePath(info.id + QStringLiteral("-result") + ext), *result); !w)
            return std::unexpected(w.error());
    }
    return BulkJobFolder::read(dir);
}

Result<AssembledBulkJob> assembleBulkJob(const BulkJobFolder &folder, const QString &workDir)
{
    AssembledBulkJob out;
    out.source = QDir(workDir).filePath(QStringLiteral("job-%1-source.csv").arg(folder.jobId));
    out.results = QDir(workDir).filePath(QStringLiteral("job-%1-results.csv").arg(folder.jobId));
    auto source = CsvFileWriter::create(out.source);
    if (!source)
        return std::unexpected(source.error());
    auto results = CsvFileWriter::create(out.results, CsvStyle{',', true, "\n"});
    if (!results)
        return std::unexpected(results.error());
    QStringList header;
    qint64 next = 0;
    for (const BulkJobBatch &b : folder.batches) {
        if (b.requestFile.isEmpty() || b.resultFile.isEmpty()) {
            out.notes << QStringLiteral("batch %1 (%2%3) left out: its %4 is not in %5")
                             .arg(b.id, b.state, b.stateMessage.isEmpty() ? QString() : QStringLiteral(": ") + b.stateMessage,
                                  b.requestFile.isEmpty() ? QStringLiteral("request") : QStringLiteral("result"), folder.dir);
            continue;
        }
        auto request = batchRows(b.requestFile, true);
        if (!request)
            return std::unexpected(request.error());
        auto result = batchRows(b.resultFile, false);
        if (!result)
            return std::unexpected(result.error());
        // One result per row sent, in order: anything else and the batch's rows cannot be matched.
        if (result->size() != request->size())
            return fail(ErrorKind::BadData,
                        QStringLiteral("%1 results for %2 rows sent in batch %3: Bulk API 1.0 answers every row, in order — the files "
                                       "are not this batch's, or one is cut short")
                            .arg(qint64(result->size()) - 1)
                            .arg(qint64(request->size()) - 1)
                            .arg(b.id),
                        b.resultFile, int(std::min(result->size(), request->size())) + 1);
        // Every batch's rows under the first batch's header (batches may name their columns in
        // another order, or leave one out).
        const QStringList &theirs = request->front();
        if (header.isEmpty()) {
            header = theirs;
            source->writeRow(header);
            results->writeRow(result->front());
        }
        std::vector<int> column;
        for (const QString &name : std::as_const(header))
            column.push_back(int(theirs.indexOf(name)));
        for (size_t r = 1; r < request->size(); ++r) {
            QStringList row;
            for (const int c : column)
                row << (c >= 0 && c < (*request)[r].size() ? (*request)[r][c] : QString());
            source->writeRow(row);
            results->writeRow((*result)[r]);
        }
        TriageBatch t;
        t.id = b.id;
        t.state = b.state;
        t.firstRow = next;
        t.rows = qint64(request->size()) - 1;
        // Processed from its last change back over its processing time (every pass of it).
        t.endMs = b.modifiedMs;
        t.startMs = b.modifiedMs > 0 && b.processingMs > 0 ? b.modifiedMs - b.processingMs : 0;
        next += t.rows;
        out.batches.push_back(t);
    }
    if (header.isEmpty())
        return fail(ErrorKind::NotFound, QStringLiteral("no batch of job %1 has both its request and its result here").arg(folder.jobId), folder.dir);
    if (auto r = source->commit(); !r)
        return std::unexpected(r.error());
    if (auto r = results->commit(); !r)
        return std::unexpected(r.error());
    return out;
}

Result<TriageOptions> triageOptionsFor(const BulkJobFolder &folder, TriageOptions options, const QString &workDir)
{
    options.jobId = folder.jobId;
    if (options.object.isEmpty())
        options.object = folder.object;
    if (!options.operation)
        options.operation = parseOperation(folder.operation.toLower());
    if (folder.api == QLatin1String("bulk2")) {
        options.files = folder.resultFiles;
        options.notes << QStringLiteral("Bulk API 2.0 does not report the times of a job's internal batches: its lock errors cannot be "
                                        "explained batch by batch (a Bulk API 1.0 job or a Lockstep run can be)");
        return options;
    }
    auto assembled = assembleBulkJob(folder, workDir);
    if (!assembled)
        return std::unexpected(assembled.error());
    options.files = {assembled->results};
    options.source = assembled->source;
    options.batches = assembled->batches;
    options.notes << assembled->notes;
    if (!options.api)
        options.api = Api::Bulk1Parallel;
    return options;
}

} // namespace lockstep
