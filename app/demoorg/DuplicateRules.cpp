#include "demoorg/DuplicateRules.h"

namespace lockstep::demoorg {

Result<std::unique_ptr<DuplicateRules>> DuplicateRules::load(RecordStore &store)
{
    std::unique_ptr<DuplicateRules> rules(new DuplicateRules(store));
    const Schema &schema = store.schema();
    const ObjectDef *ruleObject = schema.object(QStringLiteral("DuplicateRule"));
    const CustomObjectConfig &custom = schema.custom();
    // Salesforce ships active standard rules for Account and Contact; the others start off.
    const std::vector<DuplicateRuleDef> defaults{
        {{}, QStringLiteral("Account"), QStringLiteral("Standard_Account_Duplicate_Rule"), QStringLiteral("Standard Account Duplicate Rule"),
         {QStringLiteral("Name"), QStringLiteral("BillingCity")}, true},
        {{}, QStringLiteral("Contact"), QStringLiteral("Standard_Contact_Duplicate_Rule"), QStringLiteral("Standard Contact Duplicate Rule"),
         {QStringLiteral("Email")}, true},
        {{}, QStringLiteral("Opportunity"), QStringLiteral("Opportunity_Duplicate_Rule"), QStringLiteral("Opportunity Duplicate Rule"),
         {QStringLiteral("Name"), QStringLiteral("AccountId")}, false},
        {{}, QStringLiteral("Case"), QStringLiteral("Case_Duplicate_Rule"), QStringLiteral("Case Duplicate Rule"),
         {QStringLiteral("Subject"), QStringLiteral("ContactId")}, false},
        {{}, custom.child, custom.child.chopped(3) + QStringLiteral("_Duplicate_Rule"), custom.child.chopped(3) + QStringLiteral(" Duplicate Rule"),
         {QStringLiteral("Name"), custom.masterField}, false},
    };
    auto existing = store.select(QStringLiteral("SELECT Id, SobjectType, DeveloperName, IsActive FROM \"DuplicateRule\""), {});
    if (!existing)
        return std::unexpected(existing.error());
    std::vector<RowWrite> inserts;
    for (DuplicateRuleDef d : defaults) {
        bool found = false;
        for (const auto &row : *existing)
            if (row[2].toString() == d.developerName) {
                d.id = row[0].toString();
                d.active = row[3].toLongLong() != 0;   // the stored state survives a restart
                found = true;
            }
        if (!found) {
            d.id = store.newId(*ruleObject);
            inserts.push_back(RowWrite{RowWrite::Kind::Insert, ruleObject, d.id,
                                       Values{{QStringLiteral("DeveloperName"), d.developerName}, {QStringLiteral("MasterLabel"), d.masterLabel},
                                              {QStringLiteral("SobjectType"), d.object}, {QStringLiteral("IsActive"), d.active},
                                              {QStringLiteral("SobjectSubtype"), QStringLiteral("None")}}});
        }
        rules->m_rules.push_back(d);
    }
    if (auto r = store.apply(inserts, QString()); !r)
        return std::unexpected(r.error());
    return rules;
}

std::optional<DuplicateRuleDef> DuplicateRules::forObject(const QString &object) const
{
    QReadLocker lock(&m_lock);
    for (const auto &r : m_rules)
        if (r.object.compare(object, Qt::CaseInsensitive) == 0)
            return r;
    return std::nullopt;
}

std::optional<DuplicateRuleDef> DuplicateRules::byFullName(const QString &fullName) const
{
    QReadLocker lock(&m_lock);
    for (const auto &r : m_rules)
        if (r.fullName().compare(fullName, Qt::CaseInsensitive) == 0)
            return r;
    return std::nullopt;
}

std::vector<DuplicateRuleDef> DuplicateRules::all() const
{
    QReadLocker lock(&m_lock);
    return m_rules;
}

Result<void> DuplicateRules::setActive(const QString &fullName, bool active)
{
    QWriteLocker lock(&m_lock);
    for (auto &r : m_rules) {
        if (r.fullName().compare(fullName, Qt::CaseInsensitive) != 0)
            continue;
        const ObjectDef *ruleObject = m_store.schema().object(QStringLiteral("DuplicateRule"));
        if (auto w = m_store.apply({RowWrite{RowWrite::Kind::Update, ruleObject, r.id, Values{{QStringLiteral("IsActive"), active}}}}, QString()); !w)
            return w;
        r.active = active;
        return {};
    }
    return fail(ErrorKind::NotFound, QStringLiteral("no duplicate rule named %1").arg(fullName));
}

} // namespace lockstep::demoorg
