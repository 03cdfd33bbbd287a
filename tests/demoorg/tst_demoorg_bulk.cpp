#include "DemoOrgTestSupport.h"
#include "TestSupport.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonObject>
#include <QTest>
#include <QThread>

using namespace lockstep;
using namespace lockstep::test;

namespace {
const QString v1 = QStringLiteral("/services/async/62.0");
const QString v2 = QStringLiteral("/services/data/v62.0/jobs/ingest");
const QByteArray ns = "http://www.force.com/2009/06/asyncapi/dataload";

QByteArray jobXml(const QByteArray &operation, const QByteArray &object, const QByteArray &extra = {})
{
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?><jobInfo xmlns=\"" + ns + "\"><operation>" + operation + "</operation><object>" + object +
           "</object>" + extra + "<contentType>CSV</contentType></jobInfo>";
}
} // namespace

// Bulk API 1.0 and 2.0 over real HTTP: job and batch life cycles, the exact result CSVs,
// WSC's element order, and the failures a loader meets (bad XML/CSV, unknown fields, oversized
// batches, closed jobs, sessions).
class TestDemoOrgBulk : public QObject {
    Q_OBJECT
    test::DemoOrgProcess org;
    std::unique_ptr<RawHttp> api;         // what the server answers, as it answers it
    std::unique_ptr<OrgClient> client;    // what a load does (core's client)

    HttpResponse v1Post(const QString &path, const QByteArray &body, const QByteArray &type, const QList<QPair<QByteArray, QByteArray>> &extra = {})
    {
        QList<QPair<QByteArray, QByteArray>> headers{{"X-SFDC-Session", org.token.toLatin1()}};
        headers += extra;
        return api->send("POST", path, body, type, headers, false);
    }
    HttpResponse v1Get(const QString &path) { return api->send("GET", path, {}, {}, {{"X-SFDC-Session", org.token.toLatin1()}}, false); }
    QString waitBatch(const QString &job, const QString &batch)
    {
        for (int i = 0; i < 600; ++i) {
            const QString state = xmlValue(v1Get(v1 + "/job/" + job + "/batch/" + batch).body, "state");
            if (state == QLatin1String("Completed") || state == QLatin1String("Failed") || state == QLatin1String("NotProcessed"))
                return state;
            QThread::msleep(50);
        }
        return QStringLiteral("timeout");
    }
    QString waitJob2(const QString &job)
    {
        for (int i = 0; i < 600; ++i) {
            const QString state = jsonOf(api->get(v2 + "/" + job)).object().value("state").toString();
            if (state == QLatin1String("JobComplete") || state == QLatin1String("Failed") || state == QLatin1String("Aborted"))
                return state;
            QThread::msleep(50);
        }
        return QStringLiteral("timeout");
    }

private slots:
    void initTestCase()
    {
        QVERIFY2(org.start({QStringLiteral("--scale"), QStringLiteral("0")}), qPrintable(org.error()));
        api = std::make_unique<RawHttp>(org.url, org.token);
        client = std::make_unique<OrgClient>(org.client());
    }
    void cleanupTestCase() { QCOMPARE(org.stop(), 0); }

