// The real window under QT_QPA_PLATFORM=offscreen: open files, check what the heatmap shows
// against the file, bad files, drag and drop, remembered state, a 1,000,000-row file that keeps
// the window responsive, and a screenshot a person can look at.
#include "TestSupport.h"

#include "DemoOrgController.h"
#include "FileView.h"
#include "HeatmapView.h"
#include "org/HttpClient.h"
#include "ComparisonView.h"
#include "HistogramView.h"
#include "MappingEditor.h"
#include "MappingPanel.h"
#include "MitigationPanel.h"
#include "MainWindow.h"
#include "ParentTableModel.h"
#include "ProblemTableModel.h"
#include "ProblemsPanel.h"
#include "RecentFiles.h"
#include "SkewPanel.h"
#include "SummaryPanel.h"

#include <QApplication>
#include <QComboBox>
#include <QElapsedTimer>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QUndoStack>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QTableView>
#include <QTableWidget>
#include <QThreadPool>
#include <QTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QUrl>
#include <QtConcurrent>
#include <QtTest>
#include <qcustomplot.h>

#include <set>

using namespace lockstep;
using namespace lockstep::ui;

class TestMainWindow : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void heatmapCellsMatchTheFile();
    void changingBatchSizeRedrawsTheHeatmap();
    void lockRuleOverridesAndSkewThreshold();
    void columnMappingIsEditableAndUndoable();
    void aWrongColumnMappingSaysWhatIsWrong();
    void badRowsGoToTheProblemsPanel();
    void unreadableFileShowsADialog();
    void dropAFileToOpenIt();
    void remembersRecentFilesAndWindowState();
    void demoOrgRunsBesideTheAppAndTakesTheOpenFile();
    void millionRowsStayResponsive();
    void screenshotOfTheHouseAccountSample();
    void aDarkPaletteIsHonoured();

private:
    static bool waitForHeatmap(MainWindow &window, int timeoutMs = 30000);
    // The mapping table's row of a column, and its columns (MappingPanel).
    static int rowOf(QTableWidget *table, const QString &column)
    {
        for (int r = 0; r < table->rowCount(); ++r)
            if (table->item(r, 0)->text() == column)
                return r;
        return -1;
    }
    static constexpr int kRoleColumn = 1;
    static constexpr int kLocksColumn = 3;
    QTemporaryDir m_settings;
    test::Scratch m_scratch;
};

void TestMainWindow::initTestCase()
{
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_settings.path());
    QApplication::setOrganizationName(QStringLiteral("LockstepTest"));
    QApplication::setApplicationName(QStringLiteral("LockstepTest"));
}

bool TestMainWindow::waitForHeatmap(MainWindow &window, int timeoutMs)
{
    QSignalSpy shown(&window, &MainWindow::heatmapShown);
    return shown.wait(timeoutMs);
}

