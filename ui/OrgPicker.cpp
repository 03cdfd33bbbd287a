#include "OrgPicker.h"

#include "BackgroundTask.h"
#include "DemoOrgController.h"
#include "org/OrgRegistry.h"
#include "org/SavedOrgSession.h"
#include "org/SecretStore.h"

#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QPushButton>
#include <QLabel>

namespace lockstep::ui {

OrgPicker::OrgPicker(DemoOrgController *demoOrg, QWidget *parent)
    : QWidget(parent), m_demoOrg(demoOrg), m_combo(new QComboBox), m_status(new QLabel), m_login(new BackgroundTask(this))
{
    setObjectName(QStringLiteral("OrgPicker"));
    // Whether a keychain answers is asked once a process: here, on the GUI thread, before any
    // login runs on a worker (SecretStore::system()).
    (void)SecretStore::system();
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_combo->setToolTip(tr("The org jobs run against. Org → Connect Org… (or 'lockstep-cli org login') saves a real org; its "
                           "tokens stay in the keychain."));
    auto *connectButton = new QPushButton(tr("Connect…"));
    connectButton->setToolTip(tr("Connect a real org: OAuth in the browser, a JWT key file, or a Salesforce CLI login"));
    connect(connectButton, &QPushButton::clicked, this, &OrgPicker::connectRequested);
    auto *row = new QHBoxLayout;
    row->addWidget(m_combo, 1);
    row->addWidget(connectButton);
    auto *form = new QFormLayout(this);
    form->setContentsMargins(0, 0, 0, 0);
    form->addRow(tr("Org:"), row);
    form->addRow(QString(), m_status);
    connect(m_combo, &QComboBox::activated, this, &OrgPicker::onChosen);
    auto demoChanged = [this] {
        showStatus();
        if (isDemoChosen())
            emit targetChanged();
    };
    connect(m_demoOrg, &DemoOrgController::started, this, demoChanged);
    connect(m_demoOrg, &DemoOrgController::stopped, this, demoChanged);
    connect(m_demoOrg, &DemoOrgController::failed, this, [this] { showStatus(); });
    reload();
}

void OrgPicker::reload(const QString &registryPath)
{
    if (!registryPath.isEmpty())
        m_registryPath = registryPath;
    const QString chosen = m_combo->currentData().toString();
    m_combo->clear();
    m_combo->addItem(tr("Demo org (built-in, on this computer)"), QString());
    if (auto registry = OrgRegistry::load(m_registryPath.isEmpty() ? OrgRegistry::defaultPath() : m_registryPath))
        for (const SavedOrg &org : registry->orgs())
            m_combo->addItem(tr("%1 — %2 (%3)").arg(org.alias, org.instanceUrl, methodName(org.method)), org.alias);
    const int at = m_combo->findData(chosen);
    m_combo->setCurrentIndex(at >= 0 ? at : 0);
    showStatus();
}

bool OrgPicker::isDemoChosen() const
{
    return m_combo->currentData().toString().isEmpty();
}

QString OrgPicker::registryPath() const
{
    return m_registryPath.isEmpty() ? OrgRegistry::defaultPath() : m_registryPath;
}

bool OrgPicker::choose(const QString &alias)
{
    const int at = m_combo->findData(alias);
    if (at < 0)
        return false;
    m_combo->setCurrentIndex(at);
    onChosen(at);
    return true;
}

void OrgPicker::chooseDemo()
{
    m_combo->setCurrentIndex(0);
    onChosen(0);
}

RunTarget OrgPicker::target() const
{
    return isDemoChosen() ? m_demoOrg->runTarget() : m_saved;
}

void OrgPicker::onChosen(int index)
{
    m_saved = {};
    m_savedError.clear();
    const QString alias = m_combo->itemData(index).toString();
    if (alias.isEmpty()) {
        showStatus();
        emit targetChanged();
        return;
    }
    m_status->setText(tr("Signing in to %1…").arg(alias));
    emit targetChanged();
    const QString path = m_registryPath.isEmpty() ? OrgRegistry::defaultPath() : m_registryPath;
    m_login->start(
        [alias, path](const BackgroundRun &) -> Result<RunTarget> {
            auto registry = OrgRegistry::load(path);
            if (!registry)
                return std::unexpected(registry.error());
            const auto org = registry->find(alias);
            if (!org)
                return fail(ErrorKind::NotFound, QStringLiteral("no saved org '%1'").arg(alias));
            auto secrets = SecretStore::system();
            auto session = SavedOrgSession::open(*org, *secrets);
            if (!session)
                return std::unexpected(session.error());
            RunTarget target;
            target.orgName = org->alias;   // as `lockstep-cli run --org ALIAS` records it
            target.label = org->alias;
            target.session = *session;
            target.renew = [saved = *org]() -> Result<OrgSession> {
                auto store = SecretStore::system();
                return SavedOrgSession::open(saved, *store);
            };
            target.timeScale = 1;
            return target;
        },
        [this, alias](const Result<RunTarget> &target) {
            if (!target) {
                const QString why = target.error().message;
                m_savedError = why.contains(QStringLiteral("lockstep-cli org login"))
                                   ? tr("Lockstep could not sign in to %1: %2").arg(alias, why)
                                   : tr("Lockstep could not sign in to %1: %2. Sign in again with 'lockstep-cli org login --alias %1'.").arg(alias, why);
            } else {
                m_saved = *target;
            }
            showStatus();
            emit targetChanged();
        });
}

void OrgPicker::showStatus()
{
    if (!isDemoChosen()) {
        m_status->setText(m_saved.isValid() ? tr("Connected to %1").arg(m_saved.session.instanceUrl)
                                             : m_savedError.isEmpty() ? tr("Signing in…") : m_savedError);
        return;
    }
    if (m_demoOrg->isStarting())
        m_status->setText(tr("The demo org is starting…"));
    else if (m_demoOrg->isRunning())
        m_status->setText(tr("Demo org at %1 — it reproduces Salesforce's record locks; nothing leaves this computer.")
                              .arg(m_demoOrg->instanceUrl()));
    else
        m_status->setText(tr("The demo org is not running (Org → Demo Org Speed starts it)."));
}

} // namespace lockstep::ui