    void v1XmlLifecycle()
    {
        HttpResponse r = v1Post(v1 + "/job", jobXml("insert", "Account"), "application/xml; charset=UTF-8");
        QCOMPARE(r.status, 201);
        QVERIFY(r.contentType().startsWith("application/xml"));
        // WSC reads jobInfo elements in this order.
        qsizetype last = -1;
        for (const char *tag : {"<id>", "<operation>", "<object>", "<createdById>", "<createdDate>", "<systemModstamp>", "<state>", "<concurrencyMode>",
                                "<fastPathEnabled>", "<numberBatchesQueued>", "<numberBatchesInProgress>", "<numberBatchesCompleted>", "<numberBatchesFailed>",
                                "<numberBatchesTotal>", "<numberRecordsProcessed>", "<numberRetries>", "<contentType>", "<apiVersion>", "<numberRecordsFailed>",
                                "<totalProcessingTime>", "<apiActiveProcessingTime>", "<apexProcessingTime>"}) {
            const qsizetype at = r.body.indexOf(tag);
            QVERIFY2(at > last, tag);
            last = at;
        }
        const QString job = xmlValue(r.body, "id");
        QVERIFY(job.startsWith("750"));
        QCOMPARE(xmlValue(r.body, "state"), QStringLiteral("Open"));
        QCOMPARE(xmlValue(r.body, "concurrencyMode"), QStringLiteral("Parallel"));

        const QByteArray csv = "Name,BillingCity,AnnualRevenue\r\nBulk One,\"Paris, FR\",10\r\n\"Bulk \"\"Two\"\"\",Rome,\r\n,Nowhere,5\r\nBulk Four,Oslo,abc\r\n";
        r = v1Post(v1 + "/job/" + job + "/batch", csv, "text/csv; charset=UTF-8");
        QCOMPARE(r.status, 201);
        const QString batch = xmlValue(r.body, "id");
        QVERIFY(batch.startsWith("751"));
        QCOMPARE(waitBatch(job, batch), QStringLiteral("Completed"));
        r = v1Get(v1 + "/job/" + job + "/batch/" + batch + "/result");
        QCOMPARE(r.status, 200);
        QVERIFY(r.contentType().startsWith("text/csv"));
        const auto rows = parseCsvReference(r.body);
        QCOMPARE(rows.size(), 5);
        QCOMPARE(rows[0], (QStringList{"Id", "Success", "Created", "Error"}));
        QVERIFY(r.body.startsWith("\"Id\",\"Success\",\"Created\",\"Error\"\n"));
        QVERIFY(rows[1][0].startsWith("001"));
        QCOMPARE(rows[1][1], QStringLiteral("true"));
        QCOMPARE(rows[1][2], QStringLiteral("true"));
        QCOMPARE(rows[3][1], QStringLiteral("false"));
        QCOMPARE(rows[3][3], QStringLiteral("REQUIRED_FIELD_MISSING:Required fields are missing: [Name]:Name --"));
        QVERIFY(rows[4][3].startsWith("INVALID_TYPE_ON_FIELD_IN_RECORD:"));
        QCOMPARE(queryRecords(*client, "SELECT Id FROM Account WHERE Name = 'Bulk \"Two\"'").size(), 1);
        QCOMPARE(queryRecords(*client, "SELECT BillingCity FROM Account WHERE Name = 'Bulk One'").at(0).toObject().value("BillingCity").toString(), QStringLiteral("Paris, FR"));

        r = v1Get(v1 + "/job/" + job + "/batch/" + batch + "/request");
        QCOMPARE(r.body, csv);
        r = v1Get(v1 + "/job/" + job + "/batch");
        QVERIFY(r.body.contains("<batchInfoList"));
        QCOMPARE(xmlValue(r.body, "numberRecordsProcessed"), QStringLiteral("4"));
        QCOMPARE(xmlValue(r.body, "numberRecordsFailed"), QStringLiteral("2"));
        r = v1Post(v1 + "/job/" + job, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><jobInfo xmlns=\"" + ns + "\"><state>Closed</state></jobInfo>", "application/xml");
        QCOMPARE(r.status, 200);
        QCOMPARE(xmlValue(r.body, "state"), QStringLiteral("Closed"));
        QCOMPARE(xmlValue(r.body, "numberBatchesCompleted"), QStringLiteral("1"));
        QCOMPARE(xmlValue(r.body, "numberRecordsFailed"), QStringLiteral("2"));
        // No batches once closed.
        r = v1Post(v1 + "//job/" + job + "/batch/", csv, "text/csv");
        QCOMPARE(r.status, 400);
        QCOMPARE(xmlValue(r.body, "exceptionCode"), QStringLiteral("InvalidJobState"));
    }

