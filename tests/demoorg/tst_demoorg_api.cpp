#include "DemoOrgTestSupport.h"
#include "TestSupport.h"

#include "sim/OrgProfile.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QProcess>
#include <QElapsedTimer>
#include <QTcpSocket>
#include <QTest>
#include <QUrl>
#include <QUrlQuery>

#include <cmath>

using namespace lockstep;
using namespace lockstep::test;

namespace {
const QString v = QStringLiteral("/services/data/v62.0");

QJsonObject record(const QString &type, const QJsonObject &fields)
{
    QJsonObject r = fields;
    r.insert(QStringLiteral("attributes"), QJsonObject{{QStringLiteral("type"), type}});
    return r;
}
} // namespace

// The demo org's OAuth, REST and sObject Collections APIs over real HTTP, success and error
// paths, in Salesforce's shapes (salesforce-api.md).
class TestDemoOrgApi : public QObject {
    Q_OBJECT
    test::DemoOrgProcess org;
    std::unique_ptr<RawHttp> api;         // what the server answers, as it answers it
    std::unique_ptr<OrgClient> client;    // what a load does (core's client)

    QByteArray form(const QList<QPair<QString, QString>> &fields) { return formEncode(fields); }
    HttpResponse token(const QByteArray &body, const QList<QPair<QByteArray, QByteArray>> &headers = {})
    {
        return api->send("POST", QStringLiteral("/services/oauth2/token"), body, "application/x-www-form-urlencoded", headers, false);
    }
    QString createAccount(const QString &name, const QString &city = {})
    {
        QJsonObject f{{QStringLiteral("Name"), name}};
        if (!city.isEmpty())
            f.insert(QStringLiteral("BillingCity"), city);
        const HttpResponse r = api->postJson(v + QStringLiteral("/sobjects/Account"), QJsonDocument(f));
        if (r.status != 201)
            qWarning() << r.status << r.body;
        return jsonOf(r).object().value(QStringLiteral("id")).toString();
    }

private slots:
    void initTestCase()
    {
        QVERIFY2(org.start({QStringLiteral("--scale"), QStringLiteral("0")}), qPrintable(org.error()));
        api = std::make_unique<RawHttp>(org.url, org.token);
        client = std::make_unique<OrgClient>(org.client());
    }
    void cleanupTestCase()
    {
        QCOMPARE(org.stop(), 0);   // SIGTERM: a clean shutdown
        QVERIFY(org.stderrText().contains("stopping"));
        // Secrets go to stdout only.
        QVERIFY(!org.stderrText().contains(org.password.toUtf8()));
        QVERIFY(!org.stderrText().contains(org.clientSecret.toUtf8()));
    }

    void connectionLine()
    {
        QVERIFY(org.url.startsWith(QLatin1String("http://127.0.0.1:")));
        QVERIFY(org.token.startsWith(QLatin1String("00D")));
        QVERIFY(org.token.contains(QLatin1Char('!')));
        QVERIFY(!org.clientId.isEmpty() && !org.clientSecret.isEmpty() && !org.username.isEmpty() && !org.password.isEmpty());
    }

    void oauthPasswordAndClientCredentials()
    {
        HttpResponse r = token(form({{"grant_type", "password"}, {"client_id", org.clientId}, {"client_secret", org.clientSecret},
                                     {"username", org.username}, {"password", org.password}}));
        QCOMPARE(r.status, 200);
        QVERIFY(r.contentType().startsWith("application/json"));
        const QJsonObject o = jsonOf(r).object();
        QVERIFY(o.value("access_token").toString().startsWith("00D"));
        QCOMPARE(o.value("instance_url").toString(), org.url);
        QCOMPARE(o.value("token_type").toString(), QStringLiteral("Bearer"));
        QVERIFY(o.value("issued_at").isString());
        QVERIFY(o.value("id").toString().contains("/id/00D"));
        QVERIFY(!o.contains("refresh_token"));
        // The new token works.
        RawHttp other(org.url, o.value("access_token").toString());
        QCOMPARE(other.get(v + "/limits").status, 200);

        r = token(form({{"grant_type", "password"}, {"client_id", org.clientId}, {"client_secret", org.clientSecret},
                        {"username", org.username}, {"password", "wrong"}}));
        QCOMPARE(r.status, 400);
        QCOMPARE(jsonOf(r).object(), (QJsonObject{{"error", "invalid_grant"}, {"error_description", "authentication failure"}}));
        r = token(form({{"grant_type", "password"}, {"client_id", "nope"}, {"username", org.username}, {"password", org.password}}));
        QCOMPARE(r.status, 400);
        QCOMPARE(jsonOf(r).object().value("error").toString(), QStringLiteral("invalid_client_id"));
        r = token(form({{"grant_type", "magic"}, {"client_id", org.clientId}}));
        QCOMPARE(jsonOf(r).object().value("error").toString(), QStringLiteral("unsupported_grant_type"));

        const QByteArray basic = "Basic " + (org.clientId + ':' + org.clientSecret).toUtf8().toBase64();
        r = token(form({{"grant_type", "client_credentials"}}), {{"Authorization", basic}});
        QCOMPARE(r.status, 200);
        QVERIFY(jsonOf(r).object().value("access_token").toString().startsWith("00D"));
    }

