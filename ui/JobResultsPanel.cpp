#include "JobResultsPanel.h"

#include "BackgroundTask.h"
#include "ResultsTableModel.h"
#include "ResultsView.h"
#include "RetryDialog.h"
#include "PlanController.h"
#include "UiFormat.h"
#include "job/JobExport.h"
#include "plan/Api.h"
#include "plan/Mitigation.h"
#include "store/JobStore.h"

#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QItemSelectionModel>
#include <QShortcut>
#include <QTableView>
#include <QDir>
#include <QFileInfo>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QPushButton>
#include <QVBoxLayout>

namespace lockstep::ui {

namespace {

// "Bulk API 1.0 (parallel)", "Parent-aware lanes": as the rest of the window names them.
QString apiText(const QString &key)
{
    const auto api = parseApi(key);
    return api ? apiLabel(*api) : key;
}

QString mitigationText(const QString &key)
{
    const auto m = Mitigation::parse(key);
    return m ? m->label() : key;
}

} // namespace

JobResultsPanel::JobResultsPanel(QWidget *parent)
    : QWidget(parent), m_jobs(new QComboBox), m_retryLocked(new QPushButton(tr("Retry All Locked…"))),
      m_retrySelected(new QPushButton(tr("Retry Selected…"))), m_copy(new QPushButton(tr("Copy Rows"))),
      m_export(new QPushButton(tr("Export Results"))), m_status(new QLabel), m_results(new ResultsView), m_task(new BackgroundTask(this)),
      m_sourceTask(new BackgroundTask(this))
{
    setObjectName(QStringLiteral("JobResultsPanel"));
    setWindowTitle(tr("Job Results — Lockstep"));
    m_retryLocked->setObjectName(QStringLiteral("retryLocked"));
    m_retryLocked->setToolTip(tr("Send the rows that failed with UNABLE_TO_LOCK_ROW again, as a retry job (Ctrl+Shift+R)"));
    m_retryLocked->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R));
    m_retrySelected->setToolTip(tr("Send the selected failed rows again, as a retry job"));
    m_copy->setToolTip(tr("Copy the selected rows as tab-separated text (Ctrl+C in the table)"));
    m_jobs->setMinimumContentsLength(60);
    m_jobs->setToolTip(tr("The jobs of this job store, newest first"));
    auto *menu = new QMenu(m_export);
    for (const auto &[format, label] : {std::pair{ResultFormat::DataLoader, tr("Data Loader (success and error files)")},
                                        {ResultFormat::DataLoaderBulkV2, tr("Data Loader, Bulk API 2.0 flavour")},
                                        {ResultFormat::BulkV2, tr("Bulk API 2.0 / Salesforce CLI (successful, failed, unprocessed)")},
                                        {ResultFormat::Full, tr("Lockstep's full report (every row)")}})
        menu->addAction(label, this, [this, f = format] { chooseExport(f); });
    m_export->setMenu(menu);
    m_export->setToolTip(tr("Write the job's result files (its source file must be unchanged)"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto *top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("Job:")));
    top->addWidget(m_jobs, 1);
    top->addWidget(m_retryLocked);
    top->addWidget(m_retrySelected);
    top->addWidget(m_copy);
    top->addWidget(m_export);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(m_status);
    layout->addWidget(m_results, 1);
    connect(m_jobs, &QComboBox::activated, this, [this](int i) { showJob(m_jobs->itemData(i).toLongLong()); });
    connect(m_retryLocked, &QPushButton::clicked, this, &JobResultsPanel::retryAllLocked);
    connect(m_retrySelected, &QPushButton::clicked, this, &JobResultsPanel::retrySelected);
    connect(m_copy, &QPushButton::clicked, this, &JobResultsPanel::copySelectedRows);
    auto *copy = new QShortcut(QKeySequence::Copy, m_results->table(), nullptr, nullptr, Qt::WidgetShortcut);
    connect(copy, &QShortcut::activated, this, &JobResultsPanel::copySelectedRows);
    connect(m_results->table()->selectionModel(), &QItemSelectionModel::selectionChanged, this, &JobResultsPanel::updateButtons);
    updateButtons();
}

