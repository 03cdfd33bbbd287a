#include "DemoOrgTestSupport.h"

#include "org/HttpClient.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTest>
#include <QThread>
#include <QUrl>

using namespace lockstep;
using namespace lockstep::test;
// Unambiguous whether or not core has a DemoOrgProcess of its own.
using TestOrg = lockstep::test::DemoOrgProcess;

namespace {

const QString v = QStringLiteral("/services/data/v62.0");
const QString queryJobs = v + QStringLiteral("/jobs/query");
const QString v1 = QStringLiteral("/services/async/62.0");
const QByteArray ns = "http://www.force.com/2009/06/asyncapi/dataload";

// A second, independent RFC 4180 reader: what a client makes of the CSV the org wrote.
std::vector<QStringList> parseCsv(const QByteArray &text, char delimiter = ',')
{
    std::vector<QStringList> rows;
    QStringList row;
    QByteArray field;
    bool quoted = false;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (quoted) {
            if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
                field += '"';
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                field += c;
            }
        } else if (c == '"') {
            quoted = true;
        } else if (c == delimiter) {
            row << QString::fromUtf8(field);
            field.clear();
        } else if (c == '\n') {
            row << QString::fromUtf8(field);
            field.clear();
            rows.push_back(row);
            row.clear();
        } else if (c != '\r') {
            field += c;
        }
    }
    if (!field.isEmpty() || !row.isEmpty()) {
        row << QString::fromUtf8(field);
        rows.push_back(row);
    }
    return rows;
}

} // namespace

// Bulk queries over real HTTP against a demo org child process: Bulk API 2.0 query jobs (life
// cycle in the org's time, CSV pages with Sforce-Locator / Sforce-NumberOfRecords, delimiters,
// abort, delete, list, errors) and Bulk API 1.0 query jobs (SOQL batches, result lists, result
// files as CSV, JSON and XML), relationship fields (Account.Name) in both and through REST.
class TestDemoOrgBulkQuery : public QObject {
    Q_OBJECT
    TestOrg org;
    HttpClient http;
    QString acmeId, globexId;

    HttpResponse send(const QByteArray &method, const QString &path, const QByteArray &body = {}, const QByteArray &type = "application/json",
                      QList<QPair<QByteArray, QByteArray>> headers = {})
    {
        HttpRequest request;
        request.method = method;
        request.url = org.url + path;
        request.body = body;
        request.headers = headers;
        if (!body.isEmpty())
            request.header("Content-Type", type);
        if (!path.startsWith(v1))
            request.header("Authorization", "Bearer " + org.token.toLatin1());
        else
            request.header("X-SFDC-Session", org.token.toLatin1());
        auto response = http.send(request);
        if (!response) {
            qWarning("%s %s: %s", method.constData(), qPrintable(path), qPrintable(response.error().error.message));
            return {};
        }
        return *response;
    }
    static QJsonObject json(const HttpResponse &r) { return QJsonDocument::fromJson(r.body).object(); }
    static QString xml(const QByteArray &body, const QString &tag) { return xmlValue(body, tag); }

    QString createQueryJob(const QString &soql, const QJsonObject &extra = {})
    {
        QJsonObject body{{"operation", "query"}, {"query", soql}};
        for (auto it = extra.begin(); it != extra.end(); ++it)
            body.insert(it.key(), *it);
        const HttpResponse r = send("POST", queryJobs, QJsonDocument(body).toJson());
        if (r.status != 200) {
            qWarning("create: %d %s", r.status, r.body.constData());
            return {};
        }
        return json(r).value("id").toString();
    }
    // Polls like a client (the CLI polls every 5 s; a test every 20 ms); the states it saw.
    QStringList waitQueryJob(const QString &id)
    {
        QStringList seen;
        for (int i = 0; i < 1000; ++i) {
            const QString state = json(send("GET", queryJobs + "/" + id)).value("state").toString();
            if (seen.isEmpty() || seen.back() != state)
                seen << state;
            if (state == QLatin1String("JobComplete") || state == QLatin1String("Failed") || state == QLatin1String("Aborted"))
                return seen;
            QThread::msleep(20);
        }
        return seen << QStringLiteral("timeout");
    }
    QString insert(const QString &object, const QJsonArray &records)
    {
        QJsonArray withType;
        for (const auto &r : records) {
            QJsonObject o = r.toObject();
            o.insert("attributes", QJsonObject{{"type", object}});
            withType.append(o);
        }
        const HttpResponse r = send("POST", v + "/composite/sobjects", QJsonDocument(QJsonObject{{"allOrNone", true}, {"records", withType}}).toJson());
        const QJsonArray results = QJsonDocument::fromJson(r.body).array();
        for (const auto &x : results)
            if (!x.toObject().value("success").toBool())
                qWarning("insert %s: %s", qPrintable(object), r.body.constData());
        return results.isEmpty() ? QString() : results.first().toObject().value("id").toString();
    }

