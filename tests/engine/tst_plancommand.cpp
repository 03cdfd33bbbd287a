// lockstep-cli plan and predict, as a user runs them: output, JSON, --out, exit codes, and a
// clear message (never a crash) for every bad input.
#include "TestSupport.h"

#include "sim/OrgProfile.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

using namespace lockstep;

namespace {
test::Scratch *g_scratch = nullptr;
QString g_file;
QString g_empty;
} // namespace

class TestPlanCommand : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void help_data();
    void help();
    void planPrintsTheLayout();
    void planJsonAndOut();
    void planAuto();
    void predictOne();
    void predictCompare();
    void predictCompareJson();
    void badInput_data();
    void badInput();
};

void TestPlanCommand::initTestCase()
{
    g_scratch = new test::Scratch;
    SampleOptions o;
    o.rows = 20000;
    o.parents = 1500;
    o.houseAccountRows = 3000;
    g_file = g_scratch->sample(QStringLiteral("opportunities.csv"), o);
    g_empty = g_scratch->write(QStringLiteral("empty.csv"), "Id,AccountId,Name\n");
    OrgProfile profile;
    QVERIFY(profile.save(g_scratch->path(QStringLiteral("good.json"))).has_value());
    QJsonObject missing = profile.toJson();
    missing.remove(QStringLiteral("lockWindowShare"));
    g_scratch->write(QStringLiteral("missing.json"), QJsonDocument(missing).toJson());
    QJsonObject negative = profile.toJson();
    negative.insert(QStringLiteral("rowSeconds"), -0.5);
    g_scratch->write(QStringLiteral("negative.json"), QJsonDocument(negative).toJson());
}

void TestPlanCommand::cleanupTestCase()
{
    delete g_scratch;
}

void TestPlanCommand::help_data()
{
    QTest::addColumn<QString>("command");
    QTest::addColumn<QString>("expected");
    QTest::newRow("plan") << "plan" << "--mitigation";
    QTest::newRow("predict") << "predict" << "--compare";
}

void TestPlanCommand::help()
{
    QFETCH(QString, command);
    QFETCH(QString, expected);
    const auto r = test::runCli({command, QStringLiteral("--help")});
    QCOMPARE(r.exitCode, 0);
    QVERIFY(r.out.contains(expected.toUtf8()));
    QVERIFY(r.out.contains("Exit status"));
    const auto top = test::runCli({QStringLiteral("--help")});
    QVERIFY(top.out.contains(command.toUtf8()));
}

void TestPlanCommand::planPrintsTheLayout()
{
    const auto r = test::runCli({QStringLiteral("plan"), g_file, QStringLiteral("--mitigation"), QStringLiteral("lanes"), QStringLiteral("-q")});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const QString out = QString::fromUtf8(r.out);
    QVERIFY2(out.contains(QStringLiteral("Parent-aware lanes")), qPrintable(out));
    QVERIFY(out.contains(QStringLiteral("lower bound:")));
    QVERIFY(out.contains(QStringLiteral("hottest parent held")));
    QVERIFY(out.contains(QStringLiteral("3,000 children")));   // the house account
    QVERIFY(out.contains(QStringLiteral("3,000 rows")));
}

void TestPlanCommand::planJsonAndOut()
{
    const QString outFile = g_scratch->path(QStringLiteral("plan.json"));
    const auto r = test::runCli({QStringLiteral("plan"), g_file, QStringLiteral("-m"), QStringLiteral("sort+small:50"),
                                 QStringLiteral("--json"), QStringLiteral("--out"), outFile, QStringLiteral("-q")});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const QJsonObject json = QJsonDocument::fromJson(r.out).object();
    QCOMPARE(json.value(QStringLiteral("mitigation")).toString(), QStringLiteral("sort+small:50"));
    QCOMPARE(json.value(QStringLiteral("api")).toString(), QStringLiteral("rest"));
    QCOMPARE(json.value(QStringLiteral("batchSize")).toInt(), 50);
    QCOMPARE(json.value(QStringLiteral("batches")).toInt(), 400);
    QFile file(outFile);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QJsonObject full = QJsonDocument::fromJson(file.readAll()).object();
    const QJsonArray batches = full.value(QStringLiteral("batchList")).toArray();
    QCOMPARE(batches.size(), 400);
    qint64 rows = 0;
    for (const auto &b : batches)
        rows += b.toObject().value(QStringLiteral("fileRows")).toArray().size();
    QCOMPARE(rows, qint64(20000));
    QVERIFY(full.value(QStringLiteral("profile")).toObject().contains(QStringLiteral("rowSeconds")));
}