    void oauthWebFlowWithPkceRefreshAndRevoke()
    {
        const QByteArray verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk-lockstep-demo";
        const QByteArray challenge = QCryptographicHash::hash(verifier, QCryptographicHash::Sha256).toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
        const QString redirect = QStringLiteral("http://localhost:1717/OauthRedirect");
        QUrlQuery q;
        for (const auto &[k, val] : {std::pair{"response_type", QString("code")}, std::pair{"client_id", org.clientId}, std::pair{"redirect_uri", redirect},
                                     std::pair{"state", QString("s123")}, std::pair{"code_challenge", QString::fromLatin1(challenge)},
                                     std::pair{"code_challenge_method", QString("S256")}})
            q.addQueryItem(QLatin1String(k), QString::fromLatin1(QUrl::toPercentEncoding(val)));
        HttpResponse page = api->send("GET", "/services/oauth2/authorize?" + q.toString(QUrl::FullyEncoded), {}, {}, {}, false);
        QCOMPARE(page.status, 200);
        QVERIFY(page.body.contains("<form"));
        QVERIFY(page.body.contains(challenge));
        QList<QPair<QString, QString>> submit{{"response_type", "code"}, {"client_id", org.clientId}, {"redirect_uri", redirect}, {"state", "s123"},
                                              {"code_challenge", QString::fromLatin1(challenge)}, {"code_challenge_method", "S256"},
                                              {"username", org.username}, {"password", "wrong"}};
        HttpResponse bad = api->send("POST", "/services/oauth2/authorize", form(submit), "application/x-www-form-urlencoded", {}, false);
        QCOMPARE(bad.status, 401);
        // A code goes only to a registered callback (a loopback address here), never to any site.
        for (const QString &elsewhere : {QStringLiteral("https://attacker.example/steal"), QStringLiteral("http://10.0.0.5:1717/OauthRedirect"),
                                         QStringLiteral("javascript:alert(1)")}) {
            QList<QPair<QString, QString>> hostile = submit;
            hostile[2].second = elsewhere;
            hostile.last().second = org.password;
            HttpResponse stolen = api->send("POST", "/services/oauth2/authorize", form(hostile), "application/x-www-form-urlencoded", {}, false);
            QCOMPARE(stolen.status, 400);
            QVERIFY(stolen.header("Location").isEmpty());
            QCOMPARE(jsonOf(stolen).object().value("error").toString(), QStringLiteral("redirect_uri_mismatch"));
        }
        submit.last().second = org.password;
        HttpResponse login = api->send("POST", "/services/oauth2/authorize", form(submit), "application/x-www-form-urlencoded", {}, false);
        QCOMPARE(login.status, 302);
        const QUrl location(QString::fromUtf8(login.header("Location")));
        QCOMPARE(location.host(), QStringLiteral("localhost"));
        const QUrlQuery back(location);
        QCOMPARE(back.queryItemValue("state"), QStringLiteral("s123"));
        const QString code = back.queryItemValue("code", QUrl::FullyDecoded);
        QVERIFY(!code.isEmpty());

        HttpResponse wrong = token(form({{"grant_type", "authorization_code"}, {"code", code}, {"client_id", org.clientId},
                                         {"redirect_uri", redirect}, {"code_verifier", "not-the-verifier"}}));
        QCOMPARE(wrong.status, 400);
        QCOMPARE(jsonOf(wrong).object().value("error").toString(), QStringLiteral("invalid_grant"));
        // A code is single-use: the failed exchange spent it. Log in again.
        login = api->send("POST", "/services/oauth2/authorize", form(submit), "application/x-www-form-urlencoded", {}, false);
        const QString code2 = QUrlQuery(QUrl(QString::fromUtf8(login.header("Location")))).queryItemValue("code", QUrl::FullyDecoded);
        HttpResponse ok = token(form({{"grant_type", "authorization_code"}, {"code", code2}, {"client_id", org.clientId},
                                      {"redirect_uri", redirect}, {"code_verifier", QString::fromLatin1(verifier)}}));
        QCOMPARE(ok.status, 200);
        const QString refresh = jsonOf(ok).object().value("refresh_token").toString();
        QVERIFY(refresh.startsWith("5Aep"));

        HttpResponse refreshed = token(form({{"grant_type", "refresh_token"}, {"refresh_token", refresh}, {"client_id", org.clientId}}));
        QCOMPARE(refreshed.status, 200);
        const QString access = jsonOf(refreshed).object().value("access_token").toString();
        RawHttp user(org.url, access);
        QCOMPARE(user.get(v + "/limits").status, 200);
        HttpResponse revoked = api->send("POST", "/services/oauth2/revoke", form({{"token", access}}), "application/x-www-form-urlencoded", {}, false);
        QCOMPARE(revoked.status, 200);
        QCOMPARE(user.get(v + "/limits").status, 401);
        revoked = api->send("POST", "/services/oauth2/revoke", form({{"token", "nonsense"}}), "application/x-www-form-urlencoded", {}, false);
        QCOMPARE(revoked.status, 400);
        QCOMPARE(jsonOf(revoked).object().value("error").toString(), QStringLiteral("invalid_token"));
    }

    void userinfoAndUser()
    {
        const HttpResponse r = api->get("/services/oauth2/userinfo");
        QCOMPARE(r.status, 200);
        const QJsonObject o = jsonOf(r).object();
        QVERIFY(o.value("user_id").toString().startsWith("005"));
        QVERIFY(o.value("organization_id").toString().startsWith("00D"));
        const HttpResponse u = api->get("/services/data/v51.0/sobjects/User/" + o.value("user_id").toString());
        QCOMPARE(u.status, 200);
        QCOMPARE(jsonOf(u).object().value("Username").toString(), org.username);
    }

    void missingAndWrongTokens()
    {
        const QByteArray expected = R"([{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}])";
        HttpResponse r = api->send("GET", v + "/limits", {}, {}, {}, false);
        QCOMPARE(r.status, 401);
        QCOMPARE(r.body, expected);
        r = api->send("GET", v + "/limits", {}, {}, {{"Authorization", "Bearer 00Dxx!ARnotatoken"}}, false);
        QCOMPARE(r.status, 401);
        QCOMPARE(r.body, expected);
        // Data Loader and WSC: X-SFDC-Session, with or without "Bearer".
        r = api->send("GET", v + "/limits", {}, {}, {{"X-SFDC-Session", org.token.toLatin1()}}, false);
        QCOMPARE(r.status, 200);
        r = api->send("GET", v + "/limits", {}, {}, {{"X-SFDC-Session", "Bearer " + org.token.toLatin1()}, {"Authorization", "Bearer " + org.token.toLatin1()}}, false);
        QCOMPARE(r.status, 200);
    }

    void versionsResourcesLimitsAndSlashes()
    {
        HttpResponse r = api->send("GET", "//services/data", {}, {}, {}, false);   // the sf CLI's double slash
        QCOMPARE(r.status, 200);
        QVERIFY(r.contentType().startsWith("application/json"));
        QString max;
        for (const auto &e : jsonOf(r).array())
            max = std::max(max, e.toObject().value("version").toString());
        QCOMPARE(max, QStringLiteral("62.0"));
        r = api->get(v + "/");
        QCOMPARE(r.status, 200);
        QVERIFY(jsonOf(r).object().contains("sobjects"));
        r = api->get(v + "/limits");
        const QJsonObject daily = jsonOf(r).object().value("DailyApiRequests").toObject();
        QVERIFY(daily.value("Max").toInteger() > 0);
        QVERIFY(daily.value("Remaining").toInteger() < daily.value("Max").toInteger());
        QVERIFY(r.header("Sforce-Limit-Info").startsWith("api-usage="));
        r = api->get("/services/data/v99.0/limits");
        QCOMPARE(r.status, 404);
        QCOMPARE(firstError(r).value("errorCode").toString(), QStringLiteral("NOT_FOUND"));
        r = api->get(v + "/no/such/resource");
        QCOMPARE(r.status, 404);
        r = api->send("PUT", v + "/limits", "{}");
        QCOMPARE(r.status, 405);
    }

