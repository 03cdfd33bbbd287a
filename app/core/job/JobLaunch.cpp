#include "job/JobLaunch.h"

#include "common/Format.h"
#include "load/FileDigest.h"

#include <QFileInfo>

#include <algorithm>
#include <cmath>

namespace lockstep {

std::function<QString(qint64)> parentLabelsOf(const LockKeys &keys)
{
    return [&keys](qint64 row) {
        QStringList parents;
        for (const auto k : keys.keysOf(row))
            parents << keys.keyLabel(k);
        return parents.join(QLatin1Char(';'));
    };
}

Result<qint64> recordJob(JobStore &store, const FileAnalysis &source, const Plan &plan, const OrgProfile &profile, const JobTarget &target)
{
    JobSpec spec;
    spec.object = plan.object;
    spec.operation = plan.operation;
    spec.externalIdField = target.externalIdField;
    spec.api = apiName(plan.api);
    spec.mitigation = plan.mitigation.key();
    spec.orgUrl = target.orgName;
    spec.sourcePath = QFileInfo(source.file.path()).absoluteFilePath();
    spec.sourceSize = qint64(source.file.sizeBytes());
    const auto digest = fileSha256(source.file.path());
    if (!digest)
        return std::unexpected(digest.error());
    spec.sourceSha256 = *digest;
    spec.plan = plan.toJson(&source.keys);
    spec.profile = profile.toJson();
    spec.run = QJsonObject{{QStringLiteral("timeScale"), target.timeScale}};
    return store.createJob(spec, JobRunner::batchesOf(plan), parentLabelsOf(source.keys));
}

QString PlannedRetry::describe(qint64 job, int pass) const
{
    QString text = QStringLiteral("retry of job %1, pass %2: %3 failed rows as %4 over %5")
                       .arg(job)
                       .arg(pass)
                       .arg(grouped(qint64(rows.size())), plan.mitigation.label(), apiLabel(plan.api));
    if (predicted)
        text += QStringLiteral(" — predicted %1 lock errors in %2")
                    .arg(grouped(qRound64(predicted->lockErrorRows)), durationText(predicted->durationSeconds));
    return text;
}

Result<std::optional<PlannedRetry>> planRetry(JobStore &store, qint64 job, const FileAnalysis &source, const RetrySelection &selection,
                                              const Mitigation &mitigation, const PlanOptions &options)
{
    auto rows = RetryPolicy::select(store, job, selection, source.keys);
    if (!rows)
        return std::unexpected(rows.error());
    if (rows->empty())
        return std::optional<PlannedRetry>();
    auto retry = RetryPolicy::plan(source.keys, *rows, mitigation, options);
    if (!retry)
        return std::unexpected(retry.error());
    PlannedRetry planned;
    planned.rows = std::move(*rows);
    if (const auto p = Comparison::predict(retry->plan, retry->keys, options.profile, SeedPolicy{}); p)
        planned.predicted = p->summary;
    planned.plan = retry->forFile();
    return std::optional<PlannedRetry>(std::move(planned));
}

Result<qint64> recordRetryJob(JobStore &store, const JobSummary &original, const FileAnalysis &source, const PlannedRetry &retry)
{
    JobSpec spec = original.spec;
    spec.api = apiName(retry.plan.api);
    spec.mitigation = retry.plan.mitigation.key();
    spec.plan = retry.plan.toJson(&source.keys);
    spec.run.remove(QStringLiteral("retryOf"));
    return store.createRetryJob(original.id, spec, JobRunner::batchesOf(retry.plan), parentLabelsOf(source.keys));
}

Result<JobRunResult> concludeRun(JobStore &store, qint64 job, Result<RunReport> report, double wallSeconds, double timeScale,
                                 const std::optional<PredictionSummary> &predicted)
{
    if (!report)
        return std::unexpected(report.error());
    JobRunResult run;
    run.report = *report;
    run.wallSeconds = wallSeconds;
    run.observedSeconds = timeScale > 0 && timeScale < 1 ? wallSeconds / timeScale : wallSeconds;
    if (predicted && !run.report.cancelled)
        run.agreement = predictionAgreement(*predicted, run.report, run.observedSeconds, timeScale > 0);
    // A retry's answers become the original job's, after every run or resume of it.
    if (auto self = store.job(job); self && self->spec.run.contains(QStringLiteral("retryOf"))) {
        if (auto folded = store.foldRetry(job); !folded)
            return std::unexpected(folded.error());
        auto original = store.job(self->spec.run.value(QStringLiteral("retryOf")).toInteger());
        if (!original)
            return std::unexpected(original.error());
        run.original = *original;
    }
    return run;
}

QString predictionAgreement(const PredictionSummary &p, const RunReport &r, double observedSeconds, bool timed)
{
    // One run is one draw: a single parallel run's errors vary by ±12 %.
    const double errorTolerance = std::max({p.lockErrorRows < 350 ? 50.0 : 0.15 * p.lockErrorRows, 2 * p.lockErrorRowsSd});
    const bool errorsAgree = std::abs(double(r.lockErrors()) - p.lockErrorRows) <= errorTolerance;
    const bool timeAgrees = !timed || std::abs(observedSeconds - p.durationSeconds) <= std::max(0.15 * p.durationSeconds, 2 * p.durationSd);
    if (errorsAgree && timeAgrees)
        return {};
    return QStringLiteral("warning: this org differs from the profile: predicted %1 lock errors in %2, observed %3 in %4 "
                          "(beyond ±15 % and two runs' spread)")
        .arg(grouped(qRound64(p.lockErrorRows)), durationText(p.durationSeconds), grouped(r.lockErrors()), durationText(observedSeconds));
}

QString errorsText(const std::map<QString, qint64> &errors)
{
    QStringList parts;
    for (const auto &[code, n] : errors)
        parts << QStringLiteral("%1 %2").arg(code, grouped(n));
    return parts.join(QStringLiteral(", "));
}

} // namespace lockstep
