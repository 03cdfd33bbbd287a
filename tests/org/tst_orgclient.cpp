// OrgClient (app/core/org/) against the demo org over real HTTP: every call a load makes —
// describe, paged SOQL, sObject Collections, Bulk API 1.0 and 2.0, duplicate rules through the
// Metadata API — with typed errors, session renewal, busy answers and the URL rules.
#include "DemoOrgTestSupport.h"
#include "TestSupport.h"

#include "org/OrgClient.h"

#include <QElapsedTimer>
#include <QFile>
#include <QtTest>

#include <atomic>
#include <thread>
#include <vector>

using namespace lockstep;

namespace {

// Polls `done` until it holds or the deadline passes (a condition with a deadline, no sleeps
// that decide anything).
template <class F>
bool waitFor(F &&done, int milliseconds)
{
    QElapsedTimer timer;
    timer.start();
    while (!done()) {
        if (timer.elapsed() > milliseconds)
            return false;
        QThread::msleep(20);
    }
    return true;
}

} // namespace

class TestOrgClient : public QObject {
    Q_OBJECT
    test::Scratch scratch;
    test::DemoOrgProcess org;
    QStringList opportunityIds;   // the seeded file's Ids, in file order
    QString file;

    OrgClient client(const QByteArray &token = {})
    {
        auto c = OrgClient::create({org.url, token.isEmpty() ? org.token.toLatin1() : token});
        if (!c)
            qFatal("%s", qPrintable(c.error().message));
        return std::move(*c);
    }

private slots:
    void initTestCase()
    {
        SampleOptions sample;
        sample.rows = 3000;
        sample.parents = 40;
        sample.seed = 7;
        file = scratch.sample(QStringLiteral("opps.csv"), sample);
        QVERIFY2(org.start({"--scale", "0", "--seed-from", file}), qPrintable(org.error()));
        QFile f(file);
        QVERIFY(f.open(QIODevice::ReadOnly));
        f.readLine();
        while (!f.atEnd())
            opportunityIds << QString::fromLatin1(f.readLine().split(',').front());
        QCOMPARE(opportunityIds.size(), 3000);
    }

    void urlsArePlainHttpsOrLoopback()
    {
        QVERIFY(checkOrgUrl(QStringLiteral("https://acme.my.salesforce.com")).has_value());
        QVERIFY(checkOrgUrl(QStringLiteral("http://127.0.0.1:8080")).has_value());
        QVERIFY(checkOrgUrl(QStringLiteral("http://127.1.2.3")).has_value());
        QVERIFY(checkOrgUrl(QStringLiteral("http://localhost:1717")).has_value());
        QVERIFY(checkOrgUrl(QStringLiteral("http://[::1]:8080")).has_value());
        const auto plain = checkOrgUrl(QStringLiteral("http://acme.my.salesforce.com"));
        QVERIFY(!plain);
        QVERIFY2(plain.error().message.contains(QStringLiteral("refusing plain http://")), qPrintable(plain.error().message));
        QVERIFY(!checkOrgUrl(QStringLiteral("http://127.0.0.1.example.com")));
        QVERIFY(!checkOrgUrl(QStringLiteral("ftp://127.0.0.1")));
        QVERIFY(!checkOrgUrl(QStringLiteral("not a url")));
        QVERIFY(!OrgClient::create({QStringLiteral("http://10.0.0.5"), "token"}));
    }

    void describeAndPagedQuery()
    {
        OrgClient c = client();
        const auto d = c.describe(QStringLiteral("Opportunity"));
        QVERIFY2(d.has_value(), qPrintable(d ? QString() : d.error().toError().message));
        bool hasAccountId = false;
        for (const auto &f : d->value(QStringLiteral("fields")).toArray())
            hasAccountId |= f.toObject().value(QStringLiteral("name")).toString() == QLatin1String("AccountId");
        QVERIFY(hasAccountId);
        // 3,000 records: more than one page of 2,000.
        const auto records = c.query(QStringLiteral("SELECT Id, AccountId FROM Opportunity"));
        QVERIFY(records.has_value());
        QCOMPARE(qsizetype(records->size()), qsizetype(3000));
        const auto missing = c.describe(QStringLiteral("NoSuchObject__c"));
        QVERIFY(!missing);
        QCOMPARE(missing.error().kind, OrgError::Kind::Api);
        QCOMPARE(missing.error().status, 404);
    }

