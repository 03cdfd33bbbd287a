// Children per parent, skew, histogram, batch spread and the heatmap grid, checked against
// counts made independently from the rows.
#include "TestSupport.h"

#include "analysis/Distribution.h"
#include "analysis/FileAnalysis.h"
#include "analysis/HeatmapGrid.h"

#include <QFile>
#include <QtTest>

#include <map>

using namespace lockstep;

namespace {

LockKeys keysOf(const std::vector<std::vector<std::string>> &rows) { return LockKeys::fromTexts(rows); }

} // namespace

class TestDistribution : public QObject {
    Q_OBJECT
private slots:
    void countsAndSkew();
    void histogramBinsAreLog2();
    void batchSpread();
    void heatmapCellsMatchRows_data();
    void heatmapCellsMatchRows();
    void heatmapBinsManyParentsAndBatches();
    void heatmapOfASortedFileIsABand();
    void cellDetailNamesTheHeaviestParent();
    void houseAccountSample();
    void skewedParentsGetARowOfTheirOwn();
};

void TestDistribution::countsAndSkew()
{
    std::vector<std::vector<std::string>> rows;
    for (int i = 0; i < 30; ++i) rows.push_back({"A"});
    for (int i = 0; i < 5; ++i) rows.push_back({"B"});
    rows.push_back({"C"});
    rows.push_back({});
    const LockKeys keys = keysOf(rows);
    DistributionOptions options;
    options.skewThreshold = 10;
    options.topCount = 2;
    const Distribution d = Distribution::compute(keys, options);
    QCOMPARE(d.rows(), 37);
    QCOMPARE(d.parents(), 3);
    QCOMPARE(d.rowsWithoutParent(), 1);
    QCOMPARE(d.maxChildren(), 30);
    QCOMPARE(d.medianChildren(), 5);
    QCOMPARE(d.topParents().size(), size_t(2));
    QCOMPARE(keys.keyText(d.topParents()[0].key), std::string_view("A"));
    QCOMPARE(d.topParents()[1].children, 5);
    QCOMPARE(d.skewedParents().size(), size_t(1));
    QCOMPARE(d.rowsOnSkewedParents(), 30);
    QCOMPARE(d.meanChildren(), 12.0);
}

void TestDistribution::histogramBinsAreLog2()
{
    std::vector<std::vector<std::string>> rows;
    const std::map<std::string, int> sizes{{"p1", 1}, {"p2", 2}, {"p3", 3}, {"p4", 4}, {"p7", 7}, {"p8", 8}, {"p1000", 1000}};
    for (const auto &[name, n] : sizes)
        for (int i = 0; i < n; ++i)
            rows.push_back({name});
    const Distribution d = Distribution::compute(keysOf(rows));
    const auto &h = d.histogram();
    QCOMPARE(h.size(), size_t(10));   // 1000 children fall in [512, 1023]
    QCOMPARE(h[0].low, 1);
    QCOMPARE(h[0].parents, 1);        // p1
    QCOMPARE(h[1].parents, 2);        // p2, p3
    QCOMPARE(h[2].parents, 2);        // p4, p7
    QCOMPARE(h[3].parents, 1);        // p8
    QCOMPARE(h[9].low, 512);
    QCOMPARE(h[9].high, 1023);
    QCOMPARE(h[9].rows, 1000);
    qint64 parents = 0;
    for (const auto &b : h)
        parents += b.parents;
    QCOMPARE(parents, d.parents());
}

void TestDistribution::batchSpread()
{
    // Batches of 2: [A A] [A B] [C C] → only A spans two batches.
    const LockKeys keys = keysOf({{"A"}, {"A"}, {"A"}, {"B"}, {"C"}, {"C"}});
    const BatchSpread s = BatchSpread::compute(keys, 2);
    QCOMPARE(s.batches, 3);
    QCOMPARE(s.parentsInSeveralBatches, 1);
    QCOMPARE(s.rowsOnSharedParents, 3);
    QCOMPARE(s.maxBatchesPerParent, 2);
    // Send order grouping A together: no parent spans batches... except A has 3 rows.
    const std::vector<std::uint32_t> order{0, 1, 2, 4, 5, 3};
    const BatchSpread sorted = BatchSpread::compute(keys, 3, order);
    QCOMPARE(sorted.parentsInSeveralBatches, 0);
}

