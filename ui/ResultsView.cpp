#include "ResultsView.h"

#include "BackgroundTask.h"
#include "ParentGroupModel.h"
#include "ResultsTableModel.h"
#include "UiFormat.h"
#include "job/LockExplainer.h"

#include <QCheckBox>
#include <QComboBox>
#include <QStackedWidget>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QTableView>
#include <QTextBrowser>
#include <QTimer>
#include <QVBoxLayout>

namespace lockstep::ui {

namespace {

// The status combo's entries: "any" first, then every status by name.
const std::vector<std::optional<RowStatus>> kStatuses{std::nullopt, RowStatus::Failed, RowStatus::Succeeded, RowStatus::Unknown,
                                                      RowStatus::Pending, RowStatus::Sent};

} // namespace

ResultsView::ResultsView(QWidget *parent)
    : QWidget(parent), m_model(new ResultsTableModel(this)), m_status(new QComboBox), m_code(new QComboBox), m_parent(new QLineEdit),
      m_batch(new QSpinBox), m_attempts(new QSpinBox), m_search(new QLineEdit), m_count(new QLabel), m_table(new QTableView),
      m_groupBox(new QCheckBox(tr("Group by parent"))), m_groups(new ParentGroupModel(this)), m_groupTable(new QTableView),
      m_tables(new QStackedWidget), m_detail(new QTextBrowser), m_debounce(new QTimer(this)), m_explain(new BackgroundTask(this))
{
    for (const auto &s : kStatuses)
        m_status->addItem(s ? rowStatusName(*s) : tr("any status"));
    m_status->setToolTip(tr("Only rows in this status"));
    m_code->setEditable(true);
    m_code->lineEdit()->setPlaceholderText(tr("any error code"));
    m_code->setToolTip(tr("Only rows that failed with this error code"));
    m_parent->setPlaceholderText(tr("parent Id"));
    m_parent->setToolTip(tr("Only rows that lock this parent (15- or 18-character Id)"));
    m_parent->setClearButtonEnabled(true);
    m_batch->setRange(-1, 10000000);
    m_batch->setSpecialValueText(tr("any batch"));
    m_batch->setValue(-1);
    m_batch->setToolTip(tr("Only rows of this batch of the job"));
    m_attempts->setRange(0, 1000);
    m_attempts->setSpecialValueText(tr("any attempts"));
    m_attempts->setPrefix(tr("sent ≥ "));
    m_attempts->setToolTip(tr("Only rows sent at least this many times"));
    m_search->setPlaceholderText(tr("Search record Id, message, parents…"));
    m_search->setClearButtonEnabled(true);
    auto *clear = new QPushButton(tr("Clear filters"));

    auto *bar = new QHBoxLayout;
    bar->addWidget(m_status);
    bar->addWidget(m_code, 1);
    bar->addWidget(m_parent, 1);
    bar->addWidget(m_batch);
    bar->addWidget(m_attempts);
    bar->addWidget(m_search, 2);
    bar->addWidget(m_groupBox);
    bar->addWidget(clear);
    m_groupBox->setToolTip(tr("One line per parent: its rows by outcome, most failures first (double-click one to see its rows)"));

    m_table->setModel(m_model);
    m_table->setSortingEnabled(true);
    m_table->horizontalHeader()->setSortIndicator(ResultsTableModel::RowColumn, Qt::AscendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 6);
    m_table->setWordWrap(false);
    m_table->horizontalHeader()->setStretchLastSection(false);
    m_table->horizontalHeader()->setSectionResizeMode(ResultsTableModel::MessageColumn, QHeaderView::Stretch);
    for (const auto &[column, width] : {std::pair{ResultsTableModel::RowColumn, 80}, {ResultsTableModel::StatusColumn, 90},
                                        {ResultsTableModel::CodeColumn, 200}, {ResultsTableModel::RecordColumn, 170},
                                        {ResultsTableModel::ParentsColumn, 170}, {ResultsTableModel::BatchColumn, 70},
                                        {ResultsTableModel::AttemptsColumn, 75}})
        m_table->setColumnWidth(column, width);
    m_detail->setOpenLinks(false);
    m_detail->setPlaceholderText(tr("Select a row to see its record and why it failed."));

    m_groupTable->setModel(m_groups);
    m_groupTable->verticalHeader()->hide();
    m_groupTable->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_groupTable->horizontalHeader()->setSectionResizeMode(ParentGroupModel::ParentColumn, QHeaderView::Stretch);
    m_groupTable->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 6);
    m_tables->addWidget(m_table);
    m_tables->addWidget(m_groupTable);
    auto *split = new QSplitter(Qt::Vertical);
    split->addWidget(m_tables);
    split->addWidget(m_detail);
    split->setStretchFactor(0, 4);
    split->setStretchFactor(1, 1);
    split->setSizes({600, 110});

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(bar);
    layout->addWidget(m_count);
    layout->addWidget(split, 1);