void TestPlanCommand::planAuto()
{
    const auto r = test::runCli({QStringLiteral("plan"), g_file, QStringLiteral("-m"), QStringLiteral("auto"), QStringLiteral("--seeds"),
                                 QStringLiteral("2"), QStringLiteral("--json"), QStringLiteral("-q")});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const QJsonObject json = QJsonDocument::fromJson(r.out).object();
    QVERIFY(json.value(QStringLiteral("candidates")).toArray().size() >= 6);
    QVERIFY(json.value(QStringLiteral("notes")).toArray().first().toString().startsWith(QStringLiteral("Auto chose")));
}

void TestPlanCommand::predictOne()
{
    const auto r = test::runCli({QStringLiteral("predict"), g_file, QStringLiteral("-q")});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const QString out = QString::fromUtf8(r.out);
    QVERIFY2(out.contains(QStringLiteral("lock errors:")), qPrintable(out));
    QVERIFY(out.contains(QStringLiteral("most contended parents")));
    QVERIFY(out.contains(QStringLiteral("instant estimate")));
}

void TestPlanCommand::predictCompare()
{
    const auto r = test::runCli({QStringLiteral("predict"), g_file, QStringLiteral("--compare"), QStringLiteral("-q")});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const QString out = QString::fromUtf8(r.out);
    for (const char *text : {"lock errors", "duration", "API calls", "ratio to bound", "Parallel (as is)", "Serial",
                             "Sort by parent", "Small batches (10 rows)", "Parent-aware lanes",
                             "standard error is under 5 %", " ± ", "batches uploaded 0.3 s apart"})
        QVERIFY2(out.contains(QString::fromUtf8(text)), text);
    // The client's pace is an input: jsforce uploads its batches almost together.
    const auto js = test::runCli({QStringLiteral("predict"), g_file, QStringLiteral("--compare"), QStringLiteral("--json"),
                                  QStringLiteral("-m"), QStringLiteral("parallel"), QStringLiteral("--client"),
                                  QStringLiteral("jsforce"), QStringLiteral("-q")});
    QVERIFY2(js.exitCode == 0, js.err.constData());
    const QJsonObject o = QJsonDocument::fromJson(js.out).object();
    QCOMPARE(o.value(QStringLiteral("uploadGapSeconds")).toDouble(), 0.05);
    const QJsonObject row = o.value(QStringLiteral("mitigations")).toArray().first().toObject();
    QVERIFY(row.value(QStringLiteral("runs")).toInt() >= 5);
    QVERIFY(row.value(QStringLiteral("stable")).toBool());
    QVERIFY(row.value(QStringLiteral("lockErrorRowsSe")).toDouble() <= 0.05 * row.value(QStringLiteral("lockErrorRows")).toDouble());
}

void TestPlanCommand::predictCompareJson()
{
    const auto r = test::runCli({QStringLiteral("predict"), g_file, QStringLiteral("--compare"), QStringLiteral("--json"),
                                 QStringLiteral("--seeds"), QStringLiteral("2"), QStringLiteral("-m"), QStringLiteral("parallel"),
                                 QStringLiteral("-m"), QStringLiteral("lanes"), QStringLiteral("--profile"),
                                 g_scratch->path(QStringLiteral("good.json")), QStringLiteral("-q")});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const QJsonArray rows = QJsonDocument::fromJson(r.out).object().value(QStringLiteral("mitigations")).toArray();
    QCOMPARE(rows.size(), 2);
    QVERIFY(rows[0].toObject().value(QStringLiteral("lockErrorRows")).toDouble() > 0);
    QCOMPARE(rows[1].toObject().value(QStringLiteral("lockErrorRows")).toDouble(), 0.0);
    QCOMPARE(rows[1].toObject().value(QStringLiteral("runs")).toInt(), 2);
}

