#include "MainWindow.h"

#include "BackgroundTask.h"
#include "ComparisonView.h"
#include "DemoOrgController.h"
#include "HeatmapView.h"
#include "HistogramView.h"
#include "JobResultsWindow.h"
#include "store/JobStore.h"
#include "LockRulesPanel.h"
#include "MitigationPanel.h"
#include "PredictionPanel.h"
#include "ProblemsPanel.h"
#include "RecentFiles.h"
#include "SampleDialog.h"
#include "SkewPanel.h"
#include "SummaryPanel.h"
#include "TimelineView.h"
#include "UiFormat.h"

#include <QActionGroup>
#include <QApplication>
#include <QClipboard>
#include <QCloseEvent>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QJsonDocument>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QTimer>
#include <QVBoxLayout>

namespace lockstep::ui {

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent), m_analysis(new AnalysisController(this)), m_planner(new PlanController(this)),
      m_heatmapBuilder(new HeatmapBuilder(this)), m_recent(new RecentFiles(this)), m_summary(new SummaryPanel),
      m_heatmap(new HeatmapView), m_timeline(new TimelineView), m_histogram(new HistogramView), m_skew(new SkewPanel),
      m_problems(new ProblemsPanel), m_lockRules(new LockRulesPanel), m_mitigation(new MitigationPanel),
      m_prediction(new PredictionPanel), m_comparison(new ComparisonView), m_progress(new QProgressBar),
      m_cancel(new QPushButton(tr("Cancel"))), m_status(new QLabel), m_orgStatus(new QLabel),
      m_demoOrg(new DemoOrgController(this)), m_sampleTask(new BackgroundTask(this)), m_compareDebounce(new QTimer(this))
{
    setWindowTitle(tr("Lockstep"));
    setObjectName(QStringLiteral("MainWindow"));
    setAcceptDrops(true);
    buildLayout();
    buildMenus();
    connectControllers();
    restoreWindowState();
}

MainWindow::~MainWindow() = default;

void MainWindow::buildLayout()
{
    // Centre: what the file is, then the heatmap over the predicted timeline.
    auto *central = new QWidget;
    auto *layout = new QVBoxLayout(central);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_summary);
    auto *split = new QSplitter(Qt::Horizontal);
    split->setObjectName(QStringLiteral("mainSplitter"));
    auto *centre = new QSplitter(Qt::Vertical);
    centre->setObjectName(QStringLiteral("centreSplitter"));
    centre->addWidget(m_heatmap);
    centre->addWidget(m_timeline);
    centre->setStretchFactor(0, 3);
    centre->setStretchFactor(1, 2);
    split->addWidget(centre);
    // Right: the comparison of every mitigation, and the distribution of children.
    m_sideTabs = new QTabWidget;
    m_sideTabs->setObjectName(QStringLiteral("sideTabs"));
    m_sideTabs->addTab(m_comparison, tr("Compare mitigations"));
    auto *distribution = new QSplitter(Qt::Vertical);
    distribution->setObjectName(QStringLiteral("distributionSplitter"));
    distribution->addWidget(m_histogram);
    distribution->addWidget(m_skew);
    m_sideTabs->addTab(distribution, tr("Parents and skew"));
    split->addWidget(m_sideTabs);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    layout->addWidget(split, 1);
    setCentralWidget(central);

    // Left: the mitigation and what it is predicted to do.
    auto *planColumn = new QWidget;
    auto *planLayout = new QVBoxLayout(planColumn);
    planLayout->setContentsMargins(0, 0, 0, 0);
    planLayout->addWidget(m_mitigation);
    planLayout->addWidget(m_prediction, 1);
    auto *scroll = new QScrollArea;
    scroll->setWidget(planColumn);
    scroll->setWidgetResizable(true);
    scroll->setMinimumWidth(320);
    m_mitigationDock = new QDockWidget(tr("Mitigation and prediction"), this);
    m_mitigationDock->setObjectName(QStringLiteral("mitigationDock"));
    m_mitigationDock->setWidget(scroll);
    addDockWidget(Qt::LeftDockWidgetArea, m_mitigationDock);

    // Bottom: problems and lock rules.
    m_problemsDock = new QDockWidget(tr("Problems"), this);
    m_problemsDock->setObjectName(QStringLiteral("problemsDock"));
    m_problemsDock->setWidget(m_problems);
    addDockWidget(Qt::BottomDockWidgetArea, m_problemsDock);
    m_lockRulesDock = new QDockWidget(tr("Lock rules"), this);
    m_lockRulesDock->setObjectName(QStringLiteral("lockRulesDock"));
    m_lockRulesDock->setWidget(m_lockRules);
    addDockWidget(Qt::BottomDockWidgetArea, m_lockRulesDock);
    tabifyDockWidget(m_problemsDock, m_lockRulesDock);
    m_problemsDock->raise();
    resizeDocks({m_problemsDock}, {120}, Qt::Vertical);
    resizeDocks({m_mitigationDock}, {340}, Qt::Horizontal);

    m_progress->setRange(0, 1000);
    m_progress->setMaximumWidth(260);
    m_progress->setFormat(QStringLiteral("%p%"));
    statusBar()->addWidget(m_status, 1);
    m_orgStatus->setObjectName(QStringLiteral("orgStatus"));
    m_orgStatus->setTextInteractionFlags(Qt::TextSelectableByMouse);
    statusBar()->addPermanentWidget(m_orgStatus);
    statusBar()->addPermanentWidget(m_progress);
    statusBar()->addPermanentWidget(m_cancel);
    setBusy(false);
}

