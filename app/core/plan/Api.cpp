#include "plan/Api.h"

namespace lockstep {

QString apiName(Api api)
{
    switch (api) {
    case Api::RestCollections: return QStringLiteral("rest");
    case Api::Bulk1Parallel: return QStringLiteral("bulk1-parallel");
    case Api::Bulk1Serial: return QStringLiteral("bulk1-serial");
    case Api::Bulk2: return QStringLiteral("bulk2");
    }
    return {};
}

QString apiLabel(Api api)
{
    switch (api) {
    case Api::RestCollections: return QStringLiteral("REST sObject Collections");
    case Api::Bulk1Parallel: return QStringLiteral("Bulk API 1.0 (parallel)");
    case Api::Bulk1Serial: return QStringLiteral("Bulk API 1.0 (serial)");
    case Api::Bulk2: return QStringLiteral("Bulk API 2.0");
    }
    return {};
}

std::optional<Api> parseApi(const QString &text)
{
    const QString t = text.trimmed().toLower();
    if (t == QLatin1String("rest") || t == QLatin1String("collections") || t == QLatin1String("rest-collections"))
        return Api::RestCollections;
    if (t == QLatin1String("bulk") || t == QLatin1String("bulk1") || t == QLatin1String("bulk1-parallel"))
        return Api::Bulk1Parallel;
    if (t == QLatin1String("bulk1-serial"))
        return Api::Bulk1Serial;
    if (t == QLatin1String("bulk2"))
        return Api::Bulk2;
    return std::nullopt;
}

bool isBulk(Api api)
{
    return api != Api::RestCollections;
}

int maxBatchRows(Api api, const OrgProfile &profile)
{
    return api == Api::RestCollections ? profile.restMaxBatchRows : profile.bulkMaxBatchRows;
}

} // namespace lockstep
