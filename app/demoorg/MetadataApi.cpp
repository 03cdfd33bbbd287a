#include "demoorg/MetadataApi.h"

#include "demoorg/ApiErrors.h"
#include "demoorg/DuplicateRules.h"
#include "demoorg/SessionStore.h"

#include <QXmlStreamReader>

namespace lockstep::demoorg {

namespace {

const QString kEnvelopeStart = QStringLiteral(
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" "
    "xmlns=\"http://soap.sforce.com/2006/04/metadata\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><soapenv:Body>");
const QString kEnvelopeEnd = QStringLiteral("</soapenv:Body></soapenv:Envelope>");

struct SoapCall {
    QString sessionId;
    QString operation;                                // readMetadata, updateMetadata, ...
    QString type;                                     // readMetadata's <type>
    QStringList fullNames;                            // readMetadata's <fullNames>
    std::vector<QHash<QString, QString>> metadata;    // updateMetadata's <metadata> items (flat)
    std::vector<QString> metadataTypes;               // their xsi:type
};

std::expected<SoapCall, QString> parse(const QByteArray &body)
{
    SoapCall call;
    QXmlStreamReader xml(body);
    enum class Where { Outside, Header, Body } where = Where::Outside;
    int bodyDepth = 0;
    int depth = 0;
    QHash<QString, QString> *item = nullptr;
    while (!xml.atEnd()) {
        xml.readNext();
        if (xml.isStartElement()) {
            ++depth;
            const QString name = xml.name().toString();
            if (name == QLatin1String("Header")) {
                where = Where::Header;
            } else if (name == QLatin1String("Body")) {
                where = Where::Body;
                bodyDepth = depth;
            } else if (where == Where::Header && name == QLatin1String("sessionId")) {
                call.sessionId = xml.readElementText().trimmed();
                --depth;
            } else if (where == Where::Body && depth == bodyDepth + 1) {
                call.operation = name;
            } else if (where == Where::Body && depth == bodyDepth + 2) {
                if (name == QLatin1String("type")) {
                    call.type = xml.readElementText().trimmed();
                    --depth;
                } else if (name == QLatin1String("fullNames")) {
                    call.fullNames << xml.readElementText().trimmed();
                    --depth;
                } else if (name == QLatin1String("metadata")) {
                    QString type = xml.attributes().value(QStringLiteral("http://www.w3.org/2001/XMLSchema-instance"), QStringLiteral("type")).toString();
                    if (type.isEmpty())
                        type = xml.attributes().value(QStringLiteral("xsi:type")).toString();
                    call.metadataTypes.push_back(type.section(QLatin1Char(':'), -1));
                    call.metadata.emplace_back();
                    item = &call.metadata.back();
                }
            } else if (where == Where::Body && depth == bodyDepth + 3 && item) {
                const QString text = xml.readElementText(QXmlStreamReader::SkipChildElements).trimmed();
                --depth;
                if (!item->contains(name))
                    item->insert(name, text);
            }
        } else if (xml.isEndElement()) {
            --depth;
        }
    }
    if (xml.hasError())
        return std::unexpected(xml.errorString());
    if (call.operation.isEmpty())
        return std::unexpected(QStringLiteral("no operation in the SOAP body"));
    return call;
}

QString ruleXml(const DuplicateRuleDef &r)
{
    auto e = [](const QString &n, const QString &v) { return QStringLiteral("<%1>%2</%1>").arg(n, ApiErrors::xmlEscape(v)); };
    return QStringLiteral("<records xsi:type=\"DuplicateRule\">") + e(QStringLiteral("fullName"), r.fullName()) + e(QStringLiteral("actionOnInsert"), QStringLiteral("Block")) +
           e(QStringLiteral("actionOnUpdate"), QStringLiteral("Block")) +
           e(QStringLiteral("alertText"), QStringLiteral("You're creating a duplicate record. We recommend you use an existing record instead.")) +
           e(QStringLiteral("description"), QStringLiteral("Matches on %1").arg(r.matchFields.join(QStringLiteral(", ")))) +
           e(QStringLiteral("isActive"), r.active ? QStringLiteral("true") : QStringLiteral("false")) + e(QStringLiteral("masterLabel"), r.masterLabel) +
           e(QStringLiteral("operationsOnInsert"), QStringLiteral("Alert")) + e(QStringLiteral("operationsOnInsert"), QStringLiteral("Report")) +
           e(QStringLiteral("operationsOnUpdate"), QStringLiteral("Alert")) + e(QStringLiteral("securityOption"), QStringLiteral("EnforceSharingRules")) +
           e(QStringLiteral("sortOrder"), QStringLiteral("1")) + QStringLiteral("</records>");
}

} // namespace

void MetadataApi::registerRoutes(Router &router)
{
    router.add("POST", QStringLiteral("/services/Soap/m/{version}"), Access::SessionInBody, [this](const ServerRequest &r, const RouteParams &) { return call(r); });
}

ServerResponse MetadataApi::call(const ServerRequest &request)
{
    auto call = parse(request.body);
    if (!call)
        return ApiErrors::soapFault(500, QStringLiteral("INVALID_XML"), call.error());
    if (call->sessionId.isEmpty() || !m_org.sessions->validate(call->sessionId))
        return ApiErrors::soapFault(500, QStringLiteral("INVALID_SESSION_ID"), QStringLiteral("Invalid Session ID found in SessionHeader: Illegal Session"));
    if (call->operation == QLatin1String("readMetadata")) {
        if (call->type != QLatin1String("DuplicateRule"))
            return ApiErrors::soapFault(500, QStringLiteral("INVALID_TYPE"), QStringLiteral("The demo org's Metadata API serves DuplicateRule only, not %1").arg(call->type));
        QString records;
        for (const QString &name : call->fullNames)
            if (const auto rule = m_org.duplicateRules->byFullName(name))
                records += ruleXml(*rule);
        return ServerResponse::bytes(200, (kEnvelopeStart + QStringLiteral("<readMetadataResponse><result>") + records +
                                           QStringLiteral("</result></readMetadataResponse>") + kEnvelopeEnd).toUtf8(),
                                     "text/xml;charset=UTF-8");
    }
    if (call->operation == QLatin1String("updateMetadata")) {
        QString results;
        for (size_t i = 0; i < call->metadata.size(); ++i) {
            const auto &m = call->metadata[i];
            const QString fullName = m.value(QStringLiteral("fullName"));
            QString error;
            if (call->metadataTypes[i] != QLatin1String("DuplicateRule")) {
                error = QStringLiteral("The demo org's Metadata API updates DuplicateRule only");
            } else if (!m_org.duplicateRules->byFullName(fullName)) {
                error = QStringLiteral("In field: fullName - no DuplicateRule named %1 found").arg(fullName);
            } else if (!m.contains(QStringLiteral("isActive"))) {
                error = QStringLiteral("Required field is missing: isActive");
            } else if (auto r = m_org.duplicateRules->setActive(fullName, m.value(QStringLiteral("isActive")) == QLatin1String("true")); !r) {
                error = r.error().message;
            }
            results += QStringLiteral("<result>");
            if (!error.isEmpty())
                results += QStringLiteral("<errors><message>%1</message><statusCode>INVALID_CROSS_REFERENCE_KEY</statusCode></errors>").arg(ApiErrors::xmlEscape(error));
            results += QStringLiteral("<fullName>%1</fullName><success>%2</success></result>").arg(ApiErrors::xmlEscape(fullName), error.isEmpty() ? QStringLiteral("true") : QStringLiteral("false"));
        }
        return ServerResponse::bytes(200, (kEnvelopeStart + QStringLiteral("<updateMetadataResponse>") + results + QStringLiteral("</updateMetadataResponse>") + kEnvelopeEnd).toUtf8(),
                                     "text/xml;charset=UTF-8");
    }
    return ApiErrors::soapFault(500, QStringLiteral("INVALID_OPERATION"), QStringLiteral("The demo org does not implement %1").arg(call->operation));
}

} // namespace lockstep::demoorg
