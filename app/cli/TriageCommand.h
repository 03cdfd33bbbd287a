#pragma once

#include "cli/Command.h"

namespace lockstep::cli {

// lockstep-cli triage FILES…: a failed job's result files (Data Loader's, Bulk API 1.0's or
// 2.0's), read without the job: failures by code, the parents the lock errors waited on and
// their skew, and the plan Lockstep recommends for the locked rows with its prediction.
class TriageCommand : public Command {
public:
    QString name() const override { return QStringLiteral("triage"); }
    QString summary() const override { return QStringLiteral("Say what went wrong in a failed job from its result files, and what to do"); }
    int run(const QStringList &arguments) override;
};

} // namespace lockstep::cli
