#include "MainWindow.h"

#include "AnalyseView.h"
#include "BackgroundTask.h"
#include "DemoOrgController.h"
#include "DemoSkewTour.h"
#include "DemoSummaryDialog.h"
#include "FileView.h"
#include "HeatmapView.h"
#include "JobLauncher.h"
#include "JobResultsPanel.h"
#include "MappingEditor.h"
#include "MappingPanel.h"
#include "MitigationPanel.h"
#include "OrgMenu.h"
#include "OrgPicker.h"
#include "PlanView.h"
#include "RecentFiles.h"
#include "RunController.h"
#include "RunView.h"
#include "SampleDialog.h"
#include "SummaryPanel.h"
#include "TriageDialog.h"
#include "TriageView.h"
#include "UiFormat.h"
#include "WindowMemory.h"

#include <QActionGroup>
#include <QApplication>
#include <QClipboard>
#include <QCloseEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QJsonDocument>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSplitter>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTabWidget>
#include <QVBoxLayout>

namespace lockstep::ui {

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent), m_analysis(new AnalysisController(this)), m_recent(new RecentFiles(this)),
      m_demoOrg(new DemoOrgController(this)), m_run(new RunController(this)), m_orgPicker(new OrgPicker(m_demoOrg)),
      m_steps(new StepBar), m_stack(new QStackedWidget), m_mappingEditor(new MappingEditor(this)),
      m_mappingPanel(new MappingPanel(m_mappingEditor)), m_fileView(new FileView(m_recent, m_orgPicker, m_mappingPanel)), m_analyse(new AnalyseView),
      m_plan(new PlanView), m_runView(new RunView(m_run)), m_results(new JobResultsPanel), m_triage(new TriageView),
      m_resultsTabs(new QTabWidget), m_tour(new DemoSkewTour(this)), m_launcher(new JobLauncher(m_run, m_demoOrg, m_orgPicker, this)), m_sampleTask(new BackgroundTask(this)),
      m_progress(new QProgressBar), m_cancel(new QPushButton(tr("Cancel"))), m_status(new QLabel)
{
    setWindowTitle(tr("Lockstep"));
    setObjectName(QStringLiteral("MainWindow"));
    setAcceptDrops(true);
    auto *central = new QWidget;
    auto *layout = new QVBoxLayout(central);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(m_steps);
    // Results: the jobs Lockstep ran, and the analysis of a failed job it did not run.
    m_resultsTabs->setObjectName(QStringLiteral("resultsTabs"));
    m_resultsTabs->addTab(m_results, tr("Jobs"));
    m_resultsTabs->addTab(m_triage, tr("Failed job analysis"));
    for (QWidget *view : std::initializer_list<QWidget *>{m_fileView, m_analyse, m_plan, m_runView, m_resultsTabs})
        m_stack->addWidget(view);
    layout->addWidget(m_stack, 1);
    setCentralWidget(central);

    m_progress->setRange(0, 1000);
    m_progress->setMaximumWidth(260);
    m_progress->setFormat(QStringLiteral("%p%"));
    m_cancel->setToolTip(tr("Stop reading the file (Esc)"));
    m_cancel->setShortcut(QKeySequence(Qt::Key_Escape));
    statusBar()->addWidget(m_status, 1);
    statusBar()->addPermanentWidget(m_progress);
    statusBar()->addPermanentWidget(m_cancel);
    setBusy(false);

    buildMenus();
    connectViews();
    WindowMemory::restore(*this, QStringLiteral("window"));
    m_plan->mitigationPanel()->setBatchSize(QSettings().value(QStringLiteral("plan/batchSize"), 2000).toInt());
    updateReachableSteps();
}

MainWindow::~MainWindow() = default;

PlanController *MainWindow::planner() const { return m_plan->planner(); }
HeatmapBuilder *MainWindow::heatmapBuilder() const { return m_analyse->heatmapBuilder(); }
HeatmapView *MainWindow::heatmap() const { return m_analyse->heatmap(); }
HistogramView *MainWindow::histogram() const { return m_analyse->histogram(); }
SkewPanel *MainWindow::skewPanel() const { return m_analyse->skewPanel(); }
ProblemsPanel *MainWindow::problemsPanel() const { return m_analyse->problemsPanel(); }
SummaryPanel *MainWindow::summary() const { return m_analyse->summary(); }
MitigationPanel *MainWindow::mitigationPanel() const { return m_plan->mitigationPanel(); }
PredictionPanel *MainWindow::predictionPanel() const { return m_plan->predictionPanel(); }
ComparisonView *MainWindow::comparison() const { return m_plan->comparison(); }
TimelineView *MainWindow::timeline() const { return m_plan->timeline(); }
const OrgProfile &MainWindow::profile() const { return m_plan->profile(); }

