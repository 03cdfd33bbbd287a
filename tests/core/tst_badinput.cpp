// Thousands of randomly corrupted files: the reader and the analysis never crash, never hang,
// account for every row, and every problem names a line.
#include "TestSupport.h"

#include "analysis/FileAnalysis.h"
#include "load/LoadFile.h"
#include "common/Random.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

using namespace lockstep;

class TestBadInput : public QObject {
    Q_OBJECT
private slots:
    void corruptedFilesNeverCrash();
    void corruptedFilesThroughTheCli();
    void aRowLongerThanAThreadsShare();
    void aFileCutShortWhileRead();
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

// One row of 12 MB (a quoted field): on several threads, a thread's share of the file can hold
// no row start at all. The reading, the duplicate-Id search across shares and the analysis must
// still see every row (a hostile-input probe crashed here with SIGSEGV, issue 14).
void TestBadInput::aRowLongerThanAThreadsShare()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("long-row.csv"));
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("Id,AccountId,Description\n");
    f.write("0065M0ITqWFV1J8QWL,0015Q0fVgKiHvQ4QUK,short\n");
    f.write("0065M0ITqWFV1J9QWL,0015Q0fVgKiHvQ4QUK,\"");
    f.write(QByteArray(12 << 20, 'x'));
    f.write("\"\n");
    f.write("0065M0ITqWFV1J8QWL,0015Q0fVgKiHvQ4QUK,the first row's Id again\n");
    f.close();
    for (const int threads : {2, 4, 8}) {
        AnalyzeOptions options;
        options.threads = threads;
        auto analysis = analyzeFile(path, options);
        QVERIFY2(analysis.has_value(), qPrintable(analysis ? QString() : analysis.error().toString()));
        QCOMPARE((*analysis)->file.rowCount(), qint64(3));
        // The repeated Id is found across the threads' shares, on its own line.
        QCOMPARE((*analysis)->file.problems().countOf(ProblemCode::DuplicateId), qint64(1));
        QCOMPARE((*analysis)->file.problems().items().front().line, qint64(4));
    }
    const auto r = test::runCli({QStringLiteral("analyze"), path, QStringLiteral("--threads"), QStringLiteral("4"), QStringLiteral("--json")});
    QCOMPARE(r.exitCode, 65);   // a duplicate Id is an error in the file
    QCOMPARE(QJsonDocument::fromJson(r.out).object().value(QStringLiteral("rows")).toInteger(), qint64(3));
}

// Another program truncates the file after it was opened and before it was read: the read would
// die with SIGBUS on the pages past the new end. It ends in an I/O error that says what happened.
void TestBadInput::aFileCutShortWhileRead()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("shrinking.csv"));
    {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("Id,AccountId,Name\n");
        for (int i = 0; i < 200000; ++i)
            f.write(QStringLiteral("0065M0ITqW%1,0015Q0fVgKiHvQ4QUK,row %2\n").arg(i, 8, 10, QLatin1Char('0')).arg(i).toLatin1());
    }
    auto file = LoadFile::open(path);
    QVERIFY(file.has_value());
    QVERIFY(QFile(path).resize(64 * 1024));   // cut short under the open mapping
    ScanOptions options;
    options.threads = 2;
    const auto scanned = file->scan(options);
    QVERIFY(!scanned.has_value());
    QCOMPARE(scanned.error().kind, ErrorKind::Io);
    QVERIFY2(scanned.error().message.contains(QStringLiteral("cut short")), qPrintable(scanned.error().message));
    // A later file reads as usual: the guard only answers for the mapping that shrank.
    auto again = analyzeFile(path, {});
    QVERIFY2(again.has_value() || again.error().kind != ErrorKind::Io, "a fresh read of the shorter file failed with an I/O error");
}

QTEST_GUILESS_MAIN(TestBadInput)
#include "tst_badinput.moc"