    void collectionsUpdateInsertDelete()
    {
        OrgClient c = client();
        QJsonArray updates;
        for (int i = 0; i < 200; ++i)
            updates.append(QJsonObject{{QStringLiteral("Id"), opportunityIds[i]}, {QStringLiteral("StageName"), QStringLiteral("Qualification")}});
        const auto updated = c.collections(Operation::Update, QStringLiteral("Opportunity"), updates);
        QVERIFY(updated.has_value());
        QCOMPARE(qsizetype(updated->size()), qsizetype(200));
        for (const auto &r : *updated) {
            QVERIFY(r.success);
            QVERIFY(!r.created);
        }
        // A wrong Id fails its row with the org's code, the others go through.
        QJsonArray mixed{QJsonObject{{QStringLiteral("Id"), QStringLiteral("006000000000000AAA")}, {QStringLiteral("StageName"), QStringLiteral("x")}},
                         QJsonObject{{QStringLiteral("Id"), opportunityIds[300]}, {QStringLiteral("StageName"), QStringLiteral("Prospecting")}}};
        const auto partly = c.collections(Operation::Update, QStringLiteral("Opportunity"), mixed);
        QVERIFY(partly.has_value());
        QVERIFY(!(*partly)[0].success);
        QVERIFY(!(*partly)[0].errors.empty() && !(*partly)[0].errors.front().statusCode.isEmpty());
        QVERIFY((*partly)[1].success);

        const auto inserted = c.collections(Operation::Insert, QStringLiteral("Account"),
                                            QJsonArray{QJsonObject{{QStringLiteral("Name"), QStringLiteral("Lockstep test A")}},
                                                       QJsonObject{{QStringLiteral("Name"), QStringLiteral("Lockstep test B")}}});
        QVERIFY(inserted.has_value());
        QVERIFY((*inserted)[0].success && (*inserted)[0].created && (*inserted)[0].id.startsWith(QStringLiteral("001")));
        const auto deleted = c.collections(Operation::Delete, QStringLiteral("Account"),
                                           QJsonArray{(*inserted)[0].id, (*inserted)[1].id});
        QVERIFY(deleted.has_value());
        QVERIFY((*deleted)[0].success && (*deleted)[1].success);
    }

    void bulkApi1()
    {
        OrgClient c = client();
        auto job = c.createBulkJob(QStringLiteral("Opportunity"), Operation::Update, false);
        QVERIFY2(job.has_value(), qPrintable(job ? QString() : job.error().toError().message));
        QCOMPARE(job->state, QStringLiteral("Open"));
        std::vector<BulkBatchInfo> batches;
        for (int b = 0; b < 2; ++b) {
            QByteArray csv = "Id,StageName\n";
            for (int i = b * 500; i < (b + 1) * 500; ++i)
                csv += opportunityIds[i].toLatin1() + ",Needs Analysis\n";
            csv += "006000000000000AAA,Needs Analysis\n";   // one bad row per batch
            auto batch = c.addBulkBatch(job->id, csv, b == 1);
            QVERIFY(batch.has_value());
            batches.push_back(*batch);
        }
        QVERIFY(waitFor([&] {
            auto all = c.bulkBatches(job->id);
            return all && all->size() == 2 && (*all)[0].finished() && (*all)[1].finished();
        }, 60000));
        for (const auto &b : batches) {
            const auto results = c.bulkBatchResult(job->id, b.id);
            QVERIFY(results.has_value());
            QCOMPARE(qsizetype(results->size()), qsizetype(501));
            for (size_t i = 0; i < 500; ++i)
                QVERIFY((*results)[i].success);
            QVERIFY(!results->back().success);
            QVERIFY(!results->back().errors.front().statusCode.isEmpty());
        }
        const auto closed = c.closeBulkJob(job->id);
        QVERIFY(closed.has_value());
        QCOMPARE(closed->state, QStringLiteral("Closed"));
        QCOMPARE(closed->batchesTotal, qint64(2));
    }

