// The results table's model over the job store (issue 13): every row of a job, read a page at a
// time; filters by status, code, parent, batch, attempts and text, and sorts, found off the GUI
// thread — checked row by row against what the store was given.
#include "JobResultsPanel.h"
#include "ResultsTableModel.h"
#include "ResultsView.h"
#include "TestSupport.h"
#include "store/JobRowIndex.h"
#include "store/JobStore.h"

#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QSignalSpy>
#include <QTableView>
#include <QTextBrowser>
#include <QtTest>

using namespace lockstep;

namespace {

constexpr qint64 kRows = 2000;

QString parentOf(qint64 row)
{
    return QStringLiteral("0015Q0fV%1QEA").arg(row % 7, 7, 10, QLatin1Char('0'));
}

// Rows 3, 13, 23, … failed on a lock (their parent named); 5, 105, … on validation; the rest
// succeeded. Batches of 100 rows.
RowRecord outcomeOf(qint64 row)
{
    RowRecord o;
    if (row % 10 == 3) {
        o.status = RowStatus::Failed;
        o.statusCode = QStringLiteral("UNABLE_TO_LOCK_ROW");
        o.message = QStringLiteral("unable to obtain exclusive access to this record or 1 records: ") + parentOf(row);
    } else if (row % 100 == 5) {
        o.status = RowStatus::Failed;
        o.statusCode = QStringLiteral("FIELD_CUSTOM_VALIDATION_EXCEPTION");
        o.message = QStringLiteral("Stage is not valid");
    } else {
        o.status = RowStatus::Succeeded;
        o.recordId = QStringLiteral("0065M0IT%1QWL").arg(row, 7, 10, QLatin1Char('0'));
    }
    return o;
}

} // namespace

class TestResultsModel : public QObject {
    Q_OBJECT
    test::Scratch scratch;
    QString path;

    static bool applyAndWait(ui::ResultsTableModel &model, const RowFilter &filter, RowOrder order = RowOrder::Row, bool descending = false)
    {
        QSignalSpy applied(&model, &ui::ResultsTableModel::filterApplied);
        model.setFilter(filter, order, descending);
        return applied.wait(10000);
    }

private slots:
    void initTestCase()
    {
        path = scratch.path(QStringLiteral("jobs.sqlite"));
        auto store = JobStore::open(path);
        QVERIFY(store.has_value());
        JobSpec spec;
        spec.object = QStringLiteral("Opportunity");
        std::vector<JobBatchSpec> batches;
        for (qint64 first = 0; first < kRows; first += 100) {
            JobBatchSpec b;
            for (qint64 r = first; r < first + 100; ++r)
                b.rows.push_back(r);
            batches.push_back(b);
        }
        auto job = (*store)->createJob(spec, batches, parentOf);
        QVERIFY(job.has_value());
        std::vector<qint64> rows;
        std::vector<RowRecord> outcomes;
        for (qint64 r = 0; r < kRows; ++r) {
            rows.push_back(r);
            outcomes.push_back(outcomeOf(r));
        }
        // Every row sent once, the lock errors twice (attempts are counted by sends).
        QVERIFY((*store)->markSent(*job, rows).has_value());
        std::vector<qint64> again;
        for (qint64 r = 3; r < kRows; r += 10)
            again.push_back(r);
        QVERIFY((*store)->markSent(*job, again).has_value());
        QVERIFY((*store)->recordOutcomes(*job, rows, outcomes).has_value());
    }

    // The in-memory row index the table filters with finds exactly what the store's own query
    // finds, in the same order, for every kind of filter and sort.
    void indexAgreesWithTheStore()
    {
        auto store = JobStore::open(path);
        QVERIFY(store.has_value());
        auto index = JobRowIndex::build(**store, 1);
        QVERIFY(index.has_value());
        QCOMPARE((*index)->rows(), kRows);
        std::vector<RowFilter> filters(9);
        filters[1].status = RowStatus::Failed;
        filters[2].codes = {QStringLiteral("FIELD_CUSTOM_VALIDATION_EXCEPTION"), QStringLiteral("UNABLE_TO_LOCK_ROW")};
        filters[3].parent = parentOf(5) + QStringLiteral("AB");   // 18 characters: found by 15
        filters[3].parent = parentOf(5);
        filters[4].batch = 12;
        filters[5].minAttempts = 2;
        filters[6].search = QStringLiteral("0065m0it0001");   // a record Id, any case
        filters[7].search = QStringLiteral("QEA");            // parents and messages
        filters[8].status = RowStatus::Succeeded;
        filters[8].search = QStringLiteral("zzz-nothing");
        for (size_t i = 0; i < filters.size(); ++i)
            for (const RowOrder order : {RowOrder::Row, RowOrder::Status, RowOrder::Code, RowOrder::Batch, RowOrder::Attempts})
                for (const bool descending : {false, true}) {
                    auto fromStore = (*store)->rowNumbers(1, filters[i], order, descending);
                    QVERIFY(fromStore.has_value());
                    const std::vector<qint64> fromIndex = (*index)->select(filters[i], order, descending);
                    QVERIFY2(fromIndex == *fromStore, qPrintable(QStringLiteral("filter %1, order %2, %3: %4 rows vs %5")
                                                                     .arg(i)
                                                                     .arg(int(order))
                                                                     .arg(descending)
                                                                     .arg(fromIndex.size())
                                                                     .arg(fromStore->size())));
                }
    }

