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

} // namespace lockstep::cli
