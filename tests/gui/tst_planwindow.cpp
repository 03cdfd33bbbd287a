// Issue 4 in the window: the mitigation panel drives the instant estimate (at once) and the
// predictor (on a worker, within a second for 100,000 rows, stale answers dropped); the heatmap
// redraws for the plan (a band when sorted, lane colours for lanes); the comparison of every
// mitigation; the timeline; and a screenshot with the comparison panel.
#include "TestSupport.h"

#include "ComparisonView.h"
#include "HeatmapView.h"
#include "MainWindow.h"
#include "MitigationPanel.h"
#include "PredictionPanel.h"
#include "SummaryPanel.h"
#include "TimelineView.h"

#include <QAbstractButton>
#include <QButtonGroup>
#include <QCheckBox>
#include <QComboBox>
#include <qcustomplot.h>
#include <QElapsedTimer>
#include <QSettings>
#include <QSpinBox>
#include <QTableWidget>
#include <QtTest>

using namespace lockstep;
using namespace lockstep::ui;

class TestPlanWindow : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void mitigationsDrivePredictionHeatmapAndTimeline();
    void comparisonOfEveryMitigation();
    void staleAnswersAreDropped();
    void hundredThousandRowsPredictWithinASecond();
    void badProfileAndImpossiblePlansAreSaid();
    void screenshotWithTheComparisonPanel();
    void houseAccountShowsOneNumberPerPlan();

private:
    QString caseA(bool houseAccount);
    static void choose(MainWindow &window, Scheduling scheduling);
    QTemporaryDir m_settings;
    test::Scratch m_scratch;
};

void TestPlanWindow::initTestCase()
{
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_settings.path());
    QApplication::setOrganizationName(QStringLiteral("LockstepPlanTest"));
    QApplication::setApplicationName(QStringLiteral("LockstepPlanTest"));
}

QString TestPlanWindow::caseA(bool houseAccount)
{
    const QString name = houseAccount ? QStringLiteral("case-a-house.csv") : QStringLiteral("case-a.csv");
    if (QFileInfo::exists(m_scratch.path(name)))
        return m_scratch.path(name);
    return m_scratch.sample(name, test::caseA(houseAccount ? 12000 : 0));
}

void TestPlanWindow::choose(MainWindow &window, Scheduling scheduling)
{
    // Click on the radio's indicator: a radio button only takes clicks on its circle and text.
    QAbstractButton *button = window.mitigationPanel()->schedulingGroup()->button(int(scheduling));
    QTest::mouseClick(button, Qt::LeftButton, Qt::NoModifier, QPoint(8, button->height() / 2));
    QCOMPARE(window.mitigationPanel()->mitigation().scheduling, scheduling);
}

void TestPlanWindow::mitigationsDrivePredictionHeatmapAndTimeline()
{
    MainWindow window;
    window.setDialogsEnabled(false);
    window.resize(1600, 1000);
    window.show();
    QSignalSpy predicted(window.planner(), &PlanController::predicted);
    window.openFile(caseA(true));
    QVERIFY(predicted.wait(30000));

    // Parallel as is: lock errors, in chunk-sized lumps, and a timeline of every batch.
    PlanResult result = window.planner()->latest();
    QCOMPARE(result.plan->mitigation.scheduling, Scheduling::Parallel);
    QVERIFY(result.prediction->lockErrorRows > 1000);
    QVERIFY(window.predictionPanel()->predictionText().contains(QStringLiteral("lock errors")));
    QCOMPARE(window.timeline()->drawnBatches(), int(result.plan->batches.size()));
    QVERIFY(window.timeline()->drawnEvents() > 0);

    // Lanes: the instant estimate changes at once (no event loop needed), the prediction follows.
    const QString before = window.predictionPanel()->estimateText();
    predicted.clear();
    choose(window, Scheduling::Lanes);
    QVERIFY(window.predictionPanel()->estimateText() != before);
    QVERIFY(predicted.wait(10000));
    result = window.planner()->latest();
    QCOMPARE(result.plan->mitigation.scheduling, Scheduling::Lanes);
    QCOMPARE(result.prediction->lockErrorRows, 0);
    QVERIFY(!result.plan->lanes.empty());   // the house account's serial lane
    QVERIFY(window.predictionPanel()->predictionText().contains(QStringLiteral(">0 lock errors<")));
    // The heatmap follows the plan and colours by lane.
    QTRY_VERIFY_WITH_TIMEOUT(window.heatmap()->result().grid && window.heatmap()->result().grid->hasLanes(), 10000);
    QCOMPARE(window.heatmap()->result().grid->total(), 90000);
    QCOMPARE(window.heatmap()->result().grid->batches(), qint64(result.plan->batches.size()));

    // Sort by parent: the heatmap switches to Id order and the scatter becomes a band.
    choose(window, Scheduling::Parallel);
    window.mitigationPanel()->sortBox()->click();
    QCOMPARE(window.summary()->parentOrder(), ParentOrder::ById);
    QTRY_VERIFY_WITH_TIMEOUT(window.planner()->latest().plan && window.planner()->latest().plan->mitigation.sortByParent, 10000);
    QTRY_VERIFY_WITH_TIMEOUT(window.heatmap()->result().order.label.contains(QStringLiteral("Sort")) &&
                                 window.heatmap()->result().grid->order() == ParentOrder::ById,
                             10000);
    const QString violation = test::bandViolation(*window.heatmap()->result().grid);
    QVERIFY2(violation.isEmpty(), qPrintable(violation));
}