qint64 JobResultsPanel::currentJob() const
{
    return m_results->model()->job();
}

void JobResultsPanel::updateButtons()
{
    const bool shown = currentJob() > 0;
    m_retryLocked->setEnabled(shown);
    m_retrySelected->setEnabled(shown && m_results->table()->selectionModel()->hasSelection());
    m_copy->setEnabled(shown && m_results->table()->selectionModel()->hasSelection());
}

QString JobResultsPanel::selectedRowsText() const
{
    const auto *model = m_results->model();
    QStringList lines;
    QStringList header;
    for (int c = 0; c < model->columnCount(); ++c)
        header << model->headerData(c, Qt::Horizontal).toString();
    lines << header.join(QLatin1Char('\t'));
    auto rows = m_results->table()->selectionModel()->selectedRows();
    std::sort(rows.begin(), rows.end(), [](const QModelIndex &a, const QModelIndex &b) { return a.row() < b.row(); });
    for (const QModelIndex &index : rows) {
        QStringList cells;
        for (int c = 0; c < model->columnCount(); ++c)
            cells << model->data(model->index(index.row(), c)).toString().replace(QLatin1Char('\t'), QLatin1Char(' ')).replace(QLatin1Char('\n'), QLatin1Char(' '));
        lines << cells.join(QLatin1Char('\t'));
    }
    return lines.join(QLatin1Char('\n')) + QLatin1Char('\n');
}

void JobResultsPanel::copySelectedRows()
{
    if (!m_results->table()->selectionModel()->hasSelection())
        return;
    QApplication::clipboard()->setText(selectedRowsText());
    m_status->setText(tr("Copied %1 rows").arg(grouped(m_results->table()->selectionModel()->selectedRows().size())));
}

void JobResultsPanel::retryAllLocked()
{
    openRetry(RetrySelection::lockErrors(), tr("Every row that failed with UNABLE_TO_LOCK_ROW"));
}

void JobResultsPanel::retrySelected()
{
    RetrySelection selection;
    for (const QModelIndex &index : m_results->table()->selectionModel()->selectedRows())
        if (const auto row = m_results->model()->storedRow(index.row()))
            selection.rows.push_back(row->row);
    std::sort(selection.rows.begin(), selection.rows.end());
    if (selection.rows.empty())
        return;
    openRetry(selection, tr("%1 selected rows (those that failed)").arg(grouped(qint64(selection.rows.size()))));
}

void JobResultsPanel::openRetry(const RetrySelection &selection, const QString &what)
{
    const qint64 job = currentJob();
    auto store = JobStore::open(m_storePath);
    if (!store)
        return m_status->setText(store.error().toString());
    auto summary = (*store)->job(job);
    if (!summary)
        return m_status->setText(summary.error().toString());
    const JobSummary js = *summary;
    auto show = [this, js, selection, what](AnalysisPtr source) {
        // The retry keeps the job's API; the planner decides how it is scheduled.
        PlanOptions options = PlanController::optionsFor(*source, OrgProfile::fromJson(js.spec.profile).value_or(OrgProfile{}));
        options.api = parseApi(js.spec.api.section(QLatin1Char('-'), 0, 0));
        delete m_retryDialog;
        m_retryDialog = new RetryDialog(m_storePath, js, source, selection, what, options, this);
        connect(m_retryDialog, &QDialog::accepted, this, [this, js, source, options] {
            emit retryRequested(js.id, source, m_retryDialog->selection(), m_retryDialog->mitigation(), options);
        });
        m_retryDialog->open();
        emit retryDialogShown();
    };
    const bool hintFits = m_sourceHint && QFileInfo(m_sourceHint->file.path()).absoluteFilePath() == js.spec.sourcePath &&
                          qint64(m_sourceHint->file.sizeBytes()) == js.spec.sourceSize;
    if (hintFits)
        return show(m_sourceHint);
    m_status->setText(tr("Reading job %1's source %2…").arg(js.id).arg(QDir::toNativeSeparators(js.spec.sourcePath)));
    m_sourceTask->start([js](const BackgroundRun &run) { return loadJobSource(js, Progress{{}, run.cancelToken()}); },
                        [this, show](const Result<std::shared_ptr<FileAnalysis>> &source) {
                            if (!source) {
                                m_status->setText(tr("The job cannot be retried: %1").arg(source.error().toString()));
                                emit failed(source.error().message);
                                return;
                            }
                            m_status->clear();
                            show(*source);
                        });
}

