#include "DemoOrgTestSupport.h"

#include "org/HttpClient.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QUrl>
#include <QUrlQuery>

using namespace lockstep;
using namespace lockstep::test;
// Unambiguous whether or not core has a DemoOrgProcess of its own.
using TestOrg = lockstep::test::DemoOrgProcess;

namespace {

const QString v = QStringLiteral("/services/data/v62.0");
const QString v1 = QStringLiteral("/services/async/62.0");
const QByteArray ns = "http://www.force.com/2009/06/asyncapi/dataload";

// One connection to one org, as a loader holds it: a session it may have to renew.
struct Session {
    QString url;
    QString token;
    HttpClient http;

    // A transport failure comes back as status 0 (body: the reason); nothing is ever resent here.
    HttpResponse send(const QByteArray &method, const QString &path, const QByteArray &body = {}, const QByteArray &type = "application/json")
    {
        HttpRequest request;
        request.method = method;
        request.url = url + path;
        request.body = body;
        if (!body.isEmpty())
            request.header("Content-Type", type);
        if (path.startsWith(v1))
            request.header("X-SFDC-Session", token.toLatin1());
        else if (!path.startsWith(QLatin1String("/services/oauth2")))
            request.header("Authorization", "Bearer " + token.toLatin1());
        auto response = http.send(request);
        if (!response)
            return HttpResponse{0, {}, response.error().error.message.toUtf8(), 0};
        return *response;
    }
    QJsonObject writes(const QString &object)
    {
        const HttpResponse r = send("GET", "/lockstep/writes?sobject=" + object);
        if (r.status != 200)
            qWarning("writes: %d %s", r.status, r.body.constData());
        return QJsonDocument::fromJson(r.body).object();
    }
};

QByteArray form(const QList<QPair<QString, QString>> &fields)
{
    QUrlQuery q;
    for (const auto &[k, val] : fields)
        q.addQueryItem(k, QString::fromLatin1(QUrl::toPercentEncoding(val)));
    return q.toString(QUrl::FullyEncoded).toLatin1();
}

QJsonObject json(const HttpResponse &r)
{
    return QJsonDocument::fromJson(r.body).object();
}

QByteArray collection(const QString &object, const QJsonArray &records)
{
    QJsonArray typed;
    for (const auto &r : records) {
        QJsonObject o = r.toObject();
        o.insert("attributes", QJsonObject{{"type", object}});
        typed.append(o);
    }
    return QJsonDocument(QJsonObject{{"allOrNone", false}, {"records", typed}}).toJson(QJsonDocument::Compact);
}

} // namespace

// The write log a crash-safety test reads (GET /lockstep/writes?sobject=X): every committed
// insert, update, upsert and delete counted once per record through REST, sObject Collections,
// Bulk API 1.0 and 2.0; failed writes and the org's own records not counted; kept with the
// records across a restart; exact under dropped answers (committed, then the connection
// closed) and 500s; sessions the fault injector expires renewed the ways real clients renew.
class TestDemoOrgWriteLog : public QObject {
    Q_OBJECT