    void v1JsonUpdateSerialAndRetryHeader()
    {
        const QString a = queryRecords(*client, "SELECT Id FROM Account WHERE Name = 'Bulk One'").at(0).toObject().value("Id").toString();
        HttpResponse r = v1Post(v1 + "/job", R"({"operation":"update","object":"Account","concurrencyMode":"Serial","contentType":"CSV"})",
                                "application/json", {{"Sforce-Disable-Batch-Retry", "TRUE"}});
        QCOMPARE(r.status, 201);
        const QJsonObject job = jsonOf(r).object();
        QCOMPARE(job.value("concurrencyMode").toString(), QStringLiteral("Serial"));
        QCOMPARE(job.value("state").toString(), QStringLiteral("Open"));
        const QString id = job.value("id").toString();
        r = v1Post(v1 + "/job/" + id + "/batch", "Id,Phone\n" + a.toLatin1() + ",123\n006000000000000AAA,1\n", "text/csv");
        QCOMPARE(r.status, 201);
        const QString batch = jsonOf(r).object().value("id").toString();
        for (int i = 0; i < 200 && jsonOf(v1Get(v1 + "/job/" + id + "/batch/" + batch)).object().value("state").toString() != QLatin1String("Completed"); ++i)
            QThread::msleep(50);
        const auto rows = parseCsvReference(v1Get(v1 + "/job/" + id + "/batch/" + batch + "/result").body);
        QCOMPARE(rows[1][1], QStringLiteral("true"));
        QCOMPARE(rows[1][2], QStringLiteral("false"));
        QVERIFY(rows[2][3].startsWith("MALFORMED_ID:"));
        QCOMPARE(jsonOf(api->get("/services/data/v62.0/sobjects/Account/" + a)).object().value("Phone").toString(), QStringLiteral("123"));
    }

    void v1Errors()
    {
        HttpResponse r = v1Post(v1 + "/job", "<jobInfo><operation>insert", "application/xml");
        QCOMPARE(r.status, 400);
        QCOMPARE(xmlValue(r.body, "exceptionCode"), QStringLiteral("InvalidXML"));
        r = v1Post(v1 + "/job", jobXml("insert", "Nope__c"), "application/xml");
        QCOMPARE(xmlValue(r.body, "exceptionCode"), QStringLiteral("InvalidEntity"));
        r = v1Post(v1 + "/job", jobXml("explode", "Account"), "application/xml");
        QCOMPARE(xmlValue(r.body, "exceptionCode"), QStringLiteral("InvalidJob"));
        r = v1Post(v1 + "/job", jobXml("upsert", "Account", "<externalIdFieldName>Name</externalIdFieldName>"), "application/xml");
        QCOMPARE(xmlValue(r.body, "exceptionCode"), QStringLiteral("InvalidJob"));
        // Sessions: jsforce reads 400 + InvalidSessionId as "expired".
        r = api->send("POST", v1 + "/job", jobXml("insert", "Account"), "application/xml", {{"X-SFDC-Session", "garbage"}}, false);
        QCOMPARE(r.status, 400);
        QCOMPARE(xmlValue(r.body, "exceptionCode"), QStringLiteral("InvalidSessionId"));
        r = v1Get(v1 + "/job/750000000000000AAA");
        QCOMPARE(xmlValue(r.body, "exceptionCode"), QStringLiteral("InvalidJob"));

        r = v1Post(v1 + "/job", jobXml("insert", "Contact"), "application/xml");
        const QString job = xmlValue(r.body, "id");
        struct Bad {
            QByteArray csv;
            QString message;
        };
        QByteArray tooMany = "LastName\n";
        for (int i = 0; i < 10001; ++i)
            tooMany += "L" + QByteArray::number(i) + '\n';
        for (const Bad &bad : {Bad{"LastName,Bogus__c\nx,y\n", "InvalidBatch : Field name not found : Bogus__c"},
                               Bad{"LastName,Email\n\"unterminated,x\n", "InvalidBatch : Failed to parse CSV. EOF reached before closing quote"},
                               Bad{"LastName,Email\na,b,c\n", "InvalidBatch : Failed to parse CSV. Found 3 fields on line 2, expected 2"},
                               Bad{tooMany, "InvalidBatch : Records in a single batch cannot exceed 10000"}}) {
            r = v1Post(v1 + "/job/" + job + "/batch", bad.csv, "text/csv");
            QCOMPARE(r.status, 201);
            QCOMPARE(xmlValue(r.body, "state"), QStringLiteral("Failed"));
            QCOMPARE(xmlValue(r.body, "stateMessage"), bad.message);
            r = v1Get(v1 + "/job/" + job + "/batch/" + xmlValue(r.body, "id") + "/result");
            QCOMPARE(r.status, 400);
        }
        r = v1Post(v1 + "/job/" + job + "/batch", "LastName\nx\n", "application/json");
        QCOMPARE(xmlValue(r.body, "exceptionCode"), QStringLiteral("InvalidBatch"));
        r = v1Post(v1 + "/job/" + job + "/batch", QByteArray(11 * 1000 * 1000, 'x'), "text/csv");
        QCOMPARE(r.status, 400);
        QVERIFY(xmlValue(r.body, "exceptionMessage").startsWith("Exceeded max size limit"));
        r = v1Get(v1 + "/job/" + job);
        QCOMPARE(xmlValue(r.body, "numberBatchesFailed"), QStringLiteral("4"));
    }

