#include "analysis/LoadMapping.h"

#include <algorithm>

namespace lockstep {

namespace {

bool sameColumn(const QString &a, const QString &b)
{
    return a.compare(b, Qt::CaseInsensitive) == 0;
}

QString roleText(const ColumnRoleChange &change)
{
    switch (change.role) {
    case ColumnRole::RecordId: return QStringLiteral("record Id");
    case ColumnRole::Lookup:
        return change.targets.isEmpty() ? QStringLiteral("lookup") : QStringLiteral("lookup to %1").arg(change.targets.join(QStringLiteral(" / ")));
    default: return QStringLiteral("data");
    }
}

} // namespace

void LoadMapping::applyTo(AnalyzeOptions &options) const
{
    options.object = object;
    options.operation = operation;
    options.externalIdField = externalIdField;
    options.columnRoles = roles;
    options.addRules = addedRules;
    options.removeRules = removedRules;
}

LoadMapping LoadMapping::withObject(const QString &newObject) const
{
    LoadMapping m = *this;
    m.object = newObject.trimmed();
    // Lock rules the user changed were for the old object's rules.
    m.addedRules.clear();
    m.removedRules.clear();
    return m;
}

LoadMapping LoadMapping::withOperation(Operation newOperation) const
{
    LoadMapping m = *this;
    m.operation = newOperation;
    if (newOperation != Operation::Upsert)
        m.externalIdField.clear();
    return m;
}

LoadMapping LoadMapping::withExternalId(const QString &field) const
{
    LoadMapping m = *this;
    m.externalIdField = sameColumn(field, QStringLiteral("Id")) ? QString() : field;
    return m;
}

LoadMapping LoadMapping::withRole(const QString &column, ColumnRole role, const QStringList &targets) const
{
    LoadMapping m = *this;
    std::erase_if(m.roles, [&](const ColumnRoleChange &c) { return sameColumn(c.column, column); });
    m.roles.push_back({column, role, role == ColumnRole::Lookup ? targets : QStringList()});
    return m;
}

LoadMapping LoadMapping::withColumnLocking(const QString &column, bool locks, const FileAnalysis &current) const
{
    LoadMapping m = *this;
    std::erase_if(m.addedRules, [&](const LockRule &r) { return sameColumn(r.column, column); });
    m.removedRules.removeIf([&](const QString &c) { return sameColumn(c, column); });
    const LockRules defaults = LockRules::builtIn(current.roles.object, current.operation, current.roles);
    const bool builtIn = std::any_of(defaults.rules().begin(), defaults.rules().end(),
                                     [&](const LockRule &r) { return sameColumn(r.column, column); });
    if (locks && !builtIn) {
        LockRule rule;
        rule.column = column;
        rule.reason = LockReason::RestrictedLookup;
        if (const ColumnInfo *info = current.roles.find(column); info && !info->targetObjects.isEmpty())
            rule.target = info->targetObjects.front();
        rule.why = QStringLiteral("added by you: a lookup that locks its record (e.g. a restricted or required lookup)");
        rule.userDefined = true;
        m.addedRules.push_back(rule);
    } else if (!locks && builtIn) {
        m.removedRules << column;
    }
    return m;
}

QString LoadMapping::describeChange(const LoadMapping &before, const LoadMapping &after)
{
    if (after.isDetected() && !before.isDetected())
        return QStringLiteral("Mapping as detected");
    if (before.object != after.object)
        return QStringLiteral("Object: %1").arg(after.object.isEmpty() ? QStringLiteral("as detected") : after.object);
    if (before.operation != after.operation)
        return QStringLiteral("Operation: %1").arg(after.operation ? operationName(*after.operation) : QStringLiteral("as detected"));
    if (before.externalIdField != after.externalIdField)
        return QStringLiteral("Upsert on %1").arg(after.externalIdField.isEmpty() ? QStringLiteral("Id") : after.externalIdField);
    if (before.roles != after.roles && !after.roles.empty())
        return QStringLiteral("%1: %2").arg(after.roles.back().column, roleText(after.roles.back()));
    for (const LockRule &r : after.addedRules)
        if (std::find(before.addedRules.begin(), before.addedRules.end(), r) == before.addedRules.end())
            return QStringLiteral("%1 locks its record").arg(r.column);
    for (const QString &c : before.removedRules)
        if (!after.removedRules.contains(c))
            return QStringLiteral("%1 locks its record").arg(c);
    for (const QString &c : after.removedRules)
        if (!before.removedRules.contains(c))
            return QStringLiteral("%1 locks nothing").arg(c);
    for (const LockRule &r : before.addedRules)
        if (std::find(after.addedRules.begin(), after.addedRules.end(), r) == after.addedRules.end())
            return QStringLiteral("%1 locks nothing").arg(r.column);
    return QStringLiteral("Lock rules as built in");
}

} // namespace lockstep
