#include "DemoOrgController.h"

#include "BackgroundTask.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QStandardPaths>
#include <QTimer>

namespace lockstep::ui {

namespace {

constexpr int kStartTimeoutMs = 60000;
constexpr int kStopTimeoutMs = 10000;

// One call to the org on a worker: a client of its own (one per thread), cancelled with the run.
Result<QJsonObject> callOrg(const DemoOrgConnection &connection, const BackgroundRun &run, const QByteArray &method, const QString &path,
                            const QJsonObject &body = {}, std::chrono::milliseconds timeout = std::chrono::minutes(2))
{
    auto client = connection.client();
    if (!client)
        return std::unexpected(client.error());
    client->setCancelToken(run.cancelToken());
    client->setRequestTimeout(timeout);
    auto response = client->send(method, path, body.isEmpty() ? QByteArray() : QJsonDocument(body).toJson(QJsonDocument::Compact));
    if (!response)
        return std::unexpected(response.error().toError());
    const QJsonDocument doc = QJsonDocument::fromJson(response->body);
    if (!doc.isObject())
        return fail(ErrorKind::Server, QStringLiteral("the demo org answered %1 with something that is not a JSON object").arg(path));
    return doc.object();
}

} // namespace

DemoOrgController::DemoOrgController(QObject *parent)
    : QObject(parent), m_statusTask(new BackgroundTask(this)), m_seedTask(new BackgroundTask(this, &m_seedPool)), m_connectionTask(new BackgroundTask(this)),
      m_seedPoll(new QTimer(this))
{
    m_seedPoll->setInterval(500);
    connect(m_seedPoll, &QTimer::timeout, this, &DemoOrgController::refreshStatus);
    qRegisterMetaType<DemoOrgStatus>();
    m_process->setOnExited([this](const QString &why) { onProcessExited(why); });
}

DemoOrgController::~DemoOrgController()
{
    blockSignals(true);   // whoever listens may be half destroyed already
    stop();
}

QString DemoOrgController::defaultDataDir()
{
    return QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)).filePath(QStringLiteral("demo-org"));
}

Result<void> DemoOrgController::start(double scale, const QString &dataDir)
{
    stop();
    const QString cli = m_cliPath.isEmpty() ? DemoOrgProcess::findCli(QCoreApplication::applicationDirPath()) : m_cliPath;
    if (cli.isEmpty()) {
        const QString message = tr("lockstep-cli was not found beside %1; the demo org runs in it").arg(QCoreApplication::applicationDirPath());
        emit failed(message);
        return fail(ErrorKind::NotFound, message);
    }
    m_dataDir = dataDir;
    if (!QDir().mkpath(dataDir)) {
        const QString message = tr("cannot create the demo org's folder %1").arg(dataDir);
        emit failed(message);
        return fail(ErrorKind::Io, message, dataDir);
    }
    m_scale = scale;
    m_starting = true;
    m_process->setNiceness(10);
    m_process->start(cli, {QStringLiteral("--scale"), QString::number(scale), QStringLiteral("--data"), dataDir},
                     [this](const Result<DemoOrgConnection> &connection) { onProcessReady(connection); }, kStartTimeoutMs);
    return {};
}

void DemoOrgController::onProcessReady(const Result<DemoOrgConnection> &connection)
{
    if (!connection) {
        m_starting = false;
        m_pendingSeed.clear();
        emit failed(connection.error().message);
        return;
    }
    // Started means it answers over HTTP, as the window will use it.
    m_statusTask->start([connection = *connection](const BackgroundRun &run) { return callOrg(connection, run, "GET", QStringLiteral("/lockstep/status")); },
                        [this](const Result<QJsonObject> &status) {
                            m_starting = false;
                            if (!status) {
                                emit failed(tr("the demo org does not answer: %1").arg(status.error().message));
                                stop();
                                return;
                            }
                            m_running = true;
                            m_scale = status->value(QStringLiteral("scale")).toDouble(m_scale);
                            emit started(instanceUrl());
                            if (const QString path = std::exchange(m_pendingSeed, QString()); !path.isEmpty())
                                seedFrom(path);
                        });
}

void DemoOrgController::onProcessExited(const QString &why)
{
    // Called from the process's own signal: change state only, never destroy it here.
    const bool wasRunning = m_running || m_starting;
    cancelRequests();
    m_running = m_starting = false;
    if (wasRunning) {
        emit failed(why);
        emit stopped();
    }
}

void DemoOrgController::cancelSeeding()
{
    if (m_seeding.isEmpty())
        return;
    const QString path = std::exchange(m_seeding, QString());
    m_seedTask->cancel();   // the request is abandoned: the org sees its caller gone and stops
    m_seedPoll->stop();
    emit seedStopped(path);
}

