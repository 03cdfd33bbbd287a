#include "DemoOrgTestSupport.h"
#include "TestSupport.h"

#include "sim/OrgProfile.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonObject>
#include <QTest>
#include <QThread>

#include <thread>

using namespace lockstep;
using namespace lockstep::test;

namespace {
const QString v = QStringLiteral("/services/data/v62.0");
constexpr double kScale = 0.05;                    // 10 s lock timeout → 500 ms
constexpr double kTimeoutMs = 10000 * kScale;
} // namespace

// Lock contention for real (calibration.md case C): a request that needs a record another
// transaction holds waits the scaled timeout and fails with Salesforce's exact error; Bulk 1.0
// re-queues lock-failed batches; nothing leaks; faults repeat by seed.
class TestDemoOrgLocks : public QObject {
    Q_OBJECT
    test::DemoOrgProcess org;
    std::unique_ptr<RawHttp> api;
    QString account;
    QStringList opportunities;

    // Holds `ids` for `platformSeconds` on a thread of its own (its own connection).
    std::thread holdAsync(const QStringList &ids, double platformSeconds, int *status)
    {
        return std::thread([=, url = org.url, token = org.token] {
            RawHttp c(url, token);
            *status = c.postJson("/services/apexrest/lockstep/holdLocks",
                                 QJsonDocument(QJsonObject{{"ids", QJsonArray::fromStringList(ids)}, {"seconds", platformSeconds}})).status;
        });
    }
    void waitUntilLocked(int keys)
    {
        for (int i = 0; i < 200; ++i) {
            if (jsonOf(api->get("/lockstep/status")).object().value("lockedKeys").toInt() >= keys)
                return;
            QThread::msleep(5);
        }
        QFAIL("the lock was never taken");
    }
    QJsonObject status() { return jsonOf(api->get("/lockstep/status")).object(); }

private slots:
    void initTestCase()
    {
        QVERIFY2(org.start({QStringLiteral("--scale"), QString::number(kScale)}), qPrintable(org.error()));
        api = std::make_unique<RawHttp>(org.url, org.token);
        HttpResponse r = api->postJson(v + "/sobjects/Account", QJsonDocument(QJsonObject{{"Name", "Skewed Parent"}}));
        QCOMPARE(r.status, 201);
        account = jsonOf(r).object().value("id").toString();
        for (int call = 0; call < 2; ++call) {
            QJsonArray records;
            for (int i = 0; i < 200; ++i)
                records.append(QJsonObject{{"attributes", QJsonObject{{"type", "Opportunity"}}}, {"Name", QStringLiteral("Child %1-%2").arg(call).arg(i)},
                                           {"StageName", "Prospecting"}, {"CloseDate", "2030-06-30"}, {"AccountId", account}});
            r = api->postJson(v + "/composite/sobjects", QJsonDocument(QJsonObject{{"records", records}}));
            QCOMPARE(r.status, 200);
            for (const auto &e : jsonOf(r).array())
                opportunities << e.toObject().value("id").toString();
        }
        QCOMPARE(opportunities.size(), 400);
    }
    void cleanupTestCase()
    {
        // Whatever happened above, nothing holds a lock now.
        const QJsonObject s = status();
        QCOMPARE(s.value("lockedKeys").toInt(-1), 0);
        QCOMPARE(s.value("openTransactions").toInt(-1), 0);
        QCOMPARE(org.stop(), 0);
    }

