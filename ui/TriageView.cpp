#include "TriageView.h"

#include "BackgroundTask.h"
#include "UiFormat.h"
#include "UiTime.h"
#include "triage/BulkJobFolder.h"

#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QSplitter>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTextBrowser>
#include <QVBoxLayout>

namespace lockstep::ui {

namespace {

// Explanations shown in the view; the CLI's --json has them all.
constexpr int kShownExplanations = 300;

QTableWidget *table(const QStringList &headers)
{
    auto *t = new QTableWidget(0, int(headers.size()));
    t->setHorizontalHeaderLabels(headers);
    t->verticalHeader()->hide();
    t->setEditTriggers(QAbstractItemView::NoEditTriggers);
    t->setSelectionBehavior(QAbstractItemView::SelectRows);
    t->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    t->horizontalHeader()->setStretchLastSection(true);
    return t;
}

void fill(QTableWidget *t, const std::vector<QStringList> &rows)
{
    t->setRowCount(int(rows.size()));
    for (int r = 0; r < int(rows.size()); ++r)
        for (int c = 0; c < rows[size_t(r)].size(); ++c) {
            auto *item = new QTableWidgetItem(rows[size_t(r)][c]);
            if (c > 0)
                item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            t->setItem(r, c, item);
        }
}

Result<TriageReport> runTriage(const TriageRequest &request, const RunTarget &target, const Progress &progress)
{
    QTemporaryDir work;
    if (!work.isValid())
        return fail(ErrorKind::Io, QStringLiteral("cannot make a temporary folder: %1").arg(work.errorString()));
    TriageOptions options;
    std::optional<BulkJobFolder> folder;
    if (request.isJob()) {
        if (!target.isValid())
            return fail(ErrorKind::Usage, QStringLiteral("no org is connected to download job %1 from (File step: choose one)").arg(request.jobId));
        auto client = OrgClient::create(target.session, target.renew);
        if (!client)
            return std::unexpected(client.error());
        auto downloaded = downloadBulkJob(*client, request.jobId, work.filePath(QStringLiteral("job")), progress);
        if (!downloaded)
            return std::unexpected(downloaded.error());
        folder = std::move(*downloaded);
    } else if (!request.folder.isEmpty()) {
        if (!BulkJobFolder::isOne(request.folder))
            return fail(ErrorKind::NotFound, QStringLiteral("a folder, but not a Bulk job's documents (no job.xml or job.json)"), request.folder);
        auto read = BulkJobFolder::read(request.folder);
        if (!read)
            return std::unexpected(read.error());
        folder = std::move(*read);
    }
    if (folder) {
        auto prepared = triageOptionsFor(*folder, options, work.path());
        if (!prepared)
            return std::unexpected(prepared.error());
        options = std::move(*prepared);
    } else {
        options.files = request.files;
        options.source = request.source;
    }
    if (options.files.isEmpty())
        return fail(ErrorKind::Usage, QStringLiteral("choose the job's result files, a folder of its documents, or a job id"));
    for (const QString &file : options.files)
        if (!QFileInfo(file).isFile())
            return fail(ErrorKind::NotFound, QStringLiteral("no such file"), file);
    if (!options.source.isEmpty() && !QFileInfo(options.source).isFile())
        return fail(ErrorKind::NotFound, QStringLiteral("no such file"), options.source);
    return triage(options, progress);
}

} // namespace

TriageView::TriageView(QWidget *parent)
    : QWidget(parent), m_task(new BackgroundTask(this)), m_summary(new QLabel), m_progress(new QProgressBar),
      m_cancel(new QPushButton(tr("Cancel"))), m_codes(table({tr("Error code"), tr("Rows")})),
      m_parents(table({tr("Parent"), tr("Object"), tr("Locked rows"), tr("Children in the job"), tr("Skewed")})),
      m_batches(table({tr("Batch"), tr("State"), tr("Rows"), tr("Failed"), tr("Lock errors")})), m_explanations(new QTextBrowser)
{
    setObjectName(QStringLiteral("TriageView"));
    m_summary->setWordWrap(true);
    m_summary->setTextFormat(Qt::RichText);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_summary->setText(tr("<b>Why did a job fail?</b> File → Open Failed Job… takes its result files (Data Loader or Bulk API), a "
                          "folder of a Bulk job's documents, or a Bulk job's id on the org, and shows here which parents its lock "
                          "errors waited on, which batch held them, and how to load the failed rows."));
    m_progress->setRange(0, 1000);
    m_progress->hide();
    m_cancel->hide();
    m_parents->setToolTip(tr("The parents the failed rows waited on, most locked rows first"));
    m_batches->setToolTip(tr("Each batch of a Bulk API 1.0 job, with its failures"));
    m_explanations->setPlaceholderText(tr("Each lock error, explained: the batch that held the parent and when."));

    auto *progressRow = new QHBoxLayout;
    progressRow->addWidget(m_progress, 1);
    progressRow->addWidget(m_cancel);
    auto *tables = new QSplitter(Qt::Horizontal);
    tables->setObjectName(QStringLiteral("triageTables"));
    auto *left = new QSplitter(Qt::Vertical);
    left->addWidget(m_codes);
    left->addWidget(m_batches);
    tables->addWidget(left);
    tables->addWidget(m_parents);
    tables->setStretchFactor(0, 1);
    tables->setStretchFactor(1, 2);
    auto *body = new QSplitter(Qt::Vertical);
    body->setObjectName(QStringLiteral("triageBody"));
    body->addWidget(tables);
    body->addWidget(m_explanations);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_summary);
    layout->addLayout(progressRow);
    layout->addWidget(body, 1);
    connect(m_cancel, &QPushButton::clicked, this, &TriageView::cancel);
}

