// The whole workflow in the window, as a user drives it (issue 13): open the 90,000-row sample
// with a house account, plan parent-aware lanes and run them against a demo org the test
// started; then run parallel as is, watch the lock errors pile up, filter the results to the
// failed rows, Retry All Locked (lanes), and export the result files. Every step is checked
// against the demo org's own write log (GET /lockstep/writes): each row written exactly once.
// A screenshot of every step goes to the test output folder, and the longest event-loop gap
// of each phase is measured and held under 100 ms.
#include "TestSupport.h"

#include "ComparisonView.h"
#include "DemoOrgController.h"
#include "JobResultsPanel.h"
#include "LiveLockMap.h"
#include "MainWindow.h"
#include "MappingPanel.h"
#include "MitigationPanel.h"
#include "PlanController.h"
#include "PlanView.h"
#include "ResultsTableModel.h"
#include "ResultsView.h"
#include "ParentGroupModel.h"
#include "RetryDialog.h"
#include "RunController.h"
#include "RunView.h"
#include "DemoSkewTour.h"
#include "DemoSummaryDialog.h"
#include "TriageView.h"
#include "OrgPicker.h"
#include "ConnectOrgDialog.h"
#include "DemoOrgTestSupport.h"
#include "store/JobStore.h"
#include "common/Format.h"
#include "org/HttpClient.h"
#include "org/OrgClient.h"

#include <QAbstractButton>
#include <QButtonGroup>
#include <QDialogButtonBox>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonArray>
#include <QJsonObject>
#include <QLabel>
#include <QPushButton>
#include <QSettings>
#include <QTableWidget>
#include <QTextBrowser>
#include <QPlainTextEdit>
#include <QTimer>
#include <QtTest>
#include <QProcess>
#include <QComboBox>
#include <QRegularExpression>

#include <csignal>

using namespace lockstep;
using namespace lockstep::ui;

namespace {

// The longest time the GUI thread went without running a 5 ms timer: what a user feels as a freeze.
class EventLoopGapMeter : public QObject {
public:
    EventLoopGapMeter()
    {
        m_timer.setInterval(5);
        connect(&m_timer, &QTimer::timeout, this, [this] {
            const qint64 now = m_clock.nsecsElapsed();
            m_longestNs = std::max(m_longestNs, now - m_lastNs);
            m_lastNs = now;
        });
    }
    // Screenshots are the test's own work on the GUI thread, not the window's: not counted.
    void pause() { m_timer.stop(); }
    void resume()
    {
        m_lastNs = m_clock.nsecsElapsed();
        if (m_clock.isValid())
            m_timer.start();
    }
    void start()
    {
        m_longestNs = 0;
        m_clock.start();
        m_lastNs = 0;
        m_timer.start();
    }
    bool isActive() const { return m_timer.isActive(); }
    double stopMs()
    {
        m_timer.stop();
        return double(m_longestNs) / 1e6;
    }

private:
    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_lastNs = 0;
    qint64 m_longestNs = 0;
};

// What the org committed: record Id → writes since the last reset.
QJsonObject orgWrites(const DemoOrgController &org)
{
    const QJsonObject connection = org.connectionJson();
    HttpClient http;
    HttpRequest request;
    request.method = "GET";
    request.url = connection.value(QStringLiteral("instance_url")).toString() + QStringLiteral("/lockstep/writes?sobject=Opportunity");
    request.header("Authorization", "Bearer " + connection.value(QStringLiteral("access_token")).toString().toUtf8());
    const auto response = http.send(request);
    return response ? QJsonDocument::fromJson(response->body).object() : QJsonObject();
}

void resetOrgWrites(const DemoOrgController &org)
{
    const QJsonObject connection = org.connectionJson();
    HttpClient http;
    HttpRequest request;
    request.method = "DELETE";
    request.url = connection.value(QStringLiteral("instance_url")).toString() + QStringLiteral("/lockstep/writes?sobject=Opportunity");
    request.header("Authorization", "Bearer " + connection.value(QStringLiteral("access_token")).toString().toUtf8());
    const auto response = http.send(request);
    QVERIFY(response);
    QCOMPARE(response->status, 204);
}

QStringList fileIds(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    QStringList ids;
    f.readLine();
    while (!f.atEnd())
        ids << QString::fromUtf8(f.readLine().left(18));
    return ids;
}

} // namespace

class TestWorkflow : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void wholeWorkflowOnTheDemoOrg();
    void demoSkewTourEndsInAChart();
    void pauseCloseAndResumeAKilledRun();
    void anOrgThatGoesAwayMidRun();
    void duplicateRulesAreOffForTheJobAndBackOnAfter();
    void aSavedOrgThatRefusesTheLogin();
    void connectAnOrgWithAJwtKey();

private:
    void save(QWidget &window, const QString &name);
    bool runAndWait(MainWindow &window, const QString &screenshot = {});
    // 30,000 Opportunities over 2,000 Accounts, 6,000 on a house account: a run of a few seconds.
    QString smallSample(const QString &name) const;
    QTemporaryDir m_settings;
    test::Scratch m_scratch;
    EventLoopGapMeter m_gaps;
    QStringList m_gapReport;
};