    void caseC_waitsTheScaledTimeoutThenFailsExactly()
    {
        int holdStatus = 0;
        std::thread holder = holdAsync({account}, 60, &holdStatus);   // 60 s platform = 3 s here
        waitUntilLocked(1);
        QElapsedTimer timer;
        timer.start();
        const HttpResponse r = api->patchJson(v + "/sobjects/Opportunity/" + opportunities.front(), QJsonDocument(QJsonObject{{"Amount", 5}}));
        const double ms = double(timer.nsecsElapsed()) / 1e6;
        const QByteArray expected = "[{\"message\":\"unable to obtain exclusive access to this record or 1 records: " + account.toLatin1() +
                                    "\",\"errorCode\":\"UNABLE_TO_LOCK_ROW\",\"fields\":[]}]";
        QCOMPARE(r.status, 400);
        QCOMPARE(r.body, expected);
        qInfo("case C (REST): failed after %.0f ms; scaled timeout %.0f ms (scale %.2f)", ms, kTimeoutMs, kScale);
        QVERIFY2(ms >= kTimeoutMs * 0.8 && ms <= kTimeoutMs * 1.2, qPrintable(QStringLiteral("%1 ms").arg(ms)));

        // Through sObject Collections: HTTP 200, the row fails with the same error.
        timer.restart();
        const HttpResponse c = api->patchJson(v + "/composite/sobjects", QJsonDocument(QJsonObject{
            {"allOrNone", false}, {"records", QJsonArray{QJsonObject{{"attributes", QJsonObject{{"type", "Opportunity"}}}, {"Id", opportunities[1]}, {"Amount", 6}}}}}));
        const double collectionMs = double(timer.nsecsElapsed()) / 1e6;
        QCOMPARE(c.status, 200);
        QCOMPARE(c.body, "[{\"success\":false,\"errors\":[{\"statusCode\":\"UNABLE_TO_LOCK_ROW\",\"message\":\"unable to obtain exclusive access to this record or 1 records: " +
                             account.toLatin1() + "\",\"fields\":[]}]}]");
        qInfo("case C (Collections): failed after %.0f ms", collectionMs);
        QVERIFY(collectionMs >= kTimeoutMs * 0.8 && collectionMs <= kTimeoutMs * 1.2);
        holder.join();
        QCOMPARE(holdStatus, 200);
        // The locks went with the holder: the same update now goes through.
        QCOMPARE(api->patchJson(v + "/sobjects/Opportunity/" + opportunities.front(), QJsonDocument(QJsonObject{{"Amount", 5}})).status, 204);
    }

