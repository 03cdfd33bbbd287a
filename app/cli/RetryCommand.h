#pragma once

#include "cli/Command.h"

namespace lockstep::cli {

// lockstep-cli retry JOB [--only CODE…] [--where parent=…|batch=…] [--mitigation M]: a job's
// failed rows, chosen by code, parent, batch, attempts or number, planned afresh (parent-aware
// lanes by default), predicted, and run as a child job whose outcomes fold back into JOB.
class RetryCommand : public Command {
public:
    QString name() const override { return QStringLiteral("retry"); }
    QString summary() const override { return QStringLiteral("Send a job's failed rows again (lock errors in lanes), folded back into the job"); }
    int run(const QStringList &arguments) override;
};

} // namespace lockstep::cli
