#include "ProblemsPanel.h"

#include "ProblemTableModel.h"
#include "UiFormat.h"

#include <QFileInfo>
#include <QHeaderView>
#include <QLabel>
#include <QTableView>
#include <QVBoxLayout>

namespace lockstep::ui {

ProblemsPanel::ProblemsPanel(QWidget *parent)
    : QWidget(parent), m_summary(new QLabel(this)), m_table(new QTableView(this)), m_model(new ProblemTableModel(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    m_summary->setTextFormat(Qt::RichText);
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_summary);
    layout->addWidget(m_table, 1);
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setWordWrap(false);
    setAnalysis(nullptr);
}

void ProblemsPanel::setAnalysis(AnalysisPtr analysis)
{
    m_model->setAnalysis(analysis);
    if (!analysis) {
        m_summary->setText(tr("No file."));
        return;
    }
    const ProblemList &problems = analysis->file.problems();
    if (problems.total() == 0) {
        m_summary->setText(tr("<b>No problems</b> in %1 rows.").arg(grouped(analysis->file.rowCount())));
    } else {
        QStringList parts;
        for (int code = 0; code < int(ProblemCode::Count_); ++code)
            if (const qint64 n = problems.countOf(ProblemCode(code)))
                parts << QStringLiteral("%1 %2").arg(grouped(n), problemCodeName(ProblemCode(code)));
        QString text = tr("<b>%1 bad row(s)</b>, %2 error(s): %3.")
                           .arg(grouped(analysis->rowsWithProblems()), grouped(problems.errors()), parts.join(QStringLiteral(", ")));
        if (problems.dropped() > 0)
            text += tr(" Showing the first %1.").arg(grouped(qint64(problems.items().size())));
        m_summary->setText(text);
    }
    m_table->resizeColumnsToContents();
    m_table->horizontalHeader()->setStretchLastSection(true);
}

void ProblemsPanel::showFatal(const QString &message, const QString &path, qint64 line)
{
    m_model->setAnalysis(nullptr);
    const QString where = line > 0 ? QStringLiteral("%1:%2").arg(QFileInfo(path).fileName()).arg(line) : QFileInfo(path).fileName();
    m_summary->setText(tr("<b style='color:#c8281e'>Could not read %1</b>: %2").arg(where.toHtmlEscaped(), message.toHtmlEscaped()));
}

QString ProblemsPanel::summaryText() const
{
    return m_summary->text();
}

} // namespace lockstep::ui
