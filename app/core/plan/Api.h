#pragma once

#include "sim/OrgProfile.h"

#include <QString>

#include <optional>

namespace lockstep {

// How a batch reaches the org (lock-model.md §1).
enum class Api {
    RestCollections,   // sObject Collections: one call of ≤ 200 rows = one transaction
    Bulk1Parallel,     // Bulk API 1.0, concurrencyMode=Parallel: batches run several at a time
    Bulk1Serial,       // Bulk API 1.0, concurrencyMode=Serial: one batch at a time
    Bulk2,             // Bulk API 2.0: one upload, cut into internal batches, always parallel
};

QString apiName(Api api);                               // "bulk1-parallel" (for options and JSON)
QString apiLabel(Api api);                              // "Bulk API 1.0 (parallel)" (for people)
std::optional<Api> parseApi(const QString &text);       // "rest", "bulk1", "bulk1-serial", "bulk2", …
bool isBulk(Api api);
// Largest batch the API accepts (REST 200, Bulk 10,000 — from the profile).
int maxBatchRows(Api api, const OrgProfile &profile);

} // namespace lockstep
