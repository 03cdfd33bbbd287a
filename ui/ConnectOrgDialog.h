#pragma once

#include "org/OrgLogin.h"

#include <QDialog>

class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QTabWidget;

namespace lockstep::ui {

class BackgroundTask;

// Org → Connect Org…: a real org, saved by alias like `lockstep-cli org login` saves it — OAuth
// in the system browser (the connected app's callback http://localhost:PORT/OauthRedirect), a
// JWT key file, or an existing Salesforce CLI login. The login runs off the GUI thread and can
// be cancelled; tokens go to the keychain, never to a file.
class ConnectOrgDialog : public QDialog {
    Q_OBJECT
public:
    explicit ConnectOrgDialog(const QString &registryPath = {}, QWidget *parent = nullptr);
    ~ConnectOrgDialog() override;

    enum class Way { Browser, Jwt, SalesforceCli };
    void setWay(Way way);
    // What the form says (for tests and the login).
    OrgLoginRequest request() const;
    void setLogin(const QString &loginUrl, const QString &clientId, const QString &alias);
    void setJwt(const QString &username, const QString &keyFile);
    void setSalesforceCli(const QString &sfOrg);
    // Logs in with what the form says: connected() or failed() follows.
    void connectOrg();
    QLabel *status() const { return m_status; }
    QDialogButtonBox *buttons() const { return m_buttons; }

signals:
    void connected(const QString &alias);
    void failed(const QString &message);

private:
    QString m_registryPath;
    QTabWidget *m_tabs;
    QComboBox *m_loginUrl;
    QLineEdit *m_clientId;
    QLineEdit *m_alias;
    QLineEdit *m_port;
    QLineEdit *m_username;
    QLineEdit *m_keyFile;
    QLineEdit *m_sfOrg;
    QLabel *m_status;
    QDialogButtonBox *m_buttons;
    BackgroundTask *m_task;
};

} // namespace lockstep::ui