void MainWindow::buildMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    QAction *open = file->addAction(tr("&Open…"), this, &MainWindow::chooseFile);
    open->setShortcut(QKeySequence::Open);
    m_recentMenu = file->addMenu(tr("Open &Recent"));
    connect(m_recentMenu, &QMenu::aboutToShow, this, [this] { m_recent->fillMenu(m_recentMenu); });
    file->addAction(tr("&Generate Sample File…"), this, &MainWindow::showSampleDialog);
    file->addAction(tr("Load Org &Profile…"), this, &MainWindow::chooseProfile);
    QAction *jobs = file->addAction(tr("Open &Job Results…"), this, [this] {
        auto *window = new JobResultsWindow(this);
        window->setAttribute(Qt::WA_DeleteOnClose);
        window->openStore(JobStore::defaultPath());
        window->show();
    });
    jobs->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_J));
    file->addSeparator();
    QAction *quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    buildOrgMenu();

    QMenu *view = menuBar()->addMenu(tr("&View"));
    view->addAction(m_mitigationDock->toggleViewAction());
    view->addAction(m_problemsDock->toggleViewAction());
    view->addAction(m_lockRulesDock->toggleViewAction());

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About Lockstep"), this, [this] {
        QMessageBox::about(this, tr("About Lockstep"),
                           tr("<b>Lockstep %1</b><p>Plan Salesforce data loads that never fail with "
                              "UNABLE_TO_LOCK_ROW: see which parents your rows lock, and what each mitigation "
                              "will do, before anything is sent.</p>")
                               .arg(QStringLiteral(LOCKSTEP_VERSION)));
    });
}

