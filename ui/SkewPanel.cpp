#include "SkewPanel.h"

#include "ParentTableModel.h"
#include "UiFormat.h"

#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QTableView>
#include <QVBoxLayout>

namespace lockstep::ui {

SkewPanel::SkewPanel(QWidget *parent)
    : QWidget(parent), m_summary(new QLabel(this)), m_table(new QTableView(this)), m_model(new ParentTableModel(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_summary->setWordWrap(true);
    m_summary->setTextFormat(Qt::RichText);
    layout->addWidget(m_summary);
    layout->addWidget(m_table, 1);
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setSectionResizeMode(ParentTableModel::Parent, QHeaderView::Stretch);
    m_table->setAlternatingRowColors(true);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) { emit parentSelected(m_model->keyAt(current.row())); });
    setAnalysis(nullptr);
}

void SkewPanel::setAnalysis(AnalysisPtr analysis)
{
    m_model->setAnalysis(analysis);
    if (!analysis) {
        m_summary->setText(tr("<b>Skew</b>: no file"));
        return;
    }
    const auto &d = analysis->distribution;
    if (analysis->rules.isEmpty()) {
        m_summary->setText(tr("<b>No parent locks</b>: with these lock rules a %1 %2 locks only its own record.")
                               .arg(analysis->roles.object.isEmpty() ? tr("row") : analysis->roles.object,
                                    operationName(analysis->operation)));
    } else if (d.skewedParents().empty()) {
        m_summary->setText(tr("<b>No skew</b>: no parent has more than %1 children (largest: %2).")
                               .arg(grouped(d.skewThreshold()), grouped(d.maxChildren())));
    } else {
        m_summary->setText(tr("<b style='color:#c8281e'>%1 skewed parent(s)</b> (over %2 children) hold %3 rows (%4). "
                              "Every batch with their children waits on one lock.")
                               .arg(d.skewedParents().size())
                               .arg(grouped(d.skewThreshold()), grouped(d.rowsOnSkewedParents()),
                                    percent(double(d.rowsOnSkewedParents()) / double(std::max<qint64>(1, d.rows())))));
    }
    m_table->resizeColumnsToContents();
    m_table->horizontalHeader()->setSectionResizeMode(ParentTableModel::Parent, QHeaderView::Stretch);
}

QString SkewPanel::summaryText() const
{
    return m_summary->text();
}

} // namespace lockstep::ui
