#include "cli/RetryCommand.h"

#include "cli/CliSupport.h"
#include "cli/JobCommands.h"
#include "cli/JobExecution.h"
#include "cli/PlanCommand.h"
#include "job/RetryPolicy.h"

#include <QJsonArray>
#include <QJsonObject>


namespace lockstep::cli {

namespace {

// A retry's API: the job's own family (a serial Bulk 1.0 job retries through Bulk 1.0, whose
// plan then picks serial or parallel jobs for its lanes), unless --api says otherwise.
QString apiFamily(const QString &jobApi)
{
    return jobApi.section(QLatin1Char('-'), 0, 0);
}

// A retry that is still open — rows sent or unknown, or an interrupted run with rows pending —
// must be settled first: its rows still read "failed" in the original, and sending them again
// could write twice what it already wrote.
std::optional<JobSummary> openRetryOf(JobStore &store, qint64 job)
{
    auto all = store.jobs();
    if (!all)
        return std::nullopt;
    for (const JobSummary &j : *all)
        if (j.spec.run.value(QStringLiteral("retryOf")).toInteger() == job &&
            (j.sent + j.unknown > 0 || (j.pending > 0 && j.state != JobState::Cancelled)))
            return j;
    return std::nullopt;
}

} // namespace

int RetryCommand::run(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(summary() + QStringLiteral(
        ".\n\nChooses the job's failed rows — all of them, or those with --only, --where, --attempts and --rows — "
        "plans them afresh with the mitigation (default: parent-aware lanes, so rows that share a parent run one "
        "after another instead of colliding again), predicts the plan, and runs it as a job of its own, a child of "
        "JOB, against JOB's org. Its answers replace JOB's records of those rows: 'show JOB' and 'export JOB' tell "
        "the whole story. Only failed rows go again: never a row that succeeded, and never an unknown one, whose "
        "write may have committed (resume JOB settles those first). With --passes N, rows that fail again with "
        "UNABLE_TO_LOCK_ROW go once more, after a full-jitter backoff (up to 2, 4, 8 … s), at most N passes in "
        "all.\n\n"
        "Exit status: 0 every row of JOB has now succeeded, 3 some rows of JOB failed or are unknown, 64 bad usage, "
        "65 the source file changed, 66 no such job or source, 69 the org refused, 74 job store, 75 the job or a "
        "retry of it is still open, 130 interrupted (resume the retry's job)."));
    parser.addPositionalArgument(QStringLiteral("JOB"), QStringLiteral("The job whose failed rows go again (see 'lockstep-cli jobs')."));
    parser.addOption({QStringLiteral("only"), QStringLiteral("Only rows that failed with this status code (repeatable: UNABLE_TO_LOCK_ROW, …)."),
                      QStringLiteral("CODE")});
    parser.addOption({QStringLiteral("where"), QStringLiteral("parent=ID (rows that lock this parent) or batch=N (rows of the job's batch N); "
                                                              "repeatable: rows of any parent given, and of any batch given."),
                      QStringLiteral("COND")});
    parser.addOption({QStringLiteral("attempts"), QStringLiteral("Only rows sent at least N times."), QStringLiteral("N")});
    parser.addOption({QStringLiteral("rows"), QStringLiteral("Only these rows of the file (1-based: 5,7,10-20)."), QStringLiteral("LIST")});
    parser.addOption({{QStringLiteral("m"), QStringLiteral("mitigation")}, QStringLiteral("How to send them (default lanes)."), QStringLiteral("M"),
                      QStringLiteral("lanes")});
    parser.addOption({QStringLiteral("api"), QStringLiteral("rest, bulk1 or bulk2 (default: the job's)."), QStringLiteral("API")});
    parser.addOption({QStringLiteral("passes"), QStringLiteral("Lock errors left after a pass go again, up to N passes (default 1)."),
                      QStringLiteral("N"), QStringLiteral("1")});
    parser.addOption({QStringLiteral("dry-run"), QStringLiteral("Show the rows and the plan's prediction; send nothing.")});
    addOutputOptions(parser);
    parser.addOption({QStringLiteral("scale"), QStringLiteral("The org's time scale (default: the job's)."), QStringLiteral("S")});
    addStoreOption(parser);
    int code = 0;
    if (!parseArguments(parser, name(), arguments, code))
        return code;
    const auto id = jobArgument(parser, name(), code);
    if (!id)
        return code;
    auto output = executionOutput(parser, name(), code);
    if (!output)
        return code;
    const auto mitigation = Mitigation::parse(parser.value(QStringLiteral("mitigation")));
    if (!mitigation || mitigation->scheduling == Scheduling::Auto)
        return usageError(mitigation ? QStringLiteral("retry takes a mitigation of its own (lanes, sort, serial, …), not auto") : mitigation.error().message,
                          name());
    bool ok = false;
    const int passes = parser.value(QStringLiteral("passes")).toInt(&ok);
    if (!ok || passes < 1 || passes > 10)
        return usageError(QStringLiteral("--passes takes 1 to 10"), name());

    RetrySelection selection;
    selection.codes = parser.values(QStringLiteral("only"));
    for (const QString &condition : parser.values(QStringLiteral("where"))) {
        const QString key = condition.section(QLatin1Char('='), 0, 0).trimmed();
        const QString value = condition.section(QLatin1Char('='), 1).trimmed();
        if (key == QLatin1String("parent") && !value.isEmpty()) {
            selection.parents << value;
        } else if (key == QLatin1String("batch")) {
            const int batch = value.toInt(&ok);
            if (!ok || batch < 0)
                return usageError(QStringLiteral("--where batch=N takes a batch number (see 'lockstep-cli show JOB')"), name());
            selection.batches.push_back(batch);
        } else {
            return usageError(QStringLiteral("--where takes parent=ID or batch=N, not '%1'").arg(condition), name());
        }
    }
    if (parser.isSet(QStringLiteral("attempts"))) {
        selection.minAttempts = parser.value(QStringLiteral("attempts")).toInt(&ok);
        if (!ok || selection.minAttempts < 1)
            return usageError(QStringLiteral("--attempts takes a number from 1"), name());
    }
    if (parser.isSet(QStringLiteral("rows"))) {
        const auto rows = parseRowList(parser.value(QStringLiteral("rows")));
        if (!rows)
            return usageError(QStringLiteral("--rows takes file rows from 1, as 5,7,10-20 (at most 10,000,000 rows)"), name());
        selection.rows = *rows;
    }

    auto opened = openIdleJob(storePath(parser), *id);
    if (!opened)
        return report(opened.error());
    auto &[store, job] = *opened;
    if (job.sent + job.unknown > 0)
        return report(Error{ErrorKind::Network, QStringLiteral("job %1 has %2 rows whose answer is not settled: 'lockstep-cli resume %1' first (a retry "
                                                               "never sends a row that may have been written)")
                                                    .arg(*id)
                                                    .arg(grouped(job.sent + job.unknown))});
    if (const auto open = openRetryOf(*store, *id))
        return report(Error{ErrorKind::Network, QStringLiteral("job %1, a retry of job %2, is not finished: 'lockstep-cli resume %1' (or cancel it) first")
                                                    .arg(open->id)
                                                    .arg(*id)});
    auto source = loadJobSource(job);
    if (!source)
        return report(source.error());
    const FileAnalysis &a = **source;

    PlanOptions options;
    if (auto profile = OrgProfile::fromJson(job.spec.profile); profile)
        options.profile = *profile;
    options.object = job.spec.object;
    options.operation = job.spec.operation;
    const QString apiText = parser.isSet(QStringLiteral("api")) ? parser.value(QStringLiteral("api")) : apiFamily(job.spec.api);
    options.api = parseApi(apiText);
    if (!options.api)
        return usageError(QStringLiteral("unknown API '%1' (rest, bulk1, bulk2)").arg(apiText), name());

    auto first = planRetry(*store, *id, a, selection, *mitigation, options);
    if (!first)
        return report(first.error());
    if (!*first) {
        const auto now = store->job(*id);
        if (!output->quiet)
            err() << "lockstep-cli retry: no failed row of job " << *id << " matches; nothing to send" << Qt::endl;
        if (output->json)
            writeJson(QJsonDocument(QJsonObject{{QStringLiteral("job"), *id}, {QStringLiteral("passes"), QJsonArray()},
                                                {QStringLiteral("original"), now ? jobSummaryJson(*now) : QJsonObject()}}));
        return now && now->failed + now->unknown + now->pending + now->sent == 0 ? ExitCode::Ok : kRowsFailed;
    }
    if (parser.isSet(QStringLiteral("dry-run"))) {
        const PlannedRetry &planned = **first;
        if (output->json) {
            writeJson(QJsonDocument(QJsonObject{{QStringLiteral("job"), *id},
                                                {QStringLiteral("rows"), qint64(planned.rows.size())},
                                                {QStringLiteral("plan"), planned.plan.toJson(&a.keys)},
                                                {QStringLiteral("predicted"), planned.predicted ? planned.predicted->toJson() : QJsonObject()}}));
        } else {
            out() << planned.describe(*id, 1) << "\n";
            out().flush();
        }
        return ExitCode::Ok;
    }
    auto org = connectJobOrg(parser, job, name(), code);
    if (!org)
        return code;
    restoreAbandonedChanges(*store, *org, output->quiet);
    const auto runs = runRetries(*store, job, a, std::move(**first), *mitigation, options, *org, passes, *output);
    if (!runs)
        return report(runs.error());
    QJsonArray passReports;
    for (const JobRun &run : *runs)
        passReports.append(run.toJson());

    const auto after = store->job(*id);
    if (!after)
        return report(after.error());
    QStringList resultPaths;
    if (!output->resultsDir.isEmpty()) {
        const auto files = writeJobResults(*store, *id, a, job.spec.operation, output->format, output->resultsDir);
        if (!files)
            return report(files.error());
        resultPaths = files->paths;
    }
    if (output->json) {
        writeJson(QJsonDocument(QJsonObject{{QStringLiteral("job"), *id},
                                            {QStringLiteral("passes"), passReports},
                                            {QStringLiteral("original"), jobSummaryJson(*after)},
                                            {QStringLiteral("resultFiles"), QJsonArray::fromStringList(resultPaths)}}));
    } else {
        for (const QString &path : resultPaths)
            out() << "wrote " << path << "\n";
        out().flush();
    }
    if (!runs->empty() && runs->back().report.cancelled)
        return ExitCode::Interrupted;
    return after->failed + after->unknown + after->pending + after->sent == 0 ? ExitCode::Ok : kRowsFailed;
}

} // namespace lockstep::cli
