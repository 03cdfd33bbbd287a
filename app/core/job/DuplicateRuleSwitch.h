#pragma once

#include "common/Error.h"
#include "org/OrgClient.h"
#include "store/JobStore.h"

#include <QStringList>

namespace lockstep {

// The duplicate-rules mitigation's change to the org, undone whatever happens (architecture.md,
// "org changes undone"): each active rule is recorded in the job store *before* it is switched
// off, and every change of a job not yet restored is switched back when the run ends, fails or
// is cancelled — or, after a killed process, at the next start (restoreAbandoned).
class DuplicateRuleSwitch {
public:
    static constexpr const char *kKind = "duplicateRule";

    // The object's active duplicate rules off; returns the rules switched ("Account.Std_Rule").
    static Result<QStringList> switchOff(JobStore &store, qint64 job, OrgClient &client, const QString &object);
    // The job's open changes back as they were; returns the rules restored.
    static Result<QStringList> restore(JobStore &store, qint64 job, OrgClient &client);
    // Changes left open by jobs on this org whose runner is gone (killed, crashed).
    static Result<QStringList> restoreAbandoned(JobStore &store, OrgClient &client, const QString &orgUrl);

private:
    static Result<QStringList> restoreChanges(JobStore &store, const std::vector<OrgChange> &changes, OrgClient &client);
};

} // namespace lockstep