void TestWorkflow::initTestCase()
{
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_settings.path());
    QApplication::setOrganizationName(QStringLiteral("LockstepTest"));
    QApplication::setApplicationName(QStringLiteral("LockstepWorkflow"));
}

QString TestWorkflow::smallSample(const QString &name) const
{
    SampleOptions o = test::caseA(6000);
    o.rows = 30000;
    o.parents = 2000;
    return m_scratch.sample(name, o);
}

void TestWorkflow::save(QWidget &window, const QString &name)
{
    const QString path = QDir(test::outputDir()).filePath(name);
    const bool measuring = m_gaps.isActive();
    m_gaps.pause();
    const bool saved = window.grab().save(path);
    if (measuring)
        m_gaps.resume();
    QVERIFY2(saved, qPrintable(path));
    qInfo("screenshot: %s", qPrintable(path));
}

bool TestWorkflow::runAndWait(MainWindow &window, const QString &screenshot)
{
    RunController *run = window.runController();
    QSignalSpy finished(run, &RunController::finished);
    QSignalSpy failed(run, &RunController::failed);
    bool shot = screenshot.isEmpty();
    QMetaObject::Connection c = connect(run, &RunController::progress, this, [&](const RunProgress &p) {
        if (!shot && p.rows > 0 && p.done() * 3 >= p.rows) {
            shot = true;
            run->sampleStore();   // the lanes and the live map as of now
            QTimer::singleShot(300, this, [&window, this, screenshot] { save(window, screenshot); });
        }
    });
    QDeadlineTimer deadline(240000);
    while (finished.isEmpty() && failed.isEmpty() && !deadline.hasExpired())
        QTest::qWait(50);
    disconnect(c);
    if (!failed.isEmpty())
        qWarning("run failed: %s", qPrintable(failed.front().at(0).toString()));
    QTest::qWait(400);   // the screenshot timer, if the run ended first
    return !finished.isEmpty();
}

