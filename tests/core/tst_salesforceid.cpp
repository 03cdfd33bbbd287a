// Salesforce Id checksums against Ids whose 18-character forms are published, and the
// validation rules a load file's Id columns go through.
#include "load/SalesforceId.h"
#include "sample/SampleGenerator.h"

#include <QtTest>

using namespace lockstep;

class TestSalesforceId : public QObject {
    Q_OBJECT
private slots:
    void knownIds_data();
    void knownIds();
    void validation_data();
    void validation();
    void caseFoldedIdsAreRestored();
    void keyPrefixes();
    void generatedIdsAreValid();
};

void TestSalesforceId::knownIds_data()
{
    QTest::addColumn<QString>("id15");
    QTest::addColumn<QString>("id18");
    // Pairs published with open-source converters and Salesforce's own documentation.
    QTest::newRow("User, from salesforce-api.md") << "00558000001N0Ke" << "00558000001N0KeAAK";
    QTest::newRow("Account 1") << "0012A00001aaAaa" << "0012A00001aaAaaQAE";
    QTest::newRow("Account 2") << "0012000001A10aA" << "0012000001A10aAAAR";
    QTest::newRow("Account 3") << "0012000001A1AA0" << "0012000001A1AA0AAN";
    QTest::newRow("Account 4") << "0012000001AAaa1" << "0012000001AAaa1AAD";
    QTest::newRow("custom object") << "a0D30000001n7Pi" << "a0D30000001n7PiEAI";
    QTest::newRow("one upper case") << "00A000000000000" << "00A000000000000EAA";
    QTest::newRow("no letters upper") << "90630000000gy8o" << "90630000000gy8oAAA";
    QTest::newRow("all digits") << "000000000000000" << "000000000000000AAA";
    QTest::newRow("last upper") << "00000000000000A" << "00000000000000AAAQ";
    QTest::newRow("pattern QQQ") << "0000A0000A0000A" << "0000A0000A0000AQQQ";
    QTest::newRow("pattern III") << "000A0000A0000A0" << "000A0000A0000A0III";
    QTest::newRow("all upper") << "AAAAAAAAAAAAAAA" << "AAAAAAAAAAAAAAA555";
}

void TestSalesforceId::knownIds()
{
    QFETCH(QString, id15);
    QFETCH(QString, id18);
    const std::string s15 = id15.toStdString();
    const std::string s18 = id18.toStdString();
    QCOMPARE(SalesforceId::to18(s15), id18);
    QCOMPARE(SalesforceId::to18(s18), id18);
    QCOMPARE(SalesforceId::validate(s15), SalesforceId::Check::Ok);
    QCOMPARE(SalesforceId::validate(s18), SalesforceId::Check::Ok);
    // A changed suffix is caught when the body shows both cases. A body of one case could be a
    // case-folded Id, which Salesforce reads through the suffix: then it is a different record.
    std::string wrong = s18;
    wrong[17] = wrong[17] == 'A' ? 'B' : 'A';
    const bool mixedCase = id15 != id15.toUpper() && id15 != id15.toLower();
    if (mixedCase) {
        QCOMPARE(SalesforceId::validate(wrong), SalesforceId::Check::BadChecksum);
    } else {
        std::array<char, 15> canonical{};
        if (SalesforceId::validate(wrong, &canonical) == SalesforceId::Check::Ok)
            QVERIFY(QString::fromLatin1(canonical.data(), 15) != id15);
    }
}

void TestSalesforceId::validation_data()
{
    QTest::addColumn<QString>("id");
    QTest::addColumn<int>("check");
    QTest::newRow("empty") << "" << int(SalesforceId::Check::Empty);
    QTest::newRow("14 chars") << "00558000001N0K" << int(SalesforceId::Check::WrongLength);
    QTest::newRow("16 chars") << "00558000001N0KeA" << int(SalesforceId::Check::WrongLength);
    QTest::newRow("19 chars") << "00558000001N0KeAAKX" << int(SalesforceId::Check::WrongLength);
    QTest::newRow("dash") << "0055800-001N0Ke" << int(SalesforceId::Check::BadCharacter);
    QTest::newRow("space") << "0055800 001N0KeAAK" << int(SalesforceId::Check::BadCharacter);
    QTest::newRow("non-ASCII") << QString::fromUtf8("005580000é1N0K") << int(SalesforceId::Check::BadCharacter);
    QTest::newRow("bad suffix letter") << "00558000001N0KeAAA" << int(SalesforceId::Check::BadChecksum);
    QTest::newRow("suffix out of alphabet") << "00558000001N0KeAA9" << int(SalesforceId::Check::BadChecksum);
    QTest::newRow("mistyped case") << "00558000001n0KeAAK" << int(SalesforceId::Check::BadChecksum);
}

