#include "RetryDialog.h"

#include "BackgroundTask.h"
#include "UiFormat.h"
#include "UiTime.h"
#include "job/JobLaunch.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QPushButton>

namespace lockstep::ui {

RetryDialog::RetryDialog(const QString &storePath, const JobSummary &job, AnalysisPtr source, const RetrySelection &selection,
                         const QString &what, const PlanOptions &options, QWidget *parent)
    : QDialog(parent), m_storePath(storePath), m_job(job), m_source(std::move(source)), m_selection(selection), m_options(options),
      m_mitigation(new QComboBox), m_prediction(new QLabel),
      m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel)), m_task(new BackgroundTask(this))
{
    setObjectName(QStringLiteral("RetryDialog"));
    setWindowTitle(tr("Retry failed rows — Lockstep"));
    for (const char *key : {"lanes", "sort", "serial", "parallel"})
        if (const auto m = Mitigation::parse(QString::fromLatin1(key)))
            m_mitigation->addItem(m->label(), QString::fromLatin1(key));
    m_mitigation->setToolTip(tr("Parent-aware lanes put rows that share a parent on one lane, so they cannot collide again"));
    m_prediction->setWordWrap(true);
    m_prediction->setMinimumWidth(520);
    setMinimumWidth(640);
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("Retry"));
    auto *form = new QFormLayout(this);
    auto *rows = new QLabel(tr("<b>%1</b> of job %2 (%3 %4)").arg(what.toHtmlEscaped()).arg(job.id).arg(job.spec.object,
                                                                                                      operationName(job.spec.operation)));
    rows->setWordWrap(true);
    rows->setMinimumWidth(520);
    form->addRow(tr("Rows:"), rows);
    form->addRow(tr("Mitigation:"), m_mitigation);
    form->addRow(tr("Predicted:"), m_prediction);
    form->addRow(m_buttons);
    form->setSizeConstraint(QLayout::SetMinimumSize);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_mitigation, &QComboBox::currentIndexChanged, this, &RetryDialog::predict);
    predict();
}

RetryDialog::~RetryDialog() = default;

Mitigation RetryDialog::mitigation() const
{
    return Mitigation::parse(m_mitigation->currentData().toString()).value_or(Mitigation{});
}

void RetryDialog::setMitigation(const QString &key)
{
    const int at = m_mitigation->findData(key);
    if (at >= 0)
        m_mitigation->setCurrentIndex(at);
}

void RetryDialog::predict()
{
    m_predicted = false;
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(false);
    m_prediction->setText(tr("Predicting…"));
    const Mitigation chosen = mitigation();
    m_task->start(
        [path = m_storePath, job = m_job.id, source = m_source, selection = m_selection, chosen,
         options = m_options](const BackgroundRun &) -> Result<std::optional<PlannedRetry>> {
            auto store = JobStore::open(path);
            if (!store)
                return std::unexpected(store.error());
            return planRetry(**store, job, *source, selection, chosen, options);
        },
        [this](const Result<std::optional<PlannedRetry>> &planned) {
            if (!planned) {
                m_prediction->setText(tr("<span style='color:#b00020'>%1</span>").arg(planned.error().message.toHtmlEscaped()));
                return;
            }
            if (!*planned) {
                m_prediction->setText(tr("No failed row matches: nothing to retry."));
                return;
            }
            const PlannedRetry &p = **planned;
            QString text = tr("%1 rows as %2 over %3, %4 batches").arg(grouped(qint64(p.rows.size())), p.plan.mitigation.label(),
                                                                      apiLabel(p.plan.api), grouped(qint64(p.plan.batches.size())));
            if (p.predicted)
                text += tr(": <b>%1 ± %2 lock errors</b> in %3").arg(grouped(qRound64(p.predicted->lockErrorRows)),
                                                                    grouped(qRound64(p.predicted->lockErrorRowsSd)),
                                                                    duration(p.predicted->durationSeconds));
            m_prediction->setText(text);
            adjustSize();
            m_buttons->button(QDialogButtonBox::Ok)->setEnabled(true);
            m_predicted = true;
            emit predicted();
        });
}

} // namespace lockstep::ui