void TestWorkflow::wholeWorkflowOnTheDemoOrg()
{
    const QString path = m_scratch.sample(QStringLiteral("opportunities-house-account.csv"), test::caseA(12000));
    const QStringList ids = fileIds(path);
    QCOMPARE(ids.size(), 90000);
    QTemporaryDir work;
    MainWindow window;
    window.setDialogsEnabled(false);
    window.runController()->setStorePath(work.filePath(QStringLiteral("jobs.sqlite")));
    window.resize(1600, 1000);
    window.show();
    QVERIFY(window.startDemoOrg(0.05, work.filePath(QStringLiteral("org"))));
    QSignalSpy seeded(window.demoOrg(), &DemoOrgController::seeded);

    // 1-2. Open the file: the analysis, then the plan of the default mitigation and the comparison.
    m_gaps.start();
    QSignalSpy compared(window.planner(), &PlanController::comparisonReady);
    QSignalSpy heatmap(&window, &MainWindow::heatmapShown);
    window.openFile(path);
    QCOMPARE(window.currentStep(), Step::Analyse);
    QVERIFY(heatmap.wait(60000));
    QTRY_VERIFY_WITH_TIMEOUT(!compared.isEmpty(), 120000);
    m_gapReport << QStringLiteral("analysis and prediction: %1 ms").arg(m_gaps.stopMs(), 0, 'f', 1);
    QTest::qWait(300);
    save(window, QStringLiteral("workflow-1-analyse.png"));
    QVERIFY(window.steps()->isReachable(Step::Plan));
    // The File step shows the file's mapping as detected: an Opportunity update whose AccountId
    // locks its Account.
    window.goTo(Step::File);
    QCOMPARE(window.mappingPanel()->objectBox()->currentText(), QStringLiteral("Opportunity"));
    QCOMPARE(window.mappingPanel()->operationBox()->currentText(), QStringLiteral("update"));
    QTest::qWait(100);
    save(window, QStringLiteral("workflow-0-file.png"));

    // 3. Plan: parent-aware lanes; the recommendation names them.
    window.goTo(Step::Plan);
    QVERIFY2(window.planView()->recommendation()->text().contains(QStringLiteral("Parent-aware lanes")),
             qPrintable(window.planView()->recommendation()->text()));
    QSignalSpy predicted(window.planner(), &PlanController::predicted);
    window.mitigationPanel()->schedulingGroup()->button(int(Scheduling::Lanes))->click();
    QVERIFY(predicted.wait(60000));
    QTRY_VERIFY_WITH_TIMEOUT(window.planView()->runButton()->isEnabled(), 60000);
    // The object's duplicate rules, read from the org the plan would run against.
    QTRY_VERIFY_WITH_TIMEOUT(window.planView()->duplicateRules()->text().contains(QStringLiteral("duplicate rule")), 30000);
    qInfo("%s", qPrintable(window.planView()->duplicateRules()->text()));
    QTest::qWait(300);   // the timeline's queued replot
    save(window, QStringLiteral("workflow-2-plan.png"));
    QTRY_VERIFY_WITH_TIMEOUT(window.demoOrg()->isSeeded(path), 120000);
    resetOrgWrites(*window.demoOrg());

    // 4. Run lanes: no lock error, every row written once.
    m_gaps.start();
    QTest::mouseClick(window.planView()->runButton(), Qt::LeftButton);
    QCOMPARE(window.currentStep(), Step::Run);
    QVERIFY(runAndWait(window, QStringLiteral("workflow-3-run-lanes.png")));
    m_gapReport << QStringLiteral("lanes run: %1 ms").arg(m_gaps.stopMs(), 0, 'f', 1);
    const qint64 lanesJob = window.runController()->job();
    QVERIFY(lanesJob > 0);
    QVERIFY2(window.runView()->comparisonLabel()->text().contains(QStringLiteral("Observed:</b> 0 lock errors")),
             qPrintable(window.runView()->comparisonLabel()->text()));
    QVERIFY(window.runView()->lanes()->rowCount() > 1);   // the shared queue and the house account's lane
    QJsonObject writes = orgWrites(*window.demoOrg());
    QCOMPARE(writes.value(QStringLiteral("totalWrites")).toInteger(), 90000);

    // 4b. Parallel as is: the house account collides, lock errors on the live map.
    resetOrgWrites(*window.demoOrg());
    window.goTo(Step::Plan);
    window.mitigationPanel()->schedulingGroup()->button(int(Scheduling::Parallel))->click();
    QVERIFY(predicted.wait(60000));
    QTRY_VERIFY_WITH_TIMEOUT(window.planView()->runButton()->isEnabled(), 60000);
    m_gaps.start();
    QTest::mouseClick(window.planView()->runButton(), Qt::LeftButton);
    QVERIFY(runAndWait(window, QStringLiteral("workflow-4-run-parallel.png")));
    m_gapReport << QStringLiteral("parallel run: %1 ms").arg(m_gaps.stopMs(), 0, 'f', 1);
    const qint64 parallelJob = window.runController()->job();
    QVERIFY(parallelJob > lanesJob);
    window.runController()->sampleStore();
    QTRY_VERIFY_WITH_TIMEOUT(window.runView()->lockMap()->totalErrors() > 0, 10000);
    save(window, QStringLiteral("workflow-5-run-parallel-done.png"));

    // 5. Results: filter to the failed rows.
    QTest::mouseClick(window.runView()->resultsButton(), Qt::LeftButton);
    QCOMPARE(window.currentStep(), Step::Results);
    JobResultsPanel *results = window.resultsPanel();
    QCOMPARE(results->currentJob(), parallelJob);
    QTRY_VERIFY_WITH_TIMEOUT(results->results()->model()->indexReady(), 30000);
    RowFilter failedOnly;
    failedOnly.status = RowStatus::Failed;
    QSignalSpy filtered(results->results(), &ResultsView::filterApplied);
    results->results()->setFilter(failedOnly);
    QVERIFY(filtered.wait(30000));
    const qint64 failedRows = filtered.back().at(0).toLongLong();
    QVERIFY2(failedRows > 1000, qPrintable(QString::number(failedRows)));   // the house account alone makes thousands
    writes = orgWrites(*window.demoOrg());
    QCOMPARE(writes.value(QStringLiteral("totalWrites")).toInteger(), 90000 - failedRows);
    save(window, QStringLiteral("workflow-6-results-failed.png"));

    // Grouped by parent: the house account heads the list; a double-click shows its rows.
    QSignalSpy groupsShown(results->results(), &ResultsView::parentGroupsShown);
    results->results()->setGroupedByParent(true);
    QVERIFY(groupsShown.wait(30000));
    const ParentGroup *top = results->results()->groupModel()->group(0);
    QVERIFY(top);
    const auto &analysisKeys = window.analysis()->analysis()->keys;
    const auto &skewed = window.analysis()->analysis()->distribution.skewedParents();
    QVERIFY(!skewed.empty());
    QCOMPARE(top->parent, analysisKeys.keyLabel(skewed.front().key));
    QVERIFY(top->lockErrors > 10000);
    save(window, QStringLiteral("workflow-6a-results-by-parent.png"));
    QTRY_VERIFY(results->results()->groupTable()->visualRect(results->results()->groupModel()->index(0, 0)).isValid());
    // A press first: an item view takes a double click only on the item the press was on.
    const QPoint topCell = results->results()->groupTable()->visualRect(results->results()->groupModel()->index(0, 0)).center();
    QTest::mouseClick(results->results()->groupTable()->viewport(), Qt::LeftButton, {}, topCell);
    QTest::mouseDClick(results->results()->groupTable()->viewport(), Qt::LeftButton, {}, topCell);
    QVERIFY(filtered.wait(30000));
    QVERIFY(!results->results()->isGroupedByParent());
    QCOMPARE(results->results()->filterFromBar().parent, top->parent);
    QCOMPARE(filtered.back().at(0).toLongLong(), top->failed);
    results->results()->setFilter(failedOnly);
    QVERIFY(filtered.wait(30000));

    // 5b. Support's view of the same failure: its Data Loader files, and its Bulk job by id.
    {
        QSignalSpy exportedFailed(results, &JobResultsPanel::exported);
        const QString filesDir = work.filePath(QStringLiteral("failed-job"));
        QDir().mkpath(filesDir);
        results->exportResults(ResultFormat::DataLoader, filesDir);
        QVERIFY(exportedFailed.wait(60000));
        TriageRequest request;
        request.files = exportedFailed.front().at(0).toStringList();
        request.source = path;
        QSignalSpy triaged(window.triageView(), &TriageView::shown);
        window.triageFailedJob(request);
        QCOMPARE(window.currentStep(), Step::Results);
        QVERIFY(triaged.wait(120000));
        const TriageReport &report = *window.triageView()->report();
        QCOMPARE(report.failed, failedRows);
        QCOMPARE(report.lockedRows, failedRows);
        QVERIFY(!report.lockedParents.empty());
        QVERIFY(report.recommended);
        QTest::qWait(200);
        save(window, QStringLiteral("workflow-6b-triage-files.png"));

        // The Bulk API 1.0 job the run used, downloaded from the org by its id: each lock error explained.
        auto store = JobStore::open(window.runController()->storePath());
        QVERIFY(store);
        const auto remote = (*store)->batchRemote(parallelJob, 0);
        QVERIFY(remote && !remote->first.isEmpty());
        TriageRequest byId;
        byId.jobId = remote->first;
        window.triageFailedJob(byId);
        QVERIFY(triaged.wait(120000));
        const TriageReport &fromOrg = *window.triageView()->report();
        QCOMPARE(fromOrg.jobId, remote->first);
        QCOMPARE(fromOrg.failed, failedRows);
        QVERIFY(!fromOrg.byBatch.empty());
        QVERIFY(!fromOrg.explanations.empty());
        QVERIFY(!window.triageView()->explanations()->toPlainText().isEmpty());
        QTest::qWait(200);
        save(window, QStringLiteral("workflow-6c-triage-job.png"));

        // A result file that matches no row of the source: said, with the file, not guessed.
        SampleOptions otherOptions = test::caseA(0);
        otherOptions.seed = 7;   // other Ids
        otherOptions.rows = 20000;
        const QString other = m_scratch.sample(QStringLiteral("other.csv"), otherOptions);
        TriageRequest wrong = request;
        wrong.source = other;
        QSignalSpy triageFailed(window.triageView(), &TriageView::failed);
        const int shownBefore = int(triaged.size());
        window.triageFailedJob(wrong);
        QTRY_VERIFY_WITH_TIMEOUT(!triageFailed.isEmpty() || int(triaged.size()) > shownBefore, 120000);
        QVERIFY2(!triageFailed.isEmpty(), "a source that holds none of the result's rows was accepted");
        qInfo("triage of a mismatched source: %s", qPrintable(triageFailed.front().at(0).toString()));
        QVERIFY2(window.triageView()->summary()->text().contains(QStringLiteral("could not be triaged")),
                 qPrintable(window.triageView()->summary()->text()));
        window.showResults(parallelJob);
    }

    // 6. Retry All Locked, in lanes (the dialog's first choice), after its prediction.
    QSignalSpy dialogShown(results, &JobResultsPanel::retryDialogShown);
    QTest::mouseClick(results->retryLockedButton(), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!dialogShown.isEmpty(), 30000);
    RetryDialog *dialog = results->retryDialog();
    QVERIFY(dialog);
    QCOMPARE(dialog->mitigation().scheduling, Scheduling::Lanes);
    QTRY_VERIFY_WITH_TIMEOUT(dialog->isPredicted(), 60000);
    QVERIFY2(dialog->predictionLabel()->text().contains(QStringLiteral("%1 rows").arg(grouped(failedRows))),
             qPrintable(dialog->predictionLabel()->text()));
    save(*dialog, QStringLiteral("workflow-7-retry-dialog.png"));
    m_gaps.start();
    QTest::mouseClick(dialog->buttons()->button(QDialogButtonBox::Ok), Qt::LeftButton);
    QCOMPARE(window.currentStep(), Step::Run);
    QVERIFY(runAndWait(window));
    m_gapReport << QStringLiteral("retry: %1 ms").arg(m_gaps.stopMs(), 0, 'f', 1);
    save(window, QStringLiteral("workflow-8-retry-done.png"));

    // The original job now has every row succeeded, and the org wrote every row exactly once.
    writes = orgWrites(*window.demoOrg());
    QCOMPARE(writes.value(QStringLiteral("totalWrites")).toInteger(), 90000);
    const QJsonObject byId = writes.value(QStringLiteral("writes")).toObject();
    int once = 0;
    for (const QString &id : ids)
        once += byId.value(id).toInteger() == 1;
    QCOMPARE(once, 90000);

    // 7. Results of the original job, and its result files.
    window.showResults(parallelJob);
    QCOMPARE(results->currentJob(), parallelJob);
    results->results()->setFilter(failedOnly);
    QVERIFY(filtered.wait(30000));
    QCOMPARE(filtered.back().at(0).toLongLong(), 0);
    QSignalSpy exported(results, &JobResultsPanel::exported);
    results->exportResults(ResultFormat::DataLoader, work.path());
    QVERIFY(exported.wait(60000));
    const QStringList files = exported.front().at(0).toStringList();
    QVERIFY(!files.isEmpty());
    QFile success(files.front());
    QVERIFY(success.open(QIODevice::ReadOnly));
    qint64 lines = 0;
    while (!success.atEnd()) {
        success.readLine();
        ++lines;
    }
    QCOMPARE(lines, 90001);   // header + every row

    for (const QString &line : m_gapReport)
        qInfo("longest event-loop gap, %s", qPrintable(line));
    for (const QString &line : m_gapReport)
        QVERIFY2(line.section(QLatin1Char(':'), 1).section(QLatin1Char(' '), 1, 1).toDouble() < 100, qPrintable(line));
}

