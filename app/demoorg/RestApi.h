#pragma once

#include "demoorg/OrgServices.h"
#include "demoorg/Router.h"

#include <atomic>

namespace lockstep::demoorg {

// The read side of the REST API: the version list, a version's resources, limits, describe
// (global and per object), SOQL query with paging (also the Tooling API's query, which the
// Salesforce CLI calls at login), and the org's own status and write log for tests and the GUI.
class RestApi {
public:
    explicit RestApi(OrgServices &org) : m_org(org) {}
    void registerRoutes(Router &router);

private:
    ServerResponse versions();
    ServerResponse resources(const QString &version);
    ServerResponse limits();
    ServerResponse describeGlobal(const QString &version);
    ServerResponse describe(const QString &version, const QString &object, bool wrapped);
    ServerResponse query(const ServerRequest &request, const QString &version, bool tooling);
    ServerResponse queryMore(const QString &version, const QString &locator);
    ServerResponse holdLocks(const ServerRequest &request);
    ServerResponse status();
    // The write log: GET /lockstep/writes?sobject=X counts every record's committed writes
    // through the APIs; DELETE starts it afresh.
    ServerResponse writes(const ServerRequest &request, bool reset);

    OrgServices &m_org;
    static constexpr int kMaxHolds = 16;
    std::atomic<int> m_holds{0};   // lock holds running now
};

} // namespace lockstep::demoorg
