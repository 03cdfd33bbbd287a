#include "demoorg/DemoProfile.h"

#include <QFile>
#include <QJsonDocument>

namespace lockstep::demoorg {

QJsonObject DemoProfile::toJson() const
{
    return QJsonObject{
        {QStringLiteral("scale"), scale},
        {QStringLiteral("lockTimeoutMs"), lockTimeoutMs},
        {QStringLiteral("chunkSize"), chunkSize},
        {QStringLiteral("rowMs"), rowMs},
        {QStringLiteral("rowTimeCv"), rowTimeCv},
        {QStringLiteral("lockWindowShare"), lockWindowShare},
        {QStringLiteral("duplicateRuleRowMs"), duplicateRuleRowMs},
        {QStringLiteral("rollups"), rollups},
        {QStringLiteral("bulkParallelBatches"), bulkParallelBatches},
        {QStringLiteral("bulkRequeueThreshold"), bulkRequeueThreshold},
        {QStringLiteral("bulkMaxRetries"), bulkMaxRetries},
        {QStringLiteral("bulkV1MaxRecords"), bulkV1MaxRecords},
        {QStringLiteral("bulkV1MaxBytes"), bulkV1MaxBytes},
        {QStringLiteral("bulkV2BatchSize"), bulkV2BatchSize},
        {QStringLiteral("sessionSeconds"), sessionSeconds},
        {QStringLiteral("dailyApiRequests"), dailyApiRequests},
        {QStringLiteral("queryBatchSize"), queryBatchSize},
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
    const QJsonObject defaults = p.toJson();
    for (auto it = json.begin(); it != json.end(); ++it)
        if (!defaults.contains(it.key()) && !it.key().startsWith(QLatin1Char('_')))
            return fail(ErrorKind::BadData, QStringLiteral("unknown profile key '%1' (known: %2)").arg(it.key(), defaults.keys().join(QStringLiteral(", "))), source);
    auto number = [&](const char *key, auto &target, double min) -> Result<void> {
        const QJsonValue v = json.value(QLatin1String(key));
        if (v.isUndefined())
            return {};
        if (!v.isDouble() || v.toDouble() < min)
            return fail(ErrorKind::BadData, QStringLiteral("profile key '%1' must be a number ≥ %2").arg(QLatin1String(key)).arg(min), source);
        target = static_cast<std::remove_reference_t<decltype(target)>>(v.toDouble());
        return {};
    };
    for (auto r : {number("scale", p.scale, 0), number("lockTimeoutMs", p.lockTimeoutMs, 0), number("chunkSize", p.chunkSize, 1),
                   number("rowMs", p.rowMs, 0), number("rowTimeCv", p.rowTimeCv, 0), number("lockWindowShare", p.lockWindowShare, 0),
                   number("duplicateRuleRowMs", p.duplicateRuleRowMs, 0), number("bulkParallelBatches", p.bulkParallelBatches, 1),
                   number("bulkRequeueThreshold", p.bulkRequeueThreshold, 0), number("bulkMaxRetries", p.bulkMaxRetries, 0),
                   number("bulkV1MaxRecords", p.bulkV1MaxRecords, 1), number("bulkV1MaxBytes", p.bulkV1MaxBytes, 1),
                   number("bulkV2BatchSize", p.bulkV2BatchSize, 1), number("sessionSeconds", p.sessionSeconds, 1),
                   number("dailyApiRequests", p.dailyApiRequests, 1), number("queryBatchSize", p.queryBatchSize, 200)})
        if (!r)
            return std::unexpected(r.error());
    if (p.lockWindowShare > 1)
        return fail(ErrorKind::BadData, QStringLiteral("profile key 'lockWindowShare' must be at most 1"), source);
    if (json.contains(QStringLiteral("rollups")))
        p.rollups = json.value(QStringLiteral("rollups")).toBool(true);
    const QJsonObject custom = json.value(QStringLiteral("customObjects")).toObject();
    for (const auto &[key, target] : {std::pair{"master", &p.customObjects.master}, std::pair{"child", &p.customObjects.child},
                                      std::pair{"masterField", &p.customObjects.masterField}, std::pair{"masterPrefix", &p.customObjects.masterPrefix},
                                      std::pair{"childPrefix", &p.customObjects.childPrefix}})
        if (custom.contains(QLatin1String(key)))
            *target = custom.value(QLatin1String(key)).toString();
    for (const QString &name : {p.customObjects.master, p.customObjects.child, p.customObjects.masterField})
        if (!name.endsWith(QLatin1String("__c")))
            return fail(ErrorKind::BadData, QStringLiteral("custom object and field names end in __c, got '%1'").arg(name), source);
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
