#include "demoorg/Soql.h"

#include <QTest>

using namespace lockstep::demoorg;

// The SOQL subset the demo org answers: what parses, and where a bad query is pointed at.
class TestSoql : public QObject {
    Q_OBJECT
private slots:
    void parses_data()
    {
        QTest::addColumn<QString>("soql");
        QTest::addColumn<QString>("object");
        QTest::addColumn<int>("fields");
        QTest::addColumn<bool>("count");
        QTest::addColumn<int>("orderBy");
        QTest::addColumn<qint64>("limit");
        QTest::newRow("simple") << "SELECT Id, Name FROM Account" << "Account" << 2 << false << 0 << qint64(-1);
        QTest::newRow("count") << "select count() from Opportunity where AccountId = '001000000000001'" << "Opportunity" << 0 << true << 0 << qint64(-1);
        QTest::newRow("in-order-limit") << "SELECT Id FROM Contact WHERE Email IN ('a@x', 'b@x') AND NOT (LastName = null) ORDER BY LastName DESC NULLS LAST, Id LIMIT 10"
                                        << "Contact" << 1 << false << 2 << qint64(10);
        QTest::newRow("cli-login") << "SELECT Name, InstanceName, IsSandbox, TrialExpirationDate, NamespacePrefix, OrganizationType FROM Organization"
                                   << "Organization" << 6 << false << 0 << qint64(-1);
        QTest::newRow("escapes-like-offset") << "SELECT Id FROM Account WHERE Name LIKE 'O\\'Brien%' OR Amount__c >= -1.5 LIMIT 5 OFFSET 2"
                                             << "Account" << 1 << false << 0 << qint64(5);
        QTest::newRow("dates-booleans") << "SELECT Id FROM Task WHERE ActivityDate > 2024-01-31 AND IsDeleted = false" << "Task" << 1 << false << 0 << qint64(-1);
    }
    void parses()
    {
        QFETCH(QString, soql);
        const auto q = parseSoql(soql);
        QVERIFY2(q.has_value(), q ? "" : qPrintable(q.error().message));
        QTEST(q->object, "object");
        QTEST(int(q->fields.size()), "fields");
        QTEST(q->countOnly, "count");
        QTEST(int(q->orderBy.size()), "orderBy");
        QTEST(q->limit.value_or(-1), "limit");
    }

    void whereTree()
    {
        const auto q = parseSoql(QStringLiteral("SELECT Id FROM Account WHERE A = 1 OR B = 2 AND C NOT IN ('x')"));
        QVERIFY(q && q->where);
        // AND binds tighter than OR.
        QCOMPARE(q->where->kind, SoqlCondition::Kind::Or);
        QCOMPARE(q->where->children.size(), size_t(2));
        QCOMPARE(q->where->children[1].kind, SoqlCondition::Kind::And);
        QCOMPARE(q->where->children[1].children[1].kind, SoqlCondition::Kind::In);
        QVERIFY(q->where->children[1].children[1].negated);
        QCOMPARE(q->where->children[0].field, QStringLiteral("A"));
        QCOMPARE(q->where->children[0].fieldColumn, 30);
    }

    void rejects_data()
    {
        QTest::addColumn<QString>("soql");
        QTest::addColumn<int>("column");
        QTest::newRow("no-from") << "SELECT Id Account" << 11;
        QTest::newRow("no-select") << "UPDATE Account" << 1;
        QTest::newRow("open-quote") << "SELECT Id FROM Account WHERE Name = 'x" << 37;
        QTest::newRow("bad-op") << "SELECT Id FROM Account WHERE Name ~ 'x'" << 35;
        QTest::newRow("aggregate") << "SELECT SUM(Amount) FROM Opportunity" << 8;
        QTest::newRow("trailing") << "SELECT Id FROM Account LIMIT 5 junk" << 32;
        QTest::newRow("empty-in") << "SELECT Id FROM Account WHERE Id IN ()" << 37;
        QTest::newRow("too-deep") << "SELECT Id FROM Account WHERE " + QString(5000, QLatin1Char('(')) + "A = 1" + QString(5000, QLatin1Char(')')) << 94;
    }
    void rejects()
    {
        QFETCH(QString, soql);
        const auto q = parseSoql(soql);
        QVERIFY(!q);
        QTEST(q.error().column, "column");
        QVERIFY(!q.error().message.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestSoql)
#include "tst_soql.moc"