void MainWindow::connectControllers()
{
    connect(m_cancel, &QPushButton::clicked, m_analysis, &AnalysisController::cancel);
    connect(m_analysis, &AnalysisController::started, this, &MainWindow::onStarted);
    connect(m_analysis, &AnalysisController::progressChanged, this, [this](int permille, const QString &phase) {
        if (permille >= 0)
            m_progress->setValue(permille);
        m_status->setText(phase);
    });
    connect(m_analysis, &AnalysisController::finished, this, &MainWindow::onFinished);
    connect(m_analysis, &AnalysisController::failed, this, &MainWindow::onFailed);
    connect(m_analysis, &AnalysisController::cancelled, this, &MainWindow::onCancelled);

    connect(m_heatmapBuilder, &HeatmapBuilder::ready, this, [this](const HeatmapResult &result) {
        if (result.analysis != m_analysis->analysis())
            return;
        m_heatmap->showResult(result);
        emit heatmapShown();
    });
    connect(m_summary, &SummaryPanel::heatmapOptionsChanged, this, &MainWindow::requestHeatmap);
    connect(m_summary, &SummaryPanel::skewThresholdChanged, this, &MainWindow::reanalyze);
    connect(m_skew, &SkewPanel::parentSelected, m_heatmap, &HeatmapView::highlightParent);
    connect(m_heatmap, &HeatmapView::hovered, m_status, &QLabel::setText);
    connect(m_recent, &RecentFiles::fileChosen, this, &MainWindow::openFile);
    connect(m_lockRules, &LockRulesPanel::rulesChanged, this, &MainWindow::reanalyze);

    connect(m_mitigation, &MitigationPanel::changed, this, &MainWindow::onMitigationChanged);
    connect(m_planner, &PlanController::instantEstimate, m_prediction, &PredictionPanel::showEstimate);
    connect(m_planner, &PlanController::instantEstimateFailed, m_prediction, &PredictionPanel::showEstimateUnavailable);
    connect(m_planner, &PlanController::predictionStarted, m_prediction, &PredictionPanel::showPredicting);
    connect(m_planner, &PlanController::predictionFailed, m_prediction, &PredictionPanel::showFailure);
    connect(m_planner, &PlanController::predicted, this, [this](const PlanResult &result) {
        if (result.analysis != m_analysis->analysis())
            return;
        m_prediction->showPrediction(result);
        m_timeline->showResult(result);
        requestHeatmap();
    });
    connect(m_planner, &PlanController::comparisonStarted, m_comparison, &ComparisonView::showRunning);
    connect(m_planner, &PlanController::comparisonProgress, m_comparison, &ComparisonView::showProgress);
    connect(m_planner, &PlanController::comparisonFailed, m_comparison, &ComparisonView::showFailure);
    connect(m_planner, &PlanController::comparisonReady, this, [this](const std::vector<PredictionSummary> &summaries) {
        m_comparison->showSummaries(summaries);
        m_comparison->markCurrent(m_mitigation->mitigation());
    });
    connect(m_comparison, &ComparisonView::mitigationChosen, m_mitigation, &MitigationPanel::setMitigation);
    // The comparison reruns only when what it depends on (batch size, API, concurrency, org)
    // changes, and only once the user stops turning the knob.
    m_compareDebounce->setSingleShot(true);
    m_compareDebounce->setInterval(400);
    connect(m_compareDebounce, &QTimer::timeout, this, &MainWindow::requestComparison);
}

AnalyzeOptions MainWindow::analyzeOptions() const
{
    AnalyzeOptions options;
    options.batchSize = m_mitigation->batchSize();
    options.distribution.skewThreshold = m_summary->skewThreshold();
    options.addRules = m_lockRules->addedRules();
    options.removeRules = m_lockRules->removedColumns();
    return options;
}

PlanOptions MainWindow::planOptions() const
{
    const AnalysisPtr analysis = m_analysis->analysis();
    PlanOptions base = analysis ? PlanController::optionsFor(*analysis, m_profile) : PlanOptions{m_profile};
    return m_mitigation->planOptions(base);
}