    void describe()
    {
        HttpResponse r = api->get(v + "/sobjects");
        QCOMPARE(r.status, 200);
        QSet<QString> names;
        for (const auto &o : jsonOf(r).object().value("sobjects").toArray()) {
            names.insert(o.toObject().value("name").toString());
            if (o.toObject().value("name").toString() == QLatin1String("Account"))
                QCOMPARE(o.toObject().value("keyPrefix").toString(), QStringLiteral("001"));
        }
        for (const char *n : {"Account", "Contact", "Opportunity", "Case", "Task", "Invoice__c", "Invoice_Line__c", "DuplicateRule"})
            QVERIFY2(names.contains(QLatin1String(n)), n);

        r = api->get(v + "/sobjects/Opportunity/describe");
        QCOMPARE(r.status, 200);
        QJsonObject accountId;
        for (const auto &f : jsonOf(r).object().value("fields").toArray())
            if (f.toObject().value("name").toString() == QLatin1String("AccountId"))
                accountId = f.toObject();
        QCOMPARE(accountId.value("type").toString(), QStringLiteral("reference"));
        QCOMPARE(accountId.value("referenceTo").toArray(), QJsonArray{"Account"});
        QCOMPARE(accountId.value("relationshipName").toString(), QStringLiteral("Account"));
        QVERIFY(accountId.value("relationshipOrder").isNull());
        for (const char *key : {"cascadeDelete", "restrictedDelete", "externalId", "idLookup", "unique", "createable", "updateable", "nillable", "soapType", "length"})
            QVERIFY2(accountId.contains(QLatin1String(key)), key);

        r = api->get(v + "/sobjects/Invoice_Line__c/describe");
        QJsonObject master;
        for (const auto &f : jsonOf(r).object().value("fields").toArray())
            if (f.toObject().value("name").toString() == QLatin1String("Master__c"))
                master = f.toObject();
        QCOMPARE(master.value("relationshipOrder").toInt(-1), 0);
        QVERIFY(master.value("cascadeDelete").toBool());
        QVERIFY(!master.value("nillable").toBool());

        r = api->get(v + "/sobjects/Invoice__c/describe");
        bool child = false, rollup = false;
        for (const auto &c : jsonOf(r).object().value("childRelationships").toArray())
            child |= c.toObject().value("childSObject").toString() == QLatin1String("Invoice_Line__c") && c.toObject().value("cascadeDelete").toBool();
        for (const auto &f : jsonOf(r).object().value("fields").toArray())
            rollup |= f.toObject().value("name").toString() == QLatin1String("Line_Count__c") && f.toObject().value("calculated").toBool();
        QVERIFY(child);
        QVERIFY(rollup);

        r = api->get(v + "/sobjects/Account/describe");
        bool ext = false;
        for (const auto &f : jsonOf(r).object().value("fields").toArray())
            ext |= f.toObject().value("name").toString() == QLatin1String("External_Id__c") && f.toObject().value("externalId").toBool();
        QVERIFY(ext);

        r = api->get(v + "/sobjects/NoSuchThing__c/describe");
        QCOMPARE(r.status, 404);
        QCOMPARE(firstError(r).value("errorCode").toString(), QStringLiteral("NOT_FOUND"));
    }

    void salesforceCliLoginQueries()
    {
        HttpResponse r = api->get("/services/data/v51.0/query?q=" + QUrl::toPercentEncoding("SELECT Id FROM ScratchOrgInfo limit 1"));
        QCOMPARE(r.status, 400);   // 2xx would mark this org a Dev Hub
        QCOMPARE(firstError(r).value("errorCode").toString(), QStringLiteral("INVALID_TYPE"));
        QVERIFY(firstError(r).value("message").toString().contains("sObject type 'ScratchOrgInfo' is not supported"));
        r = api->get(v + "/query?q=" + QUrl::toPercentEncoding("SELECT Name, InstanceName, IsSandbox, TrialExpirationDate, NamespacePrefix, OrganizationType FROM Organization"));
        QCOMPARE(r.status, 200);
        const QJsonObject o = jsonOf(r).object();
        QVERIFY(o.value("done").toBool());
        QVERIFY(!o.value("records").toArray().at(0).toObject().value("OrganizationType").toString().isEmpty());
        r = api->get(v + "/tooling/query?q=" + QUrl::toPercentEncoding("SELECT Id, SandboxName FROM SandboxProcess"));
        QCOMPARE(r.status, 200);
        QCOMPARE(jsonOf(r).object().value("totalSize").toInt(-1), 0);
        r = api->get(v + "/query?q=" + QUrl::toPercentEncoding("SELECT id, name FROM Account") + "&columns=true");
        QCOMPARE(r.status, 200);
        QCOMPARE(jsonOf(r).object().value("columnMetadata").toArray().at(0).toObject().value("columnName").toString(), QStringLiteral("Id"));
    }

    void crudAndQuery()
    {
        const QString id = createAccount(QStringLiteral("Crud Co"), QStringLiteral("Lyon"));
        QCOMPARE(id.size(), 18);
        QVERIFY(id.startsWith("001"));
        HttpResponse r = api->get(v + "/sobjects/Account/" + id + "?fields=Name,BillingCity");
        QCOMPARE(r.status, 200);
        QCOMPARE(jsonOf(r).object().value("BillingCity").toString(), QStringLiteral("Lyon"));
        QCOMPARE(jsonOf(r).object().value("attributes").toObject().value("type").toString(), QStringLiteral("Account"));
        r = api->patchJson(v + "/sobjects/Account/" + id, QJsonDocument(QJsonObject{{"BillingCity", "Nice"}, {"AnnualRevenue", 1000.5}}));
        QCOMPARE(r.status, 204);
        // The 15-character form of an Id works too.
        r = api->get(v + "/sobjects/Account/" + id.left(15));
        QCOMPARE(jsonOf(r).object().value("AnnualRevenue").toDouble(), 1000.5);

        for (const QString &n : {QStringLiteral("Query A"), QStringLiteral("Query B"), QStringLiteral("Query C")})
            createAccount(n, QStringLiteral("Q"));
        auto q = [&](const QString &soql) { return queryRecords(*client, soql); };
        QCOMPARE(q("SELECT Id FROM Account WHERE Name = 'query a'").size(), 1);   // case-insensitive
        QCOMPARE(q("SELECT Id FROM Account WHERE Name IN ('Query A', 'Query C')").size(), 2);
        QCOMPARE(q("SELECT Id FROM Account WHERE BillingCity = 'Q' AND NOT Name = 'Query B'").size(), 2);
        QJsonArray ordered = q("SELECT Name FROM Account WHERE BillingCity = 'Q' ORDER BY Name DESC LIMIT 2");
        QCOMPARE(ordered.size(), 2);
        QCOMPARE(ordered.at(0).toObject().value("Name").toString(), QStringLiteral("Query C"));
        QCOMPARE(ordered.at(1).toObject().value("Name").toString(), QStringLiteral("Query B"));
        // Field names come back in their canonical case.
        ordered = q("select name from account where billingcity = 'Q' order by name limit 1");
        QCOMPARE(ordered.at(0).toObject().value("Name").toString(), QStringLiteral("Query A"));
        r = api->get(v + "/query?q=" + QUrl::toPercentEncoding("SELECT COUNT() FROM Account WHERE BillingCity = 'Q'"));
        QCOMPARE(jsonOf(r).object().value("totalSize").toInt(), 3);
        QVERIFY(jsonOf(r).object().value("done").toBool());

        r = api->send("DELETE", v + "/sobjects/Account/" + id);
        QCOMPARE(r.status, 204);
        r = api->get(v + "/sobjects/Account/" + id);
        QCOMPARE(r.status, 404);
        QCOMPARE(r.body, QByteArray(R"([{"message":"The requested resource does not exist","errorCode":"NOT_FOUND"}])"));
    }

    void queryPaging()
    {
        for (int call = 0; call < 3; ++call) {
            QJsonArray records;
            for (int i = 0; i < 150; ++i)
                records.append(record("Contact", {{"LastName", QStringLiteral("Pager %1-%2").arg(call).arg(i)}, {"Phone", "555"}}));
            const HttpResponse r = api->postJson(v + "/composite/sobjects", QJsonDocument(QJsonObject{{"allOrNone", true}, {"records", records}}));
            QCOMPARE(r.status, 200);
        }
        HttpResponse r = api->get(v + "/query?q=" + QUrl::toPercentEncoding("SELECT Id, LastName FROM Contact WHERE Phone = '555'"),
                                  {{"Sforce-Query-Options", "batchSize=200"}});
        QJsonObject page = jsonOf(r).object();
        QCOMPARE(page.value("totalSize").toInt(), 450);
        QCOMPARE(page.value("done").toBool(true), false);
        QCOMPARE(page.value("records").toArray().size(), 200);
        const QString next = page.value("nextRecordsUrl").toString();
        QVERIFY(next.startsWith(v + "/query/01g"));
        QVERIFY(next.endsWith("-200"));
        QCOMPARE(queryRecords(*client, "SELECT Id FROM Contact WHERE Phone = '555'").size(), 450);   // every page
        r = api->get(v + "/query/01gnosuchlocator-200");
        QCOMPARE(r.status, 400);
        QCOMPARE(firstError(r).value("errorCode").toString(), QStringLiteral("INVALID_QUERY_LOCATOR"));
    }

