#include "locks/Operation.h"

namespace lockstep {

QString operationName(Operation op)
{
    switch (op) {
    case Operation::Insert: return QStringLiteral("insert");
    case Operation::Update: return QStringLiteral("update");
    case Operation::Upsert: return QStringLiteral("upsert");
    case Operation::Delete: return QStringLiteral("delete");
    }
    return {};
}

std::optional<Operation> parseOperation(const QString &text)
{
    const QString t = text.trimmed().toLower();
    if (t == QLatin1String("insert")) return Operation::Insert;
    if (t == QLatin1String("update")) return Operation::Update;
    if (t == QLatin1String("upsert")) return Operation::Upsert;
    if (t == QLatin1String("delete") || t == QLatin1String("harddelete")) return Operation::Delete;
    return std::nullopt;
}

} // namespace lockstep
