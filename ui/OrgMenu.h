#pragma once

#include "common/Error.h"

#include <QObject>

#include <functional>

class QAction;
class QLabel;
class QMenuBar;

namespace lockstep::ui {

class DemoOrgController;
class OrgPicker;

// The Org menu — the demo org's connection details for other clients (jsforce, the Salesforce
// CLI, Data Loader), its speed, the saved orgs reloaded — and the status bar's "Org: …" label,
// kept up to date as the demo org starts, seeds and stops and the chosen org changes.
class OrgMenu : public QObject {
    Q_OBJECT
public:
    using RestartDemoOrg = std::function<Result<void>(double scale)>;
    OrgMenu(QMenuBar *bar, DemoOrgController *demoOrg, OrgPicker *picker, RestartDemoOrg restart, QObject *parent = nullptr);

    QLabel *statusLabel() const { return m_label; }
    void refresh();
    // Org → Connect Org…: the dialog; a connected org is listed and chosen.
    void showConnectDialog();

signals:
    void message(const QString &text);
    void warning(const QString &title, const QString &text);

private:
    DemoOrgController *m_demoOrg;
    OrgPicker *m_picker;
    QLabel *m_label;
    QString m_seeded;   // what seeding the open file did, for the label's tooltip
    QString m_seedProgress;   // "seeding 42 %" while a seed runs
    QAction *m_stopSeeding = nullptr;
};

} // namespace lockstep::ui
