#pragma once

#include "cli/Command.h"

namespace lockstep::cli {

// lockstep-cli run FILE --org demo|URL --mitigation M: the plan becomes a load; every row's
// outcome goes to the job store; result files on request; predicted beside observed.
class RunCommand : public Command {
public:
    QString name() const override { return QStringLiteral("run"); }
    QString summary() const override { return QStringLiteral("Run a load against an org (or the demo org), every row accounted for"); }
    int run(const QStringList &arguments) override;
};

// lockstep-cli jobs / show JOB / export JOB: what the job store holds.
class JobsCommand : public Command {
public:
    QString name() const override { return QStringLiteral("jobs"); }
    QString summary() const override { return QStringLiteral("List the jobs in the job store"); }
    int run(const QStringList &arguments) override;
};

class ShowCommand : public Command {
public:
    QString name() const override { return QStringLiteral("show"); }
    QString summary() const override { return QStringLiteral("Show one job: rows by status, errors by code"); }
    int run(const QStringList &arguments) override;
};

class ExportCommand : public Command {
public:
    QString name() const override { return QStringLiteral("export"); }
    QString summary() const override { return QStringLiteral("Write a job's result files (Data Loader, Bulk API 2.0 or full)"); }
    int run(const QStringList &arguments) override;
};

// lockstep-cli resume JOB: settle what an interrupted run left open, then send what is pending.
class ResumeCommand : public Command {
public:
    QString name() const override { return QStringLiteral("resume"); }
    QString summary() const override { return QStringLiteral("Resume a cancelled or interrupted job where it stopped"); }
    int run(const QStringList &arguments) override;
};

// lockstep-cli cancel JOB: stop a running job (another process), or settle a killed one.
class CancelCommand : public Command {
public:
    QString name() const override { return QStringLiteral("cancel"); }
    QString summary() const override { return QStringLiteral("Cancel a job: stop it, or settle one whose process was killed"); }
    int run(const QStringList &arguments) override;
};

} // namespace lockstep::cli
