#include "org/DemoOrgProcess.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QProcess>

#ifdef Q_OS_UNIX
#include <unistd.h>
#endif
#include <QTimer>

#include <optional>
#include <utility>

namespace lockstep {

namespace {

constexpr qsizetype kStderrKeep = 64 * 1024;

QString executableName(const QString &base)
{
#ifdef Q_OS_WIN
    return base + QStringLiteral(".exe");
#else
    return base;
#endif
}

} // namespace

Result<DemoOrgConnection> DemoOrgConnection::fromJson(const QJsonObject &o)
{
    DemoOrgConnection c;
    c.instanceUrl = o.value(QStringLiteral("instance_url")).toString();
    c.accessToken = o.value(QStringLiteral("access_token")).toString();
    c.clientId = o.value(QStringLiteral("client_id")).toString();
    c.clientSecret = o.value(QStringLiteral("client_secret")).toString();
    c.username = o.value(QStringLiteral("username")).toString();
    c.password = o.value(QStringLiteral("password")).toString();
    if (c.instanceUrl.isEmpty() || c.accessToken.isEmpty())
        return fail(ErrorKind::Server, QStringLiteral("the demo org's connection line has no instance_url or access_token"));
    return c;
}

QJsonObject DemoOrgConnection::toJson() const
{
    return QJsonObject{{QStringLiteral("instance_url"), instanceUrl},   {QStringLiteral("client_id"), clientId},
                       {QStringLiteral("client_secret"), clientSecret}, {QStringLiteral("username"), username},
                       {QStringLiteral("password"), password},         {QStringLiteral("access_token"), accessToken}};
}

Result<OrgSession> DemoOrgConnection::login() const
{
    return OrgClient::loginWithPassword(instanceUrl, clientId, clientSecret.toUtf8(), username, password.toUtf8());
}

Result<OrgClient> DemoOrgConnection::client() const
{
    return OrgClient::create(session(), [connection = *this] { return connection.login(); });
}

DemoOrgProcess::DemoOrgProcess() = default;

DemoOrgProcess::~DemoOrgProcess()
{
    stop();
}

QString DemoOrgProcess::findCli(const QString &appDir)
{
    const QString fromEnvironment = qEnvironmentVariable("LOCKSTEP_CLI");
    if (!fromEnvironment.isEmpty())
        return QFileInfo(fromEnvironment).isExecutable() ? fromEnvironment : QString();
    const QDir dir(appDir);
    const QString name = executableName(QStringLiteral("lockstep-cli"));
    for (const QString &candidate : {dir.filePath(name), dir.filePath(QStringLiteral("../cli/") + name)}) {
        const QFileInfo info(candidate);
        if (info.isFile() && info.isExecutable())
            return info.canonicalFilePath();
    }
    return {};
}

void DemoOrgProcess::start(const QString &program, const QStringList &arguments, Ready ready, int timeoutMs)
{
    stop();
    m_process = std::make_unique<QProcess>();
#ifdef Q_OS_UNIX
    if (m_niceness > 0)
        m_process->setChildProcessModifier([increment = m_niceness] { (void)::nice(increment); });   // after fork, before exec
#endif
    m_stdout.clear();
    m_stderr.clear();
    m_connection = {};
    m_ready = false;
    m_stopping = false;
    m_onReady = std::move(ready);
    QProcess *process = m_process.get();
    QObject::connect(process, &QProcess::readyReadStandardOutput, process, [this] { onStdout(); });
    QObject::connect(process, &QProcess::readyReadStandardError, process, [this] { stderrText(); });
    QObject::connect(process, &QProcess::errorOccurred, process, [this](QProcess::ProcessError error) {
        if (error == QProcess::FailedToStart)
            finishStart(fail(ErrorKind::NotFound, QStringLiteral("cannot start the demo org (%1): %2")
                                                      .arg(m_process->program(), m_process->errorString())));
    });
    QObject::connect(process, &QProcess::finished, process, [this](int code, QProcess::ExitStatus status) {
        onStdout();   // a line that came just before the end still counts
        const QString why = status == QProcess::CrashExit ? QStringLiteral("the demo org crashed")
                                                          : QStringLiteral("the demo org exited with status %1").arg(code);
        const QString log = QString::fromUtf8(stderrText()).trimmed();
        if (!m_ready) {
            finishStart(fail(ErrorKind::Server, log.isEmpty() ? why : why + QStringLiteral(": ") + log));
        } else if (!m_stopping && m_onExited) {
            m_onExited(why);
        }
    });
    QTimer::singleShot(timeoutMs, process, [this, timeoutMs] {
        if (m_ready || !m_onReady)
            return;
        finishStart(fail(ErrorKind::Server, QStringLiteral("the demo org printed no connection line within %1 s").arg(timeoutMs / 1000)));
        stop(2000);
    });
    process->start(program, QStringList{QStringLiteral("demo-org"), QStringLiteral("serve"), QStringLiteral("--port"),
                                        QStringLiteral("0"), QStringLiteral("--stop-with-parent")} +
                                arguments);
}

Result<DemoOrgConnection> DemoOrgProcess::startAndWait(const QString &program, const QStringList &arguments, int timeoutMs)
{
    std::optional<Result<DemoOrgConnection>> answer;
    start(program, arguments, [&answer](const Result<DemoOrgConnection> &r) { answer = r; }, timeoutMs);
    const QDeadlineTimer deadline(timeoutMs);
    // waitFor…() deliver QProcess's signals on this thread, so the handlers above run here.
    if (!m_process->waitForStarted(int(std::max<qint64>(1, deadline.remainingTime()))) && !answer)
        finishStart(fail(ErrorKind::NotFound, QStringLiteral("cannot start %1").arg(program)));
    while (!answer && m_process && m_process->state() == QProcess::Running && !deadline.hasExpired())
        m_process->waitForReadyRead(int(std::min<qint64>(200, std::max<qint64>(1, deadline.remainingTime()))));
    if (!answer && m_process && m_process->state() == QProcess::NotRunning)
        m_process->waitForFinished(0);   // delivers finished() if it is still pending
    if (!answer) {
        finishStart(fail(ErrorKind::Server, QStringLiteral("the demo org printed no connection line within %1 s; stderr: %2")
                                                 .arg(timeoutMs / 1000)
                                                 .arg(QString::fromUtf8(stderrText()))));
        stop(2000);
    }
    return answer.value_or(fail(ErrorKind::Internal, QStringLiteral("the demo org did not start")));
}

void DemoOrgProcess::onStdout()
{
    if (!m_process)
        return;
    m_stdout += m_process->readAllStandardOutput();
    if (m_ready)
        return;
    const qsizetype end = m_stdout.indexOf('\n');
    if (end < 0)
        return;
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(m_stdout.left(end), &error);
    m_stdout.clear();   // it holds secrets: keep it no longer than needed
    if (!doc.isObject()) {
        finishStart(fail(ErrorKind::Server, QStringLiteral("the demo org's first line is not JSON: %1").arg(error.errorString())));
        return;
    }
    auto connection = DemoOrgConnection::fromJson(doc.object());
    if (connection) {
        m_connection = *connection;
        m_ready = true;
    }
    finishStart(connection);
}

void DemoOrgProcess::finishStart(const Result<DemoOrgConnection> &result)
{
    // Called once: the first of ready, failure or timeout wins.
    Ready ready = std::exchange(m_onReady, Ready{});
    if (ready)
        ready(result);
}

int DemoOrgProcess::stop(int timeoutMs)
{
    if (!m_process)
        return -1;
    m_onReady = {};
    if (m_process->state() != QProcess::NotRunning) {
        m_stopping = true;
#ifdef Q_OS_WIN
        m_process->closeWriteChannel();   // a console program ignores terminate(); stdin's end stops it
#else
        m_process->terminate();           // SIGTERM: it closes its database and exits 0
#endif
        if (!m_process->waitForFinished(timeoutMs)) {
            m_process->kill();
            m_process->waitForFinished(5000);
            return -1;
        }
    }
    stderrText();
    m_ready = false;
    if (m_process->error() == QProcess::FailedToStart)
        return -1;
    return m_process->exitStatus() == QProcess::NormalExit ? m_process->exitCode() : -1;
}

bool DemoOrgProcess::isRunning() const
{
    return m_process && m_process->state() != QProcess::NotRunning;
}

QByteArray DemoOrgProcess::stderrText()
{
    if (m_process)
        m_stderr += m_process->readAllStandardError();
    if (m_stderr.size() > kStderrKeep)
        m_stderr = m_stderr.right(kStderrKeep);
    return m_stderr;
}

} // namespace lockstep
