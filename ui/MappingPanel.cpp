#include "MappingPanel.h"

#include "MappingEditor.h"

#include <QComboBox>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <QRegularExpression>
#include <QTableWidget>
#include <QToolButton>
#include <QUndoStack>
#include <QVBoxLayout>

namespace lockstep::ui {

namespace {

enum Column { ColumnName, Role, PointsTo, Locks, Locked, Why, ColumnCount };

// The roles a user can give a column, in the role combo's order.
constexpr ColumnRole kEditableRoles[] = {ColumnRole::Data, ColumnRole::RecordId, ColumnRole::Lookup};

QString roleLabel(ColumnRole role)
{
    switch (role) {
    case ColumnRole::Data: return MappingPanel::tr("Data");
    case ColumnRole::RecordId: return MappingPanel::tr("Record Id");
    case ColumnRole::Lookup: return MappingPanel::tr("Lookup");
    case ColumnRole::RelationshipLookup: return MappingPanel::tr("Lookup by external id");
    default: return roleName(role);
    }
}

// Objects a data load commonly targets; any other (a custom Invoice__c) can be typed.
const QStringList &commonObjects()
{
    static const QStringList objects{QStringLiteral("Account"),  QStringLiteral("Asset"),       QStringLiteral("Campaign"),
                                     QStringLiteral("CampaignMember"), QStringLiteral("Case"),  QStringLiteral("Contact"),
                                     QStringLiteral("Contract"), QStringLiteral("Event"),       QStringLiteral("Lead"),
                                     QStringLiteral("Opportunity"), QStringLiteral("OpportunityLineItem"), QStringLiteral("Order"),
                                     QStringLiteral("OrderItem"), QStringLiteral("Quote"),      QStringLiteral("Task")};
    return objects;
}

QStringList targetsFromText(const QString &text)
{
    QStringList out;
    for (const QString &part : text.split(QRegularExpression(QStringLiteral("[,/;| ]+")), Qt::SkipEmptyParts))
        out << part.trimmed();
    return out;
}

} // namespace

MappingPanel::MappingPanel(MappingEditor *editor, QWidget *parent)
    : QWidget(parent), m_editor(editor), m_summary(new QLabel(this)), m_object(new QComboBox(this)), m_operation(new QComboBox(this)),
      m_externalId(new QComboBox(this)), m_undo(new QToolButton(this)), m_redo(new QToolButton(this)),
      m_reset(new QPushButton(tr("As Detected"), this)), m_table(new QTableWidget(this))
{
    setObjectName(QStringLiteral("MappingPanel"));
    m_summary->setWordWrap(true);
    m_summary->setTextFormat(Qt::RichText);

    m_object->setEditable(true);
    m_object->setInsertPolicy(QComboBox::NoInsert);
    m_object->addItems(commonObjects());
    m_object->setToolTip(tr("The object the rows load into: its lock rules apply. Type a custom object's API name (Invoice__c) "
                            "and press Enter."));
    for (const Operation op : {Operation::Insert, Operation::Update, Operation::Upsert, Operation::Delete})
        m_operation->addItem(operationName(op), int(op));
    m_operation->setToolTip(tr("What the load does to each row's record"));
    m_externalId->setToolTip(tr("Upsert: the field each row is matched on — the record Id, or an external id field of the "
                                "object that is a column of the file"));
    m_undo->setText(tr("Undo"));
    m_redo->setText(tr("Redo"));
    m_undo->setToolTip(tr("Take back the last change of the mapping (Ctrl+Z)"));
    m_redo->setToolTip(tr("Make the change again (Ctrl+Shift+Z)"));
    m_reset->setToolTip(tr("Forget every change: the object, operation, roles and lock rules Lockstep detected"));

    auto *form = new QHBoxLayout;
    form->addWidget(new QLabel(tr("Object:")));
    form->addWidget(m_object, 2);
    form->addSpacing(12);
    form->addWidget(new QLabel(tr("Operation:")));
    form->addWidget(m_operation, 1);
    form->addSpacing(12);
    form->addWidget(new QLabel(tr("Upsert on:")));
    form->addWidget(m_externalId, 2);
    form->addStretch(1);
    form->addWidget(m_undo);
    form->addWidget(m_redo);
    form->addWidget(m_reset);

    m_table->setColumnCount(ColumnCount);
    m_table->setHorizontalHeaderLabels({tr("Column"), tr("Role"), tr("Points to"), tr("Locks"), tr("Locked record"), tr("Why")});
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setSelectionMode(QAbstractItemView::NoSelection);
    m_table->setWordWrap(false);
    m_table->horizontalHeaderItem(Role)->setToolTip(tr("What the column holds: a plain value, the record's own Id, or the Id of a "
                                                       "record it points to"));
    m_table->horizontalHeaderItem(PointsTo)->setToolTip(tr("A lookup's object (Account); edit to correct it"));
    m_table->horizontalHeaderItem(Locks)->setToolTip(tr("Ticked: writing a row locks the record this column names, for the whole "
                                                        "transaction (master-detail, roll-up, restricted lookup)"));

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_summary);
    layout->addLayout(form);
    layout->addWidget(m_table, 1);

