#pragma once

#include "demoorg/BulkProcessor.h"
#include "demoorg/OrgServices.h"
#include "demoorg/Router.h"

namespace lockstep::demoorg {

// Bulk API 2.0 query on /services/data/vXX.X/jobs/query: create (the query is checked at once,
// run by BulkQueryRunner in the org's time), job info and list, abort, delete, and the results
// as CSV pages (`maxRecords`, `locator`; `Sforce-Locator` is the literal "null" on the last).
class BulkV2QueryApi {
public:
    explicit BulkV2QueryApi(OrgServices &org) : m_org(org) {}
    void registerRoutes(Router &router);

private:
    ServerResponse create(const ServerRequest &request, const QString &version);
    ServerResponse list(const ServerRequest &request);
    ServerResponse info(const QString &id);
    ServerResponse patch(const ServerRequest &request, const QString &id);
    ServerResponse remove(const QString &id);
    ServerResponse results(const ServerRequest &request, const QString &id);

    std::shared_ptr<BulkJob> find(const QString &id);
    QJsonObject jobJson(const BulkJob &job);

    OrgServices &m_org;
};

} // namespace lockstep::demoorg