void MainWindow::buildOrgMenu()
{
    QMenu *org = menuBar()->addMenu(tr("&Org"));
    org->addAction(tr("&Copy Demo Org Connection Details"), this, [this] {
        // instance_url, client_id/secret, username/password and a fresh token: enough for
        // jsforce, the Salesforce CLI (sf org login access-token) or Data Loader's Bulk paths.
        m_demoOrg->fetchConnectionDetails();
    });
    connect(m_demoOrg, &DemoOrgController::connectionDetails, this, [this](const QJsonObject &connection) {
        QApplication::clipboard()->setText(QString::fromUtf8(QJsonDocument(connection).toJson()));
        m_status->setText(tr("Demo org connection details copied (they include a live access token)"));
    });
    QMenu *speed = org->addMenu(tr("Demo Org &Speed"));
    auto *group = new QActionGroup(speed);
    for (const auto &[factor, text] : {std::pair{1.0, tr("Real time (10 s lock timeout)")}, std::pair{10.0, tr("10× faster")},
                                       std::pair{20.0, tr("20× faster")}, std::pair{100.0, tr("100× faster (10 s → 100 ms)")}}) {
        QAction *action = speed->addAction(text);
        action->setCheckable(true);
        action->setData(1.0 / factor);
        group->addAction(action);
        connect(action, &QAction::triggered, this, [this, factor] {
            if (auto started = startDemoOrg(1.0 / factor); !started && m_dialogsEnabled)
                QMessageBox::warning(this, tr("Demo org not restarted"), started.error().toString());
        });
    }
    connect(speed, &QMenu::aboutToShow, this, [this, group] {
        for (QAction *a : group->actions())
            a->setChecked(m_demoOrg->isRunning() && qFuzzyCompare(a->data().toDouble(), m_demoOrg->scale()));
    });
    connect(m_demoOrg, &DemoOrgController::started, this, [this] { showOrgStatus(); });
    connect(m_demoOrg, &DemoOrgController::stopped, this, [this] { showOrgStatus(); });
    connect(m_demoOrg, &DemoOrgController::seeded, this, [this](const QString &path, qint64 created, qint64 existing) {
        m_orgSeeded = tr("%1: %2 records created, %3 already there").arg(QFileInfo(path).fileName(), grouped(created), grouped(existing));
        showOrgStatus();
    });
    connect(m_demoOrg, &DemoOrgController::statusChanged, this, [this](const DemoOrgStatus &status) {
        m_orgActivity = tr("%1 API requests, %2 transactions committed").arg(grouped(status.apiRequests), grouped(status.committedTransactions));
        showOrgStatus();
    });
    connect(m_demoOrg, &DemoOrgController::failed, this, [this](const QString &message) {
        m_status->setText(tr("Demo org: %1").arg(message));
        showOrgStatus();
    });
}

void MainWindow::showOrgStatus()
{
    if (m_demoOrg->isStarting()) {
        m_orgStatus->setText(tr("Org: demo org starting…"));
        return;
    }
    if (!m_demoOrg->isRunning()) {
        m_orgStatus->setText(tr("Org: none"));
        return;
    }
    const double factor = m_demoOrg->scale() > 0 ? 1.0 / m_demoOrg->scale() : 1.0;
    m_orgStatus->setText(tr("Org: demo org at %1 (%2)").arg(m_demoOrg->instanceUrl(),
                                                           qFuzzyCompare(factor, 1.0) ? tr("real time") : tr("%1× faster").arg(factor)));
    QStringList tip{tr("A Salesforce-compatible org beside Lockstep (lockstep-cli demo-org serve): Org → Copy Demo Org "
                       "Connection Details to point a client at it.")};
    for (const QString &line : {m_orgSeeded, m_orgActivity})
        if (!line.isEmpty())
            tip << line;
    m_orgStatus->setToolTip(tip.join(QLatin1Char('\n')));
}

Result<void> MainWindow::startDemoOrg(double scale, const QString &dataDir)
{
    QSettings settings;
    if (scale <= 0)
        scale = settings.value(QStringLiteral("demoOrg/scale"), 0.05).toDouble();
    m_orgSeeded.clear();
    m_orgActivity.clear();
    auto started = m_demoOrg->start(scale, dataDir.isEmpty() ? DemoOrgController::defaultDataDir() : dataDir);
    showOrgStatus();
    if (!started)
        return started;
    settings.setValue(QStringLiteral("demoOrg/scale"), scale);
    if (const AnalysisPtr analysis = m_analysis->analysis())
        m_demoOrg->seedFrom(analysis->file.path());
    return {};
}

void MainWindow::openFile(const QString &path)
{
    // A new file starts from the built-in lock rules; its own overrides come after.
    if (QFileInfo(path).absoluteFilePath() != QFileInfo(m_analysis->currentPath()).absoluteFilePath())
        m_lockRules->resetOverrides();
    m_analysis->open(path, analyzeOptions());
}

void MainWindow::reanalyze()
{
    if (!m_analysis->currentPath().isEmpty())
        m_analysis->open(m_analysis->currentPath(), analyzeOptions());
}

