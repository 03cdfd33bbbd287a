// Retrying a job's failed rows (issue 12), through lockstep-cli against a served demo org:
// the skewed 90,000-row calibration file (case A with a 12,000-row house account) loaded in
// parallel through Bulk API 1.0 ends with thousands of UNABLE_TO_LOCK_ROW; one
// `retry --only UNABLE_TO_LOCK_ROW` pass (parent-aware lanes) leaves none, and the org's own
// write log shows every record written exactly once: no row that had succeeded went again.
// Then the selections (code, parent, batch, rows, attempts) and the guards (a job with rows
// still unsettled, a retry left open, a superseded retry).
#include "DemoOrgTestSupport.h"
#include "TestSupport.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QtTest>

using namespace lockstep;

namespace {

struct Cli {
    int exitCode = -1;
    QByteArray out, err;
    QJsonObject json() const { return QJsonDocument::fromJson(out).object(); }
};

} // namespace

class TestRetry : public QObject {
    Q_OBJECT
    test::Scratch scratch;
    test::DemoOrgProcess org;
    QString file, store;

    // A job command (with the test's job store), or with `withStore` false any other.
    Cli cli(const QStringList &arguments, bool withStore = true)
    {
        QProcess p;
        p.setProcessEnvironment(org.cliEnvironment());
        p.start(qEnvironmentVariable("LOCKSTEP_CLI"), withStore ? arguments + QStringList{QStringLiteral("--store"), store} : arguments);
        Cli r;
        if (!p.waitForFinished(600000)) {
            p.kill();
            p.waitForFinished();
        }
        r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
        r.out = p.readAllStandardOutput();
        r.err = p.readAllStandardError();
        return r;
    }

    // Committed writes per Opportunity, from the org's write log.
    QHash<QString, qint64> writes()
    {
        test::RawHttp http(org.url, org.token);
        const QJsonObject log = test::jsonOf(http.get(QStringLiteral("/lockstep/writes?sobject=Opportunity"))).object();
        QHash<QString, qint64> out;
        const QJsonObject w = log.value(QStringLiteral("writes")).toObject();
        for (auto it = w.begin(); it != w.end(); ++it)
            out.insert(it.key(), qint64(it.value().toDouble()));
        return out;
    }

private slots:
    void initTestCase()
    {
        file = scratch.sample(QStringLiteral("case-a.csv"), test::caseA(12000));
        store = scratch.path(QStringLiteral("jobs.sqlite"));
        // The calibration's scale: the demo org keeps the profile's pace on two cores.
        QVERIFY2(org.start({QStringLiteral("--scale"), QStringLiteral("0.05"), QStringLiteral("--seed-from"), file}), qPrintable(org.error()));
    }