void DemoOrgController::cancelRequests()
{
    m_statusTask->cancel();
    m_seedTask->cancel();
    m_seedPoll->stop();
    m_connectionTask->cancel();
    m_pendingSeed.clear();
}

void DemoOrgController::stop()
{
    const bool wasRunning = m_running || m_starting;
    cancelRequests();
    m_running = m_starting = false;
    m_seeded.clear();
    m_seeding.clear();
    m_process->stop(kStopTimeoutMs);
    if (wasRunning)
        emit stopped();
}

QString DemoOrgController::instanceUrl() const
{
    return m_running ? m_process->connection().instanceUrl : QString();
}

RunTarget DemoOrgController::runTarget() const
{
    if (!m_running)
        return {};
    const DemoOrgConnection connection = m_process->connection();
    RunTarget target;
    target.orgName = QStringLiteral("demo:") + QFileInfo(m_dataDir).absoluteFilePath();
    const double factor = m_scale > 0 ? 1.0 / m_scale : 1.0;
    target.label = qFuzzyCompare(factor, 1.0) ? tr("the demo org") : tr("the demo org (%1× faster)").arg(factor);
    target.session = connection.session();
    target.renew = [connection] { return connection.login(); };
    target.timeScale = m_scale;
    return target;
}

QJsonObject DemoOrgController::connectionJson() const
{
    return m_running ? m_process->connection().toJson() : QJsonObject();
}

void DemoOrgController::fetchConnectionDetails()
{
    if (!m_running)
        return;
    m_connectionTask->start([connection = m_process->connection()](const BackgroundRun &) -> Result<QJsonObject> {
                                auto session = connection.login();
                                if (!session)
                                    return std::unexpected(session.error());
                                DemoOrgConnection fresh = connection;
                                fresh.accessToken = QString::fromLatin1(session->accessToken);
                                return fresh.toJson();
                            },
                            [this](const Result<QJsonObject> &json) {
                                if (json)
                                    emit connectionDetails(*json);
                                else
                                    emit failed(json.error().message);
                            });
}

void DemoOrgController::seedFrom(const QString &path)
{
    if (m_starting) {
        m_pendingSeed = path;
        return;
    }
    if (!m_running)
        return;
    const QString absolute = QFileInfo(path).absoluteFilePath();
    m_seeding = absolute;
    m_seedPoll->start();
    // A large file takes a while to read; opening another one cancels this (the org stops reading).
    m_seedTask->start(
        [connection = m_process->connection(), absolute](const BackgroundRun &run) {
            return callOrg(connection, run, "POST", QStringLiteral("/lockstep/seed"),
                           QJsonObject{{QStringLiteral("files"), QJsonArray{absolute}}}, std::chrono::hours(1));
        },
        [this, path](const Result<QJsonObject> &summary) {
            m_seeding.clear();
            m_seedPoll->stop();
            if (!summary) {
                emit failed(summary.error().message);
                return;
            }
            m_seeded << QFileInfo(path).absoluteFilePath();
            emit seeded(path, summary->value(QStringLiteral("created")).toInteger(), summary->value(QStringLiteral("existing")).toInteger());
            refreshStatus();
        });
}

bool DemoOrgController::isSeeding(const QString &path) const
{
    const QString absolute = QFileInfo(path).absoluteFilePath();
    return (m_starting && QFileInfo(m_pendingSeed).absoluteFilePath() == absolute) || (m_seedTask->isBusy() && m_seeding == absolute);
}

bool DemoOrgController::isSeeded(const QString &path) const
{
    return m_running && m_seeded.contains(QFileInfo(path).absoluteFilePath());
}

void DemoOrgController::refreshStatus()
{
    if (!m_running)
        return;
    m_statusTask->start([connection = m_process->connection()](const BackgroundRun &run) { return callOrg(connection, run, "GET", QStringLiteral("/lockstep/status")); },
                        [this](const Result<QJsonObject> &json) {
                            if (!json) {
                                emit failed(json.error().message);
                                return;
                            }
                            DemoOrgStatus status;
                            status.scale = json->value(QStringLiteral("scale")).toDouble(m_scale);
                            status.apiRequests = json->value(QStringLiteral("apiRequests")).toInteger();
                            status.committedTransactions = json->value(QStringLiteral("committedTransactions")).toInteger();
                            status.lockedKeys = json->value(QStringLiteral("lockedKeys")).toInteger();
                            const QJsonObject seeding = json->value(QStringLiteral("seeding")).toObject();
                            status.seeding = !seeding.isEmpty() && isSeeding();
                            status.seedDone = seeding.value(QStringLiteral("done")).toInteger();
                            status.seedTotal = seeding.value(QStringLiteral("total")).toInteger();
                            status.seedPhase = seeding.value(QStringLiteral("phase")).toString();
                            emit statusChanged(status);
                        });
}

} // namespace lockstep::ui