void TestDistribution::heatmapCellsMatchRows_data()
{
    QTest::addColumn<int>("batchSize");
    QTest::addColumn<int>("order");
    QTest::newRow("2000 by id") << 2000 << int(ParentOrder::ById);
    QTest::newRow("200 by children") << 200 << int(ParentOrder::ByChildren);
    QTest::newRow("777 by first row") << 777 << int(ParentOrder::ByFirstRow);
}

// Every cell equals the rows of that parent bin in that batch bin, counted straight from the CSV.
void TestDistribution::heatmapCellsMatchRows()
{
    QFETCH(int, batchSize);
    QFETCH(int, order);
    test::Scratch scratch;
    SampleOptions o;
    o.rows = 20000;
    o.parents = 900;
    o.houseAccountRows = 3000;
    const QString path = scratch.sample(QStringLiteral("o.csv"), o);
    auto analysis = analyzeFile(path, {});
    QVERIFY(analysis);
    const auto &a = **analysis;
    HeatmapOptions options;
    options.batchSize = batchSize;
    options.maxColumns = 40;
    options.maxRows = 100;
    options.order = ParentOrder(order);
    const HeatmapGrid grid = HeatmapGrid::compute(a.keys, a.distribution, options);
    QVERIFY(grid.columns() <= 40 && grid.rows() <= 100);
    QCOMPARE(grid.total(), a.keys.keys().size());

    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QList<QStringList> rows = test::parseCsvReference(f.readAll());
    std::vector<std::uint32_t> expected(size_t(grid.columns()) * size_t(grid.rows()), 0);
    for (qsizetype r = 1; r < rows.size(); ++r) {
        const std::string parent = rows[r][1].left(15).toStdString();
        const std::uint32_t key = a.keys.findKey(parent);
        QVERIFY(key != LockKeys::npos);
        const qint64 batch = (r - 1) / batchSize;
        const int column = int(batch / grid.batchesPerColumn());
        const int gridRow = grid.rowOfKey(key);
        ++expected[size_t(gridRow) * size_t(grid.columns()) + size_t(column)];
    }
    for (int y = 0; y < grid.rows(); ++y)
        for (int x = 0; x < grid.columns(); ++x)
            QCOMPARE(grid.cell(x, y), expected[size_t(y) * size_t(grid.columns()) + size_t(x)]);
}

void TestDistribution::heatmapBinsManyParentsAndBatches()
{
    std::vector<std::vector<std::string>> rows;
    for (int i = 0; i < 100000; ++i)
        rows.push_back({"P" + std::to_string(i % 5000)});
    const LockKeys keys = keysOf(rows);
    const Distribution d = Distribution::compute(keys);
    HeatmapOptions options;
    options.batchSize = 10;   // 10,000 batches
    options.maxColumns = 500;
    options.maxRows = 300;
    const HeatmapGrid grid = HeatmapGrid::compute(keys, d, options);
    QCOMPARE(grid.batches(), 10000);
    QCOMPARE(grid.batchesPerColumn(), 20);
    QCOMPARE(grid.columns(), 500);
    // 5,000 parents into at most 300 grid rows: 17 parents a row.
    QCOMPARE(grid.maxParentsPerRow(), 17);
    QCOMPARE(grid.rows(), 295);
    QCOMPARE(grid.batchRange(499), std::make_pair(qint64(9980), qint64(9999)));
    QCOMPARE(grid.total(), 100000);
}

