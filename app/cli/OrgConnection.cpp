#include "cli/OrgConnection.h"

#include "cli/CliSupport.h"
#include "org/OrgRegistry.h"
#include "org/SavedOrgSession.h"
#include "org/SecretStore.h"
#include "job/DuplicateRuleSwitch.h"
#include "store/JobStore.h"


#ifdef LOCKSTEP_HAVE_DEMOORG
#include "demoorg/DemoOrg.h"
#endif

#include <QDir>
#include <QEventLoop>

#include <thread>
#include <QJsonArray>
#include <QJsonObject>
#include <QFileInfo>

namespace lockstep::cli {

OrgConnection::~OrgConnection()
{
#ifdef LOCKSTEP_HAVE_DEMOORG
    if (demo)
        demo->stop();
#endif
}

QString defaultDemoDataDir(const QString &storePath)
{
    return QFileInfo(storePath.isEmpty() ? JobStore::defaultPath() : storePath).dir().filePath(QStringLiteral("demo-org"));
}

namespace {

// An org saved by `lockstep-cli org login`: its session opened the way it was saved, and
// renewed the same way; the job store names it by its alias.
std::optional<OrgConnection> connectSavedOrg(const QString &alias, double scale, const QString &command, int &exitCode)
{
    auto registry = OrgRegistry::load();
    if (!registry) {
        exitCode = report(registry.error());
        return std::nullopt;
    }
    const auto saved = registry->find(alias);
    if (!saved) {
        exitCode = usageError(QStringLiteral("no saved org '%1': give 'demo', an https:// instance URL, or an alias from 'lockstep-cli org list' "
                                             "('lockstep-cli org login' saves one)").arg(alias),
                              command);
        return std::nullopt;
    }
    std::unique_ptr<SecretStore> secrets = SecretStore::system();
    auto session = SavedOrgSession::open(*saved, *secrets);
    if (!session) {
        exitCode = report(session.error());
        return std::nullopt;
    }
    OrgConnection target;
    target.name = saved->alias;
    target.scale = scale;
    target.session = *session;
    // Renewals come from the runner's threads: they use the secrets as read now, from memory,
    // not the keychain (whose D-Bus calls belong to this thread).
    std::shared_ptr<SecretStore> cache = SecretStore::memory({});
    for (const char *what : {"refresh-token", "client-secret"})
        if (auto secret = secrets->read(saved->secretKey(QLatin1String(what))); secret && *secret)
            (void)cache->write(saved->secretKey(QLatin1String(what)), **secret);
    const SavedOrg org = *saved;
    target.renew = [org, cache]() { return SavedOrgSession::open(org, *cache); };
    return target;
}

} // namespace

std::optional<OrgConnection> connectOrg(const QString &org, double scale, const QString &dataDir, const QStringList &seedFiles,
                                        const OrgProfile &profile, const QString &command, int &exitCode)
{
    OrgConnection target;
    target.name = org;
    if (org == QLatin1String("demo") || org.startsWith(QLatin1String("demo:"))) {
#ifdef LOCKSTEP_HAVE_DEMOORG
        if (scale < 0 || scale > 1) {
            exitCode = usageError(QStringLiteral("--scale takes a number from 0 to 1 (0.01: a 10 s lock timeout lasts 100 ms)"), command);
            return std::nullopt;
        }
        demoorg::DemoOrgOptions options;
        options.profile.org = profile;
        options.profile.scale = scale;
        options.dataDir = !dataDir.isEmpty() ? dataDir : org.size() > 5 ? org.mid(5) : defaultDemoDataDir();
        options.seedFrom = seedFiles;
        if (!QDir().mkpath(options.dataDir)) {
            exitCode = report(Error{ErrorKind::Io, QStringLiteral("cannot create the demo org's folder"), options.dataDir});
            return std::nullopt;
        }
        auto demo = demoorg::DemoOrg::start(options);
        if (!demo) {
            exitCode = report(demo.error());
            return std::nullopt;
        }
        target.session = {(*demo)->instanceUrl(), (*demo)->issueAccessToken().toLatin1()};
        target.scale = scale;
        target.demoDataDir = QFileInfo(options.dataDir).absoluteFilePath();
        target.name = QStringLiteral("demo:") + target.demoDataDir;
        // The demo org hands out a fresh token whenever one runs out (it may be told to expire them).
        std::shared_ptr<demoorg::DemoOrg> shared(std::move(*demo));
        std::weak_ptr<demoorg::DemoOrg> weak = shared;
        target.renew = [weak]() -> Result<OrgSession> {
            auto running = weak.lock();
            if (!running)
                return fail(ErrorKind::Network, QStringLiteral("the demo org has stopped"));
            return OrgSession{running->instanceUrl(), running->issueAccessToken().toLatin1()};
        };
        target.demo = std::move(shared);
        return target;
#else
        exitCode = usageError(QStringLiteral("this build has no demo org"), command);
        return std::nullopt;
#endif
    }
    if (scale <= 0 || scale > 1) {
        exitCode = usageError(QStringLiteral("--scale for an org given by URL is its time scale: 1 for Salesforce, the scale a served demo "
                                             "org was started with (above 0)"),
                              command);
        return std::nullopt;
    }
    if (!org.contains(QStringLiteral("://")))
        return connectSavedOrg(org, scale, command, exitCode);
    if (auto ok = checkOrgUrl(org); !ok) {
        exitCode = usageError(ok.error().message, command);
        return std::nullopt;
    }
    target.scale = scale;
    const QByteArray token = qgetenv("LOCKSTEP_ACCESS_TOKEN");
    const QString username = qEnvironmentVariable("LOCKSTEP_USERNAME");
    const QString jwtKeyFile = qEnvironmentVariable("LOCKSTEP_JWT_KEY_FILE");
    // A JWT login signs a fresh assertion each time (a renewed session too); the key is read
    // from its file for each login and kept no longer.
    auto login = [=]() -> Result<OrgSession> {
        const QString loginUrl = qEnvironmentVariable("LOCKSTEP_LOGIN_URL", org);
        if (!jwtKeyFile.isEmpty())
            return OrgClient::loginWithJwtKeyFile(loginUrl, qEnvironmentVariable("LOCKSTEP_CLIENT_ID"), username, jwtKeyFile);
        // No user: the client credentials flow (the app runs as the user its admin chose).
        if (username.isEmpty())
            return OrgClient::loginWithClientCredentials(loginUrl, qEnvironmentVariable("LOCKSTEP_CLIENT_ID"), qgetenv("LOCKSTEP_CLIENT_SECRET"));
        return OrgClient::loginWithPassword(loginUrl, qEnvironmentVariable("LOCKSTEP_CLIENT_ID"), qgetenv("LOCKSTEP_CLIENT_SECRET"), username,
                                            qgetenv("LOCKSTEP_PASSWORD"));
    };
    const bool clientCredentials = username.isEmpty() && !qEnvironmentVariableIsEmpty("LOCKSTEP_CLIENT_ID") &&
                                   !qEnvironmentVariableIsEmpty("LOCKSTEP_CLIENT_SECRET");
    if (!token.isEmpty()) {
        target.session = {org, token};
    } else if (!username.isEmpty() || clientCredentials) {
        auto session = login();
        if (!session) {
            exitCode = report(session.error());
            return std::nullopt;
        }
        target.session = *session;
    } else {
        exitCode = usageError(QStringLiteral("no session for %1: set LOCKSTEP_ACCESS_TOKEN; or LOCKSTEP_USERNAME, LOCKSTEP_CLIENT_ID and "
                                             "LOCKSTEP_JWT_KEY_FILE (a JWT bearer login); or LOCKSTEP_CLIENT_ID and LOCKSTEP_CLIENT_SECRET "
                                             "(client credentials, at the org's My Domain); or those with LOCKSTEP_USERNAME and "
                                             "LOCKSTEP_PASSWORD (and LOCKSTEP_LOGIN_URL for any of them)").arg(org),
                              command);
        return std::nullopt;
    }
    if (!username.isEmpty() || clientCredentials)
        target.renew = login;
    return target;
}

namespace {

// Calls to the org from the command's own thread: the demo org started in this process answers
// on this thread's event loop, so the call runs on a pool thread while the loop turns.
template <class F>
auto whileServing(F &&call) -> decltype(call())
{
    std::optional<decltype(call())> result;
    QEventLoop loop;
    std::thread worker([&] {
        result.emplace(call());
        QMetaObject::invokeMethod(&loop, &QEventLoop::quit, Qt::QueuedConnection);   // runs once exec() has begun
    });
    loop.exec();
    worker.join();
    return std::move(*result);
}

} // namespace

void restoreAbandonedChanges(JobStore &store, const OrgConnection &org, bool quiet)
{
    auto client = org.client();
    if (!client)
        return;
    auto restored = whileServing([&] { return DuplicateRuleSwitch::restoreAbandoned(store, *client, org.name); });
    if (!restored) {
        err() << "warning: " << restored.error().message << Qt::endl;
        return;
    }
    if (!quiet)
        for (const QString &rule : *restored)
            err() << "restored duplicate rule " << rule << ", left switched off by a job that did not finish" << Qt::endl;
}

Result<void> checkTarget(const OrgConnection &org, const QString &object, const QString &externalIdField)
{
    auto client = org.client();
    if (!client)
        return std::unexpected(client.error());
    auto described = whileServing([&] { return client->describe(object); });
    if (!described)
        return std::unexpected(described.error().toError());
    if (externalIdField.isEmpty() || externalIdField.compare(QLatin1String("Id"), Qt::CaseInsensitive) == 0)
        return {};
    const QJsonArray fields = described->value(QStringLiteral("fields")).toArray();
    for (const QJsonValue &f : fields) {
        const QJsonObject field = f.toObject();
        if (field.value(QStringLiteral("name")).toString().compare(externalIdField, Qt::CaseInsensitive) != 0)
            continue;
        if (field.value(QStringLiteral("externalId")).toBool() || field.value(QStringLiteral("idLookup")).toBool())
            return {};
        return fail(ErrorKind::Usage, QStringLiteral("%1.%2 is not an external id field: an upsert matches records on an "
                                                     "External ID (or Id) field").arg(object, externalIdField));
    }
    return fail(ErrorKind::Usage, QStringLiteral("%1 has no field %2 (the --external-id of the upsert)").arg(object, externalIdField));
}

} // namespace lockstep::cli
