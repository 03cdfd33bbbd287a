#include "ConnectOrgDialog.h"

#include "BackgroundTask.h"
#include "org/SecretStore.h"
#include "org/WebLogin.h"

#include <QComboBox>
#include <QDesktopServices>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QIntValidator>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTabWidget>
#include <QUrl>
#include <QVBoxLayout>

namespace lockstep::ui {

ConnectOrgDialog::ConnectOrgDialog(const QString &registryPath, QWidget *parent)
    : QDialog(parent), m_registryPath(registryPath), m_tabs(new QTabWidget), m_loginUrl(new QComboBox), m_clientId(new QLineEdit),
      m_alias(new QLineEdit), m_port(new QLineEdit(QStringLiteral("1717"))), m_username(new QLineEdit), m_keyFile(new QLineEdit),
      m_sfOrg(new QLineEdit), m_status(new QLabel), m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel)),
      m_task(new BackgroundTask(this))
{
    setObjectName(QStringLiteral("ConnectOrgDialog"));
    setWindowTitle(tr("Connect an Org — Lockstep"));
    setMinimumWidth(620);
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("Connect"));
    m_loginUrl->setEditable(true);
    m_loginUrl->addItems({QStringLiteral("https://login.salesforce.com"), QStringLiteral("https://test.salesforce.com")});
    m_loginUrl->setToolTip(tr("Production, a sandbox, or the org's My Domain (https://….my.salesforce.com)"));
    m_clientId->setPlaceholderText(tr("the connected app's consumer key"));
    m_alias->setPlaceholderText(tr("optional: the name jobs and Lockstep use for it (default: the username)"));
    m_port->setValidator(new QIntValidator(0, 65535, m_port));
    m_port->setToolTip(tr("The connected app's callback must be http://localhost:PORT/OauthRedirect"));
    m_username->setPlaceholderText(tr("the user the assertion names (admin@example.com)"));
    m_keyFile->setPlaceholderText(tr("the private key (PEM) of the connected app's certificate"));
    m_sfOrg->setPlaceholderText(tr("the Salesforce CLI's alias or username (sf org list)"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::LinksAccessibleByMouse);
    m_status->setOpenExternalLinks(true);

    auto *common = new QFormLayout;
    common->addRow(tr("Login URL:"), m_loginUrl);
    common->addRow(tr("Client id:"), m_clientId);
    common->addRow(tr("Alias:"), m_alias);

    auto *browser = new QWidget;
    auto *browserForm = new QFormLayout(browser);
    browserForm->addRow(new QLabel(tr("Lockstep opens the org's login page in your browser (OAuth with PKCE) and waits for it.")));
    browserForm->addRow(tr("Callback port:"), m_port);
    m_tabs->addTab(browser, tr("Browser"));
    auto *jwt = new QWidget;
    auto *jwtForm = new QFormLayout(jwt);
    auto *keyRow = new QHBoxLayout;
    auto *browseKey = new QPushButton(tr("Browse…"));
    keyRow->addWidget(m_keyFile, 1);
    keyRow->addWidget(browseKey);
    jwtForm->addRow(tr("Username:"), m_username);
    jwtForm->addRow(tr("Key file:"), keyRow);
    m_tabs->addTab(jwt, tr("JWT key file"));
    auto *sf = new QWidget;
    auto *sfForm = new QFormLayout(sf);
    sfForm->addRow(new QLabel(tr("Reuse a login of the Salesforce CLI (sf org login …); sf keeps its own tokens.")));
    sfForm->addRow(tr("sf org:"), m_sfOrg);
    m_tabs->addTab(sf, tr("Salesforce CLI login"));

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_tabs);
    layout->addLayout(common);
    layout->addWidget(m_status);
    layout->addWidget(m_buttons);
    connect(browseKey, &QPushButton::clicked, this, [this] {
        const QString file = QFileDialog::getOpenFileName(this, tr("The connected app's private key"), {}, tr("Keys (*.key *.pem);;All files (*)"));
        if (!file.isEmpty())
            m_keyFile->setText(file);
    });
    connect(m_buttons, &QDialogButtonBox::accepted, this, &ConnectOrgDialog::connectOrg);
    connect(m_buttons, &QDialogButtonBox::rejected, this, [this] {
        m_task->cancel();
        reject();
    });
    connect(this, &ConnectOrgDialog::connected, this, &QDialog::accept);
}