void TestWorkflow::demoSkewTourEndsInAChart()
{
    QTemporaryDir work;
    MainWindow window;
    window.setDialogsEnabled(false);
    window.runController()->setStorePath(work.filePath(QStringLiteral("jobs.sqlite")));
    window.resize(1600, 1000);
    window.show();
    QVERIFY(window.startDemoOrg(0.05, work.filePath(QStringLiteral("org"))));
    QSignalSpy summary(&window, &MainWindow::demoSummaryShown);
    QSignalSpy failed(window.demoTour(), &DemoSkewTour::failed);
    connect(window.demoTour(), &DemoSkewTour::stageChanged, this, [](const QString &what) { qInfo("%s", qPrintable(what)); });
    window.startDemoSkew(work.path());
    QVERIFY(window.demoTour()->isRunning());
    QDeadlineTimer deadline(600000);
    while (summary.isEmpty() && failed.isEmpty() && !deadline.hasExpired())
        QTest::qWait(100);
    QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.front().at(0).toString()));
    QVERIFY(!summary.isEmpty());
    const auto &runs = window.demoTour()->runs();
    QCOMPARE(runs.size(), size_t(3));
    for (const DemoRun &r : runs)
        qInfo("demo skew: %s: %lld lock errors in %.0f s (predicted %.0f in %.0f s)", qPrintable(r.mitigation.label()), r.lockErrors,
              r.observedSeconds, r.predicted ? r.predicted->lockErrorRows : -1, r.predicted ? r.predicted->durationSeconds : -1);
    QVERIFY(runs[0].lockErrors > 20000);                 // parallel: the house account's batches collide
    QVERIFY(runs[1].lockErrors < runs[0].lockErrors / 4); // sort by parent: far fewer
    QCOMPARE(runs[2].lockErrors, 0);                      // lanes: none
    QCOMPARE(runs[2].failed, 0);
    DemoSummaryDialog *dialog = window.demoSummary();
    QVERIFY(dialog);
    dialog->show();
    QTest::qWait(200);
    save(*dialog, QStringLiteral("workflow-9-demo-skew-summary.png"));
    const QString png = work.filePath(QStringLiteral("demo-skew.png"));
    const QString pdf = work.filePath(QStringLiteral("demo-skew.pdf"));
    QVERIFY(dialog->exportPng(png));
    QVERIFY(dialog->exportPdf(pdf));
    QVERIFY(QFileInfo(png).size() > 10000);
    QFile pdfFile(pdf);
    QVERIFY(pdfFile.open(QIODevice::ReadOnly));
    QVERIFY(pdfFile.read(5) == "%PDF-");
}

