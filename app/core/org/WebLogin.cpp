#include "org/WebLogin.h"

#include <QCryptographicHash>
#include <QRandomGenerator>
#include <QUrl>
#include <QUrlQuery>

#include <cerrno>
#include <cstring>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace lockstep {

namespace {

constexpr auto kBase64Url = QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals;

QByteArray randomBytes(int n)
{
    QByteArray out(n, Qt::Uninitialized);
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(out.data()), n / 4);
    return out;
}

void sendPage(int fd, int status, const QByteArray &reason, const QString &message)
{
    const QByteArray body = QStringLiteral("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Lockstep</title></head>"
                                           "<body><h1>Lockstep</h1><p>%1</p></body></html>")
                                .arg(message.toHtmlEscaped())
                                .toUtf8();
    const QByteArray response = "HTTP/1.1 " + QByteArray::number(status) + ' ' + reason +
                                "\r\nContent-Type: text/html; charset=utf-8\r\nConnection: close\r\nContent-Length: " +
                                QByteArray::number(body.size()) + "\r\n\r\n" + body;
    for (qsizetype sent = 0; sent < response.size();) {
        const ssize_t n = ::send(fd, response.constData() + sent, size_t(response.size() - sent), MSG_NOSIGNAL);
        if (n <= 0)
            return;
        sent += n;
    }
}

// The request line of one HTTP request ("GET /path?query HTTP/1.1"), read within `ms`.
QByteArray readRequestLine(int fd, int ms)
{
    QByteArray head;
    while (!head.contains("\r\n\r\n") && head.size() < 16384) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, ms) <= 0)
            break;
        char buffer[4096];
        const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
        if (n <= 0)
            break;
        head.append(buffer, n);
    }
    return head.left(head.indexOf("\r\n"));
}

} // namespace

Result<std::unique_ptr<WebLogin>> WebLogin::start(const WebLoginOptions &options)
{
    if (options.clientId.isEmpty())
        return fail(ErrorKind::Usage, QStringLiteral("a browser login needs the connected app's consumer key (client id)"));
    if (auto ok = checkOrgUrl(options.loginUrl); !ok)
        return std::unexpected(ok.error());
    std::unique_ptr<WebLogin> login(new WebLogin);
    login->m_options = options;
    login->m_listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (login->m_listener < 0)
        return fail(ErrorKind::Io, QStringLiteral("cannot open a socket for the login's redirect: %1").arg(QString::fromLocal8Bit(std::strerror(errno))));
    const int yes = 1;
    ::setsockopt(login->m_listener, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);   // loopback only: nothing else can deliver the code
    address.sin_port = htons(options.port);
    if (::bind(login->m_listener, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0 || ::listen(login->m_listener, 8) != 0)
        return fail(ErrorKind::Io, QStringLiteral("cannot listen on 127.0.0.1:%1 for the login's redirect: %2 (another login or the "
                                                  "Salesforce CLI may be using it; close it and try again)")
                                       .arg(options.port)
                                       .arg(QString::fromLocal8Bit(std::strerror(errno))));
    socklen_t length = sizeof address;
    ::getsockname(login->m_listener, reinterpret_cast<sockaddr *>(&address), &length);
    login->m_port = ntohs(address.sin_port);
    login->m_verifier = randomBytes(32).toBase64(kBase64Url);   // 43 characters, as RFC 7636 asks
    login->m_state = QString::fromLatin1(randomBytes(16).toBase64(kBase64Url));
    return login;
}

WebLogin::~WebLogin()
{
    if (m_listener >= 0)
        ::close(m_listener);
}

QString WebLogin::redirectUri() const
{
    return QStringLiteral("http://localhost:%1%2").arg(m_port).arg(m_options.callbackPath);
}

QString WebLogin::authorizeUrl() const
{
    QString base = m_options.loginUrl;
    while (base.endsWith(QLatin1Char('/')))
        base.chop(1);
    QUrl url(base + QStringLiteral("/services/oauth2/authorize"));
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("response_type"), QStringLiteral("code"));
    query.addQueryItem(QStringLiteral("client_id"), m_options.clientId);
    query.addQueryItem(QStringLiteral("redirect_uri"), redirectUri());
    query.addQueryItem(QStringLiteral("state"), m_state);
    query.addQueryItem(QStringLiteral("scope"), m_options.scope);
    query.addQueryItem(QStringLiteral("code_challenge"),
                       QString::fromLatin1(QCryptographicHash::hash(m_verifier, QCryptographicHash::Sha256).toBase64(kBase64Url)));
    query.addQueryItem(QStringLiteral("code_challenge_method"), QStringLiteral("S256"));
    // Spaces as %20 (QUrlQuery would leave them for the browser to guess).
    QString encoded;
    for (const auto &[key, value] : query.queryItems(QUrl::FullyDecoded))
        encoded += (encoded.isEmpty() ? QString() : QStringLiteral("&")) + key + QLatin1Char('=') + QString::fromLatin1(QUrl::toPercentEncoding(value));
    return url.toString() + QLatin1Char('?') + encoded;
}

