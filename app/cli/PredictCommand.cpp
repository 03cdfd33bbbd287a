#include "cli/PredictCommand.h"

#include "analysis/FileAnalysis.h"
#include "cli/CliSupport.h"
#include "cli/PlanCommand.h"
#include "predict/Comparison.h"
#include "predict/InstantEstimate.h"
#include "predict/Predictor.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <cmath>

namespace lockstep::cli {

namespace {

QString rowsText(double rows)
{
    return grouped(qint64(std::llround(rows)));
}

QString seedsText(const SeedPolicy &seeds)
{
    if (seeds.minSeeds == seeds.maxSeeds)
        return QStringLiteral("means of %1 seed%2").arg(seeds.minSeeds).arg(seeds.minSeeds == 1 ? "" : "s");
    return QStringLiteral("means over seeds until the standard error is under %1 % (%2 to %3 seeds)")
        .arg(seeds.targetRelativeError * 100, 0, 'f', 0)
        .arg(seeds.minSeeds)
        .arg(seeds.maxSeeds);
}

// "12,560 ± 1,170" (the spread of one run) — the same figure the window shows.
QString errorsText(const PredictionSummary &s)
{
    if (s.runs < 2)
        return rowsText(s.lockErrorRows);
    return rowsText(s.lockErrorRows) + QStringLiteral(" ± ") + rowsText(s.lockErrorRowsSd);
}

void printComparison(const FileAnalysis &a, const Plan *firstPlan, const std::vector<PredictionSummary> &rows, const SeedPolicy &seeds)
{
    auto &o = out();
    o << a.file.fileName() << ": " << grouped(a.keys.rowCount()) << " rows, " << a.roles.object << " "
      << operationName(a.operation) << "; " << seedsText(seeds);
    if (firstPlan && (firstPlan->api == Api::Bulk1Parallel || firstPlan->api == Api::Bulk1Serial))
        o << "; batches uploaded " << firstPlan->uploadGapSeconds << " s apart";
    o << "\n\n";
    o << QStringLiteral("%1 %2 %3 %4 %5 %6\n")
             .arg(QStringLiteral("mitigation"), -44)
             .arg(QStringLiteral("lock errors"), 18)
             .arg(QStringLiteral("duration"), 10)
             .arg(QStringLiteral("API calls"), 10)
             .arg(QStringLiteral("ratio to bound"), 15)
             .arg(QStringLiteral("seeds"), 6);
    for (const auto &r : rows) {
        if (!r.planned) {
            o << QStringLiteral("%1 %2\n").arg(r.mitigation.label(), -44).arg(QStringLiteral("cannot run: ") + r.error.message);
            continue;
        }
        o << QStringLiteral("%1 %2 %3 %4 %5 %6\n")
                 .arg(r.mitigation.label(), -44)
                 .arg(errorsText(r), 18)
                 .arg(duration(r.durationSeconds), 10)
                 .arg(rowsText(r.apiCalls), 10)
                 .arg(QString::number(r.ratioToBound, 'f', 2), 15)
                 .arg(r.runs, 6);
    }
    if (!rows.empty() && rows.front().planned) {
        const auto &r = rows.front();
        o << "\nlower bound " << duration(r.lowerBoundSeconds)
          << (r.boundIsHotParent ? " (how long the hottest parent must be held)" : " (total work / W)") << "\n";
    }
    o.flush();
}

void printPrediction(const FileAnalysis &a, const Plan &plan, const PredictionSummary &s, const Prediction &first,
                     const InstantEstimate *estimate, const SeedPolicy &seeds)
{
    auto &o = out();
    o << a.file.fileName() << ": " << grouped(plan.rowCount()) << " rows, " << plan.object << " " << operationName(plan.operation)
      << " — " << plan.mitigation.label() << ", " << apiLabel(plan.api) << ", " << grouped(qint64(plan.batches.size()))
      << " batches of up to " << grouped(plan.batchSize) << ", " << plan.concurrency << " in flight\n";
    o << "lock errors: " << rowsText(s.lockErrorRows) << " rows ("
      << percent(s.lockErrorRows / double(std::max<qint64>(1, plan.rowCount()))) << ")";
    if (s.runs > 1)
        o << "  [mean of " << s.runs << " seeds, sd " << rowsText(s.lockErrorRowsSd) << ", standard error "
          << rowsText(s.lockErrorRowsSe) << "]";
    o << "\n";
    o << "duration:    " << duration(s.durationSeconds) << "  (" << QString::number(s.ratioToBound, 'f', 2)
      << "× the lower bound of " << duration(s.lowerBoundSeconds) << ")\n";
    o << "API calls:   " << rowsText(s.apiCalls) << "\n";
    o << "deadlocks " << rowsText(s.deadlocks) << ", lock waits " << rowsText(s.lockWaits) << ", re-queued batch rests "
      << grouped(first.requeues) << (s.runs > 1 ? QStringLiteral(" (seed %1, the run closest to the mean)").arg(first.seed) : QString())
      << "\n";
    if (plan.api == Api::Bulk1Parallel || plan.api == Api::Bulk1Serial)
        o << "client pace: a batch uploaded every " << plan.uploadGapSeconds << " s\n";
    o << "seeds:       " << seedsText(seeds) << (s.stable || seeds.minSeeds == seeds.maxSeeds ? "" : " — not yet stable at the limit") << "\n";
    const auto top = first.mostContended(10);
    if (!top.empty()) {
        o << "most contended parents" << (s.runs > 1 ? QStringLiteral(" (seed %1)").arg(first.seed) : QString()) << ":\n";
        for (const auto k : top)
            o << "  " << a.keys.keyObject(k) << " " << a.keys.keyLabel(k) << ": " << first.keyFailures[k]
              << " failed requests, " << first.keyWaits[k] << " waits\n";
    }
    if (estimate)
        o << "instant estimate: " << rowsText(estimate->lockErrorRows) << " lock errors (κ "
          << QString::number(estimate->kappa, 'f', 2) << ", window share " << percent(estimate->windowShare)
          << ", collision chance " << percent(estimate->collisionProbability) << "), about " << duration(estimate->durationSeconds)
          << (estimate->rough ? " — rough: a skewed parent's lock saturates (the prediction above is the number)" : "") << "\n";
    o.flush();
}

} // namespace

int PredictCommand::run(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(summary() + QStringLiteral(
        ".\n\nPlays the plan of each mitigation against the lock engine in virtual time (the calibrated "
        "model of docs/lock-engine.md, or --profile) and reports lock errors, duration, API calls and the "
        "ratio to the lower bound max(total work / W, the time the hottest parent must be held). --compare "
        "predicts every mitigation (or the --mitigation options given) and prints one table. Numbers are "
        "means over seeds, because lock errors come in 200-row lumps: at least 5 seeds, more until the "
        "mean's standard error is under 5 % (judged on the spread's 90 % upper bound, which few seeds understate), at most 40 (or exactly --seeds); ± is one run's spread. "
        "--client sets the pace at which the batches are uploaded.\n\n"
        "Exit status: 0 predicted, 64 bad usage, 65 malformed file or profile, 66 no such file, 130 interrupted."));
    addPlanningOptions(parser);
    parser.addOption({{QStringLiteral("m"), QStringLiteral("mitigation")},
                      QStringLiteral("The mitigation to predict (default parallel); with --compare, repeat it to choose the rows."),
                      QStringLiteral("M")});
    parser.addOption({QStringLiteral("compare"), QStringLiteral("Predict every mitigation and print one table.")});
    parser.addOption({QStringLiteral("seed"), QStringLiteral("First random seed (default 1); the same seed predicts the same run."), QStringLiteral("K"), QStringLiteral("1")});
    parser.addOption({QStringLiteral("seeds"), QStringLiteral("Exactly N runs per mitigation, averaged (default: until stable, 5 to 40)."), QStringLiteral("N")});
    int code = 0;
    if (!parseArguments(parser, name(), arguments, code))
        return code;
    const bool compare = parser.isSet(QStringLiteral("compare"));
    std::vector<Mitigation> mitigations;
    for (const auto &text : parser.values(QStringLiteral("mitigation"))) {
        const auto m = Mitigation::parse(text);
        if (!m)
            return usageError(m.error().message, name());
        if (m->scheduling == Scheduling::Auto)
            return usageError(QStringLiteral("predict auto's choice with 'lockstep-cli plan --mitigation auto'; --compare shows what it weighs"), name());
        mitigations.push_back(*m);
    }
    if (!compare && mitigations.size() > 1)
        return usageError(QStringLiteral("one --mitigation at a time, or --compare for a table"), name());
    bool ok1 = false, ok2 = true;
    const std::uint64_t seed = parser.value(QStringLiteral("seed")).toULongLong(&ok1);
    int seeds = 0;   // 0: until stable
    if (parser.isSet(QStringLiteral("seeds"))) {
        seeds = parser.value(QStringLiteral("seeds")).toInt(&ok2);
        ok2 = ok2 && seeds >= 1 && seeds <= 1000;
    }
    if (!ok1 || !ok2)
        return usageError(QStringLiteral("--seed takes a whole number, --seeds one from 1 to 1000"), name());

    auto input = preparePlanning(parser, name(), code);
    if (!input)
        return code;
    const FileAnalysis &a = *input->analysis;
    const bool json = parser.isSet(QStringLiteral("json"));

    CompareOptions options;
    options.plan = input->options;
    options.mitigations = mitigations;
    if (!compare && options.mitigations.empty())
        options.mitigations.push_back({});
    options.seeds = seeds > 0 ? SeedPolicy::fixed(seeds, seed) : SeedPolicy{seed};

    StderrProgress progress(!parser.isSet(QStringLiteral("quiet")));
    const Planner planner(a.keys, options.plan, progress.token());
    if (compare) {
        auto rows = Comparison::run(planner, options, progress.progress());
        progress.finish();
        if (!rows)
            return report(rows.error());
        if (json) {
            QJsonArray array;
            for (const auto &r : *rows)
                array.append(r.toJson());
            writeJson(QJsonDocument(QJsonObject{{QStringLiteral("file"), a.file.path()},
                                                {QStringLiteral("rows"), a.keys.rowCount()},
                                                {QStringLiteral("object"), a.roles.object},
                                                {QStringLiteral("operation"), operationName(a.operation)},
                                                {QStringLiteral("seeds"), seedsText(options.seeds)},
                                                {QStringLiteral("firstSeed"), QString::number(seed)},
                                                {QStringLiteral("uploadGapSeconds"), options.plan.uploadGapSeconds.value_or(options.plan.profile.bulkUploadGapSeconds)},
                                                {QStringLiteral("mitigations"), array}}));
        } else {
            const auto first = planner.plan(rows->front().mitigation);
            printComparison(a, first ? &*first : nullptr, *rows, options.seeds);
        }
        return ExitCode::Ok;
    }

    const Mitigation &m = options.mitigations.front();
    auto plan = planner.plan(m);
    if (!plan) {
        progress.finish();
        return report(plan.error());
    }
    auto stable = Comparison::predict(*plan, a.keys, options.plan.profile, options.seeds, progress.progress());
    progress.finish();
    if (!stable)
        return report(stable.error());
    const PredictionSummary &summary = stable->summary;
    const Prediction &representative = stable->representative;
    const InstantEstimator estimator(a.keys, planner.components());
    const auto estimate = estimator.estimate(m, options.plan);
    if (json) {
        QJsonObject o = summary.toJson();
        o.insert(QStringLiteral("file"), a.file.path());
        o.insert(QStringLiteral("rows"), a.keys.rowCount());
        o.insert(QStringLiteral("representativeRun"), representative.toJson(&a.keys, 10));
        if (estimate)
            o.insert(QStringLiteral("instantEstimate"), QJsonObject{{QStringLiteral("lockErrorRows"), estimate->lockErrorRows},
                                                                    {QStringLiteral("kappa"), estimate->kappa},
                                                                    {QStringLiteral("windowShare"), estimate->windowShare},
                                                                    {QStringLiteral("collisionProbability"), estimate->collisionProbability},
                                                                    {QStringLiteral("durationSeconds"), estimate->durationSeconds},
                                                                    {QStringLiteral("apiCalls"), estimate->apiCalls},
                                                                    {QStringLiteral("rough"), estimate->rough}});
        o.insert(QStringLiteral("notes"), QJsonArray::fromStringList(plan->notes));
        writeJson(QJsonDocument(o));
    } else {
        printPrediction(a, *plan, summary, representative, estimate ? &*estimate : nullptr, options.seeds);
    }
    return ExitCode::Ok;
}

} // namespace lockstep::cli
