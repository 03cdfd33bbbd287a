#pragma once

#include "RunController.h"

#include <QWidget>

class QComboBox;
class QLabel;

namespace lockstep::ui {

class BackgroundTask;
class DemoOrgController;

// Which org a job runs against: the built-in demo org (the default), or an org saved by
// `lockstep-cli org login` (browser OAuth, JWT key file, client credentials, or a Salesforce
// CLI login — its tokens in the keychain). A saved org's session is opened off the GUI thread
// when it is chosen; a refused login says why and what to do.
class OrgPicker : public QWidget {
    Q_OBJECT
public:
    OrgPicker(DemoOrgController *demoOrg, QWidget *parent = nullptr);

    // Lists the saved orgs again (from `registryPath`, default OrgRegistry::defaultPath()).
    void reload(const QString &registryPath = {});
    // The org chosen, connected; invalid while a saved org's session is opening or was refused,
    // or while the demo org is not running.
    RunTarget target() const;
    bool isDemoChosen() const;
    void chooseDemo();
    // Chooses a saved org by alias (as the combo lists it) and opens its session.
    bool choose(const QString &alias);
    QString registryPath() const;
    QComboBox *combo() const { return m_combo; }
    QLabel *status() const { return m_status; }

signals:
    void targetChanged();   // the chosen org connected, changed or went away
    void connectRequested();   // Connect…: a real org, saved by alias

private:
    void onChosen(int index);
    void showStatus();

    DemoOrgController *m_demoOrg;
    QComboBox *m_combo;
    QLabel *m_status;
    BackgroundTask *m_login;
    QString m_registryPath;
    RunTarget m_saved;         // the chosen saved org, once its session opened
    QString m_savedError;
};

} // namespace lockstep::ui