    QByteArray v1JobXml(const QByteArray &operation, const QByteArray &object, const QByteArray &contentType = "CSV")
    {
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?><jobInfo xmlns=\"" + ns + "\"><operation>" + operation + "</operation><object>" + object +
               "</object><concurrencyMode>Parallel</concurrencyMode><contentType>" + contentType + "</contentType></jobInfo>";
    }
    QString v1WaitBatch(const QString &job, const QString &batch, bool jsonJob = false)
    {
        for (int i = 0; i < 1000; ++i) {
            const HttpResponse r = send("GET", v1 + "/job/" + job + "/batch/" + batch);
            const QString state = jsonJob ? json(r).value("state").toString() : xml(r.body, "state");
            if (state == QLatin1String("Completed") || state == QLatin1String("Failed") || state == QLatin1String("NotProcessed"))
                return state;
            QThread::msleep(20);
        }
        return QStringLiteral("timeout");
    }

private slots:
    void initTestCase()
    {
        // Scale 0.25: a query job waits 0.5 s (2 platform seconds) before it runs, long enough
        // to see it queued and to abort it; the records take no measurable time.
        QVERIFY2(org.start({QStringLiteral("--scale"), QStringLiteral("0.25")}), qPrintable(org.error()));
        acmeId = insert("Account", {QJsonObject{{"Name", "Acme, \"the\" Corp"}, {"BillingCity", "Paris"}, {"NumberOfEmployees", 12}, {"AnnualRevenue", 1500.5}}});
        globexId = insert("Account", {QJsonObject{{"Name", "Globex\nLine two"}}});
        QVERIFY(!acmeId.isEmpty() && !globexId.isEmpty());
        QJsonArray contacts;
        for (int i = 0; i < 5; ++i)
            contacts.append(QJsonObject{{"LastName", QStringLiteral("Contact%1").arg(i)},
                                        {"Email", QStringLiteral("c%1@example.com").arg(i)},
                                        {"AccountId", i < 3 ? acmeId : i == 3 ? globexId : QJsonValue()}});
        QVERIFY(!insert("Contact", contacts).isEmpty());
        QVERIFY(!insert("Opportunity", {QJsonObject{{"Name", "Deal"}, {"StageName", "Prospecting"}, {"CloseDate", "2024-05-01"}, {"Amount", 250.0},
                                                    {"AccountId", acmeId}}})
                     .isEmpty());
    }
    void cleanupTestCase() { QCOMPARE(org.stop(), 0); }

