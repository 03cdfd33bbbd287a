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

void printComparison(const FileAnalysis &a, const std::vector<PredictionSummary> &rows, int seeds)
{
    auto &o = out();
    o << a.file.fileName() << ": " << grouped(a.keys.rowCount()) << " rows, " << a.roles.object << " "
      << operationName(a.operation) << "; means of " << seeds << " seed" << (seeds == 1 ? "" : "s") << "\n\n";
    o << QStringLiteral("%1 %2 %3 %4 %5\n")
             .arg(QStringLiteral("mitigation"), -44)
             .arg(QStringLiteral("lock errors"), 12)
             .arg(QStringLiteral("duration"), 10)
             .arg(QStringLiteral("API calls"), 10)
             .arg(QStringLiteral("ratio to bound"), 15);
    for (const auto &r : rows) {
        if (!r.planned) {
            o << QStringLiteral("%1 %2\n").arg(r.mitigation.label(), -44).arg(QStringLiteral("cannot run: ") + r.error.message);
            continue;
        }
        o << QStringLiteral("%1 %2 %3 %4 %5\n")
                 .arg(r.mitigation.label(), -44)
                 .arg(rowsText(r.lockErrorRows), 12)
                 .arg(duration(r.durationSeconds), 10)
                 .arg(rowsText(r.apiCalls), 10)
                 .arg(QString::number(r.ratioToBound, 'f', 2), 15);
    }
    if (!rows.empty() && rows.front().planned) {
        const auto &r = rows.front();
        o << "\nlower bound " << duration(r.lowerBoundSeconds)
          << (r.boundIsHotParent ? " (how long the hottest parent must be held)" : " (total work / W)") << "\n";
    }
    o.flush();
}

void printPrediction(const FileAnalysis &a, const Plan &plan, const PredictionSummary &s, const Prediction &first,
                     const InstantEstimate *estimate)
{
    auto &o = out();
    o << a.file.fileName() << ": " << grouped(plan.rowCount()) << " rows, " << plan.object << " " << operationName(plan.operation)
      << " — " << plan.mitigation.label() << ", " << apiLabel(plan.api) << ", " << grouped(qint64(plan.batches.size()))
      << " batches of up to " << grouped(plan.batchSize) << ", " << plan.concurrency << " in flight\n";
    o << "lock errors: " << rowsText(s.lockErrorRows) << " rows ("
      << percent(s.lockErrorRows / double(std::max<qint64>(1, plan.rowCount()))) << ")";
    if (s.runs > 1)
        o << "  [mean of " << s.runs << " seeds, sd " << rowsText(s.lockErrorRowsSd) << "]";
    o << "\n";
    o << "duration:    " << duration(s.durationSeconds) << "  (" << QString::number(s.ratioToBound, 'f', 2)
      << "× the lower bound of " << duration(s.lowerBoundSeconds) << ")\n";
    o << "API calls:   " << rowsText(s.apiCalls) << "\n";
    o << "deadlocks " << rowsText(s.deadlocks) << ", lock waits " << rowsText(s.lockWaits) << ", re-queued batch rests "
      << grouped(first.requeues) << (s.runs > 1 ? " (first seed)" : "") << "\n";
    const auto top = first.mostContended(10);
    if (!top.empty()) {
        o << "most contended parents" << (s.runs > 1 ? " (first seed)" : "") << ":\n";
        for (const auto k : top)
            o << "  " << a.keys.keyObject(k) << " " << a.keys.keyLabel(k) << ": " << first.keyFailures[k]
              << " failed requests, " << first.keyWaits[k] << " waits\n";
    }
    if (estimate)
        o << "instant estimate: " << rowsText(estimate->lockErrorRows) << " lock errors (κ "
          << QString::number(estimate->kappa, 'f', 2) << ", window share " << percent(estimate->windowShare)
          << ", collision chance " << percent(estimate->collisionProbability) << "), about " << duration(estimate->durationSeconds)
          << "\n";
    o.flush();
}

} // namespace

