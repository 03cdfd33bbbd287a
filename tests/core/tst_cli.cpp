// lockstep-cli as a user runs it: help, version, exit codes, JSON, messages naming file:line.
#include "TestSupport.h"

#include "common/Error.h"
#include "sample/SampleGenerator.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QElapsedTimer>
#include <QtTest>

#include <sys/stat.h>

using namespace lockstep;
using test::runCli;

class TestCli : public QObject {
    Q_OBJECT
private slots:
    void helpAndVersion();
    void unknownCommandIsUsageError();
    void analyzeSample();
    void analyzeJson();
    void analyzeBadFiles_data();
    void analyzeBadFiles();
    void analyzeUsageErrors_data();
    void analyzeUsageErrors();
    void analyzeAnErrorFile();
    void anObjectLockstepDoesNotKnow();
    void aPipeIsRefusedNotWaitedOn();
    void sampleToStdout();
    void sampleJsonAndBadOptions();
};

void TestCli::helpAndVersion()
{
    auto version = runCli({QStringLiteral("--version")});
    QCOMPARE(version.exitCode, 0);
    QVERIFY(version.out.startsWith("lockstep-cli "));
    auto help = runCli({QStringLiteral("--help")});
    QCOMPARE(help.exitCode, 0);
    QVERIFY(help.out.contains("analyze"));
    QVERIFY(help.out.contains("sample"));
    auto analyzeHelp = runCli({QStringLiteral("analyze"), QStringLiteral("--help")});
    QCOMPARE(analyzeHelp.exitCode, 0);
    QVERIFY(analyzeHelp.out.contains("--batch-size"));
    QVERIFY(analyzeHelp.out.contains("--json"));
    auto helpCommand = runCli({QStringLiteral("help"), QStringLiteral("sample")});
    QCOMPARE(helpCommand.exitCode, 0);
    QVERIFY(helpCommand.out.contains("--house-account"));
}

void TestCli::unknownCommandIsUsageError()
{
    auto r = runCli({QStringLiteral("frobnicate")});
    QCOMPARE(r.exitCode, ExitCode::Usage);
    QVERIFY(r.err.contains("unknown command"));
    QCOMPARE(runCli({}).exitCode, ExitCode::Usage);
}

void TestCli::analyzeSample()
{
    test::Scratch scratch;
    const QString path = scratch.path(QStringLiteral("opps.csv"));
    auto sample = runCli({QStringLiteral("sample"), QStringLiteral("--rows"), QStringLiteral("90000"), QStringLiteral("--parents"),
                          QStringLiteral("5000"), QStringLiteral("--skew"), QStringLiteral("zipf:0.6"), QStringLiteral("--house-account"),
                          QStringLiteral("12000"), QStringLiteral("--seed"), QStringLiteral("1"), QStringLiteral("-o"), path});
    QCOMPARE(sample.exitCode, 0);
    QVERIFY(sample.err.contains("90,000"));
    auto r = runCli({QStringLiteral("analyze"), path});
    QCOMPARE(r.exitCode, 0);
    QVERIFY(r.out.contains("90,000 rows"));
    QVERIFY(r.out.contains("Opportunity"));
    QVERIFY(r.out.contains("AccountId → Account"));
    QVERIFY(r.out.contains("WARNING skewed Account"));
    QVERIFY(r.out.contains("12,000 children"));
    QVERIFY(r.out.contains("problems:   none"));
}

