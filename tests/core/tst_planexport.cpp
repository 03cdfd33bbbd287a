// PlanExport (and lockstep-cli export-plan): every source row exactly once, in the plan's order,
// byte for byte; lanes files that partition the rows so no two files running together share a
// parent (but the skewed parent the plan itself loads side by side, which the manifest names);
// a clear message naming the line for input whose rows are uncertain. Read back with the tests'
// own CSV parser.
#include "TestSupport.h"

#include "analysis/FileAnalysis.h"
#include "plan/PlanExport.h"
#include "plan/Planner.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QtTest>

#include <map>

using namespace lockstep;

namespace {

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

struct Planned {
    std::shared_ptr<FileAnalysis> analysis;
    Plan plan;
};

Planned planFor(const QString &path, const QString &mitigation, std::optional<Api> api = {})
{
    AnalyzeOptions o;
    o.object = QStringLiteral("Opportunity");
    auto a = analyzeFile(path, o);
    if (!a)
        qFatal("%s", qPrintable(a.error().toString()));
    PlanOptions po;
    po.object = QStringLiteral("Opportunity");
    po.operation = (*a)->operation;
    po.api = api;
    auto plan = Planner::plan((*a)->keys, *Mitigation::parse(mitigation), po);
    if (!plan)
        qFatal("%s", qPrintable(plan.error().message));
    return {*a, std::move(*plan)};
}

// The data rows of a CSV file as the reference parser reads them (header dropped).
QList<QStringList> rowsOf(const QByteArray &bytes, char delimiter = ',')
{
    QList<QStringList> rows = test::parseCsvReference(bytes, delimiter);
    if (!rows.isEmpty())
        rows.removeFirst();
    return rows;
}

QByteArray firstLine(const QByteArray &bytes)
{
    const qsizetype nl = bytes.indexOf('\n');
    return nl < 0 ? bytes : bytes.left(nl + 1);
}

} // namespace

class TestPlanExport : public QObject {
    Q_OBJECT
    test::Scratch scratch;
    QString skewed;   // 20,000 Opportunities over 300 Accounts, one holding 4,000

private slots:
    void initTestCase()
    {
        SampleOptions o;
        o.rows = 20000;
        o.parents = 300;
        o.houseAccountRows = 4000;
        o.seed = 5;
        skewed = scratch.sample(QStringLiteral("opps.csv"), o);
    }

    void everyRowOnceInPlanOrder_data()
    {
        QTest::addColumn<QString>("mitigation");
        QTest::addColumn<int>("api");
        QTest::addColumn<quint64>("sliceBytes");
        QTest::addColumn<int>("files");
        for (const quint64 slice : {quint64(RowCopier::kDefaultSliceBytes), quint64(50000)}) {
            const QByteArray passes = slice < 1000000 ? " (many passes)" : " (one pass)";
            QTest::newRow("parallel" + passes) << "parallel" << -1 << slice << 1;
            QTest::newRow("sort" + passes) << "sort" << -1 << slice << 1;
            QTest::newRow("serial" + passes) << "serial" << -1 << slice << 1;
            QTest::newRow("sort+small:50, REST" + passes) << "sort+small:50" << int(Api::RestCollections) << slice << 1;
            QTest::newRow("lanes" + passes) << "lanes" << -1 << slice << 15;
            QTest::newRow("queue" + passes) << "queue" << -1 << slice << 15;
        }
    }
    void everyRowOnceInPlanOrder()
    {
        QFETCH(QString, mitigation);
        QFETCH(int, api);
        QFETCH(quint64, sliceBytes);
        QFETCH(int, files);
        const Planned p = planFor(skewed, mitigation, api < 0 ? std::nullopt : std::optional<Api>(Api(api)));
        PlanExportOptions options;
        options.directory = scratch.path(QStringLiteral("every-") + QString(QTest::currentDataTag()).replace(u' ', u'_'));
        options.sliceBytes = sliceBytes;
        const auto r = PlanExport::write(p.analysis->file, p.analysis->keys, p.plan, options);
        QVERIFY2(r.has_value(), qPrintable(r ? QString() : r.error().toString()));
        QCOMPARE(int(r->files.size()), files);
        QCOMPARE(r->rows, qint64(20000));

        const QByteArray source = readAll(skewed);
        const QList<QStringList> sourceRows = rowsOf(source);
        qint64 seen = 0;
        QSet<int> batchesSeen;
        for (const ExportFile &f : r->files) {
            const QByteArray bytes = readAll(QDir(options.directory).filePath(f.name));
            QCOMPARE(firstLine(bytes), firstLine(source));   // the header as the source has it
            QCOMPARE(qint64(bytes.size()), f.bytes);
            // The file holds its batches' rows, in plan order: exactly the source rows the plan sends.
            QList<QStringList> expected;
            for (const int b : f.batches) {
                QVERIFY(!batchesSeen.contains(b));
                batchesSeen.insert(b);
                for (const auto row : p.plan.rowsOf(p.plan.batches[size_t(b)]))
                    expected << sourceRows[qsizetype(row)];
            }
            QCOMPARE(rowsOf(bytes), expected);
            seen += f.rows;
        }
        QCOMPARE(seen, qint64(20000));
        QCOMPARE(batchesSeen.size(), qsizetype(p.plan.batches.size()));
        // Nothing re-quoted or re-encoded: the files carry the source's data bytes, no more.
        qint64 dataBytes = 0;
        for (const ExportFile &f : r->files)
            dataBytes += f.bytes - firstLine(source).size();
        QCOMPARE(dataBytes, qint64(source.size()) - firstLine(source).size());
        QVERIFY(QFile::exists(r->manifestPath));
        QVERIFY(QFile::exists(r->readmePath));
    }

