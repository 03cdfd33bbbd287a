#include "MainWindow.h"

#include "HeatmapView.h"
#include "HistogramView.h"
#include "LockRulesPanel.h"
#include "ProblemsPanel.h"
#include "RecentFiles.h"
#include "SampleDialog.h"
#include "SkewPanel.h"
#include "SummaryPanel.h"
#include "UiFormat.h"

#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QPointer>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QVBoxLayout>
#include <QtConcurrent>

namespace lockstep::ui {

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent), m_analysis(new AnalysisController(this)), m_heatmapBuilder(new HeatmapBuilder(this)),
      m_recent(new RecentFiles(this)), m_summary(new SummaryPanel), m_heatmap(new HeatmapView), m_histogram(new HistogramView),
      m_skew(new SkewPanel), m_problems(new ProblemsPanel), m_lockRules(new LockRulesPanel), m_progress(new QProgressBar), m_cancel(new QPushButton(tr("Cancel"))),
      m_status(new QLabel)
{
    setWindowTitle(tr("Lockstep"));
    setObjectName(QStringLiteral("MainWindow"));
    setAcceptDrops(true);

    auto *central = new QWidget;
    auto *layout = new QVBoxLayout(central);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_summary);
    auto *split = new QSplitter(Qt::Horizontal);
    split->setObjectName(QStringLiteral("mainSplitter"));
    split->addWidget(m_heatmap);
    auto *side = new QSplitter(Qt::Vertical);
    side->setObjectName(QStringLiteral("sideSplitter"));
    side->addWidget(m_histogram);
    side->addWidget(m_skew);
    split->addWidget(side);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    layout->addWidget(split, 1);
    setCentralWidget(central);

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
    resizeDocks({m_problemsDock}, {140}, Qt::Vertical);

    m_progress->setRange(0, 1000);
    m_progress->setMaximumWidth(260);
    m_progress->setTextVisible(true);
    m_progress->setFormat(QStringLiteral("%p%"));
    statusBar()->addWidget(m_status, 1);
    statusBar()->addPermanentWidget(m_progress);
    statusBar()->addPermanentWidget(m_cancel);
    setBusy(false);

    buildMenus();
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
    connect(m_skew, &SkewPanel::parentSelected, m_heatmap, &HeatmapView::highlightParent);
    connect(m_heatmap, &HeatmapView::hovered, m_status, &QLabel::setText);
    connect(m_recent, &RecentFiles::fileChosen, this, &MainWindow::openFile);
    connect(m_lockRules, &LockRulesPanel::rulesChanged, this, &MainWindow::reanalyze);
    connect(m_summary, &SummaryPanel::skewThresholdChanged, this, &MainWindow::reanalyze);

    restoreWindowState();
}

MainWindow::~MainWindow() = default;

void MainWindow::buildMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    QAction *open = file->addAction(tr("&Open…"), this, &MainWindow::chooseFile);
    open->setShortcut(QKeySequence::Open);
    m_recentMenu = file->addMenu(tr("Open &Recent"));
    connect(m_recentMenu, &QMenu::aboutToShow, this, [this] { m_recent->fillMenu(m_recentMenu); });
    file->addAction(tr("&Generate Sample File…"), this, &MainWindow::showSampleDialog);
    file->addSeparator();
    QAction *quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QMenu *view = menuBar()->addMenu(tr("&View"));
    view->addAction(m_problemsDock->toggleViewAction());
    view->addAction(m_lockRulesDock->toggleViewAction());

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About Lockstep"), this, [this] {
        QMessageBox::about(this, tr("About Lockstep"),
                           tr("<b>Lockstep %1</b><p>Plan Salesforce data loads that never fail with "
                              "UNABLE_TO_LOCK_ROW: see which parents your rows lock, before anything is sent.</p>")
                               .arg(QStringLiteral(LOCKSTEP_VERSION)));
    });
}

AnalyzeOptions MainWindow::analyzeOptions() const
{
    AnalyzeOptions options;
    options.batchSize = m_summary->batchSize();
    options.distribution.skewThreshold = m_summary->skewThreshold();
    options.addRules = m_lockRules->addedRules();
    options.removeRules = m_lockRules->removedColumns();
    return options;
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

void MainWindow::generateSample(const SampleOptions &options, const QString &path)
{
    setBusy(true);
    m_status->setText(tr("Writing %1…").arg(QFileInfo(path).fileName()));
    QPointer<MainWindow> self(this);
    (void)QtConcurrent::run([self, options, path] {
        auto result = writeSample(path, options);
        QMetaObject::invokeMethod(
            self.data(),
            [self, path, result] {
                if (!self)
                    return;
                self->setBusy(false);
                if (!result) {
                    self->m_status->setText(result.error().toString());
                    if (self->m_dialogsEnabled)
                        QMessageBox::warning(self, tr("Sample not written"), result.error().toString());
                    return;
                }
                self->openFile(path);
            },
            Qt::QueuedConnection);
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
        m_problemsDock->show();
    m_status->setText(tr("%1 rows read in %2 s").arg(grouped(analysis->file.rowCount())).arg(analysis->seconds, 0, 'f', 2));
    requestHeatmap();
}

void MainWindow::requestHeatmap()
{
    const AnalysisPtr analysis = m_analysis->analysis();
    if (!analysis)
        return;
    HeatmapOptions options;
    options.batchSize = m_summary->batchSize();
    options.order = m_summary->parentOrder();
    // About 3 pixels per parent bin and 2 per batch bin: every cell visible, none sub-pixel.
    const QSize area = m_heatmap->size();
    options.maxRows = std::clamp(area.height() / 3, 50, 300);
    options.maxColumns = std::clamp(area.width() / 2, 50, 1000);
    m_heatmapBuilder->request(analysis, options);
}

void MainWindow::onFailed(const QString &message, const QString &path, qint64 line)
{
    setBusy(false);
    m_problems->showFatal(message, path, line);
    m_problemsDock->show();
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
        resize(1400, 900);
    restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
    const int batchSize = settings.value(QStringLiteral("heatmap/batchSize"), 2000).toInt();
    m_summary->setBatchSize(batchSize);
    for (auto *splitter : findChildren<QSplitter *>())
        splitter->restoreState(settings.value(QStringLiteral("window/") + splitter->objectName()).toByteArray());
}

void MainWindow::saveWindowState() const
{
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    settings.setValue(QStringLiteral("heatmap/batchSize"), m_summary->batchSize());
    for (auto *splitter : findChildren<QSplitter *>())
        settings.setValue(QStringLiteral("window/") + splitter->objectName(), splitter->saveState());
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    m_analysis->cancel();
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