    QUndoStack *stack = m_editor->undoStack();
    connect(m_undo, &QToolButton::clicked, stack, &QUndoStack::undo);
    connect(m_redo, &QToolButton::clicked, stack, &QUndoStack::redo);
    connect(stack, &QUndoStack::canUndoChanged, m_undo, &QWidget::setEnabled);
    connect(stack, &QUndoStack::canRedoChanged, m_redo, &QWidget::setEnabled);
    connect(stack, &QUndoStack::undoTextChanged, this,
            [this](const QString &text) { m_undo->setToolTip(text.isEmpty() ? tr("Nothing to undo") : tr("Undo: %1 (Ctrl+Z)").arg(text)); });
    connect(stack, &QUndoStack::redoTextChanged, this,
            [this](const QString &text) { m_redo->setToolTip(text.isEmpty() ? tr("Nothing to redo") : tr("Redo: %1 (Ctrl+Shift+Z)").arg(text)); });
    m_undo->setEnabled(false);
    m_redo->setEnabled(false);
    connect(m_reset, &QPushButton::clicked, this, &MappingPanel::resetToDetected);

    connect(m_object->lineEdit(), &QLineEdit::editingFinished, this, [this] {
        if (!m_updating)
            setObject(m_object->currentText());
    });
    connect(m_object, &QComboBox::activated, this, [this](int index) {
        if (!m_updating)
            setObject(m_object->itemText(index));
    });
    connect(m_operation, &QComboBox::activated, this, [this](int index) {
        if (!m_updating)
            setOperation(Operation(m_operation->itemData(index).toInt()));
    });
    connect(m_externalId, &QComboBox::activated, this, [this](int index) {
        if (!m_updating)
            setExternalId(m_externalId->itemData(index).toString());
    });
    connect(m_table, &QTableWidget::itemChanged, this, [this](QTableWidgetItem *item) {
        if (m_updating)
            return;
        const QString column = m_table->item(item->row(), ColumnName)->text();
        if (item->column() == Locks)
            setColumnLocks(column, item->checkState() == Qt::Checked);
        else if (item->column() == PointsTo)
            setColumnRole(column, ColumnRole::Lookup, targetsFromText(item->text()));
    });
    rebuild();
}

void MappingPanel::setAnalysis(AnalysisPtr analysis)
{
    m_analysis = std::move(analysis);
    rebuild();
}

void MappingPanel::setObject(const QString &object)
{
    const QString trimmed = object.trimmed();
    if (!m_analysis || trimmed.isEmpty() || trimmed.compare(m_analysis->roles.object, Qt::CaseInsensitive) == 0)
        return;
    m_editor->change(m_editor->mapping().withObject(trimmed));
}