    void aSkewedParentIsHeldAsLongAsTheOrgsChildrenSay()
    {
        // OrgProfile::parentHoldSecondsPerChild on the demo org: a transaction that locks a
        // parent holds it longer the more children the parent has *in the org* — counted from the
        // stored records, kept current as children are added and moved. Made visible with a
        // profile that holds 0.5 s a child past 10, no variation, at scale 0.02: a one-row update
        // lasts about its parent's hold.
        Scratch scratch;
        OrgProfile profile;
        profile.workCv = 0;
        profile.parentHoldThreshold = 10;
        profile.parentHoldSecondsPerChild = 0.5;
        constexpr double scale = 0.02;
        const QString path = scratch.write(QStringLiteral("skew.json"), QJsonDocument(profile.toJson()).toJson());
        test::DemoOrgProcess skewOrg;
        QVERIFY2(skewOrg.start({"--scale", QString::number(scale), "--profile", path}), qPrintable(skewOrg.error()));
        RawHttp c(skewOrg.url, skewOrg.token);
        auto created = [](const HttpResponse &r) { return jsonOf(r).object().value("id").toString(); };
        const QString big = created(c.postJson(v + "/sobjects/Account", QJsonDocument(QJsonObject{{"Name", "Big"}})));
        const QString small = created(c.postJson(v + "/sobjects/Account", QJsonDocument(QJsonObject{{"Name", "Small"}})));
        auto addChildren = [&](const QString &parent, int n) {
            QJsonArray records;
            for (int i = 0; i < n; ++i)
                records.append(QJsonObject{{"attributes", QJsonObject{{"type", "Opportunity"}}}, {"Name", "Child"}, {"StageName", "Prospecting"},
                                           {"CloseDate", "2030-06-30"}, {"AccountId", parent}});
            QStringList ids;
            for (const auto &e : jsonOf(c.postJson(v + "/composite/sobjects", QJsonDocument(QJsonObject{{"records", records}}))).array())
                ids << e.toObject().value("id").toString();
            return ids;
        };
        const QStringList bigChildren = addChildren(big, 30);
        const QStringList smallChildren = addChildren(small, 5);
        QCOMPARE(bigChildren.size(), 30);
        QCOMPARE(smallChildren.size(), 5);
        // The wall time of an update of one child that names only its Amount: the parent comes
        // from the stored record, its children from the org.
        auto updateMs = [&](const QString &child) {
            QElapsedTimer t;
            t.start();
            const int status = c.patchJson(v + "/sobjects/Opportunity/" + child, QJsonDocument(QJsonObject{{"Amount", 1}})).status;
            return status == 204 ? double(t.nsecsElapsed()) / 1e6 : -1.0;
        };
        auto holdMs = [&](int children) { return 0.5 * std::max(0, children - 10) * scale * 1000; };
        // Within 20 ms early (the script starts when the request is read) and 70 ms late (HTTP,
        // scheduling): each step below differs from the count a stale cache would give by more.
        QStringList seen;
        auto near = [&](double ms, int children) {
            seen << QStringLiteral("%1 children %2 ms (hold %3)").arg(children).arg(ms, 0, 'f', 0).arg(holdMs(children), 0, 'f', 0);
            return ms >= holdMs(children) - 20 && ms <= holdMs(children) + 70;
        };
        double ms = updateMs(bigChildren[0]);
        QVERIFY2(near(ms, 30), qPrintable(QStringLiteral("30 children: %1 ms").arg(ms)));
        ms = updateMs(smallChildren[0]);
        QVERIFY2(near(ms, 5), qPrintable(QStringLiteral("5 children: %1 ms").arg(ms)));
        // Children added (+1 each on the cached count) ...
        addChildren(small, 10);
        ms = updateMs(smallChildren[0]);
        QVERIFY2(near(ms, 15), qPrintable(QStringLiteral("15 children: %1 ms").arg(ms)));
        // ... and moved between parents in one call (−1 / +1).
        QJsonArray moves;
        for (int i = 0; i < 10; ++i)
            moves.append(QJsonObject{{"attributes", QJsonObject{{"type", "Opportunity"}}}, {"Id", bigChildren[20 + i]}, {"AccountId", small}});
        QCOMPARE(c.patchJson(v + "/composite/sobjects", QJsonDocument(QJsonObject{{"records", moves}})).status, 200);
        ms = updateMs(bigChildren[0]);
        QVERIFY2(near(ms, 20), qPrintable(QStringLiteral("20 children: %1 ms").arg(ms)));
        ms = updateMs(smallChildren[0]);
        QVERIFY2(near(ms, 25), qPrintable(QStringLiteral("25 children: %1 ms").arg(ms)));
        qInfo("one-row updates: %s", qPrintable(seen.join(QStringLiteral("; "))));
        QCOMPARE(skewOrg.stop(), 0);
    }

    void aShortHoldIsWaitedOut()
    {
        int holdStatus = 0;
        std::thread holder = holdAsync({account}, 4, &holdStatus);   // 4 s platform = 200 ms: less than the timeout
        waitUntilLocked(1);
        QElapsedTimer timer;
        timer.start();
        const HttpResponse r = api->patchJson(v + "/sobjects/Opportunity/" + opportunities[2], QJsonDocument(QJsonObject{{"Amount", 7}}));
        holder.join();
        QCOMPARE(r.status, 204);
        QVERIFY(timer.elapsed() >= 100);   // it queued behind the holder
    }