Result<void> MainWindow::loadProfile(const QString &path)
{
    auto profile = OrgProfile::load(path);
    if (!profile)
        return std::unexpected(profile.error());
    m_profile = *profile;
    m_status->setText(tr("Org profile %1 loaded").arg(QFileInfo(path).fileName()));
    requestPlan();
    m_compareDebounce->start();
    return {};
}

void MainWindow::chooseProfile()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Load an org profile"), QString(), tr("Org profiles (*.json)"));
    if (path.isEmpty())
        return;
    if (auto loaded = loadProfile(path); !loaded && m_dialogsEnabled)
        QMessageBox::warning(this, tr("Profile not loaded"), loaded.error().toString());
}

void MainWindow::chooseFile()
{
    const QStringList recent = m_recent->files();
    const QString start = recent.isEmpty() ? QString() : QFileInfo(recent.front()).absolutePath();
    const QString path = QFileDialog::getOpenFileName(this, tr("Open a load file"), start,
                                                      tr("CSV files (*.csv *.txt *.tsv);;All files (*)"));
    if (!path.isEmpty())
        openFile(path);
}

void MainWindow::showSampleDialog()
{
    SampleDialog dialog(this);
    if (dialog.exec() == QDialog::Accepted)
        generateSample(dialog.options(), dialog.outputPath());
}

void MainWindow::showComparisonTab()
{
    m_sideTabs->setCurrentWidget(m_comparison);
}

void MainWindow::generateSample(const SampleOptions &options, const QString &path)
{
    setBusy(true);
    m_status->setText(tr("Writing %1…").arg(QFileInfo(path).fileName()));
    m_sampleTask->start(
        [options, path](const BackgroundRun &run) {
            Progress progress;
            progress.cancel = run.cancelToken();
            return writeSample(path, options, progress);
        },
        [this, path](const Result<SampleSummary> &result) {
            setBusy(false);
            if (!result) {
                m_status->setText(result.error().toString());
                if (m_dialogsEnabled)
                    QMessageBox::warning(this, tr("Sample not written"), result.error().toString());
                return;
            }
            openFile(path);
        });
}

void MainWindow::onStarted(const QString &path)
{
    setBusy(true);
    m_progress->setValue(0);
    m_status->setText(tr("Reading %1…").arg(QFileInfo(path).fileName()));
    setWindowTitle(tr("%1 — Lockstep").arg(QFileInfo(path).fileName()));
}

void MainWindow::onFinished(const AnalysisPtr &analysis)
{
    setBusy(false);
    m_recent->add(analysis->file.path());
    m_summary->setAnalysis(analysis);
    m_histogram->showDistribution(analysis->distribution);
    m_skew->setAnalysis(analysis);
    m_problems->setAnalysis(analysis);
    m_lockRules->setAnalysis(analysis);
    if (analysis->file.problems().errors() > 0)
        m_problemsDock->raise();
    m_status->setText(tr("%1 rows read in %2 s").arg(grouped(analysis->file.rowCount())).arg(analysis->seconds, 0, 'f', 2));
    m_timeline->clear();
    m_comparison->clear();
    m_comparedOptionsKey.clear();
    m_planner->setAnalysis(analysis);
    requestHeatmap();
    requestPlan();
    requestComparison();
    // The demo org gets every record the file refers to, so the file can be loaded as it is
    // (once it answers, if it is still starting).
    m_demoOrg->seedFrom(analysis->file.path());
}

void MainWindow::onMitigationChanged()
{
    // Sorting by parent is best seen with parents in the order it sends them.
    if (m_mitigation->mitigation().sortByParent && m_summary->parentOrder() != ParentOrder::ById)
        m_summary->setParentOrder(ParentOrder::ById);
    requestPlan();
    m_comparison->markCurrent(m_mitigation->mitigation());
    const PlanOptions options = planOptions();
    const QString key = QString::fromUtf8(QJsonDocument(options.profile.toJson()).toJson(QJsonDocument::Compact)) +
                        QStringLiteral("|%1|%2|%3").arg(options.batchSize.value_or(0)).arg(options.concurrency.value_or(0))
                            .arg(options.api ? apiName(*options.api) : QString());
    if (key != m_comparedOptionsKey)
        m_compareDebounce->start();
}