    // The source's dialect as it is: BOM, semicolons, CRLF, quoting a writer would not choose
    // (kept), a quoted line break, and no line end after the last row.
    void bytesAsTheSourceHasThem()
    {
        QList<QByteArray> records;
        for (int i = 0; i < 300; ++i) {
            const QByteArray id = SampleIds::make(QStringLiteral("006"), std::uint64_t(i), 7).toLatin1();
            const QByteArray account = SampleIds::make(QStringLiteral("001"), std::uint64_t(i % 7), 7).toLatin1();
            QByteArray name;
            switch (i % 4) {
            case 0: name = "\"Plain, but quoted\""; break;
            case 1: name = "\"He said \"\"yes\"\"; twice\""; break;
            case 2: name = "\"two\r\nlines\""; break;
            default: name = "Zürich " + QByteArray::number(i); break;
            }
            records << id + ';' + account + ';' + name;
        }
        const QByteArray header = "\xEF\xBB\xBFId;AccountId;Name";
        const QString path = scratch.write(QStringLiteral("dialect.csv"), header + "\r\n" + records.join("\r\n"));
        const Planned p = planFor(path, QStringLiteral("sort"));
        QCOMPARE(p.analysis->file.rowCount(), qint64(300));
        PlanExportOptions options;
        options.directory = scratch.path(QStringLiteral("dialect"));
        options.sliceBytes = 1000;   // a pass every few rows
        const auto r = PlanExport::write(p.analysis->file, p.analysis->keys, p.plan, options);
        QVERIFY2(r.has_value(), qPrintable(r ? QString() : r.error().toString()));
        QByteArray expected = header + "\r\n";
        for (const auto row : p.plan.rows)
            expected += records[qsizetype(row)] + "\r\n";
        QCOMPARE(readAll(QDir(options.directory).filePath(r->files.front().name)), expected);
        const QJsonObject source = r->manifest.value(QStringLiteral("source")).toObject();
        QCOMPARE(source.value(QStringLiteral("delimiter")).toString(), QStringLiteral("semicolon"));
        QCOMPARE(source.value(QStringLiteral("lineEnding")).toString(), QStringLiteral("CRLF"));
        QVERIFY(source.value(QStringLiteral("bom")).toBool());
    }