void MappingPanel::setOperation(Operation operation)
{
    if (!m_analysis || operation == m_analysis->operation)
        return;
    m_editor->change(m_editor->mapping().withOperation(operation));
}

void MappingPanel::setExternalId(const QString &field)
{
    m_editor->change(m_editor->mapping().withExternalId(field));
}

void MappingPanel::setColumnRole(const QString &column, ColumnRole role, const QStringList &targets)
{
    m_editor->change(m_editor->mapping().withRole(column, role, targets));
}

void MappingPanel::setColumnLocks(const QString &column, bool locks)
{
    if (m_analysis)
        m_editor->change(m_editor->mapping().withColumnLocking(column, locks, *m_analysis));
}

void MappingPanel::resetToDetected()
{
    m_editor->change(LoadMapping{});
}

QString MappingPanel::summaryText() const
{
    return m_summary->text();
}

void MappingPanel::rebuild()
{
    m_updating = true;
    const bool open = m_analysis != nullptr;
    for (QWidget *w : std::initializer_list<QWidget *>{m_object, m_operation, m_externalId, m_reset, m_table})
        w->setEnabled(open);
    if (!open) {
        m_summary->setText(tr("Open a file to see what it loads and which of its columns lock which records."));
        m_table->setRowCount(0);
        m_updating = false;
        return;
    }
    const FileAnalysis &a = *m_analysis;
    const LoadMapping &mapping = m_editor->mapping();
    const QString object = a.roles.object.isEmpty() ? tr("an unknown object") : a.roles.object;
    const QString objectWhy = mapping.object.isEmpty() ? tr("detected from %1").arg(a.roles.objectReason) : tr("set by you");
    const QString operationWhy = mapping.operation ? tr("set by you") : tr("detected: %1").arg(a.operationReason);
    m_summary->setText(tr("<b>%1</b> — %2 rows into <b>%3</b> (%4), <b>%5</b> (%6). Writing a row locks, besides its own record, "
                          "the records its ticked columns name, for the whole transaction. Correct anything Lockstep got wrong "
                          "here; every change can be undone (Ctrl+Z).")
                           .arg(QFileInfo(a.file.path()).fileName().toHtmlEscaped())
                           .arg(QLocale().toString(a.file.rowCount()))
                           .arg(object.toHtmlEscaped(), objectWhy.toHtmlEscaped(), operationName(a.operation), operationWhy.toHtmlEscaped()));

    if (m_object->findText(a.roles.object, Qt::MatchFixedString) < 0 && !a.roles.object.isEmpty())
        m_object->addItem(a.roles.object);
    m_object->setCurrentIndex(m_object->findText(a.roles.object, Qt::MatchFixedString));
    m_object->setEditText(a.roles.object);
    m_operation->setCurrentIndex(m_operation->findData(int(a.operation)));

    m_externalId->clear();
    m_externalId->addItem(tr("Id (the record Id)"), QString());
    // External id candidates first: their names and values fit (unique, not Salesforce Ids).
    std::vector<int> order = a.roles.externalIdCandidates();
    for (const ColumnInfo &c : a.roles.columns)
        if (c.role == ColumnRole::Data && std::find(order.begin(), order.end(), c.index) == order.end())
            order.push_back(c.index);
    for (const int index : order) {
        const ColumnInfo &c = a.roles.columns[size_t(index)];
        m_externalId->addItem(c.externalIdCandidate ? tr("%1 (looks like an external id)").arg(c.name) : c.name, c.name);
    }
    m_externalId->setCurrentIndex(std::max(0, m_externalId->findData(a.externalIdField)));
    m_externalId->setEnabled(a.operation == Operation::Upsert);
    m_reset->setEnabled(!mapping.isDetected());
    fillColumns();
    m_updating = false;
}

