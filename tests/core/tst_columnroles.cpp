// Which column is the Id, which are lookups to which objects, and what object a file loads.
#include "TestSupport.h"

#include "analysis/FileAnalysis.h"
#include "load/ColumnRoles.h"

#include <QtTest>

using namespace lockstep;

namespace {
std::vector<QStringList> rows(std::initializer_list<QStringList> r) { return std::vector<QStringList>(r); }
} // namespace

class TestColumnRoles : public QObject {
    Q_OBJECT
private slots:
    void opportunityUpdate();
    void relationshipColumnsAndExternalIds();
    void customMasterDetailChild();
    void objectFromColumnsAndFileName_data();
    void objectFromColumnsAndFileName();
    void resultFiles_data();
    void resultFiles();
    void wrongPrefixIsReportedByRow();
    void objectHintWinsAndMismatchIsNoted();
};

void TestColumnRoles::opportunityUpdate()
{
    const QStringList header{"Id", "AccountId", "Name", "OwnerId", "Amount"};
    const auto sample = rows({{"0062A00001aaAaaQAE", "0012A00001aaAaaQAE", "Deal", "00558000001N0KeAAK", "10"},
                              {"0062A00001aaAabQAE", "0012000001A10aAAAR", "Deal 2", "00558000001N0KeAAK", "20"}});
    const ColumnRoles roles = detectColumnRoles(header, sample, QString(), QStringLiteral("x.csv"));
    QCOMPARE(roles.object, QStringLiteral("Opportunity"));
    QVERIFY(roles.objectReason.contains(QStringLiteral("006")));
    QCOMPARE(roles.idColumn, 0);
    QCOMPARE(roles.columns[0].role, ColumnRole::RecordId);
    QCOMPARE(roles.columns[0].keyPrefixes, QStringList{"006"});
    QCOMPARE(roles.columns[1].role, ColumnRole::Lookup);
    QCOMPARE(roles.columns[1].targetObjects, QStringList{"Account"});
    QCOMPARE(roles.columns[1].keyPrefixes, QStringList{"001"});
    QCOMPARE(roles.columns[2].role, ColumnRole::Data);
    QCOMPARE(roles.columns[3].role, ColumnRole::Lookup);
    QCOMPARE(roles.columns[3].keyPrefixes, (QStringList{"005", "00G"}));
    QCOMPARE(roles.columns[4].role, ColumnRole::Data);
    QCOMPARE(roles.kind, FileKind::LoadFile);
}

void TestColumnRoles::relationshipColumnsAndExternalIds()
{
    const QStringList header{"External_Id__c", "Account.External_Id__c", "Owner:Email", "Name"};
    const auto sample = rows({{"E-1", "ACME-1", "a@x.com", "n"}, {"E-2", "ACME-2", "b@x.com", "m"}});
    const ColumnRoles roles = detectColumnRoles(header, sample, QStringLiteral("Contact"), QStringLiteral("c.csv"));
    QVERIFY(roles.columns[0].externalIdCandidate);
    QCOMPARE(roles.columns[1].role, ColumnRole::RelationshipLookup);
    QCOMPARE(roles.columns[1].relationshipName, QStringLiteral("Account"));
    QCOMPARE(roles.columns[1].externalIdField, QStringLiteral("External_Id__c"));
    QCOMPARE(roles.columns[1].targetObjects, QStringList{"Account"});
    QCOMPARE(roles.columns[2].role, ColumnRole::RelationshipLookup);
    QCOMPARE(roles.columns[2].targetObjects, (QStringList{"User", "Group"}));
    QCOMPARE(roles.idColumn, -1);
}

void TestColumnRoles::customMasterDetailChild()
{
    const QStringList header{"Id", "Order__c", "Name", "Quantity__c"};
    auto id = [](const char *prefix, int i) { return SampleIds::make(QString::fromLatin1(prefix), std::uint64_t(i), 9); };
    const auto sample = rows({{id("a0B", 1), id("a0A", 1), "L1", "3"}, {id("a0B", 2), id("a0A", 2), "L2", "4"}});
    const ColumnRoles roles = detectColumnRoles(header, sample, QStringLiteral("Line_Item__c"), QString());
    QCOMPARE(roles.columns[1].role, ColumnRole::Lookup);
    QCOMPARE(roles.columns[1].keyPrefixes, QStringList{"a0A"});
    QCOMPARE(roles.columns[3].role, ColumnRole::Data);
    QCOMPARE(roles.columns[0].keyPrefixes, QStringList{"a0B"});   // a custom object's prefix from its rows
}

