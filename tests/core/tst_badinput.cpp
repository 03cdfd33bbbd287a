// Thousands of randomly corrupted files: the reader and the analysis never crash, never hang,
// account for every row, and every problem names a line.
#include "TestSupport.h"

#include "analysis/FileAnalysis.h"
#include "common/Random.h"

#include <QElapsedTimer>
#include <QFile>
#include <QtTest>

using namespace lockstep;

class TestBadInput : public QObject {
    Q_OBJECT
private slots:
    void corruptedFilesNeverCrash();
    void corruptedFilesThroughTheCli();
};

namespace {

QByteArray corrupt(QByteArray bytes, Random &random)
{
    const int edits = 1 + int(random.below(12));
    for (int e = 0; e < edits && !bytes.isEmpty(); ++e) {
        const qsizetype at = qsizetype(random.below(std::uint64_t(bytes.size())));
        switch (random.below(9)) {
        case 0: bytes[at] = char(random.below(256)); break;                       // any byte
        case 1: bytes.insert(at, '"'); break;                                      // stray quote
        case 2: bytes.insert(at, ','); break;                                      // extra field
        case 3: bytes.remove(at, qsizetype(random.below(200))); break;             // lost bytes
        case 4: bytes.insert(at, QByteArray(1, '\0')); break;                      // NUL
        case 5: bytes.truncate(at); break;                                         // cut short
        case 6: bytes.insert(at, "\xC3"); break;                                   // broken UTF-8
        case 7: bytes.insert(at, "\r\n\n"); break;                                 // line breaks
        case 8: bytes.insert(at, bytes.mid(qsizetype(random.below(std::uint64_t(bytes.size()))), 300)); break;  // duplicated span
        }
    }
    return bytes;
}

} // namespace

void TestBadInput::corruptedFilesNeverCrash()
{
    test::Scratch scratch;
    SampleOptions o;
    o.rows = 60;
    o.parents = 7;
    QFile f(scratch.sample(QStringLiteral("base.csv"), o));
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray base = f.readAll();
    Random random(20261124);
    QElapsedTimer timer;
    timer.start();
    int failedToOpen = 0, withProblems = 0;
    const int files = 3000;
    for (int i = 0; i < files; ++i) {
        const QByteArray bytes = corrupt(base, random);
        const QString path = scratch.write(QStringLiteral("f%1.csv").arg(i % 50), bytes);
        AnalyzeOptions options;
        options.threads = 1 + int(random.below(4));
        auto analysis = analyzeFile(path, options);
        if (!analysis) {
            ++failedToOpen;
            QVERIFY(!analysis.error().message.isEmpty());
            QVERIFY2(analysis.error().toString().startsWith(path), qPrintable(analysis.error().toString()));
            continue;
        }
        const auto &a = **analysis;
        withProblems += a.file.problems().total() > 0;
        QCOMPARE(a.keys.rowCount(), a.file.rowCount());
        QCOMPARE(a.distribution.rows(), a.file.rowCount());
        for (const auto &p : a.file.problems().items()) {
            QVERIFY(!p.message.isEmpty());
            QVERIFY(p.line >= 0);
        }
        for (qint64 r = 0; r < a.file.rowCount(); ++r) {
            QVERIFY(a.file.lineOfRow(r) >= 2);
            QVERIFY(!a.file.fields(r).isEmpty());
        }
    }
    qInfo("%d corrupted files in %lld ms: %d could not be opened, %d opened with problems", files,
          timer.elapsed(), failedToOpen, withProblems);
    QVERIFY(withProblems > files / 2);
}

void TestBadInput::corruptedFilesThroughTheCli()
{
    test::Scratch scratch;
    SampleOptions o;
    o.rows = 40;
    QFile f(scratch.sample(QStringLiteral("base.csv"), o));
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray base = f.readAll();
    Random random(7);
    for (int i = 0; i < 40; ++i) {
        const QString path = scratch.write(QStringLiteral("c%1.csv").arg(i), corrupt(base, random));
        auto r = test::runCli({QStringLiteral("analyze"), path, QStringLiteral("--json")}, 30000);
        QVERIFY(!r.crashed);
        QVERIFY(!r.timedOut);
        QVERIFY2(r.exitCode == ExitCode::Ok || r.exitCode == ExitCode::DataError, r.err.constData());
        if (r.exitCode == ExitCode::DataError)
            QVERIFY(r.err.contains(path.toUtf8()));
    }
}

QTEST_GUILESS_MAIN(TestBadInput)
#include "tst_badinput.moc"
