#pragma once

#include "common/Error.h"
#include "load/ColumnRoles.h"
#include "locks/Operation.h"

#include <QJsonObject>
#include <QString>

#include <vector>

namespace lockstep {

// Why writing a row locks another record (lock-model.md §2).
enum class LockReason {
    Parent,            // Opportunity/Contact/Case → Account: roll-ups, sharing, implicit parent lock
    MasterDetail,      // child of a master-detail relationship → master (roll-up summaries)
    RestrictedLookup,  // a lookup that may not be cleared → the referenced record
    Activity,          // Task/Event → WhoId and WhatId records
    SharingGroup,      // owner change → one org-wide sharing-group lock
    Self,              // the record itself (a parent object's own row)
};

QString lockReasonName(LockReason reason);
std::optional<LockReason> parseLockReason(const QString &text);

struct LockRule {
    QString column;        // the column whose value names the locked record
    QString target;        // the locked object ("Account"); "" when it depends on the value
    LockReason reason = LockReason::Parent;
    QString why;           // one sentence for the user
    bool userDefined = false;

    friend bool operator==(const LockRule &, const LockRule &) = default;
};

// Which columns of a load lock which records. Rules are additive: a row locks the union of
// what every rule names. Built from lock-model.md §2 for the object and operation, then
// adjustable by the user (or, with an org connected, from describe).
class LockRules {
public:
    static LockRules builtIn(const QString &object, Operation operation, const ColumnRoles &roles);

    // User overrides: "AccountId" → lock; removing a column stops it locking anything.
    void addColumn(const QString &column, const QString &target, LockReason reason, const QString &why = {});
    bool removeColumn(const QString &column);

    const std::vector<LockRule> &rules() const { return m_rules; }
    const QString &object() const { return m_object; }
    Operation operation() const { return m_operation; }
    bool isEmpty() const { return m_rules.empty(); }

    // Overrides as JSON: {"object":..,"operation":..,"rules":[{"column","target","reason","why"}]}
    QJsonObject toJson() const;
    static Result<LockRules> fromJson(const QJsonObject &json, const QString &source);

    // "AccountId → Account (parent)" lines for a summary.
    QStringList describe() const;

private:
    QString m_object;
    Operation m_operation = Operation::Update;
    std::vector<LockRule> m_rules;
};

} // namespace lockstep