void MainWindow::buildMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&Open…"), QKeySequence::Open, this, &MainWindow::chooseFile);
    m_recentMenu = file->addMenu(tr("Open &Recent"));
    connect(m_recentMenu, &QMenu::aboutToShow, this, [this] { m_recent->fillMenu(m_recentMenu); });
    file->addAction(tr("&Generate Sample File…"), this, &MainWindow::showSampleDialog);
    file->addAction(tr("Load Org &Profile…"), this, &MainWindow::chooseProfile);
    file->addAction(tr("Open &Job Results…"), QKeySequence(Qt::CTRL | Qt::Key_J), this, [this] { showResults(); });
    file->addAction(tr("Open &Failed Job…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O), this, &MainWindow::chooseFailedJob);
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

    m_mappingEditor->fillEditMenu(menuBar()->addMenu(tr("&Edit")), [this] { goTo(Step::File); });

    QMenu *job = menuBar()->addMenu(tr("&Job"));
    job->addAction(tr("&Run Plan"), this, [this] {
        if (auto started = runPlan(); !started)
            warn(tr("The job did not start"), started.error().toString());
    });
    job->addAction(tr("&Pause or Resume"), QKeySequence(Qt::CTRL | Qt::Key_P), this, [this] {
        if (m_run->state() != RunController::State::Paused)
            m_run->pause();
        else if (auto resumed = m_launcher->resumeCurrent(); !resumed)
            warn(tr("The job was not resumed"), resumed.error().message);
    });
    job->addAction(tr("&Cancel Job"), this, [this] { m_run->cancel(); });
    job->addSeparator();
    job->addAction(tr("Retry All &Locked Rows…"), this, [this] {
        goTo(Step::Results);
        m_results->retryAllLocked();
    });

    m_orgMenu = new OrgMenu(menuBar(), m_demoOrg, m_orgPicker, [this](double scale) { return startDemoOrg(scale); }, this);
    connect(m_orgMenu, &OrgMenu::message, m_status, &QLabel::setText);
    connect(m_orgMenu, &OrgMenu::warning, this, &MainWindow::warn);
    connect(m_orgPicker, &OrgPicker::connectRequested, m_orgMenu, &OrgMenu::showConnectDialog);
    statusBar()->insertPermanentWidget(1, m_orgMenu->statusLabel());   // after the message, before the progress bar

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("Demo &Skew"), this, [this] { startDemoSkew(); })
        ->setToolTip(tr("Parallel, sort by parent and lanes on a house-account load, one after another on the demo org"));
    help->addSeparator();
    help->addAction(tr("&About Lockstep"), this, [this] {
        QMessageBox::about(this, tr("About Lockstep"),
                           tr("<b>Lockstep %1</b><p>Plan Salesforce data loads that never fail with "
                              "UNABLE_TO_LOCK_ROW: see which parents your rows lock, and what each mitigation "
                              "will do, before anything is sent; run it, watch it, and retry what failed.</p>")
                               .arg(QStringLiteral(LOCKSTEP_VERSION)));
    });
}