void TestWorkflow::pauseCloseAndResumeAKilledRun()
{
    // A CLI run killed with SIGKILL mid-job: the next window offers the job and resumes it on
    // the same demo org (its records folder); every row is then accounted for, none written twice.
    const QString path = smallSample(QStringLiteral("killed.csv"));
    const QStringList ids = fileIds(path);
    QTemporaryDir work;
    const QString store = work.filePath(QStringLiteral("jobs.sqlite"));
    const QString org = work.filePath(QStringLiteral("org"));
    QProcess cli;
    cli.start(qEnvironmentVariable("LOCKSTEP_CLI"), {QStringLiteral("run"), path, QStringLiteral("--org"), QStringLiteral("demo"),
                                                     QStringLiteral("--demo-data"), org, QStringLiteral("--scale"), QStringLiteral("0.05"),
                                                     QStringLiteral("-m"), QStringLiteral("lanes"), QStringLiteral("--store"), store,
                                                     QStringLiteral("--quiet")});
    QVERIFY(cli.waitForStarted());
    // Killed once some rows are answered and some are not.
    QDeadlineTimer deadline(120000);
    qint64 answered = 0;
    while (!deadline.hasExpired()) {
        QTest::qWait(100);
        if (auto s = JobStore::open(store)) {
            if (auto job = (*s)->job(1)) {
                answered = job->succeeded + job->failed + job->unknown;
                if (answered > 3000)
                    break;
            }
        }
    }
    QVERIFY2(answered > 3000 && answered < 30000, qPrintable(QString::number(answered)));
    ::kill(pid_t(cli.processId()), SIGKILL);
    QVERIFY(cli.waitForFinished(10000));

    MainWindow window;
    window.setDialogsEnabled(false);
    window.runController()->setStorePath(store);
    window.resize(1600, 1000);
    window.show();
    QSignalSpy started(window.demoOrg(), &DemoOrgController::started);
    QVERIFY(window.startDemoOrg(0.05, org));
    QVERIFY(started.wait(60000));
    QCOMPARE(RunController::interruptedJobs(store).size(), size_t(1));
    QSignalSpy finished(window.runController(), &RunController::finished);
    connect(window.runController(), &RunController::failed, this, [](const QString &m) { qWarning("run failed: %s", qPrintable(m)); });
    window.offerResume();
    QCOMPARE(window.currentStep(), Step::Run);
    // Pause mid-way, then Resume with the run view's button.
    QTRY_VERIFY_WITH_TIMEOUT(window.runController()->state() == RunController::State::Running, 30000);
    window.runController()->pause();
    QVERIFY(finished.wait(120000));
    QCOMPARE(window.runController()->state(), RunController::State::Paused);
    QCOMPARE(window.runView()->pauseButton()->text(), QStringLiteral("Resume"));
    QTest::mouseClick(window.runView()->pauseButton(), Qt::LeftButton);
    QVERIFY(finished.wait(120000));
    const RunOutcome outcome = finished.back().at(0).value<RunOutcome>();
    QVERIFY(!outcome.report.cancelled);
    qInfo("resumed job: %lld succeeded, %lld failed, %lld unknown, %lld pending, %lld sent; this run reconciled %lld", outcome.summary->succeeded,
          outcome.summary->failed, outcome.summary->unknown, outcome.summary->pending, outcome.summary->sent, outcome.report.reconciled);
    // Every row accounted for: the killed run's in-process demo org took its queued Bulk batches
    // with it, so the rows it had sent are settled from the org's records (the values each row
    // writes are there, or not); nothing is left pending or sent, and no row was written twice.
    QCOMPARE(outcome.summary->pending + outcome.summary->sent, 0);
    QCOMPARE(outcome.summary->succeeded + outcome.summary->failed + outcome.summary->unknown, 30000);
    QCOMPARE(outcome.summary->unknown, 0);
    QCOMPARE(RunController::interruptedJobs(store).size(), size_t(0));
    const QJsonObject byId = orgWrites(*window.demoOrg()).value(QStringLiteral("writes")).toObject();
    int twice = 0;
    for (const QString &id : ids)
        twice += byId.value(id).toInteger() > 1;
    QCOMPARE(twice, 0);

    // Closing mid-run pauses the job first, and the window closes once it is paused.
    window.goTo(Step::Plan);
    QSignalSpy predicted(window.planner(), &PlanController::predicted);
    window.openFile(path);
    QVERIFY(predicted.wait(60000));
    QTRY_VERIFY_WITH_TIMEOUT(window.demoOrg()->isSeeded(path), 60000);
    QTRY_VERIFY_WITH_TIMEOUT(window.planView()->runButton()->isEnabled(), 60000);
    QVERIFY(window.runPlan());
    QTRY_VERIFY_WITH_TIMEOUT(window.runController()->state() == RunController::State::Running && window.runController()->job() > 0, 30000);
    window.close();
    QVERIFY(window.isVisible());   // not yet: the requests out are answered first
    QTRY_VERIFY_WITH_TIMEOUT(!window.isVisible(), 120000);
    auto s = JobStore::open(store);
    QVERIFY(s);
    const auto paused = (*s)->job(window.runController()->job());
    QVERIFY(paused);
    QCOMPARE(paused->state, JobState::Paused);
    QCOMPARE(paused->sent, 0);   // nothing left sent without its answer
}

