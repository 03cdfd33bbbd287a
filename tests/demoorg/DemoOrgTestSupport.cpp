#include "DemoOrgTestSupport.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonObject>
#include <QUrl>

#include <csignal>

namespace lockstep::test {

DemoOrgProcess::~DemoOrgProcess()
{
    if (running())
        stop();
}

bool DemoOrgProcess::running() const
{
    return m_process && m_process->state() != QProcess::NotRunning;
}

QByteArray DemoOrgProcess::stderrText()
{
    if (m_process)
        m_stderr += m_process->readAllStandardError();
    return m_stderr;
}

bool DemoOrgProcess::start(const QStringList &extraArguments)
{
    const QString cli = qEnvironmentVariable("LOCKSTEP_CLI");
    if (cli.isEmpty()) {
        m_error = QStringLiteral("LOCKSTEP_CLI is not set (run the tests through ctest)");
        return false;
    }
    m_process = std::make_unique<QProcess>();
    m_stderr.clear();
    m_process->start(cli, QStringList{QStringLiteral("demo-org"), QStringLiteral("serve"), QStringLiteral("--port"), QStringLiteral("0")} + extraArguments);
    if (!m_process->waitForStarted(10000)) {
        m_error = QStringLiteral("cannot start %1").arg(cli);
        return false;
    }
    QElapsedTimer timer;
    timer.start();
    QByteArray out;
    while (!out.contains('\n') && timer.elapsed() < 60000 && m_process->state() == QProcess::Running) {
        m_process->waitForReadyRead(200);
        out += m_process->readAllStandardOutput();
    }
    const QJsonObject o = QJsonDocument::fromJson(out.left(out.indexOf('\n'))).object();
    if (o.isEmpty()) {
        m_error = QStringLiteral("no JSON line from the demo org; stderr: %1").arg(QString::fromUtf8(stderrText()));
        return false;
    }
    url = o.value(QStringLiteral("instance_url")).toString();
    token = o.value(QStringLiteral("access_token")).toString();
    clientId = o.value(QStringLiteral("client_id")).toString();
    clientSecret = o.value(QStringLiteral("client_secret")).toString();
    username = o.value(QStringLiteral("username")).toString();
    password = o.value(QStringLiteral("password")).toString();
    return true;
}

int DemoOrgProcess::stop()
{
    if (!m_process)
        return -1;
    if (m_process->state() == QProcess::Running) {
        ::kill(pid_t(m_process->processId()), SIGTERM);
        if (!m_process->waitForFinished(30000)) {
            m_process->kill();
            m_process->waitForFinished();
            return -1;
        }
    }
    stderrText();
    return m_process->exitStatus() == QProcess::NormalExit ? m_process->exitCode() : -1;
}

HttpResponse OrgClient::send(const QByteArray &method, const QString &path, const QByteArray &body, const QByteArray &contentType,
                             const QList<QPair<QByteArray, QByteArray>> &headers, bool auth)
{
    HttpRequest request;
    request.method = method;
    request.url = path.startsWith(QLatin1String("http")) ? path : m_base + path;
    request.body = body;
    request.headers = headers;
    if (!contentType.isEmpty() && !body.isEmpty())
        request.header("Content-Type", contentType);
    if (auth && !m_token.isEmpty())
        request.header("Authorization", "Bearer " + m_token.toLatin1());
    auto response = m_http.send(request);
    if (!response) {
        HttpResponse failed;
        failed.status = 0;
        failed.body = response.error().error.message.toUtf8();
        return failed;
    }
    return *response;
}

QJsonArray OrgClient::queryAll(const QString &soql, int *pages)
{
    QJsonArray all;
    QString next = QStringLiteral("/services/data/v62.0/query?q=") + QString::fromLatin1(QUrl::toPercentEncoding(soql));
    int n = 0;
    while (!next.isEmpty() && n < 1000) {
        const QJsonObject page = jsonOf(get(next)).object();
        ++n;
        for (const auto &r : page.value(QStringLiteral("records")).toArray())
            all.append(r);
        next = page.value(QStringLiteral("done")).toBool(true) ? QString() : page.value(QStringLiteral("nextRecordsUrl")).toString();
    }
    if (pages)
        *pages = n;
    return all;
}

QJsonDocument jsonOf(const HttpResponse &response)
{
    return QJsonDocument::fromJson(response.body);
}

QJsonObject firstError(const HttpResponse &response)
{
    return jsonOf(response).array().at(0).toObject();
}

QString xmlValue(const QByteArray &xml, const QString &tag)
{
    const QByteArray open = '<' + tag.toUtf8() + '>';
    const auto a = xml.indexOf(open);
    if (a < 0)
        return {};
    const auto b = xml.indexOf("</" + tag.toUtf8() + '>', a);
    return QString::fromUtf8(xml.mid(a + open.size(), b - a - open.size()));
}

} // namespace lockstep::test