    // Text is searched once typing pauses; everything else at once.
    m_debounce->setSingleShot(true);
    m_debounce->setInterval(250);
    connect(m_debounce, &QTimer::timeout, this, &ResultsView::applyBar);
    connect(m_search, &QLineEdit::textChanged, m_debounce, qOverload<>(&QTimer::start));
    connect(m_parent, &QLineEdit::textChanged, m_debounce, qOverload<>(&QTimer::start));
    connect(m_code, &QComboBox::currentTextChanged, m_debounce, qOverload<>(&QTimer::start));
    connect(m_status, &QComboBox::currentIndexChanged, this, &ResultsView::applyBar);
    connect(m_batch, &QSpinBox::valueChanged, m_debounce, qOverload<>(&QTimer::start));
    connect(m_attempts, &QSpinBox::valueChanged, m_debounce, qOverload<>(&QTimer::start));
    connect(clear, &QPushButton::clicked, this, [this] { setFilter({}); });
    connect(m_groupBox, &QCheckBox::toggled, this, &ResultsView::setGroupedByParent);
    connect(m_model, &ResultsTableModel::parentGroupsReady, this, [this](ParentGroupModel::Groups groups) {
        m_groups->setGroups(groups);
        m_count->setText(tr("%1 parents of the rows shown").arg(grouped(qint64(groups->size()))));
        emit parentGroupsShown(int(groups->size()));
    });
    connect(m_groupTable, &QTableView::doubleClicked, this, [this](const QModelIndex &index) {
        const ParentGroup *g = m_groups->group(index.row());
        if (!g)
            return;
        RowFilter filter = filterFromBar();
        filter.parent = g->parent;
        setGroupedByParent(false);
        setFilter(filter);
    });
    connect(m_model, &ResultsTableModel::filterApplied, this, [this](qint64 rows) {
        updateCount(rows);
        if (isGroupedByParent())
            m_model->groupByParent(m_model->filter());
        emit filterApplied(rows);
    });
    connect(m_model, &ResultsTableModel::failed, this, [this](const QString &message) { m_count->setText(tr("The rows could not be read: %1").arg(message)); });
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this](const QModelIndex &current) { showDetail(current.row()); });
    connect(m_model, &QAbstractItemModel::modelReset, this, [this] {
        // The table's selection model survives a reset; its current row does not.
        m_detail->clear();
    });
}

ResultsView::~ResultsView() = default;

bool ResultsView::showJob(const QString &storePath, qint64 job)
{
    if (!m_model->openJob(storePath, job)) {
        m_count->setText(tr("Job %1 cannot be shown: %2").arg(job).arg(m_model->lastError()));
        return false;
    }
    m_storePath = storePath;
    m_total = m_model->rowCount();
    // The codes this job failed with, most rows first.
    m_filling = true;
    m_code->clear();
    m_code->addItem(QString());
    if (auto store = JobStore::open(storePath)) {
        if (auto counts = (*store)->errorCounts(job)) {
            std::vector<std::pair<qint64, QString>> codes;
            for (const auto &[code, n] : *counts)
                codes.emplace_back(n, code);
            std::sort(codes.rbegin(), codes.rend());
            for (const auto &[n, code] : codes)
                m_code->addItem(code);
        }
    }
    m_code->setCurrentIndex(0);
    m_filling = false;
    updateCount(m_total);
    return true;
}

RowFilter ResultsView::filterFromBar() const
{
    RowFilter f;
    f.status = kStatuses[size_t(std::max(0, m_status->currentIndex()))];
    if (const QString code = m_code->currentText().trimmed(); !code.isEmpty())
        f.codes << code;
    f.parent = m_parent->text().trimmed();
    if (m_batch->value() >= 0)
        f.batch = m_batch->value();
    f.minAttempts = m_attempts->value();
    f.search = m_search->text().trimmed();
    return f;
}