void TestMainWindow::heatmapCellsMatchTheFile()
{
    SampleOptions o;
    o.rows = 30000;
    o.parents = 2000;
    o.houseAccountRows = 4000;
    const QString path = m_scratch.sample(QStringLiteral("opps.csv"), o);
    MainWindow window;
    window.setDialogsEnabled(false);
    window.resize(1200, 800);
    window.show();
    window.openFile(path);
    QVERIFY(waitForHeatmap(window));

    const HeatmapResult &result = window.heatmap()->result();
    QVERIFY(result.grid);
    const HeatmapGrid &grid = *result.grid;
    const LockKeys &keys = result.analysis->keys;
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QList<QStringList> rows = test::parseCsvReference(f.readAll());
    QCOMPARE(rows.size() - 1, 30000);
    std::vector<double> expected(size_t(grid.columns()) * size_t(grid.rows()), 0);
    const int batchSize = window.mitigationPanel()->batchSize();
    for (qsizetype r = 1; r < rows.size(); ++r) {
        const std::uint32_t key = keys.findKey(rows[r][1].left(15).toStdString());
        QVERIFY(key != LockKeys::npos);
        const int column = int(((r - 1) / batchSize) / grid.batchesPerColumn());
        expected[size_t(grid.rowOfKey(key)) * size_t(grid.columns()) + size_t(column)] += 1;
    }
    double total = 0;
    for (int y = 0; y < grid.rows(); ++y)
        for (int x = 0; x < grid.columns(); ++x) {
            QCOMPARE(window.heatmap()->cellValue(x, y), expected[size_t(y) * size_t(grid.columns()) + size_t(x)]);
            total += window.heatmap()->cellValue(x, y);
        }
    QCOMPARE(total, 30000.0);
    // The house account is the first parent, most children first, and is flagged as skewed.
    QCOMPARE(window.skewPanel()->model()->data(window.skewPanel()->model()->index(0, ParentTableModel::Children), Qt::DisplayRole).toString(),
             QStringLiteral("4,000"));
    QVERIFY(window.summary()->text().contains(QStringLiteral("30,000 rows")));
    QVERIFY(window.problemsPanel()->summaryText().contains(QStringLiteral("No problems")));
    // Hover text names batches, parents and rows.
    const QString hover = window.heatmap()->describeCell(0, 0);
    QVERIFY2(hover.contains(QStringLiteral("Batch")) && hover.contains(QStringLiteral("rows")), qPrintable(hover));
}

void TestMainWindow::changingBatchSizeRedrawsTheHeatmap()
{
    SampleOptions o;
    o.rows = 10000;
    o.parents = 300;
    const QString path = m_scratch.sample(QStringLiteral("small.csv"), o);
    MainWindow window;
    window.setDialogsEnabled(false);
    window.show();
    window.openFile(path);
    QVERIFY(waitForHeatmap(window));
    auto shownBatches = [&] { return window.heatmap()->result().grid ? window.heatmap()->result().grid->batches() : -1; };
    window.mitigationPanel()->batchSizeBox()->setValue(200);
    QTRY_COMPARE_WITH_TIMEOUT(shownBatches(), qint64(50), 10000);
    window.summary()->orderBox()->setCurrentIndex(window.summary()->orderBox()->findData(int(ParentOrder::ById)));
    QTRY_COMPARE_WITH_TIMEOUT(window.heatmap()->result().grid->order(), ParentOrder::ById, 10000);
}

void TestMainWindow::lockRuleOverridesAndSkewThreshold()
{
    SampleOptions o;
    o.rows = 6000;
    o.parents = 200;
    const QString path = m_scratch.sample(QStringLiteral("rules.csv"), o);
    MainWindow window;
    window.setDialogsEnabled(false);
    window.show();
    QSignalSpy finished(window.analysis(), &AnalysisController::finished);
    window.openFile(path);
    QVERIFY(finished.wait(10000));
    QTableWidget *table = window.mappingPanel()->table();
    const int accountRow = rowOf(table, QStringLiteral("AccountId"));
    QVERIFY(accountRow >= 0);
    QCOMPARE(table->item(accountRow, kLocksColumn)->checkState(), Qt::Checked);

    // Untick AccountId as a user would: the file is read again and nothing locks a parent.
    table->item(accountRow, kLocksColumn)->setCheckState(Qt::Unchecked);
    QVERIFY(finished.wait(10000));
    AnalysisPtr a = window.analysis()->analysis();
    QVERIFY(a->rules.isEmpty());
    QCOMPARE(a->distribution.parents(), 0);
    QVERIFY(window.skewPanel()->summaryText().contains(QStringLiteral("No parent locks")));
    window.mappingPanel()->setColumnLocks(QStringLiteral("AccountId"), true);
    QVERIFY(finished.wait(10000));
    QCOMPARE(window.analysis()->analysis()->distribution.parents(), 200);

    // A lower skew threshold flags more parents.
    window.summary()->skewThresholdBox()->setValue(50);
    QVERIFY(finished.wait(10000));
    a = window.analysis()->analysis();
    QCOMPARE(a->distribution.skewThreshold(), 50);
    QVERIFY(a->distribution.skewedParents().size() > 1);
    window.summary()->setSkewThreshold(10000);
}

