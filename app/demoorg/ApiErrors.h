#pragma once

#include "demoorg/HttpMessage.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QStringList>

#include <optional>
#include <vector>

namespace lockstep::demoorg {

// One error about one record, as sObject Collections and Bulk results report it.
struct RecordError {
    QString statusCode;        // "UNABLE_TO_LOCK_ROW"
    QString message;
    QStringList fields;        // always written, possibly empty (Data Loader reads it)
    QJsonObject duplicateResult;   // DUPLICATES_DETECTED only

    // Bulk result cell: "CODE:message:fields --" (salesforce-api.md §4).
    QString toBulkText() const;
};

// The error bodies of each API family, so every handler answers failures the same way.
namespace ApiErrors {

// REST: 4xx/5xx with [{"message","errorCode"}].
ServerResponse rest(int status, const QString &errorCode, const QString &message, const QStringList &fields = {});
ServerResponse invalidSession();   // 401 INVALID_SESSION_ID "Session expired or invalid"
ServerResponse notFound();         // 404 NOT_FOUND "The requested resource does not exist"
ServerResponse methodNotAllowed(const QByteArray &method, const QStringList &allowed);
ServerResponse malformedJson(const QString &detail);
ServerResponse requestLimitExceeded();

// Bulk API 1.0: <error><exceptionCode/><exceptionMessage/></error>, XML or JSON by the job's kind.
ServerResponse bulkV1(int status, const QString &exceptionCode, const QString &message, bool json);

// OAuth: {"error","error_description"}.
ServerResponse oauth(int status, const QString &error, const QString &description);

// SOAP fault for the Metadata API.
ServerResponse soapFault(int status, const QString &faultCode, const QString &faultString);

QString xmlEscape(const QString &text);

// JSON text in Salesforce's key order (QJsonObject would sort the keys): a JSON string literal,
// a REST error array [{"message","errorCode","fields"}], and a collections result entry
// {"id","success","errors":[{"statusCode","message","fields"}],"created"}.
QByteArray jsonString(const QString &text);
QByteArray restErrorArray(const std::vector<RecordError> &errors);
QByteArray collectionEntry(const QString &id, bool success, const std::vector<RecordError> &errors, std::optional<bool> created);

} // namespace ApiErrors

} // namespace lockstep::demoorg