TriageView::~TriageView() = default;

void TriageView::start(const TriageRequest &request, const RunTarget &target)
{
    m_report.reset();
    m_summary->setText(request.isJob() ? tr("Downloading job %1 from %2…").arg(request.jobId, target.label)
                                       : tr("Reading %1…").arg(request.folder.isEmpty() ? request.files.join(QStringLiteral(", ")) : request.folder));
    m_progress->setValue(0);
    m_progress->show();
    m_cancel->show();
    m_task->start(
        [request, target, this](const BackgroundRun &run) {
            return runTriage(request, target, run.progress([this](int permille, const QString &phase) {
                if (permille >= 0)
                    m_progress->setValue(permille);
                if (!phase.isEmpty())
                    m_progress->setFormat(phase + QStringLiteral(" %p%"));
            }));
        },
        [this](const Result<TriageReport> &report) {
            m_progress->hide();
            m_cancel->hide();
            if (!report)
                return showError(report.error().toString());
            showReport(*report);
        });
}

void TriageView::cancel()
{
    m_task->cancel();
    m_progress->hide();
    m_cancel->hide();
    m_summary->setText(tr("Cancelled."));
}

void TriageView::showError(const QString &message)
{
    m_summary->setText(tr("<b style='color:#b00020'>The job could not be triaged:</b> %1<br>Check that these are the job's result "
                          "files (Data Loader's error and success files, or the Bulk API's results) and, for Bulk API 1.0 results, "
                          "give the load file the job sent.")
                           .arg(message.toHtmlEscaped()));
    emit failed(message);
}

void TriageView::showReport(const TriageReport &t)
{
    m_report = t;
    QStringList files;
    for (const TriageFile &f : t.files)
        files << QFileInfo(f.path).fileName();
    QString text = tr("<b>%1%2</b>: %3 %4 rows — %5 succeeded, <b>%6 failed</b>, %7 of them on a locked parent")
                       .arg(t.jobId.isEmpty() ? files.join(QStringLiteral(", ")).toHtmlEscaped() : tr("Job %1").arg(t.jobId),
                            t.jobId.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(files.join(QStringLiteral(", ")).toHtmlEscaped()),
                            t.object, operationName(t.operation))
                       .arg(grouped(t.succeeded), grouped(t.failed), grouped(t.lockedRows));
    if (t.lockedParentCount > 0)
        text += tr("<br>The lock errors waited on %1 parents; %2 of them skewed (over %3 children).")
                    .arg(grouped(t.lockedParentCount), grouped(t.skewedLockedParents), grouped(t.skewThreshold));
    if (t.recommended)
        text += tr("<br><b>What to do:</b> load the %1 locked rows again as %2 — predicted %3 lock errors in %4")
                    .arg(grouped(t.recommendedRows), t.recommended->mitigation.label(), grouped(qRound64(t.recommended->lockErrorRows)),
                         duration(t.recommended->durationSeconds));
    if (t.recommended && t.parallel)
        text += tr(" (sent again in parallel: %1 lock errors in %2).")
                    .arg(grouped(qRound64(t.parallel->lockErrorRows)), duration(t.parallel->durationSeconds));
    for (const QString &note : t.notes)
        text += QStringLiteral("<br><i>%1</i>").arg(note.toHtmlEscaped());
    m_summary->setText(text);

    std::vector<QStringList> codes;
    for (const auto &[code, n] : t.byCode)
        codes.push_back({code, grouped(n)});
    fill(m_codes, codes);
    std::vector<QStringList> parents;
    for (const LockedParent &p : t.lockedParents)
        parents.push_back({p.label, p.object, grouped(p.lockedRows), grouped(p.children), p.children > t.skewThreshold ? tr("yes") : QString()});
    fill(m_parents, parents);
    std::vector<QStringList> batches;
    for (const auto &b : t.byBatch)
        batches.push_back({b.batch.id, b.batch.state, grouped(b.batch.rows), grouped(b.failed), grouped(b.lockErrors)});
    fill(m_batches, batches);
    m_batches->setVisible(!batches.empty());

    QString html;
    int explained = 0;
    for (const ExplanationRun &run : explanationRuns(t.explanations)) {
        if (++explained > kShownExplanations) {
            html += tr("<p><i>… and more: lockstep-cli triage --json has every one.</i></p>");
            break;
        }
        html += QStringLiteral("<p>%1</p>").arg(run.text().toHtmlEscaped());
    }
    m_explanations->setHtml(html.isEmpty() ? tr("<p><i>No batch timings came with these files: the lock errors are counted by parent "
                                                "above. A Bulk API 1.0 job's folder or id explains each one.</i></p>")
                                           : html);
    emit shown();
}

} // namespace lockstep::ui