void MainWindow::connectViews()
{
    connect(m_steps, &StepBar::stepChosen, this, &MainWindow::goTo);
    connect(m_cancel, &QPushButton::clicked, m_analysis, &AnalysisController::cancel);
    connect(m_analysis, &AnalysisController::started, this, [this](const QString &path) {
        setBusy(true);
        m_progress->setValue(0);
        m_status->setText(tr("Reading %1…").arg(QFileInfo(path).fileName()));
        setWindowTitle(tr("%1 — Lockstep").arg(QFileInfo(path).fileName()));
    });
    connect(m_analysis, &AnalysisController::progressChanged, this, [this](int permille, const QString &phase) {
        if (permille >= 0)
            m_progress->setValue(permille);
        m_status->setText(phase);
    });
    connect(m_analysis, &AnalysisController::finished, this, &MainWindow::onFinished);
    connect(m_analysis, &AnalysisController::failed, this, &MainWindow::onFailed);
    connect(m_analysis, &AnalysisController::cancelled, this, [this] {
        setBusy(false);
        m_status->setText(tr("Cancelled."));
    });

    connect(m_fileView, &FileView::openRequested, this, &MainWindow::chooseFile);
    connect(m_fileView, &FileView::sampleRequested, this, &MainWindow::showSampleDialog);
    connect(m_fileView, &FileView::jobsRequested, this, [this] { showResults(); });
    connect(m_fileView, &FileView::failedJobRequested, this, &MainWindow::chooseFailedJob);
    connect(m_fileView, &FileView::fileChosen, this, &MainWindow::openFile);
    connect(m_mappingEditor, &MappingEditor::changed, this, &MainWindow::reanalyze);
    connect(m_recent, &RecentFiles::fileChosen, this, &MainWindow::openFile);

    connect(m_analyse, &AnalyseView::heatmapShown, this, &MainWindow::heatmapShown);
    connect(m_analyse, &AnalyseView::heatmapOptionsChanged, this, &MainWindow::requestHeatmap);
    connect(m_analyse, &AnalyseView::reanalyzeRequested, this, &MainWindow::reanalyze);
    connect(m_analyse, &AnalyseView::hovered, m_status, &QLabel::setText);
    connect(m_plan, &PlanView::planShown, this, [this] {
        requestHeatmap();
        updateReachableSteps();
    });
    connect(m_plan->mitigationPanel(), &MitigationPanel::changed, this, [this] {
        // Sorting by parent is best seen with parents in the order it sends them.
        if (m_plan->mitigationPanel()->mitigation().sortByParent && m_analyse->summary()->parentOrder() != ParentOrder::ById)
            m_analyse->summary()->setParentOrder(ParentOrder::ById);
    });
    connect(m_plan, &PlanView::runRequested, this, [this] {
        if (auto started = runPlan(); !started)
            warn(tr("The job did not start"), started.error().toString());
    });

    connect(m_run, &RunController::stateChanged, this, [this] { updateReachableSteps(); });
    connect(m_run, &RunController::finished, this, [this](const RunOutcome &outcome) {
        m_status->setText(tr("Job %1: %2 of %3 rows succeeded").arg(outcome.job).arg(grouped(outcome.report.succeeded), grouped(outcome.report.rows)));
        if (m_closeWhenStopped)
            close();
    });
    connect(m_run, &RunController::failed, this, [this](const QString &message) {
        m_status->setText(tr("The job stopped: %1").arg(message));
        if (m_closeWhenStopped)
            close();
    });
    connect(m_runView, &RunView::resumeRequested, this, [this] {
        if (auto resumed = m_launcher->resumeCurrent(); !resumed)
            warn(tr("The job was not resumed"), resumed.error().message);
    });
    connect(m_runView, &RunView::showResultsRequested, this, [this] { showResults(m_run->job()); });
    connect(m_results, &JobResultsPanel::retryRequested, this,
            [this](qint64 job, AnalysisPtr source, const RetrySelection &selection, const Mitigation &mitigation, const PlanOptions &options) {
                const HeatmapResult &heatmap = m_analyse->heatmapBuilder()->latest();
                if (auto started = m_launcher->retry(job, source, selection, mitigation, options, heatmap.analysis == source ? heatmap.grid : nullptr);
                    !started)
                    warn(tr("The retry did not start"), started.error().message);
            });
    connect(m_launcher, &JobLauncher::starting, this, [this](const QString &title, const AnalysisPtr &analysis, std::shared_ptr<const HeatmapGrid> grid) {
        m_runView->prepare(analysis, std::move(grid), title);
        m_steps->setReachable(Step::Run, true);
        goTo(Step::Run);
    });
    connect(m_launcher, &JobLauncher::waiting, m_status, &QLabel::setText);
    connect(m_launcher, &JobLauncher::refused, this, [this](const QString &message) {
        updateReachableSteps();
        warn(tr("The job did not start"), message);
    });
    connect(m_tour, &DemoSkewTour::stageChanged, this, [this](const QString &what) {
        m_status->setText(what);
        m_runView->log()->appendPlainText(what);
    });
    connect(m_tour, &DemoSkewTour::failed, this, [this](const QString &message) { warn(tr("Demo Skew stopped"), message); });
    connect(m_tour, &DemoSkewTour::finished, this, [this](const std::vector<DemoRun> &runs) {
        delete m_demoSummary;
        m_demoSummary = new DemoSummaryDialog(runs, this);
        if (m_dialogsEnabled)
            m_demoSummary->show();
        emit demoSummaryShown();
    });
    connect(m_orgPicker, &OrgPicker::targetChanged, this,
            [this] { m_plan->setTarget(m_orgPicker->target()); });
}

void MainWindow::goTo(Step step)
{
    if (!m_steps->isReachable(step))
        return;
    m_steps->setCurrent(step);
    m_stack->setCurrentIndex(int(step));
    if (step == Step::Results && m_results->currentJob() <= 0)
        showResults();
}

