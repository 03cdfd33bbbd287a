#include "cli/OrgCommand.h"

#include "cli/CliSupport.h"
#include "org/OrgLogin.h"
#include "org/OrgRegistry.h"
#include "org/SavedOrgSession.h"
#include "org/SecretStore.h"
#include "org/WebLogin.h"

#include <QCommandLineParser>
#include <QDateTime>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>

#include <thread>

namespace lockstep::cli {

namespace {

const QString kCommand = QStringLiteral("org");

void addJsonOption(QCommandLineParser &parser)
{
    parser.addOption({QStringLiteral("json"), QStringLiteral("Print the result as JSON on stdout.")});
}

QJsonObject describe(const SavedOrg &org)
{
    QJsonObject o = org.toJson();
    o.insert(QStringLiteral("secretsIn"), org.method == SavedOrg::Method::Browser || org.method == SavedOrg::Method::ClientCredentials
                                               ? QStringLiteral("keychain")
                                               : org.method == SavedOrg::Method::Jwt ? QStringLiteral("key file") : QStringLiteral("Salesforce CLI"));
    return o;
}

// The saved orgs and the one ALIAS a command names among them (else the exit code is set).
struct NamedOrg {
    OrgRegistry registry;
    SavedOrg org;
};
std::optional<NamedOrg> savedOrgArgument(const QCommandLineParser &parser, int &code)
{
    if (parser.positionalArguments().size() != 1) {
        code = usageError(QStringLiteral("expected one ALIAS"), kCommand);
        return std::nullopt;
    }
    auto registry = OrgRegistry::load();
    if (!registry) {
        code = report(registry.error());
        return std::nullopt;
    }
    auto org = registry->find(parser.positionalArguments().front());
    if (!org) {
        code = report(Error{ErrorKind::NotFound, QStringLiteral("no saved org '%1' ('lockstep-cli org list')").arg(parser.positionalArguments().front())});
        return std::nullopt;
    }
    return NamedOrg{std::move(*registry), std::move(*org)};
}

} // namespace

int OrgCommand::run(const QStringList &arguments)
{
    const QString action = arguments.value(0);
    const QStringList rest = arguments.mid(1);
    if (action == QLatin1String("login"))
        return login(rest);
    if (action == QLatin1String("list"))
        return list(rest);
    if (action == QLatin1String("display"))
        return display(rest);
    if (action == QLatin1String("logout"))
        return logout(rest);
    if (action == QLatin1String("--help") || action == QLatin1String("-h") || action.isEmpty()) {
        out() << "Usage: lockstep-cli org login|list|display|logout [options]\n\n" << summary()
              << ".\n\n"
                 "  login    connect an org and save it by alias (see 'org login --help')\n"
                 "  list     the saved orgs\n"
                 "  display  one saved org, and whether it connects\n"
                 "  logout   revoke its session, forget its secrets and the org\n\n"
                 "Orgs are saved in $XDG_CONFIG_HOME/lockstep/orgs.json (no secret); refresh tokens and client secrets in the "
                 "system keychain. Then '--org ALIAS' works wherever an org is asked for.\n";
        out().flush();
        return action.isEmpty() ? ExitCode::Usage : ExitCode::Ok;
    }
    return usageError(QStringLiteral("unknown action '%1': login, list, display or logout").arg(action), kCommand);
}

int OrgCommand::login(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Connects an org and saves it by alias, one of four ways:\n"
        "  --browser                 OAuth in the system browser (authorization code with PKCE); the page is printed when "
        "no browser can be opened. The connected app's callback must be http://localhost:PORT/OauthRedirect.\n"
        "  --jwt KEY                 JWT bearer with the private key file of the connected app's certificate (the CI way).\n"
        "  --client-credentials      the connected app's key (--client-id) and secret (from LOCKSTEP_CLIENT_SECRET), at "
        "the org's My Domain.\n"
        "  --sf ORG                  reuse a Salesforce CLI login (its alias or username); sf keeps its own tokens.\n"
        "Secrets never go on the command line: refresh tokens and client secrets go to the system keychain (or, with no "
        "keychain service, stay in memory for this command, as it says).\n\n"
        "Exit status: 0 connected and saved, 64 bad usage, 66 key file missing, 69 the org refused, 75 no answer."));
    parser.addOption({QStringLiteral("browser"), QStringLiteral("Log in in the browser.")});
    parser.addOption({QStringLiteral("jwt"), QStringLiteral("JWT bearer with this private key file."), QStringLiteral("KEY")});
    parser.addOption({QStringLiteral("client-credentials"), QStringLiteral("The client credentials flow.")});
    parser.addOption({QStringLiteral("sf"), QStringLiteral("Reuse this Salesforce CLI login (alias or username)."), QStringLiteral("ORG")});
    parser.addOption({QStringLiteral("alias"), QStringLiteral("The name to save it under (default: the username)."), QStringLiteral("A")});
    parser.addOption({QStringLiteral("instance"), QStringLiteral("The login host: https://login.salesforce.com (default), https://test.salesforce.com, "
                                                                 "a My Domain, or a demo org's URL."),
                      QStringLiteral("URL"), QStringLiteral("https://login.salesforce.com")});
    parser.addOption({QStringLiteral("client-id"), QStringLiteral("The connected app's consumer key."), QStringLiteral("ID")});
    parser.addOption({QStringLiteral("username"), QStringLiteral("--jwt: the user to log in as."), QStringLiteral("U")});
    parser.addOption({QStringLiteral("port"), QStringLiteral("--browser: the callback's port on localhost (default 1717)."), QStringLiteral("N"), QStringLiteral("1717")});
    parser.addOption({QStringLiteral("no-open"), QStringLiteral("--browser: print the page to open instead of opening a browser.")});
    addJsonOption(parser);
    int code = 0;
    if (!parseArguments(parser, kCommand + QStringLiteral(" login"), arguments, code))
        return code;
    const int ways = int(parser.isSet(QStringLiteral("browser"))) + int(parser.isSet(QStringLiteral("jwt"))) +
                     int(parser.isSet(QStringLiteral("client-credentials"))) + int(parser.isSet(QStringLiteral("sf")));
    if (ways != 1)
        return usageError(QStringLiteral("say how to log in: one of --browser, --jwt KEY, --client-credentials, --sf ORG"), kCommand);
    const QString alias = parser.value(QStringLiteral("alias"));
    if (!alias.isEmpty() && !OrgRegistry::validAlias(alias))
        return usageError(QStringLiteral("an alias is letters, digits, '.', '-' and '_' (up to 64), got '%1'").arg(alias), kCommand);
    const QString instance = parser.value(QStringLiteral("instance"));
    if (auto ok = checkOrgUrl(instance); !ok)
        return usageError(ok.error().message, kCommand);
    const QString clientId = parser.value(QStringLiteral("client-id"));
    if (!parser.isSet(QStringLiteral("sf")) && clientId.isEmpty())
        return usageError(QStringLiteral("--client-id is required: the connected app's consumer key"), kCommand);

    OrgLoginRequest request;
    request.loginUrl = instance;
    request.clientId = clientId;
    request.alias = alias;
    std::unique_ptr<SecretStore> secrets = SecretStore::system();
    Result<OrgLoginResult> login = std::unexpected(Error{});
    if (parser.isSet(QStringLiteral("browser"))) {
        request.method = SavedOrg::Method::Browser;
        WebLoginOptions options;
        options.loginUrl = instance;
        options.clientId = clientId;
        bool ok = false;
        const uint port = parser.value(QStringLiteral("port")).toUInt(&ok);
        if (!ok || port > 65535)
            return usageError(QStringLiteral("--port takes a port number from 0 to 65535 (0: any free port)"), kCommand);
        options.port = quint16(port);
        auto web = WebLogin::start(options);
        if (!web)
            return report(web.error());
        const QString url = (*web)->authorizeUrl();
        err() << "Log in to the org on this page (Lockstep waits up to 5 minutes):\n" << url << Qt::endl;
        const bool display = !qEnvironmentVariableIsEmpty("DISPLAY") || !qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY");
        if (display && !parser.isSet(QStringLiteral("no-open")))
            QProcess::startDetached(QStringLiteral("xdg-open"), {url});
        StderrProgress interrupt(false);   // Ctrl-C stops the wait
        const auto session = (*web)->finish(interrupt.token());
        if (!session)
            return report(session.error());
        SavedOrg org;
        org.method = SavedOrg::Method::Browser;
        org.loginUrl = instance;
        org.clientId = clientId;
        QList<QPair<QString, QByteArray>> keep;
        if (!session->refreshToken.isEmpty())
            keep.append({QStringLiteral("refresh-token"), session->refreshToken});
        login = saveOrgLogin(request, org, *session, keep, *secrets);
    } else {
        if (parser.isSet(QStringLiteral("jwt"))) {
            request.method = SavedOrg::Method::Jwt;
            request.username = parser.value(QStringLiteral("username"));
            if (request.username.isEmpty())
                return usageError(QStringLiteral("--jwt needs --username: the user the assertion names"), kCommand);
            request.jwtKeyFile = parser.value(QStringLiteral("jwt"));
        } else if (parser.isSet(QStringLiteral("client-credentials"))) {
            request.method = SavedOrg::Method::ClientCredentials;
            request.clientSecret = qgetenv("LOCKSTEP_CLIENT_SECRET");
            if (request.clientSecret.isEmpty())
                return usageError(QStringLiteral("--client-credentials takes the consumer secret from LOCKSTEP_CLIENT_SECRET (never the command line)"),
                                  kCommand);
        } else {
            request.method = SavedOrg::Method::SalesforceCli;
            request.sfOrg = parser.value(QStringLiteral("sf"));
        }
        login = loginAndSaveOrg(request, *secrets);
    }
    if (!login) {
        if (login.error().kind == ErrorKind::Usage)
            return usageError(login.error().message, kCommand);
        return report(login.error());
    }
    const SavedOrg &org = login->org;
    if (!login->secretsKept)
        err() << "warning: " << login->warning << Qt::endl;
    if (parser.isSet(QStringLiteral("json"))) {
        QJsonObject o = describe(org);
        o.insert(QStringLiteral("organizationId"), login->organizationId);
        o.insert(QStringLiteral("secretsKept"), login->secretsKept);
        writeJson(QJsonDocument(o));
    } else {
        out() << "Connected " << org.alias << ": " << org.username << " at " << org.instanceUrl << " (" << methodName(org.method)
              << "). Use --org " << org.alias << ".\n";
        out().flush();
    }
    return ExitCode::Ok;
}