    void queryErrors()
    {
        HttpResponse r = api->get(v + "/query?q=" + QUrl::toPercentEncoding("SELECT Id FROM"));
        QCOMPARE(r.status, 400);
        QCOMPARE(firstError(r).value("errorCode").toString(), QStringLiteral("MALFORMED_QUERY"));
        r = api->get(v + "/query?q=" + QUrl::toPercentEncoding("SELECT Id, Bogus__c FROM Account"));
        QCOMPARE(r.status, 400);
        QCOMPARE(firstError(r).value("errorCode").toString(), QStringLiteral("INVALID_FIELD"));
        QVERIFY(firstError(r).value("message").toString().contains("No such column 'Bogus__c' on entity 'Account'"));
        QVERIFY(firstError(r).value("message").toString().contains("ERROR at Row:1:Column:12"));
        r = api->get(v + "/query");
        QCOMPARE(r.status, 400);
        // Hostile input answers 400, never a crash: deep nesting, deep JSON.
        r = api->get(v + "/query?q=" + QUrl::toPercentEncoding("SELECT Id FROM Account WHERE " + QString(20000, QLatin1Char('(')) + "Name = 'x'"));
        QCOMPARE(r.status, 400);
        r = api->send("POST", v + "/composite/sobjects", QByteArray(100000, '[') + QByteArray(100000, ']'));
        QCOMPARE(r.status, 400);
        // 1,000 OR terms: too complicated, in Salesforce's words — never a 500 quoting internal SQL.
        QStringList terms;
        for (int i = 0; i < 1000; ++i)
            terms << QStringLiteral("Name = 'n%1'").arg(i);
        r = api->get(v + "/query?q=" + QUrl::toPercentEncoding("SELECT Id FROM Account WHERE " + terms.join(QStringLiteral(" OR "))));
        QVERIFY2(r.status == 400 || r.status == 200, r.body.left(300).constData());
        QVERIFY2(!r.body.contains("SELECT \"") && !r.body.toLower().contains("sqlite") && !r.body.contains(" FROM \""), r.body.left(300).constData());
        if (r.status == 400)
            QCOMPARE(firstError(r).value("errorCode").toString(), QStringLiteral("QUERY_TOO_COMPLICATED"));
        QCOMPARE(api->get(v + "/limits").status, 200);
    }

    void collections()
    {
        // Create: results in input order, `fields` always present.
        QJsonArray records{record("Account", {{"Name", "Coll 1"}}), record("Account", {{"Name", "Coll 2"}}), record("Account", {{"BillingCity", "nameless"}})};
        HttpResponse r = api->postJson(v + "/composite/sobjects", QJsonDocument(QJsonObject{{"allOrNone", false}, {"records", records}}));
        QCOMPARE(r.status, 200);
        QJsonArray res = jsonOf(r).array();
        QCOMPARE(res.size(), 3);
        QVERIFY(res[0].toObject().value("success").toBool());
        QVERIFY(res[1].toObject().value("success").toBool());
        const QJsonObject missing = res[2].toObject().value("errors").toArray().at(0).toObject();
        QCOMPARE(missing.value("statusCode").toString(), QStringLiteral("REQUIRED_FIELD_MISSING"));
        QCOMPARE(missing.value("fields").toArray(), QJsonArray{"Name"});
        QVERIFY(r.body.contains(R"("success":true,"errors":[])"));
        const QString a1 = res[0].toObject().value("id").toString(), a2 = res[1].toObject().value("id").toString();

        // allOrNone: one bad record rolls every record back.
        r = api->postJson(v + "/composite/sobjects", QJsonDocument(QJsonObject{{"allOrNone", true}, {"records", QJsonArray{record("Account", {{"Name", "Aon ok"}}), record("Account", {{"Phone", "1"}})}}}));
        res = jsonOf(r).array();
        QCOMPARE(res[0].toObject().value("errors").toArray().at(0).toObject().value("statusCode").toString(), QStringLiteral("ALL_OR_NONE_OPERATION_ROLLED_BACK"));
        QCOMPARE(queryRecords(*client, "SELECT Id FROM Account WHERE Name = 'Aon ok'").size(), 0);

        // Children, lookups, wrong Ids.
        records = QJsonArray{record("Opportunity", {{"Name", "O1"}, {"StageName", "Prospecting"}, {"CloseDate", "2030-01-01"}, {"AccountId", a1}, {"Amount", 100}}),
                             record("Opportunity", {{"Name", "O2"}, {"StageName", "Prospecting"}, {"CloseDate", "2030-01-01"}, {"AccountId", "001000000000000AAA"}}),
                             record("Opportunity", {{"Name", "O3"}, {"StageName", "Prospecting"}, {"CloseDate", "2030-01-01"}, {"AccountId", "003000000000000AAA"}})};
        r = api->postJson(v + "/composite/sobjects", QJsonDocument(QJsonObject{{"allOrNone", false}, {"records", records}}));
        res = jsonOf(r).array();
        QVERIFY(res[0].toObject().value("success").toBool());
        QCOMPARE(res[1].toObject().value("errors").toArray().at(0).toObject().value("statusCode").toString(), QStringLiteral("INVALID_CROSS_REFERENCE_KEY"));
        QCOMPARE(res[2].toObject().value("errors").toArray().at(0).toObject().value("statusCode").toString(), QStringLiteral("MALFORMED_ID"));
        const QString opp = res[0].toObject().value("id").toString();
        // The roll-up summary on the Account follows its Opportunities.
        QCOMPARE(jsonOf(api->get(v + "/sobjects/Account/" + a1)).object().value("Total_Opportunity_Amount__c").toDouble(), 100.0);

        // Update, with a wrong and a deleted Id.
        records = QJsonArray{record("Opportunity", {{"Id", opp}, {"Amount", 250}}), record("Opportunity", {{"Id", a2}, {"Amount", 1}}),
                             record("Opportunity", {{"Id", "006000000000000AAA"}, {"Amount", 1}})};
        r = api->patchJson(v + "/composite/sobjects", QJsonDocument(QJsonObject{{"allOrNone", false}, {"records", records}}));
        res = jsonOf(r).array();
        QVERIFY(res[0].toObject().value("success").toBool());
        QCOMPARE(res[1].toObject().value("errors").toArray().at(0).toObject().value("statusCode").toString(), QStringLiteral("MALFORMED_ID"));
        QCOMPARE(res[2].toObject().value("errors").toArray().at(0).toObject().value("statusCode").toString(), QStringLiteral("ENTITY_IS_DELETED"));
        QCOMPARE(jsonOf(api->get(v + "/sobjects/Account/" + a1)).object().value("Total_Opportunity_Amount__c").toDouble(), 250.0);

        // Upsert by external id: created, then updated.
        records = QJsonArray{record("Contact", {{"External_Id__c", "C-1"}, {"LastName", "Upsert"}}), record("Contact", {{"External_Id__c", "C-2"}, {"LastName", "Upsert"}})};
        r = api->patchJson(v + "/composite/sobjects/Contact/External_Id__c", QJsonDocument(QJsonObject{{"allOrNone", false}, {"records", records}}));
        res = jsonOf(r).array();
        QVERIFY(res[0].toObject().value("created").toBool());
        records = QJsonArray{record("Contact", {{"External_Id__c", "C-1"}, {"LastName", "Upserted"}})};
        r = api->patchJson(v + "/composite/sobjects/Contact/External_Id__c", QJsonDocument(QJsonObject{{"allOrNone", false}, {"records", records}}));
        res = jsonOf(r).array();
        QVERIFY(res[0].toObject().value("success").toBool());
        QCOMPARE(res[0].toObject().value("created").toBool(true), false);
        QCOMPARE(queryRecords(*client, "SELECT Id FROM Contact WHERE LastName = 'Upserted'").size(), 1);
        // Single-record upsert.
        r = api->patchJson(v + "/sobjects/Contact/External_Id__c/C-3", QJsonDocument(QJsonObject{{"LastName", "Single"}}));
        QCOMPARE(r.status, 201);
        r = api->patchJson(v + "/sobjects/Contact/External_Id__c/C-3", QJsonDocument(QJsonObject{{"LastName", "Single2"}}));
        QCOMPARE(r.status, 200);
        QCOMPARE(jsonOf(api->get(v + "/sobjects/Contact/External_Id__c/C-3")).object().value("LastName").toString(), QStringLiteral("Single2"));

        // Delete, with a bad Id among them.
        r = api->send("DELETE", v + "/composite/sobjects?ids=" + opp + ",notanid&allOrNone=false");
        res = jsonOf(r).array();
        QVERIFY(res[0].toObject().value("success").toBool());
        QCOMPARE(res[0].toObject().value("id").toString(), opp);
        QCOMPARE(res[1].toObject().value("errors").toArray().at(0).toObject().value("statusCode").toString(), QStringLiteral("MALFORMED_ID"));
        QCOMPARE(jsonOf(api->get(v + "/sobjects/Account/" + a1)).object().value("Total_Opportunity_Amount__c").toDouble(), 0.0);

        // Retrieve several.
        r = api->get(v + "/composite/sobjects/Account?ids=" + a1 + "," + a2 + "&fields=Id,Name");
        QCOMPARE(jsonOf(r).array().size(), 2);
        QCOMPARE(jsonOf(r).array().at(1).toObject().value("Name").toString(), QStringLiteral("Coll 2"));
    }