    // A file whose records are not each followed by exactly one line end — blank lines between
    // them, a bare LF among CRLFs — cannot have its output placed from the row starts alone: it is
    // copied by gathering, with the same result (each record as it was, the file's line end after it).
    void irregularLineEndsAreCopiedAsTheyAre_data()
    {
        QTest::addColumn<QByteArray>("lineEnd");
        QTest::addColumn<QByteArray>("oddEnd");   // after every 7th record
        QTest::newRow("blank lines") << QByteArray("\n") << QByteArray("\n\n");
        QTest::newRow("bare LF among CRLF") << QByteArray("\r\n") << QByteArray("\n");
        QTest::newRow("regular CRLF") << QByteArray("\r\n") << QByteArray("\r\n");
    }
    void irregularLineEndsAreCopiedAsTheyAre()
    {
        QFETCH(QByteArray, lineEnd);
        QFETCH(QByteArray, oddEnd);
        QList<QByteArray> records;
        QByteArray body;
        for (int i = 0; i < 400; ++i) {
            const QByteArray id = SampleIds::make(QStringLiteral("006"), std::uint64_t(i), 11).toLatin1();
            const QByteArray account = SampleIds::make(QStringLiteral("001"), std::uint64_t(i % 13), 11).toLatin1();
            records << id + ',' + account + ",Deal " + QByteArray::number(i);
            body += records.back() + (i % 7 == 3 ? oddEnd : lineEnd);
        }
        const QByteArray header = "Id,AccountId,Name";
        const QString path = scratch.write(QStringLiteral("odd-%1.csv").arg(QString(QTest::currentDataTag()).replace(u' ', u'-')),
                                           header + lineEnd + body);
        const Planned p = planFor(path, QStringLiteral("sort"));
        QCOMPARE(p.analysis->file.rowCount(), qint64(400));
        for (const quint64 slice : {quint64(RowCopier::kDefaultSliceBytes), quint64(3000)}) {
            PlanExportOptions options;
            options.directory = scratch.path(QStringLiteral("odd-%1-%2").arg(QString(QTest::currentDataTag()).replace(u' ', u'-')).arg(slice));
            options.sliceBytes = slice;
            const auto r = PlanExport::write(p.analysis->file, p.analysis->keys, p.plan, options);
            QVERIFY2(r.has_value(), qPrintable(r ? QString() : r.error().toString()));
            QByteArray expected = header + lineEnd;
            for (const auto row : p.plan.rows)
                expected += records[qsizetype(row)] + lineEnd;
            QCOMPARE(readAll(QDir(options.directory).filePath(r->files.front().name)), expected);
            QCOMPARE(r->files.front().bytes, qint64(expected.size()));
        }
    }

    void lanesFilesShareNoParentButTheSkewedOne()
    {
        const Planned p = planFor(skewed, QStringLiteral("lanes"));
        QSet<std::uint32_t> sideBySide;   // the plan's own: lanes of one group run side by side
        for (const PlanLane &l : p.plan.lanes)
            if (l.group >= 0)
                sideBySide.insert(l.mainKey);
        QVERIFY2(!sideBySide.isEmpty(), "the house account should be on several lanes side by side");
        PlanExportOptions options;
        options.directory = scratch.path(QStringLiteral("lanes"));
        const auto r = PlanExport::write(p.analysis->file, p.analysis->keys, p.plan, options);
        QVERIFY(r.has_value());
        QVERIFY(int(r->files.size()) <= p.plan.concurrency);

        std::map<QString, QSet<QString>> filesOfParent;   // AccountId → files, read back from the files
        for (const ExportFile &f : r->files) {
            QVERIFY(f.serial);
            QCOMPARE(f.step, 1);
            for (const QStringList &row : rowsOf(readAll(QDir(options.directory).filePath(f.name))))
                filesOfParent[row[1]].insert(f.name);
            // A lane is never split over files.
            for (const int lane : f.lanes)
                for (const ExportFile &g : r->files)
                    QVERIFY(&g == &f || std::find(g.lanes.begin(), g.lanes.end(), lane) == g.lanes.end());
        }
        QSet<QString> declared;
        for (const auto &v : r->manifest.value(QStringLiteral("sharedParents")).toArray())
            declared.insert(v.toObject().value(QStringLiteral("parent")).toString());
        int shared = 0;
        for (const auto &[parent, files] : filesOfParent) {
            if (files.size() < 2)
                continue;
            ++shared;
            const std::uint32_t key = p.analysis->keys.findKey(parent.left(15).toStdString());
            QVERIFY2(sideBySide.contains(key), qPrintable(parent + QStringLiteral(" is in several files")));
            QVERIFY(declared.contains(QStringLiteral("Account ") + parent));
        }
        QCOMPARE(shared, int(sideBySide.size()));
        const QJsonArray steps = r->manifest.value(QStringLiteral("steps")).toArray();
        QCOMPARE(steps.size(), qsizetype(1));
        QCOMPARE(steps[0].toObject().value(QStringLiteral("files")).toArray().size(), qsizetype(r->files.size()));
    }

