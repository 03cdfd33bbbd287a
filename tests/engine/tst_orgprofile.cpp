// OrgProfile: the calibrated defaults, a JSON round trip, and clear errors for bad profiles.
#include "TestSupport.h"

#include "sim/OrgProfile.h"

#include <QJsonDocument>
#include <QtTest>

using namespace lockstep;

class TestOrgProfile : public QObject {
    Q_OBJECT

private slots:
    void defaultsAreTheCalibratedModel();
    void jsonRoundTrip();
    void saveAndLoad();
    void badProfiles_data();
    void badProfiles();
    void unreadableFiles_data();
    void unreadableFiles();
    void rowCostOverridesDefault();
};

void TestOrgProfile::defaultsAreTheCalibratedModel()
{
    const OrgProfile p;
    QVERIFY(p.validate().has_value());
    // calibration.md's fitted model; a change here must be a deliberate re-calibration.
    QCOMPARE(p.chunkRows, 200);
    QCOMPARE(p.rowSeconds, 0.027);
    QCOMPARE(p.workCv, 0.2);
    QCOMPARE(p.lockWindowShare, 0.023);
    QCOMPARE(p.lockTimeoutSeconds, 10.0);
    QCOMPARE(p.bulkConcurrency, 15);
    QCOMPARE(p.bulkBatchRows, 2000);
    QCOMPARE(p.bulkUploadGapSeconds, 0.3);
    QCOMPARE(p.bulkRequeueThreshold, 100);
    QCOMPARE(p.bulkMaxRequeues, 10);
    QVERIFY(p.lockFailureFailsChunk);
}

void TestOrgProfile::jsonRoundTrip()
{
    OrgProfile p;
    p.rowSeconds = 0.031;
    p.bulkConcurrency = 9;
    p.lockFailureFailsChunk = false;
    p.rowCosts.push_back({QStringLiteral("Case"), Operation::Insert, 0.05});
    p.duplicateRuleObjects = {QStringLiteral("Child__c")};
    const auto back = OrgProfile::fromJson(p.toJson());
    QVERIFY2(back.has_value(), qPrintable(back ? QString() : back.error().toString()));
    QCOMPARE(*back, p);
}

void TestOrgProfile::saveAndLoad()
{
    test::Scratch scratch;
    OrgProfile p;
    p.lockWindowShare = 0.03;
    const QString path = scratch.path(QStringLiteral("profile.json"));
    QVERIFY(p.save(path).has_value());
    const auto back = OrgProfile::load(path);
    QVERIFY(back.has_value());
    QCOMPARE(*back, p);
}

void TestOrgProfile::badProfiles_data()
{
    QTest::addColumn<QString>("field");
    QTest::addColumn<QJsonValue>("value");   // undefined = remove the field
    QTest::addColumn<QString>("expected");   // a fragment of the message

    QTest::newRow("missing rowSeconds") << "rowSeconds" << QJsonValue(QJsonValue::Undefined) << "missing field \"rowSeconds\"";
    QTest::newRow("missing rowCosts") << "rowCosts" << QJsonValue(QJsonValue::Undefined) << "missing field \"rowCosts\"";
    QTest::newRow("negative rowSeconds") << "rowSeconds" << QJsonValue(-0.027) << "\"rowSeconds\" must not be negative";
    QTest::newRow("zero rowSeconds") << "rowSeconds" << QJsonValue(0) << "\"rowSeconds\" must be greater than 0";
    QTest::newRow("negative window") << "lockWindowShare" << QJsonValue(-0.1) << "\"lockWindowShare\" must not be negative";
    QTest::newRow("window over 1") << "lockWindowShare" << QJsonValue(1.5) << "\"lockWindowShare\" must be at most 1";
    QTest::newRow("negative timeout") << "lockTimeoutSeconds" << QJsonValue(-10) << "\"lockTimeoutSeconds\" must not be negative";
    QTest::newRow("zero concurrency") << "bulkConcurrency" << QJsonValue(0) << "\"bulkConcurrency\" must be between 1";
    QTest::newRow("negative concurrency") << "bulkConcurrency" << QJsonValue(-3) << "\"bulkConcurrency\" must be between 1";
    QTest::newRow("fractional chunk") << "chunkRows" << QJsonValue(200.5) << "\"chunkRows\" must be a whole number";
    QTest::newRow("string number") << "rowSeconds" << QJsonValue(QStringLiteral("0.027")) << "\"rowSeconds\" must be a number";
    QTest::newRow("bool as number") << "lockFailureFailsChunk" << QJsonValue(1) << "must be true or false";
    QTest::newRow("unknown field") << "lockTimout" << QJsonValue(10) << "unknown field \"lockTimout\"";
    QTest::newRow("batch over max") << "bulkBatchRows" << QJsonValue(20000) << "must not exceed \"bulkMaxBatchRows\"";
    QTest::newRow("rowCosts not array") << "rowCosts" << QJsonValue(3) << "\"rowCosts\" must be an array";
    QTest::newRow("rowCost negative")
        << "rowCosts"
        << QJsonValue(QJsonArray{QJsonObject{{"object", "Case"}, {"operation", "insert"}, {"seconds", -1}}})
        << "\"rowCosts\"[0].seconds must be a positive number";
    QTest::newRow("rowCost bad operation")
        << "rowCosts" << QJsonValue(QJsonArray{QJsonObject{{"object", "Case"}, {"operation", "merge"}, {"seconds", 1}}})
        << "\"rowCosts\"[0] needs";
}