void TestSalesforceId::validation()
{
    QFETCH(QString, id);
    QFETCH(int, check);
    const QByteArray utf8 = id.toUtf8();
    QCOMPARE(int(SalesforceId::validate(std::string_view(utf8.constData(), size_t(utf8.size())))), check);
    std::array<char, 15> canonical{};
    bool restored = false;
    QCOMPARE(int(SalesforceId::validateForScan(std::string_view(utf8.constData(), size_t(utf8.size())), canonical, restored)), check);
    QVERIFY(!SalesforceId::describe(SalesforceId::Check(check)).isEmpty());
}

// Excel upper- or lower-cases whole columns; the 18-character suffix restores the case, as it
// does inside Salesforce, so such Ids are the same records.
void TestSalesforceId::caseFoldedIdsAreRestored()
{
    std::array<char, 15> canonical{};
    QCOMPARE(SalesforceId::validate("0012A00001AAAAAQAE", &canonical), SalesforceId::Check::Ok);
    QCOMPARE(QString::fromLatin1(canonical.data(), 15), QStringLiteral("0012A00001aaAaa"));
    QCOMPARE(SalesforceId::validate("0012a00001aaaaaqae", &canonical), SalesforceId::Check::Ok);
    QCOMPARE(QString::fromLatin1(canonical.data(), 15), QStringLiteral("0012A00001aaAaa"));
    bool restored = false;
    QCOMPARE(SalesforceId::validateForScan("0012a00001aaaaaqae", canonical, restored), SalesforceId::Check::Ok);
    QVERIFY(restored);
    QCOMPARE(SalesforceId::validateForScan("0012A00001aaAaaQAE", canonical, restored), SalesforceId::Check::Ok);
    QVERIFY(!restored);
}

void TestSalesforceId::keyPrefixes()
{
    QCOMPARE(KeyPrefixes::objectFor("001"), QStringLiteral("Account"));
    QCOMPARE(KeyPrefixes::objectFor("006"), QStringLiteral("Opportunity"));
    QCOMPARE(KeyPrefixes::objectFor("500"), QStringLiteral("Case"));
    QCOMPARE(KeyPrefixes::prefixFor(QStringLiteral("contact")), QStringLiteral("003"));
    QCOMPARE(KeyPrefixes::objectFor("zzz"), QString());
    QVERIFY(KeyPrefixes::isCustomObjectPrefix("a0B"));
    QVERIFY(!KeyPrefixes::isCustomObjectPrefix("001"));
    QVERIFY(SalesforceId::looksLikeId("0012A00001aaAaaQAE"));
    QVERIFY(!SalesforceId::looksLikeId("CustomerNumbers"));   // 15 letters: a word, not an Id
}

void TestSalesforceId::generatedIdsAreValid()
{
    for (std::uint64_t i = 0; i < 20000; i += 7) {
        const QString id = SampleIds::make(QStringLiteral("006"), i, 42);
        const QByteArray b = id.toLatin1();
        QCOMPARE(b.size(), 18);
        QVERIFY2(SalesforceId::validate(std::string_view(b.constData(), 18)) == SalesforceId::Check::Ok, b.constData());
        QCOMPARE(id.left(3), QStringLiteral("006"));
    }
    QVERIFY(SampleIds::make(QStringLiteral("006"), 1, 1) != SampleIds::make(QStringLiteral("006"), 2, 1));
}

QTEST_GUILESS_MAIN(TestSalesforceId)
#include "tst_salesforceid.moc"