    void fewerFilesWhenAsked()
    {
        const Planned p = planFor(skewed, QStringLiteral("lanes"));
        PlanExportOptions options;
        options.directory = scratch.path(QStringLiteral("again"));
        QVERIFY(PlanExport::write(p.analysis->file, p.analysis->keys, p.plan, options).has_value());
        QCOMPARE(QDir(options.directory).entryList({QStringLiteral("*.csv")}).size(), qsizetype(15));
        // Again into the same folder with 3 files: the 12 this export does not rewrite are gone.
        options.maxFiles = 3;
        const auto r = PlanExport::write(p.analysis->file, p.analysis->keys, p.plan, options);
        QVERIFY(r.has_value());
        QCOMPARE(r->files.size(), size_t(3));
        QCOMPARE(QDir(options.directory).entryList({QStringLiteral("*.csv")}).size(), qsizetype(3));
        QCOMPARE(r->rows, qint64(20000));
        // A folder whose plan.json is someone else's is left alone.
        const QString foreign = scratch.path(QStringLiteral("foreign"));
        QDir().mkpath(foreign);
        scratch.write(QStringLiteral("foreign/plan.json"), "{\"name\":\"not ours\"}");
        options.directory = foreign;
        const auto refused = PlanExport::write(p.analysis->file, p.analysis->keys, p.plan, options);
        QVERIFY(!refused.has_value());
        QVERIFY(refused.error().message.contains(QStringLiteral("not a Lockstep export manifest")));
    }

    void cancelLeavesNoManifest()
    {
        const Planned p = planFor(skewed, QStringLiteral("sort"));
        PlanExportOptions options;
        options.directory = scratch.path(QStringLiteral("cancelled"));
        options.sliceBytes = 50000;
        Progress progress;
        progress.cancel.cancel();
        const auto r = PlanExport::write(p.analysis->file, p.analysis->keys, p.plan, options, progress);
        QVERIFY(!r.has_value());
        QCOMPARE(r.error().kind, ErrorKind::Cancelled);
        QVERIFY(!QFile::exists(QDir(options.directory).filePath(PlanExport::manifestName())));
        QVERIFY(QDir(options.directory).entryList({QStringLiteral("*.csv")}).isEmpty());
    }

