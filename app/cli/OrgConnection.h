#pragma once

#include "org/OrgClient.h"
#include "sim/OrgProfile.h"

#include <QString>
#include <QStringList>

#include <memory>
#include <optional>

namespace lockstep {
class JobStore;
namespace demoorg {
class DemoOrg;
}
}

namespace lockstep::cli {

// The org a job loads into, connected: the demo org started in this process (its records in a
// folder that outlives the run, so `resume` finds them), or an instance URL with the session
// from the environment — never from the command line, where `ps` shows it.
struct OrgConnection {
    QString name;             // the instance URL, or "demo:<folder>" (what the job store keeps)
    OrgSession session;
    OrgClient::Renewer renew;
    // Wall seconds per platform second: the demo org's scale (0: as fast as it answers), 1 for
    // a real org.
    double scale = 1;
    QString demoDataDir;
    std::shared_ptr<demoorg::DemoOrg> demo;

    ~OrgConnection();
    OrgConnection() = default;
    OrgConnection(OrgConnection &&) noexcept = default;
    OrgConnection &operator=(OrgConnection &&) noexcept = default;

    Result<OrgClient> client() const { return OrgClient::create(session, renew); }
};

// Where `--org demo` keeps its records unless told: beside the job store (`storePath`, or the
// default store).
QString defaultDemoDataDir(const QString &storePath = {});

// "demo" (or "demo:<folder>", as the job store names it): starts the demo org on `dataDir`, seeded from `seedFiles`, with `profile` at `scale`.
// A URL: checks it (https, or http on loopback) and logs in from LOCKSTEP_ACCESS_TOKEN, or
// LOCKSTEP_USERNAME / LOCKSTEP_PASSWORD / LOCKSTEP_CLIENT_ID / LOCKSTEP_CLIENT_SECRET
// (LOCKSTEP_LOGIN_URL). On failure prints why and returns nullopt with `exitCode` set.
std::optional<OrgConnection> connectOrg(const QString &org, double scale, const QString &dataDir, const QStringList &seedFiles,
                                        const OrgProfile &profile, const QString &command, int &exitCode);

// One describe call before a job is recorded: the session, TLS and the object (and the upsert's
// external id field) are good, or why not.
Result<void> checkTarget(const OrgConnection &org, const QString &object, const QString &externalIdField);

// Duplicate rules a killed job left switched off on this org are switched back on; says so.
void restoreAbandonedChanges(JobStore &store, const OrgConnection &org, bool quiet);

} // namespace lockstep::cli