ConnectOrgDialog::~ConnectOrgDialog() = default;

void ConnectOrgDialog::setWay(Way way)
{
    m_tabs->setCurrentIndex(int(way));
}

void ConnectOrgDialog::setLogin(const QString &loginUrl, const QString &clientId, const QString &alias)
{
    m_loginUrl->setCurrentText(loginUrl);
    m_clientId->setText(clientId);
    m_alias->setText(alias);
}

void ConnectOrgDialog::setJwt(const QString &username, const QString &keyFile)
{
    setWay(Way::Jwt);
    m_username->setText(username);
    m_keyFile->setText(keyFile);
}

void ConnectOrgDialog::setSalesforceCli(const QString &sfOrg)
{
    setWay(Way::SalesforceCli);
    m_sfOrg->setText(sfOrg);
}

OrgLoginRequest ConnectOrgDialog::request() const
{
    OrgLoginRequest r;
    static const SavedOrg::Method methods[] = {SavedOrg::Method::Browser, SavedOrg::Method::Jwt, SavedOrg::Method::SalesforceCli};
    r.method = methods[m_tabs->currentIndex()];
    r.loginUrl = m_loginUrl->currentText().trimmed();
    r.clientId = m_clientId->text().trimmed();
    r.alias = m_alias->text().trimmed();
    r.username = m_username->text().trimmed();
    r.jwtKeyFile = m_keyFile->text().trimmed();
    r.sfOrg = m_sfOrg->text().trimmed();
    return r;
}

void ConnectOrgDialog::connectOrg()
{
    const OrgLoginRequest r = request();
    if (r.method != SavedOrg::Method::Browser)
        if (auto ok = checkOrgLogin(r); !ok)
            return m_status->setText(tr("<span style='color:#b00020'>%1</span>").arg(ok.error().toString().toHtmlEscaped()));
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(false);
    m_status->setText(r.method == SavedOrg::Method::Browser ? tr("Opening the org's login page…") : tr("Signing in…"));
    const quint16 port = quint16(m_port->text().toUInt());
    const QString registry = m_registryPath;
    m_task->start(
        [r, port, registry, this](const BackgroundRun &run) -> Result<OrgLoginResult> {
            auto secrets = SecretStore::system();
            if (r.method != SavedOrg::Method::Browser)
                return loginAndSaveOrg(r, *secrets, registry);
            WebLoginOptions options;
            options.loginUrl = r.loginUrl;
            options.clientId = r.clientId;
            options.port = port;
            auto web = WebLogin::start(options);
            if (!web)
                return std::unexpected(web.error());
            const QString url = (*web)->authorizeUrl();
            run.post([this, url] {
                m_status->setText(tr("Log in on the page that opened in your browser (or open <a href=\"%1\">this page</a>); Lockstep "
                                     "waits up to 5 minutes.")
                                      .arg(url.toHtmlEscaped()));
                QDesktopServices::openUrl(QUrl(url));
            });
            auto session = (*web)->finish(run.cancelToken());
            if (!session)
                return std::unexpected(session.error());
            SavedOrg org;
            org.method = SavedOrg::Method::Browser;
            org.loginUrl = r.loginUrl;
            org.clientId = r.clientId;
            QList<QPair<QString, QByteArray>> keep;
            if (!session->refreshToken.isEmpty())
                keep.append({QStringLiteral("refresh-token"), session->refreshToken});
            return saveOrgLogin(r, org, *session, keep, *secrets, registry);
        },
        [this](const Result<OrgLoginResult> &result) {
            m_buttons->button(QDialogButtonBox::Ok)->setEnabled(true);
            if (!result) {
                m_status->setText(tr("<span style='color:#b00020'>Not connected: %1</span>").arg(result.error().toString().toHtmlEscaped()));
                emit failed(result.error().message);
                return;
            }
            m_status->setText(result->secretsKept ? tr("Connected %1 (%2).").arg(result->org.alias, result->org.username)
                                                  : tr("Connected %1, but %2").arg(result->org.alias, result->warning));
            emit connected(result->org.alias);
        });
}

} // namespace lockstep::ui
