// Mitigation names: what users type, what they combine, what is refused and how.
#include "plan/Mitigation.h"

#include <QtTest>

using namespace lockstep;

class TestMitigation : public QObject {
    Q_OBJECT

private slots:
    void parses_data();
    void parses();
    void refuses_data();
    void refuses();
    void comparisonSetHasTheFieldRows();
};

void TestMitigation::parses_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("key");
    QTest::addColumn<int>("scheduling");
    QTest::addColumn<bool>("sort");
    QTest::addColumn<int>("small");
    QTest::addColumn<bool>("dupOff");
    QTest::newRow("parallel") << "parallel" << "parallel" << int(Scheduling::Parallel) << false << 0 << false;
    QTest::newRow("as-is alias") << "as-is" << "parallel" << int(Scheduling::Parallel) << false << 0 << false;
    QTest::newRow("serial") << "serial" << "serial" << int(Scheduling::Serial) << false << 0 << false;
    QTest::newRow("lanes") << "Lanes" << "lanes" << int(Scheduling::Lanes) << false << 0 << false;
    QTest::newRow("auto") << "auto" << "auto" << int(Scheduling::Auto) << false << 0 << false;
    QTest::newRow("queue") << "per-parent-queue" << "queue" << int(Scheduling::ParentQueue) << false << 0 << false;
    QTest::newRow("sort") << "sort" << "sort" << int(Scheduling::Parallel) << true << 0 << false;
    QTest::newRow("small default") << "small" << "small:10" << int(Scheduling::Parallel) << false << 10 << false;
    QTest::newRow("small sized") << "small:50" << "small:50" << int(Scheduling::Parallel) << false << 50 << false;
    QTest::newRow("combined") << "sort+small:10+no-dup-rules" << "sort+small:10+no-dup-rules" << int(Scheduling::Parallel)
                              << true << 10 << true;
    QTest::newRow("commas and spaces") << " sort , small " << "sort+small:10" << int(Scheduling::Parallel) << true << 10 << false;
    QTest::newRow("serial sorted") << "serial+sort" << "serial+sort" << int(Scheduling::Serial) << true << 0 << false;
    QTest::newRow("lanes no dup") << "lanes+dup-rules-off" << "lanes+no-dup-rules" << int(Scheduling::Lanes) << false << 0 << true;
}

void TestMitigation::parses()
{
    QFETCH(QString, text);
    QFETCH(QString, key);
    QFETCH(int, scheduling);
    QFETCH(bool, sort);
    QFETCH(int, small);
    QFETCH(bool, dupOff);
    const auto m = Mitigation::parse(text);
    QVERIFY2(m.has_value(), qPrintable(m ? QString() : m.error().message));
    QCOMPARE(int(m->scheduling), scheduling);
    QCOMPARE(m->sortByParent, sort);
    QCOMPARE(m->smallBatchRows, small);
    QCOMPARE(m->duplicateRulesOff, dupOff);
    QCOMPARE(m->key(), key);
    QCOMPARE(*Mitigation::parse(m->key()), *m);   // the key reads back
    QVERIFY(!m->label().isEmpty());
}

void TestMitigation::refuses_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("expected");
    QTest::newRow("empty") << "" << "no mitigation given";
    QTest::newRow("unknown") << "fast" << "unknown mitigation 'fast'";
    QTest::newRow("two schedulings") << "serial+lanes" << "two schedulings";
    QTest::newRow("small zero") << "small:0" << "at least 1 row";
    QTest::newRow("small text") << "small:ten" << "at least 1 row";
    QTest::newRow("auto with modifiers") << "auto+sort" << "give 'auto' alone";
}

void TestMitigation::refuses()
{
    QFETCH(QString, text);
    QFETCH(QString, expected);
    const auto m = Mitigation::parse(text);
    QVERIFY(!m.has_value());
    QCOMPARE(m.error().kind, ErrorKind::Usage);
    QVERIFY2(m.error().message.contains(expected), qPrintable(m.error().message));
}

void TestMitigation::comparisonSetHasTheFieldRows()
{
    const auto without = Mitigation::comparisonSet(false);
    const auto with = Mitigation::comparisonSet(true);
    QCOMPARE(with.size(), without.size() + 1);
    auto has = [&](const std::vector<Mitigation> &set, const QString &key) {
        return std::any_of(set.begin(), set.end(), [&](const Mitigation &m) { return m.key() == key; });
    };
    for (const char *key : {"parallel", "serial", "sort", "small:10", "queue", "lanes"})
        QVERIFY2(has(without, QLatin1String(key)), key);
    QVERIFY(has(with, QStringLiteral("no-dup-rules")));
}

QTEST_GUILESS_MAIN(TestMitigation)
#include "tst_mitigation.moc"