    void v2JobLifecycleInTheOrgsTime()
    {
        QElapsedTimer timer;
        timer.start();
        const HttpResponse created = send("POST", queryJobs, R"({"operation":"query","query":"SELECT Id, LastName, Account.Name, Email FROM Contact ORDER BY LastName","contentType":"CSV","columnDelimiter":"COMMA","lineEnding":"LF"})");
        QCOMPARE(created.status, 200);
        const QJsonObject job = json(created);
        const QString id = job.value("id").toString();
        QVERIFY(id.startsWith("750") && id.size() == 18);
        QCOMPARE(job.value("state").toString(), QStringLiteral("UploadComplete"));
        QCOMPARE(job.value("operation").toString(), QStringLiteral("query"));
        QCOMPARE(job.value("object").toString(), QStringLiteral("Contact"));
        QCOMPARE(job.value("jobType").toString(), QStringLiteral("V2Query"));
        QCOMPARE(job.value("contentType").toString(), QStringLiteral("CSV"));
        QCOMPARE(job.value("apiVersion").toDouble(), 62.0);
        QVERIFY(job.contains("numberRecordsProcessed"));
        // Not ready yet: results are refused until JobComplete.
        const HttpResponse early = send("GET", queryJobs + "/" + id + "/results");
        QCOMPARE(early.status, 412);
        QCOMPARE(firstError(early).value("errorCode").toString(), QStringLiteral("JOB_NOT_COMPLETE"));

        const QStringList states = waitQueryJob(id);
        QCOMPARE(states.front(), QStringLiteral("UploadComplete"));
        QCOMPARE(states.back(), QStringLiteral("JobComplete"));
        QVERIFY2(timer.elapsed() >= 450, "the job waits bulkQueryStartSeconds × scale (0.5 s) before it runs");
        const QJsonObject done = json(send("GET", queryJobs + "/" + id));
        QCOMPARE(done.value("numberRecordsProcessed").toInt(), 5);

        const HttpResponse page = send("GET", queryJobs + "/" + id + "/results");
        QCOMPARE(page.status, 200);
        QVERIFY(page.contentType().startsWith("text/csv"));
        QCOMPARE(page.header("Sforce-Locator"), QByteArray("null"));
        QCOMPARE(page.header("Sforce-NumberOfRecords"), QByteArray("5"));
        const QList<QByteArray> lines = page.body.split('\n');
        QCOMPARE(lines.front(), QByteArray(R"("Id","LastName","Account.Name","Email")"));
        const auto rows = parseCsv(page.body);
        QCOMPARE(rows.size(), size_t(6));
        QCOMPARE(rows[1][1], QStringLiteral("Contact0"));
        QCOMPARE(rows[1][2], QStringLiteral("Acme, \"the\" Corp"));
        QCOMPARE(rows[4][2], QStringLiteral("Globex\nLine two"));
        QCOMPARE(rows[5][2], QString());   // no Account: empty
        QVERIFY(page.body.contains(R"("Contact4","","c4@example.com")"));   // null as "", every value quoted
        QVERIFY(rows[1][0].startsWith("003"));
    }

    void v2PagesWithLocatorAndMaxRecords()
    {
        const QString id = createQueryJob("SELECT Id, LastName FROM Contact ORDER BY LastName");
        QCOMPARE(waitQueryJob(id).back(), QStringLiteral("JobComplete"));
        QStringList names;
        QByteArray locator;
        QList<QByteArray> locators;
        for (int pages = 0; pages < 10; ++pages) {
            const QString path = queryJobs + "/" + id + "/results?maxRecords=2" + (locator.isEmpty() ? QString() : "&locator=" + QString::fromLatin1(locator));
            const HttpResponse r = send("GET", path);
            QCOMPARE(r.status, 200);
            const auto rows = parseCsv(r.body);
            QCOMPARE(rows.front(), (QStringList{"Id", "LastName"}));   // every page has the header
            QCOMPARE(r.header("Sforce-NumberOfRecords").toLongLong(), qint64(rows.size() - 1));
            for (size_t i = 1; i < rows.size(); ++i)
                names << rows[i][1];
            locator = r.header("Sforce-Locator");
            locators << locator;
            if (locator == "null")
                break;
        }
        QCOMPARE(names, (QStringList{"Contact0", "Contact1", "Contact2", "Contact3", "Contact4"}));
        QCOMPARE(locators.size(), 3);
        QCOMPARE(locators.back(), QByteArray("null"));
        // A locator stays valid: the second page again.
        const HttpResponse again = send("GET", queryJobs + "/" + id + "/results?maxRecords=2&locator=" + QString::fromLatin1(locators.front()));
        QCOMPARE(parseCsv(again.body)[1][1], QStringLiteral("Contact2"));
        QCOMPARE(send("GET", queryJobs + "/" + id + "/results?locator=not*base64").status, 400);
    }

