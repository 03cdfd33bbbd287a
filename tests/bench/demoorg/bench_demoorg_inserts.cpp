#include "DemoOrgTestSupport.h"
#include "TestSupport.h"

#include "demoorg/RecordStore.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonObject>
#include <QTest>

#include <atomic>
#include <thread>

using namespace lockstep;
using namespace lockstep::test;

// Sustained inserts through sObject Collections at scale 0 (no server time, no roll-ups on
// Accounts): 8 client connections, 200 records a call. The baseline is the same rows written
// straight into SQLite in one transaction, through the demo org's own record store.
class BenchDemoOrgInserts : public QObject {
    Q_OBJECT
    static constexpr int kConnections = 8;
    static constexpr int kCallsPerConnection = 100;
    static constexpr int kRecordsPerCall = 200;

private slots:
    void insertsThroughCollections()
    {
        test::DemoOrgProcess org;
        QVERIFY2(org.start({QStringLiteral("--scale"), QStringLiteral("0")}), qPrintable(org.error()));
        // Bodies are built before the clock starts: the client's JSON is not the server's cost.
        std::vector<std::vector<QByteArray>> bodies(kConnections);
        for (int c = 0; c < kConnections; ++c)
            for (int call = 0; call < kCallsPerConnection; ++call) {
                QJsonArray records;
                for (int i = 0; i < kRecordsPerCall; ++i)
                    records.append(QJsonObject{{"attributes", QJsonObject{{"type", "Account"}}},
                                               {"Name", QStringLiteral("Bench %1-%2-%3").arg(c).arg(call).arg(i)},
                                               {"Industry", "Technology"}, {"NumberOfEmployees", i}, {"AnnualRevenue", 1000.0 + i}});
                bodies[size_t(c)].push_back(QJsonDocument(QJsonObject{{"allOrNone", false}, {"records", records}}).toJson(QJsonDocument::Compact));
            }
        std::atomic<qint64> failures{0};
        QElapsedTimer timer;
        timer.start();
        std::vector<std::thread> clients;
        for (int c = 0; c < kConnections; ++c)
            clients.emplace_back([&, c] {
                RawHttp client(org.url, org.token);
                for (const QByteArray &body : bodies[size_t(c)]) {
                    const HttpResponse r = client.send("POST", QStringLiteral("/services/data/v62.0/composite/sobjects"), body);
                    if (r.status != 200 || r.body.contains("\"success\":false"))
                        ++failures;
                }
            });
        for (auto &t : clients)
            t.join();
        const double seconds = double(timer.nsecsElapsed()) / 1e9;
        const qint64 records = qint64(kConnections) * kCallsPerConnection * kRecordsPerCall;
        const double rate = double(records) / seconds;
        QCOMPARE(failures.load(), 0);
        RawHttp check(org.url, org.token);
        QCOMPARE(jsonOf(check.get("/services/data/v62.0/query?q=SELECT+COUNT()+FROM+Account")).object().value("totalSize").toInteger(), records);
        QCOMPARE(org.stop(), 0);

        // Baseline: the same rows, one SQLite transaction, no HTTP.
        Scratch scratch;
        auto store = demoorg::RecordStore::open(scratch.path("baseline.sqlite"), demoorg::Schema::standard());
        QVERIFY(store.has_value());
        const demoorg::ObjectDef *account = (*store)->schema().object("Account");
        std::vector<demoorg::RowWrite> writes;
        writes.reserve(size_t(records));
        for (int c = 0; c < kConnections; ++c)
            for (int call = 0; call < kCallsPerConnection; ++call)
                for (int i = 0; i < kRecordsPerCall; ++i)
                    writes.push_back({demoorg::RowWrite::Kind::Insert, account, (*store)->newId(*account),
                                      demoorg::Values{{"Name", QStringLiteral("Bench %1-%2-%3").arg(c).arg(call).arg(i)}, {"Industry", "Technology"},
                                                      {"NumberOfEmployees", qint64(i)}, {"AnnualRevenue", 1000.0 + i}}});
        timer.restart();
        QVERIFY((*store)->apply(writes, "0058d0000000001AAA").has_value());
        const double baselineSeconds = double(timer.nsecsElapsed()) / 1e9;
        const double baselineRate = double(records) / baselineSeconds;

        qInfo("demo org, sObject Collections, %d connections: %lld records in %.2f s = %.0f records/s", kConnections, records, seconds, rate);
        qInfo("SQLite, one transaction (same rows, same store): %.2f s = %.0f records/s", baselineSeconds, baselineRate);
        qInfo("ratio demo org / straight SQLite: %.3f", rate / baselineRate);
        QVERIFY2(rate >= 20000, qPrintable(QStringLiteral("%1 records/s is below the 20,000 target").arg(rate, 0, 'f', 0)));
    }
};

QTEST_GUILESS_MAIN(BenchDemoOrgInserts)
#include "bench_demoorg_inserts.moc"
