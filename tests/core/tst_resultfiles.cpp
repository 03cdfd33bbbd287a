// Result files (Data Loader's, its Bulk v2 flavour, the Bulk API 2.0 / CLI shape, Lockstep's
// full report): every row of the source in exactly one place, with the original columns as they
// were, read back by the tests' reference CSV parser.
#include "TestSupport.h"

#include "analysis/FileAnalysis.h"
#include "job/ResultFiles.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QtTest>

using namespace lockstep;

namespace {

QList<QStringList> readCsv(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return test::parseCsvReference(f.readAll());
}

// Row i: 0 created, 1 updated, 2 lock error, 3 unknown, 4 never sent, then repeating.
RowRecord outcome(qint64 row)
{
    RowRecord r;
    switch (row % 5) {
    case 0: r = {RowStatus::Succeeded, QStringLiteral("006A%1").arg(row), true, {}, {}, {}, 1}; break;
    case 1: r = {RowStatus::Succeeded, QStringLiteral("006B%1").arg(row), false, {}, {}, {}, 2}; break;
    case 2:
        r = {RowStatus::Failed, {}, false, QStringLiteral("UNABLE_TO_LOCK_ROW"),
             QStringLiteral("unable to obtain exclusive access to this record or 1 records: 001x"), {}, 3};
        break;
    case 3: r = {RowStatus::Unknown, {}, false, {}, {}, {}, 1}; break;
    default: r = {RowStatus::Pending, {}, false, {}, {}, {}, 0}; break;
    }
    return r;
}

} // namespace

class TestResultFiles : public QObject {
    Q_OBJECT
    test::Scratch scratch;
    std::shared_ptr<FileAnalysis> analysis;

private slots:
    void initTestCase()
    {
        QByteArray csv = "AccountId,Name,Amount\n";
        for (int i = 0; i < 50; ++i)
            csv += "001000000000001AAA,\"Deal, number " + QByteArray::number(i) + " \"\"big\"\"\"," + QByteArray::number(i * 10) + "\n";
        const QString path = scratch.write(QStringLiteral("opps.csv"), csv);
        AnalyzeOptions options;
        options.object = QStringLiteral("Opportunity");
        options.operation = Operation::Upsert;
        auto a = analyzeFile(path, options);
        QVERIFY2(a.has_value(), qPrintable(a ? QString() : a.error().toString()));
        analysis = *a;
        QCOMPARE(analysis->file.rowCount(), qint64(50));
    }

    void dataLoader()
    {
        ResultFilesOptions o;
        o.format = ResultFormat::DataLoader;
        o.directory = scratch.path(QString());
        o.baseName = QStringLiteral("dl");
        o.operation = Operation::Upsert;
        const auto set = writeResultFiles(analysis->file, outcome, o);
        QVERIFY2(set.has_value(), qPrintable(set ? QString() : set.error().toString()));
        QCOMPARE(set->succeeded, qint64(20));
        QCOMPARE(set->failed, qint64(30));
        QCOMPARE(set->unknown, qint64(10));
        QCOMPARE(set->unprocessed, qint64(10));
        const auto success = readCsv(set->paths[0]);
        QCOMPARE(success.front(), (QStringList{"ID", "AccountId", "Name", "Amount", "STATUS"}));
        QCOMPARE(success.size(), qsizetype(21));
        QCOMPARE(success[1], (QStringList{"006A0", "001000000000001AAA", "Deal, number 0 \"big\"", "0", "Item Created"}));
        QCOMPARE(success[2].last(), QStringLiteral("Item Updated"));
        const auto error = readCsv(set->paths[1]);
        QCOMPARE(error.front(), (QStringList{"AccountId", "Name", "Amount", "ERROR"}));
        QCOMPARE(error.size(), qsizetype(31));
        QVERIFY(error[1].last().startsWith(QStringLiteral("UNABLE_TO_LOCK_ROW:unable to obtain exclusive access")));
        QVERIFY(error[2].last().startsWith(QStringLiteral("UNKNOWN:")));
        QVERIFY(error[3].last().startsWith(QStringLiteral("NOT_PROCESSED:")));
        QCOMPARE(error[1][1], QStringLiteral("Deal, number 2 \"big\""));
    }