// The File step's mapping: object, operation, upsert field and column roles, detected and then
// corrected by the user — each change reads the file again, and Edit → Undo takes it back.
void TestMainWindow::columnMappingIsEditableAndUndoable()
{
    SampleOptions o;
    o.rows = 6000;
    o.parents = 200;
    const QString path = m_scratch.sample(QStringLiteral("mapping.csv"), o);
    MainWindow window;
    window.setDialogsEnabled(false);
    window.resize(1400, 900);
    window.show();
    QSignalSpy finished(window.analysis(), &AnalysisController::finished);
    window.openFile(path);
    QVERIFY(finished.wait(10000));
    MappingPanel *panel = window.mappingPanel();
    QCOMPARE(panel->objectBox()->currentText(), QStringLiteral("Opportunity"));
    QCOMPARE(panel->operationBox()->currentText(), QStringLiteral("update"));
    QVERIFY(!panel->externalIdBox()->isEnabled());   // only an upsert matches on a field
    QVERIFY2(panel->summaryText().contains(QStringLiteral("key prefix")), qPrintable(panel->summaryText()));
    QAction *undo = nullptr;
    for (QAction *menu : window.menuBar()->actions())
        if (menu->text() == QLatin1String("&Edit"))
            undo = menu->menu()->actions().value(0);
    QVERIFY(undo);
    QVERIFY(!undo->isEnabled());
    window.goTo(Step::File);
    QVERIFY(window.fileView()->findChild<QWidget *>(QStringLiteral("loadMapping"))->isVisible());

    // The object, typed as a user would: a Contact update also locks each row's own record.
    QLineEdit *objectEdit = panel->objectBox()->lineEdit();
    objectEdit->selectAll();
    QTest::keyClicks(objectEdit, QStringLiteral("Contact"));
    QTest::keyClick(objectEdit, Qt::Key_Return);
    QVERIFY(finished.wait(10000));
    AnalysisPtr a = window.analysis()->analysis();
    QCOMPARE(a->roles.object, QStringLiteral("Contact"));
    QVERIFY(std::any_of(a->rules.rules().begin(), a->rules.rules().end(), [](const LockRule &r) { return r.column == QLatin1String("Id"); }));
    QCOMPARE(undo->text(), QStringLiteral("&Undo Object: Contact"));
    undo->trigger();
    QVERIFY(finished.wait(10000));
    QCOMPARE(window.analysis()->analysis()->roles.object, QStringLiteral("Opportunity"));
    QCOMPARE(panel->objectBox()->currentText(), QStringLiteral("Opportunity"));

    // Upsert on an external id column: the runner will match rows on it.
    auto *operation = panel->operationBox();
    operation->setCurrentIndex(operation->findText(QStringLiteral("upsert")));
    emit operation->activated(operation->currentIndex());
    QVERIFY(finished.wait(10000));
    QCOMPARE(window.analysis()->analysis()->operation, Operation::Upsert);
    QVERIFY(panel->externalIdBox()->isEnabled());
    auto *externalId = panel->externalIdBox();
    externalId->setCurrentIndex(externalId->findData(QStringLiteral("Name")));
    QVERIFY(externalId->currentIndex() > 0);
    emit externalId->activated(externalId->currentIndex());
    QVERIFY(finished.wait(10000));
    QCOMPARE(window.analysis()->analysis()->externalIdField, QStringLiteral("Name"));

    // AccountId mapped as plain data: no Id in it names a record, so nothing locks a parent.
    auto *role = qobject_cast<QComboBox *>(panel->table()->cellWidget(rowOf(panel->table(), QStringLiteral("AccountId")), kRoleColumn));
    QVERIFY(role);
    QCOMPARE(role->currentText(), QStringLiteral("Lookup"));
    role->setCurrentIndex(role->findText(QStringLiteral("Data")));
    emit role->activated(role->currentIndex());
    QVERIFY(finished.wait(10000));
    QCOMPARE(window.analysis()->analysis()->distribution.parents(), 0);
    QVERIFY(window.analysis()->analysis()->rules.isEmpty());

    // Three undos, one change each, back to what was detected; then a redo.
    for (int i = 0; i < 3; ++i) {
        undo->trigger();
        QVERIFY(finished.wait(10000));
    }
    a = window.analysis()->analysis();
    QCOMPARE(a->operation, Operation::Update);
    QVERIFY(a->externalIdField.isEmpty());
    QCOMPARE(a->distribution.parents(), 200);
    QVERIFY(window.mappingEditor()->mapping().isDetected());
    window.mappingEditor()->undoStack()->redo();
    QVERIFY(finished.wait(10000));
    QCOMPARE(window.analysis()->analysis()->operation, Operation::Upsert);
    panel->resetToDetected();
    QVERIFY(finished.wait(10000));
    QVERIFY(window.mappingEditor()->mapping().isDetected());
    QVERIFY(window.grab().save(QDir(test::outputDir()).filePath(QStringLiteral("file-mapping.png"))));

    // A new file starts from its own detected mapping, with no history.
    window.mappingPanel()->setColumnLocks(QStringLiteral("AccountId"), false);
    QVERIFY(finished.wait(10000));
    window.openFile(m_scratch.sample(QStringLiteral("other.csv"), o));
    QVERIFY(finished.wait(10000));
    QVERIFY(window.mappingEditor()->mapping().isDetected());
    QVERIFY(!undo->isEnabled());
    QCOMPARE(window.analysis()->analysis()->distribution.parents(), 200);
}