    void bulkApi2()
    {
        OrgClient c = client();
        auto job = c.createIngestJob(QStringLiteral("Opportunity"), Operation::Update);
        QVERIFY(job.has_value());
        QByteArray csv = "Id,StageName\n";
        for (int i = 1000; i < 1400; ++i)
            csv += opportunityIds[i].toLatin1() + ",Closed Won\n";
        QVERIFY(c.uploadIngestData(job->id, csv).has_value());
        QVERIFY(c.setIngestState(job->id, QStringLiteral("UploadComplete")).has_value());
        QVERIFY(waitFor([&] { auto j = c.ingestJob(job->id); return j && j->finished(); }, 60000));
        const auto info = c.ingestJob(job->id);
        QCOMPARE(info->state, QStringLiteral("JobComplete"));
        QCOMPARE(info->recordsProcessed, qint64(400));
        const auto ok = c.ingestResults(job->id, QStringLiteral("successfulResults"));
        QVERIFY(ok.has_value());
        QVERIFY(ok->startsWith("\"sf__Id\",\"sf__Created\""));
        QCOMPARE(ok->count('\n'), qsizetype(401));
    }

    void duplicateRulesSwitchOffAndOn()
    {
        OrgClient c = client();
        auto rules = c.duplicateRules(QStringLiteral("Account"));
        QVERIFY2(rules.has_value(), qPrintable(rules ? QString() : rules.error().toError().message));
        QVERIFY(!rules->empty());
        const DuplicateRuleState rule = rules->front();
        QVERIFY(rule.active);
        QVERIFY(c.setDuplicateRuleActive(rule, false).has_value());
        auto off = c.duplicateRules(QStringLiteral("Account"));
        QVERIFY(!off->front().active);
        QVERIFY(c.setDuplicateRuleActive(rule, true).has_value());
        QVERIFY(c.duplicateRules(QStringLiteral("Account"))->front().active);
        DuplicateRuleState missing = rule;
        missing.developerName = QStringLiteral("No_Such_Rule");
        QVERIFY(!c.setDuplicateRuleActive(missing, false));
    }

    void expiredSessionIsRenewedOnce()
    {
        // A wrong token and a renewer that logs in: the call goes through after one renewal.
        int renewals = 0;
        auto renew = [&]() -> Result<OrgSession> {
            ++renewals;
            return OrgClient::loginWithPassword(org.url, org.clientId, org.clientSecret.toLatin1(), org.username, org.password.toLatin1());
        };
        auto c = OrgClient::create({org.url, "00Dexpired!token"}, renew);
        QVERIFY(c.has_value());
        const auto d = c->describe(QStringLiteral("Account"));
        QVERIFY2(d.has_value(), qPrintable(d ? QString() : d.error().toError().message));
        QCOMPARE(renewals, 1);
        QVERIFY(c->session().accessToken != "00Dexpired!token");
        // Without a renewer the session error is final, and no message carries the token.
        OrgClient stale = client("00Dstale!secret-token-value");
        const auto refused = stale.query(QStringLiteral("SELECT Id FROM Account"));
        QVERIFY(!refused);
        QCOMPARE(refused.error().kind, OrgError::Kind::Session);
        QVERIFY(!refused.error().toError().message.contains(QStringLiteral("secret-token-value")));
        // A wrong password: said, with the user's name and not the password.
        const auto login = OrgClient::loginWithPassword(org.url, org.clientId, org.clientSecret.toLatin1(), org.username, "wrong-password-xyz");
        QVERIFY(!login);
        QVERIFY(login.error().message.contains(org.username));
        QVERIFY(!login.error().message.contains(QStringLiteral("wrong-password-xyz")));
    }