// Sorting by parent (Id order) puts each parent in one or two adjacent batches: the grid's
// non-zero cells lie on a diagonal band.
void TestDistribution::heatmapOfASortedFileIsABand()
{
    test::Scratch scratch;
    SampleOptions o;
    o.rows = 20000;
    o.parents = 500;
    o.sortedByParent = true;
    auto analysis = analyzeFile(scratch.sample(QStringLiteral("sorted.csv"), o), {});
    QVERIFY(analysis);
    HeatmapOptions options;
    options.batchSize = 200;
    options.maxRows = 100;
    options.maxColumns = 100;
    const HeatmapGrid grid = HeatmapGrid::compute((*analysis)->keys, (*analysis)->distribution, options);
    const QString violation = test::bandViolation(grid);
    QVERIFY2(violation.isEmpty(), qPrintable(violation));
    QCOMPARE((*analysis)->spread.parentsInSeveralBatches <= 100, true);
}

void TestDistribution::cellDetailNamesTheHeaviestParent()
{
    const LockKeys keys = keysOf({{"A"}, {"B"}, {"B"}, {"A"}, {"B"}, {"C"}});
    const Distribution d = Distribution::compute(keys);
    HeatmapOptions options;
    options.batchSize = 3;
    options.maxRows = 1;   // all parents in one grid row
    const HeatmapGrid grid = HeatmapGrid::compute(keys, d, options);
    const auto detail = grid.detail(keys, 0, 0);
    QCOMPARE(detail.rows, 3);
    QCOMPARE(keys.keyText(detail.topParent), std::string_view("B"));
    QCOMPARE(detail.topParentRows, 2);
    QCOMPARE(detail.distinctParents, 2);
    const auto second = grid.detail(keys, 1, 0);
    QCOMPARE(second.rows, 3);
    QCOMPARE(second.distinctParents, 3);
}

void TestDistribution::houseAccountSample()
{
    test::Scratch scratch;
    auto analysis = analyzeFile(scratch.sample(QStringLiteral("house.csv"), test::caseA(12000)), {});
    QVERIFY(analysis);
    const Distribution &d = (*analysis)->distribution;
    QCOMPARE(d.rows(), 90000);
    QCOMPARE(d.skewedParents().size(), size_t(1));
    QCOMPARE(d.skewedParents().front().children, 12000);
    QVERIFY(d.parents() > 4900 && d.parents() <= 5000);
    QCOMPARE(d.maxChildren(), 12000);
}

void TestDistribution::skewedParentsGetARowOfTheirOwn()
{
    std::vector<std::vector<std::string>> rows;
    for (int i = 0; i < 12000; ++i)
        rows.push_back({"HOUSE"});
    for (int i = 0; i < 78000; ++i)
        rows.push_back({"P" + std::to_string(i % 5000)});
    const LockKeys keys = keysOf(rows);
    const Distribution d = Distribution::compute(keys);
    for (auto order : {ParentOrder::ByChildren, ParentOrder::ById, ParentOrder::ByFirstRow}) {
        HeatmapOptions options;
        options.maxRows = 100;
        options.order = order;
        // (the default skew threshold, 10,000, makes HOUSE skewed)
        const HeatmapGrid grid = HeatmapGrid::compute(keys, d, options);
        QVERIFY(grid.rows() <= 100);
        const int houseRow = grid.rowOfKey(keys.findKey("HOUSE"));
        QCOMPARE(grid.rankRange(houseRow).first, grid.rankRange(houseRow).second);   // alone in its row
        QCOMPARE(grid.total(), 90000);
        // Every parent is in exactly one row, in rank order.
        qint64 covered = 0;
        for (int r = 0; r < grid.rows(); ++r)
            covered += grid.rankRange(r).second - grid.rankRange(r).first + 1;
        QCOMPARE(covered, grid.parents());
    }
}

QTEST_GUILESS_MAIN(TestDistribution)
#include "tst_distribution.moc"
