#include "OrgMenu.h"

#include "ConnectOrgDialog.h"
#include "DemoOrgController.h"
#include "OrgPicker.h"
#include "UiFormat.h"

#include <QActionGroup>
#include <QApplication>
#include <QClipboard>
#include <QFileInfo>
#include <QJsonDocument>
#include <QLabel>
#include <QLocale>
#include <QMenu>
#include <QMenuBar>

namespace lockstep::ui {

OrgMenu::OrgMenu(QMenuBar *bar, DemoOrgController *demoOrg, OrgPicker *picker, RestartDemoOrg restart, QObject *parent)
    : QObject(parent), m_demoOrg(demoOrg), m_picker(picker), m_label(new QLabel)
{
    m_label->setObjectName(QStringLiteral("orgStatus"));
    m_label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QMenu *org = bar->addMenu(tr("&Org"));
    // instance_url, client_id/secret, username/password and a fresh token: enough for jsforce,
    // the Salesforce CLI (sf org login access-token) or Data Loader's Bulk paths.
    org->addAction(tr("&Copy Demo Org Connection Details"), m_demoOrg, &DemoOrgController::fetchConnectionDetails);
    connect(m_demoOrg, &DemoOrgController::connectionDetails, this, [this](const QJsonObject &connection) {
        QApplication::clipboard()->setText(QString::fromUtf8(QJsonDocument(connection).toJson()));
        emit message(tr("Demo org connection details copied (they include a live access token)"));
    });
    org->addAction(tr("Co&nnect Org…"), this, &OrgMenu::showConnectDialog);
    org->addAction(tr("&Reload Saved Orgs"), m_picker, [this] { m_picker->reload(); });
    m_stopSeeding = org->addAction(tr("&Stop Seeding the Demo Org"), m_demoOrg, &DemoOrgController::cancelSeeding);
    m_stopSeeding->setToolTip(tr("Stop making the open file's records in the demo org (a file of millions of rows takes minutes)"));
    m_stopSeeding->setEnabled(false);
    QMenu *speed = org->addMenu(tr("Demo Org &Speed"));
    auto *group = new QActionGroup(speed);
    for (const auto &[factor, text] : {std::pair{1.0, tr("Real time (10 s lock timeout)")}, std::pair{10.0, tr("10× faster")},
                                       std::pair{20.0, tr("20× faster")}, std::pair{100.0, tr("100× faster (10 s → 100 ms)")}}) {
        QAction *action = speed->addAction(text);
        action->setCheckable(true);
        action->setData(1.0 / factor);
        group->addAction(action);
        connect(action, &QAction::triggered, this, [this, restart, factor] {
            if (auto started = restart(1.0 / factor); !started)
                emit warning(tr("Demo org not restarted"), started.error().toString());
        });
    }
    connect(speed, &QMenu::aboutToShow, this, [this, group] {
        for (QAction *a : group->actions())
            a->setChecked(m_demoOrg->isRunning() && qFuzzyCompare(a->data().toDouble(), m_demoOrg->scale()));
    });
    connect(m_demoOrg, &DemoOrgController::seeded, this, [this](const QString &path, qint64 created, qint64 existing) {
        m_seeded = tr("%1: %2 records created, %3 already there").arg(QFileInfo(path).fileName(), grouped(created), grouped(existing));
        m_seedProgress.clear();
        refresh();
    });
    // A seed's progress, from the org's own status while it runs.
    connect(m_demoOrg, &DemoOrgController::statusChanged, this, [this](const DemoOrgStatus &status) {
        m_seedProgress = status.seeding && status.seedTotal > 0
                             ? tr("seeding %1 %")
                                   .arg(QLocale().toString(100.0 * double(status.seedDone) / double(status.seedTotal), 'f', 0))
                             : status.seeding ? tr("seeding…") : QString();
        refresh();
    });
    connect(m_demoOrg, &DemoOrgController::seedStopped, this, [this](const QString &path) {
        m_seedProgress.clear();
        emit message(tr("Demo org: seeding %1 stopped").arg(QFileInfo(path).fileName()));
        refresh();
    });
    connect(m_demoOrg, &DemoOrgController::started, this, [this] {
        m_seeded.clear();
        refresh();
    });
    connect(m_demoOrg, &DemoOrgController::stopped, this, &OrgMenu::refresh);
    connect(m_demoOrg, &DemoOrgController::failed, this, [this](const QString &text) {
        emit message(tr("Demo org: %1").arg(text));
        refresh();
    });
    connect(m_picker, &OrgPicker::targetChanged, this, &OrgMenu::refresh);
    refresh();
}

void OrgMenu::showConnectDialog()
{
    auto *dialog = new ConnectOrgDialog(m_picker->registryPath(), m_label->window());
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &ConnectOrgDialog::connected, this, [this](const QString &alias) {
        m_picker->reload();
        m_picker->choose(alias);
        emit message(tr("Connected %1: jobs now run against it").arg(alias));
    });
    dialog->open();
}

void OrgMenu::refresh()
{
    const RunTarget target = m_picker->target();
    if (!m_picker->isDemoChosen())
        m_label->setText(target.isValid() ? tr("Org: %1").arg(target.label) : tr("Org: signing in…"));
    else if (m_demoOrg->isStarting())
        m_label->setText(tr("Org: demo org starting…"));
    else if (!m_demoOrg->isRunning())
        m_label->setText(tr("Org: none"));
    else if (m_demoOrg->isSeeding())
        m_label->setText(tr("Org: %1 at %2, %3").arg(target.label, m_demoOrg->instanceUrl(),
                                                     m_seedProgress.isEmpty() ? tr("seeding…") : m_seedProgress));
    else
        m_label->setText(tr("Org: %1 at %2").arg(target.label, m_demoOrg->instanceUrl()));
    m_stopSeeding->setEnabled(m_demoOrg->isSeeding());
    QStringList tip{tr("A Salesforce-compatible org beside Lockstep (lockstep-cli demo-org serve): Org → Copy Demo Org "
                       "Connection Details to point a client at it.")};
    if (!m_seeded.isEmpty())
        tip << m_seeded;
    m_label->setToolTip(m_picker->isDemoChosen() ? tip.join(QLatin1Char('\n')) : target.session.instanceUrl);
}

} // namespace lockstep::ui
