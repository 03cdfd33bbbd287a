#include "plan/Plan.h"

#include <QJsonArray>

#include <cmath>

namespace lockstep {

int Plan::jobCount() const
{
    if (api == Api::RestCollections)
        return 0;
    if (jobPerBatch)
        return int(batches.size());
    bool shared = false;
    for (const auto &b : batches)
        shared |= b.lane == PlanBatch::kSharedQueue;
    return int(lanes.size()) + (shared ? 1 : 0);
}

qint64 Plan::apiCalls(const std::vector<double> &jobActiveSeconds, const OrgProfile &profile) const
{
    qint64 polls = 0;
    for (const double s : jobActiveSeconds)
        polls += qint64(std::ceil(std::max(0.0, s) / profile.statusPollSeconds));
    const qint64 jobs = jobCount();
    switch (api) {
    case Api::RestCollections: return qint64(batches.size());
    case Api::Bulk1Parallel:
    case Api::Bulk1Serial: return 2 * jobs + polls + 2 * qint64(batches.size());
    case Api::Bulk2: return kBulk2CallsPerJob * jobs + polls;
    }
    return 0;
}

qint64 Plan::apiCalls(double durationSeconds, const OrgProfile &profile) const
{
    return apiCalls(std::vector<double>(size_t(jobCount()), durationSeconds), profile);
}

QJsonObject Plan::toJson(const LockKeys *keys, bool withRows) const
{
    auto keyJson = [&](std::uint32_t key) -> QJsonValue {
        if (key == LockKeys::npos)
            return QJsonValue::Null;
        return keys ? QJsonValue(keys->keyLabel(key)) : QJsonValue(qint64(key));
    };
    QJsonArray batchArray;
    for (const auto &b : batches) {
        QJsonObject o{{QStringLiteral("rows"), qint64(b.rows)},
                      {QStringLiteral("lane"), b.lane == PlanBatch::kSharedQueue ? QJsonValue(QStringLiteral("shared")) : QJsonValue(b.lane)},
                      {QStringLiteral("api"), apiName(b.api)},
                      {QStringLiteral("expectedSeconds"), b.expectedSeconds}};
        if (withRows) {
            QJsonArray r;
            for (const auto row : rowsOf(b))
                r.append(qint64(row) + 1);
            o.insert(QStringLiteral("fileRows"), r);
        }
        batchArray.append(o);
    }
    QJsonArray laneArray;
    for (const auto &l : lanes)
        laneArray.append(QJsonObject{{QStringLiteral("index"), l.index},
                                     {QStringLiteral("rows"), l.rows},
                                     {QStringLiteral("expectedSeconds"), l.expectedSeconds},
                                     {QStringLiteral("parent"), keyJson(l.mainKey)},
                                     {QStringLiteral("reason"), l.reason}});
    return QJsonObject{
        {QStringLiteral("mitigation"), mitigation.key()},
        {QStringLiteral("label"), mitigation.label()},
        {QStringLiteral("api"), apiName(api)},
        {QStringLiteral("object"), object},
        {QStringLiteral("operation"), operationName(operation)},
        {QStringLiteral("rows"), rowCount()},
        {QStringLiteral("batchSize"), batchSize},
        {QStringLiteral("batches"), qint64(batches.size())},
        {QStringLiteral("concurrency"), concurrency},
        {QStringLiteral("availableConcurrency"), availableConcurrency},
        {QStringLiteral("jobs"), jobCount()},
        {QStringLiteral("jobPerBatch"), jobPerBatch},
        {QStringLiteral("duplicateRulesActive"), duplicateRulesActive},
        {QStringLiteral("duplicateRulesOff"), duplicateRulesOff},
        {QStringLiteral("disableBatchRetry"), disableBatchRetry},
        {QStringLiteral("rowSeconds"), rowSeconds},
        {QStringLiteral("totalWorkSeconds"), totalWorkSeconds},
        {QStringLiteral("components"), componentCount},
        {QStringLiteral("largestComponent"), QJsonObject{{QStringLiteral("rows"), largestComponentRows},
                                                         {QStringLiteral("parent"), keyJson(largestComponentKey)},
                                                         {QStringLiteral("seconds"), largestComponentSeconds}}},
        {QStringLiteral("lowerBoundSeconds"), lowerBoundSeconds},
        {QStringLiteral("boundIsHotParent"), boundIsHotParent()},
        {QStringLiteral("hottestParent"), QJsonObject{{QStringLiteral("parent"), keyJson(hottestKey)},
                                                      {QStringLiteral("children"), hottestKey != LockKeys::npos && parentChildren
                                                                                       ? qint64((*parentChildren)[hottestKey]) : 0},
                                                      {QStringLiteral("holdSeconds"), hottestKeyHoldSeconds}}},
        {QStringLiteral("uploadGapSeconds"), uploadGapSeconds},
        {QStringLiteral("lanes"), laneArray},
        {QStringLiteral("batchList"), batchArray},
        {QStringLiteral("notes"), QJsonArray::fromStringList(notes)},
    };
}

} // namespace lockstep