    void rollupsFollowChildrenMovedBetweenParents()
    {
        // Roll-ups move by what each write changes (insert +, delete −, update old → new), never
        // by re-aggregating: one chunk that moves children between parents, changes and clears
        // their amounts must leave every summary equal to the sum over the parent's children.
        const QString a = createAccount("Rollup A"), b = createAccount("Rollup B"), c = createAccount("Rollup C");
        const QList<double> amounts{100.10, 200.20, 0.30, 45.55, 1000};
        const QStringList parents{a, a, a, b, b};
        QJsonArray records;
        for (qsizetype i = 0; i < amounts.size(); ++i)
            records.append(record("Opportunity", {{"Name", QStringLiteral("Moved %1").arg(i)}, {"StageName", "Prospecting"}, {"CloseDate", "2030-01-01"},
                                                  {"AccountId", parents[i]}, {"Amount", amounts[i]}}));
        HttpResponse r = api->postJson(v + "/composite/sobjects", QJsonDocument(QJsonObject{{"records", records}}));
        QCOMPARE(r.status, 200);
        QStringList o;
        for (const auto &res : jsonOf(r).array())
            o << res.toObject().value("id").toString();
        QCOMPARE(o.size(), 5);
        QVERIFY(!o.contains(QString()));
        auto total = [&](const QString &account) {
            return jsonOf(api->get(v + "/sobjects/Account/" + account)).object().value("Total_Opportunity_Amount__c").toDouble();
        };
        QCOMPARE(total(a), 300.60);
        QCOMPARE(total(b), 1045.55);
        QCOMPARE(total(c), 0.0);

        records = QJsonArray{record("Opportunity", {{"Id", o[0]}, {"AccountId", b}, {"Amount", 7.07}}),     // moves, new amount
                             record("Opportunity", {{"Id", o[1]}, {"Amount", 0.01}}),                       // new amount only
                             record("Opportunity", {{"Id", o[2]}, {"StageName", "Closed Won"}}),           // no roll-up field
                             record("Opportunity", {{"Id", o[3]}, {"AccountId", c}}),                       // moves with its amount
                             record("Opportunity", {{"Id", o[4]}, {"AccountId", a}, {"Amount", QJsonValue::Null}})};   // moves, loses it
        r = api->patchJson(v + "/composite/sobjects", QJsonDocument(QJsonObject{{"allOrNone", true}, {"records", records}}));
        QCOMPARE(r.status, 200);
        for (const auto &res : jsonOf(r).array())
            QVERIFY2(res.toObject().value("success").toBool(), r.body.constData());
        QCOMPARE(total(a), 0.31);
        QCOMPARE(total(b), 7.07);
        QCOMPARE(total(c), 45.55);
        // The same sums from the children themselves.
        QHash<QString, double> sums;
        for (const auto &rec : queryRecords(*client, QStringLiteral("SELECT AccountId, Amount FROM Opportunity WHERE AccountId IN ('%1','%2','%3')").arg(a, b, c)))
            sums[rec.toObject().value("AccountId").toString()] += rec.toObject().value("Amount").toDouble();
        for (const QString &account : {a, b, c})
            QCOMPARE(total(account), std::round(sums.value(account) * 100) / 100);
        // A delete takes its child's amount away; deleting the last child leaves 0.
        QCOMPARE(api->send("DELETE", v + "/sobjects/Opportunity/" + o[0]).status, 204);
        QCOMPARE(total(b), 0.0);

        // A count and a sum on the custom master-detail pair: a line moved to another master.
        auto created = [&](const HttpResponse &response) { return jsonOf(response).object().value("id").toString(); };
        const QString m1 = created(api->postJson(v + "/sobjects/Invoice__c", QJsonDocument(QJsonObject{{"Name", "M1"}})));
        const QString m2 = created(api->postJson(v + "/sobjects/Invoice__c", QJsonDocument(QJsonObject{{"Name", "M2"}})));
        QStringList lines;
        for (const int amount : {10, 20, 30})
            lines << created(api->postJson(v + "/sobjects/Invoice_Line__c", QJsonDocument(QJsonObject{{"Master__c", m1}, {"Amount__c", amount}})));
        QVERIFY(!lines.contains(QString()));
        QCOMPARE(api->patchJson(v + "/sobjects/Invoice_Line__c/" + lines[1], QJsonDocument(QJsonObject{{"Master__c", m2}, {"Amount__c", 25}})).status, 204);
        const QJsonObject first = jsonOf(api->get(v + "/sobjects/Invoice__c/" + m1)).object();
        const QJsonObject second = jsonOf(api->get(v + "/sobjects/Invoice__c/" + m2)).object();
        QCOMPARE(first.value("Line_Count__c").toDouble(), 2.0);
        QCOMPARE(first.value("Total_Amount__c").toDouble(), 40.0);
        QCOMPARE(second.value("Line_Count__c").toDouble(), 1.0);
        QCOMPARE(second.value("Total_Amount__c").toDouble(), 25.0);
    }

