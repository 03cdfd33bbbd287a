// Which records each row locks, per object and operation (lock-model.md §2), and user overrides.
#include "TestSupport.h"

#include "analysis/FileAnalysis.h"
#include "load/SalesforceId.h"
#include "locks/LockRules.h"

#include <QJsonDocument>
#include <QtTest>

using namespace lockstep;

namespace {

QString id(const char *prefix, int i) { return SampleIds::make(QString::fromLatin1(prefix), std::uint64_t(i), 3); }

ColumnRoles rolesFor(const QStringList &header, const QString &object)
{
    QStringList row;
    for (const auto &h : header) {
        if (h == QLatin1String("Id")) row << id(KeyPrefixes::prefixFor(object).isEmpty() ? "a0B" : KeyPrefixes::prefixFor(object).toLatin1().constData(), 1);
        else if (h == QLatin1String("AccountId")) row << id("001", 1);
        else if (h == QLatin1String("ContactId") || h == QLatin1String("WhoId")) row << id("003", 1);
        else if (h == QLatin1String("WhatId")) row << id("006", 1);
        else if (h == QLatin1String("OwnerId")) row << id("005", 1);
        else if (h.endsWith(QLatin1String("__c"))) row << id("a0A", 1);
        else row << QStringLiteral("x");
    }
    return detectColumnRoles(header, {row}, object, QString());
}

QStringList lockedColumns(const LockRules &rules)
{
    QStringList out;
    for (const auto &r : rules.rules())
        out << r.column + QLatin1Char(':') + lockReasonName(r.reason);
    return out;
}

} // namespace

class TestLockRules : public QObject {
    Q_OBJECT
private slots:
    void builtInTable_data();
    void builtInTable();
    void keysPerRow();
    void caseLocksAccountAndContact();
    void ownerChangeIsOneSharedKey();
    void userOverridesAndJson();
    void relationshipKeysDoNotCollideWithIds();
};

void TestLockRules::builtInTable_data()
{
    QTest::addColumn<QString>("object");
    QTest::addColumn<int>("operation");
    QTest::addColumn<QStringList>("header");
    QTest::addColumn<QStringList>("locks");
    const QStringList opp{"Id", "AccountId", "Name"};
    for (auto op : {Operation::Insert, Operation::Update, Operation::Upsert, Operation::Delete})
        QTest::addRow("Opportunity %s", qPrintable(operationName(op))) << "Opportunity" << int(op) << opp << QStringList{"AccountId:parent"};
    QTest::newRow("Contact insert") << "Contact" << int(Operation::Insert) << QStringList{"AccountId", "LastName"} << QStringList{"AccountId:parent"};
    QTest::newRow("Contact update") << "Contact" << int(Operation::Update) << QStringList{"Id", "AccountId", "LastName"}
                                    << QStringList{"AccountId:parent", "Id:self"};
    QTest::newRow("Case insert") << "Case" << int(Operation::Insert) << QStringList{"AccountId", "ContactId", "Subject"}
                                 << QStringList{"AccountId:parent", "ContactId:parent"};
    QTest::newRow("Case delete locks nothing") << "Case" << int(Operation::Delete) << QStringList{"Id", "AccountId", "ContactId"} << QStringList{};
    QTest::newRow("Task insert") << "Task" << int(Operation::Insert) << QStringList{"WhoId", "WhatId", "Subject"}
                                 << QStringList{"WhoId:activity", "WhatId:activity"};
    QTest::newRow("Event update") << "Event" << int(Operation::Update) << QStringList{"Id", "WhoId", "WhatId"}
                                  << QStringList{"WhoId:activity", "WhatId:activity"};
    QTest::newRow("Account update") << "Account" << int(Operation::Update) << QStringList{"Id", "Name"} << QStringList{"Id:self"};
    QTest::newRow("Account insert") << "Account" << int(Operation::Insert) << QStringList{"Name"} << QStringList{};
    QTest::newRow("custom child") << "Line_Item__c" << int(Operation::Upsert) << QStringList{"Order__c", "Name"}
                                  << QStringList{"Order__c:master-detail"};
    QTest::newRow("Opportunity without AccountId") << "Opportunity" << int(Operation::Update) << QStringList{"Id", "Name"} << QStringList{};
}

void TestLockRules::builtInTable()
{
    QFETCH(QString, object);
    QFETCH(int, operation);
    QFETCH(QStringList, header);
    QFETCH(QStringList, locks);
    const LockRules rules = LockRules::builtIn(object, Operation(operation), rolesFor(header, object));
    QCOMPARE(lockedColumns(rules), locks);
    for (const auto &r : rules.rules())
        QVERIFY(!r.why.isEmpty());
}

void TestLockRules::keysPerRow()
{
    test::Scratch scratch;
    const QString a1 = id("001", 1), a2 = id("001", 2);
    QByteArray csv = "Id,AccountId,Name\n";
    csv += (id("006", 1) + "," + a1 + ",x\n").toLatin1();
    csv += (id("006", 2) + "," + a2 + ",x\n").toLatin1();
    csv += (id("006", 3) + "," + a1.left(15) + ",x\n").toLatin1();   // the 15-character form is the same Account
    csv += (id("006", 4) + ",,x\n").toLatin1();                       // no parent
    auto analysis = analyzeFile(scratch.write(QStringLiteral("o.csv"), csv), {});
    QVERIFY(analysis);
    const LockKeys &keys = (*analysis)->keys;
    QCOMPARE(keys.rowCount(), 4);
    QCOMPARE(keys.keyCount(), 2u);
    QCOMPARE(keys.keysOf(0).size(), size_t(1));
    QCOMPARE(keys.firstKey(0), keys.firstKey(2));
    QVERIFY(keys.firstKey(0) != keys.firstKey(1));
    QCOMPARE(keys.firstKey(3), LockKeys::npos);
    QCOMPARE(keys.keyLabel(keys.firstKey(0)), a1);
    QCOMPARE(keys.keyObject(keys.firstKey(0)), QStringLiteral("Account"));
}

