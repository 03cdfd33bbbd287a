// Seeding the demo org from a load file streams it (issue 13: opening a 10,000,000-row file grew
// the window's demo org by 90 MB/s until it was killed, nothing written): a 150,000-row file is
// seeded with every record and parent created, progress that only grows, memory that does not
// grow with the rows (the whole-file way held ~3.5 KB a row: ~500 MB here), and a cancel that
// stops it.
#include "TestSupport.h"
#include "demoorg/DemoOrg.h"

#include <QFile>
#include <QtTest>

using namespace lockstep;

namespace {

// The peak resident set of this process so far (kB), from /proc.
qint64 peakRssKb()
{
    QFile f(QStringLiteral("/proc/self/status"));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : f.readAll().split('\n'))
        if (line.startsWith("VmHWM:"))
            return line.mid(6).trimmed().split(' ').first().toLongLong();
    return -1;
}

} // namespace

class TestSeeder : public QObject {
    Q_OBJECT
    test::Scratch scratch;

private slots:
    void streamsALargeFile()
    {
        SampleOptions o;
        o.rows = 150000;
        o.parents = 3000;
        const QString file = scratch.sample(QStringLiteral("seed-large.csv"), o);
        auto org = demoorg::DemoOrg::start({});
        QVERIFY2(org.has_value(), qPrintable(org ? QString() : org.error().message));
        const qint64 before = peakRssKb();
        QVERIFY(before > 0);
        qint64 last = -1, total = 0;
        bool grows = true;
        Progress progress;
        progress.report = [&](qint64 done, qint64 all, const QString &) {
            if (all <= 0)
                return;
            grows = grows && (total != all || done >= last);
            last = done;
            total = all;
        };
        auto summary = (*org)->seed({file}, progress);
        const qint64 grew = peakRssKb() - before;
        qInfo("seeding 150,000 rows grew the peak RSS by %lld MB", grew / 1024);
        QVERIFY2(grew < 150 * 1024, qPrintable(QStringLiteral("peak RSS grew by %1 MB").arg(grew / 1024)));
        QVERIFY2(summary.has_value(), qPrintable(summary ? QString() : summary.error().message));
        QCOMPARE(summary->created, qint64(150000 + 3000));
        QVERIFY(grows);
        QVERIFY(last > 0 && last == total);
    }

    void aCancelStopsIt()
    {
        SampleOptions o;
        o.rows = 50000;
        o.parents = 1000;
        const QString file = scratch.sample(QStringLiteral("seed-cancel.csv"), o);
        auto org = demoorg::DemoOrg::start({});
        QVERIFY(org.has_value());
        Progress progress;
        progress.report = [cancel = progress.cancel](qint64 done, qint64 all, const QString &phase) {
            if (all > 0 && done > 0 && phase.contains(QLatin1String("records")))
                cancel.cancel();
        };
        const auto summary = (*org)->seed({file}, progress);
        QVERIFY(!summary.has_value());
        QCOMPARE(summary.error().kind, ErrorKind::Cancelled);
    }
};

QTEST_GUILESS_MAIN(TestSeeder)
#include "tst_seeder.moc"
