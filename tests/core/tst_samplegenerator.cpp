// The generator: deterministic, realistic, and exactly the spread it was asked for.
#include "TestSupport.h"

#include "analysis/FileAnalysis.h"
#include "load/SalesforceId.h"
#include "sample/SampleGenerator.h"

#include <QCryptographicHash>
#include <QFile>
#include <QtTest>

using namespace lockstep;

namespace {
QByteArray digest(const QString &path)
{
    QFile f(path);
    f.open(QIODevice::ReadOnly);
    return QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256);
}
} // namespace

class TestSampleGenerator : public QObject {
    Q_OBJECT
private slots:
    void sameSeedSameBytes();
    void objectsAndOperations_data();
    void objectsAndOperations();
    void skewShapesTheSpread();
    void houseAccountHasExactlyItsRows();
    void badOptions_data();
    void badOptions();
};

void TestSampleGenerator::sameSeedSameBytes()
{
    test::Scratch scratch;
    SampleOptions o;
    o.rows = 5000;
    const QString a = scratch.sample(QStringLiteral("a.csv"), o);
    const QString b = scratch.sample(QStringLiteral("b.csv"), o);
    QCOMPARE(digest(a), digest(b));
    o.seed = 2;
    QVERIFY(digest(scratch.sample(QStringLiteral("c.csv"), o)) != digest(a));
}

void TestSampleGenerator::objectsAndOperations_data()
{
    QTest::addColumn<QString>("object");
    QTest::addColumn<int>("operation");
    QTest::addColumn<QString>("firstColumn");
    QTest::addColumn<int>("keysPerRow");
    QTest::newRow("Opportunity update") << "Opportunity" << int(Operation::Update) << "Id" << 1;
    QTest::newRow("Opportunity insert") << "Opportunity" << int(Operation::Insert) << "AccountId" << 1;
    QTest::newRow("Opportunity upsert") << "Opportunity" << int(Operation::Upsert) << "External_Id__c" << 1;
    QTest::newRow("Opportunity delete") << "Opportunity" << int(Operation::Delete) << "Id" << 0;
    QTest::newRow("Contact update") << "Contact" << int(Operation::Update) << "Id" << 2;   // Account + itself
    QTest::newRow("Case insert") << "Case" << int(Operation::Insert) << "AccountId" << 2;
    QTest::newRow("Task insert") << "Task" << int(Operation::Insert) << "WhatId" << 2;
    QTest::newRow("custom child upsert") << "Line_Item__c" << int(Operation::Upsert) << "External_Id__c" << 1;
}

void TestSampleGenerator::objectsAndOperations()
{
    QFETCH(QString, object);
    QFETCH(int, operation);
    QFETCH(QString, firstColumn);
    QFETCH(int, keysPerRow);
    test::Scratch scratch;
    SampleOptions o;
    o.object = object;
    o.operation = Operation(operation);
    o.rows = 3000;
    o.parents = 100;
    const QString path = scratch.sample(QStringLiteral("s.csv"), o);
    AnalyzeOptions options;
    options.object = object;
    options.operation = Operation(operation);
    auto analysis = analyzeFile(path, options);
    QVERIFY2(analysis, analysis ? "" : qPrintable(analysis.error().toString()));
    const auto &a = **analysis;
    QCOMPARE(a.file.header().front(), firstColumn);
    QCOMPARE(a.file.rowCount(), 3000);
    // Every Id the generator wrote is valid and of the right object: no problems at all.
    QCOMPARE(a.file.problems().total(), 0);
    QCOMPARE(qint64(a.keys.keysOf(0).size()), qint64(keysPerRow));
}

void TestSampleGenerator::skewShapesTheSpread()
{
    test::Scratch scratch;
    SampleOptions uniform;
    uniform.rows = 50000;
    uniform.parents = 1000;
    uniform.skew = *SkewSpec::parse(QStringLiteral("uniform"));
    SampleOptions zipf = uniform;
    zipf.skew = *SkewSpec::parse(QStringLiteral("zipf:1.2"));
    auto u = analyzeFile(scratch.sample(QStringLiteral("u.csv"), uniform), {});
    auto z = analyzeFile(scratch.sample(QStringLiteral("z.csv"), zipf), {});
    QVERIFY(u && z);
    QVERIFY((*u)->distribution.maxChildren() < 120);     // mean 50
    QVERIFY((*z)->distribution.maxChildren() > 5000);    // zipf 1.2: the top parent holds ~13 %
    QVERIFY((*z)->distribution.medianChildren() < (*u)->distribution.medianChildren());
}

void TestSampleGenerator::houseAccountHasExactlyItsRows()
{
    test::Scratch scratch;
    SampleOptions o;
    o.rows = 30000;
    o.parents = 300;
    o.houseAccountRows = 12000;
    auto summary = writeSample(scratch.path(QStringLiteral("h.csv")), o);
    QVERIFY(summary);
    QCOMPARE(summary->houseParentId.size(), 18);
    auto analysis = analyzeFile(scratch.path(QStringLiteral("h.csv")), {});
    QVERIFY(analysis);
    const std::uint32_t house = (*analysis)->keys.findKey(summary->houseParentId.left(15).toStdString());
    QVERIFY(house != LockKeys::npos);
    QCOMPARE((*analysis)->distribution.childrenOf(house), 12000);
}

void TestSampleGenerator::badOptions_data()
{
    QTest::addColumn<qint64>("rows");
    QTest::addColumn<qint64>("parents");
    QTest::addColumn<qint64>("house");
    QTest::newRow("no rows") << qint64(0) << qint64(10) << qint64(0);
    QTest::newRow("no parents") << qint64(10) << qint64(0) << qint64(0);
    QTest::newRow("house larger than file") << qint64(10) << qint64(2) << qint64(11);
}

void TestSampleGenerator::badOptions()
{
    QFETCH(qint64, rows);
    QFETCH(qint64, parents);
    QFETCH(qint64, house);
    SampleOptions o;
    o.rows = rows;
    o.parents = parents;
    o.houseAccountRows = house;
    test::Scratch scratch;
    auto r = writeSample(scratch.path(QStringLiteral("x.csv")), o);
    QVERIFY(!r);
    QCOMPARE(r.error().kind, ErrorKind::Usage);
    QVERIFY(!SkewSpec::parse(QStringLiteral("zipf:-1")));
    QVERIFY(!SkewSpec::parse(QStringLiteral("pareto")));
}

QTEST_GUILESS_MAIN(TestSampleGenerator)
#include "tst_samplegenerator.moc"
