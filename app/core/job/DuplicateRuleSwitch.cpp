#include "job/DuplicateRuleSwitch.h"

namespace lockstep {

namespace {

// "Account.Standard_Account_Duplicate_Rule" → the rule as OrgClient switches it.
DuplicateRuleState ruleOf(const QString &target, bool active)
{
    DuplicateRuleState rule;
    rule.sobjectType = target.section(QLatin1Char('.'), 0, 0);
    rule.developerName = target.section(QLatin1Char('.'), 1);
    rule.active = active;
    return rule;
}

} // namespace

Result<QStringList> DuplicateRuleSwitch::switchOff(JobStore &store, qint64 job, OrgClient &client, const QString &object)
{
    auto rules = client.duplicateRules(object);
    if (!rules)
        return std::unexpected(rules.error().toError());
    QStringList switched;
    for (const DuplicateRuleState &rule : *rules) {
        if (!rule.active)
            continue;
        OrgChange change;
        change.jobId = job;
        change.kind = QString::fromLatin1(kKind);
        change.target = rule.fullName();
        change.before = QStringLiteral("active");
        change.after = QStringLiteral("inactive");
        // Recorded first: a process killed right after the switch still knows to undo it.
        auto id = store.recordOrgChange(change);
        if (!id)
            return std::unexpected(id.error());
        if (auto off = client.setDuplicateRuleActive(rule, false); !off) {
            // Not switched (or not known to be): restore() will set it active again, harmlessly.
            return std::unexpected(Error{off.error().toError().kind,
                                         QStringLiteral("could not switch off duplicate rule %1: %2").arg(rule.fullName(), off.error().message)});
        }
        if (auto s = store.setOrgChangeState(*id, OrgChange::State::Applied); !s)
            return std::unexpected(s.error());
        switched << rule.fullName();
    }
    return switched;
}

Result<QStringList> DuplicateRuleSwitch::restoreChanges(JobStore &store, const std::vector<OrgChange> &changes, OrgClient &client)
{
    QStringList restored;
    QStringList failed;
    for (const OrgChange &change : changes) {
        if (change.kind != QLatin1String(kKind))
            continue;
        const bool active = change.before == QLatin1String("active");
        if (auto on = client.setDuplicateRuleActive(ruleOf(change.target, active), active); !on) {
            failed << QStringLiteral("%1 (%2)").arg(change.target, on.error().message);
            continue;
        }
        if (auto s = store.setOrgChangeState(change.id, OrgChange::State::Restored); !s)
            return std::unexpected(s.error());
        restored << change.target;
    }
    if (!failed.isEmpty())
        return std::unexpected(Error{ErrorKind::Network, QStringLiteral("duplicate rules still switched off in the org — switch them back on in "
                                                                       "Setup, or run again: %1").arg(failed.join(QStringLiteral(", ")))});
    return restored;
}

Result<QStringList> DuplicateRuleSwitch::restore(JobStore &store, qint64 job, OrgClient &client)
{
    auto changes = store.openOrgChanges(job);
    if (!changes)
        return std::unexpected(changes.error());
    return restoreChanges(store, *changes, client);
}

Result<QStringList> DuplicateRuleSwitch::restoreAbandoned(JobStore &store, OrgClient &client, const QString &orgUrl)
{
    auto changes = store.openOrgChanges();
    if (!changes)
        return std::unexpected(changes.error());
    std::vector<OrgChange> abandoned;
    for (const OrgChange &change : *changes) {
        auto job = store.job(change.jobId);
        if (!job || job->spec.orgUrl != orgUrl || JobStore::runnerAlive(*job))
            continue;
        abandoned.push_back(change);
    }
    return restoreChanges(store, abandoned, client);
}

} // namespace lockstep