void ResultsView::setFilter(const RowFilter &filter)
{
    m_filling = true;
    const auto it = std::find(kStatuses.begin(), kStatuses.end(), filter.status);
    m_status->setCurrentIndex(it == kStatuses.end() ? 0 : int(it - kStatuses.begin()));
    m_code->setCurrentText(filter.codes.value(0));
    m_parent->setText(filter.parent);
    m_batch->setValue(filter.batch.value_or(-1));
    m_attempts->setValue(filter.minAttempts);
    m_search->setText(filter.search);
    m_filling = false;
    m_debounce->stop();
    applyBar();
}

void ResultsView::applyBar()
{
    if (m_filling || m_storePath.isEmpty())
        return;
    const RowFilter f = filterFromBar();
    m_count->setText(tr("Finding rows…"));
    const auto header = m_table->horizontalHeader();
    RowOrder order = RowOrder::Row;
    switch (header->sortIndicatorSection()) {
    case ResultsTableModel::StatusColumn: order = RowOrder::Status; break;
    case ResultsTableModel::CodeColumn: order = RowOrder::Code; break;
    case ResultsTableModel::BatchColumn: order = RowOrder::Batch; break;
    case ResultsTableModel::AttemptsColumn: order = RowOrder::Attempts; break;
    default: break;
    }
    m_model->setFilter(f, order, header->sortIndicatorOrder() == Qt::DescendingOrder);
}

void ResultsView::updateCount(qint64 shown)
{
    m_count->setText(m_model->filter().empty() && shown == m_total ? tr("%1 rows").arg(grouped(m_total))
                                                                    : tr("%1 of %2 rows").arg(grouped(shown), grouped(m_total)));
}

void ResultsView::showDetail(int tableRow)
{
    const auto row = m_model->storedRow(tableRow);
    if (!row) {
        m_detail->clear();
        return;
    }
    const RowRecord &r = row->record;
    QString html = tr("<b>Row %1</b> — %2, batch %3, sent %4 time(s)").arg(grouped(row->row + 1), rowStatusName(r.status)).arg(row->batch).arg(r.attempts);
    if (!r.recordId.isEmpty())
        html += tr("<br>Record: %1%2").arg(r.recordId.toHtmlEscaped(), r.created ? tr(" (created)") : QString());
    if (!row->lockKeys.isEmpty())
        html += tr("<br>Parents it locks: %1").arg(QString(row->lockKeys).replace(QLatin1Char(';'), QStringLiteral(", ")).toHtmlEscaped());
    if (!r.statusCode.isEmpty())
        html += tr("<br><b>%1</b>: %2").arg(r.statusCode.toHtmlEscaped(), r.message.toHtmlEscaped());
    if (!r.fields.isEmpty())
        html += tr("<br>Fields: %1").arg(r.fields.join(QStringLiteral(", ")).toHtmlEscaped());
    m_detail->setHtml(html);
    if (r.statusCode != QLatin1String("UNABLE_TO_LOCK_ROW")) {
        emit detailShown(row->row);
        return;
    }
    // Why: the explanation reads the whole job's batches and parents — off the GUI thread.
    m_detail->append(tr("<i>Finding which batch held the parent…</i>"));
    const QString path = m_storePath;
    const qint64 job = m_model->job(), fileRow = row->row;
    m_explain->start(
        [path, job, fileRow](const BackgroundRun &) -> Result<JobExplanation> {
            auto store = JobStore::open(path);
            if (!store)
                return std::unexpected(store.error());
            return explainJob(**store, job, {fileRow});
        },
        [this, html, fileRow](Result<JobExplanation> e) {
            QString why;
            if (!e)
                why = tr("Why cannot be said: %1").arg(e.error().message.toHtmlEscaped());
            else if (e->rows.empty())
                why = tr("No lock error recorded for this row.");
            else
                why = tr("<b>Why:</b> %1").arg(e->rows.front().text().toHtmlEscaped());
            m_detail->setHtml(html + QStringLiteral("<br>") + why);
            emit detailShown(fileRow);
        });
}

void ResultsView::setGroupedByParent(bool groupedByParent)
{
    if (m_groupBox->isChecked() != groupedByParent) {
        m_groupBox->setChecked(groupedByParent);   // comes back here through toggled
        return;
    }
    m_tables->setCurrentWidget(groupedByParent ? static_cast<QWidget *>(m_groupTable) : m_table);
    if (groupedByParent) {
        m_count->setText(tr("Grouping by parent…"));
        m_model->groupByParent(m_model->filter());
    } else {
        updateCount(m_model->rowCount());
    }
}

bool ResultsView::isGroupedByParent() const
{
    return m_groupBox->isChecked();
}

} // namespace lockstep::ui