JobResultsPanel::~JobResultsPanel() = default;

bool JobResultsPanel::openStore(const QString &storePath, qint64 job)
{
    m_storePath = storePath;
    m_jobs->clear();
    auto store = JobStore::open(storePath);
    if (!store) {
        m_status->setText(tr("The job store %1 cannot be read: %2").arg(storePath, store.error().message));
        return false;
    }
    auto all = (*store)->jobs();
    if (!all) {
        m_status->setText(tr("The job store %1 cannot be read: %2").arg(storePath, all.error().message));
        return false;
    }
    if (all->empty()) {
        m_status->setText(tr("No job in %1 yet: run one (Run, or lockstep-cli run) and its rows show here.").arg(storePath));
        m_export->setEnabled(false);
        return true;
    }
    std::vector<JobSummary> jobs = std::move(*all);
    std::sort(jobs.begin(), jobs.end(), [](const JobSummary &a, const JobSummary &b) { return a.id > b.id; });
    for (const JobSummary &j : jobs) {
        const qint64 retryOf = j.spec.run.value(QStringLiteral("retryOf")).toInteger();
        m_jobs->addItem(tr("Job %1%2 — %3 %4 over %5, %6, %7: %8 of %9 rows failed")
                            .arg(j.id)
                            .arg(retryOf > 0 ? tr(" (retry of %1)").arg(retryOf) : QString())
                            .arg(j.spec.object, operationName(j.spec.operation), apiText(j.spec.api), mitigationText(j.spec.mitigation),
                                 jobStateName(j.state))
                            .arg(grouped(j.failed + j.unknown), grouped(j.rows)),
                        j.id);
    }
    return showJob(job > 0 ? job : jobs.front().id);
}

bool JobResultsPanel::showJob(qint64 job)
{
    const int at = m_jobs->findData(job);
    if (at >= 0)
        m_jobs->setCurrentIndex(at);
    const bool shown = m_results->showJob(m_storePath, job);
    m_export->setEnabled(shown);
    updateButtons();
    m_status->setText(shown ? tr("Store: %1").arg(QDir::toNativeSeparators(m_storePath)) : QString());
    return shown;
}

void JobResultsPanel::chooseExport(ResultFormat format)
{
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Export the job's result files into"));
    if (!dir.isEmpty())
        exportResults(format, dir);
}

void JobResultsPanel::exportResults(ResultFormat format, const QString &directory)
{
    const qint64 job = m_results->model()->job();
    const QString path = m_storePath;
    m_export->setEnabled(false);
    m_status->setText(tr("Writing job %1's result files…").arg(job));
    m_task->start(
        [path, job, format, directory](const BackgroundRun &run) -> Result<ResultFileSet> {
            auto store = JobStore::open(path);
            if (!store)
                return std::unexpected(store.error());
            auto summary = (*store)->job(job);
            if (!summary)
                return std::unexpected(summary.error());
            auto source = loadJobSource(*summary, Progress{{}, run.cancelToken()});
            if (!source)
                return std::unexpected(source.error());
            return writeJobResults(**store, job, **source, summary->spec.operation, format, directory, Progress{{}, run.cancelToken()});
        },
        [this](Result<ResultFileSet> files) {
            m_export->setEnabled(true);
            if (!files) {
                m_status->setText(tr("The result files were not written: %1").arg(files.error().message.toHtmlEscaped()));
                emit failed(files.error().message);
                return;
            }
            QStringList names;
            for (const QString &p : files->paths)
                names << QDir::toNativeSeparators(p);
            m_status->setText(tr("Wrote %1: %2 succeeded, %3 failed").arg(names.join(QStringLiteral(", ")), grouped(files->succeeded), grouped(files->failed)));
            emit exported(files->paths);
        });
}

} // namespace lockstep::ui
