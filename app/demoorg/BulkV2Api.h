#pragma once

#include "demoorg/BulkProcessor.h"
#include "demoorg/OrgServices.h"
#include "demoorg/Router.h"

namespace lockstep::demoorg {

// Bulk API 2.0 ingest on /services/data/vXX.X/jobs/ingest: create, upload (chunked bodies
// welcome), UploadComplete, abort, delete, job info and list, and the three result CSVs.
class BulkV2Api {
public:
    explicit BulkV2Api(OrgServices &org) : m_org(org) {}
    void registerRoutes(Router &router);

private:
    ServerResponse create(const ServerRequest &request, const QString &version);
    ServerResponse list(const QString &version);
    ServerResponse info(const QString &id);
    ServerResponse patch(const ServerRequest &request, const QString &id);
    ServerResponse remove(const QString &id);
    ServerResponse upload(const ServerRequest &request, const QString &id);
    enum class Results { Successful, Failed, Unprocessed };
    ServerResponse results(const QString &id, Results which);

    QJsonObject jobJson(const BulkJob &job);

    OrgServices &m_org;
};

} // namespace lockstep::demoorg