    // Eight lanes on one session that the org ends: one login, not eight, and every lane goes on
    // with the new session — also a lane made after the renewal.
    void lanesShareOneRenewal()
    {
        std::atomic<int> renewals = 0;
        auto renew = [&]() -> Result<OrgSession> {
            ++renewals;
            return OrgClient::loginWithPassword(org.url, org.clientId, org.clientSecret.toLatin1(), org.username, org.password.toLatin1());
        };
        const auto makeLane = OrgClient::sharingRenewals({org.url, "00Dended!session"}, renew);
        std::vector<std::thread> lanes;
        std::atomic<int> answered = 0;
        for (int i = 0; i < 8; ++i)
            lanes.emplace_back([&] {
                auto lane = makeLane();
                if (lane && lane->query(QStringLiteral("SELECT Id FROM Account LIMIT 1")))
                    ++answered;
            });
        for (auto &t : lanes)
            t.join();
        QCOMPARE(answered.load(), 8);
        QCOMPARE(renewals.load(), 1);
        auto late = makeLane();
        QVERIFY(late.has_value());
        QVERIFY(late->session().accessToken != "00Dended!session");
        QVERIFY(late->query(QStringLiteral("SELECT Id FROM Account LIMIT 1")).has_value());
        QCOMPARE(renewals.load(), 1);
    }

    void busyAnswersAreWaitedOutWithinABudget()
    {
        // Every request answers 503: the client waits, tries again, and gives up at its budget.
        test::DemoOrgProcess busy;
        QVERIFY2(busy.start({"--scale", "0", "--faults", "503=1"}), qPrintable(busy.error()));
        auto c = OrgClient::create({busy.url, busy.token.toLatin1()});
        QVERIFY(c.has_value());
        c->setBusyBudgetSeconds(2.5);
        QElapsedTimer timer;
        timer.start();
        const auto d = c->describe(QStringLiteral("Account"));
        QVERIFY(!d);
        QCOMPARE(d.error().kind, OrgError::Kind::Limit);
        QVERIFY(timer.elapsed() >= 2000 && timer.elapsed() < 10000);
        QCOMPARE(busy.stop(), 0);
        // The daily allowance: REQUEST_LIMIT_EXCEEDED is a limit, not retried.
        test::DemoOrgProcess limited;
        QVERIFY2(limited.start({"--scale", "0", "--faults", "limit=1"}), qPrintable(limited.error()));
        auto l = OrgClient::create({limited.url, limited.token.toLatin1()});
        const auto q = l->query(QStringLiteral("SELECT Id FROM Account"));
        QVERIFY(!q);
        QCOMPARE(q.error().kind, OrgError::Kind::Limit);
        QCOMPARE(q.error().code, QStringLiteral("REQUEST_LIMIT_EXCEEDED"));
        QCOMPARE(limited.stop(), 0);
    }

    void lostAnswersAreOutcomeUnknown()
    {
        // The org commits and drops the connection: never resent, reported as unknown.
        test::DemoOrgProcess dropping;
        QVERIFY2(dropping.start({"--scale", "0", "--faults", "drop=1", "--seed-from", file}), qPrintable(dropping.error()));
        auto c = OrgClient::create({dropping.url, dropping.token.toLatin1()});
        const auto r = c->collections(Operation::Insert, QStringLiteral("Account"),
                                      QJsonArray{QJsonObject{{QStringLiteral("Name"), QStringLiteral("Dropped")}}});
        QVERIFY(!r);
        QCOMPARE(r.error().kind, OrgError::Kind::Transport);
        QVERIFY(r.error().outcomeUnknown());
        QCOMPARE(dropping.stop(), 0);
    }

    void bulkErrorCells()
    {
        const RecordError e = OrgClient::parseBulkError(
            QStringLiteral("UNABLE_TO_LOCK_ROW:unable to obtain exclusive access to this record or 1 records: 001A:--"));
        QCOMPARE(e.statusCode, QStringLiteral("UNABLE_TO_LOCK_ROW"));
        QCOMPARE(e.message, QStringLiteral("unable to obtain exclusive access to this record or 1 records: 001A"));
        QVERIFY(e.fields.isEmpty());
        const RecordError f = OrgClient::parseBulkError(QStringLiteral("REQUIRED_FIELD_MISSING:Required fields are missing: [Name]:Name,StageName --"));
        QCOMPARE(f.statusCode, QStringLiteral("REQUIRED_FIELD_MISSING"));
        QCOMPARE(f.fields, (QStringList{QStringLiteral("Name"), QStringLiteral("StageName")}));
        QCOMPARE(f.message, QStringLiteral("Required fields are missing: [Name]"));
    }

    void cleanupTestCase()
    {
        QCOMPARE(org.stop(), 0);
    }
};

QTEST_GUILESS_MAIN(TestOrgClient)
#include "tst_orgclient.moc"