    void everyRowInFileOrder()
    {
        ui::ResultsTableModel model;
        QVERIFY2(model.openJob(path, 1), qPrintable(model.lastError()));
        QCOMPARE(model.rowCount(), int(kRows));
        // The last row (a page not yet read) and the first.
        for (const int r : {int(kRows) - 1, 0, 1003}) {
            QCOMPARE(model.data(model.index(r, ui::ResultsTableModel::RowColumn)).toLongLong(), qint64(r) + 1);
            QCOMPARE(model.data(model.index(r, ui::ResultsTableModel::StatusColumn)).toString(), rowStatusName(outcomeOf(r).status));
            QCOMPARE(model.data(model.index(r, ui::ResultsTableModel::BatchColumn)).toInt(), r / 100);
            QCOMPARE(model.data(model.index(r, ui::ResultsTableModel::ParentsColumn)).toString(), parentOf(r));
        }
        QCOMPARE(model.storedRow(13)->record.statusCode, QStringLiteral("UNABLE_TO_LOCK_ROW"));
        QCOMPARE(model.storedRow(13)->record.attempts, 2);
    }

    void filtersAndSorts()
    {
        ui::ResultsTableModel model;
        QVERIFY(model.openJob(path, 1));
        const auto rowsShown = [&] {
            std::vector<qint64> out;
            for (int r = 0; r < model.rowCount(); ++r)
                out.push_back(model.data(model.index(r, ui::ResultsTableModel::RowColumn)).toLongLong() - 1);
            return out;
        };
        const auto expected = [](auto &&pred) {
            std::vector<qint64> out;
            for (qint64 r = 0; r < kRows; ++r)
                if (pred(r))
                    out.push_back(r);
            return out;
        };
        RowFilter f;
        f.status = RowStatus::Failed;
        QVERIFY(applyAndWait(model, f));
        QCOMPARE(rowsShown(), expected([](qint64 r) { return outcomeOf(r).status == RowStatus::Failed; }));

        f = {};
        f.codes = {QStringLiteral("UNABLE_TO_LOCK_ROW")};
        f.parent = parentOf(3);
        QVERIFY(applyAndWait(model, f));
        QCOMPARE(rowsShown(), expected([](qint64 r) { return r % 10 == 3 && parentOf(r) == parentOf(3); }));

        f = {};
        f.batch = 7;
        f.minAttempts = 2;
        QVERIFY(applyAndWait(model, f));
        QCOMPARE(rowsShown(), expected([](qint64 r) { return r / 100 == 7 && r % 10 == 3; }));

        f = {};
        f.search = QStringLiteral("stage is NOT");   // any case, in the message
        QVERIFY(applyAndWait(model, f));
        QCOMPARE(rowsShown(), expected([](qint64 r) { return r % 100 == 5; }));

        // Sorted by code, descending: validation failures, then lock errors, then the rest;
        // ties in row order.
        QVERIFY(applyAndWait(model, {}, RowOrder::Code, true));
        QCOMPARE(model.rowCount(), int(kRows));
        QCOMPARE(model.data(model.index(0, ui::ResultsTableModel::CodeColumn)).toString(), QStringLiteral("UNABLE_TO_LOCK_ROW"));
        QCOMPARE(model.data(model.index(0, ui::ResultsTableModel::RowColumn)).toLongLong(), qint64(4));
        const int validations = int(expected([](qint64 r) { return r % 100 == 5; }).size());
        const int locks = int(expected([](qint64 r) { return r % 10 == 3; }).size());
        QCOMPARE(model.data(model.index(locks, ui::ResultsTableModel::CodeColumn)).toString(), QStringLiteral("FIELD_CUSTOM_VALIDATION_EXCEPTION"));
        QCOMPARE(model.data(model.index(locks + validations, ui::ResultsTableModel::CodeColumn)).toString(), QString());
        // A header click sorts the same way.
        QSignalSpy applied(&model, &ui::ResultsTableModel::filterApplied);
        model.sort(ui::ResultsTableModel::RowColumn, Qt::DescendingOrder);
        QVERIFY(applied.wait(10000));
        QCOMPARE(model.data(model.index(0, ui::ResultsTableModel::RowColumn)).toLongLong(), kRows);
    }

