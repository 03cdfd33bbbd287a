#include "MitigationPanel.h"

#include "plan/ClientPace.h"

#include <QButtonGroup>
#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QRadioButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace lockstep::ui {

MitigationPanel::MitigationPanel(QWidget *parent)
    : QWidget(parent), m_scheduling(new QButtonGroup(this)), m_sort(new QCheckBox(tr("Sort by parent"), this)),
      m_small(new QCheckBox(tr("Small batches of"), this)), m_smallRows(new QSpinBox(this)),
      m_duplicateOff(new QCheckBox(tr("Deactivate duplicate rules during the load"), this)),
      m_duplicateActive(new QCheckBox(tr("The object has active duplicate rules"), this)), m_api(new QComboBox(this)),
      m_client(new QComboBox(this)), m_batchSize(new QSpinBox(this)), m_concurrency(new QSpinBox(this)), m_budget(new QSpinBox(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);

    auto *scheduling = new QGroupBox(tr("Schedule"), this);
    auto *schedulingLayout = new QVBoxLayout(scheduling);
    const std::pair<Scheduling, QString> choices[] = {
        {Scheduling::Parallel, tr("Parallel, as is")},
        {Scheduling::Serial, tr("Serial (one batch at a time)")},
        {Scheduling::Lanes, tr("Parent-aware lanes (Lockstep)")},
        {Scheduling::ParentQueue, tr("Per-parent queue (one call per parent)")},
        {Scheduling::Auto, tr("Auto: the best predicted plan")},
    };
    for (const auto &[value, text] : choices) {
        auto *button = new QRadioButton(text, scheduling);
        m_scheduling->addButton(button, int(value));
        schedulingLayout->addWidget(button);
    }
    m_scheduling->button(int(Scheduling::Parallel))->setChecked(true);
    m_scheduling->button(int(Scheduling::Lanes))->setToolTip(
        tr("Rows that share a parent go to the same lane; a skewed parent runs on a few serial lanes of its own, "
           "as many as keep its waits far under the lock timeout; other batches in flight never share a lock."));
    layout->addWidget(scheduling);

    auto *modifiers = new QGroupBox(tr("Adjustments"), this);
    auto *modifiersLayout = new QVBoxLayout(modifiers);
    modifiersLayout->addWidget(m_sort);
    auto *smallRow = new QHBoxLayout;
    smallRow->addWidget(m_small);
    m_smallRows->setRange(1, 200);
    m_smallRows->setValue(Mitigation::kDefaultSmallBatchRows);
    m_smallRows->setSuffix(tr(" rows"));
    smallRow->addWidget(m_smallRows);
    smallRow->addStretch();
    modifiersLayout->addLayout(smallRow);
    modifiersLayout->addWidget(m_duplicateOff);
    m_duplicateOff->setToolTip(tr("Switched off before the load and back on after it (recorded first, so a crash "
                                  "cannot leave them off). Only changes anything while the object has active rules."));
    layout->addWidget(modifiers);

    auto *org = new QGroupBox(tr("API and org"), this);
    auto *form = new QFormLayout(org);
    m_api->addItem(tr("Automatic"), QString());
    for (Api api : {Api::Bulk1Parallel, Api::Bulk2, Api::RestCollections})
        m_api->addItem(apiLabel(api), apiName(api));
    m_api->setObjectName(QStringLiteral("api"));
    m_client->setObjectName(QStringLiteral("client"));
    form->addRow(tr("API"), m_api);
    for (const ClientPace &pace : ClientPace::presets(OrgProfile{}))
        m_client->addItem(pace.label, pace.key);
    m_client->setToolTip(tr("Who uploads the batches. Batches uploaded close together start together and meet on the "
                            "same parents, so the pace changes the prediction. Lockstep's own runner keeps the plan's "
                            "pace."));
    form->addRow(tr("Client"), m_client);
    m_batchSize->setRange(1, 10000);
    m_batchSize->setValue(2000);   // Data Loader's Bulk API default
    m_batchSize->setGroupSeparatorShown(true);
    m_batchSize->setToolTip(tr("Rows per batch: Data Loader's Bulk default is 2,000; REST calls take at most 200."));
    form->addRow(tr("Batch size"), m_batchSize);
    m_concurrency->setRange(1, 25);
    m_concurrency->setValue(OrgProfile{}.bulkConcurrency);
    m_concurrency->setToolTip(tr("Batches the org processes at once (Bulk: not documented, 15 fits the field "
                                 "numbers); REST: client threads, capped by the org's concurrent-request limit."));
    form->addRow(tr("Concurrency"), m_concurrency);
    form->addRow(m_duplicateActive);
    m_budget->setRange(0, 1'000'000);
    m_budget->setSpecialValueText(tr("no limit"));
    m_budget->setGroupSeparatorShown(true);
    m_budget->setToolTip(tr("Auto only: the most API calls the job may spend."));
    form->addRow(tr("API-call budget"), m_budget);
    layout->addWidget(org);
    layout->addStretch();

    auto announce = [this] {
        if (!m_updating) {
            updateEnabled();
            emit changed();
        }
    };
    connect(m_scheduling, &QButtonGroup::idToggled, this, [announce](int, bool on) { if (on) announce(); });
    for (QCheckBox *box : {m_sort, m_small, m_duplicateOff, m_duplicateActive})
        connect(box, &QCheckBox::toggled, this, announce);
    for (QSpinBox *box : {m_smallRows, m_batchSize, m_concurrency, m_budget})
        connect(box, &QSpinBox::valueChanged, this, announce);
    connect(m_api, &QComboBox::currentIndexChanged, this, announce);
    connect(m_client, &QComboBox::currentIndexChanged, this, announce);
    updateEnabled();
}