void MainWindow::requestPlan()
{
    if (!m_analysis->analysis())
        return;
    m_planner->setRequest(m_mitigation->mitigation(), planOptions(), m_mitigation->apiCallBudget());
}

void MainWindow::requestComparison()
{
    if (!m_analysis->analysis())
        return;
    const PlanOptions options = planOptions();
    m_comparedOptionsKey = QString::fromUtf8(QJsonDocument(options.profile.toJson()).toJson(QJsonDocument::Compact)) +
                           QStringLiteral("|%1|%2|%3").arg(options.batchSize.value_or(0)).arg(options.concurrency.value_or(0))
                               .arg(options.api ? apiName(*options.api) : QString());
    m_planner->compare(options);
}

void MainWindow::requestHeatmap()
{
    const AnalysisPtr analysis = m_analysis->analysis();
    if (!analysis)
        return;
    HeatmapOptions options;
    options.batchSize = m_mitigation->batchSize();
    options.order = m_summary->parentOrder();
    // About 3 pixels per parent bin and 2 per batch bin: every cell visible, none sub-pixel.
    const QSize area = m_heatmap->size();
    options.maxRows = std::clamp(area.height() / 3, 50, 300);
    options.maxColumns = std::clamp(area.width() / 2, 50, 1000);
    // Once a plan is predicted for this file the heatmap shows its send order and batches.
    const PlanResult &plan = m_planner->latest();
    m_heatmapBuilder->request(analysis, options, plan.analysis == analysis ? plan.order : SendOrder{});
}

void MainWindow::onFailed(const QString &message, const QString &path, qint64 line)
{
    setBusy(false);
    m_problems->showFatal(message, path, line);
    m_problemsDock->show();
    m_problemsDock->raise();
    const QString where = line > 0 ? QStringLiteral("%1, line %2").arg(path).arg(line) : path;
    m_status->setText(tr("Could not read %1").arg(QFileInfo(path).fileName()));
    if (!m_dialogsEnabled)
        return;
    QMessageBox box(QMessageBox::Warning, tr("Cannot read the file"), tr("<b>%1</b>").arg(message.toHtmlEscaped()),
                    QMessageBox::Ok, this);
    box.setInformativeText(where);
    box.setObjectName(QStringLiteral("readErrorDialog"));
    box.exec();
}

void MainWindow::onCancelled()
{
    setBusy(false);
    m_status->setText(tr("Cancelled."));
}

void MainWindow::setBusy(bool busy)
{
    m_progress->setVisible(busy);
    m_cancel->setVisible(busy);
    m_cancel->setEnabled(busy);
}

void MainWindow::restoreWindowState()
{
    QSettings settings;
    if (!restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray()))
        resize(1600, 1000);
    restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
    m_mitigation->setBatchSize(settings.value(QStringLiteral("plan/batchSize"), 2000).toInt());
    for (auto *splitter : findChildren<QSplitter *>())
        splitter->restoreState(settings.value(QStringLiteral("window/") + splitter->objectName()).toByteArray());
}

void MainWindow::saveWindowState() const
{
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    settings.setValue(QStringLiteral("plan/batchSize"), m_mitigation->batchSize());
    for (auto *splitter : findChildren<QSplitter *>())
        settings.setValue(QStringLiteral("window/") + splitter->objectName(), splitter->saveState());
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    m_analysis->cancel();
    m_demoOrg->stop();
    saveWindowState();
    event->accept();
}

void MainWindow::dragEnterEvent(QDragEnterEvent *event)
{
    if (event->mimeData()->hasUrls() && !event->mimeData()->urls().isEmpty() && event->mimeData()->urls().front().isLocalFile())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent *event)
{
    const auto urls = event->mimeData()->urls();
    if (!urls.isEmpty() && urls.front().isLocalFile()) {
        openFile(urls.front().toLocalFile());
        event->acceptProposedAction();
    }
}

} // namespace lockstep::ui