int OrgCommand::list(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("The saved orgs: alias, user, instance, how it logs in. No secret is shown."));
    addJsonOption(parser);
    int code = 0;
    if (!parseArguments(parser, kCommand + QStringLiteral(" list"), arguments, code))
        return code;
    auto registry = OrgRegistry::load();
    if (!registry)
        return report(registry.error());
    if (parser.isSet(QStringLiteral("json"))) {
        QJsonArray orgs;
        for (const SavedOrg &o : registry->orgs())
            orgs.append(describe(o));
        writeJson(QJsonDocument(QJsonObject{{QStringLiteral("orgs"), orgs}}));
        return ExitCode::Ok;
    }
    if (registry->orgs().empty()) {
        out() << "No saved orgs: 'lockstep-cli org login --help' says how to connect one; '--org demo' needs none.\n";
    } else {
        out() << QStringLiteral("%1  %2  %3  %4\n").arg(QStringLiteral("alias"), -20).arg(QStringLiteral("username"), -36).arg(QStringLiteral("how"), -18).arg(QStringLiteral("instance"));
        for (const SavedOrg &o : registry->orgs())
            out() << QStringLiteral("%1  %2  %3  %4\n").arg(o.alias, -20).arg(o.username, -36).arg(methodName(o.method), -18).arg(o.instanceUrl);
    }
    out().flush();
    return ExitCode::Ok;
}