void TestPlanWindow::comparisonOfEveryMitigation()
{
    MainWindow window;
    window.setDialogsEnabled(false);
    window.show();
    QSignalSpy ready(window.planner(), &PlanController::comparisonReady);
    window.openFile(caseA(false));
    QVERIFY(ready.wait(60000));
    const auto &summaries = window.comparison()->summaries();
    QVERIFY(summaries.size() >= 6);
    QCOMPARE(window.comparison()->table()->rowCount(), int(summaries.size()));
    const PredictionSummary *parallel = nullptr, *lanes = nullptr, *serial = nullptr;
    for (const auto &s : summaries) {
        QVERIFY2(s.planned, qPrintable(s.mitigation.label() + QStringLiteral(": ") + s.error.message));
        if (s.mitigation == Mitigation{}) parallel = &s;
        if (s.mitigation.scheduling == Scheduling::Lanes) lanes = &s;
        if (s.mitigation.scheduling == Scheduling::Serial) serial = &s;
    }
    QVERIFY(parallel && lanes && serial);
    QVERIFY(parallel->lockErrorRows > 5000);
    QCOMPARE(lanes->lockErrorRows, 0.0);
    QCOMPARE(serial->lockErrorRows, 0.0);
    QVERIFY(serial->durationSeconds > 10 * parallel->durationSeconds);
    QVERIFY(window.comparison()->plot()->graphCount() >= int(summaries.size()));

    // Double-clicking a row chooses that mitigation.
    int lanesRow = -1;
    for (int r = 0; r < int(summaries.size()); ++r)
        if (summaries[size_t(r)].mitigation.scheduling == Scheduling::Lanes)
            lanesRow = r;
    QSignalSpy predicted(window.planner(), &PlanController::predicted);
    emit window.comparison()->table()->cellDoubleClicked(lanesRow, 1);
    QCOMPARE(window.mitigationPanel()->mitigation().scheduling, Scheduling::Lanes);
    QVERIFY(predicted.wait(10000));
    QCOMPARE(window.planner()->latest().plan->mitigation.scheduling, Scheduling::Lanes);
}

void TestPlanWindow::staleAnswersAreDropped()
{
    MainWindow window;
    window.setDialogsEnabled(false);
    window.show();
    QSignalSpy predicted(window.planner(), &PlanController::predicted);
    window.openFile(caseA(false));
    QVERIFY(predicted.wait(30000));
    // A burst of changes: only the last one may be shown.
    predicted.clear();
    for (Scheduling s : {Scheduling::Serial, Scheduling::Lanes, Scheduling::Parallel, Scheduling::Serial, Scheduling::Lanes})
        choose(window, s);
    QVERIFY(predicted.wait(10000));
    QTest::qWait(500);   // anything stale would have arrived by now
    for (const auto &signal : predicted)
        QCOMPARE(signal.front().value<PlanResult>().plan->mitigation.scheduling, Scheduling::Lanes);
    QCOMPARE(window.planner()->latest().plan->mitigation.scheduling, Scheduling::Lanes);
}

void TestPlanWindow::hundredThousandRowsPredictWithinASecond()
{
    SampleOptions o;
    o.rows = 100000;
    o.parents = 5000;
    const QString path = m_scratch.sample(QStringLiteral("100k.csv"), o);
    MainWindow window;
    window.setDialogsEnabled(false);
    window.show();
    QSignalSpy predicted(window.planner(), &PlanController::predicted);
    window.openFile(path);
    QVERIFY(predicted.wait(30000));
    for (Scheduling s : {Scheduling::Lanes, Scheduling::Serial, Scheduling::Parallel}) {
        predicted.clear();
        QElapsedTimer timer;
        timer.start();
        choose(window, s);
        QVERIFY(predicted.wait(5000));
        qInfo("100,000 rows, %s: predicted %lld ms after the click", qPrintable(schedulingName(s)), timer.elapsed());
        QVERIFY(timer.elapsed() < 1000);
    }
}

