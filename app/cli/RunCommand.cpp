#include "cli/RunCommand.h"

#include "analysis/FileAnalysis.h"
#include "cli/CliSupport.h"
#include "cli/PlanCommand.h"
#include "job/JobRunner.h"
#include "job/ResultFiles.h"
#include "predict/AutoPlanner.h"
#include "predict/Comparison.h"

#ifdef LOCKSTEP_HAVE_DEMOORG
#include "demoorg/DemoOrg.h"
#endif

#include <QCryptographicHash>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonObject>

#include <cmath>
#include <thread>
#include <unistd.h>

namespace lockstep::cli {

namespace {

// Exit status when the load ran but some rows failed or are unknown: scripts must notice.
constexpr int kRowsFailed = 3;

QString storePath(const QCommandLineParser &parser)
{
    return parser.isSet(QStringLiteral("store")) ? parser.value(QStringLiteral("store")) : JobStore::defaultPath();
}

void addStoreOption(QCommandLineParser &parser)
{
    parser.addOption({QStringLiteral("store"), QStringLiteral("The job store (default: %1).").arg(JobStore::defaultPath()),
                      QStringLiteral("PATH")});
}

QByteArray sha256Of(const QString &path)
{
    QFile f(path);
    QCryptographicHash hash(QCryptographicHash::Sha256);
    if (f.open(QIODevice::ReadOnly))
        hash.addData(&f);
    return hash.result().toHex();
}

QString errorsText(const std::map<QString, qint64> &errors)
{
    QStringList parts;
    for (const auto &[code, n] : errors)
        parts << QStringLiteral("%1 %2").arg(code, grouped(n));
    return parts.join(QStringLiteral(", "));
}

// The org to load into: the demo org started here, or a URL with a session from the
// environment (secrets never go on the command line, where `ps` shows them).
struct OrgTarget {
    OrgSession session;
    OrgClient::Renewer renew;
    double scale = 1;   // platform seconds per wall second: 1/scale for the demo org
#ifdef LOCKSTEP_HAVE_DEMOORG
    std::unique_ptr<demoorg::DemoOrg> demo;
#endif
};

std::optional<OrgTarget> connectOrg(const QCommandLineParser &parser, const PlanningInput &input, int &exitCode)
{
    OrgTarget target;
    const QString org = parser.value(QStringLiteral("org"));
    if (org == QLatin1String("demo")) {
#ifdef LOCKSTEP_HAVE_DEMOORG
        bool ok = false;
        const double scale = parser.value(QStringLiteral("scale")).toDouble(&ok);
        if (!ok || scale < 0 || scale > 1) {
            exitCode = usageError(QStringLiteral("--scale takes a number from 0 to 1 (0.01: a 10 s lock timeout lasts 100 ms)"), QStringLiteral("run"));
            return std::nullopt;
        }
        demoorg::DemoOrgOptions options;
        options.profile.org = input.options.profile;
        options.profile.scale = scale;
        options.seedFrom = {input.analysis->file.path()};
        auto demo = demoorg::DemoOrg::start(options);
        if (!demo) {
            exitCode = report(demo.error());
            return std::nullopt;
        }
        target.session = {(*demo)->instanceUrl(), (*demo)->issueAccessToken().toLatin1()};
        target.scale = scale > 0 ? scale : 0;
        target.demo = std::move(*demo);
        return target;
#else
        exitCode = usageError(QStringLiteral("this build has no demo org"), QStringLiteral("run"));
        return std::nullopt;
#endif
    }
    if (auto ok = checkOrgUrl(org); !ok) {
        exitCode = usageError(ok.error().message, QStringLiteral("run"));
        return std::nullopt;
    }
    const QByteArray token = qgetenv("LOCKSTEP_ACCESS_TOKEN");
    const QString username = qEnvironmentVariable("LOCKSTEP_USERNAME");
    auto login = [=]() {
        return OrgClient::loginWithPassword(qEnvironmentVariable("LOCKSTEP_LOGIN_URL", org), qEnvironmentVariable("LOCKSTEP_CLIENT_ID"),
                                            qgetenv("LOCKSTEP_CLIENT_SECRET"), username, qgetenv("LOCKSTEP_PASSWORD"));
    };
    if (!token.isEmpty()) {
        target.session = {org, token};
    } else if (!username.isEmpty()) {
        auto session = login();
        if (!session) {
            exitCode = report(session.error());
            return std::nullopt;
        }
        target.session = *session;
    } else {
        exitCode = usageError(QStringLiteral("no session for %1: set LOCKSTEP_ACCESS_TOKEN, or LOCKSTEP_USERNAME, LOCKSTEP_PASSWORD, "
                                             "LOCKSTEP_CLIENT_ID and LOCKSTEP_CLIENT_SECRET (and LOCKSTEP_LOGIN_URL)").arg(org),
                              QStringLiteral("run"));
        return std::nullopt;
    }
    if (!username.isEmpty())
        target.renew = login;
    return target;
}

// A job's result files from its rows in the store and its source file as analysed.
Result<ResultFileSet> writeJobResults(JobStore &store, qint64 job, const FileAnalysis &source, Operation operation,
                                      ResultFormat format, const QString &directory)
{
    const auto rows = store.rows(job);
    if (!rows)
        return std::unexpected(rows.error());
    ResultFilesOptions options;
    options.format = format;
    options.directory = directory;
    options.baseName = QStringLiteral("job-%1").arg(job);
    options.operation = operation;
    options.keys = &source.keys;
    return writeResultFiles(source.file, [&](qint64 row) { return size_t(row) < rows->size() ? (*rows)[size_t(row)] : RowRecord{}; },
                            options);
}

// Progress on stderr: redrawn in place on a terminal, a line every 5 s elsewhere.
std::function<void(const RunProgress &)> progressPrinter(bool quiet)
{
    if (quiet)
        return {};
    const bool tty = ::isatty(STDERR_FILENO);
    auto timer = std::make_shared<QElapsedTimer>();
    timer->start();
    auto last = std::make_shared<qint64>(-100000);
    auto mutex = std::make_shared<std::mutex>();
    return [=](const RunProgress &p) {
        std::lock_guard lock(*mutex);
        const qint64 now = timer->elapsed();
        if (now - *last < (tty ? 200 : 5000) && p.done() < p.rows)
            return;
        *last = now;
        const QString line = QStringLiteral("%1 of %2 rows, %3 failed%4, %5 rows/s, ETA %6")
                                 .arg(grouped(p.done()), grouped(p.rows), grouped(p.failed + p.unknown),
                                      p.errorsByCode.empty() ? QString() : QStringLiteral(" (%1)").arg(errorsText(p.errorsByCode)))
                                 .arg(qRound64(p.rowsPerSecond))
                                 .arg(p.etaSeconds < 0 ? QStringLiteral("—") : duration(p.etaSeconds));
        std::fprintf(stderr, tty ? "\r\033[K%s" : "%s\n", line.toLocal8Bit().constData());
        std::fflush(stderr);
    };
}

} // namespace

int RunCommand::run(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(summary() + QStringLiteral(
        ".\n\nPlans the load with the mitigation, records a job in the job store (every row pending), and runs it: "
        "each request's rows are written 'sent' before it goes out and their outcome after its answer, so an "
        "interrupted run loses nothing. --org demo starts the demo org here, seeded from FILE, at --scale; any "
        "other org is an https:// instance URL, with the session from LOCKSTEP_ACCESS_TOKEN or a username-password "
        "login (LOCKSTEP_USERNAME, LOCKSTEP_PASSWORD, LOCKSTEP_CLIENT_ID, LOCKSTEP_CLIENT_SECRET, LOCKSTEP_LOGIN_URL) "
        "— never on the command line. At the end the prediction of the same plan stands beside what happened.\n\n"
        "Exit status: 0 every row succeeded, 3 some rows failed or are unknown (see the report), 64 bad usage, "
        "65 malformed file, 66 no such file, 69 the org refused, 74 job store or result files, 75 the org did not "
        "answer, 130 interrupted."));
    addPlanningOptions(parser);
    parser.addOption({QStringLiteral("org"), QStringLiteral("demo, or the org's instance URL (https://….my.salesforce.com)."), QStringLiteral("ORG")});
    parser.addOption({{QStringLiteral("m"), QStringLiteral("mitigation")}, QStringLiteral("The mitigation (default parallel)."), QStringLiteral("M"),
                      QStringLiteral("parallel")});
    parser.addOption({QStringLiteral("external-id"), QStringLiteral("Upsert: the external id field (default Id)."), QStringLiteral("FIELD")});
    parser.addOption({QStringLiteral("scale"), QStringLiteral("--org demo: wall seconds per platform second (default 0.01)."),
                      QStringLiteral("S"), QStringLiteral("0.01")});
    parser.addOption({QStringLiteral("results"), QStringLiteral("Write result files into this folder."), QStringLiteral("DIR")});
    parser.addOption({QStringLiteral("format"), QStringLiteral("Result files: dataloader (default), dataloader-bulkv2, bulkv2 or full."),
                      QStringLiteral("F"), QStringLiteral("dataloader")});
    addStoreOption(parser);
    int code = 0;
    if (!parseArguments(parser, name(), arguments, code))
        return code;
    if (!parser.isSet(QStringLiteral("org")))
        return usageError(QStringLiteral("--org is required: demo, or the org's instance URL"), name());
    const auto mitigation = Mitigation::parse(parser.value(QStringLiteral("mitigation")));
    if (!mitigation)
        return usageError(mitigation.error().message, name());
    const auto format = parseResultFormat(parser.value(QStringLiteral("format")));
    if (!format)
        return usageError(QStringLiteral("unknown result format '%1' (dataloader, dataloader-bulkv2, bulkv2, full)")
                              .arg(parser.value(QStringLiteral("format"))),
                          name());
    auto input = preparePlanning(parser, name(), code);
    if (!input)
        return code;
    const FileAnalysis &a = *input->analysis;
    const bool json = parser.isSet(QStringLiteral("json"));
    const bool quiet = parser.isSet(QStringLiteral("quiet"));

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

    auto org = connectOrg(parser, *input, code);
    if (!org)
        return code;
    auto store = JobStore::open(storePath(parser));
    if (!store)
        return report(store.error());

    JobSpec spec;
    spec.object = plan->object;
    spec.operation = plan->operation;
    spec.externalIdField = parser.value(QStringLiteral("external-id"));
    spec.api = apiName(plan->api);
    spec.mitigation = plan->mitigation.key();
    spec.orgUrl = org->session.instanceUrl;
    spec.sourcePath = QFileInfo(a.file.path()).absoluteFilePath();
    spec.sourceSize = qint64(a.file.sizeBytes());
    spec.sourceSha256 = sha256Of(a.file.path());
    spec.plan = plan->toJson(&a.keys);
    spec.profile = input->options.profile.toJson();
    const auto job = (*store)->createJob(spec, JobRunner::batchesOf(*plan), [&](qint64 row) {
        QStringList parents;
        for (const auto k : a.keys.keysOf(row))
            parents << a.keys.keyLabel(k);
        return parents.join(QLatin1Char(';'));
    });
    if (!job)
        return report(job.error());
    if (!quiet)
        err() << "lockstep-cli run: job " << *job << ", " << grouped(plan->rowCount()) << " rows, " << plan->mitigation.label()
              << " over " << apiLabel(plan->api) << " to " << org->session.instanceUrl << Qt::endl;

    RunOptions options;
    options.externalIdField = spec.externalIdField;
    options.onProgress = progressPrinter(quiet);
    options.timeScale = org->scale > 0 ? org->scale : 1e-3;   // scale 0: as fast as the org answers
    const OrgSession session = org->session;
    const OrgClient::Renewer renew = org->renew;
    JobRunner runner(**store, a.file, *plan, *job, [session, renew] { return OrgClient::create(session, renew); }, options);
    StderrProgress interrupt(false);   // Ctrl-C cancels the run through its token
    const CancelToken cancel = interrupt.token();
    Result<RunReport> result = std::unexpected(Error{});
    QElapsedTimer wall;
    wall.start();
    {
        // The demo org serves from this thread's event loop; the run goes on a thread of its own.
        QEventLoop loop;
        std::jthread worker([&] {
            result = runner.run(cancel);
            QMetaObject::invokeMethod(&loop, &QEventLoop::quit, Qt::QueuedConnection);
        });
        loop.exec();
    }
    const double wallSeconds = double(wall.nsecsElapsed()) / 1e9;
    if (!quiet && ::isatty(STDERR_FILENO))
        std::fprintf(stderr, "\r\033[K");
#ifdef LOCKSTEP_HAVE_DEMOORG
    if (org->demo)
        org->demo->stop();
#endif
    if (!result)
        return report(result.error());
    const RunReport &r = *result;
    // Platform seconds: the demo org runs time scaled.
    const double observedSeconds = org->scale > 0 && org->scale < 1 ? wallSeconds / org->scale : wallSeconds;

    // The prediction of the same plan, on the same profile, beside what happened.
    const auto predicted = Comparison::predict(*plan, a.keys, input->options.profile, SeedPolicy{});
    QString agreement;
    if (predicted && !r.cancelled) {
        const PredictionSummary &p = predicted->summary;
        // One run is one draw: it agrees within calibration.md's tolerance or within two of one
        // run's spread, whichever is wider (a single parallel run's errors vary by ±12 %).
        const double errorTolerance = std::max({p.lockErrorRows < 350 ? 50.0 : 0.15 * p.lockErrorRows, 2 * p.lockErrorRowsSd});
        const bool errorsAgree = std::abs(double(r.lockErrors()) - p.lockErrorRows) <= errorTolerance;
        const bool timeAgrees = org->scale == 0 ||
                                std::abs(observedSeconds - p.durationSeconds) <= std::max(0.15 * p.durationSeconds, 2 * p.durationSd);
        if (!errorsAgree || !timeAgrees)
            agreement = QStringLiteral("warning: this org differs from the profile: predicted %1 lock errors in %2, observed %3 in %4 "
                                       "(beyond ±15 % and two runs' spread)")
                            .arg(grouped(qRound64(p.lockErrorRows)), duration(p.durationSeconds), grouped(r.lockErrors()),
                                 duration(observedSeconds));
    }

    QStringList resultPaths;
    if (parser.isSet(QStringLiteral("results"))) {
        const auto files = writeJobResults(**store, *job, a, plan->operation, *format, parser.value(QStringLiteral("results")));
        if (!files)
            return report(files.error());
        resultPaths = files->paths;
    }

    if (json) {
        QJsonObject errors;
        for (const auto &[c, n] : r.errorsByCode)
            errors.insert(c, n);
        QJsonObject o{{QStringLiteral("job"), *job},
                      {QStringLiteral("state"), r.cancelled ? QStringLiteral("cancelled") : QStringLiteral("finished")},
                      {QStringLiteral("rows"), r.rows},
                      {QStringLiteral("succeeded"), r.succeeded},
                      {QStringLiteral("failed"), r.failed},
                      {QStringLiteral("unknown"), r.unknown},
                      {QStringLiteral("pending"), r.rows - r.done()},
                      {QStringLiteral("errorsByCode"), errors},
                      {QStringLiteral("lockErrors"), r.lockErrors()},
                      {QStringLiteral("apiCalls"), r.apiCalls},
                      {QStringLiteral("wallSeconds"), wallSeconds},
                      {QStringLiteral("observedSeconds"), observedSeconds},
                      {QStringLiteral("resultFiles"), QJsonArray::fromStringList(resultPaths)}};
        if (predicted)
            o.insert(QStringLiteral("predicted"), predicted->summary.toJson());
        if (!agreement.isEmpty())
            o.insert(QStringLiteral("warning"), agreement);
        writeJson(QJsonDocument(o));
    } else {
        auto &o = out();
        o << "job " << *job << (r.cancelled ? " (cancelled)" : "") << ": " << grouped(r.succeeded) << " of " << grouped(r.rows)
          << " rows succeeded, " << grouped(r.failed) << " failed, " << grouped(r.unknown) << " unknown, "
          << grouped(r.rows - r.done()) << " not sent\n";
        if (!r.errorsByCode.empty())
            o << "errors:    " << errorsText(r.errorsByCode) << "\n";
        o << "observed:  " << grouped(r.lockErrors()) << " lock errors in " << duration(observedSeconds) << ", "
          << grouped(r.apiCalls) << " API calls\n";
        if (predicted)
            o << "predicted: " << grouped(qRound64(predicted->summary.lockErrorRows)) << " ± "
              << grouped(qRound64(predicted->summary.lockErrorRowsSd)) << " lock errors in " << duration(predicted->summary.durationSeconds)
              << ", " << grouped(qRound64(predicted->summary.apiCalls)) << " API calls\n";
        if (!agreement.isEmpty())
            o << agreement << "\n";
        for (const QString &path : resultPaths)
            o << "wrote " << path << "\n";
        o.flush();
    }
    if (r.cancelled)
        return ExitCode::Interrupted;
    return r.failed + r.unknown > 0 || r.done() < r.rows ? kRowsFailed : ExitCode::Ok;
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
                                     {QStringLiteral("source"), j.spec.sourcePath}});
        writeJson(QJsonDocument(array));
        return ExitCode::Ok;
    }
    auto &o = out();
    o << QStringLiteral("%1 %2 %3 %4 %5 %6 %7\n").arg(QStringLiteral("job"), 5).arg(QStringLiteral("state"), -10)
             .arg(QStringLiteral("created"), -24).arg(QStringLiteral("load"), -28).arg(QStringLiteral("rows"), 10)
             .arg(QStringLiteral("failed"), 10).arg(QStringLiteral("unknown"), 8);
    for (const auto &j : *jobs)
        o << QStringLiteral("%1 %2 %3 %4 %5 %6 %7\n").arg(j.id, 5).arg(jobStateName(j.state), -10).arg(j.createdAt, -24)
                 .arg(QStringLiteral("%1 %2 (%3)").arg(j.spec.object, operationName(j.spec.operation), j.spec.mitigation), -28)
                 .arg(grouped(j.rows), 10).arg(grouped(j.failed), 10).arg(grouped(j.unknown + j.sent), 8);
    o.flush();
    return ExitCode::Ok;
}

namespace {

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

} // namespace

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
    if (parser.isSet(QStringLiteral("json"))) {
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
                                            {QStringLiteral("errorsByCode"), e}}));
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
    const QString source = job->spec.sourcePath;
    if (QFileInfo(source).size() != job->spec.sourceSize || sha256Of(source) != job->spec.sourceSha256)
        return report(Error{QFileInfo::exists(source) ? ErrorKind::BadData : ErrorKind::NotFound,
                            QStringLiteral("the job's source file changed or is gone since the job ran: result files need it as it was"), source});
    AnalyzeOptions analyze;
    analyze.object = job->spec.object;
    analyze.operation = job->spec.operation;
    auto analysis = analyzeFile(source, analyze);
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
