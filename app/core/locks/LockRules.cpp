#include "locks/LockRules.h"

#include <QJsonArray>

namespace lockstep {

QString lockReasonName(LockReason reason)
{
    switch (reason) {
    case LockReason::Parent: return QStringLiteral("parent");
    case LockReason::MasterDetail: return QStringLiteral("master-detail");
    case LockReason::RestrictedLookup: return QStringLiteral("restricted lookup");
    case LockReason::Activity: return QStringLiteral("activity");
    case LockReason::SharingGroup: return QStringLiteral("sharing group");
    case LockReason::Self: return QStringLiteral("self");
    }
    return {};
}

std::optional<LockReason> parseLockReason(const QString &text)
{
    const QString t = text.trimmed().toLower();
    for (auto r : {LockReason::Parent, LockReason::MasterDetail, LockReason::RestrictedLookup, LockReason::Activity,
                   LockReason::SharingGroup, LockReason::Self})
        if (lockReasonName(r) == t || QString(lockReasonName(r)).remove(QLatin1Char(' ')).remove(QLatin1Char('-')) == QString(t).remove(QLatin1Char('_')).remove(QLatin1Char('-')))
            return r;
    return std::nullopt;
}

namespace {

bool isObject(const QString &object, const char *name)
{
    return object.compare(QLatin1String(name), Qt::CaseInsensitive) == 0;
}

} // namespace

LockRules LockRules::builtIn(const QString &object, Operation operation, const ColumnRoles &roles)
{
    LockRules rules;
    rules.m_object = object;
    rules.m_operation = operation;

    auto add = [&](const QString &column, const QString &target, LockReason reason, const QString &why) {
        // A column mapped as plain data (the user says it holds no Ids) names no record to lock.
        if (const ColumnInfo *c = roles.find(column); c && c->role == ColumnRole::Data)
            return;
        if (roles.find(column) || reason == LockReason::SharingGroup || reason == LockReason::Self)
            rules.m_rules.push_back({roles.find(column) ? roles.find(column)->name : column, target, reason, why, false});
    };
    // A parent may also be named by external id ("Account.External_Id__c"): same lock.
    auto addRelationship = [&](const QString &relationship, const QString &target, LockReason reason, const QString &why) {
        for (const auto &c : roles.columns)
            if (c.role == ColumnRole::RelationshipLookup &&
                c.relationshipName.compare(relationship, Qt::CaseInsensitive) == 0)
                rules.m_rules.push_back({c.name, target, reason, why, false});
    };
    const bool insertOrUpdate = operation != Operation::Delete;

    if (isObject(object, "Opportunity")) {
        const QString why = QStringLiteral("an Opportunity write locks its Account (roll-up summaries, sharing "
                                           "recalculation) for the whole transaction");
        add(QStringLiteral("AccountId"), QStringLiteral("Account"), LockReason::Parent, why);
        addRelationship(QStringLiteral("Account"), QStringLiteral("Account"), LockReason::Parent, why);
    } else if (isObject(object, "Contact")) {
        const QString why = QStringLiteral("a Contact write locks its Account for the whole transaction");
        add(QStringLiteral("AccountId"), QStringLiteral("Account"), LockReason::Parent, why);
        addRelationship(QStringLiteral("Account"), QStringLiteral("Account"), LockReason::Parent, why);
        if (operation != Operation::Insert)
            add(QStringLiteral("Id"), QStringLiteral("Contact"), LockReason::Self,
                QStringLiteral("a Contact is itself the parent of Cases and activities loaded elsewhere"));
    } else if (isObject(object, "Case")) {
        if (insertOrUpdate) {
            add(QStringLiteral("AccountId"), QStringLiteral("Account"), LockReason::Parent,
                QStringLiteral("a Case insert or update locks its Account"));
            add(QStringLiteral("ContactId"), QStringLiteral("Contact"), LockReason::Parent,
                QStringLiteral("a Case insert or update locks its Contact"));
            addRelationship(QStringLiteral("Account"), QStringLiteral("Account"), LockReason::Parent,
                            QStringLiteral("a Case insert or update locks its Account"));
            addRelationship(QStringLiteral("Contact"), QStringLiteral("Contact"), LockReason::Parent,
                            QStringLiteral("a Case insert or update locks its Contact"));
        }
    } else if (isObject(object, "Task") || isObject(object, "Event")) {
        if (insertOrUpdate) {
            const QString why = QStringLiteral("an activity insert (or update of an open activity with a due date) "
                                               "locks its WhoId and WhatId records — and their Account, which the "
                                               "file does not show");
            add(QStringLiteral("WhoId"), QString(), LockReason::Activity, why);
            add(QStringLiteral("WhatId"), QString(), LockReason::Activity, why);
        }
    } else if (isObject(object, "Account")) {
        if (operation != Operation::Insert) {
            add(QStringLiteral("Id"), QStringLiteral("Account"), LockReason::Self,
                QStringLiteral("an Account is the parent other loads lock; its own row is the same lock"));
        }
    } else if (object.endsWith(QLatin1String("__c"), Qt::CaseInsensitive)) {
        // A custom object: its custom lookups are taken as master-detail (the master is locked,
        // roll-ups recalculate). Without describe we cannot tell a "clear the value" lookup, which
        // does not lock; locking too much costs a little speed, too little costs lock errors.
        for (const auto &c : roles.columns) {
            if (c.role == ColumnRole::Lookup && c.name.endsWith(QLatin1String("__c"), Qt::CaseInsensitive))
                rules.m_rules.push_back({c.name, c.targetObjects.value(0), LockReason::MasterDetail,
                                         QStringLiteral("a master-detail child locks its master (and roll-up summary "
                                                        "parents) for the whole transaction"),
                                         false});
            if (c.role == ColumnRole::RelationshipLookup && c.relationshipName.endsWith(QLatin1String("__r"), Qt::CaseInsensitive))
                rules.m_rules.push_back({c.name, c.targetObjects.value(0), LockReason::MasterDetail,
                                         QStringLiteral("a master-detail child locks its master, here named by external id"),
                                         false});
        }
    }

    // Owner changes take the org-wide sharing-group lock: every such row shares one key.
    if ((isObject(object, "Account") || isObject(object, "Contact") || isObject(object, "Opportunity") ||
         isObject(object, "Case")) &&
        (operation == Operation::Update || operation == Operation::Upsert) && roles.find(QStringLiteral("OwnerId"))) {
        rules.m_rules.push_back({roles.find(QStringLiteral("OwnerId"))->name, QString(), LockReason::SharingGroup,
                                 QStringLiteral("an owner change recalculates sharing under one org-wide group lock, so "
                                                "every such row contends with every other"),
                                 false});
    }
    return rules;
}

void LockRules::addColumn(const QString &column, const QString &target, LockReason reason, const QString &why)
{
    removeColumn(column);
    m_rules.push_back({column, target, reason,
                       why.isEmpty() ? QStringLiteral("added by the user") : why, true});
}

bool LockRules::removeColumn(const QString &column)
{
    const auto before = m_rules.size();
    std::erase_if(m_rules, [&](const LockRule &r) { return r.column.compare(column, Qt::CaseInsensitive) == 0; });
    return m_rules.size() != before;
}

QJsonObject LockRules::toJson() const
{
    QJsonArray array;
    for (const auto &r : m_rules)
        array.append(QJsonObject{{QStringLiteral("column"), r.column},
                                 {QStringLiteral("target"), r.target},
                                 {QStringLiteral("reason"), lockReasonName(r.reason)},
                                 {QStringLiteral("why"), r.why}});
    return QJsonObject{{QStringLiteral("object"), m_object},
                       {QStringLiteral("operation"), operationName(m_operation)},
                       {QStringLiteral("rules"), array}};
}

Result<LockRules> LockRules::fromJson(const QJsonObject &json, const QString &source)
{
    LockRules rules;
    rules.m_object = json.value(QStringLiteral("object")).toString();
    const auto op = parseOperation(json.value(QStringLiteral("operation")).toString(QStringLiteral("update")));
    if (!op)
        return fail(ErrorKind::BadData, QStringLiteral("lock rules: unknown operation '%1'")
                                            .arg(json.value(QStringLiteral("operation")).toString()),
                    source);
    rules.m_operation = *op;
    const QJsonValue array = json.value(QStringLiteral("rules"));
    if (!array.isArray())
        return fail(ErrorKind::BadData, QStringLiteral("lock rules: \"rules\" must be an array"), source);
    int index = 0;
    for (const auto &value : array.toArray()) {
        ++index;
        const QJsonObject o = value.toObject();
        const QString column = o.value(QStringLiteral("column")).toString();
        if (column.isEmpty())
            return fail(ErrorKind::BadData, QStringLiteral("lock rules: rule %1 has no \"column\"").arg(index), source);
        const auto reason = parseLockReason(o.value(QStringLiteral("reason")).toString(QStringLiteral("parent")));
        if (!reason)
            return fail(ErrorKind::BadData,
                        QStringLiteral("lock rules: rule %1 has an unknown reason '%2' (parent, master-detail, "
                                       "restricted lookup, activity, sharing group, self)")
                            .arg(index)
                            .arg(o.value(QStringLiteral("reason")).toString()),
                        source);
        rules.m_rules.push_back({column, o.value(QStringLiteral("target")).toString(), *reason,
                                 o.value(QStringLiteral("why")).toString(QStringLiteral("from %1").arg(source)), true});
    }
    return rules;
}

QStringList LockRules::describe() const
{
    QStringList out;
    for (const auto &r : m_rules) {
        QString target = r.reason == LockReason::SharingGroup ? QStringLiteral("org-wide sharing group")
                         : r.target.isEmpty()                 ? QStringLiteral("the record it names")
                                                              : r.target;
        out << QStringLiteral("%1 → %2 (%3)").arg(r.column, target, lockReasonName(r.reason));
    }
    return out;
}

} // namespace lockstep
