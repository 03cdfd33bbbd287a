#pragma once

#include "cli/JobExecution.h"
#include "cli/OrgConnection.h"
#include "store/JobStore.h"

#include <QCommandLineParser>

#include <optional>

namespace lockstep::cli {

// What run, resume, cancel, jobs, show and export share: the job store, the demo org's folder,
// the org's time scale, result files.
void addStoreOption(QCommandLineParser &parser);
QString storePath(const QCommandLineParser &parser);
// --scale, --demo-data and --store.
void addJobRunOptions(QCommandLineParser &parser);
// --scale for `org`: its value, or the default (0.01 for the demo org, 1 for a URL).
std::optional<double> orgScale(const QCommandLineParser &parser, const QString &org, const QString &command, int &exitCode);
// --json, -q, --results, --format.
std::optional<ExecutionOutput> executionOutput(const QCommandLineParser &parser, const QString &command, int &exitCode);
// The same options, added to a parser.
void addOutputOptions(QCommandLineParser &parser);
// The one JOB positional argument (a usage error otherwise).
std::optional<qint64> jobArgument(const QCommandLineParser &parser, const QString &command, int &code);
// The job store and job `id`, refused while a process still runs the job (resume, retry).
Result<std::pair<std::unique_ptr<JobStore>, JobSummary>> openIdleJob(const QString &storePath, qint64 id);
// The org the job ran against, at the job's time scale unless --scale says otherwise.
std::optional<OrgConnection> connectJobOrg(const QCommandLineParser &parser, const JobSummary &job, const QString &command, int &code);

} // namespace lockstep::cli