void TestCli::analyzeJson()
{
    test::Scratch scratch;
    SampleOptions o;
    o.rows = 10000;
    o.parents = 500;
    o.houseAccountRows = 2000;
    const QString path = scratch.sample(QStringLiteral("o.csv"), o);
    auto r = runCli({QStringLiteral("analyze"), path, QStringLiteral("--json"), QStringLiteral("--skew-threshold"), QStringLiteral("1000"),
                     QStringLiteral("--batch-size"), QStringLiteral("500")});
    QCOMPARE(r.exitCode, 0);
    QJsonParseError error;
    const QJsonObject json = QJsonDocument::fromJson(r.out, &error).object();
    QCOMPARE(error.error, QJsonParseError::NoError);
    QCOMPARE(json.value(QStringLiteral("rows")).toInteger(), 10000);
    QCOMPARE(json.value(QStringLiteral("object")).toString(), QStringLiteral("Opportunity"));
    QCOMPARE(json.value(QStringLiteral("operation")).toString(), QStringLiteral("update"));
    QCOMPARE(json.value(QStringLiteral("skewedParents")).toArray().size(), 1);
    QCOMPARE(json.value(QStringLiteral("skewedParents")).toArray().at(0).toObject().value(QStringLiteral("children")).toInteger(), 2000);
    QCOMPARE(json.value(QStringLiteral("batches")).toObject().value(QStringLiteral("count")).toInteger(), 20);
    QCOMPARE(json.value(QStringLiteral("problems")).toObject().value(QStringLiteral("errors")).toInteger(), 0);
    QVERIFY(json.value(QStringLiteral("histogram")).toArray().size() > 3);
}

void TestCli::analyzeBadFiles_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QByteArray>("expectedOnStderr");
    QTest::newRow("empty") << QByteArray() << int(ExitCode::DataError) << QByteArray("empty");
    QTest::newRow("header only") << QByteArray("Id,AccountId\n") << int(ExitCode::DataError) << QByteArray(":2: the file has a header but no data rows");
    QTest::newRow("binary") << QByteArray("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16) << int(ExitCode::DataError) << QByteArray("not a text file");
    QTest::newRow("ragged row") << QByteArray("Id,AccountId\n0062A00001aaAaaQAE,0012A00001aaAaaQAE\n0062A00001aaAabQAE\n")
                                << int(ExitCode::DataError) << QByteArray(":3: error: row 2: 1 field, but the header has 2");
    QTest::newRow("bad Id") << QByteArray("Id,AccountId\n0062A00001aaAaaQAE,001BAD\n") << int(ExitCode::DataError)
                            << QByteArray(":2: error: row 1: AccountId '001BAD' is not a valid Salesforce Id");
    QTest::newRow("unterminated quote") << QByteArray("Id,Name\n0062A00001aaAaaQAE,ok\n0062A00001aaAabQAE,\"never closed\n")
                                        << int(ExitCode::DataError) << QByteArray(":3: error: row 2: a quoted field that starts on this line is never closed");
    QTest::newRow("duplicate columns") << QByteArray("Id,Name,NAME\n0062A00001aaAaaQAE,a,b\n") << int(ExitCode::DataError)
                                       << QByteArray(":1: error: column 3 'NAME' repeats column 2 'Name'");
    QTest::newRow("invalid UTF-8") << QByteArray("Id,Name\n0062A00001aaAaaQAE,Soci\xE9t\xE9\n") << int(ExitCode::DataError)
                                   << QByteArray(":2: error: row 1: byte 0xe9 in Name is not valid UTF-8");
}

void TestCli::analyzeBadFiles()
{
    QFETCH(QByteArray, bytes);
    QFETCH(int, exitCode);
    QFETCH(QByteArray, expectedOnStderr);
    test::Scratch scratch;
    const QString path = scratch.write(QStringLiteral("bad.csv"), bytes);
    auto r = runCli({QStringLiteral("analyze"), path});
    QVERIFY(!r.crashed);
    QCOMPARE(r.exitCode, exitCode);
    QVERIFY2(r.err.contains(path.toUtf8()), r.err.constData());
    QVERIFY2(r.err.contains(expectedOnStderr), r.err.constData());
    auto json = runCli({QStringLiteral("analyze"), path, QStringLiteral("--json")});
    QCOMPARE(json.exitCode, exitCode);
}