    // Each hold keeps a server thread: at most 16 at once, the 17th is told to come back, and the
    // org keeps answering its APIs meanwhile (100 holds once took every worker).
    void lockHoldsAreCapped()
    {
        std::vector<int> statuses(16, 0);
        std::vector<std::thread> holders;
        for (int i = 0; i < 16; ++i)
            holders.push_back(holdAsync({opportunities[100 + i]}, 20, &statuses[size_t(i)]));   // 1 s wall at 0.05
        waitUntilLocked(16);
        const HttpResponse extra = api->postJson("/services/apexrest/lockstep/holdLocks",
                                                 QJsonDocument(QJsonObject{{"ids", QJsonArray{opportunities[200]}}, {"seconds", 1}}));
        QCOMPARE(extra.status, 503);
        QVERIFY(extra.body.contains("at most 16 lock holds"));
        QCOMPARE(api->get(v + "/limits").status, 200);
        for (auto &t : holders)
            t.join();
        for (const int s : statuses)
            QCOMPARE(s, 200);
        QCOMPARE(api->postJson("/services/apexrest/lockstep/holdLocks",
                               QJsonDocument(QJsonObject{{"ids", QJsonArray{opportunities[200]}}, {"seconds", 0}})).status, 200);
    }

    void clientClosingEarlyLeaksNoLock()
    {
        HttpRequest request;
        request.method = "POST";
        request.url = org.url + "/services/apexrest/lockstep/holdLocks";
        request.body = QJsonDocument(QJsonObject{{"ids", QJsonArray{account}}, {"seconds", 10}}).toJson();   // 500 ms here
        request.timeout = std::chrono::milliseconds(100);
        request.header("Content-Type", "application/json").header("Authorization", "Bearer " + org.token.toLatin1());
        HttpClient impatient;
        const auto r = impatient.send(request);
        QVERIFY(!r.has_value());
        QCOMPARE(r.error().transport, TransportError::Timeout);
        QThread::msleep(700);
        QCOMPARE(status().value("lockedKeys").toInt(-1), 0);
        QCOMPARE(api->get(v + "/limits").status, 200);
    }

    void bulkRequeuesLockFailedBatches_data()
    {
        QTest::addColumn<bool>("disableRetry");
        QTest::addColumn<int>("retries");
        QTest::newRow("retry") << false << 1;
        QTest::newRow("Sforce-Disable-Batch-Retry") << true << 0;
    }
    void bulkRequeuesLockFailedBatches()
    {
        QFETCH(bool, disableRetry);
        int holdStatus = 0;
        std::thread holder = holdAsync({account}, 80, &holdStatus);   // 4 s here: both 200-row chunks time out
        waitUntilLocked(1);
        QList<QPair<QByteArray, QByteArray>> headers{{"X-SFDC-Session", org.token.toLatin1()}};
        if (disableRetry)
            headers.append(qMakePair(QByteArray("Sforce-Disable-Batch-Retry"), QByteArray("TRUE")));
        const QByteArray ns = "http://www.force.com/2009/06/asyncapi/dataload";
        HttpResponse r = api->send("POST", "/services/async/62.0/job",
                                   "<jobInfo xmlns=\"" + ns + "\"><operation>update</operation><object>Opportunity</object><contentType>CSV</contentType></jobInfo>",
                                   "application/xml", headers, false);
        const QString job = xmlValue(r.body, "id");
        QByteArray csv = "Id,Amount\n";
        for (const QString &id : opportunities)
            csv += id.toLatin1() + ",42\n";
        r = api->send("POST", "/services/async/62.0/job/" + job + "/batch", csv, "text/csv", headers, false);
        const QString batch = xmlValue(r.body, "id");
        QString state;
        for (int i = 0; i < 400 && state != QLatin1String("Completed"); ++i) {
            QThread::msleep(25);
            state = xmlValue(api->send("GET", "/services/async/62.0/job/" + job + "/batch/" + batch, {}, {}, headers, false).body, "state");
        }
        QCOMPARE(state, QStringLiteral("Completed"));
        r = api->send("GET", "/services/async/62.0/job/" + job, {}, {}, headers, false);
        QTEST(xmlValue(r.body, "numberRetries").toInt(), "retries");
        QCOMPARE(xmlValue(r.body, "numberRecordsFailed"), QStringLiteral("400"));
        const QByteArray results = api->send("GET", "/services/async/62.0/job/" + job + "/batch/" + batch + "/result", {}, {}, headers, false).body;
        QCOMPARE(results.count("UNABLE_TO_LOCK_ROW:unable to obtain exclusive access to this record or 1 records: " + account.toLatin1() + ": --"), 400);
        holder.join();
    }