void TestPlanWindow::badProfileAndImpossiblePlansAreSaid()
{
    MainWindow window;
    window.setDialogsEnabled(false);
    window.show();
    QSignalSpy predicted(window.planner(), &PlanController::predicted);
    window.openFile(caseA(false));
    QVERIFY(predicted.wait(30000));
    // A profile with a negative field: refused with its field named, the window keeps its own.
    const QString profile = m_scratch.write(QStringLiteral("bad-profile.json"), "{\"rowSeconds\": -1}");
    auto loaded = window.loadProfile(profile);
    QVERIFY(!loaded);
    QVERIFY2(loaded.error().toString().contains(profile), qPrintable(loaded.error().toString()));
    // A per-parent queue cannot go through Bulk API 1.0: said in the prediction panel, no crash.
    QSignalSpy failed(window.planner(), &PlanController::predictionFailed);
    auto *api = window.mitigationPanel()->findChild<QComboBox *>(QStringLiteral("api"));
    QVERIFY(api);
    api->setCurrentIndex(api->findData(apiName(Api::Bulk1Parallel)));
    choose(window, Scheduling::ParentQueue);
    QVERIFY(failed.count() > 0 || failed.wait(5000));
    QVERIFY(window.predictionPanel()->predictionText().contains(QStringLiteral("Cannot plan")));
}

void TestPlanWindow::screenshotWithTheComparisonPanel()
{
    MainWindow window;
    window.setDialogsEnabled(false);
    window.resize(1600, 1000);
    window.mitigationPanel()->setBatchSize(2000);
    window.show();
    QSignalSpy ready(window.planner(), &PlanController::comparisonReady);
    window.openFile(caseA(false));
    QVERIFY(ready.wait(60000));
    window.showComparisonTab();
    choose(window, Scheduling::Lanes);
    QTRY_VERIFY_WITH_TIMEOUT(window.planner()->latest().plan &&
                                 window.planner()->latest().plan->mitigation.scheduling == Scheduling::Lanes &&
                                 window.heatmap()->result().order.label == window.planner()->latest().plan->mitigation.label(),
                             10000);
    QTest::qWait(300);
    const QString out = QDir(test::outputDir()).filePath(QStringLiteral("planwindow-90k-comparison.png"));
    QVERIFY(window.grab().save(out));
    qInfo("screenshot: %s", qPrintable(out));
    QVERIFY(QFileInfo(out).size() > 30000);
}

void TestPlanWindow::houseAccountShowsOneNumberPerPlan()
{
    // Case D in the window: the prediction panel, the comparison table and the timeline show one
    // figure for a plan (the mean over the same seeds, with its spread), and the client's pace
    // is an input of the prediction.
    MainWindow window;
    window.setDialogsEnabled(false);
    window.resize(1600, 1000);
    window.mitigationPanel()->setBatchSize(2000);
    window.show();
    QSignalSpy ready(window.planner(), &PlanController::comparisonReady);
    window.openFile(caseA(true));
    QVERIFY(ready.wait(60000));
    QTableWidget *table = window.comparison()->table();
    auto rowText = [&](const QString &label) {
        for (int r = 0; r < table->rowCount(); ++r)
            if (table->item(r, 1) && table->item(r, 1)->text() == label)
                return table->item(r, 2)->text();
        return QString();
    };
    for (const Scheduling s : {Scheduling::Lanes, Scheduling::Parallel}) {
        choose(window, s);
        QTRY_VERIFY_WITH_TIMEOUT(window.planner()->latest().plan && window.planner()->latest().plan->mitigation.scheduling == s &&
                                     window.predictionPanel()->predictionText().contains(QStringLiteral("Means of")),
                                 20000);
        const PlanResult &latest = window.planner()->latest();
        const QString figure = rowText(latest.plan->mitigation.label());
        QVERIFY2(!figure.isEmpty(), qPrintable(latest.plan->mitigation.label()));
        QVERIFY2(window.predictionPanel()->predictionText().contains(figure + QStringLiteral(" lock errors")),
                 qPrintable(figure + QStringLiteral(" | ") + window.predictionPanel()->predictionText()));
        QVERIFY2(window.timeline()->captionText().contains(figure), qPrintable(window.timeline()->captionText()));
        QVERIFY(latest.summary.runs >= 5);
    }
    // Parallel on the house account: skew hurts (most rows fail); the estimate says it is rough.
    QVERIFY(window.planner()->latest().summary.lockErrorRows > 0.5 * 90000);
    QVERIFY(window.predictionPanel()->estimateText().contains(QStringLiteral("rough")));

    // The screenshot a person looks at: parallel chosen, the comparison beside it.
    window.showComparisonTab();
    QTest::qWait(300);
    const QString out = QDir(test::outputDir()).filePath(QStringLiteral("planwindow-house-account-one-number.png"));
    QVERIFY(window.grab().save(out));
    qInfo("screenshot: %s", qPrintable(out));

    // A client that uploads its batches almost together: the plan carries its pace.
    auto *client = window.mitigationPanel()->clientBox();
    client->setCurrentIndex(client->findData(QStringLiteral("jsforce")));
    QTRY_VERIFY_WITH_TIMEOUT(window.planner()->latest().plan && window.planner()->latest().plan->uploadGapSeconds == 0.05, 20000);
    QTRY_VERIFY_WITH_TIMEOUT(window.predictionPanel()->predictionText().contains(QStringLiteral("0.05 s apart")), 20000);
}

QTEST_MAIN(TestPlanWindow)
#include "tst_planwindow.moc"
