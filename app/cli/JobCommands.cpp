#include "cli/JobCommands.h"

#include "cli/CliSupport.h"
#include "cli/PlanCommand.h"
#include "cli/RunCommand.h"

#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonObject>

#include <cmath>
#include <thread>

namespace lockstep::cli {

void addStoreOption(QCommandLineParser &parser)
{
    parser.addOption({QStringLiteral("store"), QStringLiteral("The job store (default: %1).").arg(JobStore::defaultPath()),
                      QStringLiteral("PATH")});
}

QString storePath(const QCommandLineParser &parser)
{
    return parser.isSet(QStringLiteral("store")) ? parser.value(QStringLiteral("store")) : JobStore::defaultPath();
}

void addJobRunOptions(QCommandLineParser &parser)
{
    parser.addOption({QStringLiteral("scale"), QStringLiteral("The org's time: wall seconds per platform second. --org demo: default 0.05, the fastest "
                                                              "at which it keeps the profile's pace on two cores "
                                                              "(0 = as fast as it answers); an org by URL: 1, or the --scale a served "
                                                              "demo org was started with."),
                      QStringLiteral("S")});
    parser.addOption({QStringLiteral("demo-data"), QStringLiteral("--org demo: the folder of its records (default: demo-org beside the job store, %1).").arg(defaultDemoDataDir()),
                      QStringLiteral("DIR")});
    addStoreOption(parser);
}

// The demo org's default time scale: the calibration runs it at 0.05. Faster, on a two-core
// machine its chunks take longer than their scaled time and contention fades (0.01: 0 lock errors
// where the field sees 12,000).
constexpr double kDemoScale = 0.05;

std::optional<double> orgScale(const QCommandLineParser &parser, const QString &org, const QString &command, int &exitCode)
{
    const bool demo = org == QLatin1String("demo") || org.startsWith(QLatin1String("demo:"));
    if (!parser.isSet(QStringLiteral("scale")))
        return demo ? kDemoScale : 1.0;
    bool ok = false;
    const double scale = parser.value(QStringLiteral("scale")).toDouble(&ok);
    if (!ok || !std::isfinite(scale) || scale < 0 || scale > 1) {
        exitCode = usageError(QStringLiteral("--scale takes a number from 0 to 1 (0.01: a 10 s lock timeout lasts 100 ms)"), command);
        return std::nullopt;
    }
    return scale;
}

std::optional<ExecutionOutput> executionOutput(const QCommandLineParser &parser, const QString &command, int &exitCode)
{
    ExecutionOutput output;
    output.json = parser.isSet(QStringLiteral("json"));
    output.quiet = parser.isSet(QStringLiteral("quiet"));
    output.verb = command;
    if (parser.isSet(QStringLiteral("results")))
        output.resultsDir = parser.value(QStringLiteral("results"));
    const auto format = parseResultFormat(parser.value(QStringLiteral("format")));
    if (!format) {
        exitCode = usageError(QStringLiteral("unknown result format '%1' (dataloader, dataloader-bulkv2, bulkv2, full)")
                                  .arg(parser.value(QStringLiteral("format"))),
                              command);
        return std::nullopt;
    }
    output.format = *format;
    return output;
}

std::optional<qint64> jobArgument(const QCommandLineParser &parser, const QString &command, int &code)
{
    bool ok = false;
    const qint64 id = parser.positionalArguments().value(0).toLongLong(&ok);
    if (parser.positionalArguments().size() != 1 || !ok || id < 1) {
        code = usageError(QStringLiteral("expected one JOB number (see 'lockstep-cli jobs')"), command);
        return std::nullopt;
    }
    return id;
}

// The job's source as it was when the job ran (size and SHA-256 checked), analysed again.
// The hash and the analysis each read the whole file: they run side by side (a 1,000,000-row
// file of 109 MB: 0.09 s and 0.24 s here), and the analysis counts only once the hash says
// the file is the job's.

void addOutputOptions(QCommandLineParser &parser)
{
    parser.addOption({QStringLiteral("json"), QStringLiteral("Print the report as JSON on stdout.")});
    parser.addOption({{QStringLiteral("q"), QStringLiteral("quiet")}, QStringLiteral("No progress on stderr.")});
    parser.addOption({QStringLiteral("results"), QStringLiteral("Write result files into this folder."), QStringLiteral("DIR")});
    parser.addOption({QStringLiteral("format"), QStringLiteral("Result files: dataloader (default), dataloader-bulkv2, bulkv2 or full."),
                      QStringLiteral("F"), QStringLiteral("dataloader")});
}

// Connects to the org a job ran against (the demo org in its folder, or its URL with the
// session from the environment), at the job's time scale unless --scale says otherwise.
std::optional<OrgConnection> connectJobOrg(const QCommandLineParser &parser, const JobSummary &job, const QString &command, int &code)
{
    double scale = job.spec.run.value(QStringLiteral("timeScale")).toDouble(1.0);
    if (parser.isSet(QStringLiteral("scale"))) {
        const auto s = orgScale(parser, job.spec.orgUrl, command, code);
        if (!s)
            return std::nullopt;
        scale = *s;
    }
    OrgProfile profile;
    if (auto p = OrgProfile::fromJson(job.spec.profile); p)
        profile = *p;
    return connectOrg(job.spec.orgUrl, scale, {}, {job.spec.sourcePath}, profile, command, code);
}

Result<std::pair<std::unique_ptr<JobStore>, JobSummary>> openIdleJob(const QString &storePath, qint64 id)
{
    auto store = JobStore::open(storePath);
    if (!store)
        return std::unexpected(store.error());
    auto job = (*store)->job(id);
    if (!job)
        return std::unexpected(job.error());
    if (JobStore::runnerAlive(*job))
        return fail(ErrorKind::Network, QStringLiteral("job %1 is still running (process %2): wait for it, or 'lockstep-cli cancel %1' first")
                                            .arg(id)
                                            .arg(job->runnerPid));
    return std::pair(std::move(*store), std::move(*job));
}

int ResumeCommand::run(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(summary() + QStringLiteral(
        ".\n\nFirst settles what the interrupted run left open: Bulk batches and jobs still at the org are waited "
        "for and their results read; rows sent by REST whose answer was lost are looked up by Id or external id "
        "(a record that holds what the row sent was written by it). Rows the org did not write are sent again, in "
        "the plan's order and lanes; rows that failed stay failed. The org is the job's own (the demo org in its "
        "folder, or its URL with the session from the environment, as for run).\n\n"
        "Exit status: 0 every row succeeded, 3 some rows failed, are unknown or were not sent, 64 bad usage, "
        "65 the source file changed, 66 no such job or source, 74 job store, 75 the job is still running or "
        "the org did not answer, 130 interrupted."));
    parser.addPositionalArgument(QStringLiteral("JOB"), QStringLiteral("The job number (see 'lockstep-cli jobs')."));
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
    auto opened = openIdleJob(storePath(parser), *id);
    if (!opened)
        return report(opened.error());
    auto &[store, job] = *opened;
    // A retry stopped part way whose rows a later retry of the same job took: its pending rows
    // are that retry's now, and sending them again could write them twice.
    if (const qint64 parent = job.spec.run.value(QStringLiteral("retryOf")).toInteger(); parent > 0)
        if (auto all = store->jobs(); all)
            for (const JobSummary &later : *all)
                if (later.id > *id && later.spec.run.value(QStringLiteral("retryOf")).toInteger() == parent)
                    return report(Error{ErrorKind::Usage, QStringLiteral("job %1, a retry of job %2, was superseded by job %3, a later retry: "
                                                                         "retry job %2 again instead").arg(*id).arg(parent).arg(later.id)});
    const auto plan = RunPlan::fromJson(job.spec.plan);
    if (!plan)
        return report(plan.error());
    auto source = loadJobSource(job);
    if (!source)
        return report(source.error());
    auto org = connectJobOrg(parser, job, name(), code);
    if (!org)
        return code;
    restoreAbandonedChanges(*store, *org, output->quiet);
    if (!output->quiet)
        err() << "lockstep-cli resume: job " << *id << ", " << grouped(job.pending) << " pending, "
              << grouped(job.sent + job.unknown) << " to look up, to " << org->session.instanceUrl << Qt::endl;
    RunOptions options;
    options.externalIdField = job.spec.externalIdField;
    return executeJob(*store, *id, **source, *plan, *org, options, *output);
}

int CancelCommand::run(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(summary() + QStringLiteral(
        ".\n\nA running job (another lockstep-cli process) is asked to stop: it sends nothing more, aborts its Bulk "
        "jobs, waits for what the org already took and records it, switches duplicate rules back on, and ends "
        "'cancelled'. A job whose process is gone (killed) is settled here: its Bulk jobs still open at the org are "
        "aborted, what they did is read, rows sent by REST are looked up, its org changes are undone. Either way "
        "'lockstep-cli resume JOB' can send the rest later.\n\n"
        "Exit status: 0 cancelled (or not running), 64 bad usage, 66 no such job, 74 job store, 75 the job did "
        "not stop within --wait or the org did not answer."));
    parser.addPositionalArgument(QStringLiteral("JOB"), QStringLiteral("The job number."));
    parser.addOption({QStringLiteral("wait"), QStringLiteral("Seconds to wait for a running job to stop (default 600)."), QStringLiteral("S"),
                      QStringLiteral("600")});
    parser.addOption({QStringLiteral("scale"), QStringLiteral("The org's time scale (default: the job's)."), QStringLiteral("S")});
    addOutputOptions(parser);
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
    auto store = JobStore::open(storePath(parser));
    if (!store)
        return report(store.error());
    auto job = (*store)->job(*id);
    if (!job)
        return report(job.error());

    if (JobStore::runnerAlive(*job)) {
        if (auto r = (*store)->requestCancel(*id); !r)
            return report(r.error());
        if (!output->quiet)
            err() << "lockstep-cli cancel: asked job " << *id << " (process " << job->runnerPid << ") to stop" << Qt::endl;
        QElapsedTimer waited;
        waited.start();
        const qint64 deadline = qint64(parser.value(QStringLiteral("wait")).toDouble() * 1000);
        while (JobStore::runnerAlive(*job) && job->state == JobState::Running) {
            if (waited.elapsed() > deadline)
                return report(Error{ErrorKind::Network, QStringLiteral("job %1 has not stopped after %2 s; it will when its requests end")
                                                            .arg(*id)
                                                            .arg(waited.elapsed() / 1000)});
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
            job = (*store)->job(*id);
            if (!job)
                return report(job.error());
        }
    } else {
        const auto changes = (*store)->openOrgChanges(*id);
        const bool open = job->sent + job->unknown > 0 || (changes && !changes->empty());
        if (open) {
            const auto plan = RunPlan::fromJson(job->spec.plan);
            if (!plan)
                return report(plan.error());
            auto source = loadJobSource(*job);
            if (!source)
                return report(source.error());
            auto org = connectJobOrg(parser, *job, name(), code);
            if (!org)
                return code;
            RunOptions options;
            options.externalIdField = job->spec.externalIdField;
            const int settled = executeJob(**store, *id, **source, *plan, *org, options, *output, std::nullopt, true);
            return settled == ExitCode::Interrupted || settled == kRowsFailed ? ExitCode::Ok : settled;
        }
        if (job->state != JobState::Finished && job->state != JobState::Cancelled)
            if (auto r = (*store)->setJobState(*id, JobState::Cancelled); !r)
                return report(r.error());
        job = (*store)->job(*id);
        if (!job)
            return report(job.error());
    }
    if (output->json) {
        writeJson(QJsonDocument(QJsonObject{{QStringLiteral("job"), job->id},
                                            {QStringLiteral("state"), jobStateName(job->state)},
                                            {QStringLiteral("rows"), job->rows},
                                            {QStringLiteral("succeeded"), job->succeeded},
                                            {QStringLiteral("failed"), job->failed},
                                            {QStringLiteral("unknown"), job->unknown + job->sent},
                                            {QStringLiteral("pending"), job->pending}}));
    } else {
        out() << "job " << job->id << " (" << jobStateName(job->state) << "): " << grouped(job->succeeded) << " of " << grouped(job->rows)
              << " rows succeeded, " << grouped(job->failed) << " failed, " << grouped(job->unknown + job->sent) << " unknown, "
              << grouped(job->pending) << " pending\n";
        out().flush();
    }
    return ExitCode::Ok;
}

int JobsCommand::run(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(summary() + QStringLiteral(".\n\nExit status: 0 listed, 64 bad usage, 74 the job store cannot be read."));
    addStoreOption(parser);
    parser.addOption({QStringLiteral("json"), QStringLiteral("Print JSON on stdout.")});
    int code = 0;
    if (!parseArguments(parser, name(), arguments, code))
        return code;
    auto store = JobStore::open(storePath(parser));
    if (!store)
        return report(store.error());
    auto jobs = (*store)->jobs();
    if (!jobs)
        return report(jobs.error());
    if (parser.isSet(QStringLiteral("json"))) {
        QJsonArray array;
        for (const auto &j : *jobs)
            array.append(QJsonObject{{QStringLiteral("job"), j.id},
                                     {QStringLiteral("state"), jobStateName(j.state)},
                                     {QStringLiteral("created"), j.createdAt},
                                     {QStringLiteral("object"), j.spec.object},
                                     {QStringLiteral("operation"), operationName(j.spec.operation)},
                                     {QStringLiteral("mitigation"), j.spec.mitigation},
                                     {QStringLiteral("rows"), j.rows},
                                     {QStringLiteral("succeeded"), j.succeeded},
                                     {QStringLiteral("failed"), j.failed},
                                     {QStringLiteral("unknown"), j.unknown + j.sent},
                                     {QStringLiteral("pending"), j.pending},
                                     {QStringLiteral("retryOf"), j.spec.run.value(QStringLiteral("retryOf")).toInteger()},
                                     {QStringLiteral("source"), j.spec.sourcePath}});
        writeJson(QJsonDocument(array));
        return ExitCode::Ok;
    }
    auto &o = out();
    o << QStringLiteral("%1 %2 %3 %4 %5 %6 %7\n").arg(QStringLiteral("job"), 5).arg(QStringLiteral("state"), -10)
             .arg(QStringLiteral("created"), -24).arg(QStringLiteral("load"), -40).arg(QStringLiteral("rows"), 10)
             .arg(QStringLiteral("failed"), 10).arg(QStringLiteral("unknown"), 8);
    for (const auto &j : *jobs)
        o << QStringLiteral("%1 %2 %3 %4 %5 %6 %7\n").arg(j.id, 5).arg(jobStateName(j.state), -10).arg(j.createdAt, -24)
                 .arg(QStringLiteral("%1 %2 (%3%4)")
                          .arg(j.spec.object, operationName(j.spec.operation), j.spec.mitigation,
                               j.spec.run.contains(QStringLiteral("retryOf"))
                                   ? QStringLiteral(", retry of %1").arg(j.spec.run.value(QStringLiteral("retryOf")).toInteger())
                                   : QString()),
                      -40)
                 .arg(grouped(j.rows), 10).arg(grouped(j.failed), 10).arg(grouped(j.unknown + j.sent), 8);
    o.flush();
    return ExitCode::Ok;
}


int ShowCommand::run(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(summary() + QStringLiteral(".\n\nExit status: 0 shown, 64 bad usage, 66 no such job, 74 store."));
    parser.addPositionalArgument(QStringLiteral("JOB"), QStringLiteral("The job number."));
    addStoreOption(parser);
    parser.addOption({QStringLiteral("json"), QStringLiteral("Print JSON on stdout.")});
    int code = 0;
    if (!parseArguments(parser, name(), arguments, code))
        return code;
    const auto id = jobArgument(parser, name(), code);
    if (!id)
        return code;
    auto store = JobStore::open(storePath(parser));
    if (!store)
        return report(store.error());
    const auto job = (*store)->job(*id);
    if (!job)
        return report(job.error());
    const auto rows = (*store)->rows(*id);
    if (!rows)
        return report(rows.error());
    std::map<QString, qint64> errors;
    for (const auto &r : *rows)
        if (r.status == RowStatus::Failed)
            ++errors[r.statusCode];
    // Its retries (RetryCommand): children whose answers are folded into its rows.
    std::vector<JobSummary> retries;
    if (auto all = (*store)->jobs(); all)
        for (const JobSummary &j : *all)
            if (j.spec.run.value(QStringLiteral("retryOf")).toInteger() == job->id)
                retries.push_back(j);
    const qint64 retryOf = job->spec.run.value(QStringLiteral("retryOf")).toInteger();
    if (parser.isSet(QStringLiteral("json"))) {
        QJsonArray retryJobs;
        for (const JobSummary &j : retries)
            retryJobs.append(jobSummaryJson(j));
        QJsonObject e;
        for (const auto &[c, n] : errors)
            e.insert(c, n);
        writeJson(QJsonDocument(QJsonObject{{QStringLiteral("job"), job->id},
                                            {QStringLiteral("state"), jobStateName(job->state)},
                                            {QStringLiteral("object"), job->spec.object},
                                            {QStringLiteral("operation"), operationName(job->spec.operation)},
                                            {QStringLiteral("api"), job->spec.api},
                                            {QStringLiteral("mitigation"), job->spec.mitigation},
                                            {QStringLiteral("org"), job->spec.orgUrl},
                                            {QStringLiteral("source"), job->spec.sourcePath},
                                            {QStringLiteral("rows"), job->rows},
                                            {QStringLiteral("pending"), job->pending},
                                            {QStringLiteral("sent"), job->sent},
                                            {QStringLiteral("succeeded"), job->succeeded},
                                            {QStringLiteral("failed"), job->failed},
                                            {QStringLiteral("unknown"), job->unknown},
                                            {QStringLiteral("errorsByCode"), e},
                                            {QStringLiteral("retryOf"), retryOf},
                                            {QStringLiteral("retries"), retryJobs}}));
        return ExitCode::Ok;
    }
    auto &o = out();
    o << "job " << job->id << " (" << jobStateName(job->state) << "): " << job->spec.object << " " << operationName(job->spec.operation)
      << ", " << job->spec.mitigation << " over " << job->spec.api << " to " << job->spec.orgUrl << "\n";
    o << "source:    " << job->spec.sourcePath << "\n";
    o << "rows:      " << grouped(job->rows) << ": " << grouped(job->succeeded) << " succeeded, " << grouped(job->failed) << " failed, "
      << grouped(job->unknown) << " unknown, " << grouped(job->sent) << " sent without an answer, " << grouped(job->pending)
      << " pending\n";
    if (!errors.empty())
        o << "errors:    " << errorsText(errors) << "\n";
    if (retryOf > 0)
        o << "retry of:  job " << retryOf << " (its answers are folded into that job's rows)\n";
    for (const JobSummary &j : retries)
        o << "retried:   job " << j.id << " (" << j.spec.mitigation << ", " << jobStateName(j.state) << "): " << grouped(j.rows) << " rows, "
          << grouped(j.succeeded) << " succeeded, " << grouped(j.failed) << " failed\n";
    o.flush();
    return ExitCode::Ok;
}

int ExportCommand::run(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(summary() + QStringLiteral(
        ".\n\nReads the job's source file again (it must be unchanged: size and SHA-256 are checked) and writes "
        "the result files beside each other in --results.\n\nExit status: 0 written, 64 bad usage, 65 the source "
        "changed, 66 no such job or source, 74 cannot write."));
    parser.addPositionalArgument(QStringLiteral("JOB"), QStringLiteral("The job number."));
    addStoreOption(parser);
    parser.addOption({QStringLiteral("results"), QStringLiteral("The folder (default: the current one)."), QStringLiteral("DIR"), QStringLiteral(".")});
    parser.addOption({QStringLiteral("format"), QStringLiteral("dataloader (default), dataloader-bulkv2, bulkv2 or full."),
                      QStringLiteral("F"), QStringLiteral("dataloader")});
    int code = 0;
    if (!parseArguments(parser, name(), arguments, code))
        return code;
    const auto id = jobArgument(parser, name(), code);
    if (!id)
        return code;
    const auto format = parseResultFormat(parser.value(QStringLiteral("format")));
    if (!format)
        return usageError(QStringLiteral("unknown result format '%1'").arg(parser.value(QStringLiteral("format"))), name());
    auto store = JobStore::open(storePath(parser));
    if (!store)
        return report(store.error());
    const auto job = (*store)->job(*id);
    if (!job)
        return report(job.error());
    auto analysis = loadJobSource(*job);
    if (!analysis)
        return report(analysis.error());
    const auto files = writeJobResults(**store, *id, **analysis, job->spec.operation, *format, parser.value(QStringLiteral("results")));
    if (!files)
        return report(files.error());
    for (const QString &path : files->paths)
        out() << "wrote " << path << "\n";
    out().flush();
    return ExitCode::Ok;
}

} // namespace lockstep::cli