    QString v1Batch(Session &s, const QByteArray &operation, const QByteArray &object, const QByteArray &csv)
    {
        const QByteArray job = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><jobInfo xmlns=\"" + ns + "\"><operation>" + operation + "</operation><object>" + object +
                               "</object><contentType>CSV</contentType></jobInfo>";
        const QString jobId = xmlValue(s.send("POST", v1 + "/job", job, "application/xml").body, "id");
        const QString batch = xmlValue(s.send("POST", v1 + "/job/" + jobId + "/batch", csv, "text/csv").body, "id");
        for (int i = 0; i < 500; ++i) {
            const QString state = xmlValue(s.send("GET", v1 + "/job/" + jobId + "/batch/" + batch).body, "state");
            if (state == QLatin1String("Completed") || state == QLatin1String("Failed"))
                return state;
            QThread::msleep(20);
        }
        return QStringLiteral("timeout");
    }
    QString v2Job(Session &s, const QJsonObject &job, const QByteArray &csv)
    {
        const QString id = json(s.send("POST", v + "/jobs/ingest", QJsonDocument(job).toJson())).value("id").toString();
        if (s.send("PUT", v + "/jobs/ingest/" + id + "/batches", csv, "text/csv").status != 201)
            return QStringLiteral("upload failed");
        s.send("PATCH", v + "/jobs/ingest/" + id, R"({"state":"UploadComplete"})");
        for (int i = 0; i < 500; ++i) {
            const QString state = json(s.send("GET", v + "/jobs/ingest/" + id)).value("state").toString();
            if (state == QLatin1String("JobComplete") || state == QLatin1String("Failed"))
                return state;
            QThread::msleep(20);
        }
        return QStringLiteral("timeout");
    }
    static QString idByExternal(Session &s, const QString &object, const QString &external)
    {
        const QString soql = QStringLiteral("SELECT Id FROM %1 WHERE External_Id__c = '%2'").arg(object, external);
        const QJsonArray records = json(s.send("GET", v + "/query?q=" + QString::fromLatin1(QUrl::toPercentEncoding(soql)))).value("records").toArray();
        return records.isEmpty() ? QString() : records[0].toObject().value("Id").toString();
    }

private slots:
    void everyApiCountsEachCommittedWrite()
    {
        TestOrg org;
        QVERIFY2(org.start({QStringLiteral("--scale"), QStringLiteral("0")}), qPrintable(org.error()));
        Session s{org.url, org.token, {}};

        // REST: insert, update, upsert by external id (created), delete.
        const QString rest = json(s.send("POST", v + "/sobjects/Account", R"({"Name":"Rest One","External_Id__c":"R1"})")).value("id").toString();
        QVERIFY(rest.startsWith("001"));
        QCOMPARE(s.send("PATCH", v + "/sobjects/Account/" + rest, R"({"Phone":"555"})").status, 204);
        QCOMPARE(s.send("PATCH", v + "/sobjects/Account/External_Id__c/R4", R"({"Name":"Rest Four"})").status, 201);
        // sObject Collections: insert two, update one, upsert one existing and one new, delete one.
        const QJsonArray inserted = QJsonDocument::fromJson(s.send("POST", v + "/composite/sobjects",
                                                                   collection("Account", {QJsonObject{{"Name", "Coll One"}, {"BillingCity", "Lyon"}, {"External_Id__c", "C1"}},
                                                                                          QJsonObject{{"Name", "Coll Two"}, {"External_Id__c", "C2"}}}))
                                                                .body)
                                        .array();
        const QString c1 = inserted[0].toObject().value("id").toString();
        const QString c2 = inserted[1].toObject().value("id").toString();
        QVERIFY(!c1.isEmpty() && !c2.isEmpty());
        QCOMPARE(s.send("PATCH", v + "/composite/sobjects", collection("Account", {QJsonObject{{"Id", c1}, {"Phone", "1"}}})).status, 200);
        const QJsonArray upserted = QJsonDocument::fromJson(s.send("PATCH", v + "/composite/sobjects/Account/External_Id__c",
                                                                   collection("Account", {QJsonObject{{"External_Id__c", "C2"}, {"Phone", "2"}},
                                                                                          QJsonObject{{"External_Id__c", "C3"}, {"Name", "Coll Three"}}}))
                                                                .body)
                                        .array();
        QCOMPARE(upserted.size(), 2);
        const QString c3 = upserted[1].toObject().value("id").toString();
        QCOMPARE(s.send("DELETE", v + "/composite/sobjects?ids=" + c3).status, 200);
        QCOMPARE(s.send("DELETE", v + "/sobjects/Account/" + rest).status, 204);
        // Bulk 1.0 insert, Bulk 2.0 update of one of them.
        QCOMPARE(v1Batch(s, "insert", "Account", "Name,External_Id__c\nBulk One,B1\nBulk Two,B2\n"), QStringLiteral("Completed"));
        const QString b1 = idByExternal(s, "Account", "B1");
        QVERIFY(!b1.isEmpty());
        QCOMPARE(v2Job(s, {{"object", "Account"}, {"operation", "update"}}, "Id,Phone\n" + b1.toLatin1() + ",42\n"), QStringLiteral("JobComplete"));
        // Bulk 2.0 upsert: one update (B2), one insert (B3).
        QCOMPARE(v2Job(s, {{"object", "Account"}, {"operation", "upsert"}, {"externalIdFieldName", "External_Id__c"}},
                       "External_Id__c,Name\nB2,Bulk Two again\nB3,Bulk Three\n"),
                 QStringLiteral("JobComplete"));

        // Failed writes commit nothing: a missing required field, a duplicate (Name + city rule).
        const QJsonArray failed = QJsonDocument::fromJson(s.send("POST", v + "/composite/sobjects",
                                                                 collection("Account", {QJsonObject{{"Phone", "no name"}},
                                                                                        QJsonObject{{"Name", "Coll One"}, {"BillingCity", "Lyon"}, {"External_Id__c", "C9"}}}))
                                                              .body)
                                      .array();
        QVERIFY(!failed[0].toObject().value("success").toBool());
        QCOMPARE(failed[1].toObject().value("errors").toArray()[0].toObject().value("statusCode").toString(), QStringLiteral("DUPLICATES_DETECTED"));

        const QJsonObject log = s.writes("Account");
        const QJsonObject writes = log.value("writes").toObject();
        const QJsonObject external = log.value("externalIds").toObject();
        QHash<QString, int> byExternal;
        for (auto it = writes.begin(); it != writes.end(); ++it)
            byExternal.insert(external.value(it.key()).toString(), it->toInt());
        const QHash<QString, int> expected{{"R1", 3}, {"R4", 1}, {"C1", 2}, {"C2", 2}, {"C3", 2}, {"B1", 2}, {"B2", 2}, {"B3", 1}};
        QCOMPARE(byExternal, expected);
        QCOMPARE(log.value("records").toInt(), 8);
        QCOMPARE(log.value("totalWrites").toInt(), 15);
        QCOMPARE(log.value("sobject").toString(), QStringLiteral("Account"));
        QStringList deleted;
        for (const auto &d : log.value("deleted").toArray())
            deleted << d.toString();
        deleted.sort();
        QStringList wantDeleted{rest, c3};
        wantDeleted.sort();
        QCOMPARE(deleted, wantDeleted);

        // The org's own records (its user, its organization) are no client's writes.
        QCOMPARE(s.writes("User").value("records").toInt(), 0);
        // A master deleted through the API takes its cascade-deleted children: their log stays.
        const QString master = json(s.send("POST", v + "/sobjects/Invoice__c", R"({"Name":"INV-1"})")).value("id").toString();
        QCOMPARE(s.send("POST", v + "/composite/sobjects",
                        collection("Invoice_Line__c", {QJsonObject{{"Master__c", master}, {"Amount__c", 1}}, QJsonObject{{"Master__c", master}, {"Amount__c", 2}}}))
                     .status,
                 200);
        QCOMPARE(s.send("DELETE", v + "/sobjects/Invoice__c/" + master).status, 204);
        QCOMPARE(s.writes("Invoice__c").value("writes").toObject().value(master).toInt(), 2);
        const QJsonObject lines = s.writes("Invoice_Line__c");
        QCOMPARE(lines.value("records").toInt(), 2);
        QCOMPARE(lines.value("totalWrites").toInt(), 2);
        QCOMPARE(lines.value("deleted").toArray().size(), 2);

        // Unknown objects are refused; DELETE starts a log afresh.
        QCOMPARE(s.send("GET", "/lockstep/writes").status, 400);
        QCOMPARE(s.send("GET", "/lockstep/writes?sobject=Nothing__c").status, 400);
        QCOMPARE(s.send("DELETE", "/lockstep/writes?sobject=Account").status, 204);
        QCOMPARE(s.writes("Account").value("records").toInt(), 0);
        QCOMPARE(s.send("PATCH", v + "/sobjects/Account/" + c1, R"({"Phone":"3"})").status, 204);
        QCOMPARE(s.writes("Account").value("writes").toObject(), (QJsonObject{{c1, 1}}));
        QCOMPARE(org.stop(), 0);
    }

