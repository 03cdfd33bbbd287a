#pragma once

#include "demoorg/OrgServices.h"
#include "demoorg/Router.h"
#include "demoorg/WriteEngine.h"

#include <expected>
#include <functional>

namespace lockstep::demoorg {

// The write side of REST: sObject rows (create, retrieve, update, delete, upsert by external
// id) and sObject Collections (up to 200 records a call, allOrNone, per-record results in input
// order, `fields` always present). Every write goes through WriteEngine.
class SObjectApi {
public:
    explicit SObjectApi(OrgServices &org) : m_org(org) {}
    void registerRoutes(Router &router);

    // A JSON record → a row to write. Unknown fields fail the request (Salesforce answers 400
    // INVALID_FIELD); a value of the wrong type fails only its row.
    // The record of a single-record call: a JSON object in the body, else the error Salesforce answers.
    std::expected<WriteRow, ServerResponse> recordFromBody(const ObjectDef &object, const QByteArray &body);
    static std::expected<WriteRow, ServerResponse> rowFromJson(const ObjectDef &object, const QJsonObject &record);
    static bool allowDuplicates(const ServerRequest &request);

private:
    ServerResponse create(const ServerRequest &request, const QString &object);
    ServerResponse retrieve(const ServerRequest &request, const QString &version, const QString &object, const QString &id);
    ServerResponse update(const ServerRequest &request, const QString &object, const QString &id);
    ServerResponse remove(const QString &object, const QString &id);
    ServerResponse upsert(const ServerRequest &request, const QString &object, const QString &field, const QString &value);
    ServerResponse retrieveByExternalId(const QString &version, const QString &object, const QString &field, const QString &value);

    ServerResponse collectionWrite(const ServerRequest &request, Operation operation, const QString &object, const QString &externalField);
    ServerResponse collectionDelete(const ServerRequest &request);
    ServerResponse collectionRetrieve(const ServerRequest &request, const QString &version, const QString &object);

    // Runs a write with the call's time outside its transaction around it (see the .cpp).
    ServerResponse paced(const ServerRequest &request, const std::function<ServerResponse()> &call) const;

    std::expected<QJsonObject, ServerResponse> recordJson(const ObjectDef &object, const QString &id, const QStringList &fields, const QString &version);

    OrgServices &m_org;
};


} // namespace lockstep::demoorg