    void uncertainRowsAreRefusedWithTheirLine_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<qint64>("line");
        const QByteArray a = SampleIds::make(QStringLiteral("001"), 1, 1).toLatin1();
        const QByteArray header = "Id,AccountId,Name\n";
        QByteArray rows;
        for (int i = 0; i < 5; ++i)
            rows += SampleIds::make(QStringLiteral("006"), std::uint64_t(i), 1).toLatin1() + ',' + a + ",Deal " + QByteArray::number(i) + '\n';
        QTest::newRow("unterminated quote") << header + rows + SampleIds::make(QStringLiteral("006"), 9, 1).toLatin1() + ',' + a + ",\"never closed\n" << qint64(7);
        QTest::newRow("malformed quote") << header + rows + SampleIds::make(QStringLiteral("006"), 9, 1).toLatin1() + ',' + a + ",Big \"deal\"\n" << qint64(7);
    }
    void uncertainRowsAreRefusedWithTheirLine()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(qint64, line);
        const QString path = scratch.write(QStringLiteral("bad-%1.csv").arg(QTest::currentDataTag()).replace(u' ', u'-'), bytes);
        const Planned p = planFor(path, QStringLiteral("sort"));
        PlanExportOptions options;
        options.directory = scratch.path(QStringLiteral("bad"));
        const auto r = PlanExport::write(p.analysis->file, p.analysis->keys, p.plan, options);
        QVERIFY(!r.has_value());
        QCOMPARE(r.error().kind, ErrorKind::BadData);
        QCOMPARE(r.error().file, path);
        QCOMPARE(r.error().line, line);
        QVERIFY(!QFile::exists(QDir(options.directory).filePath(PlanExport::manifestName())));

        // The command says the same, file and line first, and exits 65.
        const auto cli = test::runCli({QStringLiteral("export-plan"), path, QStringLiteral("-m"), QStringLiteral("sort"), QStringLiteral("-o"),
                                       scratch.path(QStringLiteral("bad-cli")), QStringLiteral("-q")});
        QCOMPARE(cli.exitCode, 65);
        QVERIFY2(cli.err.contains(QFileInfo(path).fileName().toUtf8() + ':' + QByteArray::number(r.error().line) + ':'), cli.err.constData());
    }

    void command_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("says");
        QTest::newRow("help") << QStringList{"export-plan", "--help"} << 0 << "Serial job";
        QTest::newRow("no mitigation") << QStringList{"export-plan", "FILE", "-o", "DIR"} << 64 << "--mitigation is required";
        QTest::newRow("no folder") << QStringList{"export-plan", "FILE", "-m", "lanes"} << 64 << "-o DIR is required";
        QTest::newRow("bad jobs") << QStringList{"export-plan", "FILE", "-m", "lanes", "-o", "DIR", "--jobs", "0"} << 64 << "--jobs";
        QTest::newRow("bad mitigation") << QStringList{"export-plan", "FILE", "-m", "fast", "-o", "DIR"} << 64 << "fast";
        QTest::newRow("no such file") << QStringList{"export-plan", "missing.csv", "-m", "sort", "-o", "DIR"} << 66 << "missing.csv";
        QTest::newRow("folder cannot be made") << QStringList{"export-plan", "FILE", "-m", "sort", "-o", "/proc/lockstep"} << 73 << "/proc/lockstep";
    }
    void command()
    {
        QFETCH(QStringList, arguments);
        QFETCH(int, exitCode);
        QFETCH(QString, says);
        arguments.replaceInStrings(QStringLiteral("FILE"), skewed);
        arguments.replaceInStrings(QStringLiteral("DIR"), scratch.path(QStringLiteral("cmd")));
        const auto r = test::runCli(arguments);
        QCOMPARE(r.exitCode, exitCode);
        QVERIFY2((r.out + r.err).contains(says.toUtf8()), (r.out + r.err).constData());
    }

    void jsonPrintsTheManifest()
    {
        const QString dir = scratch.path(QStringLiteral("json"));
        const auto r = test::runCli({QStringLiteral("export-plan"), skewed, QStringLiteral("-m"), QStringLiteral("lanes"), QStringLiteral("-o"), dir,
                                     QStringLiteral("--json"), QStringLiteral("-q")});
        QCOMPARE(r.exitCode, 0);
        const QJsonObject printed = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(printed, QJsonDocument::fromJson(readAll(QDir(dir).filePath(PlanExport::manifestName()))).object());
        QCOMPARE(printed.value(QStringLiteral("format")).toString(), QStringLiteral("lockstep-export/1"));
        QCOMPARE(printed.value(QStringLiteral("rows")).toInt(), 20000);
        const QJsonObject first = printed.value(QStringLiteral("files")).toArray().first().toObject();
        QCOMPARE(first.value(QStringLiteral("concurrencyMode")).toString(), QStringLiteral("Serial"));
        QVERIFY(first.value(QStringLiteral("sf")).toString().contains(QStringLiteral("--serial")));
        QVERIFY(first.value(QStringLiteral("dataLoader")).toString().contains(QStringLiteral("sfdc.bulkApiSerialMode=true")));
        QVERIFY(first.value(QStringLiteral("dependsOn")).toArray().isEmpty());
        QVERIFY(r.err.isEmpty());   // -q: nothing on stderr
    }
};

QTEST_GUILESS_MAIN(TestPlanExport)
#include "tst_planexport.moc"
