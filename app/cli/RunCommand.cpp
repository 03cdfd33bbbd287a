#include "cli/RunCommand.h"

#include "cli/CliSupport.h"
#include "cli/JobCommands.h"
#include "cli/JobExecution.h"
#include "cli/PlanCommand.h"
#include "predict/AutoPlanner.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonObject>

namespace lockstep::cli {

int RunCommand::run(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(summary() + QStringLiteral(
        ".\n\nPlans the load with the mitigation, records a job in the job store (every row pending), and runs it: "
        "each request's rows are written 'sent' before it goes out and their outcome after its answer, so an "
        "interrupted run loses nothing — 'lockstep-cli resume JOB' goes on where it stopped, after looking up in "
        "the org what happened to rows whose answer was lost. Rows the org did not write are sent again (up to "
        "five passes); rows that failed stay failed. --org demo starts the demo org here, seeded from FILE, at "
        "--scale, its records kept in --demo-data; --org ALIAS is an org saved by 'lockstep-cli org login'; any other org is an https:// instance URL, with the session "
        "from LOCKSTEP_ACCESS_TOKEN, a JWT bearer login (LOCKSTEP_USERNAME, LOCKSTEP_CLIENT_ID, "
        "LOCKSTEP_JWT_KEY_FILE: the connected app's consumer key and the private key of its certificate), client "
        "credentials (LOCKSTEP_CLIENT_ID, LOCKSTEP_CLIENT_SECRET), or a username-password login (those and "
        "LOCKSTEP_USERNAME, LOCKSTEP_PASSWORD), at LOCKSTEP_LOGIN_URL (default: the org's URL) — never on the "
        "command line. With "
        "--mitigation dupoff (or +dupoff) the object's active duplicate rules are switched off for the job and "
        "back on when it ends, fails or is cancelled, or at the next start after a killed run. At the end the "
        "prediction of the same plan stands beside what happened.\n\n"
        "Exit status: 0 every row succeeded, 3 some rows failed, are unknown or were not sent (see the report), "
        "64 bad usage, 65 malformed file, 66 no such file, 69 the org refused, 74 job store or result files, 75 "
        "the org did not answer, 130 interrupted (the job can be resumed)."));
    addPlanningOptions(parser);
    parser.addOption({QStringLiteral("org"), QStringLiteral("demo, a saved org's alias (lockstep-cli org list), or the org's instance URL (https://….my.salesforce.com)."), QStringLiteral("ORG")});
    parser.addOption({{QStringLiteral("m"), QStringLiteral("mitigation")}, QStringLiteral("The mitigation (default parallel)."), QStringLiteral("M"),
                      QStringLiteral("parallel")});
    parser.addOption({QStringLiteral("external-id"), QStringLiteral("Upsert: the external id field (default Id)."), QStringLiteral("FIELD")});
    addJobRunOptions(parser);
    parser.addOption({QStringLiteral("retry-locks"), QStringLiteral("Rows that fail with UNABLE_TO_LOCK_ROW go again in parent-aware lanes, after a "
                                                                    "full-jitter backoff, up to N retry passes (3 is a good N; default 0: none). "
                                                                    "Each pass is a retry job folded back into this one."),
                      QStringLiteral("N"), QStringLiteral("0")});
    parser.addOption({QStringLiteral("results"), QStringLiteral("Write result files into this folder."), QStringLiteral("DIR")});
    parser.addOption({QStringLiteral("format"), QStringLiteral("Result files: dataloader (default), dataloader-bulkv2, bulkv2 or full."),
                      QStringLiteral("F"), QStringLiteral("dataloader")});
    int code = 0;
    if (!parseArguments(parser, name(), arguments, code))
        return code;
    if (!parser.isSet(QStringLiteral("org")))
        return usageError(QStringLiteral("--org is required: demo, or the org's instance URL"), name());
    const auto mitigation = Mitigation::parse(parser.value(QStringLiteral("mitigation")));
    if (!mitigation)
        return usageError(mitigation.error().message, name());
    auto output = executionOutput(parser, name(), code);
    if (!output)
        return code;
    bool retryOk = false;
    const int retryPasses = parser.value(QStringLiteral("retry-locks")).toInt(&retryOk);
    if (!retryOk || retryPasses < 0 || retryPasses > 10)
        return usageError(QStringLiteral("--retry-locks takes 0 to 10 passes"), name());
    const QString orgName = parser.value(QStringLiteral("org"));
    const auto scale = orgScale(parser, orgName, name(), code);
    if (!scale)
        return code;
    auto input = preparePlanning(parser, name(), code);
    if (!input)
        return code;
    const FileAnalysis &a = *input->analysis;

    Result<Plan> plan = std::unexpected(Error{});
    if (mitigation->scheduling == Scheduling::Auto) {
        AutoOptions autoOptions;
        autoOptions.compare.plan = input->options;
        auto choice = AutoPlanner::choose(a.keys, autoOptions);
        plan = choice ? Result<Plan>(std::move(choice->plan)) : std::unexpected(choice.error());
    } else {
        plan = Planner::plan(a.keys, *mitigation, input->options);
    }
    if (!plan)
        return report(plan.error());

    // An org URL Lockstep would never send a session to is refused before anything is written
    // (a saved org's alias is checked when its session opens).
    if (orgName != QLatin1String("demo") && orgName.contains(QStringLiteral("://")))
        if (auto ok = checkOrgUrl(orgName); !ok)
            return usageError(ok.error().message, name());
    auto store = JobStore::open(storePath(parser));
    if (!store)
        return report(store.error());
    const QString demoData =
        parser.isSet(QStringLiteral("demo-data")) ? parser.value(QStringLiteral("demo-data")) : defaultDemoDataDir(storePath(parser));
    auto org = connectOrg(orgName, *scale, demoData, {a.file.path()}, input->options.profile, name(), code);
    if (!org)
        return code;
    restoreAbandonedChanges(**store, *org, output->quiet);

    JobTarget target;
    target.orgName = org->name;
    target.timeScale = org->scale;
    target.externalIdField = parser.value(QStringLiteral("external-id"));
    // One call before the job exists: the session works, TLS verifies, the object is there (and
    // the external id field) — a job that could never send a row is not recorded as failed.
    if (auto checked = checkTarget(*org, plan->object, target.externalIdField); !checked)
        return report(checked.error());
    const auto job = recordJob(**store, a, *plan, input->options.profile, target);
    if (!job)
        return report(job.error());
    if (!output->quiet)
        err() << "lockstep-cli run: job " << *job << ", " << grouped(plan->rowCount()) << " rows, " << plan->mitigation.label()
              << " over " << apiLabel(plan->api) << " to " << org->session.instanceUrl << Qt::endl;

    // The prediction of the same plan, on the same profile, to stand beside what happens.
    std::optional<PredictionSummary> predicted;
    if (const auto p = Comparison::predict(*plan, a.keys, input->options.profile, SeedPolicy{}); p)
        predicted = p->summary;
    RunOptions options;
    options.externalIdField = target.externalIdField;
    if (retryPasses == 0)
        return executeJob(**store, *job, a, RunPlan::of(*plan), *org, options, *output, predicted);

    // The load, then its lock errors again in lanes (RetryPolicy), each pass a retry job folded
    // back into this one; the result files once, at the end, from the job as it then stands.
    ExecutionOutput firstOutput = *output;
    firstOutput.resultsDir.clear();
    const auto first = performJob(**store, *job, a, RunPlan::of(*plan), *org, options, firstOutput, predicted);
    if (!first)
        return report(first.error());
    for (const QString &w : first->report.warnings)
        err() << "warning: " << w << Qt::endl;
    if (!output->json) {
        first->print(out());
        out().flush();
    }
    std::vector<JobRun> retries;
    if (!first->report.cancelled && first->report.lockErrors() > 0) {
        PlanOptions retryOptions = input->options;
        retryOptions.api = parseApi(apiName(plan->api).section(QLatin1Char('-'), 0, 0));
        const Mitigation lanes = *Mitigation::parse(QStringLiteral("lanes"));
        auto planned = planRetry(**store, *job, a, RetrySelection::lockErrors(), lanes, retryOptions);
        if (!planned)
            return report(planned.error());
        if (*planned) {
            const auto summary = (*store)->job(*job);
            if (!summary)
                return report(summary.error());
            auto runs = runRetries(**store, *summary, a, std::move(**planned), lanes, retryOptions, *org, retryPasses, *output);
            if (!runs)
                return report(runs.error());
            retries = std::move(*runs);
        }
    }
    const auto after = (*store)->job(*job);
    if (!after)
        return report(after.error());
    QStringList resultPaths;
    if (!output->resultsDir.isEmpty()) {
        const auto files = writeJobResults(**store, *job, a, plan->operation, output->format, output->resultsDir);
        if (!files)
            return report(files.error());
        resultPaths = files->paths;
    }
    if (output->json) {
        QJsonObject o = first->toJson();
        QJsonArray passes;
        for (const JobRun &r : retries)
            passes.append(r.toJson());
        o.insert(QStringLiteral("retries"), passes);
        o.insert(QStringLiteral("final"), jobSummaryJson(*after));
        o.insert(QStringLiteral("resultFiles"), QJsonArray::fromStringList(resultPaths));
        writeJson(QJsonDocument(o));
    } else {
        for (const QString &path : resultPaths)
            out() << "wrote " << path << "\n";
        out().flush();
    }
    if (first->report.cancelled || (!retries.empty() && retries.back().report.cancelled))
        return ExitCode::Interrupted;
    return after->failed + after->unknown + after->pending + after->sent == 0 ? ExitCode::Ok : kRowsFailed;
}

} // namespace lockstep::cli