void TestWorkflow::anOrgThatGoesAwayMidRun()
{
    const QString path = smallSample(QStringLiteral("dropped.csv"));
    const QStringList ids = fileIds(path);
    QTemporaryDir work;
    MainWindow window;
    window.setDialogsEnabled(false);
    window.runController()->setStorePath(work.filePath(QStringLiteral("jobs.sqlite")));
    window.resize(1600, 1000);
    window.show();
    const QString org = work.filePath(QStringLiteral("org"));
    QVERIFY(window.startDemoOrg(0.05, org));
    QSignalSpy predicted(window.planner(), &PlanController::predicted);
    window.openFile(path);
    QVERIFY(predicted.wait(60000));
    QTRY_VERIFY_WITH_TIMEOUT(window.demoOrg()->isSeeded(path), 60000);
    QTRY_VERIFY_WITH_TIMEOUT(window.planView()->runButton()->isEnabled(), 60000);
    QSignalSpy progress(window.runController(), &RunController::progress);
    QSignalSpy failed(window.runController(), &RunController::failed);
    QSignalSpy finished(window.runController(), &RunController::finished);
    QVERIFY(window.runPlan());
    QTRY_VERIFY_WITH_TIMEOUT(!progress.isEmpty() && progress.back().at(0).value<RunProgress>().done() > 3000, 60000);

    // The org goes away mid-run: the run stops with the reason in words, and nothing is lost.
    window.demoOrg()->stop();
    QTRY_VERIFY_WITH_TIMEOUT(!failed.isEmpty() || !finished.isEmpty(), 120000);
    QCOMPARE(window.runController()->state(), RunController::State::Paused);
    const QString shown = window.runView()->comparisonLabel()->text();
    qInfo("after the org went away: %s", qPrintable(QString(shown).remove(QRegularExpression(QStringLiteral("<[^>]*>")))));
    if (!failed.isEmpty())
        QVERIFY2(shown.contains(QStringLiteral("The job stopped")), qPrintable(shown));
    QVERIFY(window.runView()->pauseButton()->isEnabled());
    QCOMPARE(window.runView()->pauseButton()->text(), QStringLiteral("Resume"));
    save(window, QStringLiteral("workflow-10-org-gone.png"));

    // It comes back: Resume settles what was lost from the org's records and sends the rest.
    QSignalSpy started(window.demoOrg(), &DemoOrgController::started);
    QVERIFY(window.startDemoOrg(0.05, org));
    QVERIFY(started.wait(60000));
    finished.clear();
    QTest::mouseClick(window.runView()->pauseButton(), Qt::LeftButton);
    QVERIFY(finished.wait(120000));
    const RunOutcome outcome = finished.back().at(0).value<RunOutcome>();
    QCOMPARE(outcome.summary->pending + outcome.summary->sent, 0);
    QCOMPARE(outcome.summary->succeeded + outcome.summary->failed + outcome.summary->unknown, 30000);
    const QJsonObject byId = orgWrites(*window.demoOrg()).value(QStringLiteral("writes")).toObject();
    int twice = 0;
    for (const QString &id : ids)
        twice += byId.value(id).toInteger() > 1;
    QCOMPARE(twice, 0);
}