Step MainWindow::currentStep() const
{
    return m_steps->current();
}

void MainWindow::updateReachableSteps()
{
    const bool analysed = bool(m_analysis->analysis());
    m_steps->setReachable(Step::Analyse, analysed || !m_analysis->currentPath().isEmpty());
    m_steps->setReachable(Step::Plan, analysed);
    m_steps->setReachable(Step::Run, m_run->job() > 0 || m_run->isActive() || m_launcher->isWaitingForRecords());
    m_steps->setReachable(Step::Results, true);
}

Result<void> MainWindow::runPlan()
{
    const HeatmapResult &heatmap = m_analyse->heatmapBuilder()->latest();
    const AnalysisPtr analysis = m_analysis->analysis();
    auto started = m_launcher->run(analysis, m_plan->planner()->latest(), m_plan->profile(), heatmap.analysis == analysis ? heatmap.grid : nullptr);
    updateReachableSteps();
    return started;
}

void MainWindow::showResults(qint64 job)
{
    m_results->setSourceHint(m_analysis->analysis());
    m_results->openStore(m_run->storePath(), job);
    m_steps->setCurrent(Step::Results);
    m_stack->setCurrentWidget(m_resultsTabs);
    m_resultsTabs->setCurrentWidget(m_results);
}

void MainWindow::startDemoSkew(const QString &folder)
{
    if (m_run->isActive() || m_tour->isRunning())
        return warn(tr("Demo Skew"), tr("A job is running: let it finish, or cancel it, first."));
    if (!m_orgPicker->isDemoChosen())
        m_orgPicker->chooseDemo();
    if (!m_demoOrg->isRunning() && !m_demoOrg->isStarting())
        if (auto started = startDemoOrg(); !started)
            return warn(tr("Demo Skew"), started.error().toString());
    m_tour->start(folder);
}

void MainWindow::chooseFailedJob()
{
    const RunTarget target = m_orgPicker->target();
    TriageDialog dialog(target.isValid() ? target.label : QString(), this);
    if (dialog.exec() == QDialog::Accepted)
        triageFailedJob(dialog.request());
}

void MainWindow::triageFailedJob(const TriageRequest &request)
{
    m_triage->start(request, m_orgPicker->target());
    m_steps->setCurrent(Step::Results);
    m_stack->setCurrentWidget(m_resultsTabs);
    m_resultsTabs->setCurrentWidget(m_triage);
}

void MainWindow::offerResume()
{
    const auto jobs = RunController::interruptedJobs(m_run->storePath());
    if (jobs.empty() || m_run->isActive())
        return;
    const JobSummary &job = jobs.front();
    if (m_dialogsEnabled) {
        const auto answer = QMessageBox::question(
            this, tr("Resume the interrupted job?"),
            tr("Job %1 (%2 %3, %4 of %5 rows answered) %6. Resume it now? Rows whose answer was lost are looked up in the org "
               "first; none is sent twice.")
                .arg(job.id)
                .arg(job.spec.object, operationName(job.spec.operation), grouped(job.succeeded + job.failed + job.unknown), grouped(job.rows),
                     job.state == JobState::Paused ? tr("was paused") : tr("was still running when Lockstep stopped")));
        if (answer != QMessageBox::Yes)
            return;
    }
    if (auto resumed = m_launcher->resume(job); !resumed)
        warn(tr("The job was not resumed"), resumed.error().message);
}

Result<void> MainWindow::startDemoOrg(double scale, const QString &dataDir)
{
    QSettings settings;
    if (scale <= 0)
        scale = settings.value(QStringLiteral("demoOrg/scale"), 0.05).toDouble();
    auto started = m_demoOrg->start(scale, dataDir.isEmpty() ? DemoOrgController::defaultDataDir() : dataDir);
    m_orgMenu->refresh();
    if (!started)
        return started;
    settings.setValue(QStringLiteral("demoOrg/scale"), scale);
    if (const AnalysisPtr analysis = m_analysis->analysis())
        m_demoOrg->seedFrom(analysis->file.path());
    return {};
}

void MainWindow::openFile(const QString &path)
{
    // A new file starts from what Lockstep detects in it; the user's corrections come after.
    if (QFileInfo(path).absoluteFilePath() != QFileInfo(m_analysis->currentPath()).absoluteFilePath())
        m_mappingEditor->reset();
    AnalyzeOptions options;
    options.batchSize = m_plan->mitigationPanel()->batchSize();
    m_mappingEditor->mapping().applyTo(options);
    m_analyse->fillOptions(options);
    m_analysis->open(path, options);
    updateReachableSteps();
    goTo(Step::Analyse);
}

