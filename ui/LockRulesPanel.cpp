#include "LockRulesPanel.h"

#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

namespace lockstep::ui {

namespace {
enum Column { ColumnName, Role, Locks, Target, Why, ColumnCount };
}

LockRulesPanel::LockRulesPanel(QWidget *parent)
    : QWidget(parent), m_header(new QLabel(this)), m_table(new QTableWidget(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    m_header->setWordWrap(true);
    layout->addWidget(m_header);
    m_table->setColumnCount(ColumnCount);
    m_table->setHorizontalHeaderLabels({tr("Column"), tr("Role"), tr("Locks"), tr("Locked object"), tr("Why")});
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setSelectionMode(QAbstractItemView::NoSelection);
    layout->addWidget(m_table, 1);
    auto *reset = new QPushButton(tr("Back to the built-in rules"), this);
    layout->addWidget(reset, 0, Qt::AlignLeft);
    connect(reset, &QPushButton::clicked, this, [this] {
        resetOverrides();
        emit rulesChanged();
    });
    connect(m_table, &QTableWidget::itemChanged, this, [this](QTableWidgetItem *item) {
        if (m_updating || item->column() != Locks)
            return;
        setColumnLocks(m_table->item(item->row(), ColumnName)->text(), item->checkState() == Qt::Checked);
    });
    rebuild();
}

void LockRulesPanel::resetOverrides()
{
    m_added.clear();
    m_removed.clear();
}

void LockRulesPanel::setColumnLocks(const QString &column, bool locks)
{
    auto sameColumn = [&](const QString &c) { return c.compare(column, Qt::CaseInsensitive) == 0; };
    std::erase_if(m_added, [&](const LockRule &r) { return sameColumn(r.column); });
    m_removed.removeIf(sameColumn);
    bool builtIn = false;
    if (m_analysis) {
        const LockRules defaults = LockRules::builtIn(m_analysis->roles.object, m_analysis->operation, m_analysis->roles);
        for (const auto &r : defaults.rules())
            builtIn |= sameColumn(r.column);
    }
    if (locks && !builtIn) {
        LockRule rule;
        rule.column = column;
        rule.reason = LockReason::RestrictedLookup;
        if (m_analysis)
            if (const ColumnInfo *info = m_analysis->roles.find(column); info && !info->targetObjects.isEmpty())
                rule.target = info->targetObjects.front();
        rule.why = tr("added by you: a lookup that locks its record (e.g. a restricted or required lookup)");
        rule.userDefined = true;
        m_added.push_back(rule);
    } else if (!locks && builtIn) {
        m_removed << column;
    }
    emit rulesChanged();
}

void LockRulesPanel::setAnalysis(AnalysisPtr analysis)
{
    m_analysis = std::move(analysis);
    rebuild();
}

void LockRulesPanel::rebuild()
{
    m_updating = true;
    m_table->setRowCount(0);
    if (!m_analysis) {
        m_header->setText(tr("Open a file to see which of its columns lock which records."));
        m_updating = false;
        return;
    }
    m_header->setText(tr("A %1 %2 locks, besides each row's own record, the records named by the ticked columns "
                         "(for the whole transaction). Tick a column whose lookup locks its record in your org "
                         "(master-detail, roll-up, restricted lookup); untick one that does not.")
                          .arg(m_analysis->roles.object.isEmpty() ? tr("row") : m_analysis->roles.object,
                               operationName(m_analysis->operation)));
    const auto &rules = m_analysis->rules.rules();
    for (const ColumnInfo &c : m_analysis->roles.columns) {
        const bool candidate = c.role == ColumnRole::Lookup || c.role == ColumnRole::RelationshipLookup ||
                               c.role == ColumnRole::RecordId;
        const auto rule = std::find_if(rules.begin(), rules.end(),
                                       [&](const LockRule &r) { return r.column.compare(c.name, Qt::CaseInsensitive) == 0; });
        if (!candidate && rule == rules.end())
            continue;
        const int row = m_table->rowCount();
        m_table->insertRow(row);
        auto readOnly = [](const QString &text) {
            auto *item = new QTableWidgetItem(text);
            item->setFlags(Qt::ItemIsEnabled);
            return item;
        };
        m_table->setItem(row, ColumnName, readOnly(c.name));
        m_table->setItem(row, Role, readOnly(roleName(c.role)));
        auto *check = new QTableWidgetItem;
        check->setFlags(Qt::ItemIsEnabled | Qt::ItemIsUserCheckable);
        check->setCheckState(rule != rules.end() ? Qt::Checked : Qt::Unchecked);
        m_table->setItem(row, Locks, check);
        const QString target = rule != rules.end()
                                   ? (rule->reason == LockReason::SharingGroup ? tr("org-wide sharing group")
                                      : rule->target.isEmpty()                 ? tr("the record named")
                                                                               : rule->target)
                                   : c.targetObjects.join(QStringLiteral(" / "));
        m_table->setItem(row, Target, readOnly(target));
        m_table->setItem(row, Why, readOnly(rule != rules.end() ? rule->why : tr("does not lock (clear-the-value lookup)")));
    }
    m_table->resizeColumnsToContents();
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_updating = false;
}

} // namespace lockstep::ui
