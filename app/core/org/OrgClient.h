#pragma once

#include "common/Error.h"
#include "common/Progress.h"
#include "locks/Operation.h"
#include "org/HttpClient.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace lockstep {

class CollectionBody;

// Where an org is and the session to use there. The token is a secret: it never appears in a
// message, a log line or toString() (see OrgError).
struct OrgSession {
    QString instanceUrl;            // https://acme.my.salesforce.com, or http://127.0.0.1:PORT
    QByteArray accessToken;
    QString apiVersion = QStringLiteral("62.0");
    QByteArray refreshToken;        // the web flow's (a secret too); empty for the other logins
};

// Why an org call failed, in the terms a caller acts on.
struct OrgError {
    enum class Kind {
        Transport,   // no HTTP answer (see transport; ConnectionLost/Timeout: outcome unknown)
        Session,     // the session is invalid and could not be renewed
        Limit,       // REQUEST_LIMIT_EXCEEDED, or 429/503 still busy after the waits allowed
        Api,         // the org refused the request (4xx/5xx with an error code)
        Protocol,    // an answer Lockstep cannot read
    };
    Kind kind = Kind::Api;
    int status = 0;                 // HTTP status, 0 for transport failures
    QString code;                   // INVALID_FIELD, InvalidBatch, …
    QString message;                // the org's words (never the token)
    TransportError transport = TransportError::None;

    // The org may have done what was asked: the request went out and no answer came back.
    bool outcomeUnknown() const
    {
        return kind == Kind::Transport &&
               (transport == TransportError::ConnectionLost || transport == TransportError::Timeout);
    }
    Error toError() const;          // "org: 400 INVALID_FIELD: …" as an Error of kind Network/Server
};

template <class T>
using OrgResult = std::expected<T, OrgError>;

// One row's outcome, as sObject Collections and the Bulk result files report it.
struct RecordError {
    QString statusCode;             // UNABLE_TO_LOCK_ROW, DUPLICATES_DETECTED, …
    QString message;
    QStringList fields;
};
struct RecordResult {
    bool success = false;
    QString id;
    bool created = false;
    std::vector<RecordError> errors;
};

// A Bulk API 1.0 job or batch as its jobInfo / batchInfo says.
struct BulkJobInfo {
    QString id;
    QString state;                  // Open, Closed, Aborted, Failed
    qint64 batchesQueued = 0, batchesInProgress = 0, batchesCompleted = 0, batchesFailed = 0, batchesTotal = 0;
    qint64 recordsProcessed = 0, recordsFailed = 0;
    bool hasWork() const { return batchesQueued + batchesInProgress > 0; }
};
struct BulkBatchInfo {
    QString id;
    QString jobId;
    QString state;                  // Queued, InProgress, Completed, Failed, NotProcessed
    QString stateMessage;
    qint64 recordsProcessed = 0, recordsFailed = 0;
    // When the org took the batch, when it last changed (for a finished batch: when it ended),
    // in ms since the epoch (0: not given), and the ms it spent processing (every pass).
    qint64 createdMs = 0, modifiedMs = 0, processingMs = 0;
    bool finished() const
    {
        return state == QLatin1String("Completed") || state == QLatin1String("Failed") || state == QLatin1String("NotProcessed");
    }
};

// A Salesforce timestamp ("2026-12-07T12:03:10.000Z", "…+0000") in ms since the epoch; 0 when
// it is not one.
qint64 salesforceTimeMs(const QString &text);
// Every <batchInfo> of a Bulk API 1.0 document (addBatch's answer, or a <batchInfoList>).
std::vector<BulkBatchInfo> parseBulkBatchInfos(const QByteArray &xml);

// A Bulk API 2.0 ingest job.
struct IngestJobInfo {
    QString id;
    QString state;                  // Open, UploadComplete, InProgress, JobComplete, Failed, Aborted
    qint64 recordsProcessed = 0, recordsFailed = 0;
    QString errorMessage;
    qint64 createdMs = 0, modifiedMs = 0, processingMs = 0;   // as BulkBatchInfo's
    bool finished() const
    {
        return state == QLatin1String("JobComplete") || state == QLatin1String("Failed") || state == QLatin1String("Aborted");
    }
};