void MainWindow::reanalyze()
{
    if (m_analysis->currentPath().isEmpty())
        return;
    AnalyzeOptions options;
    options.batchSize = m_plan->mitigationPanel()->batchSize();
    m_mappingEditor->mapping().applyTo(options);
    m_analyse->fillOptions(options);
    m_analysis->open(m_analysis->currentPath(), options);
}

Result<void> MainWindow::loadProfile(const QString &path)
{
    auto profile = OrgProfile::load(path);
    if (!profile)
        return std::unexpected(profile.error());
    m_plan->setProfile(*profile);
    m_status->setText(tr("Org profile %1 loaded").arg(QFileInfo(path).fileName()));
    return {};
}

void MainWindow::chooseProfile()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Load an org profile"), QString(), tr("Org profiles (*.json)"));
    if (path.isEmpty())
        return;
    if (auto loaded = loadProfile(path); !loaded)
        warn(tr("Profile not loaded"), loaded.error().toString());
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
    goTo(Step::Plan);
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
                warn(tr("Sample not written"), result.error().toString());
                return;
            }
            openFile(path);
        });
}

void MainWindow::onFinished(const AnalysisPtr &analysis)
{
    setBusy(false);
    m_recent->add(analysis->file.path());
    m_analyse->setAnalysis(analysis);
    m_mappingPanel->setAnalysis(analysis);
    m_fileView->setLoadShown(true);
    m_status->setText(tr("%1 rows read in %2 s").arg(grouped(analysis->file.rowCount())).arg(analysis->seconds, 0, 'f', 2));
    m_plan->setAnalysis(analysis);
    requestHeatmap();
    updateReachableSteps();
    // The demo org gets every record the file refers to, so the file can be loaded as it is
    // (once it answers, if it is still starting).
    m_demoOrg->seedFrom(analysis->file.path());
}

void MainWindow::requestHeatmap()
{
    const AnalysisPtr analysis = m_analysis->analysis();
    if (!analysis)
        return;
    // Once a plan is predicted for this file the heatmap shows its send order and batches.
    const PlanResult &plan = m_plan->planner()->latest();
    m_analyse->requestHeatmap(m_plan->mitigationPanel()->batchSize(), plan.analysis == analysis ? plan.order : SendOrder{});
}

void MainWindow::onFailed(const QString &message, const QString &path, qint64 line)
{
    setBusy(false);
    m_analyse->showFatal(message, path, line);
    updateReachableSteps();
    m_steps->setReachable(Step::Analyse, true);
    goTo(Step::Analyse);
    const QString where = line > 0 ? QStringLiteral("%1, line %2").arg(path).arg(line) : path;
    m_status->setText(tr("Could not read %1").arg(QFileInfo(path).fileName()));
    if (!m_dialogsEnabled)
        return;
    QMessageBox box(QMessageBox::Warning, tr("Cannot read the file"), tr("<b>%1</b>").arg(message.toHtmlEscaped()),
                    QMessageBox::Ok, this);
    box.setInformativeText(m_mappingEditor->explainReadError(where));
    box.setObjectName(QStringLiteral("readErrorDialog"));
    box.exec();
}

void MainWindow::warn(const QString &title, const QString &message)
{
    m_status->setText(message);
    if (m_dialogsEnabled)
        QMessageBox::warning(this, title, message);
}

void MainWindow::setBusy(bool busy)
{
    m_progress->setVisible(busy);
    m_cancel->setVisible(busy);
    m_cancel->setEnabled(busy);
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (m_run->isActive()) {
        // Closing mid-run asks; a job is paused (and resumable), never abandoned mid-request.
        if (!m_closeWhenStopped && m_dialogsEnabled &&
            QMessageBox::question(this, tr("A job is running"),
                                  tr("Job %1 is still running. Pause it and quit? Requests already sent are answered and "
                                     "recorded first; resume the job next time.")
                                      .arg(m_run->job())) != QMessageBox::Yes) {
            event->ignore();
            return;
        }
        m_closeWhenStopped = true;
        m_status->setText(tr("Pausing job %1 before quitting…").arg(m_run->job()));
        m_run->pause();
        event->ignore();
        return;
    }
    m_analysis->cancel();
    m_demoOrg->stop();
    WindowMemory::save(*this, QStringLiteral("window"));
    QSettings().setValue(QStringLiteral("plan/batchSize"), m_plan->mitigationPanel()->batchSize());
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
