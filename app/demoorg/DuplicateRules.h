#pragma once

#include "common/Error.h"
#include "demoorg/RecordStore.h"

#include <QJsonObject>
#include <QReadWriteLock>

namespace lockstep::demoorg {

struct DuplicateRuleDef {
    QString id;
    QString object;          // SobjectType
    QString developerName;   // "Standard_Account_Duplicate_Rule"
    QString masterLabel;
    QStringList matchFields; // records match when all these fields are equal (case-insensitive), none empty
    bool active = false;

    QString fullName() const { return object + QLatin1Char('.') + developerName; }   // Metadata API name
};

// One duplicate rule per writable object, stored as DuplicateRule records (queryable, IsActive
// read-only over REST) and switched through the Metadata API. Matching is exact on the rule's
// fields, enough to show "a real duplicate is reported"; the cost of an active rule on lock
// windows comes from the profile.
class DuplicateRules {
public:
    static Result<std::unique_ptr<DuplicateRules>> load(RecordStore &store);

    std::optional<DuplicateRuleDef> forObject(const QString &object) const;
    std::optional<DuplicateRuleDef> byFullName(const QString &fullName) const;
    std::vector<DuplicateRuleDef> all() const;
    Result<void> setActive(const QString &fullName, bool active);

private:
    explicit DuplicateRules(RecordStore &store) : m_store(store) {}
    RecordStore &m_store;
    mutable QReadWriteLock m_lock;
    std::vector<DuplicateRuleDef> m_rules;
};

} // namespace lockstep::demoorg