void MappingPanel::fillColumns()
{
    const FileAnalysis &a = *m_analysis;
    const auto &rules = a.rules.rules();
    m_table->setRowCount(0);
    m_table->setRowCount(int(a.roles.columns.size()));
    for (const ColumnInfo &c : a.roles.columns) {
        const int row = c.index;
        auto readOnly = [](const QString &text) {
            auto *item = new QTableWidgetItem(text);
            item->setFlags(Qt::ItemIsEnabled);
            return item;
        };
        m_table->setItem(row, ColumnName, readOnly(c.name));

        const bool editableRole = std::find(std::begin(kEditableRoles), std::end(kEditableRoles), c.role) != std::end(kEditableRoles);
        if (editableRole && a.roles.kind == FileKind::LoadFile) {
            auto *roleBox = new QComboBox;
            for (const ColumnRole role : kEditableRoles)
                roleBox->addItem(roleLabel(role), int(role));
            roleBox->setCurrentIndex(roleBox->findData(int(c.role)));
            roleBox->setToolTip(tr("What %1 holds").arg(c.name));
            const QString name = c.name;
            const QStringList targets = c.targetObjects;
            connect(roleBox, &QComboBox::activated, this, [this, roleBox, name, targets](int index) {
                setColumnRole(name, ColumnRole(roleBox->itemData(index).toInt()), targets);
            });
            m_table->setItem(row, Role, readOnly(QString()));
            m_table->setCellWidget(row, Role, roleBox);
        } else {
            m_table->setItem(row, Role, readOnly(roleLabel(c.role)));
        }

        auto *pointsTo = new QTableWidgetItem(c.targetObjects.join(QStringLiteral(" / ")));
        const bool lookup = c.role == ColumnRole::Lookup && a.roles.kind == FileKind::LoadFile;
        pointsTo->setFlags(lookup ? Qt::ItemIsEnabled | Qt::ItemIsEditable : Qt::ItemIsEnabled);
        if (lookup)
            pointsTo->setToolTip(tr("The object %1 points to; double-click to correct it (several: Contact / Lead). Empty: any.").arg(c.name));
        if (lookup && c.targetObjects.isEmpty())
            pointsTo->setText(QString());
        m_table->setItem(row, PointsTo, pointsTo);

        const auto rule = std::find_if(rules.begin(), rules.end(),
                                       [&](const LockRule &r) { return r.column.compare(c.name, Qt::CaseInsensitive) == 0; });
        const bool candidate = c.role == ColumnRole::Lookup || c.role == ColumnRole::RelationshipLookup || c.role == ColumnRole::RecordId;
        if (candidate || rule != rules.end()) {
            auto *check = new QTableWidgetItem;
            check->setFlags(Qt::ItemIsEnabled | Qt::ItemIsUserCheckable);
            check->setCheckState(rule != rules.end() ? Qt::Checked : Qt::Unchecked);
            check->setToolTip(tr("Tick if writing a row locks the record %1 names in your org").arg(c.name));
            m_table->setItem(row, Locks, check);
        } else {
            m_table->setItem(row, Locks, readOnly(QString()));
        }
        const QString locked = rule == rules.end()                            ? QString()
                               : rule->reason == LockReason::SharingGroup    ? tr("org-wide sharing group")
                               : rule->target.isEmpty()                      ? tr("the record named")
                                                                             : rule->target;
        m_table->setItem(row, Locked, readOnly(locked));
        const QString why = rule != rules.end()             ? rule->why
                            : c.role == ColumnRole::RecordId ? tr("the row's own record: every write locks it, and only its own row names it")
                            : candidate ? tr("no built-in rule locks it (%1, %2): tick it if it does in your org — a master-detail, "
                                             "roll-up or restricted lookup")
                                              .arg(a.roles.object.isEmpty() ? tr("unknown object") : a.roles.object, operationName(a.operation))
                                        : QString();
        auto *whyItem = readOnly(why);
        whyItem->setToolTip(why);
        m_table->setItem(row, Why, whyItem);
    }
    m_table->resizeColumnsToContents();
    m_table->horizontalHeader()->setStretchLastSection(true);
}

} // namespace lockstep::ui