// A wrong mapping — a text column taken for a lookup — is bad input: the rows it breaks are
// named in Problems with the column and what to do, nothing is sent, and undo puts it right.
void TestMainWindow::aWrongColumnMappingSaysWhatIsWrong()
{
    SampleOptions o;
    o.rows = 3000;
    o.parents = 100;
    const QString path = m_scratch.sample(QStringLiteral("wrong-mapping.csv"), o);
    MainWindow window;
    window.setDialogsEnabled(false);
    window.show();
    QSignalSpy finished(window.analysis(), &AnalysisController::finished);
    window.openFile(path);
    QVERIFY(finished.wait(10000));
    QCOMPARE(window.analysis()->analysis()->file.problems().errors(), qint64(0));
    window.mappingPanel()->setColumnRole(QStringLiteral("Name"), ColumnRole::Lookup, {QStringLiteral("Account")});
    QVERIFY(finished.wait(10000));
    const AnalysisPtr a = window.analysis()->analysis();
    QCOMPARE(a->file.problems().errors(), qint64(3000));
    const QString problems = window.problemsPanel()->summaryText();
    QVERIFY2(problems.contains(QStringLiteral("3,000")), qPrintable(problems));
    // The first bad row, by line and column, with the value and what was expected.
    const Problem &first = a->file.problems().items().front();
    QCOMPARE(first.line, qint64(2));
    QCOMPARE(a->file.header().at(first.column), QStringLiteral("Name"));
    QVERIFY2(first.message.contains(QStringLiteral("Account")), qPrintable(first.message));
    // The Plan step holds no prediction for a file with bad rows… and undo puts it right.
    window.mappingEditor()->undoStack()->undo();
    QVERIFY(finished.wait(10000));
    QCOMPARE(window.analysis()->analysis()->file.problems().errors(), qint64(0));
}

void TestMainWindow::badRowsGoToTheProblemsPanel()
{
    const QString path = m_scratch.write(QStringLiteral("bad.csv"),
                                         "Id,AccountId,Name\n"
                                         "0062A00001aaAaaQAE,0012A00001aaAaaQAE,ok\n"
                                         "0062A00001aaAabQAE,0012A00001aaAaaQAE\n"
                                         "0062A00001aaAacQAE,001BAD,x\n");
    MainWindow window;
    window.setDialogsEnabled(false);
    window.show();
    window.openFile(path);
    QVERIFY(waitForHeatmap(window));
    ProblemTableModel *model = window.problemsPanel()->model();
    QCOMPARE(model->rowCount(), 2);
    QCOMPARE(model->data(model->index(0, ProblemTableModel::Line), Qt::DisplayRole).toInt(), 3);
    QVERIFY(model->data(model->index(0, ProblemTableModel::Message), Qt::DisplayRole).toString().contains(QStringLiteral("field")));
    QCOMPARE(model->data(model->index(1, ProblemTableModel::Line), Qt::DisplayRole).toInt(), 4);
    QVERIFY(model->data(model->index(1, ProblemTableModel::Message), Qt::DisplayRole).toString().contains(QStringLiteral("001BAD")));
    QVERIFY(model->data(model->index(1, ProblemTableModel::Message), Qt::ToolTipRole).toString().contains(path));
    QVERIFY(window.problemsPanel()->summaryText().contains(QStringLiteral("2 bad row")));
}