// The org has an active duplicate rule on Opportunity: the Plan step names it and counts its
// time; "Deactivate duplicate rules" switches it off for the job and back on when it ends.
void TestWorkflow::duplicateRulesAreOffForTheJobAndBackOnAfter()
{
    const QString path = smallSample(QStringLiteral("duplicates.csv"));
    QTemporaryDir work;
    MainWindow window;
    window.setDialogsEnabled(false);
    window.runController()->setStorePath(work.filePath(QStringLiteral("jobs.sqlite")));
    window.resize(1600, 1000);
    window.show();
    QVERIFY(window.startDemoOrg(0.05, work.filePath(QStringLiteral("org"))));
    QTRY_VERIFY_WITH_TIMEOUT(window.demoOrg()->isRunning(), 60000);
    const RunTarget target = window.demoOrg()->runTarget();
    auto client = OrgClient::create(target.session, target.renew);
    QVERIFY(client.has_value());
    auto ruleState = [&]() -> std::optional<DuplicateRuleState> {
        auto rules = client->duplicateRules(QStringLiteral("Opportunity"));
        if (!rules || rules->empty())
            return std::nullopt;
        return rules->front();
    };
    const auto rule = ruleState();
    QVERIFY(rule.has_value());
    QVERIFY(client->setDuplicateRuleActive(*rule, true).has_value());   // as the org's admin has it

    QSignalSpy predicted(window.planner(), &PlanController::predicted);
    window.openFile(path);
    QVERIFY(predicted.wait(60000));
    window.goTo(Step::Plan);
    QTRY_VERIFY_WITH_TIMEOUT(window.planView()->duplicateRules()->text().contains(rule->developerName), 30000);
    QTRY_VERIFY_WITH_TIMEOUT(window.mitigationPanel()->duplicateRulesActiveBox()->isChecked(), 10000);
    qInfo("%s", qPrintable(QString(window.planView()->duplicateRules()->text()).remove(QRegularExpression(QStringLiteral("<[^>]*>")))));
    window.mitigationPanel()->schedulingGroup()->button(int(Scheduling::Lanes))->click();
    window.mitigationPanel()->duplicateRulesOffBox()->setChecked(true);
    QTRY_VERIFY_WITH_TIMEOUT(window.planner()->latest().plan && window.planner()->latest().plan->mitigation.duplicateRulesOff, 60000);
    QTRY_VERIFY_WITH_TIMEOUT(window.demoOrg()->isSeeded(path), 60000);
    QTRY_VERIFY_WITH_TIMEOUT(window.planView()->runButton()->isEnabled(), 60000);
    QTest::qWait(300);
    save(window, QStringLiteral("workflow-2b-plan-duplicate-rules.png"));

    QSignalSpy finished(window.runController(), &RunController::finished);
    QVERIFY(window.runPlan());
    // Off while the job runs…
    QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty() || (ruleState() && !ruleState()->active), 60000);
    QVERIFY2(finished.isEmpty(), "the job ended before the rule was seen off");
    QVERIFY(finished.wait(120000));
    // … and on again once it ended.
    const RunOutcome outcome = finished.back().at(0).value<RunOutcome>();
    QCOMPARE(outcome.summary->succeeded, 30000);
    const auto after = ruleState();
    QVERIFY(after.has_value());
    QVERIFY2(after->active, "the duplicate rule was not switched back on after the job");
}