int OrgCommand::display(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("One saved org, and whether a session opens (it logs in the way the org was saved). "
                                                    "No token or secret is shown.\n\nExit status: 0 connects, 66 no such org, 69 the org refused."));
    parser.addPositionalArgument(QStringLiteral("ALIAS"), QStringLiteral("The org's alias or username."));
    addJsonOption(parser);
    int code = 0;
    if (!parseArguments(parser, kCommand + QStringLiteral(" display"), arguments, code))
        return code;
    auto named = savedOrgArgument(parser, code);
    if (!named)
        return code;
    const SavedOrg *org = &named->org;
    auto secrets = SecretStore::system();
    auto session = SavedOrgSession::open(*org, *secrets);
    QString status = QStringLiteral("connected");
    if (session) {
        if (auto who = whoAmI(*session); !who)
            status = who.error().message;
    } else {
        status = session.error().message;
    }
    if (parser.isSet(QStringLiteral("json"))) {
        QJsonObject o = describe(*org);
        o.insert(QStringLiteral("status"), status);
        writeJson(QJsonDocument(o));
    } else {
        out() << "alias:     " << org->alias << "\nusername:  " << org->username << "\ninstance:  " << org->instanceUrl << "\nlogin:     "
              << org->loginUrl << "\nhow:       " << methodName(org->method) << "\nclient id: " << org->clientId << "\napi:       "
              << org->apiVersion << "\nstatus:    " << status << "\n";
        out().flush();
    }
    return session ? ExitCode::Ok : report(session.error());
}

int OrgCommand::logout(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Revokes the org's saved session (browser logins), forgets its secrets and the org. "
                                                    "A JWT key file and a Salesforce CLI login stay where they are.\n\n"
                                                    "Exit status: 0 logged out, 66 no such org."));
    parser.addPositionalArgument(QStringLiteral("ALIAS"), QStringLiteral("The org's alias or username."));
    int code = 0;
    if (!parseArguments(parser, kCommand + QStringLiteral(" logout"), arguments, code))
        return code;
    auto named = savedOrgArgument(parser, code);
    if (!named)
        return code;
    const SavedOrg *org = &named->org;
    auto secrets = SecretStore::system();
    if (org->method == SavedOrg::Method::Browser)
        if (auto refresh = secrets->read(org->secretKey(QStringLiteral("refresh-token"))); refresh && *refresh)
            if (auto revoked = OrgClient::revoke(org->loginUrl, **refresh); !revoked)
                err() << "warning: " << revoked.error().message << " — the saved secrets are removed anyway" << Qt::endl;
    for (const char *what : {"refresh-token", "client-secret"})
        (void)secrets->remove(org->secretKey(QLatin1String(what)));
    named->registry.remove(org->alias);
    if (auto saved = named->registry.save(); !saved)
        return report(saved.error());
    out() << "Logged out of " << org->alias << ".";
    if (org->method == SavedOrg::Method::SalesforceCli)
        out() << " The Salesforce CLI's login " << org->sfOrg << " is left as it is (sf org logout --target-org " << org->sfOrg << ").";
    out() << "\n";
    out().flush();
    return ExitCode::Ok;
}

} // namespace lockstep::cli