    void faultsRepeatBySeed()
    {
        auto run = [](QList<int> &statuses) {
            test::DemoOrgProcess faulty;
            if (!faulty.start({"--scale", "0", "--seed", "42", "--faults", "500=0.2,503=0.1,limit=0.1"}))
                return false;
            RawHttp c(faulty.url, faulty.token);
            for (int i = 0; i < 60; ++i)
                statuses << c.get(v + "/limits").status;
            return faulty.stop() == 0;
        };
        QList<int> first, second;
        QVERIFY(run(first));
        QVERIFY(run(second));
        QCOMPARE(first, second);
        QVERIFY(first.contains(500));
        QVERIFY(first.contains(503));
        QVERIFY(first.contains(403));
        QVERIFY(first.contains(200));
    }

    void droppedAnswersStillCommit()
    {
        test::DemoOrgProcess faulty;
        QVERIFY(faulty.start({"--scale", "0", "--seed", "3", "--faults", "drop=0.5,expire=0"}));
        RawHttp c(faulty.url, faulty.token);
        int answered = 0, lost = 0;
        for (int i = 0; i < 20; ++i) {
            HttpRequest request;
            request.method = "POST";
            request.url = faulty.url + v + "/sobjects/Account";
            request.body = QJsonDocument(QJsonObject{{"Name", QStringLiteral("Dropped %1").arg(i)}}).toJson();
            request.header("Content-Type", "application/json").header("Authorization", "Bearer " + faulty.token.toLatin1());
            const auto r = c.http().send(request);
            if (r)
                ++answered;
            else if (r.error().transport == TransportError::ConnectionLost)
                ++lost;
            else
                qWarning("unexpected: %s", qPrintable(r.error().error.message));
        }
        QVERIFY(lost > 0);
        QCOMPARE(answered + lost, 20);
        // Every create committed, answered or not; count them on a connection that is not dropped
        // (a COUNT() may be dropped too: retry until one answer arrives).
        int created = -1;
        for (int i = 0; i < 50 && created < 0; ++i) {
            const HttpResponse r = c.get(v + "/query?q=SELECT+COUNT()+FROM+Account+WHERE+Name+LIKE+'Dropped%25'");
            if (r.status == 200)
                created = jsonOf(r).object().value("totalSize").toInt();
        }
        QCOMPARE(created, 20);
        QCOMPARE(faulty.stop(), 0);

        test::DemoOrgProcess slow;
        QVERIFY(slow.start({"--scale", "0", "--faults", "slow=1:300"}));
        RawHttp s(slow.url, slow.token);
        QElapsedTimer timer;
        timer.start();
        QCOMPARE(s.get(v + "/limits").status, 200);
        QVERIFY(timer.elapsed() >= 280);
        QCOMPARE(slow.stop(), 0);

        test::DemoOrgProcess expiring;
        QVERIFY(expiring.start({"--scale", "0", "--faults", "expire=1"}));
        RawHttp e(expiring.url, expiring.token);
        QCOMPARE(e.get(v + "/limits").status, 401);
        QCOMPARE(firstError(e.get(v + "/limits")).value("errorCode").toString(), QStringLiteral("INVALID_SESSION_ID"));
        QCOMPARE(expiring.stop(), 0);
    }
};

QTEST_GUILESS_MAIN(TestDemoOrgLocks)
#include "tst_demoorg_locks.moc"