    void keptWithTheRecordsAcrossARestart()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QStringList args{QStringLiteral("--scale"), QStringLiteral("0"), QStringLiteral("--data"), dir.path()};
        QString id;
        {
            TestOrg org;
            QVERIFY2(org.start(args), qPrintable(org.error()));
            Session s{org.url, org.token, {}};
            id = json(s.send("POST", v + "/sobjects/Contact", R"({"LastName":"Kept","External_Id__c":"K1"})")).value("id").toString();
            QCOMPARE(s.send("PATCH", v + "/sobjects/Contact/" + id, R"({"FirstName":"Still"})").status, 204);
            QCOMPARE(org.stop(), 0);
        }
        TestOrg again;
        QVERIFY2(again.start(args), qPrintable(again.error()));
        Session s{again.url, again.token, {}};
        QCOMPARE(s.writes("Contact").value("writes").toObject(), (QJsonObject{{id, 2}}));
        QCOMPARE(s.writes("Contact").value("externalIds").toObject(), (QJsonObject{{id, "K1"}}));
        QCOMPARE(s.send("PATCH", v + "/sobjects/Contact/" + id, R"({"FirstName":"Again"})").status, 204);
        QCOMPARE(s.writes("Contact").value("writes").toObject(), (QJsonObject{{id, 3}}));
        QCOMPARE(again.stop(), 0);
    }

    // What the crash test relies on, in small: a loader that resends what was refused (500: nothing
    // done) and reconciles what went unanswered (the org committed, then dropped the connection)
    // by external id ends with exactly one committed write per row — and the log proves it.
    void droppedAnswersAndServerErrorsLeaveExactlyOneWritePerRow()
    {
        TestOrg org;
        QVERIFY2(org.start({QStringLiteral("--scale"), QStringLiteral("0"), QStringLiteral("--faults"), QStringLiteral("500=0.2,drop=0.25"),
                            QStringLiteral("--seed"), QStringLiteral("11")}),
                 qPrintable(org.error()));
        Session s{org.url, org.token, {}};
        constexpr int rows = 40;
        int drops = 0, serverErrors = 0, resent = 0;
        for (int i = 0; i < rows; ++i) {
            const QString external = QStringLiteral("D%1").arg(i);
            for (int attempt = 0; attempt < 50; ++attempt) {
                const HttpResponse r = s.send("POST", v + "/composite/sobjects",
                                              collection("Account", {QJsonObject{{"Name", "Dropped " + external}, {"External_Id__c", external}}}));
                if (r.status == 200) {
                    QVERIFY2(QJsonDocument::fromJson(r.body).array()[0].toObject().value("success").toBool(), r.body.constData());
                    break;
                }
                if (r.status == 500) {   // refused before any work: safe to resend
                    ++serverErrors;
                    ++resent;
                    continue;
                }
                QCOMPARE(r.status, 0);   // no answer: committed or not? Ask the org (reads may fail too).
                ++drops;
                QString found;
                bool asked = false;
                for (int q = 0; q < 50 && !asked; ++q) {
                    const QString soql = QStringLiteral("SELECT Id FROM Account WHERE External_Id__c = '%1'").arg(external);
                    const HttpResponse answer = s.send("GET", v + "/query?q=" + QString::fromLatin1(QUrl::toPercentEncoding(soql)));
                    if (answer.status == 200) {
                        asked = true;
                        const QJsonArray records = json(answer).value("records").toArray();
                        found = records.isEmpty() ? QString() : records[0].toObject().value("Id").toString();
                    }
                }
                QVERIFY(asked);
                if (!found.isEmpty())
                    break;
                ++resent;
            }
        }
        QVERIFY2(drops > 0 && serverErrors > 0, "the seed must produce both faults");
        const QJsonObject log = s.writes("Account");
        QCOMPARE(log.value("records").toInt(), rows);
        QCOMPARE(log.value("totalWrites").toInt(), rows);
        QSet<QString> externals;
        for (const auto &e : log.value("externalIds").toObject())
            externals.insert(e.toString());
        QCOMPARE(externals.size(), rows);
        for (const auto &w : log.value("writes").toObject())
            QCOMPARE(w.toInt(), 1);
        qInfo("%d rows: %d answers dropped after the commit, %d server errors, %d requests resent", rows, drops, serverErrors, resent);
        QCOMPARE(org.stop(), 0);
    }

    // The injector ends sessions (401 INVALID_SESSION_ID before any work); a client renews as real
    // clients do — a refresh token, or the username-password flow again — and sends the refused
    // request once more. The org never faults its OAuth endpoints.
    void expiredSessionsAreRenewedWithARefreshTokenOrAPasswordLogin()
    {
        TestOrg org;
        QVERIFY2(org.start({QStringLiteral("--scale"), QStringLiteral("0"), QStringLiteral("--faults"), QStringLiteral("expire=0.3"),
                            QStringLiteral("--seed"), QStringLiteral("5")}),
                 qPrintable(org.error()));
        Session s{org.url, org.token, {}};
        // A refresh token from the web-server flow (the demo org's login page, then the code).
        const QString redirect = QStringLiteral("http://localhost:1717/OauthRedirect");
        const HttpResponse login = s.send("POST", "/services/oauth2/authorize",
                                          form({{"response_type", "code"}, {"client_id", org.clientId}, {"redirect_uri", redirect}, {"state", "x"},
                                                {"username", org.username}, {"password", org.password}}),
                                          "application/x-www-form-urlencoded");
        QCOMPARE(login.status, 302);
        const QString code = QUrlQuery(QUrl(QString::fromUtf8(login.header("Location")))).queryItemValue("code", QUrl::FullyDecoded);
        const HttpResponse exchanged = s.send("POST", "/services/oauth2/token",
                                              form({{"grant_type", "authorization_code"}, {"code", code}, {"client_id", org.clientId},
                                                    {"client_secret", org.clientSecret}, {"redirect_uri", redirect}}),
                                              "application/x-www-form-urlencoded");
        QCOMPARE(exchanged.status, 200);
        const QString refresh = json(exchanged).value("refresh_token").toString();
        QVERIFY(refresh.startsWith("5Aep"));
        s.token = json(exchanged).value("access_token").toString();

        int expired = 0, byRefresh = 0, byPassword = 0;
        QString deadToken;
        for (int i = 0; i < 20; ++i) {
            for (int attempt = 0; attempt < 30; ++attempt) {
                const HttpResponse r = s.send("POST", v + "/sobjects/Contact", QJsonDocument(QJsonObject{{"LastName", QStringLiteral("Renewed%1").arg(i)},
                                                                                                          {"External_Id__c", QStringLiteral("E%1").arg(i)}})
                                                                                   .toJson());
                if (r.status == 201)
                    break;
                QCOMPARE(r.status, 401);
                QCOMPARE(r.body, QByteArray(R"([{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}])"));
                ++expired;
                deadToken = s.token;
                // Alternate the two ways a client renews.
                const bool useRefresh = expired % 2 == 1;
                const HttpResponse renewed = s.send("POST", "/services/oauth2/token",
                                                    useRefresh ? form({{"grant_type", "refresh_token"}, {"refresh_token", refresh}, {"client_id", org.clientId},
                                                                       {"client_secret", org.clientSecret}})
                                                               : form({{"grant_type", "password"}, {"client_id", org.clientId}, {"client_secret", org.clientSecret},
                                                                       {"username", org.username}, {"password", org.password}}),
                                                    "application/x-www-form-urlencoded");
                QCOMPARE(renewed.status, 200);
                s.token = json(renewed).value("access_token").toString();
                ++(useRefresh ? byRefresh : byPassword);
            }
        }
        QVERIFY2(byRefresh > 0 && byPassword > 0, "the seed must expire at least two sessions");
        // The expired session stays dead.
        Session old{org.url, deadToken, {}};
        QCOMPARE(old.send("GET", v + "/limits").status, 401);
        // Every refused request did nothing: one write per record.
        const QJsonObject log = s.writes("Contact");
        QCOMPARE(log.value("records").toInt(), 20);
        QCOMPARE(log.value("totalWrites").toInt(), 20);
        qInfo("20 inserts: %d sessions expired, renewed %d× by refresh token and %d× by password", expired, byRefresh, byPassword);
        QCOMPARE(org.stop(), 0);
    }
};

QTEST_GUILESS_MAIN(TestDemoOrgWriteLog)
#include "tst_demoorg_writelog.moc"
