#pragma once

#include "cli/Command.h"
#include "plan/Planner.h"
#include "predict/Comparison.h"

#include <QCommandLineParser>

#include <memory>
#include <optional>

namespace lockstep {
struct FileAnalysis;
}

namespace lockstep::cli {

// lockstep-cli plan FILE --mitigation M: the batches, lanes and bound of one mitigation.
class PlanCommand : public Command {
public:
    QString name() const override { return QStringLiteral("plan"); }
    QString summary() const override { return QStringLiteral("Plan a load: batches, lanes and API for a mitigation"); }
    int run(const QStringList &arguments) override;
};

// What plan and predict share: the file, analysed, and the options every plan is built with.
struct PlanningInput {
    std::shared_ptr<FileAnalysis> analysis;
    PlanOptions options;
};

// Adds FILE and the options plan and predict share (--object, --operation, --batch-size,
// --concurrency, --api, --profile, --disable-batch-retry, --json, --quiet).
void addPlanningOptions(QCommandLineParser &parser);
// Reads those options and analyses FILE. On failure prints the error and returns nullopt with
// `exitCode` set (64 usage, 65 bad data, 66 no such file, 130 interrupted). `planningOnly`:
// read no more than a plan needs (AnalyzeOptions::planningOnly).
std::optional<PlanningInput> preparePlanning(const QCommandLineParser &parser, const QString &command, int &exitCode,
                                             bool planningOnly = false);
// The plan of `mitigation` on the shared options: auto is chosen by prediction (AutoPlanner;
// what it weighed goes to `candidates`), any other mitigation by the Planner. Shared by plan and
// export-plan, so both build the same plan from the same command line.
Result<Plan> buildPlan(const PlanningInput &input, const Mitigation &mitigation, const SeedPolicy &seeds,
                       qint64 apiCallBudget, const Progress &progress, std::vector<PredictionSummary> *candidates = nullptr);
// "3.0 min", "45 s", "1.2 h".
QString duration(double seconds);

} // namespace lockstep::cli