    // The view: the filter bar drives the model, the count says what it found, and a selected
    // lock error's detail says which batch held its parent. Saved as a screenshot.
    void viewFiltersAndExplains()
    {
        ui::ResultsView view;
        view.resize(1400, 800);
        view.show();
        QVERIFY(view.showJob(path, 1));
        QCOMPARE(view.countLabel()->text(), QStringLiteral("2,000 rows"));
        QSignalSpy applied(&view, &ui::ResultsView::filterApplied);
        RowFilter f;
        f.codes = {QStringLiteral("UNABLE_TO_LOCK_ROW")};
        view.setFilter(f);
        QVERIFY(applied.wait(10000));
        QCOMPARE(view.countLabel()->text(), QStringLiteral("200 of 2,000 rows"));
        QCOMPARE(view.filterFromBar().codes, QStringList{QStringLiteral("UNABLE_TO_LOCK_ROW")});
        QSignalSpy shown(&view, &ui::ResultsView::detailShown);
        view.table()->selectRow(2);
        QVERIFY(shown.wait(10000));
        QCOMPARE(shown.first().first().toLongLong(), qint64(23));
        const QString detail = view.detail()->toPlainText();
        QVERIFY2(detail.contains(QLatin1String("Row 24")) && detail.contains(QLatin1String("Why: row 24: waited on")) &&
                     detail.contains(QLatin1String("held by batch")),
                 qPrintable(detail));
        QVERIFY(view.grab().save(QDir(test::outputDir()).filePath(QStringLiteral("results-view.png"))));
        // A search of the messages.
        applied.clear();
        f = {};
        f.search = QStringLiteral("not valid");
        view.setFilter(f);
        QVERIFY(applied.wait(10000));
        QCOMPARE(view.countLabel()->text(), QStringLiteral("20 of 2,000 rows"));
    }

    // File → Open Job Results…: a job run by lockstep-cli on the built-in demo org, listed,
    // shown, and exported; its source changed afterwards, the export is refused in words.
    void jobResultsWindowShowsAndExports()
    {
        SampleOptions sample;
        sample.rows = 5000;
        sample.parents = 300;
        sample.houseAccountRows = 1000;
        const QString file = scratch.sample(QStringLiteral("opps.csv"), sample);
        const QString store = scratch.path(QStringLiteral("run.sqlite"));
        const auto run = test::runCli({QStringLiteral("run"), file, QStringLiteral("--org"), QStringLiteral("demo"), QStringLiteral("-m"),
                                       QStringLiteral("parallel"), QStringLiteral("--store"), store, QStringLiteral("--demo-data"),
                                       scratch.path(QStringLiteral("org")), QStringLiteral("-q")},
                                      300000);
        QVERIFY2(run.exitCode == 0 || run.exitCode == 3, run.err.constData());

        ui::JobResultsPanel window;
        window.show();
        QVERIFY(window.openStore(store));
        QCOMPARE(window.jobs()->count(), 1);
        QVERIFY2(window.jobs()->currentText().startsWith(QStringLiteral("Job 1 — Opportunity update over Bulk API 1.0 (parallel), Parallel (as is), ")), qPrintable(window.jobs()->currentText()));
        QCOMPARE(window.results()->model()->rowCount(), 5000);
        QVERIFY(window.grab().save(QDir(test::outputDir()).filePath(QStringLiteral("job-results-window.png"))));

        const QString out = scratch.path(QStringLiteral("exported"));
        QVERIFY(QDir().mkpath(out));
        QSignalSpy exported(&window, &ui::JobResultsPanel::exported);
        window.exportResults(ResultFormat::DataLoader, out);
        QVERIFY(exported.wait(60000));
        qint64 lines = 0;
        for (const QString &p : exported.first().first().toStringList()) {
            QFile f(p);
            QVERIFY(f.open(QIODevice::ReadOnly));
            lines += f.readAll().count('\n') - 1;   // less the header
        }
        QCOMPARE(lines, qint64(5000));
        QVERIFY2(window.status()->text().startsWith(QLatin1String("Wrote ")), qPrintable(window.status()->text()));

        // The source changed since the job ran: refused, said.
        QFile grow(file);
        QVERIFY(grow.open(QIODevice::Append));
        grow.write("0065M0ITqWFV1J8QWL,0015Q0fVgKiHvQ4QUK,Extra,Prospecting,2026-01-01,1\n");
        grow.close();
        QSignalSpy failed(&window, &ui::JobResultsPanel::failed);
        window.exportResults(ResultFormat::Full, out);
        QVERIFY(failed.wait(60000));
        QVERIFY2(window.status()->text().contains(QLatin1String("changed or is gone")), qPrintable(window.status()->text()));
    }

    void aJobTheStoreDoesNotHaveIsSaid()
    {
        ui::ResultsTableModel model;
        QVERIFY(!model.openJob(path, 99));
        QVERIFY2(model.lastError().contains(QLatin1String("99")), qPrintable(model.lastError()));
        QCOMPARE(model.rowCount(), 0);
    }
};

QTEST_MAIN(TestResultsModel)
#include "tst_resultsmodel.moc"
