#include "predict/Prediction.h"

#include <QJsonArray>

#include <algorithm>
#include <numeric>

namespace lockstep {

std::vector<LockKey> Prediction::mostContended(int count) const
{
    std::vector<LockKey> keys;
    for (LockKey k = 0; k < keyWaits.size(); ++k)
        if (keyWaits[k] || keyFailures[k])
            keys.push_back(k);
    auto heavier = [&](LockKey a, LockKey b) {
        if (keyFailures[a] != keyFailures[b])
            return keyFailures[a] > keyFailures[b];
        if (keyWaits[a] != keyWaits[b])
            return keyWaits[a] > keyWaits[b];
        return a < b;
    };
    const size_t n = std::min(keys.size(), size_t(std::max(0, count)));
    std::partial_sort(keys.begin(), keys.begin() + qptrdiff(n), keys.end(), heavier);
    keys.resize(n);
    return keys;
}

QJsonObject Prediction::toJson(const LockKeys *keys, int topParents) const
{
    QJsonArray parents;
    for (const LockKey k : mostContended(topParents))
        parents.append(QJsonObject{{QStringLiteral("parent"), keys ? QJsonValue(keys->keyLabel(k)) : QJsonValue(qint64(k))},
                                   {QStringLiteral("failedRequests"), qint64(keyFailures[k])},
                                   {QStringLiteral("waits"), qint64(keyWaits[k])}});
    return QJsonObject{
        {QStringLiteral("seed"), QString::number(seed)},
        {QStringLiteral("durationSeconds"), durationSeconds},
        {QStringLiteral("rows"), rows},
        {QStringLiteral("okRows"), okRows},
        {QStringLiteral("lockErrorRows"), lockErrorRows},
        {QStringLiteral("notProcessedRows"), notProcessedRows},
        {QStringLiteral("deadlocks"), deadlocks},
        {QStringLiteral("timeouts"), timeouts},
        {QStringLiteral("lockWaits"), lockWaits},
        {QStringLiteral("transactions"), transactions},
        {QStringLiteral("requeues"), requeues},
        {QStringLiteral("apiCalls"), apiCalls},
        {QStringLiteral("lowerBoundSeconds"), lowerBoundSeconds},
        {QStringLiteral("ratioToBound"), ratioToBound},
        {QStringLiteral("mostContendedParents"), parents},
    };
}

} // namespace lockstep