void TestWorkflow::aSavedOrgThatRefusesTheLogin()
{
    // An org saved with a login the org refuses (a client credentials secret that is not in the
    // keychain): the picker says who refused and what to do, and Run says why it cannot start.
    QTemporaryDir work;
    const QString registry = work.filePath(QStringLiteral("orgs.json"));
    QFile file(registry);
    QVERIFY(file.open(QIODevice::WriteOnly));
    const QJsonObject saved{{QStringLiteral("alias"), QStringLiteral("acme-prod")},
                            {QStringLiteral("instanceUrl"), QStringLiteral("https://acme.my.salesforce.com")},
                            {QStringLiteral("loginUrl"), QStringLiteral("https://login.salesforce.com")},
                            {QStringLiteral("username"), QStringLiteral("admin@acme.example")},
                            {QStringLiteral("clientId"), QStringLiteral("3MVG9")},
                            {QStringLiteral("method"), QStringLiteral("client-credentials")}};
    file.write(QJsonDocument(QJsonObject{{QStringLiteral("orgs"), QJsonArray{saved}}}).toJson());
    file.close();
    MainWindow window;
    window.setDialogsEnabled(false);
    window.runController()->setStorePath(work.filePath(QStringLiteral("jobs.sqlite")));
    window.show();
    OrgPicker *picker = window.orgPicker();
    picker->reload(registry);
    QCOMPARE(picker->combo()->count(), 2);
    QSignalSpy changed(picker, &OrgPicker::targetChanged);
    picker->combo()->setCurrentIndex(1);
    emit picker->combo()->activated(1);
    QTRY_VERIFY_WITH_TIMEOUT(picker->status()->text().contains(QStringLiteral("could not sign in")), 30000);
    qInfo("%s", qPrintable(picker->status()->text()));
    QVERIFY(picker->status()->text().contains(QStringLiteral("lockstep-cli org login")));
    QVERIFY(!picker->target().isValid());
    const auto started = window.runPlan();
    QVERIFY(!started);
}

void TestWorkflow::connectAnOrgWithAJwtKey()
{
    // Org → Connect Org…, JWT key file: an org (here a demo org that trusts the connected app's
    // certificate) is signed in to, saved by alias, listed by the picker and chosen.
    const auto pair = test::makeKeyAndCertificate(QStringLiteral("Lockstep GUI"));
    QVERIFY(!pair.keyPem.isEmpty());
    const QString key = m_scratch.write(QStringLiteral("gui.key"), pair.keyPem);
    const QString certificate = m_scratch.write(QStringLiteral("gui.crt"), pair.certificatePem);
    test::DemoOrgProcess org;
    QVERIFY2(org.start({QStringLiteral("--scale"), QStringLiteral("0"), QStringLiteral("--jwt-cert"), certificate}), qPrintable(org.error()));
    QTemporaryDir work;
    const QString registry = work.filePath(QStringLiteral("orgs.json"));
    MainWindow window;
    window.setDialogsEnabled(false);
    window.show();
    window.orgPicker()->reload(registry);

    ConnectOrgDialog dialog(registry, &window);
    dialog.setLogin(org.url, org.clientId, QStringLiteral("ci-gui"));
    dialog.setJwt(org.username, work.filePath(QStringLiteral("missing.key")));
    dialog.connectOrg();   // a key file that is not there: said before anything is sent
    QVERIFY2(dialog.status()->text().contains(QStringLiteral("no such key file")), qPrintable(dialog.status()->text()));
    dialog.setJwt(org.username, key);
    QSignalSpy connected(&dialog, &ConnectOrgDialog::connected);
    QSignalSpy failed(&dialog, &ConnectOrgDialog::failed);
    dialog.show();
    dialog.connectOrg();
    QTRY_VERIFY_WITH_TIMEOUT(!connected.isEmpty() || !failed.isEmpty(), 60000);
    QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.front().at(0).toString()));
    QCOMPARE(connected.front().at(0).toString(), QStringLiteral("ci-gui"));

    OrgPicker *picker = window.orgPicker();
    picker->reload(registry);
    QCOMPARE(picker->combo()->count(), 2);
    QVERIFY(picker->choose(QStringLiteral("ci-gui")));
    QTRY_VERIFY_WITH_TIMEOUT(picker->target().isValid(), 30000);
    QCOMPARE(picker->target().label, QStringLiteral("ci-gui"));
    QCOMPARE(picker->target().session.instanceUrl, org.url);
    QVERIFY2(picker->status()->text().startsWith(QStringLiteral("Connected to")), qPrintable(picker->status()->text()));
}

QTEST_MAIN(TestWorkflow)
#include "tst_workflow.moc"
