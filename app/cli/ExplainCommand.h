#pragma once

#include "cli/Command.h"

namespace lockstep::cli {

// lockstep-cli explain JOB [ROW…]: for each lock error of a job Lockstep ran, the parent it waited
// on, the batch that held it and when — from the runner's own record of which batch carried
// which parents and when each batch ran — or, where that record is too thin, that it is.
class ExplainCommand : public Command {
public:
    QString name() const override { return QStringLiteral("explain"); }
    QString summary() const override { return QStringLiteral("Say, for each lock error of a job, which batch held the parent and when"); }
    int run(const QStringList &arguments) override;
};

} // namespace lockstep::cli
