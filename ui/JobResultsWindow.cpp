#include "JobResultsWindow.h"

#include "BackgroundTask.h"
#include "ResultsTableModel.h"
#include "ResultsView.h"
#include "UiFormat.h"
#include "job/JobExport.h"
#include "plan/Api.h"
#include "plan/Mitigation.h"
#include "store/JobStore.h"

#include <QComboBox>
#include <QDir>
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

JobResultsWindow::JobResultsWindow(QWidget *parent)
    : QWidget(parent, Qt::Window), m_jobs(new QComboBox), m_export(new QPushButton(tr("Export Results"))), m_status(new QLabel),
      m_results(new ResultsView), m_task(new BackgroundTask(this))
{
    setWindowTitle(tr("Job Results — Lockstep"));
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
    top->addWidget(m_export);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(m_status);
    layout->addWidget(m_results, 1);
    resize(1400, 850);

    connect(m_jobs, &QComboBox::activated, this, [this](int i) { showJob(m_jobs->itemData(i).toLongLong()); });
}

JobResultsWindow::~JobResultsWindow() = default;

bool JobResultsWindow::openStore(const QString &storePath, qint64 job)
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

bool JobResultsWindow::showJob(qint64 job)
{
    const int at = m_jobs->findData(job);
    if (at >= 0)
        m_jobs->setCurrentIndex(at);
    const bool shown = m_results->showJob(m_storePath, job);
    m_export->setEnabled(shown);
    m_status->setText(shown ? tr("Store: %1").arg(QDir::toNativeSeparators(m_storePath)) : QString());
    return shown;
}

void JobResultsWindow::chooseExport(ResultFormat format)
{
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Export the job's result files into"));
    if (!dir.isEmpty())
        exportResults(format, dir);
}

void JobResultsWindow::exportResults(ResultFormat format, const QString &directory)
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
