#include "org/SavedOrgSession.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>

namespace lockstep {

namespace {

// What the Salesforce CLI said when it refused, on one line, with what to do when it has no
// login by that name: its messages span lines ("Parsing --target-org\n\tNo authorization
// information found for X.\nSee more help with --help").
QString sfRefusal(const QString &name, const QString &message, const QJsonArray &actions)
{
    QStringList lines;
    for (const QString &line : message.split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
        const QString text = line.trimmed();
        if (!text.isEmpty() && !text.startsWith(QLatin1String("Parsing --")) && !text.startsWith(QLatin1String("See more help")))
            lines << text;
    }
    QString said = lines.join(QLatin1Char(' '));
    if (said.isEmpty())
        said = name.isEmpty() ? QStringLiteral("it failed") : name;
    QString advice;
    for (const auto &action : actions)   // its own hints ("Did you mean \"ci\"?")
        said += QLatin1Char(' ') + action.toString().trimmed();
    if (name.contains(QLatin1String("NotFound")) || said.contains(QLatin1String("No authorization information found")))
        advice = QStringLiteral(" — log in with the Salesforce CLI first ('sf org login web --alias NAME', or 'sf org login jwt'), "
                                "or check the name with 'sf org list'");
    return QStringLiteral("the Salesforce CLI says: %1%2").arg(said, advice);
}

// `sf … --json`: its "result", or its message when it says it failed.
Result<QJsonObject> runSf(const QStringList &arguments)
{
    const QString program = qEnvironmentVariable("LOCKSTEP_SF", QStringLiteral("sf"));
    QProcess sf;
    sf.start(program, arguments + QStringList{QStringLiteral("--json")});
    if (!sf.waitForStarted(10000))
        return fail(ErrorKind::NotFound, QStringLiteral("the Salesforce CLI (%1) cannot be started: %2 — install it, or set LOCKSTEP_SF to its path")
                                             .arg(program, sf.errorString()));
    if (!sf.waitForFinished(120000)) {
        sf.kill();
        return fail(ErrorKind::Network, QStringLiteral("the Salesforce CLI did not answer within 2 minutes"));
    }
    const QJsonObject o = QJsonDocument::fromJson(sf.readAllStandardOutput()).object();
    if (sf.exitCode() != 0 || o.value(QStringLiteral("status")).toInt(1) != 0)
        return fail(ErrorKind::Server, sfRefusal(o.value(QStringLiteral("name")).toString(),
                                                 o.value(QStringLiteral("message")).toString(QString::fromUtf8(sf.readAllStandardError())),
                                                 o.value(QStringLiteral("actions")).toArray()));
    return o.value(QStringLiteral("result")).toObject();
}

// The org's secret `what`, or `missing` (%1 the alias, %2 why nothing was kept) when there is none.
Result<QByteArray> savedSecret(const SavedOrg &org, SecretStore &secrets, const QString &what, const QString &missing)
{
    auto secret = secrets.read(org.secretKey(what));
    if (!secret)
        return std::unexpected(secret.error());
    if (!*secret)
        return fail(ErrorKind::NotFound, missing.arg(org.alias, secrets.persistent() ? QString() : QStringLiteral(" (no keychain: nothing is kept between commands)")));
    return **secret;
}

} // namespace

Result<SavedOrgSession::SalesforceCliLogin> SavedOrgSession::fromSalesforceCli(const QString &sfOrg)
{
    auto display = runSf({QStringLiteral("org"), QStringLiteral("display"), QStringLiteral("--target-org"), sfOrg});
    if (!display)
        return std::unexpected(display.error());
    auto token = runSf({QStringLiteral("org"), QStringLiteral("auth"), QStringLiteral("show-access-token"), QStringLiteral("--target-org"), sfOrg});
    if (!token)
        return std::unexpected(token.error());
    SalesforceCliLogin login;
    login.session.instanceUrl = display->value(QStringLiteral("instanceUrl")).toString();
    login.session.accessToken = token->value(QStringLiteral("accessToken")).toString().toUtf8();
    login.username = display->value(QStringLiteral("username")).toString();
    login.apiVersion = display->value(QStringLiteral("apiVersion")).toString();
    if (!login.apiVersion.isEmpty())
        login.session.apiVersion = login.apiVersion;
    while (login.session.instanceUrl.endsWith(QLatin1Char('/')))
        login.session.instanceUrl.chop(1);
    if (login.session.accessToken.isEmpty() || login.session.instanceUrl.isEmpty())
        return fail(ErrorKind::Server, QStringLiteral("the Salesforce CLI has no session for %1: log in with 'sf org login web --alias %1' first").arg(sfOrg));
    if (auto ok = checkOrgUrl(login.session.instanceUrl); !ok)
        return std::unexpected(ok.error());
    return login;
}

Result<OrgSession> SavedOrgSession::open(const SavedOrg &org, SecretStore &secrets)
{
    Result<OrgSession> session = std::unexpected(Error{});
    switch (org.method) {
    case SavedOrg::Method::Browser: {
        auto refresh = savedSecret(org, secrets, QStringLiteral("refresh-token"),
                                   QStringLiteral("no saved session for %1%2: log in again with 'lockstep-cli org login --browser --alias %1'"));
        if (!refresh)
            return std::unexpected(refresh.error());
        session = OrgClient::refresh(org.loginUrl, org.clientId, *refresh);
        break;
    }
    case SavedOrg::Method::Jwt:
        session = OrgClient::loginWithJwtKeyFile(org.loginUrl, org.clientId, org.username, org.jwtKeyFile);
        break;
    case SavedOrg::Method::ClientCredentials: {
        auto secret = savedSecret(org, secrets, QStringLiteral("client-secret"),
                                  QStringLiteral("no saved client secret for %1%2: log in again with 'lockstep-cli org login --client-credentials'"));
        if (!secret)
            return std::unexpected(secret.error());
        session = OrgClient::loginWithClientCredentials(org.loginUrl, org.clientId, *secret);
        break;
    }
    case SavedOrg::Method::SalesforceCli: {
        auto login = fromSalesforceCli(org.sfOrg);
        if (!login)
            return std::unexpected(login.error());
        session = login->session;
        break;
    }
    }
    if (session && !org.apiVersion.isEmpty())
        session->apiVersion = org.apiVersion;
    return session;
}

} // namespace lockstep
