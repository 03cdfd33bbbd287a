#include "demoorg/ApiErrors.h"

#include <QJsonDocument>

namespace lockstep::demoorg {

QString RecordError::toBulkText() const
{
    return statusCode + QLatin1Char(':') + message + QLatin1Char(':') + fields.join(QLatin1Char(',')) + QStringLiteral(" --");
}

namespace ApiErrors {

QString xmlEscape(const QString &text)
{
    return text.toHtmlEscaped();
}

QByteArray jsonString(const QString &text)
{
    const QByteArray array = QJsonDocument(QJsonArray{text}).toJson(QJsonDocument::Compact);
    return array.mid(1, array.size() - 2);
}

namespace {
QByteArray fieldsArray(const QStringList &fields)
{
    QByteArray out = "[";
    for (qsizetype i = 0; i < fields.size(); ++i)
        out += (i ? "," : "") + jsonString(fields[i]);
    return out + ']';
}
QByteArray objectText(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}
} // namespace

QByteArray restErrorArray(const std::vector<RecordError> &errors)
{
    QByteArray out = "[";
    for (size_t i = 0; i < errors.size(); ++i) {
        const RecordError &e = errors[i];
        out += (i ? ",{" : "{");
        if (!e.duplicateResult.isEmpty())   // sic: the single-record answer misspells the key
            out += "\"duplicateResut\":" + objectText(e.duplicateResult) + ',';
        out += "\"message\":" + jsonString(e.message) + ",\"errorCode\":" + jsonString(e.statusCode) + ",\"fields\":" + fieldsArray(e.fields) + '}';
    }
    return out + ']';
}

QByteArray collectionEntry(const QString &id, bool success, const std::vector<RecordError> &errors, std::optional<bool> created)
{
    QByteArray out = "{";
    if (!id.isEmpty())
        out += "\"id\":" + jsonString(id) + ',';
    out += QByteArray("\"success\":") + (success ? "true" : "false") + ",\"errors\":[";
    for (size_t i = 0; i < errors.size(); ++i) {
        const RecordError &e = errors[i];
        out += (i ? ",{" : "{");
        out += "\"statusCode\":" + jsonString(e.statusCode) + ",\"message\":" + jsonString(e.message) + ",\"fields\":" + fieldsArray(e.fields);
        if (!e.duplicateResult.isEmpty())
            out += ",\"duplicateResult\":" + objectText(e.duplicateResult);
        out += '}';
    }
    out += ']';
    if (created)
        out += QByteArray(",\"created\":") + (*created ? "true" : "false");
    return out + '}';
}

ServerResponse rest(int status, const QString &errorCode, const QString &message, const QStringList &fields)
{
    QByteArray body = "[{\"message\":" + jsonString(message) + ",\"errorCode\":" + jsonString(errorCode);
    if (!fields.isEmpty())
        body += ",\"fields\":" + fieldsArray(fields);
    body += "}]";
    return ServerResponse::bytes(status, body, "application/json;charset=UTF-8");
}

ServerResponse invalidSession()
{
    ServerResponse r = rest(401, QStringLiteral("INVALID_SESSION_ID"), QStringLiteral("Session expired or invalid"));
    r.header("WWW-Authenticate", "Token");
    return r;
}

ServerResponse notFound()
{
    return rest(404, QStringLiteral("NOT_FOUND"), QStringLiteral("The requested resource does not exist"));
}

ServerResponse methodNotAllowed(const QByteArray &method, const QStringList &allowed)
{
    ServerResponse r = rest(405, QStringLiteral("METHOD_NOT_ALLOWED"),
                            QStringLiteral("HTTP Method '%1' not allowed. Allowed are %2").arg(QString::fromLatin1(method), allowed.join(QStringLiteral(","))));
    r.header("Allow", allowed.join(QStringLiteral(", ")).toLatin1());
    return r;
}

ServerResponse malformedJson(const QString &detail)
{
    return rest(400, QStringLiteral("JSON_PARSER_ERROR"), detail);
}

ServerResponse requestLimitExceeded()
{
    return rest(403, QStringLiteral("REQUEST_LIMIT_EXCEEDED"), QStringLiteral("TotalRequests Limit exceeded."));
}

ServerResponse bulkV1(int status, const QString &exceptionCode, const QString &message, bool json)
{
    if (json)
        return ServerResponse::json(status, QJsonDocument(QJsonObject{{QStringLiteral("exceptionCode"), exceptionCode},
                                                                      {QStringLiteral("exceptionMessage"), message}}));
    const QString xml = QStringLiteral("<?xml version=\"1.0\" encoding=\"UTF-8\"?><error xmlns=\"http://www.force.com/2009/06/asyncapi/dataload\">"
                                       "<exceptionCode>%1</exceptionCode><exceptionMessage>%2</exceptionMessage></error>")
                            .arg(exceptionCode, xmlEscape(message));
    return ServerResponse::bytes(status, xml.toUtf8(), "application/xml");
}

ServerResponse oauth(int status, const QString &error, const QString &description)
{
    return ServerResponse::json(status, QJsonDocument(QJsonObject{{QStringLiteral("error"), error},
                                                                  {QStringLiteral("error_description"), description}}));
}

ServerResponse soapFault(int status, const QString &faultCode, const QString &faultString)
{
    const QString xml = QStringLiteral("<?xml version=\"1.0\" encoding=\"UTF-8\"?><soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" "
                                       "xmlns:sf=\"http://soap.sforce.com/2006/04/metadata\"><soapenv:Body><soapenv:Fault>"
                                       "<faultcode>sf:%1</faultcode><faultstring>%1: %2</faultstring></soapenv:Fault></soapenv:Body></soapenv:Envelope>")
                            .arg(faultCode, xmlEscape(faultString));
    return ServerResponse::bytes(status, xml.toUtf8(), "text/xml;charset=UTF-8");
}

} // namespace ApiErrors

} // namespace lockstep::demoorg
