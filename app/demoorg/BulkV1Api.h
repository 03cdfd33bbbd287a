#pragma once

#include "demoorg/BulkProcessor.h"
#include "demoorg/OrgServices.h"
#include "demoorg/Router.h"

namespace lockstep::demoorg {

// Bulk API 1.0 on /services/async/XX.X: jobs and batch info in XML (elements in WSC's order)
// or JSON, CSV batches, batch results "Id","Success","Created","Error", the uploaded request;
// query jobs whose batches are SOQL and whose results are files of CSV, JSON or XML records.
class BulkV1Api {
public:
    explicit BulkV1Api(OrgServices &org) : m_org(org) {}
    void registerRoutes(Router &router);

private:
    ServerResponse createJob(const ServerRequest &request, const QString &version);
    ServerResponse jobInfo(const QString &jobId);
    ServerResponse updateJob(const ServerRequest &request, const QString &jobId);
    ServerResponse addBatch(const ServerRequest &request, const QString &jobId);
    ServerResponse batchList(const QString &jobId);
    ServerResponse batchInfo(const QString &jobId, const QString &batchId);
    ServerResponse batchResult(const QString &jobId, const QString &batchId);
    ServerResponse batchRequest(const QString &jobId, const QString &batchId);
    // Query jobs: SOQL batches, and each result file of a completed one (CSV, JSON or XML).
    ServerResponse addQueryBatch(const ServerRequest &request, const std::shared_ptr<BulkJob> &job);
    ServerResponse queryResult(const QString &jobId, const QString &batchId, const QString &resultId);
    ServerResponse batchResponse(const BulkJob &job, const BulkBatch &batch, int status);

    ServerResponse jobResponse(const BulkJob &job, int status);
    std::shared_ptr<BulkBatch> findBatch(const BulkJob &job, const QString &batchId);
    // A Bulk 1.0 job (or job and batch) by Id, else the InvalidJob / InvalidBatch answer.
    std::expected<std::shared_ptr<BulkJob>, ServerResponse> findJob(const QString &jobId, bool json = false);
    std::expected<std::pair<std::shared_ptr<BulkJob>, std::shared_ptr<BulkBatch>>, ServerResponse>
    findJobBatch(const QString &jobId, const QString &batchId);

    OrgServices &m_org;
};

} // namespace lockstep::demoorg