void TestCli::analyzeUsageErrors_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<int>("exitCode");
    QTest::newRow("missing file") << QStringList{"analyze", "/nonexistent/file.csv"} << int(ExitCode::NoInput);
    QTest::newRow("no file") << QStringList{"analyze"} << int(ExitCode::Usage);
    QTest::newRow("batch size 0") << QStringList{"analyze", "x.csv", "--batch-size", "0"} << int(ExitCode::Usage);
    QTest::newRow("batch size over Bulk limit") << QStringList{"analyze", "x.csv", "--batch-size", "10001"} << int(ExitCode::Usage);
    QTest::newRow("unknown operation") << QStringList{"analyze", "x.csv", "--operation", "merge"} << int(ExitCode::Usage);
    QTest::newRow("unknown option") << QStringList{"analyze", "x.csv", "--frobnicate"} << int(ExitCode::Usage);
    QTest::newRow("directory") << QStringList{"analyze", "/tmp"} << int(ExitCode::Usage);
    QTest::newRow("a device") << QStringList{"analyze", "/dev/null"} << int(ExitCode::Usage);
    // Counts a user can give have limits, and a clear error beyond them (issue 14).
    QTest::newRow("negative threads") << QStringList{"analyze", "x.csv", "--threads", "-3"} << int(ExitCode::Usage);
    QTest::newRow("100,000 threads") << QStringList{"analyze", "x.csv", "--threads", "100000"} << int(ExitCode::Usage);
    QTest::newRow("threads not a number") << QStringList{"analyze", "x.csv", "--threads", "many"} << int(ExitCode::Usage);
    QTest::newRow("negative max problems") << QStringList{"analyze", "x.csv", "--max-problems", "-1"} << int(ExitCode::Usage);
    QTest::newRow("plan seeds over 1,000") << QStringList{"plan", "x.csv", "-m", "auto", "--seeds", "100000000"} << int(ExitCode::Usage);
    QTest::newRow("demo org scale nan") << QStringList{"demo-org", "serve", "--scale", "nan"} << int(ExitCode::Usage);
    QTest::newRow("demo org scale inf") << QStringList{"demo-org", "serve", "--scale", "inf"} << int(ExitCode::Usage);
    QTest::newRow("run scale nan") << QStringList{"run", "x.csv", "--org", "demo", "--scale", "nan"} << int(ExitCode::Usage);
}

void TestCli::analyzeUsageErrors()
{
    QFETCH(QStringList, arguments);
    QFETCH(int, exitCode);
    auto r = runCli(arguments);
    QCOMPARE(r.exitCode, exitCode);
    QVERIFY(!r.err.isEmpty());
}

// Support triaging a failed job: a Data Loader error file names the codes and still shows the
// parents the failed rows lock.
// --object Bogus on an Opportunity file: the lock rules would be Bogus's (none) and nothing would
// look wrong; it is an error that names the object the Ids belong to (issue 14's probe).
void TestCli::anObjectLockstepDoesNotKnow()
{
    test::Scratch scratch;
    const QString path = scratch.path(QStringLiteral("opps.csv"));
    QCOMPARE(runCli({QStringLiteral("sample"), QStringLiteral("--rows"), QStringLiteral("500"), QStringLiteral("-o"), path}).exitCode, 0);
    auto r = runCli({QStringLiteral("analyze"), path, QStringLiteral("--object"), QStringLiteral("Bogus")});
    QCOMPARE(r.exitCode, int(ExitCode::DataError));
    const QByteArray said = r.out + r.err;
    QVERIFY2(said.contains("Bogus") && said.contains("Opportunity Ids"), said.constData());
    // A custom object's API name, or the right one, is taken as given.
    QCOMPARE(runCli({QStringLiteral("analyze"), path, QStringLiteral("--object"), QStringLiteral("Opportunity")}).exitCode, 0);
    QCOMPARE(runCli({QStringLiteral("analyze"), path, QStringLiteral("--object"), QStringLiteral("Invoice__c")}).exitCode, 0);
}

// A FIFO no one writes to: opening it would block for ever. Refused at once, in words.
void TestCli::aPipeIsRefusedNotWaitedOn()
{
    test::Scratch scratch;
    const QString fifo = scratch.path(QStringLiteral("load.fifo"));
    QCOMPARE(::mkfifo(QFile::encodeName(fifo).constData(), 0600), 0);
    QElapsedTimer clock;
    clock.start();
    auto r = runCli({QStringLiteral("analyze"), fifo}, 10000);
    QVERIFY(!r.timedOut);
    QCOMPARE(r.exitCode, int(ExitCode::Usage));
    QVERIFY2(r.err.contains("not a regular file"), r.err.constData());
    QVERIFY(clock.elapsed() < 5000);
}

