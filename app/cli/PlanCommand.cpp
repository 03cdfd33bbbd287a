#include "cli/PlanCommand.h"

#include "analysis/FileAnalysis.h"
#include "cli/CliSupport.h"
#include "plan/ClientPace.h"
#include "predict/AutoPlanner.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>

#include <cmath>

namespace lockstep::cli {

QString duration(double seconds)
{
    return durationText(seconds);
}

void addPlanningOptions(QCommandLineParser &parser)
{
    parser.addPositionalArgument(QStringLiteral("FILE"), QStringLiteral("The CSV load file."));
    parser.addOption({QStringLiteral("object"), QStringLiteral("The sObject (default: inferred)."), QStringLiteral("O")});
    parser.addOption({QStringLiteral("operation"), QStringLiteral("insert, update, upsert or delete (default: inferred)."), QStringLiteral("OP")});
    parser.addOption({QStringLiteral("batch-size"), QStringLiteral("Rows per batch (default: 2,000 for Bulk API 1.0, 200 for REST; the limit is 10,000 / 200)."), QStringLiteral("B")});
    parser.addOption({QStringLiteral("concurrency"), QStringLiteral("Batches in flight, W (default: the profile's, 15; 1–25)."), QStringLiteral("W")});
    parser.addOption({QStringLiteral("api"), QStringLiteral("rest, bulk1, bulk1-serial or bulk2 (default: bulk1; rest for small batches)."), QStringLiteral("API")});
    parser.addOption({QStringLiteral("profile"), QStringLiteral("An org profile (JSON; every field required). Default: the calibrated profile."), QStringLiteral("P.json")});
    parser.addOption({QStringLiteral("client"), QStringLiteral("Who sends the batches, for their pace: lockstep (default), dataloader, sf, "
                                                               "jsforce, or the seconds between Bulk API 1.0 batch uploads."),
                      QStringLiteral("C")});
    parser.addOption({QStringLiteral("disable-batch-retry"), QStringLiteral("Send Sforce-Disable-Batch-Retry: true (Bulk API 1.0 re-queues nothing).")});
    parser.addOption({QStringLiteral("json"), QStringLiteral("Print JSON on stdout.")});
    parser.addOption({{QStringLiteral("q"), QStringLiteral("quiet")}, QStringLiteral("No progress on stderr.")});
}

std::optional<PlanningInput> preparePlanning(const QCommandLineParser &parser, const QString &command, int &exitCode,
                                             bool planningOnly)
{
    if (parser.positionalArguments().size() != 1) {
        exitCode = usageError(QStringLiteral("expected exactly one FILE"), command);
        return std::nullopt;
    }
    PlanningInput input;
    AnalyzeOptions analyze;
    analyze.planningOnly = planningOnly;
    analyze.object = parser.value(QStringLiteral("object"));
    if (parser.isSet(QStringLiteral("operation"))) {
        analyze.operation = parseOperation(parser.value(QStringLiteral("operation")));
        if (!analyze.operation) {
            exitCode = usageError(QStringLiteral("unknown operation '%1' (insert, update, upsert, delete)")
                                      .arg(parser.value(QStringLiteral("operation"))),
                                  command);
            return std::nullopt;
        }
    }
    auto wholeNumber = [&](const char *name, std::optional<int> &target) {
        if (!parser.isSet(QLatin1String(name)))
            return true;
        bool ok = false;
        const int v = parser.value(QLatin1String(name)).toInt(&ok);
        if (!ok) {
            exitCode = usageError(QStringLiteral("--%1 takes a whole number, got '%2'").arg(QLatin1String(name), parser.value(QLatin1String(name))), command);
            return false;
        }
        target = v;
        return true;
    };
    if (!wholeNumber("batch-size", input.options.batchSize) || !wholeNumber("concurrency", input.options.concurrency))
        return std::nullopt;
    if (parser.isSet(QStringLiteral("api"))) {
        input.options.api = parseApi(parser.value(QStringLiteral("api")));
        if (!input.options.api) {
            exitCode = usageError(QStringLiteral("unknown API '%1' (rest, bulk1, bulk1-serial, bulk2)").arg(parser.value(QStringLiteral("api"))), command);
            return std::nullopt;
        }
    }
    if (parser.isSet(QStringLiteral("profile"))) {
        auto profile = OrgProfile::load(parser.value(QStringLiteral("profile")));
        if (!profile) {
            exitCode = report(profile.error());
            return std::nullopt;
        }
        input.options.profile = *profile;
    }
    input.options.disableBatchRetry = parser.isSet(QStringLiteral("disable-batch-retry"));
    if (parser.isSet(QStringLiteral("client"))) {
        auto pace = ClientPace::parse(parser.value(QStringLiteral("client")), input.options.profile);
        if (!pace) {
            exitCode = usageError(pace.error().message, command);
            return std::nullopt;
        }
        input.options.uploadGapSeconds = pace->uploadGapSeconds;
    }

    StderrProgress progress(!parser.isSet(QStringLiteral("quiet")));
    auto analysis = analyzeFile(parser.positionalArguments().constFirst(), analyze, progress.progress());
    progress.finish();
    if (!analysis) {
        exitCode = report(analysis.error());
        return std::nullopt;
    }
    input.analysis = *analysis;
    input.options.object = input.analysis->roles.object;
    input.options.operation = input.analysis->operation;
    if (const qint64 bad = input.analysis->rowsWithProblems(); bad > 0)
        err() << "lockstep-cli " << command << ": warning: " << grouped(bad)
              << " rows have problems (see 'lockstep-cli analyze'); they are planned as they are\n";
    return input;
}

Result<Plan> buildPlan(const PlanningInput &input, const Mitigation &mitigation, const SeedPolicy &seeds,
                       qint64 apiCallBudget, const Progress &progress, std::vector<PredictionSummary> *candidates)
{
    const FileAnalysis &a = *input.analysis;
    if (mitigation.scheduling != Scheduling::Auto)
        return Planner(a.keys, input.options, progress.cancel).plan(mitigation);
    AutoOptions options;
    options.compare.plan = input.options;
    options.compare.seeds = seeds;
    options.apiCallBudget = apiCallBudget;
    auto choice = AutoPlanner::choose(a.keys, options, progress);
    if (!choice)
        return std::unexpected(choice.error());
    if (candidates)
        *candidates = choice->candidates;
    return std::move(choice->plan);
}

namespace {

void printPlan(const FileAnalysis &a, const Plan &plan)
{
    auto &o = out();
    o << a.file.fileName() << ": " << grouped(plan.rowCount()) << " rows, " << plan.object << " "
      << operationName(plan.operation) << "\n";
    o << "mitigation:  " << plan.mitigation.label() << "  (" << plan.mitigation.key() << ")\n";
    o << "api:         " << apiLabel(plan.api);
    if (!plan.lanes.empty() && plan.mitigation.scheduling == Scheduling::Lanes && plan.api == Api::Bulk1Parallel)
        o << ", serial lanes as Bulk API 1.0 serial jobs";
    o << "\n";
    o << "batches:     " << grouped(qint64(plan.batches.size())) << " of up to " << grouped(plan.batchSize) << " rows, "
      << plan.concurrency << " in flight";
    if (plan.jobCount() > 0)
        o << ", " << plan.jobCount() << (plan.jobCount() == 1 ? " job" : " jobs");
    o << "\n";
    if (!plan.lanes.empty() && plan.mitigation.scheduling == Scheduling::Lanes)
        o << "lanes:       " << plan.lanes.size() << " serial lane" << (plan.lanes.size() == 1 ? "" : "s")
          << " for skewed components; every other batch from one shared queue\n";
    if (plan.hottestKey != LockKeys::npos)
        o << "hottest:     " << a.keys.keyObject(plan.hottestKey) << " " << a.keys.keyLabel(plan.hottestKey) << ", "
          << grouped(qint64((*plan.parentChildren)[plan.hottestKey])) << " children\n";
    o << "components:  " << grouped(plan.componentCount) << "; largest " << grouped(plan.largestComponentRows) << " rows";
    if (plan.largestComponentKey != LockKeys::npos)
        o << " (" << a.keys.keyObject(plan.largestComponentKey) << " " << a.keys.keyLabel(plan.largestComponentKey) << ")";
    o << "\n";
    o << "lower bound: " << duration(plan.lowerBoundSeconds) << " = max(total work " << duration(plan.totalWorkSeconds)
      << " / " << plan.availableConcurrency << ", hottest parent held " << duration(plan.hottestKeyHoldSeconds) << ")"
      << (plan.boundIsHotParent() ? "  — the hottest parent sets it" : "") << "\n";
    if (plan.duplicateRulesOff)
        o << "org change:  duplicate rules of " << plan.object << " off during the job, restored after\n";
    for (const auto &n : plan.notes)
        o << "  - " << n << "\n";
    o.flush();
}

} // namespace

int PlanCommand::run(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(summary() + QStringLiteral(
        ".\n\nMitigations (lock-model.md §4): parallel (as is), serial, lanes (parent-aware lanes: only "
        "key-disjoint batches in flight), queue (an external per-parent write queue: REST calls of one "
        "parent's rows, one at a time per parent), auto (the best predicted plan within --budget API calls); "
        "modifiers sort (by parent), small[:N] (batches of N rows, default 10) and no-dup-rules "
        "(deactivate duplicate rules), joined with '+': sort+small:10.\n\n"
        "Exit status: 0 planned, 64 bad usage (batch size 0 or over the API's limit, concurrency 0, "
        "an empty file), 65 malformed file or profile, 66 no such file, 73 cannot write --out, "
        "130 interrupted."));
    addPlanningOptions(parser);
    parser.addOption({{QStringLiteral("m"), QStringLiteral("mitigation")}, QStringLiteral("The mitigation (required)."), QStringLiteral("M")});
    parser.addOption({QStringLiteral("out"), QStringLiteral("Write the complete plan (every batch with its file rows) as JSON."), QStringLiteral("plan.json")});
    parser.addOption({QStringLiteral("budget"), QStringLiteral("auto: at most N API calls (default: no limit)."), QStringLiteral("N")});
    parser.addOption({QStringLiteral("seed"), QStringLiteral("auto: first random seed of the predictions (default 1)."), QStringLiteral("K"), QStringLiteral("1")});
    parser.addOption({QStringLiteral("seeds"), QStringLiteral("auto: exactly N predictions per mitigation, averaged (default: at least "
                                                              "5, more until the mean's standard error is under 5 %, at most 40)."),
                      QStringLiteral("N")});
    int code = 0;
    if (!parseArguments(parser, name(), arguments, code))
        return code;
    if (!parser.isSet(QStringLiteral("mitigation")))
        return usageError(QStringLiteral("--mitigation is required (parallel, serial, lanes, queue, auto; sort, small[:N], no-dup-rules)"), name());
    const auto mitigation = Mitigation::parse(parser.value(QStringLiteral("mitigation")));
    if (!mitigation)
        return usageError(mitigation.error().message, name());
    bool ok1 = false, ok2 = true, ok3 = true;
    const std::uint64_t seed = parser.value(QStringLiteral("seed")).toULongLong(&ok1);
    const int seeds = parser.isSet(QStringLiteral("seeds")) ? parser.value(QStringLiteral("seeds")).toInt(&ok2) : 0;
    qint64 budget = 0;
    if (parser.isSet(QStringLiteral("budget")))
        budget = parser.value(QStringLiteral("budget")).toLongLong(&ok3);
    if (!ok1 || !ok2 || !ok3 || (parser.isSet(QStringLiteral("seeds")) && (seeds < 1 || seeds > 1000)) || budget < 0)
        return usageError(QStringLiteral("--seed, --seeds (1 to 1,000) and --budget (≥ 0) take whole numbers"), name());

    auto input = preparePlanning(parser, name(), code);
    if (!input)
        return code;
    const FileAnalysis &a = *input->analysis;

    StderrProgress progress(!parser.isSet(QStringLiteral("quiet")));
    std::vector<PredictionSummary> candidates;
    const auto plan = buildPlan(*input, *mitigation, seeds > 0 ? SeedPolicy::fixed(seeds, seed) : SeedPolicy{seed}, budget,
                                progress.progress(), &candidates);
    progress.finish();
    if (!plan)
        return report(plan.error());

    if (parser.isSet(QStringLiteral("out"))) {
        QSaveFile file(parser.value(QStringLiteral("out")));
        QJsonObject json = plan->toJson(&a.keys, true);
        json.insert(QStringLiteral("file"), a.file.path());
        json.insert(QStringLiteral("profile"), input->options.profile.toJson());
        if (!file.open(QIODevice::WriteOnly) || file.write(QJsonDocument(json).toJson(QJsonDocument::Compact)) < 0 ||
            !file.commit()) {
            err() << "lockstep-cli plan: cannot write " << parser.value(QStringLiteral("out")) << ": " << file.errorString() << Qt::endl;
            return ExitCode::CantCreate;
        }
    }
    if (parser.isSet(QStringLiteral("json"))) {
        QJsonObject json = plan->toJson(&a.keys, false);
        json.insert(QStringLiteral("file"), a.file.path());
        if (!candidates.empty()) {
            QJsonArray c;
            for (const auto &s : candidates)
                c.append(s.toJson());
            json.insert(QStringLiteral("candidates"), c);
        }
        writeJson(QJsonDocument(json));
    } else {
        printPlan(a, *plan);
        if (parser.isSet(QStringLiteral("out")))
            out() << "plan written to " << parser.value(QStringLiteral("out")) << "\n";
        out().flush();
    }
    return ExitCode::Ok;
}

} // namespace lockstep::cli
