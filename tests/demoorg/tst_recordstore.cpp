#include "TestSupport.h"

#include "demoorg/ChildCounts.h"
#include "demoorg/RecordStore.h"

#include <QTest>

using namespace lockstep;
using namespace lockstep::demoorg;
using namespace lockstep::test;

// The record store's bookkeeping beyond the rows: roll-ups moved by deltas and the children
// each parent has (the skewed-parent hold), checked against what the database itself says.
class TestRecordStore : public QObject {
    Q_OBJECT
    Scratch scratch;
    std::unique_ptr<RecordStore> store;
    const ObjectDef *account = nullptr;
    const ObjectDef *opportunity = nullptr;

    QString insert(const ObjectDef &object, const Values &values)
    {
        const QString id = store->newId(object);
        const auto r = store->apply({RowWrite{RowWrite::Kind::Insert, &object, id, values}}, QStringLiteral("005000000000001AAA"));
        return r ? id : QString();
    }
    Values opp(const QString &accountId, double amount)
    {
        return {{QStringLiteral("Name"), QStringLiteral("O")}, {QStringLiteral("StageName"), QStringLiteral("Prospecting")},
                {QStringLiteral("CloseDate"), QStringLiteral("2030-01-01")}, {QStringLiteral("AccountId"), accountId}, {QStringLiteral("Amount"), amount}};
    }
    // What the database says, without the cache.
    qint64 countedChildren(const QString &accountId)
    {
        auto rows = store->select(QStringLiteral("SELECT COUNT(*) FROM \"Opportunity\" WHERE AccountId=?"), {accountId});
        return rows ? rows->front().front().toLongLong() : -1;
    }
    double total(const QString &accountId)
    {
        auto rows = store->select(QStringLiteral("SELECT Total_Opportunity_Amount__c FROM \"Account\" WHERE Id=?"), {accountId});
        return rows && !rows->empty() ? rows->front().front().toDouble() : -1;
    }
    double summed(const QString &accountId)
    {
        auto rows = store->select(QStringLiteral("SELECT ROUND(TOTAL(Amount),2) FROM \"Opportunity\" WHERE AccountId=?"), {accountId});
        return rows ? rows->front().front().toDouble() : -1;
    }

private slots:
    void init()
    {
        auto opened = RecordStore::open(scratch.path(QStringLiteral("%1.sqlite").arg(QTest::currentTestFunction())), Schema::standard());
        QVERIFY2(opened.has_value(), qPrintable(opened ? QString() : opened.error().message));
        store = std::move(*opened);
        account = store->schema().object(QStringLiteral("Account"));
        opportunity = store->schema().object(QStringLiteral("Opportunity"));
    }
    void cleanup() { store.reset(); }

    void childCountsFollowEveryCommit()
    {
        const QString a = insert(*account, {{QStringLiteral("Name"), QStringLiteral("A")}});
        const QString b = insert(*account, {{QStringLiteral("Name"), QStringLiteral("B")}});
        const QString c = insert(*account, {{QStringLiteral("Name"), QStringLiteral("C")}});
        QStringList opps;
        for (const QString &parent : {a, a, a, b, b})
            opps << insert(*opportunity, opp(parent, 10));
        QVERIFY(!opps.contains(QString()));
        auto counts = [&] { return store->childCounts(*opportunity, {a, b, c}); };
        auto agrees = [&] {
            const auto now = counts();
            return now && now->value(a) == countedChildren(a) && now->value(b) == countedChildren(b) && now->value(c) == countedChildren(c) &&
                   now->size() == 3;
        };
        QCOMPARE(counts()->value(a), std::int64_t(3));   // read once, cached from here on
        QCOMPARE(counts()->value(c), std::int64_t(0));
        QVERIFY(agrees());

        // Insert (+1), reparent (−1, +1), an update that changes no link, delete (−1): the cached
        // counts follow without reading again.
        opps << insert(*opportunity, opp(c, 1));
        QCOMPARE(counts()->value(c), std::int64_t(1));
        QVERIFY(store->apply({RowWrite{RowWrite::Kind::Update, opportunity, opps[0], {{QStringLiteral("AccountId"), b}}},
                              RowWrite{RowWrite::Kind::Update, opportunity, opps[1], {{QStringLiteral("StageName"), QStringLiteral("Closed Won")}}},
                              RowWrite{RowWrite::Kind::Update, opportunity, opps[0], {{QStringLiteral("AccountId"), c}}}},
                             QStringLiteral("005000000000001AAA")));
        QCOMPARE(counts()->value(a), std::int64_t(2));
        QCOMPARE(counts()->value(b), std::int64_t(2));
        QCOMPARE(counts()->value(c), std::int64_t(2));   // moved twice in one call: a → b → c
        QVERIFY(store->apply({RowWrite{RowWrite::Kind::Delete, opportunity, opps[3], {}}}, QStringLiteral("005000000000001AAA")));
        QCOMPARE(counts()->value(b), std::int64_t(1));
        QVERIFY(agrees());
        // A deleted parent is counted again from the database (its children stay, dangling).
        QVERIFY(store->apply({RowWrite{RowWrite::Kind::Delete, account, a, {}}}, QStringLiteral("005000000000001AAA")));
        QVERIFY(agrees());
    }

