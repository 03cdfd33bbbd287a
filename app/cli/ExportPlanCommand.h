#pragma once

#include "cli/Command.h"

namespace lockstep::cli {

// lockstep-cli export-plan FILE --mitigation M -o DIR: the rows of FILE in the plan's send order
// as CSV files Data Loader or the Salesforce CLI load as they are, with plan.json / README.txt
// saying which files run together and how to load each (PlanExport does the work).
class ExportPlanCommand : public Command {
public:
    QString name() const override { return QStringLiteral("export-plan"); }
    QString summary() const override { return QStringLiteral("Write a plan as load files for Data Loader or the Salesforce CLI"); }
    int run(const QStringList &arguments) override;
};

} // namespace lockstep::cli