    void lockErrorsGoneAfterOneRetryWithoutRewrites()
    {
        const Cli run = cli({QStringLiteral("run"), file, QStringLiteral("--org"), org.url, QStringLiteral("--scale"), QStringLiteral("0.05"),
                             QStringLiteral("-m"), QStringLiteral("parallel"), QStringLiteral("--api"), QStringLiteral("bulk1"), QStringLiteral("--json"),
                             QStringLiteral("-q")});
        QCOMPARE(run.exitCode, 3);
        const qint64 lockErrors = run.json().value(QStringLiteral("lockErrors")).toInteger();
        qInfo("parallel: %lld lock errors of 90,000 rows", lockErrors);
        QVERIFY2(lockErrors >= 2000, run.out.left(400).constData());
        QCOMPARE(run.json().value(QStringLiteral("failed")).toInteger(), lockErrors);   // lock errors only
        const auto before = writes();
        qint64 written = 0;
        for (const qint64 n : before) {
            QCOMPARE(n, qint64(1));
            written += n;
        }
        QCOMPARE(written, 90000 - lockErrors);

        // Predicted before it is sent.
        const Cli dry = cli({QStringLiteral("retry"), QStringLiteral("1"), QStringLiteral("--only"), QStringLiteral("UNABLE_TO_LOCK_ROW"),
                             QStringLiteral("--dry-run"), QStringLiteral("--json")});
        QVERIFY2(dry.exitCode == 0, dry.err.constData());
        QCOMPARE(dry.json().value(QStringLiteral("rows")).toInteger(), lockErrors);
        QCOMPARE(dry.json().value(QStringLiteral("predicted")).toObject().value(QStringLiteral("lockErrorRows")).toDouble(), 0.0);
        QCOMPARE(writes().size(), before.size());   // a dry run sends nothing

        const Cli retry = cli({QStringLiteral("retry"), QStringLiteral("1"), QStringLiteral("--only"), QStringLiteral("UNABLE_TO_LOCK_ROW"),
                               QStringLiteral("--json"), QStringLiteral("-q")});
        QVERIFY2(retry.exitCode == 0, retry.err.right(600).constData());
        const QJsonObject pass = retry.json().value(QStringLiteral("passes")).toArray().first().toObject();
        QCOMPARE(pass.value(QStringLiteral("rows")).toInteger(), lockErrors);
        QCOMPARE(pass.value(QStringLiteral("lockErrors")).toInteger(), qint64(0));
        QCOMPARE(pass.value(QStringLiteral("retryOf")).toInteger(), qint64(1));
        const QJsonObject original = retry.json().value(QStringLiteral("original")).toObject();
        QCOMPARE(original.value(QStringLiteral("succeeded")).toInteger(), qint64(90000));
        QCOMPARE(original.value(QStringLiteral("failed")).toInteger(), qint64(0));

        // Every record written exactly once, over both jobs: what had succeeded was not sent again.
        const auto after = writes();
        QCOMPARE(after.size(), 90000);
        for (auto it = after.cbegin(); it != after.cend(); ++it)
            QVERIFY2(it.value() == 1, qPrintable(QStringLiteral("%1 was written %2 times").arg(it.key()).arg(it.value())));

        // The job tells the whole story, and its result files have no error left.
        const Cli show = cli({QStringLiteral("show"), QStringLiteral("1"), QStringLiteral("--json")});
        QCOMPARE(show.json().value(QStringLiteral("failed")).toInteger(), qint64(0));
        QCOMPARE(show.json().value(QStringLiteral("retries")).toArray().size(), 1);
        const Cli again = cli({QStringLiteral("retry"), QStringLiteral("1"), QStringLiteral("--json")});
        QCOMPARE(again.exitCode, 0);
        QVERIFY(again.json().value(QStringLiteral("passes")).toArray().isEmpty());
    }

    // The automatic lock-only retry: the same load with `run --retry-locks 3` ends with every row
    // written, each record once more than before — a retried row went once, a succeeded one never.
    void runRetriesItsLockErrorsInLanes()
    {
        const auto before = writes();
        const Cli run = cli({QStringLiteral("run"), file, QStringLiteral("--org"), org.url, QStringLiteral("--scale"), QStringLiteral("0.05"),
                             QStringLiteral("-m"), QStringLiteral("parallel"), QStringLiteral("--api"), QStringLiteral("bulk1"), QStringLiteral("--retry-locks"),
                             QStringLiteral("3"), QStringLiteral("--json"), QStringLiteral("-q")});
        QVERIFY2(run.exitCode == 0, run.err.right(600).constData());
        const QJsonObject report = run.json();
        const qint64 lockErrors = report.value(QStringLiteral("lockErrors")).toInteger();
        const QJsonArray retries = report.value(QStringLiteral("retries")).toArray();
        qInfo("parallel: %lld lock errors; %lld retry passes, the first with %lld rows", lockErrors, qint64(retries.size()),
              retries.first().toObject().value(QStringLiteral("rows")).toInteger());
        QVERIFY(lockErrors > 0 && !retries.isEmpty());
        QCOMPARE(retries.first().toObject().value(QStringLiteral("rows")).toInteger(), lockErrors);
        QCOMPARE(report.value(QStringLiteral("final")).toObject().value(QStringLiteral("succeeded")).toInteger(), qint64(90000));
        const auto after = writes();
        QCOMPARE(after.size(), 90000);
        for (auto it = after.cbegin(); it != after.cend(); ++it)
            QVERIFY2(it.value() == before.value(it.key()) + 1,
                     qPrintable(QStringLiteral("%1: %2 writes before, %3 after").arg(it.key()).arg(before.value(it.key())).arg(it.value())));
    }