int PredictCommand::run(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(summary() + QStringLiteral(
        ".\n\nPlays the plan of each mitigation against the lock engine in virtual time (the calibrated "
        "model of docs/lock-engine.md, or --profile) and reports lock errors, duration, API calls and the "
        "ratio to the lower bound max(total work / W, largest component). --compare predicts every "
        "mitigation (or the --mitigation options given) and prints one table; numbers are means over "
        "--seeds seeds, because lock errors come in 200-row lumps.\n\n"
        "Exit status: 0 predicted, 64 bad usage, 65 malformed file or profile, 66 no such file, 130 interrupted."));
    addPlanningOptions(parser);
    parser.addOption({{QStringLiteral("m"), QStringLiteral("mitigation")},
                      QStringLiteral("The mitigation to predict (default parallel); with --compare, repeat it to choose the rows."),
                      QStringLiteral("M")});
    parser.addOption({QStringLiteral("compare"), QStringLiteral("Predict every mitigation and print one table.")});
    parser.addOption({QStringLiteral("seed"), QStringLiteral("First random seed (default 1); the same seed predicts the same run."), QStringLiteral("K"), QStringLiteral("1")});
    parser.addOption({QStringLiteral("seeds"), QStringLiteral("Runs per mitigation, averaged (default 5 with --compare, else 1)."), QStringLiteral("N")});
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
    int seeds = compare ? 5 : 1;
    if (parser.isSet(QStringLiteral("seeds")))
        seeds = parser.value(QStringLiteral("seeds")).toInt(&ok2);
    if (!ok1 || !ok2 || seeds < 1 || seeds > 1000)
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
    options.seeds.clear();
    for (int i = 0; i < seeds; ++i)
        options.seeds.push_back(seed + std::uint64_t(i));

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
                                                {QStringLiteral("seeds"), seeds},
                                                {QStringLiteral("firstSeed"), QString::number(seed)},
                                                {QStringLiteral("mitigations"), array}}));
        } else {
            printComparison(a, *rows, seeds);
        }
        return ExitCode::Ok;
    }

    const Mitigation &m = options.mitigations.front();
    auto plan = planner.plan(m);
    if (!plan) {
        progress.finish();
        return report(plan.error());
    }
    std::vector<Prediction> runs;
    for (const auto s : options.seeds) {
        PredictOptions po;
        po.profile = options.plan.profile;
        po.seed = s;
        po.recordRows = false;
        po.recordTimeline = false;
        auto p = Predictor::predict(*plan, a.keys, po, progress.progress());
        if (!p) {
            progress.finish();
            return report(p.error());
        }
        runs.push_back(std::move(*p));
    }
    progress.finish();
    const PredictionSummary summary = Comparison::summarize(*plan, runs);
    const InstantEstimator estimator(a.keys, planner.components());
    const auto estimate = estimator.estimate(m, options.plan);
    if (json) {
        QJsonObject o = summary.toJson();
        o.insert(QStringLiteral("file"), a.file.path());
        o.insert(QStringLiteral("rows"), a.keys.rowCount());
        o.insert(QStringLiteral("firstRun"), runs.front().toJson(&a.keys, 10));
        if (estimate)
            o.insert(QStringLiteral("instantEstimate"), QJsonObject{{QStringLiteral("lockErrorRows"), estimate->lockErrorRows},
                                                                    {QStringLiteral("kappa"), estimate->kappa},
                                                                    {QStringLiteral("windowShare"), estimate->windowShare},
                                                                    {QStringLiteral("collisionProbability"), estimate->collisionProbability},
                                                                    {QStringLiteral("durationSeconds"), estimate->durationSeconds},
                                                                    {QStringLiteral("apiCalls"), estimate->apiCalls}});
        o.insert(QStringLiteral("notes"), QJsonArray::fromStringList(plan->notes));
        writeJson(QJsonDocument(o));
    } else {
        printPrediction(a, *plan, summary, runs.front(), estimate ? &*estimate : nullptr);
    }
    return ExitCode::Ok;
}

} // namespace lockstep::cli