    void collectionLimitsAndBadBodies()
    {
        QJsonArray many;
        for (int i = 0; i < 201; ++i)
            many.append(record("Account", {{"Name", QStringLiteral("Too many %1").arg(i)}}));
        HttpResponse r = api->postJson(v + "/composite/sobjects", QJsonDocument(QJsonObject{{"records", many}}));
        QCOMPARE(r.status, 400);
        QCOMPARE(firstError(r).value("errorCode").toString(), QStringLiteral("EXCEEDED_ID_LIMIT"));

        r = api->send("POST", v + "/composite/sobjects", R"({"records": [ {"attributes": )");
        QCOMPARE(r.status, 400);
        QCOMPARE(firstError(r).value("errorCode").toString(), QStringLiteral("JSON_PARSER_ERROR"));
        r = api->send("POST", v + "/sobjects/Account", "not json");
        QCOMPARE(r.status, 400);
        QCOMPARE(firstError(r).value("errorCode").toString(), QStringLiteral("JSON_PARSER_ERROR"));
        r = api->postJson(v + "/sobjects/Account", QJsonDocument(QJsonObject{{"Name", "X"}, {"Bogus__c", 1}}));
        QCOMPARE(r.status, 400);
        QCOMPARE(firstError(r).value("errorCode").toString(), QStringLiteral("INVALID_FIELD"));
        QCOMPARE(firstError(r).value("message").toString(), QStringLiteral("No such column 'Bogus__c' on sobject of type Account"));
        r = api->postJson(v + "/sobjects/Nope__c", QJsonDocument(QJsonObject{{"Name", "X"}}));
        QCOMPARE(r.status, 404);
        r = api->postJson(v + "/composite/sobjects", QJsonDocument(QJsonObject{{"records", QJsonArray{record("Nope__c", {{"Name", "x"}})}}}));
        QCOMPARE(r.status, 400);
        QCOMPARE(firstError(r).value("errorCode").toString(), QStringLiteral("INVALID_TYPE"));
        r = api->postJson(v + "/sobjects/Opportunity", QJsonDocument(QJsonObject{{"Name", "x"}, {"StageName", "Prospecting"}, {"CloseDate", "2030-01-01"}, {"Amount", "lots"}}));
        QCOMPARE(r.status, 400);
        QCOMPARE(firstError(r).value("errorCode").toString(), QStringLiteral("INVALID_TYPE_ON_FIELD_IN_RECORD"));
        r = api->patchJson(v + "/sobjects/Account/001000000000000AAA", QJsonDocument(QJsonObject{{"Name", "ghost"}}));
        QCOMPARE(r.status, 404);
        QCOMPARE(firstError(r).value("errorCode").toString(), QStringLiteral("ENTITY_IS_DELETED"));
    }

    void gzipBodiesAndOddPaths()
    {
        HttpRequest request;
        request.method = "POST";
        request.url = org.url + "//services/data/v62.0//sobjects/Account/";   // Data Loader's slashes
        request.body = QJsonDocument(QJsonObject{{"Name", "Zipped"}}).toJson();
        request.gzipBody = true;
        request.header("Content-Type", "application/json").header("Authorization", "Bearer " + org.token.toLatin1());
        auto r = api->http().send(request);
        QVERIFY(r.has_value());
        QCOMPARE(r->status, 201);
        QCOMPARE(queryRecords(*client, "SELECT Id FROM Account WHERE Name = 'Zipped'").size(), 1);
        request.body = "\x1f\x8b garbage";
        request.gzipBody = false;
        request.header("Content-Encoding", "gzip");
        r = api->http().send(request);
        QVERIFY(r.has_value());
        QCOMPARE(r->status, 400);
        // A big answer comes back compressed when asked (libcurl undoes it).
        const HttpResponse big = api->get(v + "/sobjects/Account/describe", {{"Accept-Encoding", "gzip"}});
        QCOMPARE(big.status, 200);
        QCOMPARE(big.header("Content-Encoding"), QByteArray("gzip"));
        QVERIFY(jsonOf(big).isObject());
    }

    void duplicateRulesAndMetadataApi()
    {
        const QJsonArray rules = queryRecords(*client, "SELECT Id, DeveloperName, SobjectType, IsActive FROM DuplicateRule WHERE SobjectType = 'Account'");
        QCOMPARE(rules.size(), 1);
        QVERIFY(rules[0].toObject().value("IsActive").toBool());
        const QString ruleId = rules[0].toObject().value("Id").toString();
        // IsActive is read-only over REST.
        HttpResponse r = api->patchJson(v + "/sobjects/DuplicateRule/" + ruleId, QJsonDocument(QJsonObject{{"IsActive", false}}));
        QCOMPARE(r.status, 400);
        QCOMPARE(firstError(r).value("errorCode").toString(), QStringLiteral("INVALID_FIELD_FOR_INSERT_UPDATE"));

        createAccount(QStringLiteral("Dupe Inc"), QStringLiteral("Oslo"));
        r = api->postJson(v + "/sobjects/Account", QJsonDocument(QJsonObject{{"Name", "DUPE INC"}, {"BillingCity", "Oslo"}}));
        QCOMPARE(r.status, 400);
        QCOMPARE(firstError(r).value("errorCode").toString(), QStringLiteral("DUPLICATES_DETECTED"));
        QVERIFY(firstError(r).contains("duplicateResut"));   // Salesforce's spelling
        // The header lets a duplicate through.
        r = api->send("POST", v + "/sobjects/Account", R"({"Name":"Dupe Inc","BillingCity":"Oslo"})", "application/json",
                      {{"Sforce-Duplicate-Rule-Header", "allowSave=true; includeRecordDetails=true; runAsCurrentUser=true"}});
        QCOMPARE(r.status, 201);

        const QByteArray head = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" "
                                "xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><soapenv:Header "
                                "xmlns=\"http://soap.sforce.com/2006/04/metadata\"><SessionHeader><sessionId>";
        const QByteArray mid = "</sessionId></SessionHeader></soapenv:Header><soapenv:Body xmlns=\"http://soap.sforce.com/2006/04/metadata\">";
        const QByteArray tail = "</soapenv:Body></soapenv:Envelope>";
        const QList<QPair<QByteArray, QByteArray>> soap{{"SOAPAction", "\"\""}};
        const QByteArray read = "<readMetadata><type>DuplicateRule</type><fullNames>Account.Standard_Account_Duplicate_Rule</fullNames></readMetadata>";
        r = api->send("POST", "/services/Soap/m/62.0", head + org.token.toLatin1() + mid + read + tail, "text/xml", soap, false);
        QCOMPARE(r.status, 200);
        QCOMPARE(xmlValue(r.body, "isActive"), QStringLiteral("true"));
        QCOMPARE(xmlValue(r.body, "fullName"), QStringLiteral("Account.Standard_Account_Duplicate_Rule"));
        const QByteArray update = "<updateMetadata><metadata xsi:type=\"DuplicateRule\"><fullName>Account.Standard_Account_Duplicate_Rule</fullName>"
                                  "<actionOnInsert>Block</actionOnInsert><actionOnUpdate>Block</actionOnUpdate><isActive>false</isActive>"
                                  "<masterLabel>Standard Account Duplicate Rule</masterLabel><securityOption>EnforceSharingRules</securityOption>"
                                  "<sortOrder>1</sortOrder></metadata></updateMetadata>";
        r = api->send("POST", "/services/Soap/m/62.0", head + org.token.toLatin1() + mid + update + tail, "text/xml", soap, false);
        QCOMPARE(r.status, 200);
        QCOMPARE(xmlValue(r.body, "success"), QStringLiteral("true"));
        QVERIFY(!queryRecords(*client, "SELECT IsActive FROM DuplicateRule WHERE Id = '" + ruleId + "'").at(0).toObject().value("IsActive").toBool());
        r = api->postJson(v + "/sobjects/Account", QJsonDocument(QJsonObject{{"Name", "Dupe Inc"}, {"BillingCity", "Oslo"}}));
        QCOMPARE(r.status, 201);
        QByteArray restore = update;
        restore.replace("<isActive>false</isActive>", "<isActive>true</isActive>");
        r = api->send("POST", "/services/Soap/m/62.0", head + org.token.toLatin1() + mid + restore + tail, "text/xml", soap, false);
        QCOMPARE(xmlValue(r.body, "success"), QStringLiteral("true"));

        r = api->send("POST", "/services/Soap/m/62.0", head + "bogus" + mid + read + tail, "text/xml", soap, false);
        QCOMPARE(r.status, 500);
        QVERIFY(r.body.contains("<faultcode>sf:INVALID_SESSION_ID</faultcode>"));
        r = api->send("POST", "/services/Soap/m/62.0", "<soapenv:Envelope><unclosed>", "text/xml", soap, false);
        QCOMPARE(r.status, 500);
        QVERIFY(r.body.contains("soapenv:Fault"));
    }