    void bulkV2AndDataLoaderBulkV2()
    {
        ResultFilesOptions o;
        o.directory = scratch.path(QString());
        o.baseName = QStringLiteral("b2");
        o.format = ResultFormat::BulkV2;
        const auto set = writeResultFiles(analysis->file, outcome, o);
        QVERIFY(set.has_value());
        QCOMPARE(set->paths.size(), qsizetype(3));
        QVERIFY(set->paths[0].endsWith(QStringLiteral("b2-success-records.csv")));
        const auto ok = readCsv(set->paths[0]);
        QCOMPARE(ok.front(), (QStringList{"sf__Id", "sf__Created", "AccountId", "Name", "Amount"}));
        QCOMPARE(ok[1][1], QStringLiteral("true"));
        QCOMPARE(ok[2][1], QStringLiteral("false"));
        const auto failed = readCsv(set->paths[1]);
        QCOMPARE(failed.front(), (QStringList{"sf__Id", "sf__Error", "AccountId", "Name", "Amount"}));
        QCOMPARE(failed.size(), qsizetype(21));   // lock errors and unknown rows
        const auto unprocessed = readCsv(set->paths[2]);
        QCOMPARE(unprocessed.front(), (QStringList{"AccountId", "Name", "Amount"}));
        QCOMPARE(unprocessed.size(), qsizetype(11));
        // Every row exactly once across the three files.
        QCOMPARE(ok.size() - 1 + failed.size() - 1 + unprocessed.size() - 1, qsizetype(50));

        o.format = ResultFormat::DataLoaderBulkV2;
        o.baseName = QStringLiteral("dl2");
        const auto dl2 = writeResultFiles(analysis->file, outcome, o);
        QVERIFY(dl2.has_value());
        QCOMPARE(readCsv(dl2->paths[0]).front(), (QStringList{"ID", "sf__Created", "AccountId", "Name", "Amount"}));
        QCOMPARE(readCsv(dl2->paths[1]).front(), (QStringList{"ID", "ERROR", "AccountId", "Name", "Amount"}));
    }

    void fullReport()
    {
        ResultFilesOptions o;
        o.directory = scratch.path(QString());
        o.baseName = QStringLiteral("full");
        o.format = ResultFormat::Full;
        o.keys = &analysis->keys;
        const auto set = writeResultFiles(analysis->file, outcome, o);
        QVERIFY(set.has_value());
        const auto rows = readCsv(set->paths[0]);
        QCOMPARE(rows.size(), qsizetype(51));
        QCOMPARE(rows.front().mid(0, 8), (QStringList{"ROW", "STATUS", "STATUS_CODE", "MESSAGE", "ID", "CREATED", "PARENTS", "ATTEMPTS"}));
        QCOMPARE(rows[1].mid(0, 2), (QStringList{"1", "succeeded"}));
        QCOMPARE(rows[3][2], QStringLiteral("UNABLE_TO_LOCK_ROW"));
        QCOMPARE(rows[3][7], QStringLiteral("3"));
        QCOMPARE(rows[4][1], QStringLiteral("unknown"));
        QCOMPARE(rows[4][2], QStringLiteral("UNKNOWN"));
        QVERIFY(rows[3][6].contains(QStringLiteral("001000000000001")));
    }

    void formatsByNameAndBadDirectory()
    {
        QCOMPARE(parseResultFormat(QStringLiteral("dataloader")), ResultFormat::DataLoader);
        QCOMPARE(parseResultFormat(QStringLiteral("BulkV2")), ResultFormat::BulkV2);
        QCOMPARE(parseResultFormat(QStringLiteral("full")), ResultFormat::Full);
        QVERIFY(!parseResultFormat(QStringLiteral("xml")));
        // A folder that is not there yet is made, as Data Loader does.
        ResultFilesOptions o;
        o.directory = scratch.path(QStringLiteral("new-dir/results"));
        const auto made = writeResultFiles(analysis->file, outcome, o);
        QVERIFY2(made.has_value(), qPrintable(made ? QString() : made.error().message));
        QVERIFY(QFileInfo(made->paths.first()).absolutePath().endsWith(QLatin1String("new-dir/results")));
        // One that cannot be made (under a file) is said, with its path.
        const QString file = scratch.write(QStringLiteral("a-file"), "x");
        o.directory = file + QStringLiteral("/results");
        const auto set = writeResultFiles(analysis->file, outcome, o);
        QVERIFY(!set);
        QVERIFY2(set.error().message.contains(QStringLiteral("a-file/results")), qPrintable(set.error().message));
    }
};

QTEST_GUILESS_MAIN(TestResultFiles)
#include "tst_resultfiles.moc"