void TestColumnRoles::objectFromColumnsAndFileName_data()
{
    QTest::addColumn<QStringList>("header");
    QTest::addColumn<QString>("fileName");
    QTest::addColumn<QString>("object");
    QTest::newRow("Opportunity by StageName") << QStringList{"Name", "StageName", "CloseDate"} << "load.csv" << "Opportunity";
    QTest::newRow("Task by WhoId") << QStringList{"WhoId", "WhatId", "Subject"} << "load.csv" << "Task";
    QTest::newRow("Event by StartDateTime") << QStringList{"WhoId", "StartDateTime", "DurationInMinutes"} << "load.csv" << "Event";
    QTest::newRow("Contact by LastName+AccountId") << QStringList{"LastName", "AccountId"} << "load.csv" << "Contact";
    QTest::newRow("Case by file name") << QStringList{"Subject", "Description"} << "cases-2026.csv" << "Case";
    QTest::newRow("unknown") << QStringList{"Foo", "Bar"} << "data.csv" << "";
}

void TestColumnRoles::objectFromColumnsAndFileName()
{
    QFETCH(QStringList, header);
    QFETCH(QString, fileName);
    QFETCH(QString, object);
    std::vector<QStringList> sample{QStringList(header.size(), QStringLiteral("x"))};
    QCOMPARE(detectColumnRoles(header, sample, QString(), fileName).object, object);
}

void TestColumnRoles::resultFiles_data()
{
    QTest::addColumn<QStringList>("header");
    QTest::addColumn<int>("kind");
    QTest::addColumn<int>("errorColumn");
    QTest::newRow("Data Loader error") << QStringList{"Id", "AccountId", "ERROR"} << int(FileKind::DataLoaderError) << 2;
    QTest::newRow("Data Loader success") << QStringList{"ID", "AccountId", "STATUS"} << int(FileKind::DataLoaderSuccess) << -1;
    QTest::newRow("Bulk 1.0 result") << QStringList{"Id", "Success", "Created", "Error"} << int(FileKind::BulkV1Result) << 3;
    QTest::newRow("Bulk 2.0 failed") << QStringList{"sf__Id", "sf__Error", "Id", "AccountId"} << int(FileKind::BulkV2Failed) << 1;
    QTest::newRow("Bulk 2.0 success") << QStringList{"sf__Id", "sf__Created", "Id", "AccountId"} << int(FileKind::BulkV2Success) << -1;
}

void TestColumnRoles::resultFiles()
{
    QFETCH(QStringList, header);
    QFETCH(int, kind);
    QFETCH(int, errorColumn);
    std::vector<QStringList> sample{QStringList(header.size(), QStringLiteral("0062A00001aaAaaQAE"))};
    const ColumnRoles roles = detectColumnRoles(header, sample, QString(), QString());
    QCOMPARE(int(roles.kind), kind);
    QCOMPARE(roles.errorColumn, errorColumn);
}

void TestColumnRoles::wrongPrefixIsReportedByRow()
{
    test::Scratch scratch;
    const QString path = scratch.write(
        QStringLiteral("opps.csv"),
        "Id,AccountId,Name\n"
        "0062A00001aaAaaQAE,0012A00001aaAaaQAE,a\n"
        "0062A00001aaAabQAE,0032A00001aaAaaQAE,b\n"     // a Contact Id in AccountId
        "0062A00001aaAacQAE,0012A00001aaAaaQAA,c\n"     // bad checksum
        "0062A00001aaAadQAE,001xyz,d\n");              // wrong length
    auto analysis = analyzeFile(path, {});
    QVERIFY(analysis);
    const auto &problems = (*analysis)->file.problems();
    QCOMPARE(problems.countOf(ProblemCode::WrongIdPrefix), 1);
    QCOMPARE(problems.countOf(ProblemCode::BadId), 2);
    QCOMPARE((*analysis)->rowsWithProblems(), 3);
    bool sawContact = false;
    for (const auto &p : problems.items()) {
        if (p.code == ProblemCode::WrongIdPrefix) {
            QCOMPARE(p.line, 3);
            QCOMPARE(p.row, 2);
            QVERIFY2(p.message.contains(QStringLiteral("Contact")) && p.message.contains(QStringLiteral("an Account Id")), qPrintable(p.message));
            sawContact = true;
        }
    }
    QVERIFY(sawContact);
    // Rows with a bad parent Id lock nothing (Salesforce rejects them before taking locks).
    QCOMPARE((*analysis)->distribution.rowsWithoutParent(), 3);
}

void TestColumnRoles::objectHintWinsAndMismatchIsNoted()
{
    const QStringList header{"Id", "AccountId"};
    const auto sample = rows({{"0032A00001aaAaaQAE", "0012A00001aaAaaQAE"}});
    const ColumnRoles roles = detectColumnRoles(header, sample, QStringLiteral("Opportunity"), QString());
    QCOMPARE(roles.object, QStringLiteral("Opportunity"));
    QCOMPARE(roles.notes.size(), 1);
    QVERIFY(roles.notes.front().contains(QStringLiteral("Contact")));
}

QTEST_GUILESS_MAIN(TestColumnRoles)
#include "tst_columnroles.moc"