void MitigationPanel::updateEnabled()
{
    const auto scheduling = Scheduling(m_scheduling->checkedId());
    const bool isAuto = scheduling == Scheduling::Auto;
    m_sort->setEnabled(!isAuto);
    m_small->setEnabled(!isAuto);
    m_smallRows->setEnabled(!isAuto && m_small->isChecked());
    m_duplicateOff->setEnabled(!isAuto && m_duplicateActive->isChecked());
    m_budget->setEnabled(isAuto);
}

Mitigation MitigationPanel::mitigation() const
{
    Mitigation m;
    m.scheduling = Scheduling(m_scheduling->checkedId());
    if (m.scheduling == Scheduling::Auto)
        return m;
    m.sortByParent = m_sort->isChecked();
    m.smallBatchRows = m_small->isChecked() ? m_smallRows->value() : 0;
    m.duplicateRulesOff = m_duplicateOff->isChecked() && m_duplicateActive->isChecked();
    return m;
}

void MitigationPanel::setMitigation(const Mitigation &m)
{
    m_updating = true;
    m_scheduling->button(int(m.scheduling))->setChecked(true);
    m_sort->setChecked(m.sortByParent);
    m_small->setChecked(m.smallBatchRows > 0);
    if (m.smallBatchRows > 0)
        m_smallRows->setValue(m.smallBatchRows);
    if (m.duplicateRulesOff)
        m_duplicateActive->setChecked(true);
    m_duplicateOff->setChecked(m.duplicateRulesOff);
    m_updating = false;
    updateEnabled();
    emit changed();
}

PlanOptions MitigationPanel::planOptions(PlanOptions base) const
{
    if (const auto api = parseApi(m_api->currentData().toString()))
        base.api = *api;
    base.batchSize = m_batchSize->value();
    base.concurrency = m_concurrency->value();
    if (const auto pace = ClientPace::parse(m_client->currentData().toString(), base.profile))
        base.uploadGapSeconds = pace->uploadGapSeconds;
    // Whether the object has active duplicate rules is a fact about the org; the profile
    // carries it so the transaction model adds their time inside the lock window.
    base.profile.duplicateRuleObjects.removeAll(base.object);
    if (m_duplicateActive->isChecked())
        base.profile.duplicateRuleObjects << base.object;
    return base;
}

int MitigationPanel::batchSize() const
{
    return m_batchSize->value();
}

void MitigationPanel::setBatchSize(int rows)
{
    m_batchSize->setValue(rows);
}

bool MitigationPanel::duplicateRulesActiveInOrg() const
{
    return m_duplicateActive->isChecked();
}

void MitigationPanel::setDuplicateRulesActiveInOrg(bool active)
{
    if (m_duplicateActive->isChecked() != active)
        m_duplicateActive->setChecked(active);   // toggled → changed(): predicted again
}

qint64 MitigationPanel::apiCallBudget() const
{
    return m_budget->value();
}

} // namespace lockstep::ui