    void v2UpsertLifecycleWithChunkedUpload()
    {
        HttpResponse r = api->postJson(v2, QJsonDocument(QJsonObject{{"object", "Contact"}, {"operation", "upsert"}, {"lineEnding", "LF"},
                                                                      {"externalIdFieldName", "External_Id__c"}, {"columnDelimiter", "COMMA"}}));
        QCOMPARE(r.status, 200);
        QJsonObject job = jsonOf(r).object();
        const QString id = job.value("id").toString();
        QCOMPARE(id.size(), 18);
        QCOMPARE(job.value("state").toString(), QStringLiteral("Open"));
        QCOMPARE(job.value("jobType").toString(), QStringLiteral("V2Ingest"));
        QCOMPARE(job.value("contentUrl").toString(), "services/data/v62.0/jobs/ingest/" + id + "/batches");
        for (const char *key : {"numberRecordsProcessed", "numberRecordsFailed", "retries", "concurrencyMode", "apiVersion"})
            QVERIFY2(job.contains(QLatin1String(key)), key);
        // The Salesforce CLI uploads without a length (chunked).
        HttpRequest put;
        put.method = "PUT";
        put.url = org.url + v2 + "/" + id + "/batches";
        put.chunked = true;
        put.body = "External_Id__c,LastName,Email\nV2-1,One,one@x\nV2-2,Two,two@x\nV2-3,,three@x\n";
        put.header("Content-Type", "text/csv").header("Authorization", "Bearer " + org.token.toLatin1());
        auto sent = api->http().send(put);
        QVERIFY(sent.has_value());
        QCOMPARE(sent->status, 201);
        r = api->patchJson(v2 + "/" + id, QJsonDocument(QJsonObject{{"state", "UploadComplete"}}));
        QCOMPARE(r.status, 200);
        QCOMPARE(waitJob2(id), QStringLiteral("JobComplete"));
        job = jsonOf(api->get(v2 + "/" + id)).object();
        QCOMPARE(job.value("numberRecordsProcessed").toInt(), 3);
        QCOMPARE(job.value("numberRecordsFailed").toInt(), 1);

        r = api->get(v2 + "/" + id + "/successfulResults");
        QCOMPARE(r.status, 200);
        QVERIFY(r.body.startsWith("\"sf__Id\",\"sf__Created\",\"External_Id__c\",\"LastName\",\"Email\"\n"));
        auto rows = parseCsvReference(r.body);
        QCOMPARE(rows.size(), 3);
        QVERIFY(rows[1][0].startsWith("003"));
        QCOMPARE(rows[1][1], QStringLiteral("true"));
        QCOMPARE(rows[1][2], QStringLiteral("V2-1"));
        r = api->get(v2 + "/" + id + "/failedResults");
        rows = parseCsvReference(r.body);
        QCOMPARE(rows.size(), 2);
        QCOMPARE(rows[0].mid(0, 2), (QStringList{"sf__Id", "sf__Error"}));
        QVERIFY(rows[1][1].startsWith("REQUIRED_FIELD_MISSING:"));
        r = api->get(v2 + "/" + id + "/unprocessedrecords");
        QCOMPARE(parseCsvReference(r.body).size(), 1);   // the header only

        // The same file again updates (sf__Created false).
        r = api->postJson(v2, QJsonDocument(QJsonObject{{"object", "Contact"}, {"operation", "upsert"}, {"externalIdFieldName", "External_Id__c"}}));
        const QString again = jsonOf(r).object().value("id").toString();
        QCOMPARE(api->send("PUT", v2 + "/" + again + "/batches", "External_Id__c,LastName\nV2-1,Uno\n", "text/csv").status, 201);
        api->patchJson(v2 + "/" + again, QJsonDocument(QJsonObject{{"state", "UploadComplete"}}));
        QCOMPARE(waitJob2(again), QStringLiteral("JobComplete"));
        rows = parseCsvReference(api->get(v2 + "/" + again + "/successfulResults").body);
        QCOMPARE(rows[1][1], QStringLiteral("false"));
        QCOMPARE(queryRecords(*client, "SELECT LastName FROM Contact WHERE External_Id__c = 'V2-1'").at(0).toObject().value("LastName").toString(), QStringLiteral("Uno"));

        r = api->get(v2);
        QVERIFY(jsonOf(r).object().value("done").toBool());
        QVERIFY(jsonOf(r).object().value("records").toArray().size() >= 2);
    }