Result<WebLogin::Redirect> WebLogin::awaitRedirect(const CancelToken &cancel)
{
    const auto deadline = std::chrono::steady_clock::now() + m_options.timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (cancel.isCancelled())
            return fail(ErrorKind::Cancelled, QStringLiteral("the browser login was cancelled"));
        pollfd p{m_listener, POLLIN, 0};
        if (::poll(&p, 1, 100) <= 0)
            continue;
        const int fd = ::accept4(m_listener, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0)
            continue;
        const QByteArray line = readRequestLine(fd, 5000);
        const QList<QByteArray> parts = line.split(' ');
        const QUrl target(QString::fromLatin1(parts.value(1)));
        if (parts.value(0) != "GET" || target.path() != m_options.callbackPath) {
            sendPage(fd, 404, "Not Found", QStringLiteral("Nothing here: this address only takes the org's answer to a Lockstep login."));
            ::close(fd);
            continue;   // a favicon, a probe: keep waiting for the redirect
        }
        const QUrlQuery query(target);
        Redirect r;
        r.code = query.queryItemValue(QStringLiteral("code"), QUrl::FullyDecoded);
        r.state = query.queryItemValue(QStringLiteral("state"), QUrl::FullyDecoded);
        r.error = query.queryItemValue(QStringLiteral("error"), QUrl::FullyDecoded);
        r.errorDescription = query.queryItemValue(QStringLiteral("error_description"), QUrl::FullyDecoded).replace(QLatin1Char('+'), QLatin1Char(' '));
        const bool fine = r.error.isEmpty() && !r.code.isEmpty() && r.state == m_state;
        sendPage(fd, fine ? 200 : 400, fine ? "OK" : "Bad Request",
                 fine ? QStringLiteral("You are logged in. You can close this window and go back to Lockstep.")
                      : QStringLiteral("The login did not complete: %1. Go back to Lockstep and try again.")
                            .arg(!r.error.isEmpty() ? r.errorDescription.isEmpty() ? r.error : r.errorDescription
                                                    : QStringLiteral("the answer does not belong to this login")));
        ::close(fd);
        if (!r.error.isEmpty())
            return fail(ErrorKind::Server, QStringLiteral("the org refused the login: %1 (%2)").arg(r.error, r.errorDescription));
        if (r.state != m_state || r.code.isEmpty())
            return fail(ErrorKind::Server, QStringLiteral("the browser came back with an answer that does not belong to this login (its state "
                                                          "does not match): start the login again"));
        return r;
    }
    return fail(ErrorKind::Network, QStringLiteral("no answer from the browser within %1 s: open %2 and log in, or try again")
                                        .arg(m_options.timeout.count())
                                        .arg(authorizeUrl()));
}

Result<OrgSession> WebLogin::finish(const CancelToken &cancel)
{
    auto redirect = awaitRedirect(cancel);
    if (!redirect)
        return std::unexpected(redirect.error());
    return OrgClient::exchangeCode(m_options.loginUrl, m_options.clientId, m_options.clientSecret, redirect->code, redirectUri(), m_verifier);
}

} // namespace lockstep
