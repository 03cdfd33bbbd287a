#pragma once

#include "common/Error.h"

#include <QJsonObject>
#include <QObject>

#include <memory>

namespace lockstep::demoorg {
class DemoOrg;
}

namespace lockstep::ui {

// The built-in demo org, running inside the app when no org is configured: a
// Salesforce-compatible server on 127.0.0.1 over the same lock engine as the predictor, so a
// consultant can show skew — and point jsforce or the Salesforce CLI at it — without a client's
// org. Its records live in the app's data folder and survive restarts; every file the user opens
// is seeded into it, so that file can be loaded as it is.
class DemoOrgController : public QObject {
    Q_OBJECT
public:
    explicit DemoOrgController(QObject *parent = nullptr);
    ~DemoOrgController() override;

    // Starts on the calling (GUI) thread: opens SQLite and binds a free loopback port.
    // `scale`: wall seconds per platform second (0.05 = 20× faster than a real org).
    Result<void> start(double scale, const QString &dataDir);
    void stop();
    bool isRunning() const { return bool(m_org); }
    double scale() const { return m_scale; }
    QString instanceUrl() const;
    // {"instance_url","client_id","client_secret","username","password","access_token"}
    // with a fresh token: what `lockstep-cli demo-org serve` prints.
    QJsonObject connectionJson();

    void seedFrom(const QString &path);   // on a worker; seeded() or failed() follows

    static QString defaultDataDir();

signals:
    void started(const QString &instanceUrl);
    void stopped();
    void seeded(const QString &path, qint64 created, qint64 existing);
    void failed(const QString &message);

private:
    std::shared_ptr<demoorg::DemoOrg> m_org;
    double m_scale = 0.05;
    quint64 m_generation = 0;
};

} // namespace lockstep::ui