void TestPlanCommand::badInput_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("expected");
    const QString f = QStringLiteral("FILE");
    QTest::newRow("no mitigation") << QStringList{"plan", f} << 64 << "--mitigation is required";
    QTest::newRow("unknown mitigation") << QStringList{"plan", f, "-m", "faster"} << 64 << "unknown mitigation 'faster'";
    QTest::newRow("batch size 0") << QStringList{"plan", f, "-m", "parallel", "--batch-size", "0"} << 64 << "at least 1 row (got 0)";
    QTest::newRow("batch size text") << QStringList{"plan", f, "-m", "parallel", "--batch-size", "lots"} << 64 << "whole number";
    QTest::newRow("batch over bulk limit") << QStringList{"plan", f, "-m", "parallel", "--batch-size", "10001"} << 64 << "limit of 10,000";
    QTest::newRow("batch over rest limit") << QStringList{"predict", f, "--api", "rest", "--batch-size", "201"} << 64 << "limit of 200";
    QTest::newRow("concurrency 0") << QStringList{"plan", f, "-m", "lanes", "--concurrency", "0"} << 64 << "concurrency must be at least 1";
    QTest::newRow("concurrency 0 predict") << QStringList{"predict", f, "--compare", "--concurrency", "0"} << 64 << "concurrency must be at least 1";
    QTest::newRow("unknown api") << QStringList{"plan", f, "-m", "parallel", "--api", "soap"} << 64 << "unknown API 'soap'";
    QTest::newRow("unknown client") << QStringList{"predict", f, "--client", "fast"} << 64 << "unknown client 'fast'";
    QTest::newRow("client pace too long") << QStringList{"plan", f, "-m", "parallel", "--client", "61"} << 64 << "unknown client '61'";
    QTest::newRow("bulk2 serial job too large") << QStringList{"plan", f, "-m", "serial", "--api", "bulk2", "--batch-size", "20000"} << 64
                                                << "limit of 10,000 rows a batch";
    QTest::newRow("seeds 0") << QStringList{"predict", f, "--seeds", "0"} << 64 << "--seeds";
    QTest::newRow("two mitigations") << QStringList{"predict", f, "-m", "serial", "-m", "lanes"} << 64 << "one --mitigation at a time";
    QTest::newRow("no file") << QStringList{"plan", "/nonexistent/file.csv", "-m", "lanes"} << 66 << "file.csv";
    // The reader refuses a file with a header and no rows (bad data); the Planner would too.
    QTest::newRow("empty file") << QStringList{"plan", "EMPTY", "-m", "lanes"} << 65 << "no data rows";
    QTest::newRow("empty file predict") << QStringList{"predict", "EMPTY", "--compare"} << 65 << "no data rows";
    QTest::newRow("profile missing field") << QStringList{"predict", f, "--profile", "missing.json"} << 65 << "missing field \"lockWindowShare\"";
    QTest::newRow("profile negative") << QStringList{"plan", f, "-m", "lanes", "--profile", "negative.json"} << 65
                                      << "\"rowSeconds\" must not be negative";
    QTest::newRow("profile absent") << QStringList{"plan", f, "-m", "lanes", "--profile", "absent.json"} << 66 << "no such org profile";
}

void TestPlanCommand::badInput()
{
    QFETCH(QStringList, arguments);
    QFETCH(int, exitCode);
    QFETCH(QString, expected);
    for (auto &a : arguments) {
        if (a == QLatin1String("FILE"))
            a = g_file;
        else if (a == QLatin1String("EMPTY"))
            a = g_empty;
        else if (a.endsWith(QLatin1String(".json")))
            a = g_scratch->path(a);
    }
    arguments << QStringLiteral("-q");
    const auto r = test::runCli(arguments);
    QVERIFY(!r.crashed);
    QCOMPARE(r.exitCode, exitCode);
    QVERIFY2(r.err.contains(expected.toUtf8()), r.err.constData());
    QVERIFY(r.out.isEmpty());
}

QTEST_GUILESS_MAIN(TestPlanCommand)
#include "tst_plancommand.moc"