void TestCli::analyzeAnErrorFile()
{
    test::Scratch scratch;
    QByteArray csv = "Id,AccountId,Name,ERROR\n";
    for (int i = 0; i < 30; ++i) {
        const QString id = SampleIds::make(QStringLiteral("006"), std::uint64_t(i), 5);
        const QString account = SampleIds::make(QStringLiteral("001"), std::uint64_t(i % 3), 5);
        const char *error = i < 25 ? "UNABLE_TO_LOCK_ROW:unable to obtain exclusive access to this record or 1 records: 001xx:--"
                                   : "FIELD_CUSTOM_VALIDATION_EXCEPTION:Close date required:CloseDate --";
        csv += (id + "," + account + ",Deal " + QString::number(i) + ",\"" + QString::fromLatin1(error) + "\"\n").toUtf8();
    }
    const QString path = scratch.write(QStringLiteral("error123.csv"), csv);
    auto r = runCli({QStringLiteral("analyze"), path, QStringLiteral("--json")});
    QCOMPARE(r.exitCode, 0);
    const QJsonObject json = QJsonDocument::fromJson(r.out).object();
    QCOMPARE(json.value(QStringLiteral("kind")).toString(), QStringLiteral("Data Loader error file"));
    QCOMPARE(json.value(QStringLiteral("errorCodes")).toObject().value(QStringLiteral("UNABLE_TO_LOCK_ROW")).toInteger(), 25);
    QCOMPARE(json.value(QStringLiteral("errorCodes")).toObject().value(QStringLiteral("FIELD_CUSTOM_VALIDATION_EXCEPTION")).toInteger(), 5);
    QCOMPARE(json.value(QStringLiteral("parents")).toInteger(), 3);
    auto text = runCli({QStringLiteral("analyze"), path});
    QVERIFY(text.out.contains("UNABLE_TO_LOCK_ROW 25"));
}

void TestCli::sampleToStdout()
{
    auto r = runCli({QStringLiteral("sample"), QStringLiteral("--rows"), QStringLiteral("10"), QStringLiteral("-o"), QStringLiteral("-")});
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.out.count('\n'), 11);
    QVERIFY(r.out.startsWith("Id,AccountId,Name,StageName,CloseDate,Amount\n"));
}

void TestCli::sampleJsonAndBadOptions()
{
    test::Scratch scratch;
    auto r = runCli({QStringLiteral("sample"), QStringLiteral("--object"), QStringLiteral("Case"), QStringLiteral("--rows"),
                     QStringLiteral("100"), QStringLiteral("--json"), QStringLiteral("-o"), scratch.path(QStringLiteral("c.csv"))});
    QCOMPARE(r.exitCode, 0);
    const QJsonObject json = QJsonDocument::fromJson(r.out).object();
    QCOMPARE(json.value(QStringLiteral("rows")).toInteger(), 100);
    QCOMPARE(json.value(QStringLiteral("columns")).toArray().at(1).toString(), QStringLiteral("AccountId"));
    QCOMPARE(runCli({QStringLiteral("sample"), QStringLiteral("--skew"), QStringLiteral("pareto"), QStringLiteral("-o"), scratch.path(QStringLiteral("x.csv"))}).exitCode, ExitCode::Usage);
    QCOMPARE(runCli({QStringLiteral("sample"), QStringLiteral("--rows"), QStringLiteral("0"), QStringLiteral("-o"), scratch.path(QStringLiteral("x.csv"))}).exitCode, ExitCode::Usage);
    QCOMPARE(runCli({QStringLiteral("sample"), QStringLiteral("--rows"), QStringLiteral("10")}).exitCode, ExitCode::Usage);
    QCOMPARE(runCli({QStringLiteral("sample"), QStringLiteral("-o"), QStringLiteral("/nonexistent-dir/x.csv")}).exitCode, ExitCode::IoError);
}

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