// A duplicate rule and whether it is on (DuplicateRule, read through SOQL; switched through the
// Metadata API, since IsActive is read-only to REST).
struct DuplicateRuleState {
    QString developerName;
    QString sobjectType;
    bool active = false;
    QString fullName() const { return sobjectType + QLatin1Char('.') + developerName; }
};

// The client of one org: every call Lockstep makes to Salesforce, over libcurl (one HttpClient,
// one kept-alive connection: use one OrgClient per thread). Every call
//  - sends the session (REST: Authorization: Bearer; Bulk 1.0: X-SFDC-Session), never logs it;
//  - renews the session once on INVALID_SESSION_ID / InvalidSessionId (when a renewer is set)
//    and sends the request again — it was refused, so nothing was done;
//  - waits and tries again on 429 / 503 with Retry-After (at most the request's budget), and
//    reports REQUEST_LIMIT_EXCEEDED as Kind::Limit without retrying (the org's daily allowance);
//  - never resends a request whose answer was lost (POST/PATCH may have committed): that is
//    OrgError::outcomeUnknown(), for the caller to reconcile.
// Plain http:// is refused except on loopback, and TLS is always verified.
class OrgClient {
public:
    using Renewer = std::function<Result<OrgSession>()>;

    // Checks the URL (https, or http on 127.0.0.0/8, ::1 or localhost); the error says why not.
    static Result<OrgClient> create(OrgSession session, Renewer renew = {});
    // A maker of clients (one per lane or thread) that share their renewals: when the org ends
    // the session every lane is using, the first lane refused renews it and the others take the
    // new session instead of each logging in again (a storm of logins — or of `sf` processes).
    static std::function<Result<OrgClient>()> sharingRenewals(OrgSession session, Renewer renew);
    // OAuth 2.0 username-password flow (salesforce-api.md §1).
    static Result<OrgSession> loginWithPassword(const QString &loginUrl, const QString &clientId, const QByteArray &clientSecret,
                                                const QString &username, const QByteArray &password);
    // The OAuth 2.0 JWT bearer flow (the CI way): an assertion for `username`, issued by the
    // connected app `clientId`, signed RS256 with the key whose certificate the app holds.
    // `audience` defaults to audienceFor(loginUrl).
    static Result<OrgSession> loginWithJwt(const QString &loginUrl, const QString &clientId, const QString &username,
                                           const QByteArray &privateKeyPem, const QString &audience = {});
    // The OAuth 2.0 client credentials flow: the connected app's consumer key and secret (HTTP
    // Basic), on the org's My Domain login URL; the app runs as its configured user.
    static Result<OrgSession> loginWithClientCredentials(const QString &loginUrl, const QString &clientId, const QByteArray &clientSecret);
    // The authorization code a browser login brought back, exchanged for a session and a
    // refresh token (PKCE: the verifier whose challenge went out; a secret when the app has one).
    static Result<OrgSession> exchangeCode(const QString &loginUrl, const QString &clientId, const QByteArray &clientSecret,
                                           const QString &code, const QString &redirectUri, const QByteArray &codeVerifier);
    // A new session from a refresh token (the web flow's); Salesforce returns no new refresh token.
    static Result<OrgSession> refresh(const QString &loginUrl, const QString &clientId, const QByteArray &refreshToken);
    // Revokes a token (a refresh token revokes its sessions too): logout. An unknown token is
    // fine (already gone).
    static Result<void> revoke(const QString &loginUrl, const QByteArray &token);
    // The same, with the key read from its file (and kept no longer than the login).
    static Result<OrgSession> loginWithJwtKeyFile(const QString &loginUrl, const QString &clientId, const QString &username,
                                                  const QString &keyFile);
    // The aud claim Salesforce expects for a login host: https://login.salesforce.com for
    // production and My Domain, https://test.salesforce.com for sandboxes, else the URL itself.
    static QString audienceFor(const QString &loginUrl);

    OrgClient(OrgClient &&) noexcept = default;
    OrgClient &operator=(OrgClient &&) noexcept = default;

    const OrgSession &session() const { return m_session; }
    void setCancelToken(CancelToken cancel) { m_cancel = std::move(cancel); }
    // The most time a call may spend waiting out 429/503 answers before it gives up.
    void setBusyBudgetSeconds(double seconds) { m_busyBudget = seconds; }
    // The most one request may take, answer included (default 2 minutes).
    void setRequestTimeout(std::chrono::milliseconds timeout) { m_requestTimeout = timeout; }

