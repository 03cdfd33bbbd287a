#include "demoorg/ApiErrors.h"

#include <QJsonDocument>

namespace lockstep::demoorg {

QJsonObject RecordError::toCollectionJson() const
{
    QJsonObject o{{QStringLiteral("statusCode"), statusCode},
                  {QStringLiteral("message"), message},
                  {QStringLiteral("fields"), QJsonArray::fromStringList(fields)}};
    if (!duplicateResult.isEmpty())
        o.insert(QStringLiteral("duplicateResult"), duplicateResult);
    return o;
}

QJsonObject RecordError::toRestJson() const
{
    QJsonObject o{{QStringLiteral("message"), message},
                  {QStringLiteral("errorCode"), statusCode},
                  {QStringLiteral("fields"), QJsonArray::fromStringList(fields)}};
    // The single-record REST answer spells it "duplicateResut"; clients assert that key.
    if (!duplicateResult.isEmpty())
        o.insert(QStringLiteral("duplicateResut"), duplicateResult);
    return o;
}

QString RecordError::toBulkText() const
{
    return statusCode + QLatin1Char(':') + message + QLatin1Char(':') + fields.join(QLatin1Char(',')) + QStringLiteral(" --");
}

namespace ApiErrors {

QString xmlEscape(const QString &text)
{
    return text.toHtmlEscaped();
}

ServerResponse rest(int status, const QString &errorCode, const QString &message, const QStringList &fields)
{
    QJsonObject e{{QStringLiteral("message"), message}, {QStringLiteral("errorCode"), errorCode}};
    if (!fields.isEmpty())
        e.insert(QStringLiteral("fields"), QJsonArray::fromStringList(fields));
    return ServerResponse::json(status, QJsonDocument(QJsonArray{e}));
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
