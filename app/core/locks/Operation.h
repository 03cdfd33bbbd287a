#pragma once

#include <QString>

#include <optional>

namespace lockstep {

enum class Operation { Insert, Update, Upsert, Delete };

QString operationName(Operation op);                          // "update"
std::optional<Operation> parseOperation(const QString &text); // case-insensitive

} // namespace lockstep