void TestOrgProfile::badProfiles()
{
    QFETCH(QString, field);
    QFETCH(QJsonValue, value);
    QFETCH(QString, expected);
    test::Scratch scratch;
    QJsonObject json = OrgProfile().toJson();
    if (value.isUndefined())
        json.remove(field);
    else
        json.insert(field, value);
    const QString path = scratch.write(QStringLiteral("p.json"), QJsonDocument(json).toJson());
    const auto loaded = OrgProfile::load(path);
    QVERIFY(!loaded.has_value());
    QCOMPARE(loaded.error().kind, ErrorKind::BadData);
    QVERIFY2(loaded.error().message.contains(expected), qPrintable(loaded.error().message));
    QVERIFY2(loaded.error().toString().startsWith(path), qPrintable(loaded.error().toString()));   // names the file
}

void TestOrgProfile::unreadableFiles_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<int>("kind");
    QTest::addColumn<QString>("expected");
    QTest::newRow("not JSON") << QByteArray("{rowSeconds: 1") << int(ErrorKind::BadData) << "not valid JSON";
    QTest::newRow("array") << QByteArray("[1,2]") << int(ErrorKind::BadData) << "expected a JSON object";
    QTest::newRow("empty object") << QByteArray("{}") << int(ErrorKind::BadData) << "missing field";
    QTest::newRow("no file") << QByteArray() << int(ErrorKind::NotFound) << "no such org profile";
}

void TestOrgProfile::unreadableFiles()
{
    QFETCH(QByteArray, bytes);
    QFETCH(int, kind);
    QFETCH(QString, expected);
    test::Scratch scratch;
    const QString path = bytes.isEmpty() ? scratch.path(QStringLiteral("absent.json"))
                                         : scratch.write(QStringLiteral("p.json"), bytes);
    const auto loaded = OrgProfile::load(path);
    QVERIFY(!loaded.has_value());
    QCOMPARE(int(loaded.error().kind), kind);
    QVERIFY2(loaded.error().message.contains(expected), qPrintable(loaded.error().message));
}

void TestOrgProfile::rowCostOverridesDefault()
{
    OrgProfile p;
    p.rowCosts.push_back({QStringLiteral("Case"), Operation::Insert, 0.05});
    QCOMPARE(p.rowSecondsFor(QStringLiteral("case"), Operation::Insert), 0.05);
    QCOMPARE(p.rowSecondsFor(QStringLiteral("Case"), Operation::Update), 0.027);
    QVERIFY(p.hasDuplicateRules(QStringLiteral("contact")));
    QVERIFY(!p.hasDuplicateRules(QStringLiteral("Opportunity")));
}

QTEST_GUILESS_MAIN(TestOrgProfile)
#include "tst_orgprofile.moc"