    void v2AbortAndErrors()
    {
        HttpResponse r = api->postJson(v2, QJsonDocument(QJsonObject{{"object", "Account"}, {"operation", "insert"}}));
        const QString id = jsonOf(r).object().value("id").toString();
        QCOMPARE(api->send("PUT", v2 + "/" + id + "/batches", "Name\nNever\n", "text/csv").status, 201);
        r = api->patchJson(v2 + "/" + id, QJsonDocument(QJsonObject{{"state", "Aborted"}}));
        QCOMPARE(r.status, 200);
        QCOMPARE(jsonOf(r).object().value("state").toString(), QStringLiteral("Aborted"));
        QCOMPARE(api->send("PUT", v2 + "/" + id + "/batches", "Name\nLate\n", "text/csv").status, 400);
        r = api->patchJson(v2 + "/" + id, QJsonDocument(QJsonObject{{"state", "UploadComplete"}}));
        QCOMPARE(r.status, 400);
        QCOMPARE(firstError(r).value("errorCode").toString(), QStringLiteral("INVALIDJOBSTATE"));

        r = api->get(v2 + "/750000000000000AAA");
        QCOMPARE(r.status, 404);
        QCOMPARE(firstError(r).value("message").toString(), QStringLiteral("The requested resource does not exist"));
        r = api->postJson(v2, QJsonDocument(QJsonObject{{"object", "Nope__c"}, {"operation", "insert"}}));
        QCOMPARE(r.status, 400);
        r = api->send("POST", v2, "{not json");
        QCOMPARE(r.status, 400);
        QCOMPARE(firstError(r).value("errorCode").toString(), QStringLiteral("JSON_PARSER_ERROR"));

        // A malformed upload fails the job with a message.
        r = api->postJson(v2, QJsonDocument(QJsonObject{{"object", "Account"}, {"operation", "insert"}}));
        const QString bad = jsonOf(r).object().value("id").toString();
        api->send("PUT", v2 + "/" + bad + "/batches", "Name,Bogus__c\nx,y\n", "text/csv");
        api->patchJson(v2 + "/" + bad, QJsonDocument(QJsonObject{{"state", "UploadComplete"}}));
        QCOMPARE(waitJob2(bad), QStringLiteral("Failed"));
        QCOMPARE(jsonOf(api->get(v2 + "/" + bad)).object().value("errorMessage").toString(), QStringLiteral("InvalidBatch : Field name not found : Bogus__c"));
        // Results only once a job is done.
        r = api->postJson(v2, QJsonDocument(QJsonObject{{"object", "Account"}, {"operation", "insert"}}));
        QCOMPARE(api->get(v2 + "/" + jsonOf(r).object().value("id").toString() + "/successfulResults").status, 400);

        // DELETE removes a finished job for good: it, and its results, answer 404 afterwards.
        QCOMPARE(api->send("DELETE", v2 + "/" + id).status, 204);
        QCOMPARE(api->get(v2 + "/" + id).status, 404);
        QCOMPARE(api->send("DELETE", v2 + "/" + bad).status, 204);
        QCOMPARE(api->get(v2 + "/" + bad + "/failedResults").status, 404);
        QCOMPARE(api->send("DELETE", v2 + "/" + bad).status, 404);
    }
};

QTEST_GUILESS_MAIN(TestDemoOrgBulk)
#include "tst_demoorg_bulk.moc"
