#pragma once

#include "common/Error.h"
#include "RunController.h"
#include "org/DemoOrgProcess.h"

#include <QJsonObject>
#include <QObject>
#include <QThreadPool>

class QTimer;

#include <memory>

namespace lockstep::ui {

class BackgroundTask;

// What the demo org says about itself (GET /lockstep/status).
struct DemoOrgStatus {
    double scale = 0;                 // wall seconds per platform second
    qint64 apiRequests = 0;
    qint64 committedTransactions = 0;
    qint64 lockedKeys = 0;
    // A seed in progress (POST /lockstep/seed): rows done of total, and what it is doing.
    bool seeding = false;
    qint64 seedDone = 0;
    qint64 seedTotal = 0;
    QString seedPhase;
};

// The built-in demo org, for when no org is configured: a Salesforce-compatible server on
// 127.0.0.1 over the same lock engine as the predictor, so a consultant can show skew — and
// point jsforce or the Salesforce CLI at it — without a client's org. It runs as a child
// process (`lockstep-cli demo-org serve`, found beside this program) that stops when the app
// does, even if the app crashes; the window reaches it over HTTP like any other org. Its
// records live in the app's data folder and survive restarts; every file the user opens is
// seeded into it (POST /lockstep/seed), so that file can be loaded as it is.
class DemoOrgController : public QObject {
    Q_OBJECT
public:
    explicit DemoOrgController(QObject *parent = nullptr);
    ~DemoOrgController() override;

    // Starts the child and returns at once: started() follows once it answers over HTTP, or
    // failed(). An error now when there is no lockstep-cli to start.
    // `scale`: wall seconds per platform second (0.05 = 20× faster than a real org).
    Result<void> start(double scale, const QString &dataDir);
    // Stops the child (waits a few seconds at most for it to close its database).
    void stop();
    bool isRunning() const { return m_running; }
    bool isStarting() const { return m_starting; }
    double scale() const { return m_scale; }
    QString instanceUrl() const;
    // {"instance_url","client_id","client_secret","username","password","access_token"} as the
    // org printed them when it started (the token may since have expired: see
    // fetchConnectionDetails()).
    QJsonObject connectionJson() const;
    // The same with a fresh token, signed in over HTTP: connectionDetails() or failed() follows.
    void fetchConnectionDetails();
    // Creates every record the file refers to, over HTTP; seeded() or failed() follows. While
    // the org is still starting, it is seeded as soon as it answers.
    void seedFrom(const QString &path);
    // The org a job runs against: this demo org, as the job store names it ("demo:<folder>", so
    // `lockstep-cli resume` finds the same records), signing in again when its session expires.
    // Invalid while it is not running.
    RunTarget runTarget() const;
    QString dataDir() const { return m_dataDir; }
    // The file's records are in the org (seeded since it started), so a job of it can run.
    bool isSeeded(const QString &path) const;
    bool isSeeding(const QString &path) const;   // asked for and not answered yet
    bool isSeeding() const { return !m_seeding.isEmpty(); }
    // Stops the seed in progress (the org stops reading at its next progress report); the
    // file's job will wait for a new seed. seedStopped() follows.
    void cancelSeeding();
    // Asks GET /lockstep/status; statusChanged() follows.
    void refreshStatus();

    // The lockstep-cli to start (default: DemoOrgProcess::findCli beside this program).
    void setCliPath(const QString &path) { m_cliPath = path; }
    static QString defaultDataDir();

signals:
    void started(const QString &instanceUrl);
    void stopped();
    void statusChanged(const lockstep::ui::DemoOrgStatus &status);
    void seeded(const QString &path, qint64 created, qint64 existing);
    void seedStopped(const QString &path);
    void connectionDetails(const QJsonObject &connection);
    void failed(const QString &message);

private:
    void onProcessReady(const Result<DemoOrgConnection> &connection);
    void onProcessExited(const QString &why);
    void cancelRequests();

    std::unique_ptr<DemoOrgProcess> m_process = std::make_unique<DemoOrgProcess>();
    QThreadPool m_seedPool;   // seeding a large file lasts minutes: a thread of its own
    BackgroundTask *m_statusTask;
    BackgroundTask *m_seedTask;
    BackgroundTask *m_connectionTask;
    QString m_cliPath;
    QString m_pendingSeed;
    QString m_dataDir;
    QStringList m_seeded;   // absolute paths seeded since the org started
    QString m_seeding;      // the absolute path being seeded
    QTimer *m_seedPoll;     // GET /lockstep/status while a seed runs: its progress
    double m_scale = 0.05;
    bool m_starting = false;
    bool m_running = false;
};

} // namespace lockstep::ui

Q_DECLARE_METATYPE(lockstep::ui::DemoOrgStatus)