    // A small parallel load on one skewed parent: its failed rows chosen by parent, batch, rows
    // and attempts, each selection exactly the failed rows it names.
    void selections()
    {
        const Cli run = cli({QStringLiteral("run"), file, QStringLiteral("--org"), org.url, QStringLiteral("--scale"), QStringLiteral("0.05"),
                             QStringLiteral("-m"), QStringLiteral("parallel"), QStringLiteral("--api"), QStringLiteral("bulk1"), QStringLiteral("--json"),
                             QStringLiteral("-q")});
        QCOMPARE(run.exitCode, 3);
        const qint64 job = run.json().value(QStringLiteral("job")).toInteger();
        const QString jobText = QString::number(job);
        auto dryRows = [&](const QStringList &extra) {
            const Cli r = cli(QStringList{QStringLiteral("retry"), jobText, QStringLiteral("--dry-run"), QStringLiteral("--json")} + extra);
            return std::pair(r.exitCode, r.json().value(QStringLiteral("rows")).toInteger());
        };
        const auto [allCode, all] = dryRows({});
        QCOMPARE(allCode, 0);
        QCOMPARE(all, run.json().value(QStringLiteral("failed")).toInteger());
        QCOMPARE(dryRows({QStringLiteral("--only"), QStringLiteral("DUPLICATE_VALUE")}).second, qint64(0));
        QCOMPARE(dryRows({QStringLiteral("--attempts"), QStringLiteral("2")}).second, qint64(0));   // one pass: one attempt each
        QCOMPARE(dryRows({QStringLiteral("--attempts"), QStringLiteral("1")}).second, all);
        // The house account's failed rows: some, not all (other parents collided too), and the
        // same when named by its 15-character Id.
        const Cli analyze = cli({QStringLiteral("analyze"), file, QStringLiteral("--json")}, false);
        const QString house = analyze.json().value(QStringLiteral("topParents")).toArray().first().toObject().value(QStringLiteral("id")).toString();
        QCOMPARE(house.size(), 18);
        const qint64 onHouse = dryRows({QStringLiteral("--where"), QStringLiteral("parent=") + house}).second;
        QVERIFY2(onHouse > 0 && onHouse <= all, qPrintable(QStringLiteral("%1 of %2").arg(onHouse).arg(all)));
        QCOMPARE(dryRows({QStringLiteral("--where"), QStringLiteral("parent=") + house.left(15)}).second, onHouse);
        QCOMPARE(dryRows({QStringLiteral("--where"), QStringLiteral("parent=") + house, QStringLiteral("--only"), QStringLiteral("UNABLE_TO_LOCK_ROW")}).second,
                 onHouse);
        // Unknown names and numbers are refused, not silently empty.
        QCOMPARE(dryRows({QStringLiteral("--where"), QStringLiteral("parent=001000000000000AAA")}).first, 64);
        QCOMPARE(dryRows({QStringLiteral("--where"), QStringLiteral("batch=999999")}).first, 64);
        QCOMPARE(dryRows({QStringLiteral("--where"), QStringLiteral("colour=red")}).first, 64);
        QCOMPARE(dryRows({QStringLiteral("--rows"), QStringLiteral("9-3")}).first, 64);
        QCOMPARE(dryRows({QStringLiteral("-m"), QStringLiteral("auto")}).first, 64);
    }

    void cleanupTestCase() { QCOMPARE(org.stop(), 0); }
};

QTEST_GUILESS_MAIN(TestRetry)
#include "tst_retry.moc"