    // REST
    OrgResult<QJsonObject> describe(const QString &object);
    // Who the session is (GET /services/oauth2/userinfo): preferred_username, organization_id, user_id.
    OrgResult<QJsonObject> userinfo();
    OrgResult<std::vector<QJsonObject>> query(const QString &soql, bool all = false);
    // sObject Collections (≤ 200 records a call). `records` carry their fields (and Id for
    // update; the external id field for upsert); delete takes Ids only.
    OrgResult<std::vector<RecordResult>> collections(Operation operation, const QString &object, const QJsonArray &records,
                                                     bool allOrNone = false, const QString &externalIdField = {});
    // The same, from records already written as the request wants them (the runner's way).
    OrgResult<std::vector<RecordResult>> collections(const QString &object, const CollectionBody &records, const QString &externalIdField = {});

    // Bulk API 1.0
    OrgResult<BulkJobInfo> createBulkJob(const QString &object, Operation operation, bool serial,
                                         const QString &externalIdField = {});
    OrgResult<BulkBatchInfo> addBulkBatch(const QString &jobId, const QByteArray &csv, bool disableBatchRetry = false);
    OrgResult<BulkJobInfo> bulkJob(const QString &jobId);
    OrgResult<std::vector<BulkBatchInfo>> bulkBatches(const QString &jobId);
    // Per input row, in order: "Id","Success","Created","Error" (salesforce-api.md §4).
    OrgResult<std::vector<RecordResult>> bulkBatchResult(const QString &jobId, const QString &batchId);
    OrgResult<BulkJobInfo> closeBulkJob(const QString &jobId, bool abort = false);

    // Bulk API 2.0 ingest
    OrgResult<IngestJobInfo> createIngestJob(const QString &object, Operation operation, const QString &externalIdField = {});
    OrgResult<void> uploadIngestData(const QString &jobId, const QByteArray &csv);
    OrgResult<IngestJobInfo> setIngestState(const QString &jobId, const QString &state);   // UploadComplete, Aborted
    OrgResult<IngestJobInfo> ingestJob(const QString &jobId);
    // "successfulResults", "failedResults" or "unprocessedrecords": the raw CSV.
    OrgResult<QByteArray> ingestResults(const QString &jobId, const QString &which);

    // Documents as the org sends them, kept as they came (triage of a live job saves them):
    // Bulk API 1.0 "/job/ID", "/job/ID/batch", "/job/ID/batch/B/request", "…/result"; REST
    // "/jobs/ingest/ID" (under /services/data/vXX.X).
    OrgResult<QByteArray> bulkDocument(const QString &path);
    OrgResult<QByteArray> restDocument(const QString &path);

    // Duplicate rules
    OrgResult<std::vector<DuplicateRuleState>> duplicateRules(const QString &object);
    OrgResult<void> setDuplicateRuleActive(const DuplicateRuleState &rule, bool active);

    // Any call, for what the typed ones do not cover (the demo org's own endpoints, tests).
    OrgResult<HttpResponse> send(QByteArray method, const QString &path, const QByteArray &body = {},
                                 const QByteArray &contentType = "application/json",
                                 QList<QPair<QByteArray, QByteArray>> headers = {});

    // An "Error" cell of a Bulk result ("CODE:message:fields --") as a RecordError.
    static RecordError parseBulkError(const QString &cell);

private:
    OrgClient() = default;
    enum class Auth { Bearer, BulkSession, SoapSession, None };
    OrgResult<HttpResponse> call(HttpRequest request, Auth auth);
    // A REST call whose answer is a JSON object (body: none when empty).
    OrgResult<QJsonObject> jsonCall(QByteArray method, const QString &url, const QJsonObject &body = {});
    static OrgError errorOf(const HttpResponse &response);
    QString restBase() const;
    QString bulkBase() const;

    OrgSession m_session;
    // Renewals, shared by the clients one sharingRenewals() made (one of its own otherwise).
    class SharedRenewal;
    std::shared_ptr<SharedRenewal> m_renew;
    std::unique_ptr<HttpClient> m_http = std::make_unique<HttpClient>();
    CancelToken m_cancel;
    double m_busyBudget = 120;
    std::chrono::milliseconds m_requestTimeout{120000};
};

// https, or http on a loopback address; the error names the URL's problem.
Result<void> checkOrgUrl(const QString &url);

} // namespace lockstep