    void clientClosingMidRequest()
    {
        // Half a request, then the client goes away: the server shrugs and keeps serving.
        QTcpSocket socket;
        socket.connectToHost(QUrl(org.url).host(), quint16(QUrl(org.url).port()));
        QVERIFY(socket.waitForConnected(5000));
        socket.write("POST /services/data/v62.0/sobjects/Account HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{\"Name\":");
        QVERIFY(socket.waitForBytesWritten(5000));
        socket.abort();
        QTcpSocket garbage;
        garbage.connectToHost(QUrl(org.url).host(), quint16(QUrl(org.url).port()));
        QVERIFY(garbage.waitForConnected(5000));
        garbage.write("THIS IS NOT HTTP\r\n\r\n");
        QVERIFY(garbage.waitForReadyRead(5000));
        QVERIFY(garbage.readAll().startsWith("HTTP/1.1 400"));
        QCOMPARE(api->get(v + "/limits").status, 200);
        QVERIFY(org.running());
    }

    // Request framing an attacker controls (issue 14's probe): a body framed two ways, or two
    // lengths, is refused with 400 and the connection closed — so no second request hidden in
    // the body is ever run (RFC 9112 §6.3).
    void ambiguousFramingIsRefused()
    {
        const QByteArray auth = "Authorization: Bearer " + org.token.toLatin1() + "\r\n";
        const QByteArray hidden = "GET /services/data/v62.0/limits HTTP/1.1\r\nHost: x\r\n" + auth + "\r\n";
        const QByteArray chunkedBody = "0\r\n\r\n" + hidden;
        const QList<QByteArray> requests{
            // Content-Length and Transfer-Encoding: chunked together.
            "POST /services/data/v62.0/sobjects/Account HTTP/1.1\r\nHost: x\r\n" + auth + "Content-Type: application/json\r\n"
                "Content-Length: " + QByteArray::number(chunkedBody.size()) + "\r\nTransfer-Encoding: chunked\r\n\r\n" + chunkedBody,
            // Two different lengths.
            "POST /services/data/v62.0/sobjects/Account HTTP/1.1\r\nHost: x\r\n" + auth + "Content-Type: application/json\r\n"
                "Content-Length: 2\r\nContent-Length: 40\r\n\r\n{}" + hidden,
            // A coding the server does not frame by.
            "POST /services/data/v62.0/sobjects/Account HTTP/1.1\r\nHost: x\r\n" + auth + "Transfer-Encoding: gzip\r\n\r\n{}" + hidden,
        };
        for (const QByteArray &request : requests) {
            QTcpSocket socket;
            socket.connectToHost(QUrl(org.url).host(), quint16(QUrl(org.url).port()));
            QVERIFY(socket.waitForConnected(5000));
            socket.write(request);
            QVERIFY(socket.waitForBytesWritten(5000));
            QByteArray answer;
            QElapsedTimer clock;
            clock.start();
            while (socket.state() == QAbstractSocket::ConnectedState && clock.elapsed() < 10000)
                if (socket.waitForReadyRead(200))
                    answer += socket.readAll();
            answer += socket.readAll();
            QVERIFY2(answer.startsWith("HTTP/1.1 400"), answer.left(200).constData());
            QCOMPARE(answer.count("HTTP/1.1 "), 1);   // one answer: the hidden request never ran
            QVERIFY2(socket.state() != QAbstractSocket::ConnectedState, "the connection was kept open");
        }
        QCOMPARE(api->get(v + "/limits").status, 200);
    }

    void cliUsageAndProfiles()
    {
        QCOMPARE(runCli({"demo-org"}).exitCode, 64);
        QCOMPARE(runCli({"demo-org", "serve", "--port", "70000"}).exitCode, 64);
        QCOMPARE(runCli({"demo-org", "serve", "--faults", "meteor=0.5"}).exitCode, 64);
        QCOMPARE(runCli({"demo-org", "serve", "--scale", "fast"}).exitCode, 64);
        QCOMPARE(runCli({"demo-org", "serve", "--profile", "/no/such/profile.json"}).exitCode, 66);
        Scratch scratch;
        const QString broken = scratch.write("broken.json", R"({"orgProfile": {"chunkRows": 200}})");
        QCOMPARE(runCli({"demo-org", "serve", "--profile", broken}).exitCode, 65);   // every field is required

        // The predictor's own profile format, and the wrapped form that renames the custom pair.
        const QString plain = scratch.write("plain.json", QJsonDocument(OrgProfile{}.toJson()).toJson());
        test::DemoOrgProcess withPlain;
        QVERIFY2(withPlain.start({"--scale", "0", "--profile", plain}), qPrintable(withPlain.error()));
        QCOMPARE(withPlain.stop(), 0);
        QJsonObject wrapped{{"orgProfile", OrgProfile{}.toJson()},
                            {"demoOrg", QJsonObject{{"customObjects", QJsonObject{{"master", "Project__c"}, {"child", "Milestone__c"}, {"masterField", "Project__c"}}}}}};
        const QString custom = scratch.write("custom.json", QJsonDocument(wrapped).toJson());
        test::DemoOrgProcess withCustom;
        QVERIFY2(withCustom.start({"--scale", "0", "--profile", custom}), qPrintable(withCustom.error()));
        RawHttp c(withCustom.url, withCustom.token);
        OrgClient customClient = withCustom.client();
        const HttpResponse d = c.get(v + "/sobjects/Milestone__c/describe");
        QCOMPARE(d.status, 200);
        bool masterDetail = false;
        for (const auto &f : jsonOf(d).object().value("fields").toArray())
            masterDetail |= f.toObject().value("name").toString() == QLatin1String("Project__c") && f.toObject().value("relationshipOrder").toInt(-1) == 0 &&
                            f.toObject().value("referenceTo").toArray() == QJsonArray{"Project__c"};
        QVERIFY(masterDetail);
        // The roll-up follows the children.
        HttpResponse r = c.postJson(v + "/sobjects/Project__c", QJsonDocument(QJsonObject{{"Name", "P"}}));
        const QString project = jsonOf(r).object().value("id").toString();
        QJsonArray children;
        for (int i = 0; i < 3; ++i)
            children.append(record("Milestone__c", {{"Name", QStringLiteral("M%1").arg(i)}, {"Project__c", project}, {"Amount__c", 10}}));
        QCOMPARE(c.postJson(v + "/composite/sobjects", QJsonDocument(QJsonObject{{"records", children}})).status, 200);
        const QJsonObject p = jsonOf(c.get(v + "/sobjects/Project__c/" + project)).object();
        QCOMPARE(p.value("Line_Count__c").toDouble(), 3.0);
        QCOMPARE(p.value("Total_Amount__c").toDouble(), 30.0);
        QCOMPARE(c.send("DELETE", v + "/sobjects/Project__c/" + project).status, 204);   // cascades
        QCOMPARE(queryRecords(customClient, "SELECT Id FROM Milestone__c").size(), 0);
        QCOMPARE(withCustom.stop(), 0);

        // A small daily allowance runs out like a real org's.
        const QString small = scratch.write("small.json", QJsonDocument(QJsonObject{{"orgProfile", OrgProfile{}.toJson()},
                                                                                     {"demoOrg", QJsonObject{{"dailyApiRequests", 3}}}}).toJson());
        test::DemoOrgProcess limited;
        QVERIFY2(limited.start({"--scale", "0", "--profile", small}), qPrintable(limited.error()));
        RawHttp l(limited.url, limited.token);
        QList<int> statuses;
        for (int i = 0; i < 5; ++i)
            statuses << l.get(v + "/limits").status;
        QCOMPARE(statuses, (QList<int>{200, 200, 200, 403, 403}));
        QCOMPARE(firstError(l.get(v + "/limits")).value("errorCode").toString(), QStringLiteral("REQUEST_LIMIT_EXCEEDED"));
        QCOMPARE(limited.stop(), 0);
    }

