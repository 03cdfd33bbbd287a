#pragma once

#include "common/Error.h"
#include "org/OrgClient.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <functional>
#include <memory>

class QProcess;

namespace lockstep {

// What `lockstep-cli demo-org serve` prints when it listens: where the org is and how to sign
// in. The password and the secret are the org's own (kept in its data folder); the token
// expires like any session, so a long-lived caller logs in again with login().
struct DemoOrgConnection {
    QString instanceUrl;
    QString accessToken;
    QString clientId;
    QString clientSecret;
    QString username;
    QString password;

    static Result<DemoOrgConnection> fromJson(const QJsonObject &object);
    QJsonObject toJson() const;   // the same keys the line has
    OrgSession session() const { return OrgSession{instanceUrl, accessToken.toLatin1()}; }
    // A fresh session through OAuth's username-password flow, over HTTP like any org.
    Result<OrgSession> login() const;
    // A client of the org that signs in again (login()) when its session expires.
    Result<OrgClient> client() const;
};

// A demo org in a child process (`lockstep-cli demo-org serve --port 0 …`): the window, the
// tests and the CLI start it the same way and then reach it over HTTP only. The child is told
// to stop when its stdin closes (--stop-with-parent), so it never outlives the process that
// started it — not even one that crashed or was killed.
//
// Not thread-safe: use it on the thread that created it (its QProcess lives there).
class DemoOrgProcess {
public:
    using Ready = std::function<void(const Result<DemoOrgConnection> &)>;
    using Exited = std::function<void(const QString &why)>;

    DemoOrgProcess();
    ~DemoOrgProcess();   // stops the child
    DemoOrgProcess(const DemoOrgProcess &) = delete;
    DemoOrgProcess &operator=(const DemoOrgProcess &) = delete;

    // Where lockstep-cli is for a program in `appDir`: $LOCKSTEP_CLI when set, else beside the
    // program (the installed layout: both in bin/, or both in a macOS bundle's Contents/MacOS),
    // else the build tree's app/cli/ beside app/gui/. Empty when none exists.
    static QString findCli(const QString &appDir);

    // Starts `program demo-org serve --port 0 --stop-with-parent <arguments>` and returns at
    // once; `ready` is called on this thread, once, with the connection or why there is none
    // (the child exited, printed no JSON line within `timeoutMs`, or could not be started).
    void start(const QString &program, const QStringList &arguments, Ready ready, int timeoutMs = 60000);
    // The same, waiting for the answer (tests, command-line tools).
    Result<DemoOrgConnection> startAndWait(const QString &program, const QStringList &arguments, int timeoutMs = 60000);
    // The child runs this much nicer than its parent (Unix; 0: as the parent). A window gives its
    // demo org a lower CPU priority so that a busy org on a 2-core machine never freezes the
    // window that watches it; the org's work is the same, only who goes first under contention.
    void setNiceness(int increment) { m_niceness = increment; }
    // Called when a child that was ready exits without stop() being asked for.
    void setOnExited(Exited exited) { m_onExited = std::move(exited); }

    // Asks the child to stop (SIGTERM; on Windows, the end of its stdin), then waits up to
    // `timeoutMs`, after which it is killed. The exit code, or -1 when it was killed, crashed,
    // or never ran.
    int stop(int timeoutMs = 30000);
    bool isRunning() const;
    bool isReady() const { return m_ready; }
    const DemoOrgConnection &connection() const { return m_connection; }
    // What the child wrote on stderr so far (its log; never secrets), the last 64 KiB.
    QByteArray stderrText();

private:
    void onStdout();
    void finishStart(const Result<DemoOrgConnection> &result);

    std::unique_ptr<QProcess> m_process;
    QByteArray m_stdout;
    QByteArray m_stderr;
    DemoOrgConnection m_connection;
    Ready m_onReady;
    Exited m_onExited;
    bool m_ready = false;
    bool m_stopping = false;
    int m_niceness = 0;
};

} // namespace lockstep
