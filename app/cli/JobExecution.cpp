#include "cli/JobExecution.h"

#include "cli/CliSupport.h"
#include "cli/PlanCommand.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonArray>
#include <QJsonObject>

#include <chrono>
#include <cmath>
#include <optional>
#include <random>
#include <thread>
#include <unistd.h>

namespace lockstep::cli {

namespace {

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
    // The finished count is shown at once, and once: the runner reports again while it polls
    // and reconciles after the last row is in.
    auto shownFinished = std::make_shared<std::optional<std::pair<qint64, qint64>>>();
    return [=](const RunProgress &p) {
        std::lock_guard lock(*mutex);
        const qint64 now = timer->elapsed();
        const bool finished = p.done() >= p.rows;
        if (finished ? *shownFinished == std::pair(p.done(), p.failed + p.unknown) : now - *last < (tty ? 200 : 5000))
            return;
        *last = now;
        if (finished)
            *shownFinished = std::pair(p.done(), p.failed + p.unknown);
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

Result<JobRun> performJob(JobStore &store, qint64 job, const FileAnalysis &source, const RunPlan &plan, OrgConnection &org, RunOptions options,
                          const ExecutionOutput &output, const std::optional<PredictionSummary> &predicted, bool cancelAbandoned)
{
    options.onProgress = progressPrinter(output.quiet);
    options.timeScale = org.scale > 0 ? org.scale : 1e-3;   // scale 0: as fast as the org answers
    JobRunner runner(store, source.file, plan, job, OrgClient::sharingRenewals(org.session, org.renew), options);
    StderrProgress interrupt(false);   // Ctrl-C cancels the run through its token
    const CancelToken cancel = interrupt.token();
    Result<RunReport> result = std::unexpected(Error{});
    QElapsedTimer wall;
    wall.start();
    {
        // An in-process demo org serves from this thread's event loop; the run goes on a thread of its own.
        QEventLoop loop;
        std::jthread worker([&] {
            result = cancelAbandoned ? runner.cancelAbandoned() : runner.run(cancel);
            QMetaObject::invokeMethod(&loop, &QEventLoop::quit, Qt::QueuedConnection);
        });
        loop.exec();
    }
    if (!output.quiet && ::isatty(STDERR_FILENO))
        std::fprintf(stderr, "\r\033[K");
    auto concluded = concludeRun(store, job, std::move(result), double(wall.nsecsElapsed()) / 1e9, org.scale, predicted);
    if (!concluded)
        return std::unexpected(concluded.error());
    JobRun run;
    run.job = job;
    run.report = concluded->report;
    run.wallSeconds = concluded->wallSeconds;
    run.observedSeconds = concluded->observedSeconds;
    run.predicted = predicted;
    run.agreement = concluded->agreement;
    run.original = concluded->original;
    if (!output.resultsDir.isEmpty()) {
        const auto files = writeJobResults(store, job, source, plan.operation, output.format, output.resultsDir);
        if (!files)
            return std::unexpected(files.error());
        run.resultPaths = files->paths;
    }
    return run;
}

QJsonObject jobSummaryJson(const JobSummary &job)
{
    return QJsonObject{{QStringLiteral("job"), job.id},
                       {QStringLiteral("rows"), job.rows},
                       {QStringLiteral("succeeded"), job.succeeded},
                       {QStringLiteral("failed"), job.failed},
                       {QStringLiteral("unknown"), job.unknown},
                       {QStringLiteral("pending"), job.pending + job.sent},
                       {QStringLiteral("lockErrors"), job.lockErrors}};
}

QJsonObject JobRun::toJson() const
{
    const RunReport &r = report;
    QJsonObject errors;
    for (const auto &[c, n] : r.errorsByCode)
        errors.insert(c, n);
    QJsonObject o{{QStringLiteral("job"), job},
                  {QStringLiteral("state"), r.cancelled ? QStringLiteral("cancelled") : QStringLiteral("finished")},
                  {QStringLiteral("rows"), r.rows},
                  {QStringLiteral("succeeded"), r.succeeded},
                  {QStringLiteral("failed"), r.failed},
                  {QStringLiteral("unknown"), r.unknown},
                  {QStringLiteral("pending"), pending()},
                  {QStringLiteral("errorsByCode"), errors},
                  {QStringLiteral("lockErrors"), r.lockErrors()},
                  {QStringLiteral("apiCalls"), r.apiCalls},
                  {QStringLiteral("passes"), r.passes},
                  {QStringLiteral("reconciled"), r.reconciled},
                  {QStringLiteral("wallSeconds"), wallSeconds},
                  // The runner's own pace (from its start to its last answer) and what it
                  // spent per request besides waiting for the org (tests/bench/runner).
                  {QStringLiteral("runSeconds"), r.elapsedSeconds},
                  {QStringLiteral("rowsPerSecond"), r.rowsPerSecond},
                  {QStringLiteral("requests"), r.requests},
                  {QStringLiteral("msPerRequest"), r.requests > 0 ? 1000 * r.lockstepSeconds / double(r.requests) : 0.0},
                  {QStringLiteral("cpuMsPerRequest"), r.requests > 0 ? 1000 * r.lockstepCpuSeconds / double(r.requests) : 0.0},
                  {QStringLiteral("observedSeconds"), observedSeconds},
                  {QStringLiteral("warnings"), QJsonArray::fromStringList(r.warnings)},
                  {QStringLiteral("resultFiles"), QJsonArray::fromStringList(resultPaths)}};
    if (predicted)
        o.insert(QStringLiteral("predicted"), predicted->toJson());
    if (!agreement.isEmpty())
        o.insert(QStringLiteral("warning"), agreement);
    if (original) {
        o.insert(QStringLiteral("retryOf"), original->id);
        o.insert(QStringLiteral("original"), jobSummaryJson(*original));
    }
    return o;
}

void JobRun::print(QTextStream &o) const
{
    const RunReport &r = report;
    o << "job " << job << (r.cancelled ? " (cancelled)" : "") << ": " << grouped(r.succeeded) << " of " << grouped(r.rows)
      << " rows succeeded, " << grouped(r.failed) << " failed, " << grouped(r.unknown) << " unknown, " << grouped(pending())
      << " not sent\n";
    if (!r.errorsByCode.empty())
        o << "errors:    " << errorsText(r.errorsByCode) << "\n";
    if (r.reconciled > 0)
        o << "settled:   " << grouped(r.reconciled) << " rows whose answer was lost, from the org's own records\n";
    o << "observed:  " << grouped(r.lockErrors()) << " lock errors in " << duration(observedSeconds) << ", " << grouped(r.apiCalls)
      << " API calls\n";
    if (predicted)
        o << "predicted: " << grouped(qRound64(predicted->lockErrorRows)) << " ± " << grouped(qRound64(predicted->lockErrorRowsSd))
          << " lock errors in " << duration(predicted->durationSeconds) << ", " << grouped(qRound64(predicted->apiCalls))
          << " API calls\n";
    if (!agreement.isEmpty())
        o << agreement << "\n";
    if (original)
        o << "job " << original->id << " now: " << grouped(original->succeeded) << " of " << grouped(original->rows) << " rows succeeded, "
          << grouped(original->failed) << " failed (" << grouped(original->lockErrors) << " lock errors), " << grouped(original->unknown)
          << " unknown\n";
    if (r.cancelled && pending() + r.unknown > 0)
        o << "resume with: lockstep-cli resume " << job << "\n";
    for (const QString &path : resultPaths)
        o << "wrote " << path << "\n";
}

int JobRun::exitCode() const
{
    if (report.cancelled)
        return ExitCode::Interrupted;
    return report.failed + report.unknown > 0 || pending() > 0 ? kRowsFailed : ExitCode::Ok;
}

int executeJob(JobStore &store, qint64 job, const FileAnalysis &source, const RunPlan &plan, OrgConnection &org, RunOptions options,
               const ExecutionOutput &output, const std::optional<PredictionSummary> &predicted, bool cancelAbandoned)
{
    const auto run = performJob(store, job, source, plan, org, std::move(options), output, predicted, cancelAbandoned);
    if (!run)
        return report(run.error());
    for (const QString &w : run->report.warnings)
        err() << "warning: " << w << Qt::endl;
    if (output.json) {
        writeJson(QJsonDocument(run->toJson()));
    } else {
        run->print(out());
        out().flush();
    }
    return run->exitCode();
}

Result<std::vector<JobRun>> runRetries(JobStore &store, const JobSummary &job, const FileAnalysis &source, PlannedRetry first,
                                       const Mitigation &mitigation, const PlanOptions &options, OrgConnection &org, int passes,
                                       const ExecutionOutput &output)
{
    std::vector<JobRun> runs;
    std::optional<PlannedRetry> planned(std::move(first));
    Random jitter(std::random_device{}());
    for (int pass = 1; pass <= passes && planned; ++pass) {
        if (!output.quiet)
            err() << "lockstep-cli " << output.verb << ": " << planned->describe(job.id, pass) << Qt::endl;
        const auto child = recordRetryJob(store, job, source, *planned);
        if (!child)
            return std::unexpected(child.error());
        RunOptions runOptions;
        runOptions.externalIdField = job.spec.externalIdField;
        ExecutionOutput passOutput = output;
        passOutput.resultsDir.clear();   // the original's files are written once, at the end
        auto run = performJob(store, *child, source, RunPlan::of(planned->plan), org, runOptions, passOutput, planned->predicted);
        if (!run)
            return std::unexpected(run.error());
        for (const QString &w : run->report.warnings)
            err() << "warning: " << w << Qt::endl;
        if (!output.json) {
            run->print(out());
            out().flush();
        }
        runs.push_back(*run);
        if (run->report.cancelled || run->report.lockErrors() == 0 || pass == passes)
            break;
        // The next pass: this pass's rows that hit a lock again, after a full-jitter backoff (in
        // the org's time: a demo org's is scaled).
        RetrySelection again = RetrySelection::lockErrors();
        again.rows = planned->rows;
        auto next = planRetry(store, job.id, source, again, mitigation, options);
        if (!next)
            return std::unexpected(next.error());
        planned = std::move(*next);
        const double wait = RetryPolicy::backoffSeconds(pass, jitter) * (org.scale > 0 ? org.scale : 0.0);
        if (!output.quiet)
            err() << "lockstep-cli " << output.verb << ": " << grouped(run->report.lockErrors()) << " lock errors left; pass " << pass + 1
                  << " in " << QString::number(wait, 'f', 1) << " s" << Qt::endl;
        std::this_thread::sleep_for(std::chrono::duration<double>(wait));
    }
    return runs;
}

} // namespace lockstep::cli