    void restartKeepsCommittedRecords()
    {
        Scratch scratch;
        const QString data = scratch.path(QStringLiteral("org-data"));
        test::DemoOrgProcess first;
        QVERIFY2(first.start({QStringLiteral("--scale"), QStringLiteral("0"), QStringLiteral("--data"), data}), qPrintable(first.error()));
        RawHttp c1(first.url, first.token);
        QJsonArray records;
        for (int i = 0; i < 25; ++i)
            records.append(record("Account", {{"Name", QStringLiteral("Durable %1").arg(i)}}));
        QCOMPARE(c1.postJson(v + "/composite/sobjects", QJsonDocument(QJsonObject{{"records", records}})).status, 200);
        const QString user = first.username, password = first.password, oldToken = first.token;
        QCOMPARE(first.stop(), 0);

        test::DemoOrgProcess second;
        QVERIFY2(second.start({QStringLiteral("--scale"), QStringLiteral("0"), QStringLiteral("--data"), data}), qPrintable(second.error()));
        RawHttp c2(second.url, second.token);
        OrgClient secondClient = second.client();
        QCOMPARE(queryRecords(secondClient, "SELECT Id FROM Account WHERE Name LIKE 'Durable%'").size(), 25);
        QCOMPARE(second.username, user);
        QCOMPARE(second.password, password);
        c2.setToken(oldToken);   // sessions do not survive a restart, records do
        QCOMPARE(c2.get(v + "/limits").status, 401);
        // New records get new Ids, never one of the old ones.
        c2.setToken(second.token);
        const HttpResponse r = c2.postJson(v + "/sobjects/Account", QJsonDocument(QJsonObject{{"Name", "After restart"}}));
        QCOMPARE(r.status, 201);
        QCOMPARE(queryRecords(secondClient, "SELECT Id FROM Account").size(), 26);
        QCOMPARE(second.stop(), 0);
    }

    // POST /lockstep/seed: what the window asks for the file a user opens (Lockstep's own endpoint).
    void seedEndpointCreatesWhatAFileRefersTo()
    {
        Scratch scratch;
        SampleOptions o;
        o.rows = 300;
        o.parents = 12;
        const QString file = scratch.sample(QStringLiteral("seed-me.csv"), o);
        const auto seed = [&](const QJsonObject &body) { return api->postJson(QStringLiteral("/lockstep/seed"), QJsonDocument(body)); };
        const qsizetype before = queryRecords(*client, "SELECT Id FROM Opportunity").size();
        HttpResponse r = seed({{"files", QJsonArray{file}}});
        QCOMPARE(r.status, 200);
        QCOMPARE(jsonOf(r).object().value("files").toInt(), 1);
        QCOMPARE(jsonOf(r).object().value("created").toInt(), 312);   // 300 Opportunities + 12 Accounts
        QCOMPARE(queryRecords(*client, "SELECT Id FROM Opportunity").size() - before, qsizetype(300));
        r = seed({{"files", QJsonArray{file}}});   // twice: nothing new
        QCOMPARE(jsonOf(r).object().value("created").toInt(), 0);
        QCOMPARE(jsonOf(r).object().value("existing").toInt(), 312);

        QCOMPARE(seed({{"files", QJsonArray{"relative.csv"}}}).status, 400);
        QCOMPARE(seed({{"files", QJsonArray()}}).status, 400);
        QCOMPARE(api->send("POST", "/lockstep/seed", "not json").status, 400);
        r = seed({{"files", QJsonArray{scratch.path("missing.csv")}}});
        QCOMPARE(r.status, 404);
        QCOMPARE(firstError(r).value("errorCode").toString(), QStringLiteral("INVALID_FILE"));
        r = api->send("POST", "/lockstep/seed", QJsonDocument(QJsonObject{{"files", QJsonArray{file}}}).toJson(), "application/json", {}, false);
        QCOMPARE(r.status, 401);   // a session, like any API
    }

    // --stop-with-parent: the end of stdin (what the kernel does when the parent exits, crashes
    // or is killed) stops the org; without the option it keeps serving.
    void stopsWhenItsParentGoes()
    {
        auto serve = [](QProcess &p, const QStringList &extra) {
            p.start(qEnvironmentVariable("LOCKSTEP_CLI"), QStringList{"demo-org", "serve", "--port", "0", "--scale", "0"} + extra);
            QByteArray out;
            while (!out.contains('\n') && p.waitForReadyRead(30000))
                out += p.readAllStandardOutput();
            return out.contains("instance_url");
        };
        QProcess watching;
        QVERIFY(serve(watching, {"--stop-with-parent"}));
        watching.closeWriteChannel();
        QVERIFY(watching.waitForFinished(10000));
        QCOMPARE(watching.exitStatus(), QProcess::NormalExit);
        QCOMPARE(watching.exitCode(), 0);
        QVERIFY(watching.readAllStandardError().contains("stdin closed"));

        QProcess plain;
        QVERIFY(serve(plain, {}));
        plain.closeWriteChannel();
        QVERIFY(!plain.waitForFinished(500));
        plain.terminate();
        QVERIFY(plain.waitForFinished(10000));
        QCOMPARE(plain.exitCode(), 0);
    }
};

QTEST_GUILESS_MAIN(TestDemoOrgApi)
#include "tst_demoorg_api.moc"