void TestMainWindow::unreadableFileShowsADialog()
{
    const QString path = m_scratch.write(QStringLiteral("empty.csv"), QByteArray());
    MainWindow window;
    window.show();
    QString dialogText;
    // The dialog is modal: read it and close it from a timer, as a user would.
    QTimer closer;
    connect(&closer, &QTimer::timeout, this, [&] {
        for (QWidget *w : QApplication::topLevelWidgets())
            if (auto *box = qobject_cast<QMessageBox *>(w); box && box->isVisible()) {
                dialogText = box->text() + QLatin1Char(' ') + box->informativeText();
                box->accept();
            }
    });
    closer.start(20);
    QSignalSpy failed(window.analysis(), &AnalysisController::failed);
    window.openFile(path);
    QVERIFY(failed.wait(10000));
    QTRY_VERIFY(!dialogText.isEmpty());
    QVERIFY2(dialogText.contains(QStringLiteral("empty")) && dialogText.contains(path), qPrintable(dialogText));
    QVERIFY(window.problemsPanel()->summaryText().contains(QStringLiteral("Could not read")));

    // Missing and binary files take the same path, never a crash.
    dialogText.clear();
    window.openFile(m_scratch.path(QStringLiteral("missing.csv")));
    QTRY_VERIFY(!dialogText.isEmpty());
    QVERIFY(dialogText.contains(QStringLiteral("no such file")));
    dialogText.clear();
    window.openFile(m_scratch.write(QStringLiteral("pic.csv"), QByteArray("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16)));
    QTRY_VERIFY(!dialogText.isEmpty());
    QVERIFY(dialogText.contains(QStringLiteral("PNG")));
}

void TestMainWindow::dropAFileToOpenIt()
{
    SampleOptions o;
    o.rows = 500;
    const QString path = m_scratch.sample(QStringLiteral("dropped.csv"), o);
    MainWindow window;
    window.setDialogsEnabled(false);
    window.show();
    QVERIFY(window.acceptDrops());
    QMimeData mime;
    mime.setUrls({QUrl::fromLocalFile(path)});
    QDragEnterEvent enter(QPoint(50, 50), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&window, &enter);
    QVERIFY(enter.isAccepted());
    QSignalSpy started(window.analysis(), &AnalysisController::started);
    QDropEvent drop(QPointF(50, 50), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&window, &drop);
    QCOMPARE(started.count(), 1);
    QCOMPARE(started.front().front().toString(), path);
    QVERIFY(waitForHeatmap(window));
}

void TestMainWindow::remembersRecentFilesAndWindowState()
{
    SampleOptions o;
    o.rows = 400;
    const QString path = m_scratch.sample(QStringLiteral("recent.csv"), o);
    {
        MainWindow window;
        window.setDialogsEnabled(false);
        window.show();
        window.openFile(path);
        QVERIFY(waitForHeatmap(window));
        QCOMPARE(window.recentFiles()->files().front(), QFileInfo(path).absoluteFilePath());
        window.mitigationPanel()->batchSizeBox()->setValue(777);
        window.resize(1111, 777);
        window.close();
    }
    MainWindow again;
    QCOMPARE(again.mitigationPanel()->batchSize(), 777);
    QCOMPARE(again.size(), QSize(1111, 777));
    QVERIFY(again.recentFiles()->files().contains(QFileInfo(path).absoluteFilePath()));
}

// No org configured: the demo org runs beside the app (lockstep-cli demo-org serve, a child
// process), takes every record of the file a user opens — asked over HTTP — and answers a real
// HTTP client; the status bar says where it is. Saves a screenshot with the org running.
void TestMainWindow::demoOrgRunsBesideTheAppAndTakesTheOpenFile()
{
    SampleOptions o;
    o.rows = 2000;
    o.parents = 40;
    const QString path = m_scratch.sample(QStringLiteral("for-demo-org.csv"), o);
    QTemporaryDir data;
    MainWindow window;
    window.setDialogsEnabled(false);
    window.resize(1400, 900);
    window.show();
    auto *orgStatus = window.findChild<QLabel *>(QStringLiteral("orgStatus"));
    QVERIFY(orgStatus);
    QSignalSpy started(window.demoOrg(), &DemoOrgController::started);
    QSignalSpy seeded(window.demoOrg(), &DemoOrgController::seeded);
    QSignalSpy heatmap(&window, &MainWindow::heatmapShown);
    QVERIFY(window.startDemoOrg(0.01, data.path()));
    QVERIFY(window.demoOrg()->isStarting());
    QCOMPARE(orgStatus->text(), QStringLiteral("Org: demo org starting…"));
    window.openFile(path);   // seeded once the org answers, whichever comes first
    QVERIFY(started.wait(30000));
    QVERIFY(window.demoOrg()->isRunning());
    const QString instanceUrl = window.demoOrg()->instanceUrl();
    QVERIFY(instanceUrl.startsWith(QStringLiteral("http://127.0.0.1:")));
    QCOMPARE(orgStatus->text(), QStringLiteral("Org: the demo org (100× faster) at %1").arg(instanceUrl));
    QVERIFY(seeded.wait(30000));
    QCOMPARE(seeded.front().at(1).toLongLong(), 2040);   // 2,000 Opportunities + 40 Accounts
    QTRY_VERIFY_WITH_TIMEOUT(orgStatus->toolTip().contains(QStringLiteral("2,040 records created")), 10000);

    const QJsonObject connection = window.demoOrg()->connectionJson();
    QCOMPARE(connection.value(QStringLiteral("instance_url")).toString(), instanceUrl);
    const QString url = instanceUrl + QStringLiteral("/services/data/v62.0/query?q=") +
                        QString::fromLatin1(QUrl::toPercentEncoding(QStringLiteral("SELECT COUNT() FROM Opportunity")));
    const QByteArray token = connection.value(QStringLiteral("access_token")).toString().toUtf8();
    auto answer = QtConcurrent::run([url, token] {
        HttpClient http;
        http.setBearerToken(token);
        HttpRequest request;
        request.url = url;
        return http.send(request);
    });
    QTRY_VERIFY_WITH_TIMEOUT(answer.isFinished(), 10000);
    const auto response = answer.result();
    QVERIFY(response);
    QCOMPARE(response->status, 200);
    QCOMPARE(QJsonDocument::fromJson(response->body).object().value(QStringLiteral("totalSize")).toInt(), 2000);

    // Copy Connection Details signs in again for a fresh token.
    QSignalSpy details(window.demoOrg(), &DemoOrgController::connectionDetails);
    window.demoOrg()->fetchConnectionDetails();
    QVERIFY(details.wait(10000));
    const QJsonObject fresh = details.front().at(0).toJsonObject();
    QCOMPARE(fresh.value(QStringLiteral("instance_url")).toString(), instanceUrl);
    QVERIFY(fresh.value(QStringLiteral("access_token")).toString().startsWith(QStringLiteral("00D")));
    QVERIFY(fresh.value(QStringLiteral("access_token")).toString() != QString::fromUtf8(token));

    QVERIFY(!heatmap.isEmpty() || heatmap.wait(30000));
    QTest::qWait(300);
    const QString out = QDir(test::outputDir()).filePath(QStringLiteral("mainwindow-demo-org.png"));
    QVERIFY(window.grab().save(out));
    qInfo("screenshot: %s", qPrintable(out));

    window.close();
    QVERIFY(!window.demoOrg()->isRunning());
    QCOMPARE(orgStatus->text(), QStringLiteral("Org: none"));
    // The child is gone: nothing answers there any more.
    HttpClient http;
    HttpRequest request;
    request.url = instanceUrl + QStringLiteral("/services/data");
    request.connectTimeout = std::chrono::milliseconds(2000);
    QVERIFY(!http.send(request).has_value());
}

// A 1,000,000-row file: the event loop keeps turning while the workers read (the progress bar
// moves), Cancel stops the workers within 200 ms, and the heatmap follows the analysis in < 3 s.
void TestMainWindow::millionRowsStayResponsive()
{
    SampleOptions o;
    o.rows = 1'000'000;
    o.parents = 20000;
    o.houseAccountRows = 15000;
    const QString path = m_scratch.sample(QStringLiteral("million.csv"), o);
    MainWindow window;
    window.setDialogsEnabled(false);
    window.show();

    // 1. Responsiveness and a moving progress bar.
    std::set<int> progressValues;
    connect(window.progressBar(), &QProgressBar::valueChanged, this, [&](int v) { progressValues.insert(v); });
    QElapsedTimer sinceTick;
    qint64 longestGap = 0;
    QTimer ticker;
    connect(&ticker, &QTimer::timeout, this, [&] {
        longestGap = std::max(longestGap, sinceTick.restart());
    });
    QSignalSpy finished(window.analysis(), &AnalysisController::finished);
    QSignalSpy shown(&window, &MainWindow::heatmapShown);
    sinceTick.start();
    ticker.start(5);
    window.openFile(path);
    QVERIFY(finished.wait(60000));
    QElapsedTimer afterAnalysis;
    afterAnalysis.start();
    QVERIFY(shown.count() > 0 || shown.wait(10000));
    const qint64 heatmapMs = afterAnalysis.elapsed();
    ticker.stop();
    qInfo("1,000,000 rows: analysis %.2f s, heatmap shown %lld ms after it, %zu distinct progress values, "
          "longest event-loop gap %lld ms",
          finished.front().front().value<AnalysisPtr>()->seconds, heatmapMs, progressValues.size(), longestGap);
    QVERIFY2(progressValues.size() >= 3, "the progress bar should move while reading");
    QVERIFY2(longestGap < 250, "the event loop stalled while analysing");
    QVERIFY(heatmapMs < 3000);
    QCOMPARE(window.heatmap()->result().grid->total(), 1000000);

    // 2. Cancel: click it at the first progress report; the UI is idle at once and the workers
    // have stopped within 200 ms.
    QSignalSpy cancelled(window.analysis(), &AnalysisController::cancelled);
    QElapsedTimer sinceClick;
    auto connection = connect(window.analysis(), &AnalysisController::progressChanged, this, [&] {
        if (sinceClick.isValid())
            return;
        sinceClick.start();
        QTest::mouseClick(window.cancelButton(), Qt::LeftButton);
    });
    QTRY_COMPARE_WITH_TIMEOUT(window.analysis()->activeWorkers(), 0, 10000);
    AnalyzeOptions slow;
    slow.threads = 1;   // one thread, so the read is long enough to cancel in the middle
    window.analysis()->open(path, slow);
    QTRY_VERIFY_WITH_TIMEOUT(sinceClick.isValid(), 10000);
    disconnect(connection);
    QCOMPARE(cancelled.count(), 1);
    QVERIFY(!window.cancelButton()->isVisible());
    QElapsedTimer sinceCancel;
    sinceCancel.start();
    while (window.analysis()->activeWorkers() > 0 && sinceCancel.elapsed() < 1000)
        QTest::qWait(2);
    QVERIFY2(window.analysis()->activeWorkers() == 0 && sinceClick.elapsed() < 200, "the worker did not stop within 200 ms");
    qInfo("cancel: workers idle %lld ms after the click", sinceClick.elapsed());
    QVERIFY(!window.analysis()->isRunning());
}

void TestMainWindow::screenshotOfTheHouseAccountSample()
{
    const QString path = m_scratch.sample(QStringLiteral("opportunities-90k-house-account.csv"), test::caseA(12000));
    MainWindow window;
    window.setDialogsEnabled(false);
    window.resize(1400, 900);
    window.mitigationPanel()->setBatchSize(2000);   // Data Loader's Bulk default, as in calibration case A
    window.show();
    window.openFile(path);
    QVERIFY(waitForHeatmap(window));
    QTest::qWait(300);   // the batch-size debounce may redraw once more
    const QString out = QDir(test::outputDir()).filePath(QStringLiteral("mainwindow-90k-house-account.png"));
    QVERIFY(window.grab().save(out));
    qInfo("screenshot: %s", qPrintable(out));
    QVERIFY(QFileInfo(out).size() > 20000);
    QVERIFY(window.skewPanel()->summaryText().contains(QStringLiteral("1 skewed parent")));
}

// A dark desktop theme: the window's charts follow the palette (QCustomPlot alone draws black on
// white), also when the palette changes while the window is open.
void TestMainWindow::aDarkPaletteIsHonoured()
{
    const QString path = m_scratch.sample(QStringLiteral("dark.csv"), test::caseA(12000));
    const QPalette light = QApplication::palette();
    MainWindow window;
    window.setDialogsEnabled(false);
    window.resize(1400, 900);
    window.show();
    window.openFile(path);
    QVERIFY(waitForHeatmap(window));
    QCustomPlot *heatmap = window.heatmap()->plot();
    QCOMPARE(heatmap->xAxis->tickLabelColor(), light.color(QPalette::Text));

    QPalette dark;
    dark.setColor(QPalette::Window, QColor(37, 37, 38));
    dark.setColor(QPalette::WindowText, QColor(224, 224, 224));
    dark.setColor(QPalette::Base, QColor(28, 28, 30));
    dark.setColor(QPalette::AlternateBase, QColor(44, 44, 46));
    dark.setColor(QPalette::Text, QColor(224, 224, 224));
    dark.setColor(QPalette::Button, QColor(50, 50, 52));
    dark.setColor(QPalette::ButtonText, QColor(224, 224, 224));
    dark.setColor(QPalette::Highlight, QColor(42, 130, 218));
    dark.setColor(QPalette::HighlightedText, Qt::white);
    dark.setColor(QPalette::ToolTipBase, QColor(50, 50, 52));
    dark.setColor(QPalette::ToolTipText, QColor(224, 224, 224));
    dark.setColor(QPalette::PlaceholderText, QColor(150, 150, 150));
    QApplication::setPalette(dark);
    QTRY_COMPARE_WITH_TIMEOUT(heatmap->xAxis->tickLabelColor(), QColor(224, 224, 224), 5000);
    QCOMPARE(heatmap->axisRect()->backgroundBrush().color(), QColor(28, 28, 30));
    QCOMPARE(window.histogram()->plot()->yAxis->labelColor(), QColor(224, 224, 224));
    window.goTo(Step::Plan);
    QTRY_VERIFY_WITH_TIMEOUT(window.comparison()->plot()->graphCount() + window.comparison()->plot()->plottableCount() > 0, 60000);
    QCOMPARE(window.comparison()->plot()->xAxis->tickLabelColor(), QColor(224, 224, 224));
    QTest::qWait(300);
    const QString out = QDir(test::outputDir()).filePath(QStringLiteral("mainwindow-dark-plan.png"));
    QVERIFY(window.grab().save(out));
    window.goTo(Step::Analyse);
    QTest::qWait(100);
    QVERIFY(window.grab().save(QDir(test::outputDir()).filePath(QStringLiteral("mainwindow-dark-analyse.png"))));
    qInfo("screenshot: %s", qPrintable(out));
    QApplication::setPalette(light);
    QTRY_COMPARE_WITH_TIMEOUT(heatmap->xAxis->tickLabelColor(), light.color(QPalette::Text), 5000);
}

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
