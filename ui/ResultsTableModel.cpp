#include "ResultsTableModel.h"

#include "BackgroundTask.h"
#include "UiFormat.h"

#include <QBrush>
#include <QColor>
#include <QtConcurrent>

namespace lockstep::ui {

ResultsTableModel::ResultsTableModel(QObject *parent)
    : QAbstractTableModel(parent), m_task(new BackgroundTask(this)), m_groupTask(new BackgroundTask(this))
{
}

void ResultsTableModel::groupByParent(const RowFilter &filter)
{
    if (!m_store)
        return;
    auto index = m_index;
    using Groups = std::shared_ptr<const std::vector<ParentGroup>>;
    m_groupTask->start(
        [index, filter](const BackgroundRun &) mutable -> Result<Groups> {
            const auto &built = index.result();   // waits here, off the GUI thread, while it is read
            if (!built)
                return std::unexpected(built.error());
            return std::make_shared<const std::vector<ParentGroup>>((*built)->groupByParent(filter));
        },
        [this](const Result<Groups> &groups) {
            if (!groups) {
                m_error = groups.error().message;
                emit failed(m_error);
                return;
            }
            emit parentGroupsReady(*groups);
        });
}

ResultsTableModel::~ResultsTableModel() = default;

bool ResultsTableModel::openJob(const QString &storePath, qint64 job)
{
    auto store = JobStore::open(storePath);
    if (!store) {
        m_error = store.error().message;
        return false;
    }
    auto list = JobRowList::open(**store, job);
    if (!list) {
        m_error = list.error().message;
        return false;
    }
    m_task->cancel();
    beginResetModel();
    m_storePath = storePath;
    m_store = std::move(*store);
    m_list = std::move(*list);
    m_totalRows = m_list.size();
    m_filter = {};
    m_pages.clear();
    m_pageIndex.clear();
    endResetModel();
    m_error.clear();
    // Its own store: a connection belongs to one thread.
    m_index = QtConcurrent::run([storePath, job]() -> Result<std::shared_ptr<const JobRowIndex>> {
        auto own = JobStore::open(storePath);
        if (!own)
            return std::unexpected(own.error());
        return JobRowIndex::build(**own, job);
    });
    return true;
}

void ResultsTableModel::setFilter(const RowFilter &filter, RowOrder order, bool descending)
{
    if (!m_store)
        return;
    m_filter = filter;
    const qint64 job = m_list.job(), total = m_totalRows;
    auto index = m_index;
    m_task->start(
        [index, job, total, filter, order, descending](const BackgroundRun &) mutable -> Result<JobRowList> {
            if (filter.empty() && order == RowOrder::Row)
                return JobRowList::ofAll(job, total, descending);   // no index needed
            const auto &built = index.result();   // waits here, off the GUI thread, while it is read
            if (!built)
                return std::unexpected(built.error());
            return JobRowList::ofRows(job, (*built)->select(filter, order, descending));
        },
        [this](Result<JobRowList> list) {
            if (!list) {
                m_error = list.error().message;
                emit failed(m_error);
                return;
            }
            beginResetModel();
            m_list = std::move(*list);
            m_pages.clear();
            m_pageIndex.clear();
            endResetModel();
            emit filterApplied(m_list.size());
        });
}

bool ResultsTableModel::isFiltering() const
{
    return m_task->isBusy();
}

const StoredRow *ResultsTableModel::rowAt(int tableRow) const
{
    if (!m_store || tableRow < 0 || tableRow >= rowCount())
        return nullptr;
    const qint64 page = tableRow / kPageRows;
    auto it = m_pageIndex.find(page);
    if (it == m_pageIndex.end()) {
        auto rows = m_list.fetch(*m_store, page * kPageRows, kPageRows);
        if (!rows)
            return nullptr;
        m_pages.emplace_front(page, std::move(*rows));
        it = m_pageIndex.emplace(page, m_pages.begin()).first;
        if (qsizetype(m_pages.size()) > kPagesKept) {
            m_pageIndex.erase(m_pages.back().first);
            m_pages.pop_back();
        }
    } else if (it->second != m_pages.begin()) {
        m_pages.splice(m_pages.begin(), m_pages, it->second);
    }
    const auto &rows = it->second->second;
    const qint64 at = tableRow - page * kPageRows;
    return at < qint64(rows.size()) ? &rows[size_t(at)] : nullptr;
}

std::optional<StoredRow> ResultsTableModel::storedRow(int tableRow) const
{
    if (const StoredRow *r = rowAt(tableRow))
        return *r;
    return std::nullopt;
}

int ResultsTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(std::min<qint64>(m_list.size(), std::numeric_limits<int>::max()));
}

int ResultsTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ResultsTableModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || (role != Qt::DisplayRole && role != Qt::ToolTipRole && role != Qt::ForegroundRole && role != Qt::TextAlignmentRole))
        return {};
    if (role == Qt::TextAlignmentRole)
        return index.column() == RowColumn || index.column() == BatchColumn || index.column() == AttemptsColumn
                   ? QVariant(int(Qt::AlignRight | Qt::AlignVCenter))
                   : QVariant();
    const StoredRow *r = rowAt(index.row());
    if (!r)
        return {};
    if (role == Qt::ForegroundRole) {
        if (index.column() != StatusColumn)
            return {};
        switch (r->record.status) {
        case RowStatus::Failed: return QBrush(QColor(0xc6, 0x28, 0x28));
        case RowStatus::Unknown: return QBrush(QColor(0xb2, 0x6a, 0x00));
        default: return {};
        }
    }
    switch (index.column()) {
    case RowColumn: return r->row + 1;
    case StatusColumn: return rowStatusName(r->record.status);
    case CodeColumn: return r->record.statusCode;
    case MessageColumn: return r->record.message;
    case RecordColumn: return r->record.recordId;
    case ParentsColumn: return QString(r->lockKeys).replace(QLatin1Char(';'), QStringLiteral(", "));
    case BatchColumn: return r->batch;
    case AttemptsColumn: return r->record.attempts;
    default: return {};
    }
}

QVariant ResultsTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case RowColumn: return tr("Row");
    case StatusColumn: return tr("Status");
    case CodeColumn: return tr("Error code");
    case MessageColumn: return tr("Message");
    case RecordColumn: return tr("Record Id");
    case ParentsColumn: return tr("Parents");
    case BatchColumn: return tr("Batch");
    case AttemptsColumn: return tr("Attempts");
    default: return {};
    }
}

void ResultsTableModel::sort(int column, Qt::SortOrder order)
{
    RowOrder by = RowOrder::Row;
    switch (column) {
    case StatusColumn: by = RowOrder::Status; break;
    case CodeColumn: by = RowOrder::Code; break;
    case BatchColumn: by = RowOrder::Batch; break;
    case AttemptsColumn: by = RowOrder::Attempts; break;
    default: by = RowOrder::Row; break;
    }
    setFilter(m_filter, by, order == Qt::DescendingOrder);
}

} // namespace lockstep::ui