    void aCountReadDuringACommitIsNotKept()
    {
        ChildCounts counts;
        const ChildCounts::Key key{QStringLiteral("Opportunity"), QStringLiteral("001000000000001AAA")};
        QStringList missing;
        std::uint64_t stamp = 0;
        QVERIFY(counts.cached(key.child, {key.parent}, missing, stamp).isEmpty());
        QCOMPARE(missing, QStringList{key.parent});
        // A commit adding a child begins after the read was planned: the read may or may not
        // have seen it, so its count must not be kept, whether it lands before or after the end.
        const std::vector<ChildCounts::Change> change{{key, +1, false}};
        counts.begin(change);
        counts.fill(key.child, {{key.parent, 5}}, stamp);
        counts.end(change, true);
        counts.fill(key.child, {{key.parent, 5}}, stamp);
        missing.clear();
        QVERIFY(counts.cached(key.child, {key.parent}, missing, stamp).isEmpty());
        // A read planned after the commit is kept, and the next commit moves it.
        counts.fill(key.child, {{key.parent, 6}}, stamp);
        missing.clear();
        QCOMPARE(counts.cached(key.child, {key.parent}, missing, stamp).value(key.parent), std::int64_t(6));
        counts.begin(change);
        counts.end(change, true);
        QCOMPARE(counts.cached(key.child, {key.parent}, missing, stamp).value(key.parent), std::int64_t(7));
        // A rolled-back commit moves nothing.
        counts.begin(change);
        counts.end(change, false);
        QCOMPARE(counts.cached(key.child, {key.parent}, missing, stamp).value(key.parent), std::int64_t(7));
        QVERIFY(missing.isEmpty());
    }

    void rollupsMoveByDeltasAndStayExact()
    {
        const QString a = insert(*account, {{QStringLiteral("Name"), QStringLiteral("A")}});
        const QString b = insert(*account, {{QStringLiteral("Name"), QStringLiteral("B")}});
        QStringList opps;
        const QList<double> amounts{0.1, 0.2, 0.7, 1234.56, 99.99};
        for (qsizetype i = 0; i < amounts.size(); ++i)
            opps << insert(*opportunity, opp(i < 3 ? a : b, amounts[i]));
        QCOMPARE(total(a), 1.0);   // 0.1 + 0.2 + 0.7, to the cent
        QCOMPARE(total(b), 1334.55);
        // One call moving children both ways and changing amounts.
        QVERIFY(store->apply({RowWrite{RowWrite::Kind::Update, opportunity, opps[0], {{QStringLiteral("AccountId"), b}, {QStringLiteral("Amount"), 0.3}}},
                              RowWrite{RowWrite::Kind::Update, opportunity, opps[3], {{QStringLiteral("AccountId"), a}}},
                              RowWrite{RowWrite::Kind::Update, opportunity, opps[4], {{QStringLiteral("Amount"), QVariant()}}},
                              RowWrite{RowWrite::Kind::Delete, opportunity, opps[1], {}}},
                             QStringLiteral("005000000000001AAA")));
        for (const QString &parent : {a, b})
            QCOMPARE(total(parent), summed(parent));
        QCOMPARE(total(a), 1235.26);
        QCOMPARE(total(b), 0.3);

        // A summary never computed (a parent stored before it had the field) is computed once
        // from all its children when one of them changes.
        auto cleared = store->database().write([&](Connection &c) -> Result<void> {
            auto st = c.prepare(QStringLiteral("UPDATE \"Account\" SET Total_Opportunity_Amount__c=? WHERE Id=?"));
            if (!st)
                return std::unexpected(st.error());
            st->bind(1, QVariant());
            st->bind(2, a);
            return st->run();
        });
        QVERIFY(cleared);
        opps << insert(*opportunity, opp(a, 5));
        QCOMPARE(total(a), 1240.26);
        QCOMPARE(total(a), summed(a));
    }
};

QTEST_GUILESS_MAIN(TestRecordStore)
#include "tst_recordstore.moc"