    void v2DelimiterLineEndingAndTypes()
    {
        const QString id = createQueryJob("SELECT Name, NumberOfEmployees, AnnualRevenue, CreatedDate FROM Account WHERE Id = '" + acmeId + "'",
                                          {{"columnDelimiter", "PIPE"}, {"lineEnding", "CRLF"}});
        QCOMPARE(waitQueryJob(id).back(), QStringLiteral("JobComplete"));
        const HttpResponse r = send("GET", queryJobs + "/" + id + "/results");
        QVERIFY2(r.body.startsWith("\"Name\"|\"NumberOfEmployees\"|\"AnnualRevenue\"|\"CreatedDate\"\r\n"), r.body.constData());
        const auto rows = parseCsv(r.body, '|');
        QCOMPARE(rows.size(), size_t(2));
        QCOMPARE(rows[1][1], QStringLiteral("12"));
        QCOMPARE(rows[1][2], QStringLiteral("1500.5"));
        // Datetimes as the Bulk API writes them: UTC with milliseconds and Z.
        QVERIFY2(QRegularExpression(R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$)").match(rows[1][3]).hasMatch(), qPrintable(rows[1][3]));
    }

    void v2AbortDeleteListAndErrors()
    {
        const QString id = createQueryJob("SELECT Id FROM Account");
        const HttpResponse aborted = send("PATCH", queryJobs + "/" + id, R"({"state":"Aborted"})");
        QCOMPARE(aborted.status, 200);
        QCOMPARE(json(aborted).value("state").toString(), QStringLiteral("Aborted"));
        QThread::msleep(700);   // past the start: an aborted job never runs
        QCOMPARE(json(send("GET", queryJobs + "/" + id)).value("state").toString(), QStringLiteral("Aborted"));
        QCOMPARE(send("PATCH", queryJobs + "/" + id, R"({"state":"Aborted"})").status, 400);

        const QString running = createQueryJob("SELECT Id FROM Account");
        QCOMPARE(send("DELETE", queryJobs + "/" + running).status, 400);   // not finished yet
        QCOMPARE(waitQueryJob(running).back(), QStringLiteral("JobComplete"));

        const QJsonArray listed = json(send("GET", queryJobs)).value("records").toArray();
        QStringList ids;
        for (const auto &j : listed) {
            ids << j.toObject().value("id").toString();
            QCOMPARE(j.toObject().value("jobType").toString(), QStringLiteral("V2Query"));
        }
        QVERIFY(ids.contains(id) && ids.contains(running));
        // Query jobs are not ingest jobs.
        QVERIFY(!send("GET", v + "/jobs/ingest").body.contains(id.toLatin1()));
        QCOMPARE(send("GET", v + "/jobs/ingest/" + id).status, 404);

        QCOMPARE(send("DELETE", queryJobs + "/" + running).status, 204);
        const HttpResponse gone = send("GET", queryJobs + "/" + running);
        QCOMPARE(gone.status, 404);
        QCOMPARE(firstError(gone).value("message").toString(), QStringLiteral("The requested resource does not exist"));

        // A bad query never becomes a job.
        HttpResponse bad = send("POST", queryJobs, R"({"operation":"query","query":"SELECT Nope FROM Account"})");
        QCOMPARE(bad.status, 400);
        QCOMPARE(firstError(bad).value("errorCode").toString(), QStringLiteral("INVALID_FIELD"));
        bad = send("POST", queryJobs, R"({"operation":"query","query":"SELECT Id FROM Nothing__c"})");
        QCOMPARE(firstError(bad).value("errorCode").toString(), QStringLiteral("INVALID_TYPE"));
        bad = send("POST", queryJobs, R"({"operation":"query","query":"SELECT Id, Foo.Name FROM Contact"})");
        QCOMPARE(firstError(bad).value("errorCode").toString(), QStringLiteral("INVALID_FIELD"));
        QVERIFY(firstError(bad).value("message").toString().contains("Didn't understand relationship 'Foo'"));
        bad = send("POST", queryJobs, R"({"operation":"insert","query":"SELECT Id FROM Account"})");
        QCOMPARE(bad.status, 400);
        bad = send("POST", queryJobs, R"({"operation":"query","query":"SELECT Id FROM Account","columnDelimiter":"SPACE"})");
        QCOMPARE(bad.status, 400);
    }

    void v2QueryAll()
    {
        const QString id = createQueryJob("SELECT Id FROM Opportunity", {{"operation", "queryAll"}});
        QCOMPARE(waitQueryJob(id).back(), QStringLiteral("JobComplete"));
        QCOMPARE(json(send("GET", queryJobs + "/" + id)).value("operation").toString(), QStringLiteral("queryAll"));
        QCOMPARE(parseCsv(send("GET", queryJobs + "/" + id + "/results").body).size(), size_t(2));
    }

    void v1CsvQuery()
    {
        HttpResponse r = send("POST", v1 + "/job", v1JobXml("query", "Contact"), "application/xml; charset=UTF-8");
        QCOMPARE(r.status, 201);
        QCOMPARE(xml(r.body, "operation"), QStringLiteral("query"));
        const QString job = xml(r.body, "id");
        // The batch is the SOQL, sent as the job's content type (Data Loader and jsforce: text/csv).
        r = send("POST", v1 + "/job/" + job + "/batch", "SELECT Id, LastName, Account.Name FROM Contact WHERE Account.Name LIKE 'Acme%' ORDER BY LastName DESC",
                 "text/csv; charset=UTF-8");
        QCOMPARE(r.status, 201);
        const QString batch = xml(r.body, "id");
        QCOMPARE(xml(r.body, "state"), QStringLiteral("Queued"));
        QCOMPARE(v1WaitBatch(job, batch), QStringLiteral("Completed"));
        QCOMPARE(xml(send("GET", v1 + "/job/" + job + "/batch/" + batch).body, "numberRecordsProcessed"), QStringLiteral("3"));
        const HttpResponse list = send("GET", v1 + "/job/" + job + "/batch/" + batch + "/result");
        QCOMPARE(list.status, 200);
        QVERIFY2(list.body.contains("<result-list xmlns=\"" + ns + "\"><result>752"), list.body.constData());
        const QString resultId = xml(list.body, "result");
        const HttpResponse file = send("GET", v1 + "/job/" + job + "/batch/" + batch + "/result/" + resultId);
        QCOMPARE(file.status, 200);
        QVERIFY(file.contentType().startsWith("text/csv"));
        const auto rows = parseCsv(file.body);
        QCOMPARE(rows.front(), (QStringList{"Id", "LastName", "Account.Name"}));
        QCOMPARE(rows.size(), size_t(4));
        QCOMPARE(rows[1][1], QStringLiteral("Contact2"));
        QCOMPARE(rows[1][2], QStringLiteral("Acme, \"the\" Corp"));
        r = send("POST", v1 + "/job/" + job, "<jobInfo xmlns=\"" + ns + "\"><state>Closed</state></jobInfo>", "application/xml");
        QCOMPARE(xml(r.body, "state"), QStringLiteral("Closed"));
        QCOMPARE(xml(r.body, "numberRecordsProcessed"), QStringLiteral("3"));

        // No records: Salesforce's sentence instead of a CSV.
        r = send("POST", v1 + "/job/" + job + "/batch", "SELECT Id FROM Contact WHERE LastName = 'nobody'", "text/csv");
        QCOMPARE(r.status, 400);   // the job is closed
        r = send("POST", v1 + "/job", v1JobXml("queryAll", "Contact"), "application/xml");
        const QString job2 = xml(r.body, "id");
        QCOMPARE(xml(r.body, "operation"), QStringLiteral("queryAll"));
        const QString empty = xml(send("POST", v1 + "/job/" + job2 + "/batch", "SELECT Id FROM Contact WHERE LastName = 'nobody'", "text/csv").body, "id");
        QCOMPARE(v1WaitBatch(job2, empty), QStringLiteral("Completed"));
        const QString emptyResult = xml(send("GET", v1 + "/job/" + job2 + "/batch/" + empty + "/result").body, "result");
        QCOMPARE(send("GET", v1 + "/job/" + job2 + "/batch/" + empty + "/result/" + emptyResult).body, QByteArray("Records not found for this query"));
    }

    void v1QueryBatchFailures()
    {
        const QString job = xml(send("POST", v1 + "/job", v1JobXml("query", "Account"), "application/xml").body, "id");
        HttpResponse r = send("POST", v1 + "/job/" + job + "/batch", "SELECT Id FROM Contact", "text/csv");
        QCOMPARE(r.status, 201);
        const QString other = xml(r.body, "id");
        QCOMPARE(v1WaitBatch(job, other), QStringLiteral("Failed"));
        QCOMPARE(xml(send("GET", v1 + "/job/" + job + "/batch/" + other).body, "stateMessage"),
                 QStringLiteral("InvalidBatch : Failed to process query: INVALID_TYPE_FOR_OPERATION: The root entity of the requested query (Contact) "
                                "does not match the entity of the requested Bulk API Job (Account)."));
        const QString bad = xml(send("POST", v1 + "/job/" + job + "/batch", "SELECT Nope FROM Account", "text/csv").body, "id");
        QCOMPARE(v1WaitBatch(job, bad), QStringLiteral("Failed"));
        QVERIFY(xml(send("GET", v1 + "/job/" + job + "/batch/" + bad).body, "stateMessage").startsWith("InvalidBatch : Failed to process query: INVALID_FIELD:"));
        // A failed batch has no results: the batch's error, as for an ingest batch.
        r = send("GET", v1 + "/job/" + job + "/batch/" + bad + "/result");
        QCOMPARE(r.status, 400);
        QCOMPARE(xml(r.body, "exceptionCode"), QStringLiteral("InvalidBatch"));
        QCOMPARE(xml(send("GET", v1 + "/job/" + job).body, "numberBatchesFailed"), QStringLiteral("2"));
    }

    void v1JsonQueryDatesAsEpochMillis()
    {
        const QByteArray body = R"({"operation":"query","object":"Opportunity","contentType":"JSON"})";
        HttpResponse r = send("POST", v1 + "/job", body, "application/json");
        QCOMPARE(r.status, 201);
        const QString job = json(r).value("id").toString();
        QCOMPARE(json(r).value("contentType").toString(), QStringLiteral("JSON"));
        r = send("POST", v1 + "/job/" + job + "/batch", "SELECT Id, Name, CloseDate, Amount, Account.Name, Account.BillingCity FROM Opportunity", "application/json");
        QCOMPARE(r.status, 201);
        const QString batch = json(r).value("id").toString();
        QCOMPARE(v1WaitBatch(job, batch, true), QStringLiteral("Completed"));
        const QJsonArray ids = QJsonDocument::fromJson(send("GET", v1 + "/job/" + job + "/batch/" + batch + "/result").body).array();
        QCOMPARE(ids.size(), 1);
        const QJsonArray records = QJsonDocument::fromJson(send("GET", v1 + "/job/" + job + "/batch/" + batch + "/result/" + ids[0].toString()).body).array();
        QCOMPARE(records.size(), 1);
        const QJsonObject o = records[0].toObject();
        QCOMPARE(o.value("attributes").toObject().value("type").toString(), QStringLiteral("Opportunity"));
        QVERIFY(o.value("attributes").toObject().value("url").toString().startsWith("/services/data/v62.0/sobjects/Opportunity/006"));
        QCOMPARE(o.value("CloseDate").toDouble(), 1714521600000.0);   // 2024-05-01T00:00:00Z
        QCOMPARE(o.value("Amount").toDouble(), 250.0);
        const QJsonObject account = o.value("Account").toObject();
        QCOMPARE(account.value("attributes").toObject().value("type").toString(), QStringLiteral("Account"));
        QCOMPARE(account.value("Name").toString(), QStringLiteral("Acme, \"the\" Corp"));
        QCOMPARE(account.value("BillingCity").toString(), QStringLiteral("Paris"));
    }

    void v1XmlQuery()
    {
        const QString job = xml(send("POST", v1 + "/job", v1JobXml("query", "Contact", "XML"), "application/xml").body, "id");
        const QString batch = xml(send("POST", v1 + "/job/" + job + "/batch", "SELECT LastName, Account.Name FROM Contact WHERE LastName IN ('Contact0', 'Contact4') ORDER BY LastName",
                                       "application/xml")
                                      .body,
                                  "id");
        QCOMPARE(v1WaitBatch(job, batch), QStringLiteral("Completed"));
        const QString resultId = xml(send("GET", v1 + "/job/" + job + "/batch/" + batch + "/result").body, "result");
        const HttpResponse r = send("GET", v1 + "/job/" + job + "/batch/" + batch + "/result/" + resultId);
        QVERIFY(r.contentType().startsWith("application/xml"));
        QVERIFY2(r.body.contains("<queryResult xmlns=\"" + ns + "\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">"), r.body.constData());
        QVERIFY(r.body.contains("<records xsi:type=\"sObject\"><type>Contact</type><LastName>Contact0</LastName><Account xsi:type=\"sObject\"><type>Account</type>"
                                "<Name>Acme, &quot;the&quot; Corp</Name></Account></records>") ||
                r.body.contains("<Name>Acme, \"the\" Corp</Name>"));
        QVERIFY(r.body.contains("<LastName>Contact4</LastName><Account xsi:nil=\"true\"/></records>"));
    }

    void restRelationshipFields()
    {
        const QString soql = QStringLiteral("SELECT LastName, Account.Name, Account.Owner.Username FROM Contact WHERE LastName IN ('Contact0','Contact4') ORDER BY LastName");
        const HttpResponse r = send("GET", v + "/query?q=" + QString::fromLatin1(QUrl::toPercentEncoding(soql)));
        QCOMPARE(r.status, 200);
        const QJsonArray records = json(r).value("records").toArray();
        QCOMPARE(records.size(), 2);
        const QJsonObject account = records[0].toObject().value("Account").toObject();
        QCOMPARE(account.value("attributes").toObject().value("url").toString(), "/services/data/v62.0/sobjects/Account/" + acmeId);
        QCOMPARE(account.value("Name").toString(), QStringLiteral("Acme, \"the\" Corp"));
        QCOMPARE(account.value("Owner").toObject().value("Username").toString(), org.username);
        QVERIFY(records[1].toObject().value("Account").isNull());
        // The CLI's column metadata nests a relationship's fields.
        const QJsonArray columns = json(send("GET", v + "/query?columns=true&q=" + QString::fromLatin1(QUrl::toPercentEncoding(soql)))).value("columnMetadata").toArray();
        QCOMPARE(columns.size(), 2);
        QCOMPARE(columns[1].toObject().value("columnName").toString(), QStringLiteral("Account"));
        const QJsonArray joins = columns[1].toObject().value("joinColumns").toArray();
        QCOMPARE(joins[0].toObject().value("displayName").toString(), QStringLiteral("Account.Name"));
        QCOMPARE(joins[1].toObject().value("joinColumns").toArray()[0].toObject().value("displayName").toString(), QStringLiteral("Account.Owner.Username"));
        // Filters and sorts through a relationship.
        const HttpResponse filtered = send("GET", v + "/query?q=" + QString::fromLatin1(QUrl::toPercentEncoding(
                                                                              "SELECT LastName FROM Contact WHERE Account.Name = 'Acme, \\'the\\' Corp' ORDER BY Account.Name, LastName")));
        QCOMPARE(json(filtered).value("totalSize").toInt(), 0);   // the name has double quotes, not single
        const HttpResponse sorted = send("GET", v + "/query?q=" + QString::fromLatin1(QUrl::toPercentEncoding(
                                                                            "SELECT LastName FROM Contact WHERE Account.BillingCity = 'Paris' ORDER BY LastName DESC")));
        QCOMPARE(json(sorted).value("totalSize").toInt(), 3);
        QCOMPARE(json(sorted).value("records").toArray()[0].toObject().value("LastName").toString(), QStringLiteral("Contact2"));
    }
};

QTEST_GUILESS_MAIN(TestDemoOrgBulkQuery)
#include "tst_demoorg_bulkquery.moc"
