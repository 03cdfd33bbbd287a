#include "demoorg/DemoProfile.h"

#include <QFile>
#include <QJsonDocument>

namespace lockstep::demoorg {

QJsonObject DemoProfile::demoOrgJson() const
{
    return QJsonObject{
        {QStringLiteral("sessionSeconds"), sessionSeconds},
        {QStringLiteral("dailyApiRequests"), dailyApiRequests},
        {QStringLiteral("queryBatchSize"), queryBatchSize},
        {QStringLiteral("bulkV1MaxBytes"), bulkV1MaxBytes},
        {QStringLiteral("bulkQueryStartSeconds"), bulkQueryStartSeconds},
        {QStringLiteral("bulkQueryRowsPerSecond"), bulkQueryRowsPerSecond},
        {QStringLiteral("bulkQueryPageRows"), bulkQueryPageRows},
        {QStringLiteral("customObjects"), QJsonObject{{QStringLiteral("master"), customObjects.master},
                                                      {QStringLiteral("child"), customObjects.child},
                                                      {QStringLiteral("masterField"), customObjects.masterField},
                                                      {QStringLiteral("masterPrefix"), customObjects.masterPrefix},
                                                      {QStringLiteral("childPrefix"), customObjects.childPrefix}}},
    };
}

Result<DemoProfile> DemoProfile::fromJson(const QJsonObject &json, const QString &source)
{
    DemoProfile p;
    if (!json.contains(QStringLiteral("orgProfile"))) {
        auto org = OrgProfile::fromJson(json, source);
        if (!org)
            return std::unexpected(org.error());
        p.org = *org;
        return p;
    }
    for (const QString &key : json.keys())
        if (key != QLatin1String("orgProfile") && key != QLatin1String("demoOrg"))
            return fail(ErrorKind::BadData, QStringLiteral("unknown key '%1' (expected orgProfile and demoOrg)").arg(key), source);
    auto org = OrgProfile::fromJson(json.value(QStringLiteral("orgProfile")).toObject(), source);
    if (!org)
        return std::unexpected(org.error());
    p.org = *org;
    const QJsonObject demo = json.value(QStringLiteral("demoOrg")).toObject();
    const QJsonObject defaults = p.demoOrgJson();
    for (auto it = demo.begin(); it != demo.end(); ++it) {
        if (!defaults.contains(it.key()))
            return fail(ErrorKind::BadData, QStringLiteral("unknown demoOrg key '%1' (known: %2)").arg(it.key(), defaults.keys().join(QStringLiteral(", "))), source);
        // A start delay may be 0; every other number counts something and is at least 1.
        const double least = it.key() == QLatin1String("bulkQueryStartSeconds") ? 0 : 1;
        if (it.key() != QLatin1String("customObjects") && (!it->isDouble() || it->toDouble() < least))
            return fail(ErrorKind::BadData, QStringLiteral("demoOrg key '%1' must be a number of at least %2").arg(it.key()).arg(least), source);
    }
    p.sessionSeconds = demo.value(QStringLiteral("sessionSeconds")).toInt(p.sessionSeconds);
    p.dailyApiRequests = qint64(demo.value(QStringLiteral("dailyApiRequests")).toDouble(double(p.dailyApiRequests)));
    p.queryBatchSize = std::max(200, demo.value(QStringLiteral("queryBatchSize")).toInt(p.queryBatchSize));
    p.bulkV1MaxBytes = qint64(demo.value(QStringLiteral("bulkV1MaxBytes")).toDouble(double(p.bulkV1MaxBytes)));
    p.bulkQueryStartSeconds = demo.value(QStringLiteral("bulkQueryStartSeconds")).toDouble(p.bulkQueryStartSeconds);
    p.bulkQueryRowsPerSecond = demo.value(QStringLiteral("bulkQueryRowsPerSecond")).toDouble(p.bulkQueryRowsPerSecond);
    p.bulkQueryPageRows = demo.value(QStringLiteral("bulkQueryPageRows")).toInt(p.bulkQueryPageRows);
    const QJsonObject custom = demo.value(QStringLiteral("customObjects")).toObject();
    for (const auto &[key, target] : {std::pair{"master", &p.customObjects.master}, std::pair{"child", &p.customObjects.child},
                                      std::pair{"masterField", &p.customObjects.masterField},
                                      std::pair{"masterPrefix", &p.customObjects.masterPrefix},
                                      std::pair{"childPrefix", &p.customObjects.childPrefix}})
        if (custom.contains(QLatin1String(key)))
            *target = custom.value(QLatin1String(key)).toString();
    for (const QString &name : {p.customObjects.master, p.customObjects.child, p.customObjects.masterField})
        if (!name.endsWith(QLatin1String("__c")) || name.size() < 4)
            return fail(ErrorKind::BadData, QStringLiteral("custom object and field names end in __c, got '%1'").arg(name), source);
    for (const QString &prefix : {p.customObjects.masterPrefix, p.customObjects.childPrefix})
        if (prefix.size() != 3 || !prefix.startsWith(QLatin1Char('a')))
            return fail(ErrorKind::BadData, QStringLiteral("custom key prefixes are 3 characters starting with 'a', got '%1'").arg(prefix), source);
    return p;
}

Result<DemoProfile> DemoProfile::load(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return fail(ErrorKind::NotFound, QStringLiteral("cannot read the profile: %1").arg(f.errorString()), path);
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(f.readAll(), &error);
    if (!doc.isObject())
        return fail(ErrorKind::BadData, QStringLiteral("the profile is not a JSON object: %1").arg(error.errorString()), path);
    return fromJson(doc.object(), path);
}

} // namespace lockstep::demoorg