void TestLockRules::caseLocksAccountAndContact()
{
    test::Scratch scratch;
    SampleOptions o;
    o.object = QStringLiteral("Case");
    o.rows = 500;
    o.parents = 40;
    auto analysis = analyzeFile(scratch.sample(QStringLiteral("cases.csv"), o), {});
    QVERIFY(analysis);
    const LockKeys &keys = (*analysis)->keys;
    for (qint64 r = 0; r < keys.rowCount(); ++r) {
        QCOMPARE(keys.keysOf(r).size(), size_t(2));
        QCOMPARE(keys.keyObject(keys.keysOf(r)[0]), QStringLiteral("Account"));
        QCOMPARE(keys.keyObject(keys.keysOf(r)[1]), QStringLiteral("Contact"));
    }
}

void TestLockRules::ownerChangeIsOneSharedKey()
{
    test::Scratch scratch;
    SampleOptions o;
    o.object = QStringLiteral("Account");
    o.rows = 300;
    o.parents = 10;   // owners
    auto analysis = analyzeFile(scratch.sample(QStringLiteral("accounts.csv"), o), {});
    QVERIFY(analysis);
    const LockKeys &keys = (*analysis)->keys;
    const std::uint32_t sharing = keys.findKey(LockKeyCollector::kSharingGroupKey);
    QVERIFY(sharing != LockKeys::npos);
    for (qint64 r = 0; r < keys.rowCount(); ++r) {
        const auto k = keys.keysOf(r);
        QVERIFY(std::find(k.begin(), k.end(), sharing) != k.end());
    }
    QCOMPARE((*analysis)->distribution.childrenOf(sharing), 300);
    QCOMPARE(keys.keyLabel(sharing), QStringLiteral("org-wide sharing group"));
}

void TestLockRules::userOverridesAndJson()
{
    test::Scratch scratch;
    SampleOptions o;
    o.rows = 200;
    o.parents = 20;
    const QString path = scratch.sample(QStringLiteral("o.csv"), o);
    AnalyzeOptions options;
    options.removeRules << QStringLiteral("accountid");
    auto none = analyzeFile(path, options);
    QVERIFY(none);
    QVERIFY((*none)->rules.isEmpty());
    QCOMPARE((*none)->distribution.parents(), 0);

    options.removeRules.clear();
    options.addRules.push_back({QStringLiteral("StageName"), QString(), LockReason::RestrictedLookup, QString(), true});
    auto more = analyzeFile(path, options);
    QVERIFY(more);
    QCOMPARE(more->get()->rules.rules().size(), size_t(2));
    QCOMPARE(more->get()->keys.keysOf(0).size(), size_t(2));

    options.addRules = {{QStringLiteral("NoSuchColumn"), QString(), LockReason::Parent, QString(), true}};
    auto bad = analyzeFile(path, options);
    QVERIFY(!bad);
    QCOMPARE(bad.error().kind, ErrorKind::Usage);
    QVERIFY(bad.error().message.contains(QStringLiteral("NoSuchColumn")));

    // Round trip through JSON, and a clear error for a bad rules file.
    const QJsonObject json = (*more)->rules.toJson();
    auto back = LockRules::fromJson(json, QStringLiteral("rules.json"));
    QVERIFY(back);
    QCOMPARE(back->rules().size(), (*more)->rules.rules().size());
    QJsonObject broken = json;
    broken.insert(QStringLiteral("rules"), QJsonArray{QJsonObject{{QStringLiteral("column"), QStringLiteral("X")}, {QStringLiteral("reason"), QStringLiteral("telepathy")}}});
    auto failed = LockRules::fromJson(broken, QStringLiteral("rules.json"));
    QVERIFY(!failed);
    QVERIFY(failed.error().message.contains(QStringLiteral("telepathy")));
}

void TestLockRules::relationshipKeysDoNotCollideWithIds()
{
    test::Scratch scratch;
    const QString a = id("001", 7);
    QByteArray csv = "Name,StageName,CloseDate,Account.External_Id__c\n";
    csv += ("a,Prospecting,2026-01-01," + a + "\n").toLatin1();
    csv += "b,Prospecting,2026-01-01,ACME-1\nc,Prospecting,2026-01-01,ACME-1\n";
    auto analysis = analyzeFile(scratch.write(QStringLiteral("r.csv"), csv), {});
    QVERIFY(analysis);
    const LockKeys &keys = (*analysis)->keys;
    QCOMPARE((*analysis)->roles.object, QStringLiteral("Opportunity"));
    QCOMPARE(keys.keyCount(), 2u);
    QCOMPARE(keys.firstKey(1), keys.firstKey(2));
    QVERIFY(keys.keyLabel(keys.firstKey(1)).contains(QStringLiteral("ACME-1")));
    QVERIFY(keys.findKey(a.left(15).toStdString()) == LockKeys::npos);   // external-id text is namespaced
}

QTEST_GUILESS_MAIN(TestLockRules)
#include "tst_lockrules.moc"
